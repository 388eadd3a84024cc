//! The mio echo server of `examples/mio_server/echo.rs` on rustls 0.23 instead of the
//! engine, for `cargo xtask load`: the same single thread, edge-triggered registration,
//! shared read path and back-pressure rule (stop reading while unsent TLS bytes are
//! waiting for the socket), rustls driving its own buffers as its documentation shows
//! (`read_tls`/`process_new_packets`/`reader`/`writer`/`write_tls` on the socket).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::Arc;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

const LISTENER: Token = Token(0);

struct Conn {
    sock: TcpStream,
    tls: rustls::ServerConnection,
    readable: bool,
}

/// Serves `listener` forever.
pub(crate) fn run(mut listener: TcpListener, config: Arc<rustls::ServerConfig>) -> io::Result<()> {
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut conns: HashMap<Token, Box<Conn>> = HashMap::new();
    let mut next = 1usize;
    let mut plain = vec![0u8; 16 * 1024];
    let mut events = Events::with_capacity(1024);
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for event in events.iter() {
            let token = event.token();
            if token == LISTENER {
                loop {
                    let (mut sock, _) = match listener.accept() {
                        Ok(s) => s,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    };
                    let token = Token(next);
                    next += 1;
                    if poll
                        .registry()
                        .register(&mut sock, token, Interest::READABLE | Interest::WRITABLE)
                        .is_err()
                    {
                        continue;
                    }
                    let _ = sock.set_nodelay(true);
                    let Ok(tls) = rustls::ServerConnection::new(config.clone()) else {
                        continue;
                    };
                    // Boxed, as in the engine's server: the table holds pointers.
                    conns.insert(
                        token,
                        Box::new(Conn {
                            sock,
                            tls,
                            readable: true,
                        }),
                    );
                    drive(&mut conns, token, &poll, &mut plain);
                }
                continue;
            }
            if let Some(conn) = conns.get_mut(&token) {
                if event.is_readable() || event.is_read_closed() || event.is_error() {
                    conn.readable = true;
                }
            }
            drive(&mut conns, token, &poll, &mut plain);
        }
    }
}

fn drive(conns: &mut HashMap<Token, Box<Conn>>, token: Token, poll: &Poll, plain: &mut [u8]) {
    let Some(conn) = conns.get_mut(&token) else {
        return;
    };
    if !step(conn, plain) {
        if let Some(mut conn) = conns.remove(&token) {
            let _ = poll.registry().deregister(&mut conn.sock);
        }
    }
}

/// One connection's work; false when it should be closed.
fn step(conn: &mut Conn, plain: &mut [u8]) -> bool {
    loop {
        while conn.tls.wants_write() {
            match conn.tls.write_tls(&mut conn.sock) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if conn.tls.wants_write() {
            return true; // back-pressure: read again once the socket took our bytes
        }
        if !conn.readable {
            return true;
        }
        match conn.tls.read_tls(&mut conn.sock) {
            Ok(0) => return false,
            Ok(_) => {
                let state = match conn.tls.process_new_packets() {
                    Ok(state) => state,
                    Err(_) => {
                        // Its alert is queued: send what the socket takes, then close.
                        let _ = conn.tls.write_tls(&mut conn.sock);
                        return false;
                    }
                };
                let closed = state.peer_has_closed();
                loop {
                    match conn.tls.reader().read(plain) {
                        Ok(0) => break,
                        Ok(n) => {
                            if conn.tls.writer().write_all(&plain[..n]).is_err() {
                                return false;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(_) => break,
                    }
                }
                if closed {
                    conn.tls.send_close_notify();
                    let _ = conn.tls.write_tls(&mut conn.sock);
                    return false;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => conn.readable = false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// A TLS 1.3 server configuration on the ring provider with the engine's certificate and
/// key, without session tickets (the engine's server sends none either).
pub(crate) fn config(cert: Vec<u8>, key_pkcs8: Vec<u8>) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pkcs8)),
        )
        .expect("certificate");
    config.send_tls13_tickets = 0;
    Arc::new(config)
}
