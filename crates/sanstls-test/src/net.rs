//! Loopback ports, the socket reads the peer tests make, and a relay that notes the record
//! sizes on the wire, every wait bounded in time.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Instant;

use crate::peers::PEER_TIMEOUT;

/// A listener on an ephemeral loopback port, and the port.
///
/// The race-free way to get a port: the socket is bound before anyone learns its number.
/// Use it whenever the test itself listens; use [`free_port`] only when another program
/// must bind the port.
pub fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = l.local_addr().expect("local addr").port();
    (l, port)
}

/// A loopback port that was free a moment ago, for a peer program to listen on.
///
/// It is taken from a block below the kernel's ephemeral range (32768 and up on Linux), so
/// a `bind(0)` elsewhere (another test's [`listener`], a client socket) can never be given
/// the same port between our check and the peer's own bind: that race once made a peer
/// fail to start. Each test process uses its own block (by process id) and never hands
/// out a port twice; if the whole block is busy, any free port will do.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const BLOCK: u16 = 64;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20_000 + (std::process::id() % 150) as u16 * BLOCK;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        if n >= BLOCK {
            return listener().1;
        }
        if TcpListener::bind(("127.0.0.1", base + n)).is_ok() {
            return base + n;
        }
    }
}

/// Reads from `s` until `done(&bytes_so_far)` holds, the peer closes, or [`PEER_TIMEOUT`]
/// passes.
pub fn read_until(s: &mut TcpStream, mut done: impl FnMut(&[u8]) -> bool) -> Vec<u8> {
    let deadline = Instant::now() + PEER_TIMEOUT;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !done(&got) && Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    got
}

/// Hands each chunk read from `s` to `on_bytes` until it returns true (done), the peer
/// closes, or [`PEER_TIMEOUT`] passes. Returns whether `on_bytes` said done.
pub fn read_chunks(s: &mut TcpStream, mut on_bytes: impl FnMut(&[u8]) -> bool) -> bool {
    let deadline = Instant::now() + PEER_TIMEOUT;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => {
                if on_bytes(&buf[..n]) {
                    return true;
                }
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut
                    || e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    false
}

/// Sends `bytes` and half-closes nothing: the peer keeps talking.
pub fn send(s: &mut TcpStream, bytes: &[u8]) {
    s.write_all(bytes).expect("write to peer");
}

/// Closes both directions.
pub fn close(s: TcpStream) {
    let _ = s.shutdown(Shutdown::Both);
}

/// One record header seen on the wire: the content type and the length of the payload
/// (for a protected record, the ciphertext: content, TLS 1.3's type byte, padding, tag).
pub type RecordSeen = (u8, usize);

/// A loopback relay for one TLS connection between a client and a server on
/// `127.0.0.1:upstream`, noting the record headers each side sends: what a test measures
/// record sizes with when one end is another implementation's program. Both directions
/// are copied as they come; each read is bounded by [`PEER_TIMEOUT`], as is the wait for
/// the client to connect.
#[derive(Debug)]
pub struct RecordRelay {
    /// Where the client connects.
    pub port: u16,
    seen: std::sync::Arc<std::sync::Mutex<[Vec<RecordSeen>; 2]>>,
}

impl RecordRelay {
    /// Starts relaying the next connection to `upstream`.
    pub fn start(upstream: u16) -> Self {
        use std::sync::{Arc, Mutex};
        let (l, port) = listener();
        let seen: Arc<Mutex<[Vec<RecordSeen>; 2]>> = Arc::default();
        let shared = seen.clone();
        std::thread::spawn(move || {
            l.set_nonblocking(true).expect("nonblocking listener");
            let deadline = Instant::now() + PEER_TIMEOUT;
            let client = loop {
                match l.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if Instant::now() < deadline => {
                        std::thread::sleep(std::time::Duration::from_millis(10))
                    }
                    Err(_) => return,
                }
            };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            for s in [&client, &server] {
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(PEER_TIMEOUT));
            }
            let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            let up = shared.clone();
            let t = std::thread::spawn(move || copy_noting(client, s2, &up, 0));
            copy_noting(server, c2, &shared, 1);
            let _ = t.join();
        });
        Self { port, seen }
    }

    /// The records the client sent so far.
    pub fn from_client(&self) -> Vec<RecordSeen> {
        self.seen.lock().map(|s| s[0].clone()).unwrap_or_default()
    }

    /// The records the server sent so far.
    pub fn from_server(&self) -> Vec<RecordSeen> {
        self.seen.lock().map(|s| s[1].clone()).unwrap_or_default()
    }
}

/// Copies `from` to `to` until either ends, noting each record header in `seen[side]`
/// before the bytes go on (so a peer that has read a record finds it noted).
fn copy_noting(
    mut from: TcpStream,
    mut to: TcpStream,
    seen: &std::sync::Mutex<[Vec<RecordSeen>; 2]>,
    side: usize,
) {
    let (mut header, mut skip) = (Vec::with_capacity(5), 0usize);
    let mut buf = [0u8; 16384];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut b = &buf[..n];
        while !b.is_empty() {
            if skip > 0 {
                let k = skip.min(b.len());
                (skip, b) = (skip - k, &b[k..]);
                continue;
            }
            let k = (5 - header.len()).min(b.len());
            header.extend_from_slice(&b[..k]);
            b = &b[k..];
            if header.len() == 5 {
                skip = usize::from(u16::from_be_bytes([header[3], header[4]]));
                if let Ok(mut s) = seen.lock() {
                    s[side].push((header[0], skip));
                }
                header.clear();
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
