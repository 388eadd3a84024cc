//! An echo server on io_uring with registered buffers, application records opened and
//! sealed in place (`open_in_place` / `seal_in_place`); the loop itself is `ring.rs`.
//! Linux only (elsewhere it says so and exits).
//!
//! ```sh
//! cargo run --release -p sanstls --example io_uring_server -- --port 8443 [--cert cert.pem --key key.pem]
//! openssl s_client -connect 127.0.0.1:8443 -servername localhost
//! ```
//!
//! Without `--cert`/`--key` it generates a self-signed certificate for localhost and
//! 127.0.0.1. `--connections N` (default 256) connections are served at once, each with
//! two registered buffers of 36 KiB; more wait in the listen backlog. `--timeout SECONDS`
//! bounds handshakes (default 10): a client that connects and stays silent loses its slot
//! then. Needs Linux 5.11 (a wait with a timeout, `IORING_ENTER_EXT_ARG`).

use std::process::ExitCode;

#[path = "../common/args.rs"]
mod args;
#[cfg(target_os = "linux")]
mod ring;

#[cfg(target_os = "linux")]
fn run() -> Result<(), String> {
    let port = args::port()?;
    let mut config = sanstls::ServerConfig::new(vec![args::certified_key()?]);
    config.handshake_timeout = args::handshake_timeout()?;
    let config = std::sync::Arc::new(config);
    let connections: usize = args::arg("--connections")
        .unwrap_or_else(|| "256".into())
        .parse()
        .map_err(|_| "--connections expects a number")?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!(
        "io_uring_server listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    ring::run(listener, config, connections, args::now).map_err(|e| format!("io_uring: {e}"))
}

#[cfg(not(target_os = "linux"))]
fn run() -> Result<(), String> {
    Err("io_uring is Linux only".into())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("io_uring_server: {e}");
            ExitCode::FAILURE
        }
    }
}
