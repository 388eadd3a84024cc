//! TLS 1.2 ServerKeyExchange and ClientKeyExchange bodies.
//!
//! Neither message says which key exchange it carries: the grammar depends on the
//! negotiated cipher suite (RFC 5246 s7.4.3, s7.4.7). So these types do not implement
//! [`Codec`]; they are decoded with [`ServerKeyExchangePayload::read_with`] /
//! [`ClientKeyExchangePayload::read_with`] given a [`KeyExchangeAlgorithm`], and encoded
//! with their inherent `encode`. Their parts ([`EcdheServerParams`], [`DheServerParams`],
//! [`DigitallySignedStruct`]) are ordinary `Codec` types.

use crate::codec::{encode_prefixed, Codec, ListLength, PayloadU16, PayloadU8, Reader};
use crate::enums::{ECCurveType, HandshakeType, NamedGroup};
use crate::error::InvalidMessage;
use crate::msgs::base::{read_opaque, Random};
use crate::msgs::handshake::{in_field, DigitallySignedStruct};
use crate::prelude::*;

/// The TLS 1.2 key exchange a cipher suite negotiates, which decides how the key exchange
/// messages are parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchangeAlgorithm {
    /// ECDHE_RSA / ECDHE_ECDSA (RFC 8422).
    Ecdhe,
    /// DHE_RSA (RFC 5246 s7.4.3, with RFC 7919 groups).
    Dhe,
    /// Static RSA key transport (RFC 5246 s7.4.7.1): no ServerKeyExchange.
    Rsa,
    /// Plain PSK (RFC 4279 s2): a ServerKeyExchange only to carry an identity hint.
    Psk,
    /// ECDHE_PSK (RFC 5489): the hint and unsigned ECDHE parameters.
    EcdhePsk,
    /// DHE_PSK (RFC 4279 s3): the hint and unsigned DHE parameters.
    DhePsk,
}

impl KeyExchangeAlgorithm {
    /// Whether this is one of the PSK key exchanges (no certificate, no signature).
    pub fn is_psk(self) -> bool {
        matches!(self, Self::Psk | Self::EcdhePsk | Self::DhePsk)
    }
}

const PSK_IDENTITY: ListLength = ListLength::U16;

const EC_POINT: ListLength = ListLength::NonEmptyU8 { context: "ECPoint" };
const DH_P: ListLength = ListLength::NonEmptyU16 { context: "dh_p" };
const DH_G: ListLength = ListLength::NonEmptyU16 { context: "dh_g" };
const DH_YS: ListLength = ListLength::NonEmptyU16 { context: "dh_Ys" };
const DH_YC: ListLength = ListLength::NonEmptyU16 { context: "dh_Yc" };

/// `ServerECDHParams` (RFC 8422 s5.4) restricted to what RFC 8422 still allows:
/// `struct { ECParameters curve_params; ECPoint public; }` with
/// `curve_params = { ECCurveType curve_type = named_curve(3); NamedCurve namedcurve; }` and
/// `opaque point<1..2^8-1>`.
///
/// Explicit curves (explicit_prime(1), explicit_char2(2)) were deprecated by RFC 8422 s5.4
/// ("MUST NOT" be used) and are refused with `IllegalValue` naming them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdheServerParams {
    /// The named group (curve) of the server's ephemeral key.
    pub named_group: NamedGroup,
    /// The server's ephemeral public point (never empty).
    pub public: PayloadU8,
}

impl Codec for EcdheServerParams {
    fn encode(&self, out: &mut Vec<u8>) {
        ECCurveType::NamedCurve.encode(out);
        self.named_group.encode(out);
        self.public.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match ECCurveType::read(r)? {
            ECCurveType::NamedCurve => {}
            ECCurveType::ExplicitPrime | ECCurveType::ExplicitChar2 => {
                return Err(InvalidMessage::IllegalValue(
                    "ECParameters.curve_type: explicit curves are not supported (RFC 8422 s5.4)",
                ))
            }
            _ => return Err(InvalidMessage::IllegalValue("ECParameters.curve_type")),
        }
        let named_group = NamedGroup::read(r)?;
        let public = PayloadU8(read_opaque(r, EC_POINT)?);
        Ok(Self {
            named_group,
            public,
        })
    }
}

/// `ServerDHParams` (RFC 5246 s7.4.3):
/// `struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>; opaque dh_Ys<1..2^16-1>; }`.
///
/// The values are big-endian integers; checking the group (RFC 7919 s3: only known safe
/// groups) and the public value's range is the key exchange's job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DheServerParams {
    /// The prime modulus.
    pub p: PayloadU16,
    /// The generator.
    pub g: PayloadU16,
    /// The server's public value g^X mod p.
    pub ys: PayloadU16,
}

impl Codec for DheServerParams {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(DH_P, out, |out| out.extend_from_slice(&self.p.0));
        encode_prefixed(DH_G, out, |out| out.extend_from_slice(&self.g.0));
        encode_prefixed(DH_YS, out, |out| out.extend_from_slice(&self.ys.0));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let p = PayloadU16(read_opaque(r, DH_P)?);
        let g = PayloadU16(read_opaque(r, DH_G)?);
        let ys = PayloadU16(read_opaque(r, DH_YS)?);
        Ok(Self { p, g, ys })
    }
}

/// The parameters part of a ServerKeyExchange: the bytes that are signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerKeyExchangeParams {
    /// ECDHE parameters.
    Ecdhe(EcdheServerParams),
    /// Finite-field DHE parameters.
    Dhe(DheServerParams),
}

impl ServerKeyExchangeParams {
    /// Which key exchange these parameters belong to.
    pub fn algorithm(&self) -> KeyExchangeAlgorithm {
        match self {
            Self::Ecdhe(_) => KeyExchangeAlgorithm::Ecdhe,
            Self::Dhe(_) => KeyExchangeAlgorithm::Dhe,
        }
    }

    /// Appends the parameters' wire encoding.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Ecdhe(p) => p.encode(out),
            Self::Dhe(p) => p.encode(out),
        }
    }

    /// Reads the parameters of the given key exchange. Static RSA has no
    /// ServerKeyExchange, so `Rsa` is `UnexpectedHandshakeType(ServerKeyExchange)`.
    pub fn read_with(r: &mut Reader<'_>, kx: KeyExchangeAlgorithm) -> Result<Self, InvalidMessage> {
        match kx {
            KeyExchangeAlgorithm::Ecdhe => EcdheServerParams::read(r).map(Self::Ecdhe),
            KeyExchangeAlgorithm::Dhe => DheServerParams::read(r).map(Self::Dhe),
            KeyExchangeAlgorithm::EcdhePsk => EcdheServerParams::read(r).map(Self::Ecdhe),
            KeyExchangeAlgorithm::DhePsk => DheServerParams::read(r).map(Self::Dhe),
            KeyExchangeAlgorithm::Rsa | KeyExchangeAlgorithm::Psk => Err(
                InvalidMessage::UnexpectedHandshakeType(HandshakeType::ServerKeyExchange),
            ),
        }
    }

    /// The exact wire bytes of the parameters. The encoding is canonical (every field
    /// re-encodes as it was read), so these are the bytes the server signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// TLS 1.2 ServerKeyExchange for the signed key exchanges (RFC 5246 s7.4.3, RFC 8422 s5.4):
/// `params` followed by `digitally-signed struct { client_random; server_random; params }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerKeyExchangePayload {
    /// The key exchange parameters.
    pub params: ServerKeyExchangeParams,
    /// The signature over randoms and params.
    pub signature: DigitallySignedStruct,
}

impl ServerKeyExchangePayload {
    /// Reads a ServerKeyExchange body for the negotiated key exchange `kx` (a signed one:
    /// the PSK key exchanges have [`PskServerKeyExchange`]).
    pub fn read_with(r: &mut Reader<'_>, kx: KeyExchangeAlgorithm) -> Result<Self, InvalidMessage> {
        if kx.is_psk() {
            return Err(InvalidMessage::IllegalValue(
                "a PSK ServerKeyExchange is not signed",
            ));
        }
        let params = ServerKeyExchangeParams::read_with(r, kx)?;
        let signature = DigitallySignedStruct::read(r)?;
        Ok(Self { params, signature })
    }

    /// Reads a body that must span all of `bytes`.
    pub fn read_bytes_with(bytes: &[u8], kx: KeyExchangeAlgorithm) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let v = Self::read_with(&mut r, kx)?;
        r.expect_empty("ServerKeyExchange")?;
        Ok(v)
    }

    /// Reads an ECDHE ServerKeyExchange body (whole slice).
    pub fn read_ecdhe(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        Self::read_bytes_with(bytes, KeyExchangeAlgorithm::Ecdhe)
    }

    /// Reads a DHE ServerKeyExchange body (whole slice).
    pub fn read_dhe(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        Self::read_bytes_with(bytes, KeyExchangeAlgorithm::Dhe)
    }

    /// Appends the body's wire encoding.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.params.encode(out);
        self.signature.encode(out);
    }

    /// The body's wire encoding.
    pub fn get_encoding(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// The exact params bytes (see [`ServerKeyExchangeParams::to_bytes`]).
    pub fn params_bytes(&self) -> Vec<u8> {
        self.params.to_bytes()
    }

    /// The message the signature covers (RFC 5246 s7.4.3, RFC 8422 s5.4):
    /// `ClientHello.random || ServerHello.random || params`.
    pub fn signed_message(&self, client_random: &Random, server_random: &Random) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 300);
        client_random.encode(&mut out);
        server_random.encode(&mut out);
        self.params.encode(&mut out);
        out
    }
}

/// TLS 1.2 ServerKeyExchange of the PSK key exchanges (RFC 4279 s2-3, RFC 5489 s2):
/// `opaque psk_identity_hint<0..2^16-1>`, then for DHE_PSK and ECDHE_PSK the (EC)DHE
/// parameters, unsigned (the PSK authenticates them, through the Finished messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskServerKeyExchange {
    /// The identity hint (possibly empty).
    pub hint: PayloadU16,
    /// The (EC)DHE parameters, for DHE_PSK and ECDHE_PSK.
    pub params: Option<ServerKeyExchangeParams>,
}

impl PskServerKeyExchange {
    /// Reads a body that must span all of `bytes`, for the PSK key exchange `kx`.
    pub fn read_bytes_with(bytes: &[u8], kx: KeyExchangeAlgorithm) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let hint = PayloadU16(
            PSK_IDENTITY
                .read_body(&mut r)
                .map_err(|e| in_field(e, "psk_identity_hint"))?
                .rest()
                .to_vec(),
        );
        let params = match kx {
            KeyExchangeAlgorithm::Psk => None,
            KeyExchangeAlgorithm::EcdhePsk | KeyExchangeAlgorithm::DhePsk => {
                Some(ServerKeyExchangeParams::read_with(&mut r, kx)?)
            }
            _ => {
                return Err(InvalidMessage::IllegalValue(
                    "a signed ServerKeyExchange has no identity hint",
                ))
            }
        };
        r.expect_empty("ServerKeyExchange")?;
        Ok(Self { hint, params })
    }

    /// The body's wire encoding.
    pub fn get_encoding(&self) -> Vec<u8> {
        let mut out = Vec::new();
        encode_prefixed(PSK_IDENTITY, &mut out, |out| {
            out.extend_from_slice(&self.hint.0)
        });
        if let Some(p) = &self.params {
            p.encode(&mut out);
        }
        out
    }
}

/// TLS 1.2 ClientKeyExchange (RFC 5246 s7.4.7, RFC 8422 s5.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientKeyExchangePayload {
    /// `ClientECDiffieHellmanPublic`: `opaque point<1..2^8-1>` (the explicit form; the
    /// implicit one needs a fixed-ECDH client certificate, which no suite here uses).
    Ecdhe(PayloadU8),
    /// `ClientDiffieHellmanPublic`: `opaque dh_Yc<1..2^16-1>` (explicit form).
    Dhe(PayloadU16),
    /// `EncryptedPreMasterSecret`: `opaque encrypted_pre_master_secret<0..2^16-1>`.
    ///
    /// Its contents are never judged here: RFC 5246 s7.4.7.1 requires treating any
    /// malformed ciphertext like a wrong one (Bleichenbacher), so even an empty value
    /// decodes and the server substitutes a random premaster secret.
    Rsa(PayloadU16),
    /// PSK (RFC 4279 s2): `opaque psk_identity<0..2^16-1>`.
    Psk(PayloadU16),
    /// ECDHE_PSK (RFC 5489 s2): the identity, then `ClientECDiffieHellmanPublic`.
    EcdhePsk(PayloadU16, PayloadU8),
    /// DHE_PSK (RFC 4279 s3): the identity, then `ClientDiffieHellmanPublic`.
    DhePsk(PayloadU16, PayloadU16),
}

impl ClientKeyExchangePayload {
    /// The PSK identity of a PSK key exchange.
    pub fn psk_identity(&self) -> Option<&[u8]> {
        match self {
            Self::Psk(id) | Self::EcdhePsk(id, _) | Self::DhePsk(id, _) => Some(&id.0),
            _ => None,
        }
    }

    /// Which key exchange this value belongs to.
    pub fn algorithm(&self) -> KeyExchangeAlgorithm {
        match self {
            Self::Ecdhe(_) => KeyExchangeAlgorithm::Ecdhe,
            Self::Dhe(_) => KeyExchangeAlgorithm::Dhe,
            Self::Rsa(_) => KeyExchangeAlgorithm::Rsa,
            Self::Psk(_) => KeyExchangeAlgorithm::Psk,
            Self::EcdhePsk(..) => KeyExchangeAlgorithm::EcdhePsk,
            Self::DhePsk(..) => KeyExchangeAlgorithm::DhePsk,
        }
    }

    /// Reads a ClientKeyExchange body for the negotiated key exchange `kx`.
    pub fn read_with(r: &mut Reader<'_>, kx: KeyExchangeAlgorithm) -> Result<Self, InvalidMessage> {
        Ok(match kx {
            KeyExchangeAlgorithm::Ecdhe => Self::Ecdhe(PayloadU8(read_opaque(r, EC_POINT)?)),
            KeyExchangeAlgorithm::Dhe => Self::Dhe(PayloadU16(read_opaque(r, DH_YC)?)),
            KeyExchangeAlgorithm::Rsa => {
                Self::Rsa(PayloadU16::read(r).map_err(|e| in_field(e, "EncryptedPreMasterSecret"))?)
            }
            KeyExchangeAlgorithm::Psk => Self::Psk(read_psk_identity(r)?),
            KeyExchangeAlgorithm::EcdhePsk => {
                let id = read_psk_identity(r)?;
                Self::EcdhePsk(id, PayloadU8(read_opaque(r, EC_POINT)?))
            }
            KeyExchangeAlgorithm::DhePsk => {
                let id = read_psk_identity(r)?;
                Self::DhePsk(id, PayloadU16(read_opaque(r, DH_YC)?))
            }
        })
    }

    /// Reads a body that must span all of `bytes`.
    pub fn read_bytes_with(bytes: &[u8], kx: KeyExchangeAlgorithm) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let v = Self::read_with(&mut r, kx)?;
        r.expect_empty("ClientKeyExchange")?;
        Ok(v)
    }

    /// Appends the body's wire encoding.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Ecdhe(p) => encode_prefixed(EC_POINT, out, |out| out.extend_from_slice(&p.0)),
            Self::Dhe(p) => encode_prefixed(DH_YC, out, |out| out.extend_from_slice(&p.0)),
            Self::Rsa(p) => p.encode(out),
            Self::Psk(id) => encode_psk_identity(id, out),
            Self::EcdhePsk(id, p) => {
                encode_psk_identity(id, out);
                encode_prefixed(EC_POINT, out, |out| out.extend_from_slice(&p.0));
            }
            Self::DhePsk(id, p) => {
                encode_psk_identity(id, out);
                encode_prefixed(DH_YC, out, |out| out.extend_from_slice(&p.0));
            }
        }
    }

    /// The body's wire encoding.
    pub fn get_encoding(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// The public value or encrypted premaster secret carried (empty for plain PSK).
    pub fn value(&self) -> &[u8] {
        match self {
            Self::Ecdhe(p) | Self::EcdhePsk(_, p) => &p.0,
            Self::Dhe(p) | Self::Rsa(p) | Self::DhePsk(_, p) => &p.0,
            Self::Psk(_) => &[],
        }
    }
}

fn read_psk_identity(r: &mut Reader<'_>) -> Result<PayloadU16, InvalidMessage> {
    let mut body = PSK_IDENTITY
        .read_body(r)
        .map_err(|e| in_field(e, "psk_identity"))?;
    Ok(PayloadU16(body.rest().to_vec()))
}

fn encode_psk_identity(id: &PayloadU16, out: &mut Vec<u8>) {
    encode_prefixed(PSK_IDENTITY, out, |out| out.extend_from_slice(&id.0));
}

/// The TLS 1.2 PSK premaster secret (RFC 4279 s2): `uint16 len || other_secret || uint16
/// len || psk`, where other_secret is `len(psk)` zero bytes for plain PSK and the (EC)DH
/// shared secret for DHE_PSK / ECDHE_PSK. Built in memory wiped on drop.
pub fn psk_premaster(other: Option<&[u8]>, psk: &[u8]) -> zeroize::Zeroizing<Vec<u8>> {
    let zeros = zeroize::Zeroizing::new(vec![0u8; psk.len()]);
    let other = other.unwrap_or(&zeros);
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(4 + other.len() + psk.len()));
    // Both lengths fit: a PSK is at most 2^16-1 bytes (`ExternalPsk::new` and
    // `psk_found` refuse longer ones), other_secret is a key exchange's (a few hundred
    // bytes). A longer value would be cut, never written with a wrong length.
    for part in [other, psk] {
        let part = &part[..part.len().min(0xffff)];
        out.extend_from_slice(&(part.len() as u16).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

#[cfg(test)]
#[path = "kx_test.rs"]
mod tests;
