//! `TLSSocket`: a TLS connection over any byte stream (`Read + Write`), client or server
//! side, with Node's getters and events. It is itself `Read + Write`: reading or writing
//! drives the handshake first, as a Node socket does before `secure`/`secureConnect`.
//!
//! Events are closures registered with `on_<event>`; they run on the thread that drives the
//! socket, from inside the call (`handshake`, `read`, `write`) that made the event happen.

use std::io::{self, Read, Write};
use std::sync::Arc;

use sanstls::client::{ClientConfig, ClientConnection, StoredSession};
use sanstls::conn::{Connection, Event};
use sanstls::server::{ServerConfig, ServerConnection};
use sanstls::UnixTime;

use crate::answer::HookFuture;
use crate::error::TlsError;
pub use crate::socket_api::{TlsSocketApi, TlsState};
pub use crate::socket_options::TlsSocketOptions;
use crate::stream::{is_timeout, Received, Stream, StreamError, Transport};

/// The side-specific engine object (of the blocking and async sockets and the secure pair).
#[derive(Debug)]
pub(crate) enum Side {
    Client(ClientConnection),
    Server(ServerConnection),
}

impl Side {
    pub(crate) fn conn(&self) -> &Connection {
        match self {
            Self::Client(c) => c,
            Self::Server(s) => s,
        }
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        match self {
            Self::Client(c) => c,
            Self::Server(s) => s,
        }
    }

    /// Node's `authorized`: secure, the peer presented a certificate and nothing refused
    /// it, or (when `psk_authorizes`) an external PSK authenticated it. A resumed
    /// connection reports the authentication of the handshake that made its session (the
    /// engine restores the chain and verdict, or the PSK identity, from the session).
    pub(crate) fn authorized(&self, secure: bool, psk_authorizes: bool) -> bool {
        let n = self.conn().negotiated();
        let by_psk = psk_authorizes && n.psk_identity.is_some();
        secure && n.authorization_error.is_none() && (!n.peer_certificates.is_empty() || by_psk)
    }
}

type Listener = Box<dyn FnMut() + Send>;
/// What a server socket asks its application while handshaking: the configuration for a
/// ClientHello (Node's `SNICallback`, `addContext`, `OCSPRequest`) and the external
/// session store (`newSession`, `resumeSession`).
///
/// The lookups are futures ([`HookFuture`]): the handshake pauses until they complete,
/// and nothing blocks meanwhile on tokio (the blocking socket waits for them on its own
/// thread). The application may answer from any thread or task, e.g. through an
/// [`crate::answer::Answer`]. Either driver gives up at the handshake deadline.
pub trait ServerHooks: Send + Sync {
    /// The configuration to continue the handshake with, or the error that ends it (Node's
    /// `SNICallback` answering `cb(err)`: the connection is closed without an alert).
    fn client_hello(
        self: Arc<Self>,
        hello: sanstls::server::ClientHelloInfo,
    ) -> HookFuture<Result<Arc<ServerConfig>, TlsError>>;

    /// Node's `newSession`: keep `data` under `id`.
    fn new_session(&self, _id: &[u8], _data: &[u8]) {}

    /// Node's `resumeSession`: the data kept under `id`, if any (an error ends the
    /// handshake, as Node's `cb(err)`).
    fn resume_session(
        self: Arc<Self>,
        _id: Vec<u8>,
    ) -> HookFuture<Result<Option<Vec<u8>>, TlsError>> {
        Box::pin(core::future::ready(Ok(None)))
    }

    /// Node's server `pskCallback(socket, identity)`: the key of the external PSK the
    /// client offers under `identity`, or `None` (then a certificate handshake, as in
    /// Node). Synchronous, as Node's is. `server_name` is the name the client asked for.
    fn psk(&self, _server_name: Option<&str>, _identity: &[u8]) -> Option<Vec<u8>> {
        None
    }
}
type BytesListener = Box<dyn FnMut(&[u8]) + Send>;

/// The closures registered for each event (shared by the blocking and async sockets).
#[derive(Default)]
pub(crate) struct Listeners {
    pub(crate) secure: Vec<Listener>,
    pub(crate) session: Vec<BytesListener>,
    pub(crate) keylog: Vec<BytesListener>,
    pub(crate) ocsp_response: Vec<BytesListener>,
}

impl Listeners {
    /// Calls the listeners of `event`: `secure` once (a renegotiation completes again, but
    /// Node emits `secure` once), `session` with the session's bytes (kept in `tls`),
    /// `keylog`, `OCSPResponse`. Other events are not listener events, except the one
    /// that fails the socket, for both drivers: a client renegotiating after
    /// `disableRenegotiation()` (`Err`: the socket's error).
    pub(crate) fn dispatch(&mut self, event: Event, tls: &mut TlsState) -> Result<(), TlsError> {
        match event {
            Event::HandshakeComplete if !tls.secure => {
                tls.secure = true;
                for f in &mut self.secure {
                    f();
                }
            }
            Event::NewSessionTicket(s) => {
                let bytes = s.to_bytes();
                for f in &mut self.session {
                    f(&bytes);
                }
                tls.session = Some(s);
            }
            Event::KeyLog(line) => {
                // Node's `keylog` line ends with its newline (ready to append to a file).
                let line = line.to_line() + "\n";
                for f in &mut self.keylog {
                    f(line.as_bytes());
                }
            }
            Event::OcspResponse(der) => {
                for f in &mut self.ocsp_response {
                    f(&der);
                }
            }
            Event::Trace(t) => {
                if let Some(tracer) = &mut tls.tracer {
                    tracer.record(&t);
                }
            }
            // Node's server destroys a connection whose client renegotiates after
            // `disableRenegotiation()` (one refusing under SSL_OP_NO_RENEGOTIATION goes on).
            Event::RenegotiationRefused if tls.renegotiation_disabled => {
                return Err(TlsError::new(
                    "ERR_TLS_RENEGOTIATION_DISABLED",
                    "TLS session renegotiation disabled for this socket",
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

/// The `on_<event>` registration methods of Node's socket events, shared by the blocking
/// [`TlsSocket`] and the tokio stream (both hold a `listeners: Listeners` field).
macro_rules! listener_methods {
    () => {
        /// `secureConnect` (client) / `secure` (server): the handshake completed.
        pub fn on_secure_connect(&mut self, f: impl FnMut() + Send + 'static) -> &mut Self {
            self.listeners.secure.push(Box::new(f));
            self
        }

        /// `session`: the server gave a session (bytes for the `session` option).
        pub fn on_session(&mut self, f: impl FnMut(&[u8]) + Send + 'static) -> &mut Self {
            self.listeners.session.push(Box::new(f));
            self
        }

        /// `keylog`: one NSS key-log line (with its newline, as in Node), for SSLKEYLOGFILE.
        /// Registering a listener turns the engine's key log on, as in Node (on a server
        /// socket the configuration chosen at the ClientHello decides again: the server
        /// facade turns `key_log` on for its `keylog` listeners).
        pub fn on_keylog(&mut self, f: impl FnMut(&[u8]) + Send + 'static) -> &mut Self {
            $crate::socket_api::TlsSocketApi::with_state_mut(self, |s| {
                s.conn_mut().set_key_log(true)
            });
            self.listeners.keylog.push(Box::new(f));
            self
        }

        /// `OCSPResponse`: the server stapled this OCSP response (client side).
        pub fn on_ocsp_response(&mut self, f: impl FnMut(&[u8]) + Send + 'static) -> &mut Self {
            self.listeners.ocsp_response.push(Box::new(f));
            self
        }
    };
}
pub(crate) use listener_methods;

/// A server pause being answered: the hook's future, and what to do with its answer.
pub(crate) enum HookCall {
    Hello(HookFuture<Result<Arc<ServerConfig>, TlsError>>),
    Resume(HookFuture<Result<Option<Vec<u8>>, TlsError>>),
    /// The `pskCallback` answered at once (a key, wiped when dropped, or none).
    Psk(Option<zeroize::Zeroizing<Vec<u8>>>),
}

impl HookCall {
    /// Starts the hook for a server pause (`newSession` is told at once: nothing to wait
    /// for). Other events are left alone.
    pub(crate) fn start(
        hooks: &Arc<dyn ServerHooks>,
        event: Event,
        server_name: Option<&str>,
    ) -> Option<Self> {
        match event {
            Event::PskIdentity(id) => Some(Self::Psk(
                hooks
                    .psk(server_name, &id)
                    // An empty key is no key (Node's callback returning an empty buffer).
                    .filter(|k| !k.is_empty())
                    .map(zeroize::Zeroizing::new),
            )),
            Event::ClientHello(info) => Some(Self::Hello(Arc::clone(hooks).client_hello(info))),
            Event::NewSession { id, data } => {
                hooks.new_session(&id, &data);
                None
            }
            Event::ResumeSession(id) => Some(Self::Resume(Arc::clone(hooks).resume_session(id))),
            _ => None,
        }
    }

    /// Waits for the answer and gives it to the connection.
    pub(crate) fn poll_answer(
        &mut self,
        conn: &mut ServerConnection,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Result<(), TlsError>> {
        use core::task::Poll;
        match self {
            Self::Hello(f) => match f.as_mut().poll(cx) {
                Poll::Ready(config) => Poll::Ready(Ok(conn.accept(config?, now())?)),
                Poll::Pending => Poll::Pending,
            },
            Self::Resume(f) => match f.as_mut().poll(cx) {
                Poll::Ready(data) => Poll::Ready(Ok(conn.session_found(data?, now())?)),
                Poll::Pending => Poll::Pending,
            },
            Self::Psk(key) => {
                let key = key.take();
                Poll::Ready(Ok(
                    conn.psk_found(key.as_ref().map(|k| k.as_slice()), now())?
                ))
            }
        }
    }

    /// The blocking socket's wait: on this thread, until the answer or the handshake
    /// deadline (then the handshake fails with `ERR_TLS_HANDSHAKE_TIMEOUT`).
    pub(crate) fn wait(mut self, conn: &mut ServerConnection) -> Result<(), TlsError> {
        let deadline = conn.poll_timeout();
        let answered = crate::answer::block_on(
            core::future::poll_fn(|cx| self.poll_answer(conn, cx)),
            deadline,
        );
        match answered {
            Some(r) => r,
            None => {
                conn.handle_timeout(now());
                Err(TlsError::from_engine(&sanstls::Error::HandshakeTimeout))
            }
        }
    }
}

/// A TLS connection over `T`, Node's `tls.TLSSocket`.
pub struct TlsSocket<T> {
    /// The transport and the bytes read from it that the engine has not taken yet.
    pub(crate) stream: Stream<T>,
    /// The engine connection, `secure`, the last session.
    pub(crate) tls: TlsState,
    pub(crate) listeners: Listeners,
    /// The transport reached EOF.
    eof: bool,
    /// The sticky failure, if any.
    pub(crate) error: Option<TlsError>,
    /// Server side: answers the engine's pauses (ClientHello, session lookups).
    hooks: Option<Arc<dyn ServerHooks>>,
    /// Node's `socket.setTimeout(ms)`: the idle time after which `timeout` is emitted.
    timeout: Option<core::time::Duration>,
    /// `timeout` listeners.
    on_timeout: Vec<Listener>,
}

impl<T> core::fmt::Debug for TlsSocket<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsSocket")
            .field("side", &self.tls.side)
            .field("secure", &self.tls.secure)
            .finish_non_exhaustive()
    }
}

/// The caller's clock: the facade owns the I/O, so it is where time is read.
pub(crate) fn now() -> UnixTime {
    crate::stream::now()
}

impl<T> TlsSocketApi for TlsSocket<T> {
    fn with_state<R>(&self, f: impl FnOnce(&TlsState) -> R) -> R {
        f(&self.tls)
    }

    fn with_state_mut<R>(&mut self, f: impl FnOnce(&mut TlsState) -> R) -> R {
        f(&mut self.tls)
    }
}

impl<T: Transport> TlsSocket<T> {
    /// The client side over `io`: the ClientHello is sent on the first `handshake`, `read`
    /// or `write`. `session` is Node's `session` option (bytes from
    /// [`Self::get_session`]).
    pub fn client(
        io: T,
        config: Arc<ClientConfig>,
        servername: &str,
        session: Option<&[u8]>,
    ) -> Result<Self, TlsError> {
        let session = session
            .map(StoredSession::from_bytes)
            .transpose()
            .map_err(|e| TlsError::new("ERR_INVALID_ARG_VALUE", format!("session: {e:?}")))?;
        let conn = ClientConnection::resume(config, servername, session, now())?;
        Ok(Self::new(io, Side::Client(conn)))
    }

    /// The server side over `io` (Node's `new TLSSocket(socket, { isServer: true })`).
    /// Fails only on a configuration whose `limits` are out of range.
    pub fn server(io: T, config: Arc<ServerConfig>) -> Result<Self, TlsError> {
        Ok(Self::new(
            io,
            Side::Server(ServerConnection::new(config, now())?),
        ))
    }

    /// The server side whose configuration is chosen by `hooks` once the ClientHello is in
    /// (Node's `SNICallback`, `server.addContext`, `OCSPRequest`), and whose session
    /// store is `hooks` (with `external_sessions` in that configuration).
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

    /// Node's `new tls.TLSSocket(socket, options)`: a client (the default) or, with
    /// `is_server`, a server over `io`. See [`TlsSocketOptions`] for how it differs from
    /// `tls.connect` and `tls.createServer`.
    pub fn with_options(io: T, options: &TlsSocketOptions) -> Result<Self, TlsError> {
        crate::socket_options::build(io, options)
    }

    pub(crate) fn set_hooks(&mut self, hooks: Option<Arc<dyn ServerHooks>>) {
        self.hooks = hooks;
    }

    pub(crate) fn new(io: T, side: Side) -> Self {
        Self {
            stream: Stream::new(io),
            tls: TlsState::new(side),
            listeners: Listeners::default(),
            eof: false,
            error: None,
            hooks: None,
            timeout: None,
            on_timeout: Vec::new(),
        }
    }

    // ---- events ----

    crate::socket::listener_methods!();

    /// `timeout`: the socket was idle for the time given to [`Self::set_timeout`]. As in
    /// Node the socket stays open: a blocked read calls the listeners and goes on
    /// waiting (to give up, a listener shuts the transport down, e.g. through a
    /// `TcpStream::try_clone` of it, Node's `socket.destroy()`). Unlike Node's
    /// `setTimeout(ms, callback)`, whose callback is called once, a listener stays.
    pub fn on_timeout(&mut self, f: impl FnMut() + Send + 'static) -> &mut Self {
        self.on_timeout.push(Box::new(f));
        self
    }

    /// Node's `socket.setTimeout(ms)` (and `tls.connect`'s `timeout` option): after
    /// `timeout` with nothing read, `timeout` is emitted; `Duration::ZERO` turns it off,
    /// as Node's 0. Here the socket is idle while a read waits for the peer (a blocking
    /// socket is not written to meanwhile); the transport must honour
    /// [`Transport::set_read_timeout`] (TCP and Unix sockets do).
    pub fn set_timeout(&mut self, timeout: core::time::Duration) -> &mut Self {
        self.timeout = (!timeout.is_zero()).then_some(timeout);
        self.stream.set_read_timeout(self.timeout);
        self
    }

    /// Node's `socket.timeout`: what [`Self::set_timeout`] set (`None`: never set, or 0).
    pub fn timeout(&self) -> Option<core::time::Duration> {
        self.timeout
    }

    // ---- driving ----

    /// Runs the handshake to completion (a no-op once done).
    pub fn handshake(&mut self) -> Result<(), TlsError> {
        self.drive(|s| s.tls.secure)
    }

    /// Drives the connection until `done` or EOF; flushes what the engine has to send.
    fn drive(&mut self, done: impl Fn(&Self) -> bool) -> Result<(), TlsError> {
        loop {
            if let Some(e) = &self.error {
                return Err(e.clone());
            }
            // Events first: answering one (a paused ClientHello) may queue bytes to send.
            self.dispatch_events();
            self.flush_tls()?;
            if done(self) {
                return Ok(());
            }
            if let Some(e) = &self.error {
                return Err(e.clone());
            }
            if self.eof || self.tls.connection().peer_closed() {
                return match self.tls.secure {
                    true => Ok(()),
                    false => Err(self.fail(TlsError::new(
                        "ECONNRESET",
                        "Client network socket disconnected before secure TLS connection was established",
                    ))),
                };
            }
            self.receive()?;
        }
    }

    /// Reads once from the transport (unless bytes already wait) and feeds the engine;
    /// the handshake deadline bounds the read. Events are dispatched as they come.
    fn receive(&mut self) -> Result<(), TlsError> {
        while !self.stream.has_pending() {
            match self.stream.receive(self.tls.conn_mut()) {
                Ok(Received::Data) => self.rearm_timeout(),
                Ok(Received::Eof) => {
                    self.eof = true;
                    self.tls.note_closed(true);
                    return Ok(());
                }
                // Idle for `setTimeout`'s time: `timeout`, and the read goes on, as Node
                // leaves the socket open. Node's idle timer fires once, until the socket
                // is active again: so the read now waits unbounded until then.
                Err(StreamError::Io(e)) if self.timeout.is_some() && is_timeout(&e) => {
                    self.stream.set_read_timeout(None);
                    for f in &mut self.on_timeout {
                        f();
                    }
                }
                Err(e) => return Err(self.fail(e.into())),
            }
        }
        let mut events = Vec::new();
        let fed = self
            .stream
            .feed(self.tls.conn_mut(), |_, event| -> Result<(), StreamError> {
                events.push(event);
                Ok(())
            });
        for event in events {
            self.dispatch(event);
        }
        let eof = self.eof;
        self.tls.note_closed(eof);
        fed.map_err(|e| self.fail(e.into()))
    }

    /// Activity (bytes read or written) restarts `setTimeout`'s idle timer.
    fn rearm_timeout(&mut self) {
        if self.timeout.is_some() {
            self.stream.set_read_timeout(self.timeout);
        }
    }

    fn fail(&mut self, e: TlsError) -> TlsError {
        self.tls.fail();
        self.error.get_or_insert(e).clone()
    }

    /// Writes everything the engine has to send.
    fn flush_tls(&mut self) -> Result<(), TlsError> {
        match self.stream.flush(self.tls.conn_mut()) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(TlsError::from_io(&e))),
        }
    }

    fn dispatch_events(&mut self) {
        while let Some(event) = self.tls.conn_mut().poll_event() {
            self.dispatch(event);
        }
    }

    /// Server pauses go to the hooks (waited for here, on this thread), everything else
    /// to the listeners.
    fn dispatch(&mut self, event: Event) {
        match event {
            e @ (Event::ClientHello(_)
            | Event::NewSession { .. }
            | Event::ResumeSession(_)
            | Event::PskIdentity(_)) => {
                if let (Some(hooks), Side::Server(conn)) = (&self.hooks, &mut self.tls.side) {
                    let name = conn.negotiated().server_name.clone();
                    if let Some(call) = HookCall::start(hooks, e, name.as_deref()) {
                        if let Err(e) = call.wait(conn) {
                            self.fail(e);
                            // The engine's fatal alert, if the failure has one (e.g.
                            // no_application_protocol), still goes out before the socket fails.
                            let _ = self.stream.flush(self.tls.side.conn_mut());
                        }
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

    /// Node's `end()`: sends close_notify (no more data from us); reading may go on.
    pub fn end(&mut self) -> Result<(), TlsError> {
        self.tls.end(self.eof);
        self.flush_tls()
    }

    // ---- getters and controls (Node's TLSSocket API; see TlsSocketApi) ----

    crate::socket_api::inherent_socket_api!();

    /// `getPeerCertificate()` raw form: the peer's chain, leaf first (DER).
    pub fn peer_certificate_chain(&self) -> &[Vec<u8>] {
        &self.tls.connection().negotiated().peer_certificates
    }

    /// `renegotiate()`: TLS 1.2 only; runs the new handshake to completion.
    pub fn renegotiate(&mut self) -> Result<(), TlsError> {
        self.tls.conn_mut().renegotiate(now())?;
        let before = self.tls.connection().negotiated().finished_received.clone();
        self.drive(|s| s.tls.connection().negotiated().finished_received != before)
    }

    /// A server's `renegotiate({ requestCert, rejectUnauthorized })`: sends a HelloRequest
    /// and runs the renegotiation the client answers with under `config` (e.g. one with
    /// a client verifier: `SecureContext::server_config` plus
    /// `sanstls_pki::tls::NodeClientVerifier`). TLS 1.2 only; returns once the new
    /// handshake completes.
    pub fn renegotiate_with(&mut self, config: Arc<ServerConfig>) -> Result<(), TlsError> {
        let Side::Server(conn) = &mut self.tls.side else {
            return Err(TlsError::new(
                "ERR_TLS_INVALID_STATE",
                "renegotiate_with: only a server socket asks for a renegotiation",
            ));
        };
        conn.renegotiate_with(config, now())?;
        let before = self.tls.connection().negotiated().finished_received.clone();
        self.drive(|s| s.tls.connection().negotiated().finished_received != before)
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        self.stream.get_ref()
    }

    /// The transport, mutably (reading or writing it directly bypasses TLS and breaks the
    /// connection; setting socket options is what it is for).
    pub fn get_mut(&mut self) -> &mut T {
        self.stream.get_mut()
    }

    /// The transport, giving up TLS (bytes read from it and not yet decrypted are lost).
    pub fn into_inner(self) -> T {
        self.stream.into_inner()
    }

    /// The engine connection, for what the facade does not wrap.
    pub fn connection(&self) -> &Connection {
        self.tls.connection()
    }
}

impl<T: Transport> Read for TlsSocket<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            self.handshake()?;
            let n = self.tls.conn_mut().read_plaintext(buf);
            if n > 0 {
                return Ok(n);
            }
            if self.eof || self.tls.connection().peer_closed() {
                return Ok(0);
            }
            // Flush anything pending (e.g. a KeyUpdate answer), then wait for records.
            self.dispatch_events();
            self.flush_tls()?;
            self.receive()?;
        }
    }
}

impl<T: Transport> Write for TlsSocket<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handshake()?;
        let n = self
            .tls
            .conn_mut()
            .send(buf)
            .map_err(|e| io::Error::from(TlsError::from_engine(&e)))?;
        self.flush_tls()?;
        self.rearm_timeout();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()?;
        self.stream.get_mut().flush()
    }
}

/// The address getters of a TLS socket over TCP.
impl TlsSocket<std::net::TcpStream> {
    /// `address()`: the local address.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.stream.get_ref().local_addr().ok()
    }

    /// `localAddress`.
    pub fn local_address(&self) -> Option<std::net::IpAddr> {
        self.address().map(|a| a.ip())
    }

    /// `localPort`.
    pub fn local_port(&self) -> Option<u16> {
        self.address().map(|a| a.port())
    }

    /// `remoteAddress`.
    pub fn remote_address(&self) -> Option<std::net::IpAddr> {
        self.stream.get_ref().peer_addr().ok().map(|a| a.ip())
    }

    /// `remoteFamily`: `IPv4` or `IPv6`.
    pub fn remote_family(&self) -> Option<&'static str> {
        self.stream.get_ref().peer_addr().ok().map(|a| match a {
            std::net::SocketAddr::V4(_) => "IPv4",
            std::net::SocketAddr::V6(_) => "IPv6",
        })
    }

    /// `remotePort`.
    pub fn remote_port(&self) -> Option<u16> {
        self.stream.get_ref().peer_addr().ok().map(|a| a.port())
    }
}
