//! `cargo xtask bench`: sanstls and rustls 0.23 (ring provider) side by side, in one
//! process, memory to memory (no sockets), on the same certificates, suites and groups.
//!
//! Scenarios (see docs/performance.md for the method and the latest table):
//! - bulk transfer, sending and receiving, 16 KiB writes, TLS 1.2 and 1.3 × three AEADs,
//!   plus a `ceiling` row per AEAD: ring sealing 16 KiB buffers with nothing around it; each
//!   through the buffered API (`send`/`write_tls`, `read_tls`/read) and through the
//!   zero-copy one (`in place`: sanstls's `seal_in_place`/`open_in_place`, rustls's
//!   unbuffered API);
//! - handshakes per second, the client's and the server's CPU time counted apart: full
//!   handshakes (RSA-2048 and ECDSA P-256 certificates) and resumed ones (TLS 1.2 session
//!   id, TLS 1.2 ticket, TLS 1.3 ticket);
//! - memory: peak and idle heap per client+server pair for 1000 pairs taken through a
//!   handshake in lockstep, each library in a child process of its own (the counting
//!   allocator's peak cannot be reset).
//!
//! Arguments (after `cargo bench -p sanstls --bench versus --`, or through
//! `cargo xtask bench`): `--quick`, `--json FILE`, and a substring to run only the scenarios
//! whose name contains it.

// A benchmark measures wall time: this is the one place the engine's crate reads a clock.
#![allow(clippy::disallowed_methods)]

mod bulk;
mod endpoint;
mod handshake;
mod in_place;
mod memory;
mod setup;

use std::path::PathBuf;
use std::time::Duration;

/// Counts heap bytes (current and peak) for the memory scenarios; a pass-through for the
/// others.
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Which library a measurement is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lib {
    Sanstls,
    Rustls,
}

impl Lib {
    /// Which library goes first in repeat `n`: they take turns, so neither always runs on
    /// a cold (or a warm) machine.
    pub(crate) fn order(n: usize) -> [Lib; 2] {
        match n % 2 {
            0 => [Lib::Sanstls, Lib::Rustls],
            _ => [Lib::Rustls, Lib::Sanstls],
        }
    }
}

/// Whether a larger number is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Better {
    Higher,
    Lower,
}

/// The repeated samples of one library in one scenario.
#[derive(Clone, Debug, Default)]
pub(crate) struct Samples(Vec<f64>);

impl Samples {
    pub(crate) fn push(&mut self, v: f64) {
        self.0.push(v);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }

    pub(crate) fn median(&self) -> f64 {
        let v = self.sorted();
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }

    fn spread(&self) -> (f64, f64) {
        let v = self.sorted();
        (
            v.first().copied().unwrap_or(f64::NAN),
            v.last().copied().unwrap_or(f64::NAN),
        )
    }
}

/// One line of the results.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) scenario: String,
    pub(crate) sanstls: Samples,
    /// `None` for the ceiling rows, which measure ring alone.
    pub(crate) rustls: Option<Samples>,
    pub(crate) unit: &'static str,
    pub(crate) better: Better,
    /// Bulk rows: sanstls's throughput as a fraction of the ceiling measured in the same
    /// repeat.
    pub(crate) of_ceiling: Option<Samples>,
}

impl Row {
    /// > 1 when sanstls is better, whichever direction "better" is.
    fn ratio(&self) -> Option<f64> {
        let ours = self.sanstls.median();
        let theirs = self.rustls.as_ref()?.median();
        Some(match self.better {
            Better::Higher => ours / theirs,
            Better::Lower => theirs / ours,
        })
    }
}

/// How much work each measurement does, and how often it is repeated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    pub(crate) repeats: usize,
    /// Bytes moved per bulk measurement.
    pub(crate) bulk_bytes: usize,
    /// Handshakes per full-handshake measurement (resumed ones do four times as many).
    pub(crate) handshakes: usize,
    /// Pairs in the memory scenario.
    pub(crate) pairs: usize,
}

impl Budget {
    fn new(quick: bool) -> Self {
        match quick {
            true => Self {
                repeats: 5,
                bulk_bytes: 64 << 20,
                handshakes: 100,
                pairs: 1000,
            },
            false => Self {
                repeats: 11,
                bulk_bytes: 256 << 20,
                handshakes: 400,
                pairs: 1000,
            },
        }
    }
}

struct Options {
    quick: bool,
    json: Option<PathBuf>,
    filter: Option<String>,
    /// Internal: run one memory scenario and print its numbers (see `memory`).
    memory_child: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        quick: false,
        json: None,
        filter: None,
        memory_child: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--json" => o.json = Some(args.next().ok_or("--json needs a file name")?.into()),
            "--memory-child" => o.memory_child = Some(args.next().ok_or("--memory-child")?),
            // `cargo bench` adds this to every bench binary.
            "--bench" => {}
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => o.filter = Some(s.to_string()),
        }
    }
    Ok(o)
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("versus: {e}\nusage: versus [--quick] [--json FILE] [FILTER]");
            std::process::exit(2);
        }
    };
    if let Some(which) = &opts.memory_child {
        memory::child(which);
        return;
    }
    let budget = Budget::new(opts.quick);
    let wanted = |name: &str| {
        opts.filter
            .as_ref()
            .is_none_or(|f| name.contains(f.as_str()))
    };
    let started = std::time::Instant::now();
    let pki = setup::Pki::load();
    let mut rows = Vec::new();
    rows.extend(bulk::run(&pki, budget, &wanted));
    rows.extend(handshake::run(&pki, budget, &wanted));
    rows.extend(memory::run(budget, &wanted));
    print_table(&rows, budget, started.elapsed());
    if let Some(path) = &opts.json {
        if let Err(e) = std::fs::write(path, json(&rows)) {
            eprintln!("versus: writing {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}

fn fmt_num(v: f64) -> String {
    match v.abs() {
        x if x >= 100.0 => format!("{v:.0}"),
        x if x >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

fn fmt_samples(s: &Samples) -> String {
    let (lo, hi) = s.spread();
    format!("{} ({}-{})", fmt_num(s.median()), fmt_num(lo), fmt_num(hi))
}

fn print_table(rows: &[Row], budget: Budget, took: Duration) {
    println!(
        "\n{:<44} {:>26} {:>26} {:>7}  {:<13} sanstls/ceiling",
        "scenario", "sanstls median (min-max)", "rustls median (min-max)", "ratio", "unit"
    );
    for r in rows {
        let theirs = r.rustls.as_ref().map_or("-".to_string(), fmt_samples);
        let ratio = r.ratio().map_or("-".to_string(), |x| format!("{x:.2}"));
        let of_ceiling = r
            .of_ceiling
            .as_ref()
            .map_or(String::new(), |f| format!("{:.0}%", 100.0 * f.median()));
        println!(
            "{:<44} {:>26} {:>26} {:>7}  {:<13} {}",
            r.scenario,
            fmt_samples(&r.sanstls),
            theirs,
            ratio,
            r.unit,
            of_ceiling
        );
    }
    println!(
        "\n{} repeats per scenario, median shown; ratio > 1 means sanstls is better; took {:.0} s",
        budget.repeats,
        took.as_secs_f64()
    );
}

/// The rows as a JSON array of `{"scenario", "sanstls", "rustls", "ratio", "unit"}` (medians;
/// `rustls` and `ratio` are null on the ceiling rows).
fn json(rows: &[Row]) -> String {
    let num = |v: Option<f64>| match v {
        Some(x) if x.is_finite() => format!("{x:.3}"),
        _ => "null".to_string(),
    };
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "  {{\"scenario\": \"{}\", \"sanstls\": {}, \"rustls\": {}, \"ratio\": {}, \"unit\": \"{}\"}}",
                r.scenario.replace('"', "\\\""),
                num(Some(r.sanstls.median())),
                num(r.rustls.as_ref().map(Samples::median)),
                num(r.ratio()),
                r.unit
            )
        })
        .collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}
