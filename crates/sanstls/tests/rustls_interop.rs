//! Our TLS 1.3 client and server against rustls 0.23, in memory: its ring provider, and its
//! aws-lc-rs provider for the post-quantum hybrid X25519MLKEM768.
//!
//! The PKI is a real two-level one, the committed `vectors/pki/bench` (a CA and a leaf for
//! localhost signed by it), because rustls, like browsers, will not take a self-signed CA
//! certificate as an end-entity certificate.

use std::io::Write;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use sanstls::crypto::sign::load_private_key;
use sanstls::enums::{CipherSuite, NamedGroup};
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::suites::ALL_TLS13_SUITES;
use sanstls::{ClientConfig, ClientConnection, Connection, Event};
use sanstls_test::pair::NOW;

/// The ECDSA P-256 PKI of `vectors/pki/bench`: a CA and a localhost leaf it signed, valid
/// for 100 years.
type Pki = sanstls_test::fixtures::Bench;

fn pki() -> Pki {
    sanstls_test::fixtures::bench("ecdsa")
}

/// TLS 1.3 alone, for rustls's builders.
const TLS13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn rustls_server(pki: &Pki, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    rustls_server_versions(pki, alpn, TLS13)
}

fn rustls_server_versions(
    pki: &Pki,
    alpn: &[&[u8]],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ServerConfig> {
    rustls_server_with(provider(), pki, alpn, versions)
}

/// A rustls server with `provider`'s cryptography for `pki`'s leaf.
fn rustls_server_with(
    provider: Arc<rustls::crypto::CryptoProvider>,
    pki: &Pki,
    alpn: &[&[u8]],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ServerConfig> {
    let mut c = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(pki.leaf.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key.clone())),
        )
        .unwrap();
    c.alpn_protocols = alpn.iter().map(|a| a.to_vec()).collect();
    Arc::new(c)
}

fn rustls_client(pki: &Pki) -> Arc<rustls::ClientConfig> {
    rustls_client_versions(pki, TLS13)
}

fn rustls_client_versions(
    pki: &Pki,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    rustls_client_with(provider(), pki, versions)
}

/// A rustls client with `provider`'s cryptography, trusting `pki`'s CA.
fn rustls_client_with(
    provider: Arc<rustls::crypto::CryptoProvider>,
    pki: &Pki,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(pki.ca.clone())).unwrap();
    let c = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(c)
}

fn our_server(pki: &Pki) -> Arc<ServerConfig> {
    let key = load_private_key(&pki.key).unwrap();
    let mut c = ServerConfig::new(vec![CertifiedKey::new(vec![pki.leaf.clone()], key).unwrap()]);
    c.ticketer = Some(Arc::new(Ticketer::new(c.random.as_ref()).unwrap()));
    Arc::new(c)
}

fn our_client(pki: &Pki) -> ClientConfig {
    ClientConfig::new(Arc::new(
        sanstls_pki::tls::NodeServerVerifier::with_roots(vec![pki.ca.clone()]).unwrap(),
    ))
}

/// Moves bytes between our connection and a rustls one until both are quiet.
fn transfer(ours: &mut Connection, theirs: &mut dyn RustlsSide) {
    for _ in 0..32 {
        let mut moved = false;
        let mut buf = Vec::new();
        ours.write_tls(&mut buf);
        if !buf.is_empty() {
            moved = true;
            let mut rd = &buf[..];
            while !rd.is_empty() {
                theirs.feed(&mut rd);
                theirs.run();
            }
        }
        let mut out = Vec::new();
        while theirs.has_output() {
            theirs.drain(&mut out);
        }
        if !out.is_empty() {
            moved = true;
            let mut rest = &out[..];
            while !rest.is_empty() {
                let n = ours.read_tls(rest);
                rest = &rest[n..];
                ours.process(NOW).unwrap();
            }
        }
        if !moved {
            return;
        }
    }
}

/// The parts of rustls's client and server connections `transfer` needs.
trait RustlsSide {
    fn feed(&mut self, rd: &mut &[u8]);
    fn run(&mut self);
    fn has_output(&self) -> bool;
    fn drain(&mut self, out: &mut Vec<u8>);
}

macro_rules! rustls_side {
    ($t:ty) => {
        impl RustlsSide for $t {
            fn feed(&mut self, rd: &mut &[u8]) {
                self.read_tls(rd).expect("rustls read_tls");
            }
            fn run(&mut self) {
                self.process_new_packets()
                    .expect("rustls refused our bytes");
            }
            fn has_output(&self) -> bool {
                self.wants_write()
            }
            fn drain(&mut self, out: &mut Vec<u8>) {
                self.write_tls(out).expect("rustls write_tls");
            }
        }
    };
}

rustls_side!(rustls::ClientConnection);
rustls_side!(rustls::ServerConnection);

fn read_all_rustls(conn: &mut dyn std::io::Read) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => return out,
        }
    }
}

fn ours_read(c: &mut Connection) -> Vec<u8> {
    let mut out = vec![0u8; 4096];
    let n = c.read_plaintext(&mut out);
    out.truncate(n);
    out
}

#[test]
fn our_client_against_rustls_server() {
    let pki = pki();
    let server_config = rustls_server(&pki, &[b"h2"]);
    for suite in ALL_TLS13_SUITES {
        for group in [
            NamedGroup::X25519,
            NamedGroup::secp256r1,
            NamedGroup::secp384r1,
        ] {
            let mut config = our_client(&pki);
            config.cipher_suites = vec![*suite];
            config.groups = vec![group];
            config.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
            let mut ours = ClientConnection::new(Arc::new(config), "localhost", NOW).unwrap();
            let mut theirs = rustls::ServerConnection::new(server_config.clone()).unwrap();
            transfer(&mut ours, &mut theirs);
            assert!(!ours.is_handshaking() && !theirs.is_handshaking());
            assert_eq!(ours.negotiated().cipher_suite, Some(suite.suite));
            assert_eq!(ours.negotiated().group, Some(group));
            assert_eq!(ours.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
            assert_eq!(
                theirs
                    .negotiated_cipher_suite()
                    .map(|s| u16::from(s.suite())),
                Some(suite.suite.to_int())
            );
            exchange_data(&mut ours, &mut theirs);
        }
    }
}

#[test]
fn our_client_resumes_with_rustls_tickets() {
    let pki = pki();
    let server_config = rustls_server(&pki, &[]);
    let config = Arc::new(our_client(&pki));
    let mut ours = ClientConnection::new(config.clone(), "localhost", NOW).unwrap();
    let mut theirs = rustls::ServerConnection::new(server_config.clone()).unwrap();
    transfer(&mut ours, &mut theirs);
    let chain = ours.negotiated().peer_certificates.clone();
    assert_eq!(chain.len(), 1);
    let session = std::iter::from_fn(|| ours.poll_event())
        .find_map(|e| match e {
            Event::NewSessionTicket(s) => Some(s),
            _ => None,
        })
        .expect("rustls sends tickets");
    let mut ours = ClientConnection::resume(config, "localhost", Some(session), NOW).unwrap();
    let mut theirs = rustls::ServerConnection::new(server_config).unwrap();
    transfer(&mut ours, &mut theirs);
    assert!(!ours.is_handshaking());
    assert!(ours.negotiated().resumed);
    // No certificate crosses the wire on resumption; the session's chain is reported.
    assert_eq!(ours.negotiated().peer_certificates, chain);
    assert_eq!(ours.negotiated().authorization_error, None);
}

#[test]
fn rustls_client_against_our_server() {
    let pki = pki();
    let server = our_server(&pki);
    let client_config = rustls_client(&pki);
    for i in 0..3 {
        let mut ours = ServerConnection::new(server.clone(), NOW).unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let mut theirs = rustls::ClientConnection::new(client_config.clone(), name).unwrap();
        theirs.writer().write_all(b"ping").unwrap();
        transfer(&mut ours, &mut theirs);
        assert!(!ours.is_handshaking() && !theirs.is_handshaking());
        // rustls keeps our tickets in its config's session store: later connections resume.
        assert_eq!(ours.negotiated().resumed, i > 0, "connection {i}");
        assert_eq!(ours.negotiated().server_name.as_deref(), Some("localhost"));
        assert_eq!(ours_read(&mut ours), b"ping");
        ours.send(b"pong").unwrap();
        transfer(&mut ours, &mut theirs);
        assert_eq!(read_all_rustls(&mut theirs.reader()), b"pong");
        assert_eq!(
            theirs
                .negotiated_cipher_suite()
                .map(|s| u16::from(s.suite())),
            Some(CipherSuite::TLS13_AES_256_GCM_SHA384.to_int())
        );
    }
}

#[test]
fn tls12_both_ways_with_rustls() {
    use sanstls::enums::ProtocolVersion;
    let pki = pki();
    let tls12: &[&'static rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];

    // Our client, rustls server.
    let server_config = rustls_server_versions(&pki, &[b"h2"], tls12);
    let mut config = our_client(&pki);
    config.alpn_protocols = vec![b"h2".to_vec()];
    let mut ours = ClientConnection::new(Arc::new(config), "localhost", NOW).unwrap();
    let mut theirs = rustls::ServerConnection::new(server_config).unwrap();
    transfer(&mut ours, &mut theirs);
    assert!(!ours.is_handshaking() && !theirs.is_handshaking());
    assert_eq!(ours.negotiated().version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(ours.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
    ours.send(b"hello rustls").unwrap();
    transfer(&mut ours, &mut theirs);
    assert_eq!(read_all_rustls(&mut theirs.reader()), b"hello rustls");
    let mut a = [0u8; 32];
    ours.export_keying_material(b"EXPORTER-x", Some(b"ctx"), &mut a)
        .unwrap();
    let b = theirs
        .export_keying_material([0u8; 32], b"EXPORTER-x", Some(b"ctx"))
        .unwrap();
    assert_eq!(a, b, "RFC 5705 exporters agree");

    // rustls client, our server.
    let mut ours = ServerConnection::new(our_server(&pki), NOW).unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut theirs =
        rustls::ClientConnection::new(rustls_client_versions(&pki, tls12), name).unwrap();
    theirs.writer().write_all(b"ping").unwrap();
    transfer(&mut ours, &mut theirs);
    assert!(!ours.is_handshaking() && !theirs.is_handshaking());
    assert_eq!(ours.negotiated().version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(ours_read(&mut ours), b"ping");
    ours.send(b"pong").unwrap();
    transfer(&mut ours, &mut theirs);
    assert_eq!(read_all_rustls(&mut theirs.reader()), b"pong");
}

/// Records sealed and opened in our caller's buffers (`seal_in_place`, `open_in_place`)
/// against rustls's ordinary path, with a KeyUpdate and close_notify from rustls arriving
/// in place.
#[test]
fn in_place_records_with_rustls() {
    use sanstls::enums::ProtocolVersion;
    let pki = pki();
    let versions: [(&'static rustls::SupportedProtocolVersion, _); 2] = [
        (&rustls::version::TLS12, ProtocolVersion::TLSv1_2),
        (&rustls::version::TLS13, ProtocolVersion::TLSv1_3),
    ];
    let data: Vec<u8> = (0..40_000).map(|i| (i % 253) as u8).collect();
    for (theirs_version, version) in versions {
        let server_config = rustls_server_versions(&pki, &[], &[theirs_version]);
        let mut ours = ClientConnection::new(Arc::new(our_client(&pki)), "localhost", NOW).unwrap();
        let mut theirs = rustls::ServerConnection::new(server_config).unwrap();
        transfer(&mut ours, &mut theirs);
        assert_eq!(ours.negotiated().version, Some(version));
        while ours.poll_event().is_some() {}

        // Ours to rustls: each record sealed around plaintext written into our buffer.
        let layout = ours.seal_layout().expect("established");
        let mut wire = Vec::new();
        for piece in data.chunks(layout.max_plaintext) {
            let mut buf = vec![0; layout.buffer_len(piece.len())];
            buf[layout.plaintext(piece.len())].copy_from_slice(piece);
            let n = ours.seal_in_place(&mut buf, piece.len()).unwrap();
            wire.extend_from_slice(&buf[..n]);
        }
        let mut rd = &wire[..];
        let mut got = Vec::new();
        while !rd.is_empty() {
            theirs.feed(&mut rd);
            theirs.run();
            got.extend(read_all_rustls(&mut theirs.reader()));
        }
        assert_eq!(got, data, "{version:?}: rustls read our in-place records");

        // rustls to ours: opened where they arrived, offered in 1000-byte steps.
        theirs.writer().write_all(&data).unwrap();
        if version == ProtocolVersion::TLSv1_3 {
            theirs.refresh_traffic_keys().unwrap();
            theirs.writer().write_all(b"under new keys").unwrap();
        }
        theirs.send_close_notify();
        let mut wire = Vec::new();
        while theirs.has_output() {
            theirs.drain(&mut wire);
        }
        let (mut at, mut received, mut plain) = (0, 0, Vec::new());
        while at < wire.len() {
            received = (received + 1000).min(wire.len()).max(at);
            let opened = ours.open_in_place(&mut wire[at..received], NOW).unwrap();
            plain.extend_from_slice(&wire[at..][opened.plaintext]);
            at += opened.consumed;
        }
        let mut expected = data.clone();
        let events: Vec<Event> = std::iter::from_fn(|| ours.poll_event()).collect();
        if version == ProtocolVersion::TLSv1_3 {
            expected.extend_from_slice(b"under new keys");
            // rustls asks us to update too: our KeyUpdate is queued, and goes before any
            // record sealed in place.
            assert!(events.contains(&Event::KeyUpdated {
                update_requested: true
            }));
        }
        assert_eq!(
            plain, expected,
            "{version:?}: we read rustls's records in place"
        );
        assert!(events.contains(&Event::PeerClosed), "{version:?}");
        assert!(ours.peer_closed());
        if version == ProtocolVersion::TLSv1_3 {
            let mut buf = vec![0; layout.buffer_len(4)];
            assert!(ours.seal_in_place(&mut buf, 4).is_err(), "KeyUpdate first");
            let mut update = Vec::new();
            ours.write_tls(&mut update);
            let mut rd = &update[..];
            theirs.feed(&mut rd);
            theirs.run();
            buf[layout.plaintext(4)].copy_from_slice(b"bye!");
            let n = ours.seal_in_place(&mut buf, 4).unwrap();
            let mut rd = &buf[..n];
            theirs.feed(&mut rd);
            theirs.run();
            assert_eq!(read_all_rustls(&mut theirs.reader()), b"bye!");
        }
    }
}

/// rustls's aws-lc-rs provider: the one with the post-quantum hybrids, X25519MLKEM768 first
/// among its defaults. `groups` replaces its key exchange groups when given.
fn aws_lc_provider(
    groups: Option<Vec<&'static dyn rustls::crypto::SupportedKxGroup>>,
) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = rustls::crypto::aws_lc_rs::default_provider();
    if let Some(groups) = groups {
        p.kx_groups = groups;
    }
    Arc::new(p)
}

/// Data both ways and the same exporter on both sides (RFC 8446 s7.5): both key schedules
/// took the same shared secret (for the hybrid, ML-KEM's then X25519's,
/// draft-ietf-tls-ecdhe-mlkem s3).
fn exchange_data(
    ours: &mut Connection,
    theirs: &mut (impl RustlsSide + std::ops::DerefMut<Target = rustls::ConnectionCommon<impl Sized>>),
) {
    ours.send(b"post-quantum hello").unwrap();
    transfer(ours, theirs);
    assert_eq!(read_all_rustls(&mut theirs.reader()), b"post-quantum hello");
    theirs.writer().write_all(b"and back").unwrap();
    transfer(ours, theirs);
    assert_eq!(ours_read(ours), b"and back");
    let mut mine = [0u8; 32];
    ours.export_keying_material(b"EXPORTER-pq", Some(b"ctx"), &mut mine)
        .unwrap();
    let theirs_ekm = theirs
        .export_keying_material([0u8; 32], b"EXPORTER-pq", Some(b"ctx"))
        .unwrap();
    assert_eq!(mine, theirs_ekm);
}

/// Our default client and rustls's default aws-lc-rs server agree on X25519MLKEM768 from
/// the first flight; with a server that takes only the hybrid, a client whose first share
/// is X25519 gets there through a HelloRetryRequest.
#[test]
fn our_client_negotiates_x25519mlkem768_with_rustls_aws_lc() {
    use rustls::crypto::aws_lc_rs::kx_group;
    let pki = pki();
    let cases = [
        (
            None,
            sanstls::crypto::kx::DEFAULT_GROUPS.to_vec(),
            rustls::HandshakeKind::Full,
        ),
        (
            Some(vec![kx_group::X25519MLKEM768]),
            vec![NamedGroup::X25519, NamedGroup::X25519MLKEM768],
            rustls::HandshakeKind::FullWithHelloRetryRequest,
        ),
    ];
    for (server_groups, our_groups, kind) in cases {
        let server = rustls_server_with(aws_lc_provider(server_groups), &pki, &[], TLS13);
        let mut config = our_client(&pki);
        config.groups = our_groups;
        let mut ours = ClientConnection::new(Arc::new(config), "localhost", NOW).unwrap();
        let mut theirs = rustls::ServerConnection::new(server).unwrap();
        transfer(&mut ours, &mut theirs);
        assert!(!ours.is_handshaking() && !theirs.is_handshaking());
        assert_eq!(ours.negotiated().group, Some(NamedGroup::X25519MLKEM768));
        let group = theirs
            .negotiated_key_exchange_group()
            .map(|g| u16::from(g.name()));
        assert_eq!(group, Some(0x11ec));
        assert_eq!(theirs.handshake_kind(), Some(kind));
        exchange_data(&mut ours, &mut theirs);
    }
}

/// rustls's default aws-lc-rs client (two shares: X25519MLKEM768 and X25519) gets the hybrid
/// from our default server; a rustls client listing the hybrid after X25519 (one X25519
/// share) is asked for the hybrid's share, which our server prefers; and a server that does
/// not want the hybrid takes the X25519 share without a retry.
#[test]
fn rustls_aws_lc_client_negotiates_x25519mlkem768_with_our_server() {
    use rustls::crypto::aws_lc_rs::kx_group;
    let pki = pki();
    let cases = [
        (
            None,
            None,
            NamedGroup::X25519MLKEM768,
            rustls::HandshakeKind::Full,
        ),
        (
            Some(vec![kx_group::X25519, kx_group::X25519MLKEM768]),
            None,
            NamedGroup::X25519MLKEM768,
            rustls::HandshakeKind::FullWithHelloRetryRequest,
        ),
        (
            None,
            Some(vec![NamedGroup::X25519]),
            NamedGroup::X25519,
            rustls::HandshakeKind::Full,
        ),
    ];
    for (client_groups, server_groups, group, kind) in cases {
        let client = rustls_client_with(aws_lc_provider(client_groups), &pki, TLS13);
        let mut server = (*our_server(&pki)).clone();
        if let Some(g) = server_groups {
            server.groups = g;
        }
        let mut ours = ServerConnection::new(Arc::new(server), NOW).unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let mut theirs = rustls::ClientConnection::new(client, name).unwrap();
        transfer(&mut ours, &mut theirs);
        assert!(!ours.is_handshaking() && !theirs.is_handshaking());
        assert_eq!(ours.negotiated().group, Some(group));
        let theirs_group = theirs
            .negotiated_key_exchange_group()
            .map(|g| u16::from(g.name()));
        assert_eq!(theirs_group, Some(u16::from(group)));
        assert_eq!(theirs.handshake_kind(), Some(kind), "{group:?}");
        exchange_data(&mut ours, &mut theirs);
    }
}

/// TLS 1.3 0-RTT from our client to rustls's server, which accepts early data with its
/// stateful session cache (it refuses it on stateless tickets).
#[test]
fn our_client_early_data_to_rustls() {
    let pki = pki();
    let mut server = (*rustls_server(&pki, &[])).clone();
    server.max_early_data_size = 16384;
    let server = Arc::new(server);
    let mut config = our_client(&pki);
    config.enable_early_data = true;
    let config = Arc::new(config);
    let mut ours = ClientConnection::new(config.clone(), "localhost", NOW).unwrap();
    let mut theirs = rustls::ServerConnection::new(server.clone()).unwrap();
    transfer(&mut ours, &mut theirs);
    let session = std::iter::from_fn(|| ours.poll_event())
        .find_map(|e| match e {
            Event::NewSessionTicket(s) => Some(s),
            _ => None,
        })
        .expect("rustls sends tickets");
    assert_eq!(session.max_early_data(), Some(16384));
    let mut ours = ClientConnection::resume(config, "localhost", Some(session), NOW).unwrap();
    ours.send(b"early ping").unwrap();
    let mut theirs = rustls::ServerConnection::new(server).unwrap();
    transfer(&mut ours, &mut theirs);
    assert!(!ours.is_handshaking() && ours.negotiated().resumed);
    let events: Vec<Event> = std::iter::from_fn(|| ours.poll_event()).collect();
    assert!(events.contains(&Event::EarlyDataAccepted(10)), "{events:?}");
    let mut early = theirs.early_data().expect("rustls accepted early data");
    assert_eq!(read_all_rustls(&mut early), b"early ping");
}

/// TLS 1.3 0-RTT from rustls's client to our server.
#[test]
fn rustls_client_early_data_to_our_server() {
    let pki = pki();
    let key = load_private_key(&pki.key).unwrap();
    let mut server =
        ServerConfig::new(vec![CertifiedKey::new(vec![pki.leaf.clone()], key).unwrap()]);
    server.ticketer = Some(Arc::new(Ticketer::new(server.random.as_ref()).unwrap()));
    server.enable_early_data(16384, NOW);
    let server = Arc::new(server);
    let mut client = (*rustls_client(&pki)).clone();
    client.enable_early_data = true;
    let client = Arc::new(client);
    let name = ServerName::try_from("localhost").unwrap();
    let mut ours = ServerConnection::new(server.clone(), NOW).unwrap();
    let mut theirs = rustls::ClientConnection::new(client.clone(), name.clone()).unwrap();
    transfer(&mut ours, &mut theirs);
    assert!(!ours.is_handshaking() && !ours.negotiated().resumed);
    let mut ours = ServerConnection::new(server, NOW).unwrap();
    let mut theirs = rustls::ClientConnection::new(client, name).unwrap();
    theirs
        .early_data()
        .expect("our ticket allows early data")
        .write_all(b"early ping")
        .unwrap();
    transfer(&mut ours, &mut theirs);
    assert!(!ours.is_handshaking() && ours.negotiated().resumed);
    assert!(theirs.is_early_data_accepted());
    assert!(ours.early_data_accepted());
    let early: Vec<u8> = std::iter::from_fn(|| ours.poll_event())
        .filter_map(|e| match e {
            Event::EarlyData(d) => Some(d),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(early, b"early ping");
}
