//! Signatures over certificates and CRLs: splitting the signed structure (RFC 5280 s4.1.1)
//! and checking it with ring, or for ECDSA P-521 keys (which ring lacks) with RustCrypto's
//! `p521` over a digest made with ring.
//!
//! The signature covers the tbsCertificate (or tbsCertList) exactly as it was received, so we
//! keep its bytes rather than re-encoding a parsed copy.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Encode, Sequence};
use ring::signature::{self as sig, VerificationAlgorithm};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoOwned};

/// `SEQUENCE { tbs, signatureAlgorithm, signatureValue }`, borrowed.
#[derive(Sequence)]
struct SignedRef<'a> {
    tbs: AnyRef<'a>,
    algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

/// The three parts of a signed X.509 structure, owned.
#[derive(Clone, Debug)]
pub(crate) struct SignedData {
    /// The signed bytes (the whole tbs TLV).
    pub(crate) tbs: Vec<u8>,
    /// signatureAlgorithm.algorithm.
    pub(crate) algorithm: ObjectIdentifier,
    /// signatureAlgorithm.parameters, DER, if present.
    pub(crate) parameters: Option<Vec<u8>>,
    /// The signature bits.
    pub(crate) signature: Vec<u8>,
}

impl SignedData {
    /// Splits a DER certificate or CRL. Trailing data is an error.
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, String> {
        let s = SignedRef::from_der(der).map_err(|e| format!("signed structure: {e}"))?;
        let tbs = s
            .tbs
            .to_der()
            .map_err(|e| format!("signed structure: {e}"))?;
        let parameters = match s.algorithm.parameters {
            Some(p) => Some(
                p.to_der()
                    .map_err(|e| format!("signature algorithm: {e}"))?,
            ),
            None => None,
        };
        let signature = s
            .signature
            .as_bytes()
            .ok_or("signature: a BIT STRING with unused bits")?
            .to_vec();
        Ok(Self {
            tbs,
            algorithm: s.algorithm.oid,
            parameters,
            signature,
        })
    }

    /// Whether `issuer_key` made this signature. Unsupported algorithms (and mismatches
    /// between the signature algorithm and the key type) are `false`, as OpenSSL's
    /// `X509_verify` fails on them.
    pub(crate) fn verified_by(&self, issuer_key: &SubjectPublicKeyInfoOwned) -> bool {
        verify_with(
            self.algorithm,
            self.parameters.as_deref(),
            issuer_key,
            &self.tbs,
            &self.signature,
        )
        .unwrap_or(false)
    }
}

/// Checks `signature` over `message` by `key`, with the signature algorithm `oid` (and its
/// DER parameters): `None` when we do not support that algorithm with that key type,
/// else whether it verifies. (OCSP responses are signed the same way.)
pub(crate) fn verify_with(
    oid: ObjectIdentifier,
    parameters: Option<&[u8]>,
    key: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let bits = key.subject_public_key.raw_bytes();
    match algorithm_for(oid, parameters, key)? {
        Check::Ring(alg) => Some(
            alg.verify(bits.into(), message.into(), signature.into())
                .is_ok(),
        ),
        Check::P521(hash) => Some(verify_p521(hash, bits, message, signature)),
    }
}

/// An ECDSA P-521 signature (DER `Ecdsa-Sig-Value`) over the `hash` digest of `message`.
fn verify_p521(
    hash: &'static ring::digest::Algorithm,
    key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    use p521::ecdsa::signature::hazmat::PrehashVerifier;
    let Ok(key) = p521::ecdsa::VerifyingKey::from_sec1_bytes(key) else {
        return false;
    };
    let Ok(signature) = p521::ecdsa::Signature::from_der(signature) else {
        return false;
    };
    let digest = ring::digest::digest(hash, message);
    key.verify_prehash(digest.as_ref(), &signature).is_ok()
}

/// How a signature algorithm is checked with a key.
enum Check {
    Ring(&'static dyn VerificationAlgorithm),
    P521(&'static ring::digest::Algorithm),
}

// Signature algorithms (RFC 4055, RFC 5758, RFC 8410).
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
// Key types and curves.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
// PSS parameters.
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");

/// How to check a signature algorithm with the signer's key, if we support the pair.
fn algorithm_for(
    oid: ObjectIdentifier,
    parameters: Option<&[u8]>,
    key: &SubjectPublicKeyInfoOwned,
) -> Option<Check> {
    let key_type = key.algorithm.oid;
    let curve = || {
        key.algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
    };
    let rsa = key_type == RSA_ENCRYPTION;
    // RFC 5758 s3.2: the ECDSA algorithms have absent parameters; the hash is the
    // algorithm's, whatever the curve (a P-521 key signs with any of them).
    if key_type == EC_PUBLIC_KEY && curve() == Some(P521) {
        return match oid {
            ECDSA_WITH_SHA256 => Some(Check::P521(&ring::digest::SHA256)),
            ECDSA_WITH_SHA384 => Some(Check::P521(&ring::digest::SHA384)),
            ECDSA_WITH_SHA512 => Some(Check::P521(&ring::digest::SHA512)),
            _ => None,
        };
    }
    // RFC 4055 s5: the PKCS#1 v1.5 algorithms have NULL parameters, but absent ones are seen
    // in the wild and OpenSSL accepts both; so do we.
    Some(Check::Ring(match oid {
        SHA256_WITH_RSA if rsa => &sig::RSA_PKCS1_2048_8192_SHA256,
        SHA384_WITH_RSA if rsa => &sig::RSA_PKCS1_2048_8192_SHA384,
        SHA512_WITH_RSA if rsa => &sig::RSA_PKCS1_2048_8192_SHA512,
        RSASSA_PSS if rsa => pss(parameters?)?,
        ECDSA_WITH_SHA256 | ECDSA_WITH_SHA384 if key_type == EC_PUBLIC_KEY => {
            match (oid == ECDSA_WITH_SHA256, curve()?) {
                (true, P256) => &sig::ECDSA_P256_SHA256_ASN1,
                (false, P256) => &sig::ECDSA_P256_SHA384_ASN1,
                (true, P384) => &sig::ECDSA_P384_SHA256_ASN1,
                (false, P384) => &sig::ECDSA_P384_SHA384_ASN1,
                _ => return None,
            }
        }
        ED25519 if key_type == ED25519 => &sig::ED25519,
        _ => return None,
    }))
}

/// RSASSA-PSS parameters (RFC 4055 s3.1) that ring can check: SHA-2 with MGF1 over the same
/// hash and a salt as long as the hash (what TLS and every CA use).
fn pss(parameters: &[u8]) -> Option<&'static dyn VerificationAlgorithm> {
    let p = pkcs1::RsaPssParams::<der::Any>::from_der(parameters).ok()?;
    let mgf_hash = p.mask_gen.parameters.as_ref().map(|h| h.oid);
    if p.mask_gen.oid != MGF1 || mgf_hash != Some(p.hash.oid) {
        return None;
    }
    match (p.hash.oid, p.salt_len) {
        (SHA256, 32) => Some(&sig::RSA_PSS_2048_8192_SHA256),
        (SHA384, 48) => Some(&sig::RSA_PSS_2048_8192_SHA384),
        (SHA512, 64) => Some(&sig::RSA_PSS_2048_8192_SHA512),
        _ => None,
    }
}
