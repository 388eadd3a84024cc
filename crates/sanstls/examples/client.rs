//! A blocking HTTPS GET with the sans-IO client: the driving loop of docs/engine.md.
//!
//! ```sh
//! openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=test-ca \
//!     -keyout ca.key -out ca.pem
//! openssl req -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=localhost \
//!     -keyout key.pem -out req.pem
//! printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n' > ext.cnf
//! openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key -days 30 -extfile ext.cnf -out cert.pem
//! openssl s_server -tls1_3 -www -accept 4433 -cert cert.pem -key key.pem &
//! openssl x509 -in ca.pem -outform DER -out ca.der
//! cargo run -p sanstls --example client -- localhost 4433 ca.der
//! ```
//!
//! The server is verified under the strict policy (`StrictServerVerifier`: RFC 5280 and
//! the CA/Browser Forum rules, names from the subjectAltName only), so the CA is a CA and
//! the server's certificate an end entity with its name in the subjectAltName.

// An application reads the clock; the engine does not.
#![allow(clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::sync::Arc;

use sanstls::{ClientConfig, ClientConnection, Event, UnixTime};

fn now() -> UnixTime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UnixTime::from_millis(d.as_millis() as u64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, host, port, root] = args.as_slice() else {
        return Err("usage: client HOST PORT CA_CERT.der".into());
    };
    let verifier = sanstls_pki::tls::StrictServerVerifier::with_roots(vec![std::fs::read(root)?])?;
    let config = Arc::new(ClientConfig::new(Arc::new(verifier)));

    let mut sock = std::net::TcpStream::connect((host.as_str(), port.parse::<u16>()?))?;
    let mut conn = ClientConnection::new(config, host, now())?;
    conn.send(b"GET / HTTP/1.0\r\n\r\n")?;
    let (mut out, mut inbuf, mut body) = (Vec::new(), [0u8; 16384], Vec::new());
    loop {
        conn.write_tls(&mut out);
        sock.write_all(&out)?;
        out.clear();
        while let Some(event) = conn.poll_event() {
            match event {
                Event::HandshakeComplete => {
                    let n = conn.negotiated();
                    eprintln!("connected: {:?} {:?}", n.cipher_suite, n.group);
                }
                Event::PlaintextReady => read_all(&mut conn, &mut body),
                _ => {}
            }
        }
        if conn.peer_closed() {
            break;
        }
        let n = sock.read(&mut inbuf)?;
        if n == 0 {
            break;
        }
        let mut offered = &inbuf[..n];
        while !offered.is_empty() {
            // read_tls takes what fits (a record at a time, nothing while unread plaintext
            // fills its buffer); bytes after close_notify or a failure it takes and drops.
            let taken = conn.read_tls(offered);
            offered = &offered[taken..];
            if let Err(e) = conn.process(now()) {
                conn.write_tls(&mut out);
                let _ = sock.write_all(&out);
                return Err(e.into());
            }
            // Reading the plaintext makes room for the rest: this loop cannot spin.
            read_all(&mut conn, &mut body);
        }
    }
    print!("{}", String::from_utf8_lossy(&body));
    Ok(())
}

fn read_all(conn: &mut ClientConnection, body: &mut Vec<u8>) {
    let mut buf = [0u8; 4096];
    loop {
        let n = conn.read_plaintext(&mut buf);
        if n == 0 {
            return;
        }
        body.extend_from_slice(&buf[..n]);
    }
}
