//! Cases: our TLS 1.2 client against a scripted server.

use sanstls::enums::{
    AlertDescription as A, AlertLevel, CipherSuite, Compression, ContentType, ExtensionType,
    NamedGroup, ProtocolVersion, SignatureScheme,
};
use sanstls::internal::codec::{Payload, PayloadU16, PayloadU8};
use sanstls::internal::msgs::certificate::CertificateRequestPayload;
use sanstls::internal::msgs::extensions::{
    KeyShareEntry, ProtocolName, ServerExtension, UnknownExtension,
};
use sanstls::internal::msgs::handshake::{
    CertificateStatus, FinishedPayload, NewSessionTicketPayload,
};
use sanstls::internal::msgs::hello::ServerHelloPayload;
use sanstls::internal::msgs::kx::{DheServerParams, EcdheServerParams, ServerKeyExchangeParams};
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::{Error, Event};

use sanstls::crypto::ffdhe::DhGroup;

use crate::harness::*;
use crate::script12::{certificate, Server12};

const V12: ProtocolVersion = ProtocolVersion::TLSv1_2;

fn ext(sh: &mut ServerHelloPayload) -> &mut Vec<ServerExtension> {
    sh.extensions.get_or_insert_with(Vec::new)
}

fn unknown(typ: u16) -> ServerExtension {
    ServerExtension::Unknown(UnknownExtension {
        typ: ExtensionType::from(typ),
        payload: Payload::new(vec![]),
    })
}

fn with_alpn() -> sanstls::client::ClientConfig {
    let mut c = client_config();
    c.alpn_protocols = vec![b"h2".to_vec()];
    c
}

/// Our client refuses a ServerHello that `edit` made from a correct one.
fn bad_hello(alert: A, edit: impl Fn(&Server12, &mut ServerHelloPayload) + 'static) -> impl Fn() {
    bad_hello_with(client_config, alert, edit)
}

fn bad_hello_with(
    config: fn() -> sanstls::client::ClientConfig,
    alert: A,
    edit: impl Fn(&Server12, &mut ServerHelloPayload) + 'static,
) -> impl Fn() {
    move || {
        let mut s = Server12::start(config());
        let mut sh = s.hello();
        edit(&s, &mut sh);
        s.send_hello(sh);
        s.w.delivered_refused(alert);
    }
}

/// Our client completes a handshake whose ServerHello `edit` changed in allowed ways.
fn good_hello(
    config: sanstls::client::ClientConfig,
    edit: impl Fn(&Server12, &mut ServerHelloPayload),
) -> Server12 {
    let mut s = Server12::start_any(config);
    let mut sh = s.hello();
    edit(&s, &mut sh);
    s.send_hello(sh);
    let c = s.certificate();
    s.send(c);
    let ske = s.key_exchange();
    s.send(ske);
    let d = s.done();
    s.send(d);
    s.read_client_flight();
    s.send_finish();
    assert_eq!(s.w.deliver(), Ok(()));
    s.w.completed();
    s
}

/// After a correct ServerHello, the script sends what `rest` sends; refused with `alert`.
fn bad_flight(alert: A, rest: impl Fn(&mut Server12) + 'static) -> impl Fn() {
    move || {
        let mut s = Server12::start(client_config());
        let sh = s.hello();
        s.send_hello(sh);
        rest(&mut s);
        s.w.delivered_refused(alert);
    }
}

/// The server's whole first flight is correct and the client answered; the script ends
/// the handshake with what `finish` sends; refused with `alert`.
fn bad_finish(alert: A, finish: impl Fn(&mut Server12) + 'static) -> impl Fn() {
    move || {
        let mut s = Server12::start(client_config());
        s.send_flight();
        s.read_client_flight();
        finish(&mut s);
        s.w.delivered_refused(alert);
    }
}

/// An established client, then what `after` sends, refused with `alert`.
fn bad_after(alert: A, after: impl Fn(&mut Server12) + 'static) -> impl Fn() {
    move || {
        let mut s = Server12::handshake(client_config());
        after(&mut s);
        let _ = s.w.deliver();
        s.w.refused(alert);
    }
}

/// An established client renegotiates at our HelloRequest; the script answers with the
/// ServerHello `edit` makes from a correct one (and, if it passes, the rest of a flight
/// from `rest`); refused with `alert`.
fn bad_renegotiation(
    alert: A,
    edit: impl Fn(&Server12, &mut ServerHelloPayload) + 'static,
    rest: impl Fn(&mut Server12) + 'static,
) -> impl Fn() {
    move || {
        let mut s = Server12::handshake(client_config());
        s.renegotiate();
        let mut sh = s.hello();
        ext(&mut sh)[0] = s.reneg_info();
        edit(&s, &mut sh);
        s.send_hello(sh);
        rest(&mut s);
        let _ = s.w.deliver();
        s.w.refused(alert);
    }
}

/// A scripted server that chose TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 and sent its RSA
/// certificate, for a client that lists ffdhe2048 (when `ffdhe`) or no FFDHE group.
fn dhe_server(ffdhe: bool) -> Server12 {
    let mut config = client_config();
    if ffdhe {
        config.groups.push(NamedGroup::FFDHE2048);
    }
    let mut s = Server12::start(config);
    let listed =
        s.ch.named_groups()
            .unwrap_or_default()
            .contains(&NamedGroup::FFDHE2048);
    assert_eq!(listed, ffdhe);
    s.chain = vec![pki().rsa.clone()];
    s.key = pki().rsa_key.clone();
    let mut sh = s.hello();
    sh.cipher_suite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
    s.send_hello(sh);
    let c = s.certificate();
    s.send(c);
    s
}

impl Server12 {
    /// A signed DHE ServerKeyExchange with `p`, `g` and a public value of 5s.
    fn send_dhe(&mut self, p: Vec<u8>, g: Vec<u8>) {
        let ys = vec![5; p.len()];
        let params = ServerKeyExchangeParams::Dhe(DheServerParams {
            p: PayloadU16::new(p),
            g: PayloadU16::new(g),
            ys: PayloadU16::new(ys),
        });
        let ske = self.key_exchange_with(params, SignatureScheme::RSA_PSS_RSAE_SHA256);
        self.send(ske);
    }
}

fn ecdhe(group: NamedGroup, public: Vec<u8>) -> ServerKeyExchangeParams {
    ServerKeyExchangeParams::Ecdhe(EcdheServerParams {
        named_group: group,
        public: PayloadU8::new(public),
    })
}

/// A TLS 1.2 ServerKeyExchange with `point` on `group`, then ServerHelloDone, from a server
/// facing our usual client: refused with illegal_parameter.
fn bad_point_in_tls12(group: NamedGroup, point: Vec<u8>) -> impl Fn() {
    bad_flight(A::IllegalParameter, move |s| {
        let c = s.certificate();
        s.send(c);
        let scheme = s.scheme();
        let ske = s.key_exchange_with(ecdhe(group, point.clone()), scheme);
        s.send(ske);
        let d = s.done();
        s.send(d);
    })
}

/// A secp521r1 point of `tag` then `len` bytes of 1: compressed (tag 2, refused as RFC
/// 8422 s5.1.2 allows only uncompressed points) or off the curve (tag 4).
fn p521_point(tag: u8, len: usize) -> Vec<u8> {
    let mut point = vec![tag];
    point.extend(std::iter::repeat_n(1, len));
    point
}

/// The client lists `groups`; a TLS 1.2 server names `group`, one of them that cannot be
/// a TLS 1.2 curve, in its ServerKeyExchange with `point`: refused with illegal_parameter.
fn listed_non_curve_in_tls12(
    groups: Vec<NamedGroup>,
    group: NamedGroup,
    point: Vec<u8>,
) -> impl Fn() {
    move || {
        let mut config = client_config();
        config.groups = groups.clone();
        let mut s = Server12::start(config);
        let sh = s.hello();
        s.send_hello(sh);
        let c = s.certificate();
        s.send(c);
        let scheme = s.scheme();
        let ske = s.key_exchange_with(ecdhe(group, point.clone()), scheme);
        s.send(ske);
        s.w.delivered_refused(A::IllegalParameter);
    }
}

/// The client lists a NIST-curve hybrid (for TLS 1.3) and its curve; a TLS 1.2 server names
/// the hybrid in its ServerKeyExchange with a point of the curve, which it may not
/// (draft-ietf-tls-ecdhe-mlkem: TLS 1.3 only).
fn nist_hybrid_in_tls12(hybrid: NamedGroup, curve: NamedGroup) -> impl Fn() {
    let kx = sanstls::crypto::kx::KeyExchange::start(curve, &sanstls::rand::SystemRandom::new())
        .unwrap();
    let groups = vec![hybrid, curve, NamedGroup::X25519];
    listed_non_curve_in_tls12(groups, hybrid, kx.public_key().to_vec())
}

pub fn cases() -> Vec<Case> {
    let mut v = own_cases();
    v.extend(crate::record_limits::client12_cases());
    v
}

fn own_cases() -> Vec<Case> {
    vec![
        case("a correct server completes the handshake", || {
            let mut s = Server12::handshake(client_config());
            s.w.record(ContentType::ApplicationData, b"hello");
            s.w.deliver().unwrap();
            assert_eq!(s.w.received, b"hello");
            let n = s.w.victim.negotiated();
            assert_eq!(n.version, Some(V12));
            assert!(n.extended_master_secret && n.secure_renegotiation);
        }),
        // ---- ServerHello ----
        case(
            "ServerHello with ALPN we did not offer is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::Alpn(ProtocolName(b"h2".to_vec())))
            }),
        ),
        case(
            "ServerHello selecting a protocol we did not offer is illegal_parameter",
            bad_hello_with(with_alpn, A::IllegalParameter, |_, sh| {
                ext(sh).push(ServerExtension::Alpn(ProtocolName(b"h3".to_vec())))
            }),
        ),
        case(
            "ServerHello answering status_request we did not send is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::StatusRequestAck)
            }),
        ),
        case(
            "ServerHello with an unknown extension is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| ext(sh).push(unknown(0xfe21))),
        ),
        case(
            "ServerHello with key_share to a TLS 1.2-only client is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::KeyShare(KeyShareEntry {
                    group: NamedGroup::X25519,
                    key_exchange: vec![9; 32],
                }))
            }),
        ),
        case(
            "ServerHello with supported_versions to a TLS 1.2-only client is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::SupportedVersions(V12))
            }),
        ),
        case(
            "ServerHello with encrypt_then_mac we did not offer is unsupported_extension",
            bad_hello(A::UnsupportedExtension, |_, sh| {
                ext(sh).push(ServerExtension::EncryptThenMacAck)
            }),
        ),
        case(
            "ServerHello with a non-empty initial renegotiation_info is handshake_failure",
            bad_hello(A::HandshakeFailure, |_, sh| {
                ext(sh)[0] = ServerExtension::RenegotiationInfo(PayloadU8::new(vec![1; 24]))
            }),
        ),
        case(
            "ServerHello with a suite we did not offer is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                sh.cipher_suite = CipherSuite::from(0xc009)
            }),
        ),
        case(
            "ServerHello with a TLS 1.3 suite in TLS 1.2 is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                sh.cipher_suite = CipherSuite::TLS13_AES_128_GCM_SHA256
            }),
        ),
        case(
            "ServerHello with compression is illegal_parameter",
            bad_hello(A::IllegalParameter, |_, sh| {
                sh.compression_method = Compression::Deflate
            }),
        ),
        case(
            "ServerHello with legacy_version 0x0302 is protocol_version",
            bad_hello(A::ProtocolVersion, |_, sh| {
                sh.legacy_version = ProtocolVersion::TLSv1_1
            }),
        ),
        case(
            "ServerHello with legacy_version 0x0300 is protocol_version",
            bad_hello(A::ProtocolVersion, |_, sh| {
                sh.legacy_version = ProtocolVersion::SSLv3
            }),
        ),
        case(
            "ServerHello with a duplicated extension is decode_error",
            bad_hello(A::DecodeError, |_, sh| {
                let e = ext(sh)[0].clone();
                ext(sh).push(e)
            }),
        ),
        case(
            "a TLS 1.2 ServerHello with the downgrade sentinel to a TLS 1.3 client is illegal_parameter",
            || {
                let mut s = Server12::start_any(client_config());
                let mut sh = s.hello();
                sh.random.0[24..].copy_from_slice(b"DOWNGRD\x01");
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "the downgrade sentinel means nothing to a TLS 1.2-only client",
            || {
                let mut c = client_config();
                c.max_version = V12;
                good_hello(c, |_, sh| sh.random.0[24..].copy_from_slice(b"DOWNGRD\x01"));
            },
        ),
        case("a TLS 1.2 answer to a client that offered TLS 1.3 is accepted", || {
            let s = good_hello(client_config(), |_, _| {});
            assert_eq!(s.w.victim.negotiated().version, Some(V12));
        }),
        case("a ServerHello acknowledging server_name is accepted", || {
            let mut c = client_config();
            c.max_version = V12;
            good_hello(c, |_, sh| ext(sh).push(ServerExtension::ServerNameAck));
        }),
        case(
            "a ServerHello without renegotiation_info is accepted, without secure renegotiation",
            || {
                let mut c = client_config();
                c.max_version = V12;
                let s = good_hello(c, |_, sh| {
                    ext(sh).retain(|e| !matches!(e, ServerExtension::RenegotiationInfo(_)))
                });
                assert!(!s.w.victim.negotiated().secure_renegotiation);
            },
        ),
        case(
            "a ServerHello without extended_master_secret is accepted, without it",
            || {
                let mut c = client_config();
                c.max_version = V12;
                let s = good_hello(c, |_, sh| {
                    ext(sh).retain(|e| !matches!(e, ServerExtension::ExtendedMasterSecretAck))
                });
                assert!(!s.w.victim.negotiated().extended_master_secret);
            },
        ),
        // ---- Certificate ----
        case(
            "an empty server Certificate is decode_error",
            bad_flight(A::DecodeError, |s| {
                s.send(certificate(&[]));
            }),
        ),
        case(
            "a certificate that does not parse is decode_error",
            bad_flight(A::DecodeError, |s| {
                s.send(certificate(&[vec![0x30, 0]]));
                let ske = s.key_exchange();
                s.send(ske);
            }),
        ),
        case(
            "a certificate from an unknown issuer is unknown_ca",
            || {
                let roots = sanstls_pki::tls::NodeServerVerifier::with_roots(vec![
                    pki().rsa_ca.clone(),
                ])
                .unwrap();
                let mut s = Server12::start(sanstls::client::ClientConfig::new(
                    std::sync::Arc::new(roots),
                ));
                let sh = s.hello();
                s.send_hello(sh);
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange();
                s.send(ske);
                s.w.delivered_refused(A::UnknownCA);
            },
        ),
        case(
            "two Certificates are unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let c = s.certificate();
                s.send(c.clone());
                s.send(c);
            }),
        ),
        case(
            "a CertificateStatus nobody asked for is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let c = s.certificate();
                s.send(c);
                s.send(HandshakePayload::CertificateStatus(CertificateStatus::new(
                    vec![0x30, 0],
                )));
            }),
        ),
        case(
            "a ServerKeyExchange before the Certificate is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let ske = s.key_exchange();
                s.send(ske);
            }),
        ),
        case(
            "a ServerHelloDone without a ServerKeyExchange is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let c = s.certificate();
                s.send(c);
                let d = s.done();
                s.send(d);
            }),
        ),
        case(
            "a TLS 1.3 Certificate (with a context) in TLS 1.2 is decode_error",
            bad_flight(A::DecodeError, |s| {
                let chain = s.chain.clone();
                s.send(crate::script13::certificate(b"", &chain));
            }),
        ),
        // ---- ServerKeyExchange ----
        case(
            "a ServerKeyExchange whose signature does not verify is decrypt_error",
            bad_flight(A::DecryptError, |s| {
                let c = s.certificate();
                s.send(c);
                let HandshakePayload::ServerKeyExchange(mut body) = s.key_exchange() else {
                    unreachable!()
                };
                let last = body.0.len() - 1;
                body.0[last] ^= 1;
                s.send(HandshakePayload::ServerKeyExchange(body));
            }),
        ),
        case(
            "a ServerKeyExchange signed with a scheme we did not offer is illegal_parameter",
            bad_flight(A::IllegalParameter, |s| {
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange_with(s.params(), SignatureScheme::ECDSA_SHA1_Legacy);
                s.send(ske);
            }),
        ),
        case(
            "a ServerKeyExchange with an RSA scheme under an ECDSA suite is illegal_parameter",
            bad_flight(A::IllegalParameter, |s| {
                let c = s.certificate();
                s.send(c);
                s.key = pki().rsa_key.clone();
                let ske = s.key_exchange_with(s.params(), SignatureScheme::RSA_PSS_RSAE_SHA256);
                s.send(ske);
            }),
        ),
        case(
            "a ServerKeyExchange for a group we did not offer is illegal_parameter",
            bad_flight(A::IllegalParameter, |s| {
                let c = s.certificate();
                s.send(c);
                let scheme = s.scheme();
                let ske = s.key_exchange_with(ecdhe(NamedGroup::from(0x0100), vec![1; 32]), scheme);
                s.send(ske);
            }),
        ),
        case(
            "a ServerKeyExchange for the TLS 1.3-only hybrid group, even listed, is illegal_parameter",
            // The client lists X25519MLKEM768 (for TLS 1.3); a TLS 1.2 server may not pick
            // it (draft-ietf-tls-ecdhe-mlkem: TLS 1.3 only). A hybrid share does not fit
            // ServerECDHParams' one-byte length: the point here is the group.
            listed_non_curve_in_tls12(
                vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519],
                NamedGroup::X25519MLKEM768,
                vec![1; 32],
            ),
        ),
        case(
            "a ServerKeyExchange for SecP256r1MLKEM768, even listed, is illegal_parameter",
            nist_hybrid_in_tls12(NamedGroup::SecP256r1MLKEM768, NamedGroup::secp256r1),
        ),
        case(
            "a ServerKeyExchange for SecP384r1MLKEM1024, even listed, is illegal_parameter",
            nist_hybrid_in_tls12(NamedGroup::SecP384r1MLKEM1024, NamedGroup::secp384r1),
        ),
        case(
            "a ServerKeyExchange with a P-521 point off the curve is illegal_parameter",
            bad_point_in_tls12(NamedGroup::secp521r1, p521_point(4, 132)),
        ),
        case(
            "a ServerKeyExchange with a compressed P-521 point is illegal_parameter",
            bad_point_in_tls12(NamedGroup::secp521r1, p521_point(2, 66)),
        ),
        case(
            "a ServerKeyExchange naming ffdhe2048 as its curve, even listed, is illegal_parameter",
            // RFC 7919 groups name DHE parameters; ServerECDHParams cannot carry one.
            listed_non_curve_in_tls12(
                vec![NamedGroup::X25519, NamedGroup::FFDHE2048],
                NamedGroup::FFDHE2048,
                vec![2; 200],
            ),
        ),
        case(
            "a ServerKeyExchange with an all-zero X25519 point is illegal_parameter",
            bad_point_in_tls12(NamedGroup::X25519, vec![0; 32]),
        ),
        case(
            "a truncated ServerKeyExchange is decode_error",
            bad_flight(A::DecodeError, |s| {
                let c = s.certificate();
                s.send(c);
                let HandshakePayload::ServerKeyExchange(mut body) = s.key_exchange() else {
                    unreachable!()
                };
                body.0.truncate(10);
                s.send(HandshakePayload::ServerKeyExchange(body));
            }),
        ),
        case(
            "a ServerKeyExchange with a trailing byte is decode_error",
            bad_flight(A::DecodeError, |s| {
                let c = s.certificate();
                s.send(c);
                let HandshakePayload::ServerKeyExchange(mut body) = s.key_exchange() else {
                    unreachable!()
                };
                body.0.push(0);
                s.send(HandshakePayload::ServerKeyExchange(body));
            }),
        ),
        case(
            "two ServerKeyExchanges are unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange();
                s.send(ske.clone());
                s.send(ske);
            }),
        ),
        case(
            "an ECDSA P-256 signature with SHA-384 (any hash in TLS 1.2) is accepted",
            || {
                let mut s = Server12::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange_with(s.params(), SignatureScheme::ECDSA_NISTP384_SHA384);
                s.send(ske);
                let d = s.done();
                s.send(d);
                s.read_client_flight();
                s.send_finish();
                assert_eq!(s.w.deliver(), Ok(()));
                s.w.completed();
            },
        ),
        case(
            "a DHE group smaller than minDHSize is insufficient_security",
            || {
                let mut s = Server12::start(client_config());
                s.chain = vec![pki().rsa.clone()];
                s.key = pki().rsa_key.clone();
                let mut sh = s.hello();
                sh.cipher_suite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
                s.send_hello(sh);
                let c = s.certificate();
                s.send(c);
                // A 512-bit modulus (RFC 7919's groups start at 2048).
                let mut p = vec![0xff; 64];
                p[63] = 0xc7;
                let params = ServerKeyExchangeParams::Dhe(DheServerParams {
                    p: PayloadU16::new(p),
                    g: PayloadU16::new(vec![2]),
                    ys: PayloadU16::new(vec![5; 64]),
                });
                let ske = s.key_exchange_with(params, SignatureScheme::RSA_PSS_RSAE_SHA256);
                s.send(ske);
                s.w.delivered_refused(A::InsufficientSecurity);
            },
        ),
        case(
            "having listed FFDHE groups, DH parameters that are no RFC 7919 group are insufficient_security",
            || {
                let mut s = dhe_server(true);
                // ffdhe2048's prime with generator 5: well formed, but not the named group.
                s.send_dhe(DhGroup::ffdhe2048().p().to_vec(), vec![5]);
                s.w.delivered_refused(A::InsufficientSecurity);
            },
        ),
        case(
            "having listed ffdhe2048, another RFC 7919 group (ffdhe3072) is taken",
            || {
                let mut s = dhe_server(true);
                s.send_dhe(DhGroup::ffdhe3072().p().to_vec(), vec![2]);
                let d = s.done();
                s.send(d);
                assert_eq!(s.w.deliver(), Ok(()));
                let (p, _) = s.w.expect_handshake(V12);
                assert!(matches!(p, HandshakePayload::ClientKeyExchange(_)), "{p:?}");
                assert_eq!(s.w.victim.negotiated().group, Some(NamedGroup::FFDHE3072));
            },
        ),
        case(
            "without FFDHE groups listed, custom DH parameters within minDHSize are taken (as Node's)",
            || {
                let mut s = dhe_server(false);
                s.send_dhe(DhGroup::ffdhe2048().p().to_vec(), vec![5]);
                let d = s.done();
                s.send(d);
                assert_eq!(s.w.deliver(), Ok(()));
                let (p, _) = s.w.expect_handshake(V12);
                assert!(matches!(p, HandshakePayload::ClientKeyExchange(_)), "{p:?}");
                assert_eq!(s.w.victim.negotiated().group, None);
                assert_eq!(s.w.victim.negotiated().dh_bits, Some(2048));
            },
        ),
        // ---- CertificateRequest and ServerHelloDone ----
        case(
            "a CertificateRequest is answered with an empty Certificate by a client without one",
            || {
                let mut s = Server12::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange();
                s.send(ske);
                s.send(cert_request());
                let d = s.done();
                s.send(d);
                assert_eq!(s.w.deliver(), Ok(()));
                let (p, _) = s.w.expect_handshake(V12);
                let HandshakePayload::Certificate(c) = p else {
                    panic!("{p:?}");
                };
                assert!(c.0.is_empty());
            },
        ),
        case(
            "two CertificateRequests are unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange();
                s.send(ske);
                s.send(cert_request());
                s.send(cert_request());
            }),
        ),
        case(
            "a ServerHelloDone with a body is decode_error",
            bad_flight(A::DecodeError, |s| {
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange();
                s.send(ske);
                s.w.raw_handshake(&[14, 0, 0, 1, 0]);
            }),
        ),
        case(
            "a Finished instead of the ServerHelloDone is unexpected_message",
            bad_flight(A::UnexpectedMessage, |s| {
                let c = s.certificate();
                s.send(c);
                let ske = s.key_exchange();
                s.send(ske);
                s.send(HandshakePayload::Finished(FinishedPayload {
                    verify_data: Payload::new(vec![0; 12]),
                }));
            }),
        ),
        case(
            "the flight in one record, and cut in 7-byte records, is accepted",
            || {
                for framing in [Framing::Together, Framing::Split(7)] {
                    let mut s = Server12::start(client_config());
                    s.w.framing = framing;
                    s.send_flight();
                    s.read_client_flight();
                    s.send_finish();
                    assert_eq!(s.w.deliver(), Ok(()));
                    s.w.completed();
                }
            },
        ),
        // ---- the end of the handshake ----
        case(
            "a server Finished that does not verify is decrypt_error",
            bad_finish(A::DecryptError, |s| {
                s.send_ccs();
                s.send(finished(vec![0; 12]));
            }),
        ),
        case(
            "a server Finished of 11 bytes is decode_error",
            bad_finish(A::DecodeError, |s| {
                s.send_ccs();
                s.send(finished(vec![0; 11]));
            }),
        ),
        case(
            "a server Finished of 13 bytes is decode_error",
            bad_finish(A::DecodeError, |s| {
                s.send_ccs();
                s.send(finished(vec![0; 13]));
            }),
        ),
        case(
            "a Finished before the ChangeCipherSpec is unexpected_message",
            bad_finish(A::UnexpectedMessage, |s| {
                s.w.handshake(HandshakePayload::Finished(FinishedPayload {
                    verify_data: Payload::new(vec![0; 12]),
                }));
            }),
        ),
        case(
            "a ChangeCipherSpec whose body is not 1 is unexpected_message",
            bad_finish(A::UnexpectedMessage, |s| {
                s.w.record(ContentType::ChangeCipherSpec, &[2]);
            }),
        ),
        case(
            "a ChangeCipherSpec of two bytes is unexpected_message",
            bad_finish(A::UnexpectedMessage, |s| {
                s.w.record(ContentType::ChangeCipherSpec, &[1, 1]);
            }),
        ),
        case(
            "two ChangeCipherSpecs are unexpected_message",
            bad_finish(A::UnexpectedMessage, |s| {
                s.send_ccs();
                s.w.record(ContentType::ChangeCipherSpec, &[1]);
            }),
        ),
        case(
            "application data before the server Finished is unexpected_message",
            bad_finish(A::UnexpectedMessage, |s| {
                s.w.record(ContentType::ApplicationData, b"early");
            }),
        ),
        case(
            "a NewSessionTicket without the session_ticket acknowledgement is unexpected_message",
            bad_finish(A::UnexpectedMessage, |s| {
                s.w.handshake(nst());
            }),
        ),
        case(
            "a NewSessionTicket after the ChangeCipherSpec is unexpected_message",
            || {
                let mut s = ticket_acknowledged();
                s.w.record(ContentType::ChangeCipherSpec, &[1]);
                s.install_sealer();
                s.w.handshake(nst());
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case("an acknowledged NewSessionTicket is kept", || {
            let mut s = ticket_acknowledged();
            s.send(nst());
            s.send_finish();
            assert_eq!(s.w.deliver(), Ok(()));
            s.w.completed();
            let session = sanstls_test::events::session(&s.w.events);
            assert_eq!(
                session.unwrap().tls_ticket(),
                Some(&b"scripted ticket"[..])
            );
        }),
        case(
            "two NewSessionTickets are unexpected_message",
            || {
                let mut s = ticket_acknowledged();
                s.send(nst());
                s.send(nst());
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "a Finished split across the ChangeCipherSpec is unexpected_message",
            bad_finish(A::UnexpectedMessage, |s| {
                s.w.raw_handshake(&[20, 0, 0]);
                s.w.record(ContentType::ChangeCipherSpec, &[1]);
            }),
        ),
        case(
            "a tampered Finished record is bad_record_mac",
            bad_finish(A::BadRecordMac, |s| {
                s.w.record(ContentType::ChangeCipherSpec, &[1]);
                s.install_sealer();
                s.w.flush();
                let mut bytes = s.w.take_out();
                s.w.handshake(HandshakePayload::Finished(FinishedPayload {
                    verify_data: Payload::new(vec![0; 12]),
                }));
                let mut fin = s.w.take_out();
                let last = fin.len() - 1;
                fin[last] ^= 1;
                bytes.extend(fin);
                s.w.raw(&bytes);
            }),
        ),
        case("a warning alert during the handshake is reported and it goes on", || {
            let mut s = Server12::start(client_config());
            s.w.alert(AlertLevel::Warning, A::UnrecognisedName);
            s.send_flight();
            s.read_client_flight();
            s.send_finish();
            assert_eq!(s.w.deliver(), Ok(()));
            s.w.completed();
            assert!(s.w.events.contains(&Event::WarningAlert(A::UnrecognisedName)));
        }),
        case("a fatal alert ends the handshake without an answer", || {
            let mut s = Server12::start(client_config());
            s.w.alert(AlertLevel::Fatal, A::HandshakeFailure);
            let _ = s.w.deliver();
            s.w.failed_quietly(Error::AlertReceived(A::HandshakeFailure));
        }),
        // ---- after the handshake ----
        case(
            "a ChangeCipherSpec after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                s.w.record(ContentType::ChangeCipherSpec, &[1]);
            }),
        ),
        case(
            "a Finished after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                s.w.handshake(HandshakePayload::Finished(FinishedPayload {
                    verify_data: Payload::new(vec![0; 12]),
                }));
            }),
        ),
        case(
            "a KeyUpdate (TLS 1.3's) after a TLS 1.2 handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| s.w.raw_handshake(&[24, 0, 0, 1, 0])),
        ),
        case(
            "a ServerHello after the handshake is unexpected_message",
            bad_after(A::UnexpectedMessage, |s| {
                let sh = s.hello();
                s.w.handshake(HandshakePayload::ServerHello(sh));
            }),
        ),
        case("close_notify is answered with ours, and nothing more is sent", || {
            let mut s = Server12::handshake(client_config());
            s.w.alert(AlertLevel::Warning, A::CloseNotify);
            s.w.record(ContentType::ApplicationData, b"after the end");
            s.w.deliver().unwrap();
            assert!(s.w.victim.peer_closed());
            assert!(s.w.received.is_empty());
            assert_eq!(s.w.victim.send(b"late"), Err(Error::ClosedByPeer));
            s.w.collect();
            assert_eq!(
                s.w.drain(),
                [crate::harness::Got::Alert(AlertLevel::Warning, A::CloseNotify)]
            );
        }),
        case("a HelloRequest starts a renegotiation", || {
            let mut s = Server12::handshake(client_config());
            s.renegotiate();
            let mut sh = s.hello();
            ext(&mut sh)[0] = s.reneg_info();
            s.send_hello(sh);
            for m in [s.certificate(), s.key_exchange(), s.done()] {
                s.send(m);
            }
            s.read_client_flight();
            s.send_finish();
            assert_eq!(s.w.deliver(), Ok(()));
            let completions = s
                .w
                .events
                .iter()
                .filter(|e| **e == Event::HandshakeComplete)
                .count();
            assert_eq!(completions, 2);
        }),
        case(
            "a HelloRequest after disable_renegotiation is declined with a warning",
            || {
                let mut s = Server12::handshake(client_config());
                s.w.victim.disable_renegotiation();
                s.w.handshake(HandshakePayload::HelloRequest(
                    sanstls::internal::msgs::handshake::HelloRequestPayload,
                ));
                assert_eq!(s.w.deliver(), Ok(()));
                assert_eq!(
                    s.w.drain(),
                    [crate::harness::Got::Alert(
                        AlertLevel::Warning,
                        A::NoRenegotiation
                    )]
                );
            },
        ),
        case(
            "a renegotiating ServerHello without renegotiation_info is handshake_failure",
            bad_renegotiation(
                A::HandshakeFailure,
                |_, sh| {
                    ext(sh).retain(|e| !matches!(e, ServerExtension::RenegotiationInfo(_)))
                },
                |_| {},
            ),
        ),
        case(
            "a renegotiating ServerHello with the wrong renegotiation_info is handshake_failure",
            bad_renegotiation(
                A::HandshakeFailure,
                |_, sh| {
                    ext(sh)[0] = ServerExtension::RenegotiationInfo(PayloadU8::new(vec![7; 24]))
                },
                |_| {},
            ),
        ),
        case(
            "a renegotiation that drops the extended master secret is handshake_failure",
            bad_renegotiation(
                A::HandshakeFailure,
                |_, sh| {
                    ext(sh).retain(|e| !matches!(e, ServerExtension::ExtendedMasterSecretAck))
                },
                |_| {},
            ),
        ),
        case(
            "a renegotiation that changes the server's certificate is illegal_parameter",
            bad_renegotiation(
                A::IllegalParameter,
                |_, _| {},
                |s| {
                    s.send(certificate(&[pki().rsa.clone()]));
                },
            ),
        ),
    ]
}

/// A server flight whose ServerHello acknowledges session_ticket, and the client's answer.
fn ticket_acknowledged() -> Server12 {
    let mut s = Server12::start(client_config());
    let mut sh = s.hello();
    ext(&mut sh).push(ServerExtension::SessionTicketAck);
    s.send_hello(sh);
    for m in [s.certificate(), s.key_exchange(), s.done()] {
        s.send(m);
    }
    s.read_client_flight();
    s
}

fn cert_request() -> HandshakePayload {
    HandshakePayload::CertificateRequest(CertificateRequestPayload {
        certificate_types: vec![sanstls::enums::ClientCertificateType::ECDSASign],
        signature_algorithms: vec![SignatureScheme::ECDSA_NISTP256_SHA256],
        authorities: vec![],
    })
}

fn nst() -> HandshakePayload {
    HandshakePayload::NewSessionTicket(NewSessionTicketPayload {
        lifetime_hint: 300,
        ticket: PayloadU16::new(b"scripted ticket".to_vec()),
    })
}

fn finished(vd: Vec<u8>) -> HandshakePayload {
    HandshakePayload::Finished(FinishedPayload {
        verify_data: Payload::new(vd),
    })
}
