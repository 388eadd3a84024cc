use super::*;
use crate::codec::Payload;
use crate::msgs::strategies::{bytes, check_laws, dedup_extensions, unnamed_extension};
use crate::msgs::test_vectors as tv;
use proptest::prelude::*;

#[test]
fn rfc8448_server_certificates() {
    for (name, hexmsg, len) in [
        ("s3 rsa", tv::RFC8448_SERVER_CERTIFICATE, 0x1b0),
        (
            "s5 ecdsa",
            tv::RFC8448_CLIENT_AUTH_SERVER_CERTIFICATE,
            0x132,
        ),
        (
            "s5 client rsa",
            tv::RFC8448_CLIENT_AUTH_CLIENT_CERTIFICATE,
            0x1b6,
        ),
    ] {
        let msg = tv::hex(hexmsg);
        let body = tv::body(&msg);
        let c = CertificatePayloadTls13::read_bytes(body).unwrap();
        assert!(c.context.0.is_empty(), "{name}");
        assert_eq!(c.entries.len(), 1, "{name}");
        assert_eq!(c.entries[0].cert.0.len(), len, "{name}");
        assert!(c.entries[0].extensions.is_empty(), "{name}");
        assert_eq!(c.get_encoding(), body, "{name}");
    }
}

#[test]
fn rfc8448_certificate_request() {
    let msg = tv::hex(tv::RFC8448_CERTIFICATE_REQUEST);
    let body = tv::body(&msg);
    let cr = CertificateRequestPayloadTls13::read_bytes(body).unwrap();
    assert!(cr.context.0.is_empty());
    let algs = cr.signature_algorithms().unwrap();
    assert_eq!(algs.len(), 15);
    assert_eq!(algs[0], SignatureScheme::ECDSA_NISTP256_SHA256);
    assert!(cr.signature_algorithms_cert().is_none());
    assert!(!cr.wants_ocsp());
    assert_eq!(cr.get_encoding(), body);
}

#[test]
fn openssl_tls12_certificates() {
    for (name, hexmsg, count) in [
        ("server", tv::TLS12_SERVER_CERTIFICATE, 1),
        ("client", tv::TLS12_CLIENT_CERTIFICATE, 1),
    ] {
        let msg = tv::hex(hexmsg);
        let body = tv::body(&msg);
        let c = CertificatePayload::read_bytes(body).unwrap();
        assert_eq!(c.0.len(), count, "{name}");
        assert_eq!(c.0[0].0[0], 0x30, "{name}: DER SEQUENCE");
        assert_eq!(c.get_encoding(), body, "{name}");
    }
}

#[test]
fn openssl_tls12_certificate_request() {
    let msg = tv::hex(tv::TLS12_CERTIFICATE_REQUEST);
    let body = tv::body(&msg);
    let cr = CertificateRequestPayload::read_bytes(body).unwrap();
    assert_eq!(
        cr.certificate_types,
        [
            ClientCertificateType::RSASign,
            ClientCertificateType::DSSSign,
            ClientCertificateType::ECDSASign
        ]
    );
    assert!(cr
        .signature_algorithms
        .contains(&SignatureScheme::RSA_PSS_RSAE_SHA256));
    // The server was given `-CAfile ccert.pem`, so it names that one issuer.
    assert_eq!(cr.authorities.len(), 1);
    assert_eq!(cr.get_encoding(), body);
}

#[test]
fn tls12_certificate_rules() {
    // An empty chain is grammatical (a client without a certificate).
    assert_eq!(
        CertificatePayload::read_bytes(&[0, 0, 0]),
        Ok(CertificatePayload(vec![]))
    );
    // A zero-length certificate is not.
    assert_eq!(
        CertificatePayload::read_bytes(&[0, 0, 3, 0, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("ASN.1Cert"))
    );
    // u24 lengths larger than the data.
    assert_eq!(
        CertificatePayload::read_bytes(&[0, 0, 9, 0, 0, 1, 0x30]),
        Err(InvalidMessage::MissingData("certificate_list"))
    );
    assert_eq!(
        CertificatePayload::read_bytes(&[0, 0, 4, 0xff, 0xff, 0xff, 0x30]),
        Err(InvalidMessage::MissingData("ASN.1Cert"))
    );
    // Trailing data after the list.
    assert!(CertificatePayload::read_bytes(&[0, 0, 4, 0, 0, 1, 0x30, 0]).is_err());
}

fn entry_bytes(exts: &[u8]) -> Vec<u8> {
    // context<0>, list, entry{cert_data = [0x30], extensions = exts (with prefix)}
    let entry_len = 3 + 1 + exts.len();
    let mut v = vec![0];
    v.extend_from_slice(&U24(entry_len as u32).get_encoding());
    v.extend_from_slice(&[0, 0, 1, 0x30]);
    v.extend_from_slice(exts);
    v
}

#[test]
fn tls13_certificate_entry_extensions() {
    // status_request with an OCSP response, then an SCT list of one SCT.
    let exts = [
        0, 18, // extensions length
        0, 5, 0, 5, 1, 0, 0, 1, 0xaa, // status_request: ocsp, 1-byte response
        0, 18, 0, 5, 0, 3, 0, 1, 0xbb, // SCT list
    ];
    let bytes = entry_bytes(&exts);
    let c = CertificatePayloadTls13::read_bytes(&bytes).unwrap();
    assert_eq!(c.entries[0].ocsp_response(), Some(&[0xaa][..]));
    assert_eq!(c.entries[0].scts().unwrap(), [Sct(vec![0xbb])]);
    assert_eq!(c.get_encoding(), bytes);

    // Duplicate status_request.
    let dup = [
        0, 18, 0, 5, 0, 5, 1, 0, 0, 1, 0xaa, 0, 5, 0, 5, 1, 0, 0, 1, 0xaa,
    ];
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&entry_bytes(&dup)),
        Err(InvalidMessage::DuplicateExtension(
            ExtensionType::StatusRequest
        ))
    );
    // Empty SCT list and empty SCT.
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 6, 0, 18, 0, 2, 0, 0])),
        Err(InvalidMessage::InvalidEmptyList("sct_list"))
    );
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 8, 0, 18, 0, 4, 0, 2, 0, 0])),
        Err(InvalidMessage::InvalidEmptyList("SerializedSCT"))
    );
    // Unknown status type.
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 9, 0, 5, 0, 5, 2, 0, 0, 1, 0xaa])),
        Err(InvalidMessage::IllegalValue(
            "CertificateStatus.status_type"
        ))
    );
    // An unknown extension is kept; a named but misplaced one is refused.
    let unk = [0, 6, 0xfa, 0xfa, 0, 2, 1, 2];
    let c = CertificatePayloadTls13::read_bytes(&entry_bytes(&unk)).unwrap();
    assert_eq!(
        c.entries[0].extensions,
        [CertificateExtension::Unknown(UnknownExtension {
            typ: ExtensionType::Unknown(0xfafa),
            payload: Payload::new(vec![1, 2]),
        })]
    );
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 4, 0, 0x2b, 0, 0])),
        Err(InvalidMessage::UnexpectedExtension(
            ExtensionType::SupportedVersions
        ))
    );
    // Extension data longer than the extension list.
    assert!(CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 4, 0xfa, 0xfa, 0, 9])).is_err());
}

#[test]
fn tls13_certificate_u24_lengths_beyond_data() {
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&[0, 0xff, 0xff, 0xff]),
        Err(InvalidMessage::MissingData("certificate_list"))
    );
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&[0, 0, 0, 6, 0, 1, 0, 0x30, 0, 0]),
        Err(InvalidMessage::MissingData("ASN.1Cert"))
    );
    assert_eq!(
        CertificatePayloadTls13::read_bytes(&[0, 0, 0, 5, 0, 0, 0, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("ASN.1Cert"))
    );
    // An empty chain is grammatical.
    assert!(CertificatePayloadTls13::read_bytes(&[0, 0, 0, 0]).is_ok());
}

#[test]
fn tls12_certificate_request_rules() {
    let good = CertificateRequestPayload {
        certificate_types: vec![ClientCertificateType::RSASign],
        signature_algorithms: vec![SignatureScheme::RSA_PKCS1_SHA256],
        authorities: vec![],
    };
    check_laws(&good);
    assert_eq!(good.get_encoding(), [1, 1, 0, 2, 4, 1, 0, 0]);
    assert_eq!(
        CertificateRequestPayload::read_bytes(&[0, 0, 2, 4, 1, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("certificate_types"))
    );
    assert_eq!(
        CertificateRequestPayload::read_bytes(&[1, 1, 0, 0, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList(
            "supported_signature_algorithms"
        ))
    );
    // An odd-length signature algorithm list.
    assert!(CertificateRequestPayload::read_bytes(&[1, 1, 0, 3, 4, 1, 5, 0, 0]).is_err());
    // Empty DistinguishedName inside the list.
    assert_eq!(
        CertificateRequestPayload::read_bytes(&[1, 1, 0, 2, 4, 1, 0, 2, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("DistinguishedName"))
    );
    assert_eq!(
        CertificateRequestPayload::read_bytes(&[1, 1, 0, 2, 4, 1, 0]),
        Err(InvalidMessage::MissingData("certificate_authorities"))
    );
}

#[test]
fn tls13_certificate_request_needs_signature_algorithms() {
    // Only signature_algorithms_cert: missing_extension.
    let bytes = [0, 0, 8, 0, 50, 0, 4, 0, 2, 8, 4];
    let err = CertificateRequestPayloadTls13::read_bytes(&bytes).unwrap_err();
    assert_eq!(
        err,
        InvalidMessage::MissingExtension(ExtensionType::SignatureAlgorithms)
    );
    assert_eq!(
        err.alert(),
        crate::enums::AlertDescription::MissingExtension
    );
    // No extensions at all: the list is <2..2^16-1>.
    assert_eq!(
        CertificateRequestPayloadTls13::read_bytes(&[0, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList(
            "CertificateRequest.extensions"
        ))
    );
}

#[test]
fn tls13_certificate_request_extensions() {
    let cr = CertificateRequestPayloadTls13 {
        context: PayloadU8(vec![1, 2, 3]),
        extensions: vec![
            CertReqExtension::SignatureAlgorithms(vec![SignatureScheme::ED25519]),
            CertReqExtension::SignatureAlgorithmsCert(vec![SignatureScheme::ED448]),
            CertReqExtension::AuthorityNames(vec![DistinguishedName(vec![0x30, 0])]),
            CertReqExtension::StatusRequest,
            CertReqExtension::SignedCertificateTimestamp,
            CertReqExtension::OidFilters(Payload::new(vec![0, 0])),
        ],
    };
    check_laws(&cr);
    assert!(cr.wants_ocsp() && cr.wants_scts());
    assert_eq!(cr.authorities().unwrap().len(), 1);

    let sigalgs = [0, 13, 0, 4, 0, 2, 8, 7];
    let with = |extra: &[u8]| {
        let mut v = vec![0];
        let len = (sigalgs.len() + extra.len()) as u16;
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&sigalgs);
        v.extend_from_slice(extra);
        v
    };
    assert!(CertificateRequestPayloadTls13::read_bytes(&with(&[])).is_ok());
    assert_eq!(
        CertificateRequestPayloadTls13::read_bytes(&with(&sigalgs)),
        Err(InvalidMessage::DuplicateExtension(
            ExtensionType::SignatureAlgorithms
        ))
    );
    // status_request must be empty in a CertificateRequest.
    assert_eq!(
        CertificateRequestPayloadTls13::read_bytes(&with(&[0, 5, 0, 1, 0])),
        Err(InvalidMessage::TrailingData("StatusRequest"))
    );
    // certificate_authorities must not be empty.
    assert_eq!(
        CertificateRequestPayloadTls13::read_bytes(&with(&[0, 47, 0, 2, 0, 0])),
        Err(InvalidMessage::InvalidEmptyList("certificate_authorities"))
    );
    // An empty signature_algorithms list.
    assert_eq!(
        CertificateRequestPayloadTls13::read_bytes(&[0, 0, 6, 0, 13, 0, 2, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList(
            "supported_signature_algorithms"
        ))
    );
    // key_share does not belong in a CertificateRequest.
    assert_eq!(
        CertificateRequestPayloadTls13::read_bytes(&with(&[0, 51, 0, 0])),
        Err(InvalidMessage::UnexpectedExtension(ExtensionType::KeyShare))
    );
    // compress_certificate (RFC 8879) belongs in a CertificateRequest: kept opaque.
    let cr = CertificateRequestPayloadTls13::read_bytes(&with(&[0, 27, 0, 3, 2, 0, 1])).unwrap();
    assert_eq!(
        cr.extensions[1],
        CertReqExtension::Unknown(UnknownExtension {
            typ: ExtensionType::CompressCertificate,
            payload: Payload::new(vec![2, 0, 1]),
        })
    );
    // GREASE-like unknown types are kept.
    let cr = CertificateRequestPayloadTls13::read_bytes(&with(&[0x0a, 0x0a, 0, 0])).unwrap();
    assert_eq!(cr.extensions.len(), 2);
}

fn arb_cert() -> impl Strategy<Value = CertificateDer> {
    bytes(1, 39).prop_map(CertificateDer)
}

fn arb_schemes() -> impl Strategy<Value = Vec<SignatureScheme>> {
    proptest::collection::vec(any::<u16>().prop_map(SignatureScheme::from), 1..6)
}

fn arb_names() -> impl Strategy<Value = Vec<DistinguishedName>> {
    proptest::collection::vec(bytes(1, 11).prop_map(DistinguishedName), 0..4)
}

fn arb_entry() -> impl Strategy<Value = CertificateEntry> {
    let ext = prop_oneof![
        bytes(1, 19)
            .prop_map(|b| CertificateExtension::CertificateStatus(CertificateStatus::new(b))),
        proptest::collection::vec(bytes(1, 9).prop_map(Sct), 1..3)
            .prop_map(CertificateExtension::SignedCertificateTimestamp),
        unnamed_extension().prop_map(CertificateExtension::Unknown),
    ];
    (arb_cert(), proptest::collection::vec(ext, 0..4)).prop_map(|(cert, exts)| CertificateEntry {
        cert,
        extensions: dedup_extensions(exts),
    })
}

fn arb_cr13() -> impl Strategy<Value = CertificateRequestPayloadTls13> {
    let ext = prop_oneof![
        arb_schemes().prop_map(CertReqExtension::SignatureAlgorithmsCert),
        arb_names()
            .prop_filter("non-empty", |n| !n.is_empty())
            .prop_map(CertReqExtension::AuthorityNames),
        Just(CertReqExtension::StatusRequest),
        Just(CertReqExtension::SignedCertificateTimestamp),
        bytes(0, 9).prop_map(|b| CertReqExtension::OidFilters(Payload::new(b))),
        unnamed_extension().prop_map(CertReqExtension::Unknown),
    ];
    (
        bytes(0, 9),
        arb_schemes(),
        proptest::collection::vec(ext, 0..5),
        any::<usize>(),
    )
        .prop_map(|(ctx, algs, mut exts, at)| {
            let at = at % (exts.len() + 1);
            exts.insert(at, CertReqExtension::SignatureAlgorithms(algs));
            CertificateRequestPayloadTls13 {
                context: PayloadU8(ctx),
                extensions: dedup_extensions(exts),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parts_laws(cert in arb_cert(), sct in bytes(1, 29), entry in arb_entry()) {
        check_laws(&cert);
        check_laws(&Sct(sct));
        check_laws(&entry);
    }

    #[test]
    fn certificate12_laws(certs in proptest::collection::vec(arb_cert(), 0..4)) {
        check_laws(&CertificatePayload(certs));
    }

    #[test]
    fn certificate13_laws(ctx in bytes(0, 7), entries in proptest::collection::vec(arb_entry(), 0..4)) {
        check_laws(&CertificatePayloadTls13 { context: PayloadU8(ctx), entries });
    }

    #[test]
    fn certificate_request12_laws(
        types in proptest::collection::vec(any::<u8>().prop_map(ClientCertificateType::from), 1..5),
        algs in arb_schemes(),
        names in arb_names(),
    ) {
        check_laws(&CertificateRequestPayload {
            certificate_types: types,
            signature_algorithms: algs,
            authorities: names,
        });
    }

    #[test]
    fn certificate_request13_laws(v in arb_cr13()) {
        check_laws(&v);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in bytes(0, 299)) {
        let _ = CertificatePayload::read_bytes(&data);
        let _ = CertificatePayloadTls13::read_bytes(&data);
        let _ = CertificateRequestPayload::read_bytes(&data);
        let _ = CertificateRequestPayloadTls13::read_bytes(&data);
    }

    #[test]
    fn mutated_messages_never_panic(v in arb_cr13(), e in arb_entry(), at: usize, byte: u8) {
        let mut enc = v.get_encoding();
        let i = at % enc.len();
        enc[i] = byte;
        if let Ok(d) = CertificateRequestPayloadTls13::read_bytes(&enc) {
            prop_assert_eq!(d.get_encoding(), enc);
        }
        let mut enc = CertificatePayloadTls13 { context: PayloadU8(vec![]), entries: vec![e] }
            .get_encoding();
        let i = at % enc.len();
        enc[i] = byte;
        if let Ok(d) = CertificatePayloadTls13::read_bytes(&enc) {
            prop_assert_eq!(d.get_encoding(), enc);
        }
    }
}
