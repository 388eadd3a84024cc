use std::sync::Arc;

use super::*;
use crate::conn::tests::{exchange, read_all};
use crate::enums::ProtocolVersion;
use crate::fuzzing::{client_config, server_config};
use crate::suites::{ALL_TLS12_SUITES, ALL_TLS13_SUITES};
use crate::{ClientConnection, ServerConnection, UnixTime};

const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

/// Whether the connection holds any I/O buffer, event queue or expanded record key.
fn holds_anything(c: &Connection) -> bool {
    let m = &c.common;
    m.deframer.allocated() != 0
        || m.joiner.allocated() != 0
        || m.outgoing.capacity() != 0
        || m.received.capacity() != 0
        || m.events.capacity() != 0
        || m.sealer.as_ref().is_some_and(|s| s.key_expanded())
        || m.opener.as_ref().is_some_and(|o| o.key_expanded())
}

/// Every pair the engine can make with its certificate: each TLS 1.3 suite, and each
/// TLS 1.2 suite its ECDSA key can serve.
fn pairs() -> Vec<(String, ClientConnection, ServerConnection)> {
    let mut out = Vec::new();
    let server = Arc::new(server_config());
    for suite in ALL_TLS13_SUITES {
        let mut config = client_config(ProtocolVersion::TLSv1_3);
        config.cipher_suites = vec![*suite];
        let c = ClientConnection::new(Arc::new(config), "fuzz.example", NOW).unwrap();
        let s = ServerConnection::new(server.clone(), NOW).unwrap();
        out.push((format!("{:?}", suite.suite), c, s));
    }
    for suite in ALL_TLS12_SUITES
        .iter()
        .filter(|s| s.openssl_name.contains("ECDSA"))
    {
        let mut config = client_config(ProtocolVersion::TLSv1_2);
        config.tls12_cipher_suites = vec![*suite];
        let c = ClientConnection::new(Arc::new(config), "fuzz.example", NOW).unwrap();
        let s = ServerConnection::new(server.clone(), NOW).unwrap();
        out.push((suite.openssl_name.to_string(), c, s));
    }
    out
}

/// `from` sends `data`; `to` reads all of it.
fn deliver(from: &mut Connection, to: &mut Connection, data: &[u8]) {
    from.send(data).unwrap();
    exchange(from, to);
    assert!(read_all(to) == data);
}

#[test]
fn a_released_connection_holds_nothing_and_works_on() {
    for (name, mut c, mut s) in pairs() {
        exchange(&mut c, &mut s);
        assert!(!c.is_handshaking() && !s.is_handshaking(), "{name}");
        while c.poll_event().is_some() {}
        while s.poll_event().is_some() {}
        for round in 0..3u8 {
            let request = vec![round; 1000 + 7000 * usize::from(round)];
            deliver(&mut c, &mut s, &request);
            deliver(&mut s, &mut c, &request);
            while c.poll_event().is_some() {}
            while s.poll_event().is_some() {}
            assert!(holds_anything(&c) && holds_anything(&s), "{name}: in use");
            assert!(c.release_idle_memory(), "{name} client, round {round}");
            assert!(s.release_idle_memory(), "{name} server, round {round}");
            assert!(!holds_anything(&c), "{name}: client released");
            assert!(!holds_anything(&s), "{name}: server released");
        }
        // The keys come back with their sequence numbers where they were: records still
        // open on the other side (and TLS 1.2's explicit nonces still count on).
        deliver(&mut c, &mut s, b"after");
        deliver(&mut s, &mut c, b"and back");
        assert!(
            c.can_extract_secrets().is_ok() && s.can_extract_secrets().is_ok(),
            "{name}"
        );
    }
}

#[test]
fn nothing_is_released_while_anything_is_in_flight() {
    for (name, mut c, mut s) in pairs() {
        // Handshaking: the keys and buffers are in use.
        c.process(NOW).unwrap();
        assert!(!c.release_idle_memory(), "{name}: client handshaking");
        exchange(&mut c, &mut s);
        while c.poll_event().is_some() {}
        while s.poll_event().is_some() {}

        // Unsent TLS bytes.
        c.send(b"queued").unwrap();
        assert!(!c.release_idle_memory(), "{name}: unsent bytes");
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        assert!(c.release_idle_memory(), "{name}: all written");

        // Part of a record received: the rest must still open.
        let n = s.read_tls(&wire[..wire.len() - 3]);
        s.process(NOW).unwrap();
        assert!(!s.release_idle_memory(), "{name}: partial record");
        s.read_tls(&wire[n..]);
        s.process(NOW).unwrap();

        // Plaintext not read yet.
        assert!(!s.release_idle_memory(), "{name}: unread plaintext");
        assert_eq!(read_all(&mut s), b"queued", "{name}");
        assert!(s.release_idle_memory(), "{name}: all read");
    }
}

#[test]
fn tls13_key_updates_and_tls12_renegotiations_go_on_after_a_release() {
    let (_, mut c, mut s) = pairs().swap_remove(0);
    exchange(&mut c, &mut s);
    assert!(c.release_idle_memory() && s.release_idle_memory());
    c.key_update(true).unwrap();
    deliver(&mut c, &mut s, b"new keys");
    deliver(&mut s, &mut c, b"new keys too");

    let mut tls12 = pairs();
    let (name, mut c, mut s) = tls12.pop().unwrap();
    exchange(&mut c, &mut s);
    assert_eq!(
        c.negotiated().version,
        Some(ProtocolVersion::TLSv1_2),
        "{name}"
    );
    assert!(c.release_idle_memory() && s.release_idle_memory(), "{name}");
    c.renegotiate(NOW).unwrap();
    exchange(&mut c, &mut s);
    assert!(!c.is_handshaking() && !s.is_handshaking(), "{name}");
    deliver(&mut c, &mut s, b"renegotiated");
    deliver(&mut s, &mut c, b"renegotiated too");
}

#[test]
fn the_event_queue_goes_once_the_handshakes_events_are_taken() {
    for (name, mut c, mut s) in pairs() {
        exchange(&mut c, &mut s);
        for conn in [&mut *c, &mut *s] {
            // Established and idle: the buffers are gone, the events wait for the caller.
            assert!(conn.poll_event().is_some(), "{name}");
            while conn.poll_event().is_some() {}
            assert_eq!(conn.common.events.capacity(), 0, "{name}");
            assert_eq!(conn.common.deframer.allocated(), 0, "{name}");
            assert_eq!(conn.common.outgoing.capacity(), 0, "{name}");
        }
        deliver(&mut c, &mut s, b"one");
        deliver(&mut c, &mut s, b"two");
        assert!(s.poll_event().is_some(), "{name}: PlaintextReady");
        while s.poll_event().is_some() {}
        // Later events get a queue again, and keep it: no allocation per record.
        assert!(
            s.common.events.capacity() > 0,
            "{name}: kept after the first trim"
        );
    }
}
