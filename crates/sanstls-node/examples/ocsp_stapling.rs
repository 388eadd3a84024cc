//! Node's `OCSPRequest` event answered with a stored OCSP response:
//!
//! ```sh
//! cargo run -p sanstls-node --example ocsp_stapling -- --port 8000 \
//!     --cert cert.pem --key key.pem --ocsp-response response.der
//! ```
//!
//! Clients that ask (`openssl s_client -status`, Node's `requestOCSP: true`) get the
//! response stapled; sanstls_pki::ocsp::check_response checks one on the client side.

use std::io::Write;
use std::process::ExitCode;

#[path = "common/args.rs"]
mod common;
use common::{arg, read};

use sanstls_node::{create_server, ServerOptions};

fn run() -> Result<(), String> {
    let response = read(&arg("--ocsp-response").ok_or("--ocsp-response FILE is required")?)?;
    let mut server = create_server(
        ServerOptions {
            context: common::context()?,
            ..Default::default()
        },
        |mut socket| {
            let _ = writeln!(socket, "hello");
            let _ = socket.end();
        },
    )
    .map_err(|e| e.to_string())?;
    server.on_ocsp_request(move |_cert, _issuer, answer| {
        println!("OCSPRequest: stapling {} bytes", response.len());
        answer.answer(Some(response.clone()));
    });
    let addr = server
        .listen(common::port()?, "127.0.0.1")
        .map_err(|e| e.to_string())?;
    println!("server bound on {addr}");
    common::serve_forever()
}

fn main() -> ExitCode {
    common::main_with("ocsp_stapling", run)
}
