//! The TLS 1.3 server engine against real clients written by others: `openssl s_client`
//! (suites, groups, HelloRetryRequest, session resumption, client certificates, OCSP
//! stapling, KeyUpdate), GnuTLS's `gnutls-cli`, Python's `ssl` and Node's `tls`.
//!
//! Each test serves connections from a thread with the blocking loop of docs/engine.md:
//! it answers one HTTP request with a line describing the connection, then closes.

// Tests embed the engine like an application: they read the clock for `now` and timeouts.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use sanstls::crypto::sign::load_private_key;
use sanstls::enums::NamedGroup;
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::{Error, Event};
use sanstls_node::stream::{is_timeout, Received, Stream, StreamError};
use sanstls_test::openssl;
use sanstls_test::peers::now;
use sanstls_test::TempDir;

struct Files {
    dir: TempDir,
    cert: PathBuf,
    key: PathBuf,
}

fn files(tag: &str, kind: &str) -> Files {
    let dir = TempDir::new(&format!("server-interop-{tag}"));
    let (cert, key) = openssl::self_signed(&dir, kind);
    Files { dir, cert, key }
}

fn der(f: &Path) -> Vec<u8> {
    openssl::pem_to_der(f)
}

fn config(f: &Files) -> ServerConfig {
    let key = load_private_key(&openssl::key_der(&f.key)).unwrap();
    let mut c = ServerConfig::new(vec![CertifiedKey::new(vec![der(&f.cert)], key).unwrap()]);
    c.ticketer = Some(Arc::new(Ticketer::new(c.random.as_ref()).unwrap()));
    c
}

/// What the server saw of one connection.
#[derive(Debug)]
struct Seen {
    result: Result<(), Error>,
    resumed: bool,
    group: Option<NamedGroup>,
    alpn: Option<Vec<u8>>,
    client_certs: usize,
    events: Vec<Event>,
}

/// Serves `n` connections on a thread; each answers one request and closes. With
/// `key_update`, the server updates its keys (asking the client to update too) before
/// answering.
fn serve(config: ServerConfig, n: usize, key_update: bool) -> (u16, mpsc::Receiver<Seen>) {
    serve_with(
        config,
        n,
        Serve {
            key_update,
            ..Serve::default()
        },
    )
}

/// How [`serve_with`] serves each connection.
#[derive(Clone, Copy, Debug, Default)]
struct Serve {
    /// Update our keys, asking the client to update too, before answering.
    key_update: bool,
    /// Call `disable_renegotiation()`.
    no_reneg: bool,
    /// Bytes of [`body`] after the answer's line, for tests that need the answer to span
    /// many records.
    body: usize,
}

/// `n` bytes of text that no other line contains, for a test to find whole in what the
/// client printed.
fn body(n: usize) -> String {
    (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect()
}

/// [`serve`] with the options of `opts`.
fn serve_with(config: ServerConfig, n: usize, opts: Serve) -> (u16, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Arc::new(config);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..n {
            let Ok((sock, _)) = listener.accept() else {
                return;
            };
            let _ = tx.send(serve_one(sock, config.clone(), opts));
        }
    });
    (port, rx)
}

fn serve_one(sock: TcpStream, config: Arc<ServerConfig>, opts: Serve) -> Seen {
    let mut conn = ServerConnection::new(config, now()).unwrap();
    if opts.no_reneg {
        conn.disable_renegotiation();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stream = Stream::new(sock);
    stream.set_read_timeout(Some(Duration::from_millis(50)));
    let (mut request, mut events) = (Vec::new(), Vec::new());
    let result = loop {
        let fed = stream.feed(&mut conn, |c, e| {
            if e == Event::PlaintextReady {
                sanstls_test::drive::read_plaintext_into(c, &mut request);
            }
            if e == Event::HandshakeComplete && opts.key_update {
                c.key_update(true)?;
            }
            events.push(e);
            Ok::<(), StreamError>(())
        });
        match fed {
            Ok(()) => {}
            Err(StreamError::Tls(e)) => break Err(e),
            Err(StreamError::Io(_)) => break conn.error().cloned().map_or(Ok(()), Err),
        }
        if request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = conn.negotiated();
            let line = format!(
                "HTTP/1.0 200 OK\r\n\r\nsanstls {:?} resumed={}\n{}\n",
                n.cipher_suite,
                n.resumed,
                body(opts.body)
            );
            // Established: `send` takes it all.
            assert_eq!(conn.send(line.as_bytes()).unwrap(), line.len());
            conn.send_close_notify();
            let _ = stream.flush(&mut conn);
            // Give the client a moment to read before we close.
            std::thread::sleep(Duration::from_millis(100));
            break Ok(());
        }
        if Instant::now() > deadline {
            break Err(Error::HandshakeTimeout);
        }
        match stream.receive(&mut conn) {
            Ok(Received::Data) => {}
            Err(StreamError::Io(e)) if is_timeout(&e) => {}
            Err(StreamError::Tls(e)) => break Err(e),
            Ok(Received::Eof) | Err(StreamError::Io(_)) => {
                break conn.error().cloned().map_or(Ok(()), Err)
            }
        }
    };
    let n = conn.negotiated();
    Seen {
        result,
        resumed: n.resumed,
        group: n.group,
        alpn: n.alpn.clone(),
        client_certs: n.peer_certificates.len(),
        events,
    }
}

/// Runs `openssl s_client` with `args`, sending one HTTP request; returns its output.
fn s_client(port: u16, f: &Files, args: &[&str]) -> String {
    s_client_version("-tls1_3", port, f, args)
}

/// Runs `openssl s_client <version>` with `args`, sending one HTTP request.
fn s_client_version(version: &str, port: u16, f: &Files, args: &[&str]) -> String {
    let ca = f.cert.to_string_lossy();
    let verified = [
        version,
        "-servername",
        "localhost",
        "-verify_return_error",
        "-ign_eof",
        "-CAfile",
        &ca,
    ];
    let out = sanstls_test::peers::s_client(
        &format!("127.0.0.1:{port}"),
        &[&verified[..], args].concat(),
        b"GET / HTTP/1.0\r\n\r\n",
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `openssl s_client <version>` interactively: writes each of `lines` with a pause
/// (so commands like `K` or `R` act before what follows), then closes its input. Returns
/// everything it printed.
fn s_client_interactive(version: &str, port: u16, lines: &[&[u8]]) -> String {
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            version,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl s_client (.ci/run installs it)");
    let mut stdin = child.stdin.take().expect("stdin");
    for line in lines {
        std::thread::sleep(Duration::from_millis(300));
        // s_client may have ended already (e.g. after a refused renegotiation).
        let _ = stdin.write_all(line);
    }
    std::thread::sleep(Duration::from_millis(500));
    drop(stdin);
    let out = child.wait_with_output().expect("s_client output");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn seen(rx: &mpsc::Receiver<Seen>) -> Seen {
    rx.recv_timeout(Duration::from_secs(15))
        .expect("the server finished")
}

#[test]
fn openssl_every_suite_and_group() {
    let f = files("suites", "ec");
    for suite in [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ] {
        for (group, name) in [
            (NamedGroup::X25519, "X25519"),
            (NamedGroup::secp256r1, "P-256"),
            (NamedGroup::secp384r1, "P-384"),
        ] {
            let (port, rx) = serve(config(&f), 1, false);
            let out = s_client(port, &f, &["-ciphersuites", suite, "-groups", name]);
            let s = seen(&rx);
            assert_eq!(s.result, Ok(()), "{suite} {name}: {out}");
            assert_eq!(s.group, Some(group));
            assert!(
                out.contains(&format!("New, TLSv1.3, Cipher is {suite}")),
                "{out}"
            );
            assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
            assert!(out.contains("sanstls"), "{out}");
        }
    }
}

/// secp521r1 key exchange and a P-521 certificate (signed with ecdsa-with-SHA512) against
/// `openssl s_client -groups P-521`, TLS 1.3 and 1.2; in TLS 1.3 OpenSSL accepts only
/// ecdsa_secp521r1_sha512 from a P-521 key. Also a P-521 client certificate.
#[test]
fn openssl_p521_groups_and_certificates() {
    let f = files("p521", "ec521");
    let client = files("p521-client", "ec521");
    let (cert, key) = (client.cert.to_string_lossy(), client.key.to_string_lossy());
    for version in ["-tls1_3", "-tls1_2"] {
        let mut c = config(&f);
        c.groups = vec![NamedGroup::secp521r1];
        c.client_verifier = Some(Arc::new(
            sanstls_pki::tls::NodeClientVerifier::with_roots(vec![der(&client.cert)], true)
                .unwrap(),
        ));
        let (port, rx) = serve(c, 1, false);
        let out = s_client_version(
            version,
            port,
            &f,
            &["-groups", "P-521", "-cert", &cert, "-key", &key],
        );
        let s = seen(&rx);
        assert_eq!(s.result, Ok(()), "{version}: {out}");
        assert_eq!(s.group, Some(NamedGroup::secp521r1));
        assert_eq!(s.client_certs, 1);
        assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
        assert!(out.contains("sanstls"), "{out}");
        match version {
            "-tls1_3" => {
                assert!(out.contains("Peer signature type: ECDSA"), "{out}");
                assert!(out.contains("Peer signing digest: SHA512"), "{out}");
                assert!(
                    out.contains("Server Temp Key: ECDH, secp521r1, 521 bits"),
                    "{out}"
                );
            }
            _ => {
                assert!(
                    out.contains("Server Temp Key: ECDH, secp521r1, 521 bits"),
                    "{out}"
                );
                assert!(
                    out.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-"),
                    "{out}"
                );
            }
        }
    }
}

#[test]
fn openssl_hello_retry_request_rsa_and_alpn() {
    let f = files("hrr", "rsa");
    let mut c = config(&f);
    c.groups = vec![NamedGroup::secp384r1];
    c.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let (port, rx) = serve(c, 1, false);
    // s_client sends a share for its first group only.
    let out = s_client(
        port,
        &f,
        &["-groups", "X25519:P-384", "-alpn", "http/1.1,h2"],
    );
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{out}");
    assert_eq!(s.group, Some(NamedGroup::secp384r1));
    assert_eq!(s.alpn.as_deref(), Some(&b"h2"[..]));
    assert!(out.contains("ALPN protocol: h2"), "{out}");
}

#[test]
fn openssl_session_resumption() {
    let f = files("resume", "ec");
    let sess = f.dir.path("sess.pem");
    let (port, rx) = serve(config(&f), 2, false);
    let out = s_client(port, &f, &["-sess_out", sess.to_str().unwrap()]);
    assert!(!seen(&rx).resumed, "{out}");
    let out = s_client(port, &f, &["-sess_in", sess.to_str().unwrap()]);
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{out}");
    assert!(s.resumed);
    assert!(out.contains("Reused, TLSv1.3"), "{out}");
}

#[test]
fn openssl_client_certificate() {
    let f = files("client-auth", "ec");
    let client = files("client-auth-client", "rsa");
    let mut c = config(&f);
    c.client_verifier = Some(Arc::new(
        sanstls_pki::tls::NodeClientVerifier::with_roots(vec![der(&client.cert)], true).unwrap(),
    ));
    let (port, rx) = serve(c, 2, false);
    let out = s_client(
        port,
        &f,
        &[
            "-cert",
            client.cert.to_str().unwrap(),
            "-key",
            client.key.to_str().unwrap(),
        ],
    );
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{out}");
    assert_eq!(s.client_certs, 1);
    // Without a certificate the handshake fails with certificate_required.
    let out = s_client(port, &f, &[]);
    let s = seen(&rx);
    assert!(s.result.is_err(), "{out}");
    assert!(out.contains("certificate required"), "{out}");
}

#[test]
fn key_log_lines_match_openssl() {
    let f = files("keylog", "ec");
    let mut c = config(&f);
    c.key_log = true;
    let (port, rx) = serve(c, 1, false);
    let file = f.dir.path("keys.log");
    let out = s_client(port, &f, &["-keylogfile", file.to_str().unwrap()]);
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{out}");
    let mut ours: Vec<String> = s
        .events
        .iter()
        .filter_map(|e| match e {
            Event::KeyLog(l) => Some(l.to_line()),
            _ => None,
        })
        .collect();
    let theirs = std::fs::read_to_string(&file).unwrap();
    let mut theirs: Vec<String> = theirs
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours.len(), 5);
    assert_eq!(ours, theirs);
}

#[test]
fn openssl_ocsp_stapling() {
    let f = files("ocsp", "ec");
    let mut c = config(&f);
    // A minimal OCSPResponse: responseStatus = unauthorized(6).
    c.certificates[0].ocsp_response = Some(vec![0x30, 0x03, 0x0a, 0x01, 0x06]);
    let (port, rx) = serve(c, 1, false);
    let out = s_client(port, &f, &["-status"]);
    assert_eq!(seen(&rx).result, Ok(()), "{out}");
    assert!(
        out.contains("OCSP Response Status: unauthorized (0x6)"),
        "{out}"
    );
}

#[test]
fn key_update_both_ways_with_openssl() {
    let f = files("key-update", "ec");
    let (port, rx) = serve(config(&f), 2, true);
    // Our server updates its keys right after the handshake and asks openssl to update
    // too; openssl reads the answer under the new keys.
    let out = s_client(port, &f, &[]);
    assert_eq!(seen(&rx).result, Ok(()), "{out}");
    assert!(out.contains("sanstls"), "{out}");

    // openssl's interactive `K` command: a KeyUpdate asking us to update back.
    let text = s_client_interactive("-tls1_3", port, &[b"K\n", b"GET / HTTP/1.0\r\n\r\n"]);
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{text}");
    assert!(
        s.events.contains(&Event::KeyUpdated {
            update_requested: true
        }),
        "{:?}",
        s.events
    );
    assert!(text.contains("KEYUPDATE"), "{text}");
    assert!(text.contains("sanstls"), "{text}");
}

/// Runs `gnutls-cli -p PORT --x509cafile CA ARGS localhost`, sends an HTTP request on its
/// stdin, and returns what it printed (stdout and stderr).
fn gnutls_cli(port: u16, ca: &std::path::Path, args: &[&str]) -> String {
    let mut gnutls = Command::new("gnutls-cli")
        .args(["-p", &port.to_string(), "--x509cafile"])
        .arg(ca)
        .args(args)
        .arg("localhost")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gnutls-cli (.ci/run installs it)");
    gnutls
        .stdin
        .take()
        .unwrap()
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .unwrap();
    let out = gnutls.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// RFC 7919 in TLS 1.2 against GnuTLS 3.7, which lists the FFDHE groups its priority
/// string allows and checks that a DHE server uses one of them: configured with ffdhe2048,
/// our server answers a client that allows only ffdhe3072 with ffdhe3072; a client that
/// allows only ffdhe2048 and a DHE suite, against parameters of 3072 bits, is refused with
/// insufficient_security.
#[test]
fn gnutls_tls12_dhe_uses_the_clients_ffdhe_group() {
    use sanstls::crypto::ffdhe::DhGroup;
    use sanstls::error::PeerIncompatible;
    let f = files("gnutls-ffdhe", "rsa");
    let mut c = config(&f);
    c.dh_params = Some(DhGroup::ffdhe2048());
    let (port, rx) = serve(c, 1, false);
    let priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-FFDHE3072";
    let text = gnutls_cli(port, &f.cert, &["--priority", priority]);
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{text}");
    assert_eq!(s.group, Some(NamedGroup::FFDHE3072));
    assert!(
        text.contains("(TLS1.2-X.509)-(DHE-FFDHE3072)-(RSA"),
        "{text}"
    );
    assert!(text.contains("sanstls"), "{text}");

    let mut c = config(&f);
    c.dh_params = Some(DhGroup::ffdhe3072());
    let (port, rx) = serve(c, 1, false);
    let priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-FFDHE2048";
    let text = gnutls_cli(port, &f.cert, &["--priority", priority]);
    let s = seen(&rx);
    assert_eq!(
        s.result,
        Err(PeerIncompatible::NoFfdheGroupsInCommon.into()),
        "{text}"
    );
    assert!(text.contains("Insufficient security"), "{text}");
}

/// The RFC 7919 groups as TLS 1.3 key shares, against `openssl s_client -groups ffdheN`
/// for each of the five: configured on our server, never a default.
#[test]
fn openssl_tls13_ffdhe_key_shares() {
    let f = files("ffdhe13", "ec");
    for (group, name, bits) in [
        (NamedGroup::FFDHE2048, "ffdhe2048", 2048),
        (NamedGroup::FFDHE3072, "ffdhe3072", 3072),
        (NamedGroup::FFDHE4096, "ffdhe4096", 4096),
        (NamedGroup::FFDHE6144, "ffdhe6144", 6144),
        (NamedGroup::FFDHE8192, "ffdhe8192", 8192),
    ] {
        let mut c = config(&f);
        c.groups.push(group);
        let (port, rx) = serve(c, 1, false);
        let out = s_client(port, &f, &["-groups", name]);
        let s = seen(&rx);
        assert_eq!(s.result, Ok(()), "{name}: {out}");
        assert_eq!(s.group, Some(group));
        assert!(
            out.contains(&format!("Server Temp Key: DH, {bits} bits")),
            "{out}"
        );
        assert!(out.contains("sanstls"), "{out}");
    }
    // Without it configured, a client offering only ffdhe2048 has no group in common.
    let (port, rx) = serve(config(&f), 1, false);
    let out = s_client(port, &f, &["-groups", "ffdhe2048"]);
    assert!(seen(&rx).result.is_err(), "{out}");
}

/// secp521r1 and a P-521 certificate against `gnutls-cli`, TLS 1.3 and 1.2 (GnuTLS
/// offers only the groups its priority string names).
#[test]
fn gnutls_p521() {
    let f = files("gnutls-p521", "ec521");
    for (version, shown) in [("VERS-TLS1.3", "TLS1.3"), ("VERS-TLS1.2", "TLS1.2")] {
        let mut c = config(&f);
        c.groups = vec![NamedGroup::secp521r1];
        let (port, rx) = serve(c, 1, false);
        let priority = format!("NORMAL:-VERS-ALL:+{version}:-GROUP-ALL:+GROUP-SECP521R1");
        let text = gnutls_cli(port, &f.cert, &["--priority", &priority]);
        let s = seen(&rx);
        assert_eq!(s.result, Ok(()), "{version}: {text}");
        assert_eq!(s.group, Some(NamedGroup::secp521r1), "{version}");
        assert!(
            text.contains(&format!("({shown}-X.509)-(ECDHE-SECP521R1)-(ECDSA-")),
            "{text}"
        );
        assert!(text.contains("sanstls"), "{text}");
    }
}

#[test]
fn gnutls_python_and_node_clients() {
    let f = files("others", "ec");
    let mut c = config(&f);
    c.alpn_protocols = vec![b"http/1.1".to_vec()];
    let (port, rx) = serve(c, 3, false);

    let text = gnutls_cli(port, &f.cert, &["--alpn", "http/1.1"]);
    assert_eq!(seen(&rx).result, Ok(()), "{text}");
    assert!(text.contains("TLS1.3"), "{text}");
    assert!(text.contains("sanstls"), "{text}");

    let py = format!(
        "import socket, ssl\n\
         c = ssl.create_default_context(cafile={cert:?})\n\
         c.set_alpn_protocols(['http/1.1'])\n\
         s = c.wrap_socket(socket.create_connection(('127.0.0.1', {port})), server_hostname='localhost')\n\
         s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n\
         data = b''\n\
         while True:\n\
         \x20   d = s.recv(4096)\n\
         \x20   if not d: break\n\
         \x20   data += d\n\
         print(s.version(), s.selected_alpn_protocol(), data.decode())\n",
        cert = f.cert.to_str().unwrap()
    );
    let out = Command::new("python3")
        .args(["-c", &py])
        .output()
        .expect("python3");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(seen(&rx).result, Ok(()), "{text}");
    assert!(text.starts_with("TLSv1.3 http/1.1"), "{text}");
    assert!(text.contains("sanstls"), "{text}");

    let js = format!(
        "const tls = require('tls'); const fs = require('fs');\n\
         const s = tls.connect({{port: {port}, host: '127.0.0.1', servername: 'localhost',\n\
           ca: fs.readFileSync({cert:?}), ALPNProtocols: ['http/1.1']}}, () => {{\n\
           s.write('GET / HTTP/1.0\\r\\n\\r\\n'); }});\n\
         let data = '';\n\
         s.on('data', d => data += d);\n\
         s.on('end', () => console.log(s.getProtocol(), s.alpnProtocol, s.authorized, data));\n\
         s.on('error', e => console.log('ERR', e.message));\n",
        cert = f.cert.to_str().unwrap()
    );
    let out = Command::new("node")
        .args(["-e", &js])
        .output()
        .expect("node");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(seen(&rx).result, Ok(()), "{text}");
    assert!(text.starts_with("TLSv1.3 http/1.1 true"), "{text}");
    assert!(text.contains("sanstls"), "{text}");
}

#[test]
fn tls12_every_suite_client_certificate_and_ocsp_with_openssl() {
    use sanstls::suites::{AuthAlgorithm, ALL_TLS12_SUITES};
    let (ec, rsa) = (files("tls12-ec", "ec"), files("tls12-rsa", "rsa"));
    for suite in ALL_TLS12_SUITES {
        let f = match suite.auth {
            AuthAlgorithm::Ecdsa => &ec,
            AuthAlgorithm::Rsa => &rsa,
            // Not in ALL_TLS12_SUITES: tests/psk.rs runs them against OpenSSL.
            AuthAlgorithm::Psk => continue,
        };
        let mut c = config(f);
        c.dh_params = Some(sanstls::crypto::ffdhe::DhGroup::ffdhe2048());
        let (port, rx) = serve(c, 1, false);
        let out = s_client_version("-tls1_2", port, f, &["-cipher", suite.openssl_name]);
        let s = seen(&rx);
        assert_eq!(s.result, Ok(()), "{}: {out}", suite.openssl_name);
        assert!(
            out.contains(&format!("New, TLSv1.2, Cipher is {}", suite.openssl_name)),
            "{out}"
        );
        assert!(out.contains("Extended master secret: yes"), "{out}");
        assert!(out.contains("Secure Renegotiation IS supported"), "{out}");
        assert!(out.contains("sanstls"), "{out}");
        if suite.kx == sanstls::internal::msgs::kx::KeyExchangeAlgorithm::Dhe {
            assert!(out.contains("Server Temp Key: DH, 2048 bits"), "{out}");
        }
    }

    let client = files("tls12-client-auth", "rsa");
    let mut c = config(&ec);
    c.client_verifier = Some(Arc::new(
        sanstls_pki::tls::NodeClientVerifier::with_roots(vec![der(&client.cert)], true).unwrap(),
    ));
    c.certificates[0].ocsp_response = Some(vec![0x30, 0x03, 0x0a, 0x01, 0x06]);
    let (port, rx) = serve(c, 2, false);
    let out = s_client_version(
        "-tls1_2",
        port,
        &ec,
        &[
            "-status",
            "-cert",
            client.cert.to_str().unwrap(),
            "-key",
            client.key.to_str().unwrap(),
        ],
    );
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{out}");
    assert_eq!(s.client_certs, 1);
    assert!(
        out.contains("OCSP Response Status: unauthorized (0x6)"),
        "{out}"
    );
    // No certificate: refused.
    let out = s_client_version("-tls1_2", port, &ec, &[]);
    assert!(seen(&rx).result.is_err(), "{out}");
}

#[test]
fn gnutls_tls12_client() {
    let f = files("gnutls12", "ec");
    let (port, rx) = serve(config(&f), 1, false);
    let text = gnutls_cli(
        port,
        &f.cert,
        &["--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2"],
    );
    assert_eq!(seen(&rx).result, Ok(()), "{text}");
    assert!(text.contains("(TLS1.2-X.509)-(ECDHE-"), "{text}");
    assert!(text.contains("sanstls"), "{text}");

    // `--rehandshake`: GnuTLS renegotiates right after the handshake (RFC 5746 binding by
    // the extension), then sends the request under the new keys.
    let (port, rx) = serve(config(&f), 1, false);
    let text = gnutls_cli(
        port,
        &f.cert,
        &[
            "--rehandshake",
            "--priority",
            "NORMAL:-VERS-ALL:+VERS-TLS1.2",
        ],
    );
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{text}");
    assert!(text.contains("ReHandshake was completed"), "{text}");
    let completed = s
        .events
        .iter()
        .filter(|e| **e == Event::HandshakeComplete)
        .count();
    assert_eq!(completed, 2, "{:?}", s.events);
}

#[test]
fn tls12_client_initiated_renegotiation_with_openssl() {
    let f = files("tls12-reneg", "ec");
    // openssl's interactive `R` renegotiates; data flows after it.
    let (port, rx) = serve(config(&f), 1, false);
    let text = s_client_interactive("-tls1_2", port, &[b"R\n", b"GET / HTTP/1.0\r\n\r\n"]);
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{text}");
    assert!(text.contains("RENEGOTIATING"), "{text}");
    assert!(!text.contains("no renegotiation"), "{text}");
    assert!(text.contains("sanstls"), "{text}");
    let completed = s
        .events
        .iter()
        .filter(|e| **e == Event::HandshakeComplete)
        .count();
    assert_eq!(
        completed, 2,
        "the first handshake and the renegotiation: {:?}",
        s.events
    );

    // Node's CLIENT_RENEG_LIMIT: the fourth renegotiation in the window ends the connection.
    let (port, rx) = serve(config(&f), 1, false);
    let r: &[u8] = b"R\n";
    let text = s_client_interactive("-tls1_2", port, &[r, r, r, r]);
    let s = seen(&rx);
    assert_eq!(
        s.result,
        Err(Error::PeerMisbehaved(
            sanstls::error::PeerMisbehaved::TooManyRenegotiations
        )),
        "{text}"
    );
    assert_eq!(sanstls::Limits::default().max_client_renegotiations, 3);

    // disableRenegotiation(): declined with a no_renegotiation warning, which OpenSSL reports
    // (it then ends the connection: it does not go on after a refused renegotiation).
    let opts = Serve {
        no_reneg: true,
        ..Serve::default()
    };
    let (port, rx) = serve_with(config(&f), 1, opts);
    let text = s_client_interactive("-tls1_2", port, &[b"R\n"]);
    assert!(text.contains("no renegotiation"), "{text}");
    let s = seen(&rx);
    assert_eq!(
        s.result,
        Err(Error::AlertReceived(
            sanstls::enums::AlertDescription::HandshakeFailure
        )),
        "{text}"
    );
}

#[test]
fn tls12_resumption_with_tickets_and_session_ids() {
    let f = files("tls12-resume", "ec");
    let (port, rx) = serve(config(&f), 4, false);
    for (how, extra) in [("ticket", None), ("session id", Some("-no_ticket"))] {
        let sess = f.dir.path(&format!("{}.pem", how.replace(' ', "-")));
        let sess = sess.to_str().unwrap();
        let mut first = vec!["-sess_out", sess];
        first.extend(extra);
        let out = s_client_version("-tls1_2", port, &f, &first);
        let s = seen(&rx);
        assert_eq!(s.result, Ok(()), "{how}: {out}");
        assert!(!s.resumed);
        assert!(out.contains("New, TLSv1.2"), "{how}: {out}");
        let mut second = vec!["-sess_in", sess];
        second.extend(extra);
        let out = s_client_version("-tls1_2", port, &f, &second);
        let s = seen(&rx);
        assert_eq!(s.result, Ok(()), "{how}: {out}");
        assert!(s.resumed, "{how}: {out}");
        assert!(out.contains("Reused, TLSv1.2"), "{how}: {out}");
        assert!(out.contains("Extended master secret: yes"), "{how}: {out}");
    }
}

#[test]
fn openssl_tls12_gets_ecdsa_signatures_with_the_hash_it_lists() {
    // RFC 5246 s7.4.1.4.1: in TLS 1.2 an ECDSA scheme names the hash, not the curve; a
    // P-256 key signs with SHA-384 or SHA-512 when that is what the client lists.
    let f = files("ecdsa-hashes", "ec");
    for (sigalgs, digest) in [("ECDSA+SHA384", "SHA384"), ("ECDSA+SHA512", "SHA512")] {
        let (port, rx) = serve(config(&f), 1, false);
        let out = s_client_version("-tls1_2", port, &f, &["-sigalgs", sigalgs]);
        assert_eq!(seen(&rx).result, Ok(()), "{sigalgs}: {out}");
        assert!(
            out.contains(&format!("Peer signing digest: {digest}")),
            "{out}"
        );
        assert!(out.contains("Peer signature type: ECDSA"), "{out}");
    }
}

#[test]
fn openssl_fallback_scsv_gets_inappropriate_fallback() {
    // RFC 7507: a client that says it fell back to TLS 1.2 from a server that does TLS 1.3.
    let f = files("fallback", "ec");
    let (port, rx) = serve(config(&f), 1, false);
    let out = s_client_version("-tls1_2", port, &f, &["-fallback_scsv"]);
    assert_eq!(
        seen(&rx).result,
        Err(sanstls::error::PeerMisbehaved::InappropriateFallback.into())
    );
    assert!(out.contains("inappropriate fallback"), "{out}");
    // A TLS 1.2-only server: no fallback happened.
    let mut c = config(&f);
    c.max_version = sanstls::enums::ProtocolVersion::TLSv1_2;
    let (port, rx) = serve(c, 1, false);
    let out = s_client_version("-tls1_2", port, &f, &["-fallback_scsv"]);
    assert_eq!(seen(&rx).result, Ok(()), "{out}");
}

#[test]
fn openssl_resumption_reports_the_client_certificate_of_the_session() {
    // A resumed connection proves the client holds the session, made by a handshake in
    // which it proved its certificate: the server reports that certificate again. And a
    // session made under one server name does not resume under another.
    for version in ["-tls1_3", "-tls1_2"] {
        let f = files(&format!("resume-auth{version}"), "ec");
        let client = files(&format!("resume-auth-client{version}"), "rsa");
        let sess = f.dir.path("sess.pem");
        let mut c = config(&f);
        let verifier =
            sanstls_pki::tls::NodeClientVerifier::with_roots(vec![der(&client.cert)], false)
                .unwrap();
        c.client_verifier = Some(Arc::new(verifier));
        let (port, rx) = serve(c, 3, false);
        let out = s_client_version(
            version,
            port,
            &f,
            &[
                "-cert",
                client.cert.to_str().unwrap(),
                "-key",
                client.key.to_str().unwrap(),
                "-sess_out",
                sess.to_str().unwrap(),
            ],
        );
        let first = seen(&rx);
        assert_eq!((first.result, first.client_certs), (Ok(()), 1), "{out}");
        let out = s_client_version(version, port, &f, &["-sess_in", sess.to_str().unwrap()]);
        let again = seen(&rx);
        assert_eq!(again.result, Ok(()), "{out}");
        assert!(again.resumed, "{version}: {out}");
        assert_eq!(
            again.client_certs, 1,
            "{version}: the session's certificate"
        );
        // Another server name: a full handshake, whoever declines the session (OpenSSL's
        // client may not offer it; the hostile-peer suite checks our server's refusal).
        let mut child_args = vec!["-sess_in", sess.to_str().unwrap()];
        child_args.extend(["-servername", "other.localhost"]);
        let out = s_client_version(version, port, &f, &child_args);
        let other = seen(&rx);
        assert_eq!(other.result, Ok(()), "{out}");
        assert!(
            !other.resumed,
            "{version}: resumed under another name: {out}"
        );
        assert_eq!(other.client_certs, 0);
    }
}

/// The records of `types` in `records`: how many, and the largest payload.
fn measure(records: &[sanstls_test::net::RecordSeen], types: &[u8]) -> (usize, usize) {
    let mut of_type = records.iter().filter(|r| types.contains(&r.0));
    let count = of_type.clone().count();
    (count, of_type.by_ref().map(|r| r.1).max().unwrap_or(0))
}

/// RFC 8449 against GnuTLS 3.7, which implements it: `gnutls-cli --recordsize=N` announces
/// N bytes (N + 1 on the wire when it offers TLS 1.3; with N = 512, which has a code, it
/// sends max_fragment_length 2^9 as well, and RFC 8449 s5 has us use record_size_limit).
/// A 5000-byte answer reaches it whole, in records the relay measures at N bytes of
/// content at most (ciphertext: N, the inner type byte and the 16-byte tag in TLS 1.3; N,
/// the 8-byte explicit nonce and the tag in TLS 1.2 AES-GCM), so in many records.
#[test]
fn gnutls_cli_record_size_limit() {
    use sanstls_test::net::RecordRelay;
    let f = files("gnutls-rsl", "ec");
    for (priority, overhead) in [
        ("NORMAL:-VERS-ALL:+VERS-TLS1.3", 17),
        ("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM", 24),
    ] {
        for size in [512, 1000] {
            let opts = Serve {
                body: 5000,
                ..Serve::default()
            };
            let (port, rx) = serve_with(config(&f), 1, opts);
            let relay = RecordRelay::start(port);
            let text = gnutls_cli(
                relay.port,
                &f.cert,
                &[&format!("--recordsize={size}"), "--priority", priority],
            );
            assert_eq!(seen(&rx).result, Ok(()), "{priority} {size}: {text}");
            assert!(text.contains(&body(5000)), "{priority} {size}: {text}");
            let (count, largest) = measure(&relay.from_server(), &[23]);
            assert_eq!(
                largest,
                size + overhead,
                "{priority}: records cut at {size}"
            );
            assert!(count > 5000 / size, "{priority} {size}: {count} records");
        }
    }
}

/// RFC 6066 max_fragment_length against `openssl s_client -maxfraglen 512` (OpenSSL 3.0
/// has no record_size_limit): our server echoes it, and every record it sends from the
/// ServerHello on, handshake and plaintext ones included, carries at most 512 bytes,
/// measured by a relay; a 5000-byte answer arrives whole.
#[test]
fn openssl_maxfraglen_512() {
    use sanstls_test::net::RecordRelay;
    let f = files("maxfraglen", "ec");
    for (version, cipher, overhead) in [
        ("-tls1_3", "-ciphersuites=TLS_AES_128_GCM_SHA256", 17),
        ("-tls1_2", "-cipher=ECDHE-ECDSA-AES128-GCM-SHA256", 24),
    ] {
        let opts = Serve {
            body: 5000,
            ..Serve::default()
        };
        let (port, rx) = serve_with(config(&f), 1, opts);
        let relay = RecordRelay::start(port);
        let (flag, value) = cipher.split_once('=').unwrap();
        let out = s_client_version(
            version,
            relay.port,
            &f,
            &["-maxfraglen", "512", flag, value],
        );
        assert_eq!(seen(&rx).result, Ok(()), "{version}: {out}");
        assert!(out.contains(&body(5000)), "{version}: {out}");
        let records = relay.from_server();
        let (count, largest) = measure(&records, &[23]);
        assert_eq!(largest, 512 + overhead, "{version}: {records:?}");
        assert!(count >= 10, "{version}: {count} records");
        // TLS 1.2's handshake records are in the clear: 512 bytes at most, the Certificate's
        // included; TLS 1.3's all but the ServerHello are protected (type 23).
        let (_, handshake) = measure(&records, &[22]);
        assert!(handshake <= 512, "{version}: {records:?}");
    }
}

/// TLS 1.3 0-RTT from `openssl s_client -early_data`: a ticket we issue with 0-RTT on is
/// resumed with early data, which we accept and deliver apart (`Event::EarlyData`); the same
/// ticket again (a second use, as a replay would be) has its early data refused, and the
/// handshake goes on in 1-RTT, skipping it.
#[test]
fn openssl_early_data_accepted_then_refused_on_reuse() {
    let f = files("early", "ec");
    let sess = f.dir.path("sess.pem");
    let early = f.dir.path("early.txt");
    std::fs::write(&early, b"EARLY DATA\n").unwrap();
    let mut c = config(&f);
    c.enable_early_data(16384, now());
    let (port, rx) = serve(c, 3, false);
    let out = s_client(port, &f, &["-sess_out", sess.to_str().unwrap()]);
    assert!(out.contains("Max Early Data: 16384"), "{out}");
    assert_eq!(seen(&rx).result, Ok(()), "{out}");
    let with_early = [
        "-sess_in",
        sess.to_str().unwrap(),
        "-early_data",
        early.to_str().unwrap(),
    ];
    let early_data = |s: &Seen| sanstls_test::events::early_data(&s.events);
    let out = s_client(port, &f, &with_early);
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{out}");
    assert!(s.resumed);
    assert_eq!(early_data(&s), b"EARLY DATA\n");
    assert!(out.contains("Early data was accepted"), "{out}");
    assert!(out.contains("resumed=true"), "{out}");
    let out = s_client(port, &f, &with_early);
    let s = seen(&rx);
    assert_eq!(s.result, Ok(()), "{out}");
    assert!(s.resumed, "the ticket still resumes, in 1-RTT");
    assert!(early_data(&s).is_empty());
    assert!(out.contains("Early data was rejected"), "{out}");
}
