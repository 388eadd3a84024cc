//! Running real TLS peers (OpenSSL, GnuTLS, Node.js, Python) on loopback for codec tests.
//!
//! Every loop here is bounded in time: a peer that does not connect or answer within a few
//! seconds fails the test rather than hanging it.

// Tests are an embedding of the engine, like the CLI: they may read the clock for timeouts.
#![allow(dead_code, unreachable_pub, clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The wall clock as the engine wants it (tests, like applications, read the clock).
pub fn now() -> sanstls::UnixTime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    sanstls::UnixTime::from_millis(d.as_millis() as u64)
}

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

/// Spawns `program args...` with stdout and stderr both written to `dir/<tag>.log`, so a test
/// can check what the peer reported (e.g. the alert it received) and a failure message can
/// point at the log (its path is part of the peer's name).
pub fn spawn_logged(dir: &TempDir, tag: &str, program: &str, args: &[&str]) -> Peer {
    let log = dir.path(&format!("{tag}.log"));
    let out = std::fs::File::create(&log).expect("create peer log");
    let err = out.try_clone().expect("clone peer log handle");
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} (.ci/run installs it): {e}"));
    Peer(
        child,
        format!("{program} {} (log: {})", args.join(" "), log.display()),
    )
}

/// Where a peer started with [`spawn_logged`] under `tag` writes its output.
pub fn log_path(dir: &TempDir, tag: &str) -> PathBuf {
    dir.path(&format!("{tag}.log"))
}

/// What a peer started with [`spawn_logged`] under `tag` has written so far.
pub fn read_log(dir: &TempDir, tag: &str) -> String {
    std::fs::read_to_string(log_path(dir, tag)).unwrap_or_default()
}

/// Waits up to [`PEER_TIMEOUT`] for the log at `log` to mention any of `words`
/// (case-insensitive). Returns the log's text if it does, `Err` with the text if not.
pub fn wait_for_log(log: &Path, words: &[&str]) -> Result<String, String> {
    let deadline = Instant::now() + PEER_TIMEOUT;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lower = text.to_lowercase();
        if words.iter().any(|w| lower.contains(&w.to_lowercase())) {
            return Ok(text);
        }
        if Instant::now() >= deadline {
            return Err(text);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Peer {
    /// Waits up to `timeout` for the peer to exit on its own; `None` if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.0.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => return None,
            }
        }
    }
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

/// Generates a self-signed certificate for `localhost` (SAN DNS:localhost, IP:127.0.0.1),
/// valid for 100 years, and its key, with `openssl req`. `kind`: `ec` (P-256), `ec384`,
/// `ed25519`, anything else RSA-2048. Files are `<kind>-cert.pem` / `<kind>-key.pem`.
pub fn self_signed(dir: &TempDir, kind: &str) -> (PathBuf, PathBuf) {
    let cert = dir.path(&format!("{kind}-cert.pem"));
    let key = dir.path(&format!("{kind}-key.pem"));
    let mut cmd = Command::new("openssl");
    cmd.args([
        "req",
        "-x509",
        "-nodes",
        "-days",
        "36500",
        "-subj",
        "/CN=localhost",
    ]);
    cmd.args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
    match kind {
        "ec" => cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
        "ec384" => cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]),
        "ed25519" => cmd.args(["-newkey", "ed25519"]),
        _ => cmd.args(["-newkey", "rsa:2048"]),
    };
    cmd.arg("-keyout").arg(&key).arg("-out").arg(&cert);
    run_openssl(&mut cmd);
    (cert, key)
}

/// Runs an openssl command and returns its stdout, failing the test on an error.
pub fn run_openssl(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run openssl");
    assert!(
        out.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The PKCS#8 DER form of a PEM private key.
pub fn key_der(key: &Path) -> Vec<u8> {
    run_openssl(
        Command::new("openssl")
            .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
            .arg(key),
    )
}

/// Binds an ephemeral loopback port.
pub fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = l.local_addr().expect("local addr").port();
    (l, port)
}

/// A loopback port that was free a moment ago, for a server peer to listen on.
///
/// It is taken from a block below the kernel's ephemeral range (32768 and up on Linux), so
/// a `bind(0)` elsewhere (another test's `listener()`, a client socket) can never be given
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

/// The DER bytes of the first certificate in a PEM file (via `openssl x509`).
pub fn pem_to_der(cert: &Path) -> Vec<u8> {
    run_openssl(
        Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(cert),
    )
}

/// A PEM file with the RFC 7919 ffdhe2048 group, for `openssl s_server -dhparam`.
pub fn ffdhe2048_params(dir: &TempDir) -> PathBuf {
    let file = dir.path("ffdhe2048.pem");
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
        ])
        .arg(&file)
        .output()
        .expect("run openssl genpkey");
    assert!(
        out.status.success(),
        "openssl genpkey -genparam failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    file
}

/// Accepts one connection within [`PEER_TIMEOUT`].
pub fn accept(l: &TcpListener, peer: &mut Peer) -> TcpStream {
    l.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + PEER_TIMEOUT;
    loop {
        match l.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).expect("blocking");
                s.set_read_timeout(Some(Duration::from_millis(500)))
                    .expect("timeout");
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
                s.set_read_timeout(Some(Duration::from_millis(500)))
                    .expect("timeout");
                return s;
            }
            Err(_) => {
                if let Ok(Some(status)) = peer.0.try_wait() {
                    panic!("{} exited ({status}) before listening", peer.1);
                }
                assert!(
                    Instant::now() < deadline,
                    "{} did not start listening",
                    peer.1
                );
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

/// Whether a program can be run at all (used only for messages, never to skip).
pub fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// The workspace's `vectors/` directory.
pub fn vectors_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors"))
}
