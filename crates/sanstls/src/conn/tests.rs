use std::sync::Arc;

use super::*;
use crate::fuzzing::{client_config, server_config};
use crate::limits::Limit;
use crate::record::size_limit::{PlaintextLimit, RecordLimits};
use crate::{ClientConfig, ClientConnection, ServerConnection};

const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

/// Moves bytes both ways until neither side has anything to send (the in-place tests
/// use it too).
pub(super) fn exchange(c: &mut Connection, s: &mut Connection) {
    loop {
        let (mut to_s, mut to_c) = (Vec::new(), Vec::new());
        c.write_tls(&mut to_s);
        assert_eq!(s.read_tls(&to_s), to_s.len());
        s.process(NOW).unwrap();
        s.write_tls(&mut to_c);
        assert_eq!(c.read_tls(&to_c), to_c.len());
        c.process(NOW).unwrap();
        if to_s.is_empty() && to_c.is_empty() {
            return;
        }
    }
}

/// Bytes of I/O buffer a connection holds allocated.
fn buffers(c: &Connection) -> usize {
    let m = &c.common;
    m.deframer.allocated()
        + m.outgoing.capacity()
        + m.pending_handshake.capacity()
        + m.received.capacity()
        + m.early_out.capacity()
}

#[test]
fn an_idle_connection_holds_no_io_buffers_and_a_busy_one_stops_allocating() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        let client = Arc::new(client_config(version));
        let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
        let mut s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
        exchange(&mut c, &mut s);
        assert!(!c.is_handshaking() && !s.is_handshaking());
        // The handshake's flights needed buffers; established and idle, none is kept.
        assert_eq!(buffers(&c), 0, "client {version:?}");
        assert_eq!(buffers(&s), 0, "server {version:?}");
        // Polling an idle connection leaves the caller's buffer with the caller.
        let mut polled = Vec::with_capacity(1000);
        assert_eq!(c.write_tls(&mut polled), 0);
        assert!(polled.capacity() >= 1000 && buffers(&c) == 0);

        // Bulk data: the buffers grow on the first records, then stay the same size.
        let data = vec![7; 16384];
        let mut sizes = Vec::new();
        let mut out = vec![0; 16384];
        for _ in 0..8 {
            c.send(&data).unwrap();
            let mut wire = Vec::new();
            c.write_tls(&mut wire);
            assert_eq!(s.read_tls(&wire), wire.len());
            s.process(NOW).unwrap();
            assert_eq!(s.read_plaintext(&mut out), data.len());
            sizes.push((buffers(&c), buffers(&s)));
        }
        assert!(sizes[0].1 > 0, "{version:?}: the receiver has a buffer");
        assert!(
            sizes[3..].windows(2).all(|w| w[0] == w[1]),
            "{version:?}: buffers keep their size under load: {sizes:?}"
        );
    }
}

#[test]
fn plaintext_arrives_whole_and_in_order_however_reads_interleave() {
    // Records of distinct bytes; the receiver takes the wire in chunks of `feed` bytes
    // and reads plaintext `read` bytes at a time, so the latest record is sometimes
    // still in the deframer's buffer (retained), sometimes copied out, sometimes split.
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        for (feed, read) in [
            (1 << 20, 1 << 20),
            (1 << 20, 700),
            (5000, 3000),
            (700, 1 << 20),
        ] {
            let client = Arc::new(client_config(version));
            let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
            let mut s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
            exchange(&mut c, &mut s);
            let mut sent = Vec::new();
            let mut wire = Vec::new();
            for i in 0..40u32 {
                let chunk: Vec<u8> = (0..(i * 997) % 20000 + 1)
                    .map(|j| (i * 31 + j) as u8)
                    .collect();
                c.send(&chunk).unwrap();
                sent.extend_from_slice(&chunk);
            }
            c.write_tls(&mut wire);
            let mut got = Vec::new();
            let mut buf = vec![0; read];
            let mut rest = &wire[..];
            while !rest.is_empty() || got.len() < sent.len() {
                let take = rest.len().min(feed);
                let n = s.read_tls(&rest[..take]);
                rest = &rest[n..];
                s.process(NOW).unwrap();
                // Alternate the copying reader and the borrowing one.
                let k = match got.len() % 2 {
                    0 => s.read_plaintext(&mut buf),
                    _ => {
                        let chunk = s.peek_plaintext();
                        let k = chunk.len().min(read);
                        buf[..k].copy_from_slice(&chunk[..k]);
                        s.consume_plaintext(k);
                        k
                    }
                };
                got.extend_from_slice(&buf[..k]);
                assert!(n > 0 || k > 0, "no progress ({version:?} {feed} {read})");
            }
            assert!(got == sent, "{version:?} feed {feed} read {read}");
        }
    }
}

/// A client of `version` and a server, before their handshake (the default suites:
/// AES-256-GCM first).
pub(super) fn start(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
    let client = Arc::new(client_config(version));
    let c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
    (c, s)
}

/// Runs the handshake of `start`'s pair; both are established, their events drained.
pub(super) fn establish(c: &mut Connection, s: &mut Connection) {
    exchange(c, s);
    assert!(!c.is_handshaking() && !s.is_handshaking());
    while c.poll_event().is_some() {}
    while s.poll_event().is_some() {}
}

/// An established pair of `version`.
pub(super) fn pair(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = start(version);
    establish(&mut c, &mut s);
    assert_eq!(c.negotiated().version, Some(version));
    (c, s)
}

/// Moves the client's write sequence (and the server's read sequence with it) to
/// `left` records before the key's usage limit.
fn near_limit(c: &mut Connection, s: &mut Connection, left: u64) {
    let sealer = c.common.sealer.as_mut().unwrap();
    let seq = sealer.algorithm().confidentiality_limit() - left;
    sealer.set_seq(seq);
    s.common.opener.as_mut().unwrap().set_seq(seq);
}

/// Reads `wire` through `read_tls`, `process` and `read_plaintext` (the in-place tests
/// use it too); returns the application data.
pub(super) fn read_buffered(conn: &mut Connection, mut wire: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    loop {
        let n = conn.read_tls(wire);
        wire = &wire[n..];
        conn.process(NOW).unwrap();
        plain.extend(read_all(conn));
        if wire.is_empty() {
            return plain;
        }
    }
}

pub(super) fn read_all(s: &mut Connection) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read_plaintext(&mut buf);
        if n == 0 {
            return got;
        }
        got.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn tls13_updates_its_key_before_the_usage_limit_by_itself() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    near_limit(&mut c, &mut s, KEY_USAGE_MARGIN + 2);
    // Five records' worth: two fit under the old key, then a KeyUpdate, then the rest.
    let data: Vec<u8> = (0..5 * 16384).map(|i| i as u8).collect();
    assert_eq!(c.send(&data).unwrap(), data.len());
    assert!(c.common.sealer.as_ref().unwrap().seq() < 10, "a new key");
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    assert!(read_buffered(&mut s, &wire) == data);
    let events: Vec<Event> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(events.contains(&Event::KeyUpdated {
        update_requested: false
    }));

    // The in-place path: sealing reaches the margin, the KeyUpdate is due and
    // write_tls sends it; the next record is sealed under the new key.
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    near_limit(&mut c, &mut s, KEY_USAGE_MARGIN + 1);
    let layout = c.seal_layout().unwrap();
    let mut record = vec![0; layout.buffer_len(5)];
    record[layout.plaintext(5)].copy_from_slice(b"hello");
    let n = c.seal_in_place(&mut record, 5).unwrap();
    assert!(c.wants_write(), "a KeyUpdate is due");
    let mut wire = record[..n].to_vec();
    c.write_tls(&mut wire);
    let mut record = vec![0; layout.buffer_len(5)];
    record[layout.plaintext(5)].copy_from_slice(b"again");
    let n = c.seal_in_place(&mut record, 5).unwrap();
    wire.extend_from_slice(&record[..n]);
    assert_eq!(read_buffered(&mut s, &wire), b"helloagain");
}

#[test]
fn tls12_closes_cleanly_before_the_usage_limit() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_2);
    near_limit(&mut c, &mut s, KEY_USAGE_MARGIN + 2);
    let data = vec![7u8; 5 * 16384];
    assert_eq!(c.send(&data), Err(Error::KeyUsageLimit));
    assert_eq!(c.send(b"more"), Err(Error::KeyUsageLimit));
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    // What fitted arrived, then close_notify.
    assert_eq!(read_buffered(&mut s, &wire).len(), 2 * 16384);
    assert!(s.peer_closed());
    assert!(c.error().is_none(), "a clean close, not a failure");
}

#[test]
fn bytes_after_close_notify_are_taken_and_dropped() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        let (mut c, mut s) = pair(version);
        c.send(b"last words").unwrap();
        c.send_close_notify();
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        // Garbage behind the close_notify, in the same read.
        wire.extend_from_slice(&[23, 3, 3, 0, 5, 1, 2, 3, 4, 5, 99, 99]);
        // The documented loop: offer until taken; it cannot spin.
        let mut offered = &wire[..];
        let mut rounds = 0;
        while !offered.is_empty() {
            let n = s.read_tls(offered);
            offered = &offered[n..];
            s.process(NOW).unwrap();
            rounds += 1;
            assert!(rounds < 10, "{version:?}: the loop spins");
        }
        assert!(s.peer_closed());
        assert_eq!(read_all(&mut s), b"last words");
        assert!(s.wants_read());
        assert_eq!(s.read_tls(b"more"), 4);
    }
}

/// An established pair whose server has processed the client's close_notify.
fn closed_by_client(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = pair(version);
    c.send_close_notify();
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    s.read_tls(&wire);
    s.process(NOW).unwrap();
    (c, s)
}

#[test]
fn tls12_close_notify_closes_both_directions() {
    let (mut c, mut s) = closed_by_client(ProtocolVersion::TLSv1_2);
    // The server answers with its own close_notify and sends nothing else.
    assert_eq!(s.send(b"HTTP/1.0 200 OK"), Err(Error::ClosedByPeer));
    let mut answer = Vec::new();
    s.write_tls(&mut answer);
    assert_eq!(c.read_tls(&answer), answer.len());
    c.process(NOW).unwrap();
    assert!(c.peer_closed());
    assert!(read_all(&mut c).is_empty());

    // TLS 1.3 closes one direction at a time.
    let (mut c, mut s) = closed_by_client(ProtocolVersion::TLSv1_3);
    s.send(b"still talking").unwrap();
    let mut answer = Vec::new();
    s.write_tls(&mut answer);
    c.read_tls(&answer);
    c.process(NOW).unwrap();
    assert_eq!(read_all(&mut c), b"still talking");
}

#[test]
fn warning_alerts_and_empty_records_do_not_reset_each_other() {
    // Five warnings and one empty record, forever: each kind stays under its own
    // limit, and only records that carry something reset the counts.
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_2);
    let mut result = Ok(());
    for _ in 0..100 {
        for _ in 0..5 {
            c.send_raw_record(ContentType::Alert, &[1, 112]).unwrap();
        }
        c.send_raw_record(ContentType::ApplicationData, &[])
            .unwrap();
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        s.read_tls(&wire);
        result = s.process(NOW);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(Error::LimitExceeded(Limit::WarningAlerts)));
}

/// The trace events of `c` in order, as `(sent, type)`: `hs:<type>`, `ccs`, `alert:<desc>`.
fn trace_of(c: &mut Connection) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    while let Some(e) = c.poll_event() {
        match e {
            Event::Trace(TraceEvent::Handshake { sent, typ, len }) => {
                assert!(len < 1 << 24);
                out.push((sent, format!("hs:{typ:?}")));
            }
            Event::Trace(TraceEvent::ChangeCipherSpec { sent }) => out.push((sent, "ccs".into())),
            Event::Trace(TraceEvent::Alert {
                sent, description, ..
            }) => out.push((sent, format!("alert:{description:?}"))),
            _ => {}
        }
    }
    out
}

#[test]
fn a_trace_lists_every_message_both_ways_only_when_asked() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        let client = Arc::new(ClientConfig {
            trace: true,
            ..client_config(version)
        });
        let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
        let mut s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
        s.set_trace(true);
        exchange(&mut c, &mut s);
        c.send_close_notify();
        exchange(&mut c, &mut s);
        let (ct, st) = (trace_of(&mut c), trace_of(&mut s));
        // What one side sent, the other received, in the same order.
        let sent = |t: &[(bool, String)], dir| {
            t.iter()
                .filter(|(s, _)| *s == dir)
                .map(|(_, m)| m.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(sent(&ct, true), sent(&st, false), "{version:?}");
        assert_eq!(sent(&st, true), sent(&ct, false), "{version:?}");
        let client_sent = sent(&ct, true);
        assert_eq!(
            client_sent.first().map(String::as_str),
            Some("hs:ClientHello")
        );
        assert!(client_sent.contains(&"hs:Finished".to_string()));
        assert_eq!(
            client_sent.last().map(String::as_str),
            Some("alert:CloseNotify")
        );
        let server_sent = sent(&st, true);
        assert_eq!(
            server_sent.first().map(String::as_str),
            Some("hs:ServerHello")
        );
        assert!(
            server_sent.contains(&"hs:Certificate".to_string()),
            "{server_sent:?}"
        );

        // Without set_trace, not one trace event.
        let client = Arc::new(client_config(version));
        let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
        let mut s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
        exchange(&mut c, &mut s);
        assert!(trace_of(&mut c).is_empty() && trace_of(&mut s).is_empty());
    }
}

/// The records in `wire`, as (content type, length of the record's payload).
fn records(mut wire: &[u8]) -> Vec<(u8, usize)> {
    let mut out = Vec::new();
    while wire.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([wire[3], wire[4]]));
        out.push((wire[0], len));
        wire = &wire[(5 + len).min(wire.len())..];
    }
    out
}

/// A handshake between a client announcing `client_limit` and a server announcing
/// `server_limit` (record_size_limit, RFC 8449), then 5000 bytes each way: returns the two
/// ends and the largest application record each sent.
fn limited_pair(
    version: ProtocolVersion,
    client_limit: Option<u16>,
    server_limit: Option<u16>,
) -> (ClientConnection, ServerConnection, usize, usize) {
    let client = Arc::new(ClientConfig {
        record_size_limit: client_limit,
        ..client_config(version)
    });
    let mut server = server_config();
    server.record_size_limit = server_limit;
    let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let mut s = ServerConnection::new(Arc::new(server), NOW).unwrap();
    exchange(&mut c, &mut s);
    assert!(!c.is_handshaking() && !s.is_handshaking());
    let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    let send = |from: &mut Connection, to: &mut Connection| {
        assert_eq!(from.send(&data).unwrap(), data.len());
        let mut wire = Vec::new();
        from.write_tls(&mut wire);
        assert_eq!(read_buffered(to, &wire), data, "{version:?}");
        records(&wire).iter().map(|r| r.1).max().unwrap()
    };
    let from_client = send(&mut c, &mut s);
    let from_server = send(&mut s, &mut c);
    (c, s, from_client, from_server)
}

#[test]
fn each_side_keeps_to_the_record_size_limit_the_other_announced() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        let (c, s, from_client, from_server) = limited_pair(version, Some(1000), Some(500));
        // The limits are content bytes in either version (RFC 8449 s4 adds TLS 1.3's type
        // byte on the wire).
        assert_eq!(c.common.fragmenter.max_fragment(), 500, "{version:?}");
        assert_eq!(s.common.fragmenter.max_fragment(), 1000, "{version:?}");
        let sealed = |conn: &Connection, n| conn.common.sealer.as_ref().unwrap().sealed_len(n);
        assert_eq!(
            from_client + 5,
            sealed(&c, 500),
            "{version:?}: full records of 500"
        );
        assert_eq!(from_server + 5, sealed(&s, 1000), "{version:?}");
    }
}

#[test]
fn without_both_announcing_nothing_is_limited() {
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
        for (client, server) in [(Some(1000), None), (None, Some(500))] {
            let (c, s, from_client, from_server) = limited_pair(version, client, server);
            assert_eq!(c.common.fragmenter.max_fragment(), 16384, "{version:?}");
            assert_eq!(s.common.fragmenter.max_fragment(), 16384, "{version:?}");
            assert!(from_client > 4000 && from_server > 4000, "{version:?}");
            assert_eq!(c.common.record_limits, RecordLimits::default());
            assert_eq!(s.common.record_limits, RecordLimits::default());
        }
    }
}

#[test]
fn set_max_send_fragment_and_the_peers_limit_give_the_smaller() {
    let (mut c, mut s, ..) = limited_pair(ProtocolVersion::TLSv1_3, Some(2000), Some(1000));
    c.set_max_send_fragment(512).unwrap();
    assert_eq!(c.common.fragmenter.max_fragment(), 512);
    c.set_max_send_fragment(4096).unwrap();
    assert_eq!(c.common.fragmenter.max_fragment(), 1000);
    s.set_max_send_fragment(16384).unwrap();
    assert_eq!(s.common.fragmenter.max_fragment(), 2000);
}

#[test]
fn a_bad_configured_record_size_limit_is_refused() {
    let client = Arc::new(ClientConfig {
        record_size_limit: Some(63),
        ..client_config(ProtocolVersion::TLSv1_3)
    });
    assert!(matches!(
        ClientConnection::new(client, "fuzz.example", NOW),
        Err(Error::BadConfiguration(_))
    ));
    let mut server = server_config();
    server.record_size_limit = Some(16385);
    let mut c = ClientConnection::new(
        Arc::new(client_config(ProtocolVersion::TLSv1_3)),
        "fuzz.example",
        NOW,
    )
    .unwrap();
    let mut s = ServerConnection::new(Arc::new(server), NOW).unwrap();
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    s.read_tls(&wire);
    assert!(matches!(s.process(NOW), Err(Error::BadConfiguration(_))));
}

#[test]
fn a_tls12_renegotiation_agrees_record_size_limits_afresh() {
    let (mut c, mut s, ..) = limited_pair(ProtocolVersion::TLSv1_2, Some(1000), Some(500));
    // The renegotiation's server takes no part in record_size_limit (RFC 8449 s4: it is
    // renegotiated, and may not be negotiated again).
    let mut server = server_config();
    server.record_size_limit = None;
    s.renegotiate_with(Arc::new(server), NOW).unwrap();
    // HelloRequest, then the client's ClientHello: the server has answered it, and its
    // answer still goes out under the old keys and so the old limit.
    let step = |from: &mut Connection, to: &mut Connection| {
        let mut wire = Vec::new();
        from.write_tls(&mut wire);
        assert_eq!(to.read_tls(&wire), wire.len());
        to.process(NOW).unwrap();
    };
    step(&mut s, &mut c);
    step(&mut c, &mut s);
    assert_eq!(s.common.record_limits, RecordLimits::default(), "agreed");
    assert_eq!(s.common.fragmenter.max_fragment(), 1000, "not yet in force");
    exchange(&mut c, &mut s);
    assert!(!c.is_handshaking() && !s.is_handshaking());
    for conn in [&*c, &*s] {
        assert_eq!(conn.common.fragmenter.max_fragment(), 16384);
        assert_eq!(conn.common.record_limits, RecordLimits::default());
        let sealer = conn.common.sealer.as_ref().unwrap();
        assert_eq!(sealer.limit(), PlaintextLimit::PROTOCOL);
    }
    // A record the old limits refused now passes both ways.
    let data = vec![9u8; 3000];
    c.send(&data).unwrap();
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    assert_eq!(records(&wire).len(), 1, "one record");
    assert_eq!(read_buffered(&mut s, &wire), data);
}

#[test]
fn sealing_in_place_keeps_to_the_peers_record_size_limit() {
    let (mut c, ..) = limited_pair(ProtocolVersion::TLSv1_3, Some(1000), Some(500));
    let layout = c.seal_layout().unwrap();
    assert_eq!(layout.max_plaintext, 500);
    let mut buf = vec![0; layout.buffer_len(501)];
    assert!(matches!(
        c.seal_in_place(&mut buf, 501),
        Err(Error::ApiMisuse(_))
    ));
    let n = c.seal_in_place(&mut buf, 500).unwrap();
    assert_eq!(n, c.common.sealer.as_ref().unwrap().sealed_len(500));
}
