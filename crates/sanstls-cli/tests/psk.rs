//! `--psk` / `--psk-identity` (TLS 1.3 external PSKs) against OpenSSL: `sanstls client`
//! against `openssl s_server -psk -nocert`, and `openssl s_client -psk` against
//! `sanstls server`.

mod common;

use common::{client_json, openssl_server, sanstls_server, text};
use serde_json::Value;

const KEY: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn our_client_psk_against_openssl_s_server_nocert() {
    let server = openssl_server(&["-www", "-nocert", "-psk", KEY, "-psk_identity", "client1"]);
    let (ok, json) = client_json(&server.addr(), &["--psk", KEY, "--psk-identity", "client1"]);
    assert!(ok, "{json}");
    assert_eq!(json["authorized"], true, "{json}");
    assert_eq!(json["pskIdentity"], "client1", "{json}");
    assert_eq!(json["reused"], true, "{json}");
    assert_eq!(json["peerCertificate"], Value::Null, "{json}");
    // OpenSSL takes the first suite of its order with the PSK's SHA-256.
    assert_eq!(
        json["cipher"]["name"], "TLS_CHACHA20_POLY1305_SHA256",
        "{json}"
    );
    // s_server -www describes the session: a PSK one, which OpenSSL calls reused.
    let page = json["response"].as_str().unwrap();
    assert!(
        page.contains("Reused, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256"),
        "{page}"
    );

    // Another key under the identity: OpenSSL refuses the binder (illegal_parameter).
    let (ok, json) = client_json(
        &server.addr(),
        &["--psk", "00ff", "--psk-identity", "client1"],
    );
    assert!(!ok, "{json}");
    assert_eq!(json["authorized"], false, "{json}");
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("illegal_parameter")
            || json["error"].as_str().unwrap().contains("IllegalParameter"),
        "{json}"
    );
}

#[test]
fn openssl_s_client_psk_against_our_server() {
    let server = sanstls_server(&["--psk", KEY, "--psk-identity", "client1"]);
    let out = sanstls_test::peers::s_client(
        &server.addr(),
        &[
            "-tls1_3",
            "-ign_eof",
            "-psk",
            KEY,
            "-psk_identity",
            "client1",
        ],
        b"GET / HTTP/1.0\r\n\r\n",
    );
    let stdout = text(&out.stdout);
    // OpenSSL reports an external PSK handshake as a reused session.
    assert!(stdout.contains("Reused, TLSv1.3"), "{stdout}");
    assert!(stdout.contains("PSK identity: client1"), "{stdout}");
    assert!(stdout.contains("no peer certificate available"), "{stdout}");
    let log = server.wait_for("psk=client1");
    assert!(log.contains("resumed=no"), "{log}");

    // An unknown identity: our server falls back to its (generated) certificate, as
    // OpenSSL's does; s_client then shows it.
    let out = sanstls_test::peers::s_client(
        &server.addr(),
        &[
            "-tls1_3",
            "-ign_eof",
            "-psk",
            KEY,
            "-psk_identity",
            "stranger",
        ],
        b"GET / HTTP/1.0\r\n\r\n",
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("New, TLSv1.3"), "{stdout}");
    assert!(stdout.contains("PSK identity: -"), "{stdout}");
    assert!(stdout.contains("Server certificate"), "{stdout}");
}

#[test]
fn tls12_psk_suites_with_openssl_both_ways() {
    // Our client: --ciphers names the TLS 1.2 PSK suite, as Node's `ciphers` must.
    let server = common::openssl_server_version(
        "-tls1_2",
        &[
            "-www",
            "-nocert",
            "-psk",
            KEY,
            "-psk_identity",
            "client1",
            "-psk_hint",
            "h1",
            "-cipher",
            "PSK",
        ],
    );
    let (ok, json) = client_json(
        &server.addr(),
        &[
            "--psk",
            KEY,
            "--psk-identity",
            "client1",
            "--max-version",
            "TLSv1.2",
            "--ciphers",
            "ECDHE-PSK-CHACHA20-POLY1305",
        ],
    );
    assert!(ok, "{json}");
    assert_eq!(json["protocol"], "TLSv1.2", "{json}");
    assert_eq!(
        json["cipher"]["name"], "ECDHE-PSK-CHACHA20-POLY1305",
        "{json}"
    );
    assert_eq!(json["authorized"], true, "{json}");
    assert_eq!(json["reused"], false, "{json}");
    assert_eq!(json["pskIdentity"], "client1", "{json}");

    // Our server: s_client picks a PSK suite, gets our hint.
    let server = sanstls_server(&[
        "--psk",
        KEY,
        "--psk-identity",
        "client1",
        "--psk-identity-hint",
        "sanstls hint",
        "--ciphers",
        "PSK:HIGH",
    ]);
    let out = sanstls_test::peers::s_client(
        &server.addr(),
        &[
            "-tls1_2",
            "-ign_eof",
            "-psk",
            KEY,
            "-psk_identity",
            "client1",
            "-cipher",
            "DHE-PSK-AES256-GCM-SHA384:PSK-AES128-GCM-SHA256",
        ],
        b"GET / HTTP/1.0\r\n\r\n",
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("New, TLSv1.2, Cipher is PSK-AES128-GCM-SHA256"),
        "{stdout}"
    );
    assert!(
        stdout.contains("PSK identity hint: sanstls hint"),
        "{stdout}"
    );
    assert!(stdout.contains("PSK identity: client1"), "{stdout}");
    server.wait_for("psk=client1");
}
