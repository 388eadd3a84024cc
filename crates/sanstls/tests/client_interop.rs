//! The TLS 1.3 client engine against real servers written by others: `openssl s_server`
//! (every suite × group, HelloRetryRequest, ALPN, RSA/ECDSA/Ed25519 certificates, client
//! certificates, OCSP stapling, resumption, KeyUpdate) and GnuTLS's `gnutls-serv`.
//!
//! Each test starts its own server on a free loopback port and drives a `ClientConnection`
//! over a blocking socket with the loop of docs/engine.md (`sanstls_test::drive`, bounded
//! in time).

// Tests embed the engine like an application: they read the clock for `now` and timeouts.
#![allow(clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sanstls::client::{ClientCertificate, ClientConfig, ClientConnection, StoredSession};
use sanstls::crypto::sign::load_private_key;
use sanstls::crypto::verify::InsecureAcceptAnything;
use sanstls::enums::{AlertDescription, CipherSuite, NamedGroup};
use sanstls::error::CertificateError;
use sanstls::suites::{
    Tls13CipherSuite, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256,
};
use sanstls::{Error, Event};
use sanstls_test::drive::{drive, Outcome};
use sanstls_test::net::free_port;
use sanstls_test::openssl::pem_to_der;
use sanstls_test::peers::{connect, now, read_log, spawn_logged, Peer};
use sanstls_test::TempDir;
use sanstls_test::{openssl, peers};

struct Server {
    peer: Peer,
    port: u16,
    dir: TempDir,
    tag: &'static str,
}

/// Starts `openssl s_server -tls1_3 -www` with the certificate of `kind` and `extra` args.
fn s_server(kind: &str, extra: &[&str]) -> (Server, Vec<u8>) {
    s_server_version("-tls1_3", kind, extra)
}

/// `openssl s_server <version> -www` with the certificate of `kind` and `extra` args.
fn s_server_version(version: &str, kind: &str, extra: &[&str]) -> (Server, Vec<u8>) {
    let dir = TempDir::new(&format!("client-interop-{kind}{version}"));
    let (cert, key) = openssl::self_signed(&dir, kind);
    let port = free_port();
    let port_s = port.to_string();
    let (cert_s, key_s) = (
        cert.to_str().unwrap().to_string(),
        key.to_str().unwrap().to_string(),
    );
    let mut args = vec![
        "s_server", version, "-www", "-accept", &port_s, "-cert", &cert_s, "-key", &key_s,
        "-naccept", "4",
    ];
    args.extend_from_slice(extra);
    let peer = spawn_logged(&dir, "s_server", "openssl", &args);
    let root = pem_to_der(&cert);
    (
        Server {
            peer,
            port,
            dir,
            tag: "s_server",
        },
        root,
    )
}

fn config_for(root: Vec<u8>) -> ClientConfig {
    ClientConfig::new(Arc::new(
        sanstls_pki::tls::NodeServerVerifier::with_roots(vec![root]).unwrap(),
    ))
}

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// One HTTP request over a new connection; returns the outcome and the connection.
fn fetch(
    server: &mut Server,
    config: Arc<ClientConfig>,
    session: Option<StoredSession>,
) -> (Outcome, ClientConnection) {
    let mut sock = connect(server.port, &mut server.peer);
    let mut conn = ClientConnection::resume(config, "localhost", session, now()).unwrap();
    conn.send(GET).unwrap();
    let o = drive(&mut conn, &mut sock, |_, _| false);
    (o, conn)
}

fn page(o: &Outcome) -> String {
    String::from_utf8_lossy(&o.plaintext).into_owned()
}

#[test]
fn every_suite_and_group_against_openssl() {
    let suites: [&'static Tls13CipherSuite; 3] = [
        &TLS13_AES_128_GCM_SHA256,
        &TLS13_AES_256_GCM_SHA384,
        &TLS13_CHACHA20_POLY1305_SHA256,
    ];
    for suite in suites {
        let groups = [
            NamedGroup::X25519,
            NamedGroup::secp256r1,
            NamedGroup::secp384r1,
        ];
        let names = ["X25519", "P-256", "P-384"];
        for (group, name) in groups.into_iter().zip(names) {
            let (mut server, root) = s_server(
                "ec",
                &["-ciphersuites", suite.openssl_name, "-groups", name],
            );
            let mut config = config_for(root);
            config.cipher_suites = vec![suite];
            config.groups = vec![group];
            let (o, conn) = fetch(&mut server, Arc::new(config), None);
            assert_eq!(
                o.error,
                None,
                "{} {name}: {}",
                suite.openssl_name,
                read_log(&server.dir, server.tag)
            );
            assert!(o.events.contains(&Event::HandshakeComplete));
            let n = conn.negotiated();
            assert_eq!(n.cipher_suite, Some(suite.suite));
            assert_eq!(n.group, Some(group));
            let text = page(&o);
            assert!(text.contains("HTTP/1.0 200 ok"), "{text}");
            assert!(
                text.contains(&format!("Cipher is {}", suite.openssl_name)),
                "{text}"
            );
        }
    }
}

/// secp521r1 and a P-521 certificate (ecdsa-with-SHA512) against `openssl s_server -groups
/// P-521`, TLS 1.3 and 1.2, with a P-521 client certificate too (the server asks with
/// `-Verify`): both our handshake signatures and the server's are ECDSA P-521.
#[test]
fn p521_groups_and_certificates_against_openssl() {
    use sanstls::enums::ProtocolVersion;
    let dir = TempDir::new("client-interop-p521-client");
    let (client_cert, client_key) = openssl::self_signed(&dir, "ec521");
    let ca = client_cert.to_str().unwrap().to_string();
    for (version, expected) in [
        ("-tls1_3", ProtocolVersion::TLSv1_3),
        ("-tls1_2", ProtocolVersion::TLSv1_2),
    ] {
        let (mut server, root) = s_server_version(
            version,
            "ec521",
            &["-groups", "P-521", "-Verify", "1", "-CAfile", &ca],
        );
        let mut config = config_for(root);
        config.client_certificate = Some(
            ClientCertificate::new(
                vec![pem_to_der(&client_cert)],
                load_private_key(&openssl::key_der(&client_key)).unwrap(),
            )
            .unwrap(),
        );
        let (o, conn) = fetch(&mut server, Arc::new(config), None);
        assert_eq!(
            o.error,
            None,
            "{version}: {}",
            read_log(&server.dir, server.tag)
        );
        let n = conn.negotiated();
        assert_eq!(n.version, Some(expected));
        assert_eq!(n.group, Some(NamedGroup::secp521r1));
        let text = page(&o);
        assert!(text.contains("HTTP/1.0 200 ok"), "{text}");
        // s_server -www prints the client's certificate when it verified one.
        assert!(text.contains("Client certificate"), "{text}");
    }
}

#[test]
fn rsa_and_ed25519_certificates_against_openssl() {
    for kind in ["rsa", "ed25519"] {
        let (mut server, root) = s_server(kind, &[]);
        let (o, conn) = fetch(&mut server, Arc::new(config_for(root)), None);
        assert_eq!(o.error, None, "{kind}");
        assert!(page(&o).contains("TLSv1.3"));
        assert_eq!(conn.negotiated().peer_certificates.len(), 1);
    }
}

#[test]
fn hello_retry_request_when_the_server_wants_another_group() {
    let (mut server, root) = s_server("ec", &["-groups", "P-256"]);
    let mut config = config_for(root);
    config.groups = vec![NamedGroup::X25519, NamedGroup::secp256r1];
    let (o, conn) = fetch(&mut server, Arc::new(config), None);
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert_eq!(conn.negotiated().group, Some(NamedGroup::secp256r1));
    assert!(page(&o).contains("TLSv1.3"));
}

#[test]
fn alpn_is_negotiated() {
    let (mut server, root) = s_server("ec", &["-alpn", "http/1.1"]);
    let mut config = config_for(root);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let (o, conn) = fetch(&mut server, Arc::new(config), None);
    assert_eq!(o.error, None);
    assert_eq!(conn.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));
}

/// The Node code of a verifier's refusal.
fn rejection(error: &Option<Error>) -> Option<&str> {
    match error {
        Some(Error::InvalidCertificate(CertificateError::Rejected { code, .. })) => Some(code),
        _ => None,
    }
}

#[test]
fn a_certificate_for_another_name_is_refused_with_bad_certificate() {
    let (mut server, root) = s_server("ec", &[]);
    let mut sock = connect(server.port, &mut server.peer);
    let config = Arc::new(config_for(root));
    let mut conn = ClientConnection::new(config, "example.org", now()).unwrap();
    let o = drive(&mut conn, &mut sock, |_, _| false);
    assert_eq!(rejection(&o.error), Some("ERR_TLS_CERT_ALTNAME_INVALID"));
    // OpenSSL reports the alert we sent.
    let log = peers::wait_for_log(
        &peers::log_path(&server.dir, server.tag),
        &["bad certificate"],
    );
    assert!(log.is_ok(), "s_server log: {log:?}");
}

#[test]
fn untrusted_root_is_unknown_issuer_and_insecure_accepts_it() {
    let (mut server, _root) = s_server("ec", &[]);
    let other = TempDir::new("client-interop-other-root");
    // Another "localhost" root: the name matches, the key does not.
    let (same_name, _) = openssl::self_signed(&other, "ec");
    let (o, _) = fetch(
        &mut server,
        Arc::new(config_for(pem_to_der(&same_name))),
        None,
    );
    // Node's code: the server's self-signed certificate is not the root we trust.
    assert_eq!(rejection(&o.error), Some("DEPTH_ZERO_SELF_SIGNED_CERT"));
    // A root with another name: no issuer at all.
    let other_name = other.path("other.crt");
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=other root",
        ])
        .args([
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
        ])
        .arg(other.path("other.key"))
        .arg("-out")
        .arg(&other_name)
        .output()
        .unwrap();
    assert!(out.status.success());
    let (o, _) = fetch(
        &mut server,
        Arc::new(config_for(pem_to_der(&other_name))),
        None,
    );
    assert_eq!(rejection(&o.error), Some("DEPTH_ZERO_SELF_SIGNED_CERT"));
    let insecure = ClientConfig::new(Arc::new(InsecureAcceptAnything));
    let (o, _) = fetch(&mut server, Arc::new(insecure), None);
    assert_eq!(o.error, None);
    assert!(page(&o).contains("TLSv1.3"));
}

#[test]
fn client_certificate_when_the_server_asks() {
    let dir = TempDir::new("client-interop-client-cert");
    let (client_cert, client_key) = openssl::self_signed(&dir, "rsa");
    let ca = client_cert.to_str().unwrap().to_string();
    let (mut server, root) = s_server("ec", &["-Verify", "1", "-CAfile", &ca]);
    let mut config = config_for(root.clone());
    config.client_certificate = Some(
        ClientCertificate::new(
            vec![pem_to_der(&client_cert)],
            load_private_key(&openssl::key_der(&client_key)).unwrap(),
        )
        .unwrap(),
    );
    let (o, _) = fetch(&mut server, Arc::new(config), None);
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert!(page(&o).contains("TLSv1.3"));
    // Without a certificate, OpenSSL refuses us with certificate_required.
    let (o, _) = fetch(&mut server, Arc::new(config_for(root)), None);
    assert_eq!(
        o.error,
        Some(Error::AlertReceived(AlertDescription::CertificateRequired))
    );
}

#[test]
fn stapled_ocsp_response_is_surfaced() {
    let dir = TempDir::new("client-interop-ocsp");
    // A minimal OCSPResponse: responseStatus = unauthorized(6), no responseBytes.
    let response = [0x30, 0x03, 0x0a, 0x01, 0x06];
    let file = dir.path("ocsp.der");
    std::fs::write(&file, response).unwrap();
    let (mut server, root) = s_server("ec", &["-status_file", file.to_str().unwrap()]);
    let mut config = config_for(root);
    config.request_ocsp = true;
    let (o, conn) = fetch(&mut server, Arc::new(config), None);
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert!(o.events.contains(&Event::OcspResponse(response.to_vec())));
    assert_eq!(
        conn.negotiated().ocsp_response.as_deref(),
        Some(&response[..])
    );
}

#[test]
fn tickets_resume_the_session() {
    let (mut server, root) = s_server("ec", &[]);
    let config = Arc::new(config_for(root));
    let (o, first) = fetch(&mut server, config.clone(), None);
    assert_eq!(o.error, None);
    assert!(!first.negotiated().resumed);
    let session = o.session().expect("OpenSSL sends tickets");
    assert_eq!(
        session.cipher_suite(),
        CipherSuite::TLS13_AES_256_GCM_SHA384
    );
    let chain = first.negotiated().peer_certificates.clone();
    let (o, second) = fetch(&mut server, config, Some(session));
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert!(second.negotiated().resumed, "resumed");
    assert!(page(&o).contains("Reused, TLSv1.3"), "{}", page(&o));
    // No certificate crossed the wire; the session's handshake authenticated the server.
    assert_eq!(second.negotiated().peer_certificates, chain);
    assert_eq!(second.negotiated().authorization_error, None);
}

#[test]
fn key_update_both_ways() {
    let (mut server, root) = s_server("ec", &[]);
    let mut sock = connect(server.port, &mut server.peer);
    let mut conn = ClientConnection::new(Arc::new(config_for(root)), "localhost", now()).unwrap();
    let o = drive(&mut conn, &mut sock, |c, _| !c.is_handshaking());
    assert_eq!(o.error, None);
    // Update ours and ask the server to update too; the request then goes under new keys.
    conn.key_update(true).unwrap();
    conn.send(GET).unwrap();
    let o = drive(&mut conn, &mut sock, |_, _| false);
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert!(
        o.events.contains(&Event::KeyUpdated {
            update_requested: false
        }),
        "{o:?}"
    );
    assert!(page(&o).contains("TLSv1.3"));
}

/// `gnutls-serv --http` with an ECDSA certificate, limited to `version` (a priority
/// string item such as `VERS-TLS1.3`).
fn gnutls_serv(version: &str) -> (Server, Vec<u8>) {
    gnutls_serv_with(version, "ec", &format!("NORMAL:-VERS-ALL:+{version}"))
}

/// `gnutls-serv --http` with a self-signed certificate of `kind` (`ec`, `rsa`) and the
/// priority string `priority`; `label` names its temporary directory. Returns the server
/// and its certificate (DER), the root to trust.
fn gnutls_serv_with(label: &str, kind: &str, priority: &str) -> (Server, Vec<u8>) {
    gnutls_serv_args(label, kind, &["--http", "--priority", priority])
}

/// `gnutls-serv ARGS` with a self-signed certificate of `kind`; `label` names its
/// temporary directory.
fn gnutls_serv_args(label: &str, kind: &str, args: &[&str]) -> (Server, Vec<u8>) {
    let dir = TempDir::new(&format!("client-interop-gnutls-{label}"));
    let (cert, key) = openssl::self_signed(&dir, kind);
    let port = free_port();
    let port_s = port.to_string();
    let mut all = vec![
        "-p",
        &port_s,
        "--x509certfile",
        cert.to_str().unwrap(),
        "--x509keyfile",
        key.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let peer = spawn_logged(&dir, "gnutls-serv", "gnutls-serv", &all);
    (
        Server {
            peer,
            port,
            dir,
            tag: "gnutls-serv",
        },
        pem_to_der(&cert),
    )
}

#[test]
fn gnutls_server() {
    for (version, shown) in [("VERS-TLS1.3", "TLS1.3"), ("VERS-TLS1.2", "TLS1.2")] {
        let (mut server, root) = gnutls_serv(version);
        let (o, conn) = fetch(&mut server, Arc::new(config_for(root)), None);
        assert_eq!(
            o.error,
            None,
            "{version}: {}",
            read_log(&server.dir, server.tag)
        );
        assert!(page(&o).contains(shown), "{}", page(&o));
        assert!(conn.negotiated().cipher_suite.is_some());
    }
}

#[test]
fn python_ssl_server() {
    let dir = TempDir::new("client-interop-python");
    let (cert, key) = openssl::self_signed(&dir, "ec");
    let port = free_port();
    let script = format!(
        "import socket, ssl\n\
         c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n\
         c.minimum_version = ssl.TLSVersion.TLSv1_3\n\
         c.load_cert_chain({cert:?}, {key:?})\n\
         c.set_alpn_protocols(['h2'])\n\
         l = socket.create_server(('127.0.0.1', {port}))\n\
         print('listening', flush=True)\n\
         s, _ = l.accept()\n\
         t = c.wrap_socket(s, server_side=True)\n\
         req = t.recv(4096)\n\
         t.sendall(b'python ' + t.version().encode() + b' ' + (t.selected_alpn_protocol() or '').encode())\n\
         t.unwrap()\n",
        cert = cert.to_str().unwrap(),
        key = key.to_str().unwrap(),
    );
    let peer = spawn_logged(&dir, "python", "python3", &["-c", &script]);
    let log = peers::wait_for_log(&peers::log_path(&dir, "python"), &["listening"]);
    assert!(log.is_ok(), "{log:?}");
    let mut server = Server {
        peer,
        port,
        dir,
        tag: "python",
    };
    let mut config = config_for(pem_to_der(&cert));
    config.alpn_protocols = vec![b"h2".to_vec()];
    let (o, conn) = fetch(&mut server, Arc::new(config), None);
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert_eq!(page(&o), "python TLSv1.3 h2");
    assert_eq!(conn.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
}

#[test]
fn tls12_every_suite_against_openssl() {
    use sanstls::enums::ProtocolVersion;
    use sanstls::suites::{AuthAlgorithm, ALL_TLS12_SUITES};
    for suite in ALL_TLS12_SUITES {
        let kind = match suite.auth {
            AuthAlgorithm::Ecdsa => "ec",
            AuthAlgorithm::Rsa => "rsa",
            // Not in ALL_TLS12_SUITES: tests/psk.rs runs them against OpenSSL.
            AuthAlgorithm::Psk => continue,
        };
        let (mut server, root) =
            s_server_version("-tls1_2", kind, &["-cipher", suite.openssl_name]);
        let (o, conn) = fetch(&mut server, Arc::new(config_for(root)), None);
        assert_eq!(
            o.error,
            None,
            "{}: {}",
            suite.openssl_name,
            read_log(&server.dir, server.tag)
        );
        let n = conn.negotiated();
        assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(n.cipher_suite, Some(suite.suite));
        assert_eq!(n.finished_sent.len(), 12);
        assert_eq!(n.finished_received.len(), 12);
        let text = page(&o);
        assert!(
            text.contains(&format!("New, TLSv1.2, Cipher is {}", suite.openssl_name)),
            "{text}"
        );
        assert!(text.contains("Extended master secret: yes"), "{text}");
    }
}

#[test]
fn tls12_groups_client_certificate_and_ocsp_against_openssl() {
    use sanstls::enums::ProtocolVersion;
    for (group, name) in [
        (NamedGroup::X25519, "X25519"),
        (NamedGroup::secp256r1, "P-256"),
        (NamedGroup::secp384r1, "P-384"),
    ] {
        let (mut server, root) = s_server_version("-tls1_2", "ec", &["-groups", name]);
        let (o, conn) = fetch(&mut server, Arc::new(config_for(root)), None);
        assert_eq!(o.error, None, "{name}");
        assert_eq!(conn.negotiated().group, Some(group));
        assert_eq!(conn.negotiated().version, Some(ProtocolVersion::TLSv1_2));
    }

    let dir = TempDir::new("client-interop-tls12-client-cert");
    let (client_cert, client_key) = openssl::self_signed(&dir, "rsa");
    let ca = client_cert.to_str().unwrap().to_string();
    let ocsp = dir.path("ocsp.der");
    std::fs::write(&ocsp, [0x30, 0x03, 0x0a, 0x01, 0x06]).unwrap();
    let (mut server, root) = s_server_version(
        "-tls1_2",
        "ec",
        &[
            "-Verify",
            "1",
            "-CAfile",
            &ca,
            "-status_file",
            ocsp.to_str().unwrap(),
        ],
    );
    let mut config = config_for(root);
    config.request_ocsp = true;
    config.client_certificate = Some(
        ClientCertificate::new(
            vec![pem_to_der(&client_cert)],
            load_private_key(&openssl::key_der(&client_key)).unwrap(),
        )
        .unwrap(),
    );
    let (o, conn) = fetch(&mut server, Arc::new(config), None);
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert!(page(&o).contains("TLSv1.2"), "{}", page(&o));
    assert_eq!(
        conn.negotiated().ocsp_response.as_deref(),
        Some(&[0x30, 0x03, 0x0a, 0x01, 0x06][..])
    );
}

#[test]
fn tls12_dhe_with_openssl_dhparam_and_min_dh_size() {
    use sanstls::enums::ProtocolVersion;
    use sanstls::error::PeerIncompatible;
    let dir = TempDir::new("client-interop-dhparam");
    let ffdhe = openssl::ffdhe2048_params(&dir);
    // A second parameter file, ffdhe3072 (generating a fresh safe prime takes too long for
    // a test; any PEM `DH PARAMETERS` file goes through the same path).
    let custom = dir.path("ffdhe3072.pem");
    openssl::run_openssl(
        Command::new("openssl")
            .args(["genpkey", "-genparam", "-algorithm", "DH"])
            .args(["-pkeyopt", "group:ffdhe3072", "-out"])
            .arg(&custom),
    );
    for (params, bits, named) in [
        (ffdhe, 2048, NamedGroup::FFDHE2048),
        (custom, 3072, NamedGroup::FFDHE3072),
    ] {
        let p = params.to_str().unwrap().to_string();
        let (mut server, root) = s_server_version(
            "-tls1_2",
            "rsa",
            &["-cipher", "DHE-RSA-AES128-GCM-SHA256", "-dhparam", &p],
        );
        let (o, conn) = fetch(&mut server, Arc::new(config_for(root.clone())), None);
        assert_eq!(
            o.error,
            None,
            "{bits}: {}",
            read_log(&server.dir, server.tag)
        );
        let n = conn.negotiated();
        assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(n.dh_bits, Some(bits));
        assert_eq!(n.group, Some(named));
        assert!(
            page(&o).contains("DHE-RSA-AES128-GCM-SHA256"),
            "{}",
            page(&o)
        );
        if bits == 3072 {
            // Node's minDHSize: a client wanting 4096 bits refuses the 3072-bit group.
            let mut strict = config_for(root);
            strict.min_dh_size = 4096;
            let (o, _) = fetch(&mut server, Arc::new(strict), None);
            assert_eq!(o.error, Some(PeerIncompatible::DhGroupTooSmall.into()));
            let log = peers::wait_for_log(
                &peers::log_path(&server.dir, server.tag),
                &["insufficient security"],
            );
            assert!(log.is_ok(), "{log:?}");
        }
    }
}

/// RFC 7919 in TLS 1.2 against `gnutls-serv`, which picks the DHE group from our
/// supported_groups: listing ffdhe3072 we get ffdhe3072. And each of the five RFC 7919
/// groups as a TLS 1.3 key share against `openssl s_server -groups ffdheN`.
#[test]
fn ffdhe_groups_against_gnutls_and_openssl() {
    use sanstls::enums::ProtocolVersion;
    use sanstls::suites::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
    let (mut server, root) = gnutls_serv_with(
        "ffdhe",
        "rsa",
        "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:+GROUP-ALL",
    );
    let mut config = config_for(root);
    config.max_version = ProtocolVersion::TLSv1_2;
    config.tls12_cipher_suites = vec![&TLS_DHE_RSA_WITH_AES_128_GCM_SHA256];
    config.groups = vec![NamedGroup::X25519, NamedGroup::FFDHE3072];
    let (o, conn) = fetch(&mut server, Arc::new(config), None);
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    let n = conn.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(n.group, Some(NamedGroup::FFDHE3072));
    assert_eq!(n.dh_bits, Some(3072));
    assert!(page(&o).contains("FFDHE3072"), "{}", page(&o));

    for (group, name) in [
        (NamedGroup::FFDHE2048, "ffdhe2048"),
        (NamedGroup::FFDHE3072, "ffdhe3072"),
        (NamedGroup::FFDHE4096, "ffdhe4096"),
        (NamedGroup::FFDHE6144, "ffdhe6144"),
        (NamedGroup::FFDHE8192, "ffdhe8192"),
    ] {
        let (mut server, root) = s_server("ec", &["-groups", name]);
        let mut config = config_for(root);
        config.groups = vec![group];
        let (o, conn) = fetch(&mut server, Arc::new(config), None);
        assert_eq!(
            o.error,
            None,
            "{name}: {}",
            read_log(&server.dir, server.tag)
        );
        assert_eq!(conn.negotiated().group, Some(group));
        assert_eq!(conn.negotiated().version, Some(ProtocolVersion::TLSv1_3));
        assert!(page(&o).contains("TLSv1.3"), "{}", page(&o));
    }
}

/// secp521r1 and a P-521 certificate against `gnutls-serv`, TLS 1.3 and 1.2.
#[test]
fn gnutls_p521() {
    for (version, shown) in [("VERS-TLS1.3", "TLS1.3"), ("VERS-TLS1.2", "TLS1.2")] {
        let priority = format!("NORMAL:-VERS-ALL:+{version}:-GROUP-ALL:+GROUP-SECP521R1");
        let (mut server, root) = gnutls_serv_with("p521", "ec521", &priority);
        let mut config = config_for(root);
        config.groups = vec![NamedGroup::secp521r1];
        let (o, conn) = fetch(&mut server, Arc::new(config), None);
        assert_eq!(
            o.error,
            None,
            "{version}: {}",
            read_log(&server.dir, server.tag)
        );
        assert_eq!(conn.negotiated().group, Some(NamedGroup::secp521r1));
        assert!(page(&o).contains(shown), "{}", page(&o));
        assert!(page(&o).contains("SECP521R1"), "{}", page(&o));
    }
}

#[test]
fn tls12_resumption_against_openssl() {
    use sanstls::enums::ProtocolVersion;
    for extra in [&[][..], &["-no_ticket"][..]] {
        let (mut server, root) = s_server_version("-tls1_2", "ec", extra);
        let config = Arc::new(config_for(root));
        let (o, first) = fetch(&mut server, config.clone(), None);
        assert_eq!(o.error, None, "{extra:?}");
        assert!(!first.negotiated().resumed);
        let session = o.session().expect("a TLS 1.2 session to keep");
        assert_eq!(
            session.tls_ticket().is_none(),
            !extra.is_empty(),
            "{extra:?}: ticket or id"
        );
        assert!(session.extended_master_secret());
        let chain = first.negotiated().peer_certificates.clone();
        let (o, second) = fetch(&mut server, config, Some(session));
        assert_eq!(
            o.error,
            None,
            "{extra:?}: {}",
            read_log(&server.dir, server.tag)
        );
        assert_eq!(second.negotiated().version, Some(ProtocolVersion::TLSv1_2));
        assert!(second.negotiated().resumed, "{extra:?}");
        assert_eq!(second.negotiated().peer_certificates, chain, "{extra:?}");
        assert!(
            page(&o).contains("Reused, TLSv1.2"),
            "{extra:?}: {}",
            page(&o)
        );
    }
}

/// Drives `conn` until a `HandshakeComplete` arrives (the end of a renegotiation).
fn drive_to_handshake(
    conn: &mut ClientConnection,
    sock: &mut TcpStream,
    what: &str,
    log: &dyn Fn() -> String,
) -> Outcome {
    let o = drive(conn, sock, |_, o| {
        o.events.contains(&Event::HandshakeComplete)
    });
    assert_eq!(o.error, None, "{what}: {}", log());
    assert!(
        o.events.contains(&Event::HandshakeComplete),
        "{what}: {o:?}"
    );
    o
}

#[test]
fn tls12_renegotiation_against_openssl() {
    use sanstls::enums::ProtocolVersion;
    // s_server in echo mode reads commands on stdin: `r` sends a HelloRequest, `R` asks
    // for a client certificate and sends one. It prints what it receives.
    let dir = TempDir::new("client-interop-reneg");
    let (cert, key) = openssl::self_signed(&dir, "ec");
    let client_dir = TempDir::new("client-interop-reneg-c");
    let (client_cert, client_key) = openssl::self_signed(&client_dir, "rsa");
    let port = free_port();
    let mut peer = spawn_logged(
        &dir,
        "s_server",
        "openssl",
        &[
            "s_server",
            "-tls1_2",
            "-client_renegotiation",
            "-accept",
            &port.to_string(),
            "-cert",
            cert.to_str().unwrap(),
            "-key",
            key.to_str().unwrap(),
            "-naccept",
            "1",
        ],
    );
    let mut config = config_for(pem_to_der(&cert));
    config.max_version = ProtocolVersion::TLSv1_2;
    config.client_certificate = Some(
        ClientCertificate::new(
            vec![pem_to_der(&client_cert)],
            load_private_key(&openssl::key_der(&client_key)).unwrap(),
        )
        .unwrap(),
    );
    let mut sock = connect(port, &mut peer);
    let mut conn = ClientConnection::new(Arc::new(config), "localhost", now()).unwrap();
    let log = || read_log(&dir, "s_server");
    drive_to_handshake(&mut conn, &mut sock, "first handshake", &log);

    // Client-initiated, with data sent while it runs.
    conn.renegotiate(now()).unwrap();
    conn.send(b"during-client-renegotiation\n").unwrap();
    drive_to_handshake(&mut conn, &mut sock, "client-initiated", &log);
    conn.send(b"after-client-renegotiation\n").unwrap();

    // Server-initiated: a HelloRequest, then one that asks for our certificate.
    for (command, what) in [
        (&b"r\n"[..], "HelloRequest"),
        (b"R\n", "with a client certificate"),
    ] {
        let stdin = peer.0.stdin.as_mut().unwrap();
        stdin.write_all(command).unwrap();
        stdin.flush().unwrap();
        drive_to_handshake(&mut conn, &mut sock, what, &log);
        conn.send(format!("after {what}\n").as_bytes()).unwrap();
    }
    conn.send_close_notify();
    drive(&mut conn, &mut sock, |_, _| false);
    peers::wait_for_log(
        &peers::log_path(&dir, "s_server"),
        &["after with a client certificate"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text = log();
    for line in [
        "during-client-renegotiation",
        "after-client-renegotiation",
        "after HelloRequest",
        // s_server shows the certificate it received in the last renegotiation.
        "depth=0 CN = localhost",
    ] {
        assert!(text.contains(line), "missing {line:?} in {text}");
    }
    // No OpenSSL error stack (s_server's "verify error" about our self-signed client
    // certificate is expected: it has no CA for it and goes on).
    assert!(!text.contains(":error:"), "{text}");
}

/// After a buffered handshake, the request is sealed in place in our buffer and the whole
/// response (with TLS 1.3's session tickets and the server's close_notify) is opened in
/// place where the socket put it: `seal_in_place` / `open_in_place` against OpenSSL.
#[test]
fn in_place_records_against_openssl() {
    for version in ["-tls1_2", "-tls1_3"] {
        let (mut server, root) = s_server_version(version, "ec", &[]);
        let mut sock = connect(server.port, &mut server.peer);
        let config = Arc::new(config_for(root));
        let mut conn = ClientConnection::new(config, "localhost", now()).unwrap();
        let o = drive(&mut conn, &mut sock, |c, _| !c.is_handshaking());
        assert!(
            o.error.is_none() && !conn.is_handshaking(),
            "{version}: {o:?}"
        );

        // The request: written straight into the record buffer, sealed there, sent.
        let layout = conn.seal_layout().expect("established");
        let mut record = vec![0; layout.buffer_len(GET.len())];
        record[layout.plaintext(GET.len())].copy_from_slice(GET);
        let n = conn.seal_in_place(&mut record, GET.len()).unwrap();
        sock.write_all(&record[..n]).unwrap();

        // The response: read into one buffer, each record opened where it landed.
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let (mut buf, mut start, mut end) = (vec![0u8; 1 << 16], 0, 0);
        let (mut page, mut events) = (Vec::new(), Vec::new());
        while !conn.peer_closed() {
            assert!(Instant::now() < deadline, "{version}: no close_notify");
            let opened = conn.open_in_place(&mut buf[start..end], now()).unwrap();
            events.extend(std::iter::from_fn(|| conn.poll_event()));
            if opened.consumed > 0 {
                page.extend_from_slice(&buf[start..][opened.plaintext]);
                start += opened.consumed;
                continue;
            }
            // Not a whole record yet: keep what is there at the front, read behind it.
            buf.copy_within(start..end, 0);
            (start, end) = (0, end - start);
            match sock.read(&mut buf[end..]) {
                Ok(0) => break,
                Ok(got) => end += got,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("{version}: {e}"),
            }
        }
        let page = String::from_utf8_lossy(&page);
        assert!(page.starts_with("HTTP/1.0 200 ok"), "{version}: {page}");
        assert!(
            page.contains("Ciphers supported in s_server binary"),
            "{version}"
        );
        assert!(
            conn.peer_closed(),
            "{version}: close_notify arrived in place"
        );
        if version == "-tls1_3" {
            assert!(
                events
                    .iter()
                    .any(|e| matches!(e, Event::NewSessionTicket(_))),
                "{version}: OpenSSL's tickets arrived in place: {events:?}"
            );
        }
        assert!(
            !events.contains(&Event::PlaintextReady),
            "in-place data is returned, not queued"
        );
    }
}

/// RFC 8449 against GnuTLS 3.7's `gnutls-serv --echo --recordsize=512`, through a relay
/// that measures the records: our client announces 1000 bytes (1001 on the wire in TLS
/// 1.3) and keeps to GnuTLS's 512 (513 in TLS 1.3); 5000 bytes go out and come back whole,
/// ours in records of 512 bytes of content at most, GnuTLS's of 1000 at most (which our
/// client would refuse with record_overflow were they larger; 1001 in TLS 1.2, where the
/// 1001 we announced, offering TLS 1.3, counts no type byte). GnuTLS does not answer a
/// limit below its own floor of 512 (our 256 got no record_size_limit back), so ours is
/// above it.
#[test]
fn gnutls_serv_record_size_limit() {
    use sanstls_test::net::RecordRelay;
    for (version, overhead, ours_taken) in [("VERS-TLS1.3", 17, 1000), ("VERS-TLS1.2", 24, 1001)] {
        let priority = format!("NORMAL:-VERS-ALL:+{version}:-CIPHER-ALL:+AES-128-GCM");
        let (mut server, root) = gnutls_serv_args(
            version,
            "ec",
            &["--echo", "--recordsize=512", "--priority", &priority],
        );
        // Once it listens, the relay's connection reaches it.
        drop(connect(server.port, &mut server.peer));
        let relay = RecordRelay::start(server.port);
        let mut sock = TcpStream::connect(("127.0.0.1", relay.port)).unwrap();
        let mut config = config_for(root);
        config.record_size_limit = Some(1000);
        let mut conn = ClientConnection::new(Arc::new(config), "localhost", now()).unwrap();
        // gnutls-serv echoes a line once it has its newline.
        let mut data: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
        data.push(b'\n');
        assert_eq!(conn.send(&data).unwrap(), data.len());
        let o = drive(&mut conn, &mut sock, |_, o| o.plaintext.len() >= data.len());
        let log = read_log(&server.dir, server.tag);
        assert_eq!(o.error, None, "{version}: {log}");
        assert!(
            o.plaintext == data,
            "{version}: {} bytes back",
            o.plaintext.len()
        );
        let largest = |records: Vec<(u8, usize)>| {
            let app: Vec<usize> = records.iter().filter(|r| r.0 == 23).map(|r| r.1).collect();
            (app.len(), app.into_iter().max().unwrap_or(0))
        };
        let (ours, our_largest) = largest(relay.from_client());
        assert_eq!(our_largest, 512 + overhead, "{version}: ours cut at 512");
        assert!(
            ours >= data.len().div_ceil(512),
            "{version}: {ours} records"
        );
        let (theirs, their_largest) = largest(relay.from_server());
        assert_eq!(
            their_largest,
            ours_taken + overhead,
            "{version}: theirs cut"
        );
        assert!(
            theirs >= data.len().div_ceil(ours_taken),
            "{version}: {theirs} records"
        );
    }
}

/// A full handshake (no session offered) with the server on `port`, driven until its first
/// ticket arrives: the session the 0-RTT tests resume with early data. The connection is
/// then dropped, as the tests need only the ticket.
fn full_handshake_ticket(port: u16, peer: &mut Peer, config: &Arc<ClientConfig>) -> StoredSession {
    let mut sock = connect(port, peer);
    let mut conn = ClientConnection::new(config.clone(), "localhost", now()).unwrap();
    let o = drive(&mut conn, &mut sock, |_, o| o.session().is_some());
    assert_eq!(o.error, None);
    o.session().expect("the server sent a ticket")
}

/// TLS 1.3 0-RTT against `openssl s_server -early_data` (its echo mode, which reads early
/// data; `-www` does not): a session from a ticket that allows early data is resumed with
/// early data, which OpenSSL accepts and prints; the same ticket again is refused (OpenSSL's
/// tickets are single-use: a full handshake), and the connection hands the data back.
#[test]
fn early_data_accepted_then_refused_by_openssl() {
    let dir = TempDir::new("client-interop-early");
    let (cert, key) = openssl::self_signed(&dir, "ec");
    let port = free_port();
    let port_s = port.to_string();
    let (cert_s, key_s) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let args = [
        "s_server",
        "-tls1_3",
        "-accept",
        &port_s,
        "-cert",
        cert_s,
        "-key",
        key_s,
        "-naccept",
        "3",
        "-early_data",
        "-max_early_data",
        "16384",
    ];
    let mut peer = spawn_logged(&dir, "s_server", "openssl", &args);
    let log = peers::log_path(&dir, "s_server");
    let mut config = config_for(pem_to_der(&cert));
    config.enable_early_data = true;
    let config = Arc::new(config);

    let session = full_handshake_ticket(port, &mut peer, &config);
    assert_eq!(session.max_early_data(), Some(16384));

    let resume = |peer: &mut Peer| {
        let mut sock = connect(port, peer);
        let mut conn =
            ClientConnection::resume(config.clone(), "localhost", Some(session.clone()), now())
                .unwrap();
        assert_eq!(conn.send(b"EARLY DATA\n").unwrap(), 11);
        let o = drive(&mut conn, &mut sock, |c, _| !c.is_handshaking());
        assert_eq!(o.error, None, "{}", read_log(&dir, "s_server"));
        (o, conn)
    };
    let (o, conn) = resume(&mut peer);
    assert!(conn.negotiated().resumed);
    assert!(o.events.contains(&Event::EarlyDataAccepted(11)), "{o:?}");
    assert!(conn.early_data_accepted());
    let text = peers::wait_for_log(&log, &["End of early data"]).unwrap_or_else(|t| t);
    // s_server writes the data and its own lines through different buffers: they
    // interleave.
    assert!(text.contains("Early data received:"), "{text}");
    assert!(text.contains("EARLY DATA\n"), "{text}");
    drop(conn);

    // OpenSSL drops a ticket once used (single use, RFC 8446 s8.1): a full handshake.
    let (o, conn) = resume(&mut peer);
    assert!(!conn.negotiated().resumed);
    assert!(
        o.events
            .contains(&Event::EarlyDataRejected(b"EARLY DATA\n".to_vec())),
        "{o:?}"
    );
    assert!(!conn.early_data_accepted());
}

/// `openssl s_server -www` issues tickets that allow early data (`-max_early_data`) but does
/// not read it: it resumes the session and refuses the early data, skipping it. The data
/// comes back to us, the handshake completes under the handshake keys, and what we send
/// afterwards is answered.
#[test]
fn early_data_refused_on_a_resumed_session_by_openssl() {
    let (mut server, root) = s_server("ec", &["-max_early_data", "16384"]);
    let mut config = config_for(root);
    config.enable_early_data = true;
    let config = Arc::new(config);
    let session = full_handshake_ticket(server.port, &mut server.peer, &config);
    assert_eq!(session.max_early_data(), Some(16384));
    let mut sock = connect(server.port, &mut server.peer);
    let mut conn = ClientConnection::resume(config, "localhost", Some(session), now()).unwrap();
    conn.send(b"not a request").unwrap();
    let o = drive(&mut conn, &mut sock, |c, _| !c.is_handshaking());
    assert_eq!(o.error, None, "{}", read_log(&server.dir, server.tag));
    assert!(conn.negotiated().resumed);
    assert!(
        o.events
            .contains(&Event::EarlyDataRejected(b"not a request".to_vec())),
        "{o:?}"
    );
    conn.send(GET).unwrap();
    let o = drive(&mut conn, &mut sock, |_, _| false);
    assert_eq!(o.error, None);
    assert!(page(&o).contains("Reused, TLSv1.3"), "{}", page(&o));
}
