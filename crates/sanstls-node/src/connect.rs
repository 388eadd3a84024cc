//! `tls.connect(options)`: a client connection over TCP, a Unix socket, or any duplex the
//! caller already has (Node's `socket` option).

use std::net::TcpStream;
use std::sync::Arc;

use sanstls_pki::tls::IdentityCheck;

use crate::context::{create_secure_context, SecureContextOptions};
use crate::error::TlsError;
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
    /// `key`, `cert`, `ca`, `ciphers`, ...: see [`SecureContextOptions`].
    pub context: SecureContextOptions,
    /// `rejectUnauthorized` (default true).
    pub reject_unauthorized: bool,
    /// `checkServerIdentity`: replaces Node's host-name check.
    pub check_server_identity: Option<Arc<IdentityCheck>>,
    /// `session`: bytes from `get_session()` to resume.
    pub session: Option<Vec<u8>>,
    /// `minDHSize` (default 1024).
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
}

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
            reject_unauthorized: true,
            check_server_identity: None,
            session: None,
            min_dh_size: 1024,
            alpn_protocols: Vec::new(),
            request_ocsp: false,
            key_log: false,
            lookup: None,
        }
    }
}

/// `tls.connect(options)` over TCP: connects, completes the handshake (failing on an
/// unauthorized server unless `reject_unauthorized` is off) and returns the socket.
pub fn connect(options: &ConnectOptions) -> Result<TlsSocket<TcpStream>, TlsError> {
    let tcp = match &options.lookup {
        Some(lookup) => {
            let addrs: Vec<std::net::SocketAddr> = lookup(&options.host)?
                .into_iter()
                .map(|ip| std::net::SocketAddr::new(ip, options.port))
                .collect();
            TcpStream::connect(&addrs[..])?
        }
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
    socket.handshake()?;
    Ok(socket)
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
    Ok(socket)
}

/// The engine configuration and server name for `options` (and whether renegotiation is
/// off).
pub(crate) fn client_config(
    options: &ConnectOptions,
) -> Result<(sanstls::ClientConfig, String, bool), TlsError> {
    let context = create_secure_context(&options.context)?;
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
    Ok((config, name, context.renegotiation_disabled()))
}
