//! Replays every committed fuzz input (the seed corpora in `fuzz/corpus/<target>/` and the
//! regression inputs in `vectors/fuzz-regressions/<target>/`) through the fuzz targets'
//! bodies in `sanstls::fuzzing`, so a regression is caught by `cargo test` without a
//! fuzzer or a nightly toolchain.

use std::path::{Path, PathBuf};

use sanstls::enums::ProtocolVersion;
use sanstls::fuzzing;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn replay(target: &str, f: fn(&[u8])) -> usize {
    fuzzing::replay(&root(), target, f)
}

#[test]
fn committed_corpora_replay_without_a_panic() {
    assert!(replay("handshake", fuzzing::handshake) >= 3);
    assert!(replay("client", fuzzing::client) >= 2);
    replay("messages", fuzzing::messages);
    replay("record", fuzzing::record);
    assert!(replay("in_place", fuzzing::in_place) >= 3);
}

/// Feeds `seed` (after its selector byte) to `conn`; the handshake must complete at
/// `version`, and the committed file `fuzz/corpus/<target>/<name>` must be this seed
/// (`UPDATE_FUZZ_SEEDS=1 cargo test -p sanstls --test fuzz_corpus` rewrites it after a
/// change to the handshake).
fn check_seed(
    target: &str,
    name: &str,
    seed: &[u8],
    conn: &mut sanstls::Connection,
    version: ProtocolVersion,
) {
    let mut rest = &seed[1..];
    while !rest.is_empty() {
        let n = conn.read_tls(rest);
        rest = &rest[n..];
        conn.process(fuzzing::NOW).unwrap();
    }
    assert!(!conn.is_handshaking(), "{target}/{name} does not complete");
    assert_eq!(conn.negotiated().version, Some(version));
    let path = root().join("fuzz/corpus").join(target).join(name);
    if std::env::var_os("UPDATE_FUZZ_SEEDS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, seed).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == seed,
        "{} is stale: rerun with UPDATE_FUZZ_SEEDS=1",
        path.display()
    );
}

/// The seeds are complete handshakes between the targets' own client and server, so the
/// fuzzers start deep.
#[test]
fn seeds_are_current_and_complete_the_handshake() {
    for (version, name) in [
        (ProtocolVersion::TLSv1_3, "ours-tls13"),
        (ProtocolVersion::TLSv1_2, "ours-tls12"),
    ] {
        let mut client = sanstls::ClientConnection::new(
            std::sync::Arc::new(fuzzing::client_config(version)),
            "fuzz.example",
            fuzzing::NOW,
        )
        .unwrap();
        let seed = fuzzing::client_seed(version);
        check_seed("client", name, &seed, &mut client, version);
        let mut server = sanstls::ServerConnection::new(
            std::sync::Arc::new(fuzzing::server_config()),
            fuzzing::NOW,
        )
        .unwrap();
        let seed = fuzzing::handshake_seed(version);
        check_seed("handshake", name, &seed, &mut server, version);
    }
}
