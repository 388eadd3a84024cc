//! One interface over a sanstls and a rustls connection, so each scenario is written once
//! and both libraries run exactly the same driving code (generic, statically dispatched).

use std::io::{Read, Write};
use std::sync::Arc;

use rustls::pki_types::ServerName;
use sanstls::client::StoredSession;
use sanstls::{ClientConnection, Connection, ServerConnection, UnixTime};

/// What the scenarios do with a connection.
pub(crate) trait Endpoint {
    /// Appends the TLS bytes waiting to be sent.
    fn write_tls(&mut self, out: &mut Vec<u8>);
    /// Takes and processes all of `data` (received TLS bytes), reading out and discarding
    /// any plaintext into `scratch` so back-pressure never stops it; returns the plaintext
    /// byte count.
    fn read_tls(&mut self, data: &[u8], scratch: &mut [u8]) -> usize;
    /// Queues application data.
    fn send(&mut self, data: &[u8]);
    fn is_handshaking(&self) -> bool;
    /// Takes whatever the connection queued for the caller besides bytes (sanstls's events),
    /// as an application would.
    fn drain_events(&mut self) {}
}

/// The time sanstls connections are told it is (they never read a clock).
pub(crate) fn now() -> UnixTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    UnixTime::from_secs(secs)
}

fn ours_read(c: &mut Connection, mut data: &[u8], scratch: &mut [u8], now: UnixTime) -> usize {
    let mut plain = 0;
    loop {
        let n = c.read_tls(data);
        data = &data[n..];
        c.process(now).expect("sanstls: process");
        loop {
            let got = c.read_plaintext(scratch);
            if got == 0 {
                break;
            }
            plain += got;
        }
        if data.is_empty() {
            return plain;
        }
        assert!(n > 0 || plain > 0, "sanstls: read_tls made no progress");
    }
}

/// A sanstls connection and the time it is told.
pub(crate) struct Ours<C> {
    pub(crate) conn: C,
    pub(crate) now: UnixTime,
}

// The methods are kept out of line so a profile (callgrind's --toggle-collect) can count
// each side's work apart.
impl<C: std::ops::DerefMut<Target = Connection>> Endpoint for Ours<C> {
    #[inline(never)]
    fn write_tls(&mut self, out: &mut Vec<u8>) {
        // The client's and the server's copies of these methods would otherwise be folded
        // into one (their code is identical), and a profile could not tell them apart.
        std::hint::black_box(std::any::type_name::<C>());
        self.conn.write_tls(out);
    }

    #[inline(never)]
    fn read_tls(&mut self, data: &[u8], scratch: &mut [u8]) -> usize {
        std::hint::black_box(std::any::type_name::<C>());
        ours_read(&mut self.conn, data, scratch, self.now)
    }

    fn send(&mut self, data: &[u8]) {
        let n = self.conn.send(data).expect("sanstls: send");
        assert_eq!(n, data.len(), "sanstls: short send");
    }

    fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    fn drain_events(&mut self) {
        while self.conn.poll_event().is_some() {}
    }
}

/// A fresh sanstls client (for `localhost`, offering `session`) and server.
pub(crate) fn ours_new(
    client: &Arc<sanstls::ClientConfig>,
    server: &Arc<sanstls::ServerConfig>,
    session: Option<StoredSession>,
) -> (Ours<ClientConnection>, Ours<ServerConnection>) {
    let now = now();
    let c = ClientConnection::resume(client.clone(), "localhost", session, now).expect("client");
    let s = ServerConnection::new(server.clone(), now).unwrap();
    (Ours { conn: c, now }, Ours { conn: s, now })
}

/// A fresh rustls client (for `localhost`) and server.
pub(crate) fn theirs_new(
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<rustls::ServerConfig>,
) -> (
    Theirs<rustls::ClientConnection>,
    Theirs<rustls::ServerConnection>,
) {
    let name = ServerName::try_from("localhost").expect("name");
    let c = rustls::ClientConnection::new(client.clone(), name).expect("client");
    let s = rustls::ServerConnection::new(server.clone()).expect("server");
    (Theirs(c), Theirs(s))
}

/// A rustls connection.
pub(crate) struct Theirs<C>(pub(crate) C);

impl<C, D> Endpoint for Theirs<C>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<D>>,
    D: rustls::SideData,
{
    #[inline(never)]
    fn write_tls(&mut self, out: &mut Vec<u8>) {
        while self.0.wants_write() {
            self.0.write_tls(out).expect("rustls: write_tls");
        }
    }

    #[inline(never)]
    fn read_tls(&mut self, mut data: &[u8], scratch: &mut [u8]) -> usize {
        let mut plain = 0;
        while !data.is_empty() {
            // rustls takes at most 4 KiB per `read_tls`: offer everything it will take
            // before processing, as rustls's own benchmark does (processing after each
            // 4 KiB would make it work on partial records and halve its throughput).
            let before = data.len();
            while !data.is_empty() {
                match self.0.read_tls(&mut data) {
                    Ok(0) | Err(_) => break, // its buffers are full: process first
                    Ok(_) => {}
                }
            }
            self.0.process_new_packets().expect("rustls: process");
            loop {
                match self.0.reader().read(scratch) {
                    Ok(0) => break,
                    Ok(n) => plain += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => panic!("rustls: read: {e}"),
                }
            }
            assert!(
                data.len() < before || plain > 0,
                "rustls: read_tls made no progress"
            );
        }
        plain
    }

    fn send(&mut self, data: &[u8]) {
        self.0.writer().write_all(data).expect("rustls: write");
    }

    fn is_handshaking(&self) -> bool {
        self.0.is_handshaking()
    }
}
