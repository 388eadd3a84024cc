//! Node's own `tls` test cases, ported to the facade's tokio side and its socket API (each
//! test names the file of Node's test/parallel it follows); where the value is Node's to
//! say, a Node peer or script prints it and the facade must agree.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{context, first_line, node, trusting, Pki};
use sanstls_node::async_tokio::{self, connect, TlsStream};
use sanstls_node::server::Answer;
use sanstls_node::{
    create_secure_context, create_server, ConnectOptions, SecureContextOptions, ServerOptions,
    TlsSocket, TlsSocketOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: Duration = Duration::from_secs(20);

/// A client that offers TLS 1.2 only: its first ClientHello carries no session id (a TLS
/// 1.3 client sends a random one, which a session store is asked about).
fn tls12_client(port: u16, p: &Pki) -> ConnectOptions {
    ConnectOptions {
        context: SecureContextOptions {
            max_version: Some("TLSv1.2".into()),
            ca: Some(vec![p.cert_pem.clone()]),
            ..Default::default()
        },
        ..trusting(port, p)
    }
}

async fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// The first line a Node script prints, read off the runtime's threads.
async fn node_line(script: &'static str, args: Vec<String>) -> String {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = node(script, &args);
        let line = first_line(&mut child);
        // Not killed: a reset could drop its last flight before our side read it.
        std::thread::spawn(move || child.wait());
        line
    })
    .await
    .unwrap()
}

/// Serves one connection with `config` and returns the stream after the handshake.
async fn accept_one(
    listener: &TcpListener,
    config: Arc<sanstls::server::ServerConfig>,
) -> TlsStream<TcpStream> {
    let (tcp, _) = listener.accept().await.unwrap();
    async_tokio::accept(tcp, config).await.unwrap()
}

/// test-tls-getprotocol.js: the client and server agree on `getProtocol()` for each
/// version the client allows, and it is what a Node client reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_protocol_follows_the_version_negotiated() {
    let p = Pki::new("getprotocol", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let (l, port) = listener().await;
    for version in ["TLSv1.2", "TLSv1.3"] {
        let script = include_str!("node/client_info.js");
        let node = tokio::spawn(node_line(script, vec![port.to_string(), version.into()]));
        let s = accept_one(&l, config.clone()).await;
        let printed: serde_json::Value = serde_json::from_str(&node.await.unwrap()).unwrap();
        assert_eq!(printed["protocol"], version);
        assert_eq!(s.get_protocol(), Some(version));
        // Our own client says the same.
        let options = ConnectOptions {
            context: SecureContextOptions {
                max_version: Some(version.into()),
                ca: Some(vec![p.cert_pem.clone()]),
                ..Default::default()
            },
            ..trusting(port, &p)
        };
        let (c, s) = tokio::join!(connect(&options), accept_one(&l, config.clone()));
        assert_eq!(c.unwrap().get_protocol(), Some(version));
        assert_eq!(s.get_protocol(), Some(version));
    }
}

/// test-tls-getcipher.js: with the client's and server's lists, `getCipher()` names the
/// suite both picked (the server's first, with honorCipherOrder) as Node does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_cipher_names_the_suite_the_server_prefers() {
    let p = Pki::new("getcipher", "localhost");
    let list = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    let config = Arc::new(
        create_secure_context(&SecureContextOptions {
            ciphers: Some(list.into()),
            honor_cipher_order: Some(true),
            ..context(&p)
        })
        .unwrap()
        .server_config(),
    );
    let (l, port) = listener().await;
    let script = include_str!("node/client_info.js");
    let args = vec![port.to_string(), "TLSv1.2".into(), list.into()];
    let node = tokio::spawn(node_line(script, args));
    let s = accept_one(&l, config).await;
    let printed: serde_json::Value = serde_json::from_str(&node.await.unwrap()).unwrap();
    let ours = s.get_cipher().unwrap();
    assert_eq!(printed["cipher"], "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_eq!(printed["cipher"], ours.name);
    assert_eq!(printed["version"], ours.version);
}

/// test-tls-client-getephemeralkeyinfo.js: the client's view of the key exchange (ECDH
/// here), `None` on the server as Node's `null`; Node's client agrees on the type. Node 20
/// has no post-quantum hybrid, so our client offers the classical groups it has
/// (`tests/node_groups.rs` compares the hybrid with Node 24).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_ephemeral_key_info_on_the_client_only() {
    let p = Pki::new("ephemeral", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let (l, port) = listener().await;
    let mut classical = trusting(port, &p);
    classical.context.ecdh_curve = Some("X25519:P-256:P-384".into());
    let (c, s) = tokio::join!(connect(&classical), accept_one(&l, config.clone()));
    let info = c.unwrap().get_ephemeral_key_info().unwrap();
    assert!(s.get_ephemeral_key_info().is_none());
    let script = include_str!("node/client_info.js");
    let node = tokio::spawn(node_line(script, vec![port.to_string(), "TLSv1.3".into()]));
    let _s = accept_one(&l, config).await;
    let printed: serde_json::Value = serde_json::from_str(&node.await.unwrap()).unwrap();
    assert_eq!(printed["key"], info.kind);
}

/// test-tls-exportkeyingmaterial.js: before `secure` it is ERR_TLS_INVALID_STATE, a zero
/// length is ERR_OUT_OF_RANGE (as Node's script prints), and both ends export the same
/// bytes, with and without a context (the Node client's bytes equal our server's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_keying_material_matches_node() {
    let p = Pki::new("ekm", "localhost");
    let (l, port) = listener().await;
    let script = include_str!("node/export_keying_material.js");
    let args = [port.to_string()];
    let lines = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = node(script, &args);
        let early = first_line(&mut child);
        let json = first_line(&mut child);
        std::thread::spawn(move || child.wait());
        (early, json)
    });
    let (tcp, _) = l.accept().await.unwrap();
    // Node's `new TLSSocket(s, { isServer, secureContext })`.
    let mut s = async_tokio::with_options(
        tcp,
        &TlsSocketOptions {
            is_server: true,
            secure_context: Some(create_secure_context(&context(&p)).unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    let early = s.export_keying_material(128, "label", None).unwrap_err();
    s.handshake().await.unwrap();
    let (node_early, json) = lines.await.unwrap();
    assert_eq!(early.code, node_early);
    let printed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hex = |b: Vec<u8>| common::hex(&b);
    let plain = s
        .export_keying_material(32, "client finished", None)
        .unwrap();
    let ctx = s
        .export_keying_material(32, "client finished", Some(&[0, 1, 2, 3]))
        .unwrap();
    assert_ne!(plain, ctx);
    assert_eq!(printed["plain"], hex(plain));
    assert_eq!(printed["ctx"], hex(ctx));
    let zero = s.export_keying_material(0, "a", None).unwrap_err();
    assert_eq!(printed["zero"], zero.code.as_str());
    assert_eq!(
        s.export_keying_material(128, "a", Some(&[])).unwrap().len(),
        128
    );
}

/// test-tls-socket-constructor-alpn-options-parsing.js: a server made with
/// `new TLSSocket(socket, { isServer, key, cert, ALPNProtocols })` picks `http/1.1` from a
/// Node client's `['h2', 'http/1.1']`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_socket_constructor_takes_alpn_protocols() {
    let p = Pki::new("alpn-ctor", "localhost");
    let (l, port) = listener().await;
    let script = include_str!("node/client_info.js");
    let node = tokio::spawn(node_line(script, vec![port.to_string(), "TLSv1.3".into()]));
    let (tcp, _) = l.accept().await.unwrap();
    let options = TlsSocketOptions {
        is_server: true,
        context: context(&p),
        alpn_protocols: vec!["http/1.1".into()],
        ..Default::default()
    };
    let mut s = async_tokio::with_options(tcp, &options).unwrap();
    s.handshake().await.unwrap();
    assert_eq!(s.alpn_protocol().as_deref(), Some("http/1.1"));
    let printed: serde_json::Value = serde_json::from_str(&node.await.unwrap()).unwrap();
    assert_eq!(printed["alpn"], "http/1.1");
}

/// test-tls-socket-default-options.js: a client `new TLSSocket(socket, options)` refuses
/// nothing; the verify error is only reported; `ca` trusts the server unless a
/// `secureContext` is given, whose own trust wins. Node's script prints the same verdicts.
#[test]
fn tls_socket_default_options_match_node() {
    let p = Pki::new("default-options", "localhost");
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |mut s| {
            // Until the client ends: closing earlier could reset it mid-exchange.
            let mut rest = Vec::new();
            let _ = std::io::Read::read_to_end(&mut s, &mut rest);
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    let mut child = node(
        include_str!("node/tlssocket_default_options.js"),
        &[&port.to_string(), &p.cert_path()],
    );
    let printed: serde_json::Value = serde_json::from_str(&first_line(&mut child)).unwrap();
    let ca = Some(vec![p.cert_pem.clone()]);
    let cases = [
        TlsSocketOptions::default(),
        TlsSocketOptions {
            context: SecureContextOptions {
                ca: ca.clone(),
                ..Default::default()
            },
            ..Default::default()
        },
        TlsSocketOptions {
            secure_context: Some(
                create_secure_context(&SecureContextOptions {
                    ca: ca.clone(),
                    ..Default::default()
                })
                .unwrap(),
            ),
            ..Default::default()
        },
        TlsSocketOptions {
            secure_context: Some(create_secure_context(&Default::default()).unwrap()),
            context: SecureContextOptions {
                ca,
                ..Default::default()
            },
            ..Default::default()
        },
    ];
    for (i, options) in cases.iter().enumerate() {
        let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut s = TlsSocket::with_options(tcp, options).unwrap();
        s.handshake().unwrap();
        let expected = &printed[i];
        assert_eq!(
            expected[0].as_str(),
            s.authorization_error().as_deref(),
            "case {i}"
        );
        assert_eq!(expected[1].as_bool(), Some(s.authorized()), "case {i}");
        std::io::Write::write_all(&mut s, b"hello").unwrap();
        s.end().unwrap();
    }
    server.close();
}

/// test-tls-wrap-econnreset.js: a server that closes the TCP connection before any TLS
/// makes the client's connect fail with ECONNRESET (tokio and blocking alike).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_closing_before_the_handshake_is_econnreset() {
    let p = Pki::new("econnreset", "localhost");
    let (l, port) = listener().await;
    let closer = tokio::spawn(async move {
        for _ in 0..2 {
            let (tcp, _) = l.accept().await.unwrap();
            drop(tcp);
        }
    });
    let e = connect(&trusting(port, &p)).await.unwrap_err();
    assert_eq!(e.code, "ECONNRESET");
    let options = trusting(port, &p);
    let e = tokio::task::spawn_blocking(move || sanstls_node::connect(&options).unwrap_err())
        .await
        .unwrap();
    assert_eq!(e.code, "ECONNRESET");
    closer.await.unwrap();
}

/// test-tls-handshake-error.js: no cipher in common fails the client with the server's
/// alert, not ECONNRESET, and a Node client sees the same code against our server; the
/// server reports its side to `tlsClientError`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_shared_cipher_fails_like_node() {
    let p = Pki::new("handshake-error", "localhost");
    let server = create_server(
        ServerOptions {
            context: SecureContextOptions {
                ciphers: Some("ECDHE-ECDSA-AES128-GCM-SHA256".into()),
                max_version: Some("TLSv1.2".into()),
                ..context(&p)
            },
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    server.on_tls_client_error(move |e, _| seen.lock().unwrap().push(e.code));
    let (l, port) = listener().await;
    let options = ConnectOptions {
        context: SecureContextOptions {
            ciphers: Some("ECDHE-ECDSA-AES256-GCM-SHA384".into()),
            max_version: Some("TLSv1.2".into()),
            ca: Some(vec![p.cert_pem.clone()]),
            ..Default::default()
        },
        ..trusting(port, &p)
    };
    let serving = async {
        let (tcp, _) = l.accept().await.unwrap();
        server.accept_tokio(tcp).await.unwrap_err()
    };
    let (ours, theirs) = tokio::join!(connect(&options), serving);
    let ours = ours.unwrap_err();
    assert_ne!(ours.code, "ECONNRESET");
    assert_eq!(ours.code, "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE");
    assert_eq!(theirs.code, "ERR_SSL_NO_SHARED_CIPHER");
    // A Node client says the same.
    let script = include_str!("node/client_info.js");
    let args = vec![
        port.to_string(),
        "TLSv1.2".into(),
        "ECDHE-ECDSA-AES256-GCM-SHA384".into(),
    ];
    let node = tokio::spawn(node_line(script, args));
    let (tcp, _) = l.accept().await.unwrap();
    let _ = server.accept_tokio(tcp).await.unwrap_err();
    let printed: serde_json::Value = serde_json::from_str(&node.await.unwrap()).unwrap();
    assert_eq!(printed["error"], ours.code.as_str());
    assert_eq!(errors.lock().unwrap().len(), 2);
}

/// test-tls-getpeercertificate-multiple.js: asking twice gives the same certificate,
/// before and after data moved.
#[tokio::test(flavor = "current_thread")]
async fn get_peer_certificate_twice_is_the_same() {
    let p = Pki::new("peercert-twice", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let (l, port) = listener().await;
    let (c, mut s) = tokio::join!(connect(&trusting(port, &p)), accept_one(&l, config));
    let mut c = c.unwrap();
    let first = c.get_peer_certificate(true).unwrap();
    assert_eq!(c.get_peer_certificate(true).unwrap(), first);
    c.write_all(b"x").await.unwrap();
    let mut b = [0u8; 1];
    s.read_exact(&mut b).await.unwrap();
    assert_eq!(c.get_peer_certificate(true).unwrap(), first);
    assert_eq!(first.subject.get("CN").unwrap().values(), ["localhost"]);
}

/// test-tls-async-cb-after-socket-end.js: a `resumeSession` answered after the client
/// went away fails that handshake only; the server goes on serving.
#[tokio::test(flavor = "current_thread")]
async fn a_session_answer_after_the_client_left_harms_nothing() {
    let p = Pki::new("cb-after-end", "localhost");
    let server = create_server(
        ServerOptions {
            context: SecureContextOptions {
                max_version: Some("TLSv1.2".into()),
                secure_options: 1 << 14, // SSL_OP_NO_TICKET
                ..context(&p)
            },
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let store = Arc::new(Mutex::new(None::<(Vec<u8>, Vec<u8>)>));
    let put = store.clone();
    server
        .on_new_session(move |id, data| *put.lock().unwrap() = Some((id.to_vec(), data.to_vec())));
    type Held = Vec<Answer<Option<Vec<u8>>>>;
    let held: Arc<Mutex<Held>> = Arc::default();
    let hold = held.clone();
    let known = store.clone();
    server.on_resume_session(move |id, answer| {
        // Our client's first hello carries a random session id (TLS 1.3 compatibility
        // mode): unknown ids are answered at once; the known one is held.
        match known.lock().unwrap().as_ref().is_some_and(|(k, _)| k == id) {
            true => hold.lock().unwrap().push(answer),
            false => answer.answer(None),
        }
    });
    let (l, port) = listener().await;
    // First connection: a full handshake and a session in the store.
    let (c, s) = tokio::join!(connect(&tls12_client(port, &p)), async {
        let (tcp, _) = l.accept().await.unwrap();
        server.accept_tokio(tcp).await.unwrap()
    });
    let session = c.unwrap().get_session();
    drop(s);
    assert!(store.lock().unwrap().is_some() && session.is_some());
    // Second: the client leaves while the lookup is pending; the answer comes later.
    let options = ConnectOptions {
        session,
        ..tls12_client(port, &p)
    };
    let client = tokio::spawn(async move {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut c = async_tokio::prepare(tcp, &options).unwrap();
        // Send the ClientHello, then go away.
        let _ = tokio::time::timeout(Duration::from_millis(100), c.handshake()).await;
    });
    let (tcp, _) = l.accept().await.unwrap();
    let serving = server.accept_tokio(tcp);
    let answering = async {
        client.await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let answer = held.lock().unwrap().pop().expect("resumeSession was asked");
        answer.answer(store.lock().unwrap().as_ref().map(|(_, d)| d.clone()));
    };
    let (served, ()) = tokio::time::timeout(LIMIT, async { tokio::join!(serving, answering) })
        .await
        .unwrap();
    assert!(served.is_err());
    // The server still serves.
    let (c, s) = tokio::join!(connect(&tls12_client(port, &p)), async {
        let (tcp, _) = l.accept().await.unwrap();
        server.accept_tokio(tcp).await
    });
    assert!(c.unwrap().authorized() && s.is_ok());
}

/// test-tls-ticket.js: servers sharing `ticketKeys` resume each other's sessions: each
/// connection goes to the next server, and all after the first resume with one ticket.
#[tokio::test(flavor = "current_thread")]
async fn servers_sharing_ticket_keys_resume_each_others_sessions() {
    let p = Pki::new("ticket", "localhost");
    let keys = [7u8; 48];
    let servers: Vec<_> = (0..4)
        .map(|_| {
            create_server(
                ServerOptions {
                    context: SecureContextOptions {
                        max_version: Some("TLSv1.2".into()),
                        ..context(&p)
                    },
                    ticket_keys: Some(keys),
                    ..Default::default()
                },
                |_| {},
            )
            .unwrap()
        })
        .collect();
    let (l, port) = listener().await;
    let mut session = None;
    let mut tickets = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        let options = ConnectOptions {
            session: session.clone(),
            ..trusting(port, &p)
        };
        let (c, s) = tokio::join!(connect(&options), async {
            let (tcp, _) = l.accept().await.unwrap();
            server.accept_tokio(tcp).await.unwrap()
        });
        let c = c.unwrap();
        assert_eq!(c.is_session_reused(), i > 0, "connection {i}");
        assert_eq!(s.is_session_reused(), i > 0, "connection {i}");
        session = c.get_session().or(session);
        tickets.push(c.get_tls_ticket().map(|t| common::hex(&t)));
    }
    assert!(tickets[0].is_some());
    assert!(tickets.windows(2).all(|w| w[0] == w[1]), "{tickets:?}");
}

/// test-tls-session-cache.js: an asynchronous external store (`newSession` answered
/// later, `resumeSession` after a delay): six connections, one new session and five
/// resumptions; with an invalid session returned, six new sessions and no resumption (and
/// no crash).
#[tokio::test(flavor = "current_thread")]
async fn an_async_session_store_resumes_five_of_six() {
    for invalid in [false, true] {
        let p = Pki::new("session-cache", "localhost");
        let server = create_server(
            ServerOptions {
                context: SecureContextOptions {
                    max_version: Some("TLSv1.2".into()),
                    secure_options: 1 << 14, // SSL_OP_NO_TICKET
                    ..context(&p)
                },
                ..Default::default()
            },
            |_| {},
        )
        .unwrap();
        let stored = Arc::new(Mutex::new(None::<(Vec<u8>, Vec<u8>)>));
        let (new_count, resume_count) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (put, n) = (stored.clone(), new_count.clone());
        server.on_new_session(move |id, data| {
            n.fetch_add(1, Ordering::SeqCst);
            put.lock()
                .unwrap()
                .get_or_insert((id.to_vec(), data.to_vec()));
        });
        let (get, r) = (stored.clone(), resume_count.clone());
        server.on_resume_session(move |id, answer| {
            r.fetch_add(1, Ordering::SeqCst);
            let data = match invalid {
                true => Some(b"INVALID SESSION".to_vec()),
                false => get
                    .lock()
                    .unwrap()
                    .clone()
                    .filter(|(k, _)| k == id)
                    .map(|(_, d)| d),
            };
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                answer.answer(data);
            });
        });
        let (l, port) = listener().await;
        let mut session = None;
        let mut reused = 0;
        for _ in 0..6 {
            let options = ConnectOptions {
                session: session.clone(),
                ..tls12_client(port, &p)
            };
            let (c, s) = tokio::join!(connect(&options), async {
                let (tcp, _) = l.accept().await.unwrap();
                server.accept_tokio(tcp).await.unwrap()
            });
            reused += usize::from(s.is_session_reused());
            drop(s);
            session = c.unwrap().get_session().or(session);
        }
        let (new, asked) = (
            new_count.load(Ordering::SeqCst),
            resume_count.load(Ordering::SeqCst),
        );
        // The store is asked about every hello with a session id, and our client's first
        // one carries a random id (TLS 1.3 compatibility mode, as OpenSSL's client does
        // unless TLS 1.2-only): six lookups where Node's `s_client -tls1` run has five.
        assert_eq!(asked, 6);
        match invalid {
            false => assert_eq!((new, reused), (1, 5)),
            true => assert_eq!((new, reused), (6, 0)),
        }
    }
}

/// test-tls-connect-simple.js: two clients at once, both secure, and the server's handler
/// sees two connections (here through `Server::serve_tokio`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_connect_to_one_server() {
    let p = Pki::new("connect-simple", "localhost");
    let server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    let (l, port) = listener().await;
    let serving = tokio::spawn(server.serve_tokio(l, move |mut s| {
        let count = count.clone();
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            let _ = s.shutdown().await;
        }
    }));
    let options = trusting(port, &p);
    let (a, b) = tokio::join!(connect(&options), connect(&options));
    let (mut a, mut b) = (a.unwrap(), b.unwrap());
    assert!(a.authorized() && b.authorized());
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let _ = tokio::join!(a.read_to_end(&mut x), b.read_to_end(&mut y));
    assert_eq!(served.load(Ordering::SeqCst), 2);
    serving.abort();
}

/// test-tls-close-notify.js: close_notify without shutting TCP down still ends the
/// client's reading (`end`).
#[tokio::test(flavor = "current_thread")]
async fn close_notify_alone_ends_the_peers_reading() {
    let p = Pki::new("close-notify", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let (l, port) = listener().await;
    let (c, mut s) = tokio::join!(connect(&trusting(port, &p)), accept_one(&l, config));
    let mut c = c.unwrap();
    s.end().await.unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(LIMIT, c.read_to_end(&mut rest))
        .await
        .expect("no end")
        .unwrap();
    assert!(rest.is_empty());
    // The TCP connection is still open: the server can still read what the client sends.
    c.write_all(b"after").await.unwrap();
    let mut b = [0u8; 5];
    s.read_exact(&mut b).await.unwrap();
    assert_eq!(&b, b"after");
}

/// test-tls-sni-server-client.js: an asynchronous `SNICallback` picks each name's
/// context; a name it does not know gets the default one.
#[tokio::test(flavor = "current_thread")]
async fn sni_callback_picks_the_context_per_name() {
    let names = ["a.example.com", "b.example.com"];
    let pkis: Vec<Pki> = names.iter().map(|n| Pki::new(n, n)).collect();
    let default = Pki::new("default", "localhost");
    let contexts: Vec<_> = pkis
        .iter()
        .map(|p| create_secure_context(&context(p)).unwrap())
        .collect();
    let server = create_server(
        ServerOptions {
            context: context(&default),
            sni_callback: Some(Arc::new(move |name: &str, answer| {
                let found = names
                    .iter()
                    .position(|n| *n == name)
                    .map(|i| contexts[i].clone());
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    answer.answer(found);
                });
            })),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let (l, port) = listener().await;
    for (name, p) in [
        ("a.example.com", &pkis[0]),
        ("b.example.com", &pkis[1]),
        ("c.wrong.com", &default),
    ] {
        let options = ConnectOptions {
            servername: Some(name.into()),
            reject_unauthorized: false,
            ..trusting(port, p)
        };
        let (c, s) = tokio::join!(connect(&options), async {
            let (tcp, _) = l.accept().await.unwrap();
            server.accept_tokio(tcp).await.unwrap()
        });
        let c = c.unwrap();
        let cn = c.get_peer_certificate(false).unwrap().subject;
        let expected = if name == "c.wrong.com" {
            "localhost"
        } else {
            name
        };
        assert_eq!(cn.get("CN").unwrap().values(), [expected], "{name}");
        assert_eq!(s.servername().as_deref(), Some(name));
    }
}

/// test-tls-connect-given-socket.js: `tls.connect({ socket })` over a TCP connection the
/// caller made, and a second TLS connection over the same listener afterwards.
#[tokio::test(flavor = "current_thread")]
async fn connect_over_a_given_socket() {
    let p = Pki::new("given-socket", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let (l, port) = listener().await;
    for _ in 0..2 {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let options = trusting(port, &p);
        let (c, mut s) = tokio::join!(
            async_tokio::connect_over(tcp, &options),
            accept_one(&l, config.clone())
        );
        let mut c = c.unwrap();
        assert!(c.authorized());
        assert!(c.get_ref().peer_addr().is_ok());
        s.write_all(b"ok").await.unwrap();
        let mut b = [0u8; 2];
        c.read_exact(&mut b).await.unwrap();
        assert_eq!(&b, b"ok");
    }
}
