//! `tls.connect(options)`: a client connection over TCP, a Unix socket, or any duplex the
//! caller already has (Node's `socket` option).

use std::net::TcpStream;
use std::sync::Arc;

use sanstls::psk::SuiteHash;
use sanstls_pki::tls::IdentityCheck;

use crate::context::{create_secure_context, SecureContext, SecureContextOptions};
use crate::error::TlsError;
use crate::info::EphemeralKeyInfo;
use crate::socket::TlsSocket;

/// The options of `tls.connect()` (the secure context's own are in `context`).
#[derive(Clone)]
pub struct ConnectOptions {
    /// `host` (default `localhost`).
    pub host: String,
    /// `port`.
    pub port: u16,
    /// `servername`: SNI and the name checked (default: `host`, unless it is an IP).
    pub servername: Option<String>,
    /// `key`, `cert`, `ca`, `ciphers`, ...: see [`SecureContextOptions`]. Ignored when
    /// `secure_context` is set, as Node ignores them then.
    pub context: SecureContextOptions,
    /// `secureContext`: a context made once with `create_secure_context`, used as is (its
    /// keys are not read or decrypted again); cloning one is cheap.
    pub secure_context: Option<SecureContext>,
    /// `rejectUnauthorized` (default true).
    pub reject_unauthorized: bool,
    /// `checkServerIdentity`: replaces Node's host-name check.
    pub check_server_identity: Option<Arc<IdentityCheck>>,
    /// `session`: bytes from `get_session()` to resume.
    pub session: Option<Vec<u8>>,
    /// `minDHSize` (default 1024): a server's DH group below it ends the handshake with
    /// Node's `ERR_TLS_DH_PARAM_SIZE` (below 1024 bits, OpenSSL's own floor:
    /// `ERR_SSL_DH_KEY_TOO_SMALL`).
    pub min_dh_size: usize,
    /// `ALPNProtocols`.
    pub alpn_protocols: Vec<String>,
    /// `requestOCSP`.
    pub request_ocsp: bool,
    /// Emit `keylog` lines (Node emits them when a listener is attached).
    pub key_log: bool,
    /// `lookup`: resolves `host` instead of the system resolver (Node's `dns.lookup`
    /// replacement); the addresses are tried in order.
    pub lookup: Option<Arc<Lookup>>,
    /// `enableTrace`: the handshake trace on stderr, from the ClientHello on.
    pub enable_trace: bool,
    /// `timeout`: the socket's `setTimeout` from the start (blocking sockets; see
    /// [`TlsSocket::set_timeout`]). `None` (Node's default): no idle timeout.
    pub timeout: Option<core::time::Duration>,
    /// `pskCallback(hint)`: the external PSK to offer (TLS 1.3; the hint is always `None`
    /// there, Node's `null`), or `None` for none. A server that accepts it authenticates
    /// with it: no certificate, `authorized` true. One that does not goes on with a
    /// certificate handshake, verified as usual. Keys are for SHA-256 suites, as in Node.
    pub psk_callback: Option<Arc<ClientPskCallback>>,
}

/// What a client `pskCallback` answers (Node's `{ psk, identity }`).
#[derive(Clone)]
pub struct PskAnswer {
    /// The key.
    pub psk: Vec<u8>,
    /// The identity it is offered under (1 to 65535 bytes of UTF-8; anything else offers
    /// no PSK).
    pub identity: String,
}

impl core::fmt::Debug for PskAnswer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PskAnswer")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl Drop for PskAnswer {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.psk);
    }
}

/// The engine's PSK callback for a Node client `pskCallback`: the hint as text, the answer
/// as a SHA-256 external PSK (an identity or key the engine refuses offers nothing).
pub(crate) fn client_psk(cb: Arc<ClientPskCallback>) -> sanstls::psk::ClientPsk {
    sanstls::psk::ClientPsk(Arc::new(move |hint| {
        let hint = hint.map(|h| String::from_utf8_lossy(h).into_owned());
        let answer = cb(hint.as_deref())?;
        let (identity, hash) = (answer.identity.as_bytes().to_vec(), SuiteHash::Sha256);
        sanstls::psk::ExternalPsk::new(identity, &answer.psk, hash).ok()
    }))
}

/// The client `pskCallback` signature: the server's identity hint (TLS 1.2; `None` in
/// TLS 1.3) to the PSK to offer.
pub type ClientPskCallback = dyn Fn(Option<&str>) -> Option<PskAnswer> + Send + Sync;

/// The `lookup` signature: a host name to its addresses.
pub type Lookup = dyn Fn(&str) -> std::io::Result<Vec<std::net::IpAddr>> + Send + Sync;

impl core::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("servername", &self.servername)
            .finish_non_exhaustive()
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 0,
            servername: None,
            context: SecureContextOptions::default(),
            secure_context: None,
            reject_unauthorized: true,
            check_server_identity: None,
            session: None,
            min_dh_size: 1024,
            alpn_protocols: Vec::new(),
            request_ocsp: false,
            key_log: false,
            lookup: None,
            enable_trace: false,
            timeout: None,
            psk_callback: None,
        }
    }
}

impl ConnectOptions {
    /// The addresses `lookup` gives for `host` (tried in order), or `None` without a
    /// `lookup` (then the system resolver is used): the blocking and tokio connects share it.
    pub(crate) fn looked_up(&self) -> std::io::Result<Option<Vec<std::net::SocketAddr>>> {
        let Some(lookup) = &self.lookup else {
            return Ok(None);
        };
        Ok(Some(
            lookup(&self.host)?
                .into_iter()
                .map(|ip| std::net::SocketAddr::new(ip, self.port))
                .collect(),
        ))
    }
}

/// `tls.connect(options)` over TCP: connects, completes the handshake (failing on an
/// unauthorized server unless `reject_unauthorized` is off) and returns the socket.
pub fn connect(options: &ConnectOptions) -> Result<TlsSocket<TcpStream>, TlsError> {
    let tcp = match options.looked_up()? {
        Some(addrs) => TcpStream::connect(&addrs[..])?,
        None => TcpStream::connect((options.host.as_str(), options.port))?,
    };
    let _ = tcp.set_nodelay(true);
    connect_over(tcp, options)
}

/// `tls.connect({ path })`: over a Unix domain socket.
#[cfg(unix)]
pub fn connect_unix(
    path: &std::path::Path,
    options: &ConnectOptions,
) -> Result<TlsSocket<std::os::unix::net::UnixStream>, TlsError> {
    connect_over(std::os::unix::net::UnixStream::connect(path)?, options)
}

/// `tls.connect({ socket })`: over any duplex the caller already has.
pub fn connect_over<T: crate::stream::Transport>(
    io: T,
    options: &ConnectOptions,
) -> Result<TlsSocket<T>, TlsError> {
    let mut socket = prepare(io, options)?;
    if let Err(e) = socket.handshake() {
        return Err(dh_param_size(e, &socket));
    }
    Ok(socket)
}

/// Node checks `minDHSize` itself and reports `ERR_TLS_DH_PARAM_SIZE` with the server's
/// size; the engine refuses the group during the handshake (so no key is agreed with it)
/// and records the size it saw, which turns its refusal into Node's error here. Groups
/// under 1024 bits stay OpenSSL's `ERR_SSL_DH_KEY_TOO_SMALL`, as in Node, where OpenSSL
/// refuses them before Node's check.
/// (Both drivers: the tokio `connect_over` maps its error here too.)
pub(crate) fn dh_param_size(e: TlsError, socket: &impl crate::TlsSocketApi) -> TlsError {
    if e.code != "ERR_SSL_DH_KEY_TOO_SMALL" {
        return e;
    }
    match socket.get_ephemeral_key_info() {
        Some(EphemeralKeyInfo {
            kind: "DH",
            size: Some(size),
            ..
        }) if size as usize >= sanstls::crypto::ffdhe::MIN_DH_BITS => {
            // Node 20's message names 2048 whatever minDHSize is (its template is fixed).
            TlsError::new(
                "ERR_TLS_DH_PARAM_SIZE",
                format!("DH parameter size {size} is less than 2048"),
            )
        }
        _ => e,
    }
}

/// `tls.connect()` before the handshake: register listeners (`on_keylog`,
/// `on_ocsp_response`, `on_session`, `on_secure_connect`) on the socket, then call
/// `handshake()` (or just read or write).
pub fn prepare<T: crate::stream::Transport>(
    io: T,
    options: &ConnectOptions,
) -> Result<TlsSocket<T>, TlsError> {
    let (config, name, no_renegotiation) = client_config(options)?;
    let mut socket = TlsSocket::client(io, Arc::new(config), &name, options.session.as_deref())?;
    if no_renegotiation {
        socket.disable_renegotiation();
    }
    if options.enable_trace {
        socket.enable_trace();
    }
    if let Some(t) = options.timeout {
        socket.set_timeout(t);
    }
    Ok(socket)
}

/// The engine configuration and server name for `options` (and whether renegotiation is
/// off).
pub(crate) fn client_config(
    options: &ConnectOptions,
) -> Result<(sanstls::ClientConfig, String, bool), TlsError> {
    // Node: `options.secureContext || tls.createSecureContext(options)`.
    let context = match &options.secure_context {
        Some(shared) => shared.clone(),
        None => create_secure_context(&options.context)?,
    };
    let mut config = context.client_config_with(options.check_server_identity.clone());
    config.reject_unauthorized = options.reject_unauthorized;
    config.min_dh_size = options.min_dh_size;
    config.alpn_protocols = options
        .alpn_protocols
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect();
    config.request_ocsp = options.request_ocsp;
    let name = options
        .servername
        .clone()
        .unwrap_or_else(|| options.host.clone());
    config.key_log = options.key_log;
    config.trace = options.enable_trace || crate::trace::trace_tls();
    config.psk = options.psk_callback.clone().map(client_psk);
    Ok((config, name, context.renegotiation_disabled()))
}
