//! The load's clients: `n` engine clients on one mio loop, all started at once, each doing
//! a full TLS 1.3 handshake (X25519, so both servers do the same work: rustls's ring
//! provider has no post-quantum group), a 1 KiB echo, and then either a close or a hold.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use sanstls::crypto::verify::InsecureAcceptAnything;
use sanstls::enums::NamedGroup;
use sanstls::{ClientConfig, ClientConnection, Event};

/// The echo each client sends once its handshake completes.
pub(crate) const ECHO: usize = 1024;

struct Client {
    sock: TcpStream,
    tls: ClientConnection,
    start: Instant,
    latency: Option<Duration>,
    echoed: usize,
    out: Vec<u8>,
    sent: usize,
    readable: bool,
    done: bool,
}

/// What a run of clients measured.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Each client's handshake latency: from its connect to `HandshakeComplete`.
    pub(crate) latencies: Vec<Duration>,
    /// From the first connect to the last echo.
    pub(crate) wall: Duration,
    /// Connections held open (with `hold`), to be dropped when measured.
    pub(crate) held: Vec<TcpStream>,
}

fn config() -> Arc<ClientConfig> {
    let mut config = ClientConfig::new(Arc::new(InsecureAcceptAnything));
    config.groups = vec![NamedGroup::X25519];
    Arc::new(config)
}

/// Runs `n` clients against `addr` until each has its echo back, failing past `limit`.
/// With `hold`, their sockets stay open (idle) in `Outcome::held`; without, each sends
/// close_notify and closes.
pub(crate) fn run(
    addr: SocketAddr,
    n: usize,
    hold: bool,
    limit: Duration,
    now: fn() -> sanstls::UnixTime,
) -> Result<Outcome, String> {
    let config = config();
    let mut poll = Poll::new().map_err(|e| e.to_string())?;
    let payload = vec![0x5a; ECHO];
    let started = Instant::now();
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        let mut sock = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
        poll.registry()
            .register(&mut sock, Token(i), Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| e.to_string())?;
        let tls =
            ClientConnection::new(config.clone(), "localhost", now()).map_err(|e| e.to_string())?;
        clients.push(Client {
            sock,
            tls,
            start: Instant::now(),
            latency: None,
            echoed: 0,
            out: Vec::new(),
            sent: 0,
            readable: true,
            done: false,
        });
    }
    let (mut done, mut scratch, mut plain) = (0, vec![0u8; 32 * 1024], vec![0u8; 16 * 1024]);
    let mut events = Events::with_capacity(1024);
    while done < n {
        if started.elapsed() > limit {
            return Err(format!(
                "{done} of {n} clients done after {} s",
                limit.as_secs()
            ));
        }
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .map_err(|e| e.to_string())?;
        for event in events.iter() {
            let c = &mut clients[event.token().0];
            if c.done {
                continue;
            }
            if event.is_readable() || event.is_read_closed() || event.is_error() {
                c.readable = true;
            }
            match drive(c, &payload, &mut scratch, &mut plain, hold, now) {
                Ok(true) => {
                    c.done = true;
                    done += 1;
                }
                Ok(false) => {}
                Err(e) => return Err(format!("client {}: {e}", event.token().0)),
            }
        }
    }
    let wall = started.elapsed();
    let latencies = clients.iter().filter_map(|c| c.latency).collect();
    let held = match hold {
        true => clients.into_iter().map(|c| c.sock).collect(),
        false => Vec::new(),
    };
    Ok(Outcome {
        latencies,
        wall,
        held,
    })
}

/// Advances one client; true once its echo is back.
fn drive(
    c: &mut Client,
    payload: &[u8],
    scratch: &mut [u8],
    plain: &mut [u8],
    hold: bool,
    now: fn() -> sanstls::UnixTime,
) -> Result<bool, String> {
    loop {
        c.tls.write_tls(&mut c.out);
        while c.sent < c.out.len() {
            match c.sock.write(&c.out[c.sent..]) {
                Ok(n) => c.sent += n,
                Err(e) if would_block(&e) => return Ok(false),
                Err(e) => return Err(e.to_string()),
            }
        }
        c.out.clear();
        c.sent = 0;
        if c.echoed >= payload.len() {
            if !hold {
                c.tls.send_close_notify();
                let mut out = Vec::new();
                c.tls.write_tls(&mut out);
                let _ = c.sock.write(&out);
                let _ = c.sock.shutdown(std::net::Shutdown::Both);
            }
            return Ok(true);
        }
        if !c.readable {
            return Ok(false);
        }
        let n = match c.sock.read(scratch) {
            Ok(0) => return Err("the server closed".into()),
            Ok(n) => n,
            Err(e) if would_block(&e) => {
                c.readable = false;
                continue;
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut offered = &scratch[..n];
        while !offered.is_empty() {
            let taken = c.tls.read_tls(offered);
            offered = &offered[taken..];
            c.tls.process(now()).map_err(|e| e.to_string())?;
            while let Some(event) = c.tls.poll_event() {
                if event == Event::HandshakeComplete {
                    c.latency = Some(c.start.elapsed());
                    c.tls.send(payload).map_err(|e| e.to_string())?;
                }
            }
            loop {
                let n = c.tls.read_plaintext(plain);
                if n == 0 {
                    break;
                }
                c.echoed += n;
            }
        }
    }
}

/// A connecting socket says "not connected" where a connected one says "would block".
fn would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::NotConnected | io::ErrorKind::Interrupted
    )
}
