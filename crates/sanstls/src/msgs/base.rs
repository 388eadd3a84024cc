//! Small structures shared by several messages.

use crate::codec::{fmt_hex, Codec, ListLength, Reader, TlsListElement};
use crate::error::InvalidMessage;
use crate::prelude::*;

/// Reads a length-prefixed opaque vector with the bounds `list` declares and returns its
/// bytes: for the `opaque x<a..b>` fields whose bounds are not those of one of the codec's
/// `Payload` types (most are `<1..max>`, read with a `NonEmpty*` length).
pub(crate) fn read_opaque(r: &mut Reader<'_>, list: ListLength) -> Result<Vec<u8>, InvalidMessage> {
    Ok(list.read_body(r)?.rest().to_vec())
}

/// The 32-byte hello random (RFC 8446 s4.1.2).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Random(pub [u8; 32]);

impl Codec for Random {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let mut a = [0u8; 32];
        a.copy_from_slice(r.take_for(32, "Random")?);
        Ok(Self(a))
    }
}

impl core::fmt::Debug for Random {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt_hex(f, "Random", &self.0)
    }
}

/// `opaque legacy_session_id<0..32>` (RFC 8446 s4.1.2, RFC 5246 s7.4.1.2).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionId {
    len: u8,
    data: [u8; 32],
}

impl SessionId {
    /// A session id of the given bytes, or `None` if longer than 32.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > 32 {
            return None;
        }
        let mut data = [0u8; 32];
        data[..bytes.len()].copy_from_slice(bytes);
        Some(Self {
            len: bytes.len() as u8,
            data,
        })
    }

    /// The empty session id.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The id's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data[..usize::from(self.len)]
    }

    /// Whether the id is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Codec for SessionId {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.len);
        out.extend_from_slice(self.as_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let len = usize::from(u8::read(r).map_err(|_| InvalidMessage::MissingData("SessionId"))?);
        if len > 32 {
            return Err(InvalidMessage::TooLarge("SessionId"));
        }
        let bytes = r.take_for(len, "SessionId")?;
        Ok(Self::new(bytes).unwrap_or_default())
    }
}

impl core::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt_hex(f, "SessionId", self.as_bytes())
    }
}

/// A DER-encoded X.501 `DistinguishedName<1..2^16-1>`, as listed in CertificateRequest and
/// certificate_authorities. Kept opaque: the pki crate parses it when it needs to.
#[derive(Clone, PartialEq, Eq)]
pub struct DistinguishedName(pub Vec<u8>);

impl Codec for DistinguishedName {
    fn encode(&self, out: &mut Vec<u8>) {
        crate::codec::encode_prefixed(ListLength::U16, out, |out| out.extend_from_slice(&self.0));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let mut body = ListLength::NonEmptyU16 {
            context: "DistinguishedName",
        }
        .read_body(r)?;
        Ok(Self(body.rest().to_vec()))
    }
}

impl core::fmt::Debug for DistinguishedName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DistinguishedName({})", self.0.len())
    }
}

impl TlsListElement for DistinguishedName {
    /// `DistinguishedName authorities<3..2^16-1>` (RFC 8446 s4.2.4); RFC 5246's
    /// certificate_authorities in CertificateRequest may be empty, which the 1.2 message
    /// handles itself.
    const LIST_LENGTH: ListLength = ListLength::U16;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_id_bounds() {
        assert!(SessionId::new(&[0; 33]).is_none());
        let id = SessionId::new(&[7; 32]).unwrap();
        assert_eq!(SessionId::read_bytes(&id.get_encoding()).unwrap(), id);
        let mut too_long = vec![33u8];
        too_long.extend_from_slice(&[0; 33]);
        assert_eq!(
            SessionId::read_bytes(&too_long),
            Err(InvalidMessage::TooLarge("SessionId"))
        );
    }

    #[test]
    fn opaque_values_debug_as_hex() {
        use crate::codec::{Payload, PayloadU8};
        assert_eq!(
            format!("{:?}", SessionId::new(&[1, 0xab]).unwrap()),
            "SessionId(01ab)"
        );
        assert_eq!(
            format!("{:?}", Random([0; 32])),
            format!("Random({})", "00".repeat(32))
        );
        assert_eq!(
            format!("{:?}", PayloadU8::new(vec![0, 0xab])),
            "PayloadU8(00ab)"
        );
        assert_eq!(format!("{:?}", Payload::new(vec![1])), "Payload(01)");
    }

    #[test]
    fn empty_distinguished_name_is_refused() {
        assert_eq!(
            DistinguishedName::read_bytes(&[0, 0]),
            Err(InvalidMessage::InvalidEmptyList("DistinguishedName"))
        );
    }
}
