//! The ChangeCipherSpec message (RFC 5246 s7.1; RFC 8446 s5 keeps it for middlebox
//! compatibility only).

use crate::codec::{Codec, Reader};
use crate::error::InvalidMessage;
use crate::prelude::*;

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
#[path = "ccs_test.rs"]
mod tests;
