//! Cases: a scripted TLS 1.3 client against our server.

use std::sync::Arc;

use sanstls::crypto::ffdhe::DhGroup;
use sanstls::crypto::kx::{KeyExchange, DEFAULT_GROUPS};
use sanstls::enums::{
    AlertDescription as A, CipherSuite, Compression, ContentType, ExtensionType, KeyUpdateRequest,
    NamedGroup, ProtocolVersion, SignatureScheme,
};
use sanstls::internal::codec::{Payload, PayloadU16, PayloadU8};
use sanstls::internal::msgs::base::{Random, SessionId};
use sanstls::internal::msgs::extensions::{
    ClientExtension, Cookie, KeyShareEntry, OfferedPsks, Padding, ProtocolName, PskBinderEntry,
    PskIdentity, ServerNameList, SupportedVersions, UnknownExtension,
};
use sanstls::internal::msgs::handshake::{
    DigitallySignedStruct, FinishedPayload, KeyUpdatePayload, NewSessionTicketPayloadTls13,
};
use sanstls::internal::msgs::hello::ClientHelloPayload;
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::server::ServerConfig;

use crate::harness::*;
use crate::script13::{certificate, certificate_verify_content, exts, Client13};

const V13: ProtocolVersion = ProtocolVersion::TLSv1_3;

/// Our server refuses the ClientHello `edit` made from a correct one.
fn bad_hello(alert: A, edit: impl Fn(&mut ClientHelloPayload) + 'static) -> impl Fn() {
    bad_hello_with(server_config, alert, edit)
}

fn bad_hello_with(
    config: fn() -> ServerConfig,
    alert: A,
    edit: impl Fn(&mut ClientHelloPayload) + 'static,
) -> impl Fn() {
    move || {
        let mut c = Client13::start(config(), &edit);
        c.w.refused_in_handshake(alert);
    }
}

/// Our server completes a handshake whose ClientHello `edit` changed (in ways the RFCs
/// allow); returns the script for more checks.
fn good_hello(edit: impl Fn(&mut ClientHelloPayload)) -> Client13 {
    let mut c = Client13::start(server_config(), edit);
    c.read_server_hello();
    c.read_server_flight();
    assert_eq!(c.send_finished(), Ok(()));
    c.w.completed();
    c
}

fn remove(ch: &mut ClientHelloPayload, t: ExtensionType) {
    use sanstls::internal::msgs::extensions::TlsExtension;
    exts(ch).retain(|e| e.ext_type() != t);
}

fn replace(ch: &mut ClientHelloPayload, e: ClientExtension) {
    use sanstls::internal::msgs::extensions::TlsExtension;
    let t = e.ext_type();
    for x in exts(ch).iter_mut() {
        if x.ext_type() == t {
            *x = e;
            return;
        }
    }
    exts(ch).push(e);
}

fn unknown(typ: u16, payload: &[u8]) -> ClientExtension {
    ClientExtension::Unknown(UnknownExtension {
        typ: ExtensionType::from(typ),
        payload: Payload::new(payload.to_vec()),
    })
}

fn sni(name: &[u8]) -> ClientExtension {
    ClientExtension::ServerName(ServerNameList::from_host_name(name))
}

fn with_client_auth(mandatory: bool) -> ServerConfig {
    let mut c = server_config();
    c.client_verifier = Some(client_verifier(mandatory));
    c
}

fn with_alpn() -> ServerConfig {
    let mut c = server_config();
    c.alpn_protocols = vec![b"h2".to_vec()];
    c
}

/// Through the server's flight; then the script sends what `then` sends and the server
/// refuses it with `alert`.
fn bad_second_flight(
    config: fn() -> ServerConfig,
    alert: A,
    then: impl Fn(&mut Client13) + 'static,
) -> impl Fn() {
    move || {
        let mut c = Client13::start(config(), |_| {});
        c.read_server_hello();
        c.read_server_flight();
        then(&mut c);
        c.w.delivered_refused(alert);
    }
}

/// An established server (a correct scripted handshake), then what `after` sends, refused
/// with `alert`.
fn bad_after(alert: A, after: impl Fn(&mut Client13) + 'static) -> impl Fn() {
    move || {
        let mut c = Client13::handshake(server_config());
        let _ = c.w.drain();
        after(&mut c);
        let _ = c.w.deliver();
        c.w.refused(alert);
    }
}

/// The client Certificate and a correct CertificateVerify for the ECDSA leaf.
fn send_client_certificate(c: &mut Client13, context: &[u8]) {
    let p = pki();
    c.send(certificate(context, std::slice::from_ref(&p.ecdsa)));
    let hash = c.transcript.current_hash().unwrap();
    let content = certificate_verify_content(false, hash.as_ref());
    let scheme = SignatureScheme::ECDSA_NISTP256_SHA256;
    let sig = p.ecdsa_key.sign(scheme, &content).unwrap();
    c.send(HandshakePayload::CertificateVerify(
        DigitallySignedStruct::new(scheme, sig),
    ));
}

/// The script's first ClientHello has an empty key_share, so our server asks for one with a
/// HelloRetryRequest; the second ClientHello, the first with a share and the cookie, then
/// changed by `edit`, is sent and processed.
fn retried(edit: impl Fn(&mut ClientHelloPayload, &Cookie)) -> Client13 {
    let mut c = Client13::start(server_config(), |ch| {
        replace(ch, ClientExtension::KeyShare(vec![]));
    });
    let (p, encoded) = c.w.expect_handshake(V13);
    let HandshakePayload::HelloRetryRequest(hrr) = p else {
        panic!("expected a HelloRetryRequest, got {p:?}");
    };
    let suite = sanstls::suites::find_tls13_suite(hrr.cipher_suite).unwrap();
    c.transcript.start_hash(suite.hash).unwrap();
    c.transcript.rollup_for_hrr().unwrap();
    c.transcript.add_message(&encoded);
    let cookie = hrr.cookie().cloned().expect("our server sends a cookie");
    let group = hrr.requested_key_share_group().expect("a group");
    let kx = KeyExchange::start(group, &sanstls::rand::SystemRandom::new()).unwrap();
    let mut ch = c.hello.clone();
    replace(
        &mut ch,
        ClientExtension::KeyShare(vec![KeyShareEntry {
            group,
            key_exchange: kx.public_key().to_vec(),
        }]),
    );
    exts(&mut ch).push(ClientExtension::Cookie(cookie.clone()));
    edit(&mut ch, &cookie);
    let encoded = c.w.handshake(HandshakePayload::ClientHello(ch.clone()));
    c.transcript.add_message(&encoded);
    c.hello = ch;
    c.set_share(kx);
    let _ = c.w.deliver();
    c
}

pub fn cases() -> Vec<Case> {
    let mut v = own_cases();
    v.extend(crate::record_limits::server13_cases());
    v
}

fn own_cases() -> Vec<Case> {
    let mut v = vec![
        case("a correct client completes the handshake", || {
            let mut c = Client13::handshake(server_config());
            c.w.record(ContentType::ApplicationData, b"hello");
            c.w.deliver().unwrap();
            assert_eq!(c.w.received, b"hello");
            assert_eq!(c.w.victim.negotiated().server_name.as_deref(), Some(HOST));
        }),
        // ---- versions ----
        case(
            "legacy_version 0x0300 with supported_versions is protocol_version",
            bad_hello(A::ProtocolVersion, |ch| {
                ch.legacy_version = ProtocolVersion::SSLv3
            }),
        ),
        case(
            "legacy_version 0x0301 with TLS 1.3 in supported_versions is protocol_version",
            bad_hello(A::ProtocolVersion, |ch| {
                ch.legacy_version = ProtocolVersion::TLSv1_0
            }),
        ),
        case(
            "legacy_version 0x0304 with supported_versions is protocol_version",
            bad_hello(A::ProtocolVersion, |ch| ch.legacy_version = V13),
        ),
        case(
            "supported_versions without TLS 1.2 or 1.3 is protocol_version",
            bad_hello(A::ProtocolVersion, |ch| {
                replace(
                    ch,
                    ClientExtension::SupportedVersions(SupportedVersions(vec![
                        ProtocolVersion::TLSv1_1,
                        ProtocolVersion::TLSv1_0,
                    ])),
                )
            }),
        ),
        case(
            "legacy_version 0x0304 without supported_versions negotiates TLS 1.2",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    ch.legacy_version = V13;
                    remove(ch, ExtensionType::SupportedVersions);
                    ch.cipher_suites
                        .push(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
                    exts(ch).push(ClientExtension::EcPointFormats(vec![
                        sanstls::enums::ECPointFormat::Uncompressed,
                    ]));
                });
                c.w.waiting();
                let (p, _) = c.w.expect_handshake(ProtocolVersion::TLSv1_2);
                let HandshakePayload::ServerHello(sh) = p else {
                    panic!("{p:?}");
                };
                assert_eq!(sh.legacy_version, ProtocolVersion::TLSv1_2);
                assert_eq!(sh.supported_version(), None);
                assert_eq!(
                    sh.cipher_suite,
                    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                );
                assert_eq!(&sh.random.0[24..], b"DOWNGRD\x01");
            },
        ),
        case(
            "TLS 1.3 offered only in legacy_version (no supported_versions) and no TLS 1.2 suite is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                ch.legacy_version = V13;
                remove(ch, ExtensionType::SupportedVersions);
            }),
        ),
        case(
            "TLS_FALLBACK_SCSV from a TLS 1.3 client is accepted",
            || {
                good_hello(|ch| ch.cipher_suites.push(CipherSuite::TLS_FALLBACK_SCSV));
            },
        ),
        case(
            "a TLS 1.3 ClientHello with compression methods [0, 1] is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                ch.compression_methods = vec![Compression::Null, Compression::Deflate]
            }),
        ),
        case(
            "a TLS 1.3 ClientHello without null compression is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                ch.compression_methods = vec![Compression::Deflate]
            }),
        ),
        case(
            "no cipher suite in common is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                ch.cipher_suites = vec![CipherSuite::from(0x1304)]
            }),
        ),
        case("unknown cipher suites are skipped", || {
            good_hello(|ch| {
                ch.cipher_suites.insert(0, CipherSuite::from(0x0a0a));
                ch.cipher_suites.insert(1, CipherSuite::from(0x1304));
            });
        }),
        // ---- groups and key shares ----
        case(
            "supported_groups without key_share is missing_extension",
            bad_hello(A::MissingExtension, |ch| remove(ch, ExtensionType::KeyShare)),
        ),
        case(
            "key_share without supported_groups is missing_extension",
            bad_hello(A::MissingExtension, |ch| {
                remove(ch, ExtensionType::SupportedGroups)
            }),
        ),
        case(
            "neither supported_groups nor key_share, and no PSK, is missing_extension",
            bad_hello(A::MissingExtension, |ch| {
                remove(ch, ExtensionType::SupportedGroups);
                remove(ch, ExtensionType::KeyShare);
            }),
        ),
        case(
            "no signature_algorithms without a PSK is missing_extension",
            bad_hello(A::MissingExtension, |ch| {
                remove(ch, ExtensionType::SignatureAlgorithms)
            }),
        ),
        case(
            "a key share for a group supported_groups does not list is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                replace(
                    ch,
                    ClientExtension::SupportedGroups(vec![NamedGroup::secp256r1]),
                )
            }),
        ),
        case(
            "two key shares of one group is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                let share = ch.key_shares().unwrap()[0].clone();
                replace(ch, ClientExtension::KeyShare(vec![share.clone(), share]))
            }),
        ),
        case(
            "an all-zero X25519 share is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                replace(
                    ch,
                    ClientExtension::KeyShare(vec![KeyShareEntry {
                        group: NamedGroup::X25519,
                        key_exchange: vec![0; 32],
                    }]),
                )
            }),
        ),
        case(
            "a 31-byte X25519 share is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                replace(
                    ch,
                    ClientExtension::KeyShare(vec![KeyShareEntry {
                        group: NamedGroup::X25519,
                        key_exchange: vec![7; 31],
                    }]),
                )
            }),
        ),
        case(
            "no group in common is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                replace(
                    ch,
                    ClientExtension::SupportedGroups(vec![NamedGroup::FFDHE2048]),
                );
                replace(ch, ClientExtension::KeyShare(vec![]));
            }),
        ),
        case("an empty key_share list gets a HelloRetryRequest", || {
            let c = Client13::start(server_config(), |ch| {
                replace(ch, ClientExtension::KeyShare(vec![]))
            });
            let mut c = c;
            c.w.waiting();
            let (p, _) = c.w.expect_handshake(V13);
            assert!(matches!(p, HandshakePayload::HelloRetryRequest(_)), "{p:?}");
        }),
        case(
            "a share for a group we do not do gets a HelloRetryRequest for one we do",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    replace(
                        ch,
                        ClientExtension::SupportedGroups(vec![
                            NamedGroup::FFDHE2048,
                            NamedGroup::secp256r1,
                        ]),
                    );
                    replace(
                        ch,
                        ClientExtension::KeyShare(vec![KeyShareEntry {
                            group: NamedGroup::FFDHE2048,
                            key_exchange: vec![5; 256],
                        }]),
                    );
                });
                c.w.waiting();
                let (p, _) = c.w.expect_handshake(V13);
                let HandshakePayload::HelloRetryRequest(hrr) = p else {
                    panic!("{p:?}");
                };
                assert_eq!(hrr.requested_key_share_group(), Some(NamedGroup::secp256r1));
            },
        ),
        // ---- extensions ----
        case(
            "a duplicated extension is decode_error",
            bad_hello(A::DecodeError, |ch| {
                exts(ch).push(ClientExtension::ExtendedMasterSecret);
                exts(ch).push(ClientExtension::ExtendedMasterSecret);
            }),
        ),
        case("unknown and GREASE extensions are ignored", || {
            good_hello(|ch| {
                exts(ch).insert(0, unknown(0x0a0a, b""));
                exts(ch).push(unknown(0xfe77, b"anything"));
            });
        }),
        case("padding is ignored", || {
            good_hello(|ch| exts(ch).push(ClientExtension::Padding(Padding(vec![0; 300]))));
        }),
        case(
            "pre_shared_key not last is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                exts(ch).insert(
                    0,
                    ClientExtension::PreSharedKey(OfferedPsks {
                        identities: vec![PskIdentity {
                            identity: b"ticket".to_vec(),
                            obfuscated_ticket_age: 0,
                        }],
                        binders: vec![PskBinderEntry(vec![0; 32])],
                    }),
                );
            }),
        ),
        case(
            "pre_shared_key without psk_key_exchange_modes is missing_extension",
            bad_hello(A::MissingExtension, |ch| {
                remove(ch, ExtensionType::PSKKeyExchangeModes);
                exts(ch).push(ClientExtension::PreSharedKey(OfferedPsks {
                    identities: vec![PskIdentity {
                        identity: b"ticket".to_vec(),
                        obfuscated_ticket_age: 0,
                    }],
                    binders: vec![PskBinderEntry(vec![0; 32])],
                }));
            }),
        ),
        case("a PSK identity we cannot open means a full handshake", || {
            let c = good_hello(|ch| {
                exts(ch).push(ClientExtension::PreSharedKey(OfferedPsks {
                    identities: vec![PskIdentity {
                        identity: b"not one of ours".to_vec(),
                        obfuscated_ticket_age: 0,
                    }],
                    binders: vec![PskBinderEntry(vec![0; 32])],
                }));
            });
            assert!(!c.w.victim.negotiated().resumed);
        }),
        // ---- server_name ----
        case(
            "a server_name with a trailing dot is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| replace(ch, sni(b"localhost."))),
        ),
        case(
            "a server_name of 256 bytes is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| {
                let mut name = Vec::new();
                while name.len() < 256 {
                    name.extend_from_slice(b"abcdefghi.");
                }
                name.truncate(256);
                name[255] = b'x';
                replace(ch, sni(&name))
            }),
        ),
        case(
            "a server_name label of 64 bytes is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| {
                let mut name = vec![b'a'; 64];
                name.extend_from_slice(b".example");
                replace(ch, sni(&name))
            }),
        ),
        case(
            "a server_name with a NUL byte is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| replace(ch, sni(b"local\0host"))),
        ),
        case(
            "a server_name with an empty label is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| replace(ch, sni(b"local..host"))),
        ),
        case(
            "a server_name with a space is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| replace(ch, sni(b"local host"))),
        ),
        case(
            "a server_name that is not UTF-8 is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| replace(ch, sni(&[0xc3, 0x28]))),
        ),
        case("a server_name that is an IP address is ignored", || {
            let c = good_hello(|ch| replace(ch, sni(b"127.0.0.1")));
            assert_eq!(c.w.victim.negotiated().server_name, None);
        }),
        case("a server_name of 255 bytes is accepted", || {
            let mut name = Vec::new();
            while name.len() < 255 {
                name.extend_from_slice(b"abcdefghi.");
            }
            name.truncate(255);
            name[254] = b'x';
            let expect = String::from_utf8(name.clone()).unwrap();
            let c = good_hello(move |ch| replace(ch, sni(&name)));
            assert_eq!(
                c.w.victim.negotiated().server_name.as_deref(),
                Some(expect.as_str())
            );
        }),
        // ---- ALPN ----
        case(
            "no ALPN protocol in common is no_application_protocol",
            bad_hello_with(with_alpn, A::NoApplicationProtocol, |ch| {
                exts(ch).push(ClientExtension::Alpn(vec![ProtocolName(b"h3".to_vec())]))
            }),
        ),
        case(
            "an empty ALPN list is decode_error",
            bad_hello_with(with_alpn, A::DecodeError, |ch| {
                exts(ch).push(ClientExtension::Alpn(vec![]))
            }),
        ),
        case(
            "an empty ALPN protocol name is decode_error",
            bad_hello_with(with_alpn, A::DecodeError, |ch| {
                exts(ch).push(ClientExtension::Alpn(vec![ProtocolName(vec![])]))
            }),
        ),
        // ---- early data ----
        case(
            "early data the server did not accept is skipped by trial decryption",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    exts(ch).push(ClientExtension::EarlyData);
                });
                // 0-RTT records under keys the server never derives.
                for i in 0..3u8 {
                    c.w.plain_record(
                        ContentType::ApplicationData,
                        ProtocolVersion::TLSv1_2,
                        &[i; 100],
                    );
                }
                c.w.deliver().unwrap();
                c.read_server_hello();
                c.read_server_flight();
                assert!(!c
                    .flight
                    .iter()
                    .any(|m| matches!(m, HandshakePayload::EncryptedExtensions(ee) if ee.early_data_accepted())));
                assert_eq!(c.send_finished(), Ok(()));
                c.w.completed();
                assert!(c.w.received.is_empty(), "no early data was accepted");
            },
        ),
        case(
            "early data beyond the skipping limit is unexpected_message",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    exts(ch).push(ClientExtension::EarlyData);
                });
                for _ in 0..3 {
                    c.w.plain_record(
                        ContentType::ApplicationData,
                        ProtocolVersion::TLSv1_2,
                        &[1; 16000],
                    );
                }
                let _ = c.w.deliver();
                c.read_server_hello();
                c.read_server_flight();
                c.w.refused_in_handshake(A::UnexpectedMessage);
            },
        ),
        case(
            "early data is not skipped when the client did not offer it",
            || {
                let mut c = Client13::start(server_config(), |_| {});
                c.read_server_hello();
                c.read_server_flight();
                c.w.plain_record(ContentType::ApplicationData, ProtocolVersion::TLSv1_2, &[1; 50]);
                c.w.delivered_refused(A::BadRecordMac);
            },
        ),
        case(
            "early data after a HelloRetryRequest is skipped up to the second ClientHello",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    replace(ch, ClientExtension::KeyShare(vec![]));
                    exts(ch).push(ClientExtension::EarlyData);
                });
                c.w.waiting();
                for _ in 0..2 {
                    c.w.plain_record(
                        ContentType::ApplicationData,
                        ProtocolVersion::TLSv1_2,
                        &[3; 200],
                    );
                }
                c.w.deliver().unwrap();
                c.w.waiting();
            },
        ),
        case(
            "a second ClientHello that offers early data is illegal_parameter",
            || {
                let mut c = retried(|ch, _| exts(ch).push(ClientExtension::EarlyData));
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        // ---- messages out of place ----
        case("a ServerHello as the first message is unexpected_message", || {
            let victim = sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
            let mut w = Wire::new(Victim::Server(victim));
            w.handshake(HandshakePayload::ServerHello(
                sanstls::internal::msgs::hello::ServerHelloPayload {
                    legacy_version: ProtocolVersion::TLSv1_2,
                    random: Random(random()),
                    session_id: SessionId::empty(),
                    cipher_suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
                    compression_method: Compression::Null,
                    extensions: Some(vec![]),
                },
            ));
            w.delivered_refused(A::UnexpectedMessage);
        }),
        case("a Finished as the first message is unexpected_message", || {
            let victim = sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
            let mut w = Wire::new(Victim::Server(victim));
            w.handshake(HandshakePayload::Finished(FinishedPayload {
                verify_data: Payload::new(vec![0; 32]),
            }));
            w.delivered_refused(A::UnexpectedMessage);
        }),
        case("an unknown message type as the first message is unexpected_message", || {
            let victim = sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
            let mut w = Wire::new(Victim::Server(victim));
            w.raw_handshake(&[99, 0, 0, 2, 1, 2]);
            w.delivered_refused(A::UnexpectedMessage);
        }),
        case(
            "a ChangeCipherSpec before the ClientHello is unexpected_message",
            || {
                let victim =
                    sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
                let mut w = Wire::new(Victim::Server(victim));
                w.compat_ccs();
                w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "application data before the ClientHello is unexpected_message",
            || {
                let victim =
                    sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
                let mut w = Wire::new(Victim::Server(victim));
                w.record(ContentType::ApplicationData, b"GET /");
                w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "a ClientHello coalesced with more handshake bytes in one record is unexpected_message (a key change)",
            || {
                let victim =
                    sanstls::server::ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
                let mut w = Wire::new(Victim::Server(victim));
                w.framing = Framing::Together;
                let kx = KeyExchange::start(NamedGroup::X25519, &sanstls::rand::SystemRandom::new())
                    .unwrap();
                let hello = crate::script13::client_hello(KeyShareEntry {
                    group: kx.group(),
                    key_exchange: kx.public_key().to_vec(),
                });
                w.handshake(HandshakePayload::ClientHello(hello));
                w.raw_handshake(&[20, 0, 0]);
                let _ = w.deliver();
                // The server answered the hello before it found the rest; its alert is
                // under its handshake keys, which the script does not derive here.
                let e = w.result.clone().expect_err("refused");
                assert_eq!(e.alert(), Some(A::UnexpectedMessage), "{e:?}");
                w.assert_dead(&e);
            },
        ),
        case("two ClientHellos in a row is unexpected_message", || {
            let mut c = Client13::start(server_config(), |_| {});
            let hello = c.hello.clone();
            // The second hello arrives in the clear, before the server's flight is read.
            c.w.set_sealer(None);
            c.w.handshake(HandshakePayload::ClientHello(hello));
            let _ = c.w.deliver();
            // The server had answered the first: read what it sent first.
            c.read_server_hello();
            c.read_server_flight();
            c.w.refused_in_handshake(A::UnexpectedMessage);
        }),
        case(
            "a client Finished that does not verify is decrypt_error",
            bad_second_flight(server_config, A::DecryptError, |c| {
                let HandshakePayload::Finished(mut f) = c.finished() else {
                    unreachable!()
                };
                f.verify_data.0[0] ^= 1;
                c.send(HandshakePayload::Finished(f));
            }),
        ),
        case(
            "a client Finished one byte short is decode_error",
            bad_second_flight(server_config, A::DecodeError, |c| {
                let HandshakePayload::Finished(mut f) = c.finished() else {
                    unreachable!()
                };
                f.verify_data.0.pop();
                c.send(HandshakePayload::Finished(f));
            }),
        ),
        case(
            "a client Finished one byte long is decode_error",
            bad_second_flight(server_config, A::DecodeError, |c| {
                let HandshakePayload::Finished(mut f) = c.finished() else {
                    unreachable!()
                };
                f.verify_data.0.push(1);
                c.send(HandshakePayload::Finished(f));
            }),
        ),
        case(
            "application data before the client Finished is unexpected_message",
            bad_second_flight(server_config, A::UnexpectedMessage, |c| {
                c.w.record(ContentType::ApplicationData, b"early");
            }),
        ),
        case(
            "a Certificate nobody asked for is unexpected_message",
            bad_second_flight(server_config, A::UnexpectedMessage, |c| {
                send_client_certificate(c, b"");
            }),
        ),
        case(
            "a KeyUpdate before the client Finished is unexpected_message",
            bad_second_flight(server_config, A::UnexpectedMessage, |c| {
                c.send(HandshakePayload::KeyUpdate(KeyUpdatePayload {
                    request: KeyUpdateRequest::UpdateNotRequested,
                }));
            }),
        ),
        case(
            "an EndOfEarlyData without early data is unexpected_message",
            bad_second_flight(server_config, A::UnexpectedMessage, |c| {
                c.w.raw_handshake(&[5, 0, 0, 0]);
            }),
        ),
        case(
            "the client Finished in the clear is unexpected_message",
            bad_second_flight(server_config, A::UnexpectedMessage, |c| {
                let fin = encode(c.finished());
                c.w.plain_record(ContentType::Handshake, ProtocolVersion::TLSv1_2, &fin);
            }),
        ),
        case(
            "a compatibility CCS before the client Finished is accepted",
            || {
                let mut c = Client13::start(server_config(), |_| {});
                c.read_server_hello();
                c.read_server_flight();
                c.w.compat_ccs();
                assert_eq!(c.send_finished(), Ok(()));
                c.w.completed();
            },
        ),
        // ---- client authentication ----
        case(
            "no client certificate where one is mandatory is certificate_required",
            bad_second_flight(
                || with_client_auth(true),
                A::CertificateRequired,
                |c| {
                    c.send(certificate(b"", &[]));
                },
            ),
        ),
        case(
            "no client certificate where one is optional completes, unauthenticated",
            || {
                let mut c = Client13::start(with_client_auth(false), |_| {});
                c.read_server_hello();
                c.read_server_flight();
                c.send(certificate(b"", &[]));
                assert_eq!(c.send_finished(), Ok(()));
                c.w.completed();
                assert!(c.w.victim.negotiated().peer_certificates.is_empty());
            },
        ),
        case("a client certificate is verified and reported", || {
            let mut c = Client13::start(with_client_auth(true), |_| {});
            c.read_server_hello();
            c.read_server_flight();
            assert!(c
                .flight
                .iter()
                .any(|m| matches!(m, HandshakePayload::CertificateRequestTls13(_))));
            send_client_certificate(&mut c, b"");
            assert_eq!(c.send_finished(), Ok(()));
            c.w.completed();
            assert_eq!(
                c.w.victim.negotiated().peer_certificates,
                vec![pki().ecdsa.clone()]
            );
        }),
        case(
            "a client Certificate with a context we did not send is illegal_parameter",
            bad_second_flight(
                || with_client_auth(true),
                A::IllegalParameter,
                |c| send_client_certificate(c, b"x"),
            ),
        ),
        case(
            "a client CertificateVerify that does not verify is decrypt_error",
            bad_second_flight(
                || with_client_auth(true),
                A::DecryptError,
                |c| {
                    c.send(certificate(b"", &[pki().ecdsa.clone()]));
                    c.send(HandshakePayload::CertificateVerify(DigitallySignedStruct::new(
                        SignatureScheme::ECDSA_NISTP256_SHA256,
                        vec![0x30, 6, 2, 1, 1, 2, 1, 1],
                    )));
                },
            ),
        ),
        case(
            "a client CertificateVerify with a scheme we did not offer is illegal_parameter",
            bad_second_flight(
                || with_client_auth(true),
                A::IllegalParameter,
                |c| {
                    c.send(certificate(b"", &[pki().ecdsa.clone()]));
                    c.send(HandshakePayload::CertificateVerify(DigitallySignedStruct::new(
                        SignatureScheme::from(0x0809),
                        vec![1; 64],
                    )));
                },
            ),
        ),
        case(
            "a missing client CertificateVerify is unexpected_message",
            bad_second_flight(
                || with_client_auth(true),
                A::UnexpectedMessage,
                |c| {
                    c.send(certificate(b"", &[pki().ecdsa.clone()]));
                    let fin = c.finished();
                    c.send(fin);
                },
            ),
        ),
        case(
            "a client Finished instead of the asked-for Certificate is unexpected_message",
            bad_second_flight(
                || with_client_auth(true),
                A::UnexpectedMessage,
                |c| {
                    let fin = c.finished();
                    c.send(fin);
                },
            ),
        ),
        case(
            "a client certificate from an unknown issuer is unknown_ca",
            bad_second_flight(
                || {
                    let mut c = server_config();
                    let v = sanstls_pki::tls::NodeClientVerifier::with_roots(vec![
                        pki().rsa_ca.clone(),
                    ], true).unwrap();
                    c.client_verifier = Some(Arc::new(v));
                    c
                },
                A::UnknownCA,
                |c| send_client_certificate(c, b""),
            ),
        ),
        // ---- after the handshake ----
        case(
            "a NewSessionTicket from a client is unexpected_message",
            bad_after(A::UnexpectedMessage, |c| {
                c.w.handshake(HandshakePayload::NewSessionTicketTls13(
                    NewSessionTicketPayloadTls13 {
                        lifetime: 60,
                        age_add: 0,
                        nonce: PayloadU8::new(vec![0]),
                        ticket: PayloadU16::new(vec![1]),
                        extensions: vec![],
                    },
                ));
            }),
        ),
        case(
            "a ClientHello after a TLS 1.3 handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |c| {
                let hello = c.hello.clone();
                c.w.handshake(HandshakePayload::ClientHello(hello));
            }),
        ),
        case(
            "a KeyUpdate with request value 2 is illegal_parameter",
            bad_after(A::IllegalParameter, |c| c.w.raw_handshake(&[24, 0, 0, 1, 2])),
        ),
        case(
            "a KeyUpdate with a trailing byte is decode_error",
            bad_after(A::DecodeError, |c| c.w.raw_handshake(&[24, 0, 0, 2, 0, 0])),
        ),
        case(
            "a ChangeCipherSpec after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |c| c.w.compat_ccs()),
        ),
        case(
            "a second client Finished is unexpected_message",
            bad_after(A::UnexpectedMessage, |c| {
                c.w.handshake(HandshakePayload::Finished(FinishedPayload {
                    verify_data: Payload::new(vec![0; 32]),
                }));
            }),
        ),
        case("a KeyUpdate is honoured and application data follows it", || {
            let mut c = Client13::handshake(server_config());
            let _ = c.w.drain();
            c.w.handshake(HandshakePayload::KeyUpdate(KeyUpdatePayload {
                request: KeyUpdateRequest::UpdateNotRequested,
            }));
            let next = {
                let t = c.traffic.as_mut().unwrap();
                let secret = t.update_client_secret();
                let k = secret.keys(c.suite.ring_aead());
                sanstls::internal::record::protect::RecordSealer::tls13(c.suite.aead, k.key(), k.iv())
                    .unwrap()
            };
            c.w.set_sealer(Some(next));
            c.w.record(ContentType::ApplicationData, b"under the new key");
            c.w.deliver().unwrap();
            assert_eq!(c.w.received, b"under the new key");
        }),
    ];
    v.extend(retry_cases());
    v.extend(p256_share_cases());
    v.extend(hybrid_share_cases());
    v
}

/// P-256, P-521 and ffdhe2048 shares that are not values our server accepts (RFC 8446
/// s4.2.8.2: uncompressed points on the curve; s4.2.8.1 and RFC 7919 s5.1: Y as long as p,
/// 1 < Y < p-1). The ffdhe cases run against a server configured with that group.
fn p256_share_cases() -> Vec<Case> {
    let point = |first: u8, len: usize| {
        let mut p = vec![first];
        p.extend_from_slice(&vec![1; len - 1]);
        p
    };
    let ffdhe = |last: u8| {
        let mut y = vec![0; 256];
        y[255] = last;
        y
    };
    let mut p_minus_1 = DhGroup::ffdhe2048().p().to_vec();
    p_minus_1[255] -= 1;
    [
        (
            "a P-256 share that is not on the curve",
            NamedGroup::secp256r1,
            point(4, 65),
        ),
        (
            "a compressed P-256 share",
            NamedGroup::secp256r1,
            point(2, 33),
        ),
        (
            "a P-256 share of 64 bytes",
            NamedGroup::secp256r1,
            vec![4; 64],
        ),
        (
            "a P-521 share that is not on the curve",
            NamedGroup::secp521r1,
            point(4, 133),
        ),
        (
            "a compressed P-521 share",
            NamedGroup::secp521r1,
            point(2, 67),
        ),
        (
            "a P-521 share of 132 bytes",
            NamedGroup::secp521r1,
            vec![4; 132],
        ),
        ("an ffdhe2048 share of 0", NamedGroup::FFDHE2048, ffdhe(0)),
        ("an ffdhe2048 share of 1", NamedGroup::FFDHE2048, ffdhe(1)),
        (
            "an ffdhe2048 share of p-1",
            NamedGroup::FFDHE2048,
            p_minus_1,
        ),
        (
            "an ffdhe2048 share of p",
            NamedGroup::FFDHE2048,
            DhGroup::ffdhe2048().p().to_vec(),
        ),
        (
            "an ffdhe2048 share shorter than p",
            NamedGroup::FFDHE2048,
            vec![2; 255],
        ),
    ]
    .into_iter()
    .map(|(what, group, share)| {
        let config = match group {
            NamedGroup::FFDHE2048 => with_ffdhe2048,
            _ => server_config,
        };
        case(
            format!("{what} is illegal_parameter"),
            bad_hello_with(config, A::IllegalParameter, only_share(group, share)),
        )
    })
    .collect()
}

/// Our server with the three hybrid groups first (the NIST-curve ones are not in the
/// defaults).
fn hybrid_server() -> ServerConfig {
    let mut c = server_config();
    c.groups = [sanstls::crypto::kx::HYBRID_GROUPS, DEFAULT_GROUPS].concat();
    c
}

/// A ClientHello edit that lists only `group` and sends `share` for it.
fn only_share(group: NamedGroup, share: Vec<u8>) -> impl Fn(&mut ClientHelloPayload) {
    move |ch| {
        replace(ch, ClientExtension::SupportedGroups(vec![group]));
        replace(
            ch,
            ClientExtension::KeyShare(vec![KeyShareEntry {
                group,
                key_exchange: share.clone(),
            }]),
        )
    }
}

/// A valid client share for `group`, made by our own key exchange.
fn valid_share(group: NamedGroup) -> Vec<u8> {
    let kx = KeyExchange::start(group, &sanstls::rand::SystemRandom::new()).unwrap();
    kx.public_key().to_vec()
}

/// Hybrid client shares our server must refuse (draft-ietf-tls-ecdhe-mlkem s4.1, FIPS 203
/// s7.2), and one it completes with.
fn hybrid_share_cases() -> Vec<Case> {
    let mut cases: Vec<Case> = [
        ("X25519MLKEM768", NamedGroup::X25519MLKEM768),
        ("SecP256r1MLKEM768", NamedGroup::SecP256r1MLKEM768),
        ("SecP384r1MLKEM1024", NamedGroup::SecP384r1MLKEM1024),
    ]
    .into_iter()
    .map(|(name, group)| {
        case(
            format!("a {name} share one byte short is illegal_parameter"),
            move || {
                let mut share = valid_share(group);
                share.pop();
                bad_hello_with(hybrid_server, A::IllegalParameter, only_share(group, share))();
            },
        )
    })
    .collect();
    cases.extend([
        case(
            "a SecP384r1MLKEM1024 share whose ML-KEM-1024 key fails the modulus check is illegal_parameter",
            || {
                // The key's first 12-bit coefficient (after the 97-byte point) set to
                // 4095, not below q = 3329.
                let group = NamedGroup::SecP384r1MLKEM1024;
                let mut share = valid_share(group);
                share[97] = 0xff;
                share[98] |= 0x0f;
                bad_hello_with(hybrid_server, A::IllegalParameter, only_share(group, share))();
            },
        ),
        case(
            "an X25519MLKEM768 share whose X25519 part is all zeros is illegal_parameter",
            || {
                // A low-order point, refused by the agreement (RFC 8446 s7.4.2).
                let group = NamedGroup::X25519MLKEM768;
                let mut share = valid_share(group);
                share[1184..].fill(0);
                bad_hello_with(hybrid_server, A::IllegalParameter, only_share(group, share))();
            },
        ),
        case(
            "a SecP256r1MLKEM768 share whose point is not on the curve is illegal_parameter",
            || {
                let group = NamedGroup::SecP256r1MLKEM768;
                let mut share = valid_share(group);
                share[64] ^= 1;
                bad_hello_with(hybrid_server, A::IllegalParameter, only_share(group, share))();
            },
        ),
        case("a SecP384r1MLKEM1024 share completes the handshake", || {
            let group = NamedGroup::SecP384r1MLKEM1024;
            let kx = KeyExchange::start(group, &sanstls::rand::SystemRandom::new()).unwrap();
            let edit = only_share(group, kx.public_key().to_vec());
            let mut c = Client13::start(hybrid_server(), edit);
            c.set_share(kx);
            c.read_server_hello();
            c.read_server_flight();
            assert_eq!(c.send_finished(), Ok(()));
            c.w.completed();
        }),
    ]);
    cases
}

/// Our usual server, with ffdhe2048 among its TLS 1.3 groups.
fn with_ffdhe2048() -> ServerConfig {
    let mut c = server_config();
    c.groups.push(NamedGroup::FFDHE2048);
    c
}

/// The second ClientHello after a HelloRetryRequest must repeat the first (RFC 8446
/// s4.1.2): each change is refused with illegal_parameter.
fn retry_cases() -> Vec<Case> {
    type Edit = fn(&mut ClientHelloPayload, &Cookie);
    let changes: Vec<(&str, Edit)> = vec![
        ("the random", |ch, _| ch.random = Random(random())),
        ("the session id", |ch, _| {
            ch.session_id = SessionId::new(&[5; 32]).unwrap()
        }),
        ("the cipher suites", |ch, _| {
            ch.cipher_suites.reverse();
        }),
        ("a dropped cipher suite", |ch, _| {
            ch.cipher_suites.pop();
        }),
        ("the compression methods", |ch, _| {
            ch.compression_methods = vec![Compression::Null, Compression::Null]
        }),
        ("legacy_version", |ch, _| {
            ch.legacy_version = ProtocolVersion::TLSv1_0
        }),
        ("the server name", |ch, _| {
            replace(ch, sni(b"other.example"))
        }),
        ("an added ALPN", |ch, _| {
            exts(ch).insert(0, ClientExtension::Alpn(vec![ProtocolName(b"h2".to_vec())]))
        }),
        ("the signature algorithms", |ch, _| {
            replace(
                ch,
                ClientExtension::SignatureAlgorithms(vec![SignatureScheme::ED25519]),
            )
        }),
        ("the supported versions", |ch, _| {
            replace(
                ch,
                ClientExtension::SupportedVersions(SupportedVersions(vec![
                    V13,
                    ProtocolVersion::TLSv1_2,
                ])),
            )
        }),
        ("the supported groups", |ch, _| {
            replace(
                ch,
                ClientExtension::SupportedGroups(vec![NamedGroup::X25519]),
            )
        }),
        ("the order of the extensions", |ch, _| {
            exts(ch).swap(0, 1);
        }),
        ("a removed extension", |ch, _| {
            remove(ch, ExtensionType::PSKKeyExchangeModes)
        }),
        ("an added extension", |ch, _| {
            exts(ch).insert(0, unknown(0xfe10, b"new"))
        }),
        ("an added PSK identity", |ch, _| {
            exts(ch).push(ClientExtension::PreSharedKey(OfferedPsks {
                identities: vec![PskIdentity {
                    identity: b"new ticket".to_vec(),
                    obfuscated_ticket_age: 0,
                }],
                binders: vec![PskBinderEntry(vec![0; 32])],
            }))
        }),
    ];
    let mut cases: Vec<Case> = changes
        .into_iter()
        .map(|(what, edit)| {
            case(
                format!("a second ClientHello that changes {what} is illegal_parameter"),
                move || {
                    let mut c = retried(edit);
                    c.w.refused_in_handshake(A::IllegalParameter);
                },
            )
        })
        .collect();
    cases.extend([
        case("a second ClientHello repeating the first completes", || {
            let mut c = retried(|_, _| {});
            c.read_server_hello();
            c.read_server_flight();
            assert_eq!(c.send_finished(), Ok(()));
            c.w.completed();
        }),
        case(
            "a second ClientHello with a share of another group is illegal_parameter",
            || {
                let mut c = retried(|ch, _| {
                    replace(
                        ch,
                        ClientExtension::KeyShare(vec![KeyShareEntry {
                            group: NamedGroup::secp384r1,
                            key_exchange: vec![4; 97],
                        }]),
                    )
                });
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a second ClientHello with two shares is illegal_parameter",
            || {
                let mut c = retried(|ch, _| {
                    let mut shares = ch.key_shares().unwrap().to_vec();
                    shares.push(KeyShareEntry {
                        group: NamedGroup::secp256r1,
                        key_exchange: vec![4; 65],
                    });
                    replace(ch, ClientExtension::KeyShare(shares))
                });
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a second ClientHello without our cookie is illegal_parameter",
            || {
                let mut c = retried(|ch, _| remove(ch, ExtensionType::Cookie));
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a second ClientHello with an altered cookie is illegal_parameter",
            || {
                let mut c = retried(|ch, cookie| {
                    let mut bad = cookie.0.clone();
                    bad[0] ^= 1;
                    replace(ch, ClientExtension::Cookie(Cookie(bad)))
                });
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a second ClientHello with different padding completes",
            || {
                let mut c =
                    retried(|ch, _| exts(ch).push(ClientExtension::Padding(Padding(vec![0; 100]))));
                c.read_server_hello();
                c.read_server_flight();
                assert_eq!(c.send_finished(), Ok(()));
                c.w.completed();
            },
        ),
        case(
            "something other than a ClientHello after a HelloRetryRequest is unexpected_message",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    replace(ch, ClientExtension::KeyShare(vec![]));
                });
                c.w.handshake(HandshakePayload::Finished(FinishedPayload {
                    verify_data: Payload::new(vec![0; 32]),
                }));
                c.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "a HelloRetryRequest keeps the configuration chosen for the first hello's name",
            || {
                let c = retried(|_, _| {});
                assert_eq!(c.w.victim.negotiated().server_name.as_deref(), Some(HOST));
            },
        ),
    ]);
    cases
}
