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

use sanstls_node::{create_server, SecureContextOptions, ServerOptions};
use sanstls_pki::keys::KeyInput;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

fn run() -> Result<(), String> {
    let port: u16 = arg("--port")
        .unwrap_or_else(|| "8000".into())
        .parse()
        .map_err(|_| "--port")?;
    let cert = read(&arg("--cert").ok_or("--cert FILE is required")?)?;
    let key = read(&arg("--key").ok_or("--key FILE is required")?)?;
    let ca = arg("--ca").map(|p| read(&p)).transpose()?;
    let options = ServerOptions {
        context: SecureContextOptions {
            key: vec![KeyInput::new(key)],
            cert: vec![cert],
            ca: ca.map(|c| vec![c]),
            ..Default::default()
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
    server.on_tls_client_error(|e| eprintln!("tlsClientError: {e}"));
    let addr = server
        .listen(port, "127.0.0.1")
        .map_err(|e| e.to_string())?;
    println!("server bound on {addr}");
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_server: {e}");
            ExitCode::FAILURE
        }
    }
}
