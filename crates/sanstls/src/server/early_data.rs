//! TLS 1.3 0-RTT on the server (RFC 8446 s2.3, s4.2.10, s8): when early data is accepted,
//! the replay protection that makes it safe to, and the state that reads the early data up
//! to the client's EndOfEarlyData.
//!
//! Early data is replayable by design: an attacker who recorded a ClientHello and the 0-RTT
//! records behind it can send them again. The server accepts 0-RTT only for a ClientHello
//! that passes both checks of RFC 8446 s8:
//!
//! - freshness (s8.3): the ticket age the client reports (obfuscated_ticket_age minus the
//!   ticket's age_add) must be within [`AntiReplay::window`] of the age we measure from the
//!   ticket's issue time on the caller's clock. A recorded ClientHello replayed later than
//!   that window is refused;
//! - single use within the window (s8.1/s8.2): the [`AntiReplay`] register records each
//!   ticket that carried accepted early data until the window of that ClientHello has
//!   closed (after which the freshness check refuses any replay of it), and refuses a
//!   ticket it holds.
//!
//! Anything that fails (early data off, a replay, a stale or future age, a full register,
//! other parameters than the ticket's, a ticket issued before the register existed) is not
//! an error: the handshake continues in 1-RTT and the early data is skipped
//! (`conn::EarlyDataSkip`).

use crate::prelude::*;
// The in-memory register needs a lock: std-only. The `AntiReplay` trait is not, so a no_std
// server can still accept 0-RTT with a register of its own.
#[cfg(feature = "std")]
use std::collections::HashMap;
#[cfg(feature = "std")]
use std::sync::Mutex;

use super::tls13::ExpectFinished;
use super::ServerConfig;
use crate::conn::{Context, Message, State};
use crate::enums::{CipherSuite, HandshakeType};
use crate::error::{Error, PeerMisbehaved};
use crate::handshake::key_schedule::TrafficKeys;
use crate::msgs::hello::ClientHelloPayload;
use crate::msgs::message::HandshakePayload;
use crate::suites::Tls13CipherSuite;
use crate::time::UnixTime;

/// The default freshness window: how far the ticket age a client reports may be from the
/// one we measure (clock skew plus the round trip the client's age does not count).
pub const DEFAULT_WINDOW: core::time::Duration = core::time::Duration::from_secs(10);

/// The default number of tickets a [`StrikeRegister`] records at once.
pub const DEFAULT_CAPACITY: usize = 16 * 1024;

/// Replay protection for 0-RTT, shared by every connection of a server (and, for a
/// cluster that shares ticket keys, backed by a store the processes share). The engine
/// calls it only for a ClientHello whose early data it would otherwise accept, after the
/// freshness check.
pub trait AntiReplay: Send + Sync + core::fmt::Debug {
    /// How far the client's ticket age may be from ours (RFC 8446 s8.3).
    fn window(&self) -> core::time::Duration;

    /// Records `ticket` (a SHA-256 of the PSK identity) until `forget_at`, when any replay
    /// of this ClientHello fails the freshness check. Returns true exactly when early data
    /// may be accepted: the ticket was not recorded and could be; false for a ticket seen
    /// before, a ticket issued (at `issued_at`) before the register could have recorded
    /// its uses (a restart), and when the register is full. Must never return true twice
    /// for one ticket before `forget_at`.
    fn admit(
        &self,
        ticket: &[u8; 32],
        issued_at: UnixTime,
        forget_at: UnixTime,
        now: UnixTime,
    ) -> bool;
}

/// An in-memory [`AntiReplay`]: at most `capacity` tickets, each kept until its window
/// closes. Memory is bounded by the capacity: 41 bytes a slot (a 32-byte hash, a time, a
/// control byte) in a table that rounds up to a power of two above 8/7 of the entries, so
/// about 1.3 MiB for the default 16384. When it is full and no entry has expired, early
/// data is refused (the handshake goes on in 1-RTT): an entry is never dropped early, so a
/// ticket is never admitted twice.
///
/// It holds across a process restart in the only way memory can: a ticket issued before
/// the register was created (`created_at`, on the caller's clock) is never admitted, since
/// its uses before the restart are unknown. A server restarted with the same ticket keys
/// therefore accepts 0-RTT only for tickets issued after the restart (older ones still
/// resume, in 1-RTT). Processes that share ticket keys must share one register (an
/// [`AntiReplay`] over a shared store) or each could admit a replay once.
///
/// Needs the `std` feature (the table is behind a `Mutex`).
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct StrikeRegister {
    capacity: usize,
    window: core::time::Duration,
    created_at: UnixTime,
    seen: Mutex<HashMap<[u8; 32], UnixTime>>,
}

#[cfg(feature = "std")]
impl StrikeRegister {
    /// A register for `capacity` tickets with freshness `window`, created at `now`.
    pub fn new(capacity: usize, window: core::time::Duration, now: UnixTime) -> Self {
        Self {
            capacity,
            window,
            created_at: now,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How many tickets are recorded (expired ones included until the next purge).
    pub fn len(&self) -> usize {
        self.seen.lock().map_or(0, |s| s.len())
    }

    /// Whether no ticket is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(feature = "std")]
impl AntiReplay for StrikeRegister {
    fn window(&self) -> core::time::Duration {
        self.window
    }

    fn admit(
        &self,
        ticket: &[u8; 32],
        issued_at: UnixTime,
        forget_at: UnixTime,
        now: UnixTime,
    ) -> bool {
        if issued_at < self.created_at {
            return false;
        }
        // A poisoned lock (a panic elsewhere while holding it) refuses: never accept twice.
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        if let Some(until) = seen.get(ticket) {
            if *until > now {
                return false;
            }
        }
        if seen.len() >= self.capacity && !seen.contains_key(ticket) {
            // Full: forget what has expired (linear, only when full), else refuse.
            seen.retain(|_, until| *until > now);
            if seen.len() >= self.capacity {
                return false;
            }
        }
        seen.insert(*ticket, forget_at);
        true
    }
}

/// What the early-data decision needs of the accepted PSK.
pub(super) struct EarlyTicket<'a> {
    /// Which offered identity was accepted.
    pub(super) index: u16,
    pub(super) state: &'a super::ticket::TicketState,
}

/// Whether to accept the client's 0-RTT data (RFC 8446 s4.2.10, s8): early data is on
/// here, the client offered it, the PSK accepted is its first and its ticket allows early
/// data, the suite and ALPN protocol are the ticket's (the server name was checked when
/// the ticket was accepted), and the ClientHello is fresh and not a replay.
pub(super) fn accept(
    config: &ServerConfig,
    ch: &ClientHelloPayload,
    psk: Option<EarlyTicket<'_>>,
    suite: CipherSuite,
    alpn: Option<&[u8]>,
    now: UnixTime,
) -> bool {
    let (Some(register), Some(psk)) = (&config.anti_replay, psk) else {
        return false;
    };
    let state = psk.state;
    let same_params = state.suite == suite && state.alpn.as_slice() == alpn.unwrap_or_default();
    if config.max_early_data_size == 0
        || !ch.early_data_requested()
        || psk.index != 0
        || state.max_early_data == 0
        || !same_params
    {
        return false;
    }
    let Some(identity) = ch.psk_offer().and_then(|o| o.identities.first()) else {
        return false;
    };
    // s8.3: the client's view of the ticket's age against ours, both in milliseconds.
    let client_age = u64::from(identity.obfuscated_ticket_age.wrapping_sub(state.age_add));
    let issued_at = state.binding.issued_at;
    let our_age = now.saturating_since(issued_at).as_millis();
    let window = register.window().as_millis();
    if u128::from(client_age).abs_diff(our_age) > window {
        return false;
    }
    // Past this instant, a replay of this ClientHello is older than its age plus the
    // window, so the freshness check refuses it without the register.
    let forget_at = issued_at
        .saturating_add(core::time::Duration::from_millis(client_age))
        .saturating_add(register.window())
        .saturating_add(core::time::Duration::from_millis(1));
    let key = ring::digest::digest(&ring::digest::SHA256, &identity.identity);
    let mut ticket = [0u8; 32];
    ticket.copy_from_slice(key.as_ref());
    register.admit(&ticket, issued_at, forget_at, now)
}

/// How much declined early data to skip (s4.2.10): the configured limit, or more when a
/// ticket we issued allowed the client more (`max_early_data_size` now, or the accepted
/// ticket's), plus each record's expansion (at most 256 bytes a 2^14-byte record).
pub(super) fn skip_limit(config: &ServerConfig, ticket: Option<u32>) -> usize {
    let allowed = config.max_early_data_size.max(ticket.unwrap_or(0));
    let allowed = usize::try_from(allowed).unwrap_or(usize::MAX);
    let records = allowed / 16384 + 1;
    let ciphertext = allowed.saturating_add(records.saturating_mul(256));
    config.limits.max_skipped_early_data.max(ciphertext)
}

/// Early data was accepted: the client's records are read under its early traffic key
/// until its EndOfEarlyData, after which its handshake key reads its Finished.
pub(super) struct ExpectEndOfEarlyData {
    pub(super) finished: ExpectFinished,
    pub(super) suite: &'static Tls13CipherSuite,
    /// The client's handshake key, installed at the EndOfEarlyData.
    pub(super) client_keys: TrafficKeys,
}

impl State for ExpectEndOfEarlyData {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        match m.handshake_payload()? {
            HandshakePayload::EndOfEarlyData(_) => {}
            // s4.5: the client sends EndOfEarlyData before anything else under this key.
            _ if m.handshake_type() == Some(HandshakeType::Finished) => {
                return Err(PeerMisbehaved::MissingEndOfEarlyData.into())
            }
            _ => return Err(m.unexpected()),
        }
        self.finished.transcript.add_message(&m.encoded);
        cx.common.end_early_data();
        crate::tls13::install_read_keys(cx, self.suite, &self.client_keys)?;
        Ok(Box::new(self.finished))
    }
}
