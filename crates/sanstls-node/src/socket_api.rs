//! Node's `TLSSocket` getters and controls, written once over the engine connection for
//! every socket of the facade: the blocking [`crate::TlsSocket`], the tokio
//! `TlsStream`, and the halves either splits into.
//!
//! A socket implements [`TlsSocketApi`] by lending its [`TlsState`] (the engine connection
//! and what the events told it); everything else is provided. The sockets also have each
//! getter as an inherent method, so calling one needs no `use` of the trait: the trait is
//! for code generic over the sockets.

use sanstls::client::StoredSession;
use sanstls::conn::Connection;

use crate::error::TlsError;
use crate::info::{self, CipherInfo, EphemeralKeyInfo};
use crate::socket::Side;

/// One connection's TLS state, apart from its transport: the engine connection, whether
/// `secure` was emitted, and the last session the server gave.
#[derive(Debug)]
pub struct TlsState {
    pub(crate) side: Side,
    pub(crate) secure: bool,
    pub(crate) session: Option<StoredSession>,
    /// Whether `authorized` reports the verdict: not on a client socket made with
    /// `new TLSSocket()` (Node sets `authorized` only in `tls.connect`).
    pub(crate) reports_authorized: bool,
    /// Whether an external PSK counts as authorization: on clients, and on servers that
    /// ask for certificates (`requestCert`), as in Node, whose servers otherwise report
    /// `authorized: false` whatever the client proved.
    pub(crate) psk_authorizes: bool,
    /// Where the handshake trace goes, once `enableTrace` (or `--trace-tls`) turned it on.
    pub(crate) tracer: Option<crate::trace::Tracer>,
    /// `disableRenegotiation()` was called: a client renegotiating fails a server socket
    /// (`ERR_TLS_RENEGOTIATION_DISABLED`), as in Node.
    pub(crate) renegotiation_disabled: bool,
    /// We ended (`end()`, `shutdown`): close_notify is sent.
    pub(crate) ended: bool,
    /// The socket is closed (Node's handle is gone): it failed, or both sides ended.
    /// Node's getters that read the handle (`getProtocol()`) then answer `null`.
    pub(crate) closed: bool,
}

impl TlsState {
    pub(crate) fn new(mut side: Side) -> Self {
        // Node's `--trace-tls`: every socket traces (a client also has to have asked its
        // configuration for it, for its ClientHello to be in the trace).
        let tracer = crate::trace::trace_tls().then(|| {
            side.conn_mut().set_trace(true);
            crate::trace::Tracer::stderr()
        });
        Self {
            side,
            secure: false,
            session: None,
            reports_authorized: true,
            psk_authorizes: true,
            tracer,
            renegotiation_disabled: false,
            ended: false,
            closed: false,
        }
    }

    /// The engine connection, for what the facade does not wrap.
    pub fn connection(&self) -> &Connection {
        self.side.conn()
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        self.side.conn_mut()
    }

    /// Whether the handshake completed (`secure` was emitted).
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// `SSL_OP_NO_RENEGOTIATION` of a server's context: renegotiations are declined (a
    /// `no_renegotiation` warning, as OpenSSL sends) and the connection goes on, unlike
    /// after `disableRenegotiation()`.
    pub(crate) fn refuse_renegotiation(&mut self) {
        self.conn_mut().disable_renegotiation();
    }

    /// `end()`: sends close_notify (we will send nothing more).
    pub(crate) fn end(&mut self, transport_eof: bool) {
        self.conn_mut().send_close_notify();
        self.ended = true;
        self.note_closed(transport_eof);
    }

    /// Marks the socket closed, Node's `close`, once both sides have ended: we sent
    /// close_notify and the peer's end came (its close_notify, or the transport's EOF).
    /// A failed socket is closed at once (see [`Self::fail`]).
    pub(crate) fn note_closed(&mut self, transport_eof: bool) {
        if self.ended && (transport_eof || self.side.conn().peer_closed()) {
            self.closed = true;
        }
    }

    /// The socket failed: Node destroys it (`error`, then `close`).
    pub(crate) fn fail(&mut self) {
        self.closed = true;
    }
}

/// The scheme sanstls signs with, for `getSharedSigalgs()`.
const OURS: &[sanstls::enums::SignatureScheme] = {
    use sanstls::enums::SignatureScheme as S;
    &[
        S::ECDSA_NISTP256_SHA256,
        S::ECDSA_NISTP384_SHA384,
        S::ED25519,
        S::RSA_PSS_RSAE_SHA256,
        S::RSA_PSS_RSAE_SHA384,
        S::RSA_PSS_RSAE_SHA512,
        S::RSA_PKCS1_SHA256,
        S::RSA_PKCS1_SHA384,
        S::RSA_PKCS1_SHA512,
    ]
};

/// Node's `TLSSocket` getters and controls. Implementors provide [`Self::with_state`] and
/// [`Self::with_state_mut`]; the rest is provided.
pub trait TlsSocketApi {
    /// Calls `f` with the TLS state (a split half locks the shared state for the call).
    fn with_state<R>(&self, f: impl FnOnce(&TlsState) -> R) -> R;

    /// Calls `f` with the TLS state, mutably.
    fn with_state_mut<R>(&mut self, f: impl FnOnce(&mut TlsState) -> R) -> R;

    /// `encrypted`: always true.
    fn encrypted(&self) -> bool {
        true
    }

    /// `authorized`: the peer's certificate was verified (false while handshaking, when the
    /// peer sent none, or when `reject_unauthorized` is off and it was refused). A resumed
    /// connection reports the authentication of the handshake that made its session.
    /// A client socket made with [`crate::TlsSocketOptions`] reports false, as Node's
    /// `new TLSSocket()` client does (its verdict is in `authorization_error`).
    fn authorized(&self) -> bool {
        self.with_state(|s| s.reports_authorized && s.side.authorized(s.secure, s.psk_authorizes))
    }

    /// `authorizationError`: why the peer's certificate was refused (Node's code).
    fn authorization_error(&self) -> Option<String> {
        self.with_state(|s| {
            let n = s.connection().negotiated();
            n.authorization_error.as_ref().map(|c| c.code().to_string())
        })
    }

    /// `alpnProtocol`: the negotiated protocol, or `None` (Node's `false`).
    fn alpn_protocol(&self) -> Option<String> {
        self.with_state(|s| {
            let n = s.connection().negotiated();
            n.alpn
                .as_ref()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        })
    }

    /// `servername`: the SNI name (sent by the client, or received by the server).
    fn servername(&self) -> Option<String> {
        self.with_state(|s| s.connection().negotiated().server_name.clone())
    }

    /// `getCipher()`.
    fn get_cipher(&self) -> Option<CipherInfo> {
        self.with_state(|s| info::cipher_info(s.connection().negotiated().cipher_suite?))
    }

    /// `getProtocol()`: `TLSv1.3`, `TLSv1.2`, or `None` before the handshake and, as
    /// Node's `null`, once the socket is closed (failed, or ended on both sides).
    fn get_protocol(&self) -> Option<&'static str> {
        self.with_state(|s| match s.closed {
            true => None,
            false => info::protocol_name(s.connection().negotiated().version?),
        })
    }

    /// `getEphemeralKeyInfo()`: the client's view of the key exchange (`None` on a server,
    /// as Node returns `null` there).
    fn get_ephemeral_key_info(&self) -> Option<EphemeralKeyInfo> {
        self.with_state(|s| match s.side {
            Side::Client(_) => info::ephemeral_key_info(s.connection().negotiated()),
            Side::Server(_) => None,
        })
    }

    /// `isSessionReused()`.
    fn is_session_reused(&self) -> bool {
        // Node (OpenSSL) counts a TLS 1.3 external PSK handshake as a reused session too
        // (not a TLS 1.2 PSK suite's, which is a full handshake).
        self.with_state(|s| {
            let n = s.connection().negotiated();
            let tls13_psk = n.psk_identity.is_some()
                && n.version == Some(sanstls::enums::ProtocolVersion::TLSv1_3);
            n.resumed || tls13_psk
        })
    }

    /// `getSession()`: the session to resume with (client side), as bytes for the
    /// `session` option; they hold the resumption secret.
    fn get_session(&self) -> Option<Vec<u8>> {
        self.with_state(|s| s.session.as_ref().map(|s| s.to_bytes().to_vec()))
    }

    /// `getTLSTicket()`: the raw ticket of the session (client side).
    fn get_tls_ticket(&self) -> Option<Vec<u8>> {
        self.with_state(|s| {
            s.session
                .as_ref()
                .and_then(|s| s.tls_ticket().map(<[u8]>::to_vec))
        })
    }

    /// `getFinished()`: the last Finished verify_data we sent.
    fn get_finished(&self) -> Option<Vec<u8>> {
        self.with_state(|s| {
            let f = &s.connection().negotiated().finished_sent;
            (!f.is_empty()).then(|| f.clone())
        })
    }

    /// `getPeerFinished()`: the last Finished verify_data the peer sent.
    fn get_peer_finished(&self) -> Option<Vec<u8>> {
        self.with_state(|s| {
            let f = &s.connection().negotiated().finished_received;
            (!f.is_empty()).then(|| f.clone())
        })
    }

    /// The peer's chain as it sent it, leaf first (DER): `getPeerX509Certificate()` and
    /// the `raw` fields of `getPeerCertificate(true)`.
    fn peer_certificates(&self) -> Vec<Vec<u8>> {
        self.with_state(|s| s.connection().negotiated().peer_certificates.clone())
    }

    /// `getPeerCertificate([detailed])`: Node's certificate object (`None` where Node
    /// returns an empty object: no certificate). With `detailed`, `issuerCertificate`
    /// links the chain the peer sent.
    fn get_peer_certificate(&self, detailed: bool) -> Option<sanstls_pki::cert::PeerCertificate> {
        self.with_state(|s| {
            let chain = &s.connection().negotiated().peer_certificates;
            match detailed {
                true => sanstls_pki::cert::PeerCertificate::from_chain(chain).ok(),
                false => sanstls_pki::cert::PeerCertificate::from_der(chain.first()?).ok(),
            }
        })
    }

    /// `getCertificate()`: our certificate as Node's object (`None` when we sent none).
    fn get_certificate(&self) -> Option<sanstls_pki::cert::PeerCertificate> {
        self.with_state(|s| {
            let ours = &s.connection().negotiated().local_certificates;
            sanstls_pki::cert::PeerCertificate::from_der(ours.first()?).ok()
        })
    }

    /// `getSharedSigalgs()`: the signature algorithms both sides support for our
    /// signature, in the peer's order, in OpenSSL's spelling: the peer's list, limited by
    /// `sigalgs` when set, and to the schemes sanstls signs with.
    fn get_shared_sigalgs(&self) -> Vec<String> {
        self.with_state(|s| {
            s.connection()
                .negotiated()
                .peer_signature_schemes
                .iter()
                .filter(|s| OURS.contains(s))
                .map(|s| crate::sigalgs::name(*s))
                .collect()
        })
    }

    /// `exportKeyingMaterial(length, label[, context])`.
    fn export_keying_material(
        &self,
        length: usize,
        label: &str,
        context: Option<&[u8]>,
    ) -> Result<Vec<u8>, TlsError> {
        self.with_state(|s| {
            // Node checks these before asking OpenSSL (same codes and messages).
            if !s.secure {
                return Err(TlsError::new(
                    "ERR_TLS_INVALID_STATE",
                    "TLS socket connection must be securely established",
                ));
            }
            if length == 0 || length > 0x7fff_ffff {
                return Err(TlsError::new(
                    "ERR_OUT_OF_RANGE",
                    format!(
                        "The value of \"length\" is out of range. It must be >= 1 && <= 2147483647. Received {length}"
                    ),
                ));
            }
            let mut out = vec![0u8; length];
            s.connection()
                .export_keying_material(label.as_bytes(), context, &mut out)?;
            Ok(out)
        })
    }

    /// `disableRenegotiation()`: renegotiations are refused; on a server socket, as in Node,
    /// a client renegotiating afterwards fails it with `ERR_TLS_RENEGOTIATION_DISABLED`.
    fn disable_renegotiation(&mut self) {
        self.with_state_mut(|s| {
            s.renegotiation_disabled = true;
            s.conn_mut().disable_renegotiation();
        });
    }

    /// `enableTrace()`: from now on each handshake message, ChangeCipherSpec and alert sent
    /// or received is written to stderr, in OpenSSL's words (a client's ClientHello is
    /// traced only when its configuration asked before it was made: `ConnectOptions::
    /// enable_trace`, or `ClientConfig::trace`).
    fn enable_trace(&mut self) {
        self.enable_trace_to(crate::trace::Tracer::stderr());
    }

    /// [`Self::enable_trace`] writing to `tracer`'s writer instead of stderr.
    fn enable_trace_to(&mut self, tracer: crate::trace::Tracer) {
        self.with_state_mut(|s| {
            s.conn_mut().set_trace(true);
            s.tracer = Some(tracer);
        });
    }

    /// `setMaxSendFragment(size)`: 512..=16384.
    fn set_max_send_fragment(&mut self, size: usize) -> Result<(), TlsError> {
        self.with_state_mut(|s| Ok(s.conn_mut().set_max_send_fragment(size)?))
    }
}

/// The getters of [`TlsSocketApi`] as inherent methods of a socket type (so that calling
/// one needs no import), each forwarding to the trait.
macro_rules! inherent_socket_api {
    () => {
        /// `encrypted`: always true.
        pub fn encrypted(&self) -> bool {
            $crate::socket_api::TlsSocketApi::encrypted(self)
        }

        /// `authorized`: see [`TlsSocketApi::authorized`](crate::TlsSocketApi::authorized).
        pub fn authorized(&self) -> bool {
            $crate::socket_api::TlsSocketApi::authorized(self)
        }

        /// `authorizationError`: why the peer's certificate was refused (Node's code).
        pub fn authorization_error(&self) -> Option<String> {
            $crate::socket_api::TlsSocketApi::authorization_error(self)
        }

        /// `alpnProtocol`: the negotiated protocol, or `None` (Node's `false`).
        pub fn alpn_protocol(&self) -> Option<String> {
            $crate::socket_api::TlsSocketApi::alpn_protocol(self)
        }

        /// `servername`: the SNI name (sent by the client, or received by the server).
        pub fn servername(&self) -> Option<String> {
            $crate::socket_api::TlsSocketApi::servername(self)
        }

        /// `getCipher()`.
        pub fn get_cipher(&self) -> Option<$crate::info::CipherInfo> {
            $crate::socket_api::TlsSocketApi::get_cipher(self)
        }

        /// `getProtocol()`: `TLSv1.3`, `TLSv1.2`, or `None` before the handshake.
        pub fn get_protocol(&self) -> Option<&'static str> {
            $crate::socket_api::TlsSocketApi::get_protocol(self)
        }

        /// `getEphemeralKeyInfo()` (`None` on a server, as Node's `null`).
        pub fn get_ephemeral_key_info(&self) -> Option<$crate::info::EphemeralKeyInfo> {
            $crate::socket_api::TlsSocketApi::get_ephemeral_key_info(self)
        }

        /// `isSessionReused()`.
        pub fn is_session_reused(&self) -> bool {
            $crate::socket_api::TlsSocketApi::is_session_reused(self)
        }

        /// `getSession()`: bytes for the `session` option (client side).
        pub fn get_session(&self) -> Option<Vec<u8>> {
            $crate::socket_api::TlsSocketApi::get_session(self)
        }

        /// `getTLSTicket()`: the raw ticket of the session (client side).
        pub fn get_tls_ticket(&self) -> Option<Vec<u8>> {
            $crate::socket_api::TlsSocketApi::get_tls_ticket(self)
        }

        /// `getFinished()`: the last Finished verify_data we sent.
        pub fn get_finished(&self) -> Option<Vec<u8>> {
            $crate::socket_api::TlsSocketApi::get_finished(self)
        }

        /// `getPeerFinished()`: the last Finished verify_data the peer sent.
        pub fn get_peer_finished(&self) -> Option<Vec<u8>> {
            $crate::socket_api::TlsSocketApi::get_peer_finished(self)
        }

        /// `getPeerCertificate([detailed])`: Node's certificate object.
        pub fn get_peer_certificate(
            &self,
            detailed: bool,
        ) -> Option<sanstls_pki::cert::PeerCertificate> {
            $crate::socket_api::TlsSocketApi::get_peer_certificate(self, detailed)
        }

        /// `getCertificate()`: our certificate as Node's object.
        pub fn get_certificate(&self) -> Option<sanstls_pki::cert::PeerCertificate> {
            $crate::socket_api::TlsSocketApi::get_certificate(self)
        }

        /// `getSharedSigalgs()`.
        pub fn get_shared_sigalgs(&self) -> Vec<String> {
            $crate::socket_api::TlsSocketApi::get_shared_sigalgs(self)
        }

        /// `exportKeyingMaterial(length, label[, context])`.
        pub fn export_keying_material(
            &self,
            length: usize,
            label: &str,
            context: Option<&[u8]>,
        ) -> Result<Vec<u8>, $crate::error::TlsError> {
            $crate::socket_api::TlsSocketApi::export_keying_material(self, length, label, context)
        }

        /// `disableRenegotiation()`.
        pub fn disable_renegotiation(&mut self) {
            $crate::socket_api::TlsSocketApi::disable_renegotiation(self)
        }

        /// `enableTrace()`: the handshake trace on stderr.
        pub fn enable_trace(&mut self) {
            $crate::socket_api::TlsSocketApi::enable_trace(self)
        }

        /// `enableTrace()` writing to `tracer`'s writer.
        pub fn enable_trace_to(&mut self, tracer: $crate::trace::Tracer) {
            $crate::socket_api::TlsSocketApi::enable_trace_to(self, tracer)
        }

        /// `setMaxSendFragment(size)`: 512..=16384.
        pub fn set_max_send_fragment(
            &mut self,
            size: usize,
        ) -> Result<(), $crate::error::TlsError> {
            $crate::socket_api::TlsSocketApi::set_max_send_fragment(self, size)
        }
    };
}
pub(crate) use inherent_socket_api;
