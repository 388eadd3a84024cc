//! Replays the committed `x509` and `keys` fuzz corpora and regression inputs (see
//! fuzz/README.md) as plain tests.

use std::path::Path;

use sanstls::fuzzing::replay;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn x509_and_keys_corpora_replay_without_a_panic() {
    assert!(replay(root(), "x509", sanstls_pki::fuzzing::x509) >= 5);
    assert!(replay(root(), "keys", sanstls_pki::fuzzing::keys) >= 5);
}
