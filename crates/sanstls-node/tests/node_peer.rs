//! `TlsSocket` against Node's own `tls` module, both ways: each side reports what it sees
//! (protocol, cipher, ALPN, server name, Finished messages, exported keying material) and
//! the reports must agree.

// Tests read the clock through the engine's callers and spawn processes.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use common::{first_line, hex, node, Pki};

use sanstls::client::ClientConfig;
use sanstls::crypto::sign::load_private_key;
use sanstls::server::{CertifiedKey, ServerConfig};
use sanstls_node::TlsSocket;
use serde_json::Value;

/// What a Node socket reports, as a JS expression over `s`.
const REPORT: &str = "({protocol: s.getProtocol(), cipher: s.getCipher().name, \
    alpn: s.alpnProtocol, servername: s.servername || null, reused: s.isSessionReused(), \
    finished: s.getFinished().toString('hex'), peerFinished: s.getPeerFinished().toString('hex'), \
    ekm: s.exportKeyingMaterial(32, 'EXPORTER-sanstls').toString('hex'), \
    authorized: s.authorized})";

/// `protocol` is our `getProtocol()` read while the socket was open (closed, it is null,
/// as in Node).
fn check_against(ours: &TlsSocket<TcpStream>, protocol: Option<&str>, theirs: &Value) {
    assert_eq!(theirs["protocol"], protocol.unwrap());
    assert_eq!(theirs["cipher"], ours.get_cipher().unwrap().name);
    assert_eq!(theirs["alpn"], ours.alpn_protocol().unwrap());
    assert_eq!(theirs["finished"], hex(&ours.get_peer_finished().unwrap()));
    assert_eq!(theirs["peerFinished"], hex(&ours.get_finished().unwrap()));
    let ekm = ours
        .export_keying_material(32, "EXPORTER-sanstls", None)
        .unwrap();
    assert_eq!(theirs["ekm"], hex(&ekm));
}

#[test]
fn our_client_against_a_node_server() {
    let p = Pki::new("client", "localhost");
    let script = format!(
        "const tls = require('tls'), fs = require('fs');\
         const srv = tls.createServer({{key: fs.readFileSync(process.argv[1]), \
           cert: fs.readFileSync(process.argv[2]), ALPNProtocols: ['h2', 'http/1.1'], \
           maxVersion: process.argv[3]}}, s => {{\
           s.once('data', () => {{ s.end(JSON.stringify({REPORT})); srv.close(); }});\
         }});\
         srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));"
    );
    for version in ["TLSv1.3", "TLSv1.2"] {
        let (key, cert) = (p.key_path(), p.cert_path());
        let mut child = node(&script, &[&key, &cert, version]);
        let port: u16 = first_line(&mut child)
            .parse()
            .expect("node prints its port");
        let mut config = ClientConfig::new(Arc::new(
            sanstls_pki::tls::NodeServerVerifier::with_roots(vec![p.cert_der.clone()]).unwrap(),
        ));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut sock = TlsSocket::client(tcp, Arc::new(config), "localhost", None).unwrap();
        let secure = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = secure.clone();
        sock.on_secure_connect(move || flag.store(true, std::sync::atomic::Ordering::SeqCst));
        sock.write_all(b"hello").unwrap();
        let mut report = String::new();
        sock.read_to_string(&mut report).unwrap();
        let protocol = sock.get_protocol();
        // Node closes the connection once we close our side too.
        sock.end().unwrap();
        sock.get_ref().shutdown(std::net::Shutdown::Write).unwrap();
        let _ = child.wait();
        let theirs: Value = serde_json::from_str(&report).unwrap();
        assert!(secure.load(std::sync::atomic::Ordering::SeqCst));
        assert!(sock.authorized(), "{version}");
        assert_eq!(protocol, Some(version));
        // Both sides ended: closed, where Node's getProtocol() is null.
        assert_eq!(sock.get_protocol(), None);
        assert_eq!(theirs["servername"], "localhost");
        check_against(&sock, protocol, &theirs);
        assert!(sock.get_ephemeral_key_info().is_some());
    }
}

#[test]
fn a_node_client_against_our_server() {
    let p = Pki::new("server", "localhost");
    let mut config = ServerConfig::new(vec![CertifiedKey::new(
        vec![p.cert_der.clone()],
        load_private_key(&p.key_der).unwrap(),
    )
    .unwrap()]);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let script = format!(
        "const tls = require('tls'), fs = require('fs');\
         const s = tls.connect({{port: +process.argv[1], host: '127.0.0.1', servername: 'localhost', \
           ca: fs.readFileSync(process.argv[2]), ALPNProtocols: ['http/1.1']}}, () => {{\
           console.log(JSON.stringify({REPORT})); s.end('bye');\
         }});\
         s.on('data', () => {{}});"
    );
    let cert = p.cert_path();
    let mut child = node(&script, &[&port, &cert]);
    let (tcp, _) = listener.accept().unwrap();
    let mut sock = TlsSocket::server(tcp, config).unwrap();
    let mut got = Vec::new();
    sock.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"bye");
    let protocol = sock.get_protocol();
    sock.end().unwrap();
    sock.get_ref().shutdown(std::net::Shutdown::Write).unwrap();
    let mut out = String::new();
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    let theirs: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(theirs["authorized"], true);
    assert_eq!(sock.servername().as_deref(), Some("localhost"));
    assert!(!sock.authorized(), "no client certificate was asked for");
    assert_eq!(
        sock.get_ephemeral_key_info(),
        None,
        "null on a server, as in Node"
    );
    assert_eq!(
        sock.get_certificate().unwrap().raw,
        p.cert_der,
        "getCertificate()"
    );
    check_against(&sock, protocol, &theirs);
}
