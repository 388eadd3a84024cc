//! Our signing keys (interface; implementation pending).

use core::fmt::Debug;
use std::sync::Arc;

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
    /// Our preferred scheme among `offered`, honouring TLS 1.3's restrictions.
    fn choose_scheme(&self, offered: &[SignatureScheme], tls13: bool) -> Option<SignatureScheme>;
    /// Signs `message` with `scheme`.
    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error>;
    /// What kind of key this is.
    fn algorithm(&self) -> KeyAlgorithm;
}

/// Loads a private key from DER.
pub fn load_private_key(_der: &[u8]) -> Result<Arc<dyn SigningKey>, Error> {
    Err(Error::BadConfiguration("key loading not implemented yet"))
}
