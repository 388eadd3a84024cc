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
}

/// The client seeds are what our server answers to the `client` target's ClientHello: they
/// must complete the handshake (so the fuzzer starts deep), and the committed files must be
/// the current ones. `UPDATE_FUZZ_SEEDS=1 cargo test -p sanstls --test fuzz_corpus` rewrites
/// them after a change to the handshake.
#[test]
fn client_seeds_are_current_and_complete_the_handshake() {
    for (version, name) in [
        (ProtocolVersion::TLSv1_3, "ours-tls13"),
        (ProtocolVersion::TLSv1_2, "ours-tls12"),
    ] {
        let seed = fuzzing::client_seed(version);
        let mut client = sanstls::ClientConnection::new(
            std::sync::Arc::new(fuzzing::client_config(version)),
            "fuzz.example",
            fuzzing::NOW,
        )
        .unwrap();
        let mut rest = &seed[1..];
        while !rest.is_empty() {
            let n = client.read_tls(rest);
            rest = &rest[n..];
            client.process(fuzzing::NOW).unwrap();
        }
        assert!(!client.is_handshaking(), "{name} does not complete");
        assert_eq!(client.negotiated().version, Some(version));
        let path = root().join("fuzz/corpus/client").join(name);
        if std::env::var_os("UPDATE_FUZZ_SEEDS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &seed).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == seed,
            "{} is stale: rerun with UPDATE_FUZZ_SEEDS=1",
            path.display()
        );
    }
}

/// The handshake seeds: what our client sends the `handshake` target's server; they must
/// complete the handshake there, and the committed files must be current.
#[test]
fn handshake_seeds_are_current_and_complete_the_handshake() {
    for (version, name) in [
        (ProtocolVersion::TLSv1_3, "ours-tls13"),
        (ProtocolVersion::TLSv1_2, "ours-tls12"),
    ] {
        let seed = fuzzing::handshake_seed(version);
        let mut server = sanstls::ServerConnection::new(
            std::sync::Arc::new(fuzzing::server_config()),
            fuzzing::NOW,
        );
        let mut rest = &seed[1..];
        while !rest.is_empty() {
            let n = server.read_tls(rest);
            rest = &rest[n..];
            server.process(fuzzing::NOW).unwrap();
        }
        assert!(!server.is_handshaking(), "{name} does not complete");
        assert_eq!(server.negotiated().version, Some(version));
        let path = root().join("fuzz/corpus/handshake").join(name);
        if std::env::var_os("UPDATE_FUZZ_SEEDS").is_some() {
            std::fs::write(&path, &seed).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == seed,
            "{} is stale: rerun with UPDATE_FUZZ_SEEDS=1",
            path.display()
        );
    }
}
