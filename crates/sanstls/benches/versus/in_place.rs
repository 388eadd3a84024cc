//! Bulk transfer through each library's zero-copy API: records sealed and opened in the
//! caller's buffers.
//!
//! - sanstls: `seal_in_place` seals around plaintext the application put in the record
//!   buffer; `open_in_place` decrypts records where the transport put them.
//! - rustls: its unbuffered API. `WriteTraffic::encrypt` takes the plaintext as a slice and
//!   copies it into the output buffer before sealing; `process_tls_records` decrypts where
//!   the records lie.
//!
//! Each 16 KiB write is sealed by the client (timed as sending) into one wire buffer, then
//! opened by the server in that same buffer (timed as receiving). The application's data
//! is produced once: sanstls's in-place open leaves the plaintext where the next record's
//! plaintext goes, as an application that fills the buffer would; rustls is given it as a
//! slice.

use std::time::{Duration, Instant};

use rustls::client::UnbufferedClientConnection;
use rustls::server::UnbufferedServerConnection;
use rustls::unbuffered::{ConnectionState, UnbufferedStatus};

use crate::bulk::{connected, rates, WRITE};
use crate::endpoint::{ours_new, Ours};
use crate::setup::{self, Choice, Pki};

/// Client-to-server MB/s over sanstls's in-place API: (sending, receiving).
pub(crate) fn ours(pki: &Pki, choice: Choice, bytes: usize) -> (f64, f64) {
    let (client, server) = setup::ours(pki, choice);
    let mut pair = connected(ours_new(&client, &server, None));
    let (c, s): (&mut Ours<_>, &mut Ours<_>) = (&mut pair.client, &mut pair.server);
    let layout = c.conn.seal_layout().expect("established");
    let mut buf = vec![0; layout.buffer_len(WRITE)];
    buf[layout.plaintext(WRITE)].fill(0x5a);
    let (mut send, mut recv) = (Duration::ZERO, Duration::ZERO);
    let writes = bytes / WRITE;
    let mut received = 0;
    for _ in 0..writes {
        let t0 = Instant::now();
        let n = c
            .conn
            .seal_in_place(&mut buf, WRITE)
            .expect("sanstls: seal");
        let t1 = Instant::now();
        let opened = s
            .conn
            .open_in_place(&mut buf[..n], s.now)
            .expect("sanstls: open");
        recv += t1.elapsed();
        send += t1 - t0;
        assert_eq!(opened.consumed, n);
        received += opened.plaintext.len();
    }
    assert_eq!(received, writes * WRITE, "not all the data arrived");
    assert!(
        buf[layout.plaintext(WRITE)].iter().all(|&b| b == 0x5a),
        "sanstls: the data arrived changed"
    );
    rates(writes, send, recv)
}

/// Client-to-server MB/s over rustls's unbuffered API: (sending, receiving).
pub(crate) fn theirs(pki: &Pki, choice: Choice, bytes: usize) -> (f64, f64) {
    let (client, server) = setup::theirs(pki, choice);
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut c = Side::new(UnbufferedClientConnection::new(client, name).expect("client"));
    let mut s = Side::new(UnbufferedServerConnection::new(server).expect("server"));
    handshake(&mut c, &mut s);
    let data = vec![0x5a; WRITE];
    let mut wire = vec![0; WRITE + 256];
    let (mut send, mut recv) = (Duration::ZERO, Duration::ZERO);
    let writes = bytes / WRITE;
    let mut received = 0;
    for _ in 0..writes {
        let t0 = Instant::now();
        let n = match c.conn.process(&mut []).state {
            Ok(ConnectionState::WriteTraffic(mut w)) => {
                w.encrypt(&data, &mut wire).expect("rustls: encrypt")
            }
            other => panic!("rustls client not ready to write: {other:?}"),
        };
        let t1 = Instant::now();
        let status = s.conn.process(&mut wire[..n]);
        let mut discard = status.discard;
        match status.state {
            Ok(ConnectionState::ReadTraffic(mut r)) => {
                while let Some(record) = r.next_record() {
                    let record = record.expect("rustls: open");
                    discard += record.discard;
                    received += std::hint::black_box(record.payload).len();
                }
            }
            other => panic!("rustls server has no data: {other:?}"),
        }
        recv += t1.elapsed();
        send += t1 - t0;
        assert_eq!(discard, n, "rustls: the whole record was read");
    }
    assert_eq!(received, writes * WRITE, "not all the data arrived");
    rates(writes, send, recv)
}

/// rustls's client and server unbuffered connections, seen alike.
trait Unbuffered {
    type Data;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data>;
}

impl Unbuffered for UnbufferedClientConnection {
    type Data = rustls::client::ClientConnectionData;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(incoming)
    }
}

impl Unbuffered for UnbufferedServerConnection {
    type Data = rustls::server::ServerConnectionData;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(incoming)
    }
}

/// One end of an unbuffered rustls pair, with the bytes it received and not yet used.
struct Side<C> {
    conn: C,
    incoming: Vec<u8>,
}

impl<C: Unbuffered> Side<C> {
    fn new(conn: C) -> Self {
        Self {
            conn,
            incoming: Vec::new(),
        }
    }

    /// Runs the handshake as far as the bytes received allow, appending what it sends to
    /// `out`; returns whether the handshake is over (the connection may write traffic).
    fn advance(&mut self, out: &mut Vec<u8>) -> bool {
        loop {
            let status = self.conn.process(&mut self.incoming);
            let discard = status.discard;
            let (progress, done) = match status.state.expect("rustls: handshake") {
                ConnectionState::EncodeTlsData(mut e) => {
                    let at = out.len();
                    out.resize(at + 32 * 1024, 0);
                    let n = e.encode(&mut out[at..]).expect("rustls: encode");
                    out.truncate(at + n);
                    (true, false)
                }
                ConnectionState::TransmitTlsData(t) => {
                    t.done();
                    (true, false)
                }
                ConnectionState::BlockedHandshake => (false, false),
                ConnectionState::WriteTraffic(_) => (false, true),
                ConnectionState::ReadTraffic(mut r) => {
                    while let Some(record) = r.next_record() {
                        record.expect("rustls: record");
                    }
                    (true, false)
                }
                other => panic!("rustls: unexpected state in the handshake: {other:?}"),
            };
            self.incoming.drain(..discard);
            if !progress || (done && self.incoming.is_empty()) {
                return done;
            }
        }
    }
}

/// Takes an unbuffered pair through its handshake, and everything after it (tickets).
fn handshake<C: Unbuffered, S: Unbuffered>(c: &mut Side<C>, s: &mut Side<S>) {
    for _ in 0..16 {
        let mut to_server = Vec::new();
        let client_done = c.advance(&mut to_server);
        s.incoming.extend_from_slice(&to_server);
        let mut to_client = Vec::new();
        let server_done = s.advance(&mut to_client);
        c.incoming.extend_from_slice(&to_client);
        if client_done && server_done && to_server.is_empty() && to_client.is_empty() {
            // Let the client take what the server sent last (tickets).
            c.advance(&mut Vec::new());
            return;
        }
    }
    panic!("rustls: the unbuffered handshake did not complete");
}
