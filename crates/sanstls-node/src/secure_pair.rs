//! The deprecated `tls.createSecurePair()`: a TLS engine with two ends, the encrypted one
//! (bytes to and from the network) and the cleartext one (the application's data). The
//! sans-IO engine already is exactly that; this is a thin adapter with Node's names.

use std::sync::Arc;

use sanstls::client::ClientConnection;
use sanstls::conn::{Connection, Event};
use sanstls::server::ServerConnection;

use crate::context::SecureContext;
use crate::error::TlsError;
use crate::socket::{now, Side};

/// `SecurePair`: feed it the network's bytes with [`Self::encrypted_write`], send what
/// [`Self::encrypted_read`] gives, and exchange application data through the cleartext
/// methods.
pub struct SecurePair {
    side: Side,
    /// `secure` listeners, called once when the handshake completes.
    on_secure: Vec<Box<dyn FnMut() + Send>>,
    /// Whether `secure` was emitted.
    secure: bool,
}

impl core::fmt::Debug for SecurePair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecurePair")
            .field("side", &self.side)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

/// `tls.createSecurePair(context, isServer, requestCert, rejectUnauthorized)`; a client
/// pair also takes the server name to send and verify. Node's defaults are
/// `requestCert = !isServer` and `rejectUnauthorized = false`.
///
/// As in Node's `TLSSocket` under the pair: on a server, `request_cert` asks the client
/// for a certificate (checked against the context's `ca`) and `reject_unauthorized`
/// refuses a client without a valid one; without `request_cert` neither applies. A client
/// always verifies the server's certificate and, with `reject_unauthorized`, refuses an
/// invalid one (otherwise the refusal is only reported, as `authorizationError`).
/// `SSL_OP_NO_RENEGOTIATION` in the context's `secureOptions` refuses renegotiations.
pub fn create_secure_pair(
    context: &SecureContext,
    is_server: bool,
    request_cert: bool,
    reject_unauthorized: bool,
    servername: &str,
) -> Result<SecurePair, TlsError> {
    let mut side = match is_server {
        true => {
            let mut c = context.server_config();
            if request_cert {
                c.client_verifier = Some(context.limit_client_verifier(Arc::new(
                    sanstls_pki::tls::NodeClientVerifier::new(
                        context.verifier(),
                        reject_unauthorized,
                    ),
                )));
                c.reject_unauthorized = reject_unauthorized;
            }
            Side::Server(ServerConnection::new(Arc::new(c), now())?)
        }
        false => {
            let mut c = context.client_config();
            c.reject_unauthorized = reject_unauthorized;
            Side::Client(ClientConnection::new(Arc::new(c), servername, now())?)
        }
    };
    if context.renegotiation_disabled() {
        side.conn_mut().disable_renegotiation();
    }
    Ok(SecurePair {
        side,
        on_secure: Vec::new(),
        secure: false,
    })
}

impl SecurePair {
    fn conn(&mut self) -> &mut Connection {
        self.side.conn_mut()
    }

    /// The `secure` event: the handshake completed (emitted once, from the
    /// [`Self::encrypted_write`] call that completed it).
    pub fn on_secure(&mut self, f: impl FnMut() + Send + 'static) -> &mut Self {
        self.on_secure.push(Box::new(f));
        self
    }

    /// `pair.encrypted.write(bytes)`: bytes from the network. Returns how many were taken
    /// (fewer when the cleartext side has not been read: back-pressure).
    pub fn encrypted_write(&mut self, mut bytes: &[u8]) -> Result<usize, TlsError> {
        let mut taken = 0;
        while !bytes.is_empty() {
            let n = self.conn().read_tls(bytes);
            let processed = self.conn().process(now());
            self.dispatch_events();
            processed?;
            if n == 0 {
                break;
            }
            taken += n;
            bytes = &bytes[n..];
        }
        Ok(taken)
    }

    /// Emits `secure` at the first completed handshake; other events are the engine's
    /// (read with [`Self::connection`]).
    fn dispatch_events(&mut self) {
        while let Some(event) = self.conn().poll_event() {
            if event == Event::HandshakeComplete && !self.secure {
                self.secure = true;
                for f in &mut self.on_secure {
                    f();
                }
            }
        }
    }

    /// `pair.encrypted.read()`: appends the bytes to send to the network to `out`.
    pub fn encrypted_read(&mut self, out: &mut Vec<u8>) -> usize {
        self.conn().write_tls(out)
    }

    /// `pair.cleartext.write(data)`: application data to protect (held until the
    /// handshake completes).
    pub fn cleartext_write(&mut self, data: &[u8]) -> Result<usize, TlsError> {
        Ok(self.conn().send(data)?)
    }

    /// `pair.cleartext.read()`: decrypted application data.
    pub fn cleartext_read(&mut self, buf: &mut [u8]) -> usize {
        self.conn().read_plaintext(buf)
    }

    /// Whether the `secure` event has happened: the handshake completed (a failed one
    /// never is).
    pub fn is_secure(&mut self) -> bool {
        self.secure
    }

    /// `pair.cleartext.authorized`: secure, and the peer's certificate was verified.
    pub fn authorized(&mut self) -> bool {
        let secure = self.is_secure();
        self.side.authorized(secure, true)
    }

    /// The engine connection (what was negotiated, `authorization_error`...).
    pub fn connection(&mut self) -> &Connection {
        self.conn()
    }
}
