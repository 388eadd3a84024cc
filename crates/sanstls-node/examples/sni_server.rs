//! A server with one certificate per host name (Node's `server.addContext` and
//! `SNICallback`):
//!
//! ```sh
//! cargo run -p sanstls-node --example sni_server -- --port 8000 \
//!     --cert default-cert.pem --key default-key.pem \
//!     --context 'a.example=a-cert.pem,a-key.pem' --context '*.b.example=b-cert.pem,b-key.pem'
//! ```
//!
//! Each connection is answered with the name of the certificate's host. Try
//! `node -e "tls.connect({port: 8000, servername: 'a.example', ...})"` or
//! `openssl s_client -connect 127.0.0.1:8000 -servername a.example`.

use std::io::Write;
use std::process::ExitCode;

#[path = "common/args.rs"]
mod common;
use common::{args, read};

use sanstls_node::{create_server, SecureContextOptions, ServerOptions};
use sanstls_pki::keys::KeyInput;

fn run() -> Result<(), String> {
    let mut server = create_server(
        ServerOptions {
            context: common::context()?,
            ..Default::default()
        },
        |mut socket| {
            let name = socket.servername().unwrap_or_else(|| "(no SNI)".into());
            let _ = writeln!(socket, "hello {name}");
            let _ = socket.end();
        },
    )
    .map_err(|e| e.to_string())?;
    for spec in args("--context") {
        let (host, files) = spec.split_once('=').ok_or("--context HOST=CERT,KEY")?;
        let (cert, key) = files.split_once(',').ok_or("--context HOST=CERT,KEY")?;
        let ctx = SecureContextOptions {
            cert: vec![read(cert)?],
            key: vec![KeyInput::new(read(key)?)],
            ..Default::default()
        };
        server.add_context(host, &ctx).map_err(|e| e.to_string())?;
        println!("context for {host}: {cert}");
    }
    let addr = server
        .listen(common::port()?, "127.0.0.1")
        .map_err(|e| e.to_string())?;
    println!("server bound on {addr}");
    common::serve_forever()
}

fn main() -> ExitCode {
    common::main_with("sni_server", run)
}
