//! Key exchange groups against Node 24 (OpenSSL 3.5), the first Node with the post-quantum
//! hybrids: X25519MLKEM768 is negotiated by default both ways, a HelloRetryRequest reaches
//! it when the client's first share is classical, and `getEphemeralKeyInfo()` reports what
//! Node 24 reports. Each case runs the same options on Node's side and ours and compares.

// Tests spawn processes.
#![allow(clippy::disallowed_methods)]

mod common;

use common::{context, first_line, trusting, Pki};
use sanstls_node::{connect, create_server, SecureContextOptions, ServerOptions};
use sanstls_test::peers::{self, node24, ChildGuard};
use serde_json::{json, Value};

fn script(name: &str) -> String {
    let path = format!("{}/tests/node/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Node 24's server with `p`'s key and certificate and `ecdhCurve`; and its port.
fn node24_server(p: &Pki, curve: &str) -> (ChildGuard, u16) {
    let options = json!({ "ecdhCurve": curve }).to_string();
    peers::node24_server(&p.key_path(), &p.cert_path(), &options)
}

/// The facade's server with `p`'s key and certificate and `ecdhCurve`; and its port.
fn our_server(p: &Pki, curve: &str) -> (sanstls_node::Server, u16) {
    let mut server = create_server(
        ServerOptions {
            context: SecureContextOptions {
                ecdh_curve: Some(curve.into()),
                ..context(p)
            },
            ..Default::default()
        },
        |mut s| {
            let _ = s.end();
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    (server, port)
}

/// What Node 24's client reports (`groups_client.js`) against the server on `port`.
fn node24_client(p: &Pki, port: u16, curve: &str) -> Value {
    let mut child = node24(
        &script("groups_client.js"),
        &[&port.to_string(), &p.cert_path(), curve],
    );
    let line = first_line(&mut child);
    let _ = child.wait();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// What our client reports, in `groups_client.js`'s form.
fn our_client(p: &Pki, port: u16, curve: &str) -> Value {
    let mut options = trusting(port, p);
    options.context.ecdh_curve = Some(curve.into());
    match connect(&options) {
        Ok(s) => {
            let key = s.get_ephemeral_key_info();
            json!({ "protocol": s.get_protocol(), "key": key.map_or(json!({}), |k| json!(k)) })
        }
        Err(e) => json!({ "error": e.code }),
    }
}

/// (client's ecdhCurve, server's ecdhCurve, the group both must end on).
const CASES: &[(&str, &str, &str)] = &[
    // Both defaults: the hybrid, from the client's first share.
    ("auto", "auto", "X25519MLKEM768"),
    // The client's first share is X25519 but it lists the hybrid, which both servers
    // prefer: a HelloRetryRequest for the hybrid's share.
    ("X25519:X25519MLKEM768", "auto", "X25519MLKEM768"),
    // A classical client: no hybrid.
    ("X25519:P-256", "auto", "X25519"),
    ("P-384", "auto", "secp384r1"),
    // A server that does not want the hybrid: the client's X25519 share (no retry).
    ("auto", "X25519:P-256", "X25519"),
    // A server that wants only the hybrid: a client that lists it without a share retries.
    ("P-256:X25519MLKEM768", "X25519MLKEM768", "X25519MLKEM768"),
];

#[test]
fn node24_client_against_our_server_as_against_its_own() {
    let p = Pki::new("groups-server", "localhost");
    for (client, server, group) in CASES {
        let (theirs_server, port) = node24_server(&p, server);
        let theirs = node24_client(&p, port, client);
        drop(theirs_server);
        let (_ours_server, port) = our_server(&p, server);
        let mine = node24_client(&p, port, client);
        assert_eq!(theirs, mine, "client {client:?}, server {server:?}");
        assert_eq!(mine["key"]["name"], *group, "{mine}");
    }
}

#[test]
fn our_client_against_node24_as_its_own_client() {
    let p = Pki::new("groups-client", "localhost");
    for (client, server, group) in CASES {
        let (_node_server, port) = node24_server(&p, server);
        let theirs = node24_client(&p, port, client);
        let mine = our_client(&p, port, client);
        assert_eq!(theirs, mine, "client {client:?}, server {server:?}");
        assert_eq!(mine["key"]["name"], *group, "{mine}");
    }
}

/// Node 24 reports a hybrid as `{ type: 'TLSGroup', name }` with no size: OpenSSL keeps no
/// peer key for a KEM. Ours says the same.
#[test]
fn a_hybrid_is_reported_as_a_tls_group() {
    let p = Pki::new("groups-report", "localhost");
    let (_server, port) = our_server(&p, "auto");
    let mine = our_client(&p, port, "auto");
    assert_eq!(
        mine,
        json!({"protocol": "TLSv1.3", "key": {"type": "TLSGroup", "name": "X25519MLKEM768"}})
    );
}
