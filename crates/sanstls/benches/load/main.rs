//! `cargo xtask load`: many concurrent TLS 1.3 clients against the mio echo server of
//! `examples/mio_server` on the engine and the same server on rustls 0.23 (ring), each in
//! its own process on 127.0.0.1. See docs/performance.md, *Under load*.
//!
//! ```text
//! cargo xtask load [--quick] [--clients N] [--repeats R] [--json FILE]
//! ```
//!
//! `--clients` defaults to 1000 (at most 20000; the descriptor soft limit must hold them),
//! `--repeats` to 5; `--quick` is 200 clients, 3 repeats. This binary also is the servers:
//! `--serve sanstls|rustls` prints `port N` and serves until killed; and the clients alone:
//! `--connect PORT [--clients N] [--hold]` runs one batch against such a server (started
//! under a profiler, say), `--hold` keeping them connected 300 ms (the idle phase).

// A load generator reads the clock; the engine does not.
#![allow(clippy::disallowed_methods)]

#[path = "../../examples/common/args.rs"]
mod args;
mod client;
mod driver;
#[path = "../../examples/mio_server/echo.rs"]
mod echo;
mod rustls_echo;

use std::io::Write;
use std::process::ExitCode;

fn run() -> Result<(), String> {
    if let Some(kind) = args::arg("--serve") {
        let kind = match kind.as_str() {
            "sanstls" => driver::Kind::Sanstls,
            "rustls" => driver::Kind::Rustls,
            _ => return Err(format!("--serve {kind}: sanstls or rustls")),
        };
        let listener = mio::net::TcpListener::bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        println!("port {port}");
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        return driver::serve(kind, listener).map_err(|e| e.to_string());
    }
    if let Some(port) = args::arg("--connect") {
        // Clients only, against a server started with `--serve` (e.g. under a profiler).
        let port: u16 = port.parse().map_err(|_| "--connect expects a port")?;
        let n: usize = args::arg("--clients")
            .map_or(Ok(200), |v| v.parse())
            .map_err(|_| "--clients expects a number")?;
        if n == 0 || n > driver::MAX_CLIENTS {
            return Err(format!("--clients 1..={}", driver::MAX_CLIENTS));
        }
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        // `--hold`: the clients stay connected for 300 ms, then drop (the idle phase).
        let hold = std::env::args().any(|a| a == "--hold");
        let out = client::run(
            addr,
            n,
            hold,
            std::time::Duration::from_secs(600),
            args::now,
        )?;
        println!("{n} clients in {:?}", out.wall);
        if hold {
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        return Ok(());
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let number = |name: &str, default: usize| -> Result<usize, String> {
        match args::arg(name) {
            Some(v) => v.parse().map_err(|_| format!("{name} expects a number")),
            None => Ok(default),
        }
    };
    let clients = number("--clients", if quick { 200 } else { 1000 })?;
    let repeats = number("--repeats", if quick { 3 } else { 5 })?;
    if clients == 0 || clients > driver::MAX_CLIENTS || repeats == 0 || repeats > 50 {
        return Err(format!(
            "--clients 1..={} and --repeats 1..=50",
            driver::MAX_CLIENTS
        ));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let settings = driver::Settings {
        clients,
        repeats,
        spawn: driver::Spawn::Process(exe),
    };
    let rows = driver::run(&settings)?;
    driver::print_table(&rows, &settings);
    if let Some(path) = args::arg("--json") {
        std::fs::write(&path, driver::json(&rows)).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load: {e}");
            ExitCode::FAILURE
        }
    }
}
