//! The example servers, run for real: each example's server loop is a module this test
//! includes (`#[path]`), started on a free loopback port and spoken to over TCP by our
//! client and by `openssl s_client`. No timing is asserted: a test waits (boundedly) for
//! what must happen.

#![allow(clippy::disallowed_methods)] // a test reads the clock, as an application does

#[path = "../examples/common/args.rs"]
mod args;
#[path = "../examples/mio_server/echo.rs"]
mod echo;
#[cfg(target_os = "linux")]
#[path = "../examples/io_uring_server/ring.rs"]
mod ring;
#[path = "../examples/tokio_engine/echo.rs"]
mod tokio_echo;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use sanstls::crypto::verify::InsecureAcceptAnything;
use sanstls::{ClientConfig, ClientConnection, ServerConfig};

/// How long any single read may block before the test fails (not a timing assertion: a
/// bound on a hang).
const HANG: Duration = Duration::from_secs(30);

/// A configuration with a fresh self-signed certificate, and that certificate.
fn server_config() -> (Arc<ServerConfig>, Vec<u8>) {
    let (cert, key) = sanstls_test::generated::self_signed_localhost();
    let key = sanstls::crypto::sign::load_private_key(&key).unwrap();
    let ck = sanstls::server::CertifiedKey::new(vec![cert.clone()], key).unwrap();
    (args::config(ck), cert)
}

/// Starts the mio echo server on a free port: the name `other.test` gets `other`'s
/// certificate, every other name `main`'s. Returns the port.
fn start_mio(main: Arc<ServerConfig>, other: Arc<ServerConfig>, options: echo::Options) -> u16 {
    let listener = mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = listener.local_addr().unwrap().port();
    let select: echo::Select = Box::new(move |name| match name {
        Some("other.test") => other.clone(),
        _ => main.clone(),
    });
    std::thread::spawn(move || echo::run(listener, select, options, args::now));
    port
}

/// A blocking client: handshake with `name`, send `data` (from another thread, so a
/// server that did not echo as it reads would deadlock us both), read the echo back.
/// Returns the echo and the server's certificate.
fn echo_client(port: u16, name: &str, data: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    echo_client_reading(port, name, data, 32 * 1024, Duration::ZERO)
}

/// [`echo_client`], reading at most `read_size` bytes per socket read (small: a slow
/// reader), and idle for `idle` between its handshake and its data (longer than a
/// server's handshake timeout: an established connection is not timed out).
fn echo_client_reading(
    port: u16,
    name: &str,
    data: Vec<u8>,
    read_size: usize,
    idle: Duration,
) -> (Vec<u8>, Vec<u8>) {
    let config = Arc::new(ClientConfig::new(Arc::new(InsecureAcceptAnything)));
    let mut conn = ClientConnection::new(config, name, args::now()).unwrap();
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(HANG)).unwrap();
    let mut writer = sock.try_clone().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let pump = std::thread::spawn(move || {
        for bytes in rx {
            writer.write_all(&bytes).unwrap();
        }
    });
    let (mut echoed, mut buf, mut plain) = (Vec::new(), vec![0u8; read_size], vec![0u8; 16384]);
    let mut sent_data = false;
    let mut cert = Vec::new();
    while echoed.len() < data.len() {
        let mut out = Vec::new();
        conn.write_tls(&mut out);
        if !out.is_empty() {
            tx.send(out).unwrap();
        }
        if !conn.is_handshaking() && !sent_data {
            sent_data = true;
            std::thread::sleep(idle);
            cert = conn.negotiated().peer_certificates[0].to_vec();
            for chunk in data.chunks(4096) {
                conn.send(chunk).unwrap();
                let mut out = Vec::new();
                conn.write_tls(&mut out);
                tx.send(out).unwrap();
            }
            continue;
        }
        let n = sock.read(&mut buf).expect("the server answers");
        assert!(n > 0, "the server closed early");
        let mut offered = &buf[..n];
        while !offered.is_empty() {
            let taken = conn.read_tls(offered);
            offered = &offered[taken..];
            conn.process(args::now()).unwrap();
            while conn.poll_event().is_some() {}
            loop {
                let n = conn.read_plaintext(&mut plain);
                if n == 0 {
                    break;
                }
                echoed.extend_from_slice(&plain[..n]);
            }
        }
    }
    conn.send_close_notify();
    let mut out = Vec::new();
    conn.write_tls(&mut out);
    tx.send(out).unwrap();
    drop(tx);
    pump.join().unwrap();
    // The server answers close_notify with its own and closes.
    let mut rest = Vec::new();
    let _ = sock.read_to_end(&mut rest);
    let mut offered = &rest[..];
    while !offered.is_empty() {
        let taken = conn.read_tls(offered);
        offered = &offered[taken..];
        let _ = conn.process(args::now());
        if taken == 0 {
            break;
        }
    }
    assert!(conn.peer_closed(), "the server answered close_notify");
    (echoed, cert)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

#[test]
fn mio_server_echoes_to_many_concurrent_clients_and_selects_certificates() {
    let ((main, main_cert), (other, other_cert)) = (server_config(), server_config());
    let port = start_mio(main, other, echo::Options::default());
    concurrent_echoes(
        port,
        40,
        |i| 1024 + usize::from(i) * 37,
        [main_cert, other_cert],
    );
}

/// `count` clients at once against the echo server on `port`, the even ones asking for
/// `localhost`, the odd ones for `other.test`: each sends `len(i)` bytes and must get them
/// back under the certificate the selector picks for its name (`certs`: localhost's, the
/// other's).
fn concurrent_echoes(port: u16, count: u8, len: fn(u8) -> usize, certs: [Vec<u8>; 2]) {
    let clients: Vec<_> = (0..count)
        .map(|i| {
            std::thread::spawn(move || {
                let name = if i % 2 == 0 {
                    "localhost"
                } else {
                    "other.test"
                };
                let data = pattern(len(i), i);
                let (echoed, cert) = echo_client(port, name, data.clone());
                assert!(echoed == data, "client {i}: the echo");
                (i, cert)
            })
        })
        .collect();
    for c in clients {
        let (i, cert) = c.join().unwrap();
        assert_eq!(
            cert,
            certs[usize::from(i % 2)],
            "client {i}: the selector's certificate"
        );
    }
}

#[test]
fn mio_server_back_pressure_stops_reading_and_still_echoes_everything() {
    let (main, _) = server_config();
    // A bound far below what a slow reader leaves unread: the server must stop reading,
    // resume (edge-triggered) as the socket drains, and lose nothing.
    let options = echo::Options {
        max_unsent: 4096,
        ..Default::default()
    };
    let port = start_mio(main.clone(), main, options);
    // More than loopback's socket buffers hold, read 1 KiB at a time while the server
    // writes 16 KiB records.
    let data = pattern(24 << 20, 7);
    let (echoed, _) = echo_client_reading(port, "localhost", data.clone(), 1024, Duration::ZERO);
    assert!(echoed == data, "24 MiB echoed intact");
    let stops = echo::BACK_PRESSURE_STOPS.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        stops > 0,
        "the server never stopped reading for back-pressure"
    );
}

#[test]
fn mio_server_times_out_a_silent_handshake() {
    let (main, _) = server_config();
    let options = echo::Options {
        handshake_timeout: Duration::from_millis(200),
        ..Default::default()
    };
    let port = start_mio(main.clone(), main, options);
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(HANG)).unwrap();
    // Say nothing: the server's timer must close the connection (a read blocked until
    // HANG means it never did, and fails the test).
    let mut got = Vec::new();
    let r = sock.read_to_end(&mut got);
    assert!(r.is_ok(), "closed by the server, not by our bound: {r:?}");
    // An idle connection that completed its handshake is not timed out: the echo test
    // above covers that clients well past the deadline still get their echo.
}

/// `openssl s_client` (TLS 1.3) sends a line to the server on `port` and must read it back.
fn openssl_echo(port: u16) {
    sanstls_test::peers::require("openssl");
    let mut child = std::process::Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-tls1_3",
            "-servername",
            "localhost",
            "-connect",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"hello from openssl\n").unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") {
        match stdout.read(&mut byte) {
            Ok(1) => line.push(byte[0]),
            _ => break,
        }
    }
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(line, b"hello from openssl\n");
}

#[test]
fn mio_server_serves_openssl_s_client() {
    let (main, _) = server_config();
    openssl_echo(start_mio(main.clone(), main, echo::Options::default()));
}

#[test]
fn tokio_engine_serves_openssl_s_client() {
    let (main, _) = server_config();
    openssl_echo(start_tokio(main.clone(), main, Duration::from_secs(10)));
}

/// Starts the tokio echo server (current-thread runtime on its own thread) on a free port,
/// with the same certificate selection as `start_mio`, the selector awaiting a timer first
/// (an asynchronous lookup). Returns the port.
fn start_tokio(main: Arc<ServerConfig>, other: Arc<ServerConfig>, timeout: Duration) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let select: tokio_echo::Select = Arc::new(move |name| {
        let config = match name.as_deref() {
            Some("other.test") => other.clone(),
            _ => main.clone(),
        };
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            config
        })
    });
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            tokio_echo::run(listener, select, timeout, args::now).await
        })
    });
    port
}

#[test]
fn tokio_engine_echoes_to_concurrent_clients_and_selects_certificates() {
    let ((main, main_cert), (other, other_cert)) = (server_config(), server_config());
    let port = start_tokio(main, other, Duration::from_secs(10));
    // One large echo among them: more than the socket buffers hold unread.
    let len = |i| match i {
        0 => 2 << 20,
        _ => 1024 + usize::from(i) * 37,
    };
    concurrent_echoes(port, 20, len, [main_cert, other_cert]);
}

#[test]
fn tokio_engine_times_out_a_silent_handshake() {
    let (main, _) = server_config();
    let port = start_tokio(main.clone(), main, Duration::from_millis(200));
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(HANG)).unwrap();
    let mut got = Vec::new();
    let r = sock.read_to_end(&mut got);
    assert!(r.is_ok(), "closed by the server, not by our bound: {r:?}");
}

/// Starts the io_uring echo server on a free port with `slots` connection slots. Returns
/// the port.
#[cfg(target_os = "linux")]
fn start_ring(config: Arc<ServerConfig>, slots: usize) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || ring::run(listener, config, slots, args::now));
    port
}

#[cfg(target_os = "linux")]
#[test]
fn io_uring_server_echoes_in_place_to_concurrent_clients() {
    let (main, main_cert) = server_config();
    // Fewer slots than clients: the others wait in the backlog for a slot to free.
    let port = start_ring(main, 8);
    let clients: Vec<_> = (0..20u8)
        .map(|i| {
            std::thread::spawn(move || {
                // One large echo among them: records opened and sealed in place, many
                // buffers full.
                let len = if i == 0 {
                    2 << 20
                } else {
                    1024 + usize::from(i) * 37
                };
                let data = pattern(len, i);
                let (echoed, cert) = echo_client(port, "localhost", data.clone());
                assert!(echoed == data, "client {i}: the echo");
                cert
            })
        })
        .collect();
    for c in clients {
        assert_eq!(c.join().unwrap(), main_cert);
    }
    openssl_echo(port);
    let opened = ring::OPENED_IN_PLACE.load(std::sync::atomic::Ordering::Relaxed);
    // 2 MiB comes in at least 128 records: most must have been opened in place.
    assert!(opened >= 100, "records opened in place: {opened}");
}

#[cfg(target_os = "linux")]
#[test]
fn io_uring_server_times_out_a_silent_handshake_and_frees_its_slot() {
    let (mut main, _) = server_config();
    Arc::get_mut(&mut main).unwrap().handshake_timeout = Duration::from_millis(200);
    // One slot: the silent client holds it, and the next client waits in the backlog until
    // the silent one's deadline frees it.
    let port = start_ring(main, 1);
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(HANG)).unwrap();
    // Say nothing: the server's timer must close the connection (a read blocked until
    // HANG means it never did, and fails the test), without an alert.
    let mut got = Vec::new();
    let r = sock.read_to_end(&mut got);
    assert!(r.is_ok(), "closed by the server, not by our bound: {r:?}");
    assert!(got.is_empty(), "nothing sent for a timeout: {got:?}");
    // The slot and its buffers serve the next client, which idles well past the deadline
    // after its handshake: an established connection is not timed out.
    let data = pattern(64 * 1024, 9);
    let idle = Duration::from_millis(600);
    let (echoed, _) = echo_client_reading(port, "localhost", data.clone(), 32 * 1024, idle);
    assert!(echoed == data, "the echo after the idle time");
}

/// `--cert FILE --key FILE`: a PEM pair loads, a key of another certificate is refused
/// with both file names in the message.
#[test]
fn the_examples_load_a_pem_pair_and_refuse_a_mismatched_key() {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/keys/");
    let (cert, key) = (format!("{keys}p256.crt"), format!("{keys}p256.pk8.pem"));
    assert!(args::load_pem(&cert, &key).is_ok());
    let other = format!("{keys}ed25519.pk8.pem");
    let refused = args::load_pem(&cert, &other).expect_err("a mismatched key");
    assert!(
        refused.contains("p256.crt") && refused.contains("ed25519.pk8.pem"),
        "{refused}"
    );
}
