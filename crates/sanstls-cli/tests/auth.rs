//! Certificates from files, client authentication and OCSP stapling, both commands against
//! openssl (and each other).

mod common;

use std::process::Command;

use common::{
    client_json, openssl_cert, openssl_server, require, run, sanstls, sanstls_server, text, TempDir,
};
use serde_json::Value;

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// A real (signed, "successful", status unknown) OCSP response for `cert`, made by
/// `openssl ocsp` acting as its own responder.
fn ocsp_response(dir: &TempDir, cert: &str, key: &str) -> String {
    let index = dir.arg("index.txt");
    std::fs::write(&index, b"").expect("index");
    let req = dir.arg("ocsp-req.der");
    let resp = dir.arg("ocsp-resp.der");
    let out = run(
        Command::new("openssl").args([
            "ocsp",
            "-issuer",
            cert,
            "-cert",
            cert,
            "-no_nonce",
            "-reqout",
            &req,
        ]),
        b"",
    );
    assert!(out.status.success(), "ocsp request: {}", text(&out.stderr));
    let out = run(
        Command::new("openssl").args([
            "ocsp", "-index", &index, "-rsigner", cert, "-rkey", key, "-CA", cert, "-reqin", &req,
            "-respout", &resp, "-ndays", "1",
        ]),
        b"",
    );
    assert!(out.status.success(), "ocsp response: {}", text(&out.stderr));
    resp
}

/// `openssl s_client -tls1_3` sending a GET; returns (success, stdout).
fn s_client(addr: &str, args: &[&str]) -> (bool, String) {
    let out = sanstls_test::peers::s_client(addr, &[&["-tls1_3", "-ign_eof"], args].concat(), GET);
    (out.status.success(), text(&out.stdout) + &text(&out.stderr))
}

#[test]
fn server_serves_rsa_and_ecdsa_files_by_client_preference() {
    require("openssl");
    let dir = TempDir::new("cli");
    let (ec_cert, ec_key) = openssl_cert(&dir, "ec");
    let rsa_cert = dir.arg("rsa.crt");
    let rsa_key = dir.arg("rsa.key");
    let out = run(
        Command::new("openssl").args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            &rsa_key,
            "-out",
            &rsa_cert,
        ]),
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = sanstls_server(&[
        "--cert", &rsa_cert, "--key", &rsa_key, "--cert", &ec_cert, "--key", &ec_key,
    ]);
    // A client that only takes ECDSA gets the ECDSA chain, one that only takes RSA-PSS the
    // RSA chain; each verifies against its own file.
    for (sigalgs, ca) in [
        ("ecdsa_secp256r1_sha256", &ec_cert),
        ("rsa_pss_rsae_sha256", &rsa_cert),
    ] {
        let (ok, out) = s_client(
            &server.addr(),
            &[
                "-sigalgs",
                sigalgs,
                "-CAfile",
                ca,
                "-verify_return_error",
                "-servername",
                "localhost",
            ],
        );
        assert!(ok, "{sigalgs}: {out}");
        assert!(
            out.contains("Verify return code: 0 (ok)"),
            "{sigalgs}: {out}"
        );
        assert!(out.contains("Protocol: TLSv1.3"), "{sigalgs}: {out}");
    }
}

#[test]
fn server_requires_a_client_certificate() {
    let dir = TempDir::new("cli");
    let (client_cert, client_key) = openssl_cert(&dir, "client");
    let server = sanstls_server(&["--request-cert", "--ca", &client_cert]);
    let (ok, out) = s_client(
        &server.addr(),
        &["-cert", &client_cert, "-key", &client_key],
    );
    assert!(ok, "{out}");
    assert!(out.contains("Authorized: true"), "{out}");
    server.wait_for("authorized=true");
    // Without a certificate the handshake fails (certificate_required).
    let (ok, out) = s_client(&server.addr(), &[]);
    assert!(!ok || !out.contains("Protocol: TLSv1.3"), "{out}");
    assert!(out.contains("certificate required"), "{out}");
}

#[test]
fn server_allow_unauthorized_lets_clients_in_as_unauthorized() {
    let dir = TempDir::new("cli");
    let (trusted, _) = openssl_cert(&dir, "trusted");
    let (other_cert, other_key) = openssl_cert(&dir, "other");
    let server = sanstls_server(&["--request-cert", "--allow-unauthorized", "--ca", &trusted]);
    let (ok, out) = s_client(&server.addr(), &[]);
    assert!(ok, "{out}");
    assert!(out.contains("Authorized: false"), "{out}");
    let (ok, out) = s_client(&server.addr(), &["-cert", &other_cert, "-key", &other_key]);
    assert!(ok, "{out}");
    assert!(out.contains("Authorized: false"), "{out}");
    server.wait_for("authorizationError=");
}

#[test]
fn server_staples_ocsp_for_openssl_and_our_client() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let resp = ocsp_response(&dir, &cert, &key);
    let der = std::fs::read(&resp).expect("response");
    let server = sanstls_server(&["--cert", &cert, "--key", &key, "--ocsp-response", &resp]);
    let (ok, out) = s_client(&server.addr(), &["-status"]);
    assert!(ok, "{out}");
    assert!(out.contains("OCSP Response Status: successful"), "{out}");
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert, "--request-ocsp"]);
    assert!(ok, "{j:#}");
    assert_eq!(j["ocspResponse"], hex::encode(&der), "{j:#}");
    // Not asked, not sent.
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert]);
    assert!(ok, "{j:#}");
    assert_eq!(j["ocspResponse"], Value::Null, "{j:#}");
}

#[test]
fn client_certificate_ocsp_and_keylog_against_openssl_server() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let (client_cert, client_key) = openssl_cert(&dir, "client");
    let resp = ocsp_response(&dir, &cert, &key);
    let der = std::fs::read(&resp).expect("response");
    // -Verify: the client certificate is mandatory.
    let server = openssl_server(&[
        "-www",
        "-cert",
        &cert,
        "-key",
        &key,
        "-Verify",
        "1",
        "-CAfile",
        &client_cert,
        "-status_file",
        &resp,
    ]);
    let keylog = dir.arg("keys.log");
    let (ok, j) = client_json(
        &server.addr(),
        &[
            "--ca",
            &cert,
            "--cert",
            &client_cert,
            "--key",
            &client_key,
            "--request-ocsp",
            "--keylog",
            &keylog,
        ],
    );
    assert!(ok, "{j:#}");
    assert_eq!(j["authorized"], true);
    assert_eq!(j["ocspResponse"], hex::encode(&der), "{j:#}");
    let log = std::fs::read_to_string(&keylog).unwrap_or_default();
    for label in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
    ] {
        assert!(log.contains(label), "{label} missing: {log}");
    }
    // Without our certificate the server refuses us: in TLS 1.3 that alert comes after our
    // Finished, so the handshake completed on our side, but the run fails.
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert]);
    assert!(!ok, "{j:#}");
    let error = j["error"].as_str().unwrap_or_default();
    assert!(error.contains("CertificateRequired"), "{j:#}");
}

#[test]
fn our_client_presents_an_encrypted_key_with_its_passphrase() {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/keys");
    let (ca, cert, key) = (
        format!("{keys}/ca.crt"),
        format!("{keys}/p256.crt"),
        format!("{keys}/p256.enc-aes128.pem"),
    );
    let server = sanstls_server(&["--request-cert", "--ca", &ca]);
    let args = |pass: &'static str| {
        let mut a = vec!["--insecure", "--cert", &cert, "--key", &key];
        if !pass.is_empty() {
            a.extend(["--passphrase", pass]);
        }
        a
    };
    let (ok, j) = client_json(&server.addr(), &args("test-only-pass"));
    assert!(ok, "{j:#}");
    let page = j["response"].as_str().unwrap_or_default();
    assert!(page.contains("Authorized: true"), "{page}");
    // Without the passphrase the key cannot be read: a clear error before connecting.
    let out = run(
        sanstls().args(["client", &server.addr()]).args(args("")),
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("passphrase"),
        "{}",
        text(&out.stderr)
    );
}
