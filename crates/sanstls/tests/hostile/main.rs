//! The hostile-peer suite: our client and our server against a peer that is a script.
//!
//! In the spirit of BoringSSL's BoGo runner, one side of each handshake is not an
//! implementation but a script: its records and messages are built with the project's own
//! codec and record layer (`msgs`, `record`, `handshake`), step by step, and each case
//! alters them: fields changed, messages reordered, duplicated, dropped, split across
//! records, coalesced across a key change, sent under the wrong content type or version,
//! oversized, truncated, flooded. The other side is our engine, and each case asserts what
//! it must do: the exact alert it sends (read from the wire, decrypted when it is
//! protected), that nothing is accepted after it, and that the state it reports is right;
//! or, for what the RFCs allow, that the handshake completes.
//!
//! Cases are named for what they check and grouped, one `#[test]` per group; a failing
//! case is reported by name with the others still run. `HOSTILE=substring cargo test
//! --test hostile` runs the cases whose name contains the substring.

// The fixtures are read with std::fs; the script's randomness is the OS's.
#![allow(clippy::disallowed_methods)]
// A test binary: `pub` items are the modules' shared vocabulary, not an API.
#![allow(unreachable_pub)]

mod harness;
mod script12;
mod script13;

mod client12;
mod client13;
mod early_data;
mod limits;
mod psk;
mod record;
mod record_limits;
mod resumption;
mod server12;
mod server13;

#[test]
fn record_layer() {
    harness::run("record layer", record::cases());
}

#[test]
fn tls13_client() {
    harness::run("TLS 1.3 client", client13::cases());
}

#[test]
fn tls13_server() {
    harness::run("TLS 1.3 server", server13::cases());
}

#[test]
fn tls12_client() {
    harness::run("TLS 1.2 client", client12::cases());
}

#[test]
fn tls12_server() {
    harness::run("TLS 1.2 server", server12::cases());
}

#[test]
fn resumption_binding() {
    harness::run("resumption", resumption::cases());
}

#[test]
fn tls13_early_data() {
    harness::run("0-RTT", early_data::cases());
}

#[test]
fn external_psk() {
    harness::run("external PSK", psk::cases());
}

#[test]
fn limits_and_hygiene() {
    harness::run("limits", limits::cases());
}

/// The suite's size, by group: the closing note of issue 15 quotes it, and it must not
/// shrink by accident.
#[test]
fn the_suite_has_at_least_300_cases() {
    let groups = [
        ("record layer", record::cases().len()),
        ("TLS 1.3 client", client13::cases().len()),
        ("TLS 1.3 server", server13::cases().len()),
        ("TLS 1.2 client", client12::cases().len()),
        ("TLS 1.2 server", server12::cases().len()),
        ("resumption", resumption::cases().len()),
        ("0-RTT", early_data::cases().len()),
        ("external PSK", psk::cases().len()),
        ("limits", limits::cases().len()),
    ];
    let total: usize = groups.iter().map(|(_, n)| n).sum();
    for (name, n) in groups {
        eprintln!("{name}: {n} cases");
    }
    eprintln!("total: {total} cases");
    assert!(total >= 300, "{total} cases");
}
