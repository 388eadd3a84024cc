//! The server side: configuration, the connection object, the ClientHello pause.
//!
//! `hs` reads the ClientHello and chooses the version; the handshake of each version takes it
//! from there: `tls13` (parameters, HelloRetryRequest, our flight, the client's answer) and
//! `tls12` (with [`resume12`] for its resumption). [`ticket`] seals and opens session
//! tickets.

use crate::prelude::*;
use alloc::sync::Arc;
use core::ops::{Deref, DerefMut};
use core::time::Duration;

use crate::conn::{Common, Connection, Side};
use crate::crypto::sign::SigningKey;
use crate::crypto::verify::ClientCertVerifier;
use crate::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::error::Error;
use crate::rand::RandomSource;
use crate::suites::{Tls12CipherSuite, Tls13CipherSuite};
use crate::time::UnixTime;

pub mod early_data;
pub(crate) mod hs;
pub mod resume12;
pub mod ticket;
pub(crate) mod tls12;
pub(crate) mod tls13;

/// A certificate chain (leaf first, DER), its private key and an optional OCSP response to
/// staple. Built with [`CertifiedKey::new`], which refuses a key that is not the leaf's.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct CertifiedKey {
    /// The chain, leaf first. Shared: every connection that sends it reports it in
    /// `Negotiated::local_certificates` without a copy.
    pub chain: Arc<[Vec<u8>]>,
    /// The leaf's private key.
    pub key: Arc<dyn SigningKey>,
    /// A DER OCSP response to staple when the client asks (status_request).
    pub ocsp_response: Option<Vec<u8>>,
}

impl CertifiedKey {
    /// `chain` (leaf first, DER) with the leaf's private key. Refused
    /// (`Error::BadConfiguration`) when the chain is empty or `key` is not the private half
    /// of the leaf's public key: a server would otherwise sign with a key no client can
    /// verify against its certificate.
    pub fn new(chain: Vec<Vec<u8>>, key: Arc<dyn SigningKey>) -> Result<Self, Error> {
        let chain: Arc<[Vec<u8>]> = chain.into();
        check_key_matches(&chain, key.as_ref())?;
        Ok(Self {
            chain,
            key,
            ocsp_response: None,
        })
    }

    /// The same, stapling `response` (a DER OCSP response) when a client asks.
    pub fn with_ocsp(mut self, response: Option<Vec<u8>>) -> Self {
        self.ocsp_response = response;
        self
    }
}

/// Refuses an empty chain and a key that is not the leaf's.
pub(crate) fn check_key_matches(chain: &[Vec<u8>], key: &dyn SigningKey) -> Result<(), Error> {
    let Some(leaf) = chain.first() else {
        return Err(Error::BadConfiguration("an empty certificate chain"));
    };
    match crate::crypto::sign::key_matches_certificate(key, leaf) {
        true => Ok(()),
        false => Err(Error::BadConfiguration(
            "the private key does not match the certificate",
        )),
    }
}

/// How a server answers. Build one, wrap it in an `Arc`, share it between connections.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// TLS 1.3 suites we accept, in our preference order (honoured unless
    /// `prefer_client_order`: Node's `honorCipherOrder` default for servers).
    pub cipher_suites: Vec<&'static Tls13CipherSuite>,
    /// TLS 1.2 suites we accept, in our preference order.
    pub tls12_cipher_suites: Vec<&'static Tls12CipherSuite>,
    /// Choose the suite (TLS 1.2 and 1.3) by the client's preference order among the ones
    /// we accept, instead of ours: Node's `honorCipherOrder: false` (OpenSSL without
    /// `SSL_OP_CIPHER_SERVER_PREFERENCE`). Default false.
    pub prefer_client_order: bool,
    /// The oldest version we accept (Node's `minVersion`, default TLS 1.2).
    pub min_version: ProtocolVersion,
    /// The newest version we accept (Node's `maxVersion`, default TLS 1.3).
    pub max_version: ProtocolVersion,
    /// Finite-field DH parameters for TLS 1.2 DHE suites (Node's `dhparam`); without them
    /// DHE suites are not chosen.
    pub dh_params: Option<crate::crypto::ffdhe::DhGroup>,
    /// Groups we accept, in preference order (HelloRetryRequest asks for the first one the
    /// client supports when it sent no usable share).
    pub groups: Vec<NamedGroup>,
    /// ALPN protocols in our preference order (empty: ALPN ignored).
    pub alpn_protocols: Vec<Vec<u8>>,
    /// Our certificates: one per key type; the first one the client can verify is used.
    pub certificates: Vec<CertifiedKey>,
    /// Asks for and verifies client certificates (Node's `requestCert`), if set.
    pub client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    /// Where random bytes come from.
    pub random: Arc<dyn RandomSource>,
    /// Seals tickets (TLS 1.3, and TLS 1.2 RFC 5077); `None` disables them.
    pub ticketer: Option<Arc<ticket::Ticketer>>,
    /// TLS 1.2 session-id cache; `None` gives out no session ids. std-only (the cache is
    /// behind a `Mutex`): without std, keep sessions in the application's own store with
    /// `external_sessions`.
    #[cfg(feature = "std")]
    pub session_cache: Option<Arc<resume12::SessionCache>>,
    /// Emit `Event::NewSession` / pause on `Event::ResumeSession` for TLS 1.2 session ids
    /// (Node's `newSession` / `resumeSession` listeners); the built-in cache still answers
    /// first when it has the session.
    pub external_sessions: bool,
    /// Node's `sessionIdContext`: sessions and tickets resume only under the same context,
    /// so servers sharing a cache or ticket keys do not resume each other's applications.
    /// Empty (the default): a context derived from this configuration's certificates and
    /// client-verification settings, so each configuration (each virtual host of an SNI
    /// server) resumes only its own sessions. See [`Self::session_context`].
    pub session_id_context: Vec<u8>,
    /// How many NewSessionTickets to send after the handshake.
    pub send_tickets: usize,
    /// Ticket lifetime (Node's `sessionTimeout`, default 300 s; at most 7 days).
    pub ticket_lifetime: Duration,
    /// Emit `Event::KeyLog` lines.
    pub key_log: bool,
    /// Emit `Event::Trace` for every message (Node's `enableTrace` option). With
    /// `ServerConnection::new` it covers the ClientHello; a configuration chosen after the
    /// ClientHello (`accept`) turns tracing on from there (`Connection::set_trace` on the
    /// paused connection covers the ClientHello).
    pub trace: bool,
    /// How long the handshake may take (Node's `handshakeTimeout`, default 120 s).
    pub handshake_timeout: Duration,
    /// Bounds on what the peer can make the connection do (see [`crate::Limits`]).
    pub limits: crate::limits::Limits,
    /// Node's `rejectUnauthorized` (default true): with it off, a peer certificate the
    /// verifier refuses does not fail the handshake; the reason is in
    /// `Negotiated::authorization_error` (Node's `authorized: false` and
    /// `authorizationError`).
    pub reject_unauthorized: bool,
    /// Node's `sigalgs`: when set, our own signatures (CertificateVerify, ServerKeyExchange)
    /// use only these schemes. (What we accept from the peer is the verifier's
    /// `supported_schemes`.)
    pub signature_schemes: Option<Vec<crate::enums::SignatureScheme>>,
    /// The most content bytes we accept in one record, announced in answer to a client's
    /// record_size_limit (RFC 8449; in the ServerHello for TLS 1.2, in EncryptedExtensions
    /// for TLS 1.3, there one more for the inner content type byte), 64..=16384 (default
    /// 16384). A record over it is `record_overflow`. `None` does not take part: the
    /// client's record_size_limit is then ignored, and its max_fragment_length (RFC 6066),
    /// which we always answer otherwise, applies instead.
    pub record_size_limit: Option<u16>,
    /// TLS 1.3 0-RTT (RFC 8446 s4.2.10): the most early data a client may send on a ticket
    /// we issue (its NewSessionTicket carries early_data with this size). 0, the default,
    /// turns 0-RTT off: tickets do not offer it and early data is skipped. Needs
    /// `anti_replay` too; see [`Self::enable_early_data`].
    pub max_early_data_size: u32,
    /// The replay protection 0-RTT needs (RFC 8446 s8), shared between connections; without
    /// it early data is never accepted (and tickets do not offer it).
    pub anti_replay: Option<Arc<dyn early_data::AntiReplay>>,
    /// External PSKs (TLS 1.3, Node's server `pskCallback`): when set, each PSK identity a
    /// client offers that is not one of our tickets pauses the handshake with
    /// `Event::PskIdentity` until `ServerConnection::psk_found` gives its key (a PSK for
    /// this hash) or `None`. While a client offers a PSK, suites of this hash are preferred
    /// (OpenSSL does so only when it has no certificate). An identity nobody knows leads
    /// to a certificate handshake, which fails (`handshake_failure`) without
    /// certificates, as with OpenSSL. It also allows the TLS 1.2 PSK suites that
    /// `tls12_cipher_suites` lists (their identity comes in the ClientKeyExchange; an
    /// unknown one is `unknown_psk_identity`). Default `None`.
    pub external_psk_hash: Option<crate::psk::SuiteHash>,
    /// TLS 1.2 PSK suites (when `tls12_cipher_suites` lists them; they need
    /// `external_psk_hash` set, which turns external PSKs on): the identity hint of our
    /// ServerKeyExchange (Node's `pskIdentityHint`). Without one, plain PSK suites send no
    /// ServerKeyExchange and the others an empty hint (RFC 4279 s2). Default `None`.
    pub psk_identity_hint: Option<Vec<u8>>,
    /// Test hook: rewrites the extensions of our ServerHello and EncryptedExtensions before
    /// they are sent (used to reproduce another implementation's messages byte for byte
    /// from a trace). Not for production use: only with the `test-hooks` feature.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub extensions_hook: Option<ExtensionsHook>,
}

/// Which message a [`ExtensionsHook`] is editing.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookPoint {
    /// The ServerHello.
    ServerHello,
    /// EncryptedExtensions.
    EncryptedExtensions,
}

/// The signature of an [`ExtensionsHook`] function.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub type ExtensionsHookFn =
    dyn Fn(HookPoint, &mut Vec<crate::msgs::extensions::ServerExtension>) + Send + Sync;

/// A function that edits our hello-phase extensions (see `ServerConfig::extensions_hook`).
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
#[derive(Clone)]
pub struct ExtensionsHook(pub Arc<ExtensionsHookFn>);

#[cfg(feature = "test-hooks")]
impl core::fmt::Debug for ExtensionsHook {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ExtensionsHook")
    }
}

impl ServerConfig {
    /// The suites of `ours` the client offered (`offered`), in the order the choice follows:
    /// ours, or the client's with `prefer_client_order`.
    pub(crate) fn suites_in_order<S: Copy>(
        &self,
        ours: &[S],
        offered: &[CipherSuite],
        id: impl Fn(S) -> CipherSuite,
    ) -> Vec<S> {
        match self.prefer_client_order {
            false => ours
                .iter()
                .copied()
                .filter(|s| offered.contains(&id(*s)))
                .collect(),
            true => offered
                .iter()
                .filter_map(|c| ours.iter().copied().find(|s| id(*s) == *c))
                .collect(),
        }
    }

    /// Whether we accept `v`.
    pub(crate) fn allows(&self, v: ProtocolVersion) -> bool {
        let n = u16::from(v);
        u16::from(self.min_version) <= n && n <= u16::from(self.max_version)
    }

    /// A configuration with Node's defaults serving `certificates`.
    pub fn new(certificates: Vec<CertifiedKey>) -> Self {
        Self {
            cipher_suites: crate::suites::ALL_TLS13_SUITES.to_vec(),
            tls12_cipher_suites: crate::suites::ALL_TLS12_SUITES.to_vec(),
            prefer_client_order: false,
            min_version: ProtocolVersion::TLSv1_2,
            max_version: ProtocolVersion::TLSv1_3,
            dh_params: None,
            groups: crate::crypto::kx::DEFAULT_GROUPS.to_vec(),
            alpn_protocols: Vec::new(),
            certificates,
            client_verifier: None,
            random: Arc::new(crate::rand::SystemRandom::new()),
            ticketer: None,
            #[cfg(feature = "std")]
            session_cache: Some(resume12::SessionCache::new(20_480)),
            session_id_context: Vec::new(),
            external_sessions: false,
            send_tickets: 2,
            ticket_lifetime: Duration::from_secs(300),
            key_log: false,
            trace: false,
            handshake_timeout: Duration::from_secs(120),
            limits: crate::limits::Limits::default(),
            reject_unauthorized: true,
            signature_schemes: None,
            record_size_limit: Some(crate::record::header::MAX_PLAINTEXT as u16),
            max_early_data_size: 0,
            anti_replay: None,
            external_psk_hash: None,
            psk_identity_hint: None,
            #[cfg(feature = "test-hooks")]
            extensions_hook: None,
        }
    }

    /// Turns 0-RTT on: tickets allow up to `max_early_data_size` bytes of early data, and a
    /// new in-memory [`early_data::StrikeRegister`] (default capacity and freshness window,
    /// created at `now`) guards against replays. Early data is replayable: only requests
    /// that are safe to repeat should be acted on before the handshake completes.
    ///
    /// std-only (the register is behind a `Mutex`): without std, set `max_early_data_size`
    /// and `anti_replay` (an [`early_data::AntiReplay`] of your own) instead.
    #[cfg(feature = "std")]
    pub fn enable_early_data(&mut self, max_early_data_size: u32, now: UnixTime) {
        self.max_early_data_size = max_early_data_size;
        self.anti_replay = Some(Arc::new(early_data::StrikeRegister::new(
            early_data::DEFAULT_CAPACITY,
            early_data::DEFAULT_WINDOW,
            now,
        )));
    }

    /// The TLS 1.2 session cached under `id`, if there is a cache and it has it.
    #[cfg(feature = "std")]
    pub(crate) fn cached_session(&self, id: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        self.session_cache.as_ref()?.get(id)
    }

    /// Without std there is no session-id cache (see `session_cache`).
    #[cfg(not(feature = "std"))]
    pub(crate) fn cached_session(&self, _id: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        None
    }

    /// Whether TLS 1.2 sessions are cached here.
    #[cfg(feature = "std")]
    pub(crate) fn has_session_cache(&self) -> bool {
        self.session_cache.is_some()
    }

    /// Without std there is no session-id cache.
    #[cfg(not(feature = "std"))]
    pub(crate) fn has_session_cache(&self) -> bool {
        false
    }

    /// Caches a TLS 1.2 session under `id`, if there is a cache.
    #[cfg(feature = "std")]
    pub(crate) fn cache_session(&self, id: &[u8], session: &zeroize::Zeroizing<Vec<u8>>) {
        if let Some(cache) = &self.session_cache {
            cache.put(id, session.clone());
        }
    }

    /// Without std there is no session-id cache: nothing to do.
    #[cfg(not(feature = "std"))]
    pub(crate) fn cache_session(&self, _id: &[u8], _session: &zeroize::Zeroizing<Vec<u8>>) {}

    /// The max_early_data_size our tickets carry: none unless 0-RTT is on.
    pub(crate) fn ticket_early_data(&self) -> Option<u32> {
        (self.max_early_data_size > 0 && self.anti_replay.is_some())
            .then_some(self.max_early_data_size)
    }

    /// The session context sessions and tickets are bound to: `session_id_context` when set,
    /// else a SHA-256 over what a session's meaning depends on: the certificate chains we
    /// serve, whether and how clients are verified (the verifier's CA names, whether a
    /// certificate is mandatory) and `reject_unauthorized`. Two configurations that differ
    /// in any of these never resume each other's sessions, even under shared ticket keys.
    pub fn session_context(&self) -> Vec<u8> {
        if !self.session_id_context.is_empty() {
            return self.session_id_context.clone();
        }
        let mut h = ring::digest::Context::new(&ring::digest::SHA256);
        let mut add = |bytes: &[u8]| {
            h.update(&(bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        add(b"sanstls session context 1");
        for c in &self.certificates {
            add(&(c.chain.len() as u64).to_be_bytes());
            c.chain.iter().for_each(|cert| add(cert));
        }
        match &self.client_verifier {
            None => add(b"no client verification"),
            Some(v) => {
                add(&[u8::from(v.client_auth_mandatory())]);
                v.root_hint_subjects().iter().for_each(|n| add(n));
            }
        }
        add(&[u8::from(self.reject_unauthorized)]);
        h.finish().as_ref().to_vec()
    }

    /// Whether a session bound by `b` may resume here at `now` for a ClientHello naming
    /// `server_name`: it is fresh, it was made under the same server name and session
    /// context, and the client authentication it carries satisfies this configuration (a
    /// certificate when one is mandatory; no refused certificate when refusals are fatal).
    /// Otherwise the handshake is a full one, as OpenSSL does.
    pub(crate) fn may_resume(
        &self,
        b: &crate::session::SessionBinding,
        now: UnixTime,
        server_name: Option<&str>,
    ) -> bool {
        let fresh = now.saturating_since(b.issued_at).as_secs() < u64::from(b.lifetime_secs);
        let same_name = b.server_name == server_name.unwrap_or_default().as_bytes();
        let mandatory = self
            .client_verifier
            .as_ref()
            .is_some_and(|v| v.client_auth_mandatory());
        let missing_certificate = mandatory && b.peer.chain.is_empty();
        let refused_certificate = self.reject_unauthorized && b.peer.error.is_some();
        fresh
            && same_name
            && !missing_certificate
            && !refused_certificate
            && b.context == self.session_context()
    }

    /// The binding of a session made now by a handshake whose results are `n`.
    pub(crate) fn bind_session(
        &self,
        n: &crate::conn::Negotiated,
        now: UnixTime,
        lifetime_secs: u32,
    ) -> crate::session::SessionBinding {
        crate::session::SessionBinding {
            issued_at: now,
            lifetime_secs,
            server_name: n.server_name.clone().unwrap_or_default().into_bytes(),
            context: self.session_context(),
            peer: crate::session::PeerAuth::of(n),
        }
    }

    /// The client-certificate verifier, which is present whenever a handshake asked the
    /// client for a certificate.
    pub(crate) fn requested_client_verifier(&self) -> Result<Arc<dyn ClientCertVerifier>, Error> {
        self.client_verifier
            .clone()
            .ok_or(Error::ApiMisuse("client certificate without a verifier"))
    }
}

/// What the client asked for, shown to the caller when the handshake pauses for a
/// configuration (Node's `SNICallback(servername, cb)`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHelloInfo {
    /// The server_name the client sent, if any.
    pub server_name: Option<String>,
    /// The ALPN protocols the client offered.
    pub alpn_protocols: Vec<Vec<u8>>,
    /// The cipher suites the client offered.
    pub cipher_suites: Vec<CipherSuite>,
    /// The signature schemes the client accepts.
    pub signature_schemes: Vec<SignatureScheme>,
    /// Whether the client asked for a stapled OCSP response (status_request): answer with
    /// a configuration whose certificate carries one (Node's `OCSPRequest` event).
    pub ocsp_requested: bool,
}

/// A server connection. Dereferences to [`Connection`] for the side-independent API.
#[derive(Debug)]
pub struct ServerConnection {
    conn: Connection,
}

impl ServerConnection {
    /// A connection that answers with `config`. Fails only when the configuration's
    /// [`crate::Limits`] are out of range (`Error::ApiMisuse`: a handshake message limit
    /// above 2^24-1).
    pub fn new(config: Arc<ServerConfig>, now: UnixTime) -> Result<Self, Error> {
        let timeout = config.handshake_timeout;
        let limits = config.limits.clone();
        let trace = config.trace;
        let mut s = Self::with_state(hs::expect_client_hello(Some(config)), now, timeout);
        s.conn.common.apply_limits(&limits)?;
        s.conn.common.trace = trace;
        Ok(s)
    }

    /// A connection that pauses after the ClientHello with `Event::ClientHello` until the
    /// caller picks a configuration with [`Self::accept`] (possibly much later). Until then
    /// the default [`crate::Limits`] apply; `accept` installs the configuration's.
    pub fn new_paused(now: UnixTime, handshake_timeout: Duration) -> Self {
        Self::with_state(hs::expect_client_hello(None), now, handshake_timeout)
    }

    fn with_state(state: Box<dyn crate::conn::State>, now: UnixTime, timeout: Duration) -> Self {
        let mut common = Common::new(Side::Server);
        common.handshake_deadline = Some(now.saturating_add(timeout));
        Self {
            conn: Connection::new(common, state),
        }
    }

    /// Answers `Event::ResumeSession` with the stored session data, or `None` for a full
    /// handshake (Node's `resumeSession` callback), possibly much later.
    pub fn session_found(&mut self, data: Option<Vec<u8>>, now: UnixTime) -> Result<(), Error> {
        self.conn
            .run_state(now, |state, cx| state.session_found(cx, data))
    }

    /// Answers `Event::PskIdentity` with the PSK for that identity (for the configuration's
    /// `external_psk_hash`), or `None` when the identity is unknown (Node's server
    /// `pskCallback`), possibly much later; records already received are then processed.
    /// The key is copied into memory wiped on drop.
    /// An empty key, or one over 2^16-1 bytes, is `Error::ApiMisuse`.
    pub fn psk_found(&mut self, key: Option<&[u8]>, now: UnixTime) -> Result<(), Error> {
        if key.is_some_and(|k| k.is_empty() || k.len() > 0xffff) {
            return Err(Error::ApiMisuse("psk_found: a PSK is 1 to 65535 bytes"));
        }
        let key = key.map(|k| zeroize::Zeroizing::new(k.to_vec()));
        self.conn
            .run_state(now, |state, cx| state.psk_found(cx, key))?;
        // In TLS 1.2 the client's ChangeCipherSpec and Finished may already be buffered
        // behind the ClientKeyExchange that asked: go on with them.
        self.conn.process(now)
    }

    /// Node's `renegotiate({ requestCert, rejectUnauthorized })` on a server socket: sends a
    /// HelloRequest, and the renegotiation the client answers with runs under `config`
    /// (e.g. one with a `client_verifier`, to ask for a certificate after the fact). A
    /// client certificate proved before may not change. See [`Connection::renegotiate`].
    pub fn renegotiate_with(
        &mut self,
        config: Arc<ServerConfig>,
        now: UnixTime,
    ) -> Result<(), Error> {
        self.conn.start_renegotiation(now, Some(config))
    }

    /// Answers `Event::ClientHello`: continue the handshake with `config` (any time
    /// after the event; the handshake deadline still runs, and `config`'s own timeout,
    /// counted from `now`, may shorten it). Then, as after `process`:
    ///
    /// Records that arrived behind the ClientHello (a TLS 1.3 client's 0-RTT data and its
    /// compatibility ChangeCipherSpec) wait unprocessed while paused, and `accept`
    /// processes them (as `process` would). While paused, once a record is held
    /// [`Connection::wants_read`] is false and `read_tls` takes nothing more: stop
    /// offering bytes until `accept`.
    ///
    /// 1. flush [`Connection::write_tls`]: the server's flight (ServerHello ...) is queued;
    /// 2. drain [`Connection::poll_event`] (key-log lines; with `external_sessions`, a TLS 1.2
    ///    `ResumeSession` that pauses the handshake again until `session_found`);
    /// 3. go on with the loop: `read_tls` / `process` with what the client sends next.
    ///
    /// On `Err` the handshake failed (the alert, if any, is queued: flush `write_tls`,
    /// then drop), except `ApiMisuse`: called when the connection was not waiting for a
    /// configuration, which changes nothing.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # fn f(conn: &mut sanstls::ServerConnection, config: Arc<sanstls::ServerConfig>,
    /// #      now: sanstls::UnixTime, out: &mut Vec<u8>) -> Result<(), sanstls::Error> {
    /// // After `process` yielded `Event::ClientHello(info)` and `config` was chosen:
    /// conn.accept(config, now)?;
    /// conn.write_tls(out); // send `out`
    /// while let Some(event) = conn.poll_event() { /* as usual */ }
    /// // then read_tls / process as before
    /// # Ok(()) }
    /// ```
    pub fn accept(&mut self, config: Arc<ServerConfig>, now: UnixTime) -> Result<(), Error> {
        if let Some(e) = &self.conn.common.error {
            return Err(e.clone());
        }
        // Called at the wrong time, it changes nothing (the handshake goes on).
        if !self.conn.state.as_ref().is_some_and(|s| s.awaits_config()) {
            return Err(Error::ApiMisuse(
                "accept: the connection is not waiting for a configuration",
            ));
        }
        self.conn.common.apply_limits(&config.limits)?;
        self.conn
            .run_state(now, |state, cx| state.accept(cx, config))?;
        // Records that arrived behind the ClientHello waited for the configuration.
        self.conn.process(now)
    }
}

impl ServerConnection {
    /// **Dangerous**: see [`Connection::dangerous_extract_secrets`].
    pub fn dangerous_extract_secrets(
        self,
    ) -> Result<crate::conn::ExtractedSecrets, crate::conn::ExtractError> {
        self.conn.dangerous_extract_secrets()
    }
}

impl From<ServerConnection> for Connection {
    fn from(c: ServerConnection) -> Connection {
        c.conn
    }
}

impl Deref for ServerConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl DerefMut for ServerConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}
