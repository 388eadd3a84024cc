//! Node's newer `tls` and `crypto` additions against Node itself: `X509Certificate` from
//! sockets, the CA lists (`getCACertificates`, `setDefaultCACertificates`,
//! `NODE_EXTRA_CA_CERTS`, the system store), `allowPartialTrustChain` and `enableTrace`.
//! Each test names the Node test file it follows.
//!
//! The CA lists are process-wide and `NODE_EXTRA_CA_CERTS` is read once per process, so
//! the tests that set them run in a child process: this test binary run again on that one
//! test, with the environment the case needs (`in_child`).

// Tests spawn processes and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use sanstls_node::trace::Tracer;
use sanstls_node::trust::{get_ca_certificates, set_default_ca_certificates, CaType};
use sanstls_node::{
    connect, create_secure_context, create_server, ConnectOptions, SecureContextOptions,
    ServerOptions, X509Certificate,
};
use sanstls_pki::keys::KeyInput;
use sanstls_test::peers::{first_line, node, require};
use serde_json::Value;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/");

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CERTS}{name}")).unwrap()
}

fn path(name: &str) -> String {
    format!("{CERTS}{name}")
}

/// A Node server for `key` and `cert` (extra options as a JS literal) that answers "ok";
/// prints its port.
fn node_server(key: &str, cert: &str, extra: &str) -> (std::process::Child, u16) {
    require("node");
    let script = format!(
        "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
         const srv = tls.createServer({{key: fs.readFileSync(a[1]), cert: fs.readFileSync(a[2]) {extra}}}, \
           s => {{ s.on('error', () => {{}}); s.end('ok'); }});\
         srv.on('tlsClientError', () => {{}});\
         srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));"
    );
    let mut child = node(&script, &[&path(key), &path(cert)]);
    let port = first_line(&mut child).parse().unwrap();
    (child, port)
}

fn options(port: u16, ca: Option<&[&str]>) -> ConnectOptions {
    ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        context: SecureContextOptions {
            ca: ca.map(|names| names.iter().map(|n| file(n)).collect()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Runs Node's client against `port` and prints what `getPeerX509Certificate()` shows.
fn node_peer_x509(port: u16) -> Value {
    let script = "const tls = require('tls'); const a = process.argv;\
        const s = tls.connect({port: +a[1], host: '127.0.0.1', rejectUnauthorized: false}, () => {\
          const chain = []; let x = s.getPeerX509Certificate();\
          const seen = new Set();\
          while (x && !seen.has(x.fingerprint256)) { seen.add(x.fingerprint256);\
            chain.push({subject: x.subject, issuer: x.issuer, fingerprint256: x.fingerprint256,\
              serialNumber: x.serialNumber, ca: x.ca, subjectAltName: x.subjectAltName || null,\
              keyUsage: x.keyUsage || null});\
            x = x.issuerCertificate; }\
          console.log(JSON.stringify({chain, ours: s.getX509Certificate() === undefined})); s.resume();\
          s.end(); });";
    let mut child = node(script, &[&port.to_string()]);
    let line = first_line(&mut child);
    let _ = child.wait();
    serde_json::from_str(&line).unwrap()
}

fn x509_json(x: &X509Certificate) -> Value {
    serde_json::json!({
        "subject": x.subject(), "issuer": x.issuer(), "fingerprint256": x.fingerprint256(),
        "serialNumber": x.serial_number(), "ca": x.ca(), "subjectAltName": x.subject_alt_name(),
        "keyUsage": x.key_usage(),
    })
}

/// Follows test-tls-peer-certificate.js (and the `getPeerX509Certificate` part of
/// test-crypto-x509.js): the peer's X509Certificate and its `issuerCertificate` chain are
/// Node's, and a client without a certificate has no `getX509Certificate()`.
#[test]
fn peer_x509_certificate_and_its_issuers_match_node() {
    let (mut server, port) = node_server("rsa.key", "rsa-chain.pem", "");
    let theirs = node_peer_x509(port);
    let socket = connect(&options(port, Some(&["root.pem"]))).unwrap();
    let mut chain = Vec::new();
    let mut x = socket.get_peer_x509_certificate();
    while let Some(c) = x {
        chain.push(x509_json(&c));
        x = c.issuer_certificate().cloned();
    }
    assert_eq!(Value::Array(chain), theirs["chain"]);
    assert_eq!(theirs["chain"].as_array().unwrap().len(), 3);
    assert!(socket.get_x509_certificate().is_none());
    assert_eq!(theirs["ours"], true);
    let _ = server.kill();
}

/// Follows test-tls-get-certificate-x509.js: a server's `getX509Certificate()` is the
/// certificate the client sees as the peer's.
#[test]
fn server_x509_certificate_is_what_the_node_client_sees() {
    require("node");
    let seen = Arc::new(Mutex::new(None));
    let keep = seen.clone();
    let mut server = create_server(
        ServerOptions {
            context: SecureContextOptions {
                key: vec![KeyInput::new(file("ec256.key"))],
                cert: vec![file("ec256-chain.pem")],
                ..Default::default()
            },
            ..Default::default()
        },
        move |mut socket| {
            *keep.lock().unwrap() = socket
                .get_x509_certificate()
                .map(|x| x.fingerprint256().to_string());
            let _ = socket.write_all(b"ok");
            let _ = socket.end();
        },
    )
    .unwrap();
    server.listen(0, "127.0.0.1").unwrap();
    let port = server.address().unwrap().port();
    let theirs = node_peer_x509(port);
    // Node's client is secure before our server has read its Finished: wait for the
    // listener.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while seen.lock().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let ours = seen.lock().unwrap().clone();
    assert_eq!(
        ours.as_deref(),
        theirs["chain"][0]["fingerprint256"].as_str()
    );
    server.close();
}

/// Follows test-x509-escaping.js: names and alternative names with characters that need
/// escaping print exactly as Node prints them (RFC 2253 escapes in `subject`, JSON-quoted
/// SAN entries, multi-valued RDNs, non-ASCII text).
#[test]
fn escaped_names_print_as_node_prints_them() {
    require("node");
    let script = "const { X509Certificate } = require('crypto'); const fs = require('fs');\
        console.log(JSON.stringify(process.argv.slice(1).map((f) => {\
          const x = new X509Certificate(fs.readFileSync(f));\
          return [x.subject, x.issuer, x.subjectAltName || null, x.infoAccess || null]; })));";
    let names = ["odd.pem", "rsa.pem", "ec256.pem"];
    let paths: Vec<String> = names.iter().map(|n| path(n)).collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut child = node(script, &args);
    let theirs: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
    let ours: Vec<Value> = names
        .iter()
        .map(|n| {
            let x = X509Certificate::new(&file(n)).unwrap();
            serde_json::json!([
                x.subject(),
                x.issuer(),
                x.subject_alt_name(),
                x.info_access()
            ])
        })
        .collect();
    assert_eq!(Value::Array(ours), theirs);
    // The cases the Node test is about are in these certificates.
    let odd = X509Certificate::new(&file("odd.pem")).unwrap();
    assert!(odd.subject().contains("O=A\\, Inc.\\\"q\\\""));
    assert!(odd
        .subject_alt_name()
        .unwrap()
        .starts_with("DNS:\"a\\u002cb.example.test\""));
}

/// Follows test-tls-client-allow-partial-trust-chain.js: with only the intermediate in
/// `ca`, the connection fails with UNABLE_TO_GET_ISSUER_CERT (as Node 20's client reports
/// for the same server), and succeeds with `allowPartialTrustChain`.
#[test]
fn allow_partial_trust_chain_trusts_an_intermediate() {
    // The server sends its leaf and the intermediate, not the root.
    let dir = sanstls_test::TempDir::new("partial-chain");
    let chain = dir.path("leaf+inter.pem");
    let mut pem = file("rsa.pem");
    pem.extend(file("inter.pem"));
    std::fs::write(&chain, pem).unwrap();
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const srv = tls.createServer({key: fs.readFileSync(a[1]), cert: fs.readFileSync(a[2])}, s => s.end('ok'));\
        srv.on('tlsClientError', () => {});\
        srv.listen(0, '127.0.0.1', () => {\
          console.log(srv.address().port);\
          const c = tls.connect({port: srv.address().port, host: '127.0.0.1', ca: fs.readFileSync(a[3])});\
          c.on('error', (e) => console.log(e.code)); c.on('secureConnect', () => console.log('ok')); });";
    let mut child = node(
        script,
        &[
            &path("rsa.key"),
            chain.to_str().unwrap(),
            &path("inter.pem"),
        ],
    );
    let port: u16 = first_line(&mut child).parse().unwrap();
    let node_verdict = first_line(&mut child);
    assert_eq!(node_verdict, "UNABLE_TO_GET_ISSUER_CERT");

    let err = connect(&options(port, Some(&["inter.pem"]))).unwrap_err();
    assert_eq!(err.code, node_verdict);

    let mut partial = options(port, Some(&["inter.pem"]));
    partial.context.allow_partial_trust_chain = true;
    let mut socket = connect(&partial).unwrap();
    assert!(socket.authorized());
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer);
    assert_eq!(answer, "ok");
    let _ = child.kill();
}

/// The (direction, message, length) triples of a trace, in order, for handshake messages.
fn handshake_lines(trace: &str) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    let mut direction = String::new();
    for line in trace.lines() {
        if line == "Sent Record" || line == "Received Record" {
            direction = line.split(' ').next().unwrap_or_default().to_string();
        } else if let Some((name, len)) = line.trim().split_once(", Length=") {
            if let Ok(len) = len.parse() {
                if name.chars().all(|c| c.is_ascii_alphanumeric()) {
                    out.push((direction.clone(), name.to_string(), len));
                }
            }
        }
    }
    out
}

/// A writer tests can read back.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Follows test-tls-enable-trace.js: with `enableTrace` on both ends, each side's trace
/// lists the handshake; ours (the client's) has every message Node's server trace has,
/// with the same length, the other way round (`Sent` there is `Received` here).
#[test]
fn enable_trace_lists_the_messages_node_traces() {
    require("node");
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const srv = tls.createServer({key: fs.readFileSync(a[1]), cert: fs.readFileSync(a[2]),\
          enableTrace: true}, s => { s.end('ok'); srv.close(); });\
        srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));";
    let mut child = Command::new("node")
        .args(["-e", script, &path("rsa.key"), &path("rsa-chain.pem")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port: u16 = first_line(&mut child).parse().unwrap();

    let ctx = create_secure_context(&SecureContextOptions {
        ca: Some(vec![file("root.pem")]),
        ..Default::default()
    })
    .unwrap();
    let mut config = ctx.client_config();
    config.trace = true;
    let mut conn = sanstls::ClientConnection::new(
        Arc::new(config),
        "rsa.example.test",
        sanstls_node::stream::now(),
    )
    .unwrap();
    let buffer = Shared::default();
    let mut tracer = Tracer::to_writer(buffer.clone());
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut stream = sanstls_node::stream::Stream::new(tcp);
    let mut answer = Vec::new();
    loop {
        stream
            .feed(&mut conn, |c, e| {
                tracer.event(&e);
                let mut buf = [0u8; 64];
                loop {
                    let n = c.read_plaintext(&mut buf);
                    if n == 0 {
                        break;
                    }
                    answer.extend_from_slice(&buf[..n]);
                }
                Ok::<(), sanstls_node::stream::StreamError>(())
            })
            .unwrap();
        if conn.peer_closed()
            || stream.receive(&mut conn).unwrap() == sanstls_node::stream::Received::Eof
        {
            break;
        }
    }
    conn.send_close_notify();
    let _ = stream.flush(&mut conn);
    while let Some(e) = conn.poll_event() {
        tracer.event(&e);
    }
    assert_eq!(answer, b"ok");
    let mut node_trace = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut node_trace)
        .unwrap();
    let _ = child.wait();
    let ours = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        ours.contains("Received Record") && ours.contains("ClientHello"),
        "{ours}"
    );
    let flip = |d: &str| if d == "Sent" { "Received" } else { "Sent" }.to_string();
    let theirs: Vec<_> = handshake_lines(&node_trace)
        .into_iter()
        .map(|(d, n, l)| (flip(&d), n, l))
        .collect();
    let ours_lines = handshake_lines(&ours);
    assert!(theirs.len() >= 7, "{node_trace}");
    // Node's server may send its tickets after we stopped reading: compare what both saw.
    let n = theirs.len().min(ours_lines.len());
    assert_eq!(
        ours_lines[..n],
        theirs[..n],
        "\nours:\n{ours}\nnode:\n{node_trace}"
    );
    assert!(n >= 7);
    assert!(
        ours.contains("Content Type = Alert (21)"),
        "our close_notify is traced"
    );
}

/// Follows test-tls-root-certificates.js: `rootCertificates` is a list of distinct PEM
/// certificates, the same on every call.
#[test]
fn root_certificates_are_distinct_pem_certificates() {
    let roots = sanstls_node::root_certificates();
    assert!(roots.len() > 100);
    assert!(roots
        .iter()
        .all(|c| c.starts_with("-----BEGIN CERTIFICATE-----\n")
            && c.trim_end().ends_with("-----END CERTIFICATE-----")));
    let distinct: std::collections::HashSet<_> = roots.iter().collect();
    assert_eq!(distinct.len(), roots.len());
    assert_eq!(roots, sanstls_node::root_certificates());
}

/// Follows test-tls-get-ca-certificates-bundled.js: `'bundled'` is `rootCertificates`.
#[test]
fn get_ca_certificates_bundled_is_root_certificates() {
    assert_eq!(
        get_ca_certificates(CaType::Bundled),
        sanstls_node::root_certificates()
    );
}

/// Follows test-tls-get-ca-certificates-error.js: an unknown type is ERR_INVALID_ARG_VALUE.
#[test]
fn get_ca_certificates_refuses_an_unknown_type() {
    for bad in ["defaults", "", "BUNDLED", "openssl"] {
        let e = bad.parse::<CaType>().unwrap_err();
        assert_eq!(e.code, "ERR_INVALID_ARG_VALUE", "{bad}");
    }
    assert_eq!("default".parse::<CaType>().unwrap(), CaType::default());
}

/// Runs this test binary on the one test `name`, with `env` set (and
/// `NODE_EXTRA_CA_CERTS` / `SSL_CERT_FILE` removed unless given), and checks it passed.
fn in_child(name: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("SANSTLS_X509_CHILD", name)
        .env_remove("NODE_EXTRA_CA_CERTS")
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{name}: {stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{name} did not run: {stdout}");
    stderr
}

fn is_child(name: &str) -> bool {
    std::env::var("SANSTLS_X509_CHILD").as_deref() == Ok(name)
}

fn pems(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .flat_map(|n| sanstls_pki::cert::parse_certificates(&file(n)).unwrap())
        .map(|d| sanstls_pki::pem::encode("CERTIFICATE", &d))
        .collect()
}

/// Follows test-tls-get-ca-certificates-default.js and -extra-empty.js: without
/// `NODE_EXTRA_CA_CERTS`, `'extra'` is empty and `'default'` is the bundled set.
#[test]
fn without_extra_certs_the_default_is_the_bundled_set() {
    in_child("child_without_extra", &[]);
}

#[test]
fn child_without_extra() {
    if !is_child("child_without_extra") {
        return;
    }
    assert!(get_ca_certificates(CaType::Extra).is_empty());
    assert_eq!(
        get_ca_certificates(CaType::Default),
        get_ca_certificates(CaType::Bundled)
    );
}

/// Follows test-tls-get-ca-certificates-extra.js and -extra-subset.js: the file's
/// certificates are `'extra'`, in order, and the default list is the bundled set followed
/// by them.
#[test]
fn extra_ca_certs_are_listed_and_added_to_the_default() {
    in_child(
        "child_extra",
        &[("NODE_EXTRA_CA_CERTS", &path("rsa-chain.pem"))],
    );
}

#[test]
fn child_extra() {
    if !is_child("child_extra") {
        return;
    }
    assert_eq!(get_ca_certificates(CaType::Extra), pems(&["rsa-chain.pem"]));
    let mut want = get_ca_certificates(CaType::Bundled);
    want.extend(pems(&["rsa-chain.pem"]));
    assert_eq!(get_ca_certificates(CaType::Default), want);
}

/// Follows test-tls-env-extra-ca.js: a client without `ca` trusts a server whose root is
/// only in `NODE_EXTRA_CA_CERTS`, as Node's client does in the same environment.
#[test]
fn extra_ca_certs_are_trusted_by_clients_without_ca() {
    let (mut server, port) = node_server("rsa.key", "rsa-chain.pem", "");
    let extra = path("root.pem");
    // Node's client, with the same variable.
    let out = Command::new("node")
        .args([
            "-e",
            "const s = require('tls').connect({port: +process.argv[1], host: '127.0.0.1'},\
               () => { console.log(s.authorized); s.destroy(); });\
             s.on('error', (e) => console.log(e.code));",
            &port.to_string(),
        ])
        .env("NODE_EXTRA_CA_CERTS", &extra)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "true");
    in_child(
        "child_extra_trusted",
        &[
            ("NODE_EXTRA_CA_CERTS", &extra),
            ("X509_PORT", &port.to_string()),
        ],
    );
    // Without the variable the same connection is refused.
    assert!(connect(&options(port, None)).is_err());
    let _ = server.kill();
}

#[test]
fn child_extra_trusted() {
    if !is_child("child_extra_trusted") {
        return;
    }
    let port = std::env::var("X509_PORT").unwrap().parse().unwrap();
    let socket = connect(&options(port, None)).unwrap();
    assert!(socket.authorized());
}

/// Follows test-tls-env-bad-extra-ca.js: a missing file is a warning on stderr, in Node's
/// words, and nothing else changes.
#[test]
fn a_missing_extra_ca_file_is_a_warning_like_nodes() {
    require("node");
    let missing = "/nonexistent/no-such-file-exists-🐢";
    let node_err = Command::new("node")
        .args(["-e", "require('tls').createSecureContext({})"])
        .env("NODE_EXTRA_CA_CERTS", missing)
        .output()
        .unwrap();
    let node_line = String::from_utf8_lossy(&node_err.stderr).trim().to_string();
    let ours = in_child("child_bad_extra", &[("NODE_EXTRA_CA_CERTS", missing)]);
    assert!(
        ours.lines().any(|l| l == node_line),
        "ours: {ours}\nnode: {node_line}"
    );
}

#[test]
fn child_bad_extra() {
    if !is_child("child_bad_extra") {
        return;
    }
    create_secure_context(&SecureContextOptions::default()).unwrap();
    assert!(get_ca_certificates(CaType::Extra).is_empty());
}

/// Follows test-tls-get-ca-certificates-system.js: `'system'` is the system store (here
/// the file `SSL_CERT_FILE` names, which the store honours as OpenSSL does), whether or
/// not the default list uses it; `--use-system-ca` adds it to the default. The store's
/// order is its own (rustls-native-certs does not keep the file's), so sets are compared.
#[test]
fn system_certificates_come_from_the_system_store() {
    in_child("child_system", &[("SSL_CERT_FILE", &path("rsa-chain.pem"))]);
}

#[test]
fn child_system() {
    if !is_child("child_system") {
        return;
    }
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let system = get_ca_certificates(CaType::System);
    assert_eq!(sorted(system.clone()), sorted(pems(&["rsa-chain.pem"])));
    assert_eq!(
        get_ca_certificates(CaType::Default),
        get_ca_certificates(CaType::Bundled)
    );
    sanstls_node::trust::set_use_system_ca(true);
    let mut want = get_ca_certificates(CaType::Bundled);
    want.extend(system);
    assert_eq!(get_ca_certificates(CaType::Default), want);
}

/// Follows test-tls-set-default-ca-certificates-basic.js: the default list becomes the
/// given certificates, duplicates removed, and `'bundled'`/`'extra'` stay what they were;
/// a client without `ca` then trusts exactly those.
#[test]
fn set_default_ca_certificates_replaces_the_default() {
    let (mut server, port) = node_server("rsa.key", "rsa-chain.pem", "");
    in_child("child_set_default", &[("X509_PORT", &port.to_string())]);
    let _ = server.kill();
}

#[test]
fn child_set_default() {
    if !is_child("child_set_default") {
        return;
    }
    let port = std::env::var("X509_PORT").unwrap().parse().unwrap();
    let bundled = get_ca_certificates(CaType::Bundled);
    assert!(connect(&options(port, None)).is_err());
    set_default_ca_certificates(&[file("root.pem"), file("root.pem"), file("ec256.pem")]).unwrap();
    assert_eq!(
        get_ca_certificates(CaType::Default),
        pems(&["root.pem", "ec256.pem"])
    );
    assert_eq!(get_ca_certificates(CaType::Bundled), bundled);
    assert!(get_ca_certificates(CaType::Extra).is_empty());
    let socket = connect(&options(port, None)).unwrap();
    assert!(socket.authorized());
    // Back to the bundled set: the test root is no longer trusted.
    set_default_ca_certificates(&bundled).unwrap();
    assert!(connect(&options(port, None)).is_err());
}

/// Follows test-tls-set-default-ca-certificates-error.js: invalid input is refused and
/// leaves the default list as it was.
#[test]
fn set_default_ca_certificates_refuses_bad_input() {
    in_child("child_set_default_error", &[]);
}

#[test]
fn child_set_default_error() {
    if !is_child("child_set_default_error") {
        return;
    }
    let before = get_ca_certificates(CaType::Default);
    for bad in [
        vec![b"not a certificate".to_vec()],
        vec![
            file("root.pem"),
            b"-----BEGIN CERTIFICATE-----\nAAAA\n".to_vec(),
        ],
        vec![file("rsa.key")],
    ] {
        let e = set_default_ca_certificates(&bad).unwrap_err();
        assert_eq!(e.code, "ERR_INVALID_ARG_VALUE");
        assert_eq!(get_ca_certificates(CaType::Default), before);
    }
}

/// The socket's `enableTrace`: `ConnectOptions::enable_trace` traces from the ClientHello
/// on, and `enable_trace_to` sends the lines to a writer of the caller's.
#[test]
fn a_socket_with_enable_trace_traces_its_handshake() {
    require("node");
    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const srv = tls.createServer({key: fs.readFileSync(a[1]), cert: fs.readFileSync(a[2])},\
          s => { s.end('ok'); srv.close(); });\
        srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));";
    let mut child = node(script, &[&path("rsa.key"), &path("rsa-chain.pem")]);
    let port: u16 = first_line(&mut child).parse().unwrap();
    let mut options = options(port, Some(&["root.pem"]));
    options.servername = Some("rsa.example.test".into());
    options.enable_trace = true;
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut socket = sanstls_node::connect::prepare(tcp, &options).unwrap();
    let buffer = Shared::default();
    socket.enable_trace_to(Tracer::to_writer(buffer.clone()));
    let mut answer = String::new();
    socket.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "ok");
    let trace = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let messages: Vec<_> = handshake_lines(&trace)
        .into_iter()
        .map(|(direction, message, _)| format!("{direction} {message}"))
        .collect();
    for expected in [
        "Sent ClientHello",
        "Received ServerHello",
        "Received Certificate",
        "Received Finished",
        "Sent Finished",
    ] {
        assert!(
            messages.iter().any(|m| m == expected),
            "{expected}: {messages:?}"
        );
    }
    let _ = child.kill();
}
