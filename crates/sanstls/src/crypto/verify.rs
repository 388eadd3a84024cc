//! Verifying peer certificates and signatures (interface; implementation pending).

use core::fmt::Debug;

use crate::enums::SignatureScheme;
use crate::error::Error;

/// Verifies a signature with the public key in `spki_der`.
pub fn verify_signature(
    _scheme: SignatureScheme,
    _spki_der: &[u8],
    _message: &[u8],
    _signature: &[u8],
    _tls13: bool,
) -> Result<(), Error> {
    Err(Error::ApiMisuse(
        "signature verification not implemented yet",
    ))
}

/// Decides whether to trust a server's certificate chain.
pub trait ServerCertVerifier: Send + Sync + Debug {
    /// Verifies the chain for `server_name` at `now_unix` (seconds).
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        ocsp_response: &[u8],
        now_unix: u64,
    ) -> Result<(), Error>;
    /// The signature schemes we accept in CertificateVerify.
    fn supported_schemes(&self) -> Vec<SignatureScheme>;
    /// Verifies a TLS 1.3 CertificateVerify signature.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error>;
}

/// Decides whether to trust a client's certificate chain.
pub trait ClientCertVerifier: Send + Sync + Debug {
    /// Verifies the chain at `now_unix` (seconds).
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now_unix: u64,
    ) -> Result<(), Error>;
    /// DER subjects to list in CertificateRequest's certificate_authorities.
    fn root_hint_subjects(&self) -> Vec<Vec<u8>>;
    /// Whether a client without a certificate is refused.
    fn client_auth_mandatory(&self) -> bool;
    /// The signature schemes we accept in CertificateVerify.
    fn supported_schemes(&self) -> Vec<SignatureScheme>;
    /// Verifies a TLS 1.3 CertificateVerify signature.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error>;
}
