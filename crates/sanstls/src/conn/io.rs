//! Conveniences for loops that own a `Read`/`Write` transport, and the hand-over from the
//! buffered receive path to the in-place one. None of it does I/O by itself: the caller's
//! reader and writer are called once per call, and blocking, readiness and timers stay the
//! caller's.

use crate::prelude::*;
use core::time::Duration;
// The `Read`/`Write` conveniences (`read_tls_from`, `write_tls_to`) are std-only: core has no
// I/O traits. Everything else here builds without std.
#[cfg(feature = "std")]
use std::io;

use super::Connection;
use crate::error::Error;
use crate::record::deframer::read_header;
use crate::record::header::{HEADER_LEN, MAX_CIPHERTEXT_TLS12};
use crate::time::UnixTime;

/// Above this many bytes already written, `write_tls_to` moves the rest of its buffer to
/// the front (when the rest is no larger), so a writer that always takes part of it
/// cannot make the buffer grow without bound.
#[cfg(feature = "std")]
const COMPACT_AT: usize = 64 * 1024;

/// The whole length (header included) of the TLS record whose header starts `header`,
/// once the header is valid: a known content type, major version 3, and a length no TLS
/// version allows to exceed (2^14 + 2048). `None` when `header` holds fewer than five
/// bytes or they are not a record header: hand such bytes to
/// [`Connection::open_in_place`] or [`Connection::read_tls`], which fail the connection
/// with the right alert. For loops that read record by record into their own buffers.
///
/// ```
/// // An application-data record header announcing 0x4000 payload bytes.
/// assert_eq!(sanstls::record_len(&[23, 3, 3, 0x40, 0]), Some(5 + 0x4000));
/// assert_eq!(sanstls::record_len(&[23, 3, 3]), None); // not all of the header yet
/// assert_eq!(sanstls::record_len(b"GET / HTTP/1.1"), None); // not TLS
/// ```
pub fn record_len(header: &[u8]) -> Option<usize> {
    let head = header.get(..HEADER_LEN)?;
    let header = read_header(head, MAX_CIPHERTEXT_TLS12).ok()?;
    Some(HEADER_LEN + usize::from(header.len))
}

#[cfg(feature = "std")]
fn plaintext_full() -> io::Error {
    io::Error::other(
        "sanstls: nothing can be taken now (wants_read is false): read plaintext first \
         (or, on a server paused on its ClientHello, accept first)",
    )
}

#[cfg(feature = "std")]
fn records_waiting() -> io::Error {
    io::Error::other("sanstls: a whole record is waiting; call process first")
}

impl Connection {
    /// [`Self::read_tls`] from a reader: calls `rd.read` once, straight into the
    /// connection's receive buffer (no copy in between), and returns what it returned.
    /// Then call [`Self::process`].
    ///
    /// - `Ok(0)` is end of stream: the connection notes it ([`Self::transport_eof`]);
    ///   whether the peer sent close_notify first is [`Self::peer_closed`] (if not, what
    ///   arrived may be truncated). Nothing else changes: process and read what was
    ///   received, flush `write_tls`, then drop the connection.
    /// - `Err(e)` from the reader (`WouldBlock`, `Interrupted`, ...) is returned as is, and
    ///   nothing was taken: wait for readiness (or retry) as for any read.
    /// - `Err` of kind `Other`, without calling `rd`, when nothing can be taken now: unread
    ///   plaintext fills the buffer ([`Self::wants_read`] is false: read plaintext; or a
    ///   server paused on its ClientHello holds a record: `accept` first), or the buffer
    ///   holds a whole record (call `process`). A loop that reads, processes and
    ///   reads plaintext each turn never sees it.
    ///
    /// After the peer's close_notify or a failure, what is read is dropped (as
    /// `read_tls` does), so the loop still reaches end of stream.
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, sock: &mut std::net::TcpStream)
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// # let now = sanstls::UnixTime::from_secs(0);
    /// match conn.read_tls_from(sock) {
    ///     Ok(0) => { /* end of stream: process, read plaintext, flush, then drop */ }
    ///     Ok(_) => conn.process(now)?,
    ///     Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => { /* wait for readable */ }
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// Needs the `std` feature (core has no `Read`/`Write`).
    #[cfg(feature = "std")]
    pub fn read_tls_from(&mut self, rd: &mut impl io::Read) -> io::Result<usize> {
        let c = &mut self.common;
        let n = if c.error.is_some() || c.received_close_notify {
            // Dropped, as `read_tls` drops them.
            let mut sink = [0u8; 4096];
            rd.read(&mut sink)?
        } else {
            if !self.wants_read() {
                return Err(plaintext_full());
            }
            let c = &mut self.common;
            if c.deframer.free_space() == 0 {
                return Err(records_waiting());
            }
            // The deframer may move its bytes: plaintext still there moves out first.
            c.keep_retained();
            c.deframer.read_from(rd)?
        };
        if n == 0 {
            self.common.transport_eof = true;
        }
        Ok(n)
    }

    /// Whether [`Self::read_tls_from`] has read end of stream from the transport. With
    /// [`Self::peer_closed`] false, the peer (or an attacker) closed the transport without
    /// close_notify: the data may be truncated.
    ///
    /// ```
    /// # fn f(conn: &sanstls::Connection) {
    /// if conn.transport_eof() && !conn.peer_closed() {
    ///     // truncated: do not trust a length-delimited-by-close body
    /// }
    /// # }
    /// ```
    pub fn transport_eof(&self) -> bool {
        self.common.transport_eof
    }

    /// [`Self::write_tls`] into a writer: calls `w.write` once with the bytes waiting and
    /// keeps what it did not take for the next call (no offset for the caller to keep).
    /// Returns how many bytes it took; `Ok(0)` when nothing was waiting (the writer is
    /// not called). Errors from the writer (`WouldBlock`: wait for writable) are returned
    /// as is, nothing taken; a writer that takes no byte of a non-empty buffer gives
    /// `ErrorKind::WriteZero`. Call it while [`Self::wants_write`].
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, sock: &mut std::net::TcpStream) -> std::io::Result<()> {
    /// while conn.wants_write() {
    ///     match conn.write_tls_to(sock) {
    ///         Ok(_) => {}
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break, // wait for writable
    ///         Err(e) => return Err(e),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// Needs the `std` feature (core has no `Read`/`Write`).
    #[cfg(feature = "std")]
    pub fn write_tls_to(&mut self, w: &mut impl io::Write) -> io::Result<usize> {
        self.prepare_write();
        let c = &mut self.common;
        let waiting = c.outgoing.get(c.outgoing_at..).unwrap_or_default();
        if waiting.is_empty() {
            return Ok(0);
        }
        let n = w.write(waiting)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        c.outgoing_at += n.min(waiting.len());
        if c.outgoing_at == c.outgoing.len() {
            c.outgoing.clear();
            c.outgoing_at = 0;
            c.trim();
        } else if c.outgoing_at >= COMPACT_AT && 2 * c.outgoing_at >= c.outgoing.len() {
            c.outgoing.drain(..c.outgoing_at);
            c.outgoing_at = 0;
        }
        Ok(n)
    }

    /// Bytes waiting to be written (`write_tls` / `write_tls_to`): sealed records, plus
    /// handshake messages not yet cut into records (their record overhead not counted).
    /// After the handshake [`Self::send`] takes everything it is given, so this is the
    /// write-side back-pressure signal: a loop stops reading from the application (or
    /// stops calling `send`) while it is above its own high-water mark (say 64 KiB), and
    /// resumes once writing the transport brings it below.
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, app: &[u8]) -> Result<(), sanstls::Error> {
    /// const HIGH_WATER: usize = 64 * 1024;
    /// if conn.pending_tls_len() < HIGH_WATER {
    ///     conn.send(app)?; // else: leave `app` with the application until writable
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pending_tls_len(&self) -> usize {
        let c = &self.common;
        c.outgoing.len() - c.outgoing_at + c.pending_handshake.len()
    }

    /// [`Self::poll_timeout`] relative to `now`, for a timer wheel: `Some(ZERO)` when the
    /// deadline has already passed (call [`Self::handle_timeout`] now), `None` when no
    /// timer is needed.
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, now: sanstls::UnixTime) {
    /// if let Some(after) = conn.poll_timeout_after(now) {
    ///     // arm the timer `after` from now; when it fires, `conn.handle_timeout(now)`
    ///     # let _ = after;
    /// }
    /// # }
    /// ```
    pub fn poll_timeout_after(&self, now: UnixTime) -> Option<Duration> {
        self.poll_timeout().map(|t| t.saturating_since(now))
    }

    /// Hands the in-place path ([`Self::open_in_place`]) the bytes `read_tls` took that no
    /// record has consumed yet (nearly always the start of a record once the handshake
    /// ends on a stream), leaving the connection's receive buffer empty: put them at the
    /// start of your receive buffer and go on with `open_in_place`. Call it after
    /// `process` and after reading the plaintext already decrypted (`open_in_place`
    /// refuses while some is unread). Empty after the peer's close_notify (nothing more is
    /// read).
    ///
    /// Errors (`ApiMisuse`, nothing taken): while handshaking or renegotiating. A failed
    /// connection returns its error.
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, now: sanstls::UnixTime) -> Result<(), sanstls::Error> {
    /// // The handshake completed with `read_tls` + `process`; the plaintext was read.
    /// let mut buf = conn.take_received_tls()?;
    /// // Read the transport behind them into `buf`, then open record by record:
    /// let opened = conn.open_in_place(&mut buf, now)?; // consumed == 0: read more
    /// # let _ = opened; Ok(()) }
    /// ```
    pub fn take_received_tls(&mut self) -> Result<Vec<u8>, Error> {
        let c = &mut self.common;
        if let Some(e) = &c.error {
            return Err(e.clone());
        }
        if !c.traffic || c.renegotiating {
            return Err(Error::ApiMisuse(
                "take_received_tls while handshaking or renegotiating",
            ));
        }
        if c.received_close_notify {
            let _ = c.deframer.take_buffered();
            return Ok(Vec::new());
        }
        Ok(c.deframer.take_buffered())
    }
}

#[cfg(test)]
#[path = "io_test.rs"]
mod tests;
