//! Finite-field Diffie-Hellman (DHE) for TLS 1.2 (RFC 5246 s8.1.2) and the RFC 7919 groups.
//!
//! ring has no finite-field DH, so the modular exponentiation is `crypto-bigint`'s
//! constant-time Montgomery exponentiation on heap-allocated integers
//! (docs/dependencies.md). The private exponent comes from the injected `RandomSource`, so a
//! handshake replays byte for byte from a recorded pool.
//!
//! Timing: the exponentiation is constant-time in the secret exponent; what may leak is only
//! public (the prime, the exponent's fixed bit budget, the peer's value). The one exception
//! is RFC 5246's own: [`DhKeyExchange::complete`] strips the leading zero bytes of Z, so the
//! premaster secret's length depends on the secret (the "Raccoon" attack, CVE-2020-1968). It
//! only matters when a secret exponent is reused across handshakes; ours is ephemeral, and
//! `complete` consumes it.

use crate::prelude::*;
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::kx::SharedSecret;
use crate::enums::NamedGroup;
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::rand::RandomSource;

/// The smallest prime we accept for our own parameters (Node's `dhparam` refuses smaller
/// ones too), and the default of Node's client-side `minDHSize`.
pub const MIN_DH_BITS: usize = 1024;

/// The largest prime we accept: OpenSSL's `OPENSSL_DH_MAX_MODULUS_BITS`. It bounds the work
/// one handshake can cost.
pub const MAX_DH_BITS: usize = 10_000;

/// How many draws a private exponent may take: a draw below 2 has probability at most 2^-224,
/// so needing a second one already means a broken source.
const MAX_EXPONENT_DRAWS: usize = 8;

/// Decodes a hex string at compile time (a malformed constant is a build error, not a panic).
const fn hex_const<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        }
    }
    let s = s.as_bytes();
    assert!(s.len() == 2 * N, "wrong hex length");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// RFC 7919 Appendix A.1: the ffdhe2048 prime.
const FFDHE2048_P: [u8; 256] = hex_const(concat!(
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695",
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a",
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935",
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a",
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4",
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61",
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005",
    "c58ef1837d1683b2c6f34a26c1b2effa886b423861285c97ffffffffffffffff",
));

/// RFC 7919 Appendix A.2: the ffdhe3072 prime.
const FFDHE3072_P: [u8; 384] = hex_const(concat!(
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695",
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a",
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935",
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a",
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4",
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61",
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005",
    "c58ef1837d1683b2c6f34a26c1b2effa886b4238611fcfdcde355b3b6519035b",
    "bc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c",
    "aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff",
    "5cae82ab9c9df69ee86d2bc522363a0dabc521979b0deada1dbf9a42d5c4484e",
    "0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b66c62e37ffffffffffffffff",
));

/// RFC 7919 Appendix A.3: the ffdhe4096 prime.
const FFDHE4096_P: [u8; 512] = hex_const(concat!(
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695",
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a",
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935",
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a",
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4",
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61",
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005",
    "c58ef1837d1683b2c6f34a26c1b2effa886b4238611fcfdcde355b3b6519035b",
    "bc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c",
    "aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff",
    "5cae82ab9c9df69ee86d2bc522363a0dabc521979b0deada1dbf9a42d5c4484e",
    "0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b669e1ef16e6f52c3164df4fb",
    "7930e9e4e58857b6ac7d5f42d69f6d187763cf1d5503400487f55ba57e31cc7a",
    "7135c886efb4318aed6a1e012d9e6832a907600a918130c46dc778f971ad0038",
    "092999a333cb8b7a1a1db93d7140003c2a4ecea9f98d0acc0a8291cdcec97dcf",
    "8ec9b55a7f88a46b4db5a851f44182e1c68a007e5e655f6affffffffffffffff",
));

/// RFC 7919 Appendix A.4: the ffdhe6144 prime.
const FFDHE6144_P: [u8; 768] = hex_const(concat!(
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695",
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a",
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935",
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a",
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4",
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61",
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005",
    "c58ef1837d1683b2c6f34a26c1b2effa886b4238611fcfdcde355b3b6519035b",
    "bc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c",
    "aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff",
    "5cae82ab9c9df69ee86d2bc522363a0dabc521979b0deada1dbf9a42d5c4484e",
    "0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b669e1ef16e6f52c3164df4fb",
    "7930e9e4e58857b6ac7d5f42d69f6d187763cf1d5503400487f55ba57e31cc7a",
    "7135c886efb4318aed6a1e012d9e6832a907600a918130c46dc778f971ad0038",
    "092999a333cb8b7a1a1db93d7140003c2a4ecea9f98d0acc0a8291cdcec97dcf",
    "8ec9b55a7f88a46b4db5a851f44182e1c68a007e5e0dd9020bfd64b645036c7a",
    "4e677d2c38532a3a23ba4442caf53ea63bb454329b7624c8917bdd64b1c0fd4c",
    "b38e8c334c701c3acdad0657fccfec719b1f5c3e4e46041f388147fb4cfdb477",
    "a52471f7a9a96910b855322edb6340d8a00ef092350511e30abec1fff9e3a26e",
    "7fb29f8c183023c3587e38da0077d9b4763e4e4b94b2bbc194c6651e77caf992",
    "eeaac0232a281bf6b3a739c1226116820ae8db5847a67cbef9c9091b462d538c",
    "d72b03746ae77f5e62292c311562a846505dc82db854338ae49f5235c95b9117",
    "8ccf2dd5cacef403ec9d1810c6272b045b3b71f9dc6b80d63fdd4a8e9adb1e69",
    "62a69526d43161c1a41d570d7938dad4a40e329cd0e40e65ffffffffffffffff",
));

/// RFC 7919 Appendix A.5: the ffdhe8192 prime.
const FFDHE8192_P: [u8; 1024] = hex_const(concat!(
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695",
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a",
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935",
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a",
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4",
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61",
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005",
    "c58ef1837d1683b2c6f34a26c1b2effa886b4238611fcfdcde355b3b6519035b",
    "bc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c",
    "aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff",
    "5cae82ab9c9df69ee86d2bc522363a0dabc521979b0deada1dbf9a42d5c4484e",
    "0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b669e1ef16e6f52c3164df4fb",
    "7930e9e4e58857b6ac7d5f42d69f6d187763cf1d5503400487f55ba57e31cc7a",
    "7135c886efb4318aed6a1e012d9e6832a907600a918130c46dc778f971ad0038",
    "092999a333cb8b7a1a1db93d7140003c2a4ecea9f98d0acc0a8291cdcec97dcf",
    "8ec9b55a7f88a46b4db5a851f44182e1c68a007e5e0dd9020bfd64b645036c7a",
    "4e677d2c38532a3a23ba4442caf53ea63bb454329b7624c8917bdd64b1c0fd4c",
    "b38e8c334c701c3acdad0657fccfec719b1f5c3e4e46041f388147fb4cfdb477",
    "a52471f7a9a96910b855322edb6340d8a00ef092350511e30abec1fff9e3a26e",
    "7fb29f8c183023c3587e38da0077d9b4763e4e4b94b2bbc194c6651e77caf992",
    "eeaac0232a281bf6b3a739c1226116820ae8db5847a67cbef9c9091b462d538c",
    "d72b03746ae77f5e62292c311562a846505dc82db854338ae49f5235c95b9117",
    "8ccf2dd5cacef403ec9d1810c6272b045b3b71f9dc6b80d63fdd4a8e9adb1e69",
    "62a69526d43161c1a41d570d7938dad4a40e329ccff46aaa36ad004cf600c838",
    "1e425a31d951ae64fdb23fcec9509d43687feb69edd1cc5e0b8cc3bdf64b10ef",
    "86b63142a3ab8829555b2f747c932665cb2c0f1cc01bd70229388839d2af05e4",
    "54504ac78b7582822846c0ba35c35f5c59160cc046fd8251541fc68c9c86b022",
    "bb7099876a460e7451a8a93109703fee1c217e6c3826e52c51aa691e0e423cfc",
    "99e9e31650c1217b624816cdad9a95f9d5b8019488d9c0a0a1fe3075a577e231",
    "83f81d4a3f2fa4571efc8ce0ba8a4fe8b6855dfe72b0a66eded2fbabfbe58a30",
    "fafabe1c5d71a87e2f741ef8c1fe86fea6bbfde530677f0d97d11d49f7a8443d",
    "0822e506a9f4614e011e2a94838ff88cd68c8bb7c5c6424cffffffffffffffff",
));

/// The RFC 7919 groups: name, prime, and the private exponent size in bits that RFC 7919
/// Appendix A recommends for a short exponent ("a secret key of at least N bits", about
/// twice the group's estimated security strength, s5.2).
const NAMED: &[(NamedGroup, &[u8], usize)] = &[
    (NamedGroup::FFDHE2048, &FFDHE2048_P, 225),
    (NamedGroup::FFDHE3072, &FFDHE3072_P, 275),
    (NamedGroup::FFDHE4096, &FFDHE4096_P, 325),
    (NamedGroup::FFDHE6144, &FFDHE6144_P, 375),
    (NamedGroup::FFDHE8192, &FFDHE8192_P, 400),
];

/// Finite-field DH parameters: a prime `p` and a generator `g`, both big-endian without
/// leading zeros, and the RFC 7919 group they are, if any.
///
/// Always valid: odd `p` of [`MIN_DH_BITS`]..=[`MAX_DH_BITS`] bits, `1 < g < p-1`.
/// (We do not test `p` for primality: that is the configuration's responsibility, as in
/// OpenSSL and Node, and a client cannot afford it for every ServerKeyExchange.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhGroup {
    p: Vec<u8>,
    g: Vec<u8>,
    named: Option<NamedGroup>,
}

impl DhGroup {
    /// RFC 7919 Appendix A.1 (generator 2).
    pub fn ffdhe2048() -> Self {
        Self::named_unchecked(NamedGroup::FFDHE2048, &FFDHE2048_P)
    }

    /// RFC 7919 Appendix A.2 (generator 2).
    pub fn ffdhe3072() -> Self {
        Self::named_unchecked(NamedGroup::FFDHE3072, &FFDHE3072_P)
    }

    /// RFC 7919 Appendix A.3 (generator 2).
    pub fn ffdhe4096() -> Self {
        Self::named_unchecked(NamedGroup::FFDHE4096, &FFDHE4096_P)
    }

    /// RFC 7919 Appendix A.4 (generator 2).
    pub fn ffdhe6144() -> Self {
        Self::named_unchecked(NamedGroup::FFDHE6144, &FFDHE6144_P)
    }

    /// RFC 7919 Appendix A.5 (generator 2).
    pub fn ffdhe8192() -> Self {
        Self::named_unchecked(NamedGroup::FFDHE8192, &FFDHE8192_P)
    }

    /// The RFC 7919 group `group` names, or `None` for a non-FFDHE (or unknown) group.
    pub fn from_named(group: NamedGroup) -> Option<Self> {
        NAMED
            .iter()
            .find(|(name, _, _)| *name == group)
            .map(|(name, p, _)| Self::named_unchecked(*name, p))
    }

    fn named_unchecked(name: NamedGroup, p: &[u8]) -> Self {
        Self {
            p: p.to_vec(),
            g: vec![2],
            named: Some(name),
        }
    }

    /// Custom parameters (Node's `dhparam`), big-endian; leading zero bytes are ignored.
    ///
    /// Refuses a prime under [`MIN_DH_BITS`] bits (with Node's message) or over
    /// [`MAX_DH_BITS`], an even prime, and a generator outside `2..=p-2`. Parameters equal to
    /// an RFC 7919 group become that group ([`DhGroup::matching_named`]).
    pub fn new(p: &[u8], g: &[u8]) -> Result<Self, Error> {
        let p = strip_leading_zeros(p);
        let g = strip_leading_zeros(g);
        let p_bits = bit_len(p);
        if p_bits < MIN_DH_BITS {
            return Err(Error::BadConfiguration(
                "DH parameters smaller than 1024 bits",
            ));
        }
        if p_bits > MAX_DH_BITS {
            return Err(Error::BadConfiguration(
                "DH parameters larger than 10000 bits",
            ));
        }
        if !matches!(p.last(), Some(b) if b & 1 == 1) {
            return Err(Error::BadConfiguration("DH prime is even"));
        }
        // p is odd, so p - 1 only changes the last byte.
        let p_minus_1 = minus_one_odd(p);
        if !(less_than(&[1], g) && less_than(g, &p_minus_1)) {
            return Err(Error::BadConfiguration("DH generator not in 2..p-2"));
        }
        let mut group = Self {
            p: p.to_vec(),
            g: g.to_vec(),
            named: None,
        };
        group.named = group.matching_named();
        Ok(group)
    }

    /// Parameters a server sent in its ServerKeyExchange. Size is checked first, so an
    /// oversized prime costs nothing: under `min_bits` (Node's `minDHSize`) is
    /// `DhGroupTooSmall` (insufficient_security), anything [`DhGroup::new`] refuses is
    /// illegal_parameter.
    pub fn from_peer(p: &[u8], g: &[u8], min_bits: usize) -> Result<Self, Error> {
        check_min_size(bit_len(strip_leading_zeros(p)), min_bits.max(MIN_DH_BITS))?;
        Self::new(p, g).map_err(|_| PeerMisbehaved::InvalidDhParameters.into())
    }

    /// The RFC 7919 group these parameters are, if any.
    pub fn named(&self) -> Option<NamedGroup> {
        self.named
    }

    /// The size of `p` in bits.
    pub fn bits(&self) -> usize {
        bit_len(&self.p)
    }

    /// The prime, big-endian without leading zeros (as ServerKeyExchange's `dh_p` carries it).
    pub fn p(&self) -> &[u8] {
        &self.p
    }

    /// The generator, big-endian without leading zeros (ServerKeyExchange's `dh_g`).
    pub fn g(&self) -> &[u8] {
        &self.g
    }

    /// The RFC 7919 group these parameters are, if any: a custom group whose `p` and `g`
    /// equal a named group's is that group (RFC 7919 s3: a client may recognise the
    /// parameters a server sends in ServerKeyExchange).
    pub fn matching_named(&self) -> Option<NamedGroup> {
        if self.g != [2] {
            return None;
        }
        NAMED
            .iter()
            .find(|(_, p, _)| *p == self.p.as_slice())
            .map(|(name, _, _)| *name)
    }

    /// The private exponent size in bits: RFC 7919's recommendation for a named group; for
    /// custom parameters `bits() - 1` (full length, as OpenSSL does for PKCS#3 parameters),
    /// because we do not know the order of `g` and a short exponent is only safe in a large
    /// prime-order subgroup. That is never less than 1023 bits, so always at least 256.
    fn exponent_bits(&self) -> usize {
        match self.matching_named() {
            Some(name) => NAMED
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or(self.bits() - 1, |(_, _, bits)| *bits),
            None => self.bits() - 1,
        }
    }

    /// `p - 1`, big-endian, same length as `p`.
    fn p_minus_1(&self) -> Vec<u8> {
        minus_one_odd(&self.p)
    }

    /// Bits of precision for crypto-bigint: `p`'s byte length rounded up to whole limbs.
    fn precision(&self) -> u32 {
        precision_for(self.p.len())
    }
}

/// One side of an ephemeral finite-field DH exchange: a secret exponent and its public value.
pub struct DhKeyExchange {
    group: DhGroup,
    /// Montgomery parameters for `p` (public).
    params: BoxedMontyParams,
    /// The secret exponent; zeroized on drop.
    exponent: BoxedUint,
    exponent_bits: u32,
    public: Vec<u8>,
}

impl core::fmt::Debug for DhKeyExchange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "DhKeyExchange({} bits, {:?})",
            self.group.bits(),
            self.group.named
        )
    }
}

impl Drop for DhKeyExchange {
    fn drop(&mut self) {
        self.exponent.zeroize();
    }
}

impl DhKeyExchange {
    /// Draws a secret exponent from `rng` and computes `Y = g^x mod p`.
    ///
    /// Exponent size `n` bits: RFC 7919 Appendix A's recommendation for a named group (225,
    /// 275, 325, 375, 400 bits for ffdhe2048..8192; a custom group equal to a named one
    /// counts as named), and the full `bits(p) - 1` for other custom groups (see
    /// `exponent_bits`; OpenSSL does the same). The draw is `ceil(n / 8)` bytes read
    /// big-endian with the bits above `n` cleared, redrawn if below 2 (so `2 <= x < 2^n < p`).
    pub fn start(group: &DhGroup, rng: &dyn RandomSource) -> Result<Self, Error> {
        let precision = group.precision();
        let modulus = BoxedUint::from_be_slice(&group.p, precision)
            .ok()
            .and_then(|p| Odd::new(p).into_option())
            .ok_or(Error::ApiMisuse("DH prime is not odd"))?;
        // The prime is public: the variable-time setup is fine.
        let params = BoxedMontyParams::new_vartime(modulus);

        let n = group.exponent_bits();
        let exponent_bits = u32::try_from(n).map_err(|_| Error::ApiMisuse("DH group too big"))?;
        let mut bytes = Zeroizing::new(vec![0u8; n.div_ceil(8)]);
        let mut exponent = None;
        for _ in 0..MAX_EXPONENT_DRAWS {
            rng.fill(&mut bytes)?;
            if !n.is_multiple_of(8) {
                if let Some(top) = bytes.first_mut() {
                    *top &= (1u8 << (n % 8)) - 1;
                }
            }
            // Is x >= 2? (Only "x is tiny" can leak here, which has probability 2^-n.)
            let (last, rest) = bytes.split_last().unwrap_or((&0, &[]));
            if rest.iter().any(|b| *b != 0) || *last >= 2 {
                let x = BoxedUint::from_be_slice(&bytes, precision_for(bytes.len()))
                    .map_err(|_| Error::ApiMisuse("DH exponent encoding"))?;
                exponent = Some(x);
                break;
            }
        }
        let exponent = exponent.ok_or(Error::GetRandomFailed)?;

        let g = BoxedUint::from_be_slice(&group.g, precision)
            .map_err(|_| Error::ApiMisuse("DH generator encoding"))?;
        let y = BoxedMontyForm::new(g, &params)
            .pow_bounded_exp(&exponent, exponent_bits)
            .retrieve();
        let public = last_bytes(&y.to_be_bytes(), group.p.len())
            .ok_or(Error::ApiMisuse("DH public value too long"))?;
        Ok(Self {
            group: group.clone(),
            params,
            exponent,
            exponent_bits,
            public,
        })
    }

    /// The group.
    pub fn group(&self) -> &DhGroup {
        &self.group
    }

    /// Our public value `Y`, big-endian and always left-padded with zeros to the length of
    /// `p`: RFC 7919 s5.1 and RFC 8446 s4.2.8.1 require it, and RFC 5246 (which is silent)
    /// implementations accept it for `dh_Ys`/`dh_Yc` (a fixed length also avoids the
    /// interoperability bugs of peers that mishandle stripped values).
    pub fn public_value(&self) -> &[u8] {
        &self.public
    }

    /// Completes the exchange for TLS 1.2: the premaster secret is Z with its leading zero
    /// bytes stripped (RFC 5246 s8.1.2: "Leading bytes of Z that contain all zero bits are
    /// stripped before it is used as the pre_master_secret").
    ///
    /// `peer` may be shorter than `p` (TLS 1.2 peers, OpenSSL's among them, send `dh_Ys`
    /// without leading zeros) but not longer; it must satisfy `1 < Y < p-1` (RFC 7919
    /// s5.1), else `InvalidKeyShare`.
    pub fn complete(self, peer: &[u8]) -> Result<SharedSecret, Error> {
        let padded = self.agree(peer)?;
        let zeros = padded.iter().take_while(|b| **b == 0).count();
        Ok(SharedSecret(Zeroizing::new(
            padded.get(zeros..).unwrap_or_default().to_vec(),
        )))
    }

    /// Completes the exchange with Z left-padded to the length of `p`, as TLS 1.3 uses it
    /// (RFC 8446 s7.4.1, RFC 7919 s5: "the shared secret is ... padded to the left with
    /// zeros to the size of p"). Here `peer` must be exactly as long as `p` (RFC 8446
    /// s4.2.8.1) and satisfy `1 < Y < p-1`, else `InvalidKeyShare`.
    pub fn complete_padded(self, peer: &[u8]) -> Result<SharedSecret, Error> {
        if peer.len() != self.group.p.len() {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        Ok(SharedSecret(self.agree(peer)?))
    }

    /// `peer^x mod p`, padded to the length of `p`, after checking `1 < peer < p-1`.
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let bad = || Error::from(PeerMisbehaved::InvalidKeyShare);
        let p_len = self.group.p.len();
        if peer.is_empty() || peer.len() > p_len {
            return Err(bad());
        }
        let y = last_bytes(peer, p_len).ok_or_else(bad)?;
        // The peer's value is public: a variable-time range check is fine.
        let mut two = vec![0u8; p_len];
        if let Some(last) = two.last_mut() {
            *last = 1;
        }
        if !(less_than(&two, &y) && less_than(&y, &self.group.p_minus_1())) {
            return Err(bad());
        }
        let y = BoxedUint::from_be_slice(&y, self.group.precision()).map_err(|_| bad())?;
        let mut z_form = BoxedMontyForm::new(y, &self.params)
            .pow_bounded_exp(&self.exponent, self.exponent_bits);
        let mut z = z_form.retrieve();
        z_form.zeroize();
        let mut bytes = z.to_be_bytes();
        z.zeroize();
        let out = last_bytes(&bytes, p_len).map(Zeroizing::new);
        bytes.zeroize();
        out.ok_or(Error::ApiMisuse("DH shared secret too long"))
    }
}

/// Node's client-side `minDHSize` (default [`MIN_DH_BITS`]): a server's DH prime smaller
/// than `min_dh_size` bits is refused with `DhGroupTooSmall`, which is answered with
/// `insufficient_security` (RFC 7919 s4).
pub fn check_min_size(p_bits: usize, min_dh_size: usize) -> Result<(), Error> {
    if p_bits < min_dh_size {
        return Err(PeerIncompatible::DhGroupTooSmall.into());
    }
    Ok(())
}

fn strip_leading_zeros(v: &[u8]) -> &[u8] {
    let zeros = v.iter().take_while(|b| **b == 0).count();
    v.get(zeros..).unwrap_or_default()
}

/// Bit length of a big-endian integer without leading zero bytes.
pub(crate) fn bit_len(v: &[u8]) -> usize {
    match v.first() {
        Some(top) => v.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

/// `v - 1` for an odd `v` (only the last byte changes).
fn minus_one_odd(v: &[u8]) -> Vec<u8> {
    let mut out = v.to_vec();
    if let Some(last) = out.last_mut() {
        *last &= !1;
    }
    out
}

/// `a < b` for big-endian integers (any lengths, leading zeros allowed).
fn less_than(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (strip_leading_zeros(a), strip_leading_zeros(b));
    (a.len(), a) < (b.len(), b)
}

/// `v` as exactly `len` big-endian bytes: left-padded with zeros, or its last `len` bytes
/// (callers ensure any dropped bytes are zero: values below `p`). Constant-time in the
/// bytes' values, so it may carry secrets.
fn last_bytes(v: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; len];
    if v.len() >= len {
        out.copy_from_slice(v.get(v.len() - len..)?);
    } else {
        out.get_mut(len - v.len()..)?.copy_from_slice(v);
    }
    Some(out)
}

fn precision_for(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(8) * 64).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[path = "ffdhe_test.rs"]
mod tests;
