//! The facade over tokio (feature `tokio`): [`TlsStream`], a TLS connection over any
//! `AsyncRead + AsyncWrite`, itself `AsyncRead + AsyncWrite`, and [`connect`] / [`accept`].
//!
//! The engine is the same sans-IO `Connection` the blocking [`crate::TlsSocket`] drives;
//! here the polls drive it: reading pulls records until plaintext is available, writing
//! queues records and flushes what the transport takes.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use sanstls::client::{ClientConnection, StoredSession};
use sanstls::conn::{Connection, Event};
use sanstls::server::{ServerConfig, ServerConnection};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::connect::ConnectOptions;
use crate::error::TlsError;
use crate::socket::{answer_server_event, now, Listeners, ServerHooks, Side};

/// A TLS connection over an async transport `T` (Node's `TLSSocket` on tokio).
pub struct TlsStream<T> {
    io: T,
    side: Side,
    /// Encrypted bytes waiting for the transport, from `out_at`.
    out: Vec<u8>,
    out_at: usize,
    eof: bool,
    /// Server side: answers the engine's pauses (ClientHello, session lookups).
    hooks: Option<Arc<dyn ServerHooks>>,
    listeners: Listeners,
    /// Whether `secure` was emitted.
    secure: bool,
    /// Bytes read from the transport the engine has not taken yet (back-pressure).
    pending: Vec<u8>,
    session: Option<StoredSession>,
}

impl<T> core::fmt::Debug for TlsStream<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsStream")
            .field("side", &self.side)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl<T> TlsStream<T> {
    fn conn(&self) -> &Connection {
        self.side.conn()
    }

    fn conn_mut(&mut self) -> &mut Connection {
        self.side.conn_mut()
    }

    /// What was negotiated (protocol, suite, ALPN, peer certificates, `authorization_error`).
    pub fn connection(&self) -> &Connection {
        self.conn()
    }

    /// `authorized`: the peer's certificate was verified.
    pub fn authorized(&self) -> bool {
        self.side.authorized(self.secure)
    }

    /// `getSession()`: bytes for `ConnectOptions::session` (client side).
    pub fn get_session(&self) -> Option<Vec<u8>> {
        self.session.as_ref().map(|s| s.to_bytes().to_vec())
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    crate::socket::listener_methods!();
}

impl<T: AsyncRead + AsyncWrite + Unpin> TlsStream<T> {
    /// The server side over `io` with `config`: call [`Self::handshake`], or just read.
    /// Fails only on a configuration whose `limits` are out of range.
    pub fn server(io: T, config: Arc<ServerConfig>) -> Result<Self, TlsError> {
        Ok(Self::new(
            io,
            Side::Server(ServerConnection::new(config, now())?),
        ))
    }

    /// The server side whose configuration `hooks` choose once the ClientHello is in (see
    /// [`ServerHooks`]; they run inline, so they should answer quickly).
    pub fn server_with_hooks(
        io: T,
        hooks: Arc<dyn ServerHooks>,
        handshake_timeout: core::time::Duration,
    ) -> Self {
        let conn = ServerConnection::new_paused(now(), handshake_timeout);
        let mut s = Self::new(io, Side::Server(conn));
        s.hooks = Some(hooks);
        s
    }

    fn new(io: T, side: Side) -> Self {
        Self {
            io,
            side,
            out: Vec::new(),
            out_at: 0,
            eof: false,
            hooks: None,
            listeners: Listeners::default(),
            secure: false,
            pending: Vec::new(),
            session: None,
        }
    }

    /// Runs the handshake to completion.
    pub async fn handshake(&mut self) -> Result<(), TlsError> {
        poll_fn(|cx| self.poll_handshake(cx)).await
    }

    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        loop {
            ready!(self.poll_write_out(cx)).map_err(|e| TlsError::from_io(&e))?;
            if !self.conn().is_handshaking() {
                return match self.conn().error() {
                    Some(e) => Poll::Ready(Err(TlsError::from_engine(e))),
                    None => Poll::Ready(Ok(())),
                };
            }
            if self.eof {
                return Poll::Ready(Err(TlsError::new(
                    "ECONNRESET",
                    "Client network socket disconnected before secure TLS connection was established",
                )));
            }
            ready!(self.poll_read_in(cx)).map_err(|e| TlsError::from_io(&e))?;
        }
    }

    /// Moves the engine's output to `out` and writes as much of it as the transport takes;
    /// `Ready` once all is written.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.out_at == self.out.len() {
            self.out.clear();
            self.out_at = 0;
        }
        let mut fresh = Vec::new();
        self.conn_mut().write_tls(&mut fresh);
        self.out.extend_from_slice(&fresh);
        while self.out_at < self.out.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.out[self.out_at..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.out_at += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Reads once from the transport (unless bytes are still pending) and feeds the
    /// engine what it takes; `Ready` once something was processed or EOF was seen.
    fn poll_read_in(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pending.is_empty() {
            let mut buf = [0u8; 16 * 1024];
            let mut rb = ReadBuf::new(&mut buf);
            ready!(Pin::new(&mut self.io).poll_read(cx, &mut rb))?;
            if rb.filled().is_empty() {
                self.eof = true;
                return Poll::Ready(Ok(()));
            }
            self.pending.extend_from_slice(rb.filled());
        }
        let n = self.side.conn_mut().read_tls(&self.pending);
        self.pending.drain(..n);
        let result = self.conn_mut().process(now());
        let answered = self.dispatch_events();
        if let Err(e) = answered {
            let _ = self.poll_write_out(cx);
            return Poll::Ready(Err(e.into()));
        }
        if let Err(e) = result {
            // The alert goes out best-effort; the error is the answer.
            let _ = self.poll_write_out(cx);
            return Poll::Ready(Err(TlsError::from_engine(&e).into()));
        }
        // (n == 0: the engine holds as much plaintext as it may; the caller reads it
        // before we feed more.)
        Poll::Ready(Ok(()))
    }

    /// Handles the engine's events; an error answering a pause is returned.
    fn dispatch_events(&mut self) -> Result<(), TlsError> {
        while let Some(e) = self.conn_mut().poll_event() {
            match e {
                e
                @ (Event::ClientHello(_) | Event::NewSession { .. } | Event::ResumeSession(_)) => {
                    if let (Some(hooks), Side::Server(conn)) = (&self.hooks, &mut self.side) {
                        answer_server_event(conn, hooks.as_ref(), e)?;
                    }
                }
                other => self
                    .listeners
                    .dispatch(other, &mut self.secure, &mut self.session),
            }
        }
        Ok(())
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_handshake(cx)).map_err(io::Error::from)?;
        loop {
            let n = this.conn_mut().read_plaintext(buf.initialize_unfilled());
            if n > 0 {
                buf.advance(n);
                return Poll::Ready(Ok(()));
            }
            if this.eof || this.conn().peer_closed() {
                return Poll::Ready(Ok(()));
            }
            // A KeyUpdate answer or similar may be waiting to go out.
            ready!(this.poll_write_out(cx))?;
            ready!(this.poll_read_in(cx))?;
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_handshake(cx)).map_err(io::Error::from)?;
        // Keep at most one batch of records unwritten: back-pressure from the transport.
        ready!(this.poll_write_out(cx))?;
        let n = this
            .conn_mut()
            .send(buf)
            .map_err(|e| io::Error::from(TlsError::from_engine(&e)))?;
        // Written into records now; the transport takes them in this or a later poll.
        let _ = this.poll_write_out(cx)?;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.conn_mut().send_close_notify();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

/// `tls.connect(options)` on tokio: TCP, then the handshake.
pub async fn connect(
    options: &ConnectOptions,
) -> Result<TlsStream<tokio::net::TcpStream>, TlsError> {
    let tcp = tokio::net::TcpStream::connect((options.host.as_str(), options.port)).await?;
    let _ = tcp.set_nodelay(true);
    connect_over(tcp, options).await
}

/// `tls.connect({ socket })` on tokio: over any async duplex.
pub async fn connect_over<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    options: &ConnectOptions,
) -> Result<TlsStream<T>, TlsError> {
    let mut stream = prepare(io, options)?;
    stream.handshake().await?;
    Ok(stream)
}

/// `tls.connect()` on tokio before the handshake: register listeners, then `handshake()`
/// (or just read or write).
pub fn prepare<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    options: &ConnectOptions,
) -> Result<TlsStream<T>, TlsError> {
    let (config, name, _) = crate::connect::client_config(options)?;
    let session = options
        .session
        .as_deref()
        .map(StoredSession::from_bytes)
        .transpose()
        .map_err(|e| TlsError::new("ERR_INVALID_ARG_VALUE", format!("session: {e:?}")))?;
    let conn = ClientConnection::resume(Arc::new(config), &name, session, now())?;
    Ok(TlsStream::new(io, Side::Client(conn)))
}

/// The server side of one accepted connection: the handshake with `config`.
pub async fn accept<T: AsyncRead + AsyncWrite + Unpin>(
    io: T,
    config: Arc<ServerConfig>,
) -> Result<TlsStream<T>, TlsError> {
    let mut stream = TlsStream::server(io, config)?;
    stream.handshake().await?;
    Ok(stream)
}
