//! Private keys in every form Node's `key`/`passphrase` options take.
//!
//! | Form | PEM label | Here |
//! |---|---|---|
//! | PKCS#8 (RFC 5208) | `PRIVATE KEY` | [`PrivateKey::from_pkcs8_der`] |
//! | encrypted PKCS#8: PBES2 (RFC 8018), PKCS#12 PBE | `ENCRYPTED PRIVATE KEY` | [`PrivateKey::from_encrypted_pkcs8_der`] |
//! | PKCS#1 RSA (RFC 8017 A.1.2) | `RSA PRIVATE KEY` | [`PrivateKey::from_pkcs1_der`] |
//! | SEC1 EC (RFC 5915) | `EC PRIVATE KEY` (after an optional `EC PARAMETERS`) | [`PrivateKey::from_sec1_der`] |
//! | traditional OpenSSL encryption | any of the last two with `Proc-Type`/`DEK-Info` | [`PrivateKey::from_pem`] |
//!
//! Every form is normalised to PKCS#8 (the one form ring and the engine's
//! [`load_private_key`] take), wrapped the way RFC 5208 says: an RSA key with the
//! `rsaEncryption` OID and NULL parameters, an EC key with `id-ecPublicKey` and its curve.
//! We sign with RSA, ECDSA on P-256, P-384 and P-521, and Ed25519; any other algorithm or curve is
//! refused with its OID named.
//!
//! A wrong passphrase usually shows as bad CBC padding, but one time in 256 the padding of
//! garbage happens to be valid: a decrypted key that does not parse is therefore also
//! reported as a wrong passphrase, never as a malformed key.

use core::fmt;
use std::sync::Arc;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitString, OctetString};
use der::{Decode, Encode};
use md5::{Digest, Md5};
use sanstls::crypto::sign::SigningKey;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

use crate::pem::{self, PemBlock, PemError};

/// rsaEncryption (RFC 8017 A.1).
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-ecPublicKey (RFC 5480 s2.1.1).
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / prime256v1 (RFC 5480 s2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 (RFC 5480 s2.1.1.1).
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// secp521r1 (RFC 5480 s2.1.1.1).
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// id-Ed25519 (RFC 8410 s3).
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// id-PBES2 (RFC 8018 A.4).
pub(crate) const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");

/// The most PBKDF2 (or PKCS#12 KDF) iterations we run for one passphrase. OpenSSL writes
/// 2048 and recommendations reach 600,000; ten million is already seconds of CPU, and a
/// file must not be able to stall a server for minutes.
pub const MAX_KDF_ITERATIONS: u64 = 10_000_000;

/// What kind of key a [`PrivateKey`] is: the algorithms the engine signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA (PKCS#1 v1.5 and PSS signatures).
    Rsa,
    /// ECDSA on P-256 (secp256r1).
    EcP256,
    /// ECDSA on P-384 (secp384r1).
    EcP384,
    /// ECDSA on P-521 (secp521r1).
    EcP521,
    /// Ed25519.
    Ed25519,
}

impl KeyAlgorithm {
    /// Node's `asymmetricKeyType` for the key: `rsa`, `ec` or `ed25519`.
    pub fn node_name(self) -> &'static str {
        match self {
            Self::Rsa => "rsa",
            Self::EcP256 | Self::EcP384 | Self::EcP521 => "ec",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// Why a private key could not be loaded (or does not fit its certificate).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The PEM text is malformed.
    Pem(PemError),
    /// The input holds no private key block (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`,
    /// `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
    NoKey,
    /// The key is encrypted and no passphrase was given.
    MissingPassphrase {
        /// The encryption format: `encrypted PKCS#8`, `traditional PEM (AES-128-CBC)`, ...
        format: String,
    },
    /// Decryption with the passphrase gave bad padding or a key that does not parse.
    WrongPassphrase {
        /// The encryption format, as for [`KeyError::MissingPassphrase`].
        format: String,
    },
    /// A key algorithm we do not sign with (DSA, X25519, ...).
    UnsupportedAlgorithm {
        /// The algorithm OID (dotted), with its name when known: `1.2.840.10040.4.1 (id-dsa)`.
        oid: String,
    },
    /// An EC key on a curve other than P-256, P-384 and P-521, or with explicit curve
    /// parameters.
    UnsupportedCurve {
        /// The curve OID (dotted, with its name when known) or `explicit parameters`.
        curve: String,
    },
    /// An encryption scheme we cannot decrypt (PBES1, scrypt, an unknown cipher).
    UnsupportedEncryption {
        /// The scheme: an OID (with its name when known) or a `DEK-Info` cipher name.
        scheme: String,
    },
    /// The key derivation asks for more than [`MAX_KDF_ITERATIONS`] iterations.
    TooManyIterations {
        /// The iteration count in the file.
        count: u64,
    },
    /// The bytes are not a well-formed key of the format named.
    Malformed {
        /// The format being read: `PKCS#8`, `PKCS#1`, `SEC1`, `DEK-Info`, ...
        format: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The key parsed but the signing library refused it (inconsistent, too small, ...).
    Rejected {
        /// The key's algorithm.
        algorithm: KeyAlgorithm,
        /// The library's reason.
        reason: String,
    },
    /// The certificate given to [`PrivateKey::matches_certificate`] is not DER X.509.
    Certificate {
        /// What was wrong.
        reason: String,
    },
    /// The key is not the certificate's: their public keys differ.
    Mismatch {
        /// `different algorithm` or `different public key`.
        reason: &'static str,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "{e}"),
            Self::NoKey => write!(
                f,
                "no private key (PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)"
            ),
            Self::MissingPassphrase { format } => {
                write!(f, "the key is encrypted ({format}) and no passphrase was given")
            }
            Self::WrongPassphrase { format } => {
                write!(f, "wrong passphrase for the encrypted key ({format})")
            }
            Self::UnsupportedAlgorithm { oid } => {
                write!(f, "unsupported key algorithm {oid} (RSA, EC P-256/P-384/P-521 and Ed25519 are)")
            }
            Self::UnsupportedCurve { curve } => {
                write!(f, "unsupported EC curve {curve} (P-256, P-384 and P-521 are)")
            }
            Self::UnsupportedEncryption { scheme } => {
                write!(f, "unsupported key encryption {scheme}")
            }
            Self::TooManyIterations { count } => write!(
                f,
                "key derivation asks for {count} iterations (at most {MAX_KDF_ITERATIONS})"
            ),
            Self::Malformed { format, reason } => write!(f, "malformed {format} key: {reason}"),
            Self::Rejected { algorithm, reason } => {
                write!(f, "{algorithm:?} key refused: {reason}")
            }
            Self::Certificate { reason } => write!(f, "cannot read the certificate: {reason}"),
            Self::Mismatch { reason } => {
                write!(f, "the private key does not match the certificate ({reason})")
            }
        }
    }
}

impl std::error::Error for KeyError {}

impl From<PemError> for KeyError {
    fn from(e: PemError) -> Self {
        Self::Pem(e)
    }
}

/// An OID as `dotted (name)`, or just dotted when the database does not know it.
pub(crate) fn describe_oid(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{oid} ({name})"),
        None => oid.to_string(),
    }
}

fn malformed(format: &'static str, e: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        format,
        reason: e.to_string(),
    }
}

/// A private key we can sign with, as PKCS#8 DER, with its algorithm and public key.
#[derive(Clone)]
pub struct PrivateKey {
    pkcs8: Zeroizing<Vec<u8>>,
    algorithm: KeyAlgorithm,
    spki: Vec<u8>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key material.
        write!(f, "PrivateKey({:?})", self.algorithm)
    }
}

impl PrivateKey {
    /// A PKCS#8 `PrivateKeyInfo` (RFC 5208 s5, or its v2 `OneAsymmetricKey`, RFC 5958).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| malformed("PKCS#8", e))?;
        let algorithm = match info.algorithm.oid {
            RSA_ENCRYPTION => KeyAlgorithm::Rsa,
            EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters
                    .ok_or_else(|| malformed("PKCS#8", "EC key without a named curve"))?;
                ec_algorithm(&curve)?
            }
            ED25519 => KeyAlgorithm::Ed25519,
            other => {
                return Err(KeyError::UnsupportedAlgorithm {
                    oid: describe_oid(&other),
                })
            }
        };
        if algorithm == KeyAlgorithm::Rsa {
            let rsa = pkcs1::RsaPrivateKeyRef::from_der(info.private_key.as_bytes())
                .map_err(|e| malformed("PKCS#1", e))?;
            check_rsa_size(rsa.modulus.as_bytes())?;
        }
        if matches!(
            algorithm,
            KeyAlgorithm::EcP256 | KeyAlgorithm::EcP384 | KeyAlgorithm::EcP521
        ) {
            // ring signs only with EC keys that carry their public key (OpenSSL always
            // writes it); say so instead of ring's generic refusal.
            let sec1 = sec1::EcPrivateKey::from_der(info.private_key.as_bytes())
                .map_err(|e| malformed("SEC1", e))?;
            if sec1.public_key.is_none() {
                return Err(malformed("SEC1", "EC key without its public key"));
            }
        }
        Self::from_checked_pkcs8(Zeroizing::new(der.to_vec()), algorithm)
    }

    /// A PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2), as in `RSA PRIVATE KEY` blocks.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let rsa = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|e| malformed("PKCS#1", e))?;
        check_rsa_size(rsa.modulus.as_bytes())?;
        let algorithm = AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(der::asn1::Any::null()),
        };
        let pkcs8 = wrap_pkcs8(algorithm, der)?;
        Self::from_checked_pkcs8(pkcs8, KeyAlgorithm::Rsa)
    }

    /// A SEC1 `ECPrivateKey` (RFC 5915), as in `EC PRIVATE KEY` blocks. The curve comes from
    /// the key's own parameters or else from `ec_parameters`, the DER of the
    /// `EC PARAMETERS` block `openssl ecparam -genkey` writes before the key.
    pub fn from_sec1_der(der: &[u8], ec_parameters: Option<&[u8]>) -> Result<Self, KeyError> {
        let key = sec1::EcPrivateKey::from_der(der).map_err(|e| malformed("SEC1", e))?;
        let curve = match key.parameters {
            Some(sec1::EcParameters::NamedCurve(oid)) => oid,
            None => match ec_parameters {
                Some(params) => match ObjectIdentifier::from_der(params) {
                    Ok(oid) => oid,
                    Err(_) => {
                        return Err(KeyError::UnsupportedCurve {
                            curve: "explicit parameters".into(),
                        })
                    }
                },
                None => return Err(malformed("SEC1", "EC key without a named curve")),
            },
        };
        if let Some(params) = ec_parameters {
            if ObjectIdentifier::from_der(params).is_ok_and(|p| p != curve) {
                return Err(malformed(
                    "SEC1",
                    "EC PARAMETERS name another curve than the key",
                ));
            }
        }
        if key.public_key.is_none() {
            return Err(malformed("SEC1", "EC key without its public key"));
        }
        let curve_der = curve.to_der().map_err(|e| malformed("SEC1", e))?;
        let algorithm =
            ec_algorithm(&AnyRef::from_der(&curve_der).map_err(|e| malformed("SEC1", e))?)?;
        let pkcs8 = wrap_pkcs8(
            AlgorithmIdentifierOwned {
                oid: EC_PUBLIC_KEY,
                parameters: Some(der::asn1::Any::from(curve)),
            },
            der,
        )?;
        Self::from_checked_pkcs8(pkcs8, algorithm)
    }

    /// An `EncryptedPrivateKeyInfo` (RFC 5208 s6): PBES2 with PBKDF2 (HMAC-SHA-1/-2) or
    /// scrypt and AES-CBC or DES-EDE3-CBC, as `openssl pkcs8 -topk8 -v2 <cipher>
    /// [-scrypt]` writes, or a PKCS#12 PBE scheme (`-v1 PBE-SHA1-3DES`).
    pub fn from_encrypted_pkcs8_der(der: &[u8], passphrase: &[u8]) -> Result<Self, KeyError> {
        let info = EncryptedInfo::from_der(der).map_err(|e| malformed("encrypted PKCS#8", e))?;
        let format = "encrypted PKCS#8";
        let plain = if crate::pkcs12::is_pkcs12_pbe(&info.algorithm.oid) {
            decrypt_pkcs12_pbe(&info.algorithm, info.data.as_bytes(), passphrase)?
        } else {
            decrypt_pbes2(&info.algorithm, info.data.as_bytes(), passphrase)?
        };
        Self::from_pkcs8_der(&plain).map_err(|e| wrong_if_malformed(e, format))
    }

    /// A DER key in any unencrypted form (PKCS#8, PKCS#1, SEC1) or encrypted PKCS#8,
    /// recognised by its structure, as Node does for DER `key` buffers.
    pub fn from_der(der: &[u8], passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
            return Self::from_pkcs8_der(der);
        }
        if EncryptedInfo::from_der(der).is_ok() {
            let passphrase = passphrase.ok_or_else(|| KeyError::MissingPassphrase {
                format: "encrypted PKCS#8".into(),
            })?;
            return Self::from_encrypted_pkcs8_der(der, passphrase);
        }
        if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
            return Self::from_pkcs1_der(der);
        }
        if sec1::EcPrivateKey::from_der(der).is_ok() {
            return Self::from_sec1_der(der, None);
        }
        Err(malformed(
            "DER",
            "not a PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1 private key",
        ))
    }

    /// The first private key of a PEM file (as OpenSSL and Node read `key`), decrypted with
    /// `passphrase` if it is encrypted. Other blocks (certificates, `EC PARAMETERS`) and
    /// text between blocks are skipped.
    pub fn from_pem(text: &[u8], passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        let blocks = pem::parse(text)?;
        let index = blocks
            .iter()
            .position(|b| pem::PRIVATE_KEY_LABELS.contains(&b.label.as_str()))
            .ok_or(KeyError::NoKey)?;
        // `openssl ecparam -genkey` writes EC PARAMETERS right before the key.
        let params = index
            .checked_sub(1)
            .and_then(|i| blocks.get(i))
            .filter(|b| b.label == "EC PARAMETERS");
        match blocks.get(index) {
            Some(block) => Self::from_pem_block(block, params, passphrase),
            None => Err(KeyError::NoKey),
        }
    }

    /// One PEM key block; `ec_parameters` is an `EC PARAMETERS` block that came before it.
    pub fn from_pem_block(
        block: &PemBlock,
        ec_parameters: Option<&PemBlock>,
        passphrase: Option<&[u8]>,
    ) -> Result<Self, KeyError> {
        let params = ec_parameters.map(|b| b.der.as_slice());
        let traditional = block
            .header("Proc-Type")
            .is_some_and(|v| v.replace(' ', "").eq_ignore_ascii_case("4,ENCRYPTED"));
        let (der, format) = if traditional {
            let (der, format) = decrypt_traditional(block, passphrase)?;
            (der, Some(format))
        } else {
            (Zeroizing::new(block.der.clone()), None)
        };
        let parsed = match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            "EC PRIVATE KEY" => Self::from_sec1_der(&der, params),
            "ENCRYPTED PRIVATE KEY" => {
                let passphrase = passphrase.ok_or_else(|| KeyError::MissingPassphrase {
                    format: "encrypted PKCS#8".into(),
                })?;
                Self::from_encrypted_pkcs8_der(&der, passphrase)
            }
            other => Err(malformed("PEM", format!("{other} is not a private key"))),
        };
        match format {
            Some(format) => parsed.map_err(|e| wrong_if_malformed(e, &format)),
            None => parsed,
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The key as PKCS#8 DER (secret: do not log it).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The DER SubjectPublicKeyInfo of the key's public half, as a certificate for the key
    /// carries it.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The key loaded for signing by the engine.
    pub fn signing_key(&self) -> Result<Arc<dyn SigningKey>, KeyError> {
        sanstls::crypto::sign::load_private_key(&self.pkcs8).map_err(|e| KeyError::Rejected {
            algorithm: self.algorithm,
            reason: e.to_string(),
        })
    }

    /// `Ok` when `cert_der` (an X.509 certificate) carries this key's public key, as
    /// OpenSSL's `X509_check_private_key` (Node's "key values mismatch") checks.
    pub fn matches_certificate(&self, cert_der: &[u8]) -> Result<(), KeyError> {
        let cert =
            x509_cert::Certificate::from_der(cert_der).map_err(|e| KeyError::Certificate {
                reason: e.to_string(),
            })?;
        let theirs = cert.tbs_certificate().subject_public_key_info();
        let ours = SubjectPublicKeyInfoOwned::from_der(&self.spki)
            .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
        if theirs.algorithm.oid != ours.algorithm.oid
            || (ours.algorithm.oid == EC_PUBLIC_KEY
                && theirs.algorithm.parameters != ours.algorithm.parameters)
        {
            return Err(KeyError::Mismatch {
                reason: "different algorithm",
            });
        }
        if theirs.subject_public_key.raw_bytes() != ours.subject_public_key.raw_bytes() {
            return Err(KeyError::Mismatch {
                reason: "different public key",
            });
        }
        Ok(())
    }

    /// Loads `pkcs8` with the engine (which validates it with ring) and records the public
    /// key the engine derives.
    fn from_checked_pkcs8(
        pkcs8: Zeroizing<Vec<u8>>,
        algorithm: KeyAlgorithm,
    ) -> Result<Self, KeyError> {
        let signer =
            sanstls::crypto::sign::load_private_key(&pkcs8).map_err(|e| KeyError::Rejected {
                algorithm,
                reason: e.to_string(),
            })?;
        use sanstls::crypto::sign::KeyAlgorithm as Engine;
        let (oid, parameters) = match (signer.algorithm(), algorithm) {
            (Engine::Rsa { .. }, KeyAlgorithm::Rsa) => {
                (RSA_ENCRYPTION, Some(der::asn1::Any::null()))
            }
            (Engine::EcdsaP256, KeyAlgorithm::EcP256) => {
                (EC_PUBLIC_KEY, Some(der::asn1::Any::from(SECP256R1)))
            }
            (Engine::EcdsaP384, KeyAlgorithm::EcP384) => {
                (EC_PUBLIC_KEY, Some(der::asn1::Any::from(SECP384R1)))
            }
            (Engine::EcdsaP521, KeyAlgorithm::EcP521) => {
                (EC_PUBLIC_KEY, Some(der::asn1::Any::from(SECP521R1)))
            }
            (Engine::Ed25519, KeyAlgorithm::Ed25519) => (ED25519, None),
            (other, _) => {
                return Err(KeyError::Rejected {
                    algorithm,
                    reason: format!("the signing library reads it as {other:?}"),
                })
            }
        };
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned { oid, parameters },
            subject_public_key: BitString::from_bytes(signer.public_key())
                .map_err(|e| malformed("SubjectPublicKeyInfo", e))?,
        }
        .to_der()
        .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
        Ok(Self {
            pkcs8,
            algorithm,
            spki,
        })
    }
}

/// ring signs with RSA moduli of 2048 to 8192 bits; say so rather than "refused". (Node
/// takes 1024-bit keys; OpenSSL's default security level 1 still allows them.)
fn check_rsa_size(modulus: &[u8]) -> Result<(), KeyError> {
    let bits = match modulus.first() {
        Some(first) => modulus.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    };
    if (2048..=8192).contains(&bits) {
        Ok(())
    } else {
        Err(KeyError::Rejected {
            algorithm: KeyAlgorithm::Rsa,
            reason: format!("{bits}-bit modulus (2048 to 8192 bits are supported)"),
        })
    }
}

/// The EC algorithm for a curve OID (the parameters of `id-ecPublicKey`).
fn ec_algorithm(curve: &AnyRef<'_>) -> Result<KeyAlgorithm, KeyError> {
    let oid = match curve.decode_as::<ObjectIdentifier>() {
        Ok(oid) => oid,
        Err(_) => {
            return Err(KeyError::UnsupportedCurve {
                curve: "explicit parameters".into(),
            })
        }
    };
    match oid {
        SECP256R1 => Ok(KeyAlgorithm::EcP256),
        SECP384R1 => Ok(KeyAlgorithm::EcP384),
        SECP521R1 => Ok(KeyAlgorithm::EcP521),
        other => Err(KeyError::UnsupportedCurve {
            curve: describe_oid(&other),
        }),
    }
}

/// A v1 PKCS#8 `PrivateKeyInfo` around `private_key`.
fn wrap_pkcs8(
    algorithm: AlgorithmIdentifierOwned,
    private_key: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    // Borrowed, so the only copy of the secret we make is the zeroized output.
    let key = der::asn1::OctetStringRef::new(private_key).map_err(|e| malformed("PKCS#8", e))?;
    let info = pkcs8::PrivateKeyInfo::<der::asn1::Any, &der::asn1::OctetStringRef, BitString>::new(
        algorithm, key,
    );
    // Sized up front so the vector never reallocates (leaving unzeroized copies behind).
    let len = info
        .encoded_len()
        .and_then(usize::try_from)
        .map_err(|e| malformed("PKCS#8", e))?;
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    info.encode_to_vec(&mut out)
        .map_err(|e| malformed("PKCS#8", e))?;
    Ok(out)
}

/// A parse failure of decrypted bytes means the passphrase was wrong.
fn wrong_if_malformed(e: KeyError, format: &str) -> KeyError {
    match e {
        KeyError::Malformed { .. } => KeyError::WrongPassphrase {
            format: format.to_string(),
        },
        other => other,
    }
}

/// `EncryptedPrivateKeyInfo` read with an open algorithm, so an unknown scheme is reported
/// by OID rather than as a parse error.
#[derive(der::Sequence)]
struct EncryptedInfo {
    algorithm: AlgorithmIdentifierOwned,
    data: OctetString,
}

/// Decrypts PBES2 ciphertext (RFC 8018 s6.2): PBKDF2 with HMAC-SHA-1/2 or scrypt (RFC
/// 7914), and AES-CBC or DES-EDE3-CBC. Bad padding is a wrong passphrase.
pub(crate) fn decrypt_pbes2(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if algorithm.oid != PBES2 {
        return Err(KeyError::UnsupportedEncryption {
            scheme: describe_oid(&algorithm.oid),
        });
    }
    let params_der = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| malformed("PBES2", "no parameters"))?
        .to_der()
        .map_err(|e| malformed("PBES2", e))?;
    let params = match pkcs5::pbes2::Parameters::from_der(&params_der) {
        Ok(p) => p,
        Err(e) => return Err(pbes2_parameters_error(&params_der, e)),
    };
    match &params.kdf {
        pkcs5::pbes2::Kdf::Pbkdf2(p) => {
            if u64::from(p.iteration_count) > MAX_KDF_ITERATIONS {
                return Err(KeyError::TooManyIterations {
                    count: u64::from(p.iteration_count),
                });
            }
        }
        pkcs5::pbes2::Kdf::Scrypt(p) => check_scrypt(p)?,
        _ => {
            return Err(KeyError::UnsupportedEncryption {
                scheme: format!("PBES2 key derivation {}", describe_oid(&params.kdf.oid())),
            })
        }
    }
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = match params.decrypt_in_place(passphrase, &mut buf) {
        Ok(plain) => plain.len(),
        Err(pkcs5::Error::DecryptFailed) => {
            return Err(KeyError::WrongPassphrase {
                format: format!("PBES2 {}", describe_oid(&params.encryption.oid())),
            })
        }
        Err(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
            return Err(KeyError::UnsupportedEncryption {
                scheme: describe_oid(&oid),
            })
        }
        Err(e) => return Err(malformed("PBES2", e)),
    };
    buf.truncate(len);
    Ok(buf)
}

/// The most memory scrypt may use for one key: OpenSSL's and Node's default `maxmem`
/// (32 MiB); `openssl pkcs8 -scrypt` writes N=16384, r=8, p=1 (16 MiB).
const MAX_SCRYPT_MEMORY: u64 = 32 * 1024 * 1024;

/// Refuses scrypt parameters that are invalid (N not a power of two above 1, which would
/// also trip an assertion in the pkcs5 crate) or that ask for more than
/// [`MAX_SCRYPT_MEMORY`], as OpenSSL's `EVP_PBE_scrypt` does.
fn check_scrypt(p: &pkcs5::pbes2::ScryptParams) -> Result<(), KeyError> {
    let n = p.cost_parameter;
    if n < 2 || !n.is_power_of_two() {
        return Err(malformed(
            "scrypt",
            format!("N = {n} is not a power of two above 1"),
        ));
    }
    let r = u64::from(p.block_size);
    let par = u64::from(p.parallelization);
    // 128·r·N for the V array plus 128·r·p for B, as OpenSSL counts.
    let memory = n
        .checked_add(par)
        .and_then(|x| x.checked_mul(128))
        .and_then(|x| x.checked_mul(r));
    // The work is N·r·p block mixes; memory alone does not bound it (p is sequential).
    let work = n.checked_mul(r).and_then(|x| x.checked_mul(par));
    match (memory, work) {
        (Some(m), Some(w))
            if m <= MAX_SCRYPT_MEMORY && w <= MAX_SCRYPT_WORK && r >= 1 && par >= 1 =>
        {
            Ok(())
        }
        _ => Err(KeyError::UnsupportedEncryption {
            scheme: format!(
                "scrypt with N={n}, r={r}, p={par} (at most {MAX_SCRYPT_MEMORY} bytes of memory \
                 and N·r·p = {MAX_SCRYPT_WORK})"
            ),
        }),
    }
}

/// The most scrypt work (N·r·p) we do for one key: 32 times `openssl pkcs8 -scrypt`'s
/// 16384·8·1, a few seconds of CPU.
const MAX_SCRYPT_WORK: u64 = 1 << 22;

/// Decrypts an encrypted PKCS#8 key under a PKCS#12 PBE scheme (what `openssl pkcs8
/// -topk8` wrote before OpenSSL 1.1, and `-v1 PBE-SHA1-3DES` still does).
fn decrypt_pkcs12_pbe(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use crate::pkcs12::Pkcs12Error;
    let format = || format!("PKCS#12 PBE {}", describe_oid(&algorithm.oid));
    let wrong = || KeyError::WrongPassphrase { format: format() };
    // A passphrase that is not UTF-8 has no BMPString form: it cannot be the right one.
    let bmp = crate::pkcs12::bmp_password(passphrase).map_err(|_| wrong())?;
    match crate::pkcs12::decrypt_pkcs12_pbe(algorithm, ciphertext, &bmp) {
        Ok(Some(plain)) => Ok(plain),
        Ok(None) => Err(wrong()),
        Err(Pkcs12Error::UnsupportedEncryption { scheme }) => {
            Err(KeyError::UnsupportedEncryption { scheme })
        }
        Err(Pkcs12Error::BadIterations { count }) => Err(KeyError::TooManyIterations {
            count: u64::try_from(count).unwrap_or(0),
        }),
        Err(e) => Err(malformed("PKCS#12 PBE", e)),
    }
}

/// Names the KDF or cipher OID of PBES2 parameters the pkcs5 crate refused, when it is
/// one it does not know; otherwise the parameters are malformed.
fn pbes2_parameters_error(params_der: &[u8], e: der::Error) -> KeyError {
    #[derive(der::Sequence)]
    struct Open {
        kdf: AlgorithmIdentifierOwned,
        encryption: AlgorithmIdentifierOwned,
    }
    const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
    const KNOWN_CIPHERS: &[&str] = &[
        "2.16.840.1.101.3.4.1.2",  // aes128-CBC
        "2.16.840.1.101.3.4.1.22", // aes192-CBC
        "2.16.840.1.101.3.4.1.42", // aes256-CBC
        "1.2.840.113549.3.7",      // des-ede3-cbc
        "1.3.14.3.2.7",            // desCBC
    ];
    match Open::from_der(params_der) {
        Ok(open) if open.kdf.oid != PBKDF2 => KeyError::UnsupportedEncryption {
            scheme: format!("PBES2 key derivation {}", describe_oid(&open.kdf.oid)),
        },
        Ok(open) if !KNOWN_CIPHERS.contains(&open.encryption.oid.to_string().as_str()) => {
            KeyError::UnsupportedEncryption {
                scheme: format!("PBES2 cipher {}", describe_oid(&open.encryption.oid)),
            }
        }
        _ => malformed("PBES2", e),
    }
}

/// The ciphers of traditional OpenSSL encrypted PEM (`DEK-Info`) we decrypt, all in CBC
/// mode.
#[derive(Clone, Copy, Debug)]
enum DekCipher {
    Aes128,
    Aes192,
    Aes256,
    DesEde3,
}

impl DekCipher {
    fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "AES-128-CBC" => Some(Self::Aes128),
            "AES-192-CBC" => Some(Self::Aes192),
            "AES-256-CBC" => Some(Self::Aes256),
            "DES-EDE3-CBC" => Some(Self::DesEde3),
            _ => None,
        }
    }

    /// (key length, IV length) in bytes.
    fn sizes(self) -> (usize, usize) {
        match self {
            Self::Aes128 => (16, 16),
            Self::Aes192 => (24, 16),
            Self::Aes256 => (32, 16),
            Self::DesEde3 => (24, 8),
        }
    }
}

/// Decrypts a traditional OpenSSL encrypted PEM body (`Proc-Type: 4,ENCRYPTED`,
/// `DEK-Info: <cipher>,<iv hex>`). Returns the plaintext DER and a description of the
/// format for errors.
fn decrypt_traditional(
    block: &PemBlock,
    passphrase: Option<&[u8]>,
) -> Result<(Zeroizing<Vec<u8>>, String), KeyError> {
    let dek = block
        .header("DEK-Info")
        .ok_or_else(|| malformed("DEK-Info", "Proc-Type 4,ENCRYPTED without DEK-Info"))?;
    let (name, iv_hex) = dek
        .split_once(',')
        .ok_or_else(|| malformed("DEK-Info", format!("{dek:?} is not <cipher>,<iv>")))?;
    let name = name.trim();
    let format = format!("traditional PEM {name}");
    let cipher = DekCipher::from_name(name).ok_or_else(|| KeyError::UnsupportedEncryption {
        scheme: format!("DEK-Info {name}"),
    })?;
    let iv = hex::decode(iv_hex.trim()).map_err(|e| malformed("DEK-Info", e))?;
    let (key_len, iv_len) = cipher.sizes();
    if iv.len() != iv_len {
        return Err(malformed(
            "DEK-Info",
            format!("{name} needs a {iv_len}-byte IV, not {}", iv.len()),
        ));
    }
    let passphrase = passphrase.ok_or_else(|| KeyError::MissingPassphrase {
        format: format.clone(),
    })?;
    // OpenSSL's PEM_do_header: EVP_BytesToKey with MD5, one iteration, salted with the
    // first 8 bytes of the IV.
    let salt = iv.get(..8).unwrap_or_default();
    let key = evp_bytes_to_key_md5(passphrase, salt, key_len);
    let plain = match cipher {
        DekCipher::Aes128 => cbc_decrypt::<aes::Aes128>(&key, &iv, &block.der),
        DekCipher::Aes192 => cbc_decrypt::<aes::Aes192>(&key, &iv, &block.der),
        DekCipher::Aes256 => cbc_decrypt::<aes::Aes256>(&key, &iv, &block.der),
        DekCipher::DesEde3 => cbc_decrypt::<des::TdesEde3>(&key, &iv, &block.der),
    };
    match plain {
        Some(plain) => Ok((plain, format)),
        None => Err(KeyError::WrongPassphrase { format }),
    }
}

/// OpenSSL's `EVP_BytesToKey(cipher, md5, salt, pass, 1)`: D_i = MD5(D_{i-1} || pass ||
/// salt), concatenated until `len` bytes.
fn evp_bytes_to_key_md5(passphrase: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut previous: Option<Zeroizing<[u8; 16]>> = None;
    while out.len() < len {
        let mut md5 = Md5::new();
        if let Some(p) = &previous {
            md5.update(p.as_slice());
        }
        md5.update(passphrase);
        md5.update(salt);
        let digest: [u8; 16] = md5.finalize().into();
        out.extend_from_slice(&digest);
        previous = Some(Zeroizing::new(digest));
    }
    out.truncate(len);
    out
}

/// CBC decryption with PKCS#7 padding; `None` on bad padding or a ragged length.
pub(crate) fn cbc_decrypt<C>(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>>
where
    C: BlockCipherDecrypt + KeyInit,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = decryptor.decrypt_padded::<Pkcs7>(&mut buf).ok()?.len();
    buf.truncate(len);
    Some(buf)
}

/// One entry of Node's `key` option: a PEM (or DER) key, with its own passphrase when the
/// entry is a `{pem, passphrase}` object.
#[derive(Clone)]
pub struct KeyInput {
    /// The key file's bytes: PEM text (the first key in it is used) or DER.
    pub pem: Vec<u8>,
    /// This key's passphrase; when `None`, the loader's default passphrase applies.
    pub passphrase: Option<Zeroizing<Vec<u8>>>,
}

impl fmt::Debug for KeyInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KeyInput({} bytes, passphrase: {})",
            self.pem.len(),
            if self.passphrase.is_some() {
                "yes"
            } else {
                "no"
            }
        )
    }
}

impl KeyInput {
    /// An entry without its own passphrase.
    pub fn new(pem: impl Into<Vec<u8>>) -> Self {
        Self {
            pem: pem.into(),
            passphrase: None,
        }
    }

    /// An entry with its own passphrase (Node's `{pem, passphrase}`).
    pub fn with_passphrase(pem: impl Into<Vec<u8>>, passphrase: &[u8]) -> Self {
        Self {
            pem: pem.into(),
            passphrase: Some(Zeroizing::new(passphrase.to_vec())),
        }
    }
}

/// Why one of several keys failed: its position and the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyLoadError {
    /// The index of the failing entry in the `key` list.
    pub index: usize,
    /// What was wrong with it.
    pub error: KeyError,
}

impl fmt::Display for KeyLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key {}: {}", self.index, self.error)
    }
}

impl std::error::Error for KeyLoadError {}

/// Node's `key` option: every entry loaded, each with its own passphrase or else
/// `default_passphrase` (the `passphrase` option). Input that is not PEM is read as DER.
pub fn load_keys(
    inputs: &[KeyInput],
    default_passphrase: Option<&[u8]>,
) -> Result<Vec<PrivateKey>, KeyLoadError> {
    inputs
        .iter()
        .enumerate()
        .map(|(index, input)| {
            let passphrase = input
                .passphrase
                .as_ref()
                .map(|p| p.as_slice())
                .or(default_passphrase);
            load_one(&input.pem, passphrase).map_err(|error| KeyLoadError { index, error })
        })
        .collect()
}

/// One key from PEM or, when the bytes hold no PEM block at all, DER.
pub fn load_one(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        PrivateKey::from_pem(bytes, passphrase)
    } else {
        PrivateKey::from_der(bytes, passphrase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -P -md md5 -pass pass:password -S 0102030405060708`.
        let key = evp_bytes_to_key_md5(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(hex::encode_upper(key.as_slice()), EXPECTED_EVP_KEY,);
    }
    #[test]
    fn scrypt_parameters_are_bounded() {
        let params = |n: u64, r: u16, p: u16| pkcs5::pbes2::ScryptParams {
            salt: pkcs5::pbes2::Salt::new([1u8; 16]).unwrap(),
            cost_parameter: n,
            block_size: r,
            parallelization: p,
            key_length: None,
        };
        // OpenSSL's default (16 MiB) passes; 32 MiB of V plus B is just over, as in
        // OpenSSL's EVP_PBE_scrypt; r or p of zero is refused.
        assert_eq!(check_scrypt(&params(16384, 8, 1)), Ok(()));
        assert_eq!(check_scrypt(&params(16384, 15, 4)), Ok(()));
        assert!(check_scrypt(&params(16384, 16, 1)).is_err());
        assert!(check_scrypt(&params(16384, 8, 0)).is_err());
        assert!(check_scrypt(&params(16384, 0, 1)).is_err());
        // N = 0 (which would trip the pkcs5 crate's log2 assertion), not a power of two.
        for n in [0, 1, 3, 1000] {
            assert!(
                matches!(
                    check_scrypt(&params(n, 8, 1)),
                    Err(KeyError::Malformed { .. })
                ),
                "{n}"
            );
        }
        // Too much memory, too much work, and overflow in the product.
        for (n, r, p) in [
            (1 << 20, 8, 1),
            (1 << 62, 65535, 1),
            (2, 65535, 65535),
            (1 << 14, 8, 64),
        ] {
            assert!(
                matches!(
                    check_scrypt(&params(n, r, p)),
                    Err(KeyError::UnsupportedEncryption { .. })
                ),
                "{n} {r} {p}"
            );
        }
    }

    const EXPECTED_EVP_KEY: &str =
        "E7B0971E52CA5CC8D0539FB3412F6316F7BA2E6EE293D9F3457B99436B51CE02";
}
