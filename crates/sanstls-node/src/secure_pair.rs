//! The deprecated `tls.createSecurePair()`: a TLS engine with two ends, the encrypted one
//! (bytes to and from the network) and the cleartext one (the application's data). The
//! sans-IO engine already is exactly that; this is a thin adapter with Node's names.

use std::sync::Arc;

use sanstls::client::ClientConnection;
use sanstls::conn::Connection;
use sanstls::server::ServerConnection;

use crate::context::SecureContext;
use crate::error::TlsError;
use crate::socket::{now, Side};

/// `SecurePair`: feed it the network's bytes with [`Self::encrypted_write`], send what
/// [`Self::encrypted_read`] gives, and exchange application data through the cleartext
/// methods.
#[derive(Debug)]
pub struct SecurePair {
    side: Side,
}

/// `tls.createSecurePair(context, isServer, requestCert, rejectUnauthorized)`; a client
/// pair also takes the server name to verify.
pub fn create_secure_pair(
    context: &SecureContext,
    is_server: bool,
    request_cert: bool,
    reject_unauthorized: bool,
    servername: &str,
) -> Result<SecurePair, TlsError> {
    let side = match is_server {
        true => {
            let mut c = context.server_config();
            if request_cert {
                c.client_verifier = Some(Arc::new(sanstls_pki::tls::NodeClientVerifier::new(
                    context.verifier(),
                    reject_unauthorized,
                )));
            }
            c.reject_unauthorized = reject_unauthorized;
            Side::Server(ServerConnection::new(Arc::new(c), now())?)
        }
        false => {
            let mut c = context.client_config();
            c.reject_unauthorized = reject_unauthorized;
            Side::Client(ClientConnection::new(Arc::new(c), servername, now())?)
        }
    };
    Ok(SecurePair { side })
}

impl SecurePair {
    fn conn(&mut self) -> &mut Connection {
        self.side.conn_mut()
    }

    /// `pair.encrypted.write(bytes)`: bytes from the network. Returns how many were taken
    /// (fewer when the cleartext side has not been read: back-pressure).
    pub fn encrypted_write(&mut self, mut bytes: &[u8]) -> Result<usize, TlsError> {
        let mut taken = 0;
        while !bytes.is_empty() {
            let n = self.conn().read_tls(bytes);
            self.conn().process(now())?;
            if n == 0 {
                break;
            }
            taken += n;
            bytes = &bytes[n..];
        }
        Ok(taken)
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

    /// The `secure` event has happened: the handshake is complete.
    pub fn is_secure(&mut self) -> bool {
        !self.conn().is_handshaking()
    }

    /// The engine connection (what was negotiated, `authorization_error`...).
    pub fn connection(&mut self) -> &Connection {
        self.conn()
    }
}
