//! Loopback ports and the socket reads the peer tests make, every one bounded in time.

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
