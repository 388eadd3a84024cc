//! The echo server of Node's `tls` documentation, with sanstls-node:
//!
//! ```sh
//! cargo run -p sanstls-node --example echo_server -- --port 8000 \
//!     --cert server-cert.pem --key server-key.pem [--ca client-cert.pem]
//! ```
//!
//! With `--ca`, clients must present a certificate it issued (`requestCert` with
//! `rejectUnauthorized`). Try it with `node -e "require('tls').connect(...)"`, with the
//! `echo_client` example or with `openssl s_client -connect 127.0.0.1:8000`.

use std::io::{Read, Write};
use std::process::ExitCode;

#[path = "common/args.rs"]
mod common;
use common::{arg, read};

use sanstls_node::{create_server, SecureContextOptions, ServerOptions};

fn run() -> Result<(), String> {
    let port: u16 = arg("--port")
        .unwrap_or_else(|| "8000".into())
        .parse()
        .map_err(|_| "--port")?;
    let ca = arg("--ca").map(|p| read(&p)).transpose()?;
    let options = ServerOptions {
        context: SecureContextOptions {
            ca: ca.map(|c| vec![c]),
            ..common::context()?
        },
        // Node's example: requestCert when the client's certificate is known.
        request_cert: arg("--ca").is_some(),
        ..Default::default()
    };
    let mut server = create_server(options, |mut socket| {
        println!(
            "server connected {}",
            if socket.authorized() {
                "authorized"
            } else {
                "unauthorized"
            }
        );
        let _ = socket.write_all(b"welcome!\n");
        // Echo until the client ends.
        let mut buf = [0u8; 4096];
        while let Ok(n) = socket.read(&mut buf) {
            if n == 0 || socket.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = socket.end();
    })
    .map_err(|e| e.to_string())?;
    server.on_tls_client_error(|e, _socket| eprintln!("tlsClientError: {e}"));
    let addr = server
        .listen(port, "127.0.0.1")
        .map_err(|e| e.to_string())?;
    println!("server bound on {addr}");
    common::serve_forever()
}

fn main() -> ExitCode {
    common::main_with("echo_server", run)
}
