//! The 5-byte record header and the record-size limits (RFC 8446 s5.1, RFC 5246 s6.2).
//!
//! Every TLS record starts with `type(1) || version(2) || length(2)`. This module owns the
//! checks that can be made from the header alone: a content type TLS defines, a version
//! whose major byte is 3, and a length within the limit in force. Which limit is in force
//! depends on the protection state, so the caller passes it in (see [`RecordHeader::check`]).

use crate::codec::{Codec, Reader};
use crate::enums::{ContentType, ProtocolVersion};
use crate::error::InvalidMessage;

/// Length of a record header: type(1), version(2), length(2).
pub const HEADER_LEN: usize = 5;

/// The largest plaintext fragment: 2^14 bytes (RFC 8446 s5.1, RFC 5246 s6.2.1).
///
/// This is also the limit on the record length before any keys are in force.
pub const MAX_PLAINTEXT: usize = 1 << 14;

/// The largest TLS 1.2 `TLSCiphertext.length`: 2^14 + 2048 (RFC 5246 s6.2.3).
pub const MAX_CIPHERTEXT_TLS12: usize = MAX_PLAINTEXT + 2048;

/// The largest TLS 1.3 `TLSCiphertext.length`: 2^14 + 256 (RFC 8446 s5.2).
pub const MAX_CIPHERTEXT_TLS13: usize = MAX_PLAINTEXT + 256;

/// A record header as it appears on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// The (outer) content type.
    pub typ: ContentType,
    /// The record version (`legacy_record_version` in TLS 1.3).
    pub version: ProtocolVersion,
    /// The length of the payload that follows the header.
    pub len: u16,
}

impl RecordHeader {
    /// Checks the header against the RFC rules, with `max_len` the payload limit in force
    /// (one of [`MAX_PLAINTEXT`], [`MAX_CIPHERTEXT_TLS12`], [`MAX_CIPHERTEXT_TLS13`]).
    ///
    /// - The type must be one of ChangeCipherSpec, Alert, Handshake, ApplicationData. We
    ///   never negotiate Heartbeat (RFC 6520), so it is as foreign as an unassigned value.
    /// - The version's major byte must be 3: TLS 1.0 to 1.3 all use 3.x, and TLS 1.3 says
    ///   the minor byte is to be ignored (RFC 8446 s5.1).
    /// - The length must not exceed `max_len` (record_overflow).
    pub fn check(&self, max_len: usize) -> Result<(), InvalidMessage> {
        if !is_tls_content_type(self.typ) {
            return Err(InvalidMessage::InvalidContentType(self.typ));
        }
        if self.version.to_int() >> 8 != 3 {
            return Err(InvalidMessage::UnknownProtocolVersion);
        }
        if usize::from(self.len) > max_len {
            return Err(InvalidMessage::RecordTooLarge);
        }
        Ok(())
    }

    /// Reads a header and checks it with [`RecordHeader::check`] against `max_len`.
    pub fn read_checked(r: &mut Reader<'_>, max_len: usize) -> Result<Self, InvalidMessage> {
        let hdr = Self::read(r)?;
        hdr.check(max_len)?;
        Ok(hdr)
    }

    /// The 5 header bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let v = self.version.to_int().to_be_bytes();
        let l = self.len.to_be_bytes();
        [self.typ.to_int(), v[0], v[1], l[0], l[1]]
    }
}

/// Whether `typ` is one of the four content types a TLS 1.2/1.3 record may carry.
pub fn is_tls_content_type(typ: ContentType) -> bool {
    matches!(
        typ,
        ContentType::ChangeCipherSpec
            | ContentType::Alert
            | ContentType::Handshake
            | ContentType::ApplicationData
    )
}

impl Codec for RecordHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Reads the five bytes without judging them; use [`RecordHeader::read_checked`] (or
    /// [`RecordHeader::check`]) on peer input so the limit in force is applied.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let b = r.take_for(HEADER_LEN, "record header")?;
        Ok(Self {
            typ: ContentType::from(b[0]),
            version: ProtocolVersion::from(u16::from_be_bytes([b[1], b[2]])),
            len: u16::from_be_bytes([b[3], b[4]]),
        })
    }
}

#[cfg(test)]
mod tests {
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
}
