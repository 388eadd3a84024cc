//! A single-threaded, edge-triggered mio echo server on the sans-IO engine: thousands of
//! connections, back-pressure, handshake timeouts and asynchronous certificate selection
//! (the loop itself is `echo.rs`).
//!
//! ```sh
//! cargo run --release -p sanstls --example mio_server -- --port 8443 [--cert cert.pem --key key.pem]
//! openssl s_client -connect 127.0.0.1:8443 -servername localhost
//! ```
//!
//! Without `--cert`/`--key` it generates a self-signed certificate for localhost and
//! 127.0.0.1. `--timeout SECONDS` bounds handshakes (default 10).

use std::process::ExitCode;

#[path = "../common/args.rs"]
mod args;
mod echo;

fn run() -> Result<(), String> {
    let port = args::port()?;
    let config = args::config(args::certified_key()?);
    let timeout = args::handshake_timeout()?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let listener =
        mio::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!(
        "mio_server listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    // One certificate here; a real selector would look the name up (and may take its time:
    // it runs on its own thread while the loop serves the other connections).
    let select: echo::Select = Box::new(move |_server_name| config.clone());
    let options = echo::Options {
        handshake_timeout: timeout,
        ..Default::default()
    };
    echo::run(listener, select, options, args::now).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mio_server: {e}");
            ExitCode::FAILURE
        }
    }
}
