//! Running real TLS peers (OpenSSL, GnuTLS, Node.js, Python) on loopback for codec tests.
//!
//! Every loop here is bounded in time: a peer that does not connect or answer within a few
//! seconds fails the test rather than hanging it.

// Tests are an embedding of the engine, like the CLI: they may read the clock for timeouts.
#![allow(dead_code, unreachable_pub, clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a peer may take to connect, listen or answer.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(15);

/// A child process killed when dropped, so a failing assertion never leaks a peer.
pub struct Peer(pub Child, pub String);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns `program args...` with stdin and stdout silenced, stderr kept for diagnostics.
pub fn spawn(program: &str, args: &[&str]) -> Peer {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} (.ci/run installs it): {e}"));
    Peer(child, format!("{program} {}", args.join(" ")))
}

/// A fresh temporary directory under the target dir, removed by the caller's drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sanstls-test-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Generates a self-signed certificate and key with `openssl req` (`rsa:2048` or `ec`).
pub fn self_signed(dir: &TempDir, kind: &str) -> (PathBuf, PathBuf) {
    let cert = dir.path(&format!("{kind}-cert.pem"));
    let key = dir.path(&format!("{kind}-key.pem"));
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost"]);
    match kind {
        "ec" => cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
        _ => cmd.args(["-newkey", "rsa:2048"]),
    };
    cmd.arg("-keyout").arg(&key).arg("-out").arg(&cert);
    let out = cmd.output().expect("run openssl req");
    assert!(out.status.success(), "openssl req failed: {}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

/// Binds an ephemeral loopback port.
pub fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = l.local_addr().expect("local addr").port();
    (l, port)
}

/// Accepts one connection within [`PEER_TIMEOUT`].
pub fn accept(l: &TcpListener, peer: &mut Peer) -> TcpStream {
    l.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + PEER_TIMEOUT;
    loop {
        match l.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).expect("blocking");
                s.set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
                return s;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Ok(Some(status)) = peer.0.try_wait() {
                    panic!("{} exited ({status}) before connecting", peer.1);
                }
                assert!(Instant::now() < deadline, "{} did not connect", peer.1);
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// Connects to a server peer that is still starting up, within [`PEER_TIMEOUT`].
pub fn connect(port: u16, peer: &mut Peer) -> TcpStream {
    let deadline = Instant::now() + PEER_TIMEOUT;
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
                return s;
            }
            Err(_) => {
                if let Ok(Some(status)) = peer.0.try_wait() {
                    panic!("{} exited ({status}) before listening", peer.1);
                }
                assert!(Instant::now() < deadline, "{} did not start listening", peer.1);
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Reads from `s` until `done(&bytes_so_far)` holds, the peer closes, or the time is up.
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

/// Sends `bytes` and half-closes nothing: the peer keeps talking.
pub fn send(s: &mut TcpStream, bytes: &[u8]) {
    s.write_all(bytes).expect("write to peer");
}

/// Closes both directions.
pub fn close(s: TcpStream) {
    let _ = s.shutdown(Shutdown::Both);
}

/// Whether a program can be run at all (used only for messages, never to skip).
pub fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// The workspace's `vectors/` directory.
pub fn vectors_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors"))
}
