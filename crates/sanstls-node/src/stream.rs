//! One blocking driver of the engine over a `Read + Write` transport: the loop of
//! docs/engine.md written once, for the facade's [`crate::TlsSocket`], the CLI and the tests.
//!
//! [`Stream`] keeps the bytes read from the transport that the connection has not taken yet,
//! feeds them to the connection, hands each event to the caller, writes what the
//! connection queues (the alert of a failure included) and, while a handshake runs, bounds
//! every read by the connection's [`poll_timeout`](sanstls::Connection::poll_timeout), so a
//! peer that goes quiet mid-handshake fails it with `HandshakeTimeout` instead of blocking
//! the thread forever.
//!
//! ```no_run
//! use std::net::TcpStream;
//! use std::sync::Arc;
//! use sanstls::{ClientConfig, ClientConnection, Event};
//! use sanstls_node::stream::{Received, Stream, StreamError};
//!
//! # fn run(config: Arc<ClientConfig>) -> Result<Vec<u8>, StreamError> {
//! let mut conn = ClientConnection::new(config, "example.com", sanstls_node::stream::now())?;
//! conn.send(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//! let mut stream = Stream::new(TcpStream::connect("example.com:443")?);
//! let mut page = Vec::new();
//! loop {
//!     stream.feed(&mut conn, |conn, event| {
//!         if let Event::PlaintextReady = event {
//!             let mut buf = [0u8; 4096];
//!             loop {
//!                 let n = conn.read_plaintext(&mut buf);
//!                 if n == 0 { break; }
//!                 page.extend_from_slice(&buf[..n]);
//!             }
//!         }
//!         Ok::<(), StreamError>(())
//!     })?;
//!     if conn.peer_closed() || stream.receive(&mut conn)? == Received::Eof {
//!         return Ok(page);
//!     }
//! }
//! # }
//! ```

use core::time::Duration;
use std::io::{self, Read, Write};

use sanstls::{Connection, Error, Event, UnixTime};

/// A transport [`Stream`] can bound reads on. The default method does nothing: reads on
/// such a transport block until data or end of stream, and the handshake deadline is only
/// checked when they return.
pub trait Transport: Read + Write {
    /// Bounds how long the next reads may block (`None`: no bound).
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        Ok(())
    }
}

impl Transport for std::net::TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, timeout)
    }
}

#[cfg(unix)]
impl Transport for std::os::unix::net::UnixStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, timeout)
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_read_timeout(timeout)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_read_timeout(timeout)
    }
}

/// Why driving a connection stopped.
#[derive(Debug)]
pub enum StreamError {
    /// The engine failed; its alert, if any, has been written.
    Tls(Error),
    /// The transport failed, or the caller's read timeout passed.
    Io(io::Error),
}

impl core::fmt::Display for StreamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Tls(e) => write!(f, "{e}"),
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StreamError {}

impl From<Error> for StreamError {
    fn from(e: Error) -> Self {
        Self::Tls(e)
    }
}

impl From<io::Error> for StreamError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// What one [`Stream::receive`] brought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// Bytes, now waiting for [`Stream::feed`].
    Data,
    /// The transport reached its end.
    Eof,
}

/// The wall clock, the one place the facade reads it.
#[allow(clippy::disallowed_methods)]
pub fn now() -> UnixTime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UnixTime::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Drives a connection over a blocking transport. See the [module docs](self).
#[derive(Debug)]
pub struct Stream<T> {
    io: T,
    /// Bytes read from the transport that the connection has not taken yet.
    pending: Vec<u8>,
    /// Reused for `write_tls`.
    out: Vec<u8>,
    /// The caller's own bound on a read (an idle timeout), kept apart from the deadline.
    read_timeout: Option<Duration>,
    clock: fn() -> UnixTime,
}

/// How many bytes one read asks for: one maximal record and its header.
const READ_SIZE: usize = 16 * 1024 + 5;

impl<T: Transport> Stream<T> {
    /// A driver over `io`, reading the wall clock.
    pub fn new(io: T) -> Self {
        Self::with_clock(io, now)
    }

    /// A driver over `io` reading time from `clock` (tests use a fixed one).
    pub fn with_clock(io: T, clock: fn() -> UnixTime) -> Self {
        Self {
            io,
            pending: Vec::new(),
            out: Vec::new(),
            read_timeout: None,
            clock,
        }
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The transport, mutably (writing to it directly bypasses TLS).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// The transport; bytes read and not yet fed are dropped.
    pub fn into_inner(self) -> T {
        self.io
    }

    /// The transport and the bytes read from it that the connection has not taken yet
    /// (for a caller that goes on reading the transport itself).
    pub fn into_parts(self) -> (T, Vec<u8>) {
        (self.io, self.pending)
    }

    /// Bounds every read by `timeout` (an idle timeout: when it passes, [`Self::receive`]
    /// fails with the transport's `TimedOut`/`WouldBlock` error). The handshake deadline
    /// applies as well, whichever comes first.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.read_timeout = timeout;
    }

    /// Whether bytes read from the transport wait for the connection.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Writes everything the connection has queued.
    pub fn flush(&mut self, conn: &mut Connection) -> io::Result<()> {
        self.out.clear();
        conn.write_tls(&mut self.out);
        if !self.out.is_empty() {
            self.io.write_all(&self.out)?;
            self.io.flush()?;
        }
        Ok(())
    }

    /// Feeds the bytes read so far to the connection, processes them and hands each event
    /// to `on_event` (which may read plaintext, send, or answer a pause), until the
    /// connection takes nothing more. What the connection produced is written, the alert of
    /// a failure included, before the failure is returned.
    ///
    /// It cannot spin: the connection takes bytes, or handling its events frees the
    /// plaintext buffer that made it refuse, or (after close_notify or a failure, when it
    /// takes and drops them) the bytes are gone.
    pub fn feed<E: From<StreamError>>(
        &mut self,
        conn: &mut Connection,
        mut on_event: impl FnMut(&mut Connection, Event) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stalled = false;
        loop {
            let taken = conn.read_tls(&self.pending);
            self.pending.drain(..taken);
            let processed = conn.process((self.clock)());
            while let Some(event) = conn.poll_event() {
                on_event(conn, event)?;
            }
            // The engine's failure says more than a write that failed after it.
            let flushed = self.flush(conn);
            processed.map_err(|e| E::from(e.into()))?;
            flushed.map_err(|e| E::from(e.into()))?;
            if self.pending.is_empty() {
                return Ok(());
            }
            // Nothing taken twice in a row: the plaintext buffer is still full (the caller
            // did not read it) and the bytes wait for the next call.
            match (taken, stalled) {
                (0, true) => return Ok(()),
                (0, false) => stalled = true,
                _ => stalled = false,
            }
        }
    }

    /// Blocks until the transport has more bytes (kept for [`Self::feed`]) or ends. While
    /// the connection has a handshake deadline, the read is bounded by it, and when it
    /// passes the handshake fails: `Err(StreamError::Tls(Error::HandshakeTimeout))`.
    pub fn receive(&mut self, conn: &mut Connection) -> Result<Received, StreamError> {
        let mut buf = [0u8; READ_SIZE];
        loop {
            let deadline = conn.poll_timeout();
            let until_deadline = deadline.map(|d| {
                // A zero timeout means "block" to std: wait at least a millisecond.
                d.saturating_since((self.clock)())
                    .max(Duration::from_millis(1))
            });
            let bound = match (until_deadline, self.read_timeout) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            self.io.set_read_timeout(bound)?;
            match self.io.read(&mut buf) {
                Ok(0) => return Ok(Received::Eof),
                Ok(n) => {
                    self.pending
                        .extend_from_slice(buf.get(..n).unwrap_or_default());
                    return Ok(Received::Data);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_timeout(&e) => {
                    let now = (self.clock)();
                    if let Some(d) = deadline.filter(|d| now >= *d) {
                        conn.handle_timeout(d.max(now));
                        let _ = self.flush(conn);
                        return Err(StreamError::Tls(Error::HandshakeTimeout));
                    }
                    // The deadline bounded this read and is a clock tick away: read again.
                    // Otherwise the caller's idle timeout passed, or the transport does
                    // not block (then its WouldBlock is the caller's to handle).
                    let deadline_bound = match (until_deadline, self.read_timeout) {
                        (Some(u), Some(idle)) => u < idle,
                        (Some(_), None) => true,
                        (None, _) => false,
                    };
                    let imminent = deadline
                        .is_some_and(|d| d.saturating_since(now) <= Duration::from_millis(5));
                    if !(deadline_bound && imminent) {
                        return Err(StreamError::Io(e));
                    }
                }
                Err(e) => return Err(StreamError::Io(e)),
            }
        }
    }
}

/// Whether a read failed because its timeout passed (`WouldBlock` on Unix, `TimedOut`
/// elsewhere).
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use std::net::{TcpListener, TcpStream};
    use std::sync::Arc;

    use sanstls::crypto::verify::InsecureAcceptAnything;
    use sanstls::{ClientConfig, ClientConnection};

    use super::*;

    /// A client connected to a listener that accepts and then says nothing; the listener is
    /// returned so the connection stays open.
    fn client_to_a_silent_peer(
        handshake_timeout: Duration,
    ) -> (ClientConnection, Stream<TcpStream>, TcpListener) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let io = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let mut config = ClientConfig::new(Arc::new(InsecureAcceptAnything));
        config.handshake_timeout = handshake_timeout;
        let conn = ClientConnection::new(Arc::new(config), "localhost", now()).unwrap();
        (conn, Stream::new(io), listener)
    }

    #[test]
    fn a_peer_silent_during_the_handshake_fails_it_at_the_deadline() {
        let (mut conn, mut stream, _listener) = client_to_a_silent_peer(Duration::from_millis(300));
        stream.flush(&mut conn).unwrap();
        let started = now();
        let err = stream.receive(&mut conn).unwrap_err();
        assert!(
            matches!(err, StreamError::Tls(Error::HandshakeTimeout)),
            "{err:?}"
        );
        assert_eq!(conn.error(), Some(&Error::HandshakeTimeout));
        // It waited for the deadline, not for ever (nor returned at once).
        assert!(now().saturating_since(started) >= Duration::from_millis(250));
    }

    #[test]
    fn the_callers_idle_timeout_ends_a_read_before_the_deadline() {
        let (mut conn, mut stream, _listener) = client_to_a_silent_peer(Duration::from_secs(60));
        stream.set_read_timeout(Some(Duration::from_millis(100)));
        stream.flush(&mut conn).unwrap();
        let err = stream.receive(&mut conn).unwrap_err();
        assert!(
            matches!(&err, StreamError::Io(e) if is_timeout(e)),
            "{err:?}"
        );
        // The handshake itself goes on.
        assert!(conn.is_handshaking() && conn.error().is_none());
    }

    #[test]
    fn bytes_after_the_end_of_the_stream_are_reported_once() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let io = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        let mut stream = Stream::new(io);
        let config = ClientConfig::new(Arc::new(InsecureAcceptAnything));
        let mut conn = ClientConnection::new(Arc::new(config), "localhost", now()).unwrap();
        // Not TLS: an alert-sized record of garbage, then the end of the stream.
        peer.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0xff, 0xff])
            .unwrap();
        drop(peer);
        assert_eq!(stream.receive(&mut conn).unwrap(), Received::Data);
        let fed = stream.feed(&mut conn, |_, _| Ok::<(), StreamError>(()));
        assert!(matches!(fed, Err(StreamError::Tls(_))), "{fed:?}");
        // What follows a failure is taken and dropped: nothing waits, nothing spins.
        assert!(!stream.has_pending());
        assert_eq!(stream.receive(&mut conn).unwrap(), Received::Eof);
    }
}
