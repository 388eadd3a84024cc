//! Cases: the bounds on what a peer can make us hold or do (`sanstls::Limits` and the
//! others), and the hygiene of secrets and configuration.

use std::sync::Arc;

use sanstls::enums::{
    AlertDescription as A, AlertLevel, CipherSuite, ContentType, ExtensionType, KeyUpdateRequest,
    ProtocolVersion,
};
use sanstls::internal::codec::Payload;
use sanstls::internal::msgs::extensions::{ClientExtension, Padding, UnknownExtension};
use sanstls::internal::msgs::handshake::KeyUpdatePayload;
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::server::resume12::SessionCache;
use sanstls::server::ticket::Ticketer;
use sanstls::server::CertifiedKey;
use sanstls::{Error, Event, UnixTime};

use crate::harness::*;
use crate::script12::{Client12, Server12};
use crate::script13::{exts, Client13, Server13};

pub fn cases() -> Vec<Case> {
    vec![
        case("a ClientHello of 100 KB (over 64 KiB) is accepted", || {
            let mut c = Client13::start(server_config(), |ch| {
                // 30,000 unknown suites (60 KB) and 40 KB of extensions.
                ch.cipher_suites
                    .extend((0..30_000u16).map(|i| CipherSuite::from(0x6000 + i % 0x1000)));
                exts(ch).insert(
                    0,
                    ClientExtension::Unknown(UnknownExtension {
                        typ: ExtensionType::from(0xfe30),
                        payload: Payload::new(vec![1; 30_000]),
                    }),
                );
                exts(ch).push(ClientExtension::Padding(Padding(vec![0; 10_000])));
            });
            c.read_server_hello();
            c.read_server_flight();
            assert_eq!(c.send_finished(), Ok(()));
            c.w.completed();
        }),
        case(
            "a handshake message over the default bound (OpenSSL's 131,396 bytes) is decode_error",
            || {
                let victim =
                    sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
                let mut w = Wire::new(Victim::Server(victim));
                let len = (131_397u32).to_be_bytes();
                w.record(ContentType::Handshake, &[1, len[1], len[2], len[3]]);
                w.delivered_refused(A::DecodeError);
            },
        ),
        case(
            "a handshake message over a configured bound is decode_error",
            || {
                let mut config = server_config();
                config.limits.max_handshake_message_len = 500;
                let mut c = Client13::start(config, |ch| {
                    exts(ch).push(ClientExtension::Padding(Padding(vec![0; 600])));
                });
                c.w.refused_in_handshake(A::DecodeError);
            },
        ),
        case(
            "a certificate chain over a client's bound is decode_error",
            || {
                let mut config = client_config();
                config.limits.max_handshake_message_len = 300;
                let mut s = Server13::start(config);
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee();
                s.send(ee);
                let c = s.certificate();
                s.send(c);
                s.w.delivered_refused(A::DecodeError);
            },
        ),
        case(
            "five warnings and an empty record, again and again, end the connection",
            || {
                for server in [false, true] {
                    let mut w = match server {
                        false => Server12::handshake(client_config()).w,
                        true => Client12::handshake(server_config()).w,
                    };
                    let _ = w.drain();
                    for _ in 0..50 {
                        for _ in 0..5 {
                            w.alert(AlertLevel::Warning, A::UnrecognisedName);
                        }
                        w.record(ContentType::ApplicationData, b"");
                    }
                    let _ = w.deliver();
                    w.refused(A::UnexpectedMessage);
                    assert_eq!(
                        w.result,
                        Err(Error::LimitExceeded(sanstls::limits::Limit::WarningAlerts))
                    );
                }
            },
        ),
        case(
            "empty records between warnings do not reset the warning count, nor warnings the empty count",
            || {
                let mut w = Server12::handshake(client_config()).w;
                let _ = w.drain();
                for _ in 0..40 {
                    w.record(ContentType::ApplicationData, b"");
                    w.alert(AlertLevel::Warning, A::UnrecognisedName);
                }
                let _ = w.deliver();
                w.refused(A::UnexpectedMessage);
            },
        ),
        case("non-empty data resets the flood counts", || {
            let mut w = Server12::handshake(client_config()).w;
            let _ = w.drain();
            for _ in 0..20 {
                for _ in 0..5 {
                    w.alert(AlertLevel::Warning, A::UnrecognisedName);
                }
                for _ in 0..30 {
                    w.record(ContentType::ApplicationData, b"");
                }
                w.record(ContentType::ApplicationData, b"progress");
            }
            w.deliver().unwrap();
            assert_eq!(w.received.len(), 20 * 8);
        }),
        case(
            "65 KeyUpdates within a minute is unexpected_message",
            || {
                let mut c = Client13::handshake(server_config());
                let _ = c.w.drain();
                for _ in 0..65 {
                    c.send(HandshakePayload::KeyUpdate(KeyUpdatePayload {
                        request: KeyUpdateRequest::UpdateNotRequested,
                    }));
                    let next = {
                        let t = c.traffic.as_mut().unwrap();
                        let k = t.update_client_secret().keys(c.suite.ring_aead());
                        sanstls::internal::record::protect::RecordSealer::tls13(
                            c.suite.aead,
                            k.key(),
                            k.iv(),
                        )
                        .unwrap()
                    };
                    c.w.set_sealer(Some(next));
                }
                let _ = c.w.deliver();
                c.w.refused(A::UnexpectedMessage);
                assert_eq!(
                    c.w.result,
                    Err(Error::LimitExceeded(
                        sanstls::limits::Limit::PostHandshakeMessages
                    ))
                );
            },
        ),
        case(
            "65 NewSessionTickets within a minute is unexpected_message",
            || {
                let mut s = Server13::handshake(client_config());
                for _ in 0..65 {
                    s.w.handshake(HandshakePayload::NewSessionTicketTls13(
                        sanstls::internal::msgs::handshake::NewSessionTicketPayloadTls13 {
                            lifetime: 60,
                            age_add: 0,
                            nonce: sanstls::internal::codec::PayloadU8::new(vec![1]),
                            ticket: sanstls::internal::codec::PayloadU16::new(vec![2]),
                            extensions: vec![],
                        },
                    ));
                }
                let _ = s.w.deliver();
                s.w.refused(A::UnexpectedMessage);
            },
        ),
        case("a handshake past its deadline fails without an alert", || {
            let mut s = Server13::start(client_config());
            let later = NOW.saturating_add(std::time::Duration::from_secs(121));
            assert_eq!(s.w.victim.poll_timeout(), Some(NOW.saturating_add(std::time::Duration::from_secs(120))));
            s.w.victim.handle_timeout(later);
            s.w.result = s.w.victim.process(later);
            s.w.collect();
            s.w.failed_quietly(Error::HandshakeTimeout);
        }),
        case(
            "unread plaintext holds back read_tls, and reading it lets it go on",
            || {
                let mut s = Server13::handshake(client_config());
                for _ in 0..8 {
                    s.w.record(ContentType::ApplicationData, &[3; 16384]);
                }
                let bytes = s.w.take_out();
                let v = &mut s.w.victim;
                let mut rest = &bytes[..];
                loop {
                    let n = v.read_tls(rest);
                    rest = &rest[n..];
                    v.process(NOW).unwrap();
                    if n == 0 {
                        break;
                    }
                }
                assert!(!rest.is_empty(), "the limit held bytes back");
                assert!(!v.wants_read());
                let mut buf = vec![0u8; 65536];
                let mut got = v.read_plaintext(&mut buf);
                assert!(v.wants_read());
                while !rest.is_empty() {
                    let n = v.read_tls(rest);
                    rest = &rest[n..];
                    v.process(NOW).unwrap();
                    got += v.read_plaintext(&mut buf);
                }
                got += v.read_plaintext(&mut buf);
                assert_eq!(got, 8 * 16384);
            },
        ),
        case(
            "the session cache is bounded in bytes",
            || {
                let mut config = server_config();
                config.ticketer = None;
                let cache = SessionCache::with_limits(1000, 600);
                config.session_cache = Some(cache.clone());
                for _ in 0..10 {
                    Client12::handshake(config.clone());
                }
                assert!(cache.bytes() <= 600, "{} bytes", cache.bytes());
                assert!(!cache.is_empty() && cache.len() < 10);
            },
        ),
        case(
            "a ticket made before a key rotation resumes for one ticket lifetime after it",
            || {
                let hour = std::time::Duration::from_secs(3600);
                let mut config = server_config();
                config.ticket_lifetime = std::time::Duration::from_secs(300);
                config.ticketer = Some(Arc::new(
                    Ticketer::new(config.random.as_ref())
                        .unwrap()
                        .with_rotation(12 * hour)
                        .with_grace(config.ticket_lifetime),
                ));
                let config = Arc::new(config);
                let client = Arc::new(client_config());
                let session_at = |at: UnixTime| {
                    let (mut c, s) = connect(&client, &config, None, at);
                    assert!(!c.is_handshaking() && !s.is_handshaking());
                    std::iter::from_fn(|| c.poll_event())
                        .find_map(|e| match e {
                            Event::NewSessionTicket(t) => Some(t),
                            _ => None,
                        })
                        .unwrap()
                };
                // Issued 100 s before the rotation; offered 100 s after it (within the
                // ticket lifetime), then a session issued after it, offered 299 s later.
                let before = NOW.saturating_add(12 * hour - std::time::Duration::from_secs(100));
                let _first = session_at(NOW);
                let old = session_at(before);
                let after = NOW.saturating_add(12 * hour + std::time::Duration::from_secs(100));
                let (_, s) = connect(&client, &config, Some(old), after);
                assert!(s.negotiated().resumed, "the previous key still opens its tickets");
                let old = session_at(before);
                let too_late =
                    NOW.saturating_add(12 * hour + std::time::Duration::from_secs(301));
                let mut stale = sanstls::internal::SessionParts::from(old);
                stale.lifetime_secs = 7200;
                let stale = stale.into();
                let (_, s) = connect(&client, &config, Some(stale), too_late);
                assert!(!s.negotiated().resumed, "not after one ticket lifetime");
            },
        ),
        case(
            "a configuration whose key is not its certificate's is refused when built",
            || {
                let p = pki();
                assert_eq!(
                    CertifiedKey::new(vec![p.rsa.clone()], p.ecdsa_key.clone()).err(),
                    Some(Error::BadConfiguration(
                        "the private key does not match the certificate"
                    ))
                );
                assert!(sanstls::client::ClientCertificate::new(
                    vec![p.ecdsa.clone()],
                    p.rsa_key.clone()
                )
                .is_err());
            },
        ),
        case("Debug never prints a session's secrets", || {
            let mut config = server_config();
            config.ticketer = None;
            config.external_sessions = true;
            let mut c = Client12::start(config, |_| {});
            c.read_server_flight();
            c.send_key_exchange();
            c.send_ccs_and_finished();
            c.read_server_finish();
            let new_session = c
                .w
                .events
                .iter()
                .find(|e| matches!(e, Event::NewSession { .. }))
                .expect("newSession")
                .clone();
            let Event::NewSession { data, .. } = &new_session else {
                unreachable!()
            };
            let shown = format!("{new_session:?}");
            assert!(!shown.contains(&format!("{:?}", &data[..8])), "{shown}");
            assert!(shown.contains("bytes"), "{shown}");
            // The client's session and key-log lines.
            let mut cc = client_config();
            cc.key_log = true;
            let s = Server13::handshake(cc);
            for e in &s.w.events {
                let shown = format!("{e:?}");
                if let Event::KeyLog(line) = e {
                    assert!(!shown.contains(&hex::encode(&line.secret)), "{shown}");
                }
            }
        }),
        case(
            "a ClientHello record of version 0x0301 or 0x0300 is accepted (RFC 8446 s5.1)",
            || {
                for version in [ProtocolVersion::TLSv1_0, ProtocolVersion::SSLv3] {
                    let victim =
                        sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
                    let mut w = Wire::new(Victim::Server(victim));
                    w.record_version = version;
                    let kx = sanstls::crypto::kx::KeyExchange::start(
                        sanstls::enums::NamedGroup::X25519,
                        &sanstls::rand::SystemRandom::new(),
                    )
                    .unwrap();
                    let hello =
                        crate::script13::client_hello(sanstls::internal::msgs::extensions::KeyShareEntry {
                            group: kx.group(),
                            key_exchange: kx.public_key().to_vec(),
                        });
                    w.handshake(HandshakePayload::ClientHello(hello));
                    w.deliver().unwrap();
                    w.waiting();
                    let (p, _) = w.expect_handshake(ProtocolVersion::TLSv1_3);
                    assert!(matches!(p, HandshakePayload::ServerHello(_)), "{p:?}");
                }
            },
        ),
    ]
}

/// Our client and our server, in memory, at `now`.
fn connect(
    client: &Arc<sanstls::client::ClientConfig>,
    server: &Arc<sanstls::server::ServerConfig>,
    session: Option<sanstls::client::StoredSession>,
    now: UnixTime,
) -> (
    sanstls::client::ClientConnection,
    sanstls::server::ServerConnection,
) {
    let mut c =
        sanstls::client::ClientConnection::resume(client.clone(), HOST, session, now).unwrap();
    let mut s = sanstls::server::ServerConnection::new(server.clone(), now).unwrap();
    for _ in 0..10 {
        let mut a = Vec::new();
        c.write_tls(&mut a);
        let mut rest = &a[..];
        while !rest.is_empty() {
            let n = s.read_tls(rest);
            rest = &rest[n..];
            s.process(now).unwrap();
        }
        let mut b = Vec::new();
        s.write_tls(&mut b);
        let mut rest = &b[..];
        while !rest.is_empty() {
            let n = c.read_tls(rest);
            rest = &rest[n..];
            c.process(now).unwrap();
        }
        if a.is_empty() && b.is_empty() {
            break;
        }
    }
    (c, s)
}
