//! Cases: a scripted TLS 1.2 client against our server.

use std::sync::Arc;

use sanstls::crypto::ffdhe::DhGroup;
use sanstls::enums::{
    AlertDescription as A, AlertLevel, CipherSuite, Compression, ContentType, ExtensionType,
    NamedGroup, ProtocolVersion, SignatureScheme,
};
use sanstls::internal::codec::{Payload, PayloadU8};
use sanstls::internal::msgs::base::SessionId;
use sanstls::internal::msgs::extensions::{ClientExtension, ProtocolName, ServerNameList};
use sanstls::internal::msgs::handshake::{DigitallySignedStruct, FinishedPayload};
use sanstls::internal::msgs::hello::ClientHelloPayload;
use sanstls::internal::msgs::kx::{
    ClientKeyExchangePayload, KeyExchangeAlgorithm, ServerKeyExchangePayload,
};
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::server::{CertifiedKey, ServerConfig};
use sanstls::Error;

use crate::harness::*;
use crate::script12::{certificate, Client12};

const V12: ProtocolVersion = ProtocolVersion::TLSv1_2;

fn exts(ch: &mut ClientHelloPayload) -> &mut Vec<ClientExtension> {
    ch.extensions.get_or_insert_with(Vec::new)
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
        let mut c = Client12::start(config(), &edit);
        c.w.refused_in_handshake(alert);
    }
}

/// Our server completes a handshake whose ClientHello `edit` changed in allowed ways.
fn good_hello_with(config: ServerConfig, edit: impl Fn(&mut ClientHelloPayload)) -> Client12 {
    let mut c = Client12::start(config, edit);
    c.read_server_flight();
    c.send_key_exchange();
    c.send_ccs_and_finished();
    c.read_server_finish();
    c.w.completed();
    c
}

fn good_hello(edit: impl Fn(&mut ClientHelloPayload)) -> Client12 {
    good_hello_with(server_config(), edit)
}

/// After the server's flight, the script sends what `rest` sends; refused with `alert`.
fn bad_client_flight(
    config: fn() -> ServerConfig,
    alert: A,
    rest: impl Fn(&mut Client12) + 'static,
) -> impl Fn() {
    move || {
        let mut c = Client12::start(config(), |_| {});
        c.read_server_flight();
        rest(&mut c);
        c.w.delivered_refused(alert);
    }
}

/// An established server, then what `after` sends, refused with `alert`.
fn bad_after(alert: A, after: impl Fn(&mut Client12) + 'static) -> impl Fn() {
    move || {
        let mut c = Client12::handshake(server_config());
        after(&mut c);
        let _ = c.w.deliver();
        c.w.refused(alert);
    }
}

/// A server whose only group is secp521r1 and a client listing it (and P-256, for the
/// server's ECDSA certificate): the ClientKeyExchange carries `point`, which is refused
/// with illegal_parameter.
fn p521_client_flight(point: Vec<u8>) -> impl Fn() {
    move || {
        let mut config = server_config();
        config.groups = vec![NamedGroup::secp521r1];
        let mut c = Client12::start(config, |ch| {
            replace(
                ch,
                ClientExtension::SupportedGroups(vec![
                    NamedGroup::secp521r1,
                    NamedGroup::secp256r1,
                ]),
            )
        });
        c.read_server_flight();
        assert_eq!(c.w.victim.negotiated().group, Some(NamedGroup::secp521r1));
        c.send(cke(point.clone()));
        c.w.delivered_refused(A::IllegalParameter);
    }
}

fn with_client_auth(mandatory: bool) -> ServerConfig {
    let mut c = server_config();
    c.client_verifier = Some(client_verifier(mandatory));
    c
}

fn with_dhe() -> ServerConfig {
    let p = pki();
    let mut c = ServerConfig::new(vec![CertifiedKey::new(
        vec![p.rsa.clone()],
        p.rsa_key.clone(),
    )
    .unwrap()]);
    c.dh_params = Some(DhGroup::ffdhe2048());
    c
}

/// [`with_dhe`] with ffdhe3072 as the configured parameters.
fn with_dhe3072() -> ServerConfig {
    let mut c = with_dhe();
    c.dh_params = Some(DhGroup::ffdhe3072());
    c
}

/// A client offering only a DHE suite and listing `groups` (and X25519), up to our
/// server's flight.
fn dhe_hello(config: ServerConfig, groups: Vec<NamedGroup>) -> Client12 {
    let mut c = Client12::start(config, |ch| {
        replace(
            ch,
            ClientExtension::SupportedGroups([groups.clone(), vec![NamedGroup::X25519]].concat()),
        );
        ch.cipher_suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256];
    });
    c.read_server_flight();
    c.w.waiting();
    c
}

/// The p and g of the DHE ServerKeyExchange in the server's flight.
fn dhe_params_sent(c: &Client12) -> (Vec<u8>, Vec<u8>) {
    for m in &c.flight {
        if let HandshakePayload::ServerKeyExchange(body) = m {
            let ske = ServerKeyExchangePayload::read_bytes_with(&body.0, KeyExchangeAlgorithm::Dhe)
                .unwrap();
            let sanstls::internal::msgs::kx::ServerKeyExchangeParams::Dhe(dh) = ske.params else {
                panic!("not DHE");
            };
            return (dh.p.0, dh.g.0);
        }
    }
    panic!("no ServerKeyExchange");
}

fn finished(vd: Vec<u8>) -> HandshakePayload {
    HandshakePayload::Finished(FinishedPayload {
        verify_data: Payload::new(vd),
    })
}

fn cke(point: Vec<u8>) -> HandshakePayload {
    let body = ClientKeyExchangePayload::Ecdhe(PayloadU8::new(point));
    HandshakePayload::ClientKeyExchange(Payload::new(body.get_encoding()))
}

/// The client Certificate and a correct TLS 1.2 CertificateVerify (over the transcript so
/// far) for the ECDSA leaf, sent around our ClientKeyExchange as RFC 5246 orders them.
fn authenticate(c: &mut Client12, with_verify: bool) {
    let p = pki();
    c.send(certificate(std::slice::from_ref(&p.ecdsa)));
    c.send_key_exchange();
    if with_verify {
        let scheme = SignatureScheme::ECDSA_NISTP256_SHA256;
        let signed = c.transcript_bytes();
        let sig = p.ecdsa_key.sign(scheme, &signed).unwrap();
        c.send(HandshakePayload::CertificateVerify(
            DigitallySignedStruct::new(scheme, sig),
        ));
    }
}

/// The signature of our server's ServerKeyExchange, checked with `verify`.
fn server_signature(c: &Client12) -> (SignatureScheme, Vec<u8>, Vec<u8>) {
    for m in &c.flight {
        if let HandshakePayload::ServerKeyExchange(body) = m {
            let ske =
                ServerKeyExchangePayload::read_bytes_with(&body.0, KeyExchangeAlgorithm::Ecdhe)
                    .unwrap();
            let mut signed = Vec::new();
            signed.extend_from_slice(&c.hello.random.0);
            signed.extend_from_slice(&c.server_random);
            signed.extend_from_slice(&ske.params.to_bytes());
            return (ske.signature.scheme, signed, ske.signature.signature.0);
        }
    }
    panic!("no ServerKeyExchange");
}

pub fn cases() -> Vec<Case> {
    let mut v = own_cases();
    v.extend(crate::record_limits::server12_cases());
    v
}

fn own_cases() -> Vec<Case> {
    vec![
        case("a correct client completes the handshake", || {
            let mut c = Client12::handshake(server_config());
            c.w.record(ContentType::ApplicationData, b"hello");
            c.w.deliver().unwrap();
            assert_eq!(c.w.received, b"hello");
            let n = c.w.victim.negotiated();
            assert!(n.extended_master_secret && n.secure_renegotiation);
        }),
        // ---- ClientHello ----
        case(
            "no signature_algorithms (SHA-1 only, RFC 5246 s7.4.1.4.1) is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                remove(ch, ExtensionType::SignatureAlgorithms)
            }),
        ),
        case(
            "SHA-1 signature algorithms only is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                replace(
                    ch,
                    ClientExtension::SignatureAlgorithms(vec![
                        SignatureScheme::RSA_PKCS1_SHA1,
                        SignatureScheme::from(0x0203),
                    ]),
                )
            }),
        ),
        case(
            "a ClientHello without extensions is handshake_failure (SHA-1 only)",
            bad_hello(A::HandshakeFailure, |ch| ch.extensions = None),
        ),
        case(
            "no EC group in common and no DHE suite is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                replace(
                    ch,
                    ClientExtension::SupportedGroups(vec![NamedGroup::FFDHE2048]),
                )
            }),
        ),
        case("no EC group in common but a DHE suite negotiates DHE", || {
            let mut c = Client12::start(with_dhe(), |ch| {
                replace(
                    ch,
                    ClientExtension::SupportedGroups(vec![NamedGroup::FFDHE2048]),
                );
                ch.cipher_suites = vec![
                    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                    CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
                ];
            });
            c.w.waiting();
            let (p, _) = c.w.expect_handshake(V12);
            let HandshakePayload::ServerHello(sh) = p else {
                panic!("{p:?}");
            };
            assert_eq!(sh.cipher_suite, CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256);
        }),
        case(
            "a client listing ffdhe3072 gets ffdhe3072 in ServerKeyExchange, not our ffdhe2048",
            || {
                let c = dhe_hello(with_dhe(), vec![NamedGroup::FFDHE3072]);
                let (p, g) = dhe_params_sent(&c);
                assert_eq!(p, DhGroup::ffdhe3072().p());
                assert_eq!(g, [2]);
                assert_eq!(c.w.victim.negotiated().group, Some(NamedGroup::FFDHE3072));
                assert_eq!(c.w.victim.negotiated().dh_bits, Some(3072));
            },
        ),
        case(
            "a client listing ffdhe2048 and ffdhe4096 gets the first of our configured groups",
            || {
                let mut config = with_dhe();
                config.groups = vec![NamedGroup::X25519, NamedGroup::FFDHE4096, NamedGroup::FFDHE2048];
                let c = dhe_hello(config, vec![NamedGroup::FFDHE2048, NamedGroup::FFDHE4096]);
                assert_eq!(dhe_params_sent(&c).0, DhGroup::ffdhe4096().p());
            },
        ),
        case(
            "FFDHE groups listed, none ours, DHE suites only: insufficient_security (RFC 7919 s4)",
            bad_hello_with(with_dhe, A::InsufficientSecurity, |ch| {
                // An unknown FFDHE codepoint still says the client knows RFC 7919.
                replace(
                    ch,
                    ClientExtension::SupportedGroups(vec![NamedGroup::from(0x01fc)]),
                );
                ch.cipher_suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256];
            }),
        ),
        case(
            "FFDHE groups listed, only a smaller one than our parameters: insufficient_security",
            bad_hello_with(with_dhe3072, A::InsufficientSecurity, |ch| {
                replace(
                    ch,
                    ClientExtension::SupportedGroups(vec![NamedGroup::FFDHE2048]),
                );
                ch.cipher_suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256];
            }),
        ),
        case(
            "FFDHE groups listed, none ours, and an ECDHE suite: ECDHE is chosen, never DHE",
            || {
                let mut c = Client12::start(with_dhe(), |ch| {
                    replace(
                        ch,
                        ClientExtension::SupportedGroups(vec![
                            NamedGroup::from(0x01fc),
                            NamedGroup::X25519,
                        ]),
                    );
                    ch.cipher_suites = vec![
                        CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
                        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                    ];
                });
                c.w.waiting();
                let (p, _) = c.w.expect_handshake(V12);
                let HandshakePayload::ServerHello(sh) = p else {
                    panic!("{p:?}");
                };
                assert_eq!(sh.cipher_suite, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
            },
        ),
        case(
            "an ECDSA certificate on a curve the client did not list is not sent: the RSA one is",
            || {
                let p = pki();
                let mut config = server_config();
                config.certificates.push(
                    CertifiedKey::new(vec![p.rsa.clone()], p.rsa_key.clone()).unwrap(),
                );
                let mut c = Client12::start(config, |ch| {
                    replace(ch, ClientExtension::SupportedGroups(vec![NamedGroup::X25519]))
                });
                c.w.waiting();
                let (m, _) = c.w.expect_handshake(V12);
                let HandshakePayload::ServerHello(sh) = m else {
                    panic!("{m:?}");
                };
                assert!(
                    format!("{:?}", sh.cipher_suite).contains("ECDHE_RSA"),
                    "{:?}",
                    sh.cipher_suite
                );
            },
        ),
        case(
            "only an ECDSA certificate on a curve the client did not list is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                replace(ch, ClientExtension::SupportedGroups(vec![NamedGroup::X25519]))
            }),
        ),
        case("no supported_groups means P-256 (RFC 8422 s4)", || {
            let mut c = Client12::start(server_config(), |ch| {
                remove(ch, ExtensionType::SupportedGroups)
            });
            c.read_server_flight();
            assert_eq!(
                c.server_params.as_ref().unwrap().named_group,
                NamedGroup::secp256r1
            );
        }),
        case(
            "a client listing only ecdsa_secp384r1_sha384 gets a P-256 signature with SHA-384",
            || {
                let mut c = Client12::start(server_config(), |ch| {
                    replace(
                        ch,
                        ClientExtension::SignatureAlgorithms(vec![
                            SignatureScheme::ECDSA_NISTP384_SHA384,
                        ]),
                    )
                });
                c.read_server_flight();
                let (scheme, signed, sig) = server_signature(&c);
                assert_eq!(scheme, SignatureScheme::ECDSA_NISTP384_SHA384);
                let spki = sanstls::crypto::sign::certificate_public_key(&pki().ecdsa)
                    .unwrap()
                    .to_vec();
                ring::signature::UnparsedPublicKey::new(
                    &ring::signature::ECDSA_P256_SHA384_ASN1,
                    spki,
                )
                .verify(&signed, &sig)
                .unwrap();
            },
        ),
        case(
            "a client listing only ecdsa_secp521r1_sha512 gets a P-256 signature with SHA-512",
            || {
                let mut c = Client12::start(server_config(), |ch| {
                    replace(
                        ch,
                        ClientExtension::SignatureAlgorithms(vec![
                            SignatureScheme::ECDSA_NISTP521_SHA512,
                        ]),
                    )
                });
                c.read_server_flight();
                let (scheme, signed, sig) = server_signature(&c);
                assert_eq!(scheme, SignatureScheme::ECDSA_NISTP521_SHA512);
                let spki = sanstls::crypto::sign::certificate_public_key(&pki().ecdsa)
                    .unwrap()
                    .to_vec();
                use p256::ecdsa::signature::hazmat::PrehashVerifier;
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&spki).unwrap();
                let digest = ring::digest::digest(&ring::digest::SHA512, &signed);
                key.verify_prehash(
                    digest.as_ref(),
                    &p256::ecdsa::Signature::from_der(&sig).unwrap(),
                )
                .unwrap();
            },
        ),
        case(
            "a non-empty initial renegotiation_info is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                replace(
                    ch,
                    ClientExtension::RenegotiationInfo(PayloadU8::new(vec![1; 12])),
                )
            }),
        ),
        case("the renegotiation SCSV instead of the extension is secure renegotiation", || {
            let c = good_hello(|ch| {
                remove(ch, ExtensionType::RenegotiationInfo);
                ch.cipher_suites
                    .push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
            });
            assert!(c.w.victim.negotiated().secure_renegotiation);
        }),
        case(
            "TLS_FALLBACK_SCSV from a TLS 1.2 client to a TLS 1.3 server is inappropriate_fallback",
            bad_hello(A::InappropriateFallback, |ch| {
                ch.cipher_suites.push(CipherSuite::TLS_FALLBACK_SCSV)
            }),
        ),
        case("TLS_FALLBACK_SCSV to a TLS 1.2-only server is accepted", || {
            let mut config = server_config();
            config.max_version = V12;
            good_hello_with(config, |ch| {
                ch.cipher_suites.push(CipherSuite::TLS_FALLBACK_SCSV)
            });
        }),
        case(
            "a ClientHello without null compression is illegal_parameter",
            bad_hello(A::IllegalParameter, |ch| {
                ch.compression_methods = vec![Compression::Deflate]
            }),
        ),
        case(
            "a TLS 1.1 ClientHello is protocol_version",
            bad_hello(A::ProtocolVersion, |ch| {
                ch.legacy_version = ProtocolVersion::TLSv1_1
            }),
        ),
        case(
            "an SSL 3.0 ClientHello is protocol_version",
            bad_hello(A::ProtocolVersion, |ch| {
                ch.legacy_version = ProtocolVersion::SSLv3
            }),
        ),
        case(
            "no cipher suite in common is handshake_failure",
            bad_hello(A::HandshakeFailure, |ch| {
                ch.cipher_suites = vec![CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256]
            }),
        ),
        case(
            "an invalid server_name is unrecognized_name",
            bad_hello(A::UnrecognisedName, |ch| {
                replace(
                    ch,
                    ClientExtension::ServerName(ServerNameList::from_host_name(b"bad name.")),
                )
            }),
        ),
        case(
            "no ALPN protocol in common is no_application_protocol",
            bad_hello_with(
                || {
                    let mut c = server_config();
                    c.alpn_protocols = vec![b"h2".to_vec()];
                    c
                },
                A::NoApplicationProtocol,
                |ch| exts(ch).push(ClientExtension::Alpn(vec![ProtocolName(b"x".to_vec())])),
            ),
        ),
        case(
            "a duplicated extension is decode_error",
            bad_hello(A::DecodeError, |ch| {
                exts(ch).push(ClientExtension::ExtendedMasterSecret)
            }),
        ),
        case("a client without extended_master_secret gets none", || {
            let c = good_hello(|ch| remove(ch, ExtensionType::ExtendedMasterSecret));
            assert!(!c.w.victim.negotiated().extended_master_secret);
        }),
        case("supported_versions listing TLS 1.2 alone negotiates TLS 1.2", || {
            let c = good_hello(|ch| {
                exts(ch).push(ClientExtension::SupportedVersions(
                    sanstls::internal::msgs::extensions::SupportedVersions(vec![V12]),
                ))
            });
            assert_eq!(c.w.victim.negotiated().version, Some(V12));
        }),
        case("a ticket that does not open means a full handshake", || {
            let c = good_hello(|ch| {
                ch.session_id = SessionId::new(&[3; 32]).unwrap();
                exts(ch).push(ClientExtension::SessionTicket(Payload::new(vec![7; 100])));
            });
            assert!(!c.w.victim.negotiated().resumed);
        }),
        case("a session id we never gave means a full handshake", || {
            let c = good_hello(|ch| ch.session_id = SessionId::new(&[4; 32]).unwrap());
            assert!(!c.w.victim.negotiated().resumed);
        }),
        // ---- the client's flight ----
        case(
            "an all-zero X25519 ClientKeyExchange is illegal_parameter",
            bad_client_flight(server_config, A::IllegalParameter, |c| {
                c.send(cke(vec![0; 32]));
            }),
        ),
        case(
            "a 31-byte X25519 ClientKeyExchange is illegal_parameter",
            bad_client_flight(server_config, A::IllegalParameter, |c| {
                c.send(cke(vec![9; 31]));
            }),
        ),
        case(
            "a P-521 ClientKeyExchange off the curve is illegal_parameter",
            p521_client_flight({
                let mut p = vec![4];
                p.extend_from_slice(&[1; 132]);
                p
            }),
        ),
        case(
            "a compressed P-521 ClientKeyExchange is illegal_parameter",
            p521_client_flight({
                let mut p = vec![2];
                p.extend_from_slice(&[1; 66]);
                p
            }),
        ),
        case(
            "an empty ClientKeyExchange is decode_error",
            bad_client_flight(server_config, A::DecodeError, |c| {
                c.send(HandshakePayload::ClientKeyExchange(Payload::new(vec![])));
            }),
        ),
        case(
            "a ClientKeyExchange with a trailing byte is decode_error",
            bad_client_flight(server_config, A::DecodeError, |c| {
                let mut body = ClientKeyExchangePayload::Ecdhe(PayloadU8::new(vec![9; 32]))
                    .get_encoding();
                body.push(0);
                c.send(HandshakePayload::ClientKeyExchange(Payload::new(body)));
            }),
        ),
        case(
            "a ChangeCipherSpec instead of the ClientKeyExchange is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.w.record(ContentType::ChangeCipherSpec, &[1]);
            }),
        ),
        case(
            "a Finished before the ChangeCipherSpec is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.send_key_exchange();
                let fin = c.finished();
                c.send(fin);
            }),
        ),
        case(
            "a ChangeCipherSpec whose body is not 1 is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.send_key_exchange();
                c.w.record(ContentType::ChangeCipherSpec, &[2]);
            }),
        ),
        case(
            "a client Finished that does not verify is decrypt_error",
            bad_client_flight(server_config, A::DecryptError, |c| {
                c.send_key_exchange();
                c.send_ccs_then(finished(vec![0; 12]));
            }),
        ),
        case(
            "a client Finished of 11 bytes is decode_error",
            bad_client_flight(server_config, A::DecodeError, |c| {
                c.send_key_exchange();
                c.send_ccs_then(finished(vec![0; 11]));
            }),
        ),
        case(
            "a client Finished of 13 bytes is decode_error",
            bad_client_flight(server_config, A::DecodeError, |c| {
                c.send_key_exchange();
                c.send_ccs_then(finished(vec![0; 13]));
            }),
        ),
        case(
            "application data before the ChangeCipherSpec is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.send_key_exchange();
                c.w.record(ContentType::ApplicationData, b"early");
            }),
        ),
        case(
            "application data between the ChangeCipherSpec and the Finished is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.send_key_exchange();
                c.send_ccs_then_raw(ContentType::ApplicationData, b"early");
            }),
        ),
        case(
            "a Certificate nobody asked for is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.send(certificate(&[pki().ecdsa.clone()]));
            }),
        ),
        case(
            "a CertificateVerify nobody asked for is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.send_key_exchange();
                c.send(HandshakePayload::CertificateVerify(DigitallySignedStruct::new(
                    SignatureScheme::ECDSA_NISTP256_SHA256,
                    vec![1; 70],
                )));
            }),
        ),
        case(
            "a Finished split across the ChangeCipherSpec is unexpected_message",
            bad_client_flight(server_config, A::UnexpectedMessage, |c| {
                c.send_key_exchange();
                c.w.raw_handshake(&[20, 0, 0]);
                c.w.record(ContentType::ChangeCipherSpec, &[1]);
            }),
        ),
        case(
            "a tampered Finished record is bad_record_mac",
            bad_client_flight(server_config, A::BadRecordMac, |c| {
                c.send_key_exchange();
                c.send_ccs_then(finished(vec![0; 12]));
                let mut bytes = c.w.take_out();
                let last = bytes.len() - 1;
                bytes[last] ^= 1;
                c.w.raw(&bytes);
            }),
        ),
        case("the client's flight in one record is accepted", || {
            let mut c = Client12::start(server_config(), |_| {});
            c.read_server_flight();
            c.w.framing = Framing::Together;
            c.send_key_exchange();
            c.send_ccs_and_finished();
            c.read_server_finish();
            c.w.completed();
        }),
        // ---- client authentication ----
        case(
            "no client certificate where one is mandatory is handshake_failure",
            bad_client_flight(
                || with_client_auth(true),
                A::HandshakeFailure,
                |c| {
                    c.send(certificate(&[]));
                },
            ),
        ),
        case(
            "no client certificate where one is optional completes, unauthenticated",
            || {
                let mut c = Client12::start(with_client_auth(false), |_| {});
                c.read_server_flight();
                c.send(certificate(&[]));
                c.send_key_exchange();
                c.send_ccs_and_finished();
                c.read_server_finish();
                c.w.completed();
                assert!(c.w.victim.negotiated().peer_certificates.is_empty());
            },
        ),
        case("a client certificate is verified and reported", || {
            let mut c = Client12::start(with_client_auth(true), |_| {});
            c.keep_transcript();
            c.read_server_flight();
            authenticate(&mut c, true);
            c.send_ccs_and_finished();
            c.read_server_finish();
            c.w.completed();
            assert_eq!(
                c.w.victim.negotiated().peer_certificates,
                vec![pki().ecdsa.clone()]
            );
        }),
        case(
            "a client CertificateVerify that does not verify is decrypt_error",
            bad_client_flight(
                || with_client_auth(true),
                A::DecryptError,
                |c| {
                    c.send(certificate(&[pki().ecdsa.clone()]));
                    c.send_key_exchange();
                    c.send(HandshakePayload::CertificateVerify(DigitallySignedStruct::new(
                        SignatureScheme::ECDSA_NISTP256_SHA256,
                        vec![0x30, 6, 2, 1, 1, 2, 1, 1],
                    )));
                },
            ),
        ),
        case(
            "a client CertificateVerify with a scheme we did not offer is illegal_parameter",
            bad_client_flight(
                || with_client_auth(true),
                A::IllegalParameter,
                |c| {
                    c.send(certificate(&[pki().ecdsa.clone()]));
                    c.send_key_exchange();
                    c.send(HandshakePayload::CertificateVerify(DigitallySignedStruct::new(
                        SignatureScheme::from(0x0809),
                        vec![1; 64],
                    )));
                },
            ),
        ),
        case(
            "a missing client CertificateVerify is unexpected_message",
            bad_client_flight(
                || with_client_auth(true),
                A::UnexpectedMessage,
                |c| {
                    c.send(certificate(&[pki().ecdsa.clone()]));
                    c.send_key_exchange();
                    c.w.record(ContentType::ChangeCipherSpec, &[1]);
                },
            ),
        ),
        case(
            "a ClientKeyExchange instead of the asked-for Certificate is unexpected_message",
            bad_client_flight(
                || with_client_auth(true),
                A::UnexpectedMessage,
                |c| c.send_key_exchange(),
            ),
        ),
        case(
            "a client certificate from an unknown issuer is unknown_ca",
            bad_client_flight(
                || {
                    let mut c = server_config();
                    let v = sanstls_pki::tls::NodeClientVerifier::with_roots(
                        vec![pki().rsa_ca.clone()],
                        true,
                    )
                    .unwrap();
                    c.client_verifier = Some(Arc::new(v));
                    c
                },
                A::UnknownCA,
                |c| {
                    c.send(certificate(&[pki().ecdsa.clone()]));
                },
            ),
        ),
        // ---- after the handshake ----
        case(
            "close_notify is answered with ours, and a page sent after it is refused",
            || {
                let mut c = Client12::handshake(server_config());
                c.w.record(ContentType::ApplicationData, b"GET / HTTP/1.0\r\n\r\n");
                c.w.alert(AlertLevel::Warning, A::CloseNotify);
                c.w.deliver().unwrap();
                assert_eq!(c.w.received, b"GET / HTTP/1.0\r\n\r\n");
                assert_eq!(c.w.victim.send(b"HTTP/1.0 200 OK"), Err(Error::ClosedByPeer));
                c.w.collect();
                let rest: Vec<_> = c
                    .w
                    .drain()
                    .into_iter()
                    .filter(|g| !matches!(g, crate::harness::Got::Handshake(_)))
                    .collect();
                assert_eq!(
                    rest,
                    [crate::harness::Got::Alert(AlertLevel::Warning, A::CloseNotify)]
                );
            },
        ),
        case(
            "a ChangeCipherSpec after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |c| {
                c.w.record(ContentType::ChangeCipherSpec, &[1]);
            }),
        ),
        case(
            "a HelloRequest from a client is unexpected_message",
            bad_after(A::UnexpectedMessage, |c| {
                c.w.handshake(HandshakePayload::HelloRequest(
                    sanstls::internal::msgs::handshake::HelloRequestPayload,
                ));
            }),
        ),
        case(
            "a renegotiating ClientHello without renegotiation_info is handshake_failure",
            bad_after(A::HandshakeFailure, |c| {
                let mut ch = crate::script12::client_hello();
                remove(&mut ch, ExtensionType::RenegotiationInfo);
                c.w.handshake(HandshakePayload::ClientHello(ch));
            }),
        ),
        case(
            "a renegotiating ClientHello with the wrong verify_data is handshake_failure",
            bad_after(A::HandshakeFailure, |c| {
                let mut ch = crate::script12::client_hello();
                replace(
                    &mut ch,
                    ClientExtension::RenegotiationInfo(PayloadU8::new(vec![0; 12])),
                );
                c.w.handshake(HandshakePayload::ClientHello(ch));
            }),
        ),
        case(
            "a renegotiating ClientHello with the SCSV is handshake_failure",
            bad_after(A::HandshakeFailure, |c| {
                let mut ch = crate::script12::client_hello();
                replace(
                    &mut ch,
                    ClientExtension::RenegotiationInfo(PayloadU8::new(c.client_vd.clone())),
                );
                ch.cipher_suites
                    .push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
                c.w.handshake(HandshakePayload::ClientHello(ch));
            }),
        ),
        case(
            "a renegotiation that drops the extended master secret is handshake_failure",
            bad_after(A::HandshakeFailure, |c| {
                let mut ch = crate::script12::client_hello();
                replace(
                    &mut ch,
                    ClientExtension::RenegotiationInfo(PayloadU8::new(c.client_vd.clone())),
                );
                remove(&mut ch, ExtensionType::ExtendedMasterSecret);
                c.w.handshake(HandshakePayload::ClientHello(ch));
            }),
        ),
        case("a bound renegotiation is answered with a ServerHello", || {
            let mut c = Client12::handshake(server_config());
            let mut ch = crate::script12::client_hello();
            replace(
                &mut ch,
                ClientExtension::RenegotiationInfo(PayloadU8::new(c.client_vd.clone())),
            );
            c.w.handshake(HandshakePayload::ClientHello(ch));
            c.w.deliver().unwrap();
            let (p, _) = c.w.expect_handshake(V12);
            let HandshakePayload::ServerHello(sh) = p else {
                panic!("{p:?}");
            };
            let both = [c.client_vd.clone(), c.server_vd.clone()].concat();
            assert_eq!(sh.renegotiation_info(), Some(&both[..]));
        }),
        case("a bound renegotiation completes", || {
            let mut c = Client12::handshake(server_config());
            c.renegotiate(|_| {});
            c.read_server_flight();
            c.send_key_exchange();
            c.send_ccs_and_finished();
            c.read_server_finish();
            let completions = c
                .w
                .events
                .iter()
                .filter(|e| **e == sanstls::Event::HandshakeComplete)
                .count();
            assert_eq!(completions, 2);
        }),
        case(
            "a fourth client-initiated renegotiation within the window is handshake_failure",
            || {
                let mut c = Client12::handshake(server_config());
                for _ in 0..sanstls::Limits::default().max_client_renegotiations {
                    c.renegotiate(|_| {});
                    c.read_server_flight();
                    c.send_key_exchange();
                    c.send_ccs_and_finished();
                    c.read_server_finish();
                }
                c.renegotiate(|_| {});
                c.w.refused(A::HandshakeFailure);
                assert_eq!(
                    c.w.result,
                    Err(Error::PeerMisbehaved(
                        sanstls::error::PeerMisbehaved::TooManyRenegotiations
                    ))
                );
            },
        ),
        case(
            "a client renegotiation after disable_renegotiation is declined with a warning, and reported",
            || {
                let mut c = Client12::handshake(server_config());
                c.w.victim.disable_renegotiation();
                c.renegotiate(|_| {});
                assert_eq!(c.w.result, Ok(()), "the connection goes on");
                assert_eq!(
                    c.w.drain(),
                    [crate::harness::Got::Alert(
                        sanstls::enums::AlertLevel::Warning,
                        A::NoRenegotiation
                    )]
                );
                assert!(c.w.events.contains(&sanstls::Event::RenegotiationRefused));
            },
        ),
        // ---- session resumption and the extended master secret (RFC 7627 s5.3) ----
        case(
            "a session made with the extended master secret, offered without it, is handshake_failure",
            || {
                let config = server_config();
                let (id, _) = first_session(&config);
                let mut c = Client12::start(config, |ch| {
                    ch.session_id = SessionId::new(&id).unwrap();
                    remove(ch, ExtensionType::ExtendedMasterSecret);
                });
                c.w.refused_in_handshake(A::HandshakeFailure);
            },
        ),
        case(
            "a session made without the extended master secret, offered with it, is a full handshake",
            || {
                let config = server_config();
                let id = {
                    let mut c = Client12::start(config.clone(), |ch| {
                        remove(ch, ExtensionType::ExtendedMasterSecret)
                    });
                    c.read_server_flight();
                    c.send_key_exchange();
                    c.send_ccs_and_finished();
                    c.read_server_finish();
                    session_id(&c)
                };
                let mut c = Client12::start(config, |ch| ch.session_id = SessionId::new(&id).unwrap());
                c.read_server_flight();
                assert!(c
                    .flight
                    .iter()
                    .any(|m| matches!(m, HandshakePayload::Certificate(_))));
                assert!(!c.w.victim.negotiated().resumed);
            },
        ),
        case("a cached session is resumed with an abbreviated handshake", || {
            let config = server_config();
            let (id, _) = first_session(&config);
            let mut c = Client12::start(config, |ch| ch.session_id = SessionId::new(&id).unwrap());
            c.w.waiting();
            let (p, _) = c.w.expect_handshake(V12);
            let HandshakePayload::ServerHello(sh) = p else {
                panic!("{p:?}");
            };
            assert_eq!(sh.session_id.as_bytes(), &id[..]);
            c.w.expect_ccs();
        }),
    ]
}

/// A full handshake against `config`; the session id our server gave, and the script.
fn first_session(config: &ServerConfig) -> (Vec<u8>, Client12) {
    let c = Client12::handshake(config.clone());
    (session_id(&c), c)
}

fn session_id(c: &Client12) -> Vec<u8> {
    c.flight
        .iter()
        .find_map(|m| match m {
            HandshakePayload::ServerHello(sh) => Some(sh.session_id.as_bytes().to_vec()),
            _ => None,
        })
        .filter(|id| !id.is_empty())
        .expect("a session id")
}
