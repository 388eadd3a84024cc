//! Our TLS 1.3 client against our TLS 1.3 server, in memory: bytes are moved between the
//! two connections by `transfer`, the clock is a number. (Interop with other
//! implementations is in client_interop.rs and server_interop.rs; this file covers what is
//! easier to steer from both ends: alerts, pauses, exporters, tampering.)

// The certificates are made with the openssl command-line tool at test time.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;

use sanstls::client::{ClientCertificate, ClientConfig, ClientConnection, StoredSession};
use sanstls::crypto::sign::load_private_key;
use sanstls::enums::{AlertDescription, NamedGroup};
use sanstls::error::{PeerIncompatible, PeerMisbehaved};
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::suites::ALL_TLS13_SUITES;
use sanstls::{Connection, Error, Event, UnixTime};
use sanstls_test::openssl;
use sanstls_test::pair::{transfer, transfer_at, NOW};
use sanstls_test::TempDir;

struct Pki {
    cert: Vec<u8>,
    key: Vec<u8>,
}

/// A self-signed certificate for `localhost` of `kind` and its PKCS#8 key, as DER.
///
/// Made with openssl at test time rather than read from `vectors/pki`: no fixture there is a
/// self-signed `localhost` certificate (the bench set's leaves are CA-signed, and only in
/// P-256 and RSA; these tests also use P-384 and Ed25519), and
/// `reject_unauthorized_off_records_the_reason_and_goes_on` needs two distinct
/// certificates with the same subject.
fn pki(kind: &str) -> Pki {
    let dir = TempDir::new(&format!("pair-{kind}"));
    let (cert, key) = openssl::self_signed(&dir, kind);
    Pki {
        cert: openssl::pem_to_der(&cert),
        key: openssl::key_der(&key),
    }
}

fn server_config(p: &Pki) -> ServerConfig {
    let key = load_private_key(&p.key).unwrap();
    let mut c = ServerConfig::new(vec![CertifiedKey::new(vec![p.cert.clone()], key).unwrap()]);
    c.ticketer = Some(Arc::new(Ticketer::new(c.random.as_ref()).unwrap()));
    c
}

fn client_config(p: &Pki) -> ClientConfig {
    ClientConfig::new(Arc::new(
        sanstls_pki::tls::NodeServerVerifier::with_roots(vec![p.cert.clone()]).unwrap(),
    ))
}

fn events(c: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn handshake(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    session: Option<StoredSession>,
) -> (ClientConnection, ServerConnection, Vec<Event>) {
    let mut client = ClientConnection::resume(cc, "localhost", session, NOW).unwrap();
    let mut server = ServerConnection::new(sc, NOW).unwrap();
    let (ce, se) = transfer(&mut client, &mut server);
    assert_eq!((ce, se), (None, None));
    assert!(!client.is_handshaking() && !server.is_handshaking());
    let ev = events(&mut client);
    (client, server, ev)
}

fn echo(client: &mut Connection, server: &mut Connection) {
    client.send(b"ping").unwrap();
    transfer(client, server);
    let mut buf = [0u8; 16];
    let n = server.read_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"ping");
    server.send(b"pong").unwrap();
    transfer(client, server);
    let n = client.read_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"pong");
}

/// Both ends of a handshake, every flight as it went over the wire (ClientHello first),
/// and each side's error.
type Recorded = (
    ClientConnection,
    ServerConnection,
    Vec<Vec<u8>>,
    (Option<Error>, Option<Error>),
);

/// A handshake between `cc` and `sc`, recorded.
fn recorded(cc: ClientConfig, sc: ServerConfig) -> Recorded {
    let mut client = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(sc), NOW).unwrap();
    let mut flights = Vec::new();
    let errors = sanstls_test::pair::transfer_altered(&mut client, &mut server, NOW, |_, b| {
        flights.push(b.clone())
    });
    (client, server, flights, errors)
}

#[test]
fn every_suite_group_and_key_type() {
    for kind in ["ec", "ec384", "ed25519", "rsa"] {
        let p = pki(kind);
        for suite in ALL_TLS13_SUITES {
            for group in [
                NamedGroup::X25519,
                NamedGroup::secp256r1,
                NamedGroup::secp384r1,
            ] {
                let mut cc = client_config(&p);
                cc.cipher_suites = vec![*suite];
                cc.groups = vec![group];
                let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(server_config(&p)), None);
                assert_eq!(c.negotiated().cipher_suite, Some(suite.suite));
                assert_eq!(s.negotiated().group, Some(group));
                echo(&mut c, &mut s);
            }
        }
    }
}

/// secp521r1 and ecdsa_secp521r1_sha512 end to end, both versions: the bench P-521 leaf
/// (signed by its P-521 root with ecdsa-with-SHA512, which the pki verifier checks), P-521
/// key shares, and a P-521 client certificate (TLS 1.3 CertificateVerify with SHA-512, TLS
/// 1.2 with whatever hash the server's CertificateRequest puts first).
#[test]
fn p521_key_exchange_certificates_and_signatures_in_both_versions() {
    use sanstls::enums::{ProtocolVersion, SignatureScheme};
    let bench = sanstls_test::fixtures::bench("p521");
    for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        let key = load_private_key(&bench.key).unwrap();
        let mut sc = ServerConfig::new(vec![
            CertifiedKey::new(vec![bench.leaf.clone()], key).unwrap()
        ]);
        sc.groups = vec![NamedGroup::secp521r1];
        sc.client_verifier = Some(Arc::new(
            sanstls_pki::tls::NodeClientVerifier::with_roots(vec![bench.ca.clone()], true).unwrap(),
        ));
        let mut cc = ClientConfig::new(Arc::new(
            sanstls_pki::tls::NodeServerVerifier::with_roots(vec![bench.ca.clone()]).unwrap(),
        ));
        cc.max_version = version;
        cc.groups = vec![NamedGroup::X25519, NamedGroup::secp521r1];
        cc.client_certificate = Some(
            ClientCertificate::new(
                vec![bench.leaf.clone()],
                load_private_key(&bench.key).unwrap(),
            )
            .unwrap(),
        );
        let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(sc), None);
        assert_eq!(c.negotiated().version, Some(version));
        assert_eq!(c.negotiated().group, Some(NamedGroup::secp521r1));
        assert_eq!(s.negotiated().group, Some(NamedGroup::secp521r1));
        assert_eq!(s.negotiated().peer_certificates, vec![bench.leaf.clone()]);
        assert_eq!(c.negotiated().peer_certificates, vec![bench.leaf.clone()]);
        echo(&mut c, &mut s);
    }
    // The key signs each ECDSA hash in TLS 1.2 and only SHA-512 in TLS 1.3, and every
    // signature checks against the certificate.
    use sanstls::crypto::verify::verify_signature;
    let key = load_private_key(&bench.key).unwrap();
    let message = b"client_random || server_random || params";
    for scheme in [
        SignatureScheme::ECDSA_NISTP256_SHA256,
        SignatureScheme::ECDSA_NISTP384_SHA384,
        SignatureScheme::ECDSA_NISTP521_SHA512,
    ] {
        assert_eq!(key.choose_scheme(&[scheme], false), Some(scheme));
        let tls13 = scheme == SignatureScheme::ECDSA_NISTP521_SHA512;
        assert_eq!(key.choose_scheme(&[scheme], true).is_some(), tls13);
        let sig = key.sign(scheme, message).unwrap();
        verify_signature(scheme, &bench.leaf, message, &sig, false).unwrap();
        assert_eq!(
            verify_signature(scheme, &bench.leaf, message, &sig, true).is_ok(),
            tls13,
            "{scheme:?}"
        );
        let mut bad = sig.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            verify_signature(scheme, &bench.leaf, message, &bad, false),
            Err(PeerMisbehaved::BadSignature.into())
        );
        // Another message.
        assert!(verify_signature(scheme, &bench.leaf, b"other", &sig, false).is_err());
    }
    // A P-256 key's SHA-512 signature (TLS 1.2 only) checks too.
    let ecdsa = sanstls_test::fixtures::bench("ecdsa");
    let p256 = load_private_key(&ecdsa.key).unwrap();
    let sig = p256
        .sign(SignatureScheme::ECDSA_NISTP521_SHA512, message)
        .unwrap();
    verify_signature(
        SignatureScheme::ECDSA_NISTP521_SHA512,
        &ecdsa.leaf,
        message,
        &sig,
        false,
    )
    .unwrap();
    assert_eq!(
        verify_signature(
            SignatureScheme::ECDSA_NISTP521_SHA512,
            &ecdsa.leaf,
            message,
            &sig,
            true
        ),
        Err(PeerMisbehaved::BadSignature.into())
    );
}

#[test]
fn hello_retry_request_and_exporters() {
    let p = pki("ec");
    let mut cc = client_config(&p);
    cc.groups = vec![NamedGroup::X25519, NamedGroup::secp384r1];
    let mut sc = server_config(&p);
    sc.groups = vec![NamedGroup::secp384r1];
    let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(sc), None);
    assert_eq!(c.negotiated().group, Some(NamedGroup::secp384r1));
    echo(&mut c, &mut s);
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    c.export_keying_material(b"EXPORTER-test", Some(b"ctx"), &mut a)
        .unwrap();
    s.export_keying_material(b"EXPORTER-test", Some(b"ctx"), &mut b)
        .unwrap();
    assert_eq!(a, b);
    s.export_keying_material(b"EXPORTER-other", Some(b"ctx"), &mut b)
        .unwrap();
    assert_ne!(a, b);
}

#[test]
fn alpn_choice_and_mismatch() {
    let p = pki("ec");
    let mut cc = client_config(&p);
    cc.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let mut sc = server_config(&p);
    sc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let (c, s, _) = handshake(Arc::new(cc.clone()), Arc::new(sc.clone()), None);
    // The server's preference wins.
    assert_eq!(c.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(s.negotiated().alpn.as_deref(), Some(&b"h2"[..]));

    sc.alpn_protocols = vec![b"spdy/1".to_vec()];
    let mut client = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(sc), NOW).unwrap();
    let (ce, se) = transfer(&mut client, &mut server);
    assert_eq!(
        se,
        Some(PeerIncompatible::NoApplicationProtocolInCommon.into())
    );
    assert_eq!(
        ce,
        Some(Error::AlertReceived(
            AlertDescription::NoApplicationProtocol
        ))
    );
}

#[test]
fn client_authentication() {
    let (server_pki, client_pki) = (pki("ec"), pki("rsa"));
    let mut sc = server_config(&server_pki);
    sc.client_verifier = Some(Arc::new(
        sanstls_pki::tls::NodeClientVerifier::with_roots(vec![client_pki.cert.clone()], true)
            .unwrap(),
    ));
    let sc = Arc::new(sc);
    let mut cc = client_config(&server_pki);
    cc.client_certificate = Some(
        ClientCertificate::new(
            vec![client_pki.cert.clone()],
            load_private_key(&client_pki.key).unwrap(),
        )
        .unwrap(),
    );
    let (mut c, mut s, _) = handshake(Arc::new(cc), sc.clone(), None);
    assert_eq!(
        s.negotiated().peer_certificates,
        vec![client_pki.cert.clone()]
    );
    echo(&mut c, &mut s);

    // No certificate: the server requires one.
    let mut client =
        ClientConnection::new(Arc::new(client_config(&server_pki)), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(sc, NOW).unwrap();
    let (ce, se) = transfer(&mut client, &mut server);
    assert_eq!(se, Some(PeerIncompatible::CertificateRequired.into()));
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::CertificateRequired))
    );
}

#[test]
fn resumption_with_tickets() {
    let p = pki("ec");
    let (cc, sc) = (Arc::new(client_config(&p)), Arc::new(server_config(&p)));
    let (mut c, mut s, ev) = handshake(cc.clone(), sc.clone(), None);
    echo(&mut c, &mut s);
    let tickets: Vec<StoredSession> = ev
        .into_iter()
        .chain(events(&mut c))
        .filter_map(|e| match e {
            Event::NewSessionTicket(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(tickets.len(), 2, "two tickets by default");
    let (mut c2, mut s2, _) = handshake(cc.clone(), sc.clone(), Some(tickets[0].clone()));
    assert!(c2.negotiated().resumed && s2.negotiated().resumed);
    echo(&mut c2, &mut s2);

    // Another server key cannot open the ticket: a full handshake instead.
    let other = Arc::new(server_config(&p));
    let (c3, _, _) = handshake(cc, other, Some(tickets[1].clone()));
    assert!(!c3.negotiated().resumed);
}

#[test]
fn key_update_and_close() {
    let p = pki("ec");
    let (mut c, mut s, _) = handshake(
        Arc::new(client_config(&p)),
        Arc::new(server_config(&p)),
        None,
    );
    c.key_update(true).unwrap();
    echo(&mut c, &mut s);
    assert!(events(&mut s).contains(&Event::KeyUpdated {
        update_requested: true
    }));
    assert!(events(&mut c).contains(&Event::KeyUpdated {
        update_requested: false
    }));
    s.key_update(false).unwrap();
    echo(&mut c, &mut s);
    c.send_close_notify();
    transfer(&mut c, &mut s);
    assert!(s.peer_closed());
    assert!(events(&mut s).contains(&Event::PeerClosed));
}

#[test]
fn paused_server_answers_later_with_the_config_for_the_name() {
    let (a, b) = (pki("ec"), pki("rsa"));
    let mut cc = client_config(&b);
    cc.alpn_protocols = vec![b"h2".to_vec()];
    cc.request_ocsp = true;
    let mut client = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new_paused(NOW, std::time::Duration::from_secs(10));
    transfer(&mut client, &mut server);
    let info = match events(&mut server).pop() {
        Some(Event::ClientHello(info)) => info,
        other => panic!("expected ClientHello, got {other:?}"),
    };
    assert_eq!(info.server_name.as_deref(), Some("localhost"));
    // Known to the connection already, for a caller that ends the handshake here.
    assert_eq!(
        server.negotiated().server_name.as_deref(),
        Some("localhost")
    );
    assert_eq!(info.alpn_protocols, vec![b"h2".to_vec()]);
    assert!(info.ocsp_requested);
    // The caller picks `b` (the one the client trusts), later, with a fresh OCSP response
    // because the client asked for one; `a` would have failed verification.
    let _unused = server_config(&a);
    let mut chosen = server_config(&b);
    chosen.certificates[0].ocsp_response = Some(vec![0x30, 0x03, 0x0a, 0x01, 0x06]);
    server.accept(Arc::new(chosen), NOW).unwrap();
    let (ce, se) = transfer(&mut client, &mut server);
    assert_eq!((ce, se), (None, None));
    assert!(!client.is_handshaking());
    assert_eq!(
        client.negotiated().ocsp_response.as_deref(),
        Some(&[0x30, 0x03, 0x0a, 0x01, 0x06][..])
    );
}

#[test]
fn tampering_and_timeouts() {
    let p = pki("ec");
    let mut client = ClientConnection::new(Arc::new(client_config(&p)), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    let mut hello = Vec::new();
    client.write_tls(&mut hello);
    server.read_tls(&hello);
    server.process(NOW).unwrap();
    let mut flight = Vec::new();
    server.write_tls(&mut flight);
    let last = flight.len() - 1;
    flight[last] ^= 0x40;
    client.read_tls(&flight);
    assert_eq!(client.process(NOW), Err(Error::DecryptError));

    // A server that never hears back times out at its configured deadline.
    let mut sc = server_config(&p);
    sc.handshake_timeout = std::time::Duration::from_secs(7);
    let mut idle = ServerConnection::new(Arc::new(sc), NOW).unwrap();
    let deadline = idle.poll_timeout().expect("a handshake deadline");
    assert_eq!(deadline, UnixTime::from_secs(1_900_000_007));
    idle.handle_timeout(deadline);
    assert_eq!(idle.process(deadline), Err(Error::HandshakeTimeout));

    // Application data before the handshake is refused.
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    server.read_tls(&[23, 3, 3, 0, 1, 0]);
    assert!(matches!(
        server.process(NOW),
        Err(Error::PeerMisbehaved(
            PeerMisbehaved::ApplicationDataBeforeHandshake
        ))
    ));
}

#[test]
fn tls12_between_our_client_and_server() {
    use sanstls::enums::ProtocolVersion;
    for kind in ["ec", "rsa"] {
        let p = pki(kind);
        let mut cc = client_config(&p);
        cc.max_version = ProtocolVersion::TLSv1_2;
        let client_pki = pki("ec");
        cc.client_certificate = Some(
            ClientCertificate::new(
                vec![client_pki.cert.clone()],
                load_private_key(&client_pki.key).unwrap(),
            )
            .unwrap(),
        );
        let mut sc = server_config(&p);
        sc.client_verifier = Some(Arc::new(
            sanstls_pki::tls::NodeClientVerifier::with_roots(vec![client_pki.cert.clone()], true)
                .unwrap(),
        ));
        let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(sc), None);
        assert_eq!(c.negotiated().version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(s.negotiated().peer_certificates.len(), 1);
        // tls-unique material: each side's sent Finished is the other's received one.
        assert_eq!(
            c.negotiated().finished_sent,
            s.negotiated().finished_received
        );
        assert_eq!(
            c.negotiated().finished_received,
            s.negotiated().finished_sent
        );
        echo(&mut c, &mut s);
        let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
        c.export_keying_material(b"EXPORTER-x", None, &mut a)
            .unwrap();
        s.export_keying_material(b"EXPORTER-x", None, &mut b)
            .unwrap();
        assert_eq!(a, b);
        s.export_keying_material(b"EXPORTER-x", Some(b""), &mut b)
            .unwrap();
        assert_ne!(a, b, "RFC 5705: no context differs from an empty one");
        assert_eq!(
            c.key_update(false),
            Err(Error::ApiMisuse("KeyUpdate does not exist in TLS 1.2"))
        );
    }
}

#[test]
fn downgrade_sentinel_is_refused_by_a_tls13_client() {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    // A server that can do TLS 1.3 answers a TLS 1.2-only client with the sentinel...
    let mut cc12 = client_config(&p);
    cc12.max_version = ProtocolVersion::TLSv1_2;
    let mut client = ClientConnection::new(Arc::new(cc12), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    let mut hello = Vec::new();
    client.write_tls(&mut hello);
    server.read_tls(&hello);
    server.process(NOW).unwrap();
    let mut flight = Vec::new();
    server.write_tls(&mut flight);
    // ServerHello random starts after record header (5), type+len (4), version (2).
    assert_eq!(&flight[11 + 24..11 + 32], b"DOWNGRD\x01");
    // ...and a client that offered TLS 1.3 and receives it must abort (RFC 8446 s4.1.3).
    let mut client13 =
        ClientConnection::new(Arc::new(client_config(&p)), "localhost", NOW).unwrap();
    client13.write_tls(&mut Vec::new());
    client13.read_tls(&flight);
    assert!(matches!(
        client13.process(NOW),
        Err(Error::PeerMisbehaved(PeerMisbehaved::DowngradeSentinel))
    ));
    let mut alert = Vec::new();
    client13.write_tls(&mut alert);
    assert_eq!(alert, [21, 3, 3, 0, 2, 2, 47], "illegal_parameter");
}

/// Applies `f` to the body of the first handshake message of type `typ` in a flight of
/// plaintext records (our peers coalesce a flight into as few records as possible, and no
/// message here spans two records).
fn mutate_handshake(flight: &mut [u8], typ: u8, f: impl FnOnce(&mut [u8])) {
    let mut at = 0;
    while at + 5 <= flight.len() {
        let len = usize::from(u16::from_be_bytes([flight[at + 3], flight[at + 4]]));
        let (start, end) = (at + 5, at + 5 + len);
        if flight[at] == 22 {
            let mut m = start;
            while m + 4 <= end {
                let mlen =
                    u32::from_be_bytes([0, flight[m + 1], flight[m + 2], flight[m + 3]]) as usize;
                if flight[m] == typ {
                    f(&mut flight[m + 4..m + 4 + mlen]);
                    return;
                }
                m += 4 + mlen;
            }
        }
        at = end;
    }
    panic!("no handshake message of type {typ} in the flight");
}

/// A TLS 1.2 handshake where `hello_edit` may change the ClientHello and `server_edit`
/// the server's first flight (both plaintext) in flight. Returns the client's and the
/// server's errors and what each sent last (the client's second flight or alert, the
/// server's answer to it).
fn tls12_with_edits(
    group: NamedGroup,
    server_edit: impl FnOnce(&mut Vec<u8>),
    hello_edit: impl FnOnce(&mut Vec<u8>),
) -> (Option<Error>, Option<Error>, Vec<u8>, Vec<u8>) {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    let mut cc = client_config(&p);
    cc.max_version = ProtocolVersion::TLSv1_2;
    // P-256 is listed too: the server's certificate is on it, and a TLS 1.2 server sends
    // an ECDSA certificate only on a curve the client lists (RFC 8422 s5.1). The server
    // prefers `group` when it is X25519.
    cc.groups = vec![group, NamedGroup::secp256r1];
    let mut client = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    let mut hello = Vec::new();
    client.write_tls(&mut hello);
    hello_edit(&mut hello);
    server.read_tls(&hello);
    let se = server.process(NOW).err();
    let mut flight = Vec::new();
    server.write_tls(&mut flight);
    if se.is_some() {
        return (None, se, Vec::new(), flight);
    }
    server_edit(&mut flight);
    client.read_tls(&flight);
    let ce = client.process(NOW).err();
    let mut second = Vec::new();
    client.write_tls(&mut second);
    if ce.is_some() {
        return (ce, None, second, Vec::new());
    }
    server.read_tls(&second);
    let se = server.process(NOW).err();
    let mut server_alert = Vec::new();
    server.write_tls(&mut server_alert);
    (ce, se, second, server_alert)
}

/// The alert description of the last alert record in `bytes` if it is plaintext, or of a
/// protected one we cannot read (then `None`).
fn plaintext_alert(bytes: &[u8]) -> Option<u8> {
    (bytes.len() >= 7 && bytes[bytes.len() - 7] == 21).then(|| bytes[bytes.len() - 1])
}

#[test]
fn tls12_bad_server_key_exchange_signature_is_decrypt_error() {
    let (ce, _, alert, _) = tls12_with_edits(
        NamedGroup::X25519,
        |flight| mutate_handshake(flight, 12, |ske| *ske.last_mut().unwrap() ^= 1),
        |_| {},
    );
    assert_eq!(
        ce,
        Some(Error::PeerMisbehaved(PeerMisbehaved::BadSignature))
    );
    assert_eq!(plaintext_alert(&alert), Some(51), "decrypt_error");
}

#[test]
fn tls12_malformed_server_key_exchange_is_refused() {
    // curve_type 1 (explicit_prime) instead of named_curve (RFC 8422 s5.4).
    let (ce, _, alert, _) = tls12_with_edits(
        NamedGroup::X25519,
        |flight| mutate_handshake(flight, 12, |ske| ske[0] = 1),
        |_| {},
    );
    assert!(matches!(ce, Some(Error::InvalidMessage(_))), "{ce:?}");
    assert_eq!(plaintext_alert(&alert), Some(47), "illegal_parameter");
    // A point length running past the message: decode_error.
    let (ce, _, alert, _) = tls12_with_edits(
        NamedGroup::X25519,
        |flight| mutate_handshake(flight, 12, |ske| ske[3] = 0xff),
        |_| {},
    );
    assert!(matches!(ce, Some(Error::InvalidMessage(_))), "{ce:?}");
    assert_eq!(plaintext_alert(&alert), Some(50), "decode_error");
}

#[test]
fn tls12_tampered_transcript_fails_at_the_finished() {
    // Changing the ClientHello in flight (its session id, which nothing signs) makes the
    // two transcripts differ. With the extended master secret (always used), the session
    // hash feeds the keys, so the client's Finished record no longer decrypts: the server
    // answers bad_record_mac. (A Finished that decrypts but carries wrong verify_data is
    // VerifyFailed / decrypt_error: handshake::prf's tests.)
    let (_, se, _, alert) = tls12_with_edits(
        NamedGroup::X25519,
        |_| {},
        // record (5) + handshake header (4) + version (2) + random (32) + id length.
        |hello| hello[5 + 4 + 2 + 32 + 1] ^= 1,
    );
    assert_eq!(se, Some(Error::DecryptError));
    assert!(
        !alert.is_empty(),
        "an alert is sent (protected, after the key change)"
    );
}

#[test]
fn tls12_invalid_client_point_is_illegal_parameter() {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    let mut cc = client_config(&p);
    cc.max_version = ProtocolVersion::TLSv1_2;
    cc.groups = vec![NamedGroup::secp256r1];
    let mut client = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    let mut bytes = Vec::new();
    client.write_tls(&mut bytes);
    server.read_tls(&bytes);
    server.process(NOW).unwrap();
    bytes.clear();
    server.write_tls(&mut bytes);
    client.read_tls(&bytes);
    client.process(NOW).unwrap();
    bytes.clear();
    client.write_tls(&mut bytes);
    // Flip a coordinate byte of the client's ClientKeyExchange point: off the curve.
    mutate_handshake(&mut bytes, 16, |cke| cke[10] ^= 0x55);
    server.read_tls(&bytes);
    assert_eq!(
        server.process(NOW),
        Err(PeerMisbehaved::InvalidKeyShare.into())
    );
    let mut alert = Vec::new();
    server.write_tls(&mut alert);
    assert_eq!(plaintext_alert(&alert), Some(47), "illegal_parameter");
}

#[test]
fn tls12_dhe_between_our_client_and_server() {
    use sanstls::crypto::ffdhe::DhGroup;
    use sanstls::enums::ProtocolVersion;
    use sanstls::suites::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384;
    let p = pki("rsa");
    let mut cc = client_config(&p);
    cc.max_version = ProtocolVersion::TLSv1_2;
    cc.tls12_cipher_suites = vec![&TLS_DHE_RSA_WITH_AES_256_GCM_SHA384];
    let mut sc = server_config(&p);
    sc.dh_params = Some(DhGroup::from_named(NamedGroup::FFDHE3072).unwrap());
    let (mut c, mut s, _) = handshake(Arc::new(cc.clone()), Arc::new(sc), None);
    assert_eq!(c.negotiated().dh_bits, Some(3072));
    assert_eq!(c.negotiated().group, Some(NamedGroup::FFDHE3072));
    echo(&mut c, &mut s);
    // Without DH parameters the server cannot use the only suite offered.
    let mut client = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    let (_, se) = transfer(&mut client, &mut server);
    assert_eq!(se, Some(PeerIncompatible::NoCipherSuitesInCommon.into()));
}

/// RFC 7919 in TLS 1.2 between our ends: a client listing FFDHE groups gets one of them
/// rather than the server's configured parameters; one listing only groups the server does
/// not take gets no DHE suite (insufficient_security when nothing else fits).
#[test]
fn tls12_rfc7919_groups_between_our_ends() {
    use sanstls::crypto::ffdhe::DhGroup;
    use sanstls::enums::ProtocolVersion;
    use sanstls::suites::{
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    };
    let p = pki("rsa");
    let client = |groups: Vec<NamedGroup>| {
        let mut cc = client_config(&p);
        cc.max_version = ProtocolVersion::TLSv1_2;
        cc.tls12_cipher_suites = vec![&TLS_DHE_RSA_WITH_AES_256_GCM_SHA384];
        cc.groups = groups;
        Arc::new(cc)
    };
    let server = |dh: DhGroup, groups: Option<Vec<NamedGroup>>| {
        let mut sc = server_config(&p);
        sc.dh_params = Some(dh);
        if let Some(g) = groups {
            sc.groups = g;
        }
        Arc::new(sc)
    };
    // Configured ffdhe2048; the client lists ffdhe4096 (and X25519): ffdhe4096.
    let cc = client(vec![NamedGroup::X25519, NamedGroup::FFDHE4096]);
    let (mut c, mut s, _) = handshake(cc, server(DhGroup::ffdhe2048(), None), None);
    assert_eq!(c.negotiated().group, Some(NamedGroup::FFDHE4096));
    assert_eq!(s.negotiated().dh_bits, Some(4096));
    echo(&mut c, &mut s);
    // The server's own FFDHE groups, in its order, win over its configured parameters.
    let groups = vec![
        NamedGroup::X25519,
        NamedGroup::FFDHE3072,
        NamedGroup::FFDHE2048,
    ];
    let cc = client(vec![NamedGroup::FFDHE2048, NamedGroup::FFDHE3072]);
    let (c, _, _) = handshake(cc, server(DhGroup::ffdhe2048(), Some(groups)), None);
    assert_eq!(c.negotiated().group, Some(NamedGroup::FFDHE3072));
    // A client without FFDHE groups gets the configured parameters.
    let cc = client(vec![NamedGroup::X25519]);
    let (c, _, _) = handshake(cc, server(DhGroup::ffdhe3072(), None), None);
    assert_eq!(c.negotiated().group, Some(NamedGroup::FFDHE3072));
    // Only ffdhe2048, below the configured 3072 bits, and a DHE suite only: refused.
    let cc = client(vec![NamedGroup::FFDHE2048]);
    let mut client_conn = ClientConnection::new(cc, "localhost", NOW).unwrap();
    let mut server_conn = ServerConnection::new(server(DhGroup::ffdhe3072(), None), NOW).unwrap();
    let (ce, se) = transfer(&mut client_conn, &mut server_conn);
    assert_eq!(se, Some(PeerIncompatible::NoFfdheGroupsInCommon.into()));
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::InsufficientSecurity))
    );
    // The same client with an ECDHE suite too: ECDHE, not DHE with a group it did not list.
    let mut cc = (*client(vec![NamedGroup::FFDHE2048, NamedGroup::X25519])).clone();
    cc.tls12_cipher_suites = vec![
        &TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        &TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ];
    let (c, _, _) = handshake(Arc::new(cc), server(DhGroup::ffdhe3072(), None), None);
    assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
}

/// The RFC 7919 groups as TLS 1.3 key shares (RFC 8446 s4.2.8.1), between our ends:
/// directly and after a HelloRetryRequest; never offered unless configured.
#[test]
fn tls13_ffdhe_key_shares_between_our_ends() {
    let p = pki("ec");
    for group in [NamedGroup::FFDHE2048, NamedGroup::FFDHE3072] {
        let mut cc = client_config(&p);
        cc.groups = vec![group];
        let mut sc = server_config(&p);
        sc.groups.push(group);
        let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(sc), None);
        assert_eq!(c.negotiated().group, Some(group));
        assert_eq!(s.negotiated().group, Some(group));
        echo(&mut c, &mut s);
    }
    // The client's first share is X25519; the server wants ffdhe2048: HelloRetryRequest.
    let mut cc = client_config(&p);
    cc.groups = vec![NamedGroup::X25519, NamedGroup::FFDHE2048];
    let mut sc = server_config(&p);
    sc.groups = vec![NamedGroup::FFDHE2048];
    let (c, _, _) = handshake(Arc::new(cc), Arc::new(sc), None);
    assert_eq!(c.negotiated().group, Some(NamedGroup::FFDHE2048));
    // Not in the defaults.
    assert!(
        !ClientConfig::new(Arc::new(sanstls::crypto::verify::InsecureAcceptAnything))
            .groups
            .iter()
            .any(|g| sanstls::crypto::kx::is_ffdhe(*g))
    );
}

#[test]
fn tls12_resumption_between_our_ends() {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    let mut cc = client_config(&p);
    cc.max_version = ProtocolVersion::TLSv1_2;
    let cc = Arc::new(cc);
    for tickets in [true, false] {
        let mut sc = server_config(&p);
        if !tickets {
            sc.ticketer = None;
        }
        let sc = Arc::new(sc);
        let (_, _, ev) = handshake(cc.clone(), sc.clone(), None);
        let session = ev
            .into_iter()
            .find_map(|e| match e {
                Event::NewSessionTicket(s) => Some(s),
                _ => None,
            })
            .expect("a session");
        assert_eq!(session.tls_ticket().is_none(), !tickets);
        assert_eq!(session.session_id().len(), 32);
        let (mut c, mut s, _) = handshake(cc.clone(), sc.clone(), Some(session.clone()));
        assert!(
            c.negotiated().resumed && s.negotiated().resumed,
            "tickets={tickets}"
        );
        echo(&mut c, &mut s);
        // Expired: a full handshake instead.
        let mut old = sanstls::internal::SessionParts::from(session);
        old.received_at = UnixTime::from_secs(1_000);
        let (c, _, _) = handshake(cc.clone(), sc, Some(old.into()));
        assert!(!c.negotiated().resumed);
    }
}

#[test]
fn session_id_context_separates_applications_sharing_keys() {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    let shared = server_config(&p);
    for max in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        let mut cc = client_config(&p);
        cc.max_version = max;
        let cc = Arc::new(cc);
        let mut app_a = shared.clone();
        app_a.session_id_context = b"app-a".to_vec();
        let mut app_b = shared.clone();
        app_b.session_id_context = b"app-b".to_vec();
        let (app_a, app_b) = (Arc::new(app_a), Arc::new(app_b));
        let (_, _, ev) = handshake(cc.clone(), app_a.clone(), None);
        let session = ev
            .into_iter()
            .find_map(|e| match e {
                Event::NewSessionTicket(s) => Some(s),
                _ => None,
            })
            .expect("a session");
        // Same ticket keys and cache, another context: a full handshake.
        let (c, _, _) = handshake(cc.clone(), app_b, Some(session.clone()));
        assert!(!c.negotiated().resumed, "{max:?}");
        let (c, _, _) = handshake(cc, app_a, Some(session));
        assert!(c.negotiated().resumed, "{max:?}");
    }
}

#[test]
fn external_session_store_with_a_late_answer() {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    let mut cc = client_config(&p);
    cc.max_version = ProtocolVersion::TLSv1_2;
    let cc = Arc::new(cc);
    // Node's newSession/resumeSession with no built-in cache and no tickets.
    let mut sc = server_config(&p);
    sc.ticketer = None;
    sc.session_cache = None;
    sc.external_sessions = true;
    let sc = Arc::new(sc);

    let mut client = ClientConnection::new(cc.clone(), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(sc.clone(), NOW).unwrap();
    assert_eq!(transfer(&mut client, &mut server), (None, None));
    // Our client sends a random session id (middlebox compatibility), so even a first
    // connection asks the store, as Node does for any unknown id; the store has nothing.
    assert!(matches!(
        events(&mut server).as_slice(),
        [Event::ResumeSession(_)]
    ));
    server.session_found(None, NOW).unwrap();
    assert_eq!(transfer(&mut client, &mut server), (None, None));
    let (id, data) = events(&mut server)
        .into_iter()
        .find_map(|e| match e {
            Event::NewSession { id, data } => Some((id, data)),
            _ => None,
        })
        .expect("newSession");
    let session = events(&mut client)
        .into_iter()
        .find_map(|e| match e {
            Event::NewSessionTicket(s) => Some(s),
            _ => None,
        })
        .expect("the client keeps the session");
    assert_eq!(session.session_id(), id);

    for answer in [Some(data.to_vec()), None] {
        let mut client =
            ClientConnection::resume(cc.clone(), "localhost", Some(session.clone()), NOW).unwrap();
        let mut server = ServerConnection::new(sc.clone(), NOW).unwrap();
        transfer(&mut client, &mut server);
        // The server asked and waits; nothing moves until the answer.
        assert_eq!(events(&mut server), vec![Event::ResumeSession(id.clone())]);
        assert!(server.is_handshaking() && !server.wants_write());
        let found = answer.is_some();
        server.session_found(answer, NOW).unwrap();
        assert_eq!(transfer(&mut client, &mut server), (None, None));
        assert!(!client.is_handshaking());
        assert_eq!(server.negotiated().resumed, found);
        assert_eq!(client.negotiated().resumed, found);
    }
    // Answering when nothing was asked is a caller error.
    let mut idle = ServerConnection::new(sc, NOW).unwrap();
    assert!(idle.session_found(None, NOW).is_err());
}

/// A TLS 1.2 client configuration that trusts `trusted` (and presents `cert`, if any).
fn tls12_client(trusted: &[&Pki], cert: Option<&Pki>) -> ClientConfig {
    use sanstls::enums::ProtocolVersion;
    let roots = trusted.iter().map(|p| p.cert.clone()).collect();
    let mut cc = ClientConfig::new(Arc::new(
        sanstls_pki::tls::NodeServerVerifier::with_roots(roots).unwrap(),
    ));
    cc.max_version = ProtocolVersion::TLSv1_2;
    cc.client_certificate = cert.map(|p| {
        ClientCertificate::new(vec![p.cert.clone()], load_private_key(&p.key).unwrap()).unwrap()
    });
    cc
}

fn handshakes_completed(c: &mut Connection) -> usize {
    let ev = events(c);
    ev.iter()
        .filter(|e| matches!(e, Event::HandshakeComplete))
        .count()
}

#[test]
fn tls12_renegotiation_from_either_side_keeps_data_flowing() {
    let p = pki("ec");
    let cc = Arc::new(tls12_client(&[&p], None));
    let sc = Arc::new(server_config(&p));
    let (mut c, mut s, _) = handshake(cc, sc, None);
    events(&mut s);
    for round in 0..6 {
        let before = (
            c.negotiated().finished_sent.clone(),
            c.negotiated().finished_received.clone(),
        );
        // Client-initiated on even rounds, server-initiated (HelloRequest) on odd ones:
        // six in a row, which only passes Node's limit because the server's own requests
        // do not count against the client.
        match round % 2 {
            0 => c.renegotiate(NOW).unwrap(),
            _ => s.renegotiate(NOW).unwrap(),
        }
        // Data queued while the renegotiation is in flight, by both sides.
        c.send(b"during-c").unwrap();
        s.send(b"during-s").unwrap();
        assert_eq!(transfer(&mut c, &mut s), (None, None), "round {round}");
        let mut buf = [0u8; 32];
        let n = s.read_plaintext(&mut buf);
        assert_eq!(&buf[..n], b"during-c", "round {round}");
        let n = c.read_plaintext(&mut buf);
        assert_eq!(&buf[..n], b"during-s", "round {round}");
        assert_eq!(handshakes_completed(&mut c), 1, "round {round}");
        assert_eq!(handshakes_completed(&mut s), 1, "round {round}");
        // A new handshake: new Finished messages (tls-unique changes), and both sides
        // agree on the new keys.
        let after = c.negotiated();
        assert_ne!(after.finished_sent, before.0);
        assert_ne!(after.finished_received, before.1);
        assert_eq!(after.finished_sent, s.negotiated().finished_received);
        echo(&mut c, &mut s);
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        c.export_keying_material(b"EXPORTER-r", None, &mut a)
            .unwrap();
        s.export_keying_material(b"EXPORTER-r", None, &mut b)
            .unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn client_renegotiation_limit_is_measured_on_the_injected_clock() {
    let p = pki("ec");
    let cc = Arc::new(tls12_client(&[&p], None));
    let sc = Arc::new(server_config(&p));
    // Node's CLIENT_RENEG_LIMIT (3) per CLIENT_RENEG_WINDOW (600 s): a fourth one 599 s
    // after the first ends the connection; one 600 s after it is fine.
    for (fourth_at, refused) in [(599, true), (600, false)] {
        let (mut c, mut s, _) = handshake(cc.clone(), sc.clone(), None);
        for i in 0..3 {
            c.renegotiate(NOW).unwrap();
            assert_eq!(transfer_at(&mut c, &mut s, NOW), (None, None), "#{i}");
        }
        let later = UnixTime::from_secs(NOW.as_secs() + fourth_at);
        c.renegotiate(later).unwrap();
        let (ce, se) = transfer_at(&mut c, &mut s, later);
        match refused {
            true => {
                assert_eq!(se, Some(PeerMisbehaved::TooManyRenegotiations.into()));
                assert!(ce.is_some(), "the client sees the alert");
            }
            false => {
                assert_eq!((ce, se), (None, None));
                echo(&mut c, &mut s);
            }
        }
    }
}

#[test]
fn client_renegotiation_limit_follows_the_configuration() {
    let p = pki("ec");
    let cc = Arc::new(tls12_client(&[&p], None));
    let mut sc = server_config(&p);
    sc.limits.max_client_renegotiations = 1;
    sc.limits.client_renegotiation_window = core::time::Duration::from_secs(10);
    let sc = Arc::new(sc);
    // One renegotiation per 10 s: a second one 9 s later is refused, one 10 s later is not.
    for (second_at, refused) in [(9, true), (10, false)] {
        let (mut c, mut s, _) = handshake(cc.clone(), sc.clone(), None);
        c.renegotiate(NOW).unwrap();
        assert_eq!(transfer_at(&mut c, &mut s, NOW), (None, None));
        let later = UnixTime::from_secs(NOW.as_secs() + second_at);
        c.renegotiate(later).unwrap();
        let (_, se) = transfer_at(&mut c, &mut s, later);
        let expected = refused.then(|| PeerMisbehaved::TooManyRenegotiations.into());
        assert_eq!(se, expected, "second renegotiation after {second_at} s");
    }
}

#[test]
fn server_asks_for_a_client_certificate_by_renegotiating() {
    let server = pki("ec");
    let client = pki("rsa");
    let cc = Arc::new(tls12_client(&[&server], Some(&client)));
    let sc = server_config(&server);
    // Node: `socket.renegotiate({ requestCert: true, rejectUnauthorized: true })`.
    let mut strict = sc.clone();
    strict.client_verifier = Some(Arc::new(
        sanstls_pki::tls::NodeClientVerifier::with_roots(vec![client.cert.clone()], true).unwrap(),
    ));
    let (mut c, mut s, _) = handshake(cc, Arc::new(sc), None);
    assert!(s.negotiated().peer_certificates.is_empty());
    s.renegotiate_with(Arc::new(strict), NOW).unwrap();
    assert_eq!(transfer(&mut c, &mut s), (None, None));
    assert_eq!(s.negotiated().peer_certificates, vec![client.cert.clone()]);
    echo(&mut c, &mut s);
}

#[test]
fn renegotiation_that_changes_the_server_certificate_is_refused() {
    let (ec, rsa) = (pki("ec"), pki("rsa"));
    let cc = Arc::new(tls12_client(&[&ec, &rsa], None));
    let (mut c, mut s, _) = handshake(cc, Arc::new(server_config(&ec)), None);
    // The client trusts both certificates, but the connection began with the EC one.
    s.renegotiate_with(Arc::new(server_config(&rsa)), NOW)
        .unwrap();
    let (ce, _) = transfer(&mut c, &mut s);
    assert_eq!(
        ce,
        Some(PeerMisbehaved::CertificateChangedInRenegotiation.into())
    );
}

#[test]
fn renegotiation_is_declined_or_refused_where_it_cannot_happen() {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    let sc = Arc::new(server_config(&p));
    // TLS 1.3 has no renegotiation; asking is a caller error that leaves the connection up.
    let (mut c, mut s, _) = handshake(Arc::new(client_config(&p)), sc.clone(), None);
    assert_eq!(c.negotiated().version, Some(ProtocolVersion::TLSv1_3));
    assert!(matches!(c.renegotiate(NOW), Err(Error::ApiMisuse(_))));
    assert!(matches!(s.renegotiate(NOW), Err(Error::ApiMisuse(_))));
    echo(&mut c, &mut s);

    // disableRenegotiation() on the client: the server's HelloRequest gets a
    // no_renegotiation warning and the connection goes on.
    let cc = Arc::new(tls12_client(&[&p], None));
    let (mut c, mut s, _) = handshake(cc, sc.clone(), None);
    c.disable_renegotiation();
    events(&mut s);
    s.renegotiate(NOW).unwrap();
    assert_eq!(transfer(&mut c, &mut s), (None, None));
    assert_eq!(
        events(&mut s),
        vec![Event::WarningAlert(AlertDescription::NoRenegotiation)]
    );
    echo(&mut c, &mut s);

    // disableRenegotiation() on the server: our client's renegotiation is declined, and
    // like OpenSSL's (and so Node's) client it ends the connection with handshake_failure.
    let cc = Arc::new(tls12_client(&[&p], None));
    let (mut c, mut s, _) = handshake(cc, sc.clone(), None);
    s.disable_renegotiation();
    events(&mut s);
    c.renegotiate(NOW).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert_eq!(ce, Some(PeerIncompatible::RenegotiationDeclined.into()));
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
    // The server's caller hears of the refusal (Node's server fails the socket then).
    assert!(events(&mut s).contains(&Event::RenegotiationRefused));

    // A client that does not do RFC 5746 (no renegotiation_info, no SCSV): neither side
    // may renegotiate.
    let mut legacy = tls12_client(&[&p], None);
    legacy.hello_hook = Some(sanstls::client::HelloHook(Arc::new(|exts| {
        exts.retain(|e| {
            !matches!(
                e,
                sanstls::internal::msgs::extensions::ClientExtension::RenegotiationInfo(_)
            )
        })
    })));
    let (mut c, mut s, _) = handshake(Arc::new(legacy), sc, None);
    assert!(!c.negotiated().secure_renegotiation && !s.negotiated().secure_renegotiation);
    assert!(matches!(c.renegotiate(NOW), Err(Error::ApiMisuse(_))));
    assert!(matches!(s.renegotiate(NOW), Err(Error::ApiMisuse(_))));
    echo(&mut c, &mut s);
}

#[test]
fn empty_record_and_warning_alert_floods_end_the_connection() {
    use sanstls::enums::{ContentType, ProtocolVersion};
    use sanstls::limits::Limit;
    let p = pki("ec");
    for max in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        let mut cc = client_config(&p);
        cc.max_version = max;
        let cc = Arc::new(cc);
        let sc = Arc::new(server_config(&p));
        // Up to the limit (32 by default) empty records in a row are fine, and a record
        // with data starts the count again.
        let (mut c, mut s, _) = handshake(cc.clone(), sc.clone(), None);
        for _ in 0..32 {
            s.send_raw_record(ContentType::ApplicationData, b"")
                .unwrap();
        }
        s.send(b"x").unwrap();
        for _ in 0..32 {
            s.send_raw_record(ContentType::ApplicationData, b"")
                .unwrap();
        }
        assert_eq!(transfer(&mut c, &mut s), (None, None), "{max:?}");
        s.send_raw_record(ContentType::ApplicationData, b"")
            .unwrap();
        let (ce, se) = transfer(&mut c, &mut s);
        assert_eq!(
            ce,
            Some(Error::LimitExceeded(Limit::EmptyRecords)),
            "{max:?}"
        );
        assert_eq!(
            se,
            Some(Error::AlertReceived(AlertDescription::UnexpectedMessage))
        );
    }

    // Warning alerts (TLS 1.2; in TLS 1.3 every alert but two is fatal): OpenSSL's 5 in a
    // row, here configured down to 2.
    let mut cc = client_config(&p);
    cc.max_version = ProtocolVersion::TLSv1_2;
    cc.limits.max_warning_alerts = 2;
    let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(server_config(&p)), None);
    let warning = [1, AlertDescription::NoRenegotiation.into()];
    for _ in 0..2 {
        s.send_raw_record(ContentType::Alert, &warning).unwrap();
    }
    assert_eq!(transfer(&mut c, &mut s), (None, None));
    echo(&mut c, &mut s);
    for _ in 0..3 {
        s.send_raw_record(ContentType::Alert, &warning).unwrap();
    }
    let (ce, _) = transfer(&mut c, &mut s);
    assert_eq!(ce, Some(Error::LimitExceeded(Limit::WarningAlerts)));
}

#[test]
fn post_handshake_messages_are_rate_limited_on_the_injected_clock() {
    use sanstls::limits::Limit;
    let p = pki("ec");
    let mut cc = client_config(&p);
    cc.limits.max_post_handshake_messages = 10;
    let cc = Arc::new(cc);
    let sc = Arc::new(server_config(&p));
    let (mut c, mut s, _) = handshake(cc, sc, None);
    // The server's tickets already count; then KeyUpdates up to the limit in this window.
    let tickets = 2;
    for _ in 0..(10 - tickets) {
        s.key_update(false).unwrap();
    }
    assert_eq!(transfer(&mut c, &mut s), (None, None));
    // A new window: ten more are fine.
    let later = UnixTime::from_secs(NOW.as_secs() + 60);
    for _ in 0..10 {
        s.key_update(false).unwrap();
    }
    assert_eq!(transfer_at(&mut c, &mut s, later), (None, None));
    s.key_update(false).unwrap();
    let (ce, se) = transfer_at(&mut c, &mut s, later);
    assert_eq!(ce, Some(Error::LimitExceeded(Limit::PostHandshakeMessages)));
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::UnexpectedMessage))
    );
}

#[test]
fn a_limit_out_of_range_fails_the_constructor_on_both_sides() {
    let p = pki("rsa");
    let mut cc = client_config(&p);
    cc.limits.max_handshake_message_len = 1 << 24;
    let mut sc = server_config(&p);
    sc.limits.max_handshake_message_len = 1 << 24;
    let refusal = Some(Error::ApiMisuse("handshake message limit above 2^24-1"));
    assert_eq!(
        ClientConnection::new(Arc::new(cc), "localhost", NOW).err(),
        refusal
    );
    assert_eq!(ServerConnection::new(Arc::new(sc), NOW).err(), refusal);
}

#[test]
fn handshake_message_and_plaintext_buffer_limits_come_from_the_config() {
    let p = pki("rsa");
    // A Certificate message (an RSA chain of one) larger than the configured maximum.
    let mut cc = client_config(&p);
    cc.limits.max_handshake_message_len = 512;
    let mut client = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    let (ce, _) = transfer(&mut client, &mut server);
    assert_eq!(
        ce,
        Some(Error::InvalidMessage(
            sanstls::InvalidMessage::HandshakeMessageTooLarge
        ))
    );

    // Plaintext held for the caller: past the limit read_tls stops taking bytes (no error,
    // nothing lost) until the caller reads.
    let mut cc = client_config(&p);
    cc.limits.max_buffered_plaintext = 4096;
    let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(server_config(&p)), None);
    let data: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    s.send(&data).unwrap();
    let mut wire = Vec::new();
    s.write_tls(&mut wire);
    let (mut got, mut at) = (Vec::new(), 0);
    let mut stalls = 0;
    while got.len() < data.len() {
        let n = c.read_tls(&wire[at..]);
        at += n;
        c.process(NOW).unwrap();
        if n == 0 {
            stalls += 1;
        }
        // The connection never holds much more than the limit plus one record.
        let mut buf = [0u8; 1000];
        let k = c.read_plaintext(&mut buf);
        got.extend_from_slice(&buf[..k]);
        assert!(stalls < 10_000, "no progress");
    }
    assert_eq!(got, data);
    assert!(stalls > 0, "the buffer limit never applied back-pressure");
}

#[test]
fn reject_unauthorized_off_records_the_reason_and_goes_on() {
    use sanstls::enums::ProtocolVersion;
    let (server, stranger, client) = (pki("ec"), pki("ec"), pki("rsa"));
    for max in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        // Both sides trust only a stranger's certificate.
        let mut cc = client_config(&stranger);
        cc.max_version = max;
        cc.client_certificate = Some(
            ClientCertificate::new(
                vec![client.cert.clone()],
                load_private_key(&client.key).unwrap(),
            )
            .unwrap(),
        );
        let mut sc = server_config(&server);
        sc.client_verifier = Some(Arc::new(
            sanstls_pki::tls::NodeClientVerifier::with_roots(vec![stranger.cert.clone()], true)
                .unwrap(),
        ));
        // Node's default: the handshake fails.
        let mut c = ClientConnection::new(Arc::new(cc.clone()), "localhost", NOW).unwrap();
        let mut s = ServerConnection::new(Arc::new(sc.clone()), NOW).unwrap();
        let (ce, _) = transfer(&mut c, &mut s);
        // (The small built-in verifier finds the stranger's certificate, of the same
        // subject, as the issuer, and its signature fails.)
        let Some(Error::InvalidCertificate(why)) = ce else {
            panic!("{max:?}: {ce:?}");
        };
        // rejectUnauthorized: false on both sides: it completes, each side knows why the
        // other is not authorized, and data flows.
        cc.reject_unauthorized = false;
        sc.reject_unauthorized = false;
        let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(sc), None);
        for side in [c.negotiated(), s.negotiated()] {
            assert_eq!(side.authorization_error, Some(why.clone()), "{max:?}");
            assert_eq!(side.peer_certificates.len(), 1);
        }
        echo(&mut c, &mut s);
    }
}

#[test]
fn crossing_renegotiations_settle_into_one() {
    let p = pki("ec");
    let cc = Arc::new(tls12_client(&[&p], None));
    let (mut c, mut s, _) = handshake(cc, Arc::new(server_config(&p)), None);
    // Both ask at once: the client ignores the HelloRequest that crossed its ClientHello
    // (RFC 5246 s7.4.1.1) and the server takes that ClientHello as the answer.
    events(&mut s);
    c.renegotiate(NOW).unwrap();
    s.renegotiate(NOW).unwrap();
    assert_eq!(transfer(&mut c, &mut s), (None, None));
    assert_eq!(handshakes_completed(&mut c), 1, "one renegotiation");
    assert_eq!(handshakes_completed(&mut s), 1, "one renegotiation");
    echo(&mut c, &mut s);
}

/// A verifier that trusts what `inner` trusts but refuses every TLS 1.2 signature: the
/// handshakes must ask the verifier for those too, not only for TLS 1.3's.
#[derive(Debug)]
struct RefusesTls12Signatures<V>(V);

fn refused() -> Error {
    Error::InvalidCertificate(
        sanstls::error::CertificateError::ApplicationVerificationFailure(
            "TLS 1.2 signature refused by the verifier".into(),
        ),
    )
}

impl<V: sanstls::crypto::verify::ServerCertVerifier> sanstls::crypto::verify::ServerCertVerifier
    for RefusesTls12Signatures<V>
{
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<(), Error> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &[u8],
        _: sanstls::enums::SignatureScheme,
        _: &[u8],
    ) -> Result<(), Error> {
        Err(refused())
    }
}

impl<V: sanstls::crypto::verify::ClientCertVerifier> sanstls::crypto::verify::ClientCertVerifier
    for RefusesTls12Signatures<V>
{
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: UnixTime,
    ) -> Result<(), Error> {
        self.0.verify_client_cert(end_entity, intermediates, now)
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.0.root_hint_subjects()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &[u8],
        _: sanstls::enums::SignatureScheme,
        _: &[u8],
    ) -> Result<(), Error> {
        Err(refused())
    }
}

#[test]
fn tls12_signatures_go_through_the_verifier() {
    let (server, client) = (pki("ec"), pki("rsa"));
    let trusting = |p: &Pki| sanstls_pki::tls::NodeServerVerifier::with_roots(vec![p.cert.clone()]);
    // The client's verifier refuses the ServerKeyExchange signature: the client fails with
    // the verifier's error and tells the server so.
    let mut cc = tls12_client(&[&server], None);
    cc.verifier = Arc::new(RefusesTls12Signatures(trusting(&server).unwrap()));
    let mut c = ClientConnection::new(Arc::new(cc.clone()), "localhost", NOW).unwrap();
    let mut s = ServerConnection::new(Arc::new(server_config(&server)), NOW).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert_eq!(ce, Some(refused()));
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
    // The same verifier leaves TLS 1.3, whose signatures it does not refuse, alone.
    cc.max_version = sanstls::enums::ProtocolVersion::TLSv1_3;
    handshake(Arc::new(cc), Arc::new(server_config(&server)), None);

    // The server's client verifier refuses the client's TLS 1.2 CertificateVerify.
    let mut sc = server_config(&server);
    sc.client_verifier = Some(Arc::new(RefusesTls12Signatures(
        sanstls_pki::tls::NodeClientVerifier::with_roots(vec![client.cert.clone()], true).unwrap(),
    )));
    let cc = tls12_client(&[&server], Some(&client));
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW).unwrap();
    let mut s = ServerConnection::new(Arc::new(sc), NOW).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert_eq!(se, Some(refused()));
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

/// `prefer_client_order` (Node's `honorCipherOrder: false`): the suite is the client's
/// first that we accept, in TLS 1.3 and 1.2; without it, ours.
#[test]
fn suite_choice_follows_the_client_order_when_asked() {
    use sanstls::enums::ProtocolVersion;
    use sanstls::suites::ALL_TLS12_SUITES;
    let p = pki("ec");
    let by_name = |n: &str| {
        *ALL_TLS13_SUITES
            .iter()
            .find(|s| s.openssl_name == n)
            .unwrap()
    };
    let by_name12 = |n: &str| {
        *ALL_TLS12_SUITES
            .iter()
            .find(|s| s.openssl_name == n)
            .unwrap()
    };
    let (aes128, aes256) = (
        by_name("TLS_AES_128_GCM_SHA256"),
        by_name("TLS_AES_256_GCM_SHA384"),
    );
    let (e128, e256) = (
        by_name12("ECDHE-ECDSA-AES128-GCM-SHA256"),
        by_name12("ECDHE-ECDSA-AES256-GCM-SHA384"),
    );
    for (client_first, expect13, expect12) in [(false, aes256, e256), (true, aes128, e128)] {
        let mut sc = server_config(&p);
        sc.cipher_suites = vec![aes256, aes128];
        sc.tls12_cipher_suites = vec![e256, e128];
        sc.prefer_client_order = client_first;
        let sc = Arc::new(sc);
        let mut cc = client_config(&p);
        cc.cipher_suites = vec![aes128, aes256];
        let (c, _, _) = handshake(Arc::new(cc), sc.clone(), None);
        assert_eq!(c.negotiated().cipher_suite, Some(expect13.suite));
        let mut cc = client_config(&p);
        cc.max_version = ProtocolVersion::TLSv1_2;
        cc.tls12_cipher_suites = vec![e128, e256];
        let (c, _, _) = handshake(Arc::new(cc), sc, None);
        assert_eq!(c.negotiated().cipher_suite, Some(expect12.suite));
    }
}

/// `set_key_log` turns the key-log events on for a connection whose configuration has
/// them off (Node's client emits `keylog` once a listener is registered).
#[test]
fn key_log_turned_on_per_connection() {
    let p = pki("ec");
    let cc = Arc::new(client_config(&p));
    assert!(!cc.key_log);
    let mut client = ClientConnection::new(cc, "localhost", NOW).unwrap();
    client.set_key_log(true);
    let mut server = ServerConnection::new(Arc::new(server_config(&p)), NOW).unwrap();
    assert_eq!(transfer(&mut client, &mut server), (None, None));
    let lines = events(&mut client)
        .into_iter()
        .filter(|e| matches!(e, Event::KeyLog(_)))
        .count();
    assert_eq!(lines, 5, "TLS 1.3: five secrets");
    assert!(!events(&mut server)
        .iter()
        .any(|e| matches!(e, Event::KeyLog(_))));
}

/// A deterministic source for both ends: `n` bytes counting from `start`.
fn counting(start: u8) -> Arc<sanstls::rand::ReplayRandom> {
    let pool: Vec<u8> = (0..1 << 16)
        .map(|i: u32| start.wrapping_add((i % 251) as u8 ^ (i >> 8) as u8))
        .collect();
    Arc::new(sanstls::rand::ReplayRandom::new(pool))
}

#[test]
fn x25519mlkem768_between_our_ends() {
    use sanstls::enums::ProtocolVersion;
    let p = pki("ec");
    let hybrid = NamedGroup::X25519MLKEM768;
    // The client offers only the hybrid group; then the server, preferring X25519, still
    // takes the hybrid share it was sent rather than asking for another.
    for server_groups in [
        vec![hybrid, NamedGroup::X25519],
        vec![NamedGroup::X25519, hybrid],
    ] {
        let mut cc = client_config(&p);
        cc.groups = vec![hybrid];
        let mut sc = server_config(&p);
        sc.groups = server_groups;
        let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(sc), None);
        assert_eq!(c.negotiated().group, Some(hybrid));
        assert_eq!(s.negotiated().group, Some(hybrid));
        echo(&mut c, &mut s);
    }
    // A client listing the hybrid group first and X25519 too sends two shares, one X25519
    // key for both: a server without the hybrid group (the classical list) takes the X25519
    // share at once, one preferring it the hybrid share.
    for (server_groups, expected) in [
        (
            sanstls::crypto::kx::SUPPORTED_GROUPS.to_vec(),
            NamedGroup::X25519,
        ),
        (vec![NamedGroup::X25519, hybrid], NamedGroup::X25519),
        (vec![hybrid, NamedGroup::X25519], hybrid),
    ] {
        let mut cc = client_config(&p);
        cc.groups = vec![hybrid, NamedGroup::X25519];
        let mut sc = server_config(&p);
        sc.groups = server_groups;
        let (mut client, mut server, flights, (ce, se)) = recorded(cc, sc);
        assert_eq!((ce, se), (None, None));
        assert!(!flights[1].windows(8).any(|w| w == HRR_RANDOM), "no retry");
        // Both shares' X25519 values are the same 32 bytes.
        let hello = &flights[0];
        let hybrid_x = hello
            .windows(4)
            .position(|w| w == [0x11, 0xec, 0x04, 0xc0])
            .map(|i| &hello[i + 4 + 1184..i + 4 + 1216])
            .expect("a 1216-byte hybrid share");
        let x_share = [&[0x00, 0x1d, 0x00, 0x20][..], hybrid_x].concat();
        assert!(
            hello.windows(36).any(|w| w == x_share),
            "the same X25519 key"
        );
        assert_eq!(client.negotiated().group, Some(expected));
        assert_eq!(server.negotiated().group, Some(expected));
        echo(&mut client, &mut server);
    }
    // TLS 1.2 has no hybrid group: both ends fall back to X25519. (P-256 is listed for
    // the certificate's curve, RFC 8422 s5.1.)
    let mut cc = client_config(&p);
    cc.groups = vec![hybrid, NamedGroup::X25519, NamedGroup::secp256r1];
    cc.max_version = ProtocolVersion::TLSv1_2;
    let mut sc = server_config(&p);
    sc.groups = vec![hybrid, NamedGroup::X25519];
    let (mut c, mut s, _) = handshake(Arc::new(cc), Arc::new(sc), None);
    assert_eq!(c.negotiated().version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(s.negotiated().group, Some(NamedGroup::X25519));
    echo(&mut c, &mut s);
}

/// The HelloRetryRequest random (RFC 8446 s4.1.3).
const HRR_RANDOM: [u8; 8] = [0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11];

#[test]
fn hello_retry_request_to_x25519mlkem768() {
    let p = pki("ec");
    let hybrid = NamedGroup::X25519MLKEM768;
    // The client sends an X25519 share but lists the hybrid group; the server prefers it.
    let mut cc = client_config(&p);
    cc.groups = vec![NamedGroup::X25519, hybrid];
    let mut sc = server_config(&p);
    sc.groups = vec![hybrid, NamedGroup::X25519];
    let (mut client, mut server, flights, (ce, se)) = recorded(cc, sc);
    assert_eq!((ce, se), (None, None));
    assert!(!client.is_handshaking() && !server.is_handshaking());
    let retried = flights[1].windows(8).any(|w| w == HRR_RANDOM);
    assert!(retried, "the server's first flight is a HelloRetryRequest");
    // The second ClientHello carries the 1216-byte hybrid share.
    assert!(flights[2].len() > 1216);
    assert_eq!(client.negotiated().group, Some(hybrid));
    assert_eq!(server.negotiated().group, Some(hybrid));
    echo(&mut client, &mut server);

    // Without the hybrid group in the client's list, no retry: X25519 as before.
    let mut cc = client_config(&p);
    cc.groups = vec![NamedGroup::X25519];
    let mut sc = server_config(&p);
    sc.groups = vec![hybrid, NamedGroup::X25519];
    let (c, _, _) = handshake(Arc::new(cc), Arc::new(sc), None);
    assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
}

#[test]
fn x25519mlkem768_handshake_replays_byte_for_byte() {
    // Ed25519 signatures are deterministic, so with both random sources replayed every
    // byte on the wire is too.
    let p = pki("ed25519");
    let run = |client_seed: u8, server_seed: u8| {
        let mut cc = client_config(&p);
        cc.groups = vec![NamedGroup::X25519, NamedGroup::X25519MLKEM768];
        cc.random = counting(client_seed);
        let key = load_private_key(&p.key).unwrap();
        let mut sc = ServerConfig::new(vec![CertifiedKey::new(vec![p.cert.clone()], key).unwrap()]);
        sc.groups = vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519];
        sc.random = counting(server_seed);
        let (client, _server, flights, (ce, se)) = recorded(cc, sc);
        assert_eq!((ce, se), (None, None));
        assert_eq!(client.negotiated().group, Some(NamedGroup::X25519MLKEM768));
        flights
    };
    let first = run(1, 2);
    assert!(first.len() >= 4, "with a HelloRetryRequest");
    assert_eq!(first, run(1, 2));
    assert_ne!(first, run(1, 3));
}

/// The NIST-curve hybrids with their ECDH group and share lengths (client, server):
/// the point first, then the ML-KEM encapsulation key or ciphertext.
const NIST_HYBRIDS: [(NamedGroup, NamedGroup, usize, usize); 2] = [
    (
        NamedGroup::SecP256r1MLKEM768,
        NamedGroup::secp256r1,
        65 + 1184,
        65 + 1088,
    ),
    (
        NamedGroup::SecP384r1MLKEM1024,
        NamedGroup::secp384r1,
        97 + 1568,
        97 + 1568,
    ),
];

/// The key_share entry of `group` in a flight, found by its group and length.
fn share_in(flight: &[u8], group: NamedGroup, len: usize) -> Option<&[u8]> {
    let head = [u16::from(group).to_be_bytes(), (len as u16).to_be_bytes()].concat();
    let at = flight.windows(4).position(|w| w == head)?;
    flight.get(at + 4..at + 4 + len)
}

#[test]
fn nist_hybrids_between_our_ends() {
    let p = pki("ec");
    for (hybrid, ecdh, client_len, server_len) in NIST_HYBRIDS {
        // Offered alone, each end configured with it: the hybrid, the point first.
        let mut cc = client_config(&p);
        cc.groups = vec![hybrid];
        let mut sc = server_config(&p);
        sc.groups = vec![NamedGroup::X25519, hybrid];
        let (mut client, mut server, flights, (ce, se)) = recorded(cc, sc);
        assert_eq!((ce, se), (None, None), "{hybrid:?}");
        let ours = share_in(&flights[0], hybrid, client_len).expect("the client's share");
        assert_eq!(ours[0], 4, "an uncompressed point first");
        let theirs = share_in(&flights[1], hybrid, server_len).expect("the server's share");
        assert_eq!(theirs[0], 4);
        assert_eq!(client.negotiated().group, Some(hybrid));
        assert_eq!(server.negotiated().group, Some(hybrid));
        echo(&mut client, &mut server);

        // Listed with its ECDH group: two shares from one ECDH key; a server without the
        // hybrid takes the classical share at once, one preferring it the hybrid.
        for (server_groups, expected) in [
            (sanstls::crypto::kx::SUPPORTED_GROUPS.to_vec(), ecdh),
            (vec![hybrid, ecdh], hybrid),
        ] {
            let mut cc = client_config(&p);
            cc.groups = vec![hybrid, ecdh];
            let mut sc = server_config(&p);
            sc.groups = server_groups;
            let (mut client, mut server, flights, (ce, se)) = recorded(cc, sc);
            assert_eq!((ce, se), (None, None));
            assert!(!flights[1].windows(8).any(|w| w == HRR_RANDOM), "no retry");
            let point_len = client_len - if client_len > 1300 { 1568 } else { 1184 };
            let hybrid_share = share_in(&flights[0], hybrid, client_len).unwrap();
            let alone = share_in(&flights[0], ecdh, point_len).expect("the ECDH share");
            assert_eq!(&hybrid_share[..point_len], alone, "the same ECDH key");
            assert_eq!(client.negotiated().group, Some(expected));
            assert_eq!(server.negotiated().group, Some(expected));
            echo(&mut client, &mut server);
        }

        // Not in the defaults: a default server asks the client for a classical share.
        let mut cc = client_config(&p);
        cc.groups = vec![hybrid, NamedGroup::X25519];
        let (c, s, _) = handshake(Arc::new(cc), Arc::new(server_config(&p)), None);
        assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
        assert_eq!(s.negotiated().group, Some(NamedGroup::X25519));
    }
}

#[test]
fn hello_retry_request_to_each_nist_hybrid() {
    let p = pki("ec");
    for (hybrid, ecdh, client_len, _) in NIST_HYBRIDS {
        // The client sends only its classical share but lists the hybrid; the server
        // prefers the hybrid and asks for its share.
        let mut cc = client_config(&p);
        cc.groups = vec![ecdh, hybrid];
        let mut sc = server_config(&p);
        sc.groups = vec![hybrid, ecdh];
        let (mut client, mut server, flights, (ce, se)) = recorded(cc, sc);
        assert_eq!((ce, se), (None, None), "{hybrid:?}");
        assert!(share_in(&flights[0], hybrid, client_len).is_none());
        let retried = flights[1].windows(8).any(|w| w == HRR_RANDOM);
        assert!(retried, "the server's first flight is a HelloRetryRequest");
        assert!(share_in(&flights[2], hybrid, client_len).is_some());
        assert_eq!(client.negotiated().group, Some(hybrid));
        assert_eq!(server.negotiated().group, Some(hybrid));
        echo(&mut client, &mut server);
    }
}
