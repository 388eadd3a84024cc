//! Certificates generated in process (rcgen), for tests that need chosen names without a
//! peer program: a well-formed CA and server leaf that every policy accepts but for the
//! names under test.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

/// A CA and a leaf it signed, DER and PEM.
#[derive(Debug)]
pub struct Chain {
    /// The CA certificate, DER.
    pub ca_der: Vec<u8>,
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The leaf certificate, DER.
    pub leaf_der: Vec<u8>,
    /// The leaf certificate, PEM.
    pub leaf_pem: String,
}

/// A CA and a server leaf valid 2026-01-01 to 2028-01-01, well formed for the strict
/// policy too (a critical CA constraint, keyCertSign, serverAuth, an authority key
/// identifier), so that only the names differ from what any policy wants: subject CN `cn`,
/// subjectAltName `sans` (no extension when empty).
pub fn ca_and_leaf(cn: &str, sans: Vec<SanType>) -> Chain {
    let validity = |p: &mut CertificateParams| {
        p.not_before = rcgen::date_time_ymd(2026, 1, 1);
        p.not_after = rcgen::date_time_ymd(2028, 1, 1);
    };
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::default();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "sanstls strict-names test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut ca);
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf = CertificateParams::default();
    leaf.distinguished_name.push(DnType::CommonName, cn);
    leaf.subject_alt_names = sans;
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    validity(&mut leaf);
    let leaf_cert = leaf
        .signed_by(&leaf_key, &Issuer::from_params(&ca, &ca_key))
        .expect("leaf certificate");
    Chain {
        ca_der: ca_cert.der().to_vec(),
        ca_pem: ca_cert.pem(),
        leaf_der: leaf_cert.der().to_vec(),
        leaf_pem: leaf_cert.pem(),
    }
}

/// A self-signed ECDSA P-256 certificate for `localhost` and `127.0.0.1` and its PKCS#8 key
/// (DER both): the default certificate of the engine's example servers, made as the CLI
/// makes `sanstls server`'s (`rcgen::generate_simple_self_signed` with the same names).
pub fn self_signed_localhost() -> (Vec<u8>, Vec<u8>) {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("self-signed certificate");
    (
        generated.cert.der().to_vec(),
        generated.signing_key.serialize_der(),
    )
}
