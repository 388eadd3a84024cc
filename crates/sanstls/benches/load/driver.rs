//! `cargo xtask load`'s measurements: the mio echo server on the engine and on rustls,
//! each in its own process on 127.0.0.1, loaded by the same clients, in repeats that
//! alternate which server goes first; medians reported.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::client;

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Sanstls,
    Rustls,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Sanstls => "sanstls",
            Kind::Rustls => "rustls",
        }
    }
}

/// How a server is started: a process of its own (this binary with `--serve KIND`), whose
/// CPU time and memory are then its own; or a thread of this process (the smoke test: the
/// numbers are then the whole process's, well formed but meaningless).
#[derive(Clone, Debug)]
#[allow(dead_code)] // the bench spawns processes, the smoke test threads
pub(crate) enum Spawn {
    Process(PathBuf),
    Thread,
}

/// What to run.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) clients: usize,
    pub(crate) repeats: usize,
    pub(crate) spawn: Spawn,
}

/// The most clients a run accepts, and how long one batch of clients may take.
pub(crate) const MAX_CLIENTS: usize = 20_000;
const BATCH_LIMIT: Duration = Duration::from_secs(120);
/// Time for a server to finish what its clients left it (the last closes), so its CPU
/// and memory are read at rest.
const SETTLE: Duration = Duration::from_millis(300);

/// Serves `kind` on `listener` forever, with a self-signed ECDSA P-256 certificate.
pub(crate) fn serve(kind: Kind, listener: mio::net::TcpListener) -> std::io::Result<()> {
    let (cert, key) = sanstls_test::generated::self_signed_localhost();
    match kind {
        Kind::Sanstls => {
            let signing =
                sanstls::crypto::sign::load_private_key(&key).map_err(std::io::Error::other)?;
            let ck = sanstls::server::CertifiedKey::new(vec![cert], signing)
                .map_err(std::io::Error::other)?;
            let config = crate::args::config(ck);
            let select: crate::echo::Select = Box::new(move |_| config.clone());
            let options = crate::echo::Options {
                // The same work as rustls's server: a configuration from the start, no
                // pause on the ClientHello.
                select_async: false,
                ..Default::default()
            };
            crate::echo::run(listener, select, options, crate::args::now)
        }
        Kind::Rustls => crate::rustls_echo::run(listener, crate::rustls_echo::config(cert, key)),
    }
}

/// A running server.
struct Server {
    pid: u32,
    addr: SocketAddr,
    child: Option<Child>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start(kind: Kind, spawn: &Spawn) -> Result<Server, String> {
    match spawn {
        Spawn::Process(exe) => {
            let mut child = Command::new(exe)
                .args(["--serve", kind.name()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("starting the {} server: {e}", kind.name()))?;
            let stdout = child.stdout.take().ok_or("no stdout")?;
            let mut line = String::new();
            std::io::BufReader::new(stdout)
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            let port: u16 = line
                .trim()
                .strip_prefix("port ")
                .and_then(|p| p.parse().ok())
                .ok_or_else(|| format!("the {} server said {line:?}", kind.name()))?;
            Ok(Server {
                pid: child.id(),
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                child: Some(child),
            })
        }
        Spawn::Thread => {
            let listener = mio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
                .map_err(|e| e.to_string())?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            std::thread::spawn(move || serve(kind, listener));
            Ok(Server {
                pid: std::process::id(),
                addr,
                child: None,
            })
        }
    }
}

/// CPU time of every thread of `pid` so far, in nanoseconds (`/proc/PID/task/*/schedstat`).
fn cpu_ns(pid: u32) -> Result<u64, String> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0;
    for task in std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))? {
        let path = task.map_err(|e| e.to_string())?.path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(&path) {
            total += text
                .split_whitespace()
                .next()
                .and_then(|t| t.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Ok(total)
}

/// Resident memory of `pid` in bytes (`VmRSS` of `/proc/PID/status`).
fn rss(pid: u32) -> Result<i64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("{path}: no VmRSS"))
}

/// One server's numbers from one repeat.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    handshakes_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_us: f64,
    idle_bytes: f64,
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    let i = (sorted.len() * p / 100).min(sorted.len().saturating_sub(1));
    sorted.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
}

/// Starts `kind`, warms it up, measures the idle connections, then the handshakes.
fn measure(kind: Kind, s: &Settings) -> Result<Sample, String> {
    let server = start(kind, &s.spawn)?;
    let n = s.clients;
    // Warm-up: code paged in, the allocator's first arenas made.
    client::run(server.addr, 20.min(n), false, BATCH_LIMIT, crate::args::now)?;
    std::thread::sleep(SETTLE);
    // Idle: n connections that did their handshake and one echo, then held open.
    let before = rss(server.pid)?;
    let idle = client::run(server.addr, n, true, BATCH_LIMIT, crate::args::now)?;
    std::thread::sleep(SETTLE);
    let after = rss(server.pid)?;
    drop(idle.held);
    std::thread::sleep(SETTLE);
    // Handshakes: n clients at once, each handshake, echo, close.
    let cpu_before = cpu_ns(server.pid)?;
    let out = client::run(server.addr, n, false, BATCH_LIMIT, crate::args::now)?;
    std::thread::sleep(SETTLE);
    let cpu_after = cpu_ns(server.pid)?;
    let mut lat = out.latencies;
    lat.sort();
    Ok(Sample {
        handshakes_per_s: n as f64 / out.wall.as_secs_f64(),
        p50_ms: percentile(&lat, 50),
        p99_ms: percentile(&lat, 99),
        cpu_us: (cpu_after - cpu_before) as f64 / n as f64 / 1e3,
        idle_bytes: (after - before) as f64 / n as f64,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// One result line: medians, and the ratio (> 1: sanstls better, whichever way better is).
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) scenario: String,
    pub(crate) sanstls: f64,
    pub(crate) rustls: f64,
    pub(crate) ratio: f64,
    pub(crate) unit: &'static str,
    /// sanstls's min-max and rustls's, for the table.
    spread: [(f64, f64); 2],
}

/// Runs the repeats, alternating which server goes first, and returns the rows.
pub(crate) fn run(s: &Settings) -> Result<Vec<Row>, String> {
    check_descriptors(s.clients)?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for r in 0..s.repeats {
        let order = match r % 2 {
            0 => [Kind::Sanstls, Kind::Rustls],
            _ => [Kind::Rustls, Kind::Sanstls],
        };
        for kind in order {
            let sample = measure(kind, s)?;
            eprintln!(
                "repeat {}/{} {:8} {sample:?}",
                r + 1,
                s.repeats,
                kind.name()
            );
            match kind {
                Kind::Sanstls => ours.push(sample),
                Kind::Rustls => theirs.push(sample),
            }
        }
    }
    let n = s.clients;
    type Get = fn(&Sample) -> f64;
    let metrics: [(String, Get, &'static str, bool); 5] = [
        (
            format!("load: handshakes/s, {n} clients at once (TLS 1.3, X25519, P-256, 1 KiB echo, close)"),
            |x| x.handshakes_per_s,
            "handshakes/s",
            true,
        ),
        (format!("load: handshake latency p50, {n} clients at once"), |x| x.p50_ms, "ms", false),
        (format!("load: handshake latency p99, {n} clients at once"), |x| x.p99_ms, "ms", false),
        (format!("load: server CPU per connection, {n} clients"), |x| x.cpu_us, "us", false),
        (
            format!("load idle: server RSS per idle connection, {n} held after handshake + echo"),
            |x| x.idle_bytes,
            "bytes",
            false,
        ),
    ];
    Ok(metrics
        .into_iter()
        .map(|(scenario, get, unit, higher)| {
            let a: Vec<f64> = ours.iter().map(get).collect();
            let b: Vec<f64> = theirs.iter().map(get).collect();
            let spread = |v: &[f64]| {
                (
                    v.iter().copied().fold(f64::INFINITY, f64::min),
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                )
            };
            let spread = [spread(&a), spread(&b)];
            let (ma, mb) = (median(a), median(b));
            Row {
                scenario,
                sanstls: ma,
                rustls: mb,
                ratio: if higher { ma / mb } else { mb / ma },
                unit,
                spread,
            }
        })
        .collect())
}

/// Each client and each server connection is a descriptor: the soft limit must hold the
/// run's (a server process has its own, equal limit). No `unsafe` here to raise it: say how.
fn check_descriptors(n: usize) -> Result<(), String> {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<usize>().ok());
    match soft {
        Some(soft) if soft < n + 256 => Err(format!(
            "{n} clients need about {} descriptors and the soft limit is {soft}: \
             raise it first (`ulimit -n {}`)",
            n + 256,
            n + 256
        )),
        _ => Ok(()),
    }
}

/// The table, as `cargo xtask bench` prints it.
pub(crate) fn print_table(rows: &[Row], s: &Settings) {
    println!(
        "{:<92} {:>26} {:>26} {:>6}  unit",
        "scenario", "sanstls median (min-max)", "rustls median (min-max)", "ratio"
    );
    for r in rows {
        let cell = |m: f64, (lo, hi): (f64, f64)| format!("{m:.1} ({lo:.1}-{hi:.1})");
        println!(
            "{:<92} {:>26} {:>26} {:>6.2}  {}",
            r.scenario,
            cell(r.sanstls, r.spread[0]),
            cell(r.rustls, r.spread[1]),
            r.ratio,
            r.unit
        );
    }
    println!(
        "\n{} repeats alternating the servers, median shown; ratio > 1 means sanstls is better",
        s.repeats
    );
}

/// The rows as `cargo xtask bench --json` writes them.
pub(crate) fn json(rows: &[Row]) -> String {
    let num = |x: f64| match x.is_finite() {
        true => format!("{x:.3}"),
        false => "null".to_string(),
    };
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "  {{\"scenario\": \"{}\", \"sanstls\": {}, \"rustls\": {}, \"ratio\": {}, \"unit\": \"{}\"}}",
                r.scenario.replace('"', "\\\""),
                num(r.sanstls),
                num(r.rustls),
                num(r.ratio),
                r.unit
            )
        })
        .collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}
