//! The committed test files under the workspace's `vectors/` directory (see
//! `vectors/pki/README.md` for where each set comes from).
//!
//! Paths are relative to `vectors/`, e.g. `fixtures::read("pki/chains/now.txt")`.

use std::path::{Path, PathBuf};

/// The workspace's `vectors/` directory.
pub fn vectors_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors"))
}

/// The path of `rel` under `vectors/`.
pub fn path(rel: &str) -> PathBuf {
    vectors_dir().join(rel)
}

/// [`path`] as a string, for a command-line argument.
pub fn arg(rel: &str) -> String {
    path(rel).to_string_lossy().into_owned()
}

/// The bytes of `rel` under `vectors/`; fails the test naming the file if it cannot be read.
pub fn read(rel: &str) -> Vec<u8> {
    let p = path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The instant (Unix seconds) at which the chains of `vectors/pki/chains` are verified:
/// their validity windows are fixed, so their tests never read the clock.
pub fn chains_now() -> u64 {
    let text = String::from_utf8(read("pki/chains/now.txt")).expect("now.txt is text");
    text.trim().parse().expect("now.txt is a number of seconds")
}

/// One key type of `vectors/pki/bench`: a leaf for `localhost` (extended key usages
/// serverAuth and clientAuth), the self-signed root that signed it, and the leaf's key,
/// all DER (the key PKCS#8). Valid for 100 years from when they were made.
#[derive(Clone, Debug)]
pub struct Bench {
    /// The root CA certificate: the trust anchor.
    pub ca: Vec<u8>,
    /// The leaf certificate, for `localhost`.
    pub leaf: Vec<u8>,
    /// The leaf's private key, PKCS#8.
    pub key: Vec<u8>,
}

/// The bench PKI of `kind`: `"ecdsa"` (P-256), `"rsa"` (RSA-2048) or `"p521"` (P-521,
/// signed with ecdsa-with-SHA512).
pub fn bench(kind: &str) -> Bench {
    Bench {
        ca: read(&format!("pki/bench/{kind}-ca.der")),
        leaf: read(&format!("pki/bench/{kind}.der")),
        key: read(&format!("pki/bench/{kind}.key.der")),
    }
}

/// Every single certificate of `vectors/pki/certs` (file names): the set the tests compare
/// with Node certificate by certificate (v1, odd names, P-521, secp256k1, brainpool and
/// RSA-PSS keys included).
pub const SINGLE_CERTS: [&str; 14] = [
    "rsa.pem",
    "ec256.pem",
    "ec384.pem",
    "ed25519.pem",
    "nosan.pem",
    "odd.pem",
    "selfsigned.pem",
    "root.pem",
    "inter.pem",
    "v1.pem",
    "p521.pem",
    "k256.pem",
    "bp256.pem",
    "pss.pem",
];

/// A list column of a fixture table (`cases.txt` of `vectors/pki/chains` and `strict`):
/// comma-separated file names, `-` for none.
pub fn list(field: &str) -> Vec<String> {
    if field == "-" {
        Vec::new()
    } else {
        field.split(',').map(str::to_owned).collect()
    }
}
