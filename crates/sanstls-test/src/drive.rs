//! The blocking loop the socket tests (and `cargo xtask fleet`) drive one connection over a
//! `TcpStream` with: the loop of docs/engine.md on [`sanstls_node::stream::Stream`], which
//! does the reading, feeding and writing; this adds what a test wants on top (every event
//! kept, the plaintext collected, a stop condition, a time limit).
//!
//! Written once here so that the tests and the fleet check the engine through the same
//! loop, and a fix to it reaches all of them.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use sanstls::{Connection, Error, Event};
use sanstls_node::stream::{is_timeout, Received, Stream, StreamError};

/// How long [`drive`] lets one call run before failing the test.
pub const DRIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one read waits before the loop checks `done` and the time limit again: short,
/// so a stop condition met by what the engine queued is noticed without new bytes.
const POLL: Duration = Duration::from_millis(50);

/// What one [`drive`] produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every event the connection gave, in order (`PlaintextReady` included).
    pub events: Vec<Event>,
    /// The plaintext read.
    pub plaintext: Vec<u8>,
    /// The engine's failure, if it failed (its alert has been written).
    pub error: Option<Error>,
    /// Why the loop stopped.
    pub end: End,
}

/// Why [`drive`] stopped.
#[derive(Debug, Default)]
pub enum End {
    /// `done` said enough.
    #[default]
    Done,
    /// The peer's close_notify arrived.
    PeerClosed,
    /// The socket reached its end.
    Eof,
    /// The engine failed: see [`Outcome::error`].
    Failed,
    /// The socket failed (not a read timeout).
    Io(io::Error),
    /// The time limit passed first.
    TimedOut,
}

impl Outcome {
    /// Ends with the engine's or the socket's failure.
    fn failed(mut self, e: StreamError) -> Self {
        match e {
            StreamError::Tls(e) => {
                self.error = Some(e);
                self.end = End::Failed;
            }
            StreamError::Io(e) => self.end = End::Io(e),
        }
        self
    }

    /// The first session the server handed over (`NewSessionTicket`; in TLS 1.2 a session
    /// id counts too), if any.
    pub fn session(&self) -> Option<sanstls::client::StoredSession> {
        crate::events::session(&self.events)
    }
}

/// Appends every byte of plaintext `conn` holds to `out`.
pub fn read_plaintext_into(conn: &mut Connection, out: &mut Vec<u8>) {
    let mut b = [0u8; 4096];
    loop {
        let n = conn.read_plaintext(&mut b);
        if n == 0 {
            return;
        }
        out.extend_from_slice(&b[..n]);
    }
}

/// Drives `conn` over `sock` until the peer closes, the connection or the socket fails,
/// `done` says enough, or `timeout` passes ([`End::TimedOut`]: the caller decides what that
/// means; [`drive`] fails the test). What `conn` has queued (a ClientHello, data) is written
/// first.
pub fn try_drive(
    conn: &mut Connection,
    sock: &mut TcpStream,
    timeout: Duration,
    mut done: impl FnMut(&Connection, &Outcome) -> bool,
) -> Outcome {
    let deadline = Instant::now() + timeout;
    let mut o = Outcome::default();
    let mut stream = Stream::new(sock);
    stream.set_read_timeout(Some(POLL));
    if let Err(e) = stream.flush(conn) {
        o.end = End::Io(e);
        return o;
    }
    loop {
        let fed = stream.feed(conn, |c, e| {
            if e == Event::PlaintextReady {
                read_plaintext_into(c, &mut o.plaintext);
            }
            o.events.push(e);
            Ok::<(), StreamError>(())
        });
        if let Err(e) = fed {
            return o.failed(e);
        }
        // `done` first: a stop condition met together with the peer's close is done.
        if done(conn, &o) {
            o.end = End::Done;
            return o;
        }
        if conn.peer_closed() {
            o.end = End::PeerClosed;
            return o;
        }
        if Instant::now() >= deadline {
            o.end = End::TimedOut;
            return o;
        }
        match stream.receive(conn) {
            Ok(Received::Data) => {}
            Ok(Received::Eof) => {
                o.end = End::Eof;
                return o;
            }
            Err(StreamError::Io(e)) if is_timeout(&e) => {}
            Err(e) => return o.failed(e),
        }
    }
}

/// [`try_drive`] within [`DRIVE_TIMEOUT`], failing the test if the connection neither
/// finishes nor fails by then: a test must not hang on a silent peer.
pub fn drive(
    conn: &mut Connection,
    sock: &mut TcpStream,
    done: impl FnMut(&Connection, &Outcome) -> bool,
) -> Outcome {
    let o = try_drive(conn, sock, DRIVE_TIMEOUT, done);
    assert!(
        !matches!(o.end, End::TimedOut),
        "connection did not finish: {o:?}"
    );
    o
}
