//! Node's `crypto.X509Certificate` (from `sanstls-pki`) and the socket getters that return
//! it: `getX509Certificate()` and `getPeerX509Certificate()`.

pub use sanstls_pki::x509::{CheckOptions, InvalidIp, PublicKey, SubjectCheck, X509Certificate};

use crate::socket::TlsSocket;
use crate::stream::Transport;

impl<T: Transport> TlsSocket<T> {
    /// `getX509Certificate()`: our certificate (the leaf we sent), `None` when we sent none
    /// (Node's `undefined`).
    pub fn get_x509_certificate(&self) -> Option<X509Certificate> {
        let ours = &self.connection().negotiated().local_certificates;
        X509Certificate::from_der(ours.first()?).ok()
    }

    /// `getPeerX509Certificate()`: the peer's certificate, with `issuerCertificate` links
    /// through the chain it sent; `None` when it sent none.
    pub fn get_peer_x509_certificate(&self) -> Option<X509Certificate> {
        let chain = self.peer_certificate_chain();
        if chain.is_empty() {
            return None;
        }
        X509Certificate::from_chain(chain).ok()
    }
}
