//! Cutting the incoming byte stream into records (RFC 8446 s5.1, RFC 5246 s6.2).
//!
//! The transport may deliver the stream split anywhere: one byte at a time or many records
//! at once. [`Deframer`] buffers what it is given in one bounded buffer (about one maximal
//! TLS 1.2 ciphertext record, configurable) and hands out whole records. A record's payload
//! is lent out as `&mut [u8]` pointing into that buffer, so the caller decrypts it in place
//! (see [`crate::record::protect`]): no allocation or copy per record. Consumed bytes are
//! only moved to the front of the buffer when the next `read` needs the room.
//!
//! Header checks (content type, version, length limit) happen here, as soon as the five
//! header bytes are in, so an oversized length is refused before its payload is waited for.
//! Checks on the plaintext payload (alert length, ChangeCipherSpec body, empty records) need
//! the decrypted content, so they live in [`PlaintextChecker`], which the caller runs on
//! every record after decryption (or directly, before keys are in force).

use crate::codec::Reader;
use crate::enums::ContentType;
use crate::error::{Error, InvalidMessage};
use crate::record::header::{RecordHeader, HEADER_LEN, MAX_CIPHERTEXT_TLS12, MAX_PLAINTEXT};

/// The default buffer capacity: one maximal TLS 1.2 ciphertext record with its header.
pub const DEFAULT_CAPACITY: usize = HEADER_LEN + MAX_CIPHERTEXT_TLS12;

/// Splits an incoming byte stream into records, with a bounded buffer.
///
/// Usage: offer bytes with [`Deframer::read`] (it may take fewer than offered: that is
/// back-pressure, offer the rest after popping), then call [`Deframer::pop_record`] until
/// it returns `Ok(None)`. Errors are sticky: once a bad header is seen, every later
/// `pop_record` returns the same error.
#[derive(Debug)]
pub struct Deframer {
    /// `buf[start..]` holds bytes received but not yet handed out. `buf.len()` never
    /// exceeds `capacity`, so after the first allocation the buffer never reallocates.
    buf: Vec<u8>,
    start: usize,
    capacity: usize,
    max_payload: usize,
    error: Option<InvalidMessage>,
}

/// A record handed out by [`Deframer::pop_record`].
#[derive(Debug)]
pub struct DeframedRecord<'a> {
    /// The header, already checked against the limit in force.
    pub header: RecordHeader,
    /// The payload (`header.len` bytes), inside the deframer's buffer: decrypt it in place.
    pub payload: &'a mut [u8],
    /// Where `payload` starts in the deframer's buffer (see [`Deframer::bytes`]).
    pub offset: usize,
}

/// The smallest buffer the deframer allocates (growth doubles from there).
const MIN_ALLOCATION: usize = 512;

impl Default for Deframer {
    fn default() -> Self {
        Self::new()
    }
}

impl Deframer {
    /// A deframer with [`DEFAULT_CAPACITY`], enforcing [`MAX_PLAINTEXT`] (no keys yet).
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            capacity: DEFAULT_CAPACITY,
            max_payload: MAX_PLAINTEXT,
            error: None,
        }
    }

    /// A deframer whose buffer holds at most `capacity` bytes, enforcing [`MAX_PLAINTEXT`].
    ///
    /// `capacity` must hold at least one maximal plaintext record (`HEADER_LEN +
    /// MAX_PLAINTEXT`); to receive TLS 1.3 or 1.2 ciphertext it must also hold one maximal
    /// ciphertext record of that version (see [`Deframer::set_max_payload_len`]).
    pub fn with_capacity(capacity: usize) -> Result<Self, Error> {
        if capacity < HEADER_LEN + MAX_PLAINTEXT {
            return Err(Error::ApiMisuse(
                "deframer capacity below one maximal plaintext record",
            ));
        }
        Ok(Self {
            capacity,
            ..Self::new()
        })
    }

    /// Sets the largest record payload accepted from now on: [`MAX_PLAINTEXT`] before keys
    /// are in force, `MAX_CIPHERTEXT_TLS13` or `MAX_CIPHERTEXT_TLS12` once they are.
    ///
    /// Records already buffered but not yet popped are judged by the limit in force when
    /// they are popped. The limit must be at least [`MAX_PLAINTEXT`] (a peer may always
    /// send a full plaintext record) and fit the buffer with its header.
    pub fn set_max_payload_len(&mut self, max: usize) -> Result<(), Error> {
        if max < MAX_PLAINTEXT || max > u16::MAX as usize {
            return Err(Error::ApiMisuse("record payload limit out of range"));
        }
        if HEADER_LEN + max > self.capacity {
            return Err(Error::ApiMisuse(
                "record payload limit larger than the deframer buffer",
            ));
        }
        self.max_payload = max;
        Ok(())
    }

    /// The largest record payload currently accepted.
    pub fn max_payload_len(&self) -> usize {
        self.max_payload
    }

    /// The buffer capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes received but not yet handed out as records (non-zero at end of stream means
    /// the peer stopped in the middle of a record).
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Whether no received byte is waiting.
    pub fn is_empty(&self) -> bool {
        self.buffered_len() == 0
    }

    /// How many more bytes [`Deframer::read`] would accept right now.
    pub fn free_space(&self) -> usize {
        self.capacity - self.buffered_len()
    }

    /// Accepts as many bytes of `bytes` as fit and returns how many were taken.
    ///
    /// Taking fewer than offered is back-pressure: pop records, then offer the rest.
    /// After an error nothing more is accepted (the connection is dead anyway).
    pub fn read(&mut self, bytes: &[u8]) -> usize {
        if self.error.is_some() {
            return 0;
        }
        let n = bytes.len().min(self.free_space());
        if n == 0 {
            return 0;
        }
        if self.start == self.buf.len() {
            // Everything handed out: restart at the front for free.
            self.buf.clear();
            self.start = 0;
        } else if self.buf.len() + n > self.capacity {
            // Lazy compaction: move the unconsumed tail to the front only when needed.
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let needed = self.buf.len() + n;
        if needed > self.buf.capacity() {
            // Grow on demand (a handshake flight needs a few KiB, bulk data a full record),
            // at least doubling, never past `capacity`: `needed <= capacity` always holds, so
            // a busy connection reaches its steady size after a few reads and then
            // allocates nothing more, while an idle one holds little.
            let target = needed
                .max(2 * self.buf.capacity())
                .max(MIN_ALLOCATION)
                .min(self.capacity);
            self.buf.reserve_exact(target - self.buf.len());
        }
        self.buf.extend_from_slice(&bytes[..n]);
        n
    }

    /// Bytes of the buffer by position, e.g. a record payload already handed out and
    /// decrypted in place (see [`DeframedRecord::offset`]). They stay where they are until
    /// the next [`Deframer::read`], which may move or overwrite them; an out-of-range
    /// request is empty.
    pub fn bytes(&self, range: core::ops::Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// Gives the buffer's memory back if nothing is buffered (an idle connection then holds
    /// none); the next `read` allocates again. Returns whether it did.
    pub fn release_if_empty(&mut self) -> bool {
        if self.buffered_len() != 0 {
            return false;
        }
        self.buf = Vec::new();
        self.start = 0;
        true
    }

    /// The bytes the buffer holds allocated (for tests of the memory policy).
    pub fn allocated(&self) -> usize {
        self.buf.capacity()
    }

    /// The next complete record, `Ok(None)` if more bytes are needed, or the reason the
    /// stream is invalid.
    ///
    /// The header is checked as soon as its five bytes are in (content type, version major
    /// byte 3, length within [`Deframer::max_payload_len`]), and zero-length Handshake and
    /// Alert records are refused (RFC 8446 s5.1; we apply the same rule to TLS 1.2).
    /// Zero-length ApplicationData passes; [`PlaintextChecker`] counts those.
    pub fn pop_record(&mut self) -> Result<Option<DeframedRecord<'_>>, InvalidMessage> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let avail = self.buf.get(self.start..).unwrap_or_default();
        let Some(head) = avail.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let header = match read_header(head, self.max_payload) {
            Ok(header) => header,
            Err(e) => {
                self.error = Some(e);
                return Err(e);
            }
        };
        let total = HEADER_LEN + usize::from(header.len);
        if avail.len() < total {
            return Ok(None);
        }
        let at = self.start;
        self.start += total;
        match self.buf.get_mut(at + HEADER_LEN..at + total) {
            Some(payload) => Ok(Some(DeframedRecord {
                header,
                payload,
                offset: at + HEADER_LEN,
            })),
            None => Ok(None), // unreachable: `avail` held `total` bytes
        }
    }
}

/// Reads a record header from `head` (at least its five bytes) and checks it as
/// [`Deframer::pop_record`] does: content type, version major byte, length within
/// `max_payload`, and no empty Handshake or Alert record.
pub fn read_header(head: &[u8], max_payload: usize) -> Result<RecordHeader, InvalidMessage> {
    let header = RecordHeader::read_checked(&mut Reader::new(head), max_payload)?;
    check_not_empty(header.typ, usize::from(header.len))?;
    Ok(header)
}

/// Refuses zero-length Handshake and Alert records (RFC 8446 s5.1: "Implementations MUST
/// NOT send zero-length fragments of Handshake types" and likewise for Alert).
fn check_not_empty(typ: ContentType, len: usize) -> Result<(), InvalidMessage> {
    match (typ, len) {
        (ContentType::Handshake | ContentType::Alert, 0) => Err(InvalidMessage::EmptyRecord(typ)),
        _ => Ok(()),
    }
}

/// An alert record must carry exactly one alert: level(1) || description(1).
///
/// RFC 8446 s5.1 forbids fragmenting alerts and packing several into one record; we apply
/// the same rule to TLS 1.2.
pub fn check_alert_payload(payload: &[u8]) -> Result<(), InvalidMessage> {
    match payload.len() {
        0 => Err(InvalidMessage::EmptyRecord(ContentType::Alert)),
        2 => Ok(()),
        _ => Err(InvalidMessage::InvalidAlert),
    }
}

/// A ChangeCipherSpec record must be the single byte 1 (RFC 5246 s7.1, RFC 8446 s5).
pub fn check_ccs_payload(payload: &[u8]) -> Result<(), InvalidMessage> {
    match payload {
        [1] => Ok(()),
        _ => Err(InvalidMessage::InvalidCcs),
    }
}

/// Whether a record of `typ` with `payload` moves the connection forward: handshake data or
/// non-empty application data. Only such a record resets the counts of records that cost
/// work and yield nothing (empty records, warning alerts).
pub fn progress(typ: ContentType, payload: &[u8]) -> bool {
    match typ {
        ContentType::Handshake => true,
        ContentType::ApplicationData => !payload.is_empty(),
        _ => false,
    }
}

/// Checks each record's plaintext (after decryption, or directly before keys are in
/// force) and counts consecutive empty ApplicationData records.
///
/// Rules: Handshake must not be empty; Alert is exactly two bytes; ChangeCipherSpec is
/// exactly `[1]`; ApplicationData may be empty (RFC 8446 s5.1 allows it as traffic-analysis
/// countermeasure), but a run of them costs the receiver work for nothing, so the count of
/// consecutive ones is exposed for the connection to cap.
#[derive(Debug, Default)]
pub struct PlaintextChecker {
    consecutive_empty_app_data: u32,
}

impl PlaintextChecker {
    /// A checker that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks one plaintext record of (inner) type `typ`.
    pub fn check(&mut self, typ: ContentType, payload: &[u8]) -> Result<(), InvalidMessage> {
        let empty_app_data = typ == ContentType::ApplicationData && payload.is_empty();
        match typ {
            ContentType::Handshake => check_not_empty(typ, payload.len())?,
            ContentType::Alert => check_alert_payload(payload)?,
            ContentType::ChangeCipherSpec => check_ccs_payload(payload)?,
            ContentType::ApplicationData => {}
            other => return Err(InvalidMessage::InvalidContentType(other)),
        }
        // Only a record that carries something resets the count: alerts (warnings have their
        // own limit) and ChangeCipherSpec do not, so the two floods cannot reset each other.
        self.consecutive_empty_app_data = match (empty_app_data, progress(typ, payload)) {
            (true, _) => self.consecutive_empty_app_data.saturating_add(1),
            (false, true) => 0,
            (false, false) => self.consecutive_empty_app_data,
        };
        Ok(())
    }

    /// How many empty ApplicationData records arrived in a row, up to the last checked.
    pub fn consecutive_empty_app_data(&self) -> u32 {
        self.consecutive_empty_app_data
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Codec;
    use crate::enums::ProtocolVersion;
    use crate::record::header::MAX_CIPHERTEXT_TLS13;
    use proptest::prelude::*;

    fn record(typ: ContentType, payload: &[u8]) -> Vec<u8> {
        let mut out = RecordHeader {
            typ,
            version: ProtocolVersion::TLSv1_2,
            len: payload.len() as u16,
        }
        .get_encoding();
        out.extend_from_slice(payload);
        out
    }

    /// Several records of every type and size, including a maximal plaintext one.
    fn sample() -> (Vec<u8>, Vec<(ContentType, Vec<u8>)>) {
        let max: Vec<u8> = (0..MAX_PLAINTEXT).map(|i| (i % 251) as u8).collect();
        let records = vec![
            (ContentType::Handshake, (0..100u8).collect::<Vec<_>>()),
            (ContentType::ChangeCipherSpec, vec![1]),
            (ContentType::Alert, vec![1, 0]),
            (ContentType::ApplicationData, vec![]),
            (ContentType::ApplicationData, max),
            (ContentType::Handshake, vec![7]),
            (ContentType::ApplicationData, vec![0xaa; 300]),
        ];
        let stream = records.iter().flat_map(|(t, p)| record(*t, p)).collect();
        (stream, records)
    }

    /// Feeds `chunks` in order, popping after every read, and checks each popped record
    /// against `expected` without allocating per record. Returns how many were popped.
    fn feed<'c>(
        d: &mut Deframer,
        chunks: impl IntoIterator<Item = &'c [u8]>,
        expected: &[(ContentType, Vec<u8>)],
    ) -> usize {
        let mut seen = 0;
        for chunk in chunks {
            let mut rest = chunk;
            loop {
                let n = d.read(rest);
                rest = &rest[n..];
                let mut popped = 0;
                while let Some(rec) = d.pop_record().unwrap() {
                    let (typ, payload) = &expected[seen];
                    assert_eq!(rec.header.typ, *typ, "record {seen}");
                    assert_eq!(&rec.payload[..], &payload[..], "record {seen}");
                    seen += 1;
                    popped += 1;
                }
                if rest.is_empty() {
                    break;
                }
                assert!(n > 0 || popped > 0, "deframer stuck with a full buffer");
            }
        }
        seen
    }

    #[test]
    fn every_split_point_yields_the_same_records() {
        let (stream, expected) = sample();
        let mut d = Deframer::new();
        for at in 0..=stream.len() {
            let (a, b) = stream.split_at(at);
            assert_eq!(
                feed(&mut d, [a, b], &expected),
                expected.len(),
                "split {at}"
            );
            assert!(d.is_empty());
        }
        let mut d = Deframer::new();
        assert_eq!(feed(&mut d, stream.chunks(1), &expected), expected.len());
        let mut d = Deframer::new();
        assert_eq!(feed(&mut d, [&stream[..]], &expected), expected.len());
        assert!(d.is_empty());
    }

    #[test]
    fn back_pressure_at_minimum_capacity() {
        let (stream, expected) = sample();
        let cap = HEADER_LEN + MAX_PLAINTEXT;
        let mut d = Deframer::with_capacity(cap).unwrap();
        assert_eq!(d.read(&stream), cap, "takes only what fits");
        assert_eq!(d.free_space(), 0);
        assert_eq!(d.read(&stream[cap..]), 0, "full buffer takes nothing");
        // Popping frees room; the remainder is then accepted and deframes correctly.
        let mut seen = 0;
        let mut offset = cap;
        loop {
            while let Some(rec) = d.pop_record().unwrap() {
                assert_eq!(rec.header.typ, expected[seen].0);
                assert_eq!(&rec.payload[..], &expected[seen].1[..]);
                seen += 1;
            }
            if offset == stream.len() {
                break;
            }
            let n = d.read(&stream[offset..]);
            assert!(n > 0);
            offset += n;
        }
        assert_eq!(seen, expected.len());
        assert!(d.is_empty());
        assert!(d.buf.capacity() <= cap + 64, "buffer stayed bounded");
    }

    #[test]
    fn payload_is_mutable_in_place() {
        let mut d = Deframer::new();
        let mut stream = record(ContentType::ApplicationData, b"abc");
        stream.extend(record(ContentType::ApplicationData, b"def"));
        d.read(&stream);
        let rec = d.pop_record().unwrap().unwrap();
        rec.payload.copy_from_slice(b"xyz");
        let rec = d.pop_record().unwrap().unwrap();
        assert_eq!(
            rec.payload, b"def",
            "writing one payload leaves the next intact"
        );
    }

    #[test]
    fn limits_follow_the_caller() {
        let big = record(ContentType::ApplicationData, &[0; MAX_PLAINTEXT + 1]);
        let mut d = Deframer::new();
        d.read(&big[..HEADER_LEN]);
        assert_eq!(
            d.pop_record().unwrap_err(),
            InvalidMessage::RecordTooLarge,
            "refused as soon as the header is in"
        );
        assert_eq!(d.pop_record().unwrap_err(), InvalidMessage::RecordTooLarge);
        assert_eq!(
            d.read(&big[HEADER_LEN..]),
            0,
            "sticky: nothing more is taken"
        );

        let mut d = Deframer::new();
        d.set_max_payload_len(MAX_CIPHERTEXT_TLS13).unwrap();
        d.read(&big);
        assert_eq!(
            d.pop_record().unwrap().unwrap().payload.len(),
            MAX_PLAINTEXT + 1
        );
        let over13 = record(ContentType::ApplicationData, &[0; MAX_CIPHERTEXT_TLS13 + 1]);
        d.read(&over13);
        assert_eq!(d.pop_record().unwrap_err(), InvalidMessage::RecordTooLarge);

        let mut d = Deframer::new();
        d.set_max_payload_len(MAX_CIPHERTEXT_TLS12).unwrap();
        let max12 = record(ContentType::ApplicationData, &[0; MAX_CIPHERTEXT_TLS12]);
        assert_eq!(d.read(&max12), max12.len());
        assert!(d.pop_record().unwrap().is_some());
        d.read(&[23, 3, 3, 0x48, 0x01]);
        assert_eq!(d.pop_record().unwrap_err(), InvalidMessage::RecordTooLarge);
    }

    #[test]
    fn limit_configuration_is_checked() {
        let mut d = Deframer::with_capacity(HEADER_LEN + MAX_CIPHERTEXT_TLS13).unwrap();
        assert!(d.set_max_payload_len(MAX_CIPHERTEXT_TLS13).is_ok());
        assert!(matches!(
            d.set_max_payload_len(MAX_CIPHERTEXT_TLS12),
            Err(Error::ApiMisuse(_))
        ));
        assert!(matches!(
            d.set_max_payload_len(MAX_PLAINTEXT - 1),
            Err(Error::ApiMisuse(_))
        ));
        assert!(matches!(
            Deframer::with_capacity(HEADER_LEN + MAX_PLAINTEXT - 1),
            Err(Error::ApiMisuse(_))
        ));
        assert_eq!(d.max_payload_len(), MAX_CIPHERTEXT_TLS13);
    }

    #[test]
    fn bad_headers_are_refused() {
        let cases: &[(&[u8], InvalidMessage)] = &[
            (
                &[0x18, 3, 3, 0, 1, 0],
                InvalidMessage::InvalidContentType(ContentType::Heartbeat),
            ),
            (
                &[0x63, 3, 3, 0, 1, 0],
                InvalidMessage::InvalidContentType(ContentType::Unknown(0x63)),
            ),
            (&[22, 2, 0, 0, 1, 0], InvalidMessage::UnknownProtocolVersion),
            (
                &[22, 0xfe, 0xfd, 0, 1, 0],
                InvalidMessage::UnknownProtocolVersion,
            ),
            (
                &[22, 3, 3, 0, 0],
                InvalidMessage::EmptyRecord(ContentType::Handshake),
            ),
            (
                &[21, 3, 3, 0, 0],
                InvalidMessage::EmptyRecord(ContentType::Alert),
            ),
            // An SSLv2-style ClientHello starts with a length byte, not a content type.
            (
                &[0x80, 0x2e, 0x01, 0x03, 0x01],
                InvalidMessage::InvalidContentType(ContentType::Unknown(0x80)),
            ),
        ];
        for (bytes, err) in cases {
            let mut d = Deframer::new();
            d.read(bytes);
            assert_eq!(d.pop_record().unwrap_err(), *err, "{bytes:?}");
        }
        // A valid record before the bad one is still delivered.
        let mut d = Deframer::new();
        let mut s = record(ContentType::Handshake, &[1, 2]);
        s.extend_from_slice(&[22, 4, 0, 0, 1, 0]);
        d.read(&s);
        assert_eq!(d.pop_record().unwrap().unwrap().payload, &[1, 2]);
        assert_eq!(
            d.pop_record().unwrap_err(),
            InvalidMessage::UnknownProtocolVersion
        );
        // Empty application data passes the deframer.
        let mut d = Deframer::new();
        d.read(&[23, 3, 3, 0, 0]);
        assert_eq!(d.pop_record().unwrap().unwrap().payload.len(), 0);
    }

    #[test]
    fn plaintext_checks() {
        let mut c = PlaintextChecker::new();
        assert_eq!(c.check(ContentType::Alert, &[1, 0]), Ok(()));
        assert_eq!(
            c.check(ContentType::Alert, &[1]),
            Err(InvalidMessage::InvalidAlert)
        );
        assert_eq!(
            c.check(ContentType::Alert, &[1, 0, 1, 0]),
            Err(InvalidMessage::InvalidAlert)
        );
        assert_eq!(
            c.check(ContentType::Alert, &[]),
            Err(InvalidMessage::EmptyRecord(ContentType::Alert))
        );
        assert_eq!(c.check(ContentType::ChangeCipherSpec, &[1]), Ok(()));
        for bad in [&[][..], &[0], &[2], &[1, 1]] {
            assert_eq!(
                c.check(ContentType::ChangeCipherSpec, bad),
                Err(InvalidMessage::InvalidCcs)
            );
        }
        assert_eq!(
            c.check(ContentType::Handshake, &[]),
            Err(InvalidMessage::EmptyRecord(ContentType::Handshake))
        );
        assert_eq!(
            c.check(ContentType::Heartbeat, &[1]),
            Err(InvalidMessage::InvalidContentType(ContentType::Heartbeat))
        );
        let mut c = PlaintextChecker::new();
        for i in 1..=3 {
            c.check(ContentType::ApplicationData, &[]).unwrap();
            assert_eq!(c.consecutive_empty_app_data(), i);
        }
        c.check(ContentType::ApplicationData, &[0]).unwrap();
        assert_eq!(
            c.consecutive_empty_app_data(),
            0,
            "a non-empty record resets"
        );
        c.check(ContentType::ApplicationData, &[]).unwrap();
        c.check(ContentType::Handshake, &[0]).unwrap();
        assert_eq!(c.consecutive_empty_app_data(), 0);
    }

    fn arb_record() -> impl Strategy<Value = (ContentType, Vec<u8>)> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 1..600)
                .prop_map(|p| (ContentType::Handshake, p)),
            proptest::collection::vec(any::<u8>(), 0..600)
                .prop_map(|p| (ContentType::ApplicationData, p)),
            Just((ContentType::Alert, vec![2, 40])),
            Just((ContentType::ChangeCipherSpec, vec![1])),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_chunking_yields_the_records(
            records in proptest::collection::vec(arb_record(), 0..8),
            cuts in proptest::collection::vec(1usize..700, 0..20),
        ) {
            let stream: Vec<u8> = records.iter().flat_map(|(t, p)| record(*t, p)).collect();
            let mut chunks = Vec::new();
            let mut rest = &stream[..];
            for c in cuts {
                let (a, b) = rest.split_at(c.min(rest.len()));
                chunks.push(a);
                rest = b;
            }
            chunks.push(rest);
            let mut d = Deframer::new();
            prop_assert_eq!(feed(&mut d, chunks, &records), records.len());
            prop_assert!(d.is_empty());
        }

        #[test]
        fn arbitrary_bytes_never_panic(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16),
        ) {
            let mut d = Deframer::with_capacity(HEADER_LEN + MAX_PLAINTEXT).unwrap();
            let mut c = PlaintextChecker::new();
            for chunk in &chunks {
                d.read(chunk);
                while let Ok(Some(rec)) = d.pop_record() {
                    prop_assert!(rec.payload.len() <= MAX_PLAINTEXT);
                    let _ = c.check(rec.header.typ, rec.payload);
                }
                prop_assert!(d.buffered_len() <= d.capacity());
            }
        }
    }
}
