//! The connection object: bytes in, `process(now)`, events and bytes out.
//!
//! A [`Connection`] owns the record layer (deframer, handshake joiner, record protection in
//! each direction, fragmenter), the plaintext buffers, the event queue and the handshake
//! state. The handshake itself is a chain of state structs (`client::*`, `server::*`), one
//! per step, behind the `State` trait: each consumes itself on a message and returns the
//! next. Everything here is driven by the caller; see `docs/engine.md` for the loop.
//!
//! Methods come in the groups quinn-proto uses: input (`read_tls`, `send`), advancing
//! (`process`, `handle_timeout`), output (`write_tls`, `poll_event`, `read_plaintext`,
//! `poll_timeout`) and getters. Spurious extra calls are harmless no-ops.

use std::collections::VecDeque;

use crate::codec::Codec;
use crate::enums::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, HandshakeType, ProtocolVersion,
};
use crate::error::{Error, InvalidMessage, PeerIncompatible, PeerMisbehaved};
use crate::handshake::key_schedule::KeyLogLabel;
use crate::limits::Limit;
use crate::msgs::alert::AlertMessagePayload;
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload, MessagePayload};
use crate::record::deframer::{check_ccs_payload, Deframer, PlaintextChecker};
use crate::record::fragmenter::Fragmenter;
use crate::record::header::{
    RecordHeader, MAX_CIPHERTEXT_TLS12, MAX_CIPHERTEXT_TLS13, MAX_PLAINTEXT,
};
use crate::record::joiner::HandshakeJoiner;
use crate::record::protect::{RecordOpener, RecordSealer};
use crate::time::UnixTime;

mod in_place;
pub use in_place::{Opened, SealLayout};

/// Which end of the connection we are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// We sent the ClientHello.
    Client,
    /// We answer ClientHellos.
    Server,
}

/// What the connection has to tell the caller. Poll with [`Connection::poll_event`] after
/// every `process`. `Debug` never prints a secret (a session's data, a key-log secret).
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub enum Event {
    /// Server only: a ClientHello arrived and the handshake is paused until the caller picks
    /// the configuration for it with `ServerConnection::accept` (Node's `SNICallback`).
    ClientHello(crate::server::ClientHelloInfo),
    /// The handshake completed: application data may flow both ways.
    HandshakeComplete,
    /// Decrypted application data is waiting: call [`Connection::read_plaintext`].
    PlaintextReady,
    /// Client only: the server issued a session ticket; keep it to resume later.
    NewSessionTicket(crate::client::StoredSession),
    /// The peer updated its sending keys (TLS 1.3 KeyUpdate); `update_requested` says
    /// whether it asked us to update ours (we already did).
    KeyUpdated {
        /// The peer asked us to update too.
        update_requested: bool,
    },
    /// A non-fatal warning alert from the peer (TLS 1.2 only; close_notify is `PeerClosed`).
    WarningAlert(AlertDescription),
    /// The peer sent close_notify: no more data will arrive.
    PeerClosed,
    /// A secret to log in NSS key-log format (SSLKEYLOGFILE), Node's `keylog` event.
    KeyLog(KeyLogLine),
    /// Client only: the server stapled this OCSP response (Node's `OCSPResponse` event).
    OcspResponse(Vec<u8>),
    /// Server only, with `external_sessions`: a TLS 1.2 session was made; keep `data` under
    /// `id` to resume it later (Node's `newSession`). `data` holds the master secret.
    NewSession {
        /// The session id.
        id: Vec<u8>,
        /// The opaque session state (wiped when dropped: it holds the master secret).
        data: zeroize::Zeroizing<Vec<u8>>,
    },
    /// Server only, with `external_sessions`: the client offers this TLS 1.2 session id and
    /// the handshake waits for `ServerConnection::session_found` (Node's `resumeSession`).
    ResumeSession(Vec<u8>),
}

impl core::fmt::Debug for Event {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::ClientHello(info) => f.debug_tuple("ClientHello").field(info).finish(),
            Self::HandshakeComplete => f.write_str("HandshakeComplete"),
            Self::PlaintextReady => f.write_str("PlaintextReady"),
            Self::NewSessionTicket(s) => f.debug_tuple("NewSessionTicket").field(s).finish(),
            Self::KeyUpdated { update_requested } => f
                .debug_struct("KeyUpdated")
                .field("update_requested", update_requested)
                .finish(),
            Self::WarningAlert(a) => f.debug_tuple("WarningAlert").field(a).finish(),
            Self::PeerClosed => f.write_str("PeerClosed"),
            Self::KeyLog(line) => f.debug_tuple("KeyLog").field(line).finish(),
            Self::OcspResponse(r) => write!(f, "OcspResponse({} bytes)", r.len()),
            Self::NewSession { id, data } => write!(
                f,
                "NewSession {{ id: {}, data: <{} bytes> }}",
                hex::encode(id),
                data.len()
            ),
            Self::ResumeSession(id) => write!(f, "ResumeSession({})", hex::encode(id)),
        }
    }
}

/// One NSS key-log line: `LABEL <client_random hex> <secret hex>`.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyLogLine {
    /// The label (CLIENT_HANDSHAKE_TRAFFIC_SECRET, ...).
    pub label: KeyLogLabel,
    /// The ClientHello random that identifies the connection.
    pub client_random: [u8; 32],
    /// The secret.
    pub secret: Vec<u8>,
}

impl KeyLogLine {
    /// The line as written to an SSLKEYLOGFILE (without the newline).
    pub fn to_line(&self) -> String {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        format!(
            "{} {} {}",
            self.label.as_str(),
            hex(&self.client_random),
            hex(&self.secret)
        )
    }
}

impl core::fmt::Debug for KeyLogLine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the secret by accident.
        write!(f, "KeyLogLine({:?})", self.label)
    }
}

/// A message the record layer hands to the handshake state.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// The decoded content.
    pub(crate) payload: MessagePayload,
    /// For handshake messages, the exact bytes (header included) for the transcript.
    pub(crate) encoded: Vec<u8>,
}

impl Message {
    pub(crate) fn handshake_type(&self) -> Option<HandshakeType> {
        match &self.payload {
            MessagePayload::Handshake(h) => Some(h.typ),
            _ => None,
        }
    }

    /// The handshake body, or the unexpected-message error for any other content.
    pub(crate) fn handshake_payload(
        &self,
    ) -> Result<&crate::msgs::message::HandshakePayload, Error> {
        match &self.payload {
            MessagePayload::Handshake(h) => Ok(&h.payload),
            _ => Err(self.unexpected()),
        }
    }

    /// The error for "this state did not expect this message".
    pub(crate) fn unexpected(&self) -> Error {
        PeerMisbehaved::UnexpectedMessage(
            self.payload.content_type(),
            self.handshake_type().unwrap_or(HandshakeType::Unknown(0)),
        )
        .into()
    }
}

/// What a handshake state may ask of the connection while it handles a message.
pub(crate) struct Context<'a> {
    pub(crate) common: &'a mut Common,
    pub(crate) now: UnixTime,
}

/// One step of a handshake. Each state consumes itself and returns the next.
pub(crate) trait State: Send + Sync + 'static {
    /// Handles one message received in this state.
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error>;

    /// Server only: the caller answered a `ResumeSession` event.
    fn session_found(
        self: Box<Self>,
        _cx: &mut Context<'_>,
        _data: Option<Vec<u8>>,
    ) -> Result<Box<dyn State>, Error> {
        Err(Error::ApiMisuse(
            "session_found: the connection is not waiting for a session",
        ))
    }

    /// Server only: the caller answered a `ClientHello` event.
    fn accept(
        self: Box<Self>,
        _cx: &mut Context<'_>,
        _config: std::sync::Arc<crate::server::ServerConfig>,
    ) -> Result<Box<dyn State>, Error> {
        Err(Error::ApiMisuse(
            "accept: the connection is not waiting for a configuration",
        ))
    }

    /// Starts a TLS 1.2 renegotiation (traffic state only): a new ClientHello on the client,
    /// a HelloRequest on the server (optionally with another configuration, e.g. one that
    /// asks for a client certificate). Returns the next state when there is one; an
    /// `Error::ApiMisuse` leaves the connection as it was.
    fn renegotiate(
        &mut self,
        _cx: &mut Context<'_>,
        _server_config: Option<std::sync::Arc<crate::server::ServerConfig>>,
    ) -> Result<Option<Box<dyn State>>, Error> {
        Err(Error::ApiMisuse(
            "renegotiate: only a TLS 1.2 connection whose handshake is complete renegotiates",
        ))
    }

    /// Sends a KeyUpdate (TLS 1.3 traffic state only).
    fn send_key_update(&mut self, _cx: &mut Context<'_>, _request_peer: bool) -> Result<(), Error> {
        Err(Error::ApiMisuse(
            "key_update: the handshake is not complete",
        ))
    }

    /// RFC 8446 s7.5 / RFC 5705 exporter (traffic state only).
    fn export_keying_material(
        &self,
        _label: &[u8],
        _context: Option<&[u8]>,
        _out: &mut [u8],
    ) -> Result<(), Error> {
        Err(Error::ApiMisuse(
            "export_keying_material: the handshake is not complete",
        ))
    }
}

/// How much plaintext the connection buffers in each direction before it pushes back.
pub const DEFAULT_BUFFER_LIMIT: usize = 64 * 1024;

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
    /// Whether the session was resumed (a TLS 1.3 PSK, a TLS 1.2 ticket or session id); the
    /// peer certificates and verdict are then the session's.
    pub resumed: bool,
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
    /// `getCertificate()`.
    pub local_certificates: Vec<Vec<u8>>,
    /// The signature schemes the peer offered for our signature (the server: the
    /// ClientHello's signature_algorithms; the client: the CertificateRequest's), in its
    /// order, limited to the configuration's `signature_schemes` when set: with the ones
    /// our keys can use, Node's `getSharedSigalgs()`.
    pub peer_signature_schemes: Vec<crate::enums::SignatureScheme>,
}

/// The parts of a connection the handshake states share: record layer, buffers, events.
pub(crate) struct Common {
    pub(crate) side: Side,
    deframer: Deframer,
    joiner: HandshakeJoiner,
    checker: PlaintextChecker,
    opener: Option<RecordOpener>,
    sealer: Option<RecordSealer>,
    pub(crate) fragmenter: Fragmenter,
    /// TLS bytes waiting for `write_tls`.
    outgoing: Vec<u8>,
    /// Handshake messages not yet cut into records: consecutive messages under one key
    /// share records (fewer records, fewer AEAD operations, and the framing other stacks
    /// use).
    pending_handshake: Vec<u8>,
    /// Decrypted application data waiting for `read_plaintext` (read from `received_at`).
    received: Vec<u8>,
    received_at: usize,
    /// The plaintext of the latest ApplicationData record, left in the deframer's buffer
    /// where it was decrypted, when nothing older was waiting: `read_plaintext` copies it
    /// out from there, so bulk data is not copied into `received` first. It moves into
    /// `received` (copied once) only if more records arrive before it has been read.
    retained: Option<core::ops::Range<usize>>,
    /// Application data the caller sent before the handshake completed.
    early_out: Vec<u8>,
    pub(crate) buffer_limit: usize,
    events: VecDeque<Event>,
    pub(crate) negotiated: Negotiated,
    /// Whether application data may be sent / received yet.
    pub(crate) traffic: bool,
    /// TLS 1.3 middlebox compatibility: one plaintext CCS may arrive during the handshake.
    pub(crate) accept_ccs: bool,
    /// The record version for plaintext records (0x0301 for the first ClientHello).
    pub(crate) plain_record_version: ProtocolVersion,
    sent_close_notify: bool,
    received_close_notify: bool,
    pub(crate) keylog: bool,
    pub(crate) error: Option<Error>,
    pub(crate) handshake_deadline: Option<UnixTime>,
    /// When the peer started each renegotiation (Node's CLIENT_RENEG_WINDOW accounting).
    pub(crate) renegotiations: Vec<UnixTime>,
    /// Node's `disableRenegotiation()`.
    pub(crate) renegotiation_disabled: bool,
    /// A TLS 1.2 renegotiation is under way: what the caller sends waits in `early_out`
    /// until it completes, because peers (OpenSSL among them) refuse application data
    /// between the handshake messages of a renegotiation. What they send us is accepted.
    pub(crate) renegotiating: bool,
    pub(crate) limits: crate::limits::Limits,
    /// Warning alerts received in a row.
    warning_alerts: u32,
    /// Post-handshake handshake messages in the current window.
    post_handshake: crate::limits::RateCounter,
    /// The buffers sized for the handshake have been given back (see `trim_after_handshake`).
    trimmed: bool,
    /// Server only: skipping early data we did not accept (RFC 8446 s4.2.10).
    pub(crate) early_data: EarlyDataSkip,
    /// Bytes of early data skipped so far.
    early_data_skipped: usize,
    /// TLS 1.2: the write key reached its usage limit and the connection closed.
    pub(crate) key_usage_limit: bool,
}

/// How a server that declined a client's 0-RTT skips the early data (RFC 8446 s4.2.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EarlyDataSkip {
    /// Nothing to skip.
    None,
    /// After a HelloRetryRequest: every application_data record before the second
    /// ClientHello is early data.
    UntilSecondHello,
    /// After our ServerHello: records that fail to decrypt under the client's handshake
    /// key are early data, until the first one that decrypts.
    UntilDecrypts,
}

impl Common {
    pub(crate) fn new(side: Side) -> Self {
        Self {
            side,
            deframer: Deframer::new(),
            joiner: HandshakeJoiner::new(),
            checker: PlaintextChecker::new(),
            opener: None,
            sealer: None,
            fragmenter: Fragmenter::new(),
            outgoing: Vec::new(),
            pending_handshake: Vec::new(),
            received: Vec::new(),
            received_at: 0,
            retained: None,
            early_out: Vec::new(),
            buffer_limit: DEFAULT_BUFFER_LIMIT,
            events: VecDeque::new(),
            negotiated: Negotiated::default(),
            traffic: false,
            accept_ccs: false,
            plain_record_version: ProtocolVersion::TLSv1_2,
            sent_close_notify: false,
            received_close_notify: false,
            keylog: false,
            error: None,
            handshake_deadline: None,
            renegotiations: Vec::new(),
            renegotiation_disabled: false,
            renegotiating: false,
            limits: crate::limits::Limits::default(),
            warning_alerts: 0,
            post_handshake: crate::limits::RateCounter::default(),
            trimmed: false,
            early_data: EarlyDataSkip::None,
            early_data_skipped: 0,
            key_usage_limit: false,
        }
    }

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

    /// Installs a configuration's limits.
    pub(crate) fn apply_limits(&mut self, limits: &crate::limits::Limits) -> Result<(), Error> {
        self.joiner
            .set_max_message_len(limits.max_handshake_message_len)?;
        self.buffer_limit = limits.max_buffered_plaintext;
        self.limits = limits.clone();
        Ok(())
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

    /// Queues an event for the caller.
    pub(crate) fn emit(&mut self, e: Event) {
        self.events.push_back(e);
    }

    /// Queues a key-log line if key logging is on.
    pub(crate) fn log_secret(&mut self, label: KeyLogLabel, secret: &[u8]) {
        if self.keylog {
            let line = KeyLogLine {
                label,
                client_random: self.negotiated.client_random,
                secret: secret.to_vec(),
            };
            self.emit(Event::KeyLog(line));
        }
    }

    /// Installs the key for reading. A handshake message must not span a key change
    /// (RFC 8446 s5.1).
    pub(crate) fn set_opener(&mut self, opener: RecordOpener) -> Result<(), Error> {
        self.joiner.check_key_change()?;
        // Protected records may carry up to 256 (TLS 1.3, RFC 8446 s5.2) or 2048 (TLS 1.2,
        // RFC 5246 s6.2.3) bytes of expansion.
        let max = match self.negotiated.version {
            Some(ProtocolVersion::TLSv1_2) => MAX_CIPHERTEXT_TLS12,
            _ => MAX_CIPHERTEXT_TLS13,
        };
        self.deframer.set_max_payload_len(max)?;
        self.opener = Some(opener);
        Ok(())
    }

    /// Installs the key for writing. Handshake messages already queued go out under the
    /// previous key first.
    pub(crate) fn set_sealer(&mut self, sealer: RecordSealer) -> Result<(), Error> {
        self.flush_handshake()?;
        self.sealer = Some(sealer);
        Ok(())
    }

    /// Cuts the queued handshake messages into records.
    pub(crate) fn flush_handshake(&mut self) -> Result<(), Error> {
        if self.pending_handshake.is_empty() {
            return Ok(());
        }
        let pending = core::mem::take(&mut self.pending_handshake);
        self.emit_records(ContentType::Handshake, &pending)
    }

    /// Sends `data` as records of type `typ`, protected if a write key is installed, after
    /// any queued handshake messages.
    pub(crate) fn send_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        self.flush_handshake()?;
        self.emit_records(typ, data)
    }

    fn emit_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        for fragment in self.fragmenter.fragment(typ, data) {
            match &mut self.sealer {
                Some(sealer) => sealer.seal(fragment.typ, fragment.payload, &mut self.outgoing)?,
                None => fragment.encode_plain(self.plain_record_version, &mut self.outgoing),
            }
        }
        Ok(())
    }

    /// Queues a handshake message and returns its bytes for the transcript.
    pub(crate) fn send_handshake(&mut self, m: &HandshakeMessagePayload) -> Result<Vec<u8>, Error> {
        let encoded = m.get_encoding();
        self.pending_handshake.extend_from_slice(&encoded);
        Ok(encoded)
    }

    /// Sends a plaintext ChangeCipherSpec (TLS 1.3 middlebox compatibility, RFC 8446 D.4).
    pub(crate) fn send_compat_ccs(&mut self) -> Result<(), Error> {
        self.flush_handshake()?;
        let record = RecordHeader {
            typ: ContentType::ChangeCipherSpec,
            version: ProtocolVersion::TLSv1_2,
            len: 1,
        };
        record.encode(&mut self.outgoing);
        self.outgoing.push(1);
        Ok(())
    }

    /// Sends an alert (protected if keys are installed). Errors are ignored: an alert is
    /// a best effort on a connection that is going away.
    pub(crate) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        let alert = AlertMessagePayload { level, description }.get_encoding();
        let _ = self.send_records(ContentType::Alert, &alert);
    }

    /// How many more records the write key may seal before its usage limit.
    pub(crate) fn records_left(&self) -> u64 {
        self.sealer.as_ref().map_or(u64::MAX, |s| s.records_left())
    }

    /// Whether a TLS 1.3 established connection should send a KeyUpdate before sealing more.
    fn key_update_due(&self) -> bool {
        self.traffic
            && !self.renegotiating
            && self.error.is_none()
            && !self.sent_close_notify
            && self.negotiated.version == Some(ProtocolVersion::TLSv1_3)
            && self.records_left() <= KEY_USAGE_MARGIN
    }

    /// Whether the peer's close_notify closes our side too: TLS 1.2 has no half-close
    /// (RFC 5246 s7.2.1); TLS 1.3 does (RFC 8446 s6.1). Before a version is chosen, it does.
    fn closes_both_ways(&self) -> bool {
        self.negotiated.version != Some(ProtocolVersion::TLSv1_3)
    }

    /// Unread plaintext bytes, wherever they are.
    fn unread(&self) -> usize {
        let retained = self.retained.as_ref().map_or(0, |r| r.len());
        self.received.len() - self.received_at + retained
    }

    /// Moves retained plaintext out of the deframer's buffer into `received` (behind what
    /// is there): before the deframer may move or overwrite it, and before a newer record
    /// is queued behind it.
    fn keep_retained(&mut self) {
        if let Some(range) = self.retained.take() {
            if self.received_at > 0 {
                self.received.drain(..self.received_at);
                self.received_at = 0;
            }
            self.received.extend_from_slice(self.deframer.bytes(range));
        }
    }

    /// Once per handshake, as soon as the connection is established and holds nothing in
    /// flight, gives back the buffers the handshake grew: an idle connection then holds no
    /// I/O buffer at all. The record path grows them again on first use and keeps them, so
    /// a busy connection still allocates nothing per record.
    fn trim_after_handshake(&mut self) {
        if self.trimmed || !self.traffic || self.renegotiating {
            return;
        }
        let idle = self.deframer.is_empty()
            && self.joiner.is_empty()
            && self.outgoing.is_empty()
            && self.pending_handshake.is_empty()
            && self.early_out.is_empty()
            && self.received_at == self.received.len()
            && self.retained.is_none();
        if !idle {
            return;
        }
        self.deframer.release_if_empty();
        self.joiner.release_if_empty();
        self.outgoing = Vec::new();
        self.pending_handshake = Vec::new();
        self.early_out = Vec::new();
        self.received = Vec::new();
        self.received_at = 0;
        if self.events.is_empty() {
            self.events = VecDeque::new();
        }
        self.trimmed = true;
    }

    /// The handshake is done: application data may flow, and anything the caller sent
    /// early goes out now.
    pub(crate) fn start_traffic(&mut self) -> Result<(), Error> {
        self.traffic = true;
        self.trimmed = false;
        self.renegotiating = false;
        self.handshake_deadline = None;
        self.accept_ccs = false;
        let early = core::mem::take(&mut self.early_out);
        if !early.is_empty() {
            self.send_records(ContentType::ApplicationData, &early)?;
        }
        self.emit(Event::HandshakeComplete);
        Ok(())
    }

    fn fail(&mut self, e: Error) -> Error {
        if self.error.is_none() {
            // A flight cut short by the failure is not sent: only the alert is.
            self.pending_handshake.clear();
            if let Some(alert) = e.alert() {
                self.send_alert(AlertLevel::Fatal, alert);
            }
            self.error = Some(e.clone());
        }
        e
    }

    /// The version to decode handshake bodies with.
    fn decode_version(&self) -> ProtocolVersion {
        self.negotiated.version.unwrap_or(ProtocolVersion::TLSv1_2)
    }
}

/// Records a key keeps in reserve below its usage limit: the KeyUpdate (or, in TLS 1.2, the
/// close_notify) and whatever else must still go out under it, so the limit is never
/// reached even by a caller that seals in place and drains `write_tls` late.
pub(crate) const KEY_USAGE_MARGIN: u64 = 1024;

/// Counts `len` more bytes of skipped early data against the limit.
fn skip_early_data(
    skipped: &mut usize,
    len: usize,
    limits: &crate::limits::Limits,
) -> Result<(), Error> {
    *skipped = skipped.saturating_add(len);
    match *skipped > limits.max_skipped_early_data {
        true => Err(Error::LimitExceeded(Limit::SkippedEarlyData)),
        false => Ok(()),
    }
}

/// The largest empty buffer `write_tls` swaps for its own (two full TLS 1.2 records).
const SWAP_LIMIT: usize =
    2 * (crate::record::header::HEADER_LEN + crate::record::header::MAX_CIPHERTEXT_TLS12);

/// Where a decrypted record's plaintext is.
enum Payload<'a> {
    /// In the deframer's buffer, where it was decrypted.
    Deframer(core::ops::Range<usize>),
    /// In the caller's buffer (`open_in_place`).
    Caller(&'a [u8]),
}

/// A TLS connection of either side. `ClientConnection` and `ServerConnection` dereference
/// to it for everything that does not depend on the side.
pub struct Connection {
    pub(crate) common: Common,
    pub(crate) state: Option<Box<dyn State>>,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("side", &self.common.side)
            .field("handshaking", &self.is_handshaking())
            .field("negotiated", &self.common.negotiated.version)
            .finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) fn new(common: Common, state: Box<dyn State>) -> Self {
        Self {
            common,
            state: Some(state),
        }
    }

    // ---- input ----

    /// Offers bytes received from the transport. Returns how many were taken. It takes
    /// fewer than offered only for back-pressure, and then [`Self::process`] or reading
    /// plaintext makes room: the deframer holds at most one record until `process` handles
    /// it, and while the unread plaintext reaches `max_buffered_plaintext` it takes nothing
    /// ([`Self::wants_read`] is false) until the caller reads some. Bytes that can never
    /// matter are taken and dropped, so a loop that offers them again cannot spin: anything
    /// after the peer's close_notify (RFC 8446 s6.1, RFC 5246 s7.2.1), and anything once
    /// the connection has failed (`process` returns the error).
    pub fn read_tls(&mut self, bytes: &[u8]) -> usize {
        if self.common.error.is_some() || self.common.received_close_notify {
            return bytes.len();
        }
        // Stop taking records while the caller has not read the plaintext we hold.
        if !self.wants_read() || bytes.is_empty() {
            return 0;
        }
        self.common.keep_retained();
        self.common.deframer.read(bytes)
    }

    /// Whether [`Self::read_tls`] takes bytes now: false while the unread plaintext fills
    /// the buffer (read it first). After close_notify or a failure it is true: such bytes
    /// are taken and dropped.
    pub fn wants_read(&self) -> bool {
        let c = &self.common;
        c.error.is_some() || c.received_close_notify || c.unread() < c.buffer_limit
    }

    /// Queues application data to send. Before the handshake completes, and during a TLS 1.2
    /// renegotiation, it is buffered (up to the buffer limit); returns how many bytes were
    /// accepted.
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.common.error {
            return Err(e.clone());
        }
        if self.common.received_close_notify && self.common.closes_both_ways() {
            return Err(Error::ClosedByPeer);
        }
        if self.common.key_usage_limit {
            return Err(Error::KeyUsageLimit);
        }
        if self.common.sent_close_notify {
            return Err(Error::ApiMisuse("send after send_close_notify"));
        }
        if self.common.traffic && !self.common.renegotiating {
            self.send_application_data(data)?;
            return Ok(data.len());
        }
        let room = self
            .common
            .buffer_limit
            .saturating_sub(self.common.early_out.len());
        let n = data.len().min(room);
        self.common.early_out.extend_from_slice(&data[..n]);
        Ok(n)
    }

    /// Seals application data, keeping each key within its usage limit (RFC 8446 s5.5): in
    /// TLS 1.3 the data is split at a KeyUpdate we send by ourselves [`KEY_USAGE_MARGIN`]
    /// records before the limit; TLS 1.2 has no KeyUpdate, so there the connection closes
    /// (close_notify, then `Error::KeyUsageLimit`) before the limit.
    fn send_application_data(&mut self, mut data: &[u8]) -> Result<(), Error> {
        let fragment = self.common.fragmenter.max_fragment();
        while !data.is_empty() {
            let left = self.common.records_left();
            if left <= KEY_USAGE_MARGIN {
                self.renew_write_key()?;
                continue;
            }
            let records = usize::try_from(left - KEY_USAGE_MARGIN).unwrap_or(usize::MAX);
            let n = records.saturating_mul(fragment).min(data.len());
            self.common
                .send_records(ContentType::ApplicationData, &data[..n])?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Our write key is near its usage limit: a TLS 1.3 KeyUpdate replaces it; a TLS 1.2
    /// connection closes cleanly.
    fn renew_write_key(&mut self) -> Result<(), Error> {
        let c = &mut self.common;
        if c.negotiated.version != Some(ProtocolVersion::TLSv1_3) {
            if !c.sent_close_notify {
                c.sent_close_notify = true;
                c.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
            }
            c.key_usage_limit = true;
            return Err(Error::KeyUsageLimit);
        }
        let Some(state) = self.state.as_mut() else {
            return Err(Error::ApiMisuse("no handshake state"));
        };
        let mut cx = Context {
            common: &mut self.common,
            now: UnixTime::default(),
        };
        state.send_key_update(&mut cx, false)
    }

    /// Sends close_notify: we will send nothing more. The peer's data may still arrive.
    pub fn send_close_notify(&mut self) {
        if !self.common.sent_close_notify && self.common.error.is_none() {
            self.common.sent_close_notify = true;
            self.common
                .send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
    }

    /// Sends a TLS 1.3 KeyUpdate; with `request_peer` the peer must update its keys too.
    pub fn key_update(&mut self, request_peer: bool) -> Result<(), Error> {
        let now = UnixTime::default();
        let Some(state) = self.state.as_mut() else {
            return Err(Error::ApiMisuse("key_update on a failed connection"));
        };
        let mut cx = Context {
            common: &mut self.common,
            now,
        };
        state.send_key_update(&mut cx, request_peer)
    }

    /// Derives keying material (RFC 8446 s7.5 for TLS 1.3; `context: None` and
    /// `Some(&[])` differ in TLS 1.2 only, RFC 5705).
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        match &self.state {
            Some(s) => s.export_keying_material(label, context, out),
            None => Err(Error::ApiMisuse(
                "export_keying_material on a failed connection",
            )),
        }
    }

    // ---- advancing ----

    /// Processes every whole record received so far. On a fatal error the right alert is
    /// queued for `write_tls`, the error is returned, and it is returned again by every
    /// later call (errors are sticky).
    pub fn process(&mut self, now: UnixTime) -> Result<(), Error> {
        if let Some(e) = &self.common.error {
            return Err(e.clone());
        }
        if let Some(deadline) = self.common.handshake_deadline {
            if now >= deadline && !self.common.traffic {
                return Err(self.common.fail(Error::HandshakeTimeout));
            }
        }
        match self.process_records(now) {
            Ok(()) => {
                self.common.trim_after_handshake();
                Ok(())
            }
            Err(e) => {
                self.state = None;
                Err(self.common.fail(e))
            }
        }
    }

    /// Tells the connection that `now` has come; fails the handshake if its deadline passed.
    pub fn handle_timeout(&mut self, now: UnixTime) {
        if let Some(deadline) = self.common.handshake_deadline {
            if now >= deadline && !self.common.traffic && self.common.error.is_none() {
                self.state = None;
                self.common.fail(Error::HandshakeTimeout);
            }
        }
    }

    pub(crate) fn run_state(
        &mut self,
        now: UnixTime,
        f: impl FnOnce(Box<dyn State>, &mut Context<'_>) -> Result<Box<dyn State>, Error>,
    ) -> Result<(), Error> {
        let Some(state) = self.state.take() else {
            return Err(self
                .common
                .error
                .clone()
                .unwrap_or(Error::ApiMisuse("no state")));
        };
        let mut cx = Context {
            common: &mut self.common,
            now,
        };
        match f(state, &mut cx) {
            Ok(next) => {
                self.state = Some(next);
                Ok(())
            }
            Err(e) => Err(self.common.fail(e)),
        }
    }

    fn process_records(&mut self, now: UnixTime) -> Result<(), Error> {
        loop {
            // Whole handshake messages already joined go first, in order.
            if let Some(m) = self.common.joiner.pop() {
                // After the handshake (and outside a renegotiation's own messages), each
                // message counts against the post-handshake rate.
                if self.common.traffic && !self.common.renegotiating {
                    let l = &self.common.limits;
                    let (window, max) = (l.post_handshake_window, l.max_post_handshake_messages);
                    if !self.common.post_handshake.admit(now, window, max) {
                        return Err(Error::LimitExceeded(Limit::PostHandshakeMessages));
                    }
                }
                let encoded = m.encoded.to_vec();
                let version = self.common.decode_version();
                let payload = HandshakeMessagePayload::read_bytes_version(&encoded, version)?;
                // RFC 5246 s7.4.1.1: a client that is already negotiating ignores a
                // HelloRequest (e.g. one that crossed our own renegotiation on the wire).
                let hello_request = matches!(payload.payload, HandshakePayload::HelloRequest(_));
                if hello_request
                    && self.common.side == Side::Client
                    && version == ProtocolVersion::TLSv1_2
                    && (self.common.renegotiating || !self.common.traffic)
                {
                    continue;
                }
                let msg = Message {
                    payload: MessagePayload::Handshake(payload),
                    encoded,
                };
                self.deliver(now, msg)?;
                continue;
            }
            if self.common.received_close_notify {
                return Ok(());
            }
            let Some(record) = self.common.deframer.pop_record()? else {
                return Ok(());
            };
            let header = record.header;
            let tls12 = self.common.negotiated.version == Some(ProtocolVersion::TLSv1_2);
            // In TLS 1.3 ChangeCipherSpec is never protected (RFC 8446 s5) and only the
            // middlebox-compatibility no-op. In TLS 1.2 it is a message of its own (handled
            // below, after decryption: renegotiation sends it under the current keys).
            if header.typ == ContentType::ChangeCipherSpec && !tls12 {
                // RFC 8446 s5.1: not between the records of one handshake message.
                self.common
                    .joiner
                    .check_interleave(ContentType::ChangeCipherSpec)?;
                check_ccs_payload(record.payload)?;
                if !self.common.accept_ccs {
                    return Err(PeerMisbehaved::ChangeCipherSpecInTls13.into());
                }
                self.common.accept_ccs = false;
                continue;
            }
            // Decrypted in place; from here on the plaintext is addressed by its position
            // in the deframer's buffer (so it can be left there, see `retained`).
            let offset = record.offset;
            let early_data = &mut self.common.early_data;
            let early_data_skipped = &mut self.common.early_data_skipped;
            let limits = &self.common.limits;
            let early =
                header.typ == ContentType::ApplicationData && *early_data != EarlyDataSkip::None;
            let (typ, range) = match &mut self.common.opener {
                Some(opener) => match opener.open_in_place(&header, record.payload) {
                    Ok(p) => {
                        if early {
                            *early_data = EarlyDataSkip::None;
                        }
                        let start = offset + p.offset;
                        (p.typ, start..start + p.payload.len())
                    }
                    // RFC 8446 s4.2.10: early data we declined does not decrypt under the
                    // handshake key; it is skipped, within a limit.
                    Err(Error::DecryptError)
                        if early && *early_data == EarlyDataSkip::UntilDecrypts =>
                    {
                        skip_early_data(early_data_skipped, record.payload.len(), limits)?;
                        continue;
                    }
                    Err(e) => return Err(e),
                },
                None if early => {
                    skip_early_data(early_data_skipped, record.payload.len(), limits)?;
                    continue;
                }
                None => (header.typ, offset..offset + record.payload.len()),
            };
            if self.accept_plaintext(now, typ, Payload::Deframer(range.clone()))? {
                // An older record still in the deframer's buffer goes first.
                self.common.keep_retained();
                let c = &mut self.common;
                if c.received_at == c.received.len() {
                    // Nothing else unread: leave it where it was decrypted.
                    c.received.clear();
                    c.received_at = 0;
                    c.retained = Some(range);
                } else {
                    // Drop what the caller has read before appending, so the buffer holds
                    // at most the unread bytes plus one record.
                    if c.received_at > 0 {
                        c.received.drain(..c.received_at);
                        c.received_at = 0;
                    }
                    c.received.extend_from_slice(c.deframer.bytes(range));
                }
                self.common.emit(Event::PlaintextReady);
            }
        }
    }

    /// Checks a decrypted record's plaintext (wherever it is) and handles it, unless it is
    /// application data: returns whether it is non-empty application data, which the
    /// caller delivers (queued for `read_plaintext`, or in place).
    fn accept_plaintext(
        &mut self,
        now: UnixTime,
        typ: ContentType,
        at: Payload<'_>,
    ) -> Result<bool, Error> {
        let tls12 = self.common.negotiated.version == Some(ProtocolVersion::TLSv1_2);
        let c = &mut self.common;
        let payload = match at {
            Payload::Deframer(range) => c.deframer.bytes(range),
            Payload::Caller(bytes) => bytes,
        };
        if payload.len() > MAX_PLAINTEXT {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        c.checker.check(typ, payload)?;
        if c.checker.consecutive_empty_app_data() > c.limits.max_empty_records {
            return Err(Error::LimitExceeded(Limit::EmptyRecords));
        }
        if crate::record::deframer::progress(typ, payload) {
            c.warning_alerts = 0;
        }
        c.joiner.check_interleave(typ)?;
        match typ {
            ContentType::Handshake => c.joiner.push(payload)?,
            ContentType::ChangeCipherSpec if tls12 => {
                check_ccs_payload(payload)?;
                // RFC 5246 s7.1: no handshake message may straddle the key change.
                c.joiner.check_key_change()?;
                let payload =
                    MessagePayload::ChangeCipherSpec(crate::msgs::ccs::ChangeCipherSpecPayload);
                self.deliver(
                    now,
                    Message {
                        payload,
                        encoded: Vec::new(),
                    },
                )?;
            }
            ContentType::Alert => {
                let alert = AlertMessagePayload::read_bytes(payload)?;
                self.handle_alert(alert)?;
            }
            ContentType::ApplicationData => {
                if !c.traffic {
                    return Err(PeerMisbehaved::ApplicationDataBeforeHandshake.into());
                }
                return Ok(!payload.is_empty());
            }
            other => return Err(InvalidMessage::InvalidContentType(other).into()),
        }
        Ok(false)
    }

    fn deliver(&mut self, now: UnixTime, msg: Message) -> Result<(), Error> {
        let Some(state) = self.state.take() else {
            return Err(Error::ApiMisuse("no handshake state"));
        };
        let mut cx = Context {
            common: &mut self.common,
            now,
        };
        let next = state.handle(&mut cx, msg)?;
        self.state = Some(next);
        Ok(())
    }

    fn handle_alert(&mut self, alert: AlertMessagePayload) -> Result<(), Error> {
        if alert.description == AlertDescription::CloseNotify {
            let c = &mut self.common;
            c.received_close_notify = true;
            // RFC 5246 s7.2.1: in TLS 1.2 close_notify closes the connection both ways: we
            // answer with ours and send nothing else (what `send` held is dropped; records
            // already sealed go first, or the peer could not open our close_notify).
            if c.closes_both_ways() {
                c.early_out.clear();
                if !c.sent_close_notify {
                    c.sent_close_notify = true;
                    c.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
                }
            }
            c.emit(Event::PeerClosed);
            return Ok(());
        }
        // RFC 8446 s6: in TLS 1.3 every alert but close_notify and user_canceled is fatal,
        // whatever level it claims.
        let tls13 = self.common.negotiated.version == Some(ProtocolVersion::TLSv1_3);
        // Our renegotiation declined: the handshake cannot go on, and (as OpenSSL and so
        // Node do) the connection ends with handshake_failure.
        if alert.description == AlertDescription::NoRenegotiation
            && self.common.renegotiating
            && self.common.side == Side::Client
        {
            return Err(PeerIncompatible::RenegotiationDeclined.into());
        }
        if alert.level == AlertLevel::Warning
            && (!tls13 || alert.description == AlertDescription::UserCanceled)
        {
            self.common.warning_alerts = self.common.warning_alerts.saturating_add(1);
            if self.common.warning_alerts > self.common.limits.max_warning_alerts {
                return Err(Error::LimitExceeded(Limit::WarningAlerts));
            }
            self.common.emit(Event::WarningAlert(alert.description));
            return Ok(());
        }
        // No alert is sent back for a received fatal alert.
        let e = Error::AlertReceived(alert.description);
        self.common.error = Some(e.clone());
        self.state = None;
        Err(e)
    }

    // ---- output ----

    /// Appends the TLS bytes to send to `out`; returns how many were appended.
    pub fn write_tls(&mut self, out: &mut Vec<u8>) -> usize {
        if let Err(e) = self.common.flush_handshake() {
            self.state = None;
            self.common.fail(e);
        }
        // Records sealed in place may have brought the key near its limit: a TLS 1.3
        // KeyUpdate goes out now (TLS 1.2 closes at the next seal).
        if self.common.key_update_due() {
            if let Err(e) = self.renew_write_key() {
                self.state = None;
                self.common.fail(e);
            }
        }
        let n = self.common.outgoing.len();
        // Into an empty buffer, appending is handing over our buffer: swap instead of
        // copying (bulk sending then moves no byte twice), as long as the buffer we get in
        // exchange is no bigger than two full records, so a caller's large buffer never
        // stays with an idle connection. With nothing to send, nothing is exchanged (a
        // caller polling an idle connection keeps its own buffer).
        if n > 0 && out.is_empty() && out.capacity() <= SWAP_LIMIT {
            core::mem::swap(out, &mut self.common.outgoing);
        } else {
            out.append(&mut self.common.outgoing);
        }
        self.common.trim_after_handshake();
        n
    }

    /// Whether `write_tls` has bytes to give.
    pub fn wants_write(&self) -> bool {
        !self.common.outgoing.is_empty()
            || !self.common.pending_handshake.is_empty()
            || self.common.key_update_due()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.common.events.pop_front()
    }

    /// Copies received application data into `buf`; returns how many bytes.
    pub fn read_plaintext(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        while n < buf.len() {
            let chunk = self.peek_plaintext();
            let k = chunk.len().min(buf.len() - n);
            if k == 0 {
                break;
            }
            buf[n..n + k].copy_from_slice(&chunk[..k]);
            self.consume_plaintext(k);
            n += k;
        }
        n
    }

    /// The next received application data, without copying it (`BufRead::fill_buf`'s
    /// contract): empty when none is waiting, and possibly only part of what is (call again
    /// after [`Self::consume_plaintext`]). The bytes are usually still where they were
    /// decrypted, in the connection's receive buffer.
    pub fn peek_plaintext(&self) -> &[u8] {
        let c = &self.common;
        match (&c.received[c.received_at..], &c.retained) {
            ([], Some(range)) => c.deframer.bytes(range.clone()),
            (queued, _) => queued,
        }
    }

    /// Marks `n` bytes of [`Self::peek_plaintext`] as read (at most what it returned).
    pub fn consume_plaintext(&mut self, n: usize) {
        let c = &mut self.common;
        let queued = c.received.len() - c.received_at;
        if queued > 0 {
            c.received_at += n.min(queued);
            return;
        }
        // The queue is empty, so what was peeked is the record left in the deframer's
        // buffer, which is always the newest.
        if let Some(range) = &mut c.retained {
            range.start += n.min(range.end - range.start);
            if range.start == range.end {
                c.retained = None;
            }
        }
    }

    /// When `handle_timeout` should next be called, if ever.
    pub fn poll_timeout(&self) -> Option<UnixTime> {
        match self.common.traffic || self.common.error.is_some() {
            true => None,
            false => self.common.handshake_deadline,
        }
    }

    // ---- getters ----

    /// Whether the handshake is still running.
    pub fn is_handshaking(&self) -> bool {
        !self.common.traffic && self.common.error.is_none()
    }

    /// What has been negotiated so far.
    pub fn negotiated(&self) -> &Negotiated {
        &self.common.negotiated
    }

    /// The sticky error, if the connection has failed.
    pub fn error(&self) -> Option<&Error> {
        self.common.error.as_ref()
    }

    /// Whether the peer has sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.common.received_close_notify
    }

    /// Node's `renegotiate()`, TLS 1.2 only: a client sends a new ClientHello, a server a
    /// HelloRequest (the client may decline it). The new handshake runs under the current
    /// keys; the peer's application data is accepted throughout, and what we `send` while
    /// our side of it runs is held (within the buffer limit) and goes out, under the new
    /// keys, the moment it completes: peers such as OpenSSL refuse data in the middle of a
    /// handshake. `Event::HandshakeComplete` comes again when it ends. Refused (`Error::ApiMisuse`) before the first handshake
    /// completes, on TLS 1.3, while a renegotiation is under way, and with a peer that did
    /// not negotiate RFC 5746 secure renegotiation.
    pub fn renegotiate(&mut self, now: UnixTime) -> Result<(), Error> {
        self.start_renegotiation(now, None)
    }

    pub(crate) fn start_renegotiation(
        &mut self,
        now: UnixTime,
        server_config: Option<std::sync::Arc<crate::server::ServerConfig>>,
    ) -> Result<(), Error> {
        if let Some(e) = &self.common.error {
            return Err(e.clone());
        }
        if self.common.sent_close_notify {
            return Err(Error::ApiMisuse("renegotiate after send_close_notify"));
        }
        let Some(state) = self.state.as_mut() else {
            return Err(Error::ApiMisuse("no state"));
        };
        let mut cx = Context {
            common: &mut self.common,
            now,
        };
        match state.renegotiate(&mut cx, server_config) {
            Ok(Some(next)) => {
                self.state = Some(next);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e @ Error::ApiMisuse(_)) => Err(e),
            Err(e) => Err(self.common.fail(e)),
        }
    }

    /// Test hook: sends one record of `typ` holding exactly `payload` (which may be empty or
    /// break the protocol) under the current keys, to play a hostile peer in tests. Not for
    /// production use.
    #[doc(hidden)]
    pub fn send_raw_record(&mut self, typ: ContentType, payload: &[u8]) -> Result<(), Error> {
        let c = &mut self.common;
        c.flush_handshake()?;
        let fragment = crate::record::fragmenter::Fragment { typ, payload };
        match &mut c.sealer {
            Some(sealer) => sealer.seal(fragment.typ, fragment.payload, &mut c.outgoing)?,
            None => fragment.encode_plain(c.plain_record_version, &mut c.outgoing),
        }
        Ok(())
    }

    /// Node's `disableRenegotiation()`: further renegotiation attempts are declined.
    pub fn disable_renegotiation(&mut self) {
        self.common.renegotiation_disabled = true;
    }

    /// Sets the largest plaintext fragment we send (Node's `setMaxSendFragment`, 512..16384).
    pub fn set_max_send_fragment(&mut self, size: usize) -> Result<(), Error> {
        self.common.fragmenter.set_max_fragment(size)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::fuzzing::{client_config, server_config};
    use crate::{ClientConnection, ServerConnection};

    const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

    /// Moves bytes both ways until neither side has anything to send (the in-place tests
    /// use it too).
    pub(super) fn exchange(c: &mut Connection, s: &mut Connection) {
        loop {
            let (mut to_s, mut to_c) = (Vec::new(), Vec::new());
            c.write_tls(&mut to_s);
            assert_eq!(s.read_tls(&to_s), to_s.len());
            s.process(NOW).unwrap();
            s.write_tls(&mut to_c);
            assert_eq!(c.read_tls(&to_c), to_c.len());
            c.process(NOW).unwrap();
            if to_s.is_empty() && to_c.is_empty() {
                return;
            }
        }
    }

    /// Bytes of I/O buffer a connection holds allocated.
    fn buffers(c: &Connection) -> usize {
        let m = &c.common;
        m.deframer.allocated()
            + m.outgoing.capacity()
            + m.pending_handshake.capacity()
            + m.received.capacity()
            + m.early_out.capacity()
    }

    #[test]
    fn an_idle_connection_holds_no_io_buffers_and_a_busy_one_stops_allocating() {
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            let client = Arc::new(client_config(version));
            let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
            let mut s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
            exchange(&mut c, &mut s);
            assert!(!c.is_handshaking() && !s.is_handshaking());
            // The handshake's flights needed buffers; established and idle, none is kept.
            assert_eq!(buffers(&c), 0, "client {version:?}");
            assert_eq!(buffers(&s), 0, "server {version:?}");
            // Polling an idle connection leaves the caller's buffer with the caller.
            let mut polled = Vec::with_capacity(1000);
            assert_eq!(c.write_tls(&mut polled), 0);
            assert!(polled.capacity() >= 1000 && buffers(&c) == 0);

            // Bulk data: the buffers grow on the first records, then stay the same size.
            let data = vec![7; 16384];
            let mut sizes = Vec::new();
            let mut out = vec![0; 16384];
            for _ in 0..8 {
                c.send(&data).unwrap();
                let mut wire = Vec::new();
                c.write_tls(&mut wire);
                assert_eq!(s.read_tls(&wire), wire.len());
                s.process(NOW).unwrap();
                assert_eq!(s.read_plaintext(&mut out), data.len());
                sizes.push((buffers(&c), buffers(&s)));
            }
            assert!(sizes[0].1 > 0, "{version:?}: the receiver has a buffer");
            assert!(
                sizes[3..].windows(2).all(|w| w[0] == w[1]),
                "{version:?}: buffers keep their size under load: {sizes:?}"
            );
        }
    }

    #[test]
    fn plaintext_arrives_whole_and_in_order_however_reads_interleave() {
        // Records of distinct bytes; the receiver takes the wire in chunks of `feed` bytes
        // and reads plaintext `read` bytes at a time, so the latest record is sometimes
        // still in the deframer's buffer (retained), sometimes copied out, sometimes split.
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            for (feed, read) in [
                (1 << 20, 1 << 20),
                (1 << 20, 700),
                (5000, 3000),
                (700, 1 << 20),
            ] {
                let client = Arc::new(client_config(version));
                let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
                let mut s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
                exchange(&mut c, &mut s);
                let mut sent = Vec::new();
                let mut wire = Vec::new();
                for i in 0..40u32 {
                    let chunk: Vec<u8> = (0..(i * 997) % 20000 + 1)
                        .map(|j| (i * 31 + j) as u8)
                        .collect();
                    c.send(&chunk).unwrap();
                    sent.extend_from_slice(&chunk);
                }
                c.write_tls(&mut wire);
                let mut got = Vec::new();
                let mut buf = vec![0; read];
                let mut rest = &wire[..];
                while !rest.is_empty() || got.len() < sent.len() {
                    let take = rest.len().min(feed);
                    let n = s.read_tls(&rest[..take]);
                    rest = &rest[n..];
                    s.process(NOW).unwrap();
                    // Alternate the copying reader and the borrowing one.
                    let k = match got.len() % 2 {
                        0 => s.read_plaintext(&mut buf),
                        _ => {
                            let chunk = s.peek_plaintext();
                            let k = chunk.len().min(read);
                            buf[..k].copy_from_slice(&chunk[..k]);
                            s.consume_plaintext(k);
                            k
                        }
                    };
                    got.extend_from_slice(&buf[..k]);
                    assert!(n > 0 || k > 0, "no progress ({version:?} {feed} {read})");
                }
                assert!(got == sent, "{version:?} feed {feed} read {read}");
            }
        }
    }

    /// A client of `version` and a server, before their handshake (the default suites:
    /// AES-256-GCM first).
    pub(super) fn start(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
        let client = Arc::new(client_config(version));
        let c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
        let s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
        (c, s)
    }

    /// Runs the handshake of `start`'s pair; both are established, their events drained.
    pub(super) fn establish(c: &mut Connection, s: &mut Connection) {
        exchange(c, s);
        assert!(!c.is_handshaking() && !s.is_handshaking());
        while c.poll_event().is_some() {}
        while s.poll_event().is_some() {}
    }

    /// An established pair of `version`.
    pub(super) fn pair(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
        let (mut c, mut s) = start(version);
        establish(&mut c, &mut s);
        assert_eq!(c.negotiated().version, Some(version));
        (c, s)
    }

    /// Moves the client's write sequence (and the server's read sequence with it) to
    /// `left` records before the key's usage limit.
    fn near_limit(c: &mut Connection, s: &mut Connection, left: u64) {
        let sealer = c.common.sealer.as_mut().unwrap();
        let seq = sealer.algorithm().confidentiality_limit() - left;
        sealer.set_seq(seq);
        s.common.opener.as_mut().unwrap().set_seq(seq);
    }

    /// Reads `wire` through `read_tls`, `process` and `read_plaintext` (the in-place tests
    /// use it too); returns the application data.
    pub(super) fn read_buffered(conn: &mut Connection, mut wire: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        loop {
            let n = conn.read_tls(wire);
            wire = &wire[n..];
            conn.process(NOW).unwrap();
            plain.extend(read_all(conn));
            if wire.is_empty() {
                return plain;
            }
        }
    }

    fn read_all(s: &mut Connection) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = s.read_plaintext(&mut buf);
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn tls13_updates_its_key_before_the_usage_limit_by_itself() {
        let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
        near_limit(&mut c, &mut s, KEY_USAGE_MARGIN + 2);
        // Five records' worth: two fit under the old key, then a KeyUpdate, then the rest.
        let data: Vec<u8> = (0..5 * 16384).map(|i| i as u8).collect();
        assert_eq!(c.send(&data).unwrap(), data.len());
        assert!(c.common.sealer.as_ref().unwrap().seq() < 10, "a new key");
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        assert!(read_buffered(&mut s, &wire) == data);
        let events: Vec<Event> = std::iter::from_fn(|| s.poll_event()).collect();
        assert!(events.contains(&Event::KeyUpdated {
            update_requested: false
        }));

        // The in-place path: sealing reaches the margin, the KeyUpdate is due and
        // write_tls sends it; the next record is sealed under the new key.
        let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
        near_limit(&mut c, &mut s, KEY_USAGE_MARGIN + 1);
        let layout = c.seal_layout().unwrap();
        let mut record = vec![0; layout.buffer_len(5)];
        record[layout.plaintext(5)].copy_from_slice(b"hello");
        let n = c.seal_in_place(&mut record, 5).unwrap();
        assert!(c.wants_write(), "a KeyUpdate is due");
        let mut wire = record[..n].to_vec();
        c.write_tls(&mut wire);
        let mut record = vec![0; layout.buffer_len(5)];
        record[layout.plaintext(5)].copy_from_slice(b"again");
        let n = c.seal_in_place(&mut record, 5).unwrap();
        wire.extend_from_slice(&record[..n]);
        assert_eq!(read_buffered(&mut s, &wire), b"helloagain");
    }

    #[test]
    fn tls12_closes_cleanly_before_the_usage_limit() {
        let (mut c, mut s) = pair(ProtocolVersion::TLSv1_2);
        near_limit(&mut c, &mut s, KEY_USAGE_MARGIN + 2);
        let data = vec![7u8; 5 * 16384];
        assert_eq!(c.send(&data), Err(Error::KeyUsageLimit));
        assert_eq!(c.send(b"more"), Err(Error::KeyUsageLimit));
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        // What fitted arrived, then close_notify.
        assert_eq!(read_buffered(&mut s, &wire).len(), 2 * 16384);
        assert!(s.peer_closed());
        assert!(c.error().is_none(), "a clean close, not a failure");
    }

    #[test]
    fn bytes_after_close_notify_are_taken_and_dropped() {
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            let (mut c, mut s) = pair(version);
            c.send(b"last words").unwrap();
            c.send_close_notify();
            let mut wire = Vec::new();
            c.write_tls(&mut wire);
            // Garbage behind the close_notify, in the same read.
            wire.extend_from_slice(&[23, 3, 3, 0, 5, 1, 2, 3, 4, 5, 99, 99]);
            // The documented loop: offer until taken; it cannot spin.
            let mut offered = &wire[..];
            let mut rounds = 0;
            while !offered.is_empty() {
                let n = s.read_tls(offered);
                offered = &offered[n..];
                s.process(NOW).unwrap();
                rounds += 1;
                assert!(rounds < 10, "{version:?}: the loop spins");
            }
            assert!(s.peer_closed());
            assert_eq!(read_all(&mut s), b"last words");
            assert!(s.wants_read());
            assert_eq!(s.read_tls(b"more"), 4);
        }
    }

    /// An established pair whose server has processed the client's close_notify.
    fn closed_by_client(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
        let (mut c, mut s) = pair(version);
        c.send_close_notify();
        let mut wire = Vec::new();
        c.write_tls(&mut wire);
        s.read_tls(&wire);
        s.process(NOW).unwrap();
        (c, s)
    }

    #[test]
    fn tls12_close_notify_closes_both_directions() {
        let (mut c, mut s) = closed_by_client(ProtocolVersion::TLSv1_2);
        // The server answers with its own close_notify and sends nothing else.
        assert_eq!(s.send(b"HTTP/1.0 200 OK"), Err(Error::ClosedByPeer));
        let mut answer = Vec::new();
        s.write_tls(&mut answer);
        assert_eq!(c.read_tls(&answer), answer.len());
        c.process(NOW).unwrap();
        assert!(c.peer_closed());
        assert!(read_all(&mut c).is_empty());

        // TLS 1.3 closes one direction at a time.
        let (mut c, mut s) = closed_by_client(ProtocolVersion::TLSv1_3);
        s.send(b"still talking").unwrap();
        let mut answer = Vec::new();
        s.write_tls(&mut answer);
        c.read_tls(&answer);
        c.process(NOW).unwrap();
        assert_eq!(read_all(&mut c), b"still talking");
    }

    #[test]
    fn warning_alerts_and_empty_records_do_not_reset_each_other() {
        // Five warnings and one empty record, forever: each kind stays under its own
        // limit, and only records that carry something reset the counts.
        let (mut c, mut s) = pair(ProtocolVersion::TLSv1_2);
        let mut result = Ok(());
        for _ in 0..100 {
            for _ in 0..5 {
                c.send_raw_record(ContentType::Alert, &[1, 112]).unwrap();
            }
            c.send_raw_record(ContentType::ApplicationData, &[])
                .unwrap();
            let mut wire = Vec::new();
            c.write_tls(&mut wire);
            s.read_tls(&wire);
            result = s.process(NOW);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(Error::LimitExceeded(Limit::WarningAlerts)));
    }
}
