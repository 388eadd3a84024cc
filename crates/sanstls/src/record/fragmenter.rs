//! Cutting outgoing data into record-sized fragments (RFC 8446 s5.1, RFC 5246 s6.2.1).
//!
//! A write of one content type is split into fragments of at most `max_fragment` bytes,
//! 2^14 by default. The limit can be lowered to between 512 and 16384 bytes, as Node's
//! `tlsSocket.setMaxSendFragment()` allows (smaller records cut latency to the first
//! decrypted byte). Fragments borrow from the caller's data: nothing is copied or
//! allocated until the caller writes each one into a record, plain or protected.
//!
//! The peer may lower it further (RFC 8449 record_size_limit, RFC 6066
//! max_fragment_length): what is cut is the smaller of the two, so the caller's setting and
//! the peer's limit never need reconciling anywhere else.
//!
//! No empty fragment is ever produced: RFC 8446 s5.1 forbids empty Handshake and Alert
//! records, and an empty ApplicationData write simply produces nothing.

use crate::codec::Codec;
use crate::enums::{ContentType, ProtocolVersion};
use crate::error::Error;
use crate::prelude::*;
use crate::record::header::{RecordHeader, MAX_PLAINTEXT};

/// The smallest settable fragment size (Node's `setMaxSendFragment` minimum).
pub const MIN_FRAGMENT_LEN: usize = 512;

/// Splits outgoing data into fragments of at most [`Fragmenter::max_fragment`] bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragmenter {
    max_fragment: usize,
    /// The most content the peer accepts per record (2^14 until it says otherwise).
    peer_limit: usize,
}

impl Default for Fragmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Fragmenter {
    /// A fragmenter producing fragments of up to [`MAX_PLAINTEXT`] (2^14) bytes.
    pub fn new() -> Self {
        Self {
            max_fragment: MAX_PLAINTEXT,
            peer_limit: MAX_PLAINTEXT,
        }
    }

    /// Sets the largest fragment; `len` must be in `512..=16384`, otherwise
    /// `Error::ApiMisuse` and the previous value stays.
    pub fn set_max_fragment(&mut self, len: usize) -> Result<(), Error> {
        if !(MIN_FRAGMENT_LEN..=MAX_PLAINTEXT).contains(&len) {
            return Err(Error::ApiMisuse("max fragment length must be 512..=16384"));
        }
        self.max_fragment = len;
        Ok(())
    }

    /// Sets the most content the peer accepts per record, as negotiated (RFC 8449 s4,
    /// RFC 6066 s4). Unlike [`Self::set_max_fragment`] it may be below 512 (RFC 8449 allows
    /// 64), and it is clamped to `1..=16384`.
    pub fn set_peer_limit(&mut self, len: usize) {
        self.peer_limit = len.clamp(1, MAX_PLAINTEXT);
    }

    /// The largest fragment produced: the caller's setting, or the peer's limit if smaller.
    pub fn max_fragment(&self) -> usize {
        self.max_fragment.min(self.peer_limit)
    }

    /// The fragments of `data`, all of type `typ`, in order. Empty `data` yields none.
    pub fn fragment<'a>(&self, typ: ContentType, data: &'a [u8]) -> Fragments<'a> {
        Fragments {
            typ,
            chunks: data.chunks(self.max_fragment()),
        }
    }
}

/// The iterator returned by [`Fragmenter::fragment`].
#[derive(Clone, Debug)]
pub struct Fragments<'a> {
    typ: ContentType,
    chunks: core::slice::Chunks<'a, u8>,
}

impl<'a> Iterator for Fragments<'a> {
    type Item = Fragment<'a>;

    fn next(&mut self) -> Option<Fragment<'a>> {
        self.chunks.next().map(|payload| Fragment {
            typ: self.typ,
            payload,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for Fragments<'_> {}

/// One fragment: the content of one outgoing record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// The content type of the record.
    pub typ: ContentType,
    /// The content, `1..=max_fragment` bytes.
    pub payload: &'a [u8],
}

impl Fragment<'_> {
    /// Appends this fragment as an unprotected record (before keys are in force) with
    /// record version `version` (RFC 8446 s5.1: 0x0301 is allowed for an initial
    /// ClientHello, 0x0303 otherwise).
    pub fn encode_plain(&self, version: ProtocolVersion, out: &mut Vec<u8>) {
        RecordHeader {
            typ: self.typ,
            version,
            // A fragment is at most MAX_PLAINTEXT bytes, which fits in a u16.
            len: self.payload.len() as u16,
        }
        .encode(out);
        out.extend_from_slice(self.payload);
    }
}

#[cfg(test)]
#[path = "fragmenter_test.rs"]
mod tests;
