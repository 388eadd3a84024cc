//! The `sanstls` command: what a user runs first, like `openssl s_server`/`s_client`.
//!
//! Today only `server` does something: the handshakes arrive with issue 3, so it decodes
//! the ClientHello a real client sends, prints what the client offered, and refuses the
//! handshake with a `handshake_failure` alert. `client`, `x509` and `verify` say that they
//! are not implemented yet.

use std::process::ExitCode;

mod server;

const USAGE: &str = "usage: sanstls <command> [options]

commands:
  server [--host ADDR] [--port N] [--once]
      listen (default 127.0.0.1:8443), decode each client's ClientHello and print it;
      the handshake itself is not implemented yet, so the client is refused with a
      handshake_failure alert. --once: exit after one connection.
  client, x509, verify
      not implemented yet
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("server") => server::Options::parse(&args[1..]).and_then(|o| server::run(&o)),
        Some(cmd @ ("client" | "x509" | "verify")) => {
            Err(format!("`sanstls {cmd}` is not implemented yet"))
        }
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(format!("unknown or missing command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sanstls: {e}");
            ExitCode::FAILURE
        }
    }
}
