//! The TLS 1.3 key schedule (RFC 8446 s7.1), built on ring's HMAC and HKDF.
//!
//! ```text
//!              0
//!              |
//!    PSK ->  HKDF-Extract = Early Secret          --> KeyScheduleEarly
//!              +-----> Derive-Secret(., "ext binder" | "res binder", "")
//!              +-----> Derive-Secret(., "c e traffic", ClientHello)
//!              +-----> Derive-Secret(., "e exp master", ClientHello)
//!        Derive-Secret(., "derived", "")
//!              |
//! (EC)DHE -> HKDF-Extract = Handshake Secret      --> KeyScheduleHandshake
//!              +-----> Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
//!              +-----> Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
//!        Derive-Secret(., "derived", "")
//!              |
//!    0 ->  HKDF-Extract = Master Secret           --> KeyScheduleTrafficPending
//!              +-----> Derive-Secret(., "c ap traffic", ClientHello...server Finished)
//!              +-----> Derive-Secret(., "s ap traffic", ClientHello...server Finished)
//!              +-----> Derive-Secret(., "exp master", ClientHello...server Finished)
//!              +-----> Derive-Secret(., "res master", ClientHello...client Finished)
//!                                                 --> KeyScheduleTraffic
//! ```
//!
//! Each stage is a struct that consumes itself into the next, so a secret cannot be
//! derived out of order and an earlier secret is dropped (and zeroized) once the schedule
//! has moved past it. Every secret is held as raw bytes in a zeroize-on-drop buffer:
//! ring's `hkdf::Prk` hides its bytes, which SSLKEYLOGFILE logging and the chaining of
//! Extract into Expand need, so HKDF-Extract is computed as the HMAC it is defined to be
//! (RFC 5869 s2.2) and a `Prk` is built on demand for each HKDF-Expand.
//!
//! Transcript hashes enter as [`ring::digest::Digest`] (from
//! [`HandshakeHash`](super::transcript::HandshakeHash) or [`SuiteHash::hash`]), which
//! bounds their length by construction.

use crate::prelude::*;
use core::fmt;

use ring::{aead, digest, hkdf, hmac};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::enums::CipherSuite;
use crate::error::Error;

/// The largest hash output a TLS 1.2/1.3 suite uses (SHA-384).
pub const MAX_HASH_LEN: usize = 48;

/// The hash function of a cipher suite: the TLS 1.3 HKDF hash, the TLS 1.2 PRF hash,
/// and the transcript hash of both.
///
/// (Named apart from [`crate::enums::HashAlgorithm`], the TLS 1.2 signature wire enum.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SuiteHash {
    /// SHA-256 (32-byte output).
    Sha256,
    /// SHA-384 (48-byte output).
    Sha384,
}

impl SuiteHash {
    /// `Hash.length` in RFC 8446 terms.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
        }
    }

    /// The ring digest algorithm.
    pub fn digest_algorithm(self) -> &'static digest::Algorithm {
        match self {
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
        }
    }

    /// The ring HMAC algorithm over this hash.
    pub fn hmac_algorithm(self) -> hmac::Algorithm {
        match self {
            Self::Sha256 => hmac::HMAC_SHA256,
            Self::Sha384 => hmac::HMAC_SHA384,
        }
    }

    /// The ring HKDF algorithm over this hash.
    pub fn hkdf_algorithm(self) -> hkdf::Algorithm {
        match self {
            Self::Sha256 => hkdf::HKDF_SHA256,
            Self::Sha384 => hkdf::HKDF_SHA384,
        }
    }

    /// Hashes `data` in one go.
    pub fn hash(self, data: &[u8]) -> digest::Digest {
        digest::digest(self.digest_algorithm(), data)
    }

    /// The hash of the empty string (the `""` context of `Derive-Secret(., "derived", "")`).
    pub fn empty_hash(self) -> &'static [u8] {
        match self {
            Self::Sha256 => &constants::SHA256_EMPTY,
            Self::Sha384 => &constants::SHA384_EMPTY,
        }
    }

    /// The Early Secret and the salt derived from it when no PSK is in use.
    fn no_psk_early_and_derived(self) -> (&'static [u8], &'static [u8]) {
        match self {
            Self::Sha256 => (
                &constants::SHA256_NO_PSK_EARLY,
                &constants::SHA256_NO_PSK_DERIVED,
            ),
            Self::Sha384 => (
                &constants::SHA384_NO_PSK_EARLY,
                &constants::SHA384_NO_PSK_DERIVED,
            ),
        }
    }

    /// The hash a cipher suite uses for its PRF/HKDF and transcript, for the suites this
    /// engine implements: the TLS 1.3 suite name says it; TLS 1.2 suites use SHA-384 when
    /// their name ends in `_SHA384` and SHA-256 otherwise, the `_SHA` (HMAC-SHA1) CBC
    /// suites included (RFC 5246 s5, RFC 5289 s3.2). `None` for suites not implemented
    /// (including the signalling values).
    pub fn for_cipher_suite(suite: CipherSuite) -> Option<Self> {
        use CipherSuite as C;
        match suite {
            C::TLS13_AES_256_GCM_SHA384
            | C::TLS_RSA_WITH_AES_256_GCM_SHA384
            | C::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
            | C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
            | C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
            | C::TLS_PSK_WITH_AES_256_GCM_SHA384
            | C::TLS_DHE_PSK_WITH_AES_256_GCM_SHA384 => Some(Self::Sha384),
            C::TLS13_AES_128_GCM_SHA256
            | C::TLS13_CHACHA20_POLY1305_SHA256
            | C::TLS13_AES_128_CCM_SHA256
            | C::TLS13_AES_128_CCM_8_SHA256
            | C::TLS_RSA_WITH_AES_128_CBC_SHA
            | C::TLS_RSA_WITH_AES_256_CBC_SHA
            | C::TLS_RSA_WITH_AES_128_GCM_SHA256
            | C::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
            | C::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
            | C::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
            | C::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
            | C::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
            | C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            | C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
            | C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
            | C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
            | C::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256
            | C::TLS_PSK_WITH_AES_128_GCM_SHA256
            | C::TLS_DHE_PSK_WITH_AES_128_GCM_SHA256
            | C::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256
            | C::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 => Some(Self::Sha256),
            _ => None,
        }
    }
}

/// Values of the schedule that depend on the hash alone, computed once here rather than in
/// every handshake (the tests recompute them). None is secret: they are the same for
/// every connection.
mod constants {
    /// `Hash("")`: the context of every `Derive-Secret(., "derived", "")`.
    pub(super) const SHA256_EMPTY: [u8; 32] = [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9,
        0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52,
        0xb8, 0x55,
    ];
    pub(super) const SHA384_EMPTY: [u8; 48] = [
        0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3,
        0x6a, 0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6,
        0xe1, 0xda, 0x27, 0x4e, 0xde, 0xbf, 0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48,
        0x98, 0xb9, 0x5b,
    ];
    /// `HKDF-Extract(0, 0)`: the Early Secret when no PSK is in use.
    pub(super) const SHA256_NO_PSK_EARLY: [u8; 32] = [
        0x33, 0xad, 0x0a, 0x1c, 0x60, 0x7e, 0xc0, 0x3b, 0x09, 0xe6, 0xcd, 0x98, 0x93, 0x68, 0x0c,
        0xe2, 0x10, 0xad, 0xf3, 0x00, 0xaa, 0x1f, 0x26, 0x60, 0xe1, 0xb2, 0x2e, 0x10, 0xf1, 0x70,
        0xf9, 0x2a,
    ];
    pub(super) const SHA384_NO_PSK_EARLY: [u8; 48] = [
        0x7e, 0xe8, 0x20, 0x6f, 0x55, 0x70, 0x02, 0x3e, 0x6d, 0xc7, 0x51, 0x9e, 0xb1, 0x07, 0x3b,
        0xc4, 0xe7, 0x91, 0xad, 0x37, 0xb5, 0xc3, 0x82, 0xaa, 0x10, 0xba, 0x18, 0xe2, 0x35, 0x7e,
        0x71, 0x69, 0x71, 0xf9, 0x36, 0x2f, 0x2c, 0x2f, 0xe2, 0xa7, 0x6b, 0xfd, 0x78, 0xdf, 0xec,
        0x4e, 0xa9, 0xb5,
    ];
    /// `Derive-Secret(HKDF-Extract(0, 0), "derived", "")`: the salt of the Handshake
    /// Secret when no PSK is in use (RFC 8446 s7.1; the SHA-256 value is RFC 8448 s3's).
    pub(super) const SHA256_NO_PSK_DERIVED: [u8; 32] = [
        0x6f, 0x26, 0x15, 0xa1, 0x08, 0xc7, 0x02, 0xc5, 0x67, 0x8f, 0x54, 0xfc, 0x9d, 0xba, 0xb6,
        0x97, 0x16, 0xc0, 0x76, 0x18, 0x9c, 0x48, 0x25, 0x0c, 0xeb, 0xea, 0xc3, 0x57, 0x6c, 0x36,
        0x11, 0xba,
    ];
    pub(super) const SHA384_NO_PSK_DERIVED: [u8; 48] = [
        0x15, 0x91, 0xda, 0xc5, 0xcb, 0xbf, 0x03, 0x30, 0xa4, 0xa8, 0x4d, 0xe9, 0xc7, 0x53, 0x33,
        0x0e, 0x92, 0xd0, 0x1f, 0x0a, 0x88, 0x21, 0x4b, 0x44, 0x64, 0x97, 0x2f, 0xd6, 0x68, 0x04,
        0x9e, 0x93, 0xe5, 0x2f, 0x2b, 0x16, 0xfa, 0xd9, 0x22, 0xfd, 0xc0, 0x58, 0x44, 0x78, 0x42,
        0x8f, 0x28, 0x2b,
    ];
}

/// Secret bytes of at most [`MAX_HASH_LEN`], wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct SecretBytes {
    buf: [u8; MAX_HASH_LEN],
    len: usize,
}

impl SecretBytes {
    /// Copies at most [`MAX_HASH_LEN`] bytes of `bytes` (all our secrets are one hash
    /// output long).
    fn new(bytes: &[u8]) -> Self {
        let len = bytes.len().min(MAX_HASH_LEN);
        let mut buf = [0u8; MAX_HASH_LEN];
        buf[..len].copy_from_slice(&bytes[..len]);
        Self { buf, len }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} secret bytes>", self.len)
    }
}

/// `HKDF-Extract(salt, IKM)` (RFC 5869 s2.2): `HMAC-Hash(salt, IKM)`. A zero-length
/// salt is an HMAC key of zeros, as RFC 5869 specifies for an absent salt.
fn hkdf_extract(hash: SuiteHash, salt: &[u8], ikm: &[u8]) -> SecretBytes {
    let tag = hmac::sign(&hmac::Key::new(hash.hmac_algorithm(), salt), ikm);
    SecretBytes::new(tag.as_ref())
}

/// `HKDF-Expand-Label(Secret, Label, Context, Length)` (RFC 8446 s7.1):
///
/// ```text
/// struct {
///     uint16 length = Length;
///     opaque label<7..255> = "tls13 " + Label;
///     opaque context<0..255> = Context;
/// } HkdfLabel;
/// HKDF-Expand-Label(...) = HKDF-Expand(Secret, HkdfLabel, Length)
/// ```
///
/// `out.len()` is `Length`. Fails with [`Error::ApiMisuse`] when a field does not fit
/// the structure (label over 249 bytes, context over 255) or `Length` exceeds HKDF's
/// 255 * Hash.length.
pub fn hkdf_expand_label(
    hash: SuiteHash,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let prk = hkdf::Prk::new_less_safe(hash.hkdf_algorithm(), secret);
    expand_label_with(&prk, hash, label, context, out)
}

/// HKDF-Expand-Label with an already keyed PRK (see [`Expander`]).
fn expand_label_with(
    prk: &hkdf::Prk,
    hash: SuiteHash,
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let full_label_len = u8::try_from(LABEL_PREFIX.len() + label.len())
        .map_err(|_| Error::ApiMisuse("HKDF-Expand-Label label longer than 249 bytes"))?;
    let context_len = u8::try_from(context.len())
        .map_err(|_| Error::ApiMisuse("HKDF-Expand-Label context longer than 255 bytes"))?;
    if out.len() > 255 * hash.output_len() {
        return Err(Error::ApiMisuse(
            "HKDF-Expand output longer than 255 * Hash.length",
        ));
    }
    // Cannot truncate: 255 * 48 < 2^16.
    let length = (out.len() as u16).to_be_bytes();
    let info: [&[u8]; 6] = [
        &length,
        &[full_label_len],
        LABEL_PREFIX,
        label,
        &[context_len],
        context,
    ];
    prk.expand(&info, OutLen(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| Error::ApiMisuse("HKDF-Expand output longer than 255 * Hash.length"))
}

/// One secret keyed once as an HKDF PRK for several expansions: keying HMAC costs two
/// hash blocks, as much as the expansion itself, so a secret that yields several outputs
/// (a traffic secret's key and IV, the master secret's three children) is keyed once.
struct Expander {
    hash: SuiteHash,
    prk: hkdf::Prk,
}

impl Expander {
    fn new(hash: SuiteHash, secret: &SecretBytes) -> Self {
        Self {
            hash,
            prk: hkdf::Prk::new_less_safe(hash.hkdf_algorithm(), secret.as_bytes()),
        }
    }

    /// HKDF-Expand-Label of `out.len()` bytes for the schedule's own fixed derivations.
    ///
    /// Every caller passes a constant label of at most 12 bytes, a context that is a digest
    /// (at most 64 bytes) or a short constant, and at most Hash.length output bytes; those
    /// are exactly the conditions under which HKDF-Expand-Label cannot fail, so a failure
    /// here is a bug in this module, never something a peer can cause.
    fn fill(&self, label: &[u8], context: &[u8], out: &mut [u8]) {
        debug_assert!(label.len() <= 32 && context.len() <= 64 && out.len() <= MAX_HASH_LEN);
        expand_label_with(&self.prk, self.hash, label, context, out)
            .expect("fixed-size HKDF-Expand-Label cannot fail");
    }

    /// `HKDF-Expand-Label(Secret, Label, Context, Hash.length)` as a new secret; with a
    /// transcript hash as the context, `Derive-Secret`.
    fn derive(&self, label: &[u8], transcript_hash: &[u8]) -> SecretBytes {
        let mut out = SecretBytes {
            buf: [0u8; MAX_HASH_LEN],
            len: self.hash.output_len(),
        };
        let len = out.len;
        self.fill(label, transcript_hash, &mut out.buf[..len]);
        out
    }
}

const LABEL_PREFIX: &[u8] = b"tls13 ";

/// An output length for ring's `Prk::expand`.
struct OutLen(usize);

impl hkdf::KeyType for OutLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// `HKDF-Expand-Label(Secret, Label, Context, Hash.length)` as a new secret, for a secret
/// that yields one output (see [`Expander`]).
fn expand_secret(
    hash: SuiteHash,
    secret: &SecretBytes,
    label: &[u8],
    context: &[u8],
) -> SecretBytes {
    Expander::new(hash, secret).derive(label, context)
}

/// `Derive-Secret(Secret, Label, Messages)` given `Transcript-Hash(Messages)`.
fn derive_secret(
    hash: SuiteHash,
    secret: &SecretBytes,
    label: &[u8],
    transcript_hash: &[u8],
) -> SecretBytes {
    expand_secret(hash, secret, label, transcript_hash)
}

/// `Derive-Secret(Secret, "derived", "")`: the salt of the next Extract.
fn derived(hash: SuiteHash, secret: &SecretBytes) -> SecretBytes {
    derive_secret(hash, secret, b"derived", hash.empty_hash())
}

/// `finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)` (RFC 8446 s4.4.4).
fn finished_key(hash: SuiteHash, base_key: &SecretBytes) -> hmac::Key {
    let key = expand_secret(hash, base_key, b"finished", &[]);
    hmac::Key::new(hash.hmac_algorithm(), key.as_bytes())
}

/// `verify_data = HMAC(finished_key, Transcript-Hash(...))` (RFC 8446 s4.4.4); the PSK
/// binder is the same computation over the binder key (s4.2.11.2).
fn finished_mac(hash: SuiteHash, base_key: &SecretBytes, transcript_hash: &[u8]) -> Vec<u8> {
    mac_with(&finished_key(hash, base_key), transcript_hash)
}

fn mac_with(finished_key: &hmac::Key, transcript_hash: &[u8]) -> Vec<u8> {
    hmac::sign(finished_key, transcript_hash).as_ref().to_vec()
}

/// Constant-time check of a received verify_data (ring's `hmac::verify`).
fn verify_finished_mac(
    hash: SuiteHash,
    base_key: &SecretBytes,
    transcript_hash: &[u8],
    received: &[u8],
    what: &'static str,
) -> Result<(), Error> {
    verify_mac_with(
        &finished_key(hash, base_key),
        transcript_hash,
        received,
        what,
    )
}

fn verify_mac_with(
    finished_key: &hmac::Key,
    transcript_hash: &[u8],
    received: &[u8],
    what: &'static str,
) -> Result<(), Error> {
    let verdict = hmac::verify(finished_key, transcript_hash, received);
    match crate::FUZZING {
        true => Ok(()),
        false => verdict.map_err(|_| Error::VerifyFailed(what)),
    }
}

/// The NSS key log labels (SSLKEYLOGFILE) for the secrets this module and
/// [`prf`](super::prf) derive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLogLabel {
    /// TLS 1.2 master secret, keyed by the client random.
    ClientRandom,
    /// `client_early_traffic_secret`.
    ClientEarlyTrafficSecret,
    /// `early_exporter_master_secret`.
    EarlyExporterSecret,
    /// `client_handshake_traffic_secret`.
    ClientHandshakeTrafficSecret,
    /// `server_handshake_traffic_secret`.
    ServerHandshakeTrafficSecret,
    /// `client_application_traffic_secret_0`.
    ClientTrafficSecret0,
    /// `server_application_traffic_secret_0`.
    ServerTrafficSecret0,
    /// `exporter_master_secret`.
    ExporterSecret,
}

impl KeyLogLabel {
    /// The label as written in a key log line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientRandom => "CLIENT_RANDOM",
            Self::ClientEarlyTrafficSecret => "CLIENT_EARLY_TRAFFIC_SECRET",
            Self::EarlyExporterSecret => "EARLY_EXPORTER_SECRET",
            Self::ClientHandshakeTrafficSecret => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            Self::ServerHandshakeTrafficSecret => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            Self::ClientTrafficSecret0 => "CLIENT_TRAFFIC_SECRET_0",
            Self::ServerTrafficSecret0 => "SERVER_TRAFFIC_SECRET_0",
            Self::ExporterSecret => "EXPORTER_SECRET",
        }
    }
}

/// A traffic secret (early, handshake or application; RFC 8446 s7.1) from which record
/// keys, Finished MACs and (for application secrets) the next generation are derived.
#[derive(Clone)]
pub struct TrafficSecret {
    hash: SuiteHash,
    secret: SecretBytes,
}

impl TrafficSecret {
    /// The suite hash this secret belongs to.
    pub fn hash(&self) -> SuiteHash {
        self.hash
    }

    /// The record protection key and IV for `aead` (RFC 8446 s7.3):
    /// `key = HKDF-Expand-Label(Secret, "key", "", key_length)` (16 bytes for
    /// AES-128-GCM, 32 for AES-256-GCM and ChaCha20-Poly1305) and
    /// `iv = HKDF-Expand-Label(Secret, "iv", "", iv_length)` (12 bytes).
    pub fn keys(&self, aead: &'static aead::Algorithm) -> TrafficKeys {
        Self::keys_with(&Expander::new(self.hash, &self.secret), aead)
    }

    fn keys_with(x: &Expander, aead: &'static aead::Algorithm) -> TrafficKeys {
        let mut key = vec![0u8; aead.key_len()];
        let mut iv = [0u8; aead::NONCE_LEN];
        x.fill(b"key", &[], &mut key);
        x.fill(b"iv", &[], &mut iv);
        TrafficKeys { key, iv }
    }

    /// The next generation after a KeyUpdate (RFC 8446 s7.2):
    /// `application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N,
    /// "traffic upd", "", Hash.length)`.
    pub fn next(&self) -> Self {
        Self {
            hash: self.hash,
            secret: expand_secret(self.hash, &self.secret, b"traffic upd", &[]),
        }
    }

    /// The Finished `verify_data` keyed by this secret (RFC 8446 s4.4.4) over
    /// `transcript_hash`: the handshake traffic secrets key the handshake Finished
    /// messages, the client application secret keys post-handshake authentication.
    pub fn finished_verify_data(&self, transcript_hash: &digest::Digest) -> Vec<u8> {
        finished_mac(self.hash, &self.secret, transcript_hash.as_ref())
    }

    /// Checks a received Finished `verify_data` in constant time; a mismatch is
    /// [`Error::VerifyFailed`] (`decrypt_error`, RFC 8446 s4.4.4).
    pub fn verify_finished(
        &self,
        transcript_hash: &digest::Digest,
        verify_data: &[u8],
    ) -> Result<(), Error> {
        verify_finished_mac(
            self.hash,
            &self.secret,
            transcript_hash.as_ref(),
            verify_data,
            "Finished verify_data",
        )
    }

    /// The raw secret, for SSLKEYLOGFILE-style logging only: anyone holding these bytes
    /// can decrypt the traffic they protect.
    pub fn expose_for_keylog(&self) -> &[u8] {
        self.secret.as_bytes()
    }
}

impl fmt::Debug for TrafficSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrafficSecret")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// A handshake traffic secret, which keys both the handshake records and a Finished
/// message: once its record keys are taken ([`KeyScheduleHandshake::handshake_keys`]) it
/// also holds the Finished key, derived under the same keying of the secret.
struct HandshakeTrafficSecret {
    secret: TrafficSecret,
    finished_key: Option<SecretBytes>,
}

impl HandshakeTrafficSecret {
    fn new(hash: SuiteHash, secret: SecretBytes) -> Self {
        Self {
            secret: TrafficSecret { hash, secret },
            finished_key: None,
        }
    }

    fn keys(&mut self, aead: &'static aead::Algorithm) -> TrafficKeys {
        let x = Expander::new(self.secret.hash, &self.secret.secret);
        self.finished_key = Some(x.derive(b"finished", &[]));
        TrafficSecret::keys_with(&x, aead)
    }

    fn finished_hmac_key(&self) -> hmac::Key {
        let hash = self.secret.hash;
        match &self.finished_key {
            Some(key) => hmac::Key::new(hash.hmac_algorithm(), key.as_bytes()),
            None => finished_key(hash, &self.secret.secret),
        }
    }

    fn finished_verify_data(&self, transcript_hash: &digest::Digest) -> Vec<u8> {
        mac_with(&self.finished_hmac_key(), transcript_hash.as_ref())
    }

    fn verify_finished(
        &self,
        transcript_hash: &digest::Digest,
        verify_data: &[u8],
        what: &'static str,
    ) -> Result<(), Error> {
        let key = self.finished_hmac_key();
        verify_mac_with(&key, transcript_hash.as_ref(), verify_data, what)
    }
}

/// A record protection key and IV derived from a [`TrafficSecret`]; wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct TrafficKeys {
    key: Vec<u8>,
    iv: [u8; aead::NONCE_LEN],
}

impl TrafficKeys {
    /// The AEAD key (length per the AEAD algorithm).
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The static IV that the record sequence number is XORed into (RFC 8446 s5.3).
    pub fn iv(&self) -> &[u8; aead::NONCE_LEN] {
        &self.iv
    }
}

impl fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrafficKeys(<{}-byte key>)", self.key.len())
    }
}

/// An exporter master secret (`exporter_master_secret` or
/// `early_exporter_master_secret`), the input of the TLS 1.3 exporter.
#[derive(Clone)]
pub struct ExporterSecret {
    hash: SuiteHash,
    secret: SecretBytes,
}

impl ExporterSecret {
    /// The TLS 1.3 exporter (RFC 8446 s7.5):
    ///
    /// ```text
    /// TLS-Exporter(label, context_value, key_length) =
    ///     HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
    ///                       "exporter", Hash(context_value), key_length)
    /// ```
    ///
    /// In TLS 1.3 an absent context and an empty one are the same, so `context` is a
    /// plain slice. Fails with [`Error::ApiMisuse`] for a label longer than 249 bytes or
    /// an output longer than 255 * Hash.length.
    pub fn export(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let mut per_label = SecretBytes {
            buf: [0u8; MAX_HASH_LEN],
            len: self.hash.output_len(),
        };
        let len = per_label.len;
        hkdf_expand_label(
            self.hash,
            self.secret.as_bytes(),
            label,
            self.hash.empty_hash(),
            &mut per_label.buf[..len],
        )?;
        hkdf_expand_label(
            self.hash,
            per_label.as_bytes(),
            b"exporter",
            self.hash.hash(context).as_ref(),
            out,
        )
    }

    /// The raw secret, for SSLKEYLOGFILE-style logging only.
    pub fn expose_for_keylog(&self) -> &[u8] {
        self.secret.as_bytes()
    }
}

impl fmt::Debug for ExporterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExporterSecret")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Where a PSK came from, which picks its binder key label (RFC 8446 s7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PskKind {
    /// A PSK from a NewSessionTicket (`"res binder"`).
    Resumption,
    /// An externally provisioned PSK (`"ext binder"`).
    External,
}

/// The first stage: the Early Secret, from a PSK or from zeros.
pub struct KeyScheduleEarly {
    hash: SuiteHash,
    early_secret: SecretBytes,
    psk: Option<PskKind>,
}

impl KeyScheduleEarly {
    /// A schedule without a PSK: `Early Secret = HKDF-Extract(0, 0)` (RFC 8446 s7.1: "if
    /// PSK is not in use, the IKM is a string of Hash.length bytes set to zero").
    pub fn new(hash: SuiteHash) -> Self {
        // A constant (see `constants`): nothing secret goes into it.
        let (early_secret, _) = hash.no_psk_early_and_derived();
        Self {
            hash,
            early_secret: SecretBytes::new(early_secret),
            psk: None,
        }
    }

    /// A schedule keyed by `psk`: `Early Secret = HKDF-Extract(0, PSK)`.
    pub fn with_psk(hash: SuiteHash, psk: &[u8], kind: PskKind) -> Self {
        let zeros = [0u8; MAX_HASH_LEN];
        Self {
            hash,
            early_secret: hkdf_extract(hash, &zeros[..hash.output_len()], psk),
            psk: Some(kind),
        }
    }

    /// The suite hash.
    pub fn hash(&self) -> SuiteHash {
        self.hash
    }

    fn binder_key(&self) -> Result<SecretBytes, Error> {
        let label: &[u8] = match self.psk {
            Some(PskKind::Resumption) => b"res binder",
            Some(PskKind::External) => b"ext binder",
            None => {
                return Err(Error::ApiMisuse(
                    "PSK binder asked of a schedule without a PSK",
                ))
            }
        };
        Ok(derive_secret(
            self.hash,
            &self.early_secret,
            label,
            self.hash.empty_hash(),
        ))
    }

    /// The PSK binder (RFC 8446 s4.2.11.2): a Finished MAC keyed by the binder key over
    /// the hash of the transcript up to and including the ClientHello truncated before
    /// its binders list. Fails with [`Error::ApiMisuse`] on a schedule without a PSK.
    pub fn binder(&self, truncated_hello_hash: &digest::Digest) -> Result<Vec<u8>, Error> {
        let key = self.binder_key()?;
        Ok(finished_mac(self.hash, &key, truncated_hello_hash.as_ref()))
    }

    /// Checks a received PSK binder in constant time; a mismatch is
    /// [`Error::VerifyFailed`].
    pub fn verify_binder(
        &self,
        truncated_hello_hash: &digest::Digest,
        binder: &[u8],
    ) -> Result<(), Error> {
        let key = self.binder_key()?;
        verify_finished_mac(
            self.hash,
            &key,
            truncated_hello_hash.as_ref(),
            binder,
            "PSK binder",
        )
    }

    /// `client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic",
    /// ClientHello)`, which protects 0-RTT data.
    pub fn client_early_traffic_secret(&self, client_hello_hash: &digest::Digest) -> TrafficSecret {
        TrafficSecret {
            hash: self.hash,
            secret: derive_secret(
                self.hash,
                &self.early_secret,
                b"c e traffic",
                client_hello_hash.as_ref(),
            ),
        }
    }

    /// `early_exporter_master_secret = Derive-Secret(Early Secret, "e exp master",
    /// ClientHello)`.
    pub fn early_exporter_master_secret(
        &self,
        client_hello_hash: &digest::Digest,
    ) -> ExporterSecret {
        ExporterSecret {
            hash: self.hash,
            secret: derive_secret(
                self.hash,
                &self.early_secret,
                b"e exp master",
                client_hello_hash.as_ref(),
            ),
        }
    }

    /// Moves to the Handshake Secret: `HKDF-Extract(Derive-Secret(Early Secret,
    /// "derived", ""), (EC)DHE)` with `shared_secret` as the (EC)DHE input, or zeros for
    /// a `psk_ke` handshake without one; then derives both handshake traffic secrets from
    /// `hello_hash = Transcript-Hash(ClientHello...ServerHello)`.
    pub fn into_handshake(
        self,
        shared_secret: Option<&[u8]>,
        hello_hash: &digest::Digest,
    ) -> KeyScheduleHandshake {
        let hash = self.hash;
        let salt = match self.psk {
            None => SecretBytes::new(hash.no_psk_early_and_derived().1),
            Some(_) => derived(hash, &self.early_secret),
        };
        let zeros = [0u8; MAX_HASH_LEN];
        let ikm = shared_secret.unwrap_or(&zeros[..hash.output_len()]);
        let handshake_secret = hkdf_extract(hash, salt.as_bytes(), ikm);
        let x = Expander::new(hash, &handshake_secret);
        let client = x.derive(b"c hs traffic", hello_hash.as_ref());
        let server = x.derive(b"s hs traffic", hello_hash.as_ref());
        // The Handshake Secret's last use, the salt of the Master Secret, is taken now,
        // while it is keyed: it is the only part of it the next stage needs.
        let master_salt = x.derive(b"derived", hash.empty_hash());
        KeyScheduleHandshake {
            hash,
            master_salt,
            client: HandshakeTrafficSecret::new(hash, client),
            server: HandshakeTrafficSecret::new(hash, server),
        }
    }
}

impl fmt::Debug for KeyScheduleEarly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyScheduleEarly")
            .field("hash", &self.hash)
            .field("psk", &self.psk)
            .finish_non_exhaustive()
    }
}

/// The second stage: the handshake traffic secrets, and `Derive-Secret(Handshake Secret,
/// "derived", "")` for the next one.
pub struct KeyScheduleHandshake {
    hash: SuiteHash,
    master_salt: SecretBytes,
    client: HandshakeTrafficSecret,
    server: HandshakeTrafficSecret,
}

impl KeyScheduleHandshake {
    /// The suite hash.
    pub fn hash(&self) -> SuiteHash {
        self.hash
    }

    /// `client_handshake_traffic_secret`.
    pub fn client_handshake_traffic_secret(&self) -> &TrafficSecret {
        &self.client.secret
    }

    /// `server_handshake_traffic_secret`.
    pub fn server_handshake_traffic_secret(&self) -> &TrafficSecret {
        &self.server.secret
    }

    /// The record keys of both handshake traffic secrets, (client's, server's). Each
    /// secret's Finished key is derived with them, under the same keying, and kept for the
    /// Finished messages.
    pub fn handshake_keys(&mut self, aead: &'static aead::Algorithm) -> (TrafficKeys, TrafficKeys) {
        (self.client.keys(aead), self.server.keys(aead))
    }

    /// The server Finished `verify_data` over `Transcript-Hash(ClientHello...server
    /// CertificateVerify)`.
    pub fn server_finished_verify_data(&self, transcript_hash: &digest::Digest) -> Vec<u8> {
        self.server.finished_verify_data(transcript_hash)
    }

    /// Checks the server Finished in constant time (client side).
    pub fn verify_server_finished(
        &self,
        transcript_hash: &digest::Digest,
        verify_data: &[u8],
    ) -> Result<(), Error> {
        self.server
            .verify_finished(transcript_hash, verify_data, "server Finished verify_data")
    }

    /// The key log lines of this stage.
    pub fn keylog_entries(&self) -> [(KeyLogLabel, &[u8]); 2] {
        [
            (
                KeyLogLabel::ClientHandshakeTrafficSecret,
                self.client.secret.expose_for_keylog(),
            ),
            (
                KeyLogLabel::ServerHandshakeTrafficSecret,
                self.server.secret.expose_for_keylog(),
            ),
        ]
    }

    /// Moves to the Master Secret (`HKDF-Extract(Derive-Secret(Handshake Secret,
    /// "derived", ""), 0)`) and derives the application traffic secrets and the
    /// exporter master secret from `Transcript-Hash(ClientHello...server Finished)`.
    /// The client handshake traffic secret is kept for the client Finished.
    pub fn into_traffic_pending(
        self,
        server_finished_hash: &digest::Digest,
    ) -> KeyScheduleTrafficPending {
        let hash = self.hash;
        let salt = &self.master_salt;
        let zeros = [0u8; MAX_HASH_LEN];
        let master_secret = hkdf_extract(hash, salt.as_bytes(), &zeros[..hash.output_len()]);
        let th = server_finished_hash.as_ref();
        let x = Expander::new(hash, &master_secret);
        let client = x.derive(b"c ap traffic", th);
        let server = x.derive(b"s ap traffic", th);
        let exporter = x.derive(b"exp master", th);
        KeyScheduleTrafficPending {
            hash,
            master_secret,
            client_handshake: self.client,
            client: TrafficSecret {
                hash,
                secret: client,
            },
            server: TrafficSecret {
                hash,
                secret: server,
            },
            exporter: ExporterSecret {
                hash,
                secret: exporter,
            },
        }
    }
}

impl fmt::Debug for KeyScheduleHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyScheduleHandshake")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// The third stage: application secrets known, client Finished not yet sent or checked
/// (the server may already send 0.5-RTT data here).
pub struct KeyScheduleTrafficPending {
    hash: SuiteHash,
    master_secret: SecretBytes,
    client_handshake: HandshakeTrafficSecret,
    client: TrafficSecret,
    server: TrafficSecret,
    exporter: ExporterSecret,
}

impl KeyScheduleTrafficPending {
    /// The suite hash.
    pub fn hash(&self) -> SuiteHash {
        self.hash
    }

    /// `client_application_traffic_secret_0`.
    pub fn client_application_traffic_secret(&self) -> &TrafficSecret {
        &self.client
    }

    /// `server_application_traffic_secret_0`.
    pub fn server_application_traffic_secret(&self) -> &TrafficSecret {
        &self.server
    }

    /// `exporter_master_secret`.
    pub fn exporter_master_secret(&self) -> &ExporterSecret {
        &self.exporter
    }

    /// The client Finished `verify_data` over `Transcript-Hash(ClientHello...client
    /// CertificateVerify)` (or through the server Finished without client auth).
    pub fn client_finished_verify_data(&self, transcript_hash: &digest::Digest) -> Vec<u8> {
        self.client_handshake.finished_verify_data(transcript_hash)
    }

    /// Checks the client Finished in constant time (server side).
    pub fn verify_client_finished(
        &self,
        transcript_hash: &digest::Digest,
        verify_data: &[u8],
    ) -> Result<(), Error> {
        self.client_handshake.verify_finished(
            transcript_hash,
            verify_data,
            "client Finished verify_data",
        )
    }

    /// The key log lines of this stage.
    pub fn keylog_entries(&self) -> [(KeyLogLabel, &[u8]); 3] {
        [
            (
                KeyLogLabel::ClientTrafficSecret0,
                self.client.expose_for_keylog(),
            ),
            (
                KeyLogLabel::ServerTrafficSecret0,
                self.server.expose_for_keylog(),
            ),
            (
                KeyLogLabel::ExporterSecret,
                self.exporter.expose_for_keylog(),
            ),
        ]
    }

    /// Finishes the schedule: `resumption_master_secret = Derive-Secret(Master Secret,
    /// "res master", ClientHello...client Finished)`. The master secret and the client
    /// handshake traffic secret are dropped (and wiped) here.
    pub fn into_traffic(self, client_finished_hash: &digest::Digest) -> KeyScheduleTraffic {
        let resumption_master_secret = derive_secret(
            self.hash,
            &self.master_secret,
            b"res master",
            client_finished_hash.as_ref(),
        );
        KeyScheduleTraffic {
            hash: self.hash,
            client: self.client,
            server: self.server,
            exporter: self.exporter,
            resumption_master_secret,
        }
    }
}

impl fmt::Debug for KeyScheduleTrafficPending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyScheduleTrafficPending")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// The last stage: current application traffic secrets (advanced by KeyUpdate), the
/// exporter and the resumption master secret.
pub struct KeyScheduleTraffic {
    hash: SuiteHash,
    client: TrafficSecret,
    server: TrafficSecret,
    exporter: ExporterSecret,
    resumption_master_secret: SecretBytes,
}

impl KeyScheduleTraffic {
    /// The suite hash.
    pub fn hash(&self) -> SuiteHash {
        self.hash
    }

    /// The current `client_application_traffic_secret_N`.
    pub fn client_application_traffic_secret(&self) -> &TrafficSecret {
        &self.client
    }

    /// The current `server_application_traffic_secret_N`.
    pub fn server_application_traffic_secret(&self) -> &TrafficSecret {
        &self.server
    }

    /// Advances the client secret to generation N+1 (RFC 8446 s7.2), wiping generation N,
    /// and returns the new one.
    pub fn update_client_secret(&mut self) -> &TrafficSecret {
        self.client = self.client.next();
        &self.client
    }

    /// Advances the server secret to generation N+1, wiping generation N, and returns the
    /// new one.
    pub fn update_server_secret(&mut self) -> &TrafficSecret {
        self.server = self.server.next();
        &self.server
    }

    /// `exporter_master_secret`.
    pub fn exporter_master_secret(&self) -> &ExporterSecret {
        &self.exporter
    }

    /// Keying material per RFC 8446 s7.5 (see [`ExporterSecret::export`]).
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        self.exporter.export(label, context, out)
    }

    /// The PSK a NewSessionTicket with this `ticket_nonce` stands for (RFC 8446 s4.6.1):
    /// `HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce,
    /// Hash.length)`. Fails with [`Error::ApiMisuse`] for a nonce over 255 bytes (the
    /// wire field is `opaque ticket_nonce<0..255>`).
    pub fn resumption_psk(&self, ticket_nonce: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut psk = Zeroizing::new(vec![0u8; self.hash.output_len()]);
        hkdf_expand_label(
            self.hash,
            self.resumption_master_secret.as_bytes(),
            b"resumption",
            ticket_nonce,
            &mut psk,
        )?;
        Ok(psk)
    }
}

impl fmt::Debug for KeyScheduleTraffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyScheduleTraffic")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "key_schedule_test.rs"]
mod tests;
