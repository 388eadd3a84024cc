//! A single-threaded, edge-triggered mio echo server driving the sans-IO engine: the loop
//! of docs/engine.md for thousands of non-blocking sockets at once. Shared by the
//! `mio_server` example, its test (`tests/examples.rs`) and `cargo xtask load`.
//!
//! - **Edge-triggered**: mio reports a socket once when it becomes readable or writable,
//!   so a connection remembers that its socket may still hold bytes (`readable`) and reads
//!   until `WouldBlock` whenever it is allowed to read.
//! - **Back-pressure**: a connection whose unsent TLS bytes (`pending_tls_len`) exceed
//!   `Options::max_unsent` stops reading its socket (the peer's writes then block in its kernel buffers) until
//!   the socket has taken them.
//! - **Handshake timeouts**: every connection's `poll_timeout()` deadline is in one ordered
//!   set, the poll waits until the earliest, and `handle_timeout(now)` fails the late ones.
//! - **Asynchronous certificate selection**: connections start paused
//!   (`ServerConnection::new_paused`); on `Event::ClientHello` the server name goes to a
//!   selector thread (standing in for a certificate store, a database, a remote key
//!   service), whose answer comes back through a channel and a `mio::Waker`, and
//!   `ServerConnection::accept` resumes the handshake. Other connections run meanwhile.
//!
//! Idle connections hold no buffer of the loop's: reads go through one shared scratch
//! buffer, and TLS bytes go from the engine to the socket with `write_tls_to`, which keeps
//! what the socket did not take (`pending_tls_len` is then the back-pressure signal).
//! Nor of the engine's: when a socket has nothing more to read and nothing is waiting to
//! be written, `release_idle_memory` gives back the connection's buffers and expanded
//! record keys (about 1.5 KB is left per connection), at the price of a key expansion per
//! direction on its next burst of traffic.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Read};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use sanstls::{Event, ServerConfig, ServerConnection, UnixTime};

/// Picks the configuration for a ClientHello's server name (on the selector thread).
pub(crate) type Select = Box<dyn Fn(Option<&str>) -> Arc<ServerConfig> + Send>;

/// The server's knobs.
pub(crate) struct Options {
    /// How long a handshake may take, from accept (the paused wait for a configuration
    /// included); without `select_async`, the configuration's `handshake_timeout` instead.
    pub(crate) handshake_timeout: Duration,
    /// Back-pressure: stop reading a socket while its connection holds more unsent TLS
    /// bytes than this.
    pub(crate) max_unsent: usize,
    /// Connections beyond this are closed as soon as they are accepted.
    pub(crate) max_connections: usize,
    /// Pause every handshake on its ClientHello for the selector (the default); without,
    /// connections start with the selector's configuration for no name, picked once.
    pub(crate) select_async: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_secs(10),
            max_unsent: 64 * 1024,
            max_connections: 100_000,
            select_async: true,
        }
    }
}

/// How often a connection stopped reading its socket for back-pressure (the test checks
/// that a slow reader makes it happen).
pub(crate) static BACK_PRESSURE_STOPS: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);

/// One client.
struct Conn {
    sock: TcpStream,
    tls: ServerConnection,
    /// Bytes read from the socket that the engine has not taken yet (while paused).
    stash: Vec<u8>,
    /// Waiting for the selector's configuration.
    paused: bool,
    /// The socket may hold bytes we have not read (edge-triggered: no new event comes
    /// for them).
    readable: bool,
    /// The deadline this connection has in the timer set.
    deadline: Option<UnixTime>,
}

/// The event loop's state.
struct Server {
    /// Boxed: the map's table, which has up to twice the slots it fills, then holds a
    /// pointer per slot instead of a whole connection (about 2.2 KB).
    conns: HashMap<Token, Box<Conn>>,
    timers: BTreeSet<(UnixTime, Token)>,
    next_token: usize,
    options: Options,
    /// One read buffer for every socket, and one for the plaintext echoed back.
    scratch: Vec<u8>,
    plain: Vec<u8>,
    to_selector: mpsc::Sender<(Token, Option<String>)>,
    now: fn() -> UnixTime,
    /// Without `Options::select_async`: the configuration of every connection.
    config: Option<Arc<ServerConfig>>,
}

/// Serves `listener` (mio's, whose listen backlog is 1024 where std's is 128) forever
/// (until an I/O error of the poll itself).
pub(crate) fn run(
    mut listener: TcpListener,
    select: Select,
    options: Options,
    now: fn() -> UnixTime,
) -> io::Result<()> {
    let config = match options.select_async {
        true => None,
        false => Some(select(None)),
    };
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);

    // The selector thread: server name in, configuration out, then a wake-up.
    let (to_selector, requests) = mpsc::channel::<(Token, Option<String>)>();
    let (answers_tx, answers) = mpsc::channel::<(Token, Arc<ServerConfig>)>();
    let selector_waker = Arc::clone(&waker);
    std::thread::spawn(move || {
        for (token, name) in requests {
            let config = select(name.as_deref());
            if answers_tx.send((token, config)).is_err() || selector_waker.wake().is_err() {
                return;
            }
        }
    });

    let mut server = Server {
        conns: HashMap::new(),
        timers: BTreeSet::new(),
        next_token: 2,
        options,
        scratch: vec![0; 64 * 1024],
        plain: vec![0; 16 * 1024],
        to_selector,
        now,
        config,
    };
    let mut events = Events::with_capacity(1024);
    loop {
        let timeout = server
            .timers
            .first()
            .map(|(deadline, _)| deadline.saturating_since((server.now)()));
        if let Err(e) = poll.poll(&mut events, timeout) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for event in events.iter() {
            match event.token() {
                LISTENER => server.accept(&listener, &poll),
                WAKER => {
                    while let Ok((token, config)) = answers.try_recv() {
                        server.resume(token, config, &poll);
                    }
                }
                token => {
                    if let Some(conn) = server.conns.get_mut(&token) {
                        // Errors and hang-ups show up as readable: the read says which.
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            conn.readable = true;
                        }
                    }
                    server.drive(token, &poll);
                }
            }
        }
        server.expire(&poll);
    }
}

impl Server {
    fn accept(&mut self, listener: &TcpListener, poll: &Poll) {
        loop {
            let (mut sock, _) = match listener.accept() {
                Ok(s) => s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Out of descriptors and the like: try again at the next event.
                Err(e) => {
                    eprintln!("accept: {e}");
                    return;
                }
            };
            if self.conns.len() >= self.options.max_connections {
                continue; // dropped: closed
            }
            let token = Token(self.next_token);
            self.next_token += 1;
            if poll
                .registry()
                .register(&mut sock, token, Interest::READABLE | Interest::WRITABLE)
                .is_err()
            {
                continue;
            }
            let _ = sock.set_nodelay(true);
            let now = (self.now)();
            let tls = match &self.config {
                None => ServerConnection::new_paused(now, self.options.handshake_timeout),
                Some(config) => match ServerConnection::new(config.clone(), now) {
                    Ok(tls) => tls,
                    Err(_) => continue,
                },
            };
            self.conns.insert(
                token,
                Box::new(Conn {
                    sock,
                    tls,
                    stash: Vec::new(),
                    paused: false,
                    readable: true,
                    deadline: None,
                }),
            );
            self.drive(token, poll);
        }
    }

    /// The selector answered: resume the paused handshake.
    fn resume(&mut self, token: Token, config: Arc<ServerConfig>, poll: &Poll) {
        let now = (self.now)();
        let Some(conn) = self.conns.get_mut(&token) else {
            return; // closed (or timed out) meanwhile
        };
        conn.paused = false;
        // A failure is sticky: drive flushes its alert and closes.
        let _ = conn.tls.accept(config, now);
        self.drive(token, poll);
    }

    /// Fails the handshakes whose deadline passed.
    fn expire(&mut self, poll: &Poll) {
        let now = (self.now)();
        while let Some(&(deadline, token)) = self.timers.first() {
            if deadline > now {
                break;
            }
            self.timers.pop_first();
            if let Some(conn) = self.conns.get_mut(&token) {
                if conn.deadline == Some(deadline) {
                    conn.deadline = None;
                    conn.tls.handle_timeout(now);
                    self.drive(token, poll);
                }
            }
        }
    }

    /// Moves everything that can move on one connection: stashed and socket bytes in,
    /// TLS bytes out; closes it when it is done or failed.
    fn drive(&mut self, token: Token, poll: &Poll) {
        let now = (self.now)();
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        let keep = step(
            conn,
            token,
            &self.options,
            &mut self.scratch,
            &mut self.plain,
            &self.to_selector,
            now,
        );
        if !keep {
            if let Some(mut conn) = self.conns.remove(&token) {
                let _ = poll.registry().deregister(&mut conn.sock);
            }
            return;
        }
        // Keep the timer set in step with the engine's deadline (stale entries are skipped
        // by `expire`).
        let deadline = conn.tls.poll_timeout();
        if deadline != conn.deadline {
            if let Some(old) = conn.deadline {
                self.timers.remove(&(old, token));
            }
            if let Some(new) = deadline {
                self.timers.insert((new, token));
            }
            conn.deadline = deadline;
        }
    }
}

/// One connection's work; false when it should be closed.
fn step(
    conn: &mut Conn,
    token: Token,
    options: &Options,
    scratch: &mut [u8],
    plain: &mut [u8],
    to_selector: &mpsc::Sender<(Token, Option<String>)>,
    now: UnixTime,
) -> bool {
    loop {
        // Out first: it may lift the back-pressure.
        if flush(conn).is_err() {
            return false;
        }
        if conn.tls.error().is_some() {
            // The alert went out as far as the socket took it.
            return false;
        }
        if conn.peer_closed_and_answered() {
            return conn.tls.pending_tls_len() > 0; // linger until our close_notify is out
        }
        if conn.paused {
            return true;
        }
        if conn.tls.pending_tls_len() > options.max_unsent {
            BACK_PRESSURE_STOPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return true;
        }
        if !conn.stash.is_empty() {
            let stash = std::mem::take(&mut conn.stash);
            feed(conn, &stash, token, plain, to_selector, now);
            if !conn.stash.is_empty() {
                return true; // still not taken: wait for the selector
            }
            continue;
        }
        if !conn.readable {
            return true;
        }
        match conn.sock.read(scratch) {
            Ok(0) => {
                // The peer is gone (without close_notify, or after it).
                return false;
            }
            Ok(n) => feed(conn, &scratch[..n], token, plain, to_selector, now),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                conn.readable = false;
                // Nothing more to read for now; if nothing waits to be written either,
                // the connection is idle until its peer speaks again, and gives back what
                // it can rebuild then (it declines while anything is in flight).
                conn.tls.release_idle_memory();
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

impl Conn {
    /// The peer sent close_notify and ours is queued.
    fn peer_closed_and_answered(&self) -> bool {
        self.tls.peer_closed() && !self.tls.wants_write()
    }
}

/// Offers `bytes` to the engine, echoes the plaintext, and keeps what it did not take.
fn feed(
    conn: &mut Conn,
    mut bytes: &[u8],
    token: Token,
    plain: &mut [u8],
    to_selector: &mpsc::Sender<(Token, Option<String>)>,
    now: UnixTime,
) {
    loop {
        let taken = conn.tls.read_tls(bytes);
        bytes = &bytes[taken..];
        // An error is sticky and its alert queued: `step` sends it and closes.
        let failed = conn.tls.process(now).is_err();
        while let Some(event) = conn.tls.poll_event() {
            match event {
                Event::ClientHello(info) => {
                    conn.paused = true;
                    let _ = to_selector.send((token, info.server_name));
                }
                Event::PeerClosed => conn.tls.send_close_notify(),
                _ => {}
            }
        }
        // Echo: every byte read goes back (reading it also makes room for more records).
        loop {
            let n = conn.tls.read_plaintext(plain);
            if n == 0 {
                break;
            }
            if conn.tls.send(&plain[..n]).is_err() {
                break;
            }
        }
        if bytes.is_empty() || failed {
            return;
        }
        if taken == 0 {
            // Paused on the ClientHello: the engine takes the rest after `accept`.
            conn.stash.extend_from_slice(bytes);
            return;
        }
    }
}

/// Writes what the socket takes; the engine keeps the rest (`pending_tls_len`).
fn flush(conn: &mut Conn) -> io::Result<()> {
    while conn.tls.wants_write() {
        match conn.tls.write_tls_to(&mut conn.sock) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
