//! The tokio transport (`async_tokio`) against Node's `tls`: our async client reads a Node
//! server's answer, a Node client talks to our async server.

mod common;

use std::sync::Arc;

use common::{context, first_line, node, Pki};
use sanstls_node::async_tokio::{accept, connect};
use sanstls_node::create_secure_context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "current_thread")]
async fn async_client_against_a_node_server() {
    let p = Pki::new("tokio-client", "localhost");
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const srv = tls.createServer({key: fs.readFileSync(a[1]), cert: fs.readFileSync(a[2])}, \
          s => s.on('data', d => s.end('echo:' + d)));\
        srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));";
    let mut child = node(script, &[&p.key_path(), &p.cert_path()]);
    let port = first_line(&mut child).parse().unwrap();
    let options = common::trusting(port, &p);
    let mut s = connect(&options).await.unwrap();
    assert!(s.authorized());
    s.write_all(b"async").await.unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.unwrap();
    assert_eq!(answer, "echo:async");

    // Listeners registered before the handshake (tls.connect's events).
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut s = sanstls_node::async_tokio::prepare(tcp, &options).unwrap();
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (e1, e2) = (events.clone(), events.clone());
    s.on_secure_connect(move || e1.lock().unwrap().push("secureConnect".to_string()));
    s.on_session(move |b| e2.lock().unwrap().push(format!("session {}", b.len())));
    s.handshake().await.unwrap();
    s.write_all(b"again").await.unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.unwrap();
    let events = events.lock().unwrap().clone();
    assert_eq!(events.first().map(String::as_str), Some("secureConnect"));
    assert!(
        events.iter().any(|e| e.starts_with("session ")),
        "{events:?}"
    );
    assert!(s.get_session().is_some());
    let _ = child.kill();
}

#[tokio::test(flavor = "current_thread")]
async fn node_client_against_an_async_server() {
    let p = Pki::new("tokio-server", "localhost");
    let config = Arc::new(create_secure_context(&context(&p)).unwrap().server_config());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const s = tls.connect({port: +a[1], host: '127.0.0.1', servername: 'localhost', \
          ca: fs.readFileSync(a[2])}, () => s.write('from node'));\
        s.on('data', d => { console.log(s.authorized + ' ' + d); s.end(); });";
    let mut child = node(script, &[&port, &p.cert_path()]);
    let (tcp, _) = listener.accept().await.unwrap();
    let mut s = accept(tcp, config).await.unwrap();
    let mut buf = [0u8; 9];
    s.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"from node");
    s.write_all(b"pong").await.unwrap();
    s.flush().await.unwrap();
    let line = tokio::task::spawn_blocking(move || first_line(&mut child))
        .await
        .unwrap();
    assert_eq!(line, "true pong");
    s.shutdown().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn server_features_on_tokio_through_accept_tokio() {
    let (main, other) = (
        Pki::new("tokio-main", "localhost"),
        Pki::new("tokio-other", "other.test"),
    );
    let server = sanstls_node::create_server(
        sanstls_node::ServerOptions {
            context: context(&main),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    server.add_context("*.test", &context(&other)).unwrap();
    let seen = Arc::new(std::sync::Mutex::new(0));
    let count = seen.clone();
    server.on_new_session(move |_, _| *count.lock().unwrap() += 1);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const s = tls.connect({port: +a[1], host: '127.0.0.1', servername: 'other.test', \
          ca: fs.readFileSync(a[2]), maxVersion: 'TLSv1.2'}, () => s.write('hi'));\
        s.on('data', d => { console.log(s.getPeerCertificate().subject.CN + ' ' + d); s.end(); });";
    let mut child = node(script, &[&port, &other.cert_path()]);
    let (tcp, _) = listener.accept().await.unwrap();
    let mut s = server.accept_tokio(tcp).await.unwrap();
    let mut buf = [0u8; 2];
    s.read_exact(&mut buf).await.unwrap();
    s.write_all(b"sni ok").await.unwrap();
    s.flush().await.unwrap();
    let line = tokio::task::spawn_blocking(move || first_line(&mut child))
        .await
        .unwrap();
    assert_eq!(line, "other.test sni ok");
    // The TLS 1.2 session went to the store (newSession).
    assert_eq!(*seen.lock().unwrap(), 1);
    s.shutdown().await.unwrap();
}
