//! The negotiated-parameters report ([`Negotiated`]) the handshake fills in as it learns
//! each parameter, and the connection's accessors for it.

use super::{Common, Connection};
use crate::enums::{CipherSuite, ProtocolVersion};
use crate::error::Error;
use crate::prelude::*;
use alloc::sync::Arc;

/// What was negotiated, filled in by the handshake as it learns it.
#[non_exhaustive]
#[derive(Debug, Default, Clone)]
pub struct Negotiated {
    /// The protocol version.
    pub version: Option<ProtocolVersion>,
    /// The cipher suite.
    pub cipher_suite: Option<CipherSuite>,
    /// The key exchange group (Node's `getEphemeralKeyInfo`); for TLS 1.2 DHE, the
    /// RFC 7919 group when the server's parameters are one.
    pub group: Option<crate::enums::NamedGroup>,
    /// For TLS 1.2 DHE: the size of the server's prime in bits (Node reports type `DH`).
    pub dh_bits: Option<usize>,
    /// The ALPN protocol.
    pub alpn: Option<Vec<u8>>,
    /// The server name the client sent (server side) or asked for (client side).
    pub server_name: Option<String>,
    /// The peer's certificate chain, leaf first (DER).
    pub peer_certificates: Vec<Vec<u8>>,
    /// Whether the session was resumed (a TLS 1.3 ticket, a TLS 1.2 ticket or session id); the
    /// peer certificates and verdict (or PSK identity) are then the session's. An external
    /// PSK handshake is not a resumption: see `psk_identity`.
    pub resumed: bool,
    /// TLS 1.3: the identity of the external PSK (RFC 8446 s2.2) that authenticated the
    /// peer, in this handshake or in the one that made the session it resumed. Such a
    /// connection has no peer certificate and no verdict. See [`Self::peer_authentication`].
    pub psk_identity: Option<Vec<u8>>,
    /// The OCSP response the server stapled (client side) or sent (server side).
    pub ocsp_response: Option<Vec<u8>>,
    /// The client random (for key logging).
    pub client_random: [u8; 32],
    /// The verify_data of the last Finished we sent (Node's `getFinished()`; with
    /// `finished_received`, the basis of RFC 5929 tls-unique).
    pub finished_sent: Vec<u8>,
    /// The verify_data of the last Finished the peer sent (Node's `getPeerFinished()`).
    pub finished_received: Vec<u8>,
    /// TLS 1.2: both sides support secure renegotiation (RFC 5746); without it neither
    /// side renegotiates.
    pub secure_renegotiation: bool,
    /// TLS 1.2: the master secret is the extended one (RFC 7627), bound to the handshake
    /// transcript. Once a connection has it, a renegotiation must keep it.
    pub extended_master_secret: bool,
    /// Why the peer's certificate was refused, when the configuration's
    /// `reject_unauthorized` is off (Node's `authorizationError`); the handshake went on.
    pub authorization_error: Option<crate::error::CertificateError>,
    /// The certificate chain we sent (leaf first, DER; empty if none): Node's
    /// `getCertificate()`. Shared with the configuration's `CertifiedKey` or
    /// `ClientCertificate`, not copied into each connection.
    pub local_certificates: Arc<[Vec<u8>]>,
    /// The signature schemes the peer offered for our signature (the server: the
    /// ClientHello's signature_algorithms; the client: the CertificateRequest's), in its
    /// order, limited to the configuration's `signature_schemes` when set: with the ones
    /// our keys can use, Node's `getSharedSigalgs()`.
    pub peer_signature_schemes: Vec<crate::enums::SignatureScheme>,
}

/// How the peer proved who it is (see [`Negotiated::peer_authentication`]).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerAuthentication {
    /// Not at all: no certificate (a client the server did not ask for one, or that sent
    /// none) and no external PSK, or the handshake has not got that far.
    None,
    /// By a certificate chain (`peer_certificates`), which the verifier accepted or, with
    /// `reject_unauthorized` off, refused (`authorization_error`).
    Certificate,
    /// By the external PSK with this identity (TLS 1.3).
    ExternalPsk(Vec<u8>),
}

impl Negotiated {
    /// How the peer was authenticated: by an external PSK, a certificate, or not at all. A
    /// resumed connection reports what the handshake that made the session reported.
    pub fn peer_authentication(&self) -> PeerAuthentication {
        match (&self.psk_identity, self.peer_certificates.is_empty()) {
            (Some(id), _) => PeerAuthentication::ExternalPsk(id.clone()),
            (None, false) => PeerAuthentication::Certificate,
            (None, true) => PeerAuthentication::None,
        }
    }
}

impl Common {
    /// Node's `rejectUnauthorized`: a refused peer certificate fails the handshake, or with
    /// `reject` off is recorded in `negotiated.authorization_error` and the handshake goes on
    /// (the peer must still prove it holds the certificate's key).
    pub(crate) fn peer_verdict(
        &mut self,
        result: Result<(), Error>,
        reject: bool,
    ) -> Result<(), Error> {
        match result {
            Ok(()) => {
                self.negotiated.authorization_error = None;
                Ok(())
            }
            Err(Error::InvalidCertificate(c)) if !reject => {
                self.negotiated.authorization_error = Some(c);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The peer's end-entity certificate, which an earlier state recorded.
    pub(crate) fn peer_end_entity(&self) -> Result<&[u8], Error> {
        self.negotiated
            .peer_certificates
            .first()
            .map(Vec::as_slice)
            .ok_or(Error::ApiMisuse(
                "a signature check before the peer's certificate",
            ))
    }
}

impl Connection {
    /// What has been negotiated so far.
    pub fn negotiated(&self) -> &Negotiated {
        &self.common.negotiated
    }
}
