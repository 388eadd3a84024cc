//! Cases: TLS 1.3 0-RTT (RFC 8446 s4.2.10, s4.5). Our server against a scripted client
//! that resumes one of its tickets with early data (and breaks the rules around it), and
//! our client against a scripted server that answers its early data.

use std::sync::Arc;

use sanstls::client::{ClientConnection, StoredSession};
use sanstls::crypto::kx::KeyExchange;
use sanstls::enums::{AlertDescription as A, ContentType, NamedGroup, ProtocolVersion};
use sanstls::internal::codec::Payload;
use sanstls::internal::handshake::key_schedule::{
    KeyScheduleEarly, KeyScheduleHandshake, KeyScheduleTrafficPending, PskKind, TrafficKeys,
};
use sanstls::internal::handshake::transcript::HandshakeHash;
use sanstls::internal::msgs::extensions::{
    ClientExtension, KeyShareEntry, OfferedPsks, ProtocolName, PskBinderEntry, PskIdentity,
    ServerExtension,
};
use sanstls::internal::msgs::handshake::{FinishedPayload, NewSessionTicketExtension};
use sanstls::internal::msgs::hello::{ClientHelloPayload, ServerHelloPayload};
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::internal::record::protect::{RecordOpener, RecordSealer};
use sanstls::server::ServerConfig;
use sanstls::suites::{find_tls13_suite, Tls13CipherSuite};
use sanstls::{Event, ServerConnection};

use crate::harness::*;
use crate::script13::{client_hello, exts, read_flight_to_finished, Server13};
use sanstls_test::events::early_data;

const V13: ProtocolVersion = ProtocolVersion::TLSv1_3;
/// What the scripts send as early data.
const EARLY: &[u8] = b"GET /early";

fn sealer(suite: &Tls13CipherSuite, k: &TrafficKeys) -> RecordSealer {
    RecordSealer::tls13(suite.aead, k.key(), k.iv()).unwrap()
}

fn opener(suite: &Tls13CipherSuite, k: &TrafficKeys) -> RecordOpener {
    RecordOpener::tls13(suite.aead, k.key(), k.iv()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Our server; the script resumes one of its tickets with early data
// ---------------------------------------------------------------------------------------------

/// Our server with 0-RTT on, allowing `max` bytes.
fn early_server(max: u32) -> ServerConfig {
    let mut c = server_config();
    c.enable_early_data(max, NOW);
    c
}

/// A session from `config` (by a full handshake of our client with it).
fn session_from(config: &Arc<ServerConfig>) -> StoredSession {
    let mut client = ClientConnection::new(Arc::new(client_config()), HOST, NOW).unwrap();
    let mut server = ServerConnection::new(config.clone(), NOW).unwrap();
    let (ce, se) = sanstls_test::pair::transfer(&mut client, &mut server);
    assert_eq!((ce, se), (None, None));
    std::iter::from_fn(|| client.poll_event())
        .find_map(|e| match e {
            Event::NewSessionTicket(s) => Some(s),
            _ => None,
        })
        .expect("a ticket")
}

/// A scripted client that resumed a ticket of our server allowing `max` bytes of early
/// data, offered early data, and read the server's flight.
fn answered(max: u32) -> EarlyClient {
    let config = Arc::new(early_server(max));
    let mut c = EarlyClient::start(config.clone(), session_from(&config), |_| {});
    c.read_server_flight();
    c
}

/// A scripted client resuming a ticket of our server, offering early data.
struct EarlyClient {
    w: Wire,
    suite: &'static Tls13CipherSuite,
    transcript: HandshakeHash,
    early: KeyScheduleEarly,
    kx: Option<KeyExchange>,
    schedule: Option<KeyScheduleHandshake>,
    pending: Option<KeyScheduleTrafficPending>,
    /// Our handshake key, once the ServerHello gave it.
    handshake_keys: Option<TrafficKeys>,
    flight: Vec<HandshakePayload>,
}

impl EarlyClient {
    /// Sends a ClientHello resuming `session` with early_data (changed by `edit`) to our
    /// server with `config`; from then on the script seals under the early key.
    fn start(
        config: Arc<ServerConfig>,
        session: StoredSession,
        edit: impl FnOnce(&mut ClientHelloPayload),
    ) -> Self {
        let parts = sanstls::internal::SessionParts::from(session.clone());
        let suite = find_tls13_suite(parts.cipher_suite).unwrap();
        let kx =
            KeyExchange::start(NamedGroup::X25519, &sanstls::rand::SystemRandom::new()).unwrap();
        let mut hello = client_hello(KeyShareEntry {
            group: kx.group(),
            key_exchange: kx.public_key().to_vec(),
        });
        hello.cipher_suites = vec![suite.suite];
        exts(&mut hello).push(ClientExtension::EarlyData);
        edit(&mut hello);
        exts(&mut hello).push(ClientExtension::PreSharedKey(OfferedPsks {
            identities: vec![PskIdentity {
                identity: parts.ticket.clone(),
                obfuscated_ticket_age: session.obfuscated_age(NOW),
            }],
            binders: vec![PskBinderEntry(vec![0; suite.hash.output_len()])],
        }));
        let early = KeyScheduleEarly::with_psk(suite.hash, &parts.psk, PskKind::Resumption);
        let truncated = hello.encoding_for_binder_signing().unwrap();
        let binder = early
            .binder(
                &HandshakeHash::new()
                    .hash_with(suite.hash, &truncated)
                    .unwrap(),
            )
            .unwrap();
        hello.set_psk_binders(vec![PskBinderEntry(binder)]).unwrap();
        let victim = ServerConnection::new(config, NOW).unwrap();
        let mut w = Wire::new(Victim::Server(victim));
        let encoded = w.handshake(HandshakePayload::ClientHello(hello));
        let mut transcript = HandshakeHash::new();
        transcript.add_message(&encoded);
        let secret =
            early.client_early_traffic_secret(&transcript.hash_with(suite.hash, &[]).unwrap());
        w.set_sealer(Some(sealer(suite, &secret.keys(suite.ring_aead()))));
        Self {
            w,
            suite,
            transcript,
            early,
            kx: Some(kx),
            schedule: None,
            pending: None,
            handshake_keys: None,
            flight: Vec::new(),
        }
    }

    /// Delivers what is queued, reads the ServerHello and the flight to the server's
    /// Finished (checked); the opener moves to the server's application key. The script
    /// still seals under the early key.
    fn read_server_flight(&mut self) -> ServerHelloPayload {
        let _ = self.w.deliver();
        let (p, encoded) = self.w.expect_handshake(V13);
        let HandshakePayload::ServerHello(sh) = p else {
            panic!("expected ServerHello, got {p:?}");
        };
        self.transcript.start_hash(self.suite.hash).unwrap();
        self.transcript.add_message(&encoded);
        let share = sh.key_share().expect("the server's share");
        let shared = self
            .kx
            .take()
            .unwrap()
            .complete(&share.key_exchange)
            .unwrap();
        let early = std::mem::replace(&mut self.early, KeyScheduleEarly::new(self.suite.hash));
        let mut schedule =
            early.into_handshake(Some(&shared.0), &self.transcript.current_hash().unwrap());
        let (client, server) = schedule.handshake_keys(self.suite.ring_aead());
        self.w.set_opener(Some(opener(self.suite, &server)), true);
        self.handshake_keys = Some(client);
        read_flight_to_finished(
            &mut self.w,
            &mut self.transcript,
            &schedule,
            &mut self.flight,
        );
        let hash = self.transcript.current_hash().unwrap();
        let pending = schedule.into_traffic_pending(&hash);
        let server_app = pending.server_application_traffic_secret();
        self.w.set_opener(
            Some(opener(self.suite, &server_app.keys(self.suite.ring_aead()))),
            true,
        );
        self.pending = Some(pending);
        self.schedule = None;
        sh
    }

    /// Whether the server's EncryptedExtensions accepted early data.
    fn accepted(&self) -> bool {
        self.flight.iter().any(
            |m| matches!(m, HandshakePayload::EncryptedExtensions(ee) if ee.early_data_accepted()),
        )
    }

    /// Queues a handshake message under the current keys and adds it to the transcript.
    fn send(&mut self, p: HandshakePayload) {
        let encoded = self.w.handshake(p);
        self.transcript.add_message(&encoded);
    }

    fn end_of_early_data(&mut self) {
        self.send(HandshakePayload::EndOfEarlyData(
            sanstls::internal::msgs::handshake::EndOfEarlyDataPayload,
        ));
    }

    /// The script seals under its handshake key from now on.
    fn use_handshake_key(&mut self) {
        let keys = self.handshake_keys.take().expect("after the ServerHello");
        self.w.set_sealer(Some(sealer(self.suite, &keys)));
    }

    /// A correct Finished, queued under the current key.
    fn finished(&mut self) {
        let hash = self.transcript.current_hash().unwrap();
        let vd = self
            .pending
            .as_ref()
            .unwrap()
            .client_finished_verify_data(&hash);
        self.send(HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(vd),
        }));
    }

    /// EndOfEarlyData, then the Finished under the handshake key, delivered.
    fn complete(&mut self) {
        self.end_of_early_data();
        self.use_handshake_key();
        self.finished();
        let _ = self.w.deliver();
    }
}

fn server_cases() -> Vec<Case> {
    vec![
        case(
            "early data accepted: delivered as EarlyData up to the EndOfEarlyData, then the Finished under the handshake key",
            || {
                let config = Arc::new(early_server(16384));
                let mut c = EarlyClient::start(config.clone(), session_from(&config), |_| {});
                c.w.record(ContentType::ApplicationData, EARLY);
                c.read_server_flight();
                assert!(c.accepted());
                c.complete();
                c.w.completed();
                assert_eq!(early_data(&c.w.events), EARLY);
                assert!(c.w.received.is_empty(), "not also delivered as ordinary data");
            },
        ),
        case(
            "early data over max_early_data_size is unexpected_message",
            || {
                let mut c = answered(100);
                assert!(c.accepted());
                c.w.record(ContentType::ApplicationData, &[1; 60]);
                c.w.record(ContentType::ApplicationData, &[2; 41]);
                c.w.delivered_refused(A::UnexpectedMessage);
                assert_eq!(early_data(&c.w.events), [1; 60], "the first record only");
            },
        ),
        case(
            "early data of exactly max_early_data_size is accepted",
            || {
                let mut c = answered(100);
                c.w.record(ContentType::ApplicationData, &[1; 60]);
                c.w.record(ContentType::ApplicationData, &[2; 40]);
                c.complete();
                c.w.completed();
                assert_eq!(early_data(&c.w.events).len(), 100);
            },
        ),
        case(
            "a Finished under the early key without EndOfEarlyData is unexpected_message",
            || {
                let mut c = answered(16384);
                c.finished();
                c.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            // RFC 8446 s5.2: a record that does not decrypt under the key in force (here the
            // early key, until EndOfEarlyData) is bad_record_mac.
            "a Finished under the handshake key without EndOfEarlyData is bad_record_mac",
            || {
                let mut c = answered(16384);
                c.use_handshake_key();
                c.finished();
                c.w.delivered_refused(A::BadRecordMac);
            },
        ),
        case(
            "a second EndOfEarlyData is unexpected_message",
            || {
                let mut c = answered(16384);
                c.end_of_early_data();
                c.use_handshake_key();
                c.end_of_early_data();
                c.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "application data between EndOfEarlyData and the Finished is unexpected_message",
            || {
                let mut c = answered(16384);
                c.end_of_early_data();
                c.use_handshake_key();
                c.w.record(ContentType::ApplicationData, b"not early any more");
                c.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "EndOfEarlyData when early data was not accepted is unexpected_message",
            || {
                let config = Arc::new(early_server(16384));
                let session = session_from(&config);
                // The same ticket keys with 0-RTT off since: the PSK resumes, early data is
                // refused.
                let mut off = (*config).clone();
                off.max_early_data_size = 0;
                let mut c = EarlyClient::start(Arc::new(off), session, |_| {});
                c.w.record(ContentType::ApplicationData, EARLY);
                c.read_server_flight();
                assert!(!c.accepted());
                c.use_handshake_key();
                c.end_of_early_data();
                c.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "early data offered with another ALPN protocol than the ticket's is refused and skipped",
            || {
                let mut config = early_server(16384);
                config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
                let config = Arc::new(config);
                // A ticket made without ALPN; the ClientHello asks for h2.
                let session = session_from(&config);
                let mut c = EarlyClient::start(config, session, |ch| {
                    exts(ch).push(ClientExtension::Alpn(vec![ProtocolName(b"h2".to_vec())]));
                });
                c.w.record(ContentType::ApplicationData, EARLY);
                c.read_server_flight();
                assert!(!c.accepted());
                c.use_handshake_key();
                c.finished();
                let _ = c.w.deliver();
                c.w.completed();
                assert!(early_data(&c.w.events).is_empty());
            },
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Our client, offering early data; the script is the server
// ---------------------------------------------------------------------------------------------

/// A session our client keeps from a scripted server's ticket allowing early data, with
/// the server's resumption PSK for it.
fn early_ticket() -> (StoredSession, Vec<u8>) {
    early_ticket_with(client_config())
}

/// [`early_ticket`] for a client with `config`.
fn early_ticket_with(config: sanstls::client::ClientConfig) -> (StoredSession, Vec<u8>) {
    let (session, psk) = Server13::ticketed(
        config,
        &[3; 8],
        b"scripted early ticket",
        vec![NewSessionTicketExtension::EarlyData(16384)],
    );
    assert_eq!(session.max_early_data(), Some(16384));
    (session, psk)
}

/// Our client resumes `session` with early data on and sends [`EARLY`] before the
/// server answers; the script has read the ClientHello and opened the early data with
/// the early traffic key (returned, to read what else the client sends under it).
fn offering(
    session: StoredSession,
    psk: Vec<u8>,
    config: sanstls::client::ClientConfig,
) -> (Server13, Vec<u8>, RecordOpener) {
    let mut config = config;
    config.enable_early_data = true;
    let mut victim = ClientConnection::resume(Arc::new(config), HOST, Some(session), NOW).unwrap();
    assert_eq!(victim.send(EARLY).unwrap(), EARLY.len());
    let mut s = Server13::with_victim(victim);
    assert!(s.ch.early_data_requested(), "the client offers early data");
    let early = KeyScheduleEarly::with_psk(s.suite.hash, &psk, PskKind::Resumption);
    let secret =
        early.client_early_traffic_secret(&s.transcript.hash_with(s.suite.hash, &[]).unwrap());
    s.w.set_opener(
        Some(opener(s.suite, &secret.keys(s.suite.ring_aead()))),
        true,
    );
    let mut data = Vec::new();
    for g in s.w.drain() {
        match g {
            Got::ApplicationData(d) => data.extend_from_slice(&d),
            Got::ChangeCipherSpec => {}
            other => panic!("after the ClientHello: {other:?}"),
        }
    }
    s.psk = Some(psk);
    // The opener read one record (its sequence number goes on): kept for what follows
    // under the early key.
    let early = s.w.take_opener().unwrap();
    (s, data, early)
}

fn accepting_hello(s: &Server13) -> ServerHelloPayload {
    let mut sh = s.hello();
    if let Some(e) = sh.extensions.as_mut() {
        e.push(ServerExtension::PreSharedKey(0));
    }
    sh
}

fn client_cases() -> Vec<Case> {
    vec![
        case(
            "our early data goes under the early key, EndOfEarlyData under it too, then the Finished under the handshake key",
            || {
                let (session, psk) = early_ticket();
                let (mut s, data, early) = offering(session, psk, client_config());
                assert_eq!(data, EARLY);
                let sh = accepting_hello(&s);
                s.send_hello(sh);
                let ee = s.ee_with(vec![ServerExtension::EarlyData]);
                s.send(ee);
                let fin = s.finished();
                s.send(fin);
                s.after_finished();
                s.w.deliver().unwrap();
                // The client's EndOfEarlyData comes under the early key.
                let handshake = s.w.take_opener();
                s.w.set_opener(Some(early), true);
                let (p, encoded) = s.w.expect_handshake(V13);
                assert!(matches!(p, HandshakePayload::EndOfEarlyData(_)), "{p:?}");
                s.transcript.add_message(&encoded);
                s.w.set_opener(handshake, true);
                s.read_client_finished();
                s.w.completed();
                assert!(s.w.events.contains(&Event::EarlyDataAccepted(EARLY.len())));
                assert!(s.w.victim.early_data_accepted());
            },
        ),
        case(
            "a server accepting early data without our PSK is illegal_parameter",
            || {
                let (session, psk) = early_ticket();
                let (mut s, _, _) = offering(session, psk, client_config());
                s.psk = None;
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee_with(vec![ServerExtension::EarlyData]);
                s.send(ee);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "a server accepting early data under another ALPN protocol than the session's is illegal_parameter",
            || {
                let (session, psk) = early_ticket();
                let mut config = client_config();
                config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
                let (mut s, _, early) = offering(session, psk, config);
                let sh = accepting_hello(&s);
                s.send_hello(sh);
                let ee = s.ee_with(vec![
                    ServerExtension::Alpn(ProtocolName(b"h2".to_vec())),
                    ServerExtension::EarlyData,
                ]);
                s.send(ee);
                let _ = s.w.deliver();
                // Until its EndOfEarlyData the client writes under the early key, which
                // the server (that accepted early data) reads: its alert too.
                s.w.set_opener(Some(early), true);
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a server accepting early data under another suite of the session's hash is illegal_parameter",
            || {
                // A session made under AES-128-GCM; the server picks ChaCha20 (SHA-256 too),
                // under which the PSK still works but the early data was not sealed.
                let mut config = client_config();
                config.cipher_suites = vec![
                    &sanstls::suites::TLS13_AES_128_GCM_SHA256,
                    &sanstls::suites::TLS13_CHACHA20_POLY1305_SHA256,
                ];
                let (session, psk) = early_ticket_with(config.clone());
                let (mut s, _, early) = offering(session, psk, config);
                let mut sh = accepting_hello(&s);
                sh.cipher_suite = sanstls::enums::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256;
                s.send_hello(sh);
                let ee = s.ee_with(vec![ServerExtension::EarlyData]);
                s.send(ee);
                let _ = s.w.deliver();
                s.w.set_opener(Some(early), true);
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "an EndOfEarlyData from the server is unexpected_message",
            || {
                let (session, psk) = early_ticket();
                let (mut s, _, early) = offering(session, psk, client_config());
                let sh = accepting_hello(&s);
                s.send_hello(sh);
                let ee = s.ee_with(vec![ServerExtension::EarlyData]);
                s.send(ee);
                s.w.raw_handshake(&[5, 0, 0, 0]);
                let _ = s.w.deliver();
                s.w.set_opener(Some(early), true);
                s.w.refused_in_handshake(A::UnexpectedMessage);
            },
        ),
        case(
            "refused early data is handed back, and the client's Finished follows without EndOfEarlyData",
            || {
                let (session, psk) = early_ticket();
                let (mut s, _, _) = offering(session, psk, client_config());
                let sh = accepting_hello(&s);
                s.send_hello(sh);
                let ee = s.ee();
                s.send(ee);
                let fin = s.finished();
                s.send(fin);
                s.after_finished();
                // read_client_finished expects the Finished first, under the handshake key.
                s.read_client_finished();
                s.w.completed();
                assert!(s.w.events.contains(&Event::EarlyDataRejected(EARLY.to_vec())));
                assert!(!s.w.victim.early_data_accepted());
            },
        ),
        case(
            "after a HelloRetryRequest the early data is handed back and the second ClientHello offers none, in the clear",
            || {
                let (session, psk) = early_ticket();
                let (mut s, _, _) = offering(session, psk, client_config());
                // retry() reads the second ClientHello as a plaintext record.
                s.retry(NamedGroup::secp256r1, |_| {});
                assert!(!s.ch.early_data_requested());
                assert!(s.w.events.contains(&Event::EarlyDataRejected(EARLY.to_vec())));
                s.w.waiting();
            },
        ),
    ]
}

pub fn cases() -> Vec<Case> {
    let mut v = server_cases();
    v.extend(client_cases());
    v
}
