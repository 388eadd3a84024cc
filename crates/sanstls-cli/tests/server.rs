//! `sanstls server` (default self-signed certificate) against `openssl s_client`, Python's
//! `ssl`, Node's `tls.connect`, and our own client.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use common::{client_json, require, run, sanstls, sanstls_server, text, TempDir};

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// `openssl s_client -tls1_3 -connect ADDR ARGS` sending an HTTP request; returns stdout.
fn s_client(addr: &str, args: &[&str]) -> String {
    s_client_version("-tls1_3", addr, args)
}

/// `openssl s_client <version> -connect ADDR ARGS` sending an HTTP request.
fn s_client_version(version: &str, addr: &str, args: &[&str]) -> String {
    let out = sanstls_test::peers::s_client(addr, &[&[version, "-ign_eof"], args].concat(), GET);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "s_client failed\nstdout: {stdout}\nstderr: {}",
        text(&out.stderr)
    );
    stdout
}

#[test]
fn openssl_client_gets_the_www_page() {
    let server = sanstls_server(&["--alpn", "h2,http/1.1"]);
    let out = s_client(
        &server.addr(),
        &["-servername", "example.com", "-alpn", "http/1.1,h2"],
    );
    assert!(out.contains("HTTP/1.0 200 OK"), "{out}");
    assert!(out.contains("Protocol: TLSv1.3"), "{out}");
    assert!(out.contains("Cipher: TLS_AES_256_GCM_SHA384"), "{out}");
    // The server picks by its own preference.
    assert!(out.contains("ALPN: h2"), "{out}");
    assert!(out.contains("SNI: example.com"), "{out}");
    assert!(out.contains("Resumed: no"), "{out}");
    assert!(out.contains("Authorized: false"), "{out}");
    assert!(
        out.contains("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"),
        "{out}"
    );
    let log = server.wait_for("TLSv1.3");
    assert!(log.contains("SHA256 Fingerprint="), "{log}");
    assert!(
        log.contains("TLSv1.3 TLS_AES_256_GCM_SHA384 alpn=h2 sni=example.com resumed=no"),
        "{log}"
    );
}

#[test]
fn openssl_client_suite_choice_and_no_alpn_no_sni() {
    let server = sanstls_server(&[]);
    let out = s_client(
        &server.addr(),
        &["-ciphersuites", "TLS_AES_128_GCM_SHA256", "-noservername"],
    );
    assert!(out.contains("Cipher: TLS_AES_128_GCM_SHA256"), "{out}");
    assert!(out.contains("ALPN: false"), "{out}");
    assert!(out.contains("SNI: false"), "{out}");
}

#[test]
fn openssl_client_hello_retry_for_p384() {
    // s_client sends one share, for its first group; we prefer X25519 but take P-384 too.
    let server = sanstls_server(&["--ciphers", "TLS_CHACHA20_POLY1305_SHA256"]);
    let out = s_client(&server.addr(), &["-groups", "X448:P-384"]);
    assert!(
        out.contains("Cipher: TLS_CHACHA20_POLY1305_SHA256"),
        "{out}"
    );
    assert!(out.contains("Protocol: TLSv1.3"), "{out}");
}

#[test]
fn openssl_client_resumes_with_sess_out_sess_in() {
    let dir = TempDir::new("cli");
    let sess = dir.arg("openssl.sess");
    let server = sanstls_server(&[]);
    let first = s_client(&server.addr(), &["-sess_out", &sess]);
    assert!(first.contains("Resumed: no"), "{first}");
    assert!(common::exists(&dir.path("openssl.sess")), "{first}");
    let second = s_client(&server.addr(), &["-sess_in", &sess]);
    assert!(second.contains("Reused, TLSv1.3"), "{second}");
    assert!(second.contains("Resumed: yes"), "{second}");
    server.wait_for("resumed=yes");
}

#[test]
fn openssl_client_key_log_lines() {
    let dir = TempDir::new("cli");
    let keylog = dir.arg("keys.log");
    let server = sanstls_server(&["--keylog", &keylog]);
    let out = s_client(&server.addr(), &[]);
    assert!(out.contains("Protocol: TLSv1.3"), "{out}");
    server.wait_for("TLSv1.3");
    let log = std::fs::read_to_string(dir.path("keys.log")).unwrap_or_default();
    for label in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
    ] {
        assert!(log.contains(label), "{label} missing from {log}");
    }
    // The file holds every session's secrets: only its owner may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path("keys.log"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[test]
fn python_client_echo_mode() {
    require("python3");
    let server = sanstls_server(&["--echo"]);
    let script = format!(
        "import socket, ssl\n\
         ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE\n\
         s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', {})), server_hostname='localhost')\n\
         s.sendall(b'hello echo')\n\
         data = b''\n\
         while len(data) < 10:\n    \
             chunk = s.recv(100)\n    \
             if not chunk: break\n    \
             data += chunk\n\
         print(data.decode())\n\
         s.unwrap()\n",
        server.port
    );
    let out = run(Command::new("python3").args(["-c", &script]), b"");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert_eq!(stdout.trim(), "hello echo");
    server.wait_for("TLSv1.3");
}

#[test]
fn dump_hello_prints_the_offer() {
    let server = sanstls_server(&["--dump-hello"]);
    let out = s_client(
        &server.addr(),
        &["-servername", "dump.example", "-alpn", "h2,http/1.1"],
    );
    assert!(out.contains("Protocol: TLSv1.3"), "{out}");
    let log = server.wait_for("alpn: h2, http/1.1");
    assert!(log.contains("server_name: dump.example"), "{log}");
    assert!(log.contains("TLS13_AES_256_GCM_SHA384"), "{log}");
}

#[test]
fn python_ssl_with_cafile_and_without_verification() {
    require("python3");
    let dir = TempDir::new("cli");
    let cert = dir.arg("server.pem");
    let server = sanstls_server(&["--save-cert", &cert]);
    let port = server.port;
    for (name, setup) in [
        (
            "cafile",
            format!("ctx = ssl.create_default_context(cafile={cert:?})"),
        ),
        (
            "CERT_NONE",
            "ctx = ssl.create_default_context(); ctx.check_hostname = False; \
             ctx.verify_mode = ssl.CERT_NONE"
                .to_string(),
        ),
    ] {
        let script = format!(
            "import socket, ssl\n{setup}\n\
             s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', {port})), server_hostname='localhost')\n\
             print('version', s.version())\n\
             s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n\
             data = b''\n\
             while True:\n    \
                 chunk = s.recv(4096)\n    \
                 if not chunk: break\n    \
                 data += chunk\n\
             print(data.decode())\n"
        );
        let out = run(Command::new("python3").args(["-c", &script]), b"");
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: {stdout}\n{}",
            text(&out.stderr)
        );
        assert!(stdout.contains("version TLSv1.3"), "{name}: {stdout}");
        assert!(stdout.contains("SNI: localhost"), "{name}: {stdout}");
        assert!(stdout.contains("Protocol: TLSv1.3"), "{name}: {stdout}");
    }
}

#[test]
fn node_tls_connect() {
    require("node");
    let server = sanstls_server(&["--alpn", "http/1.1"]);
    let script = format!(
        "const s = require('tls').connect({{port: {}, host: '127.0.0.1', servername: 'node.example', \
         rejectUnauthorized: false, ALPNProtocols: ['http/1.1']}}, () => {{\
           console.log('protocol ' + s.getProtocol());\
           console.log('alpn ' + s.alpnProtocol);\
           s.write('GET / HTTP/1.0\\r\\n\\r\\n');\
         }});\
         let data = '';\
         s.on('data', d => data += d);\
         s.on('end', () => {{ console.log(data); }});\
         s.on('error', e => {{ console.log('ERR ' + e.code + ' ' + e.message); process.exit(1); }});",
        server.port
    );
    let out = run(Command::new("node").args(["-e", &script]), b"");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("protocol TLSv1.3"), "{stdout}");
    assert!(stdout.contains("alpn http/1.1"), "{stdout}");
    assert!(stdout.contains("SNI: node.example"), "{stdout}");
    assert!(stdout.contains("ALPN: http/1.1"), "{stdout}");
}

#[test]
fn our_client_against_our_server() {
    let dir = TempDir::new("cli");
    let cert = dir.arg("server.pem");
    let server = sanstls_server(&["--save-cert", &cert, "--alpn", "h2"]);
    let sess = dir.arg("sess.json");
    for (resume, expect) in [(false, "Resumed: no"), (true, "Resumed: yes")] {
        let sess_arg = match resume {
            false => "--sess-out",
            true => "--sess-in",
        };
        let (ok, j) = client_json(
            &server.addr(),
            &[
                "--ca",
                &cert,
                "--servername",
                "localhost",
                "--alpn",
                "h2",
                sess_arg,
                &sess,
            ],
        );
        assert!(ok, "{j:#}");
        assert_eq!(j["authorized"], true, "{j:#}");
        assert_eq!(j["alpnProtocol"], "h2", "{j:#}");
        assert_eq!(j["reused"], resume, "{j:#}");
        assert!(
            j["response"].as_str().unwrap_or_default().contains(expect),
            "{j:#}"
        );
    }
}

#[test]
fn a_resumed_session_reports_the_authorization_of_the_session() {
    // The reproduction of issue 15: a session saved by an --insecure client that could not
    // verify the self-signed default certificate must not come back "authorized".
    let dir = TempDir::new("cli");
    let server = sanstls_server(&[]);
    for version in ["TLSv1.3", "TLSv1.2"] {
        let sess = dir.arg(&format!("sess-{version}.json"));
        let client = |extra: &[&str]| {
            let mut cmd = sanstls();
            cmd.args(["client", &server.addr(), "--json", "--timeout", "5"])
                .args(["--max-version", version])
                .args(extra);
            let out = run(&mut cmd, b"");
            let j: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
            (out.status.success(), j)
        };
        let (ok, first) = client(&["--insecure", "--sess-out", &sess]);
        assert!(ok, "{first:#}");
        assert_eq!(first["authorized"], false, "{first:#}");
        assert_eq!(first["authorizationError"], "DEPTH_ZERO_SELF_SIGNED_CERT");
        let (ok, again) = client(&["--insecure", "--sess-in", &sess]);
        assert!(ok, "{again:#}");
        assert_eq!(again["reused"], true, "{version}: {again:#}");
        assert_eq!(again["authorized"], false, "{version}: {again:#}");
        assert_eq!(again["authorizationError"], "DEPTH_ZERO_SELF_SIGNED_CERT");
        assert_eq!(
            again["peerCertificate"]["fingerprint256"], first["peerCertificate"]["fingerprint256"],
            "getPeerCertificate() gives the session's certificate"
        );
        // Without --insecure the session is not offered: the full handshake refuses.
        let (ok, strict) = client(&["--sess-in", &sess]);
        assert!(!ok, "{strict:#}");
        assert_eq!(strict["reused"], false, "{strict:#}");
        assert_eq!(strict["authorizationError"], "DEPTH_ZERO_SELF_SIGNED_CERT");
    }
}

#[test]
fn max_connections_turns_the_next_connection_away() {
    let server = sanstls_server(&["--max-connections", "1"]);
    // A silent client holds the only slot (its handshake waits for bytes)...
    let _silent = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    std::thread::sleep(std::time::Duration::from_millis(200));
    // ...so the next connection is closed at once, without a byte.
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0);
    server.wait_for("--max-connections 1 reached");
}

#[test]
fn garbage_is_logged_and_the_server_keeps_serving() {
    let server = sanstls_server(&[]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    // An HTTP request is not a TLS record.
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").expect("write");
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    // A fatal alert record: type 21, level fatal.
    assert_eq!(reply.first(), Some(&21), "reply: {reply:?}");
    server.wait_for("error:");
    let out = s_client(&server.addr(), &[]);
    assert!(out.contains("Protocol: TLSv1.3"), "{out}");
}

#[test]
fn tls12_only_server_with_openssl_client() {
    let server = sanstls_server(&["--max-version", "TLSv1.2"]);
    let out = s_client_version("-tls1_2", &server.addr(), &[]);
    assert!(out.contains("Protocol: TLSv1.2"), "{out}");
    assert!(
        out.contains("Cipher: ECDHE-ECDSA-AES256-GCM-SHA384"),
        "{out}"
    );
    assert!(
        out.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384"),
        "{out}"
    );
    assert!(out.contains("Extended master secret: yes"), "{out}");
    // A TLS 1.3-only client finds no common version.
    let out = run(
        Command::new("openssl").args(["s_client", "-tls1_3", "-connect", &server.addr()]),
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("protocol version"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn dhparam_enables_dhe_for_openssl() {
    let dir = TempDir::new("cli");
    let dh = sanstls_test::openssl::ffdhe2048_params(&dir);
    let dh = dh.to_string_lossy();
    let (cert, key) = common::openssl_rsa_cert(&dir, "server");
    let server = sanstls_server(&["--cert", &cert, "--key", &key, "--dhparam", &dh]);
    let out = s_client_version(
        "-tls1_2",
        &server.addr(),
        &["-cipher", "DHE-RSA-AES256-GCM-SHA384"],
    );
    assert!(out.contains("Cipher: DHE-RSA-AES256-GCM-SHA384"), "{out}");
    assert!(out.contains("Server Temp Key: DH, 2048 bits"), "{out}");
    // A file without DH parameters is refused clearly.
    let out = run(
        sanstls().args(["server", "--port", "0", "--dhparam", &cert]),
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no DH PARAMETERS block"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn two_servers_sharing_ticket_keys_resume_each_others_sessions() {
    let dir = TempDir::new("cli");
    let keys = dir.arg("ticket.keys");
    std::fs::write(&keys, [0x5au8; 48]).unwrap();
    let (cert, key) = common::openssl_cert(&dir, "shared");
    let args = ["--cert", &cert, "--key", &key, "--ticket-keys", &keys];
    let (a, b) = (sanstls_server(&args), sanstls_server(&args));
    for (version, name) in [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")] {
        let sess = dir.arg(&format!("sess{version}.pem"));
        let out = s_client_version(version, &a.addr(), &["-sess_out", &sess]);
        assert!(out.contains(&format!("New, {name}")), "{out}");
        let out = s_client_version(version, &b.addr(), &["-sess_in", &sess]);
        assert!(out.contains(&format!("Reused, {name}")), "{name}: {out}");
        assert!(out.contains("Resumed: yes"), "{out}");
    }
    // A wrong-size key file is refused clearly.
    std::fs::write(&keys, [1u8; 47]).unwrap();
    let out = run(
        sanstls().args(["server", "--port", "0", "--ticket-keys", &keys]),
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("exactly 48 bytes"),
        "{}",
        text(&out.stderr)
    );
}

/// `--ticket-keys` is read again while the servers run: after the file gets a new key,
/// sessions made before still resume (on either server sharing the file), new tickets are
/// sealed with the new key and resume too, and a half-written file changes nothing.
#[test]
fn ticket_key_file_rotation_loses_no_session() {
    let dir = TempDir::new("cli");
    let keys = dir.arg("ticket.keys");
    std::fs::write(&keys, [0x11u8; 48]).unwrap();
    let (cert, key) = common::openssl_cert(&dir, "rotate");
    let args = [
        "--cert",
        &cert,
        "--key",
        &key,
        "--ticket-keys",
        &keys,
        "--ticket-keys-check",
        "1",
    ];
    let (a, b) = (sanstls_server(&args), sanstls_server(&args));
    let versions = [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")];
    for (version, name) in versions {
        let sess = dir.arg(&format!("old{version}.pem"));
        let out = s_client_version(version, &a.addr(), &["-sess_out", &sess]);
        assert!(out.contains(&format!("New, {name}")), "{out}");
        assert!(out.contains("0000 - 11 11 11 11"), "old key name: {out}");
    }
    // Rotate: a new key, written in place.
    std::fs::write(&keys, [0x22u8; 48]).unwrap();
    for server in [&a, &b] {
        let log = server.wait_for("ticket keys reloaded");
        assert!(
            log.contains(&format!("key {} seals", "22".repeat(16))),
            "{log}"
        );
    }
    for (version, name) in versions {
        // Sessions from before the rotation resume, on both servers.
        let old = dir.arg(&format!("old{version}.pem"));
        for server in [&a, &b] {
            let out = s_client_version(version, &server.addr(), &["-sess_in", &old]);
            assert!(out.contains(&format!("Reused, {name}")), "{name}: {out}");
        }
        // A session made now is sealed with the new key, and resumes on the other server.
        let new = dir.arg(&format!("new{version}.pem"));
        let out = s_client_version(version, &b.addr(), &["-sess_out", &new]);
        assert!(out.contains(&format!("New, {name}")), "{out}");
        assert!(out.contains("0000 - 22 22 22 22"), "new key name: {out}");
        let out = s_client_version(version, &a.addr(), &["-sess_in", &new]);
        assert!(out.contains(&format!("Reused, {name}")), "{name}: {out}");
    }
    // A half-written file keeps the current keys: logged, and serving goes on.
    std::fs::write(&keys, [0x33u8; 20]).unwrap();
    let log = a.wait_for("keeping the current ticket keys");
    assert!(log.contains("exactly 48 bytes (found 20)"), "{log}");
    for (version, name) in versions {
        let new = dir.arg(&format!("new{version}.pem"));
        let out = s_client_version(version, &a.addr(), &["-sess_in", &new]);
        assert!(out.contains(&format!("Reused, {name}")), "{name}: {out}");
        let out = s_client_version(version, &a.addr(), &[]);
        assert!(
            out.contains("0000 - 22 22 22 22"),
            "still the new key: {out}"
        );
    }
}

/// `--workers 4`: four listeners on one port (SO_REUSEPORT) sharing one configuration. 20
/// clients at once all connect and resume a session made earlier, whichever worker takes
/// them (tickets for TLS 1.3 and 1.2, then TLS 1.2 session ids from the shared cache).
#[test]
fn workers_share_the_port_and_resume_each_others_sessions() {
    let dir = TempDir::new("cli");
    let server = sanstls_server(&["--workers", "4"]);
    server.wait_for("4 workers sharing the port");
    let versions = [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")];
    for (version, name) in versions {
        let sess = dir.arg(&format!("sess{version}.pem"));
        let out = s_client_version(version, &server.addr(), &["-sess_out", &sess]);
        assert!(out.contains(&format!("New, {name}")), "{out}");
    }
    let resumed_by_20_clients = |server: &common::Background, versions: &[(&str, &str)]| {
        std::thread::scope(|scope| {
            let clients: Vec<_> = (0..20)
                .map(|i| {
                    let (version, name) = versions[i % versions.len()];
                    let sess = dir.arg(&format!("sess{version}.pem"));
                    let addr = server.addr();
                    scope.spawn(move || {
                        let out = s_client_version(version, &addr, &["-sess_in", &sess]);
                        assert!(out.contains(&format!("Reused, {name}")), "{name}: {out}");
                    })
                })
                .collect();
            for c in clients {
                c.join().expect("a client failed");
            }
        });
        server.wait_for_count("resumed=yes", 20)
    };
    let log = resumed_by_20_clients(&server, &versions);
    // The connections were spread over the workers (the kernel hashes each connection's
    // addresses and ports to a listener), and resumed on whichever took them.
    let workers: std::collections::BTreeSet<_> = log
        .lines()
        .filter(|l| l.contains("resumed=yes"))
        .filter_map(|l| l.rsplit_once(" worker=").map(|(_, w)| w.to_string()))
        .collect();
    assert!(workers.len() > 1, "one worker took everything:\n{log}");

    // TLS 1.2 session ids: the workers share the session cache.
    let server = sanstls_server(&["--workers", "4", "--no-tickets"]);
    // (Into the file the clients above read.)
    let sess = dir.arg("sess-tls1_2.pem");
    let out = s_client_version("-tls1_2", &server.addr(), &["-sess_out", &sess]);
    assert!(out.contains("New, TLSv1.2"), "{out}");
    assert!(!out.contains("TLS session ticket:"), "{out}");
    resumed_by_20_clients(&server, &[("-tls1_2", "TLSv1.2")]);
}

/// `--session-store redis://`: two servers without tickets resume each other's TLS 1.2
/// sessions by session id through a real `redis-server`; with Redis stopped, handshakes go
/// on (full ones where the other server's session is needed), and the outage is logged.
#[test]
fn redis_session_store_shares_tls12_sessions_and_survives_an_outage() {
    let dir = TempDir::new("cli");
    let redis = sanstls_test::background::redis_server();
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let (cert, key) = common::openssl_cert(&dir, "store");
    let args = [
        "--cert",
        &cert,
        "--key",
        &key,
        "--no-tickets",
        "--session-store",
        &url,
    ];
    let (a, b) = (sanstls_server(&args), sanstls_server(&args));
    let sess = dir.arg("sess.pem");
    let out = s_client_version("-tls1_2", &a.addr(), &["-sess_out", &sess]);
    assert!(out.contains("New, TLSv1.2"), "{out}");
    assert!(!out.contains("TLS session ticket:"), "{out}");
    let out = s_client_version("-tls1_2", &b.addr(), &["-sess_in", &sess]);
    assert!(out.contains("Reused, TLSv1.2"), "{out}");
    b.wait_for("resumed=yes");

    // Redis stops: a new session on a is not shared, so b does a full handshake.
    drop(redis);
    let sess = dir.arg("sess2.pem");
    let out = s_client_version("-tls1_2", &a.addr(), &["-sess_out", &sess]);
    assert!(out.contains("New, TLSv1.2"), "{out}");
    a.wait_for(&format!("session store {url} unavailable"));
    let out = s_client_version("-tls1_2", &b.addr(), &["-sess_in", &sess]);
    assert!(out.contains("New, TLSv1.2"), "{out}");
    assert!(out.contains("Protocol: TLSv1.2"), "{out}");
    b.wait_for(&format!("session store {url} unavailable"));
    // a still resumes it from its own cache.
    let out = s_client_version("-tls1_2", &a.addr(), &["-sess_in", &sess]);
    assert!(out.contains("Reused, TLSv1.2"), "{out}");
}

#[test]
fn no_tickets_resumes_tls12_by_session_id() {
    let dir = TempDir::new("cli");
    let server = sanstls_server(&["--no-tickets"]);
    let sess = dir.arg("sess.pem");
    let out = s_client_version("-tls1_2", &server.addr(), &["-sess_out", &sess]);
    assert!(out.contains("New, TLSv1.2"), "{out}");
    assert!(
        !out.contains("TLS session ticket:"),
        "no ticket expected: {out}"
    );
    let out = s_client_version("-tls1_2", &server.addr(), &["-sess_in", &sess]);
    assert!(out.contains("Reused, TLSv1.2"), "{out}");
}

#[test]
fn node_resumes_with_the_session_event() {
    require("node");
    let server = sanstls_server(&[]);
    let script = format!(
        "const tls = require('tls');\
         function go(session, n) {{\
           const s = tls.connect({{port: {}, host: '127.0.0.1', servername: 'localhost', \
             rejectUnauthorized: false, session}}, () => {{\
             console.log('conn' + n + ' reused ' + s.isSessionReused());\
             s.write('GET / HTTP/1.0\\r\\n\\r\\n');\
           }});\
           let saved = null, data = '';\
           s.on('session', sess => {{ saved = sess; }});\
           s.on('data', d => data += d);\
           s.on('end', () => {{ console.log(data); if (n === 1) go(saved, 2); }});\
           s.on('error', e => {{ console.log('ERR ' + e.message); process.exit(1); }});\
         }}\
         go(undefined, 1);",
        server.port
    );
    let out = run(Command::new("node").args(["-e", &script]), b"");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("conn1 reused false"), "{stdout}");
    assert!(stdout.contains("conn2 reused true"), "{stdout}");
    assert!(stdout.contains("Resumed: yes"), "{stdout}");
    server.wait_for("resumed=yes");
}

/// `sanstls server --early-data` with `sanstls client --early-data`: the request goes as
/// 0-RTT data on the resumed session and is answered; the same session again has its early
/// data refused (the ticket was used), the client says so and sends its request after the
/// handshake.
#[test]
fn our_client_and_server_with_early_data() {
    let dir = TempDir::new("cli");
    let cert = dir.arg("server.pem");
    let server = sanstls_server(&["--save-cert", &cert, "--early-data", "16384"]);
    let sess = dir.arg("sess.json");
    let client = |args: &[&str]| {
        let common = ["--ca", &cert, "--servername", "localhost"];
        let (ok, j) = client_json(&server.addr(), &[&common[..], args].concat());
        assert!(ok, "{j:#}");
        j
    };
    let j = client(&["--sess-out", &sess]);
    assert!(j.get("earlyData").is_none(), "{j:#}");
    let early = [
        "--sess-in",
        &sess,
        "--early-data",
        "GET / HTTP/1.0\\r\\n\\r\\n",
    ];
    let j = client(&[&early[..], &["--send", ""]].concat());
    assert_eq!(j["earlyData"], "accepted", "{j:#}");
    assert_eq!(j["reused"], true, "{j:#}");
    let page = j["response"].as_str().unwrap_or_default();
    assert!(page.contains("EarlyData: accepted"), "{j:#}");
    server.wait_for("early_data=18");
    let j = client(&early);
    assert_eq!(j["earlyData"], "rejected", "{j:#}");
    assert_eq!(j["reused"], true, "{j:#}");
    let page = j["response"].as_str().unwrap_or_default();
    assert!(page.contains("Resumed: yes"), "{j:#}");
    assert!(!page.contains("EarlyData"), "{j:#}");
}

/// `openssl s_client -early_data` against `sanstls server --early-data`.
#[test]
fn openssl_client_early_data() {
    let dir = TempDir::new("cli");
    let sess = dir.arg("openssl.sess");
    let early = dir.path("early.txt");
    std::fs::write(&early, GET).unwrap();
    let early = early.to_string_lossy().into_owned();
    let server = sanstls_server(&["--early-data", "1024"]);
    let first = s_client(&server.addr(), &["-sess_out", &sess]);
    assert!(first.contains("Resumed: no"), "{first}");
    let second = s_client(&server.addr(), &["-sess_in", &sess, "-early_data", &early]);
    assert!(second.contains("EarlyData: accepted"), "{second}");
    server.wait_for("early_data=18");
}
