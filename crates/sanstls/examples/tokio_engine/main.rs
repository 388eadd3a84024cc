//! The sans-IO engine on tokio without the facade: an echo server, one task per
//! connection (the loop itself is `echo.rs`).
//!
//! ```sh
//! cargo run --release -p sanstls --example tokio_engine -- --port 8443 [--cert cert.pem --key key.pem]
//! openssl s_client -connect 127.0.0.1:8443 -servername localhost
//! ```
//!
//! Without `--cert`/`--key` it generates a self-signed certificate for localhost and
//! 127.0.0.1. `--timeout SECONDS` bounds handshakes (default 10).

use std::process::ExitCode;
use std::sync::Arc;

#[path = "../common/args.rs"]
mod args;
mod echo;

fn run() -> Result<(), String> {
    let port = args::port()?;
    let config = args::config(args::certified_key()?);
    let timeout = args::handshake_timeout()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        println!(
            "tokio_engine listening on {}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        // One certificate here; a real selector would look the name up asynchronously.
        let select: echo::Select = Arc::new(move |_server_name| {
            let config = config.clone();
            Box::pin(async move { config })
        });
        echo::run(listener, select, timeout, args::now)
            .await
            .map_err(|e| e.to_string())
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokio_engine: {e}");
            ExitCode::FAILURE
        }
    }
}
