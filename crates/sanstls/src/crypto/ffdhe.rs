//! Finite-field Diffie-Hellman for TLS 1.2 DHE (RFC 5246 s8.1.2, RFC 7919).
//!
//! ring has no finite-field DH, so the modular exponentiation is RustCrypto's
//! `crypto-bigint`, whose Montgomery `pow` is constant-time in the (secret) exponent. The
//! private exponent comes from the injected random source. Peer values are checked
//! (1 < y < p-1, RFC 7919 s5.1) and groups under 1024 bits are refused, as Node refuses
//! `dhparam` below 1024 bits and its clients refuse servers below `minDHSize`.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use der::{Decode, Sequence};
use zeroize::Zeroizing;

use super::kx::SharedSecret;
use crate::enums::NamedGroup;
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::rand::RandomSource;

/// RFC 7919 Appendix A ffdhe2048 prime (generator 2).
const FFDHE2048_P: &str = concat!(
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE",
    "249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3",
    "B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182",
    "B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D70",
    "9E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC",
    "2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF",
);

/// RFC 7919 Appendix A ffdhe3072 prime (generator 2).
const FFDHE3072_P: &str = concat!(
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE",
    "249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3",
    "B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182",
    "B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D70",
    "9E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC",
    "2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C0238",
    "61B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91CAEFE130985139270B4130C93BC437944F4FD4452",
    "E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0DABC521979B0DEADA1DBF9A42D5C4484E",
    "0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B66C62E37FFFFFFFFFFFFFFFF",
);

/// RFC 7919 Appendix A ffdhe4096 prime (generator 2).
const FFDHE4096_P: &str = concat!(
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE",
    "249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3",
    "B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182",
    "B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D70",
    "9E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC",
    "2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C0238",
    "61B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91CAEFE130985139270B4130C93BC437944F4FD4452",
    "E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0DABC521979B0DEADA1DBF9A42D5C4484E",
    "0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB7930E9E4E58857B6AC7D5F42",
    "D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832A907600A918130C4",
    "6DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF8EC9B55A",
    "7F88A46B4DB5A851F44182E1C68A007E5E655F6AFFFFFFFFFFFFFFFF",
);

/// The smallest modulus we accept or configure, in bits.
pub const MIN_DH_BITS: usize = 1024;

/// A finite-field group: prime modulus `p` and generator `g` (big-endian, no leading zeros).
#[derive(Clone, PartialEq, Eq)]
pub struct DhGroup {
    p: Vec<u8>,
    g: Vec<u8>,
}

impl core::fmt::Debug for DhGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DhGroup({} bits)", self.bits())
    }
}

/// PKCS#3 `DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER, privateValueLength
/// INTEGER OPTIONAL }`, what `openssl dhparam` writes in a `DH PARAMETERS` PEM block.
#[derive(Sequence)]
struct DhParameter<'a> {
    prime: der::asn1::UintRef<'a>,
    base: der::asn1::UintRef<'a>,
    private_value_length: Option<u32>,
}

fn strip(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

impl DhGroup {
    /// Custom parameters (Node's `dhparam`): an odd modulus of at least 1024 bits and a
    /// generator in 2..p-2.
    pub fn new(p: &[u8], g: &[u8]) -> Result<Self, Error> {
        let (p, g) = (strip(p).to_vec(), strip(g).to_vec());
        let group = Self { p, g };
        if group.bits() < MIN_DH_BITS {
            return Err(Error::BadConfiguration(
                "DH parameters smaller than 1024 bits",
            ));
        }
        if group.p.last().is_none_or(|b| b & 1 == 0) {
            return Err(Error::BadConfiguration("DH modulus is even"));
        }
        if !group.in_range(&group.g) {
            return Err(Error::BadConfiguration("DH generator outside 2..p-2"));
        }
        Ok(group)
    }

    /// Parameters a server sent in its ServerKeyExchange: refused with illegal_parameter if
    /// malformed, and with insufficient_security below `min_bits` (Node's `minDHSize`).
    pub fn from_peer(p: &[u8], g: &[u8], min_bits: usize) -> Result<Self, Error> {
        let (p, g) = (strip(p).to_vec(), strip(g).to_vec());
        let group = Self { p, g };
        if group.p.last().is_none_or(|b| b & 1 == 0) || !group.in_range(&group.g) {
            return Err(PeerMisbehaved::Other("invalid DH parameters").into());
        }
        check_min_size(&group, min_bits)?;
        Ok(group)
    }

    /// The RFC 7919 group these parameters are, if any.
    pub fn named(&self) -> Option<NamedGroup> {
        [
            NamedGroup::FFDHE2048,
            NamedGroup::FFDHE3072,
            NamedGroup::FFDHE4096,
        ]
        .into_iter()
        .find(|n| Self::from_named(*n).as_ref() == Some(self))
    }

    /// Parameters from DER `DHParameter` (trailing data refused).
    pub fn from_der(der_bytes: &[u8]) -> Result<Self, Error> {
        let params = DhParameter::from_der(der_bytes)
            .map_err(|_| Error::BadConfiguration("DH parameters are not DER DHParameter"))?;
        Self::new(params.prime.as_bytes(), params.base.as_bytes())
    }

    /// The RFC 7919 group named `group`, if it is one we embed.
    pub fn from_named(group: NamedGroup) -> Option<Self> {
        let p = match group {
            NamedGroup::FFDHE2048 => FFDHE2048_P,
            NamedGroup::FFDHE3072 => FFDHE3072_P,
            NamedGroup::FFDHE4096 => FFDHE4096_P,
            _ => return None,
        };
        Some(Self {
            p: hex::decode(p).ok()?,
            g: vec![2],
        })
    }

    /// ffdhe2048 (RFC 7919), the default group for `dhparam: 'auto'`-style use.
    pub fn ffdhe2048() -> Self {
        Self::from_named(NamedGroup::FFDHE2048).unwrap_or_else(|| Self {
            p: vec![],
            g: vec![],
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        match self.p.first() {
            Some(b) => self.p.len() * 8 - b.leading_zeros() as usize,
            None => 0,
        }
    }

    /// The prime modulus.
    pub fn p(&self) -> &[u8] {
        &self.p
    }

    /// The generator.
    pub fn g(&self) -> &[u8] {
        &self.g
    }

    /// Whether `y` (big-endian) lies in 2..p-2, i.e. 1 < y < p-1 (RFC 7919 s5.1).
    fn in_range(&self, y: &[u8]) -> bool {
        let y = strip(y);
        if y.is_empty() || y == [1] || y.len() > self.p.len() {
            return false;
        }
        // y < p - 1  <=>  y + 1 < p; compare y with p - 1 as equal-length big-endian.
        let mut p_minus_1 = self.p.clone();
        if let Some(last) = p_minus_1.last_mut() {
            *last &= !1; // p is odd
        }
        let mut padded = vec![0u8; self.p.len() - y.len()];
        padded.extend_from_slice(y);
        padded < p_minus_1
    }
}

/// Refuses a server's group smaller than the client's `minDHSize` (RFC 7919 s4: a client
/// that finds the group too weak aborts with insufficient_security).
pub fn check_min_size(group: &DhGroup, min_bits: usize) -> Result<(), Error> {
    match group.bits() >= min_bits.max(MIN_DH_BITS) {
        true => Ok(()),
        false => Err(PeerIncompatible::DhGroupTooSmall.into()),
    }
}

/// One side of a finite-field DH exchange.
pub struct DhKeyExchange {
    params: BoxedMontyParams,
    p_len: usize,
    group: DhGroup,
    secret: Zeroizing<Vec<u8>>,
    public: Vec<u8>,
}

impl core::fmt::Debug for DhKeyExchange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DhKeyExchange({:?})", self.group)
    }
}

impl DhKeyExchange {
    /// A key pair in `group`: the private exponent is 256 random bits for groups up to
    /// 2048 bits and 384 above (above RFC 7919 s5.2's 225/275/325-bit minimums).
    pub fn start(group: &DhGroup, rng: &dyn RandomSource) -> Result<Self, Error> {
        let p = Odd::new(BoxedUint::from_be_slice_vartime(&group.p))
            .into_option()
            .ok_or(Error::BadConfiguration("DH modulus is even"))?;
        let precision = p.as_ref().bits_precision();
        let params = BoxedMontyParams::new_vartime(p);
        let exp_len = if group.bits() <= 2048 { 32 } else { 48 };
        let mut secret = Zeroizing::new(vec![0u8; exp_len]);
        rng.fill(&mut secret)?;
        // An all-zero exponent would make the public value 1.
        secret[0] |= 0x80;
        let public = Self::power(&params, precision, &group.g, &secret, group.p.len())?;
        Ok(Self {
            params,
            p_len: group.p.len(),
            group: group.clone(),
            secret,
            public,
        })
    }

    fn power(
        params: &BoxedMontyParams,
        precision: u32,
        base: &[u8],
        exponent: &[u8],
        out_len: usize,
    ) -> Result<Vec<u8>, Error> {
        let base = BoxedUint::from_be_slice(base, precision)
            .map_err(|_| Error::ApiMisuse("DH base longer than the modulus"))?;
        let exp_bits = u32::try_from(exponent.len() * 8).unwrap_or(u32::MAX);
        let exponent = Zeroizing::new(
            BoxedUint::from_be_slice(exponent, exp_bits.next_multiple_of(64))
                .map_err(|_| Error::ApiMisuse("DH exponent"))?,
        );
        let result = BoxedMontyForm::new(base, params).pow(&exponent).retrieve();
        let bytes = result.to_be_bytes();
        // Big-endian at the limb precision: keep the last `out_len` bytes (the value is
        // below p, so the bytes above are zero).
        Ok(bytes[bytes.len().saturating_sub(out_len)..].to_vec())
    }

    /// The group.
    pub fn group(&self) -> &DhGroup {
        &self.group
    }

    /// Our public value g^x mod p, left-padded to the length of p (RFC 7919 s5.1 requires
    /// the padding for negotiated groups; it is always valid).
    pub fn public_value(&self) -> &[u8] {
        &self.public
    }

    /// Z = peer^x mod p with leading zero bytes stripped: the TLS 1.2 pre-master secret
    /// (RFC 5246 s8.1.2). A peer value outside 2..p-2 is `InvalidKeyShare`.
    pub fn complete(self, peer: &[u8]) -> Result<SharedSecret, Error> {
        let mut z = self.complete_padded(peer)?;
        let first = z.0.iter().position(|&b| b != 0).unwrap_or(z.0.len());
        z.0.drain(..first);
        Ok(z)
    }

    /// Z left-padded to the length of p (RFC 7919 / RFC 8446 usage).
    pub fn complete_padded(self, peer: &[u8]) -> Result<SharedSecret, Error> {
        if peer.len() > self.p_len || !self.group.in_range(peer) {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        let precision = self.params.bits_precision();
        let z = Self::power(
            &self.params,
            precision,
            strip(peer),
            &self.secret,
            self.p_len,
        )?;
        Ok(SharedSecret(Zeroizing::new(z)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::{ReplayRandom, SystemRandom};

    #[test]
    fn named_groups_match_openssl() {
        // `openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdheN` writes the same
        // p and g=2 as DER DHParameter; the constants were taken from there and are
        // checked here for size and the RFC 7919 shape (64 one-bits at both ends).
        for (g, bits) in [
            (NamedGroup::FFDHE2048, 2048),
            (NamedGroup::FFDHE3072, 3072),
            (NamedGroup::FFDHE4096, 4096),
        ] {
            let group = DhGroup::from_named(g).unwrap();
            assert_eq!(group.bits(), bits);
            assert_eq!(&group.p()[..8], &[0xff; 8]);
            assert_eq!(&group.p()[group.p().len() - 8..], &[0xff; 8]);
            assert_eq!(group.g(), [2]);
        }
        assert_eq!(DhGroup::from_named(NamedGroup::X25519), None);
    }

    #[test]
    fn both_sides_agree_and_match_a_known_answer() {
        let group = DhGroup::ffdhe2048();
        let a = DhKeyExchange::start(&group, &SystemRandom::new()).unwrap();
        let b = DhKeyExchange::start(&group, &SystemRandom::new()).unwrap();
        assert_eq!(a.public_value().len(), 256);
        let (pa, pb) = (a.public_value().to_vec(), b.public_value().to_vec());
        let za = a.complete_padded(&pb).unwrap();
        let zb = b.complete_padded(&pa).unwrap();
        assert_eq!(*za.0, *zb.0);
        // Known answer computed independently with Python's pow(): exponent bytes
        // 01 02 .. 20 from the pool (top bit forced: 0x81 02 .. 20), g = 2, ffdhe2048.
        let pool: Vec<u8> = (1..=32).collect();
        let k = DhKeyExchange::start(&group, &ReplayRandom::new(pool)).unwrap();
        let expected_public = concat!(
            "3dd87086dfa26748f9d6d73a3d452e4c0888822aebd8447b0def66682929fb79f066e26e09aa2fc1",
            "8959d8a186e2a7bac34a95b9b5bada35ce67707909ace0755d0d69e24f4c46277d097ebf47f3caaf",
            "bd2b468490b8403ce8eabe62b8d2eda363459b17a7fcd8fd7e02df7be50f61bdda6111faa64ebc3f",
            "d8f559838f5721dd2b0378579fd4f3c1880d3399f3631917aa3114dc332265043fc06ab8cc0c649b",
            "2582724f79f12664705454269971544253bcd5f9a7264b8a7074001ede299f2fe42bae6e91f7c5c4",
            "cff2ccb26ec0cfb1a3e38aa50fcdc63d53b7fdb909449285dda4833c46837bc4be15985e5947fe5a",
            "8289f4b2b2a8bd6c9cf721b1a4920c0b",
        );
        assert_eq!(hex::encode(k.public_value()), expected_public);
        // peer = 2^12345678901234567890 mod p; Z = peer^x mod p.
        let peer = hex::decode(concat!(
            "c54564ccfe9a92264e20e2df0c548d6ebe69fc1846bcdd980a63211f64d6b97ed7359267a00825a4",
            "b3ee7d2473ad26993b411dc16db58c32d1b093840a0c301442571405561de499d249681cae571bcd",
            "f814f218bd90d55ea623befb9efeaba4fadef8567fb6be5c16da3486027122f7c058e0aa404a5129",
            "bf6312e736957cc781870af3df9220b04f867409d8eeeb57a34690a914c8fe8874dd0dc1f6bb334d",
            "c65120bbb03b0859203cda10fea70908f0dae567763b96846693081af4f4082bba22641c40b7aa3f",
            "a7afd429aa1b069dd77c2bf3900027d7b58c8ef4b5e808ab5bd25cabc99008669cc7525b03588799",
            "cd248b76951e611b2067c8aa7d9f8f15",
        ))
        .unwrap();
        let expected_z = concat!(
            "5563a6c114d1f4da4a7971f2f336dbb6773847978e3c5115fb28c44866fb3fb7dfd737c882f4ddcb",
            "cfefbebdba9c084dcbe754a01272545a6bd808b46c41f77c98eca474751b3f7614f3aa7a61aa6c82",
            "c0ecf6aaa5d0c4692522fd940c79793a82f5ad6205fa1830e2827293a0d3eb86ae709dbb47780192",
            "949611fc03fb5e1416f0f4843d87c76199332f7366aad787225e41538b516328674668bb4a4b0838",
            "aa611eab5c014d45570b724f018234c11dd0d04f0bc7c8025c877eaa06fb3bbf32b48888eef6c453",
            "700da44501f50a7302156a56a4011350e81fa664930ad5413036d2a2c98b171d00b57dbd84247007",
            "9a6d24b07e761a081543a58fd59392c1",
        );
        assert_eq!(
            hex::encode(&*k.complete_padded(&peer).unwrap().0),
            expected_z
        );
    }

    #[test]
    fn peer_values_out_of_range_are_refused() {
        let group = DhGroup::ffdhe2048();
        let p = group.p().to_vec();
        let mut p_minus_1 = p.clone();
        *p_minus_1.last_mut().unwrap() -= 1;
        let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        for bad in [
            vec![0u8],
            vec![1u8],
            vec![0u8; 256],
            p_minus_1,
            p.clone(),
            vec![0xff; 256],
            vec![1u8; 257],
        ] {
            let kx = DhKeyExchange::start(&group, &SystemRandom::new()).unwrap();
            assert_eq!(
                kx.complete(&bad).unwrap_err(),
                invalid,
                "{:?}",
                &bad[..2.min(bad.len())]
            );
        }
        let kx = DhKeyExchange::start(&group, &SystemRandom::new()).unwrap();
        assert!(kx.complete(&[2]).is_ok(), "2 is in range");
    }

    #[test]
    fn custom_parameters_and_der() {
        // `openssl dhparam -outform DER` style: SEQUENCE { INTEGER p, INTEGER 2 }.
        let group = DhGroup::ffdhe2048();
        let mut body = vec![0x02, 0x82, 0x01, 0x01, 0x00];
        body.extend_from_slice(group.p());
        body.extend_from_slice(&[0x02, 0x01, 0x02]);
        let mut der_bytes = vec![0x30, 0x82, (body.len() >> 8) as u8, body.len() as u8];
        der_bytes.extend_from_slice(&body);
        assert_eq!(DhGroup::from_der(&der_bytes).unwrap(), group);
        let mut trailing = der_bytes.clone();
        trailing.push(0);
        assert!(DhGroup::from_der(&trailing).is_err());
        assert!(DhGroup::from_der(b"garbage").is_err());
        // Too small, even, bad generator.
        assert!(DhGroup::new(&[0xff; 64], &[2]).is_err());
        assert!(DhGroup::new(&[0xfe; 256], &[2]).is_err());
        assert!(DhGroup::new(group.p(), &[1]).is_err());
        assert!(check_min_size(&group, 2048).is_ok());
        assert_eq!(
            check_min_size(&group, 3072),
            Err(PeerIncompatible::DhGroupTooSmall.into())
        );
    }
}
