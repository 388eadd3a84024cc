//! `tls.createServer(options, secureConnectionListener)`: a TCP server whose connections
//! each get a thread, a handshake, and then the `secureConnection` listener.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use sanstls::server::ticket::Ticketer;
use sanstls::server::{ClientHelloInfo, ServerConfig};

use crate::context::{create_secure_context, SecureContext, SecureContextOptions};
use crate::error::TlsError;
use crate::socket::{ServerHooks, TlsSocket};

/// The options of `tls.createServer()` (the secure context's own are in `context`).
#[derive(Clone)]
pub struct ServerOptions {
    /// `key`, `cert`, `ca`, `ciphers`, ...: see [`SecureContextOptions`].
    pub context: SecureContextOptions,
    /// `requestCert`: ask clients for a certificate (checked against `ca`).
    pub request_cert: bool,
    /// `rejectUnauthorized`: with `requestCert`, refuse clients without a valid one
    /// (default true).
    pub reject_unauthorized: bool,
    /// `ALPNProtocols`, in preference order.
    pub alpn_protocols: Vec<String>,
    /// `handshakeTimeout` (default 120 s).
    pub handshake_timeout: Duration,
    /// `sessionTimeout`: ticket lifetime (default 300 s).
    pub session_timeout: Duration,
    /// `ticketKeys`: 48 bytes (a fresh random set when `None`).
    pub ticket_keys: Option<[u8; 48]>,
    /// `SNICallback(servername, cb)`: called with the name the client asked for; answer
    /// (possibly later, from any thread) with the context to use, or `None` for the
    /// default one; [`Answer::fail`] ends the handshake (Node's `cb(err)`). As in Node,
    /// with an `SNICallback` the `addContext` contexts are not consulted.
    pub sni_callback: Option<Arc<SniCallback>>,
    /// `ALPNCallback({ servername, protocols })`: picks the protocol from the client's
    /// list. As in Node, `None` (Node's `undefined`) ends the handshake with a fatal
    /// `no_application_protocol` alert, and a protocol the client did not offer ends it
    /// with `ERR_TLS_ALPN_CALLBACK_INVALID_RESULT` (no alert: the connection is closed).
    /// Not called when the client offers no protocols. Mutually exclusive with
    /// `alpn_protocols`, as in Node.
    pub alpn_callback: Option<Arc<AlpnCallback>>,
    /// `pskCallback(socket, identity)`: the key (Node's Buffer) of the external PSK a TLS
    /// 1.3 client offers under `identity` (as text, UTF-8 read lossily as Node does), or
    /// `None` (Node's `undefined`): then a certificate handshake, which fails without a
    /// certificate. Called with the server name the client asked for in place of Node's
    /// socket (whose `servername` Node has not set yet at that point). In TLS 1.3 the key
    /// is for SHA-256 suites, as OpenSSL's PSK callback keys are; TLS 1.2 PSK suites
    /// (named in `ciphers`, e.g. `PSK-AES128-GCM-SHA256`, as Node requires) use it too,
    /// and there an unknown identity ends the handshake with `unknown_psk_identity`.
    pub psk_callback: Option<Arc<ServerPskCallback>>,
    /// `pskIdentityHint`: the hint a TLS 1.2 PSK suite's ServerKeyExchange carries, which
    /// the client's `pskCallback` gets (TLS 1.3 has no hint).
    pub psk_identity_hint: Option<String>,
}

/// The server `pskCallback` signature: the server name the client asked for, the identity,
/// and the key to answer with.
pub type ServerPskCallback = dyn Fn(Option<&str>, &str) -> Option<Vec<u8>> + Send + Sync;

/// The `ALPNCallback` signature: the server name (if any) and the offered protocols.
pub type AlpnCallback = dyn Fn(Option<&str>, &[String]) -> Option<String> + Send + Sync;

/// The `SNICallback` signature.
pub type SniCallback = dyn Fn(&str, Answer<Option<SecureContext>>) + Send + Sync;

/// Node's callback argument (`cb(null, value)`), answered from any thread or task.
pub use crate::answer::Answer;
use crate::answer::{ask, HookFuture};

impl core::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("context", &self.context)
            .field("request_cert", &self.request_cert)
            .field("reject_unauthorized", &self.reject_unauthorized)
            .field("alpn_protocols", &self.alpn_protocols)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("session_timeout", &self.session_timeout)
            .field("sni_callback", &self.sni_callback.is_some())
            .field("alpn_callback", &self.alpn_callback.is_some())
            .field("psk_callback", &self.psk_callback.is_some())
            .field("psk_identity_hint", &self.psk_identity_hint)
            .finish_non_exhaustive()
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            context: SecureContextOptions::default(),
            request_cert: false,
            reject_unauthorized: true,
            alpn_protocols: Vec::new(),
            handshake_timeout: Duration::from_secs(120),
            session_timeout: Duration::from_secs(300),
            ticket_keys: None,
            sni_callback: None,
            alpn_callback: None,
            psk_callback: None,
            psk_identity_hint: None,
        }
    }
}

type ConnectionListener = dyn Fn(TlsSocket<TcpStream>) + Send + Sync;
type ErrorListener = dyn Fn(TlsError, Option<&TlsSocket<TcpStream>>) + Send + Sync;
type CloseListener = dyn Fn() + Send + Sync;
type CloseCallback = Box<dyn FnOnce(Option<TlsError>) + Send>;
type NewSessionListener = dyn Fn(&[u8], &[u8]) + Send + Sync;
type ResumeSessionListener = dyn Fn(&[u8], Answer<Option<Vec<u8>>>) + Send + Sync;
type OcspRequestListener = dyn Fn(&[u8], &[u8], Answer<Option<Vec<u8>>>) + Send + Sync;
type KeylogListener = dyn Fn(&[u8]) + Send + Sync;

/// What the accept loop and the connection threads share.
struct Shared {
    options: ServerOptions,
    ticketer: Option<Arc<Ticketer>>,
    /// The default context's configuration.
    config: RwLock<Chosen>,
    /// `addContext(hostname, context)`, in the order added (the last match wins, as in
    /// Node, which searches its list from the end).
    contexts: RwLock<Vec<(String, Chosen)>>,
    on_secure_connection: Box<ConnectionListener>,
    on_tls_client_error: Mutex<Vec<Box<ErrorListener>>>,
    on_new_session: RwLock<Option<Box<NewSessionListener>>>,
    on_resume_session: RwLock<Option<Box<ResumeSessionListener>>>,
    on_ocsp_request: RwLock<Option<Box<OcspRequestListener>>>,
    on_keylog: RwLock<Option<Arc<KeylogListener>>>,
    connections: AtomicUsize,
    /// Node's `server.maxConnections` (see [`Server::set_max_connections`]).
    max_connections: AtomicUsize,
    closing: AtomicBool,
    /// `close` listeners (Node's `server.on('close')`).
    on_close: Mutex<Vec<Box<CloseListener>>>,
    /// `server.close(callback)` callbacks, each called once with the next `close`.
    close_callbacks: Mutex<Vec<CloseCallback>>,
    /// `close()` was called and `close` is not emitted yet: it is, once the last
    /// connection ends.
    close_pending: AtomicBool,
}

/// A context's engine configuration, with what of the context the server applies to each
/// connection itself.
#[derive(Clone)]
struct Chosen {
    config: Arc<ServerConfig>,
    /// `SSL_OP_NO_RENEGOTIATION`: the connection declines client renegotiations (and,
    /// unlike after `disableRenegotiation()`, goes on, as OpenSSL does).
    no_renegotiation: bool,
}

impl Chosen {
    fn new(context: &SecureContext, config: Arc<ServerConfig>) -> Self {
        Self {
            config,
            no_renegotiation: no_renegotiation(context),
        }
    }
}

/// Whether connections under `context` refuse renegotiation (its `secureOptions` has
/// `SSL_OP_NO_RENEGOTIATION`).
fn no_renegotiation(context: &SecureContext) -> bool {
    context.renegotiation_disabled()
}

/// The default of [`Server::set_max_connections`]: each connection has a thread here (Node
/// has none), so unlike Node's the default is a bound.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// `tls.Server`.
pub struct Server {
    shared: Arc<Shared>,
    listener: Option<(SocketAddr, JoinHandle<()>)>,
}

impl core::fmt::Debug for Server {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Server")
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

/// `tls.createServer(options, secureConnectionListener)`.
pub fn create_server(
    options: ServerOptions,
    on_secure_connection: impl Fn(TlsSocket<TcpStream>) + Send + Sync + 'static,
) -> Result<Server, TlsError> {
    if options.alpn_callback.is_some() && !options.alpn_protocols.is_empty() {
        return Err(TlsError::new(
            "ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS",
            "The ALPNCallback and ALPNProtocols TLS options are mutually exclusive",
        ));
    }
    let context = create_secure_context(&options.context)?;
    let ticketer = match (context.tickets_disabled(), &options.ticket_keys) {
        (true, _) => None,
        (false, Some(keys)) => Some(Arc::new(Ticketer::from_ticket_keys(keys)?)),
        // Keys we make ourselves are replaced every 12 hours, the previous one opening
        // tickets for one session timeout (as Go's crypto/tls does); keys the application
        // gives (`ticketKeys`, `setTicketKeys`) are the application's to rotate.
        (false, None) => Some(Arc::new(
            Ticketer::new(&sanstls::rand::SystemRandom::new())?
                .with_rotation(sanstls::server::ticket::DEFAULT_ROTATION)
                .with_grace(options.session_timeout),
        )),
    };
    let config = Chosen::new(&context, server_config(&context, &options, &ticketer));
    Ok(Server {
        shared: Arc::new(Shared {
            options,
            ticketer,
            config: RwLock::new(config),
            contexts: RwLock::new(Vec::new()),
            on_secure_connection: Box::new(on_secure_connection),
            on_tls_client_error: Mutex::new(Vec::new()),
            on_new_session: RwLock::new(None),
            on_resume_session: RwLock::new(None),
            on_ocsp_request: RwLock::new(None),
            on_keylog: RwLock::new(None),
            connections: AtomicUsize::new(0),
            max_connections: AtomicUsize::new(DEFAULT_MAX_CONNECTIONS),
            closing: AtomicBool::new(false),
            on_close: Mutex::new(Vec::new()),
            close_callbacks: Mutex::new(Vec::new()),
            close_pending: AtomicBool::new(false),
        }),
        listener: None,
    })
}

/// The engine configuration of a context under the server's options.
fn server_config(
    context: &SecureContext,
    o: &ServerOptions,
    ticketer: &Option<Arc<Ticketer>>,
) -> Arc<ServerConfig> {
    let mut c = context.server_config();
    c.alpn_protocols = o
        .alpn_protocols
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect();
    c.handshake_timeout = o.handshake_timeout;
    c.ticket_lifetime = o.session_timeout;
    c.ticketer = ticketer.clone();
    if o.request_cert {
        c.client_verifier = Some(context.limit_client_verifier(Arc::new(
            sanstls_pki::tls::NodeClientVerifier::new(context.verifier(), o.reject_unauthorized),
        )));
        c.reject_unauthorized = o.reject_unauthorized;
    }
    // Node's pskCallback keys are SHA-256 ones (OpenSSL's TLS 1.3 use of the TLS 1.2-style
    // callback); identities are asked through the ClientHello hooks (`Hooks::psk`).
    if o.psk_callback.is_some() {
        c.external_psk_hash = Some(sanstls::psk::SuiteHash::Sha256);
        c.psk_identity_hint = o.psk_identity_hint.clone().map(String::into_bytes);
    }
    Arc::new(c)
}

/// Node's `addContext` hostname patterns. Node turns the pattern into the regular
/// expression `^pattern$` with `*` as `[^.]*` (and without the `i` flag): the whole name
/// must match, byte for byte, and each `*` stands for any run, possibly empty, of
/// characters other than `.`. So `*` alone matches `localhost` but no dotted name, and
/// `f*.example.com` matches `foo.example.com` and `f.example.com`.
///
/// Matched by dynamic programming over (pattern, name) prefixes, so a pattern with many
/// `*` costs at most `pattern.len() * name.len()` steps, whatever name a client sends.
fn host_matches(pattern: &str, host: &str) -> bool {
    let host = host.as_bytes();
    // `matched[j]`: the pattern read so far matches the first `j` bytes of the name.
    let mut matched = vec![false; host.len() + 1];
    matched[0] = true;
    for &p in pattern.as_bytes() {
        let mut next = vec![false; host.len() + 1];
        for j in 0..=host.len() {
            next[j] = match (p, j.checked_sub(1).map(|i| host[i])) {
                // `*` matches nothing more, or one more non-dot byte.
                (b'*', None) => matched[j],
                (b'*', Some(b)) => matched[j] || (next[j - 1] && b != b'.'),
                (_, None) => false,
                (p, Some(b)) => matched[j - 1] && b == p,
            };
        }
        matched = next;
    }
    matched[host.len()]
}

/// The configuration of the `addContext` context for `name`: the last added whose
/// pattern matches (Node searches its list from the end).
fn find_context(contexts: &[(String, Chosen)], name: &str) -> Option<Chosen> {
    contexts
        .iter()
        .rev()
        .find(|(p, _)| host_matches(p, name))
        .map(|(_, c)| c.clone())
}

/// `config` with the engine's key log on when the server has a `keylog` listener (the
/// context may have been added, or chosen by `SNICallback`, after the listener).
fn with_keylog(shared: &Shared, config: Arc<ServerConfig>) -> Arc<ServerConfig> {
    let keylog = shared.on_keylog.read().is_ok_and(|l| l.is_some());
    match keylog && !config.key_log {
        true => {
            let mut c = ServerConfig::clone(&config);
            c.key_log = true;
            Arc::new(c)
        }
        false => config,
    }
}

/// Emits `close` once `close()` was called and the last connection has ended (Node's
/// `_emitCloseIfDrained`). Called by `close()` and by each connection as it ends; only
/// one of them sees both conditions and takes `close_pending`.
fn emit_close_if_drained(shared: &Shared) {
    if shared.connections.load(Ordering::SeqCst) != 0
        || !shared.close_pending.swap(false, Ordering::SeqCst)
    {
        return;
    }
    let callbacks = shared
        .close_callbacks
        .lock()
        .map(|mut c| std::mem::take(&mut *c))
        .unwrap_or_default();
    for f in callbacks {
        f(None);
    }
    if let Ok(listeners) = shared.on_close.lock() {
        for f in listeners.iter() {
            f();
        }
    }
}

impl Server {
    /// `server.listen(port, host)`: binds and accepts in a background thread; each
    /// connection is handshaken on its own thread, then given to the listener.
    pub fn listen(&mut self, port: u16, host: &str) -> Result<SocketAddr, TlsError> {
        let listener = TcpListener::bind((host, port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::clone(&self.shared);
        let handle = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if shared.closing.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                // Node's maxConnections: over it, the connection is closed at once.
                let max = shared.max_connections.load(Ordering::SeqCst);
                if shared.connections.load(Ordering::SeqCst) >= max {
                    drop(stream);
                    continue;
                }
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, shared));
            }
        });
        self.listener = Some((addr, handle));
        Ok(addr)
    }

    /// A server in one expression: `listen(port, host)`, then [`Self::join`]. Returns when
    /// the accept loop ends (for a server that runs as long as the program does).
    pub fn serve(mut self, port: u16, host: &str) -> Result<(), TlsError> {
        self.listen(port, host)?;
        self.join();
        Ok(())
    }

    /// Waits for the accept loop to end (Node keeps a process alive while a server
    /// listens); the connections' threads go on.
    pub fn join(&mut self) {
        if let Some((_, handle)) = self.listener.take() {
            let _ = handle.join();
        }
    }

    /// `server.address()`.
    pub fn address(&self) -> Option<SocketAddr> {
        self.listener.as_ref().map(|(a, _)| *a)
    }

    /// `server.close()`: stops accepting (connections already open go on); `close` is
    /// emitted once the last of them has ended, as in Node.
    pub fn close(&mut self) {
        self.shared.closing.store(true, Ordering::SeqCst);
        if let Some((addr, handle)) = self.listener.take() {
            // Wake the accept loop so it sees `closing`.
            let _ = TcpStream::connect(addr);
            let _ = handle.join();
        }
        // Node emits `close` (once drained) even for a server that was not listening.
        self.shared.close_pending.store(true, Ordering::SeqCst);
        emit_close_if_drained(&self.shared);
    }

    /// `server.close(callback)`: [`Self::close`], with `callback` called at the `close`
    /// event, from the thread that ends the last connection (or this one). As in Node, a
    /// server that is not listening answers `ERR_SERVER_NOT_RUNNING`.
    pub fn close_with(&mut self, callback: impl FnOnce(Option<TlsError>) + Send + 'static) {
        let callback: CloseCallback = match self.listener {
            Some(_) => Box::new(callback),
            None => Box::new(move |_| {
                callback(Some(TlsError::new(
                    "ERR_SERVER_NOT_RUNNING",
                    "Server is not running.",
                )))
            }),
        };
        if let Ok(mut c) = self.shared.close_callbacks.lock() {
            c.push(callback);
        }
        self.close();
    }

    /// The `close` event: the server stopped listening and its last connection ended.
    pub fn on_close(&self, f: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut l) = self.shared.on_close.lock() {
            l.push(Box::new(f));
        }
    }

    /// `server.getConnections()`: connections being handshaken or served.
    pub fn get_connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Node's `server.maxConnections = n`: connections accepted while `n` are being
    /// handshaken or served are closed at once (`None`: no bound, Node's default). Each
    /// connection runs on its own thread, so the default here is
    /// [`DEFAULT_MAX_CONNECTIONS`] rather than Node's unbounded.
    pub fn set_max_connections(&self, max: Option<usize>) {
        let max = max.unwrap_or(usize::MAX);
        self.shared.max_connections.store(max, Ordering::SeqCst);
    }

    /// Node's `server.maxConnections`.
    pub fn max_connections(&self) -> Option<usize> {
        match self.shared.max_connections.load(Ordering::SeqCst) {
            usize::MAX => None,
            n => Some(n),
        }
    }

    /// `server.getTicketKeys()`: the 48 bytes in Node's layout.
    pub fn get_ticket_keys(&self) -> Option<[u8; 48]> {
        self.shared.ticketer.as_ref().map(|t| *t.ticket_keys())
    }

    /// `server.setTicketKeys(keys)`: rotates; tickets under the old keys keep working for
    /// their lifetime.
    pub fn set_ticket_keys(&self, keys: &[u8; 48]) -> Result<(), TlsError> {
        let t = self
            .shared
            .ticketer
            .as_ref()
            .ok_or_else(|| TlsError::new("ERR_TLS_INVALID_STATE", "tickets are disabled"))?;
        t.set_ticket_keys(keys, crate::socket::now())?;
        Ok(())
    }

    /// `server.setSecureContext(options)`: new connections use the new context.
    pub fn set_secure_context(&self, options: &SecureContextOptions) -> Result<(), TlsError> {
        let context = create_secure_context(options)?;
        let config = self.chosen(&context);
        if let Ok(mut c) = self.shared.config.write() {
            *c = config;
        }
        Ok(())
    }

    /// `server.addContext(hostname, context)`: clients asking for a name `hostname`
    /// matches (SNI; see Node's patterns at [`host_matches`]: `*` is any run of
    /// characters but `.`, case counts) get this context; the last added match wins.
    /// Not consulted when the server has an `SNICallback`, as in Node.
    pub fn add_context(
        &self,
        hostname: &str,
        options: &SecureContextOptions,
    ) -> Result<(), TlsError> {
        if hostname.is_empty() {
            return Err(TlsError::new(
                "ERR_TLS_REQUIRED_SERVER_NAME",
                "\"servername\" is required parameter for Server.addContext",
            ));
        }
        let context = create_secure_context(options)?;
        let config = self.chosen(&context);
        if let Ok(mut c) = self.shared.contexts.write() {
            c.push((hostname.to_string(), config));
        }
        Ok(())
    }

    /// The configuration of `context` under this server's options and listeners.
    fn chosen(&self, context: &SecureContext) -> Chosen {
        let config = server_config(context, &self.shared.options, &self.shared.ticketer);
        Chosen::new(context, with_keylog(&self.shared, config))
    }

    /// `newSession(sessionId, sessionData)`: a TLS 1.2 session to keep in an external
    /// store (with `on_resume_session`, Node's session cache for a server cluster).
    pub fn on_new_session(&self, f: impl Fn(&[u8], &[u8]) + Send + Sync + 'static) {
        if let Ok(mut l) = self.shared.on_new_session.write() {
            *l = Some(Box::new(f));
        }
    }

    /// `resumeSession(sessionId, callback)`: look the id up and answer with the data
    /// `newSession` gave (or `None`), possibly later and from another thread.
    pub fn on_resume_session(
        &self,
        f: impl Fn(&[u8], Answer<Option<Vec<u8>>>) + Send + Sync + 'static,
    ) {
        if let Ok(mut l) = self.shared.on_resume_session.write() {
            *l = Some(Box::new(f));
        }
    }

    /// `OCSPRequest(certificate, issuer, callback)`: the client asked for a stapled OCSP
    /// response; answer with the DER response for `certificate` (or `None`).
    pub fn on_ocsp_request(
        &self,
        f: impl Fn(&[u8], &[u8], Answer<Option<Vec<u8>>>) + Send + Sync + 'static,
    ) {
        if let Ok(mut l) = self.shared.on_ocsp_request.write() {
            *l = Some(Box::new(f));
        }
    }

    /// `keylog(line)`: NSS key-log lines of every connection (for SSLKEYLOGFILE), each
    /// with its newline as in Node, including connections under contexts added or chosen
    /// later.
    pub fn on_keylog(&self, f: impl Fn(&[u8]) + Send + Sync + 'static) {
        if let Ok(mut l) = self.shared.on_keylog.write() {
            *l = Some(Arc::new(f));
        }
        if let Ok(mut c) = self.shared.config.write() {
            c.config = with_keylog(&self.shared, Arc::clone(&c.config));
        }
        if let Ok(mut contexts) = self.shared.contexts.write() {
            for (_, c) in contexts.iter_mut() {
                c.config = with_keylog(&self.shared, Arc::clone(&c.config));
            }
        }
    }

    /// `tlsClientError(exception, tlsSocket)`: a connection failed before it was secure.
    /// The socket is the failed connection (`servername`, `remote_address()`...); it is
    /// `None` only from [`Self::accept_tokio`], whose stream is not a `TlsSocket`.
    pub fn on_tls_client_error(
        &self,
        f: impl Fn(TlsError, Option<&TlsSocket<TcpStream>>) + Send + Sync + 'static,
    ) {
        if let Ok(mut l) = self.shared.on_tls_client_error.lock() {
            l.push(Box::new(f));
        }
    }
}

impl Drop for Server {
    /// A dropped server stops listening (and emits `close` once drained, as `close()`);
    /// one already closed emits nothing more.
    fn drop(&mut self) {
        if self.listener.is_some() {
            self.close();
        }
    }
}

/// The application's answers to one connection's pauses.
struct Hooks {
    shared: Arc<Shared>,
    default: Chosen,
    contexts: Vec<(String, Chosen)>,
    sessions: bool,
    /// Whether the context chosen for this connection refuses renegotiation (known once
    /// the ClientHello is answered).
    no_renegotiation: AtomicBool,
}

impl Hooks {
    /// The context for the name the client asked for: `SNICallback`'s answer (and then
    /// never an `addContext` one: Node's own SNICallback is what reads those), else the
    /// last matching `addContext` context, else the default. An SNICallback answering with
    /// an error ends the handshake (Node's `cb(err)`).
    async fn context_for(&self, name: Option<&str>) -> Result<Chosen, TlsError> {
        let o = &self.shared.options;
        let chosen = match (&o.sni_callback, name) {
            (Some(cb), Some(name)) => ask(|answer| cb(name, answer)).await?.flatten().map(|ctx| {
                let config = server_config(&ctx, o, &self.shared.ticketer);
                Chosen::new(&ctx, with_keylog(&self.shared, config))
            }),
            (Some(_), None) => None,
            (None, name) => name.and_then(|n| find_context(&self.contexts, n)),
        };
        Ok(chosen.unwrap_or_else(|| self.default.clone()))
    }

    /// The configuration for this ClientHello: the context for its name, the session
    /// store, `ALPNCallback`'s choice and `OCSPRequest`'s staples.
    async fn config_for(&self, hello: &ClientHelloInfo) -> Result<Arc<ServerConfig>, TlsError> {
        let o = &self.shared.options;
        let name = hello.server_name.as_deref();
        let chosen = self.context_for(name).await?;
        self.no_renegotiation
            .store(chosen.no_renegotiation, Ordering::SeqCst);
        let mut config = chosen.config;
        // With a session store, it is the only one (Node: SSL_SESS_CACHE_NO_INTERNAL).
        if self.sessions && !config.external_sessions {
            let mut c = ServerConfig::clone(&config);
            c.external_sessions = true;
            c.session_cache = None;
            config = Arc::new(c);
        }
        // OpenSSL calls the ALPN callback only when the client offers protocols.
        if let (Some(cb), false) = (&o.alpn_callback, hello.alpn_protocols.is_empty()) {
            let offered: Vec<String> = hello
                .alpn_protocols
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            let protocols = match cb(name, &offered) {
                Some(p) if offered.contains(&p) => vec![p.into_bytes()],
                Some(p) => {
                    return Err(TlsError::new(
                        "ERR_TLS_ALPN_CALLBACK_INVALID_RESULT",
                        format!(
                            "ALPN callback returned a value ({p}) that did not match any of \
                             the client's offered protocols ({})",
                            offered.join(", ")
                        ),
                    ))
                }
                None => refuse_alpn(&hello.alpn_protocols),
            };
            let mut c = ServerConfig::clone(&config);
            c.alpn_protocols = protocols;
            config = Arc::new(c);
        }
        if hello.ocsp_requested {
            config = self.staple(config).await?;
        }
        Ok(config)
    }

    /// `config` with each certificate's OCSP response asked of `OCSPRequest`.
    async fn staple(&self, config: Arc<ServerConfig>) -> Result<Arc<ServerConfig>, TlsError> {
        let mut c = ServerConfig::clone(&config);
        for certified in &mut c.certificates {
            let (Some(leaf), issuer) = (certified.chain.first(), certified.chain.get(1)) else {
                continue;
            };
            let issuer = issuer.map(Vec::as_slice).unwrap_or_default();
            let asked = match self.shared.on_ocsp_request.read() {
                Ok(l) => match l.as_ref() {
                    Some(f) => ask(|answer| f(leaf, issuer, answer)),
                    None => return Ok(config),
                },
                Err(_) => return Ok(config),
            };
            certified.ocsp_response = asked.await?.flatten();
        }
        Ok(Arc::new(c))
    }
}

/// The protocol list that makes the engine end the handshake as Node does when its
/// `ALPNCallback` returns `undefined`: one protocol the client did not offer, so that none
/// is in common and the engine sends the fatal `no_application_protocol` alert (RFC 7301
/// s3.2), which OpenSSL sends for the callback's `SSL_TLSEXT_ERR_ALERT_FATAL`.
fn refuse_alpn(offered: &[Vec<u8>]) -> Vec<Vec<u8>> {
    // Some run of zero bytes is not among the (finitely many) offered protocols.
    let absent = (1..=offered.len() + 1)
        .map(|n| vec![0u8; n])
        .find(|p| !offered.contains(p))
        .unwrap_or_default();
    vec![absent]
}

impl ServerHooks for Hooks {
    fn client_hello(
        self: Arc<Self>,
        hello: ClientHelloInfo,
    ) -> HookFuture<Result<Arc<ServerConfig>, TlsError>> {
        // Awaited with the handshake paused: the callbacks may answer from anywhere, later.
        Box::pin(async move { self.config_for(&hello).await })
    }

    fn new_session(&self, id: &[u8], data: &[u8]) {
        if let Ok(l) = self.shared.on_new_session.read() {
            if let Some(f) = l.as_ref() {
                f(id, data);
            }
        }
    }

    fn psk(&self, server_name: Option<&str>, identity: &[u8]) -> Option<Vec<u8>> {
        let cb = self.shared.options.psk_callback.as_ref()?;
        cb(server_name, &String::from_utf8_lossy(identity))
    }

    fn resume_session(
        self: Arc<Self>,
        id: Vec<u8>,
    ) -> HookFuture<Result<Option<Vec<u8>>, TlsError>> {
        let asked = {
            let l = self.shared.on_resume_session.read().ok();
            l.as_ref()
                .and_then(|l| l.as_ref())
                .map(|f| ask(|answer| f(&id, answer)))
        };
        Box::pin(async move {
            match asked {
                Some(pending) => pending.await.map(Option::flatten),
                None => Ok(None),
            }
        })
    }
}

/// How one connection is set up: a fixed configuration, or the hooks that choose it (and
/// answer session lookups) once the ClientHello is in.
enum Setup {
    Plain(Chosen),
    Hooked(Arc<Hooks>, Duration),
}

impl Setup {
    /// Whether the connection's context refuses renegotiation (`SSL_OP_NO_RENEGOTIATION`);
    /// with hooks, known once the handshake has chosen the context.
    fn no_renegotiation(&self) -> bool {
        match self {
            Self::Plain(c) => c.no_renegotiation,
            Self::Hooked(h, _) => h.no_renegotiation.load(Ordering::SeqCst),
        }
    }
}

/// The setup for a new connection, from the server's state at that moment.
fn setup(shared: &Arc<Shared>) -> Option<Setup> {
    let contexts: Vec<(String, Chosen)> = shared
        .contexts
        .read()
        .map(|c| c.clone())
        .unwrap_or_default();
    let sessions = shared.on_new_session.read().is_ok_and(|l| l.is_some())
        || shared.on_resume_session.read().is_ok_and(|l| l.is_some());
    let ocsp = shared.on_ocsp_request.read().is_ok_and(|l| l.is_some());
    let o = &shared.options;
    let paused = !contexts.is_empty()
        || sessions
        || ocsp
        || o.sni_callback.is_some()
        || o.alpn_callback.is_some()
        || o.psk_callback.is_some();
    let default = shared.config.read().ok().map(|c| c.clone())?;
    Some(match paused {
        false => Setup::Plain(default),
        true => Setup::Hooked(
            Arc::new(Hooks {
                shared: Arc::clone(shared),
                default,
                contexts,
                sessions,
                no_renegotiation: AtomicBool::new(false),
            }),
            o.handshake_timeout,
        ),
    })
}

/// Counts a connection until dropped; the last one to end after `close()` emits `close`.
struct Counted(Arc<Shared>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
        emit_close_if_drained(&self.0);
    }
}

/// Serves one accepted connection on its own thread (the accept loop counted it):
/// handshake, then the listener (or `tlsClientError`).
fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let counted = Counted(shared);
    let shared = &counted.0;
    // Node's handshakeTimeout, on a blocking socket: no read may wait longer.
    let _ = stream.set_read_timeout(Some(shared.options.handshake_timeout));
    let _ = stream.set_nodelay(true);
    let Some(setup) = setup(shared) else {
        return;
    };
    let socket = match &setup {
        Setup::Plain(c) => TlsSocket::server(stream, Arc::clone(&c.config)),
        Setup::Hooked(hooks, timeout) => Ok(TlsSocket::server_with_hooks(
            stream,
            Arc::clone(hooks) as Arc<dyn ServerHooks>,
            *timeout,
        )),
    };
    let mut socket = match socket {
        Ok(s) => s,
        Err(e) => return client_error(shared, e, None),
    };
    socket.tls.psk_authorizes = shared.options.request_cert;
    if let Ok(Some(f)) = shared.on_keylog.read().map(|l| l.clone()) {
        socket.on_keylog(move |line| f(line));
    }
    match socket.handshake() {
        Ok(()) => {
            let _ = socket.get_ref().set_read_timeout(None);
            // SSL_OP_NO_RENEGOTIATION of the context the handshake chose.
            if setup.no_renegotiation() {
                socket.tls.refuse_renegotiation();
            }
            (shared.on_secure_connection)(socket)
        }
        Err(e) => client_error(shared, e, Some(&socket)),
    }
}

/// `tlsClientError` for a connection that failed before it was secure.
fn client_error(shared: &Shared, mut e: TlsError, socket: Option<&TlsSocket<TcpStream>>) {
    if e.code == "ETIMEDOUT" {
        e.code = "ERR_TLS_HANDSHAKE_TIMEOUT".into();
    }
    if let Ok(listeners) = shared.on_tls_client_error.lock() {
        for f in listeners.iter() {
            f(e.clone(), socket);
        }
    }
}

#[cfg(feature = "tokio")]
impl Server {
    /// The async side of the server (feature `tokio`): the handshake of a connection the
    /// caller accepted on its own tokio listener, with everything this server is set up
    /// with (contexts, `SNICallback`, `ALPNCallback`, session store, `OCSPRequest`, ticket
    /// keys). The hooks are awaited, never blocking the runtime; the handshake is bounded
    /// by `handshake_timeout`. The `secureConnection` listener is not called: the stream
    /// is returned instead (see `serve_tokio`). A failure also reaches `tlsClientError`.
    pub async fn accept_tokio<T>(&self, io: T) -> Result<crate::async_tokio::TlsStream<T>, TlsError>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        self.acceptor().accept(io).await
    }

    /// What `serve_tokio`'s tasks hold: the server's state, without borrowing the server.
    pub(crate) fn acceptor(&self) -> Acceptor {
        Acceptor(Arc::clone(&self.shared))
    }
}

/// Accepts connections for a server on tokio (see `Server::accept_tokio`).
#[cfg(feature = "tokio")]
#[derive(Clone)]
pub(crate) struct Acceptor(Arc<Shared>);

#[cfg(feature = "tokio")]
impl Acceptor {
    pub(crate) async fn accept<T>(
        &self,
        io: T,
    ) -> Result<crate::async_tokio::TlsStream<T>, TlsError>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let shared = &self.0;
        let Some(setup) = setup(shared) else {
            return Err(TlsError::new(
                "ERR_TLS_INVALID_STATE",
                "server state poisoned",
            ));
        };
        let mut stream = match &setup {
            Setup::Plain(c) => crate::async_tokio::TlsStream::server(io, Arc::clone(&c.config))?,
            Setup::Hooked(hooks, t) => crate::async_tokio::TlsStream::server_with_hooks(
                io,
                Arc::clone(hooks) as Arc<dyn ServerHooks>,
                *t,
            ),
        };
        stream.tls.psk_authorizes = shared.options.request_cert;
        if let Ok(Some(f)) = shared.on_keylog.read().map(|l| l.clone()) {
            stream.on_keylog(move |line| f(line));
        }
        match stream.handshake().await {
            Ok(()) => {
                // SSL_OP_NO_RENEGOTIATION of the context the handshake chose, as on the
                // blocking side.
                if setup.no_renegotiation() {
                    stream.tls.refuse_renegotiation();
                }
                Ok(stream)
            }
            Err(e) => {
                client_error(shared, e.clone(), None);
                Err(e)
            }
        }
    }

    /// `server.close()` was called.
    pub(crate) fn closing(&self) -> bool {
        self.0.closing.load(Ordering::SeqCst)
    }

    /// Counts a new connection (`getConnections()`) unless `maxConnections` are open
    /// (`None`: Node closes it at once); the count drops with the guard.
    pub(crate) fn enter(&self) -> Option<Entered> {
        let max = self.0.max_connections.load(Ordering::SeqCst);
        let open = self.0.connections.fetch_add(1, Ordering::SeqCst);
        let entered = Entered(Arc::clone(&self.0));
        (open < max).then_some(entered)
    }
}

/// One connection counted in `getConnections()` while it lives.
#[cfg(feature = "tokio")]
pub(crate) struct Entered(Arc<Shared>);

#[cfg(feature = "tokio")]
impl Drop for Entered {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::host_matches;

    /// The names Node's `addContext` regular expressions match (the same pairs are
    /// checked against Node itself in tests/node_server.rs).
    #[test]
    fn add_context_patterns_are_nodes() {
        assert!(host_matches("example.com", "example.com"));
        // No `i` flag on Node's expression: case counts.
        assert!(!host_matches("example.com", "EXAMPLE.com"));
        assert!(host_matches("*.example.com", "a.example.com"));
        // `*` may match nothing, never a dot.
        assert!(host_matches("*.example.com", ".example.com"));
        assert!(!host_matches("*.example.com", "example.com"));
        assert!(!host_matches("*.example.com", "a.b.example.com"));
        assert!(!host_matches("*.example.com", "a.example.com."));
        assert!(host_matches("f*.example.com", "foo.example.com"));
        assert!(host_matches("f*.example.com", "f.example.com"));
        assert!(!host_matches("f*.example.com", "bar.example.com"));
        assert!(host_matches("*", "localhost"));
        assert!(!host_matches("*", "a.b"));
        assert!(host_matches("a*b*c", "abc"));
        assert!(host_matches("a*b*c", "axxbyyc"));
        assert!(!host_matches("a*b*c", "axxbyy.c"));
        assert!(!host_matches("example.com", "a.example.com"));
    }

    /// The list refusing every offered protocol holds one the client did not offer.
    #[test]
    fn refused_alpn_is_never_offered() {
        let offered = vec![vec![0u8], vec![0u8, 0], b"h2".to_vec()];
        let refused = super::refuse_alpn(&offered);
        assert_eq!(refused.len(), 1);
        assert!(!offered.contains(&refused[0]));
        assert!(!refused[0].is_empty());
    }
}
