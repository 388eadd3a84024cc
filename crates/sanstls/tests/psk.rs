//! External pre-shared keys (TLS 1.3, RFC 8446 s2.2, s4.2.11): our client and our server in
//! memory (the server's `PskIdentity` pause answered by a table), then each against
//! OpenSSL (`s_server -psk -nocert`, `s_client -psk`).

// The certificates are made with the openssl command-line tool at test time, and the
// OpenSSL peers are real processes driven over loopback sockets with the wall clock.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sanstls::client::{ClientConfig, ClientConnection, StoredSession};
use sanstls::conn::PeerAuthentication;
use sanstls::crypto::sign::load_private_key;
use sanstls::enums::{AlertDescription, CipherSuite};
use sanstls::error::PeerIncompatible;
use sanstls::psk::{ClientPsk, ExternalPsk, SuiteHash};
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::{Connection, Error, Event};
use sanstls_node::stream::{is_timeout, Received, Stream, StreamError};
use sanstls_test::pair::{pump, NOW};
use sanstls_test::peers::{self, now};
use sanstls_test::{openssl, TempDir};

const KEY: [u8; 16] = *b"0123456789abcdef";

fn psk(identity: &str, key: &[u8]) -> ExternalPsk {
    ExternalPsk::new(identity.as_bytes().to_vec(), key, SuiteHash::Sha256).unwrap()
}

/// A client that trusts only `root` (none: nothing) and offers `offer`.
fn client(offer: Option<ExternalPsk>, root: Option<Vec<u8>>) -> Arc<ClientConfig> {
    let verifier =
        sanstls_pki::tls::NodeServerVerifier::with_roots(root.into_iter().collect()).unwrap();
    let mut c = ClientConfig::new(Arc::new(verifier));
    c.psk = offer.map(ClientPsk::fixed);
    Arc::new(c)
}

/// A server with external PSKs on, tickets, and the certificate of `cert` if given.
fn server(cert: Option<&(Vec<u8>, Vec<u8>)>) -> Arc<ServerConfig> {
    let certs = match cert {
        Some((cert, key)) => {
            vec![CertifiedKey::new(vec![cert.clone()], load_private_key(key).unwrap()).unwrap()]
        }
        None => Vec::new(),
    };
    let mut c = ServerConfig::new(certs);
    c.ticketer = Some(Arc::new(Ticketer::new(c.random.as_ref()).unwrap()));
    c.external_psk_hash = Some(SuiteHash::Sha256);
    Arc::new(c)
}

/// A self-signed `localhost` certificate and its key (DER).
fn certificate() -> (Vec<u8>, Vec<u8>) {
    let dir = TempDir::new("psk-cert");
    let (cert, key) = openssl::self_signed(&dir, "ec");
    (openssl::pem_to_der(&cert), openssl::key_der(&key))
}

struct Run {
    client: ClientConnection,
    server: ServerConnection,
    client_error: Option<Error>,
    server_error: Option<Error>,
    /// The identities the server was asked about, in order.
    asked: Vec<Vec<u8>>,
    sessions: Vec<StoredSession>,
}

/// Runs a handshake, answering the server's `PskIdentity` pauses from `keys`.
fn run(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    session: Option<StoredSession>,
    keys: &HashMap<Vec<u8>, Vec<u8>>,
) -> Run {
    exchange(connect(cc, sc, session), keys)
}

/// The two connections, before anything is exchanged.
fn connect(cc: Arc<ClientConfig>, sc: Arc<ServerConfig>, session: Option<StoredSession>) -> Run {
    Run {
        client: ClientConnection::resume(cc, "localhost", session, NOW).unwrap(),
        server: ServerConnection::new(sc, NOW).unwrap(),
        client_error: None,
        server_error: None,
        asked: Vec::new(),
        sessions: Vec::new(),
    }
}

/// Exchanges until both sides are quiet, answering the server's pauses from `keys`.
fn exchange(mut r: Run, keys: &HashMap<Vec<u8>, Vec<u8>>) -> Run {
    for _ in 0..32 {
        let a = pump(&mut r.client, &mut r.server, &mut r.server_error, NOW);
        while let Some(e) = r.server.poll_event() {
            if let Event::PskIdentity(id) = e {
                let key = keys.get(&id).map(Vec::as_slice);
                r.asked.push(id);
                if let Err(e) = r.server.psk_found(key, NOW) {
                    r.server_error.get_or_insert(e);
                }
            }
        }
        let b = pump(&mut r.server, &mut r.client, &mut r.client_error, NOW);
        while let Some(e) = r.client.poll_event() {
            if let Event::NewSessionTicket(s) = e {
                r.sessions.push(s);
            }
        }
        if !a && !b {
            break;
        }
    }
    r
}

fn keys(entries: &[(&str, &[u8])]) -> HashMap<Vec<u8>, Vec<u8>> {
    entries
        .iter()
        .map(|(id, key)| (id.as_bytes().to_vec(), key.to_vec()))
        .collect()
}

fn established(r: &Run) -> bool {
    r.client_error.is_none()
        && r.server_error.is_none()
        && !r.client.is_handshaking()
        && !r.server.is_handshaking()
}

fn assert_psk_authenticated(c: &Connection, identity: &[u8]) {
    let n = c.negotiated();
    assert_eq!(
        n.peer_authentication(),
        PeerAuthentication::ExternalPsk(identity.to_vec())
    );
    assert_eq!(n.psk_identity.as_deref(), Some(identity));
    assert!(n.peer_certificates.is_empty());
    assert!(n.authorization_error.is_none());
}

#[test]
fn a_known_identity_authenticates_both_ends_without_certificates_and_its_tickets_say_so() {
    let table = keys(&[("client1", &KEY)]);
    let sc = server(None);
    let cc = client(Some(psk("client1", &KEY)), None);
    let r = run(cc.clone(), sc.clone(), None, &table);
    assert!(established(&r), "{:?} {:?}", r.client_error, r.server_error);
    assert_eq!(r.asked, vec![b"client1".to_vec()]);
    for c in [&*r.client, &*r.server] {
        assert_psk_authenticated(c, b"client1");
        assert!(!c.negotiated().resumed);
        // The PSK's hash decides the suite: SHA-256 although the server prefers AES-256.
        assert_ne!(
            c.negotiated().cipher_suite,
            Some(CipherSuite::TLS13_AES_256_GCM_SHA384)
        );
    }
    assert!(r.server.negotiated().local_certificates.is_empty());

    // The tickets of a PSK connection carry the identity: resuming reports the PSK, not
    // a certificate, on both ends, and the server is not asked about the ticket.
    let session = r.sessions.last().cloned().expect("a ticket");
    assert_eq!(session.psk_identity(), Some(&b"client1"[..]));
    assert!(session.peer_certificates().is_empty());
    let back = StoredSession::from_bytes(&session.to_bytes()).unwrap();
    assert_eq!(back.psk_identity(), Some(&b"client1"[..]));
    let r2 = run(client(None, None), sc.clone(), Some(back), &table);
    assert!(
        established(&r2),
        "{:?} {:?}",
        r2.client_error,
        r2.server_error
    );
    assert!(r2.asked.is_empty());
    for c in [&*r2.client, &*r2.server] {
        assert!(c.negotiated().resumed);
        assert_psk_authenticated(c, b"client1");
    }

    // Offered both (the ticket first, as OpenSSL orders them), the ticket wins.
    let r3 = run(cc, sc.clone(), Some(session.clone()), &table);
    assert!(
        established(&r3),
        "{:?} {:?}",
        r3.client_error,
        r3.server_error
    );
    assert!(r3.asked.is_empty());
    assert!(r3.server.negotiated().resumed);

    // A server with other ticket keys cannot open the ticket and has no certificate:
    // without the external PSK the client gets handshake_failure.
    let r4 = run(client(None, None), server(None), Some(session), &table);
    assert_eq!(
        r4.server_error,
        Some(Error::PeerIncompatible(
            PeerIncompatible::NoSignatureSchemesInCommon
        ))
    );
    assert_eq!(
        r4.client_error,
        Some(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
}

#[test]
fn an_unknown_identity_falls_back_to_the_certificate_or_fails_without_one() {
    let table = keys(&[("client1", &KEY)]);
    // As Node/OpenSSL: with a certificate, a certificate handshake the client verifies.
    let pki = certificate();
    let r = run(
        client(Some(psk("stranger", &KEY)), Some(pki.0.clone())),
        server(Some(&pki)),
        None,
        &table,
    );
    assert!(established(&r), "{:?} {:?}", r.client_error, r.server_error);
    assert_eq!(r.asked, vec![b"stranger".to_vec()]);
    assert_eq!(
        r.client.negotiated().peer_authentication(),
        PeerAuthentication::Certificate
    );
    assert_eq!(r.client.negotiated().psk_identity, None);
    assert_eq!(r.server.negotiated().psk_identity, None);
    assert_eq!(
        r.server.negotiated().peer_authentication(),
        PeerAuthentication::None
    );
    // Its tickets say certificate, not PSK.
    let session = r.sessions.last().expect("a ticket");
    assert_eq!(session.psk_identity(), None);
    assert_eq!(session.peer_certificates().len(), 1);

    // Without a certificate: handshake_failure, as OpenSSL's "no suitable signature
    // algorithm".
    let r = run(
        client(Some(psk("stranger", &KEY)), None),
        server(None),
        None,
        &table,
    );
    assert_eq!(
        r.client_error,
        Some(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
}

#[test]
fn after_a_hello_retry_request_the_binder_covers_the_retry_and_the_server_asks_again() {
    let table = keys(&[("client1", &KEY)]);
    let mut sc = ServerConfig::clone(&server(None));
    sc.groups = vec![sanstls::enums::NamedGroup::secp256r1];
    let sc = Arc::new(sc);
    let r = run(
        client(Some(psk("client1", &KEY)), None),
        sc.clone(),
        None,
        &table,
    );
    assert!(established(&r), "{:?} {:?}", r.client_error, r.server_error);
    // The retry is decided before the PSK: asked about the second ClientHello only.
    assert_eq!(r.asked, vec![b"client1".to_vec()]);
    assert_eq!(
        r.client.negotiated().group,
        Some(sanstls::enums::NamedGroup::secp256r1)
    );
    assert_psk_authenticated(&r.client, b"client1");
    assert_psk_authenticated(&r.server, b"client1");
    // A ticket's binder after a retry too (the server checked it over the wrong transcript
    // before this test existed).
    let session = r.sessions.last().cloned().expect("a ticket");
    let r2 = run(client(None, None), sc, Some(session), &table);
    assert!(
        established(&r2),
        "{:?} {:?}",
        r2.client_error,
        r2.server_error
    );
    assert!(r2.server.negotiated().resumed);
    assert_psk_authenticated(&r2.server, b"client1");
}

#[test]
fn a_wrong_key_for_a_known_identity_is_decrypt_error() {
    let table = keys(&[("client1", &KEY)]);
    let r = run(
        client(Some(psk("client1", b"not the key")), None),
        server(None),
        None,
        &table,
    );
    assert_eq!(r.server_error, Some(Error::VerifyFailed("PSK binder")));
    assert_eq!(
        r.client_error,
        Some(Error::AlertReceived(AlertDescription::DecryptError))
    );
}

#[test]
fn the_server_answers_late_and_misuse_is_refused() {
    let sc = server(None);
    let mut client =
        ClientConnection::new(client(Some(psk("late", &KEY)), None), "localhost", NOW).unwrap();
    let mut server = ServerConnection::new(sc, NOW).unwrap();
    let mut err = None;
    // Not paused yet: psk_found is a misuse.
    assert!(matches!(
        ServerConnection::new(server_cfg_plain(), NOW)
            .unwrap()
            .psk_found(Some(&KEY), NOW),
        Err(Error::ApiMisuse(_))
    ));
    pump(&mut client, &mut server, &mut err, NOW);
    assert_eq!(err, None);
    let asked: Vec<Event> = std::iter::from_fn(|| server.poll_event()).collect();
    assert_eq!(asked, vec![Event::PskIdentity(b"late".to_vec())]);
    // Nothing goes out while paused.
    let mut out = Vec::new();
    server.write_tls(&mut out);
    assert!(out.is_empty());
    assert!(matches!(
        server.psk_found(Some(&[]), NOW),
        Err(Error::ApiMisuse(_))
    ));
    server.psk_found(Some(&KEY), NOW).unwrap();
    let (ce, se) = sanstls_test::pair::transfer(&mut client, &mut server);
    assert_eq!((ce, se), (None, None));
    assert_psk_authenticated(&client, b"late");
}

fn server_cfg_plain() -> Arc<ServerConfig> {
    Arc::new(ServerConfig::new(Vec::new()))
}

#[test]
fn the_psk_key_is_never_printed() {
    let p = psk("client1", b"SECRETKEYBYTES");
    let shown = format!("{p:?} {:?}", ClientPsk::fixed(p.clone()));
    assert!(!shown.contains("SECRETKEYBYTES"), "{shown}");
    assert!(!shown.contains(&hex::encode(b"SECRETKEYBYTES")), "{shown}");
    assert!(shown.contains(&hex::encode(b"client1")), "{shown}");
    assert!(ExternalPsk::new(Vec::new(), &KEY, SuiteHash::Sha256).is_err());
    assert!(ExternalPsk::new(b"id".to_vec(), &[], SuiteHash::Sha256).is_err());
}

/// Drives a client `conn` over `sock` with the shared loop (`sanstls_test::drive`) until
/// the peer closes, an error, or 10 s: the plaintext read and the error.
fn drive_to_close(conn: &mut Connection, sock: &mut TcpStream) -> (Vec<u8>, Option<Error>) {
    let o = sanstls_test::drive::drive(conn, sock, |_, _| false);
    (o.plaintext, o.error)
}

/// `openssl s_server VERSION -www -nocert` on a free port with our PSK `KEY` under the
/// identity `client1`, plus `extra`: its log directory (kept while it runs), port and process.
fn psk_s_server(tag: &str, version: &str, extra: &[&str]) -> (TempDir, u16, peers::Peer) {
    let dir = TempDir::new(tag);
    let port = sanstls_test::net::free_port();
    let (port_s, key_hex) = (port.to_string(), hex::encode(KEY));
    let mut args = vec![
        "s_server",
        version,
        "-www",
        "-nocert",
        "-accept",
        &port_s,
        "-psk",
        &key_hex,
        "-psk_identity",
        "client1",
    ];
    args.extend_from_slice(extra);
    let peer = peers::spawn_logged(&dir, "s_server", "openssl", &args);
    (dir, port, peer)
}

#[test]
fn our_client_against_openssl_s_server_psk_nocert() {
    peers::require("openssl");
    let (_dir, port, mut peer) = psk_s_server("psk-s-server", "-tls1_3", &["-naccept", "2"]);
    for (key, ok) in [(&KEY[..], true), (&b"wrong key"[..], false)] {
        let mut sock = peers::connect(port, &mut peer);
        let cc = client(Some(psk("client1", key)), None);
        let mut conn = ClientConnection::new(cc, "localhost", now()).unwrap();
        let (plain, err) = match ok {
            true => {
                conn.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
                drive_to_close(&mut conn, &mut sock)
            }
            false => drive_to_close(&mut conn, &mut sock),
        };
        match ok {
            true => {
                assert_eq!(err, None);
                let text = String::from_utf8_lossy(&plain);
                // (The page lists every suite; this line is the session's.)
                assert!(
                    text.contains("Reused, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256"),
                    "{text}"
                );
                assert_psk_authenticated(&conn, b"client1");
            }
            // OpenSSL (3.0) refuses a binder that does not verify with illegal_parameter,
            // where RFC 8446 s6.2 names decrypt_error (which is what we send).
            false => assert_eq!(
                err,
                Some(Error::AlertReceived(AlertDescription::IllegalParameter))
            ),
        }
    }
}

/// Our server on `listener` for `count` connections, each a handshake whose
/// `PskIdentity` pauses are answered from `table`, then a line and close_notify: what
/// each connection ended with (`None`: completed) and what it negotiated.
fn serve_psk(
    listener: TcpListener,
    sc: Arc<ServerConfig>,
    table: HashMap<Vec<u8>, Vec<u8>>,
    count: usize,
) -> std::thread::JoinHandle<Vec<(Option<Error>, sanstls::conn::Negotiated)>> {
    std::thread::spawn(move || {
        let mut results = Vec::new();
        for _ in 0..count {
            let (mut sock, _) = listener.accept().unwrap();
            let mut conn = ServerConnection::new(sc.clone(), now()).unwrap();
            let (mut asked, mut complete) = (Vec::new(), false);
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut stream = Stream::new(&mut sock);
            stream.set_read_timeout(Some(Duration::from_millis(50)));
            let err = loop {
                let fed = stream.feed(&mut conn, |_, e| {
                    match e {
                        Event::PskIdentity(id) => asked.push(id),
                        Event::HandshakeComplete => complete = true,
                        _ => {}
                    }
                    Ok::<(), StreamError>(())
                });
                if let Err(StreamError::Tls(e)) = fed {
                    break Some(e);
                }
                if let Some(id) = asked.pop() {
                    let answered = conn.psk_found(table.get(&id).map(Vec::as_slice), now());
                    // The alert of a refused binder goes out too.
                    let _ = stream.flush(&mut conn);
                    match answered {
                        Ok(()) => continue,
                        Err(e) => break Some(e),
                    }
                }
                if complete {
                    conn.send(b"hello from sanstls\n").unwrap();
                    conn.send_close_notify();
                    let _ = stream.flush(&mut conn);
                    break None;
                }
                if Instant::now() > deadline {
                    break Some(Error::HandshakeTimeout);
                }
                match stream.receive(&mut conn) {
                    Ok(Received::Data) => {}
                    Err(StreamError::Io(e)) if is_timeout(&e) => {}
                    Err(StreamError::Tls(e)) => break Some(e),
                    _ => break conn.error().cloned(),
                }
            };
            results.push((err, conn.negotiated().clone()));
        }
        results
    })
}

#[test]
fn openssl_s_client_psk_against_our_server() {
    peers::require("openssl");
    let key_hex = hex::encode(KEY);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let table = keys(&[("client1", &KEY)]);
    let sc = server(None);
    let serve = serve_psk(listener, sc, table, 2);
    let addr = format!("127.0.0.1:{port}");
    let good = peers::s_client(
        &addr,
        &[
            "-tls1_3",
            "-psk",
            &key_hex,
            "-psk_identity",
            "client1",
            "-ign_eof",
        ],
        b"",
    );
    let good_out = String::from_utf8_lossy(&good.stdout).to_string();
    let bad = peers::s_client(
        &addr,
        &[
            "-tls1_3",
            "-psk",
            "00ff",
            "-psk_identity",
            "client1",
            "-ign_eof",
        ],
        b"",
    );
    let bad_out =
        String::from_utf8_lossy(&bad.stdout).to_string() + &String::from_utf8_lossy(&bad.stderr);
    let results = serve.join().unwrap();
    assert!(good_out.contains("hello from sanstls"), "{good_out}");
    // Our order (AES-256-GCM, ChaCha20, AES-128-GCM) with the PSK's SHA-256 first.
    assert!(
        good_out.contains("Reused, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256"),
        "{good_out}"
    );
    let (err, n) = &results[0];
    assert_eq!(err, &None);
    assert_eq!(
        n.peer_authentication(),
        PeerAuthentication::ExternalPsk(b"client1".to_vec())
    );
    assert_eq!(
        n.cipher_suite,
        Some(CipherSuite::TLS13_CHACHA20_POLY1305_SHA256)
    );
    assert_eq!(results[1].0, Some(Error::VerifyFailed("PSK binder")));
    assert!(bad_out.contains("decrypt error"), "{bad_out}");
}

/// Our client with `psk_ke` on and the PSK of `client1` asks `peer` on `port` for its page:
/// the connection, once closed without error, and the page.
fn psk_ke_get(port: u16, peer: &mut peers::Peer) -> (ClientConnection, String) {
    let mut sock = peers::connect(port, peer);
    let mut config = ClientConfig::clone(&client(Some(psk("client1", &KEY)), None));
    config.psk_ke = true;
    let mut conn = ClientConnection::new(Arc::new(config), "localhost", now()).unwrap();
    conn.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let (plain, err) = drive_to_close(&mut conn, &mut sock);
    let page = String::from_utf8_lossy(&plain).into_owned();
    assert_eq!(err, None, "{page}");
    (conn, page)
}

#[test]
fn psk_ke_offered_to_openssl_which_still_takes_psk_dhe_ke() {
    peers::require("openssl");
    let extra = ["-allow_no_dhe_kex", "-naccept", "1"];
    let (_dir, port, mut peer) = psk_s_server("psk-ke-s-server", "-tls1_3", &extra);
    let (conn, page) = psk_ke_get(port, &mut peer);
    assert!(page.contains("Reused, TLSv1.3"), "{page}");
    assert_psk_authenticated(&conn, b"client1");
    // OpenSSL 3.0 prefers psk_dhe_ke when both are offered: a group was agreed.
    assert!(conn.negotiated().group.is_some());
}

/// `psk_ke` (no (EC)DHE: RFC 8446 s4.2.9) against a real peer: `gnutls-serv` allowing only
/// the PSK key exchange takes it, where OpenSSL 3.0 always takes `psk_dhe_ke`.
#[test]
fn psk_ke_against_gnutls_serv_which_takes_it() {
    peers::require("gnutls-serv");
    let dir = TempDir::new("psk-ke-gnutls-serv");
    let passwd = dir.path("psk.txt");
    std::fs::write(&passwd, format!("client1:{}\n", hex::encode(KEY))).unwrap();
    let port = sanstls_test::net::free_port();
    let port_s = port.to_string();
    let priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK";
    let args = [
        "-p",
        &port_s,
        "--http",
        "--priority",
        priority,
        "--pskpasswd",
    ];
    let mut all: Vec<&str> = args.to_vec();
    all.push(passwd.to_str().unwrap());
    let mut peer = peers::spawn_logged(&dir, "gnutls-serv", "gnutls-serv", &all);
    let (conn, page) = psk_ke_get(port, &mut peer);
    // GnuTLS describes the session with an empty key exchange: `(TLS1.3-X.509)--(...)`.
    assert!(page.contains("(TLS1.3-X.509)--("), "{page}");
    assert_psk_authenticated(&conn, b"client1");
    // No key exchange on our side either: the ServerHello had no key_share.
    assert_eq!(conn.negotiated().group, None);
}

// ---- TLS 1.2 PSK suites (RFC 4279, 5487, 5489, 7905) ----

use sanstls::enums::ProtocolVersion;
use sanstls::suites::{Tls12CipherSuite, TLS12_PSK_SUITES};

/// A TLS 1.2-only client offering `suite` with the PSK `identity`, recording the hints its
/// callback gets.
fn client12(
    suite: &'static Tls12CipherSuite,
    identity: &str,
    key: &[u8],
    hints: Arc<std::sync::Mutex<Vec<Option<Vec<u8>>>>>,
) -> Arc<ClientConfig> {
    let verifier = sanstls_pki::tls::NodeServerVerifier::with_roots(Vec::new()).unwrap();
    let mut c = ClientConfig::new(Arc::new(verifier));
    c.max_version = ProtocolVersion::TLSv1_2;
    c.tls12_cipher_suites = vec![suite];
    let p = psk(identity, key);
    c.psk = Some(ClientPsk(Arc::new(move |hint| {
        hints.lock().unwrap().push(hint.map(<[u8]>::to_vec));
        Some(p.clone())
    })));
    Arc::new(c)
}

/// A server with the TLS 1.2 PSK suites (and DH parameters for DHE_PSK), no certificate.
fn server12(hint: Option<&[u8]>) -> Arc<ServerConfig> {
    let mut c = ServerConfig::clone(&server(None));
    c.tls12_cipher_suites = TLS12_PSK_SUITES.to_vec();
    c.dh_params = Some(
        sanstls::crypto::ffdhe::DhGroup::from_named(sanstls::enums::NamedGroup::FFDHE2048).unwrap(),
    );
    c.psk_identity_hint = hint.map(<[u8]>::to_vec);
    Arc::new(c)
}

#[test]
fn tls12_psk_suites_in_memory_with_and_without_a_hint() {
    let table = keys(&[("client1", &KEY)]);
    for suite in TLS12_PSK_SUITES {
        for hint in [None, Some(&b"the hint"[..])] {
            let hints = Arc::new(std::sync::Mutex::new(Vec::new()));
            let r = run(
                client12(suite, "client1", &KEY, hints.clone()),
                server12(hint),
                None,
                &table,
            );
            let name = suite.openssl_name;
            assert!(
                established(&r),
                "{name}: {:?} {:?}",
                r.client_error,
                r.server_error
            );
            assert_eq!(r.asked, vec![b"client1".to_vec()], "{name}");
            assert_eq!(
                *hints.lock().unwrap(),
                vec![hint.map(<[u8]>::to_vec)],
                "{name}"
            );
            for c in [&*r.client, &*r.server] {
                assert_eq!(c.negotiated().version, Some(ProtocolVersion::TLSv1_2));
                assert_eq!(c.negotiated().cipher_suite, Some(suite.suite), "{name}");
                assert_psk_authenticated(c, b"client1");
            }
            // A session (ticket) of it resumes as PSK-authenticated.
            let session = r.sessions.last().cloned().expect("a session");
            assert_eq!(session.psk_identity(), Some(&b"client1"[..]));
        }
    }
}

#[test]
fn tls12_psk_unknown_identity_and_wrong_key() {
    let table = keys(&[("client1", &KEY)]);
    let suite = &sanstls::suites::TLS_PSK_WITH_AES_128_GCM_SHA256;
    let hints = Arc::new(std::sync::Mutex::new(Vec::new()));
    let r = run(
        client12(suite, "stranger", &KEY, hints.clone()),
        server12(None),
        None,
        &table,
    );
    assert_eq!(
        r.server_error,
        Some(Error::PeerIncompatible(
            PeerIncompatible::UnknownPskIdentity
        ))
    );
    assert_eq!(
        r.client_error,
        Some(Error::AlertReceived(AlertDescription::UnknownPSKIdentity))
    );
    // A wrong key under a known identity: the server cannot read the client's Finished.
    let r = run(
        client12(suite, "client1", b"another key", hints),
        server12(None),
        None,
        &table,
    );
    assert_eq!(
        r.client_error,
        Some(Error::AlertReceived(AlertDescription::BadRecordMac))
    );
    // Without external PSKs on, the server does not choose a PSK suite.
    let mut plain = ServerConfig::clone(&server12(None));
    plain.external_psk_hash = None;
    let r = run(
        client12(suite, "client1", &KEY, Arc::default()),
        Arc::new(plain),
        None,
        &table,
    );
    assert_eq!(
        r.server_error,
        Some(Error::PeerIncompatible(
            PeerIncompatible::NoCipherSuitesInCommon
        ))
    );
}

#[test]
fn tls12_psk_suites_against_openssl_both_ways() {
    peers::require("openssl");
    let key_hex = hex::encode(KEY);
    let n = TLS12_PSK_SUITES.len().to_string();
    // Our client against s_server offering every PSK suite, one suite per connection.
    let extra = [
        "-psk_hint",
        "openssl hint",
        "-cipher",
        "PSK",
        "-naccept",
        &n,
    ];
    let (_dir, port, mut peer) = psk_s_server("psk12-s-server", "-tls1_2", &extra);
    for suite in TLS12_PSK_SUITES {
        let hints = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut sock = peers::connect(port, &mut peer);
        let cc = client12(suite, "client1", &KEY, hints.clone());
        let mut conn = ClientConnection::new(cc, "localhost", now()).unwrap();
        conn.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        let (plain, err) = drive_to_close(&mut conn, &mut sock);
        let name = suite.openssl_name;
        assert_eq!(err, None, "{name}");
        let text = String::from_utf8_lossy(&plain);
        assert!(
            text.contains(&format!("New, TLSv1.2, Cipher is {name}")),
            "{name}: {text}"
        );
        assert_eq!(
            *hints.lock().unwrap(),
            vec![Some(b"openssl hint".to_vec())],
            "{name}"
        );
        assert_psk_authenticated(&conn, b"client1");
    }

    // s_client against our server, each suite in turn.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let table = keys(&[("client1", &KEY)]);
    let sc = server12(Some(b"sanstls hint"));
    let count = TLS12_PSK_SUITES.len();
    let serve = serve_psk(listener, sc, table, count);
    let addr = format!("127.0.0.1:{port}");
    let mut outs = Vec::new();
    for suite in TLS12_PSK_SUITES {
        let out = peers::s_client(
            &addr,
            &[
                "-tls1_2",
                "-psk",
                &key_hex,
                "-psk_identity",
                "client1",
                "-cipher",
                suite.openssl_name,
                "-ign_eof",
            ],
            b"",
        );
        outs.push(String::from_utf8_lossy(&out.stdout).to_string());
    }
    let results = serve.join().unwrap();
    for ((suite, out), (err, n)) in TLS12_PSK_SUITES.iter().zip(&outs).zip(&results) {
        let name = suite.openssl_name;
        assert!(out.contains("hello from sanstls"), "{name}: {out}");
        assert!(
            out.contains(&format!("New, TLSv1.2, Cipher is {name}")),
            "{name}: {out}"
        );
        assert!(
            out.contains("PSK identity hint: sanstls hint"),
            "{name}: {out}"
        );
        assert_eq!(err, &None, "{name}");
        assert_eq!(n.cipher_suite, Some(suite.suite));
        assert_eq!(
            n.peer_authentication(),
            PeerAuthentication::ExternalPsk(b"client1".to_vec())
        );
    }
}

/// 0-RTT goes only with a resumption ticket, whose NewSessionTicket said how much early data
/// it allows: an external PSK offers none, even with both ends' 0-RTT on, and what was sent
/// before the handshake arrives after it as ordinary data.
#[test]
fn an_external_psk_offers_no_early_data() {
    let mut cc = ClientConfig::clone(&client(Some(psk("client1", &KEY)), None));
    cc.enable_early_data = true;
    let mut sc = ServerConfig::clone(&server(None));
    sc.enable_early_data(16384, NOW);
    let mut r = connect(Arc::new(cc), Arc::new(sc), None);
    assert_eq!(r.client.send(b"not early").unwrap(), 9);
    let mut r = exchange(r, &keys(&[("client1", &KEY)]));
    assert!(established(&r));
    assert_psk_authenticated(&r.server, b"client1");
    assert!(!r.client.early_data_accepted() && !r.server.early_data_accepted());
    let mut buf = [0u8; 64];
    let n = r.server.read_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"not early");
}
