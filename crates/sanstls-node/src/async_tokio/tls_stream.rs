//! [`TlsStream`]: the engine driven by polls over an async transport.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use sanstls::conn::{Connection, Event};
use sanstls::server::{ServerConfig, ServerConnection};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::TlsError;
use crate::socket::{now, HookCall, Listeners, ServerHooks, Side};
use crate::socket_api::{TlsSocketApi, TlsState};

/// A TLS connection over an async transport `T` (Node's `TLSSocket` on tokio).
pub struct TlsStream<T> {
    io: T,
    pub(crate) tls: TlsState,
    /// Encrypted bytes waiting for the transport, from `out_at`.
    out: Vec<u8>,
    out_at: usize,
    eof: bool,
    /// Server side: answers the engine's pauses (ClientHello, session lookups).
    hooks: Option<Arc<dyn ServerHooks>>,
    /// The pause being answered: the handshake waits for it.
    hook_call: Option<HookCall>,
    pub(crate) listeners: Listeners,
    /// Bytes read from the transport the engine has not taken yet (back-pressure).
    pending: Vec<u8>,
    /// The sticky failure (a hook's answer the engine refused, the deadline).
    error: Option<TlsError>,
    /// The handshake deadline's timer, once a poll had to wait.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> core::fmt::Debug for TlsStream<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsStream")
            .field("side", &self.tls.side)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl<T> TlsSocketApi for TlsStream<T> {
    fn with_state<R>(&self, f: impl FnOnce(&TlsState) -> R) -> R {
        f(&self.tls)
    }

    fn with_state_mut<R>(&mut self, f: impl FnOnce(&mut TlsState) -> R) -> R {
        f(&mut self.tls)
    }
}

impl<T> TlsStream<T> {
    fn conn(&self) -> &Connection {
        self.tls.connection()
    }

    fn conn_mut(&mut self) -> &mut Connection {
        self.tls.conn_mut()
    }

    /// What was negotiated (protocol, suite, ALPN, peer certificates, `authorization_error`).
    pub fn connection(&self) -> &Connection {
        self.conn()
    }

    crate::socket_api::inherent_socket_api!();

    /// `getPeerCertificate()` raw form: the peer's chain, leaf first (DER).
    pub fn peer_certificate_chain(&self) -> &[Vec<u8>] {
        &self.conn().negotiated().peer_certificates
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The transport, mutably (reading or writing it directly bypasses TLS and breaks the
    /// connection; setting socket options is what it is for).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// The transport, giving up TLS (bytes read and not yet decrypted, and records not yet
    /// written, are lost).
    pub fn into_inner(self) -> T {
        self.io
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
            None,
        ))
    }

    /// The server side whose configuration `hooks` choose once the ClientHello is in (see
    /// [`ServerHooks`]): the handshake awaits their answer, without blocking the runtime.
    pub fn server_with_hooks(
        io: T,
        hooks: Arc<dyn ServerHooks>,
        handshake_timeout: core::time::Duration,
    ) -> Self {
        let conn = ServerConnection::new_paused(now(), handshake_timeout);
        Self::new(io, Side::Server(conn), Some(hooks))
    }

    pub(crate) fn new(io: T, side: Side, hooks: Option<Arc<dyn ServerHooks>>) -> Self {
        Self {
            io,
            tls: TlsState::new(side),
            out: Vec::new(),
            out_at: 0,
            eof: false,
            hooks,
            hook_call: None,
            listeners: Listeners::default(),
            pending: Vec::new(),
            error: None,
            deadline: None,
        }
    }

    /// Runs the handshake to completion, or until the handshake deadline
    /// (`ERR_TLS_HANDSHAKE_TIMEOUT`, the alert sent).
    pub async fn handshake(&mut self) -> Result<(), TlsError> {
        poll_fn(|cx| self.poll_handshake(cx)).await
    }

    /// `end()`: sends close_notify and flushes it (the stream stays readable); see also
    /// `shutdown`, which also shuts the transport's write side.
    pub async fn end(&mut self) -> Result<(), TlsError> {
        let eof = self.eof;
        self.tls.end(eof);
        poll_fn(|cx| self.poll_write_out(cx))
            .await
            .map_err(|e| TlsError::from_io(&e))
    }

    fn fail(&mut self, e: TlsError) -> TlsError {
        self.tls.fail();
        self.error.get_or_insert(e).clone()
    }

    pub(crate) fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        match self.poll_handshake_inner(cx) {
            Poll::Pending => self.poll_deadline(cx),
            ready => ready,
        }
    }

    fn poll_handshake_inner(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        loop {
            if let Some(e) = &self.error {
                return Poll::Ready(Err(e.clone()));
            }
            ready!(self.poll_pause(cx))?;
            ready!(self.poll_write_out(cx)).map_err(|e| self.fail(TlsError::from_io(&e)))?;
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

    /// While the handshake waits: `Pending` until the handshake deadline, then the
    /// engine fails it (its alert goes out best-effort).
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        let Some(at) = self.conn().poll_timeout() else {
            return Poll::Pending;
        };
        let sleep = self
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(at.saturating_since(now()))));
        ready!(sleep.as_mut().poll(cx));
        let now = now();
        if now < at {
            // The timer ran a little ahead of the wall clock: wait out the rest.
            self.deadline = Some(Box::pin(tokio::time::sleep(at.saturating_since(now))));
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.conn_mut().handle_timeout(now);
        let _ = self.poll_write_out(cx);
        let e = TlsError::from_engine(&sanstls::Error::HandshakeTimeout);
        Poll::Ready(Err(self.fail(e)))
    }

    /// Waits for the answers to the server's pauses, if any are asked, and gives them to
    /// the engine (an answer may lead to the next pause: a ClientHello's configuration, then
    /// the session lookup).
    fn poll_pause(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        while let Some(call) = &mut self.hook_call {
            let Side::Server(conn) = &mut self.tls.side else {
                self.hook_call = None;
                break;
            };
            let answered = ready!(call.poll_answer(conn, cx));
            self.hook_call = None;
            if let Err(e) = answered {
                let _ = self.poll_write_out(cx);
                return Poll::Ready(Err(self.fail(e)));
            }
            self.dispatch_events();
        }
        Poll::Ready(Ok(()))
    }

    /// Moves the engine's output to `out` and writes as much of it as the transport takes;
    /// `Ready` once all is written.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.out_at == self.out.len() {
            self.out.clear();
            self.out_at = 0;
        }
        self.tls.conn_mut().write_tls(&mut self.out);
        while self.out_at < self.out.len() {
            let rest = self.out.get(self.out_at..).unwrap_or_default();
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, rest))?;
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
            let mut buf = [0u8; 16 * 1024 + 5];
            let mut rb = ReadBuf::new(&mut buf);
            ready!(Pin::new(&mut self.io).poll_read(cx, &mut rb))?;
            if rb.filled().is_empty() {
                self.eof = true;
                self.tls.note_closed(true);
                return Poll::Ready(Ok(()));
            }
            self.pending.extend_from_slice(rb.filled());
        }
        let n = self.tls.conn_mut().read_tls(&self.pending);
        self.pending.drain(..n);
        let result = self.conn_mut().process(now());
        self.dispatch_events();
        let eof = self.eof;
        self.tls.note_closed(eof);
        if let Some(e) = &self.error {
            // A listener event failed the stream (a renegotiation after
            // `disableRenegotiation()`).
            return Poll::Ready(Err(e.clone().into()));
        }
        if let Err(e) = result {
            // The alert goes out best-effort; the error is the answer.
            let _ = self.poll_write_out(cx);
            let e = self.fail(TlsError::from_engine(&e));
            return Poll::Ready(Err(e.into()));
        }
        // (n == 0: the engine holds as much plaintext as it may; the caller reads it
        // before we feed more.)
        Poll::Ready(Ok(()))
    }

    /// Handles the engine's events: a server pause starts its hook (answered in
    /// `poll_pause`), the rest go to the listeners.
    fn dispatch_events(&mut self) {
        while let Some(e) = self.conn_mut().poll_event() {
            match e {
                e @ (Event::ClientHello(_)
                | Event::NewSession { .. }
                | Event::ResumeSession(_)
                | Event::PskIdentity(_)) => {
                    let name = self.tls.connection().negotiated().server_name.clone();
                    if let Some(hooks) = &self.hooks {
                        if let Some(call) = HookCall::start(hooks, e, name.as_deref()) {
                            self.hook_call = Some(call);
                        }
                    }
                }
                other => {
                    if let Err(e) = self.listeners.dispatch(other, &mut self.tls) {
                        self.fail(e);
                    }
                }
            }
        }
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
            ready!(this.poll_pause(cx)).map_err(io::Error::from)?;
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
        let eof = this.eof;
        this.tls.end(eof);
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
