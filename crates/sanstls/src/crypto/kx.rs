//! Ephemeral (EC)DHE key exchange from injected randomness (RFC 8446 s4.2.8, s7.4.2).
//!
//! The private scalar comes from the configuration's `RandomSource`, so a handshake replays
//! byte for byte from a recorded pool. ring cannot take a caller's scalar, so then X25519
//! uses `x25519-dalek` and the NIST curves RustCrypto's `p256`/`p384` (docs/dependencies.md).
//! ring has no P-521: secp521r1 always uses RustCrypto's `p521`.
//!
//! The RFC 7919 groups (ffdhe2048..ffdhe8192) are TLS 1.3 key shares here (RFC 8446
//! s4.2.8.1), on [`crate::crypto::ffdhe`]: supported when configured, never by default.
//!
//! The hybrid groups of draft-ietf-tls-ecdhe-mlkem (TLS 1.3 only) pair FIPS 203 ML-KEM
//! (Cryspen's formally verified `libcrux-ml-kem`) with an ECDH group: X25519MLKEM768,
//! SecP256r1MLKEM768 and SecP384r1MLKEM1024, each one row of a table (`HYBRIDS`) rather
//! than code of its own. A hybrid is a KEM, not a Diffie-Hellman: the client's share is an
//! encapsulation key and an ECDH value, and the server answers with a ciphertext and its own
//! ECDH value ([`KeyExchange::accept`]). The ML-KEM key and the encapsulation randomness are
//! always drawn from the configured source (the seed d||z and the message m of FIPS 203's
//! deterministic algorithms), and the ECDH half is made as a classical key is (below), so
//! hybrid handshakes replay byte for byte too. With a replayable source the draw order is
//! the same for every hybrid, whatever the order of the parts on the wire: the client draws
//! d||z (64 bytes) then its ECDH scalar; the server draws m (32 bytes) then its ECDH scalar
//! (32 bytes for X25519 and P-256, 48 for P-384, a NIST scalar redrawn while invalid).
//!
//! When the source is the operating system's ([`RandomSource::as_ring`]), nothing is to be
//! replayed, and an X25519, P-256 or P-384 key (alone or as a hybrid's ECDH half) is
//! generated and used inside ring instead: ring's X25519 and P-256 are the faster
//! implementations (docs/performance.md), and this is what rustls does. ring makes no
//! promise to wipe the ephemeral scalar; it is single-use and consumed by the agreement. A
//! caller who wants every scalar in zeroizing memory wraps the OS generator in a
//! `RandomSource` of its own, which takes the first path.

use crate::prelude::*;
use libcrux_ml_kem::{mlkem1024, mlkem768};
use p256::elliptic_curve::sec1::ToSec1Point;
use zeroize::{Zeroize, Zeroizing};

use crate::enums::NamedGroup;
use crate::error::{Error, PeerMisbehaved};
use crate::rand::RandomSource;

/// The classical groups we implement, in preference order.
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
    NamedGroup::secp521r1,
];

/// The post-quantum hybrid groups we implement (TLS 1.3 only). Only X25519MLKEM768 is in
/// [`DEFAULT_GROUPS`]; the NIST-curve hybrids are used when configured, as in OpenSSL 3.5
/// and rustls, whose defaults also offer only the X25519 one.
pub const HYBRID_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519MLKEM768,
    NamedGroup::SecP256r1MLKEM768,
    NamedGroup::SecP384r1MLKEM1024,
];

/// The engine's default groups, in preference order: the post-quantum hybrid first (a
/// client then sends two key shares, X25519MLKEM768 and X25519, from one X25519 key, so a
/// classical server needs no HelloRetryRequest), then the classical ones.
pub const DEFAULT_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519MLKEM768,
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
    NamedGroup::secp521r1,
];

/// Whether this build of the engine can exchange keys with `group` (a configuration may
/// list only these).
pub fn implemented(group: NamedGroup) -> bool {
    SUPPORTED_GROUPS.contains(&group) || HYBRID_GROUPS.contains(&group) || is_ffdhe(group)
}

/// Whether `group` is an RFC 7919 finite-field group. In TLS 1.2 those name DHE
/// parameters (ServerKeyExchange carries p and g), never an ECDHE curve; in TLS 1.3 they
/// are key shares like the others.
pub fn is_ffdhe(group: NamedGroup) -> bool {
    crate::crypto::ffdhe::DhGroup::from_named(group).is_some()
}

/// The length of an uncompressed secp521r1 point: 0x04 || X (66) || Y (66).
const P521_POINT_LEN: usize = 133;

/// Whether `group` exists only in TLS 1.3 (a hybrid KEM has no TLS 1.2 ECDHE form): a
/// TLS 1.2 server never chooses it, and a TLS 1.2 client refuses it.
pub fn tls13_only(group: NamedGroup) -> bool {
    hybrid(group).is_some()
}

/// The ECDH group inside the hybrid `group` (X25519 for X25519MLKEM768, and so on), whose
/// key a client may also offer alone ([`KeyExchange::with_ecdh_share`]); `None` for a
/// group that is not a hybrid.
pub fn hybrid_ecdh_group(group: NamedGroup) -> Option<NamedGroup> {
    hybrid(group).map(|h| h.ecdh)
}

/// The ML-KEM parameter set of a hybrid group (FIPS 203 s8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MlKem {
    Kem768,
    Kem1024,
}

impl MlKem {
    /// The encapsulation key's length: 384k + 32.
    const fn ek_len(self) -> usize {
        match self {
            Self::Kem768 => 1184,
            Self::Kem1024 => 1568,
        }
    }

    /// The ciphertext's length: 32(du k + dv).
    const fn ct_len(self) -> usize {
        match self {
            Self::Kem768 => 1088,
            Self::Kem1024 => 1568,
        }
    }

    /// FIPS 203 ML-KEM.KeyGen_internal from 64 drawn bytes d||z: the decapsulation key and
    /// the encoded encapsulation key.
    fn generate(self, rng: &dyn RandomSource) -> Result<(DecapsulationKey, Vec<u8>), Error> {
        let mut seed = Zeroizing::new([0u8; 64]);
        rng.fill(&mut seed[..])?;
        Ok(match self {
            Self::Kem768 => {
                let (dk, ek) = mlkem768::generate_key_pair(*seed).into_parts();
                (
                    DecapsulationKey::Kem768(Box::new(Wiped(dk))),
                    ek.as_slice().to_vec(),
                )
            }
            Self::Kem1024 => {
                let (dk, ek) = mlkem1024::generate_key_pair(*seed).into_parts();
                (
                    DecapsulationKey::Kem1024(Box::new(Wiped(dk))),
                    ek.as_slice().to_vec(),
                )
            }
        })
    }

    /// FIPS 203 ML-KEM.Encaps_internal to the peer's `ek` with 32 drawn bytes m: the
    /// ciphertext and the shared secret. s7.2's input checks come first, before anything is
    /// drawn: a key of the wrong length is `InvalidKeyShare`; one that fails the modulus
    /// check (decoding then re-encoding does not give the same bytes: a coefficient not
    /// below q) is `MlKemEncapsulationKeyCheck`. Both end in illegal_parameter.
    fn encapsulate(
        self,
        ek: &[u8],
        rng: &dyn RandomSource,
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        let length = || Error::from(PeerMisbehaved::InvalidKeyShare);
        let modulus = || Error::from(PeerMisbehaved::MlKemEncapsulationKeyCheck);
        let mut m = Zeroizing::new([0u8; 32]);
        let (ct, mut k) = match self {
            Self::Kem768 => {
                let ek = mlkem768::MlKem768PublicKey::try_from(ek).map_err(|_| length())?;
                if !mlkem768::validate_public_key(&ek) {
                    return Err(modulus());
                }
                rng.fill(&mut m[..])?;
                let (ct, k) = mlkem768::encapsulate(&ek, *m);
                (ct.as_slice().to_vec(), k)
            }
            Self::Kem1024 => {
                let ek = mlkem1024::MlKem1024PublicKey::try_from(ek).map_err(|_| length())?;
                if !mlkem1024::validate_public_key(&ek) {
                    return Err(modulus());
                }
                rng.fill(&mut m[..])?;
                let (ct, k) = mlkem1024::encapsulate(&ek, *m);
                (ct.as_slice().to_vec(), k)
            }
        };
        let shared = Zeroizing::new(k.to_vec());
        k.zeroize();
        Ok((ct, shared))
    }
}

/// A libcrux ML-KEM private key, wiped on drop: libcrux's key types do not zeroize
/// themselves (docs/dependencies.md), so the bytes are cleared here, through the indexing
/// the type offers.
struct Wiped<const N: usize>(libcrux_ml_kem::MlKemPrivateKey<N>);

impl<const N: usize> Drop for Wiped<N> {
    fn drop(&mut self) {
        self.0[..N].zeroize();
    }
}

/// An ML-KEM decapsulation key (FIPS 203's dk: 2400 bytes for ML-KEM-768, 3168 for -1024).
enum DecapsulationKey {
    Kem768(Box<Wiped<2400>>),
    Kem1024(Box<Wiped<3168>>),
}

impl DecapsulationKey {
    /// FIPS 203 ML-KEM.Decaps. A ciphertext of the wrong length is `InvalidKeyShare`; any
    /// other never fails (implicit rejection): a forged one gives a different secret, and
    /// the handshake fails at Finished.
    fn decapsulate(&self, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let bad = || Error::from(PeerMisbehaved::InvalidKeyShare);
        let mut k = match self {
            Self::Kem768(dk) => {
                let ct = mlkem768::MlKem768Ciphertext::try_from(ct).map_err(|_| bad())?;
                mlkem768::decapsulate(&dk.0, &ct)
            }
            Self::Kem1024(dk) => {
                let ct = mlkem1024::MlKem1024Ciphertext::try_from(ct).map_err(|_| bad())?;
                mlkem1024::decapsulate(&dk.0, &ct)
            }
        };
        let shared = Zeroizing::new(k.to_vec());
        k.zeroize();
        Ok(shared)
    }
}

/// One hybrid group: its ML-KEM parameter set, its ECDH group, and the order of the two
/// parts in the shares and in the shared secret (draft-ietf-tls-ecdhe-mlkem s4.1-4.3).
#[derive(Debug)]
struct Hybrid {
    group: NamedGroup,
    kem: MlKem,
    ecdh: NamedGroup,
    /// X25519MLKEM768 puts ML-KEM's part first, the NIST-curve hybrids the ECDH part: the
    /// draft fixes the order per group, in both shares and in the secret, so it is a
    /// column of the table rather than a rule (an implementation that got it wrong would
    /// still agree with itself, and only interop or a trace would show it).
    kem_first: bool,
}

/// The hybrid groups, one row each.
const HYBRIDS: [Hybrid; 3] = [
    Hybrid {
        group: NamedGroup::X25519MLKEM768,
        kem: MlKem::Kem768,
        ecdh: NamedGroup::X25519,
        kem_first: true,
    },
    Hybrid {
        group: NamedGroup::SecP256r1MLKEM768,
        kem: MlKem::Kem768,
        ecdh: NamedGroup::secp256r1,
        kem_first: false,
    },
    Hybrid {
        group: NamedGroup::SecP384r1MLKEM1024,
        kem: MlKem::Kem1024,
        ecdh: NamedGroup::secp384r1,
        kem_first: false,
    },
];

fn hybrid(group: NamedGroup) -> Option<&'static Hybrid> {
    HYBRIDS.iter().find(|h| h.group == group)
}

impl Hybrid {
    /// The length of the ECDH part: an X25519 value (32 bytes), an uncompressed P-256
    /// (65) or P-384 (97) point.
    fn ecdh_len(&self) -> usize {
        match self.ecdh {
            NamedGroup::X25519 => 32,
            NamedGroup::secp256r1 => 65,
            _ => 97,
        }
    }

    /// Splits a share into its (ML-KEM, ECDH) parts, the ML-KEM part being `kem_len` bytes
    /// (an encapsulation key in the client's share, a ciphertext in the server's). Any
    /// length other than `kem_len` + the ECDH length is `InvalidKeyShare` (FIPS 203 s7.2's
    /// type check, and the draft's fixed sizes).
    fn split<'a>(&self, share: &'a [u8], kem_len: usize) -> Result<(&'a [u8], &'a [u8]), Error> {
        if share.len() != kem_len + self.ecdh_len() {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        Ok(match self.kem_first {
            true => share.split_at(kem_len),
            false => {
                let (ecdh, kem) = share.split_at(self.ecdh_len());
                (kem, ecdh)
            }
        })
    }

    /// The ML-KEM and ECDH parts in this group's order: a share, or the shared secret.
    fn join(&self, kem: &[u8], ecdh: &[u8]) -> Zeroizing<Vec<u8>> {
        let (first, second) = match self.kem_first {
            true => (kem, ecdh),
            false => (ecdh, kem),
        };
        let mut out = Zeroizing::new(Vec::with_capacity(kem.len() + ecdh.len()));
        out.extend_from_slice(first);
        out.extend_from_slice(second);
        out
    }
}

/// How many draws a NIST-curve key may take before we give up: a 32-byte draw is an invalid
/// P-256 scalar with probability about 2^-32, so needing more than one means a broken source.
const MAX_SCALAR_DRAWS: usize = 8;

/// A shared secret, zeroized on drop.
pub struct SharedSecret(pub Zeroizing<Vec<u8>>);

impl core::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SharedSecret({} bytes)", self.0.len())
    }
}

enum Secret {
    /// Generated by ring from the OS generator (see the module documentation).
    Ring(ring::agreement::EphemeralPrivateKey),
    X25519(x25519_dalek::StaticSecret),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    /// An RFC 7919 group in TLS 1.3 (the exponent is zeroized on drop by its type).
    Ffdhe(Box<crate::crypto::ffdhe::DhKeyExchange>),
    /// A hybrid's client half: the ML-KEM decapsulation key and the ECDH key (a `Ring` one
    /// with the OS source, as for a classical group).
    Hybrid {
        hybrid: &'static Hybrid,
        dk: DecapsulationKey,
        ecdh: Box<Secret>,
    },
}

/// One side of an ephemeral key exchange: a private key and its public value.
pub struct KeyExchange {
    group: NamedGroup,
    secret: Secret,
    public: Vec<u8>,
    /// A hybrid key whose ECDH half also goes out as a share of the ECDH group alone.
    ecdh_too: bool,
}

impl core::fmt::Debug for KeyExchange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyExchange({:?})", self.group)
    }
}

impl KeyExchange {
    /// Generates a key pair for `group` from `rng` (32 bytes for X25519 and P-256, 48 for
    /// P-384, redrawn if they are not a valid scalar; 66 for P-521, whose top 7 bits are
    /// cleared first, as a 521-bit scalar needs, then redrawn if not below the order).
    /// An RFC 7919 group draws its exponent as [`DhKeyExchange::start`] does.
    /// For a hybrid group this is the client's half: 64 bytes of seed d||z (FIPS 203
    /// ML-KEM.KeyGen_internal), then the ECDH scalar as above.
    ///
    /// [`DhKeyExchange::start`]: crate::crypto::ffdhe::DhKeyExchange::start
    pub fn start(group: NamedGroup, rng: &dyn RandomSource) -> Result<Self, Error> {
        let (secret, public) = match hybrid(group) {
            Some(hybrid) => {
                let (dk, ek) = hybrid.kem.generate(rng)?;
                let (ecdh, ecdh_public) = ecdh_key(hybrid.ecdh, rng)?;
                let public = hybrid.join(&ek, &ecdh_public).to_vec();
                let ecdh = Box::new(ecdh);
                (Secret::Hybrid { hybrid, dk, ecdh }, public)
            }
            None if is_ffdhe(group) => {
                let params = crate::crypto::ffdhe::DhGroup::from_named(group)
                    .ok_or(Error::ApiMisuse("unsupported key exchange group"))?;
                let dh = crate::crypto::ffdhe::DhKeyExchange::start(&params, rng)?;
                let public = dh.public_value().to_vec();
                (Secret::Ffdhe(Box::new(dh)), public)
            }
            None => ecdh_key(group, rng)?,
        };
        Ok(Self {
            group,
            secret,
            public,
            ecdh_too: false,
        })
    }

    /// For a hybrid key: also offer its ECDH half as a share of the ECDH group alone (an
    /// X25519MLKEM768 key then also makes an X25519 share, a SecP256r1MLKEM768 one a P-256
    /// share), one ECDH key for both: draft-ietf-tls-ecdhe-mlkem s4.1 allows the reuse, as
    /// both go in one ClientHello. Other groups are unchanged.
    #[must_use]
    pub fn with_ecdh_share(mut self) -> Self {
        self.ecdh_too = matches!(self.secret, Secret::Hybrid { .. });
        self
    }

    /// The key_share entries this key makes, as (group, public value), in order.
    pub fn shares(&self) -> Vec<(NamedGroup, &[u8])> {
        let mut out = vec![(self.group, &self.public[..])];
        if let (Secret::Hybrid { hybrid, .. }, true) = (&self.secret, self.ecdh_too) {
            if let Ok((_, ecdh)) = hybrid.split(&self.public, hybrid.kem.ek_len()) {
                out.push((hybrid.ecdh, ecdh));
            }
        }
        out
    }

    /// Whether one of [`KeyExchange::shares`] is for `group`.
    pub fn offers(&self, group: NamedGroup) -> bool {
        group == self.group || self.offered_ecdh_group() == Some(group)
    }

    /// The ECDH group of a hybrid key whose ECDH half was also offered alone.
    fn offered_ecdh_group(&self) -> Option<NamedGroup> {
        match &self.secret {
            Secret::Hybrid { hybrid, .. } if self.ecdh_too => Some(hybrid.ecdh),
            _ => None,
        }
    }

    /// [`KeyExchange::complete`] for the share of `group` the peer chose: this key's group,
    /// or the ECDH group when a hybrid key's ECDH half was offered alone too. Any other
    /// group is `SelectedUnofferedParameter`.
    pub fn complete_for(
        self,
        group: NamedGroup,
        peer_public: &[u8],
    ) -> Result<SharedSecret, Error> {
        if group == self.group {
            return self.complete(peer_public);
        }
        match self.secret {
            Secret::Hybrid { hybrid, ecdh, .. } if self.ecdh_too && group == hybrid.ecdh => {
                Ok(SharedSecret(ecdh_agree(group, *ecdh, peer_public)?))
            }
            _ => Err(PeerMisbehaved::SelectedUnofferedParameter("key_share group").into()),
        }
    }

    /// The group.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// Our public value as it goes into key_share: 32 bytes for X25519, an uncompressed
    /// SEC1 point for P-256 (65 bytes), P-384 (97 bytes) and P-521 (133 bytes), for an
    /// RFC 7919 group Y left-padded to the length of p (RFC 8446 s4.2.8.1). For a hybrid, the ML-KEM
    /// encapsulation key and the ECDH value in the group's order: X25519MLKEM768 is
    /// ek (1184) || X25519 (32), SecP256r1MLKEM768 is P-256 point (65) || ek (1184),
    /// SecP384r1MLKEM1024 is P-384 point (97) || ek (1568).
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Completes the exchange with the peer's public value. A malformed value, a point off
    /// the curve or not uncompressed, or an all-zero X25519 result is `InvalidKeyShare`.
    /// For an RFC 7919 group the peer's Y must be exactly as long as p and satisfy
    /// 1 < Y < p-1 (RFC 8446 s4.2.8.1, RFC 7919 s5.1), else `InvalidKeyShare`; the secret
    /// keeps its leading zeros (RFC 8446 s7.4.1).
    ///
    /// For a hybrid (the client's side) `peer_public` is the server's share, ciphertext and
    /// ECDH value in the group's order (X25519MLKEM768: 1088 + 32 bytes,
    /// SecP256r1MLKEM768: 65 + 1088, SecP384r1MLKEM1024: 97 + 1568); any other length is
    /// `InvalidKeyShare`. The secret is the two parts' secrets in the same order (64, 64
    /// and 80 bytes). A forged ciphertext is not an error (`DecapsulationKey::decapsulate`).
    pub fn complete(self, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        let shared = match self.secret {
            Secret::Ffdhe(dh) => return dh.complete_padded(peer_public),
            Secret::Hybrid { hybrid, dk, ecdh } => {
                let (ct, peer_ecdh) = hybrid.split(peer_public, hybrid.kem.ct_len())?;
                let dh = ecdh_agree(hybrid.ecdh, *ecdh, peer_ecdh)?;
                let k = dk.decapsulate(ct)?;
                hybrid.join(&k, &dh)
            }
            ecdh => ecdh_agree(self.group, ecdh, peer_public)?,
        };
        Ok(SharedSecret(shared))
    }
}

impl KeyExchange {
    /// The server's side of a TLS 1.3 key share: answers the client's `peer_share` for
    /// `group` with our share, and gives the shared secret. For the Diffie-Hellman groups
    /// this is [`KeyExchange::start`] then [`KeyExchange::complete`].
    ///
    /// For a hybrid it checks the share's length (else `InvalidKeyShare`), encapsulates to
    /// the client's ML-KEM key with 32 drawn bytes m (a key failing FIPS 203's modulus
    /// check is `MlKemEncapsulationKeyCheck`: `MlKem::encapsulate`), then draws its ECDH
    /// scalar and agrees with the client's ECDH value (an invalid one is
    /// `InvalidKeyShare`). Every refusal is illegal_parameter.
    pub fn accept(
        group: NamedGroup,
        peer_share: &[u8],
        rng: &dyn RandomSource,
    ) -> Result<(Vec<u8>, SharedSecret), Error> {
        let Some(hybrid) = hybrid(group) else {
            // An RFC 7919 share of the wrong length is refused before our exponentiation.
            let p_len = crate::crypto::ffdhe::DhGroup::from_named(group).map(|g| g.p().len());
            if p_len.is_some_and(|len| len != peer_share.len()) {
                return Err(PeerMisbehaved::InvalidKeyShare.into());
            }
            let kx = Self::start(group, rng)?;
            let ours = kx.public_key().to_vec();
            return Ok((ours, kx.complete(peer_share)?));
        };
        let (ek, peer_ecdh) = hybrid.split(peer_share, hybrid.kem.ek_len())?;
        let (ct, k) = hybrid.kem.encapsulate(ek, rng)?;
        let (ecdh, ecdh_public) = ecdh_key(hybrid.ecdh, rng)?;
        let dh = ecdh_agree(hybrid.ecdh, ecdh, peer_ecdh)?;
        let ours = hybrid.join(&ct, &ecdh_public).to_vec();
        Ok((ours, SharedSecret(hybrid.join(&k, &dh))))
    }
}

/// An ECDH key for `group` and its public value: a classical key, or a hybrid's ECDH half.
/// Made in ring when the source is the OS's and ring has the curve (see the module
/// documentation), else from drawn bytes.
fn ecdh_key(group: NamedGroup, rng: &dyn RandomSource) -> Result<(Secret, Vec<u8>), Error> {
    if let (Some(system), Some(alg)) = (rng.as_ring(), ring_algorithm(group)) {
        let secret = ring::agreement::EphemeralPrivateKey::generate(alg, system)
            .map_err(|_| Error::GetRandomFailed)?;
        let public = secret
            .compute_public_key()
            .map_err(|_| Error::GetRandomFailed)?
            .as_ref()
            .to_vec();
        return Ok((Secret::Ring(secret), public));
    }
    Ok(match group {
        NamedGroup::X25519 => {
            let secret = x25519_scalar(rng)?;
            let public = x25519_dalek::PublicKey::from(&secret).as_bytes().to_vec();
            (Secret::X25519(secret), public)
        }
        NamedGroup::secp256r1 => {
            let secret = draw_scalar(rng, 32, |b| p256::SecretKey::from_slice(b).ok())?;
            let public = secret.public_key().as_affine().to_sec1_point(false);
            (Secret::P256(secret), public.as_bytes().to_vec())
        }
        NamedGroup::secp384r1 => {
            let secret = draw_scalar(rng, 48, |b| p384::SecretKey::from_slice(b).ok())?;
            let public = secret.public_key().as_affine().to_sec1_point(false);
            (Secret::P384(secret), public.as_bytes().to_vec())
        }
        NamedGroup::secp521r1 => {
            let secret = draw_scalar(rng, 66, |b| {
                let mut masked = Zeroizing::new(b.to_vec());
                if let Some(top) = masked.first_mut() {
                    *top &= 0x01;
                }
                p521::SecretKey::from_slice(&masked).ok()
            })?;
            let public = secret.public_key().as_affine().to_sec1_point(false);
            (Secret::P521(secret), public.as_bytes().to_vec())
        }
        _ => return Err(Error::ApiMisuse("unsupported key exchange group")),
    })
}

/// ECDH of a key made by [`ecdh_key`] for `group` with the peer's public value. A wrong
/// length, a NIST point not uncompressed (RFC 8446 s4.2.8.2) or not on the curve, or an
/// all-zero X25519 result is `InvalidKeyShare`, on either path.
fn ecdh_agree(
    group: NamedGroup,
    secret: Secret,
    peer_public: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = || Error::from(PeerMisbehaved::InvalidKeyShare);
    Ok(match secret {
        Secret::Ring(secret) => {
            // ring takes only uncompressed NIST points, and its X25519 refuses an all-zero
            // result (RFC 7748 s6.1) and a wrong length: the same checks as the other arms.
            match group {
                NamedGroup::secp256r1 => uncompressed(peer_public, 65).ok_or_else(bad)?,
                NamedGroup::secp384r1 => uncompressed(peer_public, 97).ok_or_else(bad)?,
                _ => {}
            }
            let peer = ring::agreement::UnparsedPublicKey::new(secret.algorithm(), peer_public);
            ring::agreement::agree_ephemeral(secret, &peer, |shared| {
                Zeroizing::new(shared.to_vec())
            })
            .map_err(|_| bad())?
        }
        Secret::X25519(secret) => x25519_agree(&secret, peer_public)?,
        Secret::P256(secret) => {
            uncompressed(peer_public, 65).ok_or_else(bad)?;
            let peer = p256::PublicKey::from_sec1_bytes(peer_public).map_err(|_| bad())?;
            let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
            Zeroizing::new(shared.raw_secret_bytes().to_vec())
        }
        Secret::P384(secret) => {
            uncompressed(peer_public, 97).ok_or_else(bad)?;
            let peer = p384::PublicKey::from_sec1_bytes(peer_public).map_err(|_| bad())?;
            let shared = p384::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
            Zeroizing::new(shared.raw_secret_bytes().to_vec())
        }
        Secret::P521(secret) => {
            uncompressed(peer_public, P521_POINT_LEN).ok_or_else(bad)?;
            let peer = p521::PublicKey::from_sec1_bytes(peer_public).map_err(|_| bad())?;
            let shared = p521::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
            Zeroizing::new(shared.raw_secret_bytes().to_vec())
        }
        Secret::Hybrid { .. } | Secret::Ffdhe(_) => {
            return Err(Error::ApiMisuse("not an ECDH key"))
        }
    })
}

/// An X25519 scalar from 32 drawn bytes.
fn x25519_scalar(rng: &dyn RandomSource) -> Result<x25519_dalek::StaticSecret, Error> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rng.fill(&mut bytes[..])?;
    Ok(x25519_dalek::StaticSecret::from(*bytes))
}

/// X25519 with the peer's 32-byte value; a wrong length or the all-zero output of a
/// low-order point (RFC 8446 s7.4.2 / RFC 7748 s6.1) is `InvalidKeyShare`.
fn x25519_agree(
    secret: &x25519_dalek::StaticSecret,
    peer_public: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = || Error::from(PeerMisbehaved::InvalidKeyShare);
    let peer: [u8; 32] = peer_public.try_into().map_err(|_| bad())?;
    let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
    if !shared.was_contributory() {
        return Err(bad());
    }
    Ok(Zeroizing::new(shared.as_bytes().to_vec()))
}

/// ring's algorithm for `group`.
fn ring_algorithm(group: NamedGroup) -> Option<&'static ring::agreement::Algorithm> {
    match group {
        NamedGroup::X25519 => Some(&ring::agreement::X25519),
        NamedGroup::secp256r1 => Some(&ring::agreement::ECDH_P256),
        NamedGroup::secp384r1 => Some(&ring::agreement::ECDH_P384),
        _ => None,
    }
}

/// RFC 8446 s4.2.8.2: NIST-curve key shares are uncompressed points only.
fn uncompressed(point: &[u8], len: usize) -> Option<()> {
    (point.len() == len && point.first() == Some(&4)).then_some(())
}

fn draw_scalar<K>(
    rng: &dyn RandomSource,
    len: usize,
    parse: impl Fn(&[u8]) -> Option<K>,
) -> Result<K, Error> {
    let mut bytes = Zeroizing::new(vec![0u8; len]);
    for _ in 0..MAX_SCALAR_DRAWS {
        rng.fill(&mut bytes)?;
        if let Some(k) = parse(&bytes) {
            return Ok(k);
        }
    }
    Err(Error::GetRandomFailed)
}

#[cfg(test)]
#[path = "kx_test.rs"]
mod tests;

#[cfg(test)]
#[path = "kx_mlkem_kat_test.rs"]
mod mlkem_kat;
