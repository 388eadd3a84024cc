//! `sanstls client` against `openssl s_server -tls1_3 -www`.

mod common;

use common::{client_json, openssl_cert, openssl_server, run, sanstls, text, TempDir};
use serde_json::Value;

#[test]
fn verifies_the_server_with_ca_and_reports_json() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key, "-alpn", "h2,http/1.1"]);
    let (ok, j) = client_json(
        &server.addr(),
        &[
            "--ca",
            &cert,
            "--servername",
            "localhost",
            "--ciphers",
            "TLS_CHACHA20_POLY1305_SHA256",
            "--alpn",
            "h2",
        ],
    );
    assert!(ok, "{j:#}");
    assert_eq!(j["protocol"], "TLSv1.3", "{j:#}");
    assert_eq!(j["cipher"]["name"], "TLS_CHACHA20_POLY1305_SHA256", "{j:#}");
    assert_eq!(j["cipher"]["standardName"], "TLS_CHACHA20_POLY1305_SHA256");
    assert_eq!(j["cipher"]["version"], "TLSv1.3");
    assert_eq!(j["alpnProtocol"], "h2", "{j:#}");
    assert_eq!(j["servername"], "localhost");
    assert_eq!(j["authorized"], true, "{j:#}");
    assert_eq!(j["authorizationError"], Value::Null);
    assert_eq!(j["reused"], false);
    assert_eq!(j["ephemeralKeyInfo"]["type"], "ECDH");
    assert_eq!(j["ephemeralKeyInfo"]["name"], "X25519");
    assert_eq!(j["ephemeralKeyInfo"]["size"], 253);
    let fp = j["peerCertificate"]["fingerprint256"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(fp.len(), 95, "{j:#}");
    // Node's full object: subject, SANs, validity...
    assert_eq!(j["peerCertificate"]["subject"]["CN"], "localhost", "{j:#}");
    assert!(j["peerCertificate"]["subjectaltname"]
        .as_str()
        .unwrap_or_default()
        .contains("DNS:localhost"));
    // s_server -www answers with its own view of the session.
    let response = j["response"].as_str().unwrap_or_default();
    assert!(response.starts_with("HTTP/1.0 200 ok"), "{response}");
    assert!(
        response.contains("TLS_CHACHA20_POLY1305_SHA256"),
        "{response}"
    );
}

#[test]
fn insecure_accepts_without_ca_and_no_alpn_is_false() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key]);
    let (ok, j) = client_json(
        &server.addr(),
        &["--insecure", "--ciphers", "TLS_AES_128_GCM_SHA256"],
    );
    assert!(ok, "{j:#}");
    assert_eq!(j["protocol"], "TLSv1.3", "{j:#}");
    assert_eq!(j["cipher"]["name"], "TLS_AES_128_GCM_SHA256");
    assert_eq!(j["alpnProtocol"], false);
    // rejectUnauthorized: false. Checked against Mozilla's roots (no --ca), the
    // self-signed certificate is refused with Node's code, and the connection goes on.
    assert_eq!(j["authorized"], false);
    assert_eq!(
        j["authorizationError"], "DEPTH_ZERO_SELF_SIGNED_CERT",
        "{j:#}"
    );
    assert!(j["response"]
        .as_str()
        .unwrap_or_default()
        .contains("HTTP/1.0 200 ok"));
}

#[test]
fn wrong_ca_fails_the_handshake_with_nonzero_status() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let (other, _) = openssl_cert(&dir, "other");
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key]);
    let (ok, j) = client_json(
        &server.addr(),
        &["--ca", &other, "--servername", "localhost"],
    );
    assert!(!ok, "{j:#}");
    assert_eq!(j["protocol"], Value::Null, "{j:#}");
    assert_eq!(j["authorized"], false);
    assert!(j["error"].is_string(), "{j:#}");
}

#[test]
fn session_out_then_in_is_reused() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key]);
    let sess = dir.arg("session.json");
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert, "--sess-out", &sess]);
    assert!(ok, "{j:#}");
    assert_eq!(j["reused"], false);
    assert!(
        common::exists(&dir.path("session.json")),
        "no session saved: {j:#}"
    );
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert, "--sess-in", &sess]);
    assert!(ok, "{j:#}");
    assert_eq!(j["reused"], true, "{j:#}");
    assert!(
        j["response"]
            .as_str()
            .unwrap_or_default()
            .contains("Reused"),
        "{j:#}"
    );
}

#[test]
fn tls12_session_out_then_in_is_reused() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = common::openssl_server_version("-tls1_2", &["-www", "-cert", &cert, "-key", &key]);
    let sess = dir.arg("session12.json");
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert, "--sess-out", &sess]);
    assert!(ok, "{j:#}");
    assert_eq!(j["protocol"], "TLSv1.2", "{j:#}");
    assert_eq!(j["reused"], false);
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert, "--sess-in", &sess]);
    assert!(ok, "{j:#}");
    assert_eq!(j["reused"], true, "{j:#}");
    let response = j["response"].as_str().unwrap_or_default();
    assert!(response.contains("Reused, TLSv1.2"), "{response}");
}

#[test]
fn key_update_then_request_still_answered() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key]);
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert, "--key-update"]);
    assert!(ok, "{j:#}");
    assert!(
        j["response"]
            .as_str()
            .unwrap_or_default()
            .contains("HTTP/1.0 200 ok"),
        "{j:#}"
    );
}

#[test]
fn hello_retry_when_the_server_wants_another_group() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    // We send an X25519 share first; the server only takes P-384: HelloRetryRequest.
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key, "-groups", "P-384"]);
    let (ok, j) = client_json(&server.addr(), &["--ca", &cert]);
    assert!(ok, "{j:#}");
    assert_eq!(j["ephemeralKeyInfo"]["name"], "secp384r1", "{j:#}");
    assert_eq!(j["ephemeralKeyInfo"]["size"], 384);
}

#[test]
fn text_mode_prints_the_response_and_summary() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key]);
    let out = run(
        sanstls().args(["client", &server.addr(), "--ca", &cert]),
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("HTTP/1.0 200 ok"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("TLSv1.3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn tls12_against_openssl_server() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = common::openssl_server_version("-tls1_2", &["-www", "-cert", &cert, "-key", &key]);
    let (ok, j) = client_json(
        &server.addr(),
        &[
            "--ca",
            &cert,
            "--servername",
            "localhost",
            "--max-version",
            "TLSv1.2",
            "--ciphers",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
        ],
    );
    assert!(ok, "{j:#}");
    assert_eq!(j["protocol"], "TLSv1.2", "{j:#}");
    assert_eq!(
        j["cipher"]["name"], "ECDHE-ECDSA-AES128-GCM-SHA256",
        "{j:#}"
    );
    assert_eq!(
        j["cipher"]["standardName"],
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    );
    assert_eq!(j["cipher"]["version"], "TLSv1.2");
    assert_eq!(j["authorized"], true, "{j:#}");
    let response = j["response"].as_str().unwrap_or_default();
    assert!(
        response.contains("Extended master secret: yes"),
        "{response}"
    );
}

#[test]
fn without_ca_mozillas_roots_decide_and_the_name_is_checked() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    let server = openssl_server(&["-www", "-cert", &cert, "-key", &key]);
    // Node's default trust store: a self-signed certificate is not in it.
    let (ok, j) = client_json(&server.addr(), &["--servername", "localhost"]);
    assert!(!ok);
    assert_eq!(
        j["authorizationError"], "DEPTH_ZERO_SELF_SIGNED_CERT",
        "{j:#}"
    );
    // Trusted, but for another name: Node's checkServerIdentity refusal.
    let (ok, j) = client_json(
        &server.addr(),
        &["--ca", &cert, "--servername", "example.org"],
    );
    assert!(!ok);
    assert_eq!(
        j["authorizationError"], "ERR_TLS_CERT_ALTNAME_INVALID",
        "{j:#}"
    );
    assert!(
        j["error"]
            .as_str()
            .unwrap_or_default()
            .contains("Host: example.org. is not in the cert's altnames"),
        "{j:#}"
    );
}

#[test]
fn renegotiate_then_send_again_against_openssl() {
    let dir = TempDir::new("cli");
    let (cert, key) = openssl_cert(&dir, "server");
    // `-rev` answers each line reversed, so there is a first exchange to renegotiate after.
    let args = |extra: &'static [&'static str]| {
        let mut a = vec!["-rev", "-cert", &cert, "-key", &key];
        a.extend_from_slice(extra);
        a
    };
    let client = |server: &common::Background| {
        run(
            sanstls().args([
                "client",
                &server.addr(),
                "--ca",
                &cert,
                "--servername",
                "localhost",
                "--send",
                "hello\\n",
                "--renegotiate",
                "--timeout",
                "3",
            ]),
            b"",
        )
    };
    let server = common::openssl_server_version("-tls1_2", &args(&["-client_renegotiation"]));
    let out = client(&server);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "olleh\nolleh\n", "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("renegotiated"),
        "{}",
        text(&out.stderr)
    );

    // OpenSSL 3 servers refuse client-initiated renegotiation by default: the first
    // answer arrives, then the run fails and says why.
    let server = common::openssl_server_version("-tls1_2", &args(&[]));
    let out = client(&server);
    assert!(!out.status.success());
    assert_eq!(text(&out.stdout), "olleh\n");
    assert!(
        text(&out.stderr).contains("declined to renegotiate"),
        "{}",
        text(&out.stderr)
    );
}
