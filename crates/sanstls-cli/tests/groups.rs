//! `--groups` on both commands, and the negotiated group in `client --json`: the
//! post-quantum hybrid by default against Node 24 (OpenSSL 3.5), classical groups chosen by
//! name against `openssl s_client` 3.0.

mod common;

use common::{openssl_cert, run, sanstls, sanstls_server, text, TempDir};
use sanstls_test::peers::{node24_server, s_client};
use serde_json::Value;

/// `sanstls client ADDR --json --ca CERT ARGS` against a server for localhost.
fn client_json(addr: &str, ca: &str, args: &[&str]) -> Value {
    let trusted = ["--ca", ca, "--servername", "localhost"];
    common::client_json(addr, &[&trusted[..], args].concat()).1
}

#[test]
fn the_client_negotiates_the_hybrid_with_node_24_by_default() {
    let dir = TempDir::new("cli-groups");
    let (cert, key) = openssl_cert(&dir, "server");
    let (_node, port) = node24_server(&key, &cert, "{}");
    let addr = format!("127.0.0.1:{port}");
    let j = client_json(&addr, &cert, &[]);
    assert_eq!(j["protocol"], "TLSv1.3", "{j:#}");
    assert_eq!(j["group"], "X25519MLKEM768", "{j:#}");
    // Node 24's getEphemeralKeyInfo() for a KEM: no size.
    let expected: Value = serde_json::json!({"type": "TLSGroup", "name": "X25519MLKEM768"});
    assert_eq!(j["ephemeralKeyInfo"], expected, "{j:#}");
    // --groups takes Node's ecdhCurve names: a classical choice, then a HelloRetryRequest
    // to the hybrid (our first share is X25519, Node prefers the hybrid).
    let j = client_json(&addr, &cert, &["--groups", "P-256"]);
    assert_eq!(j["group"], "secp256r1", "{j:#}");
    assert_eq!(j["ephemeralKeyInfo"]["name"], "prime256v1", "{j:#}");
    let j = client_json(&addr, &cert, &["--groups", "x25519:X25519MLKEM768"]);
    assert_eq!(j["group"], "X25519MLKEM768", "{j:#}");
}

#[test]
fn the_server_takes_groups_by_name() {
    let server = sanstls_server(&["--groups", "P-384"]);
    // s_client 3.0 sends one share, for X25519; the server wants P-384 and asks for it.
    let out = s_client(&server.addr(), &["-groups", "X25519:P-384"], b"");
    let out = text(&out.stdout);
    assert!(
        out.contains("Server Temp Key: ECDH, secp384r1, 384 bits"),
        "{out}"
    );
    let default = sanstls_server(&[]);
    let out = text(&s_client(&default.addr(), &["-groups", "P-256"], b"").stdout);
    assert!(
        out.contains("Server Temp Key: ECDH, prime256v1, 256 bits"),
        "{out}"
    );
}

#[test]
fn unknown_group_names_are_refused() {
    for args in [
        &["server", "--groups", "nope"][..],
        &["client", "127.0.0.1:1", "--groups", "brainpoolP256r1"],
    ] {
        let out = run(sanstls().args(args), b"");
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("--groups"),
            "{}",
            text(&out.stderr)
        );
    }
}
