//! `sanstls client HOST:PORT`: connect, handshake, send a request, print what came back
//! (or, with `--json`, one object in the shape of Node's TLSSocket getters).

use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use sanstls::client::{ClientCertificate, ClientConfig, ClientConnection, StoredSession};
use sanstls::conn::{Connection, Event};
use sanstls_pki::tls::NodeServerVerifier;
use sanstls_pki::verify::Verifier;
use serde::Serialize;
use serde_json::Value;

use crate::common::{self, Failure, KeyLog, Pump};
use crate::{session, ClientArgs};
use sanstls_node::stream::Received;

/// What the connection produced, gathered by the event handler.
#[derive(Debug, Default)]
struct Progress {
    handshake_done: bool,
    peer_closed: bool,
    response: Vec<u8>,
    ticket: Option<StoredSession>,
    tickets: usize,
    ocsp: Option<Vec<u8>>,
    key_updates: usize,
    /// `--renegotiate`: 0 = not asked, 1 = waiting for the first response, 2 = renegotiating,
    /// 3 = renegotiated (and the request sent again).
    renegotiation: u8,
    /// `--early-data`: how many bytes the server accepted (`Ok`) or refused (`Err`).
    early_data: Option<Result<usize, usize>>,
}

/// Node's `getCipher()`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CipherInfo {
    name: String,
    standard_name: String,
    version: String,
}

/// The `--json` object: the names and value conventions of Node's TLSSocket.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    protocol: Option<String>,
    cipher: Option<CipherInfo>,
    /// A string, or `false` when none was negotiated (as Node).
    alpn_protocol: Value,
    /// The name sent in SNI, or `false`.
    servername: Value,
    authorized: bool,
    authorization_error: Option<String>,
    reused: bool,
    /// The external PSK identity that authenticated the server, if one did (not a Node
    /// field).
    psk_identity: Option<String>,
    ocsp_response: Option<String>,
    ephemeral_key_info: Value,
    /// The key exchange group, by OpenSSL's name (not a Node field).
    group: Option<&'static str>,
    /// Node's `getPeerCertificate(true)` object (see `sanstls x509`).
    peer_certificate: Option<Value>,
    response: String,
    /// Why the connection failed, if it did (not a Node field).
    error: Option<String>,
    /// With `--early-data`: "accepted" or "rejected" (not a Node field).
    #[serde(skip_serializing_if = "Option::is_none")]
    early_data: Option<&'static str>,
}

pub(crate) fn run(a: ClientArgs) -> Result<ExitCode, String> {
    let (min_version, max_version) = common::check_versions(a.tls.min_version, a.tls.max_version)?;
    let (host, port) = split_address(&a.address)?;
    let server_name = a.servername.clone().unwrap_or_else(|| host.clone());

    // Node's defaults: the `ca` roots, or Mozilla's; the host name checked as
    // checkServerIdentity does. --insecure is rejectUnauthorized: false.
    let roots = match &a.ca {
        Some(ca) => Verifier::new(common::load_roots(ca)?).map_err(|e| format!("--ca: {e}"))?,
        None => Verifier::mozilla(),
    };
    let mut config = ClientConfig::new(Arc::new(NodeServerVerifier::new(roots)));
    config.reject_unauthorized = !a.insecure;
    config.min_version = min_version;
    config.max_version = max_version;
    if let Some(c) = &a.tls.ciphers {
        let c = common::parse_ciphers(c)?;
        config.cipher_suites = c.tls13;
        config.tls12_cipher_suites = c.tls12;
    }
    if let Some(p) = &a.tls.alpn {
        config.alpn_protocols = common::parse_alpn(p)?;
    }
    if let Some(g) = &a.tls.groups {
        config.groups = common::parse_groups(g)?;
    }
    config.request_ocsp = a.request_ocsp;
    if let (Some(key), Some(id)) = (&a.psk, &a.psk_identity) {
        let psk = common::parse_psk(key, id)?;
        config.psk = Some(sanstls::psk::ClientPsk::fixed(psk));
    }
    let keylog = a.tls.keylog.as_deref().map(KeyLog::open).transpose()?;
    config.key_log = keylog.is_some();
    config.handshake_timeout = Duration::from_secs(a.timeout.max(1));
    if let (Some(cert), Some(key)) = (&a.cert, &a.key) {
        let pass = a.passphrase.as_deref().map(str::as_bytes);
        let certified = common::load_cert_and_key(cert, key, pass)?;
        config.client_certificate = Some(
            ClientCertificate::new(certified.chain.to_vec(), certified.key)
                .map_err(|e| e.to_string())?,
        );
    }
    let resume = a.sess_in.as_deref().map(session::load).transpose()?;
    let request = unescape(&a.send);
    config.enable_early_data = a.early_data.is_some();

    let timeout = Duration::from_secs(a.timeout.max(1));
    let stream = connect(&host, port, timeout)?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let mut conn = ClientConnection::resume(Arc::new(config), &server_name, resume, common::now())
        .map_err(|e| format!("cannot start the handshake: {e}"))?;
    // Given before the server answers: early data when the session's ticket allows it.
    if let Some(early) = &a.early_data {
        conn.send(&unescape(early))
            .map_err(|e| format!("--early-data: {e}"))?;
    }

    let mut progress = Progress {
        renegotiation: u8::from(a.renegotiate),
        ..Progress::default()
    };
    let result = drive(
        stream,
        &mut conn,
        &mut progress,
        &request,
        a.key_update,
        &keylog,
    );

    if let Some(path) = &a.sess_out {
        match &progress.ticket {
            Some(t) => session::save(path, t)?,
            None if progress.handshake_done => {
                eprintln!("sanstls: the server sent no session ticket; --sess-out not written")
            }
            None => {}
        }
    }

    let ok = progress.handshake_done;
    let error = match &result {
        Ok(()) | Err(Failure::Eof) if ok && (1..3).contains(&progress.renegotiation) => {
            Some("--renegotiate: the connection ended before a renegotiation completed".to_string())
        }
        Ok(()) => None,
        // A server that closes TCP after its answer without close_notify is common.
        Err(Failure::Eof) if ok => None,
        Err(e) => Some(e.to_string()),
    };
    let handshake_error = match ok {
        true => None,
        false => conn.error().map(common::authorization_code),
    };
    let report = report(&conn, &progress, handshake_error, error);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print_text(&report, &progress);
    }
    // A fatal alert after our Finished (TLS 1.3's certificate_required when the server
    // refuses our certificate, or a bad record) fails the run too.
    let failed_after =
        matches!(result, Err(Failure::Tls(_))) || (1..3).contains(&progress.renegotiation);
    Ok(if ok && !failed_after {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `HOST:PORT`, `[V6]:PORT`.
fn split_address(s: &str) -> Result<(String, u16), String> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s}: expected HOST:PORT"))?;
    let port = port
        .parse()
        .map_err(|_| format!("{s}: {port} is not a port number"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(format!("{s}: expected HOST:PORT"));
    }
    Ok((host.to_string(), port))
}

fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, String> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?;
    let mut last = format!("{host}: no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("cannot connect to {addr}: {e}"),
        }
    }
    Err(last)
}

/// The socket loop: write the ClientHello, then read → read_tls → process → events →
/// write_tls → write until the server closes (or goes quiet after the handshake).
fn drive(
    stream: TcpStream,
    conn: &mut ClientConnection,
    p: &mut Progress,
    request: &[u8],
    key_update: bool,
    keylog: &Option<KeyLog>,
) -> Result<(), Failure> {
    // The silence that ends a response (an echo server never closes) is the socket's read
    // timeout; the driver bounds reads by the handshake deadline as well.
    let idle = stream.read_timeout().ok().flatten();
    let mut pump = Pump::with_clock(stream, common::now);
    pump.set_read_timeout(idle);
    pump.flush(conn).map_err(Failure::Io)?;
    let result = loop {
        if let Err(e) = pump.feed(conn, |c, e| on_event(c, e, p, request, key_update, keylog)) {
            break Err(e);
        }
        if p.peer_closed {
            break Ok(());
        }
        match pump.receive(conn).map_err(Failure::from) {
            Ok(Received::Data) => {}
            // The server closed TCP without close_notify: a truncation, but the response
            // is still worth showing.
            Ok(Received::Eof) if p.handshake_done => break Ok(()),
            Ok(Received::Eof) => break Err(Failure::Eof),
            // Silence after the handshake ends the response (an echo server never closes).
            Err(Failure::Io(e)) if p.handshake_done && common::is_timeout(&e) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    if p.handshake_done {
        conn.send_close_notify();
        let _ = pump.flush(conn);
    }
    result
}

fn on_event(
    conn: &mut Connection,
    event: Event,
    p: &mut Progress,
    request: &[u8],
    key_update: bool,
    keylog: &Option<KeyLog>,
) -> Result<(), Failure> {
    match event {
        // The end of a `--renegotiate` renegotiation: send the request again.
        Event::HandshakeComplete if p.renegotiation == 2 => {
            p.renegotiation = 3;
            if !request.is_empty() {
                conn.send(request).map_err(Failure::Tls)?;
            }
        }
        Event::HandshakeComplete => {
            p.handshake_done = true;
            if key_update {
                conn.key_update(true).map_err(Failure::Tls)?;
            }
            if !request.is_empty() {
                conn.send(request).map_err(Failure::Tls)?;
            }
        }
        Event::PlaintextReady => {
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = conn.read_plaintext(&mut buf);
                if n == 0 {
                    break;
                }
                p.response
                    .extend_from_slice(buf.get(..n).unwrap_or_default());
            }
            // `--renegotiate`: after the first exchange (the server has answered).
            if p.renegotiation == 1 {
                conn.renegotiate(common::now()).map_err(Failure::Tls)?;
                p.renegotiation = 2;
            }
        }
        Event::NewSessionTicket(t) => {
            p.tickets += 1;
            p.ticket = Some(t);
        }
        Event::EarlyDataAccepted(n) => p.early_data = Some(Ok(n)),
        Event::EarlyDataRejected(d) => p.early_data = Some(Err(d.len())),
        Event::OcspResponse(r) => p.ocsp = Some(r),
        Event::KeyUpdated { .. } => p.key_updates += 1,
        Event::PeerClosed => p.peer_closed = true,
        Event::KeyLog(line) => {
            if let Some(k) = keylog {
                k.write(&line);
            }
        }
        _ => {}
    }
    Ok(())
}

fn report(
    conn: &Connection,
    p: &Progress,
    authorization_error: Option<String>,
    error: Option<String>,
) -> Report {
    let n = conn.negotiated();
    let done = p.handshake_done;
    let suite = n.cipher_suite.and_then(sanstls_node::info::cipher_info);
    let version = common::version_name(n.version).to_string();
    // With --insecure a refused certificate does not stop the handshake: its reason is
    // Node's authorizationError, as with rejectUnauthorized: false.
    // A resumed session reports the chain and verdict of the handshake that made it.
    // An external PSK authenticates the server as a verified certificate would (Node:
    // authorized, and isSessionReused as OpenSSL counts PSK handshakes).
    let by_psk = n.psk_identity.is_some();
    let (authorized, authorization_error) = match (done, &n.authorization_error) {
        (true, None) => (!n.peer_certificates.is_empty() || by_psk, None),
        (true, Some(why)) => (false, Some(why.code().to_string())),
        (false, _) => (false, authorization_error),
    };
    Report {
        protocol: done.then(|| version.clone()),
        cipher: suite.filter(|_| done).map(|c| CipherInfo {
            name: c.name.into(),
            standard_name: c.standard_name.into(),
            version: c.version.into(),
        }),
        alpn_protocol: match &n.alpn {
            Some(a) if done => Value::String(String::from_utf8_lossy(a).into_owned()),
            _ => Value::Bool(false),
        },
        servername: match &n.server_name {
            Some(s) => Value::String(s.clone()),
            None => Value::Bool(false),
        },
        authorized,
        authorization_error,
        // OpenSSL counts a TLS 1.3 external PSK handshake as reused, not a TLS 1.2 one.
        reused: done
            && (n.resumed
                || (by_psk && n.version == Some(sanstls::enums::ProtocolVersion::TLSv1_3))),
        psk_identity: n
            .psk_identity
            .as_deref()
            .filter(|_| done)
            .map(common::escape),
        ocsp_response: p
            .ocsp
            .as_ref()
            .or(n.ocsp_response.as_ref())
            .map(hex::encode),
        // Node's getEphemeralKeyInfo(): ECDH with the curve, DH with the prime's size, or
        // a post-quantum hybrid as a TLSGroup.
        ephemeral_key_info: match sanstls_node::info::ephemeral_key_info(n).filter(|_| done) {
            Some(k) => serde_json::json!(k),
            None => serde_json::json!({}),
        },
        group: n
            .group
            .filter(|_| done)
            .and_then(sanstls_node::groups::name),
        peer_certificate: sanstls_pki::cert::PeerCertificate::from_chain(&n.peer_certificates)
            .ok()
            .and_then(|c| serde_json::to_value(c).ok()),
        response: String::from_utf8_lossy(&p.response).into_owned(),
        error,
        early_data: p.early_data.map(|r| match r {
            Ok(_) => "accepted",
            Err(_) => "rejected",
        }),
    }
}

fn print_text(r: &Report, p: &Progress) {
    match (&r.error, &r.protocol) {
        (Some(e), None) => eprintln!("sanstls: handshake failed: {e}"),
        (error, Some(_)) => {
            if let Some(e) = error {
                eprintln!("sanstls: error after the handshake: {e}");
            }
            let cipher = r.cipher.as_ref().map_or("-", |c| c.name.as_str());
            let alpn = r.alpn_protocol.as_str().unwrap_or("-");
            eprintln!(
                "{}, cipher {cipher}, ALPN {alpn}, {}, {}{}",
                r.protocol.as_deref().unwrap_or("-"),
                if r.reused { "Reused" } else { "New" },
                if let Some(id) = &r.psk_identity {
                    format!("authenticated by PSK identity {id}")
                } else if r.authorized {
                    "verified".to_string()
                } else {
                    format!(
                        "not verified ({})",
                        r.authorization_error.as_deref().unwrap_or("-")
                    )
                },
                match p.tickets {
                    0 => String::new(),
                    n => format!(", {n} session ticket(s)"),
                }
            );
            if p.renegotiation == 3 {
                eprintln!("renegotiated, request sent again");
            }
            match p.early_data {
                Some(Ok(n)) => eprintln!("Early data was accepted ({n} bytes)"),
                Some(Err(n)) => eprintln!("Early data was rejected ({n} bytes not sent)"),
                None => {}
            }
        }
        (None, None) => eprintln!("sanstls: the handshake did not complete"),
    }
    print!("{}", r.response);
}

/// `--send` escapes: `\r`, `\n`, `\t`, `\\`; anything else is kept as written.
fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut b = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('\\') => out.push(b'\\'),
            Some(other) => {
                out.push(b'\\');
                let mut b = [0u8; 4];
                out.extend_from_slice(other.encode_utf8(&mut b).as_bytes());
            }
            None => out.push(b'\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_escapes() {
        assert_eq!(
            unescape("GET / HTTP/1.0\\r\\n\\r\\n"),
            b"GET / HTTP/1.0\r\n\r\n"
        );
        assert_eq!(unescape("a\\\\b\\q\\"), b"a\\b\\q\\");
        assert_eq!(unescape("é"), "é".as_bytes());
    }

    #[test]
    fn addresses() {
        assert_eq!(
            split_address("localhost:4433").unwrap(),
            ("localhost".into(), 4433)
        );
        assert_eq!(split_address("[::1]:443").unwrap(), ("::1".into(), 443));
        assert!(split_address("localhost").is_err());
        assert!(split_address(":443").is_err());
        assert!(split_address("h:port").is_err());
    }
}
