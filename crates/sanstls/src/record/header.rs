//! The 5-byte record header and the record-size limits (RFC 8446 s5.1, RFC 5246 s6.2).
//!
//! Every TLS record starts with `type(1) || version(2) || length(2)`. This module owns the
//! checks that can be made from the header alone: a content type TLS defines, a version
//! whose major byte is 3, and a length within the limit in force. Which limit is in force
//! depends on the protection state, so the caller passes it in (see [`RecordHeader::check`]).

use crate::codec::{Codec, Reader};
use crate::enums::{ContentType, ProtocolVersion};
use crate::error::InvalidMessage;
use crate::prelude::*;

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
#[path = "header_test.rs"]
mod tests;
