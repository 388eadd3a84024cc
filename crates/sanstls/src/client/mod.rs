//! The client side: configuration, the connection object, stored sessions.
//!
//! The TLS 1.3 states live in `tls13`; `hs` builds the ClientHello and reads the
//! ServerHello.

use crate::prelude::*;
use alloc::sync::Arc;
use core::ops::{Deref, DerefMut};
use core::time::Duration;

use zeroize::Zeroizing;

use crate::codec::{Codec, PayloadU16, PayloadU8, Reader};
use crate::conn::{Common, Connection, Side};
use crate::crypto::sign::SigningKey;
use crate::crypto::verify::ServerCertVerifier;
use crate::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::error::{Error, InvalidMessage};
use crate::rand::RandomSource;
use crate::session::PeerAuth;
use crate::suites::{Tls12CipherSuite, Tls13CipherSuite};
use crate::time::UnixTime;

mod early_data;
pub(crate) mod hs;
pub(crate) mod tls12;
pub(crate) mod tls13;

/// A certificate chain (leaf first, DER) and its private key, as a client presents it.
/// Built with [`ClientCertificate::new`], which refuses a key that is not the leaf's.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ClientCertificate {
    /// The chain, leaf first. Shared: every connection that sends it reports it in
    /// `Negotiated::local_certificates` without a copy.
    pub chain: Arc<[Vec<u8>]>,
    /// The leaf's private key.
    pub key: Arc<dyn SigningKey>,
}

impl ClientCertificate {
    /// `chain` (leaf first, DER) with the leaf's private key; refused
    /// (`Error::BadConfiguration`) when the chain is empty or the key is not the leaf's.
    pub fn new(chain: Vec<Vec<u8>>, key: Arc<dyn SigningKey>) -> Result<Self, Error> {
        let chain: Arc<[Vec<u8>]> = chain.into();
        crate::server::check_key_matches(&chain, key.as_ref())?;
        Ok(Self { chain, key })
    }
}

/// How a client connects. Build one, wrap it in an `Arc`, share it between connections.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// TLS 1.3 suites we offer, in preference order.
    pub cipher_suites: Vec<&'static Tls13CipherSuite>,
    /// TLS 1.2 suites we offer, in preference order.
    pub tls12_cipher_suites: Vec<&'static Tls12CipherSuite>,
    /// The oldest version we accept (Node's `minVersion`, default TLS 1.2).
    pub min_version: ProtocolVersion,
    /// The newest version we offer (Node's `maxVersion`, default TLS 1.3).
    pub max_version: ProtocolVersion,
    /// The smallest DHE prime we accept, in bits (Node's `minDHSize`, default 1024).
    pub min_dh_size: usize,
    /// Groups we support, in preference order; we send a key share for the first.
    pub groups: Vec<NamedGroup>,
    /// ALPN protocols to offer (empty: no ALPN extension).
    pub alpn_protocols: Vec<Vec<u8>>,
    /// Decides whether the server's certificate is trusted.
    pub verifier: Arc<dyn ServerCertVerifier>,
    /// Our certificate, if the server asks for one.
    pub client_certificate: Option<ClientCertificate>,
    /// Where random bytes come from.
    pub random: Arc<dyn RandomSource>,
    /// Send server_name (SNI) when the name is a DNS name.
    pub enable_sni: bool,
    /// Ask the server to staple an OCSP response (status_request).
    pub request_ocsp: bool,
    /// Emit `Event::KeyLog` lines.
    pub key_log: bool,
    /// Emit `Event::Trace` for every message from the ClientHello on (Node's
    /// `enableTrace` option; `Connection::set_trace` turns it on later).
    pub trace: bool,
    /// How long the handshake may take.
    pub handshake_timeout: Duration,
    /// Bounds on what the peer can make the connection do (see [`crate::Limits`]).
    pub limits: crate::limits::Limits,
    /// Node's `rejectUnauthorized` (default true): with it off, a peer certificate the
    /// verifier refuses does not fail the handshake; the reason is in
    /// `Negotiated::authorization_error` (Node's `authorized: false` and
    /// `authorizationError`).
    pub reject_unauthorized: bool,
    /// Node's `sigalgs`: when set, our own signatures (CertificateVerify, ServerKeyExchange)
    /// use only these schemes. (What we accept from the peer is the verifier's
    /// `supported_schemes`.)
    pub signature_schemes: Option<Vec<crate::enums::SignatureScheme>>,
    /// TLS 1.3 middlebox compatibility mode (RFC 8446 D.4): a fake session id and a CCS.
    pub middlebox_compat: bool,
    /// The most content bytes we accept in one record, announced in the record_size_limit
    /// extension (RFC 8449), 64..=16384 (default 16384, the protocol's own limit: announced
    /// anyway, as RFC 8449 s4 recommends, so the server may announce its limit). On the
    /// wire it is one more when TLS 1.3 is offered, for the inner content type byte. A
    /// record over it from a server that answered is `record_overflow`. `None` sends no
    /// extension.
    pub record_size_limit: Option<u16>,
    /// TLS 1.3 0-RTT (RFC 8446 s2.3), off by default: when resuming a session whose ticket
    /// allows early data, offer it, and send what `send` is given before the server answers
    /// as early data (up to the ticket's max_early_data_size). The server may replay it,
    /// so only data that is safe to repeat should be sent early. The outcome is
    /// `Event::EarlyDataAccepted` or `Event::EarlyDataRejected` (which hands the data
    /// back).
    pub enable_early_data: bool,
    /// Node's client `pskCallback`. TLS 1.3: asked when the ClientHello is built (without a
    /// hint) for an external PSK to offer (after a resumption ticket, if one is offered
    /// too, as OpenSSL orders them); a server that accepts it authenticates with the PSK and
    /// sends no certificate, one that does not goes on with a certificate handshake,
    /// verified as usual. TLS 1.2: only with it are the PSK suites of
    /// `tls12_cipher_suites` offered, and when the server picks one it is asked with the
    /// server's identity hint. Default `None` (the ClientHello is then unchanged).
    pub psk: Option<crate::psk::ClientPsk>,
    /// Also offer psk_ke (RFC 8446 s4.2.9): a PSK handshake without (EC)DHE, so without
    /// forward secrecy, if the server chooses it (OpenSSL's `SSL_OP_ALLOW_NO_DHE_KEX`).
    /// psk_dhe_ke is always offered. Default false.
    pub psk_ke: bool,
    /// Test hook: rewrites the ClientHello's extensions before they are sent (used to
    /// reproduce another implementation's hello byte for byte from a trace). Not for
    /// production use: only with the `test-hooks` feature.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub hello_hook: Option<HelloHook>,
}

/// The signature of a [`HelloHook`] function.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub type HelloHookFn = dyn Fn(&mut Vec<crate::msgs::extensions::ClientExtension>) + Send + Sync;

/// A function that edits the ClientHello extensions (see `ClientConfig::hello_hook`).
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
#[derive(Clone)]
pub struct HelloHook(pub Arc<HelloHookFn>);

#[cfg(feature = "test-hooks")]
impl core::fmt::Debug for HelloHook {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HelloHook")
    }
}

impl ClientConfig {
    /// Whether we offer `v`.
    pub(crate) fn allows(&self, v: ProtocolVersion) -> bool {
        let n = u16::from(v);
        u16::from(self.min_version) <= n && n <= u16::from(self.max_version)
    }

    /// A configuration with Node's defaults and the given verifier.
    pub fn new(verifier: Arc<dyn ServerCertVerifier>) -> Self {
        Self {
            cipher_suites: crate::suites::ALL_TLS13_SUITES.to_vec(),
            tls12_cipher_suites: crate::suites::ALL_TLS12_SUITES.to_vec(),
            min_version: ProtocolVersion::TLSv1_2,
            max_version: ProtocolVersion::TLSv1_3,
            min_dh_size: 1024,
            groups: crate::crypto::kx::DEFAULT_GROUPS.to_vec(),
            alpn_protocols: Vec::new(),
            verifier,
            client_certificate: None,
            random: Arc::new(crate::rand::SystemRandom::new()),
            enable_sni: true,
            request_ocsp: false,
            key_log: false,
            trace: false,
            handshake_timeout: Duration::from_secs(120),
            limits: crate::limits::Limits::default(),
            reject_unauthorized: true,
            signature_schemes: None,
            middlebox_compat: true,
            record_size_limit: Some(crate::record::header::MAX_PLAINTEXT as u16),
            enable_early_data: false,
            psk: None,
            psk_ke: false,
            #[cfg(feature = "test-hooks")]
            hello_hook: None,
        }
    }
}

/// What a client keeps to resume a session (RFC 8446 s4.6.1 and s2.2 for TLS 1.3, RFC 5246
/// session ids and RFC 5077 tickets for TLS 1.2): Node's `session` event and `getSession()`.
/// The fields are private so that the session can grow; read them with the getters, keep
/// the session with [`Self::to_bytes`].
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The suite the ticket was issued under (resumption needs the same hash).
    pub(crate) cipher_suite: CipherSuite,
    /// The opaque ticket.
    pub(crate) ticket: Vec<u8>,
    /// The resumption PSK derived from the ticket nonce.
    pub(crate) psk: Zeroizing<Vec<u8>>,
    /// When we received it.
    pub(crate) received_at: UnixTime,
    /// Lifetime in seconds (at most 7 days).
    pub(crate) lifetime_secs: u32,
    /// Added to the ticket age to obfuscate it.
    pub(crate) age_add: u32,
    /// The server name the session belongs to.
    pub(crate) server_name: String,
    /// The ALPN protocol negotiated with it.
    pub(crate) alpn: Option<Vec<u8>>,
    /// max_early_data_size, if the server allows 0-RTT.
    pub(crate) max_early_data: Option<u32>,
    /// TLS 1.2 only (the suite says which version): the session id the server gave, empty
    /// when only a ticket is kept. For TLS 1.2 sessions `psk` holds the master secret and
    /// `ticket` the RFC 5077 ticket (possibly empty).
    pub(crate) session_id: Vec<u8>,
    /// TLS 1.2 only: whether the session used the extended master secret (RFC 7627).
    pub(crate) extended_master_secret: bool,
    /// The server's certificate chain as the handshake that made the session received it
    /// (leaf first, DER): a resumed connection reports it as its own
    /// (`Negotiated::peer_certificates`, Node's `getPeerCertificate()`).
    pub(crate) peer_certificates: Vec<Vec<u8>>,
    /// The verifier's verdict on that chain when `reject_unauthorized` was off (Node's
    /// `authorizationError`); a resumed connection reports the same. A configuration with
    /// `reject_unauthorized` on never offers a session that has one.
    pub(crate) authorization_error: Option<crate::error::CertificateError>,
    /// The identity of the external PSK that authenticated the server in the handshake
    /// that made the session (then there is no chain): a resumed connection reports it.
    pub(crate) psk_identity: Option<Vec<u8>>,
}

impl core::fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoredSession")
            .field("cipher_suite", &self.cipher_suite)
            .field("server_name", &self.server_name)
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

/// The first byte of [`StoredSession::to_bytes`]: the layout's version. Version 1 (before
/// sessions carried the server's authentication) and 2 (before they could say that an
/// external PSK authenticated it) are refused: a session that cannot say who the server
/// proved to be, or how, must not be resumed.
const SESSION_FORMAT: u8 = 3;

impl StoredSession {
    /// The session as bytes, to keep across process restarts (Node's `getSession()`): read
    /// them back with [`Self::from_bytes`]. They hold the resumption secret: store them
    /// like a private key. The layout is versioned by its first byte.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        self.encode(&mut out);
        out
    }

    /// Reads what [`Self::to_bytes`] wrote; anything else (truncated, trailing bytes, an
    /// unknown layout version, an over-long field) is an `InvalidMessage` error naming the
    /// field.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        Self::read_bytes(bytes)
    }

    /// The suite the session was made with (its hash is the one resumption must use).
    pub fn cipher_suite(&self) -> CipherSuite {
        self.cipher_suite
    }

    /// The server name the session belongs to (it is offered only to that name).
    pub fn server_name(&self) -> &str {
        &self.server_name
    }

    /// The ALPN protocol negotiated in the session's handshake.
    pub fn alpn(&self) -> Option<&[u8]> {
        self.alpn.as_deref()
    }

    /// TLS 1.2: the session id the server gave (empty when only a ticket is kept; always
    /// empty for TLS 1.3).
    pub fn session_id(&self) -> &[u8] {
        &self.session_id
    }

    /// TLS 1.2: whether the session used the extended master secret (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.extended_master_secret
    }

    /// When the session (or its ticket) was received.
    pub fn received_at(&self) -> UnixTime {
        self.received_at
    }

    /// How long after [`Self::received_at`] the server allows resuming it.
    pub fn lifetime(&self) -> Duration {
        Duration::from_secs(u64::from(self.lifetime_secs))
    }

    /// TLS 1.3: max_early_data_size, if the ticket allows 0-RTT data.
    pub fn max_early_data(&self) -> Option<u32> {
        self.max_early_data
    }

    /// The server's certificate chain as the handshake that made the session received it
    /// (leaf first, DER): a resumed connection reports it as its own
    /// (`Negotiated::peer_certificates`, Node's `getPeerCertificate()`).
    pub fn peer_certificates(&self) -> &[Vec<u8>] {
        &self.peer_certificates
    }

    /// Why the verifier refused that chain when `reject_unauthorized` was off (Node's
    /// `authorizationError`); a resumed connection reports the same, and a configuration
    /// with `reject_unauthorized` on never offers a session that has one.
    pub fn authorization_error(&self) -> Option<&crate::error::CertificateError> {
        self.authorization_error.as_ref()
    }

    /// The identity of the external PSK that authenticated the server in the handshake that
    /// made this session (it then has no certificates); a resumed connection reports it.
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identity.as_deref()
    }

    /// The raw ticket the server issued (Node's `getTLSTicket()`): a TLS 1.3 ticket or an
    /// RFC 5077 one; `None` for a TLS 1.2 session kept by id only.
    pub fn tls_ticket(&self) -> Option<&[u8]> {
        (!self.ticket.is_empty()).then_some(self.ticket.as_slice())
    }

    /// The server's authentication this session carries.
    pub(crate) fn peer_auth(&self) -> PeerAuth {
        PeerAuth {
            chain: self.peer_certificates.clone(),
            error: self.authorization_error.clone(),
            psk_identity: self.psk_identity.clone(),
        }
    }

    /// Whether the ticket is still usable at `now`.
    pub fn is_valid_at(&self, now: UnixTime) -> bool {
        now.saturating_since(self.received_at) < Duration::from_secs(u64::from(self.lifetime_secs))
    }

    /// The obfuscated_ticket_age to send at `now` (RFC 8446 s4.2.11.1).
    pub fn obfuscated_age(&self, now: UnixTime) -> u32 {
        let age_ms = now.saturating_since(self.received_at).as_millis();
        (age_ms as u32).wrapping_add(self.age_add)
    }
}

/// Every field of a [`StoredSession`], for the crate's tests that forge or alter sessions
/// (expired, tampered, from another server): reached through `sanstls::internal`, not part
/// of the API.
#[doc(hidden)]
#[allow(missing_docs)]
#[derive(Clone, Debug)]
pub struct SessionParts {
    pub cipher_suite: CipherSuite,
    pub ticket: Vec<u8>,
    pub psk: Zeroizing<Vec<u8>>,
    pub received_at: UnixTime,
    pub lifetime_secs: u32,
    pub age_add: u32,
    pub server_name: String,
    pub alpn: Option<Vec<u8>>,
    pub max_early_data: Option<u32>,
    pub session_id: Vec<u8>,
    pub extended_master_secret: bool,
    pub peer_certificates: Vec<Vec<u8>>,
    pub authorization_error: Option<crate::error::CertificateError>,
    pub psk_identity: Option<Vec<u8>>,
}

impl From<StoredSession> for SessionParts {
    fn from(s: StoredSession) -> Self {
        Self {
            cipher_suite: s.cipher_suite,
            ticket: s.ticket,
            psk: s.psk,
            received_at: s.received_at,
            lifetime_secs: s.lifetime_secs,
            age_add: s.age_add,
            server_name: s.server_name,
            alpn: s.alpn,
            max_early_data: s.max_early_data,
            session_id: s.session_id,
            extended_master_secret: s.extended_master_secret,
            peer_certificates: s.peer_certificates,
            authorization_error: s.authorization_error,
            psk_identity: s.psk_identity,
        }
    }
}

impl From<SessionParts> for StoredSession {
    fn from(p: SessionParts) -> Self {
        Self {
            cipher_suite: p.cipher_suite,
            ticket: p.ticket,
            psk: p.psk,
            received_at: p.received_at,
            lifetime_secs: p.lifetime_secs,
            age_add: p.age_add,
            server_name: p.server_name,
            alpn: p.alpn,
            max_early_data: p.max_early_data,
            session_id: p.session_id,
            extended_master_secret: p.extended_master_secret,
            peer_certificates: p.peer_certificates,
            authorization_error: p.authorization_error,
            psk_identity: p.psk_identity,
        }
    }
}

impl Codec for StoredSession {
    fn encode(&self, out: &mut Vec<u8>) {
        SESSION_FORMAT.encode(out);
        self.cipher_suite.encode(out);
        PayloadU16::new(self.ticket.clone()).encode(out);
        // The secret goes straight into `out` (no intermediate copy to forget to wipe).
        let psk = &self.psk[..self.psk.len().min(255)];
        out.push(psk.len() as u8);
        out.extend_from_slice(psk);
        self.received_at.as_millis().encode(out);
        self.lifetime_secs.encode(out);
        self.age_add.encode(out);
        PayloadU16::new(self.server_name.as_bytes()).encode(out);
        match &self.alpn {
            Some(p) => {
                1u8.encode(out);
                PayloadU8::new(p.clone()).encode(out);
            }
            None => 0u8.encode(out),
        }
        match self.max_early_data {
            Some(n) => {
                1u8.encode(out);
                n.encode(out);
            }
            None => 0u8.encode(out),
        }
        PayloadU8::new(self.session_id.clone()).encode(out);
        u8::from(self.extended_master_secret).encode(out);
        self.peer_auth().encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        if u8::read(r)? != SESSION_FORMAT {
            return Err(InvalidMessage::IllegalValue(
                "stored session format version",
            ));
        }
        let cipher_suite = CipherSuite::read(r)?;
        let ticket = PayloadU16::read(r)?.0;
        let psk = Zeroizing::new(PayloadU8::read(r)?.0);
        let received_at = UnixTime::from_millis(u64::read(r)?);
        let lifetime_secs = u32::read(r)?;
        let age_add = u32::read(r)?;
        let server_name = String::from_utf8(PayloadU16::read(r)?.0)
            .map_err(|_| InvalidMessage::IllegalValue("stored session server name"))?;
        let alpn = match read_flag(r, "stored session ALPN flag")? {
            true => Some(PayloadU8::read(r)?.0),
            false => None,
        };
        let max_early_data = match read_flag(r, "stored session early data flag")? {
            true => Some(u32::read(r)?),
            false => None,
        };
        let session_id = PayloadU8::read(r)?.0;
        if session_id.len() > 32 {
            return Err(InvalidMessage::TooLarge("stored session id"));
        }
        let extended_master_secret = read_flag(r, "stored session EMS flag")?;
        let auth = PeerAuth::read(r)?;
        Ok(Self {
            cipher_suite,
            ticket,
            psk,
            received_at,
            lifetime_secs,
            age_add,
            server_name,
            alpn,
            max_early_data,
            session_id,
            extended_master_secret,
            peer_certificates: auth.chain,
            authorization_error: auth.error,
            psk_identity: auth.psk_identity,
        })
    }
}

/// A byte that must be 0 or 1.
fn read_flag(r: &mut Reader<'_>, what: &'static str) -> Result<bool, InvalidMessage> {
    match u8::read(r)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(InvalidMessage::IllegalValue(what)),
    }
}

/// A client connection. Dereferences to [`Connection`] for the side-independent API.
#[derive(Debug)]
pub struct ClientConnection {
    conn: Connection,
}

impl ClientConnection {
    /// Starts a handshake with `server_name` (a DNS name or an IP address): the ClientHello
    /// is ready for `write_tls` when this returns.
    pub fn new(config: Arc<ClientConfig>, server_name: &str, now: UnixTime) -> Result<Self, Error> {
        Self::resume(config, server_name, None, now)
    }

    /// Like [`Self::new`], offering `session` for resumption when it is still valid.
    pub fn resume(
        config: Arc<ClientConfig>,
        server_name: &str,
        session: Option<StoredSession>,
        now: UnixTime,
    ) -> Result<Self, Error> {
        let mut common = Common::new(Side::Client);
        common.keylog = config.key_log;
        common.trace = config.trace;
        common.handshake_deadline = Some(now.saturating_add(config.handshake_timeout));
        common.apply_limits(&config.limits)?;
        let state = hs::start_handshake(&mut common, config, server_name, session, now)?;
        Ok(Self {
            conn: Connection::new(common, state),
        })
    }
}

impl ClientConnection {
    /// **Dangerous**: see [`Connection::dangerous_extract_secrets`].
    pub fn dangerous_extract_secrets(
        self,
    ) -> Result<crate::conn::ExtractedSecrets, crate::conn::ExtractError> {
        self.conn.dangerous_extract_secrets()
    }
}

impl From<ClientConnection> for Connection {
    fn from(c: ClientConnection) -> Connection {
        c.conn
    }
}

impl Deref for ClientConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl DerefMut for ClientConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn session(alpn: Option<Vec<u8>>, med: Option<u32>, id: Vec<u8>) -> StoredSession {
        StoredSession {
            cipher_suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
            ticket: vec![7; 200],
            psk: Zeroizing::new(vec![9; 32]),
            received_at: UnixTime::from_millis(1_900_000_000_123),
            lifetime_secs: 7200,
            age_add: 0xdead_beef,
            server_name: "example.com".into(),
            alpn,
            max_early_data: med,
            session_id: id,
            extended_master_secret: true,
            peer_certificates: vec![vec![0x30, 3, 1, 2, 3]],
            authorization_error: Some(crate::error::CertificateError::Rejected {
                code: "DEPTH_ZERO_SELF_SIGNED_CERT".into(),
                message: "self-signed certificate".into(),
            }),
            psk_identity: None,
        }
    }

    #[test]
    fn bytes_round_trip_and_every_truncation_is_an_error() {
        let mut by_psk = session(None, None, vec![]);
        by_psk.peer_certificates.clear();
        by_psk.authorization_error = None;
        by_psk.psk_identity = Some(b"client1".to_vec());
        for s in [
            session(None, None, vec![]),
            session(Some(b"h2".to_vec()), Some(16384), vec![1; 32]),
            by_psk,
        ] {
            let bytes = s.to_bytes();
            let back = StoredSession::from_bytes(&bytes).unwrap();
            assert!(back == s);
            assert_eq!(back.psk.as_slice(), s.psk.as_slice());
            for n in 0..bytes.len() {
                assert!(StoredSession::from_bytes(&bytes[..n]).is_err(), "{n}");
            }
            let mut longer = bytes.to_vec();
            longer.push(0);
            assert!(StoredSession::from_bytes(&longer).is_err());
        }
        let mut wrong_version = session(None, None, vec![]).to_bytes().to_vec();
        wrong_version[0] = 2;
        assert_eq!(
            StoredSession::from_bytes(&wrong_version),
            Err(InvalidMessage::IllegalValue(
                "stored session format version"
            ))
        );
        assert_eq!(
            session(None, None, vec![]).tls_ticket(),
            Some(&[7u8; 200][..])
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = StoredSession::from_bytes(&bytes);
        }
    }
}
