use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::conn::tests::{establish, exchange, pair, read_all, read_buffered, start};
use crate::enums::ProtocolVersion;
use crate::fuzzing::{client_config, server_config};
use crate::{ClientConnection, Event, ServerConnection};

const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);
const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3];

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 13 % 251) as u8).collect()
}

/// A transport that delivers `data` at most `step` bytes per read, with a `WouldBlock`
/// before every read that delivers, then end of stream.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    step: usize,
    blocked: bool,
    never_block: bool,
    calls: usize,
}

impl Trickle {
    fn new(data: Vec<u8>, step: usize) -> Self {
        Self {
            data,
            at: 0,
            step,
            blocked: false,
            never_block: false,
            calls: 0,
        }
    }
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        self.blocked = !self.blocked;
        if self.blocked && !self.never_block && self.at < self.data.len() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(self.step).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A writer that takes at most `step` bytes per write, refusing every other call with
/// `WouldBlock`.
#[derive(Default)]
struct Choked {
    out: Vec<u8>,
    step: usize,
    blocked: bool,
}

impl Write for Choked {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.blocked = !self.blocked;
        if self.blocked {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(self.step);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads everything `rd` delivers through `read_tls_from`, processing and reading
/// plaintext as the documented loop does, until end of stream.
fn read_until_eof(conn: &mut Connection, rd: &mut Trickle) -> Vec<u8> {
    let mut plain = Vec::new();
    loop {
        match conn.read_tls_from(rd) {
            Ok(0) => {
                conn.process(NOW).unwrap();
                plain.extend(read_all(conn));
                return plain;
            }
            Ok(_) => {
                conn.process(NOW).unwrap();
                plain.extend(read_all(conn));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn read_tls_from_reads_a_stream_through_would_block_to_end_of_stream() {
    for version in VERSIONS {
        for close in [true, false] {
            let (mut c, mut s) = pair(version);
            let data = sample(100_000);
            c.send(&data).unwrap();
            if close {
                c.send_close_notify();
            }
            let mut wire = Vec::new();
            c.write_tls(&mut wire);
            let mut rd = Trickle::new(wire, 3000);
            assert_eq!(read_until_eof(&mut s, &mut rd), data, "{version:?}");
            assert!(s.transport_eof());
            // Without close_notify the stream was cut: the caller can tell.
            assert_eq!(s.peer_closed(), close, "{version:?}");
            assert!(s.error().is_none());
        }
    }
}

#[test]
fn read_tls_from_refuses_without_reading_when_nothing_can_be_taken() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    c.send(&sample(200_000)).unwrap();
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    let mut rd = Trickle::new(wire, usize::MAX);
    rd.never_block = true;
    // A whole record waits for `process`.
    while s.read_tls_from(&mut rd).is_ok() {}
    let calls = rd.calls;
    let e = s.read_tls_from(&mut rd).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::Other);
    assert_eq!(rd.calls, calls, "the reader was not called");
    // Processed, but the plaintext is never read: the buffer fills and it refuses again.
    let mut refused = false;
    for _ in 0..100 {
        s.process(NOW).unwrap();
        if let Err(e) = s.read_tls_from(&mut rd) {
            assert_eq!(e.kind(), io::ErrorKind::Other);
            refused = !s.wants_read();
            break;
        }
    }
    assert!(refused, "unread plaintext holds read_tls_from back");
    assert!(!read_all(&mut s).is_empty());
    assert!(s.wants_read());
}

#[test]
fn bytes_read_after_close_notify_or_a_failure_are_dropped() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    c.send_close_notify();
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    wire.extend_from_slice(&[23, 3, 3, 0, 5, 1, 2, 3, 4, 5, 9, 9, 9]);
    let mut rd = Trickle::new(wire, 7);
    assert!(read_until_eof(&mut s, &mut rd).is_empty());
    assert!(s.peer_closed() && s.transport_eof() && s.error().is_none());
}

#[test]
fn write_tls_to_keeps_what_the_writer_did_not_take() {
    for version in VERSIONS {
        let (mut c, mut s) = start(version);
        // The handshake itself through a choked writer both ways.
        let mut rounds = 0;
        while c.is_handshaking() || s.is_handshaking() {
            let mut w = Choked {
                step: 100,
                ..Choked::default()
            };
            while c.wants_write() {
                let _ = c.write_tls_to(&mut w);
            }
            assert_eq!(read_buffered(&mut s, &w.out), b"");
            let mut w = Choked {
                step: 37,
                ..Choked::default()
            };
            while s.wants_write() {
                let _ = s.write_tls_to(&mut w);
            }
            assert_eq!(read_buffered(&mut c, &w.out), b"");
            rounds += 1;
            assert!(rounds < 10);
        }
        // Data: each call takes what the writer took, the rest stays for the next.
        let data = sample(70_000);
        c.send(&data).unwrap();
        let mut w = Choked {
            step: 5000,
            ..Choked::default()
        };
        let mut written = 0;
        while c.wants_write() {
            let before = c.pending_tls_len();
            match c.write_tls_to(&mut w) {
                Ok(n) => {
                    assert!(n > 0 && n <= 5000);
                    assert_eq!(c.pending_tls_len(), before - n);
                    written += n;
                }
                Err(e) => {
                    assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                    assert_eq!(c.pending_tls_len(), before, "nothing taken");
                }
            }
        }
        assert_eq!(written, w.out.len());
        assert_eq!(c.pending_tls_len(), 0);
        assert_eq!(c.write_tls_to(&mut w).unwrap(), 0, "nothing waiting");
        // A write_tls after a partial write_tls_to gives only the rest.
        c.send(&data).unwrap();
        let mut w2 = Choked {
            step: 10_000,
            blocked: true,
            ..Choked::default()
        };
        c.write_tls_to(&mut w2).unwrap();
        let mut rest = Vec::new();
        c.write_tls(&mut rest);
        w2.out.extend_from_slice(&rest);
        w.out.extend_from_slice(&w2.out);
        let mut both = data.clone();
        both.extend_from_slice(&data);
        assert_eq!(read_buffered(&mut s, &w.out), both, "{version:?}");
    }
}

#[test]
fn a_writer_that_takes_nothing_is_write_zero() {
    let (mut c, _s) = pair(ProtocolVersion::TLSv1_3);
    c.send(b"x").unwrap();
    let mut full: &mut [u8] = &mut [];
    let e = c.write_tls_to(&mut full).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::WriteZero);
    assert!(c.pending_tls_len() > 0, "kept");
}

#[test]
fn a_loop_that_watches_pending_tls_len_bounds_what_it_buffers() {
    // The application has 1 MB to send; the transport takes 3000 bytes per turn. The loop
    // sends at most 16 KiB per turn, only below its high-water mark.
    const HIGH_WATER: usize = 32 * 1024;
    const CHUNK: usize = 16 * 1024;
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    let app = sample(1_000_000);
    let mut sent = 0;
    let mut w = Choked {
        step: 3000,
        ..Choked::default()
    };
    let mut most = 0;
    while sent < app.len() || c.wants_write() {
        if sent < app.len() && c.pending_tls_len() < HIGH_WATER {
            let end = (sent + CHUNK).min(app.len());
            assert_eq!(c.send(&app[sent..end]).unwrap(), end - sent);
            sent = end;
        }
        most = most.max(c.pending_tls_len());
        let _ = c.write_tls_to(&mut w);
    }
    // Never more than the mark plus one chunk (and its record overhead) was held.
    assert!(most < HIGH_WATER + CHUNK + 256, "{most}");
    assert_eq!(read_buffered(&mut s, &w.out), app);
    // Without watching it, everything is buffered at once.
    c.send(&app).unwrap();
    assert!(c.pending_tls_len() > app.len());
}

#[test]
fn handle_timeout_says_when_it_failed_the_handshake() {
    let mut s = ServerConnection::new_paused(NOW, Duration::from_secs(10));
    assert_eq!(s.poll_timeout_after(NOW), Some(Duration::from_secs(10)));
    let later = NOW.saturating_add(Duration::from_secs(4));
    assert_eq!(s.poll_timeout_after(later), Some(Duration::from_secs(6)));
    assert!(!s.handle_timeout(later), "not yet");
    assert!(s.error().is_none());
    let past = NOW.saturating_add(Duration::from_secs(11));
    assert_eq!(s.poll_timeout_after(past), Some(Duration::ZERO));
    assert!(s.handle_timeout(past), "this call failed it");
    assert_eq!(s.error(), Some(&Error::HandshakeTimeout));
    assert!(!s.handle_timeout(past), "already failed: nothing changed");
    assert_eq!(s.poll_timeout_after(past), None);
    // No alert for a timeout, and nothing else was queued.
    assert!(!s.wants_write());
    assert_eq!(s.process(past), Err(Error::HandshakeTimeout));
    // An established connection needs no timer.
    let (mut c, _s) = pair(ProtocolVersion::TLSv1_3);
    assert_eq!(c.poll_timeout_after(NOW), None);
    assert!(!c.handle_timeout(past));
}

#[test]
fn record_len_validates_the_header() {
    assert_eq!(record_len(&[23, 3, 3, 0, 0]), Some(5));
    assert_eq!(record_len(&[22, 3, 1, 0x40, 0, 99]), Some(5 + 0x4000));
    assert_eq!(record_len(&[23, 3, 3, 0x48, 0]), Some(5 + 0x4800));
    assert_eq!(
        record_len(&[23, 3, 3, 0x48, 1]),
        None,
        "longer than any record"
    );
    assert_eq!(record_len(&[23, 3, 3, 0]), None, "short");
    assert_eq!(record_len(&[99, 3, 3, 0, 1]), None, "content type");
    assert_eq!(record_len(&[23, 2, 0, 0, 1]), None, "version");
    assert_eq!(record_len(&[21, 3, 3, 0, 0]), None, "an empty alert");
}

/// Runs the handshake until one side has finished and its last flight, with the
/// application data it sent beforehand behind it, is on the wire: returns that wire and
/// which side receives it (true: the server).
fn until_last_flight(c: &mut Connection, s: &mut Connection) -> (Vec<u8>, bool) {
    loop {
        let mut to_s = Vec::new();
        c.write_tls(&mut to_s);
        if !c.is_handshaking() && s.is_handshaking() {
            return (to_s, true);
        }
        assert_eq!(read_buffered(s, &to_s), b"");
        let mut to_c = Vec::new();
        s.write_tls(&mut to_c);
        if !s.is_handshaking() && c.is_handshaking() {
            return (to_c, false);
        }
        assert_eq!(read_buffered(c, &to_c), b"");
    }
}

#[test]
fn the_in_place_path_takes_over_a_stream_the_handshake_ended_on() {
    for version in VERSIONS {
        let (mut c, mut s) = start(version);
        let data = sample(40_000);
        // Both send before the handshake: the side that finishes first sends its data right
        // behind its last flight, in the same write.
        c.send(&data).unwrap();
        s.send(&data).unwrap();
        let (wire, to_server) = until_last_flight(&mut c, &mut s);
        let receiver: &mut Connection = match to_server {
            true => &mut s,
            false => &mut c,
        };
        // The last read carries the end of the handshake and the first records, and stops
        // in the middle of one.
        let cut = wire.len() - 20_000;
        let mut got = read_buffered(receiver, &wire[..cut]);
        assert!(!receiver.is_handshaking(), "{version:?}");
        assert!(
            !got.is_empty(),
            "{version:?}: application records came with it"
        );
        // The in-place path refuses while the engine holds part of a record ...
        let mut probe = wire[cut..].to_vec();
        assert!(matches!(
            receiver.open_in_place(&mut probe, NOW),
            Err(Error::ApiMisuse(_))
        ));
        // ... and takes over with what it held.
        let mut buf = receiver.take_received_tls().unwrap();
        assert!(!buf.is_empty(), "{version:?}: part of a record was held");
        assert_eq!(receiver.take_received_tls().unwrap(), b"", "taken once");
        buf.extend_from_slice(&wire[cut..]);
        let mut at = 0;
        while at < buf.len() {
            let opened = receiver.open_in_place(&mut buf[at..], NOW).unwrap();
            assert!(opened.consumed > 0, "whole records");
            got.extend_from_slice(&buf[at..][opened.plaintext]);
            at += opened.consumed;
        }
        assert_eq!(got, data, "{version:?}");
    }
}

#[test]
fn take_received_tls_is_refused_while_handshaking() {
    let (mut c, mut s) = start(ProtocolVersion::TLSv1_3);
    assert!(matches!(c.take_received_tls(), Err(Error::ApiMisuse(_))));
    establish(&mut c, &mut s);
    assert_eq!(c.take_received_tls().unwrap(), b"");
}

/// The steps docs/engine.md gives for a server paused on its ClientHello.
#[test]
fn a_paused_server_goes_on_as_documented_after_accept() {
    for version in VERSIONS {
        let client = Arc::new(client_config(version));
        let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
        let mut s = ServerConnection::new_paused(NOW, Duration::from_secs(30));
        // accept before there is a ClientHello is refused, nothing changed.
        assert!(matches!(
            s.accept(Arc::new(server_config()), NOW),
            Err(Error::ApiMisuse(_))
        ));
        let mut hello = Vec::new();
        c.write_tls(&mut hello);
        assert_eq!(read_buffered(&mut s, &hello), b"");
        // 1. The ClientHello event; nothing to send yet.
        let Some(Event::ClientHello(info)) = s.poll_event() else {
            panic!("no ClientHello event");
        };
        assert_eq!(info.server_name.as_deref(), Some("fuzz.example"));
        assert!(!s.wants_write());
        // (Any time later) 2. accept: the server's flight is queued.
        s.accept(Arc::new(server_config()), NOW).unwrap();
        // A second accept is refused and changes nothing.
        assert!(matches!(
            s.accept(Arc::new(server_config()), NOW),
            Err(Error::ApiMisuse(_))
        ));
        assert!(s.error().is_none());
        // 3. flush write_tls, 4. handle the events, 5. go on with the loop.
        assert!(s.wants_write());
        while s.poll_event().is_some() {}
        exchange(&mut c, &mut s);
        assert!(!c.is_handshaking() && !s.is_handshaking(), "{version:?}");
        c.send(b"ping").unwrap();
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        assert_eq!(read_buffered(&mut s, &wire), b"ping");
    }
}

/// A transport that delivers `data` in reads of varying sizes.
struct Uneven<'a> {
    data: &'a [u8],
    turn: usize,
}

impl Read for Uneven<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.turn += 1;
        let size = [1, 5, 700, 16_389, 3, 40_000, 9000][self.turn % 7];
        let n = buf.len().min(size).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn read_tls_from_keeps_plaintext_not_yet_read_whatever_the_reads() {
    // Plaintext is read only every third turn, so records decrypted where they lie in the
    // receive buffer are still there when the next read moves that buffer's bytes.
    for version in VERSIONS {
        let (mut c, mut s) = pair(version);
        let mut sent = Vec::new();
        for i in 0..30u32 {
            let chunk: Vec<u8> = (0..(i * 1499) % 17_000 + 1)
                .map(|j| (i * 31 + j) as u8)
                .collect();
            c.send(&chunk).unwrap();
            sent.extend_from_slice(&chunk);
        }
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        let mut rd = Uneven {
            data: &wire,
            turn: 0,
        };
        let mut got = Vec::new();
        let mut turn = 0;
        loop {
            turn += 1;
            match s.read_tls_from(&mut rd) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => assert_eq!(e.kind(), io::ErrorKind::Other),
            }
            s.process(NOW).unwrap();
            if turn % 3 == 0 || !s.wants_read() {
                got.extend(read_all(&mut s));
            }
        }
        s.process(NOW).unwrap();
        got.extend(read_all(&mut s));
        assert_eq!(got.len(), sent.len(), "{version:?}");
        assert!(
            got == sent,
            "{version:?}: the plaintext arrived whole and in order"
        );
    }
}

#[test]
fn a_paused_server_holds_what_follows_the_client_hello_and_says_so() {
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_3));
    let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let mut s = ServerConnection::new_paused(NOW, Duration::from_secs(30));
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    // Behind the ClientHello, records of application data (as 0-RTT would be).
    for _ in 0..3 {
        wire.extend_from_slice(&[23, 3, 3, 0x40, 0]);
        wire.extend_from_slice(&[0u8; 0x4000]);
    }
    let mut offered = &wire[..];
    let mut rounds = 0;
    while s.wants_read() && !offered.is_empty() {
        let n = s.read_tls(offered);
        offered = &offered[n..];
        s.process(NOW).unwrap();
        rounds += 1;
        assert!(rounds < 20, "the loop spins");
    }
    assert!(matches!(s.poll_event(), Some(Event::ClientHello(_))));
    assert!(!offered.is_empty() && !s.wants_read(), "held until accept");
    assert_eq!(s.read_tls(offered), 0);
    // accept processes what was held: here records the client (which offered no early
    // data) could not have sent, so they fail to decrypt under the handshake key.
    assert_eq!(
        s.accept(Arc::new(server_config()), NOW),
        Err(Error::DecryptError)
    );
    assert!(s.wants_read(), "failed: bytes are taken and dropped");
    assert_eq!(s.read_tls(offered), offered.len());
}
