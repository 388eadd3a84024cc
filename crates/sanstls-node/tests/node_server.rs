//! The server's Node behaviours (addContext, SNICallback, ALPNCallback, tlsClientError,
//! close, renegotiation guards, keylog, createSecurePair), each compared with what Node 20
//! itself does: the scripts under tests/node/ run Node's own server for the reference and
//! Node's client against ours. Each test names the Node test file it follows.

// Tests spawn processes and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use common::{first_line, node, Pki};
use sanstls_node::server::Answer;
use sanstls_node::{
    create_secure_context, create_server, ConnectOptions, SecureContext, SecureContextOptions,
    Server, ServerOptions, TlsError, TlsSocket,
};
use sanstls_pki::keys::KeyInput;
use sanstls_test::TempDir;
use serde_json::{json, Value};

const SNI_REFERENCE: &str = include_str!("node/sni_reference.js");
const SNI_CLIENT: &str = include_str!("node/sni_names_client.js");
const ALPN_REFERENCE: &str = include_str!("node/alpn_reference.js");
const ALPN_CLIENT: &str = include_str!("node/alpn_client.js");
const RENEG_REFERENCE: &str = include_str!("node/reneg_reference.js");
const RENEG_CLIENT: &str = include_str!("node/reneg_client.js");

/// Three certificates whose CNs are `a`, `b` and `c`, also written as `a.key`, `a.crt`...
/// into one directory for the Node scripts.
struct Certs {
    dir: TempDir,
    pki: Vec<Pki>,
}

impl Certs {
    fn new(tag: &str) -> Self {
        let dir = TempDir::new(tag);
        let pki: Vec<Pki> = ["a", "b", "c"]
            .iter()
            .map(|n| Pki::new(&format!("{tag}-{n}"), n))
            .collect();
        for (n, p) in ["a", "b", "c"].iter().zip(&pki) {
            std::fs::write(dir.path(&format!("{n}.key")), &p.key_pem).unwrap();
            std::fs::write(dir.path(&format!("{n}.crt")), &p.cert_pem).unwrap();
        }
        Self { dir, pki }
    }

    fn dir(&self) -> String {
        self.dir.dir().to_string_lossy().into_owned()
    }

    /// The context options of certificate `n` (0: `a`, 1: `b`, 2: `c`).
    fn context(&self, n: usize) -> SecureContextOptions {
        SecureContextOptions {
            key: vec![KeyInput::new(self.pki[n].key_pem.clone())],
            cert: vec![self.pki[n].cert_pem.clone()],
            ..Default::default()
        }
    }
}

/// Runs a Node script and parses the one JSON line it prints.
fn node_json(script: &str, args: &[&str]) -> Value {
    let mut child = node(script, args);
    let line = first_line(&mut child);
    let _ = child.wait();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

/// A server answering each secure connection by reading once and ending.
fn listening(options: ServerOptions) -> Server {
    let mut server = create_server(options, |mut socket| {
        let mut buf = [0u8; 64];
        let _ = socket.read(&mut buf);
        let _ = socket.end();
    })
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    server
}

fn port(server: &Server) -> String {
    server.address().unwrap().port().to_string()
}

/// The names sni_reference.js asks its addContext server for.
const NAMES: [&str; 8] = [
    "foo.example.com",
    "bar.example.com",
    "example.com",
    "a.b.example.com",
    "localhost",
    "upper.test",
    "Upper.test",
    "x.f.example.com",
];

/// Follows test-tls-add-context.js and test-tls-sni-server-client.js: contexts added
/// with Node's patterns (`*.example.com`, `f*.example.com`, `*` alone, an upper-case
/// name) answer exactly the names they answer in Node, the last added match winning, and
/// an empty name is refused with Node's code.
#[test]
fn add_context_patterns_and_order_are_nodes() {
    let certs = Certs::new("addctx");
    let reference = node_json(SNI_REFERENCE, &[&certs.dir()]);
    let server = listening(ServerOptions {
        context: certs.context(0),
        ..Default::default()
    });
    server
        .add_context("*.example.com", &certs.context(1))
        .unwrap();
    server
        .add_context("f*.example.com", &certs.context(2))
        .unwrap();
    server.add_context("*", &certs.context(1)).unwrap();
    server.add_context("Upper.test", &certs.context(2)).unwrap();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let e = errors.clone();
    server.on_tls_client_error(move |err, _| e.lock().unwrap().push(err.code));
    let port = port(&server);
    let mut args = vec![port.as_str()];
    args.extend(NAMES);
    let ours = node_json(SNI_CLIENT, &args);
    assert_eq!(ours, reference["addContext"], "Node: {reference}");
    assert_eq!(json!(*errors.lock().unwrap()), reference["addErrors"]);
    let empty = server.add_context("", &certs.context(1)).unwrap_err();
    assert_eq!(json!(empty.code), reference["emptyName"]);
}

/// Follows test-tls-sni-option.js: an `SNICallback` answers from another thread with a
/// context, with none (the default context), or with an error, which ends the handshake
/// as in Node (the client sees the connection close, `tlsClientError` gets the error and
/// the socket with its servername); contexts added with `addContext` are not consulted.
#[test]
fn sni_callback_answers_fails_and_replaces_added_contexts() {
    let certs = Certs::new("snicb");
    let reference = node_json(SNI_REFERENCE, &[&certs.dir()]);
    let c_context = create_secure_context(&certs.context(2)).unwrap();
    let server = listening(ServerOptions {
        context: certs.context(0),
        sni_callback: Some(Arc::new(
            move |name: &str, answer: Answer<Option<SecureContext>>| {
                let (name, c) = (name.to_string(), c_context.clone());
                std::thread::spawn(move || match name.as_str() {
                    "bad.test" => {
                        answer.fail(TlsError::new("ERR_SNI", format!("no context for {name}")))
                    }
                    "c.test" => answer.answer(Some(c)),
                    _ => answer.answer(None),
                });
            },
        )),
        ..Default::default()
    });
    server.add_context("*.test", &certs.context(1)).unwrap();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let e = errors.clone();
    server.on_tls_client_error(move |err, socket| {
        let name = socket.and_then(|s| s.servername());
        e.lock().unwrap().push(json!([err.message, name]));
    });
    let port = port(&server);
    let ours = node_json(SNI_CLIENT, &[&port, "c.test", "other.test", "bad.test"]);
    assert_eq!(ours, reference["sni"], "Node: {reference}");
    assert_eq!(json!(*errors.lock().unwrap()), reference["sniErrors"]);
}

/// Follows test-tls-sni-servername.js: the server's socket reports the name the client
/// asked for, and the client's its own.
#[test]
fn the_servername_reaches_both_sockets() {
    let certs = Certs::new("sniname");
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut server = create_server(
        ServerOptions {
            context: certs.context(0),
            ..Default::default()
        },
        move |mut socket| {
            let _ = tx.lock().unwrap().send(socket.servername());
            let _ = socket.end();
        },
    )
    .unwrap();
    let addr = server.listen(0, "127.0.0.1").unwrap();
    let client = sanstls_node::connect(&ConnectOptions {
        host: "127.0.0.1".into(),
        port: addr.port(),
        servername: Some("a.example.com".into()),
        reject_unauthorized: false,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(client.servername().as_deref(), Some("a.example.com"));
    let seen = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(seen.as_deref(), Some("a.example.com"));
}

/// The ALPNCallback server for `case` (as in alpn_reference.js), with the
/// `tlsClientError` [code, message] pairs it collects.
fn alpn_server(certs: &Certs, case: &'static str) -> (Server, Arc<Mutex<Vec<Value>>>) {
    let server = listening(ServerOptions {
        context: certs.context(0),
        alpn_callback: Some(Arc::new(
            move |_: Option<&str>, offered: &[String]| match case {
                "none" => None,
                "invalid" => Some("h3".into()),
                _ => offered.get(1).cloned(),
            },
        )),
        ..Default::default()
    });
    let errors = Arc::new(Mutex::new(Vec::new()));
    let e = errors.clone();
    server
        .on_tls_client_error(move |err, _| e.lock().unwrap().push(json!([err.code, err.message])));
    (server, errors)
}

/// Follows test-tls-alpn-server-client.js (its ALPNCallback cases): a callback answering
/// one of the client's protocols agrees on it; answering `None` ends the handshake with
/// the fatal `no_application_protocol` alert, so that Node's client sees
/// `ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL` and our `tlsClientError`
/// `ERR_SSL_NO_APPLICATION_PROTOCOL`, as Node's server reports it.
#[test]
fn alpn_callback_none_ends_the_handshake_like_node() {
    let certs = Certs::new("alpnnone");
    let reference = node_json(ALPN_REFERENCE, &[&certs.dir()]);
    for case in ["second", "none"] {
        let (server, errors) = alpn_server(&certs, case);
        let ours = node_json(ALPN_CLIENT, &[&port(&server)]);
        let node = &reference[case];
        assert_eq!(
            ours["client"], node["client"],
            "{case}: {ours} vs Node {node}"
        );
        assert_eq!(
            ours["clientError"][0], node["clientError"][0],
            "{case}: {ours} vs Node {node}"
        );
        // OpenSSL's message text differs; the codes are Node's.
        let codes: Vec<Value> = errors
            .lock()
            .unwrap()
            .iter()
            .map(|e| e[0].clone())
            .collect();
        let node_codes: Vec<Value> = node["server"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[0].clone())
            .collect();
        assert_eq!(codes, node_codes, "{case}");
    }
}

/// Follows test-tls-alpn-server-client.js: an ALPNCallback answering a protocol the
/// client did not offer fails the connection with `ERR_TLS_ALPN_CALLBACK_INVALID_RESULT`
/// (Node's message, word for word) and no alert: Node's client sees the connection close
/// (`ECONNRESET`).
#[test]
fn alpn_callback_invalid_result_is_nodes_error() {
    let certs = Certs::new("alpninvalid");
    let reference = node_json(ALPN_REFERENCE, &[&certs.dir()]);
    let (server, errors) = alpn_server(&certs, "invalid");
    let ours = node_json(ALPN_CLIENT, &[&port(&server)]);
    let node = &reference["invalid"];
    assert_eq!(ours["clientError"], node["clientError"], "Node: {node}");
    assert_eq!(json!(*errors.lock().unwrap()), node["server"]);
}

/// Follows test-tls-server-failed-handshake-emits-clienterror.js: bytes that are not TLS
/// reach `tlsClientError` with the failed socket (its remote address is the client's);
/// a record of an unknown version gets Node's code (`ERR_SSL_WRONG_VERSION_NUMBER`, what
/// Node 20 reports for these bytes).
#[test]
fn a_failed_handshake_reaches_tls_client_error_with_the_socket() {
    let certs = Certs::new("clienterror");
    let server = listening(ServerOptions {
        context: certs.context(0),
        ..Default::default()
    });
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    server.on_tls_client_error(move |err, socket| {
        let remote = socket.and_then(TlsSocket::remote_port);
        let _ = tx.lock().unwrap().send((err.code, remote));
    });
    let garbage: [&[u8]; 2] = [
        b"blah blah blah blah\r\n\r\n",
        &[0x16, 9, 9, 0, 5, 1, 2, 3, 4, 5],
    ];
    for (i, bytes) in garbage.iter().enumerate() {
        let mut tcp = TcpStream::connect(server.address().unwrap()).unwrap();
        tcp.write_all(bytes).unwrap();
        let (code, remote) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(remote, Some(tcp.local_addr().unwrap().port()));
        if i == 1 {
            assert_eq!(code, "ERR_SSL_WRONG_VERSION_NUMBER");
        }
    }
}

/// Follows test-tls-close-event-after-write.js and Node's `server.close(callback)`: the
/// server writes a megabyte and ends; the callback and `close` come once the server
/// stopped listening and that last connection ended, not before; a server that is not listening answers `ERR_SERVER_NOT_RUNNING`.
#[test]
fn close_waits_for_the_last_connection() {
    let certs = Certs::new("close");
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let (secure_tx, secure_rx) = mpsc::channel();
    let secure_tx = Mutex::new(secure_tx);
    let mut server = create_server(
        ServerOptions {
            context: certs.context(0),
            ..Default::default()
        },
        move |mut socket| {
            let _ = secure_tx.lock().unwrap().send(());
            // The connection stays open until the test lets it end.
            let _ = release_rx.lock().unwrap().recv();
            let _ = socket.write_all(&vec![7u8; 1 << 20]);
            let _ = socket.end();
        },
    )
    .unwrap();
    let addr = server.listen(0, "127.0.0.1").unwrap();
    let closes = Arc::new(AtomicUsize::new(0));
    let c = closes.clone();
    server.on_close(move || {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let mut client = sanstls_node::connect(&ConnectOptions {
        host: "127.0.0.1".into(),
        port: addr.port(),
        reject_unauthorized: false,
        ..Default::default()
    })
    .unwrap();
    secure_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    server.close_with(move |e| {
        let _ = done_tx.send(e);
    });
    // Not listening any more, but a connection is open: no `close` yet. A process another
    // test forks at this moment holds a copy of every descriptor, the listening socket
    // too, until it execs (close-on-exec): connections are refused once it has.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "still listening after close"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(done_rx.recv_timeout(Duration::from_millis(200)).is_err());
    assert_eq!(closes.load(Ordering::SeqCst), 0);
    release_tx.send(()).unwrap();
    let mut all = Vec::new();
    client.read_to_end(&mut all).unwrap();
    assert_eq!(all.len(), 1 << 20, "the whole megabyte, then the end");
    assert_eq!(done_rx.recv_timeout(Duration::from_secs(10)).unwrap(), None);
    assert_eq!(closes.load(Ordering::SeqCst), 1);
    // Closing again: Node's callback gets ERR_SERVER_NOT_RUNNING (and `close` again).
    let (again_tx, again_rx) = mpsc::channel();
    server.close_with(move |e| {
        let _ = again_tx.send(e.map(|e| e.code));
    });
    assert_eq!(
        again_rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap()
            .as_deref(),
        Some("ERR_SERVER_NOT_RUNNING")
    );
    drop(server);
    assert_eq!(closes.load(Ordering::SeqCst), 2, "dropping adds no close");
}

/// Follows test-tls-close-notify.js: the server's `end()` sends close_notify and the
/// client reads to a clean end (no error), then the server's `close` comes.
#[test]
fn end_sends_close_notify_and_close_follows() {
    let certs = Certs::new("closenotify");
    let mut server = create_server(
        ServerOptions {
            context: certs.context(0),
            ..Default::default()
        },
        |mut socket| {
            let _ = socket.end();
        },
    )
    .unwrap();
    let addr = server.listen(0, "127.0.0.1").unwrap();
    let script = "const tls = require('tls'); const port = process.argv[process.argv.length - 1];\
        const c = tls.connect({port: +port, host: '127.0.0.1', rejectUnauthorized: false});\
        let error = null; c.on('error', e => error = e.code); c.on('data', () => {});\
        c.on('end', () => console.log(JSON.stringify({end: true, error})));";
    let j = node_json(script, &[&addr.port().to_string()]);
    assert_eq!(j, json!({"end": true, "error": null}));
    let (tx, rx) = mpsc::channel();
    server.close_with(move |e| {
        let _ = tx.send(e);
    });
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), None);
}

/// A TLS 1.2 server echoing nothing, whose sockets (after `disable` or not) read until
/// they fail, reporting the failure.
fn renegotiation_server(
    certs: &Certs,
    secure_options: u64,
    disable: bool,
) -> (Server, mpsc::Receiver<Option<TlsError>>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut context = certs.context(0);
    context.max_version = Some("TLSv1.2".into());
    context.secure_options = secure_options;
    let mut server = create_server(
        ServerOptions {
            context,
            ..Default::default()
        },
        move |mut socket| {
            if disable {
                socket.disable_renegotiation();
            }
            let mut buf = [0u8; 64];
            let error = loop {
                match socket.read(&mut buf) {
                    Ok(0) => break None,
                    Ok(_) => continue,
                    Err(e) => {
                        break Some(
                            e.into_inner()
                                .and_then(|e| e.downcast::<TlsError>().ok())
                                .map(|e| *e)
                                .unwrap_or_else(|| TlsError::new("EIO", "not a TlsError")),
                        )
                    }
                }
            };
            let _ = tx.lock().unwrap().send(error);
        },
    )
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    (server, rx)
}

/// Node's renegotiation client run `mode` (`once`, `flood`) against Node's own server (the
/// reference) and against ours, which calls `disableRenegotiation()` when `disable`; gives
/// the reference's report, our client's report, and the error our server's socket failed
/// with.
fn renegotiations_against_node(name: &str, mode: &str, disable: bool) -> (Value, Value, TlsError) {
    let certs = Certs::new(name);
    let reference = node_json(RENEG_REFERENCE, &[&certs.dir(), mode]);
    let (server, rx) = renegotiation_server(&certs, 0, disable);
    let ours = node_json(RENEG_CLIENT, &[&port(&server), mode]);
    let error = rx.recv_timeout(Duration::from_secs(10)).unwrap().unwrap();
    (reference, ours, error)
}

/// Follows test-tls-disable-renegotiation.js: after `disableRenegotiation()`, the
/// client's renegotiation fails the server's socket with `ERR_TLS_RENEGOTIATION_DISABLED`
/// (Node's message) and never completes.
#[test]
fn disable_renegotiation_fails_the_socket_like_node() {
    let (reference, ours, error) = renegotiations_against_node("renegoff", "once", true);
    assert_eq!(json!([error.code, error.message]), reference["server"]);
    assert_eq!(ours["started"], reference["client"]["started"]);
    assert_eq!(ours["completed"], reference["client"]["completed"]);
    // Where Node's server just closes, the engine declined with a no_renegotiation
    // warning, which OpenSSL's client reports (Node's client sees no error).
    assert_eq!(reference["client"]["error"], Value::Null);
    assert_eq!(ours["error"], "ERR_SSL_NO_RENEGOTIATION");
}

/// Follows test-tls-client-renegotiation-limit.js: a client renegotiating more than
/// `CLIENT_RENEG_LIMIT` times fails the server's socket with `ERR_TLS_SESSION_ATTACK`
/// (Node's message) after the same number of completed renegotiations as in Node.
#[test]
fn a_renegotiation_flood_is_a_session_attack_like_node() {
    let (reference, ours, error) = renegotiations_against_node("renegflood", "flood", false);
    assert_eq!(json!([error.code, error.message]), reference["server"]);
    assert_eq!(
        ours["completed"],
        json!(sanstls_node::CLIENT_RENEG_LIMIT),
        "Node: {reference}"
    );
    assert_eq!(ours["completed"], reference["client"]["completed"]);
    // Node's server closes silently; the engine ends with handshake_failure, which the
    // client reports.
    assert_eq!(reference["client"]["error"], Value::Null);
    assert_eq!(ours["error"], "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE");
}

/// Follows test-tls-disable-renegotiation.js with the context's
/// `SSL_OP_NO_RENEGOTIATION` instead: the server declines, as OpenSSL does (Node's
/// client then gives up with a handshake_failure alert, which the server reports).
#[test]
fn no_renegotiation_secure_option_applies_on_servers() {
    let certs = Certs::new("renegopt");
    let (server, rx) = renegotiation_server(
        &certs,
        sanstls_node::context::SSL_OP_NO_RENEGOTIATION,
        false,
    );
    let ours = node_json(RENEG_CLIENT, &[&port(&server), "once"]);
    assert_eq!(ours["completed"], 0, "{ours}");
    let error = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    // OpenSSL's client, declined, ends with handshake_failure (Node's server socket
    // reports ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE in the same exchange).
    assert_eq!(
        error.map(|e| e.code).as_deref(),
        Some("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE")
    );
    // Our client, declined by the same server, reports what Node's client did.
    let mut client = sanstls_node::connect(&ConnectOptions {
        host: "127.0.0.1".into(),
        port: server.address().unwrap().port(),
        reject_unauthorized: false,
        ..Default::default()
    })
    .unwrap();
    client.write_all(b"x").unwrap();
    let declined = client.renegotiate().unwrap_err();
    assert_eq!(json!(declined.code), ours["error"], "Node's client: {ours}");
}

/// Follows test-tls-keylog-tlsv13.js: a server's `keylog` listener gets each TLS 1.3
/// secret line with its newline, also for a context added after the listener; a client
/// gets its lines with no option beyond the listener, and both sides log the same lines.
#[test]
fn keylog_lines_end_with_a_newline_on_both_sides() {
    let certs = Certs::new("keylog");
    let server = listening(ServerOptions {
        context: certs.context(0),
        ..Default::default()
    });
    let server_lines = Arc::new(Mutex::new(Vec::new()));
    let l = server_lines.clone();
    server.on_keylog(move |line| l.lock().unwrap().push(line.to_vec()));
    // Added after the listener: its connections are logged too.
    server.add_context("b.test", &certs.context(1)).unwrap();
    let addr = server.address().unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    let mut client = sanstls_node::connect::prepare(
        tcp,
        &ConnectOptions {
            host: "127.0.0.1".into(),
            port: addr.port(),
            servername: Some("b.test".into()),
            reject_unauthorized: false,
            ..Default::default()
        },
    )
    .unwrap();
    let client_lines = Arc::new(Mutex::new(Vec::new()));
    let l = client_lines.clone();
    client.on_keylog(move |line| l.lock().unwrap().push(line.to_vec()));
    client.write_all(b"x").unwrap();
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest);
    let cert = client.get_peer_certificate(false).unwrap();
    let cn = cert.subject.get("CN").map(|v| v.values().to_vec());
    assert_eq!(cn, Some(vec!["b".to_string()]));
    let mut ours = client_lines.lock().unwrap().clone();
    assert_eq!(ours.len(), 5, "TLS 1.3: five secrets");
    assert!(ours
        .iter()
        .all(|l| l.ends_with(b"\n") && !l[..l.len() - 1].contains(&b'\n')));
    let mut theirs = server_lines.lock().unwrap().clone();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
}

/// Follows test-tls-securepair-server.js (and Node's SecurePair defaults): a server pair
/// with `requestCert` and a client pair exchange bytes by hand; `secure` is emitted once
/// on each, the server sees the client's certificate (not authorized: `rejectUnauthorized`
/// is off and the client's certificate is not in the server's `ca`), and data flows.
#[test]
fn secure_pairs_emit_secure_and_honour_request_cert() {
    let certs = Certs::new("pair");
    let server_ctx = create_secure_context(&certs.context(0)).unwrap();
    let client_ctx = create_secure_context(&certs.context(1)).unwrap();
    let mut server = sanstls_node::create_secure_pair(&server_ctx, true, true, false, "").unwrap();
    let mut client =
        sanstls_node::create_secure_pair(&client_ctx, false, true, false, "a").unwrap();
    let secure = Arc::new(AtomicUsize::new(0));
    let (s, c) = (secure.clone(), secure.clone());
    server.on_secure(move || {
        s.fetch_add(1, Ordering::SeqCst);
    });
    client.on_secure(move || {
        c.fetch_add(10, Ordering::SeqCst);
    });
    client.cleartext_write(b"hello").unwrap();
    for _ in 0..10 {
        let mut bytes = Vec::new();
        client.encrypted_read(&mut bytes);
        server.encrypted_write(&bytes).unwrap();
        let mut bytes = Vec::new();
        server.encrypted_read(&mut bytes);
        client.encrypted_write(&bytes).unwrap();
    }
    assert_eq!(
        secure.load(Ordering::SeqCst),
        11,
        "secure once on each side"
    );
    assert!(server.is_secure() && client.is_secure());
    let mut buf = [0u8; 16];
    let n = server.cleartext_read(&mut buf);
    assert_eq!(&buf[..n], b"hello");
    let n = server.connection().negotiated().peer_certificates.len();
    assert_eq!(n, 1, "requestCert: the client sent its certificate");
    assert!(!server.authorized());
    // The client verified the server (not in its trust: reported, not refused).
    assert!(client
        .connection()
        .negotiated()
        .authorization_error
        .is_some());
}

/// Follows test-tls-securepair-server.js: without `requestCert` a server pair asks for no
/// client certificate, even with `rejectUnauthorized` (Node's `setVerifyMode` ignores it
/// then).
#[test]
fn a_secure_pair_without_request_cert_asks_for_nothing() {
    let certs = Certs::new("pairnoreq");
    let server_ctx = create_secure_context(&certs.context(0)).unwrap();
    let client_ctx = create_secure_context(&certs.context(1)).unwrap();
    let mut server = sanstls_node::create_secure_pair(&server_ctx, true, false, true, "").unwrap();
    let mut client =
        sanstls_node::create_secure_pair(&client_ctx, false, true, false, "a").unwrap();
    for _ in 0..10 {
        let mut bytes = Vec::new();
        client.encrypted_read(&mut bytes);
        server.encrypted_write(&bytes).unwrap();
        let mut bytes = Vec::new();
        server.encrypted_read(&mut bytes);
        client.encrypted_write(&bytes).unwrap();
    }
    assert!(server.is_secure() && client.is_secure());
    assert!(server
        .connection()
        .negotiated()
        .peer_certificates
        .is_empty());
}

/// Follows test-tls-server-verify.js (its unauthorized cases): with `requestCert` and
/// `rejectUnauthorized`, a client without a certificate the server's `ca` trusts fails
/// the handshake, reported to `tlsClientError` with the socket; with
/// `rejectUnauthorized: false` it is served, not authorized.
#[test]
fn request_cert_refuses_or_reports_like_node() {
    let certs = Certs::new("verify");
    for reject in [true, false] {
        let mut context = certs.context(0);
        context.ca = Some(vec![certs.pki[0].cert_pem.clone()]);
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let mut server = create_server(
            ServerOptions {
                context,
                request_cert: true,
                reject_unauthorized: reject,
                ..Default::default()
            },
            move |mut socket| {
                let _ = tx
                    .lock()
                    .unwrap()
                    .send(format!("authorized={}", socket.authorized()));
                let _ = socket.end();
            },
        )
        .unwrap();
        let addr = server.listen(0, "127.0.0.1").unwrap();
        let (etx, erx) = mpsc::channel();
        let etx = Mutex::new(etx);
        server.on_tls_client_error(move |e, socket| {
            let _ = etx.lock().unwrap().send((e.code, socket.is_some()));
        });
        let mut context = certs.context(1);
        context.max_version = Some("TLSv1.2".into());
        let client = sanstls_node::connect(&ConnectOptions {
            host: "127.0.0.1".into(),
            port: addr.port(),
            reject_unauthorized: false,
            context,
            ..Default::default()
        });
        match reject {
            true => {
                assert!(client.is_err());
                let (code, has_socket) = erx.recv_timeout(Duration::from_secs(10)).unwrap();
                assert!(code.starts_with("ERR_") || code.contains('_'), "{code}");
                assert!(has_socket);
            }
            false => {
                let seen = rx.recv_timeout(Duration::from_secs(10)).unwrap();
                assert_eq!(seen, "authorized=false");
            }
        }
        server.close();
    }
}

/// Follows test-tls-alpn-server-client.js (a client offering no protocols): the
/// ALPNCallback is not called, as OpenSSL calls it only for an offer, and the handshake
/// completes without a protocol.
#[test]
fn alpn_callback_is_not_called_without_an_offer() {
    let certs = Certs::new("alpnnooffer");
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let server = listening(ServerOptions {
        context: certs.context(0),
        alpn_callback: Some(Arc::new(move |_: Option<&str>, _: &[String]| {
            c.fetch_add(1, Ordering::SeqCst);
            None
        })),
        ..Default::default()
    });
    let mut client = sanstls_node::connect(&ConnectOptions {
        host: "127.0.0.1".into(),
        port: server.address().unwrap().port(),
        reject_unauthorized: false,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(client.alpn_protocol(), None);
    client.end().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// Follows test-tls-async-cb-after-socket-end.js: an `SNICallback` that answers after
/// the client has gone does no harm: the failure reaches `tlsClientError` (with the
/// socket and its servername), and the server goes on serving.
#[test]
fn an_answer_after_the_client_left_is_harmless() {
    let certs = Certs::new("lateanswer");
    let server = listening(ServerOptions {
        context: certs.context(0),
        sni_callback: Some(Arc::new(
            |_: &str, answer: Answer<Option<SecureContext>>| {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(300));
                    answer.answer(None);
                });
            },
        )),
        ..Default::default()
    });
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    server.on_tls_client_error(move |e, socket| {
        let name = socket.and_then(|s| s.servername());
        let _ = tx.lock().unwrap().send((e.code, name));
    });
    let port = port(&server);
    let script = "const tls = require('tls'); const port = process.argv[process.argv.length - 1];\
        const s = tls.connect({port: +port, host: '127.0.0.1', servername: 'gone.test', \
          rejectUnauthorized: false});\
        s.on('error', () => {}); setTimeout(() => { s.destroy(); console.log('gone'); }, 50);";
    let mut child = node(script, &[&port]);
    assert_eq!(first_line(&mut child), "gone");
    let _ = child.wait();
    let (code, name) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(["ECONNRESET", "EPIPE"].contains(&code.as_str()), "{code}");
    assert_eq!(name.as_deref(), Some("gone.test"));
    // Still serving.
    let ours = node_json(SNI_CLIENT, &[&port, "next.test"]);
    assert_eq!(ours, json!({"next.test": "a"}));
}

/// Follows test-tls-sni-server-client.js's checks on the server side: the secure socket
/// of a connection served under an `addContext` context reports the client's name and
/// the certificate of that context.
#[test]
fn the_added_context_serves_the_connection() {
    let certs = Certs::new("addctxsock");
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut server = create_server(
        ServerOptions {
            context: certs.context(0),
            ..Default::default()
        },
        move |mut socket| {
            let cn = socket
                .get_certificate()
                .and_then(|c| c.subject.get("CN").map(|v| v.values().to_vec()));
            let _ = tx.lock().unwrap().send((socket.servername(), cn));
            let _ = socket.end();
        },
    )
    .unwrap();
    let addr = server.listen(0, "127.0.0.1").unwrap();
    server.add_context("*.test.com", &certs.context(2)).unwrap();
    let ours = node_json(SNI_CLIENT, &[&addr.port().to_string(), "b.test.com"]);
    assert_eq!(ours, json!({"b.test.com": "c"}));
    let (name, cn) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(name.as_deref(), Some("b.test.com"));
    assert_eq!(cn, Some(vec!["c".to_string()]));
}

/// Follows test-tls-add-context.js: with `requestCert`, a connection served under an
/// added context verifies the client against that context's `ca` (authorized), and one
/// for an unknown name against the default context's (not authorized here).
#[test]
fn added_contexts_verify_clients_with_their_own_ca() {
    let certs = Certs::new("addctxca");
    let mut default = certs.context(0);
    default.ca = Some(vec![certs.pki[0].cert_pem.clone()]);
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut server = create_server(
        ServerOptions {
            context: default,
            request_cert: true,
            reject_unauthorized: false,
            ..Default::default()
        },
        move |mut socket| {
            let _ = tx
                .lock()
                .unwrap()
                .send((socket.servername(), socket.authorized()));
            let _ = socket.end();
        },
    )
    .unwrap();
    let addr = server.listen(0, "127.0.0.1").unwrap();
    let mut added = certs.context(1);
    added.ca = Some(vec![certs.pki[2].cert_pem.clone()]);
    server.add_context("context1", &added).unwrap();
    for (name, authorized) in [("context1", true), ("unknowncontext", false)] {
        let mut client = sanstls_node::connect(&ConnectOptions {
            host: "127.0.0.1".into(),
            port: addr.port(),
            servername: Some(name.into()),
            reject_unauthorized: false,
            context: certs.context(2),
            ..Default::default()
        })
        .unwrap();
        let mut rest = Vec::new();
        let _ = client.read_to_end(&mut rest);
        let seen = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(seen, (Some(name.to_string()), authorized), "{name}");
    }
}
