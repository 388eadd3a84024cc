use super::*;
use proptest::prelude::*;

fn hdr(bytes: &[u8]) -> RecordHeader {
    RecordHeader::read_bytes(bytes).unwrap()
}

#[test]
fn limits_have_rfc_values() {
    assert_eq!(MAX_PLAINTEXT, 16384);
    assert_eq!(MAX_CIPHERTEXT_TLS12, 18432);
    assert_eq!(MAX_CIPHERTEXT_TLS13, 16640);
}

#[test]
fn decodes_fields() {
    let h = hdr(&[0x17, 0x03, 0x03, 0x02, 0xa2]);
    assert_eq!(h.typ, ContentType::ApplicationData);
    assert_eq!(h.version, ProtocolVersion::TLSv1_2);
    assert_eq!(h.len, 0x2a2);
    assert_eq!(h.get_encoding(), [0x17, 0x03, 0x03, 0x02, 0xa2]);
    assert_eq!(h.check(MAX_CIPHERTEXT_TLS13), Ok(()));
}

#[test]
fn check_refuses_bad_type_version_and_length() {
    for t in [0u8, 19, 24, 25, 255] {
        assert_eq!(
            hdr(&[t, 3, 3, 0, 1]).check(MAX_PLAINTEXT),
            Err(InvalidMessage::InvalidContentType(ContentType::from(t)))
        );
    }
    for v in [[2u8, 0], [4, 3], [0xfe, 0xfd], [0, 0]] {
        assert_eq!(
            hdr(&[22, v[0], v[1], 0, 1]).check(MAX_PLAINTEXT),
            Err(InvalidMessage::UnknownProtocolVersion)
        );
    }
    // Any 3.x minor version is accepted (RFC 8446 s5.1: legacy_record_version is ignored).
    for minor in [0u8, 1, 2, 3, 4, 0xff] {
        assert_eq!(hdr(&[22, 3, minor, 0, 1]).check(MAX_PLAINTEXT), Ok(()));
    }
    let at = |n: usize| RecordHeader {
        typ: ContentType::Handshake,
        version: ProtocolVersion::TLSv1_2,
        len: n as u16,
    };
    assert_eq!(at(MAX_PLAINTEXT).check(MAX_PLAINTEXT), Ok(()));
    assert_eq!(
        at(MAX_PLAINTEXT + 1).check(MAX_PLAINTEXT),
        Err(InvalidMessage::RecordTooLarge)
    );
    assert_eq!(at(MAX_CIPHERTEXT_TLS13).check(MAX_CIPHERTEXT_TLS13), Ok(()));
    assert_eq!(
        at(MAX_CIPHERTEXT_TLS13 + 1).check(MAX_CIPHERTEXT_TLS13),
        Err(InvalidMessage::RecordTooLarge)
    );
    assert_eq!(at(MAX_CIPHERTEXT_TLS12).check(MAX_CIPHERTEXT_TLS12), Ok(()));
    assert_eq!(
        at(MAX_CIPHERTEXT_TLS12 + 1).check(MAX_CIPHERTEXT_TLS12),
        Err(InvalidMessage::RecordTooLarge)
    );
    assert_eq!(
        InvalidMessage::RecordTooLarge.alert(),
        crate::enums::AlertDescription::RecordOverflow
    );
}

#[test]
fn read_checked_applies_the_limit() {
    let bytes = [22, 3, 3, 0x40, 0x01];
    assert_eq!(
        RecordHeader::read_checked(&mut Reader::new(&bytes), MAX_PLAINTEXT),
        Err(InvalidMessage::RecordTooLarge)
    );
    assert!(RecordHeader::read_checked(&mut Reader::new(&bytes), MAX_CIPHERTEXT_TLS13).is_ok());
}

fn arb_header() -> impl Strategy<Value = RecordHeader> {
    (any::<u8>(), any::<u16>(), any::<u16>()).prop_map(|(t, v, len)| RecordHeader {
        typ: ContentType::from(t),
        version: ProtocolVersion::from(v),
        len,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encode_decode_round_trips(h in arb_header()) {
        let enc = h.get_encoding();
        prop_assert_eq!(enc.len(), HEADER_LEN);
        prop_assert_eq!(RecordHeader::read_bytes(&enc), Ok(h));
    }

    #[test]
    fn decode_encode_reproduces_bytes(b in proptest::array::uniform5(any::<u8>())) {
        prop_assert_eq!(hdr(&b).get_encoding(), b.to_vec());
    }

    #[test]
    fn truncations_are_errors(h in arb_header(), cut in 0usize..HEADER_LEN) {
        let enc = h.get_encoding();
        prop_assert_eq!(
            RecordHeader::read_bytes(&enc[..cut]),
            Err(InvalidMessage::MissingData("record header"))
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..12)) {
        let _ = RecordHeader::read_checked(&mut Reader::new(&b), MAX_PLAINTEXT);
        let _ = RecordHeader::read_bytes(&b);
    }
}
