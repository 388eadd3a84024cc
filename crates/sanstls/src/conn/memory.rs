//! What an established connection holds while it is idle, and giving back what it can
//! rebuild: the I/O buffers (once by itself after each handshake, and whenever the caller
//! asks) and the expanded record keys (only when the caller asks).

use crate::prelude::*;
use alloc::collections::VecDeque;

use super::{Common, Connection};

impl Common {
    /// Whether nothing is in flight: no record or handshake message partly received, no
    /// TLS bytes waiting for `write_tls`, no plaintext waiting for `read_plaintext`.
    fn holds_nothing_in_flight(&self) -> bool {
        self.deframer.is_empty()
            && self.joiner.is_empty()
            && self.outgoing_at == self.outgoing.len()
            && self.pending_handshake.is_empty()
            && self.early_out.is_empty()
            && self.received_at == self.received.len()
            && self.retained.is_none()
    }

    /// Whether the connection is established (not handshaking, not renegotiating) and
    /// holds nothing in flight.
    fn is_idle(&self) -> bool {
        self.traffic && !self.renegotiating && self.holds_nothing_in_flight()
    }

    /// Gives back every I/O buffer (all empty: see `is_idle`), and the event queue now if
    /// the caller has taken every event, else once it has (`event_taken`).
    fn release_buffers(&mut self) {
        self.deframer.release_if_empty();
        self.joiner.release_if_empty();
        self.outgoing = Vec::new();
        self.outgoing_at = 0;
        self.pending_handshake = Vec::new();
        self.early_out = Vec::new();
        self.received = Vec::new();
        self.received_at = 0;
        // Events the caller has not taken yet (at the handshake's end, HandshakeComplete
        // among them) keep the queue until `poll_event` has taken the last of them.
        match self.events.is_empty() {
            true => self.events = VecDeque::new(),
            false => self.release_events_when_taken = true,
        }
    }

    /// Called after each `process` and each write: gives back the buffers that are done
    /// with for now.
    ///
    /// - During the first handshake, the receive buffers once they are empty and the
    ///   outgoing buffer once its flight is written out. A handshake mostly waits for its
    ///   peer's next flight, and a server under a burst of handshakes holds thousands of
    ///   them at that point: each then holds its handshake state but no I/O buffer (about
    ///   1.2 KB less each). The cost is an allocation per flight.
    /// - Once per handshake, as soon as the connection is established and holds nothing in
    ///   flight, every buffer: an idle connection then holds no I/O buffer at all, and no
    ///   event queue once `poll_event` has taken what it holds. The record path grows them
    ///   again on first use and keeps them, so a busy connection still allocates nothing
    ///   per record (see also `Connection::release_idle_memory`).
    pub(crate) fn trim(&mut self) {
        if !self.traffic {
            self.deframer.release_if_empty();
            self.joiner.release_if_empty();
            if self.outgoing_at == self.outgoing.len() {
                self.outgoing = Vec::new();
                self.outgoing_at = 0;
            }
            return;
        }
        if self.trimmed || !self.is_idle() {
            return;
        }
        self.release_buffers();
        self.trimmed = true;
    }

    /// After `poll_event` took an event: the queue goes once the trim asked for it and it
    /// is empty.
    pub(crate) fn event_taken(&mut self) {
        if self.release_events_when_taken && self.events.is_empty() {
            self.events = VecDeque::new();
            self.release_events_when_taken = false;
        }
    }
}

impl Connection {
    /// Gives back the memory an idle connection can rebuild when it is next used: every
    /// I/O buffer (regrown by the next record, about 1 KB for a small message and up to
    /// 17 KB for a full record), the event queue once it is empty, and the expanded
    /// record keys (about 550 bytes per direction for AES-GCM; the raw key is kept and
    /// expanded again on the next record in that direction, which costs about as much as
    /// sealing a small record). A TLS 1.3 AES-GCM server connection then holds about
    /// 1.5 KB, its inline size included.
    ///
    /// Returns whether it did: only an established connection with nothing in flight
    /// (every byte written out with `write_tls`, every plaintext read, no partial record
    /// received, not renegotiating) releases anything. Call it when a connection goes
    /// quiet, for example when the event loop finds nothing left to do for it, or from a
    /// timer for connections idle for a while: servers holding many mostly idle
    /// connections trade a key expansion per burst of traffic for memory. Busy
    /// connections should not call it after every record, and need not call it at all.
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection) {
    /// // Nothing more to read or write for now: the loop waits on the socket.
    /// if !conn.wants_write() {
    ///     conn.release_idle_memory();
    /// }
    /// # }
    /// ```
    pub fn release_idle_memory(&mut self) -> bool {
        let c = &mut self.common;
        if !c.is_idle() {
            return false;
        }
        c.release_buffers();
        if let Some(s) = &mut c.sealer {
            s.release_key();
        }
        if let Some(o) = &mut c.opener {
            o.release_key();
        }
        true
    }
}

#[cfg(test)]
#[path = "memory_test.rs"]
mod tests;
