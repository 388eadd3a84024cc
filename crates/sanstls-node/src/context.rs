//! `tls.createSecureContext(options)`: keys, certificates, trust and protocol settings,
//! loaded once and shared by the servers and clients that use them.
//!
//! Options are a plain struct with Node's defaults (`Default`); the loaded
//! [`SecureContext`] turns into the engine's `ServerConfig`/`ClientConfig`.

use std::sync::Arc;

use sanstls::client::{ClientCertificate, ClientConfig};
use sanstls::crypto::ffdhe::DhGroup;
use sanstls::enums::{NamedGroup, ProtocolVersion};
use sanstls::server::{CertifiedKey, ServerConfig};
use sanstls::suites::{Tls12CipherSuite, Tls13CipherSuite};
use sanstls_pki::crl::Crl;
use sanstls_pki::keys::{self, KeyInput, PrivateKey};
use sanstls_pki::pkcs12::{self, PfxInput};
use sanstls_pki::verify::Verifier;

use crate::ciphers;
use crate::error::TlsError;

/// `SSL_OP_NO_TLSv1_2`.
pub const SSL_OP_NO_TLSV1_2: u64 = 0x0800_0000;
/// `SSL_OP_NO_TLSv1_3`.
pub const SSL_OP_NO_TLSV1_3: u64 = 0x2000_0000;
/// `SSL_OP_NO_TICKET`.
pub const SSL_OP_NO_TICKET: u64 = 0x0000_4000;
/// `SSL_OP_CIPHER_SERVER_PREFERENCE` (Node's `honorCipherOrder`).
pub const SSL_OP_CIPHER_SERVER_PREFERENCE: u64 = 0x0040_0000;
/// `SSL_OP_NO_RENEGOTIATION`.
pub const SSL_OP_NO_RENEGOTIATION: u64 = 0x4000_0000;
/// `SSL_OP_NO_SSLv2`, `SSL_OP_NO_SSLv3`, `SSL_OP_NO_TLSv1`, `SSL_OP_NO_TLSv1_1`: always
/// true here (those versions do not exist in sanstls), so accepted and ignored.
pub const SSL_OP_NO_OLD_VERSIONS: u64 = 0x0100_0000 | 0x0200_0000 | 0x0400_0000 | 0x1000_0000;

/// Node's `tls.DEFAULT_ECDH_CURVE`.
pub const DEFAULT_ECDH_CURVE: &str = "auto";
/// Node's `tls.DEFAULT_MIN_VERSION`.
pub const DEFAULT_MIN_VERSION: &str = "TLSv1.2";
/// Node's `tls.DEFAULT_MAX_VERSION`.
pub const DEFAULT_MAX_VERSION: &str = "TLSv1.3";

/// The options of `tls.createSecureContext()`, with Node's names in snake_case. PEM
/// inputs are bytes (a file's contents), as Node takes strings or Buffers. `Debug` shows
/// neither the passphrase nor the keys.
#[derive(Clone, Default)]
pub struct SecureContextOptions {
    /// `key`: private keys in PEM (each may have its own passphrase).
    pub key: Vec<KeyInput>,
    /// `passphrase`: for keys and PFX files without their own.
    pub passphrase: Option<String>,
    /// `cert`: certificate chains in PEM, leaf first, one per key (in the same order).
    pub cert: Vec<Vec<u8>>,
    /// `pfx`: PKCS#12 files (each may have its own passphrase).
    pub pfx: Vec<PfxInput>,
    /// `ca`: trusted certificates in PEM, replacing the default list (Mozilla's roots and
    /// `NODE_EXTRA_CA_CERTS`, see [`crate::trust`]).
    pub ca: Option<Vec<Vec<u8>>>,
    /// `allowPartialTrustChain` (Node 22): any trusted certificate, not only a self-signed
    /// root, may end a chain (OpenSSL's `X509_V_FLAG_PARTIAL_CHAIN`).
    pub allow_partial_trust_chain: bool,
    /// `crl`: revocation lists, PEM or DER.
    pub crl: Vec<Vec<u8>>,
    /// `ciphers`: OpenSSL cipher string (default [`ciphers::DEFAULT_CIPHERS`]).
    pub ciphers: Option<String>,
    /// `honorCipherOrder`: servers already prefer their own order; accepted for parity.
    pub honor_cipher_order: Option<bool>,
    /// `ecdhCurve`: `auto` or a colon-separated list (`X25519:P-256:prime256v1:secp384r1`).
    pub ecdh_curve: Option<String>,
    /// `dhparam`: DH parameters in PEM, enabling DHE suites on servers.
    pub dhparam: Option<Vec<u8>>,
    /// `secureOptions`: `SSL_OP_*` bits; the ones that apply are listed as constants of
    /// this module, others are an error.
    pub secure_options: u64,
    /// `secureProtocol`: `TLS_method`, `TLSv1_2_method`, `TLSv1_3_method` (and their
    /// `_client`/`_server` forms); the insecure ones are an error.
    pub secure_protocol: Option<String>,
    /// `sessionIdContext`.
    pub session_id_context: Option<Vec<u8>>,
    /// `minVersion`: `TLSv1.2` or `TLSv1.3`.
    pub min_version: Option<String>,
    /// `maxVersion`: `TLSv1.2` or `TLSv1.3`.
    pub max_version: Option<String>,
    /// `sigalgs`: the signature algorithms we sign with and accept
    /// (`ECDSA+SHA256:RSA-PSS+SHA256:ed25519`, or the TLS 1.3 names).
    pub sigalgs: Option<String>,
    /// `clientCertEngine`: OpenSSL engines do not exist here; `Some` is an error.
    pub client_cert_engine: Option<String>,
}

impl core::fmt::Debug for SecureContextOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecureContextOptions")
            .field("key", &self.key)
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "<redacted>"),
            )
            .field("cert", &format_args!("{} chain(s)", self.cert.len()))
            .field("pfx", &self.pfx)
            .field("ca", &self.ca.as_ref().map(Vec::len))
            .field("allow_partial_trust_chain", &self.allow_partial_trust_chain)
            .field("crl", &self.crl.len())
            .field("ciphers", &self.ciphers)
            .field("honor_cipher_order", &self.honor_cipher_order)
            .field("ecdh_curve", &self.ecdh_curve)
            .field("dhparam", &self.dhparam.is_some())
            .field("secure_options", &self.secure_options)
            .field("secure_protocol", &self.secure_protocol)
            .field("session_id_context", &self.session_id_context)
            .field("min_version", &self.min_version)
            .field("max_version", &self.max_version)
            .field("sigalgs", &self.sigalgs)
            .field("client_cert_engine", &self.client_cert_engine)
            .finish()
    }
}

/// A loaded secure context: what `createSecureContext` returns.
#[derive(Clone, Debug)]
pub struct SecureContext {
    certificates: Vec<CertifiedKey>,
    verifier: Option<Arc<Verifier>>,
    tls13: Vec<&'static Tls13CipherSuite>,
    tls12: Vec<&'static Tls12CipherSuite>,
    min_version: ProtocolVersion,
    max_version: ProtocolVersion,
    groups: Vec<NamedGroup>,
    dh_params: Option<DhGroup>,
    session_id_context: Vec<u8>,
    sigalgs: Option<Vec<sanstls::enums::SignatureScheme>>,
    no_tickets: bool,
    no_renegotiation: bool,
}

fn invalid(option: &str, why: impl core::fmt::Display) -> TlsError {
    TlsError::new("ERR_INVALID_ARG_VALUE", format!("{option}: {why}"))
}

fn version(option: &str, v: &str) -> Result<ProtocolVersion, TlsError> {
    match v {
        "TLSv1.3" => Ok(ProtocolVersion::TLSv1_3),
        "TLSv1.2" => Ok(ProtocolVersion::TLSv1_2),
        "TLSv1.1" | "TLSv1" => Err(TlsError::new(
            "ERR_TLS_INVALID_PROTOCOL_VERSION",
            format!("{option}: {v} is not supported by sanstls (TLS 1.2 and 1.3 only)"),
        )),
        other => Err(TlsError::new(
            "ERR_TLS_INVALID_PROTOCOL_VERSION",
            format!("{other} is not a valid {option}"),
        )),
    }
}

/// `ecdhCurve`: OpenSSL's and Node's names for the groups sanstls has.
fn groups(spec: &str) -> Result<Vec<NamedGroup>, TlsError> {
    if spec == "auto" {
        return Ok(sanstls::crypto::kx::SUPPORTED_GROUPS.to_vec());
    }
    let mut out = Vec::new();
    for name in spec.split(':') {
        let g = match name {
            "X25519" | "x25519" => NamedGroup::X25519,
            "P-256" | "prime256v1" | "secp256r1" => NamedGroup::secp256r1,
            "P-384" | "secp384r1" => NamedGroup::secp384r1,
            other => {
                return Err(TlsError::new(
                    "ERR_TLS_INVALID_ECDH_CURVE",
                    format!("ecdhCurve: unsupported curve {other:?}"),
                ))
            }
        };
        if !out.contains(&g) {
            out.push(g);
        }
    }
    Ok(out)
}

/// `createSecureContext(options)`.
pub fn create_secure_context(o: &SecureContextOptions) -> Result<SecureContext, TlsError> {
    if o.client_cert_engine.is_some() {
        return Err(TlsError::new(
            "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
            "clientCertEngine: OpenSSL engines are not supported by sanstls",
        ));
    }
    let sigalgs = o
        .sigalgs
        .as_deref()
        .map(crate::sigalgs::parse)
        .transpose()?;
    let mut min = version(
        "minVersion",
        o.min_version.as_deref().unwrap_or(DEFAULT_MIN_VERSION),
    )?;
    let mut max = version(
        "maxVersion",
        o.max_version.as_deref().unwrap_or(DEFAULT_MAX_VERSION),
    )?;
    if let Some(p) = &o.secure_protocol {
        // Node: secureProtocol and min/maxVersion do not mix.
        if o.min_version.is_some() || o.max_version.is_some() {
            return Err(TlsError::new(
                "ERR_TLS_PROTOCOL_VERSION_CONFLICT",
                "secureProtocol cannot be combined with minVersion/maxVersion",
            ));
        }
        let base = p
            .strip_suffix("_client_method")
            .or_else(|| p.strip_suffix("_server_method"))
            .or_else(|| p.strip_suffix("_method"))
            .unwrap_or(p);
        (min, max) = match base {
            "TLS" | "SSLv23" => (ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3),
            "TLSv1_2" => (ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_2),
            "TLSv1_3" => (ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_3),
            "SSLv2" | "SSLv3" | "TLSv1" | "TLSv1_1" => {
                return Err(TlsError::new(
                    "ERR_TLS_INVALID_PROTOCOL_METHOD",
                    format!("secureProtocol: {p} is insecure and not supported"),
                ))
            }
            _ => {
                return Err(TlsError::new(
                    "ERR_TLS_INVALID_PROTOCOL_METHOD",
                    format!("Unknown method: {p}"),
                ))
            }
        };
    }
    let known = SSL_OP_NO_TLSV1_2
        | SSL_OP_NO_TLSV1_3
        | SSL_OP_NO_TICKET
        | SSL_OP_CIPHER_SERVER_PREFERENCE
        | SSL_OP_NO_RENEGOTIATION
        | SSL_OP_NO_OLD_VERSIONS;
    if o.secure_options & !known != 0 {
        return Err(invalid(
            "secureOptions",
            format_args!("unsupported SSL_OP bits {:#x}", o.secure_options & !known),
        ));
    }
    if o.secure_options & SSL_OP_NO_TLSV1_3 != 0 {
        max = ProtocolVersion::TLSv1_2;
    }
    if o.secure_options & SSL_OP_NO_TLSV1_2 != 0 {
        min = ProtocolVersion::TLSv1_3;
    }

    // Node 20 (checked against it): a cipher string without TLS 1.3 names keeps TLS 1.3
    // with its default suites; one with only TLS 1.3 names leaves TLS 1.2 without suites,
    // so only TLS 1.3 can be negotiated.
    let default = ciphers::default_ciphers();
    let mut selection = ciphers::parse(o.ciphers.as_deref().unwrap_or(&default))
        .map_err(|e| TlsError::new("ERR_SSL_NO_CIPHER_MATCH", e.to_string()))?;
    if selection.tls13.is_empty() {
        selection.tls13 = sanstls::suites::ALL_TLS13_SUITES.to_vec();
    }
    if selection.tls12.is_empty() && u16::from(max) >= u16::from(ProtocolVersion::TLSv1_3) {
        min = ProtocolVersion::TLSv1_3;
    }
    if u16::from(min) > u16::from(max) {
        return Err(TlsError::new(
            "ERR_TLS_INVALID_PROTOCOL_VERSION",
            "no TLS version is left enabled (minVersion above maxVersion)",
        ));
    }

    let passphrase = o.passphrase.as_deref().map(str::as_bytes);
    let mut certificates = Vec::new();
    if !o.key.is_empty() || !o.cert.is_empty() {
        let keys = keys::load_keys(&o.key, passphrase)
            .map_err(|e| TlsError::new("ERR_OSSL_BAD_DECRYPT", e.to_string()))?;
        if keys.len() != o.cert.len() {
            return Err(invalid(
                "key/cert",
                format_args!("{} keys for {} certificates", keys.len(), o.cert.len()),
            ));
        }
        for (key, chain) in keys.into_iter().zip(&o.cert) {
            certificates.push(certified(key, chain)?);
        }
    }
    let pfx = pkcs12::load_pfx(&o.pfx, passphrase)
        .map_err(|e| TlsError::new("ERR_CRYPTO_OPERATION_FAILED", e.to_string()))?;
    for p in pfx {
        let mut chain = vec![p.certificate];
        chain.extend(p.ca);
        certificates.push(CertifiedKey::new(
            chain,
            p.key.signing_key().map_err(|e| invalid("pfx", e))?,
        )?);
    }

    let verifier = match &o.ca {
        None => None,
        Some(pems) => {
            let mut anchors = Vec::new();
            for pem in pems {
                anchors.extend(
                    sanstls_pki::cert::parse_certificates(pem).map_err(|e| invalid("ca", e))?,
                );
            }
            Some(Verifier::new(anchors).map_err(|e| invalid("ca", e))?)
        }
    };
    let mut crls = Vec::new();
    for c in &o.crl {
        crls.extend(Crl::parse_file(c).map_err(|e| invalid("crl", e))?);
    }
    let verifier = match (verifier, crls.is_empty()) {
        (v, true) => v,
        (Some(v), false) => Some(v.with_crls(crls)),
        (None, false) => Some(crate::trust::default_verifier().with_crls(crls)),
    };
    // Without `ca`, the default list as it is now (setDefaultCACertificates affects contexts
    // made afterwards); allowPartialTrustChain is a flag of the context's store.
    let verifier = Some(
        verifier
            .unwrap_or_else(crate::trust::default_verifier)
            .with_partial_chain(o.allow_partial_trust_chain),
    );
    let dh_params = o
        .dhparam
        .as_deref()
        .map(|pem| {
            sanstls_pki::dh::DhParams::from_pem(pem)
                .and_then(|p| p.to_group())
                .map_err(|e| invalid("dhparam", e))
        })
        .transpose()?;
    Ok(SecureContext {
        certificates,
        verifier: verifier.map(Arc::new),
        tls13: selection.tls13,
        tls12: selection.tls12,
        min_version: min,
        max_version: max,
        groups: groups(o.ecdh_curve.as_deref().unwrap_or(DEFAULT_ECDH_CURVE))?,
        dh_params,
        session_id_context: o.session_id_context.clone().unwrap_or_default(),
        sigalgs,
        no_tickets: o.secure_options & SSL_OP_NO_TICKET != 0,
        no_renegotiation: o.secure_options & SSL_OP_NO_RENEGOTIATION != 0,
    })
}

/// A key and its chain, checked to belong together (OpenSSL's "key values mismatch").
fn certified(key: PrivateKey, chain_pem: &[u8]) -> Result<CertifiedKey, TlsError> {
    let chain = sanstls_pki::cert::parse_certificates(chain_pem).map_err(|e| invalid("cert", e))?;
    let leaf = chain
        .first()
        .ok_or_else(|| invalid("cert", "no certificate"))?;
    key.matches_certificate(leaf).map_err(|e| {
        TlsError::new(
            "ERR_OSSL_X509_KEY_VALUES_MISMATCH",
            format!("key values mismatch: {e}"),
        )
    })?;
    Ok(CertifiedKey::new(
        chain,
        key.signing_key().map_err(|e| invalid("key", e))?,
    )?)
}

impl SecureContext {
    /// The trust anchors' verifier: `ca` if given, else the default list when the context
    /// was made.
    pub fn verifier(&self) -> Verifier {
        match &self.verifier {
            Some(v) => Verifier::clone(v),
            None => crate::trust::default_verifier(),
        }
    }

    /// `sigalgs` applied to what a client accepts from servers.
    pub(crate) fn limit_server_verifier(
        &self,
        v: Arc<dyn sanstls::crypto::verify::ServerCertVerifier>,
    ) -> Arc<dyn sanstls::crypto::verify::ServerCertVerifier> {
        match &self.sigalgs {
            Some(allowed) => Arc::new(crate::sigalgs::Limited {
                inner: v,
                allowed: allowed.clone(),
            }),
            None => v,
        }
    }

    /// `sigalgs` applied to what a server accepts from clients.
    pub(crate) fn limit_client_verifier(
        &self,
        v: Arc<dyn sanstls::crypto::verify::ClientCertVerifier>,
    ) -> Arc<dyn sanstls::crypto::verify::ClientCertVerifier> {
        match &self.sigalgs {
            Some(allowed) => Arc::new(crate::sigalgs::Limited {
                inner: v,
                allowed: allowed.clone(),
            }),
            None => v,
        }
    }

    /// Whether the context has a certificate to serve.
    pub fn has_certificate(&self) -> bool {
        !self.certificates.is_empty()
    }

    /// Whether `SSL_OP_NO_RENEGOTIATION` was set.
    pub fn renegotiation_disabled(&self) -> bool {
        self.no_renegotiation
    }

    /// Whether `SSL_OP_NO_TICKET` was set.
    pub fn tickets_disabled(&self) -> bool {
        self.no_tickets
    }

    /// The engine's server configuration for this context (the server's own options,
    /// such as `requestCert` and ALPN, are applied by [`crate::server`]).
    pub fn server_config(&self) -> ServerConfig {
        let mut c = ServerConfig::new(self.certificates.clone());
        c.cipher_suites = self.tls13.clone();
        c.tls12_cipher_suites = self.tls12.clone();
        c.min_version = self.min_version;
        c.max_version = self.max_version;
        c.groups = self.groups.clone();
        c.dh_params = self.dh_params.clone();
        c.session_id_context = self.session_id_context.clone();
        c.signature_schemes = self.sigalgs.clone();
        if self.no_tickets {
            c.ticketer = None;
        }
        c
    }

    /// The engine's client configuration for this context: our certificate (the first)
    /// if any, and a verifier that checks the server like Node (`ca` or Mozilla's roots,
    /// then `checkServerIdentity`).
    pub fn client_config(&self) -> ClientConfig {
        self.client_config_with(None)
    }

    /// [`Self::client_config`] with Node's `checkServerIdentity` replaced by `identity`.
    pub(crate) fn client_config_with(
        &self,
        identity: Option<Arc<sanstls_pki::tls::IdentityCheck>>,
    ) -> ClientConfig {
        let mut verifier = sanstls_pki::tls::NodeServerVerifier::new(self.verifier());
        if let Some(check) = identity {
            verifier = verifier.with_identity_check(check);
        }
        let mut c = ClientConfig::new(self.limit_server_verifier(Arc::new(verifier)));
        c.signature_schemes = self.sigalgs.clone();
        c.cipher_suites = self.tls13.clone();
        c.tls12_cipher_suites = self.tls12.clone();
        c.min_version = self.min_version;
        c.max_version = self.max_version;
        c.groups = self.groups.clone();
        // Each certificate's key was checked against it when the context was made.
        c.client_certificate = self
            .certificates
            .first()
            .and_then(|k| ClientCertificate::new(k.chain.clone(), k.key.clone()).ok());
        c
    }
}
