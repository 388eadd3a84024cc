//! The facade over tokio (feature `tokio`): [`TlsStream`], a TLS connection over any
//! `AsyncRead + AsyncWrite`, itself `AsyncRead + AsyncWrite`, with the getters of the
//! blocking socket ([`crate::TlsSocketApi`]); [`connect`] / [`accept`];
//! [`TlsStream::into_split`] for a reader and a writer on two tasks; and
//! `Server::serve_tokio` / `Server::accept_tokio` for a server's connections.
//!
//! The engine is the same sans-IO `Connection` the blocking [`crate::TlsSocket`] drives;
//! here the polls drive it. The server's hooks (`SNICallback`, `resumeSession`,
//! `OCSPRequest`) are awaited with the handshake paused: nothing blocks a worker thread, so
//! a lookup answered by another task completes even on a single-threaded runtime. The
//! handshake deadline (`handshake_timeout`) is a tokio timer, so the runtime needs its
//! time driver (`enable_time`, or `enable_all` as `#[tokio::main]` does).

mod serve;
mod split;
mod tls_stream;

pub use split::{ReadHalf, WriteHalf};
pub use tls_stream::TlsStream;

use std::future::Future;
use std::sync::Arc;

use sanstls::client::{ClientConnection, StoredSession};
use sanstls::server::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::connect::ConnectOptions;
use crate::error::TlsError;
use crate::socket::{now, Side};
use crate::socket_options::TlsSocketOptions;

/// `tls.connect(options)` on tokio: TCP (to the addresses `lookup` gives, if set), then the
/// handshake, bounded by the handshake deadline. The future owns a copy of `options` (it
/// can be spawned).
pub fn connect(
    options: &ConnectOptions,
) -> impl Future<Output = Result<TlsStream<tokio::net::TcpStream>, TlsError>> + Send + 'static {
    let options = options.clone();
    async move {
        let tcp = match options.looked_up()? {
            Some(addrs) => tokio::net::TcpStream::connect(&addrs[..]).await?,
            None => tokio::net::TcpStream::connect((options.host.as_str(), options.port)).await?,
        };
        let _ = tcp.set_nodelay(true);
        connect_over(tcp, &options).await
    }
}

/// `tls.connect({ socket })` on tokio: over any async duplex. The future owns `io` and
/// what it needs of `options`.
pub fn connect_over<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    options: &ConnectOptions,
) -> impl Future<Output = Result<TlsStream<T>, TlsError>> {
    let prepared = prepare(io, options);
    async move {
        let mut stream = prepared?;
        if let Err(e) = stream.handshake().await {
            // `minDHSize`: Node's ERR_TLS_DH_PARAM_SIZE, as the blocking connect gives.
            return Err(crate::connect::dh_param_size(e, &stream));
        }
        Ok(stream)
    }
}

/// `tls.connect()` on tokio before the handshake: register listeners, then `handshake()`
/// (or just read or write).
pub fn prepare<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    options: &ConnectOptions,
) -> Result<TlsStream<T>, TlsError> {
    let (config, name, no_renegotiation) = crate::connect::client_config(options)?;
    let session = options
        .session
        .as_deref()
        .map(StoredSession::from_bytes)
        .transpose()
        .map_err(|e| TlsError::new("ERR_INVALID_ARG_VALUE", format!("session: {e:?}")))?;
    let conn = ClientConnection::resume(Arc::new(config), &name, session, now())?;
    let mut stream = TlsStream::new(io, Side::Client(conn), None);
    if options.enable_trace {
        stream.enable_trace();
    }
    if no_renegotiation {
        stream.disable_renegotiation();
    }
    Ok(stream)
}

/// The server side of one accepted connection: the handshake with `config`, bounded by
/// its `handshake_timeout`.
pub async fn accept<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    config: Arc<ServerConfig>,
) -> Result<TlsStream<T>, TlsError> {
    let mut stream = TlsStream::server(io, config)?;
    stream.handshake().await?;
    Ok(stream)
}

/// Node's `new tls.TLSSocket(socket, options)` on tokio (see [`TlsSocketOptions`]); the
/// handshake runs on `handshake()` or the first read or write.
pub fn with_options<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    options: &TlsSocketOptions,
) -> Result<TlsStream<T>, TlsError> {
    let (side, hooks) = crate::socket_options::side(options)?;
    let mut stream = TlsStream::new(io, side, hooks);
    stream.tls.reports_authorized = options.is_server;
    stream.tls.psk_authorizes = !options.is_server || options.request_cert;
    Ok(stream)
}
