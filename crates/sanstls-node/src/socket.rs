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

use crate::error::TlsError;
use crate::info::{self, CipherInfo, EphemeralKeyInfo};
use crate::stream::{Received, Stream, StreamError, Transport};

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
    /// it. A resumed connection reports the authentication of the handshake that made its
    /// session (the engine restores the chain and verdict from the session).
    pub(crate) fn authorized(&self, secure: bool) -> bool {
        let n = self.conn().negotiated();
        secure && n.authorization_error.is_none() && !n.peer_certificates.is_empty()
    }
}

type Listener = Box<dyn FnMut() + Send>;
/// What a server socket asks its application while handshaking: the configuration for a
/// ClientHello (Node's `SNICallback`, `addContext`, `OCSPRequest`) and the external
/// session store (`newSession`, `resumeSession`). The calls run on the connection's
/// thread and may block until the application answers (from any thread).
pub trait ServerHooks: Send + Sync {
    /// The configuration to continue the handshake with, or the error that ends it (Node's
    /// `SNICallback` answering `cb(err)`): the connection is closed without an alert.
    fn client_hello(
        &self,
        hello: &sanstls::server::ClientHelloInfo,
    ) -> Result<Arc<ServerConfig>, TlsError>;

    /// Node's `newSession`: keep `data` under `id`.
    fn new_session(&self, _id: &[u8], _data: &[u8]) {}

    /// Node's `resumeSession`: the data kept under `id`, if any (an error ends the
    /// handshake, as Node's `cb(err)`).
    fn resume_session(&self, _id: &[u8]) -> Result<Option<Vec<u8>>, TlsError> {
        Ok(None)
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
    /// Node emits `secure` once), `session` with the session's bytes (kept in `session`),
    /// `keylog`, `OCSPResponse`. Other events are not listener events.
    pub(crate) fn dispatch(
        &mut self,
        event: Event,
        secure: &mut bool,
        session: &mut Option<StoredSession>,
    ) {
        match event {
            Event::HandshakeComplete if !*secure => {
                *secure = true;
                for f in &mut self.secure {
                    f();
                }
            }
            Event::NewSessionTicket(s) => {
                let bytes = s.to_bytes();
                for f in &mut self.session {
                    f(&bytes);
                }
                *session = Some(s);
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
            _ => {}
        }
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
            self.side.conn_mut().set_key_log(true);
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

/// Answers the engine's server-side pauses with `hooks`: the configuration for a
/// ClientHello, the external session store. Other events are left alone.
pub(crate) fn answer_server_event(
    conn: &mut ServerConnection,
    hooks: &dyn ServerHooks,
    event: Event,
) -> Result<(), TlsError> {
    match event {
        Event::ClientHello(info) => Ok(conn.accept(hooks.client_hello(&info)?, now())?),
        Event::NewSession { id, data } => {
            hooks.new_session(&id, &data);
            Ok(())
        }
        Event::ResumeSession(id) => Ok(conn.session_found(hooks.resume_session(&id)?, now())?),
        _ => Ok(()),
    }
}

/// A TLS connection over `T`, Node's `tls.TLSSocket`.
pub struct TlsSocket<T> {
    /// The transport and the bytes read from it that the engine has not taken yet.
    stream: Stream<T>,
    side: Side,
    listeners: Listeners,
    /// The last session the server gave (client side), for `get_session`.
    session: Option<StoredSession>,
    /// Whether `secure`/`secureConnect` has been emitted.
    secure: bool,
    /// The transport reached EOF.
    eof: bool,
    /// The sticky failure, if any.
    error: Option<TlsError>,
    /// Server side: answers the engine's pauses (ClientHello, session lookups).
    hooks: Option<Arc<dyn ServerHooks>>,
    /// `disableRenegotiation()` was called: a client renegotiating fails the socket.
    renegotiation_disabled: bool,
}

impl<T> core::fmt::Debug for TlsSocket<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsSocket")
            .field("side", &self.side)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

/// The caller's clock: the facade owns the I/O, so it is where time is read.
pub(crate) fn now() -> UnixTime {
    crate::stream::now()
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

    fn new(io: T, side: Side) -> Self {
        Self {
            stream: Stream::new(io),
            side,
            listeners: Listeners::default(),
            session: None,
            secure: false,
            eof: false,
            error: None,
            hooks: None,
            renegotiation_disabled: false,
        }
    }

    // ---- events ----

    crate::socket::listener_methods!();

    // ---- driving ----

    /// Runs the handshake to completion (a no-op once done).
    pub fn handshake(&mut self) -> Result<(), TlsError> {
        self.drive(|s| s.secure)
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
            if self.eof || self.side.conn().peer_closed() {
                return match self.secure {
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
        if !self.stream.has_pending() {
            match self.stream.receive(self.side.conn_mut()) {
                Ok(Received::Data) => {}
                Ok(Received::Eof) => {
                    self.eof = true;
                    return Ok(());
                }
                Err(e) => return Err(self.fail(e.into())),
            }
        }
        let mut events = Vec::new();
        let fed = self.stream.feed(
            self.side.conn_mut(),
            |_, event| -> Result<(), StreamError> {
                events.push(event);
                Ok(())
            },
        );
        for event in events {
            self.dispatch(event);
        }
        fed.map_err(|e| self.fail(e.into()))
    }

    fn fail(&mut self, e: TlsError) -> TlsError {
        self.error.get_or_insert(e).clone()
    }

    /// Writes everything the engine has to send.
    fn flush_tls(&mut self) -> Result<(), TlsError> {
        match self.stream.flush(self.side.conn_mut()) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(TlsError::from_io(&e))),
        }
    }

    fn dispatch_events(&mut self) {
        while let Some(event) = self.side.conn_mut().poll_event() {
            self.dispatch(event);
        }
    }

    /// Server pauses go to the hooks, everything else to the listeners.
    fn dispatch(&mut self, event: Event) {
        match event {
            e @ (Event::ClientHello(_) | Event::NewSession { .. } | Event::ResumeSession(_)) => {
                if let (Some(hooks), Side::Server(conn)) = (&self.hooks, &mut self.side) {
                    if let Err(e) = answer_server_event(conn, hooks.as_ref(), e) {
                        self.error.get_or_insert(e);
                        // The engine's fatal alert, if the failure has one (e.g.
                        // no_application_protocol), still goes out before the socket fails.
                        let _ = self.stream.flush(self.side.conn_mut());
                    }
                }
            }
            // Node's server destroys a connection whose client renegotiates after
            // `disableRenegotiation()` (one refusing under SSL_OP_NO_RENEGOTIATION goes on).
            Event::RenegotiationRefused if self.renegotiation_disabled => {
                self.error.get_or_insert(TlsError::new(
                    "ERR_TLS_RENEGOTIATION_DISABLED",
                    "TLS session renegotiation disabled for this socket",
                ));
            }
            other => self
                .listeners
                .dispatch(other, &mut self.secure, &mut self.session),
        }
    }

    /// Node's `end()`: sends close_notify (no more data from us); reading may go on.
    pub fn end(&mut self) -> Result<(), TlsError> {
        self.side.conn_mut().send_close_notify();
        self.flush_tls()
    }

    // ---- getters (Node's TLSSocket API) ----

    /// `encrypted`: always true.
    pub fn encrypted(&self) -> bool {
        true
    }

    /// `authorized`: the peer's certificate was verified (false while handshaking, when the
    /// peer sent none, or when `reject_unauthorized` is off and it was refused).
    pub fn authorized(&self) -> bool {
        self.side.authorized(self.secure)
    }

    /// `authorizationError`: why the peer's certificate was refused (Node's code).
    pub fn authorization_error(&self) -> Option<String> {
        let n = self.side.conn().negotiated();
        n.authorization_error.as_ref().map(|c| c.code().to_string())
    }

    /// `alpnProtocol`: the negotiated protocol, or `None` (Node's `false`).
    pub fn alpn_protocol(&self) -> Option<String> {
        let n = self.side.conn().negotiated();
        n.alpn
            .as_ref()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// `servername`: the SNI name (sent by the client, or received by the server).
    pub fn servername(&self) -> Option<String> {
        self.side.conn().negotiated().server_name.clone()
    }

    /// `getCipher()`.
    pub fn get_cipher(&self) -> Option<CipherInfo> {
        info::cipher_info(self.side.conn().negotiated().cipher_suite?)
    }

    /// `getProtocol()`: `TLSv1.3`, `TLSv1.2`, or `None` before the handshake.
    pub fn get_protocol(&self) -> Option<&'static str> {
        info::protocol_name(self.side.conn().negotiated().version?)
    }

    /// `getEphemeralKeyInfo()`: the client's view of the key exchange (`None` on a server,
    /// as Node returns `null` there).
    pub fn get_ephemeral_key_info(&self) -> Option<EphemeralKeyInfo> {
        match self.side {
            Side::Client(_) => info::ephemeral_key_info(self.side.conn().negotiated()),
            Side::Server(_) => None,
        }
    }

    /// `isSessionReused()`.
    pub fn is_session_reused(&self) -> bool {
        self.side.conn().negotiated().resumed
    }

    /// `getSession()`: the session to resume with (client side), as bytes for the
    /// `session` option; they hold the resumption secret.
    pub fn get_session(&self) -> Option<Vec<u8>> {
        self.session.as_ref().map(|s| s.to_bytes().to_vec())
    }

    /// `getTLSTicket()`: the raw ticket of the session (client side).
    pub fn get_tls_ticket(&self) -> Option<Vec<u8>> {
        self.session
            .as_ref()
            .and_then(|s| s.tls_ticket().map(<[u8]>::to_vec))
    }

    /// `getFinished()`: the last Finished verify_data we sent.
    pub fn get_finished(&self) -> Option<Vec<u8>> {
        let f = &self.side.conn().negotiated().finished_sent;
        (!f.is_empty()).then(|| f.clone())
    }

    /// `getPeerFinished()`: the last Finished verify_data the peer sent.
    pub fn get_peer_finished(&self) -> Option<Vec<u8>> {
        let f = &self.side.conn().negotiated().finished_received;
        (!f.is_empty()).then(|| f.clone())
    }

    /// `getPeerCertificate()` raw form: the peer's chain, leaf first (DER).
    pub fn peer_certificate_chain(&self) -> &[Vec<u8>] {
        &self.side.conn().negotiated().peer_certificates
    }

    /// `getPeerCertificate([detailed])`: Node's certificate object (`None` where Node
    /// returns an empty object: no certificate). With `detailed`, `issuerCertificate`
    /// links the chain the peer sent.
    pub fn get_peer_certificate(
        &self,
        detailed: bool,
    ) -> Option<sanstls_pki::cert::PeerCertificate> {
        let chain = self.peer_certificate_chain();
        match detailed {
            true => sanstls_pki::cert::PeerCertificate::from_chain(chain).ok(),
            false => sanstls_pki::cert::PeerCertificate::from_der(chain.first()?).ok(),
        }
    }

    /// `getCertificate()`: our certificate as Node's object (`None` when we sent none).
    pub fn get_certificate(&self) -> Option<sanstls_pki::cert::PeerCertificate> {
        let ours = &self.side.conn().negotiated().local_certificates;
        sanstls_pki::cert::PeerCertificate::from_der(ours.first()?).ok()
    }

    /// `getSharedSigalgs()`: the signature algorithms both sides support for our
    /// signature, in the peer's order, in OpenSSL's spelling: the peer's list, limited by
    /// `sigalgs` when set, and to the schemes sanstls signs with.
    pub fn get_shared_sigalgs(&self) -> Vec<String> {
        use sanstls::enums::SignatureScheme as S;
        const OURS: &[S] = &[
            S::ECDSA_NISTP256_SHA256,
            S::ECDSA_NISTP384_SHA384,
            S::ED25519,
            S::RSA_PSS_RSAE_SHA256,
            S::RSA_PSS_RSAE_SHA384,
            S::RSA_PSS_RSAE_SHA512,
            S::RSA_PKCS1_SHA256,
            S::RSA_PKCS1_SHA384,
            S::RSA_PKCS1_SHA512,
        ];
        self.side
            .conn()
            .negotiated()
            .peer_signature_schemes
            .iter()
            .filter(|s| OURS.contains(s))
            .map(|s| crate::sigalgs::name(*s))
            .collect()
    }

    /// `exportKeyingMaterial(length, label[, context])`.
    pub fn export_keying_material(
        &self,
        length: usize,
        label: &str,
        context: Option<&[u8]>,
    ) -> Result<Vec<u8>, TlsError> {
        let mut out = vec![0u8; length];
        self.side
            .conn()
            .export_keying_material(label.as_bytes(), context, &mut out)?;
        Ok(out)
    }

    /// `renegotiate()`: TLS 1.2 only; runs the new handshake to completion.
    pub fn renegotiate(&mut self) -> Result<(), TlsError> {
        self.side.conn_mut().renegotiate(now())?;
        let before = self.side.conn().negotiated().finished_received.clone();
        self.drive(|s| s.side.conn().negotiated().finished_received != before)
    }

    /// A server's `renegotiate({ requestCert, rejectUnauthorized })`: sends a HelloRequest
    /// and runs the renegotiation the client answers with under `config` (e.g. one with
    /// a client verifier: `SecureContext::server_config` plus
    /// `sanstls_pki::tls::NodeClientVerifier`). TLS 1.2 only; returns once the new
    /// handshake completes.
    pub fn renegotiate_with(&mut self, config: Arc<ServerConfig>) -> Result<(), TlsError> {
        let Side::Server(conn) = &mut self.side else {
            return Err(TlsError::new(
                "ERR_TLS_INVALID_STATE",
                "renegotiate_with: only a server socket asks for a renegotiation",
            ));
        };
        conn.renegotiate_with(config, now())?;
        let before = self.side.conn().negotiated().finished_received.clone();
        self.drive(|s| s.side.conn().negotiated().finished_received != before)
    }

    /// `disableRenegotiation()`: as in Node, a client renegotiating afterwards fails this
    /// (server) socket with `ERR_TLS_RENEGOTIATION_DISABLED`.
    pub fn disable_renegotiation(&mut self) {
        self.renegotiation_disabled = true;
        self.side.conn_mut().disable_renegotiation();
    }

    /// `SSL_OP_NO_RENEGOTIATION`: renegotiations are declined (a `no_renegotiation`
    /// warning, as OpenSSL sends) and the connection goes on.
    pub(crate) fn refuse_renegotiation(&mut self) {
        self.side.conn_mut().disable_renegotiation();
    }

    /// `setMaxSendFragment(size)`: 512..=16384.
    pub fn set_max_send_fragment(&mut self, size: usize) -> Result<(), TlsError> {
        Ok(self.side.conn_mut().set_max_send_fragment(size)?)
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        self.stream.get_ref()
    }

    /// The engine connection, for what the facade does not wrap.
    pub fn connection(&self) -> &Connection {
        self.side.conn()
    }
}

impl<T: Transport> Read for TlsSocket<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            self.handshake()?;
            let n = self.side.conn_mut().read_plaintext(buf);
            if n > 0 {
                return Ok(n);
            }
            if self.eof || self.side.conn().peer_closed() {
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
            .side
            .conn_mut()
            .send(buf)
            .map_err(|e| io::Error::from(TlsError::from_engine(&e)))?;
        self.flush_tls()?;
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
