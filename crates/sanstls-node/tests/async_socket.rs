//! The socket API on both sides: one `TlsSocketApi` for the blocking socket and the tokio
//! stream, full duplex through their split halves, the transport accessors, servers in one
//! expression, and the handshake deadline and `lookup` on tokio.

// Tests time the handshakes they bound (the clock rule is for library code).
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{context, trusting, Pki};
use sanstls_node::async_tokio::{self, connect};
use sanstls_node::{
    create_secure_context, create_server, ConnectOptions, ServerOptions, TlsSocketApi,
    TlsSocketOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Written once for any socket: what code generic over the trait sees.
fn summary(s: &impl TlsSocketApi) -> (bool, Option<&'static str>, Option<String>, usize) {
    (
        s.authorized(),
        s.get_protocol(),
        s.get_cipher().map(|c| c.name.to_string()),
        s.peer_certificates().len(),
    )
}

#[test]
fn the_blocking_and_async_sockets_answer_the_same_getters() {
    let p = Pki::new("api", "localhost");
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |mut s| {
            let _ = s.write_all(b"hi");
            let _ = s.end();
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    let blocking = sanstls_node::connect(&trusting(port, &p)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = rt.block_on(connect(&trusting(port, &p))).unwrap();
    assert_eq!(summary(&blocking), summary(&stream));
    assert!(summary(&blocking).0);
    assert_eq!(summary(&blocking).3, 1);
    server.close();
}

#[test]
fn the_transport_accessors_of_the_blocking_socket() {
    let p = Pki::new("accessors", "localhost");
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |mut s| {
            let mut b = [0u8; 1];
            let _ = s.read(&mut b);
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    let mut s = sanstls_node::connect(&trusting(port, &p)).unwrap();
    s.get_mut().set_nodelay(false).unwrap();
    assert!(!s.get_ref().nodelay().unwrap());
    assert_eq!(s.get_ref().peer_addr().unwrap().port(), port);
    let tcp = s.into_inner();
    assert_eq!(tcp.peer_addr().unwrap().port(), port);
    server.close();
}

/// Full duplex on the blocking side: one thread blocks reading while another writes; the
/// peer answers only after it has all the writes, so a reader holding the connection's
/// lock while blocked would deadlock this.
#[test]
fn a_split_blocking_socket_reads_and_writes_from_two_threads() {
    let p = Pki::new("split-blocking", "localhost");
    let mut server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |mut s| {
            let mut got = vec![0u8; 100 * 1000];
            s.read_exact(&mut got).unwrap();
            s.write_all(b"all in").unwrap();
            s.end().unwrap();
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    let s = sanstls_node::connect(&trusting(port, &p)).unwrap();
    let (mut reader, mut writer) = s.into_split().unwrap();
    assert!(reader.authorized() && writer.authorized());
    let reading = std::thread::spawn(move || {
        let mut answer = String::new();
        reader.read_to_string(&mut answer).unwrap();
        answer
    });
    // The reader is blocked on the transport by now (or soon): writes go on.
    std::thread::sleep(Duration::from_millis(50));
    for _ in 0..100 {
        writer.write_all(&[7u8; 1000]).unwrap();
    }
    assert_eq!(reading.join().unwrap(), "all in");
    writer.end().unwrap();
    server.close();
}

/// Full duplex on tokio: the halves on two tasks of a single-threaded runtime, the reader
/// waiting while the writer sends; then `unsplit` gives the stream back.
#[tokio::test(flavor = "current_thread")]
async fn split_async_halves_work_concurrently() {
    let p = Pki::new("split-async", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut s = async_tokio::accept(tcp, config).await.unwrap();
        // Echo in chunks until the client ends.
        let mut buf = [0u8; 4096];
        loop {
            let n = s.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            s.write_all(&buf[..n]).await.unwrap();
        }
        s.shutdown().await.unwrap();
    });
    let c = connect(&trusting(port, &p)).await.unwrap();
    let (mut r, mut w) = c.into_split();
    const TOTAL: usize = 512 * 1024;
    let reader = tokio::spawn(async move {
        let mut got = 0usize;
        let mut buf = vec![0u8; 8192];
        loop {
            let n = r.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            assert!(buf[..n].iter().all(|b| *b == 3));
            got += n;
        }
        (got, r)
    });
    let writer = tokio::spawn(async move {
        for _ in 0..TOTAL / 4096 {
            w.write_all(&[3u8; 4096]).await.unwrap();
        }
        w.flush().await.unwrap();
        // close_notify: the server ends its echo, then closes its side.
        w.shutdown().await.unwrap();
        w
    });
    let (read, written) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(reader, writer)
    })
    .await
    .expect("the halves stalled");
    let ((got, r), w) = (read.unwrap(), written.unwrap());
    assert_eq!(got, TOTAL);
    // Both sides have ended: closed, where Node's getProtocol() is null (`authorized`
    // is a property Node keeps).
    assert!(r.authorized() && w.get_protocol().is_none());
    let stream = r.unsplit(w).unwrap();
    assert!(stream.authorized());
    server.await.unwrap();
}

/// `lookup` on tokio: the host is resolved by the callback, not the system resolver.
#[tokio::test(flavor = "current_thread")]
async fn connect_on_tokio_uses_the_lookup_option() {
    let p = Pki::new("lookup", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = asked.clone();
    let options = ConnectOptions {
        host: "tls.invalid".into(),
        lookup: Some(Arc::new(move |host: &str| {
            seen.lock().unwrap().push(host.to_string());
            Ok(vec![std::net::Ipv4Addr::LOCALHOST.into()])
        })),
        ..trusting(port, &p)
    };
    let (c, s) = tokio::join!(connect(&options), async {
        let (tcp, _) = listener.accept().await.unwrap();
        async_tokio::accept(tcp, config).await
    });
    assert!(c.unwrap().authorized() && s.is_ok());
    assert_eq!(*asked.lock().unwrap(), ["tls.invalid"]);
}

/// The handshake deadline on tokio, client side: a server that accepts and says nothing
/// fails the handshake with ERR_TLS_HANDSHAKE_TIMEOUT at the deadline.
#[tokio::test(flavor = "current_thread")]
async fn a_silent_server_fails_the_async_handshake_at_its_deadline() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _silent = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(tcp);
    });
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut c = async_tokio::with_options(
        tcp,
        &TlsSocketOptions {
            servername: Some("localhost".into()),
            handshake_timeout: Duration::from_millis(300),
            ..Default::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    let e = tokio::time::timeout(Duration::from_secs(10), c.handshake())
        .await
        .expect("no deadline")
        .unwrap_err();
    assert_eq!(e.code, "ERR_TLS_HANDSHAKE_TIMEOUT");
    assert!(started.elapsed() >= Duration::from_millis(250));
    // Reading after it reports the same failure.
    let mut b = [0u8; 1];
    let e = c.read(&mut b).await.unwrap_err();
    assert_eq!(
        sanstls_node::TlsError::from_io(&e).code,
        "ERR_TLS_HANDSHAKE_TIMEOUT"
    );
}

/// A blocking server in one expression: `create_server(...)?.serve(port, host)` on its
/// own thread, and a client served by it.
#[test]
fn a_blocking_server_in_one_expression() {
    let p = Pki::new("serve", "localhost");
    let port = sanstls_test::net::free_port();
    let options = ServerOptions {
        context: context(&p),
        ..Default::default()
    };
    std::thread::spawn(move || {
        create_server(options, |mut s| {
            let _ = s.write_all(b"served");
            let _ = s.end();
        })
        .and_then(|server| server.serve(port, "127.0.0.1"))
    });
    let started = Instant::now();
    let mut c = loop {
        match sanstls_node::connect(&trusting(port, &p)) {
            Ok(c) => break c,
            Err(_) if started.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("{e}"),
        }
    };
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "served");
}

/// A blocking server socket made with Node's constructor options, with an SNICallback
/// answered from another thread.
#[test]
fn a_blocking_tls_socket_server_with_an_sni_callback() {
    let (main, other) = (
        Pki::new("ctor-main", "localhost"),
        Pki::new("ctor-other", "other.test"),
    );
    let other_context = create_secure_context(&context(&other)).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let options = TlsSocketOptions {
        is_server: true,
        context: context(&main),
        sni_callback: Some(Arc::new(move |name: &str, answer| {
            let found = (name == "other.test").then(|| other_context.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                answer.answer(found);
            });
        })),
        ..Default::default()
    };
    let serving = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let mut s = sanstls_node::TlsSocket::with_options(tcp, &options).unwrap();
        s.handshake().unwrap();
        s.write_all(b"ok").unwrap();
        s.end().unwrap();
        s.servername()
    });
    let options = ConnectOptions {
        servername: Some("other.test".into()),
        ..trusting(port, &other)
    };
    let mut c = sanstls_node::connect(&options).unwrap();
    assert!(c.authorized());
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "ok");
    assert_eq!(serving.join().unwrap().as_deref(), Some("other.test"));
}

/// The handshake deadline on tokio, server side: `accept` with a configuration's
/// `handshake_timeout` fails a client that connects and says nothing.
#[tokio::test(flavor = "current_thread")]
async fn a_silent_client_fails_the_async_accept_at_its_deadline() {
    let p = Pki::new("silent-client", "localhost");
    let mut config = create_secure_context(&context(&p)).unwrap().server_config();
    config.handshake_timeout = Duration::from_millis(300);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _silent = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let (tcp, _) = listener.accept().await.unwrap();
    let started = Instant::now();
    let e = tokio::time::timeout(
        Duration::from_secs(10),
        async_tokio::accept(tcp, Arc::new(config)),
    )
    .await
    .expect("no deadline")
    .unwrap_err();
    assert_eq!(e.code, "ERR_TLS_HANDSHAKE_TIMEOUT");
    assert!(started.elapsed() >= Duration::from_millis(250));
}

/// `serve_tokio` counts connections (`getConnections()`) while their handler runs, and
/// over `maxConnections` closes a new one at once (Node's behaviour for both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_tokio_counts_connections_and_honours_max_connections() {
    let p = Pki::new("serve-count", "localhost");
    let server = create_server(
        ServerOptions {
            context: context(&p),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    server.set_max_connections(Some(1));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (release, released) = tokio::sync::watch::channel(false);
    let serving = tokio::spawn(server.serve_tokio(listener, move |mut s| {
        let mut released = released.clone();
        async move {
            let _ = s.write_all(b"in").await;
            let _ = released.wait_for(|r| *r).await;
            let _ = s.shutdown().await;
        }
    }));
    let mut first = connect(&trusting(port, &p)).await.unwrap();
    let mut b = [0u8; 2];
    first.read_exact(&mut b).await.unwrap();
    assert_eq!(server.get_connections(), 1);
    // The second is over the limit: closed before any TLS.
    let e = connect(&trusting(port, &p)).await.unwrap_err();
    assert_eq!(e.code, "ECONNRESET");
    release.send(true).unwrap();
    let mut rest = Vec::new();
    first.read_to_end(&mut rest).await.unwrap();
    let started = Instant::now();
    while server.get_connections() != 0 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(server.get_connections(), 0);
    serving.abort();
}
