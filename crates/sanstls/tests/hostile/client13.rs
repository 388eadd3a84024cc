//! Cases: our TLS 1.3 client against a scripted server.

use sanstls::enums::{
    AlertDescription as A, AlertLevel, CipherSuite, Compression, ContentType, ExtensionType,
    KeyUpdateRequest, NamedGroup, ProtocolVersion, SignatureScheme,
};
use sanstls::internal::codec::{Payload, PayloadU16, PayloadU8};
use sanstls::internal::msgs::base::SessionId;
use sanstls::internal::msgs::certificate::{
    CertReqExtension, CertificateExtension, CertificateRequestPayloadTls13,
};
use sanstls::internal::msgs::extensions::{
    Cookie, HelloRetryExtension, KeyShareEntry, ProtocolName, ServerExtension, UnknownExtension,
};
use sanstls::internal::msgs::handshake::{
    CertificateStatus, DigitallySignedStruct, FinishedPayload, KeyUpdatePayload,
    NewSessionTicketPayloadTls13,
};
use sanstls::internal::msgs::hello::ServerHelloPayload;
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::{Error, Event};

use sanstls::crypto::ffdhe::DhGroup;

use crate::harness::*;
use crate::script13::{certificate, Server13};

const V13: ProtocolVersion = ProtocolVersion::TLSv1_3;

/// The client refuses a ServerHello that `edit` made from a correct one.
fn bad_hello(alert: A, edit: impl Fn(&Server13, &mut ServerHelloPayload) + 'static) -> impl Fn() {
    move || {
        let mut s = Server13::start(client_config());
        let mut sh = s.hello();
        edit(&s, &mut sh);
        s.send_hello(sh);
        s.w.delivered_refused(alert);
    }
}

/// A client whose only group (and so only share) is `group` gets a ServerHello answering
/// it with `share`, which it refuses with illegal_parameter.
fn bad_share(group: NamedGroup, share: Vec<u8>) -> impl Fn() {
    move || {
        let mut config = client_config();
        config.groups = vec![group];
        let mut s = Server13::start(config);
        assert_eq!(s.ch.key_shares().unwrap()[0].group, group);
        let mut sh = s.hello();
        ext(&mut sh)[1] = ServerExtension::KeyShare(KeyShareEntry {
            group,
            key_exchange: share.clone(),
        });
        s.send_hello(sh);
        s.w.delivered_refused(A::IllegalParameter);
    }
}

fn ext(sh: &mut ServerHelloPayload) -> &mut Vec<ServerExtension> {
    sh.extensions.get_or_insert_with(Vec::new)
}

fn unknown(typ: u16, payload: &[u8]) -> UnknownExtension {
    UnknownExtension {
        typ: ExtensionType::from(typ),
        payload: Payload::new(payload.to_vec()),
    }
}

/// After a correct ServerHello, the script sends what `flight` sends; the client refuses
/// it with `alert`.
fn bad_flight(alert: A, flight: impl Fn(&mut Server13) + 'static) -> impl Fn() {
    bad_flight_with(client_config, alert, flight)
}

/// A client that does not announce record_size_limit (RFC 8449).
fn without_record_size_limit() -> sanstls::client::ClientConfig {
    let mut c = client_config();
    c.record_size_limit = None;
    c
}

fn bad_flight_with(
    config: fn() -> sanstls::client::ClientConfig,
    alert: A,
    flight: impl Fn(&mut Server13) + 'static,
) -> impl Fn() {
    move || {
        let mut s = Server13::start(config());
        let sh = s.hello();
        s.send_hello(sh);
        flight(&mut s);
        s.w.delivered_refused(alert);
    }
}

/// The flight after the ServerHello, `edit` applied to each message (by index: 0 EE,
/// 1 Certificate, 2 CertificateVerify, 3 Finished) before it is sent.
fn flight_with(s: &mut Server13, edit: &dyn Fn(usize, &mut HandshakePayload)) {
    let mut ee = s.ee();
    edit(0, &mut ee);
    s.send(ee);
    let mut cert = s.certificate();
    edit(1, &mut cert);
    s.send(cert);
    let mut cv = s.certificate_verify();
    edit(2, &mut cv);
    s.send(cv);
    let mut fin = s.finished();
    edit(3, &mut fin);
    s.send(fin);
}

fn with_alpn() -> sanstls::client::ClientConfig {
    let mut c = client_config();
    c.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    c
}

/// An established client (through a correct scripted handshake) that then receives what
/// `after` sends and refuses it with `alert`.
fn bad_after(alert: A, after: impl Fn(&mut Server13) + 'static) -> impl Fn() {
    move || {
        let mut s = Server13::handshake(client_config());
        after(&mut s);
        let _ = s.w.deliver();
        s.w.refused(alert);
    }
}

pub fn cases() -> Vec<Case> {
    let mut v = own_cases();
    v.extend(crate::record_limits::client13_cases());
    v
}

fn own_cases() -> Vec<Case> {
    let mut v = vec![
        case("a correct server completes the handshake", || {
            let mut s = Server13::handshake(client_config());
            s.w.record(ContentType::ApplicationData, b"hello");
            s.w.deliver().unwrap();
            assert_eq!(s.w.received, b"hello");
            let n = s.w.victim.negotiated();
            assert_eq!(n.version, Some(V13));
            assert_eq!(n.peer_certificates, vec![pki().ecdsa.clone()]);
        }),
        // ---- ServerHello ----
        case(
            "ServerHello legacy_version 0x0300 is protocol_version",
            bad_hello(A::ProtocolVersion, |_, sh| {
                sh.legacy_version = ProtocolVersion::SSLv3
            }),
        ),
        case(
            "ServerHello legacy_version 0x0301 is protocol_version",
            bad_hello(A::ProtocolVersion, |_, sh| {
                sh.legacy_version = ProtocolVersion::TLSv1_0
            }),
        ),
        case(
            "ServerHello legacy_version 0x0304 is protocol_version",
            bad_hello(A::ProtocolVersion, |_, sh| sh.legacy_version = V13),
        ),
        case(
            "ServerHello echoing another session id is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                sh.session_id = SessionId::new(&[9; 32]).unwrap()
            }),
        ),
        case(
            "ServerHello echoing an empty session id is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| sh.session_id = SessionId::empty()),
        ),
        case(
            "ServerHello with a suite we did not offer is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                sh.cipher_suite = CipherSuite::from(0x1304)
            }),
        ),
        case(
            "ServerHello with a TLS 1.2 suite in TLS 1.3 is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            }),
        ),
        case(
            "ServerHello with compression is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                sh.compression_method = Compression::Deflate
            }),
        ),
        case(
            "ServerHello selecting TLS 1.2 through supported_versions is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh)[0] = ServerExtension::SupportedVersions(ProtocolVersion::TLSv1_2)
            }),
        ),
        case(
            "ServerHello selecting an unknown version is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh)[0] = ServerExtension::SupportedVersions(ProtocolVersion::from(0x0305))
            }),
        ),
        case(
            "ServerHello without key_share is missing_extension",
            bad_hello(A::MissingExtension, |_, sh| {
                ext(sh).retain(|e| !matches!(e, ServerExtension::KeyShare(_)))
            }),
        ),
        case(
            "ServerHello with a share of a group we sent no share for is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh)[1] = ServerExtension::KeyShare(KeyShareEntry {
                    group: NamedGroup::secp256r1,
                    key_exchange: vec![4; 65],
                })
            }),
        ),
        case(
            "ServerHello with an all-zero X25519 share is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh)[1] = ServerExtension::KeyShare(KeyShareEntry {
                    group: NamedGroup::X25519,
                    key_exchange: vec![0; 32],
                })
            }),
        ),
        case(
            "ServerHello with a P-521 share off the curve is illegal_parameter",
            bad_share(NamedGroup::secp521r1, {
                let mut p = vec![4];
                p.extend_from_slice(&[1; 132]);
                p
            }),
        ),
        case(
            "ServerHello with a compressed P-521 share is illegal_parameter",
            bad_share(NamedGroup::secp521r1, {
                let mut p = vec![3];
                p.extend_from_slice(&[1; 66]);
                p
            }),
        ),
        case(
            "ServerHello with an ffdhe2048 share of 1 is illegal_parameter",
            bad_share(NamedGroup::FFDHE2048, {
                let mut y = vec![0; 256];
                y[255] = 1;
                y
            }),
        ),
        case(
            "ServerHello with an ffdhe2048 share of p-1 is illegal_parameter",
            bad_share(NamedGroup::FFDHE2048, {
                let mut y = DhGroup::ffdhe2048().p().to_vec();
                y[255] -= 1;
                y
            }),
        ),
        case(
            "ServerHello with an ffdhe2048 share shorter than p is illegal_parameter",
            bad_share(NamedGroup::FFDHE2048, vec![2; 255]),
        ),
        case(
            "ServerHello with a short X25519 share is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh)[1] = ServerExtension::KeyShare(KeyShareEntry {
                    group: NamedGroup::X25519,
                    key_exchange: vec![9; 31],
                })
            }),
        ),
        case(
            "ServerHello selecting a PSK we did not offer is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::PreSharedKey(0))
            }),
        ),
        case(
            "ServerHello with an unknown extension is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::Unknown(unknown(0xfe01, b"x")))
            }),
        ),
        case(
            "ServerHello answering server_name (an EncryptedExtensions answer) is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh).push(ServerExtension::ServerNameAck)
            }),
        ),
        case(
            "ServerHello with ALPN we did not offer is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::Alpn(ProtocolName(b"h2".to_vec())))
            }),
        ),
        case(
            "ServerHello with extended_master_secret (TLS 1.2's) is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh).push(ServerExtension::ExtendedMasterSecretAck)
            }),
        ),
        case(
            "ServerHello with a duplicated extension is decode_error",
            bad_hello(A::DecodeError, |_, sh| {
                let e = ext(sh)[0].clone();
                ext(sh).push(e)
            }),
        ),
        case("ServerHello with a byte of trailing data is decode_error", || {
            let mut s = Server13::start(client_config());
            let sh = s.hello();
            let mut m = encode(HandshakePayload::ServerHello(sh));
            m.push(0);
            let len = m.len() - 4;
            m[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
            s.w.raw_handshake(&m);
            s.w.delivered_refused(A::DecodeError);
        }),
        case("ServerHello cut short is decode_error", || {
            let mut s = Server13::start(client_config());
            let sh = s.hello();
            let mut m = encode(HandshakePayload::ServerHello(sh));
            m.truncate(m.len() - 3);
            let len = m.len() - 4;
            m[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
            s.w.raw_handshake(&m);
            s.w.delivered_refused(A::DecodeError);
        }),
        case("a first message other than ServerHello is unexpected_message", || {
            let mut s = Server13::start(client_config());
            let ee = s.ee();
            s.w.handshake(ee);
            s.w.delivered_refused(A::UnexpectedMessage);
        }),
        case("a ClientHello from the server is unexpected_message", || {
            let mut s = Server13::start(client_config());
            let ch = s.ch.clone();
            s.w.handshake(HandshakePayload::ClientHello(ch));
            s.w.delivered_refused(A::UnexpectedMessage);
        }),
        case(
            "a compatibility CCS before the ServerHello is accepted",
            || {
                let mut s = Server13::start(client_config());
                s.w.compat_ccs();
                let sh = s.hello();
                s.compat = false;
                s.send_hello(sh);
                s.send_flight();
                s.read_client_finished();
                s.w.completed();
            },
        ),
        case("a ServerHello split over two records is accepted", || {
            let mut s = Server13::start(client_config());
            s.w.framing = Framing::Split(20);
            let sh = s.hello();
            s.send_hello(sh);
            s.w.framing = Framing::PerMessage;
            s.send_flight();
            s.read_client_finished();
            s.w.completed();
        }),
        case(
            "ServerHello and EncryptedExtensions in one record is unexpected_message (a message across a key change)",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                let mut bytes = encode(HandshakePayload::ServerHello(sh.clone()));
                bytes.extend(encode(s.ee()));
                s.w.plain_record(ContentType::Handshake, ProtocolVersion::TLSv1_2, &bytes);
                let _ = s.w.deliver();
                // The client fails before its keys: the alert is in the clear.
                s.w.refused_in_handshake(A::UnexpectedMessage);
            },
        ),
        case(
            "a ServerHello fragment followed by a CCS is unexpected_message (interleaving)",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                let bytes = encode(HandshakePayload::ServerHello(sh));
                s.w.plain_record(ContentType::Handshake, ProtocolVersion::TLSv1_2, &bytes[..10]);
                s.w.compat_ccs();
                s.w.plain_record(ContentType::Handshake, ProtocolVersion::TLSv1_2, &bytes[10..]);
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case("two compatibility CCS records are unexpected_message", || {
            let mut s = Server13::start(client_config());
            let sh = s.hello();
            s.send_hello(sh);
            s.w.compat_ccs();
            s.w.delivered_refused(A::UnexpectedMessage);
        }),
        case("a CCS whose body is not 1 is unexpected_message", || {
            let mut s = Server13::start(client_config());
            s.w.plain_record(ContentType::ChangeCipherSpec, ProtocolVersion::TLSv1_2, &[2]);
            s.w.delivered_refused(A::UnexpectedMessage);
        }),
        case("a fatal alert during the handshake ends it without an answer", || {
            let mut s = Server13::start(client_config());
            s.w.alert(AlertLevel::Fatal, A::HandshakeFailure);
            let _ = s.w.deliver();
            s.w.failed_quietly(Error::AlertReceived(A::HandshakeFailure));
        }),
        // ---- HelloRetryRequest ----
        case("a HelloRetryRequest for P-256 is answered and the handshake completes", || {
            let mut s = Server13::start(client_config());
            let first = s.ch.clone();
            s.retry(NamedGroup::secp256r1, |_| {});
            // The second hello repeats the first but for the share (RFC 8446 s4.1.2).
            assert_eq!(s.ch.random, first.random);
            assert_eq!(s.ch.session_id, first.session_id);
            assert_eq!(s.ch.cipher_suites, first.cipher_suites);
            assert_eq!(s.ch.key_shares().unwrap().len(), 1);
            assert_eq!(s.ch.key_shares().unwrap()[0].group, NamedGroup::secp256r1);
            let sh = s.hello();
            s.send_hello(sh);
            s.send_flight();
            s.read_client_finished();
            s.w.completed();
        }),
        case("a HelloRetryRequest cookie is echoed", || {
            let mut s = Server13::start(client_config());
            s.retry(NamedGroup::secp256r1, |hrr| {
                hrr.extensions
                    .push(HelloRetryExtension::Cookie(Cookie(b"crumbs".to_vec())))
            });
            assert_eq!(s.ch.cookie().map(|c| &c.0[..]), Some(&b"crumbs"[..]));
            let sh = s.hello();
            s.send_hello(sh);
            s.send_flight();
            s.read_client_finished();
            s.w.completed();
        }),
        case("a second HelloRetryRequest is unexpected_message", || {
            let mut s = Server13::start(client_config());
            s.retry(NamedGroup::secp256r1, |_| {});
            s.retry(NamedGroup::secp384r1, |_| {});
            s.w.refused_in_handshake(A::UnexpectedMessage);
        }),
        case(
            "a HelloRetryRequest for the group of the share we sent is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::X25519, |_| {});
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a HelloRetryRequest for X25519 after both hybrid and X25519 shares is illegal_parameter",
            || {
                let mut s = server_for(vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519]);
                s.retry(NamedGroup::X25519, |_| {});
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a HelloRetryRequest for the hybrid group after its share is illegal_parameter",
            || {
                let mut s = server_for(vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519]);
                s.retry(NamedGroup::X25519MLKEM768, |_| {});
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a HelloRetryRequest for a group we do not support is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::FFDHE2048, |_| {});
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a HelloRetryRequest that changes nothing is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |hrr| {
                    hrr.extensions
                        .retain(|e| !matches!(e, HelloRetryExtension::KeyShare(_)))
                });
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a HelloRetryRequest with an unknown extension is unsupported_extension",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |hrr| {
                    hrr.extensions
                        .push(HelloRetryExtension::Unknown(unknown(0xfe02, b"")))
                });
                s.w.refused_in_handshake(A::UnsupportedExtension);
            },
        ),
        case(
            "a HelloRetryRequest echoing another session id is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |hrr| {
                    hrr.session_id = SessionId::new(&[1; 32]).unwrap()
                });
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a HelloRetryRequest with legacy_version 0x0302 is protocol_version",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |hrr| {
                    hrr.legacy_version = ProtocolVersion::TLSv1_1
                });
                s.w.refused_in_handshake(A::ProtocolVersion);
            },
        ),
        case(
            "a HelloRetryRequest with a suite we did not offer is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |hrr| {
                    hrr.cipher_suite = CipherSuite::from(0x1305)
                });
                s.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a ServerHello after a HelloRetryRequest with another suite is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |hrr| {
                    hrr.cipher_suite = CipherSuite::TLS13_AES_128_GCM_SHA256
                });
                let mut sh = s.hello();
                sh.cipher_suite = CipherSuite::TLS13_CHACHA20_POLY1305_SHA256;
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "a ServerHello after a HelloRetryRequest with a share of another group is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |_| {});
                let mut sh = s.hello();
                ext(&mut sh)[1] = ServerExtension::KeyShare(KeyShareEntry {
                    group: NamedGroup::X25519,
                    key_exchange: vec![9; 32],
                });
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "a TLS 1.2 ServerHello after a HelloRetryRequest is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                s.retry(NamedGroup::secp256r1, |_| {});
                let mut sh = s.hello();
                sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
                sh.extensions = Some(vec![]);
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        // ---- EncryptedExtensions ----
        case(
            "EncryptedExtensions with ALPN we did not offer is unsupported_extension",
            bad_flight(A::UnsupportedExtension, |s| {
                let ee = s.ee_with(vec![ServerExtension::Alpn(ProtocolName(b"h2".to_vec()))]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions selecting a protocol we did not offer is illegal_parameter",
            bad_flight_with(with_alpn, A::IllegalParameter, |s| {
                let ee = s.ee_with(vec![ServerExtension::Alpn(ProtocolName(b"h3".to_vec()))]);
                s.send(ee);
            }),
        ),
        case("EncryptedExtensions selecting an offered protocol is reported", || {
            let mut s = Server13::start(with_alpn());
            let sh = s.hello();
            s.send_hello(sh);
            let ee = s.ee_with(vec![ServerExtension::Alpn(ProtocolName(b"http/1.1".to_vec()))]);
            s.send_flight_with(ee);
            s.read_client_finished();
            s.w.completed();
            assert_eq!(s.w.victim.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));
        }),
        case(
            "EncryptedExtensions with key_share (a ServerHello extension) is illegal_parameter",
            bad_flight(A::IllegalParameter, |s| {
                let share = s.our_share_or_default();
                let ee = s.ee_with(vec![ServerExtension::KeyShare(share)]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions with supported_versions is illegal_parameter",
            bad_flight(A::IllegalParameter, |s| {
                let ee = s.ee_with(vec![ServerExtension::SupportedVersions(V13)]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions with an unknown extension is unsupported_extension",
            bad_flight(A::UnsupportedExtension, |s| {
                let ee = s.ee_with(vec![ServerExtension::Unknown(unknown(0xfe03, b"?"))]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions accepting early data we did not offer is unsupported_extension",
            bad_flight(A::UnsupportedExtension, |s| {
                let ee = s.ee_with(vec![ServerExtension::EarlyData]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions with record_size_limit we did not offer is unsupported_extension",
            bad_flight_with(without_record_size_limit, A::UnsupportedExtension, |s| {
                let ee = s.ee_with(vec![ServerExtension::RecordSizeLimit(
                    sanstls::internal::msgs::extensions::RecordSizeLimit(1000),
                )]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions with a status_request answer we did not ask for is unsupported_extension",
            bad_flight(A::UnsupportedExtension, |s| {
                let ee = s.ee_with(vec![ServerExtension::StatusRequestAck]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions with a duplicated extension is decode_error",
            bad_flight(A::DecodeError, |s| {
                let ee = s.ee_with(vec![
                    ServerExtension::ServerNameAck,
                    ServerExtension::ServerNameAck,
                ]);
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions answering server_name is accepted",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee_with(vec![
                    ServerExtension::ServerNameAck,
                    ServerExtension::SupportedGroups(vec![NamedGroup::X25519]),
                ]);
                s.send_flight_with(ee);
                s.read_client_finished();
                s.w.completed();
            },
        ),
        case(
            "a Certificate before EncryptedExtensions is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let c = s.certificate();
                s.send(c);
            }),
        ),
        case(
            "EncryptedExtensions twice is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee.clone());
                s.send(ee);
            }),
        ),
        case(
            "EncryptedExtensions sent in the clear after the ServerHello is unexpected_message",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                let ee = encode(s.ee());
                s.w.plain_record(ContentType::Handshake, ProtocolVersion::TLSv1_2, &ee);
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "EncryptedExtensions cut across two records is accepted",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                s.w.framing = Framing::Split(3);
                s.send_flight();
                s.read_client_finished();
                s.w.completed();
            },
        ),
        case("the whole encrypted flight in one record is accepted", || {
            let mut s = Server13::start(client_config());
            let sh = s.hello();
            s.send_hello(sh);
            s.w.framing = Framing::Together;
            s.send_flight();
            s.read_client_finished();
            s.w.completed();
        }),
        case("the flight delivered a byte at a time is accepted", || {
            let mut s = Server13::start(client_config());
            let sh = s.hello();
            s.send_hello(sh);
            s.send_flight();
            s.w.deliver_in_reads(1).unwrap();
            s.read_client_finished();
            s.w.completed();
        }),
        // ---- Certificate ----
        case(
            "an empty server Certificate is decode_error",
            bad_flight(A::DecodeError, |s| {
                let ee = s.ee();
                s.send(ee);
                s.send(certificate(&[], &[]));
            }),
        ),
        case(
            "a server Certificate with a request context is illegal_parameter",
            bad_flight(A::IllegalParameter, |s| {
                let ee = s.ee();
                s.send(ee);
                let chain = s.chain.clone();
                s.send(certificate(b"ctx", &chain));
            }),
        ),
        case(
            "a certificate that does not parse is decode_error",
            bad_flight(A::DecodeError, |s| {
                let ee = s.ee();
                s.send(ee);
                s.send(certificate(&[], &[vec![0x30, 3, 1, 2, 3]]));
            }),
        ),
        case(
            "a certificate from an unknown issuer is unknown_ca",
            bad_flight_with(
                || {
                    let roots = sanstls_pki::tls::NodeServerVerifier::with_roots(vec![
                        pki().rsa_ca.clone(),
                    ])
                    .unwrap();
                    let mut c = client_config();
                    c.verifier = std::sync::Arc::new(roots);
                    c
                },
                A::UnknownCA,
                |s| {
                    let ee = s.ee();
                    s.send(ee);
                    let c = s.certificate();
                    s.send(c);
                },
            ),
        ),
        case(
            "under the strict policy, a leaf without an EKU is bad_certificate",
            bad_flight_with(
                || {
                    let roots = sanstls_pki::tls::StrictServerVerifier::with_roots(vec![
                        strict_fixture("root.pem"),
                    ])
                    .unwrap();
                    let mut c = client_config();
                    c.verifier = std::sync::Arc::new(roots);
                    c
                },
                A::BadCertificate,
                |s| {
                    let ee = s.ee();
                    s.send(ee);
                    // vectors/pki/strict: a chain Node's policy accepts, without the EKU the
                    // strict policy requires of a leaf.
                    let chain = [strict_fixture("eku-missing.pem"), strict_fixture("int.pem")];
                    s.send(certificate(&[], &chain));
                },
            ),
        ),
        case(
            "a certificate for another name is bad_certificate",
            || {
                let config = client_config();
                let victim = sanstls::client::ClientConnection::new(
                    std::sync::Arc::new(config),
                    "example.com",
                    NOW,
                )
                .unwrap();
                let mut s = Server13::with_victim(victim);
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee();
                s.send(ee);
                let c = s.certificate();
                s.send(c);
                s.w.delivered_refused(A::BadCertificate);
            },
        ),
        case(
            "an OCSP staple we did not ask for is unsupported_extension",
            bad_flight(A::UnsupportedExtension, |s| {
                let ee = s.ee();
                s.send(ee);
                let HandshakePayload::CertificateTls13(mut c) = s.certificate() else {
                    unreachable!()
                };
                c.entries[0]
                    .extensions
                    .push(CertificateExtension::CertificateStatus(CertificateStatus::new(
                        vec![0x30, 0],
                    )));
                s.send(HandshakePayload::CertificateTls13(c));
            }),
        ),
        case(
            "a TLS 1.2 Certificate message in TLS 1.3 is decode_error",
            bad_flight(A::DecodeError, |s| {
                let ee = s.ee();
                s.send(ee);
                let chain = s.chain.clone();
                s.send(crate::script12::certificate(&chain));
            }),
        ),
        case(
            "a CertificateRequest with a request context in the handshake is illegal_parameter",
            bad_flight(A::IllegalParameter, |s| {
                let ee = s.ee();
                s.send(ee);
                s.send(HandshakePayload::CertificateRequestTls13(
                    CertificateRequestPayloadTls13 {
                        context: PayloadU8::new(b"x".to_vec()),
                        extensions: vec![CertReqExtension::SignatureAlgorithms(vec![
                            SignatureScheme::ECDSA_NISTP256_SHA256,
                        ])],
                    },
                ));
            }),
        ),
        case(
            "a CertificateRequest without signature_algorithms is missing_extension",
            bad_flight(A::MissingExtension, |s| {
                let ee = s.ee();
                s.send(ee);
                s.send(HandshakePayload::CertificateRequestTls13(
                    CertificateRequestPayloadTls13 {
                        context: PayloadU8::empty(),
                        extensions: vec![CertReqExtension::SignatureAlgorithmsCert(vec![
                            SignatureScheme::ECDSA_NISTP256_SHA256,
                        ])],
                    },
                ));
            }),
        ),
        case(
            "two CertificateRequests are unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee);
                let cr = HandshakePayload::CertificateRequestTls13(
                    CertificateRequestPayloadTls13 {
                        context: PayloadU8::empty(),
                        extensions: vec![CertReqExtension::SignatureAlgorithms(vec![
                            SignatureScheme::ECDSA_NISTP256_SHA256,
                        ])],
                    },
                );
                s.send(cr.clone());
                s.send(cr);
            }),
        ),
        case(
            "a CertificateRequest is answered with an empty Certificate by a client without one",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee();
                s.send(ee);
                s.send(HandshakePayload::CertificateRequestTls13(
                    CertificateRequestPayloadTls13 {
                        context: PayloadU8::empty(),
                        extensions: vec![CertReqExtension::SignatureAlgorithms(vec![
                            SignatureScheme::ECDSA_NISTP256_SHA256,
                        ])],
                    },
                ));
                let cert = s.certificate();
                s.send(cert);
                let cv = s.certificate_verify();
                s.send(cv);
                let fin = s.finished();
                s.send(fin);
                s.after_finished();
                assert_eq!(s.w.deliver(), Ok(()));
                let (p, encoded) = s.w.expect_handshake(V13);
                let HandshakePayload::CertificateTls13(c) = p else {
                    panic!("{p:?}");
                };
                assert!(c.entries.is_empty());
                s.transcript.add_message(&encoded);
            },
        ),
        // ---- CertificateVerify ----
        case(
            "a CertificateVerify whose signature does not verify is decrypt_error",
            bad_flight(A::DecryptError, |s| {
                flight_with(s, &|i, m| {
                    if let (2, HandshakePayload::CertificateVerify(cv)) = (i, m) {
                        let last = cv.signature.0.len() - 1;
                        cv.signature.0[last] ^= 1;
                    }
                })
            }),
        ),
        case(
            "a CertificateVerify signed as a client is decrypt_error",
            bad_flight(A::DecryptError, |s| {
                let ee = s.ee();
                s.send(ee);
                let c = s.certificate();
                s.send(c);
                let hash = s.transcript.current_hash().unwrap();
                let content =
                    crate::script13::certificate_verify_content(false, hash.as_ref());
                let scheme = s.scheme();
                let sig = s.key.sign(scheme, &content).unwrap();
                s.send(HandshakePayload::CertificateVerify(DigitallySignedStruct::new(
                    scheme, sig,
                )));
            }),
        ),
        case(
            "a missing CertificateVerify is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee);
                let c = s.certificate();
                s.send(c);
                let fin = s.finished();
                s.send(fin);
            }),
        ),
        case(
            "a CertificateVerify before the Certificate is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee);
                let cv = s.certificate_verify();
                s.send(cv);
            }),
        ),
        case(
            "a missing Certificate is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee);
                let fin = s.finished();
                s.send(fin);
            }),
        ),
        // ---- Finished ----
        case(
            "a NewSessionTicket before the server Finished is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee);
                let c = s.certificate();
                s.send(c);
                let cv = s.certificate_verify();
                s.send(cv);
                s.send(nst(3600));
            }),
        ),
        case(
            "a KeyUpdate during the handshake is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee);
                s.send(key_update(KeyUpdateRequest::UpdateNotRequested));
            }),
        ),
        case(
            "application data before the server Finished is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ee = s.ee();
                s.send(ee);
                s.w.record(ContentType::ApplicationData, b"too early");
            }),
        ),
        case(
            "an alert under the handshake keys ends the handshake without an answer",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                s.w.alert(AlertLevel::Fatal, A::InternalError);
                let _ = s.w.deliver();
                s.w.failed_quietly(Error::AlertReceived(A::InternalError));
            },
        ),
        case(
            "a TLS 1.3 warning alert other than close_notify is fatal",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                s.w.alert(AlertLevel::Warning, A::BadCertificate);
                let _ = s.w.deliver();
                s.w.failed_quietly(Error::AlertReceived(A::BadCertificate));
            },
        ),
        case(
            "a server Finished coalesced with application data is accepted",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                s.w.framing = Framing::Together;
                s.send_flight();
                s.w.record(ContentType::ApplicationData, b"0.5-RTT data");
                s.read_client_finished();
                s.w.completed();
                assert_eq!(s.w.received, b"0.5-RTT data");
            },
        ),
        case(
            "a NewSessionTicket in the record of the server Finished is unexpected_message (a key change)",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                s.w.framing = Framing::Together;
                for m in [s.ee(), s.certificate()] {
                    s.send(m);
                }
                let cv = s.certificate_verify();
                s.send(cv);
                let fin = s.finished();
                s.send(fin);
                // Queued with the Finished, so sealed with it under the handshake key.
                s.w.handshake(nst(60));
                s.after_finished();
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "a KeyUpdate coalesced with the next message in one record is unexpected_message (a key change)",
            || {
                let mut s = Server13::handshake(client_config());
                s.w.framing = Framing::Together;
                s.w.handshake(key_update(KeyUpdateRequest::UpdateNotRequested));
                s.w.handshake(nst(60));
                let _ = s.w.deliver();
                s.w.refused(A::UnexpectedMessage);
            },
        ),
        // ---- after the handshake ----
        case(
            "a ticket lifetime over seven days is illegal_parameter",
            bad_after(A::IllegalParameter, |s| {
                s.w.handshake(nst(604_801));
            }),
        ),
        case("a ticket lifetime of seven days is kept", || {
            let mut s = Server13::handshake(client_config());
            s.w.handshake(nst(604_800));
            s.w.deliver().unwrap();
            assert!(s
                .w
                .events
                .iter()
                .any(|e| matches!(e, Event::NewSessionTicket(_))));
        }),
        case("a ticket with a zero lifetime is not kept", || {
            let mut s = Server13::handshake(client_config());
            s.w.handshake(nst(0));
            s.w.deliver().unwrap();
            assert!(!s
                .w
                .events
                .iter()
                .any(|e| matches!(e, Event::NewSessionTicket(_))));
        }),
        case(
            "a NewSessionTicket with an empty ticket is decode_error",
            bad_after(A::DecodeError, |s| {
                let mut m = encode(nst(60));
                // lifetime(4) age_add(4) nonce(1+8) then the u16 ticket length.
                let at = 4 + 4 + 4 + 9;
                m.truncate(at);
                m.extend_from_slice(&[0, 0, 0, 0]);
                let len = m.len() - 4;
                m[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
                s.w.raw_handshake(&m);
            }),
        ),
        case(
            "a KeyUpdate with an unknown request value is illegal_parameter",
            bad_after(A::IllegalParameter, |s| {
                s.w.raw_handshake(&[24, 0, 0, 1, 2]);
            }),
        ),
        case("a KeyUpdate that asks for ours is answered", || {
            let mut s = Server13::handshake(client_config());
            s.w.handshake(key_update(KeyUpdateRequest::UpdateRequested));
            s.w.deliver().unwrap();
            assert!(s.w.events.contains(&Event::KeyUpdated {
                update_requested: true
            }));
            let (p, _) = s.w.expect_handshake(V13);
            assert!(matches!(
                p,
                HandshakePayload::KeyUpdate(KeyUpdatePayload {
                    request: KeyUpdateRequest::UpdateNotRequested
                })
            ));
        }),
        case(
            "a post-handshake CertificateRequest without post_handshake_auth is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                s.w.handshake(HandshakePayload::CertificateRequestTls13(
                    CertificateRequestPayloadTls13 {
                        context: PayloadU8::new(b"pha".to_vec()),
                        extensions: vec![CertReqExtension::SignatureAlgorithms(vec![
                            SignatureScheme::ECDSA_NISTP256_SHA256,
                        ])],
                    },
                ));
            }),
        ),
        case(
            "a second server Finished is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                s.w.handshake(HandshakePayload::Finished(FinishedPayload {
                    verify_data: Payload::new(vec![0; 32]),
                }));
            }),
        ),
        case(
            "a ServerHello after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                let sh = s.hello_again();
                s.w.handshake(HandshakePayload::ServerHello(sh));
            }),
        ),
        case(
            "a HelloRequest (TLS 1.2's) after a TLS 1.3 handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                s.w.raw_handshake(&[0, 0, 0, 0]);
            }),
        ),
        case(
            "an unknown handshake message after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                s.w.raw_handshake(&[99, 0, 0, 1, 0]);
            }),
        ),
        case(
            "a ChangeCipherSpec after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                s.w.compat_ccs();
            }),
        ),
        case(
            "a post-handshake message split over two records is accepted",
            || {
                let mut s = Server13::handshake(client_config());
                s.w.framing = Framing::Split(3);
                s.w.handshake(nst(60));
                s.w.deliver().unwrap();
                assert!(s
                    .w
                    .events
                    .iter()
                    .any(|e| matches!(e, Event::NewSessionTicket(_))));
            },
        ),
    ];
    v.extend(edited_flight_cases());
    v.extend(resumption_cases());
    v.extend(hybrid_hello_cases());
    v
}

/// The server's flight with one field of one message changed, each refused.
fn edited_flight_cases() -> Vec<Case> {
    type Edit = fn(&mut HandshakePayload);
    let edits: [(&str, A, usize, Edit); 7] = [
        (
            "a CertificateVerify with a scheme we did not offer is illegal_parameter",
            A::IllegalParameter,
            2,
            |m| set_scheme(m, SignatureScheme::ED448),
        ),
        (
            "a CertificateVerify with PKCS#1 v1.5 (TLS 1.2 only) is illegal_parameter",
            A::IllegalParameter,
            2,
            |m| set_scheme(m, SignatureScheme::RSA_PKCS1_SHA256),
        ),
        (
            "a CertificateVerify whose scheme names another curve is decrypt_error",
            A::DecryptError,
            2,
            |m| set_scheme(m, SignatureScheme::ECDSA_NISTP384_SHA384),
        ),
        (
            "a server Finished that does not verify is decrypt_error",
            A::DecryptError,
            3,
            |m| edit_finished(m, |vd| vd[0] ^= 1),
        ),
        (
            "a server Finished one byte short is decode_error",
            A::DecodeError,
            3,
            |m| edit_finished(m, |vd| vd.truncate(vd.len() - 1)),
        ),
        (
            "a server Finished one byte long is decode_error",
            A::DecodeError,
            3,
            |m| edit_finished(m, |vd| vd.push(0)),
        ),
        (
            "an empty server Finished is decode_error",
            A::DecodeError,
            3,
            |m| edit_finished(m, Vec::clear),
        ),
    ];
    edits
        .into_iter()
        .map(|(name, alert, index, edit)| {
            case(
                name,
                bad_flight(alert, move |s| {
                    flight_with(s, &|i, m| {
                        if i == index {
                            edit(m)
                        }
                    })
                }),
            )
        })
        .collect()
}

fn set_scheme(m: &mut HandshakePayload, scheme: SignatureScheme) {
    if let HandshakePayload::CertificateVerify(cv) = m {
        cv.scheme = scheme;
    }
}

fn edit_finished(m: &mut HandshakePayload, edit: fn(&mut Vec<u8>)) {
    if let HandshakePayload::Finished(f) = m {
        edit(&mut f.verify_data.0);
    }
}

fn nst(lifetime: u32) -> HandshakePayload {
    HandshakePayload::NewSessionTicketTls13(NewSessionTicketPayloadTls13 {
        lifetime,
        age_add: 7,
        nonce: PayloadU8::new(vec![0; 8]),
        ticket: PayloadU16::new(b"opaque ticket".to_vec()),
        extensions: Vec::new(),
    })
}

fn key_update(request: KeyUpdateRequest) -> HandshakePayload {
    HandshakePayload::KeyUpdate(KeyUpdatePayload { request })
}

impl Server13 {
    /// Our share if we still hold one, else any X25519 entry.
    fn our_share_or_default(&self) -> KeyShareEntry {
        KeyShareEntry {
            group: NamedGroup::X25519,
            key_exchange: vec![9; 32],
        }
    }

    /// A ServerHello shaped like a correct one (for cases past the hello).
    fn hello_again(&self) -> ServerHelloPayload {
        ServerHelloPayload {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: sanstls::internal::msgs::base::Random(random()),
            session_id: self.ch.session_id,
            cipher_suite: self.suite.suite,
            compression_method: Compression::Null,
            extensions: Some(vec![ServerExtension::SupportedVersions(V13)]),
        }
    }
}

/// A session our client keeps from a scripted server's ticket, with the server's
/// resumption PSK for it.
fn ticketed(config: sanstls::client::ClientConfig) -> (sanstls::client::StoredSession, Vec<u8>) {
    Server13::ticketed(config, &[1; 8], b"scripted ticket", Vec::new())
}

/// A resumed handshake accepting the PSK: ServerHello, EncryptedExtensions and Finished,
/// no certificate; the client completes.
fn resumed_flight(s: &mut Server13) {
    let mut sh = s.hello();
    ext(&mut sh).push(ServerExtension::PreSharedKey(0));
    s.send_hello(sh);
    let ee = s.ee();
    s.send(ee);
    let fin = s.finished();
    s.send(fin);
    s.after_finished();
    s.read_client_finished();
    s.w.completed();
}

/// A scripted server that accepts the PSK our client offers with `session`.
fn resuming(session: sanstls::client::StoredSession, psk: Vec<u8>) -> Server13 {
    let victim = sanstls::client::ClientConnection::resume(
        std::sync::Arc::new(client_config()),
        HOST,
        Some(session),
        NOW,
    )
    .unwrap();
    let mut s = Server13::with_victim(victim);
    assert!(s.ch.psk_offer().is_some(), "the client offers its session");
    s.psk = Some(psk);
    s
}

fn resumption_cases() -> Vec<Case> {
    vec![
        case(
            "a resumed handshake reports the chain and verdict of the session's handshake",
            || {
                let (session, psk) = ticketed(client_config());
                let mut s = resuming(session, psk);
                resumed_flight(&mut s);
                let n = s.w.victim.negotiated();
                assert!(n.resumed);
                assert_eq!(n.peer_certificates, vec![pki().ecdsa.clone()]);
                assert_eq!(n.authorization_error, None);
            },
        ),
        case(
            "a resumed handshake reports no ALPN that EncryptedExtensions did not carry",
            || {
                let mut config = with_alpn();
                config.alpn_protocols = vec![b"h2".to_vec()];
                let mut s = Server13::start(config);
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee_with(vec![ServerExtension::Alpn(ProtocolName(b"h2".to_vec()))]);
                s.send_flight_with(ee);
                s.read_client_finished();
                let (session, psk) = s.issue_ticket(&[2; 8], b"t", Vec::new());
                assert_eq!(session.alpn(), Some(&b"h2"[..]));
                let mut r = resuming(session, psk);
                resumed_flight(&mut r);
                assert!(r.w.victim.negotiated().resumed);
                assert_eq!(r.w.victim.negotiated().alpn, None);
            },
        ),
        case(
            "a server that accepts our PSK and sends a Certificate is unexpected_message",
            || {
                let (session, psk) = ticketed(client_config());
                let mut s = resuming(session, psk);
                let mut sh = s.hello();
                ext(&mut sh).push(ServerExtension::PreSharedKey(0));
                s.send_hello(sh);
                let ee = s.ee();
                s.send(ee);
                let c = s.certificate();
                s.send(c);
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "a server selecting PSK identity 1 of 1 is illegal_parameter",
            || {
                let (session, psk) = ticketed(client_config());
                let mut s = resuming(session, psk);
                let mut sh = s.hello();
                ext(&mut sh).push(ServerExtension::PreSharedKey(1));
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "a server accepting our PSK under a suite of another hash is illegal_parameter",
            || {
                let (session, psk) = ticketed(client_config());
                let mut s = resuming(session, psk);
                // The session is AES-256-GCM-SHA384's (the client prefers it).
                let mut sh = s.hello();
                sh.cipher_suite = CipherSuite::TLS13_AES_128_GCM_SHA256;
                ext(&mut sh).push(ServerExtension::PreSharedKey(0));
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case("a server declining our PSK runs a full handshake", || {
            let (session, psk) = ticketed(client_config());
            let mut s = resuming(session, psk);
            s.psk = None;
            let sh = s.hello();
            s.send_hello(sh);
            s.send_flight();
            s.read_client_finished();
            s.w.completed();
            assert!(!s.w.victim.negotiated().resumed);
        }),
    ]
}

/// The DER of a certificate of `vectors/pki/strict` (one PEM block per file).
fn strict_fixture(name: &str) -> Vec<u8> {
    let pem = sanstls_test::fixtures::read(&format!("pki/strict/{name}"));
    let blocks = sanstls_pki::pem::parse(&pem).expect("PEM");
    blocks.into_iter().next().expect("a certificate").der
}

/// The hybrid groups by name.
const HYBRIDS: [(&str, NamedGroup); 3] = [
    ("X25519MLKEM768", NamedGroup::X25519MLKEM768),
    ("SecP256r1MLKEM768", NamedGroup::SecP256r1MLKEM768),
    ("SecP384r1MLKEM1024", NamedGroup::SecP384r1MLKEM1024),
];

/// The script answers our client's only share, of `group`, with a ServerHello whose share
/// `edit` changed from a correct one (made by our own server-side key exchange).
fn hybrid_answer(group: NamedGroup, edit: impl Fn(&mut Vec<u8>)) {
    let s = server_for(vec![group]);
    let theirs = s.ch.key_shares().unwrap()[0].clone();
    assert_eq!(theirs.group, group);
    let rng = sanstls::rand::SystemRandom::new();
    let (mut answer, _) =
        sanstls::crypto::kx::KeyExchange::accept(group, &theirs.key_exchange, &rng).unwrap();
    edit(&mut answer);
    refused_share(s, group, answer);
}

/// The script answers with a ServerHello whose key share is `key_exchange` for `group`;
/// our client refuses it with illegal_parameter.
fn refused_share(mut s: Server13, group: NamedGroup, key_exchange: Vec<u8>) {
    let mut sh = s.hello();
    ext(&mut sh)[1] = ServerExtension::KeyShare(KeyShareEntry {
        group,
        key_exchange,
    });
    s.send_hello(sh);
    s.w.delivered_refused(A::IllegalParameter);
}

/// A client offering `groups`, and a script for it.
fn server_for(groups: Vec<NamedGroup>) -> Server13 {
    let mut c = client_config();
    c.groups = groups;
    Server13::start(c)
}

/// ServerHellos choosing a hybrid group that our client refuses (draft-ietf-tls-ecdhe-mlkem
/// s4.1; RFC 8446 s4.2.8: a group it sent no share for).
fn hybrid_hello_cases() -> Vec<Case> {
    let mut cases: Vec<Case> = HYBRIDS
        .into_iter()
        .map(|(name, group)| {
            case(
                format!("a ServerHello {name} share one byte short is illegal_parameter"),
                move || hybrid_answer(group, |a| a.truncate(a.len() - 1)),
            )
        })
        .collect();
    cases.extend([
        case(
            "a ServerHello SecP256r1MLKEM768 share whose point is not on the curve is illegal_parameter",
            || hybrid_answer(NamedGroup::SecP256r1MLKEM768, |a| a[64] ^= 1),
        ),
        case(
            "a ServerHello X25519MLKEM768 share whose X25519 part is all zeros is illegal_parameter",
            // A low-order point: the agreement's all-zero result is refused (RFC 8446
            // s7.4.2), in ring as in x25519-dalek.
            || hybrid_answer(NamedGroup::X25519MLKEM768, |a| a[1088..].fill(0)),
        ),
        case(
            "an all-zero X25519 answer to the X25519 share of a hybrid key is illegal_parameter",
            || {
                // The default client's X25519 share is the hybrid key's X25519 half.
                let s = server_for(vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519]);
                refused_share(s, NamedGroup::X25519, vec![0; 32]);
            },
        ),
        case(
            "a ServerHello choosing SecP384r1MLKEM1024, not offered, is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                ext(sh)[1] = ServerExtension::KeyShare(KeyShareEntry {
                    group: NamedGroup::SecP384r1MLKEM1024,
                    key_exchange: vec![4; 97 + 1568],
                })
            }),
        ),
        case(
            "a ServerHello choosing SecP256r1MLKEM768, listed but sent no share for, is illegal_parameter",
            || {
                // Our client sends an X25519 share and lists the hybrid after it: the
                // server may ask for the hybrid's share, not answer one never sent.
                let s = server_for(vec![NamedGroup::X25519, NamedGroup::SecP256r1MLKEM768]);
                refused_share(s, NamedGroup::SecP256r1MLKEM768, vec![4; 65 + 1088]);
            },
        ),
    ]);
    cases
}
