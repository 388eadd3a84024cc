//! Bounds on the work and memory a peer can cost us, each with a safe default. A peer that
//! exceeds one ends the connection with `Error::LimitExceeded` and an `unexpected_message`
//! alert (what OpenSSL sends for the same floods).

use core::fmt;
use core::time::Duration;

use crate::time::UnixTime;

/// The limits of one connection, taken from its configuration when it is created.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest handshake message accepted, in bytes: any message the syntax allows up
    /// to this size is accepted, so this also bounds the total size of the peer's
    /// certificate chain. Default 131,396 bytes, OpenSSL's bound on a ClientHello (which can
    /// exceed 64 KiB).
    pub max_handshake_message_len: usize,
    /// Decrypted application data held for the caller before `read_tls` stops taking bytes
    /// (back-pressure, not an error), and data `send` buffers before the handshake
    /// completes. Default 64 KiB. Ciphertext is held one record at a time.
    pub max_buffered_plaintext: usize,
    /// Empty ApplicationData records in a row (each costs a decryption and yields nothing).
    /// Default 32.
    pub max_empty_records: u32,
    /// Warning alerts in a row (TLS 1.2; in TLS 1.3 they are fatal). Default 5, OpenSSL's
    /// `MAX_WARN_ALERT_COUNT`.
    pub max_warning_alerts: u32,
    /// Handshake messages after the handshake (KeyUpdate, NewSessionTicket, HelloRequest, a
    /// renegotiating ClientHello) per `post_handshake_window`. Each KeyUpdate that asks us
    /// to update makes us answer with one, so an unbounded stream would make us work and
    /// write for free. Default 64 per 60 s.
    pub max_post_handshake_messages: u32,
    /// The window `max_post_handshake_messages` is counted in, on the caller's clock.
    pub post_handshake_window: Duration,
    /// Server only: bytes of early data (RFC 8446 s4.2.10) skipped, unread, when a client
    /// offers 0-RTT that we do not accept: the records that fail to decrypt under the
    /// handshake keys, or after a HelloRetryRequest the application_data records before the
    /// second ClientHello. Default 16 KiB plus one record's expansion (OpenSSL's default
    /// allowance).
    pub max_skipped_early_data: usize,
    /// Server only: TLS 1.2 renegotiations a client may start per
    /// `client_renegotiation_window` (those answering our HelloRequest do not count); one
    /// more is refused with handshake_failure. Default 3, Node's `CLIENT_RENEG_LIMIT`.
    pub max_client_renegotiations: u32,
    /// The window `max_client_renegotiations` is counted in, on the caller's clock. Default
    /// 600 s, Node's `CLIENT_RENEG_WINDOW`.
    pub client_renegotiation_window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_handshake_message_len: crate::record::joiner::DEFAULT_MAX_HANDSHAKE_LEN,
            max_buffered_plaintext: crate::conn::DEFAULT_BUFFER_LIMIT,
            max_empty_records: 32,
            max_warning_alerts: 5,
            max_post_handshake_messages: 64,
            post_handshake_window: Duration::from_secs(60),
            max_skipped_early_data: 16384 + 256,
            max_client_renegotiations: 3,
            client_renegotiation_window: Duration::from_secs(600),
        }
    }
}

/// Which limit a peer exceeded.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_empty_records`].
    EmptyRecords,
    /// [`Limits::max_warning_alerts`].
    WarningAlerts,
    /// [`Limits::max_post_handshake_messages`].
    PostHandshakeMessages,
    /// [`Limits::max_skipped_early_data`].
    SkippedEarlyData,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmptyRecords => "too many empty records in a row",
            Self::WarningAlerts => "too many warning alerts in a row",
            Self::PostHandshakeMessages => "too many post-handshake messages",
            Self::SkippedEarlyData => "more early data than we skip",
        })
    }
}

/// Counts events in fixed windows of the caller's clock.
#[derive(Debug, Default)]
pub(crate) struct RateCounter {
    window_start: UnixTime,
    count: u32,
}

impl RateCounter {
    /// Counts one event at `now`; returns whether the count in the current window is still
    /// within `max`.
    pub(crate) fn admit(&mut self, now: UnixTime, window: Duration, max: u32) -> bool {
        if self.count == 0 || now.saturating_since(self.window_start) >= window {
            self.window_start = now;
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        self.count <= max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_counter_resets_with_each_window() {
        let mut c = RateCounter::default();
        let w = Duration::from_secs(60);
        let t0 = UnixTime::from_secs(1000);
        assert!((0..3).all(|_| c.admit(t0, w, 3)));
        assert!(!c.admit(UnixTime::from_secs(1059), w, 3));
        assert!(c.admit(UnixTime::from_secs(1060), w, 3));
    }
}
