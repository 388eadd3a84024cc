//! The CLI's own helpers for its interop tests: programs run under time limits, and the
//! `sanstls server` / `openssl s_server` processes. Temporary directories, ports,
//! `require` and openssl certificates come from `sanstls_test`.
//!
//! A missing peer program is a test failure, never a skip: `.ci/run` installs them.

#![allow(dead_code, clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sanstls_test::net::free_port;
use sanstls_test::openssl;
pub(crate) use sanstls_test::peers::require;
pub(crate) use sanstls_test::TempDir;

/// How long any one peer program may run.
pub(crate) const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `cmd` with `stdin` to completion, killing it (and failing) after RUN_TIMEOUT.
pub(crate) fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    sanstls_test::peers::run(cmd, stdin, RUN_TIMEOUT)
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

    /// Waits until `needle` occurs at least `count` times in the output (bounded), and
    /// returns the output.
    pub(crate) fn wait_for_count(&self, needle: &str, count: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.output();
            if out.matches(needle).count() >= count {
                return out;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {needle:?} {count} times in:\n{out}"
            );
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

/// Runs `sanstls client ADDR --json --timeout 5 ARGS`; returns (exit success, the JSON).
pub(crate) fn client_json(addr: &str, args: &[&str]) -> (bool, serde_json::Value) {
    let out = run(
        sanstls()
            .args(["client", addr, "--json", "--timeout", "5"])
            .args(args),
        b"",
    );
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    (out.status.success(), json)
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

/// `redis-server` on a free port of 127.0.0.1, saving nothing to disk, once it accepts
/// connections; stopped when dropped.
pub(crate) fn redis_server() -> Background {
    require("redis-server");
    let mut last = String::new();
    for _ in 0..5 {
        let port = free_port();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"]);
        match Background::try_start(&mut cmd, "Ready to accept connections", Some(port)) {
            Ok(bg) => return bg,
            Err(e) => last = e,
        }
    }
    panic!("{last}")
}

/// A self-signed ECDSA P-256 certificate for localhost/127.0.0.1 made by openssl:
/// returns (cert path, key path).
pub(crate) fn openssl_cert(dir: &TempDir, name: &str) -> (String, String) {
    openssl_cert_with(dir, name, "ec")
}

/// The same with an RSA-2048 key (for the DHE-RSA and ECDHE-RSA suites).
pub(crate) fn openssl_rsa_cert(dir: &TempDir, name: &str) -> (String, String) {
    openssl_cert_with(dir, name, "rsa")
}

fn openssl_cert_with(dir: &TempDir, name: &str, kind: &str) -> (String, String) {
    require("openssl");
    let (cert, key) = openssl::self_signed_for(dir, name, kind, "localhost");
    (
        cert.to_string_lossy().into_owned(),
        key.to_string_lossy().into_owned(),
    )
}

pub(crate) fn exists(p: &Path) -> bool {
    p.metadata().map(|m| m.len() > 0).unwrap_or(false)
}
