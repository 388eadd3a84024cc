//! PKCS#12 / PFX files (RFC 7292): Node's `pfx` and `passphrase` options.
//!
//! We read what `openssl pkcs12 -export` writes:
//!
//! | | OpenSSL 3 default | `-legacy` |
//! |---|---|---|
//! | certificate bags | PBES2: PBKDF2-HMAC-SHA-256, AES-256-CBC | pbeWithSHAAnd40BitRC2-CBC |
//! | key bag | PBES2 (same) | pbeWithSHAAnd3-KeyTripleDES-CBC |
//! | MAC | HMAC-SHA-256 | HMAC-SHA-1 |
//!
//! plus 128-bit RC2, unencrypted bags, and files without a MAC (`-nomac`; as in OpenSSL's
//! `PKCS12_parse`, which Node uses, only with an empty passphrase). The MAC key and
//! the legacy cipher keys come from the RFC 7292 appendix B KDF (the pkcs12 crate's `kdf`),
//! the HMAC from ring; the pkcs12 crate parses the structure and we decrypt the bags.
//!
//! When a MAC is present it is checked first, so a wrong passphrase is reported as a MAC
//! failure, as OpenSSL does ("mac verify failure").

use core::fmt;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, InnerIvInit};
use const_oid::ObjectIdentifier;
use der::asn1::{ContextSpecific, OctetString};
use der::{Decode, Encode};
use pkcs12::kdf::{derive_key, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::{PrivateKeyInfo, SafeContents};
use pkcs12::{AuthenticatedSafe, CertBag};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::keys::{self, describe_oid, KeyError, PrivateKey, MAX_KDF_ITERATIONS};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// What a PFX file holds: the key, its certificate, and the other certificates.
#[derive(Clone, Debug)]
pub struct Pkcs12 {
    /// The private key.
    pub key: PrivateKey,
    /// The DER certificate whose public key is the key's (the leaf).
    pub certificate: Vec<u8>,
    /// The other DER certificates (CA / chain), in file order.
    pub ca: Vec<Vec<u8>>,
}

/// Why a PFX file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The DER structure is malformed.
    Malformed {
        /// The structure being read: `PFX`, `AuthenticatedSafe`, `SafeContents`, ...
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The MAC does not verify: a wrong passphrase or a corrupted file.
    MacMismatch,
    /// The file has no MAC but a passphrase was given: OpenSSL's `PKCS12_parse` (and so
    /// Node) refuses this ("mac absent"); without a passphrase such a file is read.
    MacAbsent,
    /// The MAC uses a digest we do not know.
    UnsupportedMac {
        /// The digest OID, with its name when known.
        oid: String,
    },
    /// The file is in public-key integrity or privacy mode (signed or enveloped data).
    UnsupportedContent {
        /// The content type OID, with its name when known.
        oid: String,
    },
    /// A bag is encrypted with a scheme we cannot decrypt.
    UnsupportedEncryption {
        /// The scheme's OID, with its name when known.
        scheme: String,
    },
    /// A key derivation asks for more than [`MAX_KDF_ITERATIONS`] iterations (or fewer
    /// than one).
    BadIterations {
        /// The iteration count in the file.
        count: i64,
    },
    /// The passphrase is not UTF-8 (PKCS#12 turns it into a UTF-16 BMPString).
    PassphraseNotUtf8,
    /// A bag did not decrypt (bad padding) in a file without a MAC: a wrong passphrase.
    WrongPassphrase,
    /// The key bag holds a key we cannot use.
    Key(KeyError),
    /// The file holds no private key.
    NoKey,
    /// No certificate in the file carries the key's public key.
    NoCertificateForKey,
}

impl fmt::Display for Pkcs12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { what, reason } => write!(f, "malformed PKCS#12 {what}: {reason}"),
            Self::MacMismatch => write!(
                f,
                "PKCS#12 MAC verify failure (wrong passphrase or corrupted file)"
            ),
            Self::MacAbsent => write!(
                f,
                "PKCS#12 mac absent: a file without a MAC is only read with an empty passphrase"
            ),
            Self::UnsupportedMac { oid } => write!(f, "unsupported PKCS#12 MAC digest {oid}"),
            Self::UnsupportedContent { oid } => {
                write!(
                    f,
                    "unsupported PKCS#12 content type {oid} (password integrity only)"
                )
            }
            Self::UnsupportedEncryption { scheme } => {
                write!(f, "unsupported PKCS#12 encryption {scheme}")
            }
            Self::BadIterations { count } => write!(
                f,
                "PKCS#12 iteration count {count} out of range 1..={MAX_KDF_ITERATIONS}"
            ),
            Self::PassphraseNotUtf8 => write!(f, "PKCS#12 passphrase is not UTF-8"),
            Self::WrongPassphrase => {
                write!(f, "PKCS#12 bag did not decrypt: wrong passphrase")
            }
            Self::Key(e) => write!(f, "PKCS#12 key: {e}"),
            Self::NoKey => write!(f, "PKCS#12 file has no private key"),
            Self::NoCertificateForKey => {
                write!(
                    f,
                    "PKCS#12 file has no certificate matching its private key"
                )
            }
        }
    }
}

impl std::error::Error for Pkcs12Error {}

fn malformed(what: &'static str, e: impl fmt::Display) -> Pkcs12Error {
    Pkcs12Error::Malformed {
        what,
        reason: e.to_string(),
    }
}

/// The passphrase in the two encodings PKCS#12 uses: raw bytes for PBES2 (as OpenSSL
/// passes them to PBKDF2) and a NUL-terminated UTF-16BE BMPString for the appendix B KDF.
struct Passphrase {
    raw: Zeroizing<Vec<u8>>,
    bmp: Zeroizing<Vec<u8>>,
}

impl Passphrase {
    fn new(raw: &[u8]) -> Result<Self, Pkcs12Error> {
        Ok(Self {
            raw: Zeroizing::new(raw.to_vec()),
            bmp: bmp_password(raw)?,
        })
    }

    /// OpenSSL's other reading of an empty passphrase: no password at all (zero bytes
    /// rather than the two-byte terminator), which some tools write.
    fn absent() -> Self {
        Self {
            raw: Zeroizing::new(Vec::new()),
            bmp: Zeroizing::new(Vec::new()),
        }
    }
}

/// A UTF-8 passphrase as the NUL-terminated UTF-16BE BMPString of RFC 7292 appendix B.1.
pub(crate) fn bmp_password(raw: &[u8]) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    let text = core::str::from_utf8(raw).map_err(|_| Pkcs12Error::PassphraseNotUtf8)?;
    let mut bmp = Zeroizing::new(Vec::with_capacity(raw.len() * 4 + 2));
    for unit in text.encode_utf16() {
        bmp.extend_from_slice(&unit.to_be_bytes());
    }
    bmp.extend_from_slice(&[0, 0]);
    Ok(bmp)
}

fn check_iterations(count: i64) -> Result<i32, Pkcs12Error> {
    match i32::try_from(count) {
        Ok(n) if n >= 1 && u64::try_from(n).is_ok_and(|n| n <= MAX_KDF_ITERATIONS) => Ok(n),
        _ => Err(Pkcs12Error::BadIterations { count }),
    }
}

/// The RFC 7292 appendix B KDF with the hash `oid` names.
fn kdf(
    digest: ObjectIdentifier,
    password: &[u8],
    salt: &[u8],
    id: Pkcs12KeyType,
    rounds: i32,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    let out = match digest {
        SHA1 => derive_key::<sha1::Sha1>(password, salt, id, rounds, len),
        SHA256 => derive_key::<sha2::Sha256>(password, salt, id, rounds, len),
        SHA384 => derive_key::<sha2::Sha384>(password, salt, id, rounds, len),
        SHA512 => derive_key::<sha2::Sha512>(password, salt, id, rounds, len),
        other => {
            return Err(Pkcs12Error::UnsupportedMac {
                oid: describe_oid(&other),
            })
        }
    };
    Ok(Zeroizing::new(out))
}

/// Checks the MAC over the authenticated safe (RFC 7292 s4, appendix B).
fn verify_mac(
    mac: &pkcs12::MacData,
    auth_safe: &[u8],
    password: &Passphrase,
) -> Result<(), Pkcs12Error> {
    let (hmac, len) = match mac.mac.algorithm.oid {
        SHA1 => (ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, 20),
        SHA256 => (ring::hmac::HMAC_SHA256, 32),
        SHA384 => (ring::hmac::HMAC_SHA384, 48),
        SHA512 => (ring::hmac::HMAC_SHA512, 64),
        other => {
            return Err(Pkcs12Error::UnsupportedMac {
                oid: describe_oid(&other),
            })
        }
    };
    let rounds = check_iterations(i64::from(mac.iterations))?;
    let key = kdf(
        mac.mac.algorithm.oid,
        &password.bmp,
        mac.mac_salt.as_bytes(),
        Pkcs12KeyType::Mac,
        rounds,
        len,
    )?;
    let key = ring::hmac::Key::new(hmac, &key);
    ring::hmac::verify(&key, auth_safe, mac.mac.digest.as_bytes())
        .map_err(|_| Pkcs12Error::MacMismatch)
}

/// Reads a DER PFX file with `passphrase` (empty when Node's `passphrase` is absent).
pub fn parse(der: &[u8], passphrase: &[u8]) -> Result<Pkcs12, Pkcs12Error> {
    let pfx = Pfx::from_der(der).map_err(|e| malformed("PFX", e))?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(Pkcs12Error::UnsupportedContent {
            oid: describe_oid(&pfx.auth_safe.content_type),
        });
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(|e| malformed("PFX authSafe", e))?;
    let mut password = Passphrase::new(passphrase)?;
    let verified = match &pfx.mac_data {
        Some(mac) => {
            match verify_mac(mac, auth_safe.as_bytes(), &password) {
                Ok(()) => {}
                // OpenSSL retries an empty passphrase as "no passphrase".
                Err(Pkcs12Error::MacMismatch) if passphrase.is_empty() => {
                    let absent = Passphrase::absent();
                    verify_mac(mac, auth_safe.as_bytes(), &absent)?;
                    password = absent;
                }
                Err(e) => return Err(e),
            }
            true
        }
        // As OpenSSL's PKCS12_parse: no MAC is only fine with no passphrase.
        None if !passphrase.is_empty() => return Err(Pkcs12Error::MacAbsent),
        None => false,
    };
    let safes = AuthenticatedSafe::from_der(auth_safe.as_bytes())
        .map_err(|e| malformed("AuthenticatedSafe", e))?;
    let mut keys = Vec::new();
    let mut certs = Vec::new();
    for safe in safes {
        let contents: Zeroizing<Vec<u8>> = match safe.content_type {
            ID_DATA => Zeroizing::new(
                safe.content
                    .decode_as::<OctetString>()
                    .map_err(|e| malformed("AuthenticatedSafe data", e))?
                    .into_bytes()
                    .into(),
            ),
            ID_ENCRYPTED_DATA => {
                let data = safe
                    .content
                    .decode_as::<pkcs12::cms::encrypted_data::EncryptedData>()
                    .map_err(|e| malformed("EncryptedData", e))?;
                let info = data.enc_content_info;
                let ciphertext = info
                    .encrypted_content
                    .ok_or_else(|| malformed("EncryptedData", "no encrypted content"))?;
                decrypt(
                    &info.content_enc_alg,
                    ciphertext.as_bytes(),
                    &password,
                    verified,
                )?
            }
            other => {
                return Err(Pkcs12Error::UnsupportedContent {
                    oid: describe_oid(&other),
                })
            }
        };
        let bags = SafeContents::from_der(&contents).map_err(|e| malformed("SafeContents", e))?;
        for bag in bags {
            match bag.bag_id {
                pkcs12::PKCS_12_KEY_BAG_OID => {
                    // An unencrypted PKCS#8 v1 key (`openssl pkcs12 -export -keypbe NONE`).
                    let wrapped = ContextSpecific::<PrivateKeyInfo>::from_der(&bag.bag_value)
                        .map_err(|e| malformed("keyBag", e))?;
                    let der =
                        Zeroizing::new(wrapped.value.to_der().map_err(|e| malformed("keyBag", e))?);
                    keys.push(PrivateKey::from_pkcs8_der(&der).map_err(Pkcs12Error::Key)?);
                }
                pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
                    let wrapped =
                        ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)
                            .map_err(|e| malformed("pkcs8ShroudedKeyBag", e))?;
                    let info = wrapped.value;
                    let der = decrypt(
                        &info.encryption_algorithm,
                        info.encrypted_data.as_bytes(),
                        &password,
                        verified,
                    )?;
                    let key = PrivateKey::from_pkcs8_der(&der).map_err(|e| match e {
                        KeyError::Malformed { .. } if !verified => Pkcs12Error::WrongPassphrase,
                        e => Pkcs12Error::Key(e),
                    })?;
                    keys.push(key);
                }
                pkcs12::PKCS_12_CERT_BAG_OID => {
                    let wrapped = ContextSpecific::<CertBag>::from_der(&bag.bag_value)
                        .map_err(|e| malformed("certBag", e))?;
                    // sdsiCertificate bags (never written by OpenSSL) are skipped.
                    if wrapped.value.cert_id == X509_CERTIFICATE {
                        certs.push(wrapped.value.cert_value.into_bytes().into());
                    }
                }
                // CRL, secret and nested bags carry nothing Node uses.
                _ => {}
            }
        }
    }
    let key = keys.into_iter().next().ok_or(Pkcs12Error::NoKey)?;
    let leaf = certs
        .iter()
        .position(|c: &Vec<u8>| key.matches_certificate(c).is_ok())
        .ok_or(Pkcs12Error::NoCertificateForKey)?;
    let certificate = certs.remove(leaf);
    Ok(Pkcs12 {
        key,
        certificate,
        ca: certs,
    })
}

/// The PKCS#12 PBE schemes of RFC 7292 appendix C we decrypt.
const PBE_SHA_3DES: ObjectIdentifier = pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC;
const PBE_SHA_RC2_128: ObjectIdentifier = pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC;
const PBE_SHA_RC2_40: ObjectIdentifier = pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC;

/// Decrypts a bag or an encrypted safe: PBES2, or a PKCS#12 PBE scheme. After a verified
/// MAC the passphrase is right, so bad padding means a corrupted file, not a wrong
/// passphrase.
fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    password: &Passphrase,
    verified: bool,
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    let bad_padding = || {
        if verified {
            malformed("encrypted bag", "bad padding after decryption")
        } else {
            Pkcs12Error::WrongPassphrase
        }
    };
    if algorithm.oid == keys::PBES2 {
        return keys::decrypt_pbes2(algorithm, ciphertext, &password.raw).map_err(|e| match e {
            KeyError::WrongPassphrase { .. } => bad_padding(),
            KeyError::UnsupportedEncryption { scheme } => {
                Pkcs12Error::UnsupportedEncryption { scheme }
            }
            KeyError::TooManyIterations { count } => Pkcs12Error::BadIterations {
                count: i64::try_from(count).unwrap_or(i64::MAX),
            },
            e => Pkcs12Error::Key(e),
        });
    }
    decrypt_pkcs12_pbe(algorithm, ciphertext, &password.bmp)?.ok_or_else(bad_padding)
}

/// Whether `oid` is a PKCS#12 PBE scheme we decrypt (RFC 7292 appendix C).
pub(crate) fn is_pkcs12_pbe(oid: &ObjectIdentifier) -> bool {
    [PBE_SHA_3DES, PBE_SHA_RC2_128, PBE_SHA_RC2_40].contains(oid)
}

/// Decrypts with a PKCS#12 PBE scheme (appendix C: SHA-1 appendix B KDF, 3DES or RC2 CBC),
/// with the BMPString password. `Ok(None)` is bad padding. Also used for encrypted PKCS#8
/// keys, where OpenSSL 1.0's `openssl pkcs8 -topk8` wrote pbeWithSHAAnd3-KeyTripleDES-CBC.
pub(crate) fn decrypt_pkcs12_pbe(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    bmp_password: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, Pkcs12Error> {
    let (key_len, effective_bits) = match algorithm.oid {
        PBE_SHA_3DES => (24, 0),
        PBE_SHA_RC2_128 => (16, 128),
        PBE_SHA_RC2_40 => (5, 40),
        other => {
            return Err(Pkcs12Error::UnsupportedEncryption {
                scheme: describe_oid(&other),
            })
        }
    };
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| malformed("PBE parameters", "absent"))?
        .decode_as::<Pkcs12PbeParams>()
        .map_err(|e| malformed("PBE parameters", e))?;
    let rounds = check_iterations(i64::from(params.iterations))?;
    let salt = params.salt.as_bytes();
    let key = kdf(
        SHA1,
        bmp_password,
        salt,
        Pkcs12KeyType::EncryptionKey,
        rounds,
        key_len,
    )?;
    let iv = kdf(SHA1, bmp_password, salt, Pkcs12KeyType::Iv, rounds, 8)?;
    Ok(if effective_bits == 0 {
        keys::cbc_decrypt::<des::TdesEde3>(&key, &iv, ciphertext)
    } else {
        let rc2 = rc2::Rc2::new_with_eff_key_len(&key, effective_bits);
        rc2_cbc_decrypt(rc2, &iv, ciphertext)
    })
}

/// RC2-CBC needs the cipher built with its effective key length, which `KeyInit` cannot
/// say: the CBC decryptor is built around the cipher instead.
fn rc2_cbc_decrypt(cipher: rc2::Rc2, iv: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let decryptor = cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, iv).ok()?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = decryptor.decrypt_padded::<Pkcs7>(&mut buf).ok()?.len();
    buf.truncate(len);
    Some(buf)
}

/// One entry of Node's `pfx` option: a DER PFX with its own passphrase when the entry is a
/// `{buf, passphrase}` object.
#[derive(Clone)]
pub struct PfxInput {
    /// The PFX file's bytes (DER).
    pub buf: Vec<u8>,
    /// This file's passphrase; when `None`, the loader's default passphrase applies.
    pub passphrase: Option<Zeroizing<Vec<u8>>>,
}

impl fmt::Debug for PfxInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PfxInput({} bytes, passphrase: {})",
            self.buf.len(),
            if self.passphrase.is_some() {
                "yes"
            } else {
                "no"
            }
        )
    }
}

impl PfxInput {
    /// An entry without its own passphrase.
    pub fn new(buf: impl Into<Vec<u8>>) -> Self {
        Self {
            buf: buf.into(),
            passphrase: None,
        }
    }

    /// An entry with its own passphrase (Node's `{buf, passphrase}`).
    pub fn with_passphrase(buf: impl Into<Vec<u8>>, passphrase: &[u8]) -> Self {
        Self {
            buf: buf.into(),
            passphrase: Some(Zeroizing::new(passphrase.to_vec())),
        }
    }
}

/// Why one of several PFX files failed: its position and the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PfxLoadError {
    /// The index of the failing entry in the `pfx` list.
    pub index: usize,
    /// What was wrong with it.
    pub error: Pkcs12Error,
}

impl fmt::Display for PfxLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pfx {}: {}", self.index, self.error)
    }
}

impl std::error::Error for PfxLoadError {}

/// Node's `pfx` option: every file read, each with its own passphrase or else
/// `default_passphrase` (the `passphrase` option; none means the empty passphrase).
pub fn load_pfx(
    inputs: &[PfxInput],
    default_passphrase: Option<&[u8]>,
) -> Result<Vec<Pkcs12>, PfxLoadError> {
    inputs
        .iter()
        .enumerate()
        .map(|(index, input)| {
            let passphrase = input
                .passphrase
                .as_ref()
                .map(|p| p.as_slice())
                .or(default_passphrase)
                .unwrap_or_default();
            parse(&input.buf, passphrase).map_err(|error| PfxLoadError { index, error })
        })
        .collect()
}
