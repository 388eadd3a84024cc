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
use crate::prelude::*;
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
    /// `buf[start..end]` holds bytes received but not yet handed out. `buf[end..]` is
    /// initialised memory (zeros, or bytes already handed out) that `read_from` reads into
    /// without filling it again: safe code can only read into initialised bytes, and
    /// zeroing the free part before every read (most of which, on a non-blocking socket,
    /// find nothing) would cost as much as the read. `buf.len()` never exceeds `capacity`,
    /// so after the first allocation the buffer never reallocates.
    buf: Vec<u8>,
    start: usize,
    end: usize,
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
            end: 0,
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
        self.end - self.start
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
        if self.start == self.end {
            // Everything handed out: restart at the front for free.
            self.start = 0;
            self.end = 0;
        } else if self.end + n > self.capacity {
            // Lazy compaction: move the unconsumed tail to the front only when needed.
            self.compact();
        }
        let needed = self.end + n;
        if needed > self.buf.capacity() {
            // Grow on demand (a handshake flight needs a few KiB, bulk data a full record),
            // at least doubling, never past `capacity`: `needed <= capacity` always holds, so
            // a busy connection reaches its steady size after a few reads and then
            // allocates nothing more, while an idle one holds little.
            let target = needed
                .max(2 * self.buf.capacity())
                .max(MIN_ALLOCATION)
                .min(self.capacity);
            self.buf
                .reserve_exact(target.saturating_sub(self.buf.len()));
        }
        // Over the initialised part first, then past it.
        let end = self.end;
        let over = self.buf.len().saturating_sub(end).min(n);
        if let Some(dst) = self.buf.get_mut(end..end + over) {
            dst.copy_from_slice(&bytes[..over]);
        }
        self.buf.extend_from_slice(&bytes[over..n]);
        self.end += n;
        n
    }

    /// Moves the bytes not yet handed out (less than a record) to the front.
    fn compact(&mut self) {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
    }

    /// Like [`Deframer::read`], but reads from `rd` straight into the buffer (no copy in
    /// between): at most one `rd.read` call, for at most the free space. Returns `Ok(0)`
    /// without calling `rd` when there is no free space (pop records first); otherwise
    /// what `rd` returned (`Ok(0)` is then end of stream).
    // std-only: core has no `Read` (the engine's `read_tls_from` is the one caller).
    #[cfg(feature = "std")]
    pub fn read_from(&mut self, rd: &mut impl std::io::Read) -> std::io::Result<usize> {
        if self.error.is_some() || self.free_space() == 0 {
            return Ok(0);
        }
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else {
            // The read fills the back: move the unconsumed tail (less than a record) to
            // the front.
            self.compact();
        }
        let room = self.capacity - self.end;
        // Read into what is allocated; when little is, grow as `read` does (doubling,
        // never past `capacity`).
        let spare = self.buf.capacity() - self.end;
        let want = match spare >= MIN_ALLOCATION {
            true => spare.min(room),
            false => (2 * self.buf.capacity())
                .max(MIN_ALLOCATION)
                .min(self.capacity)
                .saturating_sub(self.end)
                .min(room),
        };
        let upto = self.end + want;
        if self.buf.len() < upto {
            // Zeroes only what was never initialised: once per growth, not per read.
            self.buf.reserve_exact(upto - self.buf.len());
            self.buf.resize(upto, 0);
        }
        let into = self.buf.get_mut(self.end..upto).unwrap_or_default();
        let got = rd.read(into)?.min(want);
        self.end += got;
        Ok(got)
    }

    /// Takes every byte received but not yet handed out as a record (a partial record, or
    /// whole records not popped), leaving the deframer empty. Bytes before them (records
    /// already handed out, whose plaintext [`Deframer::bytes`] may still address) stay.
    pub fn take_buffered(&mut self) -> Vec<u8> {
        let rest = self
            .buf
            .get(self.start..self.end)
            .unwrap_or_default()
            .to_vec();
        self.end = self.start;
        rest
    }

    /// Bytes of the buffer by position, e.g. a record payload already handed out and
    /// decrypted in place (see [`DeframedRecord::offset`]). They stay where they are until
    /// the next [`Deframer::read`], which may move or overwrite them; an out-of-range
    /// request is empty.
    pub fn bytes(&self, range: core::ops::Range<usize>) -> &[u8] {
        self.buf
            .get(..self.end)
            .and_then(|b| b.get(range))
            .unwrap_or_default()
    }

    /// Gives the buffer's memory back if nothing is buffered (an idle connection then holds
    /// none); the next `read` allocates again. Returns whether it did.
    pub fn release_if_empty(&mut self) -> bool {
        if self.buffered_len() != 0 {
            return false;
        }
        self.buf = Vec::new();
        self.start = 0;
        self.end = 0;
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
        let avail = self.buf.get(self.start..self.end).unwrap_or_default();
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
#[path = "deframer_test.rs"]
mod tests;
