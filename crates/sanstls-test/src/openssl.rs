//! Certificates, keys and parameters made with the `openssl` command at test time.
//!
//! For the tests that need what no committed fixture has: self-signed certificates of
//! several key types for an arbitrary name, or a fresh key per run. Where a fixture under
//! `vectors/pki` fits, read it with [`crate::fixtures`] instead.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::TempDir;

/// Runs an openssl command and returns its stdout, failing the test on an error.
pub fn run_openssl(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl (.ci/run installs it): {e}"));
    assert!(
        out.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Generates a self-signed certificate for `localhost` (SAN DNS:localhost, IP:127.0.0.1),
/// valid for 100 years, and its key. `kind`: `ec` (P-256), `ec384`, `ec521` (signed with
/// ecdsa-with-SHA512), `ed25519`, anything else RSA-2048. Files are `<kind>-cert.pem` / `<kind>-key.pem` in `dir`.
pub fn self_signed(dir: &TempDir, kind: &str) -> (PathBuf, PathBuf) {
    self_signed_for(dir, kind, kind, "localhost")
}

/// [`self_signed`] for `name` (the CN and a DNS SAN; `localhost` also gets the IP SAN
/// 127.0.0.1), in the files `<stem>-cert.pem` / `<stem>-key.pem`.
pub fn self_signed_for(dir: &TempDir, stem: &str, kind: &str, name: &str) -> (PathBuf, PathBuf) {
    let cert = dir.path(&format!("{stem}-cert.pem"));
    let key = dir.path(&format!("{stem}-key.pem"));
    let subj = format!("/CN={name}");
    let mut san = format!("subjectAltName=DNS:{name}");
    if name == "localhost" {
        san.push_str(",IP:127.0.0.1");
    }
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-x509", "-nodes", "-days", "36500", "-subj", &subj]);
    cmd.args(["-addext", &san]);
    match kind {
        "ec" => cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
        "ec384" => cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]),
        "ec521" => cmd.args([
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-sha512",
        ]),
        "ed25519" => cmd.args(["-newkey", "ed25519"]),
        _ => cmd.args(["-newkey", "rsa:2048"]),
    };
    cmd.arg("-keyout").arg(&key).arg("-out").arg(&cert);
    run_openssl(&mut cmd);
    (cert, key)
}

/// The PKCS#8 DER form of a PEM private key.
pub fn key_der(key: &Path) -> Vec<u8> {
    run_openssl(
        Command::new("openssl")
            .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
            .arg(key),
    )
}

/// The DER bytes of the first certificate in a PEM file.
pub fn pem_to_der(cert: &Path) -> Vec<u8> {
    run_openssl(
        Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(cert),
    )
}

/// A PEM file with the RFC 7919 ffdhe2048 group, for `openssl s_server -dhparam`.
pub fn ffdhe2048_params(dir: &TempDir) -> PathBuf {
    let file = dir.path("ffdhe2048.pem");
    run_openssl(
        Command::new("openssl")
            .args([
                "genpkey",
                "-genparam",
                "-algorithm",
                "DH",
                "-pkeyopt",
                "group:ffdhe2048",
                "-out",
            ])
            .arg(&file),
    );
    file
}

/// A self-signed certificate and its key in every form a test hands to an API or a peer:
/// PEM files in their own temporary directory (removed on drop), PEM bytes and DER bytes
/// (the key PKCS#8).
#[derive(Debug)]
pub struct SelfSigned {
    /// The directory holding the PEM files (a test may put more files there).
    pub dir: TempDir,
    /// The certificate, PEM.
    pub cert_pem: Vec<u8>,
    /// The private key, PEM.
    pub key_pem: Vec<u8>,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
    cert_file: PathBuf,
    key_file: PathBuf,
}

impl SelfSigned {
    /// A P-256 certificate for `name`, in a directory tagged `tag`.
    pub fn new(tag: &str, name: &str) -> Self {
        Self::with_key(tag, "ec", name)
    }

    /// A certificate of key type `kind` (as for [`self_signed`]) for `name`.
    pub fn with_key(tag: &str, kind: &str, name: &str) -> Self {
        let dir = TempDir::new(tag);
        let (cert_file, key_file) = self_signed_for(&dir, kind, kind, name);
        Self {
            cert_pem: std::fs::read(&cert_file).expect("read cert"),
            key_pem: std::fs::read(&key_file).expect("read key"),
            cert_der: pem_to_der(&cert_file),
            key_der: key_der(&key_file),
            cert_file,
            key_file,
            dir,
        }
    }

    /// The certificate's PEM file.
    pub fn cert_path(&self) -> String {
        self.cert_file.to_string_lossy().into_owned()
    }

    /// The key's PEM file.
    pub fn key_path(&self) -> String {
        self.key_file.to_string_lossy().into_owned()
    }
}
