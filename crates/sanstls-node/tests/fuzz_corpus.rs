//! Replays the committed `cipher_string` fuzz corpus and regression inputs (see
//! fuzz/README.md) as plain tests.

use std::path::Path;

#[test]
fn cipher_string_corpus_replays_without_a_panic() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let n = sanstls::fuzzing::replay(
        root,
        "cipher_string",
        sanstls_node::ciphers::fuzz_cipher_string,
    );
    assert!(n >= 5, "{n}");
}
