//! `sanstls x509` on the vectors/pki/certs fixtures: the JSON object (Node's fields, the
//! detailed chain), the text summary, DER input, and bad files. Fingerprints and serial
//! numbers are checked against `openssl x509`.

#![allow(clippy::disallowed_methods)]

mod common;

use std::process::Command;

use common::{require, run, sanstls, text, TempDir};
use serde_json::Value;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/");

fn fixture(name: &str) -> String {
    format!("{CERTS}{name}")
}

fn x509(args: &[&str]) -> (i32, String, String) {
    let out = run(sanstls().arg("x509").args(args), b"");
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, stdout, stderr) = x509(args);
    assert_eq!(code, 0, "stderr: {stderr}");
    serde_json::from_str(&stdout).expect("JSON on stdout")
}

/// `openssl x509 -noout ARGS -in FILE`, the value after `=`.
fn openssl_field(file: &str, args: &[&str]) -> String {
    require("openssl");
    let out = run(
        Command::new("openssl")
            .args(["x509", "-noout", "-in", file])
            .args(args),
        b"",
    );
    assert!(out.status.success(), "openssl: {}", text(&out.stderr));
    let s = text(&out.stdout);
    s.trim()
        .split_once('=')
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

#[test]
fn json_chain_has_node_fields_and_links() {
    let leaf = json(&[&fixture("rsa-chain.pem"), "--json"]);
    assert_eq!(
        leaf["subject"]["OU"],
        serde_json::json!(["Unit One", "Unit Two"])
    );
    assert_eq!(leaf["subject"]["CN"], "Ünïcødé Leaf");
    assert_eq!(leaf["exponent"], "0x10001");
    assert_eq!(leaf["bits"], 2048);
    assert_eq!(
        leaf["infoAccess"]["CA Issuers - URI"],
        serde_json::json!(["http://ca.example.test/inter.crt"])
    );
    let inter = &leaf["issuerCertificate"];
    assert_eq!(inter["subject"]["CN"], "sanstls Test Intermediate");
    assert_eq!(inter["asn1Curve"], "prime256v1");
    assert_eq!(inter["nistCurve"], "P-256");
    assert_eq!(inter["ca"], true);
    let root = &inter["issuerCertificate"];
    assert_eq!(root["subject"]["CN"], "sanstls Test Root CA");
    assert_eq!(root["issuerCertificate"], "[Circular]");
}

#[test]
fn fingerprints_and_serial_agree_with_openssl() {
    for name in [
        "rsa.pem",
        "ec256.pem",
        "ed25519.pem",
        "selfsigned.pem",
        "root.pem",
    ] {
        let file = fixture(name);
        let ours = json(&[&file, "--json"]);
        assert_eq!(
            ours["fingerprint"],
            openssl_field(&file, &["-fingerprint", "-sha1"]),
            "{name}"
        );
        assert_eq!(
            ours["fingerprint256"],
            openssl_field(&file, &["-fingerprint", "-sha256"]),
            "{name}"
        );
        assert_eq!(
            ours["fingerprint512"],
            openssl_field(&file, &["-fingerprint", "-sha512"]),
            "{name}"
        );
        // openssl prints the serial in whole bytes too.
        assert_eq!(
            ours["serialNumber"],
            openssl_field(&file, &["-serial"]),
            "{name}"
        );
        // A single certificate is not a detailed chain.
        assert!(ours.get("issuerCertificate").is_none(), "{name}");
    }
}

#[test]
fn der_input_gives_the_same_object_as_pem() {
    assert_eq!(
        json(&[&fixture("rsa.der"), "--json"]),
        json(&[&fixture("rsa.pem"), "--json"])
    );
}

#[test]
fn text_summary_shows_each_certificate() {
    let (code, stdout, stderr) = x509(&[&fixture("ec256-chain.pem")]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let file = fixture("ec256.pem");
    let fp = openssl_field(&file, &["-fingerprint", "-sha256"]);
    for line in [
        "certificate 0 (leaf)".to_string(),
        "  subject: C=DE, L=München, O=日本 Org, CN=ec256.example.test".to_string(),
        "  issuer: C=US, O=sanstls test, CN=sanstls Test Intermediate".to_string(),
        "  subjectaltname: DNS:ec256.example.test, DNS:localhost, IP Address:10.0.0.1, IP Address:FE80:0:0:0:0:0:0:1".to_string(),
        format!("  fingerprint256: {fp}"),
        "  serialNumber: 2002".to_string(),
        "certificate 1 (issuer)".to_string(),
        "certificate 2 (self-issued)".to_string(),
    ] {
        assert!(stdout.lines().any(|l| l == line), "missing {line:?} in:\n{stdout}");
    }
    assert!(stdout.lines().any(|l| l.starts_with("  valid_from: ")));
    assert!(stdout.lines().any(|l| l.starts_with("  valid_to: ")));
}

#[test]
fn bad_files_fail_with_status_1() {
    let dir = TempDir::new("cli");
    let der = std::fs::read(fixture("rsa.der")).expect("fixture");
    std::fs::write(dir.path("truncated.der"), &der[..der.len() / 2]).expect("write");
    std::fs::write(dir.path("text.txt"), b"not a certificate\n").expect("write");
    std::fs::write(dir.path("open.pem"), b"-----BEGIN CERTIFICATE-----\nMIIB\n").expect("write");
    for (file, want) in [
        (dir.arg("truncated.der"), "certificate #0: bad certificate"),
        (dir.arg("text.txt"), "no certificate found"),
        (dir.arg("open.pem"), "no -----END CERTIFICATE----- line"),
        (dir.arg("missing.pem"), "No such file"),
    ] {
        let (code, stdout, stderr) = x509(&[&file, "--json"]);
        assert_eq!(code, 1, "{file}: {stdout}");
        assert!(
            stderr.starts_with("sanstls: ") && stderr.contains(want),
            "{file}: {stderr}"
        );
        assert!(stdout.is_empty(), "{file}: {stdout}");
    }
}
