//! The examples, run as a user would: each server example with a real peer (Node's `tls`
//! or `openssl s_client`), the echo client against the echo server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::{node, Pki};
use sanstls_test::net::free_port;

/// A running example, killed on drop.
struct Example(Child);

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `cargo test` builds the examples next to the test binaries' directory.
fn example_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|d| d.parent()).unwrap();
    dir.join("examples").join(name)
}

/// Starts `name --port P ARGS` on a free port and waits for its "server bound on" line;
/// returns it and the port. A port another test took first means another try.
fn start(name: &str, args: &[&str]) -> (Example, String) {
    for _ in 0..5 {
        let port = free_port().to_string();
        let mut all = vec!["--port", port.as_str()];
        all.extend_from_slice(args);
        if let Some(example) = try_start(name, &all) {
            return (example, port);
        }
    }
    panic!("{name} never started listening");
}

/// Starts `name` with `args`; `None` if it exits before listening.
fn try_start(name: &str, args: &[&str]) -> Option<Example> {
    let mut child = Command::new(example_path(name))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("server bound on") {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            let _ = child.wait();
            return None;
        }
    }
    // Keep reading its output so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Some(Example(child))
}

fn s_client(addr: &str, args: &[&str]) -> String {
    let out = sanstls_test::peers::s_client(addr, args, b"");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn echo_server_with_our_echo_client_and_a_node_client() {
    let p = Pki::new("ex-echo", "localhost");
    let (cert, key) = (p.cert_path(), p.key_path());
    let (_server, port) = start("echo_server", &["--cert", &cert, "--key", &key]);
    let mut client = Command::new(example_path("echo_client"))
        .args(["--port", &port, "--ca", &cert])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    client
        .stdin
        .take()
        .unwrap()
        .write_all(b"one\ntwo\n")
        .unwrap();
    let out = client.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text, "client connected authorized\nwelcome!\none\ntwo\n");

    let script = "const tls = require('tls'), fs = require('fs'); const a = process.argv;\
        const s = tls.connect({port: +a[1], host: '127.0.0.1', servername: 'localhost', \
          ca: fs.readFileSync(a[2])}, () => s.write('from node\\n'));\
        let d = ''; s.on('data', x => { d += x; if (d.includes('from node')) { \
          console.log(s.authorized + ' ' + JSON.stringify(d)); s.end(); } });\
        s.on('error', () => {});";
    let mut child = node(script, &[&port, &cert]);
    let line = common::first_line(&mut child);
    assert_eq!(line, r#"true "welcome!\nfrom node\n""#);
}

#[test]
fn sni_session_store_and_ocsp_examples_with_openssl() {
    let (p, a) = (
        Pki::new("ex-main", "localhost"),
        Pki::new("ex-a", "a.example"),
    );
    let (cert, key) = (p.cert_path(), p.key_path());
    let spec = format!("a.example={},{}", a.cert_path(), a.key_path());
    let (_sni, port) = start(
        "sni_server",
        &["--cert", &cert, "--key", &key, "--context", &spec],
    );
    let addr = format!("127.0.0.1:{port}");
    let out = s_client(&addr, &["-servername", "a.example"]);
    assert!(out.contains("subject=CN = a.example"), "{out}");
    let out = s_client(&addr, &["-servername", "localhost"]);
    assert!(out.contains("subject=CN = localhost"), "{out}");

    let (_store, port) = start("session_store", &["--cert", &cert, "--key", &key]);
    let addr = format!("127.0.0.1:{port}");
    let sess = p.dir.path("sess.pem");
    let sess = sess.to_str().unwrap();
    let out = s_client(&addr, &["-tls1_2", "-sess_out", sess]);
    assert!(out.contains("New, TLSv1.2"), "{out}");
    let out = s_client(&addr, &["-tls1_2", "-sess_in", sess]);
    assert!(out.contains("Reused, TLSv1.2"), "{out}");

    let response = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/pki/ocsp/good-by-ca.der"
    );
    let (_ocsp, port) = start(
        "ocsp_stapling",
        &["--cert", &cert, "--key", &key, "--ocsp-response", response],
    );
    let out = s_client(&format!("127.0.0.1:{port}"), &["-status"]);
    assert!(out.contains("OCSP Response Status: successful"), "{out}");
}
