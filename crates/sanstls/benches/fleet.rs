//! `cargo xtask fleet`: a fleet on loopback. Its own `redis-server`, a 48-byte ticket key
//! file, and four `sanstls server --workers 4 --echo` processes with one certificate: two
//! sharing the key file (tickets), two without tickets sharing the Redis session store
//! (TLS 1.2 session ids). Clients (the engine's `ClientConnection`, in this process, on a
//! small thread pool) connect to one server of a pair, keep the session, and resume it on
//! the other; the ticket key is rotated between two phases, and the first phase's sessions
//! must still resume after it. See docs/deployment.md, *Checking a fleet*.
//!
//! ```text
//! cargo xtask fleet [--quick] [--clients N]
//! ```
//!
//! `--clients` defaults to 2000 (`--quick`: 200), split over the three kinds and the two
//! phases. `--sanstls PATH` (given by xtask) is the built CLI. Fails (exit 1) when fewer
//! than 99 % resume in any kind and phase, or any connection fails.

// A load generator reads the clock and runs processes; the engine does not.
#![allow(clippy::disallowed_methods)]

use std::io::Read;
use std::net::TcpStream;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sanstls::client::{ClientConfig, ClientConnection, StoredSession};
use sanstls::crypto::verify::InsecureAcceptAnything;
use sanstls::enums::ProtocolVersion;
use sanstls_node::stream::Stream;
use sanstls_test::background::{try_redis_server, Background, START_TIMEOUT};
use sanstls_test::drive::{try_drive, End};
use sanstls_test::peers::now;
use sanstls_test::{openssl, TempDir};

/// One connection's limit: connect, handshake, echo.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole exercise's limit; past it, the connections not made count as failed.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(300);
/// The client threads.
const THREADS: usize = 16;
/// What each connection echoes.
const PING: &[u8] = b"fleet ping";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tls12Ids,
    Tls12Tickets,
    Tls13Tickets,
}

const KINDS: [Kind; 3] = [Kind::Tls12Ids, Kind::Tls12Tickets, Kind::Tls13Tickets];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tls12Ids => "TLS 1.2 session ids (Redis)",
            Kind::Tls12Tickets => "TLS 1.2 tickets",
            Kind::Tls13Tickets => "TLS 1.3 tickets",
        }
    }

    fn config(self) -> Arc<ClientConfig> {
        let mut config = ClientConfig::new(Arc::new(InsecureAcceptAnything));
        let version = match self {
            Kind::Tls13Tickets => ProtocolVersion::TLSv1_3,
            _ => ProtocolVersion::TLSv1_2,
        };
        config.min_version = version;
        config.max_version = version;
        Arc::new(config)
    }
}

/// `sanstls server --port 0 --workers 4 --echo ARGS`, once it listens.
fn server(sanstls: &str, args: &[&str]) -> Result<Background, String> {
    let mut cmd = Command::new(sanstls);
    cmd.args(["server", "--port", "0", "--workers", "4", "--echo"])
        .args(args);
    Background::try_start(&mut cmd, "listening on", None)
}

fn random_key() -> Result<Vec<u8>, String> {
    let mut key = vec![0u8; 48];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    Ok(key)
}

/// One connection: handshake (resuming `session` if given), an echo, close_notify.
/// Returns whether it resumed and the session to keep. Driven by the tests' own loop
/// (`sanstls_test::drive`), with a failure or timeout an error counted in the table rather
/// than a panic.
fn connect(
    port: u16,
    config: &Arc<ClientConfig>,
    session: Option<StoredSession>,
) -> Result<(bool, StoredSession), String> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut sock = TcpStream::connect_timeout(&addr, CONNECTION_TIMEOUT)
        .map_err(|e| format!("connect: {e}"))?;
    let _ = sock.set_nodelay(true);
    let mut conn = ClientConnection::resume(config.clone(), "localhost", session, now())
        .map_err(|e| format!("{e}"))?;
    conn.send(PING).map_err(|e| format!("{e}"))?;
    // Done when the echo is back and the server has handed over the session to keep.
    let o = try_drive(&mut conn, &mut sock, CONNECTION_TIMEOUT, |_, o| {
        o.plaintext.len() >= PING.len() && o.session().is_some()
    });
    match o.end {
        End::Done => {}
        End::PeerClosed => return Err("the server closed first".into()),
        End::Eof => return Err("the server closed the connection".into()),
        End::Failed => return Err(format!("{:?}", o.error)),
        End::Io(e) => return Err(format!("{e}")),
        End::TimedOut => return Err(format!("no echo within {CONNECTION_TIMEOUT:?}")),
    }
    if o.plaintext != PING {
        return Err("the echo differs".into());
    }
    conn.send_close_notify();
    let _ = Stream::new(&mut sock).flush(&mut conn);
    let resumed = conn.negotiated().resumed;
    o.session()
        .map(|s| (resumed, s))
        .ok_or_else(|| "no session".to_string())
}

/// What one kind did in one phase.
#[derive(Default, Clone, Copy)]
struct Tally {
    attempts: usize,
    resumed: usize,
    failed: usize,
}

/// One client's job: a full handshake on `first` and a resumption on `second` (new), or a
/// resumption of `old` on `first`.
struct Job {
    kind: Kind,
    first: u16,
    second: u16,
    old: Option<StoredSession>,
}

/// Runs the jobs on the thread pool; returns per job (kind, resumed, failed, session).
fn run_jobs(jobs: Vec<Job>, started: Instant) -> Vec<(Kind, bool, bool, Option<StoredSession>)> {
    let configs: Vec<_> = KINDS.iter().map(|k| (*k, k.config())).collect();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let config = &configs
                    .iter()
                    .find(|(k, _)| *k == job.kind)
                    .expect("kind")
                    .1;
                let outcome = if started.elapsed() > TOTAL_TIMEOUT {
                    Err("past the total time limit".to_string())
                } else {
                    match &job.old {
                        Some(old) => connect(job.first, config, Some(old.clone())),
                        None => connect(job.first, config, None).and_then(|(_, s)| {
                            connect(job.second, config, Some(s.clone()))
                                .map(|(resumed, _)| (resumed, s))
                        }),
                    }
                };
                let row = match outcome {
                    Ok((resumed, s)) => (job.kind, resumed, false, Some(s)),
                    Err(e) => {
                        eprintln!("fleet: {} connection failed: {e}", job.kind.name());
                        (job.kind, false, true, None)
                    }
                };
                if let Ok(mut r) = results.lock() {
                    r.push(row);
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

fn tally(rows: &[(Kind, bool, bool, Option<StoredSession>)], kind: Kind) -> Tally {
    let mut t = Tally::default();
    for (_, resumed, failed, _) in rows.iter().filter(|r| r.0 == kind) {
        t.attempts += 1;
        t.resumed += usize::from(*resumed);
        t.failed += usize::from(*failed);
    }
    t
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn run() -> Result<bool, String> {
    let started = Instant::now();
    let quick = std::env::args().any(|a| a == "--quick");
    let clients: usize = match arg("--clients") {
        Some(n) => n.parse().map_err(|_| format!("--clients {n}: a number"))?,
        None if quick => 200,
        None => 2000,
    };
    if !(6..=20000).contains(&clients) {
        return Err("--clients: between 6 and 20000".into());
    }
    let sanstls = arg("--sanstls").ok_or("--sanstls PATH: the built `sanstls` binary")?;

    let redis = try_redis_server()?;
    let redis_port = redis.port;
    let dir = TempDir::new("fleet");
    let keys = dir.arg("ticket.keys");
    std::fs::write(&keys, random_key()?).map_err(|e| format!("{keys}: {e}"))?;
    // One certificate for the whole fleet: a session is only resumed under the
    // certificate it was made with.
    let (cert, key) = openssl::self_signed(&dir, "ec");
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let store = format!("redis://127.0.0.1:{redis_port}");
    let tickets = [
        "--cert",
        &cert,
        "--key",
        &key,
        "--ticket-keys",
        &keys,
        "--ticket-keys-check",
        "1",
    ];
    let ids = [
        "--cert",
        &cert,
        "--key",
        &key,
        "--no-tickets",
        "--session-store",
        &store,
    ];
    let t1 = server(&sanstls, &tickets)?;
    let t2 = server(&sanstls, &tickets)?;
    let i1 = server(&sanstls, &ids)?;
    let i2 = server(&sanstls, &ids)?;
    let (t1_port, t2_port, i1_port, i2_port) = (t1.port, t2.port, i1.port, i2.port);
    let pair = |kind: Kind| match kind {
        Kind::Tls12Ids => (i1_port, i2_port),
        _ => (t1_port, t2_port),
    };
    println!(
        "fleet: redis on {redis_port}; tickets servers on {t1_port} and {t2_port}, \
         session-id servers on {i1_port} and {i2_port} (4 workers each); {clients} clients"
    );

    let new_jobs = |n: usize| -> Vec<Job> {
        (0..n)
            .map(|i| {
                let kind = KINDS[i % KINDS.len()];
                let (first, second) = pair(kind);
                Job {
                    kind,
                    first,
                    second,
                    old: None,
                }
            })
            .collect()
    };
    let half = clients / 2;
    let before = run_jobs(new_jobs(half), started);

    // Rotation: a new key over the file; both ticket servers must log the reload.
    std::fs::write(&keys, random_key()?).map_err(|e| format!("{keys}: {e}"))?;
    for server in [&t1, &t2] {
        server.try_wait_for_count("ticket keys reloaded", 1, START_TIMEOUT)?;
    }
    println!("fleet: ticket key rotated, both ticket servers reloaded it");

    // After: the sessions made before resume (on the first server of their pair), and
    // new clients make and resume sessions under the new key.
    let old_jobs: Vec<Job> = before
        .iter()
        .filter_map(|(kind, _, _, s)| {
            let (first, second) = pair(*kind);
            s.clone().map(|s| Job {
                kind: *kind,
                first,
                second,
                old: Some(s),
            })
        })
        .collect();
    let old_expected: Vec<usize> = KINDS.iter().map(|k| tally(&before, *k).attempts).collect();
    let after_old = run_jobs(old_jobs, started);
    let after_new = run_jobs(new_jobs(clients - half), started);

    let mut ok = true;
    println!();
    println!(
        "{:<30} {:>22} {:>22} {:>22}",
        "kind", "before rotation", "after: old sessions", "after: new sessions"
    );
    let mut failed_total = 0;
    for (i, kind) in KINDS.iter().enumerate() {
        let mut cells = Vec::new();
        for (phase, rows) in [(0, &before), (1, &after_old), (2, &after_new)] {
            let mut t = tally(rows, *kind);
            if phase == 1 {
                // Sessions lost before the rotation count as failed here too.
                t.failed += old_expected[i] - t.attempts;
                t.attempts = old_expected[i];
            }
            failed_total += t.failed;
            let rate = if t.attempts == 0 {
                0.0
            } else {
                100.0 * t.resumed as f64 / t.attempts as f64
            };
            ok &= t.failed == 0 && t.attempts > 0 && rate >= 99.0;
            cells.push(format!("{}/{} ({rate:.1} %)", t.resumed, t.attempts));
        }
        println!(
            "{:<30} {:>22} {:>22} {:>22}",
            kind.name(),
            cells[0],
            cells[1],
            cells[2]
        );
    }
    let logged: usize = [&t1, &t2, &i1, &i2]
        .iter()
        .map(|s| s.count("resumed=yes"))
        .sum();
    println!();
    println!(
        "fleet: {failed_total} failed connection(s); {logged} resumptions logged by the \
         servers; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "fleet: {} (target: at least 99 % resumed in every cell, 0 failed)",
        if ok { "PASS" } else { "FAIL" }
    );
    Ok(ok)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("fleet: {e}");
            ExitCode::FAILURE
        }
    }
}
