//! # sanstls-pki: certificates and keys the way Node.js loads, shows and verifies them
//!
//! - [`pem`]: the PEM reader (several blocks, mixed types, junk between blocks).
//! - [`keys`]: private keys in every form Node's `key`/`passphrase` options take (PKCS#8,
//!   encrypted PKCS#8, PKCS#1, SEC1, traditional encrypted PEM).
//! - [`pkcs12`]: PFX files (`pfx`/`passphrase`), modern and legacy encryption.
//! - [`dh`]: DH parameters (`dhparam`).
//! - [`cert`]: a certificate as Node's `getPeerCertificate([detailed])` shows it.
//! - [`verify`]: RFC 5280 path building and validation with Node's error codes; [`crl`]
//!   revocation lists, [`roots`] the default trust anchors.
//! - [`x509`]: Node's `crypto.X509Certificate` (properties, `checkHost`, `checkIssued`, ...).
//! - [`identity`]: Node's `checkServerIdentity`; [`identity::strict`] the strict policy's
//!   RFC 6125 host-name check.
//! - [`ocsp`]: OCSP responses (RFC 6960).
//! - [`tls`]: the engine's verifier traits, implemented as Node verifies a TLS peer, and
//!   under the strict policy.
//!
//! The crate is built on the RustCrypto formats crates (der, x509-cert, pkcs8, pkcs12) and
//! ring for signatures and digests; docs/dependencies.md says why each crate is here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "full")]
pub mod cert;
#[cfg(feature = "full")]
pub mod crl;
#[cfg(feature = "full")]
pub mod dh;
#[cfg(feature = "full")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "full")]
pub mod identity;
#[cfg(feature = "full")]
pub mod keys;
#[cfg(feature = "full")]
pub mod ocsp;
#[cfg(feature = "pem")]
pub mod pem;
#[cfg(feature = "full")]
pub mod pkcs12;
#[cfg(feature = "full")]
pub mod roots;
#[cfg(feature = "full")]
pub mod tls;
#[cfg(feature = "full")]
pub mod verify;
#[cfg(feature = "full")]
pub mod x509;

/// docs/verification.md, whose examples run as doctests (not part of the API).
#[cfg(all(doctest, feature = "full"))]
#[doc = include_str!("../../../docs/verification.md")]
pub struct VerificationDoc;
