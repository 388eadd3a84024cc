//! Long-running programs a test (or `cargo xtask fleet`) starts and talks to over the
//! network: `sanstls server`, `openssl s_server`, `redis-server`. [`Background`] waits for
//! the line that says the program is ready, keeps everything it prints so a test can wait
//! for (or count) what it logs, and kills it on drop, so a failing test never leaks one.
//!
//! The waits return errors as well as panicking versions: a test fails on the spot, the
//! fleet reports the error and exits non-zero.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::net::free_port;

/// How long a program may take to print its ready line.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A background process whose stdout is collected; killed (and reaped) on drop.
#[derive(Debug)]
pub struct Background {
    child: Child,
    /// The port it listens on: given, or read from its ready line.
    pub port: u16,
    output: Arc<Mutex<String>>,
}

impl Background {
    /// Spawns `cmd` and waits until a stdout line contains `ready`. With `port` `None`, the
    /// port is what follows the last `:` of that line (`listening on 127.0.0.1:PORT`).
    pub fn start(cmd: &mut Command, ready: &str, port: Option<u16>) -> Self {
        Self::try_start(cmd, ready, port).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Self::start`], with the failure (the program did not run, exited or stayed silent
    /// for [`START_TIMEOUT`]) as an error.
    pub fn try_start(cmd: &mut Command, ready: &str, port: Option<u16>) -> Result<Self, String> {
        let program = format!("{:?}", cmd.get_program());
        // stdin stays open (piped, never written): `openssl s_server` ends its connection
        // when its stdin ends.
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
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
        match rx.recv_timeout(START_TIMEOUT) {
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
    pub fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// How many times `needle` occurs in the output so far.
    pub fn count(&self, needle: &str) -> usize {
        self.output().matches(needle).count()
    }

    /// Waits until the output contains `needle` (at most 10 s), and returns it.
    pub fn wait_for(&self, needle: &str) -> String {
        self.try_wait_for_count(needle, 1, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Waits until `needle` occurs at least `count` times in the output (at most 30 s), and
    /// returns the output.
    pub fn wait_for_count(&self, needle: &str, count: usize) -> String {
        self.try_wait_for_count(needle, count, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Waits up to `timeout` until `needle` occurs at least `count` times in the output;
    /// the output, or an error quoting it.
    pub fn try_wait_for_count(
        &self,
        needle: &str,
        count: usize,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let out = self.output();
            if out.matches(needle).count() >= count {
                return Ok(out);
            }
            if Instant::now() >= deadline {
                return Err(format!("never saw {needle:?} {count} time(s) in:\n{out}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `redis-server` on a free port of 127.0.0.1, saving nothing to disk, once it accepts
/// connections; stopped when dropped. A missing `redis-server` is an error naming the
/// package (`.ci/run` installs it), not a skip.
pub fn try_redis_server() -> Result<Background, String> {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        return Err(
            "redis-server not found on PATH: install it (e.g. apt-get install \
                    redis-server; .ci/run does)"
                .into(),
        );
    }
    // The free port can be taken by another test before Redis binds it: try again on
    // another one.
    let mut last = String::new();
    for _ in 0..5 {
        let port = free_port();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"]);
        match Background::try_start(&mut cmd, "Ready to accept connections", Some(port)) {
            Ok(bg) => return Ok(bg),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// [`try_redis_server`], failing the test when Redis does not start.
pub fn redis_server() -> Background {
    try_redis_server().unwrap_or_else(|e| panic!("{e}"))
}
