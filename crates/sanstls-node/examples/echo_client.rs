//! The echo client of Node's `tls` documentation, with sanstls-node:
//!
//! ```sh
//! cargo run -p sanstls-node --example echo_client -- --port 8000 --ca server-cert.pem \
//!     [--cert client-cert.pem --key client-key.pem] [--servername localhost]
//! ```
//!
//! Connects, reports whether the server is authorized, sends stdin's lines and prints what
//! comes back (with the `echo_server` example, or `node`'s, the lines come back).

use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

#[path = "common/args.rs"]
mod common;
use common::{arg, read};

use sanstls_node::{connect, ConnectOptions, SecureContextOptions};
use sanstls_pki::keys::KeyInput;

fn run() -> Result<(), String> {
    let port: u16 = arg("--port")
        .unwrap_or_else(|| "8000".into())
        .parse()
        .map_err(|_| "--port")?;
    let ca = read(&arg("--ca").ok_or("--ca FILE is required")?)?;
    let mut context = SecureContextOptions {
        ca: Some(vec![ca]),
        ..Default::default()
    };
    if let (Some(cert), Some(key)) = (arg("--cert"), arg("--key")) {
        context.cert = vec![read(&cert)?];
        context.key = vec![KeyInput::new(read(&key)?)];
    }
    let options = ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        servername: Some(arg("--servername").unwrap_or_else(|| "localhost".into())),
        context,
        ..Default::default()
    };
    let mut socket = connect(&options).map_err(|e| e.to_string())?;
    println!(
        "client connected {}",
        if socket.authorized() {
            "authorized"
        } else {
            "unauthorized"
        }
    );
    let mut welcome = [0u8; 64];
    let n = socket.read(&mut welcome).map_err(|e| e.to_string())?;
    print!("{}", String::from_utf8_lossy(&welcome[..n]));
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())? + "\n";
        socket
            .write_all(line.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; line.len()];
        socket.read_exact(&mut buf).map_err(|e| e.to_string())?;
        print!("{}", String::from_utf8_lossy(&buf));
    }
    socket.end().map_err(|e| e.to_string())?;
    Ok(())
}

fn main() -> ExitCode {
    common::main_with("echo_client", run)
}
