//! Verifying the peer: the verifier traits the handshakes call, and the check of a handshake
//! signature (CertificateVerify, ServerKeyExchange) on the peer's key.
//!
//! Certificates are not this crate's business: parsing, chain building, name matching and
//! Node's error codes live in the `sanstls-pki` crate, which implements these traits
//! (`sanstls_pki::tls::NodeServerVerifier`, `NodeClientVerifier`), as rustls leaves X.509 to
//! rustls-webpki. The engine reads a certificate only as far as its SubjectPublicKeyInfo,
//! to check signatures with the key in it and to match a configured key with its
//! certificate.

use crate::prelude::*;
use core::fmt::Debug;

use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use spki::der::asn1::AnyRef;
use spki::der::{Decode, SliceReader, Tag, Tagged};
use spki::{ObjectIdentifier as Oid, SubjectPublicKeyInfoRef};

use crate::enums::SignatureScheme;
use crate::error::{CertificateError, Error, PeerMisbehaved};
use crate::time::UnixTime;

/// The key and curve OIDs the signature check tells apart.
mod oid {
    use spki::ObjectIdentifier as Oid;
    pub(super) const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub(super) const EC: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub(super) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    pub(super) const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub(super) const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub(super) const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
}

/// How a handshake signature is checked: by ring, or over a digest made with ring by
/// RustCrypto's curve crates where ring cannot: any P-521 key (ring has no P-521), and in
/// TLS 1.2 a P-256 or P-384 key with SHA-512 (ring binds the hash to the curve).
enum Check {
    Ring(&'static dyn VerificationAlgorithm),
    P521(&'static ring::digest::Algorithm),
    P256Sha512,
    P384Sha512,
}

/// An ECDSA check over a ring digest with one of RustCrypto's curve crates (`p256`, `p384`,
/// `p521`): the SEC1 key, the DER signature, then the prehash verification.
macro_rules! prehash_ecdsa {
    ($curve:ident, $hash:expr, $key:expr, $message:expr, $signature:expr) => {{
        use $curve::ecdsa::signature::hazmat::PrehashVerifier;
        let key = $curve::ecdsa::VerifyingKey::from_sec1_bytes($key).map_err(|_| ())?;
        let signature = $curve::ecdsa::Signature::from_der($signature).map_err(|_| ())?;
        let digest = ring::digest::digest($hash, $message);
        key.verify_prehash(digest.as_ref(), &signature)
            .map_err(|_| ())
    }};
}

impl Check {
    fn verify(&self, key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), ()> {
        let sha512 = &ring::digest::SHA512;
        match self {
            Self::Ring(alg) => UnparsedPublicKey::new(*alg, key)
                .verify(message, signature)
                .map_err(|_| ()),
            Self::P521(hash) => prehash_ecdsa!(p521, hash, key, message, signature),
            Self::P256Sha512 => prehash_ecdsa!(p256, sha512, key, message, signature),
            Self::P384Sha512 => prehash_ecdsa!(p384, sha512, key, message, signature),
        }
    }
}

/// A certificate's public key, borrowed from its DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicKeyRef<'a> {
    /// The SubjectPublicKeyInfo algorithm.
    algorithm: Oid,
    /// The named curve of an EC key.
    curve: Option<Oid>,
    /// The key bits: RSAPublicKey DER, an EC point, or an Ed25519 key.
    pub(crate) key: &'a [u8],
}

impl<'a> PublicKeyRef<'a> {
    /// Reads the key of a DER certificate in place. Only the path to the
    /// SubjectPublicKeyInfo is walked: whether the certificate is otherwise well formed and
    /// trusted is the verifier's decision, taken before any signature is checked.
    pub(crate) fn of_certificate(cert_der: &'a [u8]) -> Result<Self, Error> {
        let spki = spki_of_certificate(cert_der)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or(Error::InvalidCertificate(CertificateError::BadEncoding))?;
        Ok(Self {
            algorithm: spki.algorithm.oid,
            curve: spki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<Oid>().ok()),
            key,
        })
    }
}

/// The SubjectPublicKeyInfo of a certificate (RFC 5280 s4.1): the seventh field of
/// tbsCertificate, counting the optional `[0]` version.
fn spki_of_certificate(cert_der: &[u8]) -> spki::der::Result<SubjectPublicKeyInfoRef<'_>> {
    let cert = AnyRef::from_der(cert_der)?;
    cert.tag().assert_eq(Tag::Sequence)?;
    let mut outer = SliceReader::new(cert.value())?;
    let tbs = AnyRef::decode(&mut outer)?;
    tbs.tag().assert_eq(Tag::Sequence)?;
    let mut fields = SliceReader::new(tbs.value())?;
    if matches!(Tag::peek(&fields)?, Tag::ContextSpecific { number, .. } if number.value() == 0) {
        AnyRef::decode(&mut fields)?;
    }
    // serialNumber, signature, issuer, validity, subject.
    for _ in 0..5 {
        AnyRef::decode(&mut fields)?;
    }
    SubjectPublicKeyInfoRef::decode(&mut fields)
}

/// How to check a handshake signature scheme, checking that the key type and (for TLS 1.3)
/// the curve fit it.
fn scheme_algorithm(
    scheme: SignatureScheme,
    key: &PublicKeyRef<'_>,
    tls13: bool,
) -> Result<Check, Error> {
    use ring::digest;
    use SignatureScheme as S;
    let mismatch = || Error::from(PeerMisbehaved::BadSignature);
    let curve = key.curve;
    if curve == Some(oid::P521) && key.algorithm == oid::EC {
        // TLS 1.3 allows a P-521 key only SHA-512 (RFC 8446 s4.2.3); TLS 1.2 any hash.
        return match scheme {
            S::ECDSA_NISTP521_SHA512 => Ok(Check::P521(&digest::SHA512)),
            S::ECDSA_NISTP384_SHA384 if !tls13 => Ok(Check::P521(&digest::SHA384)),
            S::ECDSA_NISTP256_SHA256 if !tls13 => Ok(Check::P521(&digest::SHA256)),
            S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 => Err(mismatch()),
            S::RSA_PKCS1_SHA256 | S::RSA_PKCS1_SHA384 | S::RSA_PKCS1_SHA512 => Err(mismatch()),
            S::RSA_PSS_RSAE_SHA256 | S::RSA_PSS_RSAE_SHA384 | S::RSA_PSS_RSAE_SHA512 => {
                Err(mismatch())
            }
            S::ED25519 => Err(mismatch()),
            _ => Err(CertificateError::UnsupportedSignatureAlgorithm.into()),
        };
    }
    let alg: &'static dyn VerificationAlgorithm = match scheme {
        S::RSA_PSS_RSAE_SHA256 => &signature::RSA_PSS_2048_8192_SHA256,
        S::RSA_PSS_RSAE_SHA384 => &signature::RSA_PSS_2048_8192_SHA384,
        S::RSA_PSS_RSAE_SHA512 => &signature::RSA_PSS_2048_8192_SHA512,
        S::RSA_PKCS1_SHA256 if !tls13 => &signature::RSA_PKCS1_2048_8192_SHA256,
        S::RSA_PKCS1_SHA384 if !tls13 => &signature::RSA_PKCS1_2048_8192_SHA384,
        S::RSA_PKCS1_SHA512 if !tls13 => &signature::RSA_PKCS1_2048_8192_SHA512,
        S::ECDSA_NISTP256_SHA256 if curve == Some(oid::P256) => &signature::ECDSA_P256_SHA256_ASN1,
        S::ECDSA_NISTP384_SHA384 if curve == Some(oid::P384) => &signature::ECDSA_P384_SHA384_ASN1,
        // TLS 1.2 lets the hash and curve vary independently.
        S::ECDSA_NISTP256_SHA256 if !tls13 && curve == Some(oid::P384) => {
            &signature::ECDSA_P384_SHA256_ASN1
        }
        S::ECDSA_NISTP384_SHA384 if !tls13 && curve == Some(oid::P256) => {
            &signature::ECDSA_P256_SHA384_ASN1
        }
        S::ED25519 => &signature::ED25519,
        S::RSA_PKCS1_SHA256 | S::RSA_PKCS1_SHA384 | S::RSA_PKCS1_SHA512 => return Err(mismatch()),
        S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 => return Err(mismatch()),
        // A P-521 key's scheme; TLS 1.3 ties it to that curve, TLS 1.2 names only SHA-512.
        S::ECDSA_NISTP521_SHA512 if tls13 => return Err(mismatch()),
        S::ECDSA_NISTP521_SHA512 if key.algorithm == oid::EC => {
            return match curve {
                Some(c) if c == oid::P256 => Ok(Check::P256Sha512),
                Some(c) if c == oid::P384 => Ok(Check::P384Sha512),
                _ => Err(CertificateError::UnsupportedSignatureAlgorithm.into()),
            }
        }
        S::ECDSA_NISTP521_SHA512 => return Err(mismatch()),
        _ => return Err(CertificateError::UnsupportedSignatureAlgorithm.into()),
    };
    let key_ok = match scheme {
        S::ED25519 => key.algorithm == oid::ED25519,
        S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 => key.algorithm == oid::EC,
        _ => key.algorithm == oid::RSA,
    };
    match key_ok {
        true => Ok(Check::Ring(alg)),
        false => Err(mismatch()),
    }
}

/// Verifies a handshake signature (CertificateVerify, ServerKeyExchange) made by the key in
/// `cert_der` with `scheme`, under TLS 1.3's rules when `tls13` (no PKCS#1 v1.5, the ECDSA
/// hash fixed by the curve) and TLS 1.2's otherwise. This is what the verifier traits'
/// default methods call; a custom verifier can call it too.
pub fn verify_signature(
    scheme: SignatureScheme,
    cert_der: &[u8],
    message: &[u8],
    signature: &[u8],
    tls13: bool,
) -> Result<(), Error> {
    // Only the key is needed: read it in place rather than decoding the whole certificate
    // (the chain check already did, once).
    let key = PublicKeyRef::of_certificate(cert_der)?;
    let check = scheme_algorithm(scheme, &key, tls13)?;
    let verdict = check.verify(key.key, message, signature);
    match crate::FUZZING {
        true => Ok(()),
        false => verdict.map_err(|_| PeerMisbehaved::BadSignature.into()),
    }
}

/// The schemes the verifiers accept by default, in preference order.
pub const DEFAULT_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP521_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// Decides whether to trust a server's certificate chain.
pub trait ServerCertVerifier: Send + Sync + Debug {
    /// Verifies the chain for `server_name` at `now`.
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<(), Error>;

    /// The signature schemes we accept in CertificateVerify (sent in signature_algorithms).
    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        DEFAULT_SCHEMES.to_vec()
    }

    /// Verifies a TLS 1.3 CertificateVerify signature made by the key in `cert` (the
    /// end-entity certificate, already accepted by the chain check). The default checks it
    /// with [`verify_signature`].
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_signature(scheme, cert, message, signature, true)
    }

    /// Verifies a TLS 1.2 signature made by the key in `cert`: the server's
    /// ServerKeyExchange parameters, or a client's CertificateVerify. TLS 1.2 allows
    /// PKCS#1 v1.5 and lets an ECDSA key sign with any hash, so its rules differ from TLS
    /// 1.3's. The default checks it with [`verify_signature`].
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_signature(scheme, cert, message, signature, false)
    }
}

/// Decides whether to trust a client's certificate chain.
pub trait ClientCertVerifier: Send + Sync + Debug {
    /// Verifies the chain at `now`.
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: UnixTime,
    ) -> Result<(), Error>;

    /// DER subjects to list in CertificateRequest's certificate_authorities.
    fn root_hint_subjects(&self) -> Vec<Vec<u8>>;

    /// Whether a client without a certificate is refused (Node: `rejectUnauthorized`).
    fn client_auth_mandatory(&self) -> bool;

    /// The signature schemes we accept in CertificateVerify.
    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        DEFAULT_SCHEMES.to_vec()
    }

    /// Verifies a TLS 1.3 CertificateVerify signature made by the key in `cert` (the
    /// end-entity certificate, already accepted by the chain check). The default checks it
    /// with [`verify_signature`].
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_signature(scheme, cert, message, signature, true)
    }

    /// Verifies a TLS 1.2 signature made by the key in `cert`: the server's
    /// ServerKeyExchange parameters, or a client's CertificateVerify. TLS 1.2 allows
    /// PKCS#1 v1.5 and lets an ECDSA key sign with any hash, so its rules differ from TLS
    /// 1.3's. The default checks it with [`verify_signature`].
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_signature(scheme, cert, message, signature, false)
    }
}

/// Trusts any certificate whose key can be read (Node's `rejectUnauthorized: false`, and
/// rustls's "dangerous" verifiers): no chain, validity or name check. The handshake signature
/// is still checked with the key of the certificate the peer sent, so the peer proves it holds
/// that key, but nothing says who it is.
#[derive(Debug, Default)]
pub struct InsecureAcceptAnything;

impl ServerCertVerifier for InsecureAcceptAnything {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        _intermediates: &[&[u8]],
        _server_name: &str,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<(), Error> {
        PublicKeyRef::of_certificate(end_entity).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sign::{key_matches_certificate, load_private_key};

    const RSA: &[u8] = include_bytes!("../../../../vectors/pki/bench/rsa.der");
    const RSA_CA: &[u8] = include_bytes!("../../../../vectors/pki/bench/rsa-ca.der");
    const ECDSA: &[u8] = include_bytes!("../../../../vectors/pki/bench/ecdsa.der");
    const ECDSA_CA: &[u8] = include_bytes!("../../../../vectors/pki/bench/ecdsa-ca.der");

    #[test]
    fn the_key_reader_finds_each_certificates_key() {
        let rsa_key =
            load_private_key(include_bytes!("../../../../vectors/pki/bench/rsa.key.der")).unwrap();
        let ec_key = load_private_key(include_bytes!(
            "../../../../vectors/pki/bench/ecdsa.key.der"
        ))
        .unwrap();
        // The key read from each leaf is the one its private key derives, and no other.
        assert!(key_matches_certificate(&*rsa_key, RSA));
        assert!(key_matches_certificate(&*ec_key, ECDSA));
        for other in [RSA_CA, ECDSA, ECDSA_CA] {
            assert!(!key_matches_certificate(&*rsa_key, other));
        }
        for other in [RSA, RSA_CA, ECDSA_CA] {
            assert!(!key_matches_certificate(&*ec_key, other));
        }
        let rsa = PublicKeyRef::of_certificate(RSA).unwrap();
        assert_eq!((rsa.algorithm, rsa.curve), (oid::RSA, None));
        let ec = PublicKeyRef::of_certificate(ECDSA).unwrap();
        assert_eq!(ec.algorithm, oid::EC);
        assert!(ec.curve == Some(oid::P256) || ec.curve == Some(oid::P384));
        // A version 1 certificate has no [0] field before the serial number.
        let v1 = include_bytes!("../../../../vectors/pki/certs/v1.der");
        assert_eq!(
            v1[8..11],
            [0x02, 0x02, 0x30],
            "no [0] version before the serial"
        );
        assert_eq!(
            PublicKeyRef::of_certificate(v1).unwrap().algorithm,
            oid::RSA
        );
    }

    #[test]
    fn a_truncated_or_padded_certificate_is_an_encoding_error() {
        for der in [RSA, RSA_CA, ECDSA, ECDSA_CA] {
            for n in 0..der.len() {
                assert_eq!(
                    PublicKeyRef::of_certificate(&der[..n]),
                    Err(Error::InvalidCertificate(CertificateError::BadEncoding)),
                    "truncated to {n}"
                );
            }
            let padded = [der, &[0][..]].concat();
            assert!(PublicKeyRef::of_certificate(&padded).is_err());
        }
        // Not a certificate at all: a bare SubjectPublicKeyInfo.
        let spki = spki_of_certificate(ECDSA).unwrap();
        let spki_der = spki::der::Encode::to_der(&spki).unwrap();
        assert!(PublicKeyRef::of_certificate(&spki_der).is_err());
    }
}
