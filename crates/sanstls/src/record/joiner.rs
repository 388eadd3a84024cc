//! Joining and splitting handshake messages carried in Handshake records.
//!
//! The handshake protocol is a stream layered over records: one record may carry several
//! messages, and one message may span several records (RFC 8446 s5.1, RFC 5246 s6.2.1).
//! [`HandshakeJoiner`] takes plaintext Handshake record payloads and yields whole messages
//! (`msg_type(1) || length(3) || body`), with a cap on the message size so a peer cannot
//! make us buffer 16 MiB for one declared length.
//!
//! It also answers the two questions the connection needs for RFC 8446 s5.1's rules:
//! "handshake messages MUST NOT be interleaved with other record types" (a non-handshake
//! record while a message is partly received: [`HandshakeJoiner::check_interleave`]) and
//! "messages MUST NOT span key changes" (anything buffered when the keys change:
//! [`HandshakeJoiner::check_key_change`]). We apply both rules to TLS 1.2 as well.

use crate::codec::{Codec, Reader, U24};
use crate::enums::{ContentType, HandshakeType};
use crate::error::{Error, InvalidMessage};
use crate::prelude::*;
use crate::record::header::MAX_CIPHERTEXT_TLS12;

/// Length of a handshake message header: msg_type(1) || length(3).
pub const HANDSHAKE_HEADER_LEN: usize = 4;

/// The default cap on a handshake message body: 131,396 bytes, OpenSSL's bound on a
/// ClientHello (`CLIENT_HELLO_MAX_LENGTH`). A valid ClientHello can exceed 64 KiB (its
/// cipher suite list and extension block each hold up to 64 KiB), and certificate chains,
/// the largest messages in practice, stay well below this.
pub const DEFAULT_MAX_HANDSHAKE_LEN: usize = 131_396;

/// A buffer larger than this is released (at the next push) once it has been fully popped,
/// so one large certificate chain does not pin memory for the connection's lifetime.
const IDLE_RETAIN: usize = 2 * MAX_CIPHERTEXT_TLS12;

/// Reassembles handshake messages from Handshake record payloads.
///
/// Usage: [`push`](Self::push) each Handshake record's plaintext payload, then
/// [`pop`](Self::pop) until it returns `None`. Memory is bounded by the message cap plus one
/// record. Errors are sticky.
#[derive(Debug)]
pub struct HandshakeJoiner {
    /// `buf[start..]` is received but not yet popped. Every complete header in it has
    /// been checked against `max_len` by `push`.
    buf: Vec<u8>,
    start: usize,
    max_len: usize,
    error: Option<InvalidMessage>,
}

/// One complete handshake message, borrowed from the joiner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeMessageRef<'a> {
    /// The message type (unknown types are passed through; the state machine refuses them).
    pub typ: HandshakeType,
    /// The body, without the 4-byte header.
    pub body: &'a [u8],
    /// The whole message as received, header included: what the transcript hashes.
    pub encoded: &'a [u8],
}

impl Default for HandshakeJoiner {
    fn default() -> Self {
        Self::new()
    }
}

impl HandshakeJoiner {
    /// A joiner with the default message cap of [`DEFAULT_MAX_HANDSHAKE_LEN`].
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            max_len: DEFAULT_MAX_HANDSHAKE_LEN,
            error: None,
        }
    }

    /// Sets the largest accepted message body (at most 2^24-1). Only while empty, so
    /// messages already buffered are never judged by two different limits.
    pub fn set_max_message_len(&mut self, max: usize) -> Result<(), Error> {
        if !self.is_empty() {
            return Err(Error::ApiMisuse(
                "handshake message limit changed while messages are buffered",
            ));
        }
        if max > U24::MAX as usize {
            return Err(Error::ApiMisuse("handshake message limit above 2^24-1"));
        }
        self.max_len = max;
        Ok(())
    }

    /// The largest accepted message body.
    pub fn max_message_len(&self) -> usize {
        self.max_len
    }

    /// Appends one Handshake record's plaintext payload.
    ///
    /// Fails with `EmptyRecord(Handshake)` for an empty payload (RFC 8446 s5.1) and with
    /// `HandshakeMessageTooLarge` as soon as a message header declares a body above the cap
    /// (without waiting for the body). Callers that pop every complete message after each
    /// push never buffer more than the cap plus one record; pushing beyond that bound also
    /// fails with `HandshakeMessageTooLarge`.
    pub fn push(&mut self, payload: &[u8]) -> Result<(), InvalidMessage> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let result = self.push_inner(payload);
        if let Err(e) = result {
            self.error = Some(e);
        }
        result
    }

    fn push_inner(&mut self, payload: &[u8]) -> Result<(), InvalidMessage> {
        if payload.is_empty() {
            return Err(InvalidMessage::EmptyRecord(ContentType::Handshake));
        }
        let bound = HANDSHAKE_HEADER_LEN + self.max_len + MAX_CIPHERTEXT_TLS12;
        if self.buffered_len() + payload.len() > bound {
            return Err(InvalidMessage::HandshakeMessageTooLarge);
        }
        if self.start == self.buf.len() {
            if self.buf.capacity() > IDLE_RETAIN {
                // Give back memory held for an unusually large message.
                self.buf = Vec::new();
            }
            self.buf.clear();
        } else {
            // Only the unpopped remainder (normally a partial message) is moved.
            self.buf.drain(..self.start);
        }
        self.start = 0;
        self.buf.extend_from_slice(payload);
        // Check every header now in the buffer; `pop` can then trust them.
        let mut pos = 0;
        while let Some((_, len)) = self.header_at(pos) {
            if len > self.max_len {
                return Err(InvalidMessage::HandshakeMessageTooLarge);
            }
            pos += HANDSHAKE_HEADER_LEN + len;
        }
        Ok(())
    }

    /// The type and declared body length of the header at `buf[start + pos..]`, if all
    /// four header bytes are there.
    fn header_at(&self, pos: usize) -> Option<(HandshakeType, usize)> {
        let at = self.start.checked_add(pos)?;
        let head = self.buf.get(at..at.checked_add(HANDSHAKE_HEADER_LEN)?)?;
        let mut r = Reader::new(head);
        let typ = HandshakeType::read(&mut r).ok()?;
        let len = U24::read(&mut r).ok()?.0 as usize;
        Some((typ, len))
    }

    /// The next complete message, or `None` if none is complete (or after an error).
    pub fn pop(&mut self) -> Option<HandshakeMessageRef<'_>> {
        if self.error.is_some() {
            return None;
        }
        let (typ, len) = self.header_at(0)?;
        let total = HANDSHAKE_HEADER_LEN + len;
        let at = self.start;
        if self.buf.len() - at < total {
            return None;
        }
        self.start += total;
        let encoded = self.buf.get(at..at + total)?;
        Some(HandshakeMessageRef {
            typ,
            body: encoded.get(HANDSHAKE_HEADER_LEN..)?,
            encoded,
        })
    }

    /// Bytes pushed but not yet popped.
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Gives the buffer's memory back if nothing is buffered; returns whether it did.
    pub fn release_if_empty(&mut self) -> bool {
        if !self.is_empty() {
            return false;
        }
        self.buf = Vec::new();
        self.start = 0;
        true
    }

    /// The bytes the buffer holds allocated (for tests of the memory policy).
    #[cfg(test)]
    pub(crate) fn allocated(&self) -> usize {
        self.buf.capacity()
    }

    /// Whether nothing is buffered (no complete and no partial message).
    pub fn is_empty(&self) -> bool {
        self.buffered_len() == 0
    }

    /// Whether the buffer ends with an incomplete message.
    pub fn has_partial(&self) -> bool {
        let mut pos = 0;
        while let Some((_, len)) = self.header_at(pos) {
            pos += HANDSHAKE_HEADER_LEN + len;
        }
        pos != self.buffered_len()
    }

    /// Call before handling a record of type `typ`: a non-Handshake record while a
    /// handshake message is partly received is `InterleavedHandshake` (RFC 8446 s5.1).
    pub fn check_interleave(&self, typ: ContentType) -> Result<(), InvalidMessage> {
        match typ != ContentType::Handshake && self.has_partial() {
            true => Err(InvalidMessage::InterleavedHandshake),
            false => Ok(()),
        }
    }

    /// Call when the receiving keys change: anything still buffered (a partial message,
    /// or a complete one that arrived in the same record as the message that triggered the
    /// change) would span the key change, which RFC 8446 s5.1 forbids.
    pub fn check_key_change(&self) -> Result<(), InvalidMessage> {
        match self.is_empty() {
            true => Ok(()),
            false => Err(InvalidMessage::HandshakeSpansKeyChange),
        }
    }
}

#[cfg(test)]
#[path = "joiner_test.rs"]
mod tests;
