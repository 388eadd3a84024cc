//! Node behaviours the blocking socket had and the tokio side lacked (renegotiation
//! guards on `accept_tokio`/`serve_tokio` servers, `ERR_TLS_DH_PARAM_SIZE` from the tokio
//! `connect`), and socket-life details on both: `getProtocol()` once closed, and
//! `setTimeout` / the `timeout` option. Each is compared with what Node 20 does (a Node
//! script prints it); each test names the Node test file it follows, if one.

// Tests spawn processes and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use common::{context, first_line, node, Pki};
use sanstls_node::async_tokio;
use sanstls_node::{
    create_server, ConnectOptions, SecureContextOptions, Server, ServerOptions, TlsError,
};
use sanstls_test::TempDir;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const RENEG_REFERENCE: &str = include_str!("node/reneg_reference.js");
const RENEG_CLIENT: &str = include_str!("node/reneg_client.js");
const DH_CLIENT: &str = include_str!("node/dh_client.js");
const PROTOCOL_AFTER_CLOSE: &str = include_str!("node/protocol_after_close.js");
const TIMEOUT_CLIENT: &str = include_str!("node/timeout_client.js");

fn node_json(script: &str, args: &[&str]) -> Value {
    let mut child = node(script, args);
    let line = first_line(&mut child);
    let _ = child.wait();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

/// [`node_json`] off the runtime's threads.
async fn node_json_async(script: &'static str, args: Vec<String>) -> Value {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        node_json(script, &args)
    })
    .await
    .unwrap()
}

/// `p` written as `a.key` / `a.crt` into a directory, for reneg_reference.js.
fn cert_dir(p: &Pki, tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    std::fs::write(dir.path("a.key"), &p.key_pem).unwrap();
    std::fs::write(dir.path("a.crt"), &p.cert_pem).unwrap();
    dir
}

/// A TLS 1.2 server on tokio (`serve_tokio`) whose streams (after `disableRenegotiation()`
/// or not) read until they fail or end, reporting how.
async fn tokio_renegotiation_server(
    p: &Pki,
    secure_options: u64,
    disable: bool,
) -> (
    Server,
    u16,
    tokio::sync::mpsc::UnboundedReceiver<Option<TlsError>>,
) {
    let mut context = context(p);
    context.max_version = Some("TLSv1.2".into());
    context.secure_options = secure_options;
    let server = create_server(
        ServerOptions {
            context,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(server.serve_tokio(listener, move |mut stream| {
        let tx = tx.clone();
        async move {
            if disable {
                stream.disable_renegotiation();
            }
            let mut buf = [0u8; 64];
            let error = loop {
                match stream.read(&mut buf).await {
                    Ok(0) => break None,
                    Ok(_) => continue,
                    Err(e) => break Some(TlsError::from_io(&e)),
                }
            };
            let _ = tx.send(error);
        }
    }));
    (server, port, rx)
}

/// Follows test-tls-disable-renegotiation.js on a `serve_tokio` server: after
/// `disableRenegotiation()`, Node's client renegotiating fails the stream with
/// `ERR_TLS_RENEGOTIATION_DISABLED` and Node's message, as Node's own server does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_renegotiation_fails_a_tokio_stream_like_node() {
    let p = Pki::with_key("tokioreneg", "rsa", "localhost");
    let dir = cert_dir(&p, "tokioreneg-dir");
    let d = dir.dir().to_string_lossy().into_owned();
    let reference = node_json_async(RENEG_REFERENCE, vec![d, "once".into()]).await;
    let (_server, port, mut rx) = tokio_renegotiation_server(&p, 0, true).await;
    let ours = node_json_async(RENEG_CLIENT, vec![port.to_string(), "once".into()]).await;
    let error = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap()
        .expect("the stream fails");
    assert_eq!(json!([error.code, error.message]), reference["server"]);
    assert_eq!(ours["started"], reference["client"]["started"]);
    assert_eq!(ours["completed"], reference["client"]["completed"]);
}

/// test-tls-disable-renegotiation.js with the context's `SSL_OP_NO_RENEGOTIATION` on a
/// `serve_tokio` server: declined, as on the blocking server (no renegotiation
/// completes; Node's client gives up with handshake_failure, which the stream reports).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_renegotiation_secure_option_applies_on_tokio_servers() {
    let p = Pki::with_key("tokiorenegopt", "rsa", "localhost");
    let (_server, port, mut rx) =
        tokio_renegotiation_server(&p, sanstls_node::context::SSL_OP_NO_RENEGOTIATION, false).await;
    let ours = node_json_async(RENEG_CLIENT, vec![port.to_string(), "once".into()]).await;
    assert_eq!(ours["completed"], 0, "{ours}");
    let error = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        error.map(|e| e.code).as_deref(),
        Some("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE")
    );
}

/// Follows test-tls-client-mindhsize.js through the tokio `connect`: a DH group under
/// `minDHSize` is `ERR_TLS_DH_PARAM_SIZE` with Node's message, what Node's client says
/// of the same server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_min_dh_size_refusal_is_nodes_error() {
    let p = Pki::with_key("tokiomindh", "rsa", "localhost");
    let dir = TempDir::new("tokiomindh-params");
    let params = sanstls_test::openssl::ffdhe2048_params(&dir);
    let mut server = create_server(
        ServerOptions {
            context: SecureContextOptions {
                dhparam: Some(std::fs::read(params).unwrap()),
                ..context(&p)
            },
            ..Default::default()
        },
        |mut s| {
            let _ = s.write_all(b"ok");
            let _ = s.end();
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    for min in [2048usize, 3072] {
        let theirs = node_json_async(DH_CLIENT, vec![port.to_string(), min.to_string()]).await;
        let options = ConnectOptions {
            host: "127.0.0.1".into(),
            port,
            reject_unauthorized: false,
            min_dh_size: min,
            context: SecureContextOptions {
                max_version: Some("TLSv1.2".into()),
                ciphers: Some("DHE-RSA-AES128-GCM-SHA256".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let mine = match async_tokio::connect(&options).await {
            Ok(s) => json!({
                "cipher": s.get_cipher().unwrap().name,
                "dh": s.get_ephemeral_key_info().unwrap().size,
            }),
            Err(e) => json!({"code": e.code, "message": e.message}),
        };
        assert_eq!(theirs, mine, "minDHSize {min}");
    }
}

/// A blocking server whose sockets, in `mode` `client-ends`, read to the client's end and
/// then end; in `server-ends`, end at once and read to the client's end.
fn ending_server(p: &Pki, mode: &'static str) -> (Server, u16) {
    let mut server = create_server(
        ServerOptions {
            context: context(p),
            ..Default::default()
        },
        move |mut s| {
            let mut buf = [0u8; 64];
            if mode == "server-ends" {
                let _ = s.end();
            }
            while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
            let _ = s.end();
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    (server, port)
}

fn plain_client(port: u16) -> ConnectOptions {
    ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        reject_unauthorized: false,
        ..Default::default()
    }
}

/// `getProtocol()` over a socket's life, as Node: the version once secure, still after
/// our `end()` and at the peer's `end`, and `null` once closed. The blocking socket has no
/// `close` event: it is closed when both sides have ended (Node's `close` follows at
/// once), which is when ours answers `None`. Both socket types, both orders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_protocol_is_null_once_the_socket_is_closed_like_node() {
    let p = Pki::new("protoclose", "localhost");
    for mode in ["client-ends", "server-ends"] {
        let (_server, port) = ending_server(&p, mode);
        let theirs =
            node_json_async(PROTOCOL_AFTER_CLOSE, vec![port.to_string(), mode.into()]).await;
        let version = theirs["secure"].clone();
        assert_eq!(version, "TLSv1.3");
        assert_eq!(theirs["onClose"], Value::Null);
        assert_eq!(theirs["onEnd"], version);

        // The blocking socket.
        let blocking = tokio::task::spawn_blocking(move || {
            let mut s = sanstls_node::connect(&plain_client(port)).unwrap();
            let mut r = serde_json::Map::new();
            r.insert("secure".into(), json!(s.get_protocol()));
            let mut buf = [0u8; 64];
            if mode == "client-ends" {
                s.end().unwrap();
                r.insert("afterEndCall".into(), json!(s.get_protocol()));
                // The peer's end: both sides have ended, Node's `close`.
                assert_eq!(s.read(&mut buf).unwrap(), 0);
                r.insert("onClose".into(), json!(s.get_protocol()));
            } else {
                assert_eq!(s.read(&mut buf).unwrap(), 0);
                r.insert("onEnd".into(), json!(s.get_protocol()));
                // Node ends a socket whose peer ended (allowHalfOpen false), then closes.
                s.end().unwrap();
                r.insert("onClose".into(), json!(s.get_protocol()));
            }
            Value::Object(r)
        })
        .await
        .unwrap();
        for (k, v) in blocking.as_object().unwrap() {
            assert_eq!(&theirs[k], v, "blocking {mode} {k}: Node {theirs}");
        }

        // The tokio stream.
        let mut s = async_tokio::connect(&plain_client(port)).await.unwrap();
        let mut r = serde_json::Map::new();
        r.insert("secure".into(), json!(s.get_protocol()));
        let mut buf = [0u8; 64];
        if mode == "client-ends" {
            s.end().await.unwrap();
            r.insert("afterEndCall".into(), json!(s.get_protocol()));
            assert_eq!(s.read(&mut buf).await.unwrap(), 0);
            r.insert("onClose".into(), json!(s.get_protocol()));
        } else {
            assert_eq!(s.read(&mut buf).await.unwrap(), 0);
            r.insert("onEnd".into(), json!(s.get_protocol()));
            s.shutdown().await.unwrap();
            r.insert("onClose".into(), json!(s.get_protocol()));
        }
        for (k, v) in &r {
            assert_eq!(&theirs[k], v, "tokio {mode} {k}: Node {theirs}");
        }
    }
}

/// A failed socket is destroyed in Node, whose `getProtocol()` is then `null`: a server
/// stream failed by a renegotiation after `disableRenegotiation()` answers `None`.
#[test]
fn get_protocol_is_none_once_the_socket_failed() {
    let p = Pki::with_key("protofail", "rsa", "localhost");
    let mut ctx = context(&p);
    ctx.max_version = Some("TLSv1.2".into());
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut server = create_server(
        ServerOptions {
            context: ctx,
            ..Default::default()
        },
        move |mut s| {
            s.disable_renegotiation();
            let before = s.get_protocol();
            let mut buf = [0u8; 64];
            while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
            let _ = tx.lock().unwrap().send((before, s.get_protocol()));
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    let _ = node_json(RENEG_CLIENT, &[&port.to_string(), "once"]);
    let (before, after) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(before, Some("TLSv1.2"));
    assert_eq!(after, None);
}

/// Follows test-tls-connect-timeout-option.js: `tls.connect`'s `timeout` is the socket's
/// `setTimeout` (`socket.timeout`), and (as Node prints) `timeout` comes once the socket
/// has been idle that long, once per idle spell, with the socket left open: the data
/// written later still arrives.
#[test]
fn the_timeout_option_emits_timeout_and_leaves_the_socket_open_like_node() {
    let p = Pki::new("timeoutopt", "localhost");
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |mut s| {
            std::thread::sleep(Duration::from_millis(450));
            let _ = s.write_all(b"late");
            let _ = s.end();
            let mut buf = [0u8; 64];
            while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    let theirs = node_json(TIMEOUT_CLIENT, &[&port.to_string(), "100"]);

    let mut s = sanstls_node::connect::prepare(
        TcpStream::connect(("127.0.0.1", port)).unwrap(),
        &ConnectOptions {
            timeout: Some(Duration::from_millis(100)),
            ..plain_client(port)
        },
    )
    .unwrap();
    let timeouts = Arc::new(AtomicUsize::new(0));
    let t = Arc::clone(&timeouts);
    s.on_timeout(move || {
        t.fetch_add(1, Ordering::SeqCst);
    });
    let mut data = String::new();
    s.read_to_string(&mut data).unwrap();
    let ours = json!({
        "timeoutOption": s.timeout().map(|t| t.as_millis() as u64),
        // The read went on after the `timeout`: the socket was open.
        "openAtTimeout": timeouts.load(Ordering::SeqCst) > 0,
        "timeoutsBeforeData": timeouts.load(Ordering::SeqCst),
        "data": data,
    });
    assert_eq!(ours, theirs);
}

/// Follows test-tls-timeout-server-2.js: a server socket's `setTimeout(ms, callback)` on
/// an idle connection calls back, and the callback destroys the socket (here: shuts its
/// TCP stream down), which ends the read it interrupted.
#[test]
fn a_server_socket_timeout_callback_can_destroy_it() {
    let p = Pki::new("timeoutsrv", "localhost");
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        move |mut s| {
            let tcp = s.get_ref().try_clone().unwrap();
            let fired = Arc::new(AtomicUsize::new(0));
            let f = Arc::clone(&fired);
            s.set_timeout(Duration::from_millis(50))
                .on_timeout(move || {
                    f.fetch_add(1, Ordering::SeqCst);
                    let _ = tcp.shutdown(std::net::Shutdown::Both);
                });
            let mut buf = [0u8; 64];
            let read = s.read(&mut buf).map_err(|e| e.kind());
            let _ = tx
                .lock()
                .unwrap()
                .send((fired.load(Ordering::SeqCst), read));
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    // An idle client: it connects and waits.
    let _client = sanstls_node::connect(&plain_client(port)).unwrap();
    let (fired, read) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(fired, 1);
    // The shut-down transport ends the read (EOF, or a reset).
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

/// `setTimeout(0)` turns the idle timer off, as in Node: no `timeout` while a read waits.
#[test]
fn set_timeout_zero_turns_it_off() {
    let p = Pki::new("timeoutoff", "localhost");
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |mut s| {
            std::thread::sleep(Duration::from_millis(300));
            let _ = s.write_all(b"x");
            let _ = s.end();
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    let mut s = sanstls_node::connect(&ConnectOptions {
        timeout: Some(Duration::from_millis(50)),
        ..plain_client(port)
    })
    .unwrap();
    s.set_timeout(Duration::ZERO);
    assert_eq!(s.timeout(), None);
    let fired = Arc::new(AtomicUsize::new(0));
    let f = Arc::clone(&fired);
    s.on_timeout(move || {
        f.fetch_add(1, Ordering::SeqCst);
    });
    let mut data = String::new();
    s.read_to_string(&mut data).unwrap();
    assert_eq!((data.as_str(), fired.load(Ordering::SeqCst)), ("x", 0));
}
