use super::*;
use crate::conn::tests::{establish, read_buffered, start};
use crate::enums::{AlertDescription, ProtocolVersion};
use crate::{ClientConnection, Event, ServerConnection};

const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

/// An established pair, after checking that neither in-place call works before.
fn pair(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = start(version);
    assert!(
        c.seal_layout().is_none(),
        "no in-place sealing while handshaking"
    );
    let mut buf = vec![0; 64];
    assert!(matches!(
        c.seal_in_place(&mut buf, 1),
        Err(Error::ApiMisuse(_))
    ));
    assert!(matches!(
        c.open_in_place(&mut buf, NOW),
        Err(Error::ApiMisuse(_))
    ));
    establish(&mut c, &mut s);
    assert_eq!(c.negotiated().version, Some(version));
    (c, s)
}

/// Seals `data` in place, one record per `chunk` bytes, into one wire buffer.
fn seal_all(conn: &mut Connection, data: &[u8], chunk: usize) -> Vec<u8> {
    let layout = conn.seal_layout().unwrap();
    let mut wire = Vec::new();
    for piece in data.chunks(chunk) {
        let mut buf = vec![0xee; layout.buffer_len(piece.len())];
        buf[layout.plaintext(piece.len())].copy_from_slice(piece);
        let n = conn.seal_in_place(&mut buf, piece.len()).unwrap();
        assert!(n <= buf.len());
        wire.extend_from_slice(&buf[..n]);
    }
    wire
}

/// Opens everything in `wire` in place, offering it `step` bytes more at a time (as a
/// transport would deliver it); returns the application data.
fn open_all(conn: &mut Connection, wire: &mut [u8], step: usize) -> Vec<u8> {
    let (mut at, mut received, mut plain) = (0, 0usize, Vec::new());
    while at < wire.len() {
        received = received.saturating_add(step).min(wire.len()).max(at);
        let opened = conn.open_in_place(&mut wire[at..received], NOW).unwrap();
        if opened.consumed == 0 {
            assert!(received < wire.len(), "a whole record was not taken");
            continue;
        }
        plain.extend_from_slice(&wire[at..][opened.plaintext]);
        at += opened.consumed;
    }
    plain
}

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn in_place_records_are_read_by_the_buffered_path_and_back() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        let (mut c, mut s) = pair(version);
        // Client to server: sealed in place, read through read_tls.
        let data = sample(40_000);
        let layout = c.seal_layout().unwrap();
        assert_eq!(layout.max_plaintext, 16_384);
        let wire = seal_all(&mut c, &data, layout.max_plaintext);
        assert_eq!(
            wire.len(),
            3 * (layout.buffer_len(0)) + data.len(),
            "{version:?}"
        );
        assert_eq!(read_buffered(&mut s, &wire), data);
        // Server to client: sent through send, opened in place in uneven steps.
        s.send(&data).unwrap();
        let mut wire = Vec::new();
        s.write_tls(&mut wire);
        assert_eq!(open_all(&mut c, &mut wire, 1000), data, "{version:?}");
        assert!(
            c.poll_event().is_none(),
            "no PlaintextReady for in-place data"
        );
    }
}

#[test]
fn key_updates_arrive_in_place_and_their_answer_goes_first() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    s.key_update(true).unwrap();
    s.send(b"after the update").unwrap();
    let mut wire = Vec::new();
    s.write_tls(&mut wire);
    assert_eq!(open_all(&mut c, &mut wire, usize::MAX), b"after the update");
    assert_eq!(
        c.poll_event(),
        Some(Event::KeyUpdated {
            update_requested: true
        })
    );
    // Our KeyUpdate is queued: records sealed in place would overtake it.
    assert!(c.wants_write());
    let mut buf = vec![0; 64];
    assert!(matches!(
        c.seal_in_place(&mut buf, 3),
        Err(Error::ApiMisuse(_))
    ));
    let mut update = Vec::new();
    c.write_tls(&mut update);
    assert_eq!(s.read_tls(&update), update.len());
    s.process(NOW).unwrap();
    let wire = seal_all(&mut c, b"under new keys", 1024);
    assert_eq!(read_buffered(&mut s, &wire), b"under new keys");
}

#[test]
fn close_notify_arrives_in_place() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        let (mut c, mut s) = pair(version);
        s.send(b"last words").unwrap();
        s.send_close_notify();
        let mut wire = Vec::new();
        s.write_tls(&mut wire);
        assert_eq!(open_all(&mut c, &mut wire, usize::MAX), b"last words");
        assert!(c.peer_closed(), "{version:?}");
        assert_eq!(c.poll_event(), Some(Event::PeerClosed));
        let mut more = seal_all(&mut s, b"", 1);
        assert!(more.is_empty());
        more.extend_from_slice(&[23, 3, 3, 0, 0]);
        let opened = c.open_in_place(&mut more, NOW).unwrap();
        assert_eq!(opened.consumed, 0, "nothing is read after close_notify");
    }
}

#[test]
fn misuse_is_refused_and_changes_nothing() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    let layout = c.seal_layout().unwrap();
    // Too much plaintext for a record, and a buffer too short for the record.
    let mut big = vec![0; layout.buffer_len(layout.max_plaintext + 1)];
    assert!(matches!(
        c.seal_in_place(&mut big, layout.max_plaintext + 1),
        Err(Error::ApiMisuse(_))
    ));
    let mut short = vec![0; layout.prefix + 10];
    assert!(matches!(
        c.seal_in_place(&mut short, 10),
        Err(Error::ApiMisuse(_))
    ));
    // Bytes given to read_tls come before anything opened in place.
    s.send(b"one").unwrap();
    let mut first = Vec::new();
    s.write_tls(&mut first);
    assert_eq!(c.read_tls(&first[..3]), 3);
    s.send(b"two").unwrap();
    let mut second = Vec::new();
    s.write_tls(&mut second);
    assert!(matches!(
        c.open_in_place(&mut second.clone(), NOW),
        Err(Error::ApiMisuse(_))
    ));
    assert_eq!(c.read_tls(&first[3..]), first.len() - 3);
    c.process(NOW).unwrap();
    // ... and so does plaintext not yet read.
    assert!(matches!(
        c.open_in_place(&mut second.clone(), NOW),
        Err(Error::ApiMisuse(_))
    ));
    let mut got = [0; 8];
    assert_eq!(c.read_plaintext(&mut got), 3);
    assert_eq!(open_all(&mut c, &mut second, 2), b"two");
    // None of that cost a record: both directions are still in sequence.
    let wire = seal_all(&mut c, b"fine", 16);
    assert_eq!(read_buffered(&mut s, &wire), b"fine");
}

#[test]
fn a_tampered_record_fails_the_connection_with_bad_record_mac() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        let (mut c, mut s) = pair(version);
        let mut wire = seal_all(&mut s, b"secret", 64);
        let last = wire.len() - 1;
        wire[last] ^= 1;
        assert_eq!(c.open_in_place(&mut wire, NOW), Err(Error::DecryptError));
        assert!(c.wants_write(), "the alert is queued");
        let mut alert = Vec::new();
        c.write_tls(&mut alert);
        assert_eq!(s.read_tls(&alert), alert.len());
        assert_eq!(
            s.process(NOW),
            Err(Error::AlertReceived(AlertDescription::BadRecordMac))
        );
        // Sticky, in both directions.
        assert_eq!(c.open_in_place(&mut wire, NOW), Err(Error::DecryptError));
        assert_eq!(c.seal_in_place(&mut wire, 1), Err(Error::DecryptError));
        // An oversized header is refused before any decryption.
        let (mut c, _s) = pair(version);
        let mut huge = [23, 3, 3, 0xff, 0xff];
        assert!(c.open_in_place(&mut huge, NOW).is_err());
    }
}
