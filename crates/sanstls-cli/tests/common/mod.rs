//! Shared helpers for the interop tests: temporary directories, peers under time limits,
//! and the `sanstls server` / `openssl s_server` processes.
//!
//! A missing peer program is a test failure, never a skip: `.ci/run` installs them.

#![allow(dead_code, clippy::disallowed_methods)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any one peer program may run.
pub(crate) const PEER_TIMEOUT: Duration = Duration::from_secs(30);

/// Fails the test (does not skip it) when `program` cannot be run.
pub(crate) fn require(program: &str) {
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

/// A directory removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "sanstls-cli-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub(crate) fn arg(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `cmd` with `stdin` to completion, killing it (and failing) after PEER_TIMEOUT.
pub(crate) fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
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
    let deadline = Instant::now() + PEER_TIMEOUT;
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
                "{program} did not finish within {PEER_TIMEOUT:?}\nstdout: {}\nstderr: {}",
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

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A background process whose stdout is collected; killed on drop.
pub(crate) struct Background {
    child: Child,
    pub(crate) port: u16,
    output: Arc<Mutex<String>>,
}

impl Background {
    /// Spawns `cmd` and waits until a stdout line contains `ready`; `port_from` extracts the
    /// port from that line (or the given one is used).
    fn start(cmd: &mut Command, ready: &str, port: Option<u16>) -> Self {
        Self::try_start(cmd, ready, port).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Self::start`], with the failure (the program exited or stayed silent) as an error.
    fn try_start(cmd: &mut Command, ready: &str, port: Option<u16>) -> Result<Self, String> {
        let program = format!("{:?}", cmd.get_program());
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = Arc::clone(&output);
        let ready = ready.to_string();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent && line.contains(&ready) {
                    let _ = tx.send(line.clone());
                    sent = true;
                }
                if let Ok(mut o) = sink.lock() {
                    o.push_str(&line);
                    o.push('\n');
                }
            }
        });
        let mut bg = Self {
            child,
            port: port.unwrap_or(0),
            output,
        };
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => {
                if port.is_none() {
                    let p = line.rsplit(':').next().unwrap_or_default().trim();
                    bg.port = p.parse().map_err(|_| format!("no port in {line:?}"))?;
                }
            }
            Err(_) => return Err(format!("{program} did not start: {}", bg.output())),
        }
        Ok(bg)
    }

    /// Everything printed so far.
    pub(crate) fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Waits until the output contains `needle` (bounded), and returns it.
    pub(crate) fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = self.output();
            if out.contains(needle) {
                return out;
            }
            assert!(Instant::now() < deadline, "never saw {needle:?} in:\n{out}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `sanstls` binary under test.
pub(crate) fn sanstls() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sanstls"))
}

/// `sanstls server --port 0 ARGS`, once it listens.
pub(crate) fn sanstls_server(args: &[&str]) -> Background {
    let mut cmd = sanstls();
    cmd.args(["server", "--port", "0"]).args(args);
    Background::start(&mut cmd, "listening on", None)
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// `openssl s_server -tls1_3 ARGS` on a free port, once it accepts.
pub(crate) fn openssl_server(args: &[&str]) -> Background {
    openssl_server_version("-tls1_3", args)
}

/// `openssl s_server <version> -accept PORT ARGS`, started and listening.
pub(crate) fn openssl_server_version(version: &str, args: &[&str]) -> Background {
    require("openssl");
    // The free port can be taken by another test before s_server binds it: try again on
    // another one.
    let mut last = String::new();
    for _ in 0..5 {
        let port = free_port();
        let mut cmd = Command::new("openssl");
        cmd.args(["s_server", version, "-accept", &port.to_string()])
            .args(args);
        match Background::try_start(&mut cmd, "ACCEPT", Some(port)) {
            Ok(bg) => return bg,
            Err(e) => last = e,
        }
    }
    panic!("{last}")
}

/// A self-signed ECDSA P-256 certificate for localhost/127.0.0.1 made by openssl:
/// returns (cert path, key path).
pub(crate) fn openssl_cert(dir: &TempDir, name: &str) -> (String, String) {
    openssl_cert_with(
        dir,
        name,
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
    )
}

/// The same with an RSA-2048 key (for the DHE-RSA and ECDHE-RSA suites).
pub(crate) fn openssl_rsa_cert(dir: &TempDir, name: &str) -> (String, String) {
    openssl_cert_with(dir, name, &["-newkey", "rsa:2048"])
}

fn openssl_cert_with(dir: &TempDir, name: &str, key_args: &[&str]) -> (String, String) {
    require("openssl");
    let cert = dir.arg(&format!("{name}.crt"));
    let key = dir.arg(&format!("{name}.key"));
    let out = run(
        Command::new("openssl")
            .args(["req", "-x509"])
            .args(key_args)
            .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            .args(["-keyout", &key, "-out", &cert]),
        b"",
    );
    assert!(out.status.success(), "openssl req: {}", text(&out.stderr));
    (cert, key)
}

pub(crate) fn exists(p: &Path) -> bool {
    p.metadata().map(|m| m.len() > 0).unwrap_or(false)
}
