//! Ephemeral (EC)DHE key exchange from injected randomness (RFC 8446 s4.2.8, s7.4.2).
//!
//! The private scalar comes from the configuration's `RandomSource`, so a handshake replays
//! byte for byte from a recorded pool. ring cannot take a caller's scalar, so X25519 uses
//! `x25519-dalek` and the NIST curves RustCrypto's `p256`/`p384` (docs/dependencies.md).

use p256::elliptic_curve::sec1::ToSec1Point;
use zeroize::Zeroizing;

use crate::enums::NamedGroup;
use crate::error::{Error, PeerMisbehaved};
use crate::rand::RandomSource;

/// The groups we implement, in preference order.
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
];

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
    X25519(x25519_dalek::StaticSecret),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
}

/// One side of an ephemeral key exchange: a private key and its public value.
pub struct KeyExchange {
    group: NamedGroup,
    secret: Secret,
    public: Vec<u8>,
}

impl core::fmt::Debug for KeyExchange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyExchange({:?})", self.group)
    }
}

impl KeyExchange {
    /// Generates a key pair for `group` from `rng` (32 bytes for X25519 and P-256, 48 for
    /// P-384, redrawn if they are not a valid scalar).
    pub fn start(group: NamedGroup, rng: &dyn RandomSource) -> Result<Self, Error> {
        let (secret, public) = match group {
            NamedGroup::X25519 => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                rng.fill(&mut bytes[..])?;
                let secret = x25519_dalek::StaticSecret::from(*bytes);
                let public = x25519_dalek::PublicKey::from(&secret).as_bytes().to_vec();
                (Secret::X25519(secret), public)
            }
            NamedGroup::secp256r1 => {
                let secret = draw_scalar(rng, 32, |b| p256::SecretKey::from_slice(b).ok())?;
                let public = secret
                    .public_key()
                    .as_affine()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec();
                (Secret::P256(secret), public)
            }
            NamedGroup::secp384r1 => {
                let secret = draw_scalar(rng, 48, |b| p384::SecretKey::from_slice(b).ok())?;
                let public = secret
                    .public_key()
                    .as_affine()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec();
                (Secret::P384(secret), public)
            }
            _ => return Err(Error::ApiMisuse("unsupported key exchange group")),
        };
        Ok(Self {
            group,
            secret,
            public,
        })
    }

    /// The group.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// Our public value as it goes into key_share: 32 bytes for X25519, an uncompressed
    /// SEC1 point for P-256 (65 bytes) and P-384 (97 bytes).
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Completes the exchange with the peer's public value. A malformed value, a point off
    /// the curve or not uncompressed, or an all-zero X25519 result is `InvalidKeyShare`.
    pub fn complete(self, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        let bad = || Error::from(PeerMisbehaved::InvalidKeyShare);
        let shared = match &self.secret {
            Secret::X25519(secret) => {
                let peer: [u8; 32] = peer_public.try_into().map_err(|_| bad())?;
                let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
                // RFC 8446 s7.4.2 / RFC 7748 s6.1: refuse the all-zero output of a
                // low-order point.
                if !shared.was_contributory() {
                    return Err(bad());
                }
                Zeroizing::new(shared.as_bytes().to_vec())
            }
            Secret::P256(secret) => {
                uncompressed(peer_public, 65).ok_or_else(bad)?;
                let peer = p256::PublicKey::from_sec1_bytes(peer_public).map_err(|_| bad())?;
                let shared =
                    p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
                Zeroizing::new(shared.raw_secret_bytes().to_vec())
            }
            Secret::P384(secret) => {
                uncompressed(peer_public, 97).ok_or_else(bad)?;
                let peer = p384::PublicKey::from_sec1_bytes(peer_public).map_err(|_| bad())?;
                let shared =
                    p384::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
                Zeroizing::new(shared.raw_secret_bytes().to_vec())
            }
        };
        Ok(SharedSecret(shared))
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
mod tests {
    use super::*;
    use crate::rand::{ReplayRandom, SystemRandom};

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn x25519_rfc7748_section_6_1() {
        let alice = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
        let bob_public = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
        let kx = KeyExchange::start(NamedGroup::X25519, &ReplayRandom::new(h(alice))).unwrap();
        assert_eq!(
            hex::encode(kx.public_key()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
        let shared = kx.complete(&h(bob_public)).unwrap();
        assert_eq!(
            hex::encode(&*shared.0),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        );
    }

    #[test]
    fn x25519_refuses_low_order_points_and_bad_lengths() {
        let kx = || KeyExchange::start(NamedGroup::X25519, &SystemRandom::new()).unwrap();
        let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        assert_eq!(kx().complete(&[0u8; 32]).unwrap_err(), invalid);
        assert_eq!(kx().complete(&[1u8; 31]).unwrap_err(), invalid);
        assert_eq!(kx().complete(&[1u8; 33]).unwrap_err(), invalid);
    }

    #[test]
    fn nist_curves_agree_and_refuse_bad_points() {
        for (group, len) in [(NamedGroup::secp256r1, 65), (NamedGroup::secp384r1, 97)] {
            let a = KeyExchange::start(group, &SystemRandom::new()).unwrap();
            let b = KeyExchange::start(group, &SystemRandom::new()).unwrap();
            assert_eq!(a.public_key().len(), len);
            assert_eq!(a.public_key()[0], 4, "uncompressed");
            let a_pub = a.public_key().to_vec();
            let s1 = a.complete(b.public_key()).unwrap();
            let s2 = b.complete(&a_pub).unwrap();
            assert_eq!(*s1.0, *s2.0);
            // Off the curve: flip a coordinate bit.
            let mut off = a_pub.clone();
            off[len - 1] ^= 1;
            let c = KeyExchange::start(group, &SystemRandom::new()).unwrap();
            assert!(c.complete(&off).is_err());
            // Compressed form is refused in TLS 1.3.
            let c = KeyExchange::start(group, &SystemRandom::new()).unwrap();
            let compressed = [&[2u8][..], &a_pub[1..1 + (len - 1) / 2]].concat();
            assert!(c.complete(&compressed).is_err());
        }
    }

    #[test]
    fn p256_rfc5903_section_8_1() {
        let i = "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433";
        let r_pub = "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63\
                     56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab";
        let kx = KeyExchange::start(NamedGroup::secp256r1, &ReplayRandom::new(h(i))).unwrap();
        assert_eq!(
            hex::encode(kx.public_key()),
            "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180\
             5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3"
        );
        let shared = kx.complete(&h(r_pub)).unwrap();
        assert_eq!(
            hex::encode(&*shared.0),
            "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"
        );
    }

    #[test]
    fn generation_is_deterministic_in_the_pool() {
        let pool = vec![7u8; 48];
        for group in SUPPORTED_GROUPS {
            let a = KeyExchange::start(*group, &ReplayRandom::new(pool.clone())).unwrap();
            let b = KeyExchange::start(*group, &ReplayRandom::new(pool.clone())).unwrap();
            assert_eq!(a.public_key(), b.public_key());
        }
        assert_eq!(
            KeyExchange::start(NamedGroup::X25519, &ReplayRandom::new(vec![0; 31])).unwrap_err(),
            Error::GetRandomFailed
        );
    }
}
