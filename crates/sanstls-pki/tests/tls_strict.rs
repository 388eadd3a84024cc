//! `StrictServerVerifier` beside `NodeServerVerifier`, called as the engine calls them, on
//! a chain generated here: the strict one refuses what Node's policy accepts through the
//! Common Name, and both accept a subjectAltName match.

use rcgen::SanType;
use sanstls::crypto::verify::ServerCertVerifier;
use sanstls::error::CertificateError;
use sanstls::{Error, UnixTime};
use sanstls_pki::tls::{NodeServerVerifier, StrictServerVerifier};
use sanstls_pki::verify::{Policy, Verifier};

/// 2026-09-21, inside the generated certificates' validity.
const NOW: u64 = 1_790_000_000;

/// (CA, leaf) DER; the leaf has CN `cn` and the SAN entries `sans` (no extension if none).
fn chain(cn: &str, sans: Vec<SanType>) -> (Vec<u8>, Vec<u8>) {
    let c = sanstls_test::generated::ca_and_leaf(cn, sans);
    (c.ca_der, c.leaf_der)
}

fn check(verifier: &dyn ServerCertVerifier, leaf: &[u8], name: &str) -> Result<(), Error> {
    verifier.verify_server_cert(leaf, &[], name, &[], UnixTime::from_secs(NOW))
}

fn code(result: Result<(), Error>) -> String {
    match result {
        Err(Error::InvalidCertificate(CertificateError::Rejected { code, .. })) => {
            code.into_owned()
        }
        other => panic!("not a refusal: {other:?}"),
    }
}

#[test]
fn strict_refuses_the_common_name_node_accepts() {
    let (ca, leaf) = chain("cn-only.example.com", Vec::new());
    let node = NodeServerVerifier::with_roots(vec![ca.clone()]).unwrap();
    let strict = StrictServerVerifier::with_roots(vec![ca]).unwrap();
    check(&node, &leaf, "cn-only.example.com").unwrap();
    assert_eq!(
        code(check(&strict, &leaf, "cn-only.example.com")),
        "ERR_TLS_CERT_ALTNAME_INVALID"
    );
}

#[test]
fn both_accept_a_subject_alt_name_and_refuse_a_look_alike() {
    let sans = vec![
        SanType::DnsName("*.example.com".try_into().unwrap()),
        SanType::IpAddress([127, 0, 0, 1].into()),
    ];
    let (ca, leaf) = chain("www.example.com", sans);
    let node = NodeServerVerifier::with_roots(vec![ca.clone()]).unwrap();
    let strict = StrictServerVerifier::with_roots(vec![ca]).unwrap();
    for name in ["www.example.com", "127.0.0.1"] {
        check(&node, &leaf, name).unwrap();
        check(&strict, &leaf, name).unwrap();
    }
    for name in ["127.1", "a.b.example.com", "example.com"] {
        assert_eq!(
            code(check(&strict, &leaf, name)),
            "ERR_TLS_CERT_ALTNAME_INVALID",
            "{name}"
        );
    }
}

#[test]
fn the_strict_verifiers_apply_the_strict_policy() {
    // What the verifier is built on is switched whatever it was.
    let (ca, _) = chain("x.example.com", Vec::new());
    let v = Verifier::new(vec![ca]).unwrap();
    assert_eq!(v.policy(), Policy::Node);
    let strict = StrictServerVerifier::new(v);
    assert!(
        format!("{strict:?}").contains("policy: Strict"),
        "{strict:?}"
    );
}
