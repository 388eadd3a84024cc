//! A server's certificate chain and private key from PEM in one call, the pair checked:
//! [`certified_key_from_pem`]. Light on purpose: it needs only the PEM decoder and the
//! engine, so it is available with `default-features = false, features = ["pem"]`,
//! without the PKCS#12 and legacy-cipher crates. Encrypted keys and PKCS#12 files are
//! [`crate::keys`]'s and [`crate::pkcs12`]'s (the default `full` feature).

use core::fmt;

use sanstls::crypto::sign::load_private_key;
use sanstls::server::CertifiedKey;
use zeroize::Zeroizing;

use super::{parse, PemError};

/// Why [`certified_key_from_pem`] refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PemKeyError {
    /// A file is not well-formed PEM.
    Pem(PemError),
    /// The certificate file holds no `CERTIFICATE` block.
    NoCertificate,
    /// The key file holds no unencrypted key block (`PRIVATE KEY`, `RSA PRIVATE KEY`,
    /// `EC PRIVATE KEY`).
    NoKey,
    /// The key is encrypted (`ENCRYPTED PRIVATE KEY`, or a traditional `Proc-Type`
    /// header): decrypt it with [`crate::keys`] (the `full` feature).
    EncryptedKey,
    /// A SEC1 `EC PRIVATE KEY` that is malformed or names no curve (neither in the key nor
    /// in an `EC PARAMETERS` block).
    MalformedEcKey,
    /// The engine refused the key or the pair: an unsupported key type, or a key that is
    /// not the private half of the leaf certificate's public key
    /// (`sanstls::Error::BadConfiguration`).
    Refused(sanstls::Error),
}

impl fmt::Display for PemKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "PEM: {e}"),
            Self::NoCertificate => f.write_str("no CERTIFICATE block"),
            Self::NoKey => {
                f.write_str("no private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)")
            }
            Self::EncryptedKey => f.write_str("the private key is encrypted"),
            Self::MalformedEcKey => f.write_str("malformed EC PRIVATE KEY"),
            Self::Refused(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PemKeyError {}

impl From<PemError> for PemKeyError {
    fn from(e: PemError) -> Self {
        Self::Pem(e)
    }
}

/// A server's [`CertifiedKey`] from a PEM chain (leaf first, as servers' chain files are)
/// and a PEM private key: unencrypted PKCS#8 (`PRIVATE KEY`: RSA, ECDSA P-256/P-384/P-521,
/// Ed25519), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`, with or without a
/// preceding `EC PARAMETERS` block). The pair is checked: a key that is not the leaf's is
/// refused (`PemKeyError::Refused`). The key's decoded bytes are wiped once the engine has
/// them. Text around the blocks is ignored, as OpenSSL and Node ignore it.
///
/// ```
/// # fn f() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/keys/");
/// # let cert_pem = std::fs::read(format!("{dir}p256.crt"))?;
/// # let key_pem = std::fs::read(format!("{dir}p256.pk8.pem"))?;
/// let certified = sanstls_pki::pem::certified_key_from_pem(&cert_pem, &key_pem)?;
/// let config = sanstls::ServerConfig::new(vec![certified]);
/// # let _ = config; Ok(()) }
/// ```
pub fn certified_key_from_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<CertifiedKey, PemKeyError> {
    let chain: Vec<Vec<u8>> = parse(cert_pem)?
        .into_iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| b.der)
        .collect();
    if chain.is_empty() {
        return Err(PemKeyError::NoCertificate);
    }
    let key = Zeroizing::new(key_der(key_pem)?);
    let key = load_private_key(&key).map_err(PemKeyError::Refused)?;
    CertifiedKey::new(chain, key).map_err(PemKeyError::Refused)
}

/// The key block's DER, as PKCS#8 or PKCS#1 (which the engine loads).
fn key_der(key_pem: &[u8]) -> Result<Vec<u8>, PemKeyError> {
    let blocks = parse(key_pem)?;
    let mut params: Option<Vec<u8>> = None;
    let mut found = None;
    for b in blocks {
        match b.label.as_str() {
            "EC PARAMETERS" => params = Some(b.der.clone()),
            "ENCRYPTED PRIVATE KEY" => return Err(PemKeyError::EncryptedKey),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                if b.header("Proc-Type").is_some() || b.header("DEK-Info").is_some() {
                    return Err(PemKeyError::EncryptedKey);
                }
                found = Some(b);
                break;
            }
            _ => {}
        }
    }
    let Some(block) = found else {
        return Err(PemKeyError::NoKey);
    };
    let der = Zeroizing::new(block.der.clone());
    let mut block = block;
    zeroize::Zeroize::zeroize(&mut block.der);
    match block.label.as_str() {
        "EC PRIVATE KEY" => {
            sec1_to_pkcs8(&der, params.as_deref()).ok_or(PemKeyError::MalformedEcKey)
        }
        _ => Ok(der.to_vec()),
    }
}

/// One DER TLV: (tag, contents, the whole TLV, what follows it).
type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// The DER TLV at the start of `input`.
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => (usize::from(*rest.first()?), rest.get(1..)?),
        0x82 => (
            usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?])),
            rest.get(2..)?,
        ),
        _ => return None,
    };
    let contents = rest.get(..len)?;
    let whole_len = input.len() - rest.len() + len;
    Some((tag, contents, input.get(..whole_len)?, rest.get(len..)?))
}

fn encode_tlv(tag: u8, contents: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    match contents.len() {
        n @ 0..=0x7f => out.push(n as u8),
        n @ 0x80..=0xff => out.extend_from_slice(&[0x81, n as u8]),
        n => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(contents);
}

/// id-ecPublicKey (1.2.840.10045.2.1), as a DER OID.
const EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// Wraps a SEC1 ECPrivateKey (RFC 5915) in PKCS#8 (RFC 5208), the curve taken from its
/// `[0]` parameters or else from `params` (an `EC PARAMETERS` block: the curve's OID).
fn sec1_to_pkcs8(sec1: &[u8], params: Option<&[u8]>) -> Option<Vec<u8>> {
    let (0x30, body, _, []) = tlv(sec1)? else {
        return None;
    };
    let (0x02, [1], _, rest) = tlv(body)? else {
        return None;
    };
    let (0x04, _, _, mut rest) = tlv(rest)? else {
        return None;
    };
    let mut curve = None;
    while !rest.is_empty() {
        let (tag, contents, _, next) = tlv(rest)?;
        if tag == 0xa0 {
            curve = Some(contents);
        }
        rest = next;
    }
    let curve = match (curve, params) {
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return None,
    };
    let (0x06, _, oid, []) = tlv(curve)? else {
        return None;
    };
    let mut algorithm = EC_PUBLIC_KEY.to_vec();
    algorithm.extend_from_slice(oid);
    let mut body = Vec::with_capacity(sec1.len() + 64);
    body.extend_from_slice(&[0x02, 0x01, 0x00]);
    encode_tlv(0x30, &algorithm, &mut body);
    encode_tlv(0x04, sec1, &mut body);
    let body = Zeroizing::new(body);
    let mut out = Vec::with_capacity(body.len() + 4);
    encode_tlv(0x30, &body, &mut out);
    Some(out)
}

#[cfg(test)]
#[path = "pem_key_test.rs"]
mod tests;
