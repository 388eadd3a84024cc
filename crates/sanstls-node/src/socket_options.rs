//! The options of Node's `new tls.TLSSocket(socket, options)`, and how they become an
//! engine connection. They differ from `tls.connect` and `tls.createServer` where Node's
//! constructor does: a client socket checks no host name and refuses nothing (the verdict
//! is only in `authorization_error`), and `rejectUnauthorized` defaults to false.

use std::sync::Arc;
use std::time::Duration;

use sanstls::client::ClientConnection;
use sanstls::server::{ClientHelloInfo, ServerConfig, ServerConnection};

use crate::answer::HookFuture;
use crate::connect::ClientPskCallback;
use crate::context::{create_secure_context, SecureContext, SecureContextOptions};
use crate::error::TlsError;
use crate::server::{ServerPskCallback, SniCallback};
use crate::socket::{now, ServerHooks, Side, TlsSocket};
use crate::stream::Transport;

/// Node's `new tls.TLSSocket(socket, options)` options.
#[derive(Clone)]
pub struct TlsSocketOptions {
    /// `isServer`: the server side (default: the client side).
    pub is_server: bool,
    /// `secureContext`: the context to use; when `None`, one is made from `context`
    /// (Node passes the whole options object to `createSecureContext`; options in
    /// `context` are ignored when a context is given, as Node ignores them).
    pub secure_context: Option<SecureContext>,
    /// `key`, `cert`, `ca`, ...: used only without `secure_context`.
    pub context: SecureContextOptions,
    /// `requestCert`: a server asks the client for a certificate.
    pub request_cert: bool,
    /// `rejectUnauthorized`: refuse a peer whose certificate fails verification. Node's
    /// constructor defaults it to false (only `tls.connect` and `tls.createServer`
    /// default it to true).
    pub reject_unauthorized: bool,
    /// `ALPNProtocols`, in preference order.
    pub alpn_protocols: Vec<String>,
    /// `SNICallback` (server side): the context for the name the client asked for.
    pub sni_callback: Option<Arc<SniCallback>>,
    /// `session` (client side): bytes from `get_session()` to resume.
    pub session: Option<Vec<u8>>,
    /// `requestOCSP` (client side).
    pub request_ocsp: bool,
    /// The name to send in SNI (Node's `socket.setServername()` before connecting);
    /// the constructor checks no host name against it, as Node's does not.
    pub servername: Option<String>,
    /// The handshake deadline (Node's server default, 120 s).
    pub handshake_timeout: Duration,
    /// `pskCallback` on a server socket: as `ServerOptions::psk_callback`. (Node's one
    /// option has a signature per side; here each side has its field.)
    pub psk_callback: Option<Arc<ServerPskCallback>>,
    /// `pskCallback` on a client socket: as `ConnectOptions::psk_callback`.
    pub client_psk_callback: Option<Arc<ClientPskCallback>>,
    /// `pskIdentityHint` on a server socket: as `ServerOptions::psk_identity_hint`.
    pub psk_identity_hint: Option<String>,
}

impl Default for TlsSocketOptions {
    fn default() -> Self {
        Self {
            is_server: false,
            secure_context: None,
            context: SecureContextOptions::default(),
            request_cert: false,
            reject_unauthorized: false,
            alpn_protocols: Vec::new(),
            sni_callback: None,
            session: None,
            request_ocsp: false,
            servername: None,
            handshake_timeout: Duration::from_secs(120),
            psk_callback: None,
            client_psk_callback: None,
            psk_identity_hint: None,
        }
    }
}

impl core::fmt::Debug for TlsSocketOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsSocketOptions")
            .field("is_server", &self.is_server)
            .field("request_cert", &self.request_cert)
            .field("reject_unauthorized", &self.reject_unauthorized)
            .field("alpn_protocols", &self.alpn_protocols)
            .field("sni_callback", &self.sni_callback.is_some())
            .field("servername", &self.servername)
            .field("psk_callback", &self.psk_callback.is_some())
            .field("client_psk_callback", &self.client_psk_callback.is_some())
            .finish_non_exhaustive()
    }
}

/// The context of `o`: the given one, or one made from `o.context`.
fn context(o: &TlsSocketOptions) -> Result<SecureContext, TlsError> {
    match &o.secure_context {
        Some(c) => Ok(c.clone()),
        None => create_secure_context(&o.context),
    }
}

fn alpn(o: &TlsSocketOptions) -> Vec<Vec<u8>> {
    o.alpn_protocols
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect()
}

/// A server configuration of `context` under the socket's options.
fn server_config(context: &SecureContext, o: &TlsSocketOptions) -> Arc<ServerConfig> {
    let mut c = context.server_config();
    c.alpn_protocols = alpn(o);
    c.handshake_timeout = o.handshake_timeout;
    if o.request_cert {
        c.client_verifier = Some(context.limit_client_verifier(Arc::new(
            sanstls_pki::tls::NodeClientVerifier::new(context.verifier(), o.reject_unauthorized),
        )));
        c.reject_unauthorized = o.reject_unauthorized;
    }
    if o.psk_callback.is_some() {
        c.external_psk_hash = Some(sanstls::psk::SuiteHash::Sha256);
        c.psk_identity_hint = o.psk_identity_hint.clone().map(String::into_bytes);
    }
    Arc::new(c)
}

/// The hooks of a lone server socket: `SNICallback` (the callback's context, else the
/// socket's own) and `pskCallback`.
struct SocketHooks {
    sni: Option<Arc<SniCallback>>,
    psk: Option<Arc<ServerPskCallback>>,
    default: Arc<ServerConfig>,
    options: TlsSocketOptions,
}

impl ServerHooks for SocketHooks {
    fn psk(&self, server_name: Option<&str>, identity: &[u8]) -> Option<Vec<u8>> {
        let cb = self.psk.as_ref()?;
        cb(server_name, &String::from_utf8_lossy(identity))
    }

    fn client_hello(
        self: Arc<Self>,
        hello: ClientHelloInfo,
    ) -> HookFuture<Result<Arc<ServerConfig>, TlsError>> {
        Box::pin(async move {
            let (Some(callback), Some(name)) = (&self.sni, hello.server_name.as_deref()) else {
                return Ok(Arc::clone(&self.default));
            };
            let answer = crate::answer::ask(|a| callback(name, a)).await?;
            Ok(match answer.flatten() {
                Some(ctx) => server_config(&ctx, &self.options),
                None => Arc::clone(&self.default),
            })
        })
    }
}

/// The engine side of a socket made with `options`.
pub(crate) fn side(o: &TlsSocketOptions) -> Result<(Side, Option<Arc<dyn ServerHooks>>), TlsError> {
    let context = context(o)?;
    if o.is_server {
        let default = server_config(&context, o);
        return Ok(match (&o.sni_callback, &o.psk_callback) {
            (None, None) => (Side::Server(ServerConnection::new(default, now())?), None),
            (sni, psk) => {
                let hooks: Arc<dyn ServerHooks> = Arc::new(SocketHooks {
                    sni: sni.clone(),
                    psk: psk.clone(),
                    default,
                    options: o.clone(),
                });
                let conn = ServerConnection::new_paused(now(), o.handshake_timeout);
                (Side::Server(conn), Some(hooks))
            }
        });
    }
    // No host-name check: Node's constructor leaves that to tls.connect.
    let any_name: Arc<sanstls_pki::tls::IdentityCheck> = Arc::new(|_, _| Ok(()));
    let mut config = context.client_config_with(Some(any_name));
    config.reject_unauthorized = o.reject_unauthorized;
    config.alpn_protocols = alpn(o);
    config.request_ocsp = o.request_ocsp;
    config.handshake_timeout = o.handshake_timeout;
    config.psk = o
        .client_psk_callback
        .clone()
        .map(crate::connect::client_psk);
    let session = o
        .session
        .as_deref()
        .map(sanstls::client::StoredSession::from_bytes)
        .transpose()
        .map_err(|e| TlsError::new("ERR_INVALID_ARG_VALUE", format!("session: {e:?}")))?;
    let name = o.servername.clone().unwrap_or_default();
    let conn = ClientConnection::resume(Arc::new(config), &name, session, now())?;
    Ok((Side::Client(conn), None))
}

/// `new tls.TLSSocket(io, options)` over a blocking transport.
pub(crate) fn build<T: Transport>(io: T, o: &TlsSocketOptions) -> Result<TlsSocket<T>, TlsError> {
    let (side, hooks) = side(o)?;
    let mut socket = TlsSocket::new(io, side);
    socket.set_hooks(hooks);
    socket.tls.reports_authorized = o.is_server;
    // A PSK authorizes a client socket, and a server socket only with requestCert (Node).
    socket.tls.psk_authorizes = !o.is_server || o.request_cert;
    Ok(socket)
}
