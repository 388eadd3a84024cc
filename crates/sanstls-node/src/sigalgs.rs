//! Node's `sigalgs` option and `getSharedSigalgs()`: signature algorithms in OpenSSL's
//! spelling (`ECDSA+SHA256`, `RSA-PSS+SHA256`, `RSA+SHA256`, `ed25519`) or the TLS 1.3
//! names (`ecdsa_secp256r1_sha256`, `rsa_pss_rsae_sha256`...).

use std::fmt::Debug;
use std::sync::Arc;

use sanstls::crypto::verify::{ClientCertVerifier, ServerCertVerifier};
use sanstls::enums::SignatureScheme;
use sanstls::Error;

use crate::error::TlsError;

/// `(OpenSSL's name, IANA name, scheme)`; the OpenSSL name is what `getSharedSigalgs()`
/// returns.
const NAMES: &[(&str, &str, SignatureScheme)] = &[
    (
        "ECDSA+SHA256",
        "ecdsa_secp256r1_sha256",
        SignatureScheme::ECDSA_NISTP256_SHA256,
    ),
    (
        "ECDSA+SHA384",
        "ecdsa_secp384r1_sha384",
        SignatureScheme::ECDSA_NISTP384_SHA384,
    ),
    (
        "ECDSA+SHA512",
        "ecdsa_secp521r1_sha512",
        SignatureScheme::ECDSA_NISTP521_SHA512,
    ),
    ("ed25519", "ed25519", SignatureScheme::ED25519),
    ("ed448", "ed448", SignatureScheme::ED448),
    (
        "RSA-PSS+SHA256",
        "rsa_pss_rsae_sha256",
        SignatureScheme::RSA_PSS_RSAE_SHA256,
    ),
    (
        "RSA-PSS+SHA384",
        "rsa_pss_rsae_sha384",
        SignatureScheme::RSA_PSS_RSAE_SHA384,
    ),
    (
        "RSA-PSS+SHA512",
        "rsa_pss_rsae_sha512",
        SignatureScheme::RSA_PSS_RSAE_SHA512,
    ),
    (
        "rsa_pss_pss_sha256",
        "rsa_pss_pss_sha256",
        SignatureScheme::RSA_PSS_PSS_SHA256,
    ),
    (
        "rsa_pss_pss_sha384",
        "rsa_pss_pss_sha384",
        SignatureScheme::RSA_PSS_PSS_SHA384,
    ),
    (
        "rsa_pss_pss_sha512",
        "rsa_pss_pss_sha512",
        SignatureScheme::RSA_PSS_PSS_SHA512,
    ),
    (
        "RSA+SHA256",
        "rsa_pkcs1_sha256",
        SignatureScheme::RSA_PKCS1_SHA256,
    ),
    (
        "RSA+SHA384",
        "rsa_pkcs1_sha384",
        SignatureScheme::RSA_PKCS1_SHA384,
    ),
    (
        "RSA+SHA512",
        "rsa_pkcs1_sha512",
        SignatureScheme::RSA_PKCS1_SHA512,
    ),
    (
        "RSA+SHA1",
        "rsa_pkcs1_sha1",
        SignatureScheme::RSA_PKCS1_SHA1,
    ),
    (
        "ECDSA+SHA1",
        "ecdsa_sha1",
        SignatureScheme::ECDSA_SHA1_Legacy,
    ),
];

/// Parses a `sigalgs` list (`:`-separated).
pub fn parse(list: &str) -> Result<Vec<SignatureScheme>, TlsError> {
    let mut out = Vec::new();
    for name in list.split(':').filter(|n| !n.is_empty()) {
        let scheme = NAMES
            .iter()
            .find(|(openssl, iana, _)| {
                openssl.eq_ignore_ascii_case(name) || iana.eq_ignore_ascii_case(name)
            })
            .map(|(_, _, s)| *s)
            .ok_or_else(|| {
                TlsError::new(
                    "ERR_SSL_INVALID_SIGALGS",
                    format!("sigalgs: unknown signature algorithm {name:?}"),
                )
            })?;
        if !out.contains(&scheme) {
            out.push(scheme);
        }
    }
    if out.is_empty() {
        return Err(TlsError::new(
            "ERR_SSL_INVALID_SIGALGS",
            "sigalgs: empty list",
        ));
    }
    Ok(out)
}

/// OpenSSL's name for a scheme (what `getSharedSigalgs()` lists).
pub fn name(scheme: SignatureScheme) -> String {
    NAMES
        .iter()
        .find(|(_, _, s)| *s == scheme)
        .map(|(n, _, _)| (*n).to_string())
        .unwrap_or_else(|| format!("0x{:04x}", u16::from(scheme)))
}

/// A verifier whose accepted schemes (sent in signature_algorithms or
/// CertificateRequest, and checked in the peer's signature) are limited to `sigalgs`.
#[derive(Debug)]
pub(crate) struct Limited<V: ?Sized> {
    pub(crate) inner: Arc<V>,
    pub(crate) allowed: Vec<SignatureScheme>,
}

impl<V: ?Sized> Limited<V> {
    fn filter(&self, schemes: Vec<SignatureScheme>) -> Vec<SignatureScheme> {
        schemes
            .into_iter()
            .filter(|s| self.allowed.contains(s))
            .collect()
    }
}

impl<V: ServerCertVerifier + ?Sized> ServerCertVerifier for Limited<V> {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        ocsp_response: &[u8],
        now: sanstls::UnixTime,
    ) -> Result<(), Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        self.filter(self.inner.supported_schemes())
    }
}

impl<V: ClientCertVerifier + ?Sized> ClientCertVerifier for Limited<V> {
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: sanstls::UnixTime,
    ) -> Result<(), Error> {
        self.inner
            .verify_client_cert(end_entity, intermediates, now)
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.inner.root_hint_subjects()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        self.filter(self.inner.supported_schemes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_and_errors() {
        assert_eq!(
            parse("ECDSA+SHA256:rsa_pss_rsae_sha256:ed25519").unwrap(),
            [
                SignatureScheme::ECDSA_NISTP256_SHA256,
                SignatureScheme::RSA_PSS_RSAE_SHA256,
                SignatureScheme::ED25519
            ]
        );
        assert_eq!(
            parse("DSA+SHA256").unwrap_err().code,
            "ERR_SSL_INVALID_SIGALGS"
        );
        assert!(parse("").is_err());
        assert_eq!(name(SignatureScheme::RSA_PSS_RSAE_SHA384), "RSA-PSS+SHA384");
    }
}
