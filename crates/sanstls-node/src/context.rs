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

use crate::error::TlsError;
use crate::{ciphers, constants, defaults};

// The `SSL_OP_*` bits under this module's earlier names (see [`crate::constants`] for
// Node's names and every other bit).
/// `SSL_OP_NO_TLSv1_2`.
pub const SSL_OP_NO_TLSV1_2: u64 = constants::SSL_OP_NO_TLSv1_2;
/// `SSL_OP_NO_TLSv1_3`.
pub const SSL_OP_NO_TLSV1_3: u64 = constants::SSL_OP_NO_TLSv1_3;
/// `SSL_OP_NO_TICKET`.
pub const SSL_OP_NO_TICKET: u64 = constants::SSL_OP_NO_TICKET;
/// `SSL_OP_CIPHER_SERVER_PREFERENCE` (Node's `honorCipherOrder`).
pub const SSL_OP_CIPHER_SERVER_PREFERENCE: u64 = constants::SSL_OP_CIPHER_SERVER_PREFERENCE;
/// `SSL_OP_NO_RENEGOTIATION`.
pub const SSL_OP_NO_RENEGOTIATION: u64 = constants::SSL_OP_NO_RENEGOTIATION;
/// `SSL_OP_NO_SSLv2` (0 in OpenSSL 3), `SSL_OP_NO_SSLv3`, `SSL_OP_NO_TLSv1`,
/// `SSL_OP_NO_TLSv1_1`: always true here (those versions do not exist in sanstls).
pub const SSL_OP_NO_OLD_VERSIONS: u64 = constants::SSL_OP_NO_SSLv2
    | constants::SSL_OP_NO_SSLv3
    | constants::SSL_OP_NO_TLSv1
    | constants::SSL_OP_NO_TLSv1_1;

pub use crate::defaults::{DEFAULT_ECDH_CURVE, DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION};

/// The options of `tls.createSecureContext()`, with Node's names in snake_case. PEM
/// inputs are bytes (a file's contents), as Node takes strings or Buffers. `Debug` shows
/// neither the passphrase nor the keys.
#[derive(Clone, Default)]
pub struct SecureContextOptions {
    /// `key`: private keys in PEM (each may have its own passphrase). Keys and
    /// certificates pair up by key type, in any order, as in Node (see `cert`).
    pub key: Vec<KeyInput>,
    /// `passphrase`: for keys and PFX files without their own.
    pub passphrase: Option<String>,
    /// `cert`: certificate chains in PEM, leaf first. As OpenSSL does for Node, each chain
    /// goes to the slot of its key type (RSA, EC, Ed25519; a later one of the same type
    /// replaces an earlier one), then each key to its type's slot, where it must be the
    /// certificate's key (`ERR_OSSL_X509_KEY_VALUES_MISMATCH`); a slot with a certificate
    /// and its key is served, one lacking either is not.
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
    /// `honorCipherOrder`: servers choose the suite by their own order (`None` or `true`,
    /// Node's server default) or, with `Some(false)`, by the client's (unless
    /// `secureOptions` has `SSL_OP_CIPHER_SERVER_PREFERENCE`).
    pub honor_cipher_order: Option<bool>,
    /// `ecdhCurve`: `auto` (the post-quantum hybrid X25519MLKEM768, then X25519, P-256,
    /// P-384, P-521, as Node 24 offers) or a list of OpenSSL's group names as Node 24 reads it
    /// (`X25519MLKEM768:X25519:P-256`; see [`crate::groups`]); default
    /// [`defaults::default_ecdh_curve`]. Names OpenSSL knows for groups sanstls lacks
    /// (`brainpoolP256r1`, `MLKEM768`...) are skipped; an unknown name, or a list left
    /// empty, is Node's `ERR_CRYPTO_OPERATION_FAILED`. The ffdhe groups are TLS 1.3 key
    /// shares, and in TLS 1.2 the RFC 7919 groups a server may pick for DHE.
    pub ecdh_curve: Option<String>,
    /// `dhparam`: DH parameters in PEM, enabling DHE suites on servers, or `b"auto"`
    /// (Node 20's `'auto'`): an RFC 7919 group sized as OpenSSL's automatic choice is, by
    /// the RSA certificate's security strength (2048-bit RSA: ffdhe2048, 3072: ffdhe3072,
    /// 7680: ffdhe8192).
    pub dhparam: Option<Vec<u8>>,
    /// `secureOptions`: `SSL_OP_*` bits ([`crate::constants`]). Every bit is accepted, as
    /// Node does; the version bits, `NO_TICKET`, `NO_RENEGOTIATION` and
    /// `CIPHER_SERVER_PREFERENCE` are honoured, the others have no effect (docs/node-api.md
    /// says why for each).
    pub secure_options: u64,
    /// `secureProtocol`: `TLS_method`, `TLSv1_2_method`, `TLSv1_3_method` (and their
    /// `_client`/`_server` forms); the insecure ones are an error.
    pub secure_protocol: Option<String>,
    /// `sessionIdContext`. Unset, servers derive one per context from its certificates
    /// and client-verification settings (Node: one per process), so virtual hosts never
    /// resume each other's sessions.
    pub session_id_context: Option<Vec<u8>>,
    /// `minVersion`: `TLSv1.2` or `TLSv1.3`; default [`defaults::default_min_version`].
    pub min_version: Option<String>,
    /// `maxVersion`: `TLSv1.2` or `TLSv1.3`; default [`defaults::default_max_version`].
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

/// A loaded secure context: what `createSecureContext` returns. Cloning is cheap (the
/// loaded keys are shared, never re-read or re-decrypted): give one context to many
/// `connect`s with `ConnectOptions::secure_context`.
#[derive(Clone, Debug)]
pub struct SecureContext {
    inner: Arc<Loaded>,
}

/// What a [`SecureContext`] holds.
#[derive(Debug)]
struct Loaded {
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
    prefer_client_order: bool,
    /// `CLIENT_RENEG_LIMIT` / `CLIENT_RENEG_WINDOW` when the context was made.
    reneg_limit: u32,
    reneg_window: u64,
}

/// Private keys loaded by `create_secure_context` in this process (a test's evidence that
/// a shared context is not loaded again).
static KEYS_LOADED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many private keys (`key` and `pfx` entries) `create_secure_context` has loaded, and
/// so decrypted when protected, in this process.
#[doc(hidden)]
pub fn keys_loaded() -> usize {
    KEYS_LOADED.load(std::sync::atomic::Ordering::Relaxed)
}

fn invalid(option: &str, why: impl core::fmt::Display) -> TlsError {
    TlsError::new("ERR_INVALID_ARG_VALUE", format!("{option}: {why}"))
}

pub(crate) fn version(which: &str, v: &str) -> Result<ProtocolVersion, TlsError> {
    match v {
        "TLSv1.3" => Ok(ProtocolVersion::TLSv1_3),
        "TLSv1.2" => Ok(ProtocolVersion::TLSv1_2),
        "TLSv1.1" | "TLSv1" => Err(TlsError::new(
            "ERR_TLS_INVALID_PROTOCOL_VERSION",
            format!("{which} TLS protocol version {v} is not supported by sanstls (TLS 1.2 and 1.3 only)"),
        )),
        // Node's message (its `toV`).
        other => Err(TlsError::new(
            "ERR_TLS_INVALID_PROTOCOL_VERSION",
            format!("{other:?} is not a valid {which} TLS protocol version"),
        )),
    }
}

/// OpenSSL's automatic DH group (`SSL_CTX_set_dh_auto`, Node's `dhparam: 'auto'`): sized
/// by the security strength of the RSA key DHE suites sign with. OpenSSL 3.0 sends the
/// RFC 3526 MODP prime of that size; sanstls sends the RFC 7919 group of the same size
/// (equally strong, and the groups TLS defines for DHE).
fn auto_dh_group(certificates: &[CertifiedKey]) -> DhGroup {
    let rsa_bits = certificates.iter().find_map(|c| match c.key.algorithm() {
        sanstls::crypto::sign::KeyAlgorithm::Rsa { bits } => Some(bits),
        _ => None,
    });
    // OpenSSL's security bits for an RSA modulus (NIST SP 800-57).
    let security = match rsa_bits.unwrap_or(2048) {
        b if b >= 15360 => 256,
        b if b >= 7680 => 192,
        b if b >= 3072 => 128,
        _ => 112,
    };
    match security {
        s if s >= 192 => DhGroup::ffdhe8192(),
        s if s >= 152 => DhGroup::ffdhe4096(),
        s if s >= 128 => DhGroup::ffdhe3072(),
        _ => DhGroup::ffdhe2048(),
    }
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
    // Node reads tls.DEFAULT_* now: later changes do not touch this context.
    let mut min = version(
        "minimum",
        o.min_version
            .clone()
            .unwrap_or_else(defaults::default_min_version)
            .as_str(),
    )?;
    let mut max = version(
        "maximum",
        o.max_version
            .clone()
            .unwrap_or_else(defaults::default_max_version)
            .as_str(),
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
    // Every SSL_OP bit is accepted, as OpenSSL takes them for Node; the ones with an
    // effect on TLS 1.2/1.3 here are read below, the rest have none (crate::constants).
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
        KEYS_LOADED.fetch_add(keys.len(), std::sync::atomic::Ordering::Relaxed);
        certificates = pair_up(keys, &o.cert)?;
    }
    let pfx = pkcs12::load_pfx(&o.pfx, passphrase)
        .map_err(|e| TlsError::new("ERR_CRYPTO_OPERATION_FAILED", e.to_string()))?;
    KEYS_LOADED.fetch_add(pfx.len(), std::sync::atomic::Ordering::Relaxed);
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
    let dh_params = match o.dhparam.as_deref() {
        None => None,
        Some(b"auto") => Some(auto_dh_group(&certificates)),
        Some(pem) => {
            let params =
                sanstls_pki::dh::DhParams::from_pem(pem).map_err(|e| invalid("dhparam", e))?;
            // Node's own check and message, before OpenSSL sees the numbers.
            if params.bits() < sanstls::crypto::ffdhe::MIN_DH_BITS {
                return Err(TlsError::new(
                    "ERR_INVALID_ARG_VALUE",
                    "DH parameter is less than 1024 bits",
                ));
            }
            Some(params.to_group().map_err(|e| invalid("dhparam", e))?)
        }
    };
    let ecdh_curve = o
        .ecdh_curve
        .clone()
        .unwrap_or_else(defaults::default_ecdh_curve);
    // Node's servers honour their order unless told otherwise; the SSL_OP bit forces it.
    let honor = o.honor_cipher_order.unwrap_or(true)
        || o.secure_options & constants::SSL_OP_CIPHER_SERVER_PREFERENCE != 0;
    let loaded = Loaded {
        certificates,
        verifier: verifier.map(Arc::new),
        tls13: selection.tls13,
        tls12: selection.tls12,
        min_version: min,
        max_version: max,
        groups: crate::groups::parse(&ecdh_curve)?,
        dh_params,
        session_id_context: o.session_id_context.clone().unwrap_or_default(),
        sigalgs,
        no_tickets: o.secure_options & SSL_OP_NO_TICKET != 0,
        no_renegotiation: o.secure_options & SSL_OP_NO_RENEGOTIATION != 0,
        prefer_client_order: !honor,
        reneg_limit: defaults::client_reneg_limit(),
        reneg_window: defaults::client_reneg_window(),
    };
    Ok(SecureContext {
        inner: Arc::new(loaded),
    })
}

/// The key-type slot of OpenSSL's `SSL_CTX` a key or certificate goes to.
fn slot_of_key(k: &PrivateKey) -> &'static str {
    k.algorithm().node_name()
}

fn slot_of_cert(leaf: &[u8]) -> Result<&'static str, TlsError> {
    use sanstls_pki::cert::{PeerCertificate, PublicKeyInfo};
    let c = PeerCertificate::from_der(leaf).map_err(|e| invalid("cert", e))?;
    Ok(match c.key {
        PublicKeyInfo::Rsa { .. } => "rsa",
        PublicKeyInfo::Ec { .. } => "ec",
        _ => "ed25519",
    })
}

/// One key-type slot of OpenSSL's `SSL_CTX`: the last chain of that type, and its key.
struct Slot {
    kind: &'static str,
    chain: Vec<Vec<u8>>,
    key: Option<PrivateKey>,
}

/// Keys and certificates as OpenSSL pairs them for Node (`setCert` for each chain, then
/// `setKey` for each key): by key type, a later entry replacing an earlier one of its
/// type; a key that is not its slot's certificate's is "key values mismatch". A key
/// without a certificate of its type is kept by OpenSSL but serves nothing.
fn pair_up(keys: Vec<PrivateKey>, certs: &[Vec<u8>]) -> Result<Vec<CertifiedKey>, TlsError> {
    let mut slots: Vec<Slot> = Vec::new();
    for pem in certs {
        let chain = sanstls_pki::cert::parse_certificates(pem).map_err(|e| invalid("cert", e))?;
        let leaf = chain
            .first()
            .ok_or_else(|| invalid("cert", "no certificate"))?;
        let kind = slot_of_cert(leaf)?;
        slots.retain(|s| s.kind != kind);
        slots.push(Slot {
            kind,
            chain,
            key: None,
        });
    }
    for key in keys {
        let kind = slot_of_key(&key);
        if let Some(slot) = slots.iter_mut().find(|s| s.kind == kind) {
            // The chain is not empty: parse_certificates gave a leaf above.
            let leaf = slot.chain.first().map(Vec::as_slice).unwrap_or_default();
            key.matches_certificate(leaf).map_err(|e| {
                TlsError::new(
                    "ERR_OSSL_X509_KEY_VALUES_MISMATCH",
                    format!("key values mismatch: {e}"),
                )
            })?;
            slot.key = Some(key);
        }
    }
    let mut out = Vec::new();
    for slot in slots {
        if let Some(key) = slot.key {
            out.push(CertifiedKey::new(
                slot.chain,
                key.signing_key().map_err(|e| invalid("key", e))?,
            )?);
        }
    }
    Ok(out)
}

impl SecureContext {
    /// The trust anchors' verifier: `ca` if given, else the default list when the context
    /// was made.
    pub fn verifier(&self) -> Verifier {
        match &self.inner.verifier {
            Some(v) => Verifier::clone(v),
            None => crate::trust::default_verifier(),
        }
    }

    /// `sigalgs` applied to what a client accepts from servers.
    pub(crate) fn limit_server_verifier(
        &self,
        v: Arc<dyn sanstls::crypto::verify::ServerCertVerifier>,
    ) -> Arc<dyn sanstls::crypto::verify::ServerCertVerifier> {
        match &self.inner.sigalgs {
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
        match &self.inner.sigalgs {
            Some(allowed) => Arc::new(crate::sigalgs::Limited {
                inner: v,
                allowed: allowed.clone(),
            }),
            None => v,
        }
    }

    /// Whether the context has a certificate to serve.
    pub fn has_certificate(&self) -> bool {
        !self.inner.certificates.is_empty()
    }

    /// Whether `SSL_OP_NO_RENEGOTIATION` was set.
    pub fn renegotiation_disabled(&self) -> bool {
        self.inner.no_renegotiation
    }

    /// Whether `SSL_OP_NO_RENEGOTIATION` was set: clients made with the context decline
    /// the server's HelloRequest, and servers must decline client renegotiations
    /// (`TlsSocket::disable_renegotiation()` on each connection), as OpenSSL does with the
    /// bit on either side. The same as [`Self::renegotiation_disabled`].
    pub fn no_renegotiation(&self) -> bool {
        self.inner.no_renegotiation
    }

    /// Whether servers choose the suite by their own order (Node's `honorCipherOrder`,
    /// true unless `Some(false)` without `SSL_OP_CIPHER_SERVER_PREFERENCE`).
    pub fn honor_cipher_order(&self) -> bool {
        !self.inner.prefer_client_order
    }

    /// Whether `a` and `b` are the same loaded context (clones of one
    /// `create_secure_context` result).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// Whether `SSL_OP_NO_TICKET` was set.
    pub fn tickets_disabled(&self) -> bool {
        self.inner.no_tickets
    }

    /// The engine's server configuration for this context (the server's own options,
    /// such as `requestCert` and ALPN, are applied by [`crate::server`]).
    pub fn server_config(&self) -> ServerConfig {
        let mut c = ServerConfig::new(self.inner.certificates.clone());
        c.cipher_suites = self.inner.tls13.clone();
        c.tls12_cipher_suites = self.inner.tls12.clone();
        c.min_version = self.inner.min_version;
        c.max_version = self.inner.max_version;
        c.groups = self.inner.groups.clone();
        c.dh_params = self.inner.dh_params.clone();
        c.session_id_context = self.inner.session_id_context.clone();
        c.signature_schemes = self.inner.sigalgs.clone();
        c.prefer_client_order = self.inner.prefer_client_order;
        // tls.CLIENT_RENEG_LIMIT / CLIENT_RENEG_WINDOW as they were when the context was
        // made.
        c.limits.max_client_renegotiations = self.inner.reneg_limit;
        c.limits.client_renegotiation_window =
            core::time::Duration::from_secs(self.inner.reneg_window);
        if self.inner.no_tickets {
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
        c.signature_schemes = self.inner.sigalgs.clone();
        c.cipher_suites = self.inner.tls13.clone();
        c.tls12_cipher_suites = self.inner.tls12.clone();
        c.min_version = self.inner.min_version;
        c.max_version = self.inner.max_version;
        c.groups = self.inner.groups.clone();
        // Each certificate's key was checked against it when the context was made.
        c.client_certificate = self
            .inner
            .certificates
            .first()
            .and_then(|k| ClientCertificate::new(k.chain.to_vec(), k.key.clone()).ok());
        c
    }
}
