//! TLS 1.3 0-RTT between our client and our server, in memory: early data accepted, and
//! each way it is refused (0-RTT off, a replay, a stale ticket age, a ticket older than the
//! replay register, a HelloRetryRequest), refused data handed back to the client, and the
//! server's limit. (Interop with OpenSSL is in client_interop.rs and server_interop.rs; the
//! hostile-peer cases are in hostile/early_data.rs.)

// The fixtures are read with std::fs.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;
use std::time::Duration;

use sanstls::client::{ClientConfig, ClientConnection, StoredSession};
use sanstls::crypto::sign::load_private_key;
use sanstls::enums::{AlertDescription, NamedGroup};
use sanstls::error::PeerMisbehaved;
use sanstls::server::early_data::{AntiReplay, StrikeRegister};
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::{Connection, Error, Event, UnixTime};
use sanstls_test::events::early_data;
use sanstls_test::fixtures;
use sanstls_test::pair::{transfer_at, NOW};

const HOST: &str = "localhost";

fn server_config() -> ServerConfig {
    let b = fixtures::bench("ecdsa");
    let key = load_private_key(&b.key).unwrap();
    let mut c = ServerConfig::new(vec![CertifiedKey::new(vec![b.leaf], key).unwrap()]);
    c.ticketer = Some(Arc::new(Ticketer::new(c.random.as_ref()).unwrap()));
    c.enable_early_data(16384, NOW);
    c
}

fn client_config() -> ClientConfig {
    let b = fixtures::bench("ecdsa");
    let verifier = sanstls_pki::tls::NodeServerVerifier::with_roots(vec![b.ca]).unwrap();
    let mut c = ClientConfig::new(Arc::new(verifier));
    c.enable_early_data = true;
    c
}

fn events(c: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn rejected(events: &[Event]) -> Option<Vec<u8>> {
    events.iter().find_map(|e| match e {
        Event::EarlyDataRejected(d) => Some(d.clone()),
        _ => None,
    })
}

fn read_all(c: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = c.read_plaintext(&mut buf);
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// A full handshake with `server`: the session its first ticket makes.
fn session(client: &ClientConfig, server: &Arc<ServerConfig>, now: UnixTime) -> StoredSession {
    let mut c = ClientConnection::new(Arc::new(client.clone()), HOST, now).unwrap();
    let mut s = ServerConnection::new(server.clone(), now).unwrap();
    let (ce, se) = transfer_at(&mut c, &mut s, now);
    assert_eq!((ce, se), (None, None));
    events(&mut c)
        .into_iter()
        .find_map(|e| match e {
            Event::NewSessionTicket(t) => Some(t),
            _ => None,
        })
        .expect("a ticket")
}

/// A resumption offering `session` and sending `data` before the handshake.
struct Resumed {
    client: ClientConnection,
    server: ServerConnection,
    client_events: Vec<Event>,
    server_events: Vec<Event>,
    errors: (Option<Error>, Option<Error>),
}

fn resume(
    client: &ClientConfig,
    server: &Arc<ServerConfig>,
    session: StoredSession,
    data: &[u8],
    now: UnixTime,
) -> Resumed {
    let mut c =
        ClientConnection::resume(Arc::new(client.clone()), HOST, Some(session), now).unwrap();
    assert_eq!(c.send(data).unwrap(), data.len());
    let mut s = ServerConnection::new(server.clone(), now).unwrap();
    let errors = transfer_at(&mut c, &mut s, now);
    let client_events = events(&mut c);
    let server_events = events(&mut s);
    Resumed {
        client: c,
        server: s,
        client_events,
        server_events,
        errors,
    }
}

impl Resumed {
    fn assert_established(&self) {
        assert_eq!(self.errors, (None, None));
        assert!(!self.client.is_handshaking() && !self.server.is_handshaking());
        assert!(self.client.negotiated().resumed && self.server.negotiated().resumed);
    }

    /// The early data was refused: handed back whole to the client, never delivered.
    fn assert_refused(&mut self, data: &[u8]) {
        self.assert_established();
        assert_eq!(rejected(&self.client_events).as_deref(), Some(data));
        assert!(early_data(&self.server_events).is_empty());
        assert!(!self.server.early_data_accepted() && !self.client.early_data_accepted());
        assert!(
            read_all(&mut self.server).is_empty(),
            "nothing resent by itself"
        );
    }
}

#[test]
fn tickets_offer_early_data_only_when_it_is_on() {
    let on = Arc::new(server_config());
    assert_eq!(
        session(&client_config(), &on, NOW).max_early_data(),
        Some(16384)
    );
    let mut off = server_config();
    off.max_early_data_size = 0;
    assert_eq!(
        session(&client_config(), &Arc::new(off), NOW).max_early_data(),
        None
    );
    // A size without replay protection does not offer it either.
    let mut unguarded = server_config();
    unguarded.anti_replay = None;
    let unguarded = Arc::new(unguarded);
    assert_eq!(
        session(&client_config(), &unguarded, NOW).max_early_data(),
        None
    );
}

#[test]
fn early_data_is_accepted_and_delivered_apart() {
    let server = Arc::new(server_config());
    let mut client = client_config();
    client.key_log = true;
    let mut server_logged = (*server).clone();
    server_logged.key_log = true;
    let server_logged = Arc::new(server_logged);
    let s = session(&client, &server, NOW);
    let mut r = resume(&client, &server_logged, s, b"GET / HTTP/1.1\r\n\r\n", NOW);
    r.assert_established();
    assert_eq!(early_data(&r.server_events), b"GET / HTTP/1.1\r\n\r\n");
    assert!(r
        .client_events
        .contains(&Event::EarlyDataAccepted(b"GET / HTTP/1.1\r\n\r\n".len())));
    assert!(rejected(&r.client_events).is_none());
    assert!(r.server.early_data_accepted() && r.client.early_data_accepted());
    // Early data is not also delivered as ordinary data.
    assert!(read_all(&mut r.server).is_empty());
    // Both logged the same early traffic secret.
    let early_secret = |events: &[Event]| {
        events.iter().find_map(|e| match e {
            Event::KeyLog(l) if l.label.as_str() == "CLIENT_EARLY_TRAFFIC_SECRET" => {
                Some(l.to_line())
            }
            _ => None,
        })
    };
    let line = early_secret(&r.client_events).expect("the client logs it");
    assert_eq!(early_secret(&r.server_events), Some(line));
    // The connection works both ways afterwards.
    r.client.send(b"after").unwrap();
    r.server.send(b"reply").unwrap();
    let (ce, se) = transfer_at(&mut r.client, &mut r.server, NOW);
    assert_eq!((ce, se), (None, None));
    assert_eq!(read_all(&mut r.server), b"after");
    assert_eq!(read_all(&mut r.client), b"reply");
}

#[test]
fn data_beyond_the_ticket_limit_waits_for_the_handshake() {
    let mut config = server_config();
    config.enable_early_data(10, NOW);
    let server = Arc::new(config);
    let s = session(&client_config(), &server, NOW);
    assert_eq!(s.max_early_data(), Some(10));
    let mut r = resume(&client_config(), &server, s, b"0123456789abcdef", NOW);
    r.assert_established();
    assert_eq!(early_data(&r.server_events), b"0123456789");
    assert!(r.client_events.contains(&Event::EarlyDataAccepted(10)));
    assert_eq!(read_all(&mut r.server), b"abcdef");
}

#[test]
fn a_server_with_early_data_off_refuses_it_and_the_client_gets_it_back() {
    let server = Arc::new(server_config());
    let s = session(&client_config(), &server, NOW);
    // The same ticket keys, with 0-RTT turned off since.
    let mut off = (*server).clone();
    off.max_early_data_size = 0;
    let mut r = resume(&client_config(), &Arc::new(off), s, b"early", NOW);
    r.assert_refused(b"early");
}

#[test]
fn refused_early_data_is_handed_back_with_what_was_held_behind_it() {
    let mut config = server_config();
    config.enable_early_data(4, NOW);
    let server = Arc::new(config);
    let s = session(&client_config(), &server, NOW);
    let mut off = (*server).clone();
    off.max_early_data_size = 0;
    // 4 bytes go as early data, 6 wait behind them: both come back, in order, and neither
    // is sent.
    let mut r = resume(&client_config(), &Arc::new(off), s, b"0123456789", NOW);
    r.assert_refused(b"0123456789");
}

#[test]
fn a_replayed_client_hello_gets_no_early_data_accepted() {
    let server = Arc::new(server_config());
    let s = session(&client_config(), &server, NOW);
    let mut c = ClientConnection::resume(Arc::new(client_config()), HOST, Some(s), NOW).unwrap();
    c.send(b"transfer 100").unwrap();
    let mut flight = Vec::new();
    c.write_tls(&mut flight);
    // The attacker's copy of the flight, replayed to another connection later on.
    let mut first = ServerConnection::new(server.clone(), NOW).unwrap();
    assert_eq!(first.read_tls(&flight), flight.len());
    first.process(NOW).unwrap();
    assert_eq!(early_data(&events(&mut first)), b"transfer 100");
    let later = NOW.saturating_add(Duration::from_secs(1));
    let mut replay = ServerConnection::new(server.clone(), later).unwrap();
    let mut rest = &flight[..];
    while !rest.is_empty() {
        let n = replay.read_tls(rest);
        rest = &rest[n..];
        replay.process(later).unwrap();
    }
    assert!(
        early_data(&events(&mut replay)).is_empty(),
        "the replay is refused"
    );
    assert!(!replay.early_data_accepted());
}

#[test]
fn the_same_ticket_twice_gets_early_data_accepted_once() {
    let server = Arc::new(server_config());
    let s = session(&client_config(), &server, NOW);
    let r = resume(&client_config(), &server, s.clone(), b"one", NOW);
    r.assert_established();
    assert_eq!(early_data(&r.server_events), b"one");
    let mut again = resume(&client_config(), &server, s, b"two", NOW);
    again.assert_refused(b"two");
}

#[test]
fn a_stale_ticket_age_refuses_early_data() {
    let server = Arc::new(server_config());
    let s = session(&client_config(), &server, NOW);
    // The client's clock says the ticket is 30 s younger than the server's says: outside
    // the 10 s window (as a ClientHello replayed 30 s later would be).
    let mut parts = sanstls::internal::SessionParts::from(s);
    parts.received_at = NOW.saturating_add(Duration::from_secs(30));
    let later = NOW.saturating_add(Duration::from_secs(60));
    let mut r = resume(&client_config(), &server, parts.into(), b"stale", later);
    r.assert_refused(b"stale");
    // Within the window it is accepted.
    let s = session(&client_config(), &server, NOW);
    let mut parts = sanstls::internal::SessionParts::from(s);
    parts.received_at = NOW.saturating_add(Duration::from_secs(5));
    let r = resume(&client_config(), &server, parts.into(), b"fresh", later);
    r.assert_established();
    assert_eq!(early_data(&r.server_events), b"fresh");
}

#[test]
fn a_ticket_issued_before_the_register_existed_gets_no_early_data() {
    let server = Arc::new(server_config());
    let s = session(&client_config(), &server, NOW);
    // The server restarts with the same ticket keys: a new register.
    let restart = NOW.saturating_add(Duration::from_secs(2));
    let mut restarted = (*server).clone();
    restarted.enable_early_data(16384, restart);
    let mut r = resume(&client_config(), &Arc::new(restarted), s, b"old", restart);
    r.assert_refused(b"old");
}

#[test]
fn early_data_over_the_servers_limit_is_unexpected_message() {
    let mut config = server_config();
    config.enable_early_data(1000, NOW);
    let server = Arc::new(config);
    let s = session(&client_config(), &server, NOW);
    // A client made to believe the ticket allows more.
    let mut parts = sanstls::internal::SessionParts::from(s);
    parts.max_early_data = Some(100_000);
    let r = resume(&client_config(), &server, parts.into(), &[7; 5000], NOW);
    assert_eq!(
        r.errors.1,
        Some(Error::PeerMisbehaved(PeerMisbehaved::TooMuchEarlyData))
    );
    assert_eq!(
        r.errors.0,
        Some(Error::AlertReceived(AlertDescription::UnexpectedMessage))
    );
}

#[test]
fn no_early_data_after_a_hello_retry_request() {
    let mut config = server_config();
    config.groups = vec![NamedGroup::secp384r1];
    let server = Arc::new(config);
    let s = session(&client_config(), &server, NOW);
    let mut r = resume(&client_config(), &server, s, b"retried", NOW);
    r.assert_refused(b"retried");
}

#[test]
fn without_the_opt_in_the_client_offers_no_early_data() {
    let server = Arc::new(server_config());
    let s = session(&client_config(), &server, NOW);
    let mut plain = client_config();
    plain.enable_early_data = false;
    let mut r = resume(&plain, &server, s, b"later", NOW);
    r.assert_established();
    assert!(early_data(&r.server_events).is_empty());
    assert!(!r
        .client_events
        .iter()
        .any(|e| matches!(e, Event::EarlyDataAccepted(_) | Event::EarlyDataRejected(_))));
    // Sent after the handshake, as before.
    assert_eq!(read_all(&mut r.server), b"later");
}

#[test]
fn the_strike_register_never_admits_twice_and_refuses_when_full() {
    let r = StrikeRegister::new(2, Duration::from_secs(10), NOW);
    let until = NOW.saturating_add(Duration::from_secs(20));
    assert!(r.admit(&[1; 32], NOW, until, NOW));
    assert!(!r.admit(&[1; 32], NOW, until, NOW), "a replay");
    assert!(r.admit(&[2; 32], NOW, until, NOW));
    // Full, nothing expired: refused, never evicting a live entry.
    assert!(!r.admit(&[3; 32], NOW, until, NOW));
    assert!(!r.admit(&[1; 32], NOW, until, NOW));
    assert_eq!(r.len(), 2);
    // Once their windows closed, entries make room.
    let later = until.saturating_add(Duration::from_secs(1));
    assert!(r.admit(
        &[3; 32],
        NOW,
        later.saturating_add(Duration::from_secs(5)),
        later
    ));
    assert_eq!(r.len(), 1);
    // A ticket issued before the register existed is never admitted.
    let before = UnixTime::from_secs(NOW.as_secs() - 1);
    assert!(!r.admit(&[4; 32], before, until, later));
}

/// The server checked the binders of a second ClientHello over a transcript that already
/// held that ClientHello, so no session resumed after a HelloRetryRequest.
#[test]
fn a_session_resumes_after_a_hello_retry_request() {
    let mut config = server_config();
    config.groups = vec![NamedGroup::secp384r1];
    let server = Arc::new(config);
    let s = session(&client_config(), &server, NOW);
    let mut plain = client_config();
    plain.enable_early_data = false;
    let r = resume(&plain, &server, s, b"retried", NOW);
    r.assert_established();
}

#[test]
fn declined_early_data_is_skipped_up_to_what_the_ticket_allowed() {
    // Tickets allowing 60000 bytes, more than the default skipping limit (16 KiB + 256).
    let mut config = server_config();
    config.enable_early_data(60_000, NOW);
    let server = Arc::new(config);
    let s = session(&client_config(), &server, NOW);
    let mut off = (*server).clone();
    off.max_early_data_size = 0;
    let data = vec![7u8; 60_000];
    let mut r = resume(&client_config(), &Arc::new(off), s, &data, NOW);
    r.assert_refused(&data);
}

#[test]
fn another_suite_of_the_tickets_hash_refuses_early_data() {
    use sanstls::suites::{TLS13_AES_128_GCM_SHA256, TLS13_CHACHA20_POLY1305_SHA256};
    let mut config = server_config();
    config.cipher_suites = vec![&TLS13_AES_128_GCM_SHA256, &TLS13_CHACHA20_POLY1305_SHA256];
    let server = Arc::new(config);
    let s = session(&client_config(), &server, NOW);
    // The same keys and register, now preferring ChaCha20 (SHA-256 too): the PSK resumes,
    // the early data (sealed under AES-128-GCM) is refused.
    let mut chacha = (*server).clone();
    chacha.cipher_suites = vec![&TLS13_CHACHA20_POLY1305_SHA256, &TLS13_AES_128_GCM_SHA256];
    let mut r = resume(&client_config(), &Arc::new(chacha), s, b"suite", NOW);
    r.assert_refused(b"suite");
}

#[test]
fn a_paused_server_takes_the_early_data_that_came_with_the_client_hello() {
    let server = Arc::new(server_config());
    let client = client_config();
    let ticket = session(&client, &server, NOW);
    let mut c = ClientConnection::resume(Arc::new(client), HOST, Some(ticket), NOW).unwrap();
    c.send(b"early hello").unwrap();
    let mut s = ServerConnection::new_paused(NOW, Duration::from_secs(10));
    // The ClientHello and the early data behind it, in one read.
    let mut wire = Vec::new();
    c.write_tls(&mut wire);
    assert_eq!(s.read_tls(&wire), wire.len());
    s.process(NOW).unwrap();
    assert!(matches!(s.poll_event(), Some(Event::ClientHello(_))));
    // Paused, the records behind the ClientHello wait; `process` again changes nothing.
    s.process(NOW).unwrap();
    assert!(s.poll_event().is_none());
    s.accept(server.clone(), NOW).unwrap();
    let (ce, se) = transfer_at(&mut c, &mut s, NOW);
    assert_eq!((ce, se), (None, None));
    assert_eq!(early_data(&events(&mut s)), b"early hello");
    assert!(s.early_data_accepted() && c.early_data_accepted());
}
