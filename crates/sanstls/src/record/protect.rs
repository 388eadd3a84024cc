//! Record protection: AEAD sealing and opening of records (RFC 8446 s5.2-5.4, RFC 5288,
//! RFC 7905), with `ring::aead`.
//!
//! One [`RecordSealer`] per sending direction and one [`RecordOpener`] per receiving
//! direction, each built from raw traffic key and IV bytes (derived elsewhere: HKDF-Expand-
//! Label for TLS 1.3, the PRF key block for TLS 1.2) and each owning its sequence number,
//! which starts at 0. A key change is a new sealer/opener, so the number restarts at 0.
//! The number never wraps: the record that would use 2^64-1 is refused with
//! [`Error::SequenceNumberExhausted`].
//!
//! Nonces and additional data:
//!
//! | protocol          | nonce                                  | additional data                     | on the wire                  |
//! |-------------------|----------------------------------------|-------------------------------------|------------------------------|
//! | TLS 1.3, any AEAD | 12-byte IV XOR seq (left-padded)       | the 5-byte record header            | `enc(content‖type‖zeros)‖tag` |
//! | TLS 1.2 AES-GCM   | 4-byte salt ‖ 8-byte explicit nonce    | seq ‖ type ‖ version ‖ plain length | `explicit‖ciphertext‖tag`    |
//! | TLS 1.2 ChaCha20  | 12-byte IV XOR seq (left-padded)       | seq ‖ type ‖ version ‖ plain length | `ciphertext‖tag`             |
//!
//! We send the sequence number as the TLS 1.2 GCM explicit nonce (unique per key, as
//! RFC 5288 s3 requires) and take the peer's explicit nonce from the record as sent.
//!
//! Opening works in place: [`RecordOpener::open_in_place`] decrypts the payload slice the
//! deframer lent out and returns the plaintext as a subslice of it. Sealing appends the
//! whole record to a caller-provided `Vec<u8>` and encrypts it there. Neither allocates
//! beyond growing that output vector.
//!
//! Key material: ring's `LessSafeKey` holds the expanded key, which ring does not wipe: we
//! overwrite it before it is freed (`Keys::wipe`). The raw key and the IV we hold are in
//! `Zeroizing` and wiped on drop. `Debug` output never shows key material.

use crate::prelude::*;
use core::fmt;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::enums::ContentType;
use crate::error::{Error, InvalidMessage, PeerMisbehaved};
use crate::record::header::{
    is_tls_content_type, RecordHeader, HEADER_LEN, MAX_CIPHERTEXT_TLS12, MAX_CIPHERTEXT_TLS13,
    MAX_PLAINTEXT,
};
use crate::record::size_limit::PlaintextLimit;

/// Length of an AEAD nonce (and of the TLS 1.3 / TLS 1.2 ChaCha20 IV).
pub const NONCE_LEN: usize = 12;

/// Record version written in every protected record: TLS 1.3 freezes
/// `legacy_record_version` at 0x0303 (RFC 8446 s5.2), and TLS 1.2 uses its own version.
const RECORD_VERSION: [u8; 2] = [0x03, 0x03];

/// The AEAD algorithms TLS 1.2 and 1.3 records are protected with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    /// AES-128 in GCM mode (RFC 5116 AEAD_AES_128_GCM).
    Aes128Gcm,
    /// AES-256 in GCM mode (RFC 5116 AEAD_AES_256_GCM).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439).
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
        }
    }

    /// IV length for TLS 1.3 (and the nonce length of every algorithm): 12 bytes.
    pub fn iv_len(self) -> usize {
        NONCE_LEN
    }

    /// Authentication tag length: 16 bytes for all three.
    pub fn tag_len(self) -> usize {
        16
    }

    /// The TLS 1.2 implicit IV length from the key block: the 4-byte salt for GCM
    /// (RFC 5288 s3), the full 12-byte IV for ChaCha20-Poly1305 (RFC 7905 s2).
    pub fn tls12_fixed_iv_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 4,
            Self::ChaCha20Poly1305 => NONCE_LEN,
        }
    }

    /// The TLS 1.2 explicit nonce carried in each record: 8 bytes for GCM, none for
    /// ChaCha20-Poly1305.
    pub fn tls12_explicit_nonce_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 8,
            Self::ChaCha20Poly1305 => 0,
        }
    }

    /// How many records one key may protect (RFC 8446 s5.5): 2^24.5 full-size records for
    /// AES-GCM (a margin of about 2^-57 against an attacker's advantage); ChaCha20-Poly1305
    /// needs no limit below the sequence number's own.
    pub fn confidentiality_limit(self) -> u64 {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 23_726_566,
            Self::ChaCha20Poly1305 => u64::MAX,
        }
    }

    fn ring(self) -> &'static aead::Algorithm {
        match self {
            Self::Aes128Gcm => &aead::AES_128_GCM,
            Self::Aes256Gcm => &aead::AES_256_GCM,
            Self::ChaCha20Poly1305 => &aead::CHACHA20_POLY1305,
        }
    }
}

/// Which record protection layout applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordProtocol {
    /// TLS 1.2: AEAD as in RFC 5246 s6.2.3.3 with RFC 5288 / RFC 7905 nonces.
    Tls12,
    /// TLS 1.3: RFC 8446 s5.2, inner content type and optional padding.
    Tls13,
}

/// TLS 1.3 record padding (RFC 8446 s5.4) applied when sealing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaddingPolicy {
    /// No padding (the default).
    #[default]
    None,
    /// Pad `content || type` with zeros up to a multiple of this many bytes, without
    /// exceeding the 2^14 + 1 byte inner plaintext limit. 0 and 1 mean no padding.
    Multiple(u16),
}

/// The state both directions share: key, IV, algorithm and sequence number.
struct Keys {
    /// The expanded key: ring's key schedule and, for AES-GCM, its GHASH table (about 550
    /// bytes), made from `raw_key` for the first record. Boxed, so that an idle connection
    /// can give it back ([`Self::release`]) and expand `raw_key` again for its next
    /// record: a long-lived connection that is mostly idle then holds about 80 bytes per
    /// direction instead.
    key: Option<Box<LessSafeKey>>,
    /// The key's bytes (`alg.key_len()` of them), for re-expanding `key` after a release
    /// and for `Connection::dangerous_extract_secrets`; wiped on drop, never printed.
    raw_key: Zeroizing<[u8; 32]>,
    /// For TLS 1.2 GCM: the 4-byte salt followed by 8 zero bytes, so that
    /// `iv XOR (0^4 || n)` is `salt || n`, the RFC 5288 nonce with explicit part `n`.
    iv: Zeroizing<[u8; NONCE_LEN]>,
    alg: AeadAlgorithm,
    protocol: RecordProtocol,
    seq: u64,
}

impl Keys {
    fn new(
        protocol: RecordProtocol,
        alg: AeadAlgorithm,
        key: &[u8],
        iv: &[u8],
    ) -> Result<Self, Error> {
        if key.len() != alg.key_len() {
            return Err(Error::ApiMisuse("record key has the wrong length"));
        }
        let iv_len = match protocol {
            RecordProtocol::Tls13 => alg.iv_len(),
            RecordProtocol::Tls12 => alg.tls12_fixed_iv_len(),
        };
        if iv.len() != iv_len {
            return Err(Error::ApiMisuse("record IV has the wrong length"));
        }
        let mut raw_key = Zeroizing::new([0u8; 32]);
        raw_key[..alg.key_len()].copy_from_slice(key);
        let mut stored = Zeroizing::new([0u8; NONCE_LEN]);
        stored[..iv_len].copy_from_slice(iv);
        // ring refuses a key only for its length, checked above; the expansion waits for
        // the first record (a server's application key is installed with its Finished,
        // and under a burst of handshakes thousands wait for the client's Finished
        // before any of them seals a record).
        Ok(Self {
            key: None,
            raw_key,
            iv: stored,
            alg,
            protocol,
            seq: 0,
        })
    }

    /// Expands `raw_key` into `key` unless it already is: on the first record, and on
    /// the first record after a [`Self::release`].
    fn expand(&mut self) -> Result<(), Error> {
        if self.key.is_none() {
            let raw = self.raw_key.get(..self.alg.key_len()).unwrap_or_default();
            let key = UnboundKey::new(self.alg.ring(), raw)
                .map_err(|_| Error::ApiMisuse("record key rejected by the AEAD"))?;
            self.key = Some(Box::new(LessSafeKey::new(key)));
        }
        Ok(())
    }

    /// The expanded key; [`Self::expand`] runs first on every path that seals or opens.
    fn aead(&self) -> Result<&LessSafeKey, Error> {
        self.key
            .as_deref()
            .ok_or(Error::ApiMisuse("record key used before it was expanded"))
    }

    /// Gives back the expanded key (wiped); the next record expands it again.
    fn release(&mut self) {
        self.wipe();
        self.key = None;
    }

    /// Overwrites the expanded key, before its memory goes back to the allocator, with the
    /// expansion of an all-zero key: ring does not wipe its keys, and an AES key schedule
    /// gives the key back. The overwrite is a whole `LessSafeKey` of the same algorithm
    /// (so the same layout), written through the box, and `black_box` keeps the compiler
    /// from dropping a store to memory about to be freed (best effort, as any wipe in safe
    /// code). It costs a key expansion per expanded key dropped.
    fn wipe(&mut self) {
        let Some(key) = self.key.as_deref_mut() else {
            return;
        };
        let zero = [0u8; 32];
        let zero = zero.get(..self.alg.key_len()).unwrap_or_default();
        if let Ok(unbound) = UnboundKey::new(self.alg.ring(), zero) {
            *key = LessSafeKey::new(unbound);
            core::hint::black_box(&*key);
        }
    }

    /// What `Connection::dangerous_extract_secrets` hands out: the algorithm, the key, the
    /// 12-byte IV each record's nonce is `iv XOR (0^4 || seq)` of (for TLS 1.2 AES-GCM the
    /// salt then 8 zero bytes: the explicit nonce is the sequence number), and the next
    /// record's sequence number.
    fn export(&self) -> TrafficKeys<'_> {
        TrafficKeys {
            alg: self.alg,
            key: self.raw_key.get(..self.alg.key_len()).unwrap_or_default(),
            iv: *self.iv,
            seq: self.seq,
        }
    }

    /// The sequence number for the next record, refusing the last one so it never wraps.
    fn current_seq(&self) -> Result<u64, Error> {
        match self.seq {
            u64::MAX => Err(Error::SequenceNumberExhausted),
            n => Ok(n),
        }
    }

    /// `iv XOR (0^4 || n)`: RFC 8446 s5.3 and RFC 7905 s2; for TLS 1.2 GCM this builds
    /// `salt || n` (see `iv`).
    fn nonce(&self, n: u64) -> Nonce {
        let mut nonce = *self.iv;
        for (b, s) in nonce[4..].iter_mut().zip(n.to_be_bytes()) {
            *b ^= s;
        }
        Nonce::assume_unique_for_key(nonce)
    }

    /// TLS 1.2 additional data (RFC 5246 s6.2.3.3):
    /// `seq_num(8) || type(1) || version(2) || length(2)` of the plaintext.
    fn tls12_aad(seq: u64, typ: u8, version: [u8; 2], plain_len: usize) -> [u8; 13] {
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&seq.to_be_bytes());
        aad[8] = typ;
        aad[9..11].copy_from_slice(&version);
        aad[11..].copy_from_slice(&(plain_len as u16).to_be_bytes());
        aad
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("alg", &self.alg)
            .field("protocol", &self.protocol)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// One direction's record protection state, for `Connection::dangerous_extract_secrets`
/// (see `Keys::export`). Borrowed: the caller copies it into zeroizing storage.
pub(crate) struct TrafficKeys<'a> {
    pub(crate) alg: AeadAlgorithm,
    pub(crate) key: &'a [u8],
    pub(crate) iv: [u8; NONCE_LEN],
    pub(crate) seq: u64,
}

/// Encrypts outgoing records for one direction under one key.
#[derive(Debug)]
pub struct RecordSealer {
    keys: Keys,
    padding: PaddingPolicy,
    /// What the peer accepts (RFC 8449 s4, RFC 6066 s4); the protocol's limit by default.
    limit: PlaintextLimit,
}

impl RecordSealer {
    /// A TLS 1.3 sealer from a traffic key and its 12-byte IV (RFC 8446 s7.3).
    pub fn tls13(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            keys: Keys::new(RecordProtocol::Tls13, alg, key, iv)?,
            padding: PaddingPolicy::None,
            limit: PlaintextLimit::PROTOCOL,
        })
    }

    /// A TLS 1.2 sealer from the key block's write key and write IV: the 4-byte salt for
    /// AES-GCM (RFC 5288 s3), the 12-byte IV for ChaCha20-Poly1305 (RFC 7905 s2).
    pub fn tls12(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            keys: Keys::new(RecordProtocol::Tls12, alg, key, iv)?,
            padding: PaddingPolicy::None,
            limit: PlaintextLimit::PROTOCOL,
        })
    }

    /// Sets the TLS 1.3 padding policy. TLS 1.2 records cannot be padded (ApiMisuse).
    pub fn set_padding(&mut self, padding: PaddingPolicy) -> Result<(), Error> {
        if self.keys.protocol == RecordProtocol::Tls12 && padding != PaddingPolicy::None {
            return Err(Error::ApiMisuse("TLS 1.2 records cannot be padded"));
        }
        self.padding = padding;
        Ok(())
    }

    /// Sets what the peer accepts per record. Sealing more content is then refused
    /// (ApiMisuse: the fragmenter cuts to it), and TLS 1.3 padding stops at `limit.inner`,
    /// as RFC 8449 s4 counts padding against the limit.
    pub fn set_limit(&mut self, limit: PlaintextLimit) {
        self.limit = PlaintextLimit {
            content: limit.content.min(MAX_PLAINTEXT),
            inner: limit.inner.min(MAX_PLAINTEXT + 1),
        };
    }

    /// What the peer accepts per record.
    pub fn limit(&self) -> PlaintextLimit {
        self.limit
    }

    /// The algorithm.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.keys.alg
    }

    /// The protection layout.
    pub fn protocol(&self) -> RecordProtocol {
        self.keys.protocol
    }

    /// The sequence number the next record will use.
    pub fn seq(&self) -> u64 {
        self.keys.seq
    }

    /// How many more records this key may seal within its algorithm's confidentiality
    /// limit (RFC 8446 s5.5).
    pub fn records_left(&self) -> u64 {
        self.keys
            .alg
            .confidentiality_limit()
            .saturating_sub(self.keys.seq)
    }

    /// The keys, IV and sequence number (`Connection::dangerous_extract_secrets`).
    pub(crate) fn export(&self) -> TrafficKeys<'_> {
        self.keys.export()
    }

    /// Gives back the expanded key while the connection is idle (about 550 bytes for
    /// AES-GCM); the next record expands it again. See `Connection::release_idle_memory`.
    pub(crate) fn release_key(&mut self) {
        self.keys.release();
    }

    /// Whether the expanded key is held (tests of `release_key`).
    #[cfg(test)]
    pub(crate) fn key_expanded(&self) -> bool {
        self.keys.key.is_some()
    }

    /// Sets the sequence number (tests drive it to the end of its range).
    #[cfg(test)]
    pub(crate) fn set_seq(&mut self, seq: u64) {
        self.keys.seq = seq;
    }

    /// Zero bytes appended after `content || type` for a TLS 1.3 record of `len` bytes.
    fn padding_len(&self, len: usize) -> usize {
        let inner = len + 1;
        match self.padding {
            PaddingPolicy::Multiple(m) if m > 1 => {
                let m = usize::from(m);
                let padded = inner.div_ceil(m) * m;
                padded.min(self.limit.inner).max(inner) - inner
            }
            _ => 0,
        }
    }

    /// The full record length (header included) that sealing `len` bytes produces.
    pub fn sealed_len(&self, len: usize) -> usize {
        let alg = self.keys.alg;
        let body = match self.keys.protocol {
            RecordProtocol::Tls13 => len + 1 + self.padding_len(len),
            RecordProtocol::Tls12 => alg.tls12_explicit_nonce_len() + len,
        };
        HEADER_LEN + body + alg.tag_len()
    }

    /// Bytes of a record before its plaintext: the header, and TLS 1.2's explicit nonce.
    pub fn prefix_len(&self) -> usize {
        match self.keys.protocol {
            RecordProtocol::Tls13 => HEADER_LEN,
            RecordProtocol::Tls12 => HEADER_LEN + self.keys.alg.tls12_explicit_nonce_len(),
        }
    }

    /// The most bytes a record carries after its plaintext: TLS 1.3's content type and
    /// padding, and the tag.
    pub fn max_suffix_len(&self) -> usize {
        let inner = match (self.keys.protocol, self.padding) {
            (RecordProtocol::Tls12, _) => 0,
            (RecordProtocol::Tls13, PaddingPolicy::Multiple(m)) if m > 1 => usize::from(m),
            (RecordProtocol::Tls13, _) => 1,
        };
        inner + self.keys.alg.tag_len()
    }

    /// Appends one protected record carrying `plaintext` (at most 2^14 bytes: use the
    /// fragmenter) of type `typ` to `out`, and advances the sequence number.
    ///
    /// On error nothing is appended and the sequence number is unchanged.
    pub fn seal(
        &mut self,
        typ: ContentType,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if plaintext.len() > self.limit.content {
            return Err(Error::ApiMisuse(
                "record plaintext longer than the peer accepts (2^14 bytes or its limit)",
            ));
        }
        // The record is laid out in `out` as `seal_in_place` wants it, then sealed there:
        // one copy of the plaintext, and one sealing code path for both entry points.
        let at = out.len();
        out.reserve(self.sealed_len(plaintext.len()));
        out.resize(at + self.prefix_len(), 0);
        out.extend_from_slice(plaintext);
        out.resize(at + self.sealed_len(plaintext.len()), 0);
        let record = out.get_mut(at..).unwrap_or_default();
        match self.seal_in_place(typ, record, plaintext.len()) {
            Ok(_) => Ok(()),
            Err(e) => {
                out.truncate(at);
                Err(e)
            }
        }
    }

    /// Seals a record in the caller's buffer: `record[self.prefix_len()..][..len]` holds
    /// the plaintext, and `record` has room for [`Self::sealed_len`]`(len)` bytes. Writes
    /// the header (and TLS 1.2's explicit nonce) before the plaintext, encrypts it in place,
    /// writes the inner type, padding and tag after it, advances the sequence number, and
    /// returns the record's length (it is `record[..n]`).
    ///
    /// On error the sequence number is unchanged and the buffer's contents are unspecified.
    pub fn seal_in_place(
        &mut self,
        typ: ContentType,
        record: &mut [u8],
        len: usize,
    ) -> Result<usize, Error> {
        if len > self.limit.content {
            return Err(Error::ApiMisuse(
                "record plaintext longer than the peer accepts (2^14 bytes or its limit)",
            ));
        }
        if !is_tls_content_type(typ) {
            return Err(Error::ApiMisuse("record content type is not a TLS type"));
        }
        let total = self.sealed_len(len);
        let Some(record) = record.get_mut(..total) else {
            return Err(Error::ApiMisuse("buffer too small for the sealed record"));
        };
        let seq = self.keys.current_seq()?;
        self.keys.expand()?;
        match self.keys.protocol {
            RecordProtocol::Tls13 => self.seal_tls13(seq, typ, record, len)?,
            RecordProtocol::Tls12 => self.seal_tls12(seq, typ, record, len)?,
        }
        self.keys.seq = seq + 1;
        Ok(total)
    }

    /// RFC 8446 s5.2: `opaque_type(23) || 0x0303 || length || AEAD(content || type || zeros)`
    /// with the header as additional data. `record` is exactly the sealed length.
    fn seal_tls13(
        &self,
        seq: u64,
        typ: ContentType,
        record: &mut [u8],
        len: usize,
    ) -> Result<(), Error> {
        let tag_at = record.len() - self.keys.alg.tag_len();
        let ct_len = (record.len() - HEADER_LEN) as u16;
        let header = record_header(ContentType::ApplicationData, ct_len);
        let (head, body) = record.split_at_mut(HEADER_LEN);
        head.copy_from_slice(&header);
        let (inner, tag_out) = body.split_at_mut(tag_at - HEADER_LEN);
        // content || type || zero padding
        if let Some((type_byte, padding)) = inner.get_mut(len..).and_then(|t| t.split_first_mut()) {
            *type_byte = typ.to_int();
            padding.fill(0);
        }
        let tag = self
            .keys
            .aead()?
            .seal_in_place_separate_tag(self.keys.nonce(seq), Aad::from(header), inner)
            .map_err(|_| Error::EncryptError)?;
        tag_out.copy_from_slice(tag.as_ref());
        Ok(())
    }

    /// RFC 5246 s6.2.3.3 with RFC 5288 / RFC 7905 nonces:
    /// `type || 0x0303 || length || explicit_nonce || AEAD(content)`. `record` is exactly
    /// the sealed length.
    fn seal_tls12(
        &self,
        seq: u64,
        typ: ContentType,
        record: &mut [u8],
        len: usize,
    ) -> Result<(), Error> {
        let explicit = self.keys.alg.tls12_explicit_nonce_len();
        let tag_at = record.len() - self.keys.alg.tag_len();
        let header = record_header(typ, (record.len() - HEADER_LEN) as u16);
        let (head, body) = record.split_at_mut(HEADER_LEN);
        head.copy_from_slice(&header);
        // The explicit nonce is the sequence number (GCM only; empty for ChaCha20).
        let (nonce_out, body) = body.split_at_mut(explicit);
        nonce_out.copy_from_slice(&seq.to_be_bytes()[..explicit]);
        let (content, tag_out) = body.split_at_mut(tag_at - HEADER_LEN - explicit);
        let aad = Keys::tls12_aad(seq, typ.to_int(), RECORD_VERSION, len);
        let tag = self
            .keys
            .aead()?
            .seal_in_place_separate_tag(self.keys.nonce(seq), Aad::from(aad), content)
            .map_err(|_| Error::EncryptError)?;
        tag_out.copy_from_slice(tag.as_ref());
        Ok(())
    }
}

/// A protected record's header: `typ || 0x0303 || len`.
fn record_header(typ: ContentType, len: u16) -> [u8; HEADER_LEN] {
    let len = len.to_be_bytes();
    [
        typ.to_int(),
        RECORD_VERSION[0],
        RECORD_VERSION[1],
        len[0],
        len[1],
    ]
}

/// A decrypted record: the real content type and the plaintext, inside the caller's buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct Plaintext<'a> {
    /// The content type: the inner type for TLS 1.3, the header's type for TLS 1.2.
    pub typ: ContentType,
    /// The plaintext content, padding and inner type removed.
    pub payload: &'a mut [u8],
    /// Where `payload` starts in the record payload that was opened (0 for TLS 1.3, the
    /// explicit nonce's length for TLS 1.2), so a caller can find it again in its buffer.
    pub offset: usize,
}

/// Decrypts incoming records for one direction under one key.
#[derive(Debug)]
pub struct RecordOpener {
    keys: Keys,
    /// What we announced we accept (RFC 8449 s4, RFC 6066 s4); the protocol's limit by
    /// default.
    limit: PlaintextLimit,
}

impl RecordOpener {
    /// A TLS 1.3 opener from a traffic key and its 12-byte IV (RFC 8446 s7.3).
    pub fn tls13(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            keys: Keys::new(RecordProtocol::Tls13, alg, key, iv)?,
            limit: PlaintextLimit::PROTOCOL,
        })
    }

    /// A TLS 1.2 opener from the key block's peer write key and IV: the 4-byte salt for
    /// AES-GCM (RFC 5288 s3), the 12-byte IV for ChaCha20-Poly1305 (RFC 7905 s2).
    pub fn tls12(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            keys: Keys::new(RecordProtocol::Tls12, alg, key, iv)?,
            limit: PlaintextLimit::PROTOCOL,
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.keys.alg
    }

    /// The protection layout.
    pub fn protocol(&self) -> RecordProtocol {
        self.keys.protocol
    }

    /// Sets what we accept per record: a record over it is then refused with
    /// `PeerMisbehaved::RecordOverNegotiatedLimit` (record_overflow, RFC 8449 s4).
    pub fn set_limit(&mut self, limit: PlaintextLimit) {
        self.limit = limit;
    }

    /// The sequence number the next record is expected to carry.
    pub fn seq(&self) -> u64 {
        self.keys.seq
    }

    /// The keys, IV and sequence number (`Connection::dangerous_extract_secrets`).
    pub(crate) fn export(&self) -> TrafficKeys<'_> {
        self.keys.export()
    }

    /// Gives back the expanded key while the connection is idle (about 550 bytes for
    /// AES-GCM); the next record expands it again. See `Connection::release_idle_memory`.
    pub(crate) fn release_key(&mut self) {
        self.keys.release();
    }

    /// Whether the expanded key is held (tests of `release_key`).
    #[cfg(test)]
    pub(crate) fn key_expanded(&self) -> bool {
        self.keys.key.is_some()
    }

    /// Sets the sequence number (tests drive it to the end of its range).
    #[cfg(test)]
    pub(crate) fn set_seq(&mut self, seq: u64) {
        self.keys.seq = seq;
    }

    /// Decrypts the record with header `header` whose payload is `payload` (exactly
    /// `header.len` bytes, typically lent out by the deframer), in place, and advances the
    /// sequence number.
    ///
    /// Errors: [`Error::DecryptError`] (bad_record_mac) if authentication fails or the
    /// payload is too short to hold a tag; `RecordTooLarge` (record_overflow) for a
    /// ciphertext or plaintext over the limits; for TLS 1.3, an outer type other than
    /// ApplicationData, an all-zero inner plaintext (no content type: reported as
    /// `InvalidContentType(Unknown(0))`, the RFC's `invalid(0)` type), an unknown inner
    /// type, or a protected ChangeCipherSpec (RFC 8446 s5) are `InvalidContentType`
    /// (unexpected_message). After an error the payload contents are unspecified.
    pub fn open_in_place<'a>(
        &mut self,
        header: &RecordHeader,
        payload: &'a mut [u8],
    ) -> Result<Plaintext<'a>, Error> {
        if usize::from(header.len) != payload.len() {
            return Err(Error::ApiMisuse(
                "record header length differs from payload",
            ));
        }
        let seq = self.keys.current_seq()?;
        self.keys.expand()?;
        let plain = match self.keys.protocol {
            RecordProtocol::Tls13 => self.open_tls13(seq, header, payload)?,
            RecordProtocol::Tls12 => self.open_tls12(seq, header, payload)?,
        };
        self.keys.seq = seq + 1;
        Ok(plain)
    }

    fn open_tls13<'a>(
        &self,
        seq: u64,
        header: &RecordHeader,
        payload: &'a mut [u8],
    ) -> Result<Plaintext<'a>, Error> {
        // RFC 8446 s5.2: the outer type of a protected record is always application_data.
        if header.typ != ContentType::ApplicationData {
            return Err(InvalidMessage::InvalidContentType(header.typ).into());
        }
        if payload.len() > MAX_CIPHERTEXT_TLS13 {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        if payload.len() < self.keys.alg.tag_len() {
            return Err(Error::DecryptError);
        }
        let inner = self
            .keys
            .aead()?
            .open_in_place(self.keys.nonce(seq), Aad::from(header.to_bytes()), payload)
            .map_err(|_| Error::DecryptError)?;
        // RFC 8446 s5.4: the TLSInnerPlaintext must not exceed 2^14 + 1 bytes.
        if inner.len() > MAX_PLAINTEXT + 1 {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        // The content type is the last non-zero byte; what follows it is padding.
        let Some(at) = inner.iter().rposition(|&b| b != 0) else {
            return Err(InvalidMessage::InvalidContentType(ContentType::from(0)).into());
        };
        let typ = ContentType::from(inner[at]);
        if !is_tls_content_type(typ) || typ == ContentType::ChangeCipherSpec {
            return Err(InvalidMessage::InvalidContentType(typ).into());
        }
        // RFC 8449 s4 counts the whole TLSInnerPlaintext, padding included; RFC 6066 s4
        // counts the content.
        if inner.len() > self.limit.inner || at > self.limit.content {
            return Err(PeerMisbehaved::RecordOverNegotiatedLimit.into());
        }
        Ok(Plaintext {
            typ,
            payload: &mut inner[..at],
            offset: 0,
        })
    }

    fn open_tls12<'a>(
        &self,
        seq: u64,
        header: &RecordHeader,
        payload: &'a mut [u8],
    ) -> Result<Plaintext<'a>, Error> {
        let alg = self.keys.alg;
        if payload.len() > MAX_CIPHERTEXT_TLS12 {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        let explicit = alg.tls12_explicit_nonce_len();
        let Some(plain_len) = payload.len().checked_sub(explicit + alg.tag_len()) else {
            return Err(Error::DecryptError);
        };
        let (nonce_bytes, sealed) = payload.split_at_mut(explicit);
        let nonce = match explicit {
            // GCM: salt || the explicit nonce as the peer sent it.
            8 => {
                let mut n = [0u8; 8];
                n.copy_from_slice(nonce_bytes);
                self.keys.nonce(u64::from_be_bytes(n))
            }
            _ => self.keys.nonce(seq),
        };
        let aad = Keys::tls12_aad(
            seq,
            header.typ.to_int(),
            header.version.to_int().to_be_bytes(),
            plain_len,
        );
        let plain = self
            .keys
            .aead()?
            .open_in_place(nonce, Aad::from(aad), sealed)
            .map_err(|_| Error::DecryptError)?;
        // RFC 5246 s6.2.3: the plaintext must not exceed 2^14 bytes.
        if plain.len() > MAX_PLAINTEXT {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        // RFC 8449 s4 and RFC 6066 s4 both count TLS 1.2's content.
        if plain.len() > self.limit.content {
            return Err(PeerMisbehaved::RecordOverNegotiatedLimit.into());
        }
        Ok(Plaintext {
            typ: header.typ,
            payload: plain,
            offset: explicit,
        })
    }
}

#[cfg(test)]
#[path = "protect_test.rs"]
mod tests;
