//! `sanstls server` against real clients: it must decode what they offer and refuse the
//! handshake with a handshake_failure alert they understand.

// Tests embed the engine like the CLI does: they may read the clock for timeouts.
#![allow(clippy::disallowed_methods)]

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Starts `sanstls server --once` and waits until it accepts connections.
fn start_server() -> (Server, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_sanstls"))
        .args(["server", "--port", &port.to_string(), "--once"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sanstls");
    let mut server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    // A probing TCP connect would consume the single `--once` connection, so wait for the
    // listening line on stdout instead.
    let mut stdout = server.0.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("listening on") {
        assert!(Instant::now() < deadline, "server did not start");
        match stdout.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => panic!("server exited early: {}", String::from_utf8_lossy(&seen)),
        }
    }
    server.0.stdout = Some(stdout);
    (server, port)
}

fn finish(mut server: Server) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.0.try_wait().expect("wait").is_none() {
        assert!(
            Instant::now() < deadline,
            "server did not exit after one connection"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    server
        .0
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read stdout");
    out
}

fn run_client(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run client")
}

#[test]
fn openssl_client_is_decoded_and_refused_with_handshake_failure() {
    let (server, port) = start_server();
    let client = run_client(Command::new("openssl").args([
        "s_client",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-servername",
        "example.com",
        "-alpn",
        "h2,http/1.1",
    ]));
    let out = finish(server);
    assert!(out.contains("server_name: example.com"), "{out}");
    assert!(out.contains("alpn: h2, http/1.1"), "{out}");
    assert!(
        out.contains("supported_versions: TLSv1_3, TLSv1_2"),
        "{out}"
    );
    assert!(out.contains("key_shares: X25519"), "{out}");
    let stderr = String::from_utf8_lossy(&client.stderr);
    assert!(
        stderr.contains("alert handshake failure"),
        "openssl saw: {stderr}"
    );
}

#[test]
fn node_client_is_decoded_and_sees_the_alert() {
    let (server, port) = start_server();
    let script = format!(
        "const s = require('tls').connect({{port: {port}, host: '127.0.0.1', \
         servername: 'node.example', ALPNProtocols: ['http/1.1']}});\
         s.on('error', e => {{ console.log('ERR ' + e.code + ' ' + e.message); }});"
    );
    let client = run_client(Command::new("node").args(["-e", &script]));
    let out = finish(server);
    assert!(out.contains("server_name: node.example"), "{out}");
    assert!(out.contains("alpn: http/1.1"), "{out}");
    let stdout = String::from_utf8_lossy(&client.stdout);
    assert!(stdout.contains("handshake failure"), "node saw: {stdout}");
}

#[test]
fn garbage_is_reported_not_fatal_to_the_server() {
    let (server, port) = start_server();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    use std::io::Write;
    // An HTTP request is not a TLS record: the version check refuses it.
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").expect("write");
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let out = finish(server);
    assert!(out.contains("could not decode the ClientHello"), "{out}");
    // A fatal alert record: type 21, TLS 1.2, length 2, level fatal.
    assert_eq!(&reply[..3], &[21, 3, 3], "reply: {reply:?}");
    assert_eq!(reply[5], 2, "fatal level");
}
