//! Which rules a verification applies: Node's (OpenSSL's defaults and Node's host-name
//! check, with OpenSSL's error codes) or a strict web-PKI policy (RFC 5280 and the CA/Browser
//! Forum Baseline Requirements, as rustls-webpki and pyca/cryptography apply them).

/// The rule set of a [`super::Verifier`] and of the TLS verifiers built on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Policy {
    /// What Node 20 accepts and refuses, with OpenSSL's codes: the facade's and the CLI's
    /// default.
    #[default]
    Node,
    /// RFC 5280 plus the Baseline Requirements for server and client certificates: no
    /// Common Name fallback, explicit EKU, critical basicConstraints on CAs, no weak keys,
    /// and the other rules docs/verification.md lists. The default for users of the
    /// engine's Rust API without the facade.
    Strict,
}
