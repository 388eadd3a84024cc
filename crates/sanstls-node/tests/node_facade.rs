//! The facade (`create_server`, `connect`, `add_context`, `requestCert`, sessions) against
//! Node's own `tls` module: what each side reports must agree.

// Tests spawn processes and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use common::{context, first_line, node, Pki};
use sanstls_node::{
    connect, create_server, ConnectOptions, SecureContextOptions, ServerOptions, TlsError,
};
use sanstls_pki::keys::KeyInput;
use serde_json::Value;

/// An echo server (Node's documentation example) answering one line per connection.
fn echo_server(options: ServerOptions) -> sanstls_node::Server {
    let mut server = create_server(options, |mut socket| {
        let mut buf = [0u8; 1024];
        if let Ok(n) = socket.read(&mut buf) {
            let reply = format!(
                "{}|authorized={}|alpn={}",
                String::from_utf8_lossy(&buf[..n]),
                socket.authorized(),
                socket.alpn_protocol().unwrap_or_default()
            );
            let _ = socket.write_all(reply.as_bytes());
        }
        let _ = socket.end();
    })
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    server
}

/// A Node client: connects with `opts` (a JS object literal using `port`, `ca`, `cert`,
/// `key`), sends "hello", prints what it saw and the answer as JSON.
fn node_client(port: u16, opts: &str, files: &[&str]) -> Value {
    let script = format!(
        "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
         const s = tls.connect({{port: +a[1], host: '127.0.0.1', {opts}}}, () => s.write('hello'));\
         let data = '';\
         s.on('data', d => data += d);\
         s.on('end', () => console.log(JSON.stringify({{authorized: s.authorized, \
           authorizationError: s.authorizationError || null, protocol: s.getProtocol(), \
           cn: s.getPeerCertificate().subject.CN, data}})));\
         s.on('error', e => console.log(JSON.stringify({{error: e.code}})));"
    );
    let port = port.to_string();
    let mut args = vec![port.as_str()];
    args.extend_from_slice(files);
    let mut child = node(&script, &args);
    let line = first_line(&mut child);
    let _ = child.wait();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn node_client_against_our_echo_server_with_alpn_and_sni_contexts() {
    let (main, other) = (
        Pki::new("echo-main", "localhost"),
        Pki::new("echo-other", "other.test"),
    );
    let server = echo_server(ServerOptions {
        context: context(&main),
        alpn_protocols: vec!["h2".into(), "http/1.1".into()],
        ..Default::default()
    });
    server.add_context("*.test", &context(&other)).unwrap();
    let port = server.address().unwrap().port();

    let j = node_client(
        port,
        "servername: 'localhost', ca: fs.readFileSync(a[2]), ALPNProtocols: ['http/1.1']",
        &[&main.cert_path()],
    );
    assert_eq!(j["authorized"], true, "{j}");
    assert_eq!(j["cn"], "localhost");
    assert_eq!(j["data"], "hello|authorized=false|alpn=http/1.1", "{j}");

    // SNI picks the context added for *.test.
    let j = node_client(
        port,
        "servername: 'other.test', ca: fs.readFileSync(a[2])",
        &[&other.cert_path()],
    );
    assert_eq!(j["authorized"], true, "{j}");
    assert_eq!(j["cn"], "other.test");
}

#[test]
fn request_cert_authorizes_node_clients_with_a_trusted_certificate() {
    let (srv, client, stranger) = (
        Pki::new("rc-server", "localhost"),
        Pki::new("rc-client", "client"),
        Pki::new("rc-stranger", "stranger"),
    );
    let mut ctx = context(&srv);
    ctx.ca = Some(vec![client.cert_pem.clone()]);
    let options = ServerOptions {
        context: ctx,
        request_cert: true,
        reject_unauthorized: false,
        ..Default::default()
    };
    let server = echo_server(options);
    let port = server.address().unwrap().port();
    let js = "servername: 'localhost', ca: fs.readFileSync(a[2]), \
              cert: fs.readFileSync(a[3]), key: fs.readFileSync(a[4])";
    let j = node_client(
        port,
        js,
        &[&srv.cert_path(), &client.cert_path(), &client.key_path()],
    );
    assert_eq!(j["data"], "hello|authorized=true|alpn=", "{j}");
    // rejectUnauthorized: false on the server: a certificate it does not trust gets in,
    // unauthorized.
    let j = node_client(
        port,
        js,
        &[
            &srv.cert_path(),
            &stranger.cert_path(),
            &stranger.key_path(),
        ],
    );
    assert_eq!(j["data"], "hello|authorized=false|alpn=", "{j}");
}

/// A Node echo server that keeps serving; prints its port.
fn node_server(p: &Pki) -> (std::process::Child, u16) {
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const srv = tls.createServer({key: fs.readFileSync(a[1]), cert: fs.readFileSync(a[2])}, \
          s => s.on('data', d => s.end('reused=' + s.isSessionReused() + ' ' + d)));\
        srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));";
    let mut child = node(script, &[&p.key_path(), &p.cert_path()]);
    let port = first_line(&mut child).parse().unwrap();
    (child, port)
}

#[test]
fn connect_to_a_node_server_resumes_and_reports_refusals_like_node() {
    let p = Pki::new("connect", "localhost");
    let (mut child, port) = node_server(&p);
    let options = ConnectOptions {
        port,
        context: SecureContextOptions {
            ca: Some(vec![p.cert_pem.clone()]),
            ..Default::default()
        },
        ..Default::default()
    };
    let talk = |options: &ConnectOptions| {
        let mut s = connect(options).unwrap();
        let session = Arc::new(Mutex::new(None));
        let keep = session.clone();
        s.on_session(move |b| *keep.lock().unwrap() = Some(b.to_vec()));
        s.write_all(b"hi").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let got = session.lock().unwrap().clone();
        (s, answer, got)
    };
    // `lookup`: our resolver maps a made-up name to the loopback address; the certificate
    // is still checked against `servername`.
    let looked_up = ConnectOptions {
        host: "service.internal".into(),
        servername: Some("localhost".into()),
        lookup: Some(Arc::new(|host: &str| {
            assert_eq!(host, "service.internal");
            Ok(vec![std::net::IpAddr::from([127, 0, 0, 1])])
        })),
        ..options.clone()
    };
    let (_, answer, _) = talk(&looked_up);
    assert_eq!(answer, "reused=false hi");
    let (s, answer, from_event) = talk(&options);
    assert!(s.authorized());
    let cert = s.get_peer_certificate(false).unwrap();
    assert_eq!(cert.common_names(), ["localhost"]);
    assert_eq!(cert.raw, p.cert_der);
    assert_eq!(s.remote_port(), Some(port));
    assert_eq!(s.remote_family(), Some("IPv4"));
    assert_eq!(s.local_address().map(|a| a.is_loopback()), Some(true));
    assert_eq!(answer, "reused=false hi");
    let session = s.get_session().expect("a session to resume");
    // The `session` event carried the same bytes (the last ticket).
    assert_eq!(from_event.as_ref(), Some(&session));
    let resumed = ConnectOptions {
        session: Some(session),
        ..options.clone()
    };
    let (s, answer, _) = talk(&resumed);
    assert!(s.is_session_reused());
    assert_eq!(answer, "reused=true hi");
    // The session's handshake authenticated the server: the resumed socket says so, and
    // getPeerCertificate() gives the same certificate although none crossed the wire.
    assert!(s.authorized());
    assert_eq!(s.get_peer_certificate(false).unwrap().raw, p.cert_der);

    // Node's refusals: a name the certificate does not have; an untrusted certificate.
    let wrong_name = ConnectOptions {
        servername: Some("example.org".into()),
        ..options.clone()
    };
    let e: TlsError = connect(&wrong_name).unwrap_err();
    assert_eq!(e.code, "ERR_TLS_CERT_ALTNAME_INVALID");
    let untrusted = ConnectOptions {
        context: SecureContextOptions::default(),
        ..options.clone()
    };
    assert_eq!(
        connect(&untrusted).unwrap_err().code,
        "DEPTH_ZERO_SELF_SIGNED_CERT"
    );
    // rejectUnauthorized: false: connected, unauthorized, with the reason.
    let lenient = ConnectOptions {
        reject_unauthorized: false,
        ..untrusted
    };
    let (s, _, _) = talk(&lenient);
    assert!(!s.authorized());
    assert_eq!(
        s.authorization_error().as_deref(),
        Some("DEPTH_ZERO_SELF_SIGNED_CERT")
    );
    // Resuming that session reports the same refusal (it used to report authorized).
    let session = s.get_session().expect("a session");
    drop(s);
    let (s, answer, _) = talk(&ConnectOptions {
        session: Some(session),
        ..lenient.clone()
    });
    assert_eq!(answer, "reused=true hi");
    assert!(s.is_session_reused());
    assert!(!s.authorized());
    assert_eq!(
        s.authorization_error().as_deref(),
        Some("DEPTH_ZERO_SELF_SIGNED_CERT")
    );
    let _ = child.kill();
}

#[test]
fn root_certificates_are_mozillas_in_pem() {
    let roots = sanstls_node::root_certificates();
    assert!(roots.len() > 100, "{}", roots.len());
    assert!(roots
        .iter()
        .all(|r| r.starts_with("-----BEGIN CERTIFICATE-----")));
}

#[test]
fn context_options_are_checked_like_node() {
    let p = Pki::new("ctx", "localhost");
    let bad = |o: SecureContextOptions| sanstls_node::create_secure_context(&o).unwrap_err().code;
    assert_eq!(
        bad(SecureContextOptions {
            secure_protocol: Some("TLSv1_method".into()),
            ..Default::default()
        }),
        "ERR_TLS_INVALID_PROTOCOL_METHOD"
    );
    assert_eq!(
        bad(SecureContextOptions {
            min_version: Some("TLSv1.5".into()),
            ..Default::default()
        }),
        "ERR_TLS_INVALID_PROTOCOL_VERSION"
    );
    assert_eq!(
        bad(SecureContextOptions {
            ciphers: Some("RC4".into()),
            ..Default::default()
        }),
        "ERR_SSL_NO_CIPHER_MATCH"
    );
    let other = Pki::new("ctx-other", "localhost");
    assert_eq!(
        bad(SecureContextOptions {
            key: vec![KeyInput::new(other.key_pem.clone())],
            cert: vec![p.cert_pem.clone()],
            ..Default::default()
        }),
        "ERR_OSSL_X509_KEY_VALUES_MISMATCH"
    );
    // As Node 20: without TLS 1.3 names TLS 1.3 keeps its default suites; with only TLS
    // 1.3 names, TLS 1.2 is off.
    use sanstls::enums::ProtocolVersion;
    let ctx = sanstls_node::create_secure_context(&SecureContextOptions {
        ciphers: Some("ECDHE-ECDSA-AES128-GCM-SHA256".into()),
        ..context(&p)
    })
    .unwrap();
    let c = ctx.server_config();
    assert_eq!(c.max_version, ProtocolVersion::TLSv1_3);
    assert_eq!(c.cipher_suites.len(), 3);
    assert_eq!(c.tls12_cipher_suites.len(), 1);
    let ctx = sanstls_node::create_secure_context(&SecureContextOptions {
        ciphers: Some("TLS_AES_128_GCM_SHA256".into()),
        ..context(&p)
    })
    .unwrap();
    assert_eq!(ctx.server_config().min_version, ProtocolVersion::TLSv1_3);
}

#[test]
fn silent_clients_hit_the_handshake_timeout() {
    let p = Pki::new("timeout", "localhost");
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            handshake_timeout: std::time::Duration::from_millis(300),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    server.on_tls_client_error(move |e, _| seen.lock().unwrap().push(e.code));
    let addr = server.listen(0, "127.0.0.1").unwrap();
    let silent = std::net::TcpStream::connect(addr).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while errors.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(*errors.lock().unwrap(), ["ERR_TLS_HANDSHAKE_TIMEOUT"]);
    assert_eq!(server.get_connections(), 0);
    drop(silent);
    server.close();
}

#[test]
fn max_connections_bounds_the_connection_threads() {
    let p = Pki::new("maxconn", "localhost");
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            handshake_timeout: std::time::Duration::from_secs(5),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(
        server.max_connections(),
        Some(sanstls_node::server::DEFAULT_MAX_CONNECTIONS)
    );
    server.set_max_connections(Some(1));
    let addr = server.listen(0, "127.0.0.1").unwrap();
    // One silent client holds the only slot...
    let _silent = std::net::TcpStream::connect(addr).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.get_connections() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(server.get_connections(), 1);
    // ...so the next one is closed at once, as Node's maxConnections does.
    let mut turned_away = std::net::TcpStream::connect(addr).unwrap();
    turned_away
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(
        turned_away.read(&mut buf).unwrap_or(0),
        0,
        "closed without a byte"
    );
    assert_eq!(server.get_connections(), 1);
    server.set_max_connections(None);
    assert_eq!(server.max_connections(), None);
    server.close();
}

#[test]
fn debug_output_never_shows_a_passphrase() {
    let options = SecureContextOptions {
        passphrase: Some("hunter2".into()),
        ..Default::default()
    };
    let shown = format!("{options:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("<redacted>"),
        "{shown}"
    );
}

#[test]
fn server_hooks_answer_later_from_other_threads() {
    use std::collections::HashMap;
    let (main, sni) = (
        Pki::new("hooks-main", "localhost"),
        Pki::new("hooks-sni", "sni.test"),
    );
    let mut ctx = context(&main);
    // TLS 1.2 session ids only: no tickets, so resumption goes through the store.
    ctx.secure_options = sanstls_node::context::SSL_OP_NO_TICKET;
    ctx.max_version = Some("TLSv1.2".into());
    let sni_ctx = sanstls_node::create_secure_context(&SecureContextOptions {
        max_version: Some("TLSv1.2".into()),
        ..context(&sni)
    })
    .unwrap();
    let options = ServerOptions {
        context: ctx,
        // SNICallback answering from another thread.
        sni_callback: Some(Arc::new(move |name: &str, answer| {
            let ctx = (name == "sni.test").then(|| sni_ctx.clone());
            std::thread::spawn(move || answer.answer(ctx));
        })),
        ..Default::default()
    };
    let server = echo_server(options);
    let store: Arc<Mutex<HashMap<Vec<u8>, Vec<u8>>>> = Arc::default();
    let lookups = Arc::new(Mutex::new(0));
    let s = store.clone();
    server.on_new_session(move |id, data| {
        s.lock().unwrap().insert(id.to_vec(), data.to_vec());
    });
    let (s, n) = (store.clone(), lookups.clone());
    server.on_resume_session(move |id, answer| {
        *n.lock().unwrap() += 1;
        let data = s.lock().unwrap().get(id).cloned();
        // A store on the network answers later.
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            answer.answer(data)
        });
    });
    server.on_ocsp_request(|cert, _issuer, answer| {
        let mut response = b"ocsp-for-".to_vec();
        response.extend_from_slice(&cert[..4]);
        answer.answer(Some(response))
    });
    let port = server.address().unwrap().port().to_string();

    // Node resumes the session it got, asks for OCSP, and reports both.
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        function go(session, n) {\
          const s = tls.connect({port: +a[1], host: '127.0.0.1', servername: 'localhost', \
            ca: fs.readFileSync(a[2]), session, requestOCSP: true}, () => s.write('x'));\
          let ocsp = null; s.on('OCSPResponse', r => ocsp = r.toString('hex'));\
          s.on('data', () => {});\
          s.on('end', () => { console.log(JSON.stringify({n, reused: s.isSessionReused(), ocsp})); \
            if (n === 0) go(s.getSession(), 1); });\
        }\
        go(undefined, 0);";
    let mut child = node(script, &[&port, &main.cert_path()]);
    let mut out = String::new();
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let _ = child.wait();
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["reused"], false);
    assert_eq!(lines[1]["reused"], true, "{out}");
    let want = format!(
        "{}{}",
        common::hex(b"ocsp-for-"),
        common::hex(&main.cert_der[..4])
    );
    assert_eq!(lines[0]["ocsp"], want.as_str());
    assert_eq!(store.lock().unwrap().len(), 1);
    // Node's client offers TLS 1.3 too, so even its first hello carries a (compatibility)
    // session id, which the store is asked about, as Node's own server would ask.
    assert_eq!(*lookups.lock().unwrap(), 2);

    // SNICallback picks the other context for its name.
    let j = node_client(
        server.address().unwrap().port(),
        "servername: 'sni.test', ca: fs.readFileSync(a[2])",
        &[&sni.cert_path()],
    );
    assert_eq!(j["cn"], "sni.test", "{j}");
    assert_eq!(j["authorized"], true);
}

#[test]
fn alpn_callback_picks_from_the_clients_list() {
    let p = Pki::new("alpncb", "localhost");
    let server = echo_server(ServerOptions {
        context: context(&p),
        alpn_callback: Some(Arc::new(|name: Option<&str>, offered: &[String]| {
            assert_eq!(name, Some("localhost"));
            offered.last().cloned()
        })),
        ..Default::default()
    });
    let j = node_client(
        server.address().unwrap().port(),
        "servername: 'localhost', ca: fs.readFileSync(a[2]), ALPNProtocols: ['h2', 'http/1.1']",
        &[&p.cert_path()],
    );
    assert_eq!(j["data"], "hello|authorized=false|alpn=http/1.1", "{j}");
    // Both options at once are refused, as in Node.
    let both = create_server(
        ServerOptions {
            context: context(&p),
            alpn_protocols: vec!["h2".into()],
            alpn_callback: Some(Arc::new(|_: Option<&str>, _: &[String]| None)),
            ..Default::default()
        },
        |_| {},
    );
    assert_eq!(
        both.unwrap_err().code,
        "ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS"
    );
}

#[test]
fn facade_on_both_ends_keylog_ocsp_tickets_contexts_renegotiation_and_unix_sockets() {
    use sanstls_node::connect::{connect_unix, prepare};
    let (p, q) = (
        Pki::new("both", "localhost"),
        Pki::new("both-2", "localhost"),
    );
    let mut server = create_server(
        ServerOptions {
            context: SecureContextOptions {
                max_version: Some("TLSv1.2".into()),
                ..context(&p)
            },
            ..Default::default()
        },
        |mut socket| {
            let mut buf = [0u8; 64];
            while let Ok(n) = socket.read(&mut buf) {
                if n == 0 || socket.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        },
    )
    .unwrap();
    server.on_ocsp_request(|_, _, answer| answer.answer(Some(b"staple".to_vec())));
    let addr = server.listen(0, "127.0.0.1").unwrap();
    let options = ConnectOptions {
        port: addr.port(),
        context: SecureContextOptions {
            ca: Some(vec![p.cert_pem.clone(), q.cert_pem.clone()]),
            ..Default::default()
        },
        request_ocsp: true,
        key_log: true,
        ..Default::default()
    };
    let tcp = std::net::TcpStream::connect(addr).unwrap();
    let mut s = prepare(tcp, &options).unwrap();
    let (lines, staple) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(None)));
    let (l, st) = (lines.clone(), staple.clone());
    s.on_keylog(move |line| {
        l.lock()
            .unwrap()
            .push(String::from_utf8_lossy(line).into_owned())
    });
    s.on_ocsp_response(move |der| *st.lock().unwrap() = Some(der.to_vec()));
    s.handshake().unwrap();
    assert_eq!(staple.lock().unwrap().as_deref(), Some(&b"staple"[..]));
    assert!(
        lines.lock().unwrap()[0].starts_with("CLIENT_RANDOM "),
        "{:?}",
        lines
    );
    // TLS 1.2 renegotiation through the facade; data flows after it.
    let before = s.get_finished();
    s.renegotiate().unwrap();
    assert_ne!(s.get_finished(), before);
    s.write_all(b"after").unwrap();
    let mut buf = [0u8; 5];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"after");
    drop(s);

    // Ticket keys in Node's layout round-trip and rotate.
    let keys = server.get_ticket_keys().unwrap();
    server.set_ticket_keys(&[7u8; 48]).unwrap();
    assert_eq!(server.get_ticket_keys().unwrap(), [7u8; 48]);
    assert_ne!(keys, [7u8; 48]);

    // setSecureContext: new connections see the new certificate.
    server.set_secure_context(&context(&q)).unwrap();
    let s = connect(&options).unwrap();
    assert_eq!(s.get_peer_certificate(false).unwrap().raw, q.cert_der);

    // connect({ path }): a Unix socket served by a TlsSocket on the other end.
    let path = q.dir.path("tls.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let config = Arc::new(
        sanstls_node::create_secure_context(&context(&q))
            .unwrap()
            .server_config(),
    );
    let t = std::thread::spawn(move || {
        let (io, _) = listener.accept().unwrap();
        let mut s = sanstls_node::TlsSocket::server(io, config).unwrap();
        let mut got = String::new();
        s.read_to_string(&mut got).unwrap();
        got
    });
    let mut s = connect_unix(&path, &options).unwrap();
    assert!(s.authorized());
    s.write_all(b"over a unix socket").unwrap();
    s.end().unwrap();
    drop(s);
    assert_eq!(t.join().unwrap(), "over a unix socket");
}

#[test]
fn secure_pairs_talk_through_their_encrypted_ends() {
    let p = Pki::new("pair", "localhost");
    let server_ctx = sanstls_node::create_secure_context(&context(&p)).unwrap();
    let client_ctx = sanstls_node::create_secure_context(&SecureContextOptions {
        ca: Some(vec![p.cert_pem.clone()]),
        ..Default::default()
    })
    .unwrap();
    let mut server = sanstls_node::create_secure_pair(&server_ctx, true, false, true, "").unwrap();
    let mut client =
        sanstls_node::create_secure_pair(&client_ctx, false, false, true, "localhost").unwrap();
    client.cleartext_write(b"through the pair").unwrap();
    for _ in 0..8 {
        let mut wire = Vec::new();
        client.encrypted_read(&mut wire);
        server.encrypted_write(&wire).unwrap();
        wire.clear();
        server.encrypted_read(&mut wire);
        client.encrypted_write(&wire).unwrap();
    }
    assert!(client.is_secure() && server.is_secure());
    let mut buf = [0u8; 32];
    let n = server.cleartext_read(&mut buf);
    assert_eq!(&buf[..n], b"through the pair");
    assert_eq!(client.connection().negotiated().authorization_error, None);
}

#[test]
fn sigalgs_limit_what_we_offer_and_shared_sigalgs_match_nodes_view() {
    let p = Pki::new("sigalgs", "localhost");
    // A Node server (EC key) that reports what it shares with us.
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const srv = tls.createServer({key: fs.readFileSync(a[1]), cert: fs.readFileSync(a[2])}, \
          s => s.end(JSON.stringify(s.getSharedSigalgs())));\
        srv.on('tlsClientError', () => {});\
        srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));";
    let mut child = node(script, &[&p.key_path(), &p.cert_path()]);
    let port = first_line(&mut child).parse().unwrap();
    let options = |sigalgs: &str| ConnectOptions {
        port,
        context: SecureContextOptions {
            ca: Some(vec![p.cert_pem.clone()]),
            sigalgs: Some(sigalgs.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut s = connect(&options("ECDSA+SHA256:rsa_pss_rsae_sha256")).unwrap();
    let mut shared = String::new();
    s.read_to_string(&mut shared).unwrap();
    assert_eq!(shared, r#"["ECDSA+SHA256","RSA-PSS+SHA256"]"#);
    // Nothing the server's EC key can sign with: the handshake fails.
    assert!(connect(&options("RSA-PSS+SHA256")).is_err());
    let _ = child.kill();

    // Our server: what a Node client offers, limited to what we sign with.
    let mut ctx = context(&p);
    ctx.sigalgs = Some("ECDSA+SHA256:ed25519".into());
    let shared = Arc::new(Mutex::new(Vec::new()));
    let seen = shared.clone();
    let mut server = create_server(
        ServerOptions {
            context: ctx,
            ..Default::default()
        },
        move |mut socket| {
            *seen.lock().unwrap() = socket.get_shared_sigalgs();
            let _ = socket.write_all(b"ok");
            let _ = socket.end();
        },
    )
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    let j = node_client(
        server.address().unwrap().port(),
        "servername: 'localhost', ca: fs.readFileSync(a[2])",
        &[&p.cert_path()],
    );
    assert_eq!(j["data"], "ok", "{j}");
    assert_eq!(*shared.lock().unwrap(), ["ECDSA+SHA256", "ed25519"]);
}

#[test]
fn server_renegotiates_to_ask_for_a_client_certificate() {
    let (srv, client) = (
        Pki::new("reneg-srv", "localhost"),
        Pki::new("reneg-cli", "client"),
    );
    let server_ctx = sanstls_node::create_secure_context(&SecureContextOptions {
        max_version: Some("TLSv1.2".into()),
        ..context(&srv)
    })
    .unwrap();
    // Node: socket.renegotiate({ requestCert: true, rejectUnauthorized: true }).
    let mut strict = server_ctx.server_config();
    strict.client_verifier = Some(Arc::new(sanstls_pki::tls::NodeClientVerifier::new(
        sanstls_pki::verify::Verifier::new(vec![client.cert_der.clone()]).unwrap(),
        true,
    )));
    let strict = Arc::new(strict);
    let config = Arc::new(server_ctx.server_config());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let mut s = sanstls_node::TlsSocket::server(tcp, config).unwrap();
        s.handshake().unwrap();
        assert!(s.peer_certificate_chain().is_empty());
        s.renegotiate_with(strict).unwrap();
        let n = s.peer_certificate_chain().len();
        s.write_all(format!("peer certificates: {n}").as_bytes())
            .unwrap();
        s.end().unwrap();
    });
    let options = ConnectOptions {
        port: addr.port(),
        context: SecureContextOptions {
            ca: Some(vec![srv.cert_pem.clone()]),
            ..context(&client)
        },
        ..Default::default()
    };
    let mut s = connect(&options).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    t.join().unwrap();
    assert_eq!(answer, "peer certificates: 1");
}

#[test]
fn server_keylog_lines_equal_the_node_clients() {
    let p = Pki::new("keylog", "localhost");
    let server = echo_server(ServerOptions {
        context: context(&p),
        ..Default::default()
    });
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l = lines.clone();
    server.on_keylog(move |line| {
        l.lock()
            .unwrap()
            .push(String::from_utf8_lossy(line).into_owned())
    });
    let port = server.address().unwrap().port().to_string();
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const lines = [];\
        const s = tls.connect({port: +a[1], host: '127.0.0.1', servername: 'localhost', \
          ca: fs.readFileSync(a[2])}, () => s.write('x'));\
        s.on('keylog', l => lines.push(l.toString()));\
        s.on('data', () => {}); s.on('end', () => console.log(JSON.stringify(lines.sort())));";
    let mut child = node(script, &[&port, &p.cert_path()]);
    let theirs: Vec<String> = serde_json::from_str(&first_line(&mut child)).unwrap();
    let mut ours = lines.lock().unwrap().clone();
    ours.sort();
    assert_eq!(
        ours.len(),
        5,
        "TLS 1.3: five secrets per connection: {ours:?}"
    );
    assert_eq!(ours, theirs);
}
