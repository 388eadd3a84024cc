//! The `sanstls` command: what a user runs first, like `openssl s_server`/`s_client`.
//!
//! `server` and `client` drive the sans-IO engine over blocking TCP sockets, one thread per
//! connection; `x509` and `verify` arrive with the pki issue. See docs/cli.md.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod client;
mod common;
mod keyfile;
mod server;
mod session;
mod store;
mod verify;
mod x509;

use common::TlsVersion;

/// TLS 1.3 server and client on the sanstls engine.
#[derive(Debug, Parser)]
#[command(name = "sanstls", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Accept TLS connections (like `openssl s_server`).
    Server(ServerArgs),
    /// Connect to a TLS server (like `openssl s_client`).
    Client(ClientArgs),
    /// Show a certificate as Node's getPeerCertificate() does (the chain, detailed, when
    /// the file holds several).
    X509(x509::X509Args),
    /// Verify a certificate chain (RFC 5280) and optionally its identity; prints `OK` or
    /// `error: CODE: message`.
    Verify(verify::VerifyArgs),
}

/// Options both sides share.
#[derive(Debug, Args)]
struct TlsArgs {
    /// ALPN protocols in preference order, comma-separated (e.g. `h2,http/1.1`).
    #[arg(long, value_name = "LIST")]
    alpn: Option<String>,
    /// Cipher suites as Node's `ciphers` option: an OpenSSL cipher string, TLS 1.3 and
    /// TLS 1.2 names separated by `:`, in preference order.
    #[arg(long, value_name = "STR")]
    ciphers: Option<String>,
    /// Key exchange groups in preference order, as Node 24's `ecdhCurve`: OpenSSL's names
    /// separated by `:` (e.g. `X25519MLKEM768:X25519:P-256`); default: the post-quantum
    /// hybrid X25519MLKEM768, then X25519, P-256, P-384, P-521.
    #[arg(long, value_name = "LIST")]
    groups: Option<String>,
    /// Lowest protocol version (default TLSv1.2).
    #[arg(long, value_name = "VERSION")]
    min_version: Option<TlsVersion>,
    /// Highest protocol version (default TLSv1.3).
    #[arg(long, value_name = "VERSION")]
    max_version: Option<TlsVersion>,
    /// Append the session secrets to FILE in NSS key-log format (SSLKEYLOGFILE).
    #[arg(long, value_name = "FILE")]
    keylog: Option<PathBuf>,
}

/// `sanstls server` options.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0: any free port; the chosen one is printed).
    #[arg(long, default_value_t = 4433)]
    port: u16,
    /// Certificate chain, PEM, leaf first (repeat with --key for several key types).
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Vec<PathBuf>,
    /// Private key for the --cert at the same position, PEM or DER (PKCS#8, encrypted
    /// PKCS#8, PKCS#1, SEC1, traditional encrypted PEM); encrypted keys take --passphrase.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Vec<PathBuf>,
    /// A PKCS#12 / PFX file supplying a key and its chain (Node's `pfx`), decrypted with
    /// --passphrase (empty if none); repeatable, and combinable with --cert/--key.
    #[arg(long, value_name = "FILE")]
    pfx: Vec<PathBuf>,
    /// Passphrase for encrypted --key files and --pfx files (Node's `passphrase`).
    #[arg(long, value_name = "P")]
    passphrase: Option<String>,
    /// With the generated self-signed certificate: also write it to FILE (PEM), for
    /// clients to trust.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cert", "pfx"])]
    save_cert: Option<PathBuf>,
    /// Trusted roots for client certificates, PEM (used with --request-cert).
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Ask clients for a certificate (Node's requestCert); needs --ca.
    #[arg(long, requires = "ca")]
    request_cert: bool,
    /// Accept clients whose certificate is missing or does not verify (Node's
    /// rejectUnauthorized: false); they are logged as not authorized.
    #[arg(long, requires = "request_cert")]
    allow_unauthorized: bool,
    /// A DER OCSP response to staple when clients ask (status_request).
    #[arg(long, value_name = "FILE")]
    ocsp_response: Option<PathBuf>,
    /// A 48-byte ticket key file (Node's `ticketKeys`): servers given the same file resume
    /// each other's sessions. Default: random keys per process. The file is read again
    /// while the server runs (see --ticket-keys-check): a new key seals new tickets and the
    /// previous key keeps opening tickets for --session-timeout (docs/deployment.md).
    #[arg(long, value_name = "FILE", conflicts_with = "no_tickets")]
    ticket_keys: Option<PathBuf>,
    /// How often the --ticket-keys file is read for a new key, in seconds. A new key is
    /// installed once two reads in a row agree on it, so a half-written file is never
    /// installed; an invalid file keeps the current keys (one log line).
    #[arg(long, value_name = "SECS", default_value_t = 5, requires = "ticket_keys",
          value_parser = clap::value_parser!(u64).range(1..))]
    ticket_keys_check: u64,
    /// Keep TLS 1.2 sessions (session ids) in Redis as well, so the servers sharing it
    /// resume each other's sessions (Node's newSession / resumeSession), e.g.
    /// `redis://127.0.0.1:6379`. When Redis does not answer, handshakes go on without it
    /// (full handshakes), logged once.
    #[arg(long, value_name = "URL")]
    session_store: Option<String>,
    /// Issue no session tickets (TLS 1.2 sessions resume by session id only).
    #[arg(long)]
    no_tickets: bool,
    /// Session and ticket lifetime in seconds (Node's `sessionTimeout`).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    session_timeout: u64,
    /// PEM DH parameters (`openssl dhparam` output) enabling the TLS 1.2 DHE suites
    /// (Node's `dhparam`); under 1024 bits is refused.
    #[arg(long, value_name = "FILE")]
    dhparam: Option<PathBuf>,
    /// Answer each request with a text page describing the connection (the default).
    #[arg(long, conflicts_with = "echo")]
    www: bool,
    /// Echo back whatever the client sends.
    #[arg(long)]
    echo: bool,
    /// Print what each client offers in its ClientHello before answering.
    #[arg(long)]
    dump_hello: bool,
    /// TLS 1.3 0-RTT: accept up to SIZE bytes of early data on resumed sessions (tickets
    /// offer it; replays are refused by an in-memory register). Early data is logged and
    /// treated as the start of the request (`--www`) or echoed (`--echo`).
    #[arg(long, value_name = "SIZE")]
    early_data: Option<u32>,
    /// Accept the TLS 1.3 external PSK (RFC 8446 s2.2) named --psk-identity with this key
    /// (hex), as `openssl s_server -psk`: such a client is authenticated by the key and
    /// gets no certificate. Other identities get the certificate handshake.
    #[arg(long, value_name = "HEX", requires = "psk_identity")]
    psk: Option<String>,
    /// The identity of --psk (default in OpenSSL: Client_identity; here required).
    #[arg(long, value_name = "ID", requires = "psk")]
    psk_identity: Option<String>,
    /// TLS 1.2 PSK suites (named in --ciphers): the identity hint our ServerKeyExchange
    /// carries, as `openssl s_server -psk_hint`.
    #[arg(long, value_name = "HINT", requires = "psk")]
    psk_identity_hint: Option<String>,
    /// Exit after serving one connection.
    #[arg(long, conflicts_with = "workers")]
    once: bool,
    /// Worker threads, each accepting on its own listener bound to the same port with
    /// SO_REUSEPORT (the kernel spreads connections over them), all sharing one
    /// configuration: ticket keys and the TLS 1.2 session cache, so a session resumes on
    /// any worker. Log lines then end with `worker=K`. Needs a Unix system for N > 1.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..))]
    workers: u16,
    /// Connections served at once (each has a thread); more are closed as they arrive,
    /// like Node's `server.maxConnections`.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    #[command(flatten)]
    tls: TlsArgs,
}

/// `sanstls client` options.
#[derive(Debug, Args)]
pub(crate) struct ClientArgs {
    /// Where to connect.
    #[arg(value_name = "HOST:PORT")]
    address: String,
    /// Server name to send (SNI) and verify (default: HOST).
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// Trusted roots, PEM. Required unless --insecure: there is no system root store yet.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Do not verify the server's certificate.
    #[arg(long)]
    insecure: bool,
    /// Our certificate chain, PEM, if the server asks for one.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// Our private key, PEM.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Passphrase for an encrypted --key (Node's `passphrase`).
    #[arg(long, value_name = "P", requires = "key")]
    passphrase: Option<String>,
    /// Save the session ticket the server sends to FILE (see docs/cli.md for the format).
    #[arg(long, value_name = "FILE")]
    sess_out: Option<PathBuf>,
    /// Resume the session saved in FILE.
    #[arg(long, value_name = "FILE")]
    sess_in: Option<PathBuf>,
    /// TLS 1.3 0-RTT: send STR as early data with the resumed session's ClientHello when
    /// its ticket allows early data (escapes as --send); otherwise it goes after the
    /// handshake. Whether the server accepted it is printed; refused early data is not sent
    /// again.
    #[arg(long, value_name = "STR", requires = "sess_in")]
    early_data: Option<String>,
    /// Offer the TLS 1.3 external PSK (RFC 8446 s2.2) with this key (hex) under
    /// --psk-identity, as `openssl s_client -psk`: a server that accepts it is
    /// authenticated by the key (no certificate); one that does not sends its certificate,
    /// verified as usual.
    #[arg(long, value_name = "HEX", requires = "psk_identity")]
    psk: Option<String>,
    /// The identity of --psk.
    #[arg(long, value_name = "ID", requires = "psk")]
    psk_identity: Option<String>,
    /// Ask the server to staple an OCSP response.
    #[arg(long)]
    request_ocsp: bool,
    /// After the handshake, update our keys and ask the server to update its keys.
    #[arg(long)]
    key_update: bool,
    /// TLS 1.2: once the server has answered, renegotiate (RFC 5746) and send the request
    /// again; fails if the renegotiation does not complete.
    #[arg(long)]
    renegotiate: bool,
    /// What to send after the handshake (escapes \r \n \t \\ are understood).
    #[arg(long, value_name = "STR", default_value = "GET / HTTP/1.0\\r\\n\\r\\n")]
    send: String,
    /// Print one JSON object describing the connection (Node's field names).
    #[arg(long)]
    json: bool,
    /// Seconds to wait for the peer at each step; after the handshake, silence this long
    /// ends the response.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    timeout: u64,
    #[command(flatten)]
    tls: TlsArgs,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap's convention: 0 for --help/--version, 2 for usage errors.
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Server(a) => server::run(a),
        Command::Client(a) => client::run(a),
        Command::X509(a) => x509::run(a),
        Command::Verify(a) => verify::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sanstls: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn client_needs_an_address() {
        assert!(Cli::try_parse_from(["sanstls", "client"]).is_err());
        assert!(Cli::try_parse_from(["sanstls", "client", "h:1", "--insecure"]).is_ok());
    }

    #[test]
    fn server_defaults() {
        let Cli {
            command: Command::Server(a),
        } = Cli::try_parse_from(["sanstls", "server"]).unwrap()
        else {
            panic!("not server")
        };
        assert_eq!((a.host.as_str(), a.port), ("127.0.0.1", 4433));
        assert!(!a.echo && a.cert.is_empty());
        assert!(Cli::try_parse_from(["sanstls", "server", "--www", "--echo"]).is_err());
        assert!(Cli::try_parse_from(["sanstls", "server", "--cert", "c.pem"]).is_err());
        assert!(Cli::try_parse_from(["sanstls", "server", "--min-version", "TLSv1.3"]).is_ok());
        assert!(Cli::try_parse_from(["sanstls", "server", "--min-version", "TLSv1.4"]).is_err());
    }
}
