//! Node's own tests of `tls` (test/parallel/test-tls-*.js in Node's repository) that the
//! other test files do not already follow: each test here names the one it ports and
//! checks the same behaviour through the facade, both ends ours.

// Tests spawn threads and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{context, Pki};
use sanstls_node::{connect, create_server, ConnectOptions, Server, ServerOptions, TlsSocket};

/// A server on a loopback port whose secure connections go to `handle`.
fn serve(pki: &Pki, handle: impl Fn(TlsSocket<TcpStream>) + Send + Sync + 'static) -> Server {
    let mut server = create_server(
        ServerOptions {
            context: context(pki),
            ..Default::default()
        },
        handle,
    )
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    server
}

/// A client of `server` trusting nothing in particular.
fn client_options(server: &Server) -> ConnectOptions {
    ConnectOptions {
        host: "127.0.0.1".into(),
        port: server.address().unwrap().port(),
        servername: Some("localhost".into()),
        ..Default::default()
    }
}

/// Follows test-tls-max-send-fragment.js: `setMaxSendFragment` refuses 511 and 16385,
/// takes 768, and 10000 bytes sent in 768-byte records all arrive.
#[test]
fn max_send_fragment_bounds_and_delivery() {
    let pki = Pki::new("port-fragment", "localhost");
    let server = serve(&pki, |mut socket| {
        assert!(socket.set_max_send_fragment(511).is_err());
        assert!(socket.set_max_send_fragment(16385).is_err());
        socket.set_max_send_fragment(768).unwrap();
        socket.write_all(&[7u8; 10_000]).unwrap();
        socket.end().unwrap();
    });
    let mut options = client_options(&server);
    options.reject_unauthorized = false;
    let mut client = connect(&options).unwrap();
    let mut got = Vec::new();
    client.read_to_end(&mut got).unwrap();
    assert_eq!(got, vec![7u8; 10_000]);
}

/// Follows test-tls-invoke-queued.js: writes queued one after another arrive whole and in
/// order, and the client sees one end.
#[test]
fn queued_writes_arrive_in_order() {
    let pki = Pki::new("port-queued", "localhost");
    let server = serve(&pki, |mut socket| {
        socket.write_all(b"hello ").unwrap();
        socket.write_all(b"world!").unwrap();
        socket.write_all(b" gosh").unwrap();
        socket.end().unwrap();
    });
    let mut options = client_options(&server);
    options.reject_unauthorized = false;
    let mut client = connect(&options).unwrap();
    let mut got = String::new();
    client.read_to_string(&mut got).unwrap();
    assert_eq!(got, "hello world! gosh");
    // After the end, reading again gives the end again, not an error.
    assert_eq!(client.read(&mut [0u8; 8]).unwrap(), 0);
}

/// Follows test-tls-client-reject.js: against a self-signed server, a client with
/// `rejectUnauthorized: false` connects unauthorized and exchanges data; the default
/// client is refused; a client trusting the certificate connects authorized.
#[test]
fn client_rejects_unless_told_or_trusting() {
    let pki = Pki::new("port-reject", "localhost");
    let server = serve(&pki, |mut socket| {
        let mut buf = [0u8; 2];
        if socket.read_exact(&mut buf).is_ok() {
            let _ = socket.write_all(&buf);
        }
        let _ = socket.end();
    });
    let mut lax = client_options(&server);
    lax.reject_unauthorized = false;
    let mut socket = connect(&lax).unwrap();
    assert!(!socket.authorized());
    socket.write_all(b"ok").unwrap();
    let mut echo = String::new();
    socket.read_to_string(&mut echo).unwrap();
    assert_eq!(echo, "ok");

    let refused = connect(&client_options(&server)).unwrap_err();
    assert_eq!(refused.code, "DEPTH_ZERO_SELF_SIGNED_CERT");

    let mut trusting = client_options(&server);
    trusting.context.ca = Some(vec![pki.cert_pem.clone()]);
    let mut socket = connect(&trusting).unwrap();
    assert!(socket.authorized());
    socket.write_all(b"ok").unwrap();
    let mut echo = String::new();
    socket.read_to_string(&mut echo).unwrap();
    assert_eq!(echo, "ok");
}

/// Follows test-tls-junk-closes-server.js: bytes that are not TLS end the connection (the
/// client sees the end) and never reach the secure-connection listener.
#[test]
fn junk_closes_the_connection() {
    let pki = Pki::new("port-junk", "localhost");
    let secured = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&secured);
    let server = serve(&pki, move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let mut tcp = TcpStream::connect(server.address().unwrap()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.write_all(b"blah\nblah\nblah\n").unwrap();
    // The server answers with at most an alert, then closes.
    let mut rest = Vec::new();
    let _ = tcp.read_to_end(&mut rest);
    assert!(rest.len() <= 7, "{rest:?}");
    assert_eq!(secured.load(Ordering::SeqCst), 0);
}

/// Follows test-tls-zero-clear-in.js: writing zero bytes, then ending, is no error on
/// either side.
#[test]
fn an_empty_write_is_no_error() {
    let pki = Pki::new("port-empty", "localhost");
    let (tx, rx) = std::sync::mpsc::channel();
    let server = serve(&pki, move |mut socket| {
        let mut got = Vec::new();
        let read = socket.read_to_end(&mut got).map(|_| got);
        let _ = tx.send(read.map_err(|e| e.to_string()));
    });
    let mut options = client_options(&server);
    options.reject_unauthorized = false;
    let mut client = connect(&options).unwrap();
    assert_eq!(client.write(b"").unwrap(), 0);
    client.end().unwrap();
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(got, Ok(Vec::new()));
}

/// Follows test-tls-set-ciphers-error.js: a cipher list that selects nothing, an unknown
/// name, or an unknown TLS 1.3 name is refused when the server is made, with OpenSSL's
/// "no cipher match".
#[test]
fn a_cipher_list_matching_nothing_is_refused() {
    let pki = Pki::new("port-ciphers", "localhost");
    for ciphers in ["aes256-sha", "FOOBARBAZ", "TLS_not_a_cipher"] {
        let mut options = ServerOptions {
            context: context(&pki),
            ..Default::default()
        };
        options.context.ciphers = Some(ciphers.into());
        let err = create_server(options, |_| {}).map(|_| ()).unwrap_err();
        assert!(
            err.message.to_lowercase().contains("no cipher match"),
            "{ciphers}: {err:?}"
        );
    }
}
