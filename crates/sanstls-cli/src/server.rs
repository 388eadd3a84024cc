//! `sanstls server`: accept TLS 1.3 connections, one thread each, and answer with a page
//! describing the connection (`--www`) or an echo (`--echo`).

use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use sanstls::conn::{Connection, Event};
use sanstls::server::{CertifiedKey, ClientHelloInfo, ServerConfig, ServerConnection};

use crate::common::{self, Failure, KeyLog, Pump};
use crate::ServerArgs;
use sanstls_node::stream::Received;

/// The most of a `--www` request we read before answering anyway.
const MAX_REQUEST: usize = 16 * 1024;

/// How long a connection may stay silent before we give up on it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Www,
    Echo,
}

/// What every connection thread shares.
#[derive(Debug)]
struct Shared {
    config: Arc<ServerConfig>,
    mode: Mode,
    keylog: Option<KeyLog>,
    dump_hello: bool,
    /// With --request-cert: the roots verifier, and whether failures are let through.
    /// Whether client certificates are asked for (`--request-cert`).
    client_auth: bool,
    /// `--psk` / `--psk-identity`: the one external PSK we know.
    psk: Option<sanstls::psk::ExternalPsk>,
    /// `--session-store`: TLS 1.2 sessions in Redis.
    store: Option<crate::store::SessionStore>,
}

pub(crate) fn run(a: ServerArgs) -> Result<ExitCode, String> {
    let (min_version, max_version) = common::check_versions(a.tls.min_version, a.tls.max_version)?;
    if a.cert.len() != a.key.len() {
        return Err("give one --key for each --cert, in the same order".into());
    }
    let ocsp = a
        .ocsp_response
        .as_deref()
        .map(|p| common::load_der(p, "--ocsp-response"))
        .transpose()?;
    let passphrase = a.passphrase.as_deref().map(str::as_bytes);
    let mut certificates = Vec::new();
    // Node's order: the key/cert pairs, then the PFX files.
    for (cert, key) in a.cert.iter().zip(&a.key) {
        certificates
            .push(common::load_cert_and_key(cert, key, passphrase)?.with_ocsp(ocsp.clone()));
    }
    for pfx in &a.pfx {
        certificates.push(common::load_pfx(pfx, passphrase)?.with_ocsp(ocsp.clone()));
    }
    if certificates.is_empty() {
        certificates.push(self_signed(a.save_cert.as_deref(), ocsp.clone())?);
    }

    let mut config = ServerConfig::new(certificates);
    config.min_version = min_version;
    config.max_version = max_version;
    config.dh_params = a.dhparam.as_deref().map(common::load_dhparam).transpose()?;
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
    let keylog = a.tls.keylog.as_deref().map(KeyLog::open).transpose()?;
    config.key_log = keylog.is_some();
    config.ticketer = match (a.no_tickets, &a.ticket_keys) {
        (true, _) => None,
        (false, Some(path)) => {
            let file = crate::keyfile::KeyFile::open(path, Duration::from_secs(a.session_timeout))?;
            let ticketer = file.ticketer();
            file.watch(Duration::from_secs(a.ticket_keys_check));
            Some(ticketer)
        }
        (false, None) => ticketer(Duration::from_secs(a.session_timeout)),
    };
    config.ticket_lifetime = Duration::from_secs(a.session_timeout);
    if let Some(size) = a.early_data {
        config.enable_early_data(size, common::now());
    }
    let client_auth = match (&a.ca, a.request_cert) {
        (Some(ca), true) => {
            // Node's requestCert + rejectUnauthorized: without --allow-unauthorized a client
            // with no certificate or a refused one is turned away; with it, the connection
            // goes on and the reason is its authorizationError.
            let verifier = sanstls_pki::verify::Verifier::new(common::load_roots(ca)?)
                .map_err(|e| format!("--ca: {e}"))?;
            config.client_verifier = Some(Arc::new(sanstls_pki::tls::NodeClientVerifier::new(
                verifier,
                !a.allow_unauthorized,
            )));
            config.reject_unauthorized = !a.allow_unauthorized;
            true
        }
        (Some(_), false) => {
            return Err("--ca is only used with --request-cert (client certificates)".into())
        }
        _ => false,
    };
    let psk = match (&a.psk, &a.psk_identity) {
        (Some(key), Some(id)) => Some(common::parse_psk(key, id)?),
        _ => None,
    };
    // Identities are asked about (Event::PskIdentity) only with a PSK configured.
    config.external_psk_hash = psk.as_ref().map(|p| p.hash());
    config.psk_identity_hint = a.psk_identity_hint.clone().map(String::into_bytes);
    let store = a
        .session_store
        .as_deref()
        .map(|url| crate::store::SessionStore::open(url, Duration::from_secs(a.session_timeout)))
        .transpose()?;
    config.external_sessions = store.is_some();
    let shared = Arc::new(Shared {
        store,
        config: Arc::new(config),
        mode: if a.echo { Mode::Echo } else { Mode::Www },
        keylog,
        dump_hello: a.dump_hello,
        client_auth,
        psk,
    });

    let listeners = listen(&a.host, a.port, a.workers)?;
    let addr = listeners
        .first()
        .ok_or("no listener")?
        .local_addr()
        .map_err(|e| e.to_string())?;
    if a.workers > 1 {
        println!(
            "sanstls server: {} workers sharing the port (SO_REUSEPORT)",
            a.workers
        );
    }
    println!("sanstls server listening on {addr}");
    let live = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers = listeners.len();
    let mut threads = Vec::new();
    for (index, listener) in listeners.into_iter().enumerate() {
        let worker = Worker {
            shared: Arc::clone(&shared),
            live: Arc::clone(&live),
            max_connections: a.max_connections,
            once: a.once,
            // Only named in the log when there are several.
            name: (workers > 1).then(|| format!(" worker={index}")),
        };
        threads.push(std::thread::spawn(move || worker.accept(&listener)));
    }
    for t in threads {
        let _ = t.join();
    }
    Ok(ExitCode::SUCCESS)
}

/// One accepting thread and what it shares with the others.
struct Worker {
    shared: Arc<Shared>,
    /// Connections being served, over all workers (`--max-connections`).
    live: Arc<std::sync::atomic::AtomicUsize>,
    max_connections: usize,
    once: bool,
    /// ` worker=K` with `--workers` > 1, appended to each log line.
    name: Option<String>,
}

impl Worker {
    fn accept(self, listener: &TcpListener) {
        use std::sync::atomic::Ordering;
        let name = self.name.clone().unwrap_or_default();
        for stream in listener.incoming() {
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    println!("accept failed: {e}{name}");
                    continue;
                }
            };
            // One thread per connection, so a bound on them (Node's maxConnections).
            if self.live.load(Ordering::SeqCst) >= self.max_connections {
                let peer = stream
                    .peer_addr()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                println!(
                    "{peer} closed: --max-connections {} reached{name}",
                    self.max_connections
                );
                continue;
            }
            self.live.fetch_add(1, Ordering::SeqCst);
            let shared = Arc::clone(&self.shared);
            let live = Arc::clone(&self.live);
            let name = name.clone();
            let handle = std::thread::spawn(move || {
                let line = serve(stream, &shared);
                live.fetch_sub(1, Ordering::SeqCst);
                println!("{line}{name}");
            });
            if self.once {
                let _ = handle.join();
                break;
            }
        }
    }
}

/// The listening sockets: one, as std binds it, or with `--workers N` (N > 1) N sockets
/// bound to the same address with SO_REUSEPORT (port 0: the port the first one got).
fn listen(host: &str, port: u16, workers: u16) -> Result<Vec<TcpListener>, String> {
    if workers <= 1 {
        return TcpListener::bind((host, port))
            .map(|l| vec![l])
            .map_err(|e| format!("cannot listen on {host}:{port}: {e}"));
    }
    reuse_port_listeners(host, port, workers)
}

#[cfg(unix)]
fn reuse_port_listeners(host: &str, port: u16, workers: u16) -> Result<Vec<TcpListener>, String> {
    use socket2::{Domain, Protocol, Socket, Type};
    use std::net::ToSocketAddrs;
    let failed = |e: std::io::Error| format!("cannot listen on {host}:{port}: {e}");
    let mut addr = (host, port)
        .to_socket_addrs()
        .map_err(failed)?
        .next()
        .ok_or_else(|| format!("cannot listen on {host}:{port}: no address"))?;
    let mut listeners = Vec::with_capacity(usize::from(workers));
    for _ in 0..workers {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .map_err(failed)?;
        socket.set_reuse_address(true).map_err(failed)?;
        socket.set_reuse_port(true).map_err(failed)?;
        socket.bind(&addr.into()).map_err(failed)?;
        socket.listen(1024).map_err(failed)?;
        let listener = TcpListener::from(socket);
        // Port 0: the others join the port the first one was given.
        addr = listener.local_addr().map_err(failed)?;
        listeners.push(listener);
    }
    Ok(listeners)
}

#[cfg(not(unix))]
fn reuse_port_listeners(
    _host: &str,
    _port: u16,
    _workers: u16,
) -> Result<Vec<TcpListener>, String> {
    Err("--workers above 1 needs SO_REUSEPORT (a Unix system)".into())
}

/// Generates the default certificate for localhost and prints its fingerprint.
fn self_signed(
    save: Option<&std::path::Path>,
    ocsp_response: Option<Vec<u8>>,
) -> Result<CertifiedKey, String> {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(|e| format!("cannot generate a certificate: {e}"))?;
    let der = generated.cert.der().to_vec();
    let key = sanstls::crypto::sign::load_private_key(&generated.signing_key.serialize_der())
        .map_err(|e| format!("cannot load the generated key: {e}"))?;
    println!("generated a self-signed ECDSA P-256 certificate for localhost, 127.0.0.1");
    println!("SHA256 Fingerprint={}", common::fingerprint256(&der));
    if let Some(path) = save {
        std::fs::write(path, sanstls_pki::pem::encode("CERTIFICATE", &der))
            .map_err(|e| format!("--save-cert {}: {e}", path.display()))?;
    }
    Ok(CertifiedKey::new(vec![der], key)
        .map_err(|e| e.to_string())?
        .with_ocsp(ocsp_response))
}

/// Our own ticket keys (no `--ticket-keys`): replaced every 12 hours, the previous one
/// opening tickets for one ticket lifetime, so no key seals for the life of the process.
fn ticketer(lifetime: Duration) -> Option<Arc<sanstls::server::ticket::Ticketer>> {
    use sanstls::server::ticket::{Ticketer, DEFAULT_ROTATION};
    let rng = sanstls::rand::SystemRandom::new();
    Ticketer::new(&rng)
        .ok()
        .map(|t| Arc::new(t.with_rotation(DEFAULT_ROTATION).with_grace(lifetime)))
}

/// What one connection learned, for its page and its log line.
#[derive(Debug, Default)]
struct Progress {
    handshake_done: bool,
    peer_closed: bool,
    request: Vec<u8>,
    hello: Option<ClientHelloInfo>,
    /// Bytes of 0-RTT data accepted (`--early-data`).
    early_data: usize,
    /// The PSK identity the handshake waits for an answer about.
    psk_identity: Option<Vec<u8>>,
    /// The TLS 1.2 session id the handshake waits for the session store about.
    resume_id: Option<Vec<u8>>,
}

/// Serves one connection; returns its log line.
fn serve(stream: TcpStream, shared: &Shared) -> String {
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    let config = Arc::clone(&shared.config);
    let mut conn = match shared.dump_hello {
        true => ServerConnection::new_paused(common::now(), config.handshake_timeout),
        false => match ServerConnection::new(Arc::clone(&config), common::now()) {
            Ok(conn) => conn,
            Err(e) => return format!("{peer} error: {e}"),
        },
    };
    let _ = stream.set_nodelay(true);
    let mut pump = Pump::with_clock(stream, common::now);
    pump.set_read_timeout(Some(IDLE_TIMEOUT));
    let mut progress = Progress::default();
    let result = drive(&mut pump, &mut conn, &config, shared, &mut progress);
    linger(pump.get_mut());
    let (authorized, authorization_error) = authorization(&conn, shared.client_auth);
    let n = conn.negotiated();
    let mut line = peer;
    if n.version.is_some() && n.cipher_suite.is_some() {
        line += &format!(
            " {} {} alpn={} sni={} resumed={} authorized={}",
            common::version_name(n.version),
            suite_name(n),
            n.alpn
                .as_deref()
                .map(common::escape)
                .unwrap_or_else(|| "-".into()),
            n.server_name
                .as_deref()
                .map(|s| common::escape(s.as_bytes()))
                .unwrap_or_else(|| "-".into()),
            if n.resumed { "yes" } else { "no" },
            authorized,
        );
        if let Some(e) = authorization_error {
            line += &format!(" authorizationError={e}");
        }
        if conn.early_data_accepted() {
            line += &format!(" early_data={}", progress.early_data);
        }
        if let Some(id) = &n.psk_identity {
            line += &format!(" psk={}", common::escape(id));
        }
    }
    if let Err(e) = result {
        line += &format!(" error: {e}");
    }
    line
}

fn suite_name(n: &sanstls::conn::Negotiated) -> String {
    n.cipher_suite
        .and_then(sanstls_node::info::cipher_info)
        .map(|c| c.name.to_string())
        .or_else(|| n.cipher_suite.map(|c| format!("{c:?}")))
        .unwrap_or_else(|| "-".into())
}

/// The socket loop: read → read_tls → process → events → write_tls → write.
fn drive(
    pump: &mut Pump,
    conn: &mut ServerConnection,
    config: &Arc<ServerConfig>,
    shared: &Shared,
    progress: &mut Progress,
) -> Result<(), Failure> {
    loop {
        pump.feed(conn, |c, e| on_event(c, e, shared, progress))?;
        if let Some(identity) = progress.psk_identity.take() {
            // Only the configured identity is known (identities are not secret; the
            // binder, which the engine checks, is what proves the key).
            let key = shared.psk.as_ref().filter(|p| p.identity() == identity);
            conn.psk_found(key.map(|p| p.key()), common::now())
                .map_err(Failure::Tls)?;
            pump.flush(conn).map_err(Failure::Io)?;
            continue;
        }
        if let Some(id) = progress.resume_id.take() {
            let found = match &shared.store {
                Some(store) => {
                    let (found, line) = store.get(&id);
                    if let Some(line) = line {
                        println!("{line}");
                    }
                    found
                }
                None => None,
            };
            conn.session_found(found, common::now())
                .map_err(Failure::Tls)?;
            pump.flush(conn).map_err(Failure::Io)?;
            continue;
        }
        if let Some(hello) = progress.hello.take() {
            print_hello(&hello);
            conn.accept(Arc::clone(config), common::now())
                .map_err(Failure::Tls)?;
            pump.flush(conn).map_err(Failure::Io)?;
            continue;
        }
        if progress.handshake_done {
            let finished = match shared.mode {
                Mode::Www => {
                    let complete = progress.request.windows(4).any(|w| w == b"\r\n\r\n")
                        || progress.request.windows(2).any(|w| w == b"\n\n")
                        || progress.request.len() >= MAX_REQUEST
                        || progress.peer_closed;
                    if complete {
                        let page = www_page(conn, shared.client_auth);
                        conn.send(page.as_bytes()).map_err(Failure::Tls)?;
                    }
                    complete
                }
                Mode::Echo => progress.peer_closed,
            };
            if finished {
                conn.send_close_notify();
                pump.flush(conn).map_err(Failure::Io)?;
                return Ok(());
            }
        }
        if pump.receive(conn)? == Received::Eof {
            return Err(Failure::Eof);
        }
    }
}

/// Closes our half and reads what the client still sends for a moment: closing a socket
/// with unread input makes the kernel send a reset, which can destroy the page or alert we
/// just wrote before the client reads it.
fn linger(stream: &mut TcpStream) {
    use std::io::Read;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 4096];
    for _ in 0..64 {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => continue,
            _ => break,
        }
    }
}

fn on_event(
    conn: &mut Connection,
    event: Event,
    shared: &Shared,
    p: &mut Progress,
) -> Result<(), Failure> {
    match event {
        Event::ClientHello(info) => p.hello = Some(info),
        Event::PskIdentity(id) => p.psk_identity = Some(id),
        Event::ResumeSession(id) => p.resume_id = Some(id),
        Event::NewSession { id, data } => {
            if let Some(line) = shared.store.as_ref().and_then(|s| s.put(&id, &data)) {
                println!("{line}");
            }
        }
        Event::HandshakeComplete => p.handshake_done = true,
        Event::PlaintextReady => {
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = conn.read_plaintext(&mut buf);
                if n == 0 {
                    break;
                }
                take(conn, buf.get(..n).unwrap_or_default(), shared, p)?;
            }
        }
        // 0-RTT data is the start of the stream; both modes are safe to replay (the page
        // only describes the connection, the echo only answers this one).
        Event::EarlyData(data) => {
            p.early_data += data.len();
            take(conn, &data, shared, p)?;
        }
        Event::PeerClosed => p.peer_closed = true,
        Event::KeyLog(line) => {
            if let Some(k) = &shared.keylog {
                k.write(&line);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Data from the client: echoed, or kept as the request (up to [`MAX_REQUEST`]).
fn take(
    conn: &mut Connection,
    data: &[u8],
    shared: &Shared,
    p: &mut Progress,
) -> Result<(), Failure> {
    match shared.mode {
        Mode::Echo => {
            conn.send(data).map_err(Failure::Tls)?;
        }
        Mode::Www => {
            let room = MAX_REQUEST.saturating_sub(p.request.len());
            p.request
                .extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
        }
    }
    Ok(())
}

/// Node's `authorized` and `authorizationError` for the client: authorized when we asked
/// for a certificate, got one, and it verified (on resumption: in the handshake that made
/// the session, whose chain and verdict the engine restores).
fn authorization(conn: &Connection, client_auth: bool) -> (bool, Option<String>) {
    if !client_auth {
        return (false, None);
    }
    let n = conn.negotiated();
    let error = n.authorization_error.as_ref().map(|e| e.code().to_string());
    // Node: with requestCert, a client an external PSK authenticated is authorized.
    if n.psk_identity.is_some() {
        return (true, None);
    }
    if n.peer_certificates.is_empty() {
        return (
            false,
            Some(error.unwrap_or_else(|| "NO_PEER_CERTIFICATE".into())),
        );
    }
    (error.is_none(), error)
}

/// The `--www` answer: an HTTP/1.0 text page describing the connection.
fn www_page(conn: &Connection, client_auth: bool) -> String {
    let (authorized, _) = authorization(conn, client_auth);
    let n = conn.negotiated();
    let body = format!(
        "Protocol: {}\nCipher: {}\nALPN: {}\nSNI: {}\nResumed: {}\nAuthorized: {}\nPSK identity: {}\n",
        common::version_name(n.version),
        suite_name(n),
        n.alpn
            .as_ref()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .unwrap_or_else(|| "false".into()),
        n.server_name.as_deref().unwrap_or("false"),
        if n.resumed { "yes" } else { "no" },
        authorized,
        n.psk_identity
            .as_deref()
            .map(common::escape)
            .unwrap_or_else(|| "-".into()),
    );
    // Only when it happened, so pages without 0-RTT stay as they were.
    let body = match conn.early_data_accepted() {
        true => body + "EarlyData: accepted\n",
        false => body,
    };
    format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn print_hello(h: &ClientHelloInfo) {
    let names = |v: Vec<String>| v.join(", ");
    println!("ClientHello:");
    println!("  server_name: {}", h.server_name.as_deref().unwrap_or("-"));
    println!(
        "  alpn: {}",
        names(
            h.alpn_protocols
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect()
        )
    );
    println!(
        "  cipher_suites: {}",
        names(
            h.cipher_suites
                .iter()
                .map(|c| c.as_str().map_or_else(|| format!("{c:?}"), str::to_string))
                .collect()
        )
    );
    println!(
        "  signature_algorithms: {}",
        names(
            h.signature_schemes
                .iter()
                .map(|s| s.as_str().map_or_else(|| format!("{s:?}"), str::to_string))
                .collect()
        )
    );
}
