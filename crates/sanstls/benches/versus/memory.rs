//! Heap per connection: N client+server pairs created together and taken through a full
//! handshake in lockstep (every pair does one exchange per round, so all the handshake
//! states are alive at once), then left idle with their events taken.
//!
//! Peak and idle bytes are read from the counting global allocator, net of what the
//! process held before the first pair (configurations included); the pairs' inline size
//! (the vector holding them) counts. The allocator's peak cannot be reset, so each library
//! runs in a child process of its own (`--memory-child`). The wire buffer is larger than
//! what sanstls's `write_tls` swaps, so it appends, as it would for most callers.

use crate::endpoint::{ours_new, theirs_new, Endpoint};
use crate::setup::{self, Aead, Choice, KeyType, Kx, Pki, Resume, Version};
use crate::{Better, Budget, Lib, Row, Samples, ALLOCATOR};

/// Runs one lockstep handshake round over every pair; returns whether any bytes moved.
fn round<C: Endpoint, S: Endpoint>(
    pairs: &mut [(C, S)],
    wire: &mut Vec<u8>,
    scratch: &mut [u8],
) -> bool {
    let mut moved = false;
    for (c, s) in pairs.iter_mut() {
        wire.clear();
        c.write_tls(wire);
        if !wire.is_empty() {
            moved = true;
            s.read_tls(wire, scratch);
        }
        wire.clear();
        s.write_tls(wire);
        if !wire.is_empty() {
            moved = true;
            c.read_tls(wire, scratch);
        }
        c.drain_events();
        s.drain_events();
    }
    moved
}

/// (peak, idle) bytes for `pairs`, made by `make`.
fn measure<C: Endpoint, S: Endpoint>(n: usize, mut make: impl FnMut() -> (C, S)) -> (usize, usize) {
    let mut wire = Vec::with_capacity(1 << 16);
    let mut scratch = vec![0; 16384];
    // The connections' own size counts too: the vector holding them is allocated after
    // the baseline.
    let baseline = ALLOCATOR.allocated();
    let mut pairs = Vec::with_capacity(n);
    for _ in 0..n {
        pairs.push(make());
    }
    while round(&mut pairs, &mut wire, &mut scratch) {}
    assert!(
        pairs
            .iter()
            .all(|(c, s)| !c.is_handshaking() && !s.is_handshaking()),
        "a handshake did not complete"
    );
    let peak = ALLOCATOR.max_allocated() - baseline;
    let idle = ALLOCATOR.allocated() - baseline;
    drop(pairs);
    (peak, idle)
}

fn choice(version: Version) -> Choice {
    Choice {
        version,
        aead: Aead::Aes128Gcm,
        key: KeyType::Ecdsa,
        resume: Resume::No,
        kx: Kx::X25519,
    }
}

/// In the child: `which` is `LIB:VERSION:N`; prints `peak idle` in bytes for all N pairs.
pub(crate) fn child(which: &str) {
    let parts: Vec<&str> = which.split(':').collect();
    let [lib, version, n] = parts[..] else {
        panic!("--memory-child LIB:VERSION:N, not {which}");
    };
    let version = match version {
        "1.2" => Version::Tls12,
        _ => Version::Tls13,
    };
    let n: usize = n.parse().expect("pair count");
    let pki = Pki::load();
    let (peak, idle) = match lib {
        "sanstls" => {
            let (client, server) = setup::ours(&pki, choice(version));
            measure(n, || ours_new(&client, &server, None))
        }
        _ => {
            let (client, server) = setup::theirs(&pki, choice(version));
            measure(n, || theirs_new(&client, &server))
        }
    };
    println!("{peak} {idle}");
}

/// Runs one child; (peak, idle) bytes per pair.
fn spawn(lib: Lib, version: &str, n: usize) -> (f64, f64) {
    let lib = match lib {
        Lib::Sanstls => "sanstls",
        Lib::Rustls => "rustls",
    };
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .arg("--memory-child")
        .arg(format!("{lib}:{version}:{n}"))
        .output()
        .expect("running the memory child");
    assert!(
        out.status.success(),
        "memory child {lib} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let nums: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().expect("a byte count"))
        .collect();
    (nums[0] / n as f64, nums[1] / n as f64)
}

pub(crate) fn run(budget: Budget, wanted: &dyn Fn(&str) -> bool) -> Vec<Row> {
    let mut rows = Vec::new();
    for version in ["1.2", "1.3"] {
        let n = budget.pairs;
        let peak_name = format!("memory TLS {version} peak per pair (N={n})");
        let idle_name = format!("memory TLS {version} idle per pair (N={n})");
        if !wanted(&peak_name) && !wanted(&idle_name) {
            continue;
        }
        eprintln!(
            "memory TLS {version}: {n} pairs x {} repeats",
            budget.repeats
        );
        let (mut op, mut oi, mut tp, mut ti) = Default::default();
        for repeat in 0..budget.repeats {
            for lib in Lib::order(repeat) {
                let (peak, idle) = spawn(lib, version, n);
                let (p, i): (&mut Samples, &mut Samples) = match lib {
                    Lib::Sanstls => (&mut op, &mut oi),
                    Lib::Rustls => (&mut tp, &mut ti),
                };
                p.push(peak);
                i.push(idle);
            }
        }
        for (scenario, ours, theirs) in [(peak_name, op, tp), (idle_name, oi, ti)] {
            rows.push(Row {
                scenario,
                sanstls: ours,
                rustls: Some(theirs),
                unit: "bytes",
                better: Better::Lower,
                of_ceiling: None,
            });
        }
    }
    rows
}
