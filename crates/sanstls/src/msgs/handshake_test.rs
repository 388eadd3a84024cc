use super::*;
use crate::msgs::strategies::{bytes, check_laws, dedup_extensions, unnamed_extension};
use crate::msgs::test_vectors as tv;
use proptest::prelude::*;

#[test]
fn empty_bodies_reject_trailing_data() {
    assert_eq!(
        HelloRequestPayload::read_bytes(&[]),
        Ok(HelloRequestPayload)
    );
    assert_eq!(
        EndOfEarlyDataPayload::read_bytes(&[]),
        Ok(EndOfEarlyDataPayload)
    );
    assert_eq!(
        ServerHelloDonePayload::read_bytes(&[]),
        Ok(ServerHelloDonePayload)
    );
    assert_eq!(
        HelloRequestPayload::read_bytes(&[0]),
        Err(InvalidMessage::TrailingData("HelloRequest"))
    );
    assert_eq!(
        EndOfEarlyDataPayload::read_bytes(&[0, 0]),
        Err(InvalidMessage::TrailingData("EndOfEarlyData"))
    );
    assert_eq!(
        ServerHelloDonePayload::read_bytes(&[1]),
        Err(InvalidMessage::TrailingData("ServerHelloDone"))
    );
    assert!(ServerHelloDonePayload.get_encoding().is_empty());
    // The OpenSSL capture's ServerHelloDone: header 0e000000, empty body.
    let shd = tv::hex(tv::TLS12_SERVER_HELLO_DONE);
    assert_eq!(shd, [14, 0, 0, 0]);
    assert!(ServerHelloDonePayload::read_bytes(tv::body(&shd)).is_ok());
}

#[test]
fn rfc8448_new_session_ticket() {
    let msg = tv::hex(tv::RFC8448_NEW_SESSION_TICKET);
    let body = tv::body(&msg);
    let nst = NewSessionTicketPayloadTls13::read_bytes(body).unwrap();
    assert_eq!(nst.lifetime, 0x1e);
    assert_eq!(nst.age_add, 0xfad6aac5);
    assert_eq!(nst.nonce.0, [0, 0]);
    assert_eq!(nst.ticket.0.len(), 0xb2);
    assert_eq!(nst.max_early_data_size(), Some(0x400));
    assert_eq!(nst.get_encoding(), body);
}

#[test]
fn openssl_tls12_new_session_ticket() {
    let msg = tv::hex(tv::TLS12_NEW_SESSION_TICKET);
    let body = tv::body(&msg);
    let nst = NewSessionTicketPayload::read_bytes(body).unwrap();
    assert_eq!(nst.lifetime_hint, 7200);
    assert_eq!(
        NewSessionTicketPayload::read_bytes(&body[..10]),
        Err(InvalidMessage::MissingData("ticket"))
    );
    assert_eq!(nst.ticket.0.len(), body.len() - 6);
    assert_eq!(nst.get_encoding(), body);
}

#[test]
fn nst13_rejects_empty_ticket_and_bad_extensions() {
    let good = NewSessionTicketPayloadTls13 {
        lifetime: 1,
        age_add: 2,
        nonce: PayloadU8(vec![]),
        ticket: PayloadU16(vec![9]),
        extensions: vec![
            NewSessionTicketExtension::EarlyData(7),
            NewSessionTicketExtension::Unknown(UnknownExtension {
                typ: ExtensionType::Unknown(0x1a1a),
                payload: Payload::new(vec![1, 2]),
            }),
        ],
    };
    check_laws(&good);

    let mut empty_ticket = good.clone();
    empty_ticket.ticket = PayloadU16(vec![]);
    assert_eq!(
        NewSessionTicketPayloadTls13::read_bytes(&empty_ticket.get_encoding()),
        Err(InvalidMessage::InvalidEmptyList("ticket"))
    );

    let mut dup = good.clone();
    dup.extensions.push(NewSessionTicketExtension::EarlyData(8));
    assert_eq!(
        NewSessionTicketPayloadTls13::read_bytes(&dup.get_encoding()),
        Err(InvalidMessage::DuplicateExtension(ExtensionType::EarlyData))
    );

    // early_data with 5 bytes of data: trailing data inside the extension.
    let mut enc = good.clone();
    enc.extensions.clear();
    let mut bytes = enc.get_encoding();
    bytes.truncate(bytes.len() - 2);
    bytes.extend_from_slice(&[0, 9, 0, 42, 0, 5, 0, 0, 0, 7, 0]);
    assert_eq!(
        NewSessionTicketPayloadTls13::read_bytes(&bytes),
        Err(InvalidMessage::TrailingData("EarlyData"))
    );

    // A named extension that NewSessionTicket does not carry (key_share).
    let mut bytes = enc.get_encoding();
    bytes.truncate(bytes.len() - 2);
    bytes.extend_from_slice(&[0, 4, 0, 51, 0, 0]);
    assert_eq!(
        NewSessionTicketPayloadTls13::read_bytes(&bytes),
        Err(InvalidMessage::UnexpectedExtension(ExtensionType::KeyShare))
    );
}

#[test]
fn nst13_extension_list_limit_is_2_16_minus_2() {
    // One unknown extension with 0xfffe - 4 bytes of data: the list body is 0xfffe.
    let mut ext = vec![0x1a, 0x1a, 0xff, 0xfa];
    ext.extend(std::iter::repeat_n(0, 0xfffa));
    let mut bytes = vec![0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 5];
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(&ext);
    assert!(NewSessionTicketPayloadTls13::read_bytes(&bytes).is_ok());
    // 0xffff bytes of extensions is one too many.
    let mut bytes = vec![0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 5];
    bytes.extend_from_slice(&[0xff, 0xff, 0x1a, 0x1a, 0xff, 0xfb]);
    bytes.extend(std::iter::repeat_n(0, 0xfffb));
    assert_eq!(
        NewSessionTicketPayloadTls13::read_bytes(&bytes),
        Err(InvalidMessage::TooLarge("NewSessionTicket.extensions"))
    );
}

#[test]
fn finished_is_opaque_and_exact() {
    for (name, hexmsg, len) in [
        ("rfc8448 s3", tv::RFC8448_SERVER_FINISHED, 32),
        ("rfc8448 s5", tv::RFC8448_CLIENT_AUTH_SERVER_FINISHED, 32),
        ("openssl tls1.2", tv::TLS12_CLIENT_FINISHED, 12),
    ] {
        let msg = tv::hex(hexmsg);
        let body = tv::body(&msg);
        let fin = FinishedPayload::read_bytes(body).unwrap();
        assert_eq!(fin.verify_data.0.len(), len, "{name}");
        assert_eq!(fin.get_encoding(), body, "{name}");
    }
}

#[test]
fn certificate_verify_vectors_round_trip() {
    for (name, hexmsg, scheme, len) in [
        (
            "rfc8448 s3 server",
            tv::RFC8448_SERVER_CERTIFICATE_VERIFY,
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            128,
        ),
        (
            "rfc8448 s5 server",
            tv::RFC8448_CLIENT_AUTH_SERVER_CERTIFICATE_VERIFY,
            SignatureScheme::ECDSA_NISTP256_SHA256,
            0x47,
        ),
        (
            "rfc8448 s5 client",
            tv::RFC8448_CLIENT_AUTH_CLIENT_CERTIFICATE_VERIFY,
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            128,
        ),
        (
            "openssl tls1.2 client",
            tv::TLS12_CLIENT_CERTIFICATE_VERIFY,
            SignatureScheme::ECDSA_NISTP256_SHA256,
            0x47,
        ),
    ] {
        let msg = tv::hex(hexmsg);
        let body = tv::body(&msg);
        let cv = CertificateVerifyPayload::read_bytes(body).unwrap();
        assert_eq!(cv.scheme, scheme, "{name}");
        assert_eq!(cv.signature.0.len(), len, "{name}");
        assert_eq!(cv.get_encoding(), body, "{name}");
    }
}

#[test]
fn digitally_signed_errors() {
    assert_eq!(
        DigitallySignedStruct::read_bytes(&[8, 4, 0, 3, 1, 2]),
        Err(InvalidMessage::MissingData("DigitallySigned.signature"))
    );
    assert!(DigitallySignedStruct::read_bytes(&[8, 4, 0, 1, 1, 2]).is_err());
    // An empty signature is grammatical (the verifier rejects it).
    assert!(DigitallySignedStruct::read_bytes(&[8, 4, 0, 0]).is_ok());
}

#[test]
fn key_update_values() {
    assert_eq!(
        KeyUpdatePayload::read_bytes(&[0]).unwrap().request,
        KeyUpdateRequest::UpdateNotRequested
    );
    assert_eq!(
        KeyUpdatePayload::read_bytes(&[1]).unwrap().request,
        KeyUpdateRequest::UpdateRequested
    );
    let err = KeyUpdatePayload::read_bytes(&[2]).unwrap_err();
    assert_eq!(err, InvalidMessage::IllegalValue("KeyUpdateRequest"));
    assert_eq!(
        err.alert(),
        crate::enums::AlertDescription::IllegalParameter
    );
    assert!(KeyUpdatePayload::read_bytes(&[]).is_err());
    assert!(KeyUpdatePayload::read_bytes(&[1, 0]).is_err());
}

#[test]
fn certificate_status_rules() {
    let st = CertificateStatus::new(vec![0x30, 0x03, 0x0a, 0x01, 0x00]);
    check_laws(&st);
    assert_eq!(st.get_encoding()[..4], [1, 0, 0, 5]);
    assert_eq!(
        CertificateStatus::read_bytes(&[1, 0, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("OCSPResponse"))
    );
    assert_eq!(
        CertificateStatus::read_bytes(&[2, 0, 0, 1, 0]),
        Err(InvalidMessage::IllegalValue(
            "CertificateStatus.status_type"
        ))
    );
    // A u24 length larger than the data present.
    assert_eq!(
        CertificateStatus::read_bytes(&[1, 0xff, 0xff, 0xff, 0]),
        Err(InvalidMessage::MissingData("OCSPResponse"))
    );
}

#[test]
fn message_hash_layout() {
    let h = [0xab; 32];
    let m = message_hash(&h);
    assert_eq!(m[..4], [254, 0, 0, 32]);
    assert_eq!(m[4..], h);
    assert_eq!(message_hash(&[7; 48])[..4], [254, 0, 0, 48]);
}

fn arb_nst13() -> impl Strategy<Value = NewSessionTicketPayloadTls13> {
    let ext = prop_oneof![
        any::<u32>().prop_map(NewSessionTicketExtension::EarlyData),
        unnamed_extension().prop_map(NewSessionTicketExtension::Unknown),
    ];
    (
        any::<u32>(),
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::vec(any::<u8>(), 1..40),
        proptest::collection::vec(ext, 0..4),
    )
        .prop_map(
            |(lifetime, age_add, nonce, ticket, exts)| NewSessionTicketPayloadTls13 {
                lifetime,
                age_add,
                nonce: PayloadU8(nonce),
                ticket: PayloadU16(ticket),
                extensions: dedup_extensions(exts),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn nst12_laws(hint: u32, ticket in proptest::collection::vec(any::<u8>(), 0..64)) {
        check_laws(&NewSessionTicketPayload { lifetime_hint: hint, ticket: PayloadU16(ticket) });
    }

    #[test]
    fn nst13_laws(v in arb_nst13()) {
        check_laws(&v);
    }

    #[test]
    fn digitally_signed_laws(scheme: u16, sig in proptest::collection::vec(any::<u8>(), 0..80)) {
        check_laws(&DigitallySignedStruct::new(scheme.into(), sig));
    }

    #[test]
    fn certificate_status_laws(resp in proptest::collection::vec(any::<u8>(), 1..80)) {
        check_laws(&CertificateStatus::new(resp));
    }

    #[test]
    fn key_update_laws(b in 0u8..2) {
        check_laws(&KeyUpdatePayload { request: b.into() });
    }

    #[test]
    fn finished_round_trips(data in bytes(0, 299)) {
        // Opaque to the end: every prefix decodes too, so only the identity laws apply.
        let f = FinishedPayload { verify_data: Payload::new(data.clone()) };
        prop_assert_eq!(FinishedPayload::read_bytes(&data), Ok(f.clone()));
        prop_assert_eq!(f.get_encoding(), data);
    }

    #[test]
    fn message_hash_is_header_plus_hash(hash in proptest::collection::vec(any::<u8>(), 0..64)) {
        let m = message_hash(&hash);
        prop_assert_eq!(m.len(), hash.len() + 4);
        prop_assert_eq!(&m[4..], &hash[..]);
        prop_assert_eq!(usize::from(m[3]), hash.len());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in bytes(0, 299)) {
        let _ = HelloRequestPayload::read_bytes(&data);
        let _ = EndOfEarlyDataPayload::read_bytes(&data);
        let _ = ServerHelloDonePayload::read_bytes(&data);
        let _ = NewSessionTicketPayload::read_bytes(&data);
        let _ = NewSessionTicketPayloadTls13::read_bytes(&data);
        let _ = DigitallySignedStruct::read_bytes(&data);
        let _ = CertificateStatus::read_bytes(&data);
        let _ = KeyUpdatePayload::read_bytes(&data);
        let _ = FinishedPayload::read_bytes(&data);
    }

    #[test]
    fn mutated_nst13_never_panics(v in arb_nst13(), at: usize, byte: u8) {
        let mut enc = v.get_encoding();
        let i = at % enc.len();
        enc[i] = byte;
        if let Ok(d) = NewSessionTicketPayloadTls13::read_bytes(&enc) {
            prop_assert_eq!(d.get_encoding(), enc);
        }
    }
}
