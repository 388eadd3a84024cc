//! `pskCallback` both ways against Node's own `tls` (TLS 1.3 external PSKs): Node's client
//! against our server, our client against Node's server, each compared with what Node
//! does against itself (the reference lines in the comments come from running the same
//! scripts against each other: tests/node/psk_client.js and psk_server.js).

// Tests spawn processes and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::Read;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use common::{first_line, node};
use sanstls_node::connect::PskAnswer;
use sanstls_node::{connect, create_server, ConnectOptions, ServerOptions};
use serde_json::{json, Value};

const PSK_CLIENT: &str = include_str!("node/psk_client.js");
const PSK_SERVER: &str = include_str!("node/psk_server.js");
const KEY: &str = "00112233445566778899aabbccddeeff";

fn key() -> Vec<u8> {
    (0..KEY.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&KEY[i..i + 2], 16).unwrap())
        .collect()
}

fn node_json(script: &str, args: &[&str]) -> Value {
    let mut child = node(script, args);
    let line = first_line(&mut child);
    let _ = child.wait();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

/// What our server's side of a connection reported.
#[derive(Debug, PartialEq)]
struct ServerView {
    authorized: bool,
    peer_certificate: bool,
    reused: bool,
}

#[test]
fn node_client_pskcallback_against_our_server() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&asked);
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    // No certificate: PSK only, as Node's reference server.
    let mut server = create_server(
        ServerOptions {
            psk_callback: Some(Arc::new(move |_name, identity| {
                seen.lock().unwrap().push(identity.to_string());
                (identity == "client1").then(key)
            })),
            ..Default::default()
        },
        move |mut socket| {
            let view = ServerView {
                authorized: socket.authorized(),
                peer_certificate: socket.get_peer_certificate(false).is_some(),
                reused: socket.is_session_reused(),
            };
            let _ = tx.lock().unwrap().send(view);
            let _ = std::io::Write::write_all(&mut socket, b"hello from sanstls");
            let _ = socket.end();
        },
    )
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    let port = server.address().unwrap().port().to_string();

    let ours = node_json(PSK_CLIENT, &[&port, "client1", KEY]);
    // Node against Node: {"hint":null,"authorized":true,"authorizationError":null,
    // "cipher":"TLS_CHACHA20_POLY1305_SHA256","peerCertificate":false,"reused":true,
    // "data":"hello from node","error":null}
    assert_eq!(
        ours,
        json!({"hint": null, "authorized": true, "authorizationError": null,
               "cipher": "TLS_CHACHA20_POLY1305_SHA256", "peerCertificate": false,
               "reused": true, "data": "hello from sanstls", "error": null})
    );
    // Node's server side: authorized false (no requestCert), no certificate, reused.
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        ServerView {
            authorized: false,
            peer_certificate: false,
            reused: true
        }
    );

    // An identity the callback does not know, and no certificate: Node's client sees
    // handshake_failure ({"error":"ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE"} against Node).
    let ours = node_json(PSK_CLIENT, &[&port, "stranger", KEY]);
    assert_eq!(
        ours["error"], "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
        "{ours}"
    );
    assert_eq!(*asked.lock().unwrap(), vec!["client1", "stranger"]);
    server.close();
}

fn psk_client(port: u16, identity: &str) -> ConnectOptions {
    let identity = identity.to_string();
    ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        psk_callback: Some(Arc::new(move |hint| {
            assert_eq!(hint, None, "TLS 1.3 has no hint");
            Some(PskAnswer {
                psk: key(),
                identity: identity.clone(),
            })
        })),
        ..Default::default()
    }
}

#[test]
fn our_client_pskcallback_against_node_server() {
    let mut child = node(PSK_SERVER, &["client1", KEY, "2"]);
    let first: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
    let port = first["port"].as_u64().unwrap() as u16;

    let mut socket = connect(&psk_client(port, "client1")).unwrap();
    // Node against Node: authorized true, no peer certificate, isSessionReused true.
    assert!(socket.authorized());
    assert_eq!(socket.authorization_error(), None);
    assert!(socket.get_peer_certificate(false).is_none());
    assert!(socket.is_session_reused());
    assert_eq!(
        socket.get_cipher().map(|c| c.name),
        Some("TLS_CHACHA20_POLY1305_SHA256")
    );
    let mut data = Vec::new();
    let _ = socket.read_to_end(&mut data);
    assert_eq!(data, b"hello from node");
    drop(socket);
    // Node's server line for it (as against Node's client).
    let line: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
    assert_eq!(
        line,
        json!({"asked": ["client1"], "authorized": false,
               "cipher": "TLS_CHACHA20_POLY1305_SHA256", "reused": true})
    );

    // Unknown to Node's server, which has no certificate: handshake_failure, as Node's
    // client reports it.
    let e = connect(&psk_client(port, "stranger")).unwrap_err();
    assert_eq!(e.code, "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "{e:?}");
    let line: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
    assert_eq!(
        line,
        json!({"asked": ["stranger"], "error": "ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM"})
    );
    let _ = child.wait();
}

#[test]
fn a_requestcert_server_reports_a_psk_client_authorized_like_node() {
    // Node's server with requestCert and rejectUnauthorized, and a PSK client without a
    // certificate: `authorized` true (checked with Node 20 against its own client).
    let ca = common::Pki::new("psk-request-cert", "localhost");
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut server = create_server(
        ServerOptions {
            context: sanstls_node::SecureContextOptions {
                ca: Some(vec![ca.cert_pem.clone()]),
                ..Default::default()
            },
            request_cert: true,
            psk_callback: Some(Arc::new(|_, identity| (identity == "client1").then(key))),
            ..Default::default()
        },
        move |mut socket| {
            let _ = tx.lock().unwrap().send(socket.authorized());
            let _ = socket.end();
        },
    )
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    let port = server.address().unwrap().port().to_string();
    let ours = node_json(PSK_CLIENT, &[&port, "client1", KEY]);
    assert_eq!(ours["authorized"], true, "{ours}");
    assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap());
    server.close();
}

#[tokio::test(flavor = "current_thread")]
async fn psk_both_ends_on_tokio() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = create_server(
        ServerOptions {
            psk_callback: Some(Arc::new(|_, identity| (identity == "client1").then(key))),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let serving = async {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut s = server.accept_tokio(tcp).await.unwrap();
        // No requestCert: not authorized, as Node's server reports it.
        assert!(!s.authorized());
        assert!(s.is_session_reused());
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        s.write_all(&buf).await.unwrap();
        s.shutdown().await.unwrap();
    };
    let client = async {
        let mut c = sanstls_node::async_tokio::connect(&psk_client(port, "client1"))
            .await
            .unwrap();
        assert!(c.authorized());
        assert!(c.get_peer_certificate(false).is_none());
        c.write_all(b"ping").await.unwrap();
        let mut buf = Vec::new();
        c.read_to_end(&mut buf).await.unwrap();
        buf
    };
    let ((), echoed) = tokio::join!(serving, client);
    assert_eq!(echoed, b"ping");
}

#[test]
fn psk_on_lone_tlssockets_both_sides() {
    use sanstls_node::{TlsSocket, TlsSocketOptions};
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let options = TlsSocketOptions {
            is_server: true,
            psk_callback: Some(Arc::new(|_, identity| (identity == "client1").then(key))),
            ..Default::default()
        };
        let mut s = TlsSocket::with_options(tcp, &options).unwrap();
        s.handshake().unwrap();
        let seen = (s.authorized(), s.is_session_reused());
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).unwrap();
        s.write_all(&buf).unwrap();
        let _ = s.end();
        seen
    });
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let options = TlsSocketOptions {
        client_psk_callback: Some(Arc::new(|_| {
            Some(PskAnswer {
                psk: key(),
                identity: "client1".into(),
            })
        })),
        ..Default::default()
    };
    let mut c = TlsSocket::with_options(tcp, &options).unwrap();
    c.write_all(b"ping").unwrap();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    assert_eq!(buf, b"ping");
    assert!(c.get_peer_certificate(false).is_none());
    assert!(c.is_session_reused());
    // A server socket without requestCert reports a PSK client not authorized (Node).
    assert_eq!(server.join().unwrap(), (false, true));
}

// ---- TLS 1.2 PSK suites (Node requires them in `ciphers`) ----

const PSK12_CLIENT: &str = include_str!("node/psk12_client.js");
const PSK12_SERVER: &str = include_str!("node/psk12_server.js");

fn tls12_context(cipher: &str) -> sanstls_node::SecureContextOptions {
    sanstls_node::SecureContextOptions {
        ciphers: Some(cipher.into()),
        max_version: Some("TLSv1.2".into()),
        ..Default::default()
    }
}

#[test]
fn node_tls12_psk_client_against_our_server() {
    for (cipher, hint) in [
        ("PSK-AES128-GCM-SHA256", Some("sanstls hint")),
        ("ECDHE-PSK-CHACHA20-POLY1305", None),
    ] {
        let mut server = create_server(
            ServerOptions {
                context: tls12_context(cipher),
                psk_callback: Some(Arc::new(|_, identity| (identity == "client1").then(key))),
                psk_identity_hint: hint.map(str::to_string),
                ..Default::default()
            },
            |mut socket| {
                let _ = std::io::Write::write_all(&mut socket, b"hello from sanstls");
                let _ = socket.end();
            },
        )
        .unwrap();
        server.listen(0, "127.0.0.1").unwrap();
        let port = server.address().unwrap().port().to_string();
        let ours = node_json(PSK12_CLIENT, &[&port, "client1", KEY, cipher]);
        // Node against Node (psk12_server.js): the same line, with Node's own hint.
        assert_eq!(
            ours,
            json!({"hint": hint, "authorized": true, "cipher": cipher, "protocol": "TLSv1.2",
                   "peerCertificate": false, "data": "hello from sanstls", "error": null}),
            "{cipher}"
        );
        // An identity we do not know: unknown_psk_identity, as Node's server answers.
        let ours = node_json(PSK12_CLIENT, &[&port, "stranger", KEY, cipher]);
        assert_eq!(
            ours["error"], "ERR_SSL_TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
            "{cipher}: {ours}"
        );
        server.close();
    }
}

#[test]
fn our_tls12_psk_client_against_node_server() {
    let cipher = "PSK-AES128-GCM-SHA256";
    let mut child = node(PSK12_SERVER, &["client1", KEY, cipher, "node hint", "1"]);
    let first: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
    let port = first["port"].as_u64().unwrap() as u16;
    let hints = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hints);
    let options = ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        context: tls12_context(cipher),
        psk_callback: Some(Arc::new(move |hint| {
            seen.lock().unwrap().push(hint.map(str::to_string));
            Some(PskAnswer {
                psk: key(),
                identity: "client1".into(),
            })
        })),
        ..Default::default()
    };
    let mut socket = connect(&options).unwrap();
    assert_eq!(*hints.lock().unwrap(), vec![Some("node hint".to_string())]);
    // Node's client reports authorized true once its checkServerIdentity is replaced; ours
    // has no certificate name to check (the PSK authenticated the server).
    assert!(socket.authorized());
    assert!(socket.get_peer_certificate(false).is_none());
    assert_eq!(socket.get_protocol(), Some("TLSv1.2"));
    // A TLS 1.2 PSK suite's handshake is a full one: not reused (Node says false too).
    assert!(!socket.is_session_reused());
    let mut data = Vec::new();
    let _ = socket.read_to_end(&mut data);
    assert_eq!(data, b"hello from node");
    drop(socket);
    let line: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
    assert_eq!(
        line,
        json!({"asked": ["client1"], "cipher": cipher, "protocol": "TLSv1.2"})
    );
    let _ = child.wait();
}
