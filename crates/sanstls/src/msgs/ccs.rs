//! The ChangeCipherSpec message (RFC 5246 s7.1; RFC 8446 s5 keeps it for middlebox
//! compatibility only).

use crate::codec::{Codec, Reader};
use crate::error::InvalidMessage;

/// `struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec;`
///
/// The body is exactly the single byte 1. RFC 8446 s5 requires a TLS 1.3 endpoint to abort
/// with unexpected_message on any other value; the TLS 1.2 grammar allows nothing else either.
/// Every deviation decodes as [`InvalidMessage::InvalidCcs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ChangeCipherSpecPayload;

impl Codec for ChangeCipherSpecPayload {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(1);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match r.take(1) {
            Some([1]) => Ok(Self),
            _ => Err(InvalidMessage::InvalidCcs),
        }
    }

    /// The record body must be exactly `[1]`; a longer body is `InvalidCcs`, not trailing data.
    fn read_bytes(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        match bytes {
            [1] => Ok(Self),
            _ => Err(InvalidMessage::InvalidCcs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_single_byte_one_is_accepted() {
        assert_eq!(
            ChangeCipherSpecPayload::read_bytes(&[1]),
            Ok(ChangeCipherSpecPayload)
        );
        assert_eq!(ChangeCipherSpecPayload.get_encoding(), [1]);
        for bad in [&[][..], &[0][..], &[2][..], &[1, 1][..], &[1, 0][..]] {
            assert_eq!(
                ChangeCipherSpecPayload::read_bytes(bad),
                Err(InvalidMessage::InvalidCcs),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn read_consumes_one_byte() {
        let mut r = Reader::new(&[1, 7]);
        assert_eq!(
            ChangeCipherSpecPayload::read(&mut r),
            Ok(ChangeCipherSpecPayload)
        );
        assert_eq!(r.left(), 1);
        assert_eq!(
            ChangeCipherSpecPayload::read(&mut Reader::new(&[])),
            Err(InvalidMessage::InvalidCcs)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4)) {
            let ok = ChangeCipherSpecPayload::read_bytes(&bytes).is_ok();
            prop_assert_eq!(ok, bytes == [1]);
        }
    }
}
