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
//!
//! This file holds the core: the connection and the state it shares with the handshake
//! (`Common`), and the `State` interface the handshakes implement. Each path through it has
//! its own file: `receive` (bytes in, records opened, messages to the state, plaintext
//! out), `send` (plaintext and handshake messages into sealed records, key-usage limits),
//! `events` (the event queue), `negotiated` (the report the handshake fills in) and
//! `in_place` (records sealed and opened in the caller's buffers).

use crate::prelude::*;
use alloc::collections::VecDeque;

use crate::enums::{AlertLevel, ContentType, HandshakeType, ProtocolVersion};
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::message::MessagePayload;
use crate::record::deframer::{Deframer, PlaintextChecker};
use crate::record::fragmenter::Fragmenter;
use crate::record::joiner::HandshakeJoiner;
use crate::record::protect::{RecordOpener, RecordSealer};
use crate::record::size_limit::RecordLimits;
use crate::time::UnixTime;

mod early_data;
mod events;
mod extract;
mod in_place;
mod io;
mod memory;
mod negotiated;
mod receive;
mod send;
#[cfg(test)]
mod tests;

pub use events::{Event, KeyLogLine, TraceEvent};
pub use extract::{DirectionSecrets, ExtractError, ExtractedSecrets, TrafficCipher};
pub use in_place::{Opened, SealLayout};
pub use io::record_len;
pub use negotiated::{Negotiated, PeerAuthentication};
pub(crate) use receive::EarlyDataSkip;

/// Which end of the connection we are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// We sent the ClientHello.
    Client,
    /// We answer ClientHellos.
    Server,
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

    /// Server only: whether this state waits for [`Self::accept`].
    fn awaits_config(&self) -> bool {
        false
    }

    /// Whether the state waits for the caller in the middle of the peer's flight (a TLS
    /// 1.2 PSK identity in the ClientKeyExchange, with the ChangeCipherSpec and Finished
    /// right behind it): records then stay buffered until the answer.
    fn holds_input(&self) -> bool {
        false
    }

    /// Server only: the caller answered a `PskIdentity` event with the key, or `None`.
    fn psk_found(
        self: Box<Self>,
        _cx: &mut Context<'_>,
        _key: Option<zeroize::Zeroizing<Vec<u8>>>,
    ) -> Result<Box<dyn State>, Error> {
        Err(Error::ApiMisuse(
            "psk_found: the connection is not waiting for a PSK",
        ))
    }

    /// Server only: the caller answered a `ClientHello` event.
    fn accept(
        self: Box<Self>,
        _cx: &mut Context<'_>,
        _config: alloc::sync::Arc<crate::server::ServerConfig>,
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
        _server_config: Option<alloc::sync::Arc<crate::server::ServerConfig>>,
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

/// Records a key keeps in reserve below its usage limit: the KeyUpdate (or, in TLS 1.2, the
/// close_notify) and whatever else must still go out under it, so the limit is never
/// reached even by a caller that seals in place and drains `write_tls` late.
pub(crate) const KEY_USAGE_MARGIN: u64 = 1024;

/// The parts of a connection the handshake states share: record layer, buffers, events.
pub(crate) struct Common {
    pub(crate) side: Side,
    deframer: Deframer,
    joiner: HandshakeJoiner,
    checker: PlaintextChecker,
    opener: Option<RecordOpener>,
    sealer: Option<RecordSealer>,
    pub(crate) fragmenter: Fragmenter,
    /// The record size limits the current handshake agreed (RFC 8449, RFC 6066), given to
    /// each key installed from now on (see `set_record_limits`).
    record_limits: RecordLimits,
    /// TLS bytes waiting for `write_tls` (from `outgoing_at`: what `write_tls_to`'s writer
    /// took is before it).
    outgoing: Vec<u8>,
    outgoing_at: usize,
    /// `read_tls_from` read end of stream from the transport.
    transport_eof: bool,
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
    /// Whether protocol messages are reported as `Event::Trace` (`Connection::set_trace`).
    pub(crate) trace: bool,
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
    /// The buffers sized for the handshake have been given back (see `trim`).
    trimmed: bool,
    /// The trim found events the caller had not taken yet: the queue is given back once
    /// `poll_event` has taken the last of them (see `trim`).
    release_events_when_taken: bool,
    /// Server only: skipping early data we did not accept (RFC 8446 s4.2.10).
    pub(crate) early_data: EarlyDataSkip,
    /// Bytes of early data skipped so far.
    early_data_skipped: usize,
    /// TLS 1.2: the write key reached its usage limit and the connection closed.
    pub(crate) key_usage_limit: bool,
    /// Server: 0-RTT data we accepted, until the client's EndOfEarlyData.
    early_in: Option<early_data::EarlyDataIn>,
    /// Client: the 0-RTT data we offered, until the server's answer (and EndOfEarlyData).
    /// Boxed: it holds a record sealer (about 600 bytes) that only a 0-RTT client uses, and
    /// every idle connection would carry it inline.
    early_out_0rtt: Option<Box<early_data::EarlyDataOut>>,
    /// 0-RTT data was accepted (`Connection::early_data_accepted`).
    early_data_accepted: bool,
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
            record_limits: RecordLimits::default(),
            outgoing: Vec::new(),
            outgoing_at: 0,
            transport_eof: false,
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
            trace: false,
            error: None,
            handshake_deadline: None,
            renegotiations: Vec::new(),
            renegotiation_disabled: false,
            renegotiating: false,
            limits: crate::limits::Limits::default(),
            warning_alerts: 0,
            post_handshake: crate::limits::RateCounter::default(),
            trimmed: false,
            release_events_when_taken: false,
            early_data: EarlyDataSkip::None,
            early_data_skipped: 0,
            key_usage_limit: false,
            early_in: None,
            early_out_0rtt: None,
            early_data_accepted: false,
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

    /// Records the limits this handshake agreed. They bind the keys installed from now on:
    /// RFC 8449 s4 subjects records to "the limits that were set in the handshake that
    /// produces the keys", so a TLS 1.2 renegotiation keeps the old limits until its
    /// ChangeCipherSpec. `now` also applies them to the keys in use (and to unprotected
    /// records): for a TLS 1.3 client, which learns the server's limit in
    /// EncryptedExtensions after the handshake keys are in place, and for
    /// max_fragment_length, which binds every record at once (RFC 6066 s4).
    pub(crate) fn set_record_limits(&mut self, limits: RecordLimits, now: bool) {
        self.record_limits = limits;
        if now {
            self.fragmenter.set_peer_limit(limits.send.content);
            if let Some(s) = &mut self.sealer {
                s.set_limit(limits.send);
            }
            if let Some(o) = &mut self.opener {
                o.set_limit(limits.receive);
            }
        }
    }

    /// Whether the peer's close_notify closes our side too: TLS 1.2 has no half-close
    /// (RFC 5246 s7.2.1); TLS 1.3 does (RFC 8446 s6.1). Before a version is chosen, it does.
    fn closes_both_ways(&self) -> bool {
        self.negotiated.version != Some(ProtocolVersion::TLSv1_3)
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

    /// Tells the connection that `now` has come; fails the handshake if its deadline
    /// passed. Returns whether this call failed it: the error is then
    /// [`Error::HandshakeTimeout`], in [`Self::error`] and returned by `process` from now
    /// on. No alert is queued for a timeout (none fits, and Node and OpenSSL send none:
    /// they close), but records queued before it still are: flush [`Self::write_tls`] if
    /// [`Self::wants_write`], then close the transport and drop the connection. Returns
    /// false when nothing changed (including when it had already failed).
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, now: sanstls::UnixTime, out: &mut Vec<u8>) {
    /// if conn.handle_timeout(now) {
    ///     conn.write_tls(out); // whatever was still queued; then close the transport
    /// }
    /// # }
    /// ```
    pub fn handle_timeout(&mut self, now: UnixTime) -> bool {
        if let Some(deadline) = self.common.handshake_deadline {
            if now >= deadline && !self.common.traffic && self.common.error.is_none() {
                self.state = None;
                self.common.fail(Error::HandshakeTimeout);
                return true;
            }
        }
        false
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

    /// When `handle_timeout` should next be called, if ever (see also
    /// [`Self::poll_timeout_after`] for the same as a duration from now).
    pub fn poll_timeout(&self) -> Option<UnixTime> {
        match self.common.traffic || self.common.error.is_some() {
            true => None,
            false => self.common.handshake_deadline,
        }
    }

    /// Whether the handshake is still running.
    pub fn is_handshaking(&self) -> bool {
        !self.common.traffic && self.common.error.is_none()
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
    /// completes, on TLS 1.3, while a renegotiation is under way, with a peer that did
    /// not negotiate RFC 5746 secure renegotiation, and on a connection a PSK authenticated
    /// (which also declines the peer's renegotiations: a new handshake could change who the
    /// peer proved to be).
    pub fn renegotiate(&mut self, now: UnixTime) -> Result<(), Error> {
        self.start_renegotiation(now, None)
    }

    pub(crate) fn start_renegotiation(
        &mut self,
        now: UnixTime,
        server_config: Option<alloc::sync::Arc<crate::server::ServerConfig>>,
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

    /// Node's `disableRenegotiation()`: further renegotiation attempts are declined.
    pub fn disable_renegotiation(&mut self) {
        self.common.renegotiation_disabled = true;
    }

    /// Turns [`Event::KeyLog`] on or off for the rest of the connection (a client's
    /// `ClientConfig::key_log` does so from the start; a server's configuration, chosen
    /// at the ClientHello, sets it again then). Node emits `keylog` once a listener is
    /// registered, whatever the configuration.
    pub fn set_key_log(&mut self, on: bool) {
        self.common.keylog = on;
    }
}
