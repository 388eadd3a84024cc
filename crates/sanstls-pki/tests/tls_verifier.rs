//! The Node-style verifiers wired into the engine: our client and server, in memory, over
//! the committed chains of vectors/pki/chains, at the fixtures' instant.

use std::sync::Arc;

use sanstls::client::{ClientCertificate, ClientConfig, ClientConnection};
use sanstls::enums::{AlertDescription, ProtocolVersion};
use sanstls::error::CertificateError;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::{Connection, Error, UnixTime};
use sanstls_pki::keys::PrivateKey;
use sanstls_pki::tls::{NodeClientVerifier, NodeServerVerifier};
use sanstls_pki::verify::Verifier;
use sanstls_test::fixtures;
use sanstls_test::pair::transfer_at;

fn fixture(name: &str) -> Vec<u8> {
    fixtures::read(&format!("pki/chains/{name}"))
}

fn cert(name: &str) -> Vec<u8> {
    sanstls_pki::cert::parse_certificates(&fixture(name))
        .unwrap()
        .remove(0)
}

fn now() -> UnixTime {
    UnixTime::from_secs(fixtures::chains_now())
}

fn rsa_key() -> Arc<dyn sanstls::crypto::sign::SigningKey> {
    PrivateKey::from_pem(&fixture("rsa-leaf.key.pem"), None)
        .unwrap()
        .signing_key()
        .unwrap()
}

/// A server presenting `chain` (names of PEM files, leaf first), all RSA leaves sharing
/// rsa-leaf.key.pem.
fn server(chain: &[&str]) -> ServerConfig {
    ServerConfig::new(vec![CertifiedKey::new(
        chain.iter().map(|n| cert(n)).collect(),
        rsa_key(),
    )
    .unwrap()])
}

fn client(version: ProtocolVersion, verifier: NodeServerVerifier) -> ClientConfig {
    let mut c = ClientConfig::new(Arc::new(verifier));
    c.max_version = version;
    c
}

fn trust(root: &str) -> Verifier {
    Verifier::new(vec![cert(root)]).unwrap()
}

/// Moves bytes both ways, at the fixtures' instant, until both sides are quiet; returns
/// each side's first error.
fn run(c: &mut Connection, s: &mut Connection) -> (Option<Error>, Option<Error>) {
    transfer_at(c, s, now())
}

fn connect(
    cc: ClientConfig,
    sc: ServerConfig,
    host: &str,
) -> (
    ClientConnection,
    ServerConnection,
    (Option<Error>, Option<Error>),
) {
    let mut c = ClientConnection::new(Arc::new(cc), host, now()).unwrap();
    let mut s = ServerConnection::new(Arc::new(sc), now()).unwrap();
    let errors = run(&mut c, &mut s);
    (c, s, errors)
}

fn rejected(e: &Option<Error>) -> (&str, String) {
    match e {
        Some(Error::InvalidCertificate(CertificateError::Rejected { code, message })) => {
            (code, message.clone())
        }
        other => panic!("not a verifier refusal: {other:?}"),
    }
}

#[test]
fn trusted_chain_and_host_name() {
    for v in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        let verifier = NodeServerVerifier::new(trust("rsa-root.pem"));
        let (c, _, errors) = connect(
            client(v, verifier.clone()),
            server(&["rsa-leaf.pem", "rsa-int.pem"]),
            "www.example.com",
        );
        assert_eq!(errors, (None, None), "{v:?}");
        assert!(!c.is_handshaking());

        // Another name: Node's ERR_TLS_CERT_ALTNAME_INVALID and its reason.
        let (_, _, (ce, se)) = connect(
            client(v, verifier),
            server(&["rsa-leaf.pem", "rsa-int.pem"]),
            "other.example.com",
        );
        let (code, message) = rejected(&ce);
        assert_eq!(code, "ERR_TLS_CERT_ALTNAME_INVALID");
        assert!(
            message.contains(
                "Host: other.example.com. is not in the cert's altnames: DNS:www.example.com"
            ),
            "{message}"
        );
        assert_eq!(
            se,
            Some(Error::AlertReceived(AlertDescription::BadCertificate))
        );
    }
}

#[test]
fn chain_errors_carry_nodes_codes_and_openssls_alerts() {
    let verifier = || NodeServerVerifier::new(trust("rsa-root.pem"));
    let cases: [(&[&str], &str, AlertDescription); 3] = [
        (
            &["expired.pem", "rsa-int.pem"],
            "CERT_HAS_EXPIRED",
            AlertDescription::CertificateExpired,
        ),
        // Node reports OpenSSL's last error: a leaf alone, its issuer missing.
        (
            &["rsa-leaf.pem"],
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            AlertDescription::UnknownCA,
        ),
        (
            &["self-signed.pem"],
            "DEPTH_ZERO_SELF_SIGNED_CERT",
            AlertDescription::UnknownCA,
        ),
    ];
    for (chain, want, alert) in cases {
        let (_, _, (ce, se)) = connect(
            client(ProtocolVersion::TLSv1_3, verifier()),
            server(chain),
            "www.example.com",
        );
        assert_eq!(rejected(&ce).0, want, "{chain:?}");
        assert_eq!(se, Some(Error::AlertReceived(alert)), "{chain:?}");
    }

    // rejectUnauthorized: false: the handshake completes and the reason is kept.
    let mut cc = client(ProtocolVersion::TLSv1_2, verifier());
    cc.reject_unauthorized = false;
    let (c, _, errors) = connect(cc, server(&["rsa-leaf.pem"]), "www.example.com");
    assert_eq!(errors, (None, None));
    let why = c.negotiated().authorization_error.as_ref().unwrap();
    assert_eq!(why.code(), "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
}

#[test]
fn custom_identity_check_replaces_nodes() {
    let verifier = NodeServerVerifier::new(trust("rsa-root.pem")).with_identity_check(Arc::new(
        |host, cert| match cert.common_names().iter().any(|cn| cn == "www.example.com") {
            true if host == "alias.internal" => Ok(()),
            _ => Err(format!("{host} is not an alias")),
        },
    ));
    let (_, _, errors) = connect(
        client(ProtocolVersion::TLSv1_3, verifier.clone()),
        server(&["rsa-leaf.pem", "rsa-int.pem"]),
        "alias.internal",
    );
    assert_eq!(errors, (None, None));
    let (_, _, (ce, _)) = connect(
        client(ProtocolVersion::TLSv1_3, verifier),
        server(&["rsa-leaf.pem", "rsa-int.pem"]),
        "www.example.com",
    );
    assert_eq!(
        rejected(&ce),
        (
            "ERR_TLS_CERT_ALTNAME_INVALID",
            "www.example.com is not an alias".into()
        )
    );
}

#[test]
fn client_certificates_for_the_client_purpose() {
    for (leaf, want) in [
        ("rsa-client.pem", None),
        ("rsa-leaf.pem", Some("INVALID_PURPOSE")),
    ] {
        let mut sc = server(&["rsa-leaf.pem", "rsa-int.pem"]);
        sc.client_verifier = Some(Arc::new(NodeClientVerifier::new(
            trust("rsa-root.pem"),
            true,
        )));
        let mut cc = client(
            ProtocolVersion::TLSv1_3,
            NodeServerVerifier::new(trust("rsa-root.pem")),
        );
        cc.client_certificate =
            Some(ClientCertificate::new(vec![cert(leaf), cert("rsa-int.pem")], rsa_key()).unwrap());
        let (_, s, (_, se)) = connect(cc, sc, "www.example.com");
        match want {
            None => {
                assert_eq!(se, None);
                assert_eq!(s.negotiated().peer_certificates.len(), 2);
            }
            Some(code) => assert_eq!(rejected(&se).0, code),
        }
    }
}
