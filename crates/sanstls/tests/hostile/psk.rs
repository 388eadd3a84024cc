//! Cases: external PSKs (TLS 1.3, RFC 8446 s2.2, s4.2.11). Our server with external PSKs
//! on, facing a scripted client whose identities and binders the case chooses (the server
//! pauses with `PskIdentity` and the case answers); our client offering an external PSK,
//! facing a scripted server that accepts it, or selects what was not offered.

use sanstls::client::ClientConfig;
use sanstls::conn::PeerAuthentication;
use sanstls::enums::{AlertDescription as A, CipherSuite, PSKKeyExchangeMode};
use sanstls::internal::handshake::key_schedule::{KeyScheduleEarly, PskKind};
use sanstls::internal::handshake::transcript::HandshakeHash;
use sanstls::internal::msgs::extensions::{
    ClientExtension, OfferedPsks, PskBinderEntry, PskIdentity, ServerExtension,
};
use sanstls::internal::msgs::hello::ClientHelloPayload;
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::psk::{ClientPsk, ExternalPsk, SuiteHash};
use sanstls::server::ServerConfig;
use sanstls::suites::TLS13_AES_128_GCM_SHA256;
use sanstls::{Error, Event};

use crate::harness::*;
use crate::script13::{exts, Client13, Server13};

const KEY: &[u8] = b"an external key of 32 bytes!!!!!";
const ID: &[u8] = b"client1";

// ---------------------------------------------------------------------------------------------
// Our server
// ---------------------------------------------------------------------------------------------

/// Our server with its certificate and external PSKs (SHA-256) on.
fn psk_server() -> ServerConfig {
    let mut c = server_config();
    c.external_psk_hash = Some(SuiteHash::Sha256);
    c
}

/// The same without a certificate: PSK only.
fn psk_only_server() -> ServerConfig {
    let mut c = ServerConfig::new(Vec::new());
    c.external_psk_hash = Some(SuiteHash::Sha256);
    c
}

/// Adds pre_shared_key (last) offering `offers`: each identity with the binder its key
/// makes ("ext binder", SHA-256), or, for `None`, a binder of 32 random bytes.
fn offer(ch: &mut ClientHelloPayload, offers: &[(&[u8], Option<&[u8]>)]) {
    exts(ch).push(ClientExtension::PreSharedKey(OfferedPsks {
        identities: offers
            .iter()
            .map(|(id, _)| PskIdentity {
                identity: id.to_vec(),
                obfuscated_ticket_age: 0,
            })
            .collect(),
        binders: offers.iter().map(|_| PskBinderEntry(vec![0; 32])).collect(),
    }));
    let truncated = ch.encoding_for_binder_signing().unwrap();
    let hash = HandshakeHash::new()
        .hash_with(SuiteHash::Sha256, &truncated)
        .unwrap();
    let binders = offers
        .iter()
        .map(|(_, key)| match key {
            Some(key) => KeyScheduleEarly::with_psk(SuiteHash::Sha256, key, PskKind::External)
                .binder(&hash)
                .unwrap(),
            None => random::<32>().to_vec(),
        })
        .collect::<Vec<_>>();
    ch.set_psk_binders(binders.into_iter().map(PskBinderEntry).collect())
        .unwrap();
}

/// The identities our server asked about so far.
fn asked(c: &Client13) -> Vec<Vec<u8>> {
    c.w.events
        .iter()
        .filter_map(|e| match e {
            Event::PskIdentity(id) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

/// Answers our server's pause with `key` and gathers what it then did.
fn answer(c: &mut Client13, key: Option<&[u8]>) -> Result<(), Error> {
    let Victim::Server(s) = &mut c.w.victim else {
        panic!("the victim is a server");
    };
    let result = s.psk_found(key, NOW);
    c.w.collect();
    c.w.result = result.clone();
    result
}

/// The rest of a handshake in which our server accepted the PSK of identity `index`: a
/// ServerHello selecting it, no certificate, the client completes.
fn accepted_by_server(mut c: Client13, index: u16) -> Client13 {
    c.psk = Some(KEY.to_vec());
    let sh = c.read_server_hello();
    assert_eq!(sh.selected_psk_identity(), Some(index));
    c.read_server_flight();
    assert!(
        !c.flight
            .iter()
            .any(|m| matches!(m, HandshakePayload::CertificateTls13(_))),
        "a Certificate in a PSK handshake"
    );
    assert_eq!(c.send_finished(), Ok(()));
    c.w.completed();
    let n = c.w.victim.negotiated();
    assert_eq!(
        n.peer_authentication(),
        PeerAuthentication::ExternalPsk(ID.to_vec())
    );
    assert!(!n.resumed);
    c
}

fn server_cases() -> Vec<Case> {
    vec![
        case(
            "server: a known identity with its binder authenticates without a certificate",
            || {
                let mut c = Client13::start(psk_only_server(), |ch| offer(ch, &[(ID, Some(KEY))]));
                assert_eq!(asked(&c), vec![ID.to_vec()]);
                c.w.waiting();
                // Nothing goes out while the caller decides.
                assert_eq!(c.w.recv(), None);
                assert_eq!(answer(&mut c, Some(KEY)), Ok(()));
                accepted_by_server(c, 0);
            },
        ),
        case(
            "server: a wrong binder for a known identity is decrypt_error",
            || {
                let mut c =
                    Client13::start(psk_server(), |ch| offer(ch, &[(ID, Some(b"other key"))]));
                let _ = answer(&mut c, Some(KEY));
                c.w.refused_in_handshake(A::DecryptError);
            },
        ),
        case(
            "server: a binder of the wrong length for a known identity is decrypt_error",
            || {
                let mut c = Client13::start(psk_server(), |ch| {
                    offer(ch, &[(ID, Some(KEY))]);
                    let mut binder = ch.psk_offer().unwrap().binders[0].0.clone();
                    binder.push(0);
                    ch.set_psk_binders(vec![PskBinderEntry(binder)]).unwrap();
                });
                let _ = answer(&mut c, Some(KEY));
                c.w.refused_in_handshake(A::DecryptError);
            },
        ),
        case(
            "server: a binder for an unknown identity means a certificate handshake",
            || {
                let mut c = Client13::start(psk_server(), |ch| offer(ch, &[(b"stranger", None)]));
                assert_eq!(answer(&mut c, None), Ok(()));
                let sh = c.read_server_hello();
                assert_eq!(sh.selected_psk_identity(), None);
                c.read_server_flight();
                assert!(c
                    .flight
                    .iter()
                    .any(|m| matches!(m, HandshakePayload::CertificateTls13(_))));
                assert_eq!(c.send_finished(), Ok(()));
                c.w.completed();
                assert_eq!(c.w.victim.negotiated().psk_identity, None);
            },
        ),
        case(
            "server: an unknown identity without a certificate is handshake_failure",
            || {
                let mut c =
                    Client13::start(psk_only_server(), |ch| offer(ch, &[(b"stranger", None)]));
                let _ = answer(&mut c, None);
                c.w.refused_in_handshake(A::HandshakeFailure);
            },
        ),
        case(
            "server: the second identity known is selected as index 1",
            || {
                let mut c = Client13::start(psk_only_server(), |ch| {
                    offer(ch, &[(b"stranger", None), (ID, Some(KEY))])
                });
                assert_eq!(answer(&mut c, None), Ok(()));
                assert_eq!(asked(&c), vec![b"stranger".to_vec(), ID.to_vec()]);
                assert_eq!(answer(&mut c, Some(KEY)), Ok(()));
                accepted_by_server(c, 1);
            },
        ),
        case(
            "server: a bad binder on an identity it does not know is not checked",
            || {
                // RFC 8446 s4.2.11: only the selected PSK's binder is validated.
                let mut c = Client13::start(psk_only_server(), |ch| {
                    offer(ch, &[(ID, Some(KEY)), (b"stranger", None)])
                });
                assert_eq!(answer(&mut c, Some(KEY)), Ok(()));
                assert_eq!(asked(&c), vec![ID.to_vec()]);
                accepted_by_server(c, 0);
            },
        ),
        case(
            "server: psk_ke alone is not used (no PSK, not asked)",
            || {
                let mut c = Client13::start(psk_server(), |ch| {
                    for e in exts(ch).iter_mut() {
                        if let ClientExtension::PskKeyExchangeModes(m) = e {
                            *m = vec![PSKKeyExchangeMode::PSK_KE];
                        }
                    }
                    offer(ch, &[(ID, Some(KEY))]);
                });
                assert!(asked(&c).is_empty());
                let sh = c.read_server_hello();
                assert_eq!(sh.selected_psk_identity(), None);
            },
        ),
        case(
            "server: without external PSKs on, an identity is not asked about",
            || {
                let mut c = Client13::start(server_config(), |ch| offer(ch, &[(ID, Some(KEY))]));
                assert!(asked(&c).is_empty());
                let sh = c.read_server_hello();
                assert_eq!(sh.selected_psk_identity(), None);
            },
        ),
        case(
            "server: a message while it waits for the caller is unexpected_message",
            || {
                let mut c = Client13::start(psk_server(), |ch| offer(ch, &[(ID, Some(KEY))]));
                c.w.record(
                    sanstls::enums::ContentType::Handshake,
                    &encode(HandshakePayload::Finished(
                        sanstls::internal::msgs::handshake::FinishedPayload {
                            verify_data: sanstls::internal::codec::Payload::new(vec![0; 32]),
                        },
                    )),
                );
                c.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Our client
// ---------------------------------------------------------------------------------------------

/// Our client offering the external PSK `ID` (SHA-256).
fn psk_client() -> ClientConfig {
    let mut c = client_config();
    let psk = ExternalPsk::new(ID.to_vec(), KEY, SuiteHash::Sha256).unwrap();
    c.psk = Some(ClientPsk::fixed(psk));
    c
}

/// A scripted server that has our client's hello, keys an accepted PSK with the external
/// key, and answers under AES-128-GCM-SHA256 (the PSK's hash).
fn psk_script() -> Server13 {
    let mut s = Server13::start(psk_client());
    s.psk = Some(KEY.to_vec());
    s.psk_kind = PskKind::External;
    s.suite = &TLS13_AES_128_GCM_SHA256;
    s
}

fn with_psk(s: &Server13, index: u16) -> sanstls::internal::msgs::hello::ServerHelloPayload {
    let mut sh = s.hello();
    sh.extensions
        .get_or_insert_with(Vec::new)
        .push(ServerExtension::PreSharedKey(index));
    sh
}

fn without_key_share(
    mut sh: sanstls::internal::msgs::hello::ServerHelloPayload,
) -> sanstls::internal::msgs::hello::ServerHelloPayload {
    if let Some(e) = sh.extensions.as_mut() {
        e.retain(|x| !matches!(x, ServerExtension::KeyShare(_)));
    }
    sh
}

/// A scripted server that accepted our client's PSK (index 0) and sent EncryptedExtensions.
fn psk_accepted() -> Server13 {
    let mut s = psk_script();
    let sh = with_psk(&s, 0);
    s.send_hello(sh);
    let ee = s.ee();
    s.send(ee);
    s
}

fn client_cases() -> Vec<Case> {
    vec![
        case(
            "client: the hello offers the identity with age 0, psk_dhe_ke, and an ext binder",
            || {
                let s = psk_script();
                let offer = s.ch.psk_offer().expect("a PSK offer").clone();
                assert_eq!(offer.identities.len(), 1);
                assert_eq!(offer.identities[0].identity, ID);
                assert_eq!(offer.identities[0].obfuscated_ticket_age, 0);
                assert_eq!(
                    s.ch.psk_modes(),
                    Some(&[PSKKeyExchangeMode::PSK_DHE_KE][..])
                );
                let truncated = s.ch.encoding_for_binder_signing().unwrap();
                let hash = HandshakeHash::new()
                    .hash_with(SuiteHash::Sha256, &truncated)
                    .unwrap();
                let binder = &offer.binders[0].0;
                let ext = KeyScheduleEarly::with_psk(SuiteHash::Sha256, KEY, PskKind::External);
                assert_eq!(ext.verify_binder(&hash, binder), Ok(()));
                let res = KeyScheduleEarly::with_psk(SuiteHash::Sha256, KEY, PskKind::Resumption);
                assert!(res.verify_binder(&hash, binder).is_err());
            },
        ),
        case(
            "client: a server accepting the PSK is authenticated by it, not a certificate",
            || {
                let mut s = psk_accepted();
                let fin = s.finished();
                s.send(fin);
                s.after_finished();
                s.read_client_finished();
                s.w.completed();
                let n = s.w.victim.negotiated();
                assert_eq!(
                    n.peer_authentication(),
                    PeerAuthentication::ExternalPsk(ID.to_vec())
                );
                assert!(n.peer_certificates.is_empty() && !n.resumed);
            },
        ),
        case(
            "client: a server selecting PSK index 1 of 1 is illegal_parameter",
            || {
                let mut s = psk_script();
                let sh = with_psk(&s, 1);
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "client: a server selecting the SHA-256 PSK under a SHA-384 suite is illegal_parameter",
            || {
                let mut s = psk_script();
                let mut sh = with_psk(&s, 0);
                sh.cipher_suite = CipherSuite::TLS13_AES_256_GCM_SHA384;
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "client: a server accepting the PSK and sending a Certificate is unexpected_message",
            || {
                let mut s = psk_accepted();
                let c = s.certificate();
                s.send(c);
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "client: a server keyed with another PSK is bad_record_mac (its flight does not decrypt)",
            || {
                let mut s = psk_script();
                s.psk = Some(b"not the key".to_vec());
                let sh = with_psk(&s, 0);
                s.send_hello(sh);
                // Our client cannot read the flight: its handshake key differs.
                let ee = s.ee();
                s.send(ee);
                let fin = s.finished();
                s.send(fin);
                let e = s.w.deliver().expect_err("the flight was accepted");
                // (Its alert is sealed under the key the script lacks: checked by value.)
                assert_eq!(e.alert(), Some(A::BadRecordMac), "{e:?}");
                assert!(!s.w.events.contains(&Event::HandshakeComplete));
                s.w.assert_dead(&e);
            },
        ),
        case(
            "client: with psk_ke on, a server accepting the PSK without a key share completes",
            || {
                let mut config = psk_client();
                config.psk_ke = true;
                let mut s = Server13::start(config);
                assert_eq!(
                    s.ch.psk_modes(),
                    Some(&[PSKKeyExchangeMode::PSK_DHE_KE, PSKKeyExchangeMode::PSK_KE][..])
                );
                s.psk = Some(KEY.to_vec());
                s.psk_kind = PskKind::External;
                s.suite = &TLS13_AES_128_GCM_SHA256;
                let mut sh = without_key_share(with_psk(&s, 0));
                sh.cipher_suite = s.suite.suite;
                s.send_hello(sh);
                let ee = s.ee();
                s.send(ee);
                let fin = s.finished();
                s.send(fin);
                s.after_finished();
                s.read_client_finished();
                s.w.completed();
                let n = s.w.victim.negotiated();
                assert_eq!(n.group, None);
                assert_eq!(n.psk_identity.as_deref(), Some(ID));
            },
        ),
        case(
            "client: without psk_ke, a server accepting the PSK without a key share is missing_extension",
            || {
                let mut s = psk_script();
                let sh = without_key_share(with_psk(&s, 0));
                s.send_hello(sh);
                s.w.delivered_refused(A::MissingExtension);
            },
        ),
        case(
            "client: with psk_ke on, a ServerHello without a key share or a PSK is missing_extension",
            || {
                let mut config = psk_client();
                config.psk_ke = true;
                let mut s = Server13::start(config);
                let sh = without_key_share(s.hello());
                s.send_hello(sh);
                s.w.delivered_refused(A::MissingExtension);
            },
        ),
        case(
            "client: a server declining the PSK runs a verified certificate handshake",
            || {
                let mut s = psk_script();
                s.psk = None;
                let sh = s.hello();
                s.send_hello(sh);
                s.send_flight();
                s.read_client_finished();
                s.w.completed();
                let n = s.w.victim.negotiated();
                assert_eq!(n.peer_authentication(), PeerAuthentication::Certificate);
                assert_eq!(n.psk_identity, None);
            },
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// TLS 1.2 PSK suites (RFC 4279)
// ---------------------------------------------------------------------------------------------

const PSK12: &sanstls::suites::Tls12CipherSuite = &sanstls::suites::TLS_PSK_WITH_AES_128_GCM_SHA256;

/// Our TLS 1.2 server with the PSK suites and external PSKs on.
fn psk12_server(hint: Option<&[u8]>) -> ServerConfig {
    let mut c = psk_server();
    c.tls12_cipher_suites = sanstls::suites::TLS12_PSK_SUITES.to_vec();
    c.psk_identity_hint = hint.map(<[u8]>::to_vec);
    c
}

/// A scripted TLS 1.2 client offering only plain PSK-AES128-GCM-SHA256, past our
/// server's flight.
fn psk12_client(config: ServerConfig) -> crate::script12::Client12 {
    let mut c = crate::script12::Client12::start(config, |ch| {
        ch.cipher_suites = vec![PSK12.suite];
    });
    c.read_server_flight();
    c
}

fn answer12(c: &mut crate::script12::Client12, key: Option<&[u8]>) -> Result<(), Error> {
    let Victim::Server(s) = &mut c.w.victim else {
        panic!("the victim is a server");
    };
    let result = s.psk_found(key, NOW);
    c.w.collect();
    c.w.result = result.clone();
    result
}

/// Our TLS 1.2 client offering only plain PSK-AES128-GCM-SHA256 with the PSK `ID`.
fn psk12_our_client() -> ClientConfig {
    let mut c = psk_client();
    c.tls12_cipher_suites = vec![PSK12];
    c
}

/// A scripted TLS 1.2 server that chose plain PSK for [`psk12_our_client`] and sent its
/// ServerHello.
fn psk12_after_hello() -> crate::script12::Server12 {
    let mut s = crate::script12::Server12::start(psk12_our_client());
    s.suite = PSK12;
    let sh = s.hello();
    s.send_hello(sh);
    s
}

fn tls12_cases() -> Vec<Case> {
    use sanstls::internal::codec::Payload;
    use sanstls::internal::msgs::handshake::ServerHelloDonePayload;
    vec![
        case(
            "TLS 1.2 server: a known identity completes without a certificate; the Finished waits for the answer",
            || {
                let mut c = psk12_client(psk12_server(None));
                // No Certificate, and no ServerKeyExchange without a hint (RFC 4279 s2).
                assert!(matches!(
                    c.flight[..],
                    [HandshakePayload::ServerHello(_), HandshakePayload::ServerHelloDone(_)]
                ));
                c.send_psk_key_exchange(ID, KEY);
                c.send_ccs_and_finished();
                // The whole flight arrives; the server holds the CCS and Finished while
                // the caller decides.
                assert_eq!(c.w.deliver(), Ok(()));
                c.w.waiting();
                assert_eq!(c.w.recv(), None);
                let asked: Vec<_> = c
                    .w
                    .events
                    .iter()
                    .filter(|e| matches!(e, Event::PskIdentity(_)))
                    .collect();
                assert_eq!(asked, [&Event::PskIdentity(ID.to_vec())]);
                assert_eq!(answer12(&mut c, Some(KEY)), Ok(()));
                c.read_server_finish();
                c.w.completed();
                assert_eq!(
                    c.w.victim.negotiated().peer_authentication(),
                    PeerAuthentication::ExternalPsk(ID.to_vec())
                );
            },
        ),
        case(
            "TLS 1.2 server: a PSK connection declines a client's renegotiation with a warning",
            || {
                let mut c = psk12_client(psk12_server(None));
                c.send_psk_key_exchange(ID, KEY);
                c.send_ccs_and_finished();
                let _ = c.w.deliver();
                assert_eq!(answer12(&mut c, Some(KEY)), Ok(()));
                c.read_server_finish();
                c.w.completed();
                c.renegotiate(|_| {});
                assert_eq!(c.w.result, Ok(()), "the connection goes on");
                assert_eq!(
                    c.w.drain(),
                    [crate::harness::Got::Alert(
                        sanstls::enums::AlertLevel::Warning,
                        A::NoRenegotiation
                    )]
                );
                assert_eq!(
                    c.w.victim.negotiated().psk_identity.as_deref(),
                    Some(ID)
                );
                assert!(matches!(
                    c.w.victim.renegotiate(NOW),
                    Err(Error::ApiMisuse(_))
                ));
            },
        ),
        case(
            "TLS 1.2 server: the hint goes in an unsigned ServerKeyExchange",
            || {
                let c = psk12_client(psk12_server(Some(b"hint")));
                let ske = c.flight.iter().find_map(|m| match m {
                    HandshakePayload::ServerKeyExchange(body) => Some(body.0.clone()),
                    _ => None,
                });
                assert_eq!(ske, Some(b"\x00\x04hint".to_vec()));
            },
        ),
        case(
            "TLS 1.2 server: an unknown identity is unknown_psk_identity",
            || {
                let mut c = psk12_client(psk12_server(None));
                c.send_psk_key_exchange(b"stranger", KEY);
                c.send_ccs_and_finished();
                let _ = c.w.deliver();
                let _ = answer12(&mut c, None);
                c.w.refused_in_handshake(A::UnknownPSKIdentity);
            },
        ),
        case(
            "TLS 1.2 server: a wrong key under a known identity is bad_record_mac",
            || {
                let mut c = psk12_client(psk12_server(None));
                c.send_psk_key_exchange(ID, b"another key");
                c.send_ccs_and_finished();
                let _ = c.w.deliver();
                let _ = answer12(&mut c, Some(KEY));
                c.w.refused_in_handshake(A::BadRecordMac);
            },
        ),
        case(
            "TLS 1.2 server: a PSK ClientKeyExchange with trailing bytes is decode_error",
            || {
                let mut c = psk12_client(psk12_server(None));
                c.send(HandshakePayload::ClientKeyExchange(Payload::new(
                    b"\x00\x07client1!".to_vec(),
                )));
                c.w.delivered_refused(A::DecodeError);
            },
        ),
        case(
            "TLS 1.2 server: without external PSKs on, a PSK-only client gets handshake_failure",
            || {
                let mut config = psk12_server(None);
                config.external_psk_hash = None;
                let mut c = crate::script12::Client12::start(config, |ch| {
                    ch.cipher_suites = vec![PSK12.suite];
                });
                c.w.refused_in_handshake(A::HandshakeFailure);
            },
        ),
        case(
            "TLS 1.2 client: a Certificate in a PSK handshake is unexpected_message",
            || {
                let mut s = psk12_after_hello();
                let cert = s.certificate();
                s.send(cert);
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "TLS 1.2 client: a CertificateRequest in a PSK handshake is unexpected_message",
            || {
                let mut s = psk12_after_hello();
                s.send(HandshakePayload::ServerKeyExchange(Payload::new(
                    b"\x00\x00".to_vec(),
                )));
                s.send(HandshakePayload::CertificateRequest(
                    sanstls::internal::msgs::certificate::CertificateRequestPayload {
                        certificate_types: vec![
                            sanstls::enums::ClientCertificateType::ECDSASign,
                        ],
                        signature_algorithms: vec![
                            sanstls::enums::SignatureScheme::ECDSA_NISTP256_SHA256,
                        ],
                        authorities: Vec::new(),
                    },
                ));
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "TLS 1.2 client: an ECDHE_PSK ServerHelloDone without ServerKeyExchange is unexpected_message",
            || {
                let mut config = psk_client();
                config.tls12_cipher_suites =
                    vec![&sanstls::suites::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256];
                let mut s = crate::script12::Server12::start(config);
                s.suite = &sanstls::suites::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256;
                let sh = s.hello();
                s.send_hello(sh);
                s.send(HandshakePayload::ServerHelloDone(ServerHelloDonePayload));
                s.w.delivered_refused(A::UnexpectedMessage);
            },
        ),
        case(
            "TLS 1.2 client: a PSK ServerKeyExchange with a signature after the hint is decode_error",
            || {
                let mut s = psk12_after_hello();
                s.send(HandshakePayload::ServerKeyExchange(Payload::new(
                    b"\x00\x01h\x04\x03\x00\x00".to_vec(),
                )));
                s.w.delivered_refused(A::DecodeError);
            },
        ),
        case(
            "TLS 1.2 client: a PSK suite chosen when we have no PSK is illegal_parameter",
            || {
                // Listed in the configuration, but without a PSK callback not offered.
                let mut config = client_config();
                config.tls12_cipher_suites = vec![
                    &sanstls::suites::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                    PSK12,
                ];
                let mut s = crate::script12::Server12::start(config);
                assert!(!s.ch.cipher_suites.contains(&PSK12.suite));
                s.suite = PSK12;
                let sh = s.hello();
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "TLS 1.2 client: a callback that gives no PSK is handshake_failure",
            || {
                let mut config = psk12_our_client();
                config.psk = Some(ClientPsk(std::sync::Arc::new(|_| None)));
                let mut s = crate::script12::Server12::start(config);
                s.suite = PSK12;
                let sh = s.hello();
                s.send_hello(sh);
                s.send(HandshakePayload::ServerHelloDone(ServerHelloDonePayload));
                s.w.delivered_refused(A::HandshakeFailure);
            },
        ),
    ]
}

pub fn cases() -> Vec<Case> {
    let mut all = server_cases();
    all.extend(client_cases());
    all.extend(tls12_cases());
    all
}
