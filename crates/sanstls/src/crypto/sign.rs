//! Our signing keys: the server's certificate key and a client's, on ring (P-521 keys,
//! which ring lacks, on RustCrypto's `p521`, with RFC 6979 deterministic nonces).
//!
//! One exception to "no global randomness": ring's RSA-PSS and ECDSA signers draw their
//! salt / nonce from ring's own `SystemRandom`, and ring offers no way to supply it. A
//! CertificateVerify is therefore not reproducible byte for byte (RFC 8448 replays stop at
//! it, as the issue text anticipates); everything else the engine sends is.

use crate::prelude::*;
use alloc::sync::Arc;
use core::fmt::Debug;

use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};

use crate::enums::SignatureScheme;
use crate::error::Error;

/// The kind of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA with this modulus size.
    Rsa {
        /// Modulus bits.
        bits: usize,
    },
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// ECDSA on P-521.
    EcdsaP521,
    /// Ed25519.
    Ed25519,
}

/// A private key that signs handshake messages.
pub trait SigningKey: Send + Sync + Debug {
    /// The schemes this key can sign with, in our preference order.
    fn schemes(&self) -> &[SignatureScheme];

    /// Our preferred scheme among `offered`. TLS 1.3 (RFC 8446 s4.2.3) forbids PKCS#1 v1.5
    /// in CertificateVerify and ties each ECDSA scheme to its curve; in TLS 1.2 an ECDSA
    /// scheme names only the hash (RFC 5246 s7.4.1.4.1), so an ECDSA key signs with any.
    fn choose_scheme(&self, offered: &[SignatureScheme], tls13: bool) -> Option<SignatureScheme> {
        let algorithm = self.algorithm();
        self.schemes()
            .iter()
            .copied()
            .filter(|s| !tls13 || usable_in_tls13(*s, algorithm))
            .find(|s| offered.contains(s))
    }

    /// Signs `message` with `scheme` (one of [`Self::schemes`]).
    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error>;

    /// What kind of key this is.
    fn algorithm(&self) -> KeyAlgorithm;

    /// The public key as it appears in a certificate's SubjectPublicKeyInfo BIT STRING (what
    /// [`certificate_public_key`] reads): a certified key is refused when they differ.
    fn public_key(&self) -> &[u8];
}

/// Whether `s` may sign a TLS 1.3 CertificateVerify with a key of `algorithm`.
fn usable_in_tls13(s: SignatureScheme, algorithm: KeyAlgorithm) -> bool {
    match s {
        SignatureScheme::ECDSA_NISTP256_SHA256 => algorithm == KeyAlgorithm::EcdsaP256,
        SignatureScheme::ECDSA_NISTP384_SHA384 => algorithm == KeyAlgorithm::EcdsaP384,
        SignatureScheme::ECDSA_NISTP521_SHA512 => algorithm == KeyAlgorithm::EcdsaP521,
        s => !is_pkcs1(s),
    }
}

fn is_pkcs1(s: SignatureScheme) -> bool {
    matches!(
        s,
        SignatureScheme::RSA_PKCS1_SHA1
            | SignatureScheme::RSA_PKCS1_SHA256
            | SignatureScheme::RSA_PKCS1_SHA384
            | SignatureScheme::RSA_PKCS1_SHA512
    )
}

/// Loads a private key from DER: PKCS#8 (RSA, ECDSA P-256/P-384/P-521, Ed25519) or PKCS#1
/// RSAPrivateKey. (SEC1 `EC PRIVATE KEY` and encrypted keys come with the pki crate.)
pub fn load_private_key(der: &[u8]) -> Result<Arc<dyn SigningKey>, Error> {
    if let Ok(k) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
        return Ok(Arc::new(Ed25519Key(k)));
    }
    let rng = ring::rand::SystemRandom::new();
    for (alg, kind) in [
        (
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            KeyAlgorithm::EcdsaP256,
        ),
        (
            &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            KeyAlgorithm::EcdsaP384,
        ),
    ] {
        if let Ok(key) = EcdsaKeyPair::from_pkcs8(alg, der, &rng) {
            let prehash = PrehashKey::from_pkcs8(kind, der)?;
            return Ok(Arc::new(EcdsaKey { key, prehash, kind }));
        }
    }
    if let Some(key) = P521Key::from_pkcs8(der) {
        return Ok(Arc::new(key));
    }
    let rsa = RsaKeyPair::from_pkcs8(der).or_else(|_| RsaKeyPair::from_der(der));
    match rsa {
        Ok(k) => Ok(Arc::new(RsaKey {
            bits: k.public().modulus_len() * 8,
            key: k,
        })),
        Err(_) => Err(Error::BadConfiguration(
            "private key is not PKCS#8 (RSA, ECDSA P-256/P-384/P-521, Ed25519) or PKCS#1 RSA",
        )),
    }
}

struct RsaKey {
    key: RsaKeyPair,
    bits: usize,
}

impl Debug for RsaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaKey({} bits)", self.bits)
    }
}

impl SigningKey for RsaKey {
    fn schemes(&self) -> &[SignatureScheme] {
        &[
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            SignatureScheme::RSA_PSS_RSAE_SHA384,
            SignatureScheme::RSA_PSS_RSAE_SHA512,
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512,
        ]
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        let padding: &'static dyn signature::RsaEncoding = match scheme {
            SignatureScheme::RSA_PSS_RSAE_SHA256 => &signature::RSA_PSS_SHA256,
            SignatureScheme::RSA_PSS_RSAE_SHA384 => &signature::RSA_PSS_SHA384,
            SignatureScheme::RSA_PSS_RSAE_SHA512 => &signature::RSA_PSS_SHA512,
            SignatureScheme::RSA_PKCS1_SHA256 => &signature::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384 => &signature::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512 => &signature::RSA_PKCS1_SHA512,
            _ => return Err(Error::ApiMisuse("RSA key asked for a non-RSA scheme")),
        };
        let mut sig = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(padding, &ring::rand::SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::EncryptError)?;
        Ok(sig)
    }

    fn algorithm(&self) -> KeyAlgorithm {
        KeyAlgorithm::Rsa { bits: self.bits }
    }

    fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }
}

struct EcdsaKey {
    /// Signs with the curve's own hash (P-256 with SHA-256, P-384 with SHA-384): every TLS
    /// 1.3 signature and most TLS 1.2 ones.
    key: EcdsaKeyPair,
    /// Signs a digest of another hash (TLS 1.2 only): ring binds the hash to the curve.
    prehash: PrehashKey,
    kind: KeyAlgorithm,
}

/// The same ECDSA key, as RustCrypto's signer of a precomputed digest (RFC 6979
/// deterministic nonces: no randomness needed).
enum PrehashKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl PrehashKey {
    fn from_pkcs8(kind: KeyAlgorithm, der: &[u8]) -> Result<Self, Error> {
        use p256::pkcs8::DecodePrivateKey;
        let bad = |_| Error::BadConfiguration("ECDSA key");
        Ok(match kind {
            KeyAlgorithm::EcdsaP384 => {
                Self::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?)
            }
            _ => Self::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?),
        })
    }

    /// An ASN.1 DER ECDSA signature over `digest` (truncated to the curve's size by the
    /// signer, FIPS 186-5 s6.4.1).
    fn sign(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let der = match self {
            Self::P256(k) => PrehashSigner::<p256::ecdsa::Signature>::sign_prehash(k, digest)
                .map(|s| s.to_der().as_bytes().to_vec()),
            Self::P384(k) => PrehashSigner::<p384::ecdsa::Signature>::sign_prehash(k, digest)
                .map(|s| s.to_der().as_bytes().to_vec()),
        };
        der.map_err(|_| Error::EncryptError)
    }
}

impl Debug for EcdsaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EcdsaKey({:?})", self.kind)
    }
}

impl SigningKey for EcdsaKey {
    fn schemes(&self) -> &[SignatureScheme] {
        use SignatureScheme as S;
        match self.kind {
            KeyAlgorithm::EcdsaP384 => &[
                S::ECDSA_NISTP384_SHA384,
                S::ECDSA_NISTP521_SHA512,
                S::ECDSA_NISTP256_SHA256,
            ],
            _ => &[
                S::ECDSA_NISTP256_SHA256,
                S::ECDSA_NISTP384_SHA384,
                S::ECDSA_NISTP521_SHA512,
            ],
        }
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        use ring::digest;
        use SignatureScheme as S;
        if usable_in_tls13(scheme, self.kind) {
            let sig = self
                .key
                .sign(&ring::rand::SystemRandom::new(), message)
                .map_err(|_| Error::EncryptError)?;
            return Ok(sig.as_ref().to_vec());
        }
        let hash = match scheme {
            S::ECDSA_NISTP256_SHA256 => &digest::SHA256,
            S::ECDSA_NISTP384_SHA384 => &digest::SHA384,
            S::ECDSA_NISTP521_SHA512 => &digest::SHA512,
            _ => return Err(Error::ApiMisuse("ECDSA key asked for a non-ECDSA scheme")),
        };
        self.prehash.sign(digest::digest(hash, message).as_ref())
    }

    fn algorithm(&self) -> KeyAlgorithm {
        self.kind
    }

    fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }
}

/// An ECDSA P-521 key (ring has none). Every signature is over a digest: SHA-512 for
/// ecdsa_secp521r1_sha512 (the only scheme TLS 1.3 allows the curve), and in TLS 1.2 also
/// SHA-256 or SHA-384, which an ECDSA scheme's name picks there (RFC 5246 s7.4.1.4.1). The
/// nonce is RFC 6979's, so no randomness is needed; the scalar is zeroized on drop by the
/// crate.
struct P521Key {
    key: p521::ecdsa::SigningKey,
    /// The uncompressed SEC1 public point (133 bytes).
    public: Vec<u8>,
}

impl P521Key {
    /// A PKCS#8 P-521 key (`id-ecPublicKey` with `secp521r1`), or `None` for anything else.
    fn from_pkcs8(der: &[u8]) -> Option<Self> {
        use p521::elliptic_curve::sec1::ToSec1Point;
        use p521::pkcs8::DecodePrivateKey;
        let key = p521::ecdsa::SigningKey::from_pkcs8_der(der).ok()?;
        let public = key
            .verifying_key()
            .as_affine()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec();
        Some(Self { key, public })
    }
}

impl Debug for P521Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EcdsaKey(EcdsaP521)")
    }
}

impl SigningKey for P521Key {
    fn schemes(&self) -> &[SignatureScheme] {
        use SignatureScheme as S;
        &[
            S::ECDSA_NISTP521_SHA512,
            S::ECDSA_NISTP384_SHA384,
            S::ECDSA_NISTP256_SHA256,
        ]
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        use p521::ecdsa::signature::hazmat::PrehashSigner;
        use ring::digest;
        use SignatureScheme as S;
        let hash = match scheme {
            S::ECDSA_NISTP256_SHA256 => &digest::SHA256,
            S::ECDSA_NISTP384_SHA384 => &digest::SHA384,
            S::ECDSA_NISTP521_SHA512 => &digest::SHA512,
            _ => return Err(Error::ApiMisuse("ECDSA key asked for a non-ECDSA scheme")),
        };
        let digest = digest::digest(hash, message);
        PrehashSigner::<p521::ecdsa::Signature>::sign_prehash(&self.key, digest.as_ref())
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|_| Error::EncryptError)
    }

    fn algorithm(&self) -> KeyAlgorithm {
        KeyAlgorithm::EcdsaP521
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }
}

struct Ed25519Key(Ed25519KeyPair);

impl Debug for Ed25519Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Ed25519Key")
    }
}

impl SigningKey for Ed25519Key {
    fn schemes(&self) -> &[SignatureScheme] {
        &[SignatureScheme::ED25519]
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        if scheme != SignatureScheme::ED25519 {
            return Err(Error::ApiMisuse("Ed25519 key asked for another scheme"));
        }
        Ok(self.0.sign(message).as_ref().to_vec())
    }

    fn algorithm(&self) -> KeyAlgorithm {
        KeyAlgorithm::Ed25519
    }

    fn public_key(&self) -> &[u8] {
        self.0.public_key().as_ref()
    }
}

/// The public key of a DER certificate, in the form [`SigningKey::public_key`] gives it (the
/// SubjectPublicKeyInfo BIT STRING): for an implementation of [`SigningKey`] outside this
/// crate (a hardware key, a recorded trace) to report the key its certificate carries.
pub fn certificate_public_key(cert_der: &[u8]) -> Result<&[u8], Error> {
    super::verify::PublicKeyRef::of_certificate(cert_der).map(|k| k.key)
}

/// Whether `key` is the private half of the public key in `cert_der`.
pub(crate) fn key_matches_certificate(key: &dyn SigningKey, cert_der: &[u8]) -> bool {
    match super::verify::PublicKeyRef::of_certificate(cert_der) {
        Ok(cert) => cert.key == key.public_key(),
        Err(_) => false,
    }
}

/// The schemes of `offered` that `allowed` (a configuration's `signature_schemes`, Node's
/// `sigalgs`) lets us sign with, in the peer's order.
pub(crate) fn allowed_schemes(
    allowed: &Option<Vec<SignatureScheme>>,
    offered: &[SignatureScheme],
) -> Vec<SignatureScheme> {
    match allowed {
        Some(list) => offered
            .iter()
            .copied()
            .filter(|s| list.contains(s))
            .collect(),
        None => offered.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SignatureScheme as S;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../../vectors/pki/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn tls12_ecdsa_signs_with_any_hash_and_tls13_only_with_the_curves() {
        let key = load_private_key(&fixture("bench/ecdsa.key.der")).unwrap();
        let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(key.public_key()).unwrap();
        let message = b"client_random || server_random || params";
        for (scheme, hash) in [
            (S::ECDSA_NISTP256_SHA256, &ring::digest::SHA256),
            (S::ECDSA_NISTP384_SHA384, &ring::digest::SHA384),
            (S::ECDSA_NISTP521_SHA512, &ring::digest::SHA512),
        ] {
            assert_eq!(key.choose_scheme(&[scheme], false), Some(scheme));
            let der = key.sign(scheme, message).unwrap();
            let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let digest = ring::digest::digest(hash, message);
            public
                .verify_prehash(digest.as_ref(), &sig)
                .unwrap_or_else(|e| panic!("{scheme:?}: {e}"));
        }
        // TLS 1.3 ties ECDSA schemes to curves (RFC 8446 s4.2.3).
        assert_eq!(key.choose_scheme(&[S::ECDSA_NISTP384_SHA384], true), None);
        assert_eq!(
            key.choose_scheme(&[S::ECDSA_NISTP384_SHA384, S::ECDSA_NISTP256_SHA256], true),
            Some(S::ECDSA_NISTP256_SHA256)
        );
        // RSA keys never sign a TLS 1.3 CertificateVerify with PKCS#1 v1.5.
        let rsa = load_private_key(&fixture("bench/rsa.key.der")).unwrap();
        assert_eq!(rsa.choose_scheme(&[S::RSA_PKCS1_SHA256], true), None);
        assert_eq!(
            rsa.choose_scheme(&[S::RSA_PKCS1_SHA256], false),
            Some(S::RSA_PKCS1_SHA256)
        );
    }

    #[test]
    fn a_key_that_is_not_the_certificates_is_refused_when_the_configuration_is_built() {
        let rsa_cert = fixture("bench/rsa.der");
        let ecdsa = load_private_key(&fixture("bench/ecdsa.key.der")).unwrap();
        let rsa = load_private_key(&fixture("bench/rsa.key.der")).unwrap();
        let refused = Error::BadConfiguration("the private key does not match the certificate");
        assert_eq!(
            crate::server::CertifiedKey::new(vec![rsa_cert.clone()], ecdsa.clone()).err(),
            Some(refused.clone())
        );
        assert_eq!(
            crate::client::ClientCertificate::new(vec![rsa_cert.clone()], ecdsa).err(),
            Some(refused)
        );
        assert!(crate::server::CertifiedKey::new(Vec::new(), rsa.clone()).is_err());
        assert!(crate::server::CertifiedKey::new(vec![rsa_cert], rsa).is_ok());
    }
}
