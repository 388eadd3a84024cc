//! The event queue: what the connection has to tell the caller ([`Event`], polled with
//! `Connection::poll_event`), key-log lines among them.

use super::{Common, Connection};
use crate::enums::{AlertDescription, AlertLevel, HandshakeType};
use crate::handshake::key_schedule::KeyLogLabel;
use crate::prelude::*;

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
    /// Server only, with `ServerConfig::external_psk_hash`: the client offers an external
    /// PSK under this identity (one that is not our ticket), and the handshake waits for
    /// `ServerConnection::psk_found` with its key or `None` (Node's server `pskCallback`).
    /// Asked for each such identity, in the client's order, until one is known.
    PskIdentity(Vec<u8>),
    /// Server only: the client tried to renegotiate after `disable_renegotiation()` and was
    /// declined (a `no_renegotiation` warning). Node's server destroys such a connection
    /// with `ERR_TLS_RENEGOTIATION_DISABLED`; the engine leaves that choice to the caller.
    RenegotiationRefused,
    /// Server only: TLS 1.3 0-RTT data we accepted (`ServerConfig::max_early_data_size`),
    /// in order, before the handshake completes. It may be a replay (RFC 8446 s8): act
    /// only on what is safe to repeat, or wait for `HandshakeComplete`.
    EarlyData(Vec<u8>),
    /// Client only: the server accepted the 0-RTT data we sent (this many bytes).
    EarlyDataAccepted(usize),
    /// Client only: the server did not accept our 0-RTT data. These bytes (what went out as
    /// early data, then what `send` was holding behind it) were not delivered and will not
    /// be sent again by the connection: send them again after `HandshakeComplete` if they
    /// are still wanted.
    EarlyDataRejected(Vec<u8>),
    /// A protocol message went out or came in (Node's `enableTrace()`); only after
    /// [`Connection::set_trace`]`(true)`.
    Trace(TraceEvent),
}

/// One protocol message for a handshake trace, in the order they were sent (when cut
/// into records) and received (when whole).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    /// A handshake message; `len` is its body length (without the 4-byte header).
    Handshake {
        /// We sent it (else we received it).
        sent: bool,
        /// The message type.
        typ: HandshakeType,
        /// The body length.
        len: usize,
    },
    /// A ChangeCipherSpec (TLS 1.2, or TLS 1.3's middlebox-compatibility one).
    ChangeCipherSpec {
        /// We sent it.
        sent: bool,
    },
    /// An alert.
    Alert {
        /// We sent it.
        sent: bool,
        /// Warning or fatal.
        level: AlertLevel,
        /// Which alert.
        description: AlertDescription,
    },
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
            Self::PskIdentity(id) => write!(f, "PskIdentity({})", hex::encode(id)),
            Self::Trace(t) => f.debug_tuple("Trace").field(t).finish(),
            Self::RenegotiationRefused => f.write_str("RenegotiationRefused"),
            Self::EarlyData(d) => write!(f, "EarlyData({} bytes)", d.len()),
            Self::EarlyDataAccepted(n) => write!(f, "EarlyDataAccepted({n} bytes)"),
            Self::EarlyDataRejected(d) => write!(f, "EarlyDataRejected({} bytes)", d.len()),
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

impl Common {
    /// Queues an event for the caller.
    pub(crate) fn emit(&mut self, e: Event) {
        self.events.push_back(e);
    }

    /// Queues a trace event if tracing is on.
    pub(crate) fn trace(&mut self, t: TraceEvent) {
        if self.trace {
            self.emit(Event::Trace(t));
        }
    }

    /// Traces each handshake message in `bytes` (whole messages, headers included).
    pub(crate) fn trace_handshake(&mut self, sent: bool, bytes: &[u8]) {
        if !self.trace {
            return;
        }
        let mut rest = bytes;
        while let [typ, a, b, c, body @ ..] = rest {
            let len = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
            self.emit(Event::Trace(TraceEvent::Handshake {
                sent,
                typ: HandshakeType::from(*typ),
                len,
            }));
            rest = body.get(len..).unwrap_or_default();
        }
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
}

impl Connection {
    /// Reports every protocol message sent and received from now on as
    /// [`Event::Trace`] (Node's `enableTrace()`); off by default, as it costs an event per
    /// message.
    pub fn set_trace(&mut self, on: bool) {
        self.common.trace = on;
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.common.events.pop_front();
        self.common.event_taken();
        event
    }
}
