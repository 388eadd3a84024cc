//! The CLI's own helpers for its interop tests: programs run under time limits, and the
//! `sanstls server` / `openssl s_server` processes. Temporary directories, ports,
//! `require`, openssl certificates and the background processes themselves (`Background`,
//! Redis) come from `sanstls_test`.
//!
//! A missing peer program is a test failure, never a skip: `.ci/run` installs them.

#![allow(dead_code, clippy::disallowed_methods)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

pub(crate) use sanstls_test::background::Background;
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
