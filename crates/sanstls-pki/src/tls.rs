//! The engine's verifier traits implemented the way Node verifies a TLS peer: RFC 5280 path
//! validation ([`crate::verify`]) reporting the error Node reports (OpenSSL's last error,
//! with Node's code), then, on a client, Node's `checkServerIdentity`
//! ([`crate::identity`]) for the name connected to.
//!
//! A refusal is `CertificateError::Rejected { code, message }`, so the engine sends the
//! alert OpenSSL sends for that code, and with `reject_unauthorized` off it becomes the
//! connection's `authorization_error` (Node's `authorizationError`).
//!
//! [`StrictServerVerifier`] and [`StrictClientVerifier`] are the same verifiers under
//! [`Policy::Strict`]: the strict path-validation rules and the strict host-name check
//! ([`crate::identity::strict`]), refusals still carrying Node's codes. They are the ones to
//! use from Rust without the Node facade; the facade and the CLI keep Node's policy.

use std::sync::Arc;

use sanstls::crypto::verify::{ClientCertVerifier, ServerCertVerifier};
use sanstls::error::CertificateError;
use sanstls::Error;

use crate::cert::IdentityNames;
use crate::cert::PeerCertificate;
use crate::identity::{check_identity_names, CheckFailure};
use crate::verify::parsed::ParsedCert;
use crate::verify::{ErrorReport, Policy, Purpose, Verifier, VerifyError};

/// Node's `checkServerIdentity(hostname, cert)` signature: `Err` with a reason refuses.
pub type IdentityCheck = dyn Fn(&str, &PeerCertificate) -> Result<(), String> + Send + Sync;

/// Verifies servers like a Node client: the chain against `ca` (or Mozilla's roots), then the
/// host name.
#[derive(Clone)]
pub struct NodeServerVerifier {
    verifier: Arc<Verifier>,
    identity: Option<Arc<IdentityCheck>>,
}

impl core::fmt::Debug for NodeServerVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NodeServerVerifier")
            .field("anchors", &self.verifier.anchor_count())
            .field("custom_identity_check", &self.identity.is_some())
            .finish()
    }
}

impl NodeServerVerifier {
    /// Trusts `verifier`'s anchors (it is switched to Node's error reporting) and checks
    /// the host name with Node's rules.
    pub fn new(verifier: Verifier) -> Self {
        Self {
            verifier: Arc::new(verifier.with_error_report(ErrorReport::Last)),
            identity: None,
        }
    }

    /// Trusts `roots` (DER certificates, Node's `ca`): the one-line verifier for a user of
    /// the engine alone.
    ///
    /// ```
    /// # let root = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/rsa.der")).unwrap();
    /// use std::sync::Arc;
    /// let verifier = sanstls_pki::tls::NodeServerVerifier::with_roots(vec![root])?;
    /// let config = sanstls::ClientConfig::new(Arc::new(verifier));
    /// # Ok::<(), sanstls_pki::verify::VerifyError>(())
    /// ```
    pub fn with_roots(roots: Vec<Vec<u8>>) -> Result<Self, VerifyError> {
        Verifier::new(roots).map(Self::new)
    }

    /// Trusts the Mozilla root set Node trusts by default.
    pub fn mozilla() -> Self {
        Self::new(Verifier::mozilla())
    }

    /// Node's `checkServerIdentity` option: replaces the host-name check.
    pub fn with_identity_check(mut self, check: Arc<IdentityCheck>) -> Self {
        self.identity = Some(check);
        self
    }
}

/// The engine's form of a path-validation refusal, with Node's code.
fn rejected(e: &VerifyError) -> Error {
    Error::InvalidCertificate(CertificateError::Rejected {
        code: e.kind().node_code().into(),
        message: e.to_string(),
    })
}

/// The end entity, parsed once (for the chain and then the name), after its chain was
/// verified for `purpose`.
fn verified_leaf(
    verifier: &Verifier,
    end_entity: &[u8],
    intermediates: &[&[u8]],
    now: sanstls::UnixTime,
    purpose: Purpose,
) -> Result<ParsedCert, Error> {
    let leaf = ParsedCert::from_der(end_entity).map_err(|e| {
        rejected(&VerifyError::malformed(
            0,
            format!("end-entity certificate: {e}"),
        ))
    })?;
    verifier
        .verify_parsed(&leaf, intermediates, now.as_secs(), purpose)
        .map_err(|e| rejected(&e))?;
    Ok(leaf)
}

impl ServerCertVerifier for NodeServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        _ocsp_response: &[u8],
        now: sanstls::UnixTime,
    ) -> Result<(), Error> {
        // The end entity is parsed once, for the chain and the name.
        let leaf = verified_leaf(
            &self.verifier,
            end_entity,
            intermediates,
            now,
            Purpose::ServerAuth,
        )?;
        // Node checks the name only once the chain is trusted. Its default check reads only
        // the names; a custom one gets the whole certificate object, as in Node.
        let outcome = match &self.identity {
            Some(check) => PeerCertificate::from_der(end_entity)
                .map_err(|e| e.to_string())
                .and_then(|cert| check(server_name, &cert)),
            None => IdentityNames::from_certificate(&leaf.cert)
                .map_err(|e| {
                    CheckFailure::Certificate(crate::cert::CertError::Der {
                        index: 0,
                        part: "subjectAltName extension",
                        error: e.to_string(),
                    })
                })
                .and_then(|names| check_identity_names(server_name, &names, end_entity))
                .map_err(|e| match e {
                    CheckFailure::Certificate(e) => e.to_string(),
                    CheckFailure::Identity(e) => e.to_string(),
                }),
        };
        outcome.map_err(|message| {
            Error::InvalidCertificate(CertificateError::Rejected {
                code: crate::identity::ERR_TLS_CERT_ALTNAME_INVALID.into(),
                message,
            })
        })
    }
}

/// Verifies clients like a Node server with `requestCert`: the chain against `ca` for the
/// clientAuth purpose; `client_auth_mandatory` is Node's `rejectUnauthorized`.
#[derive(Debug, Clone)]
pub struct NodeClientVerifier {
    verifier: Arc<Verifier>,
    mandatory: bool,
}

impl NodeClientVerifier {
    /// Trusts `verifier`'s anchors; a client without a certificate is refused when
    /// `mandatory`.
    pub fn new(verifier: Verifier, mandatory: bool) -> Self {
        Self {
            verifier: Arc::new(verifier.with_error_report(ErrorReport::Last)),
            mandatory,
        }
    }

    /// Trusts client certificates issued under `roots` (DER certificates, Node's `ca`); a
    /// client without a certificate is refused when `mandatory`.
    pub fn with_roots(roots: Vec<Vec<u8>>, mandatory: bool) -> Result<Self, VerifyError> {
        Verifier::new(roots).map(|v| Self::new(v, mandatory))
    }
}

impl ClientCertVerifier for NodeClientVerifier {
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: sanstls::UnixTime,
    ) -> Result<(), Error> {
        self.verifier
            .verify(
                end_entity,
                intermediates,
                now.as_secs(),
                Purpose::ClientAuth,
            )
            .map(|_| ())
            .map_err(|e| rejected(&e))
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.verifier.anchor_subjects()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }
}

/// Verifies servers under [`Policy::Strict`]: the chain with the strict web-PKI rules, then
/// the host name with [`crate::identity::strict`] (subjectAltName only, no Common Name,
/// strict IP text, no wildcard over a public suffix). The verifier for users of the
/// engine's Rust API; the Node facade and the CLI use [`NodeServerVerifier`].
#[derive(Debug, Clone)]
pub struct StrictServerVerifier {
    verifier: Arc<Verifier>,
}

impl StrictServerVerifier {
    /// Trusts `verifier`'s anchors, switched to [`Policy::Strict`].
    pub fn new(verifier: Verifier) -> Self {
        Self {
            verifier: Arc::new(verifier.with_policy(Policy::Strict)),
        }
    }

    /// Trusts `roots` (DER certificates).
    ///
    /// ```
    /// # let root = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/rsa.der")).unwrap();
    /// use std::sync::Arc;
    /// let verifier = sanstls_pki::tls::StrictServerVerifier::with_roots(vec![root])?;
    /// let config = sanstls::ClientConfig::new(Arc::new(verifier));
    /// # Ok::<(), sanstls_pki::verify::VerifyError>(())
    /// ```
    pub fn with_roots(roots: Vec<Vec<u8>>) -> Result<Self, VerifyError> {
        Verifier::new(roots).map(Self::new)
    }

    /// Trusts the Mozilla root set.
    pub fn mozilla() -> Self {
        Self::new(Verifier::mozilla())
    }
}

impl ServerCertVerifier for StrictServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        _ocsp_response: &[u8],
        now: sanstls::UnixTime,
    ) -> Result<(), Error> {
        let leaf = verified_leaf(
            &self.verifier,
            end_entity,
            intermediates,
            now,
            Purpose::ServerAuth,
        )?;
        crate::identity::strict::check_certificate(server_name, &leaf.cert).map_err(|e| {
            Error::InvalidCertificate(CertificateError::Rejected {
                code: e.code().into(),
                message: e.to_string(),
            })
        })
    }
}

/// Verifies clients under [`Policy::Strict`] (the chain for the clientAuth purpose);
/// `client_auth_mandatory` refuses clients without a certificate.
#[derive(Debug, Clone)]
pub struct StrictClientVerifier {
    inner: NodeClientVerifier,
}

impl StrictClientVerifier {
    /// Trusts `verifier`'s anchors, switched to [`Policy::Strict`]; a client without a
    /// certificate is refused when `mandatory`.
    pub fn new(verifier: Verifier, mandatory: bool) -> Self {
        Self {
            inner: NodeClientVerifier::new(verifier.with_policy(Policy::Strict), mandatory),
        }
    }

    /// Trusts client certificates issued under `roots` (DER certificates).
    pub fn with_roots(roots: Vec<Vec<u8>>, mandatory: bool) -> Result<Self, VerifyError> {
        Verifier::new(roots).map(|v| Self::new(v, mandatory))
    }
}

impl ClientCertVerifier for StrictClientVerifier {
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
}
