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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn msg(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![typ];
        U24(body.len() as u32).encode(&mut out);
        out.extend_from_slice(body);
        out
    }

    fn sample() -> (Vec<u8>, Vec<Vec<u8>>) {
        let msgs = vec![
            msg(11, &(0..=255u8).cycle().take(300).collect::<Vec<_>>()),
            msg(14, &[]),
            msg(20, &[0x5a; 12]),
            msg(99, &[1, 2, 3]),
        ];
        (msgs.concat(), msgs)
    }

    /// Pushes each non-empty chunk, popping after each, and returns the encoded messages.
    fn run<'c>(
        j: &mut HandshakeJoiner,
        chunks: impl IntoIterator<Item = &'c [u8]>,
    ) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for c in chunks.into_iter().filter(|c| !c.is_empty()) {
            j.push(c).unwrap();
            while let Some(m) = j.pop() {
                assert_eq!(m.encoded.len(), HANDSHAKE_HEADER_LEN + m.body.len());
                assert_eq!(m.typ, HandshakeType::from(m.encoded[0]));
                out.push(m.encoded.to_vec());
            }
        }
        out
    }

    #[test]
    fn several_messages_in_one_record() {
        let (stream, msgs) = sample();
        let mut j = HandshakeJoiner::new();
        j.push(&stream).unwrap();
        let m = j.pop().unwrap();
        assert_eq!(m.typ, HandshakeType::Certificate);
        assert_eq!(m.body.len(), 300);
        let m = j.pop().unwrap();
        assert_eq!(m.typ, HandshakeType::ServerHelloDone);
        assert!(m.body.is_empty());
        assert_eq!(m.encoded, &msgs[1][..]);
        assert_eq!(j.pop().unwrap().typ, HandshakeType::Finished);
        assert_eq!(j.pop().unwrap().typ, HandshakeType::Unknown(99));
        assert!(j.pop().is_none());
        assert!(j.is_empty());
    }

    #[test]
    fn every_two_and_three_way_split_joins() {
        let (stream, msgs) = sample();
        let mut j = HandshakeJoiner::new();
        for a in 0..=stream.len() {
            for b in (a..=stream.len()).step_by(7) {
                let chunks = [&stream[..a], &stream[a..b], &stream[b..]];
                assert_eq!(run(&mut j, chunks), msgs, "split at {a},{b}");
                assert!(j.is_empty() && !j.has_partial());
            }
        }
        assert_eq!(run(&mut j, stream.chunks(1)), msgs);
    }

    #[test]
    fn partial_state_is_reported() {
        let m = msg(20, &[1, 2, 3, 4]);
        let j = HandshakeJoiner::new();
        assert!(!j.has_partial());
        for cut in 1..m.len() {
            let mut j = HandshakeJoiner::new();
            j.push(&m[..cut]).unwrap();
            assert!(j.pop().is_none());
            assert!(j.has_partial() && !j.is_empty());
            assert_eq!(
                j.check_interleave(ContentType::ApplicationData),
                Err(InvalidMessage::InterleavedHandshake)
            );
            assert_eq!(
                j.check_interleave(ContentType::Alert),
                Err(InvalidMessage::InterleavedHandshake)
            );
            assert_eq!(
                j.check_interleave(ContentType::ChangeCipherSpec),
                Err(InvalidMessage::InterleavedHandshake)
            );
            assert_eq!(j.check_interleave(ContentType::Handshake), Ok(()));
            assert_eq!(
                j.check_key_change(),
                Err(InvalidMessage::HandshakeSpansKeyChange)
            );
            j.push(&m[cut..]).unwrap();
            assert!(!j.has_partial());
            assert_eq!(j.check_interleave(ContentType::ApplicationData), Ok(()));
            assert_eq!(j.pop().unwrap().body, &[1, 2, 3, 4]);
            assert_eq!(j.check_key_change(), Ok(()));
        }
    }

    #[test]
    fn key_change_refuses_complete_but_unpopped_messages() {
        // E.g. a ServerHello and EncryptedExtensions in one plaintext record: after the
        // ServerHello the keys change, and the rest must not be accepted.
        let mut j = HandshakeJoiner::new();
        j.push(&[msg(2, &[0; 10]), msg(8, &[0, 0])].concat())
            .unwrap();
        assert_eq!(j.pop().unwrap().typ, HandshakeType::ServerHello);
        assert!(!j.has_partial());
        assert_eq!(
            j.check_key_change(),
            Err(InvalidMessage::HandshakeSpansKeyChange)
        );
        assert_eq!(
            InvalidMessage::HandshakeSpansKeyChange.alert(),
            crate::enums::AlertDescription::UnexpectedMessage
        );
        j.pop().unwrap();
        assert_eq!(j.check_key_change(), Ok(()));
    }

    #[test]
    fn max_size_is_enforced_from_the_header() {
        let mut j = HandshakeJoiner::new();
        j.set_max_message_len(1000).unwrap();
        j.push(&msg(11, &[0; 1000])).unwrap();
        assert_eq!(j.pop().unwrap().body.len(), 1000);

        // Declared 1001: refused from the header alone, body never sent.
        assert_eq!(
            j.push(&[11, 0, 0x03, 0xe9]),
            Err(InvalidMessage::HandshakeMessageTooLarge)
        );
        assert_eq!(
            j.push(&[0]),
            Err(InvalidMessage::HandshakeMessageTooLarge),
            "sticky"
        );
        assert!(j.pop().is_none());

        // The header split across records, and a second message in the same record.
        let mut j = HandshakeJoiner::new();
        j.set_max_message_len(1000).unwrap();
        j.push(&[11, 0]).unwrap();
        assert_eq!(
            j.push(&[0x03, 0xe9]),
            Err(InvalidMessage::HandshakeMessageTooLarge)
        );
        let mut j = HandshakeJoiner::new();
        j.set_max_message_len(1000).unwrap();
        assert_eq!(
            j.push(&[msg(20, &[1]), vec![11, 0xff, 0xff, 0xff]].concat()),
            Err(InvalidMessage::HandshakeMessageTooLarge)
        );

        // The default: OpenSSL's ClientHello bound.
        let header = |len: usize| {
            let l = (len as u32).to_be_bytes();
            [11, l[1], l[2], l[3]]
        };
        let mut j = HandshakeJoiner::new();
        assert_eq!(j.max_message_len(), DEFAULT_MAX_HANDSHAKE_LEN);
        assert_eq!(
            j.push(&header(DEFAULT_MAX_HANDSHAKE_LEN + 1)),
            Err(InvalidMessage::HandshakeMessageTooLarge)
        );
        let mut j = HandshakeJoiner::new();
        j.push(&header(DEFAULT_MAX_HANDSHAKE_LEN)).unwrap();
        let mut left = DEFAULT_MAX_HANDSHAKE_LEN;
        while left > 16384 {
            j.push(&[0; 16384]).unwrap();
            assert!(j.pop().is_none());
            left -= 16384;
        }
        j.push(&vec![0; left]).unwrap();
        assert_eq!(j.pop().unwrap().body.len(), DEFAULT_MAX_HANDSHAKE_LEN);
    }

    #[test]
    fn large_message_is_delivered_and_memory_released() {
        let big = msg(11, &vec![3; DEFAULT_MAX_HANDSHAKE_LEN]);
        let mut j = HandshakeJoiner::new();
        let got = run(&mut j, big.chunks(16384));
        assert_eq!(got, vec![big.clone()]);
        j.push(&msg(20, &[1])).unwrap();
        assert!(j.buf.capacity() <= IDLE_RETAIN, "large buffer released");
        assert_eq!(j.pop().unwrap().body, &[1]);
    }

    #[test]
    fn misuse_is_reported() {
        let mut j = HandshakeJoiner::new();
        assert_eq!(
            j.push(&[]),
            Err(InvalidMessage::EmptyRecord(ContentType::Handshake))
        );
        let mut j = HandshakeJoiner::new();
        j.push(&[20]).unwrap();
        assert!(matches!(
            j.set_max_message_len(10),
            Err(Error::ApiMisuse(_))
        ));
        let mut j = HandshakeJoiner::new();
        assert!(matches!(
            j.set_max_message_len(1 << 24),
            Err(Error::ApiMisuse(_))
        ));
        // Pushing without popping is bounded.
        j.set_max_message_len(10).unwrap();
        let mut refused = false;
        for _ in 0..10_000 {
            if j.push(&msg(20, &[0; 10])).is_err() {
                refused = true;
                break;
            }
        }
        assert!(refused);
        assert!(j.buffered_len() <= HANDSHAKE_HEADER_LEN + 10 + MAX_CIPHERTEXT_TLS12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_chunking_yields_the_messages(
            bodies in proptest::collection::vec((any::<u8>(), proptest::collection::vec(any::<u8>(), 0..300)), 0..6),
            cuts in proptest::collection::vec(1usize..400, 0..12),
        ) {
            let msgs: Vec<Vec<u8>> = bodies.iter().map(|(t, b)| msg(*t, b)).collect();
            let stream = msgs.concat();
            let mut chunks = Vec::new();
            let mut rest = &stream[..];
            for c in cuts {
                let (a, b) = rest.split_at(c.min(rest.len()));
                chunks.push(a);
                rest = b;
            }
            chunks.push(rest);
            let mut j = HandshakeJoiner::new();
            prop_assert_eq!(run(&mut j, chunks), msgs);
            prop_assert!(j.is_empty());
        }

        #[test]
        fn arbitrary_bytes_never_panic(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16),
            max in 0usize..100,
        ) {
            let mut j = HandshakeJoiner::new();
            j.set_max_message_len(max).unwrap();
            for c in &chunks {
                let _ = j.push(c);
                while let Some(m) = j.pop() {
                    prop_assert!(m.body.len() <= max);
                }
                let _ = j.check_interleave(ContentType::Alert);
                let _ = j.check_key_change();
                prop_assert!(j.buffered_len() <= HANDSHAKE_HEADER_LEN + max + MAX_CIPHERTEXT_TLS12);
            }
        }
    }
}
