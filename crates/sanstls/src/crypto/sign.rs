//! Our signing keys: the server's certificate key and a client's, on ring.
//!
//! One exception to "no global randomness": ring's RSA-PSS and ECDSA signers draw their
//! salt / nonce from ring's own `SystemRandom`, and ring offers no way to supply it. A
//! CertificateVerify is therefore not reproducible byte for byte (RFC 8448 replays stop at
//! it, as the issue text anticipates); everything else the engine sends is.

use core::fmt::Debug;
use std::sync::Arc;

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
    /// Ed25519.
    Ed25519,
}

/// A private key that signs handshake messages.
pub trait SigningKey: Send + Sync + Debug {
    /// The schemes this key can sign with, in our preference order.
    fn schemes(&self) -> &[SignatureScheme];

    /// Our preferred scheme among `offered`. TLS 1.3 (RFC 8446 s4.2.3) forbids PKCS#1 v1.5
    /// in CertificateVerify and ties each ECDSA scheme to its curve.
    fn choose_scheme(&self, offered: &[SignatureScheme], tls13: bool) -> Option<SignatureScheme> {
        self.schemes()
            .iter()
            .copied()
            .filter(|s| !(tls13 && is_pkcs1(*s)))
            .find(|s| offered.contains(s))
    }

    /// Signs `message` with `scheme` (one of [`Self::schemes`]).
    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error>;

    /// What kind of key this is.
    fn algorithm(&self) -> KeyAlgorithm;

    /// The public key as it appears in a certificate's SubjectPublicKeyInfo BIT STRING.
    fn public_key(&self) -> &[u8];
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

/// Loads a private key from DER: PKCS#8 (RSA, ECDSA P-256/P-384, Ed25519) or PKCS#1
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
        if let Ok(k) = EcdsaKeyPair::from_pkcs8(alg, der, &rng) {
            return Ok(Arc::new(EcdsaKey { key: k, kind }));
        }
    }
    let rsa = RsaKeyPair::from_pkcs8(der).or_else(|_| RsaKeyPair::from_der(der));
    match rsa {
        Ok(k) => Ok(Arc::new(RsaKey {
            bits: k.public().modulus_len() * 8,
            key: k,
        })),
        Err(_) => Err(Error::BadConfiguration(
            "private key is not PKCS#8 (RSA, ECDSA P-256/P-384, Ed25519) or PKCS#1 RSA",
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
    key: EcdsaKeyPair,
    kind: KeyAlgorithm,
}

impl Debug for EcdsaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EcdsaKey({:?})", self.kind)
    }
}

impl SigningKey for EcdsaKey {
    fn schemes(&self) -> &[SignatureScheme] {
        match self.kind {
            KeyAlgorithm::EcdsaP384 => &[SignatureScheme::ECDSA_NISTP384_SHA384],
            _ => &[SignatureScheme::ECDSA_NISTP256_SHA256],
        }
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !self.schemes().contains(&scheme) {
            return Err(Error::ApiMisuse("ECDSA key asked for another scheme"));
        }
        let sig = self
            .key
            .sign(&ring::rand::SystemRandom::new(), message)
            .map_err(|_| Error::EncryptError)?;
        Ok(sig.as_ref().to_vec())
    }

    fn algorithm(&self) -> KeyAlgorithm {
        self.kind
    }

    fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
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

/// Whether `key` is the private half of the public key in `cert_der`.
pub fn key_matches_certificate(key: &dyn SigningKey, cert_der: &[u8]) -> bool {
    match super::verify::ParsedCertificate::parse(cert_der) {
        Ok(cert) => cert.public_key == key.public_key(),
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
