//! The sans-IO engine driven directly on tokio, without the facade: one task per
//! connection, the loop of docs/engine.md with `.await` at the socket calls. Shared by the
//! `tokio_engine` example and its test (`tests/examples.rs`).
//!
//! - The handshake deadline (`poll_timeout`) bounds each read with `tokio::time::timeout`;
//!   when it fires, `handle_timeout` fails the handshake and its alert goes out.
//! - Connections start paused (`ServerConnection::new_paused`); on `Event::ClientHello`
//!   the task awaits the caller's asynchronous `select` and resumes with `accept`.
//! - Back-pressure comes free: a task awaits `write_all` before it reads again, so a peer
//!   that does not read stops being read.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sanstls::{Event, ServerConfig, ServerConnection, UnixTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Picks the configuration for a ClientHello's server name, asynchronously.
pub(crate) type Select = Arc<
    dyn Fn(Option<String>) -> Pin<Box<dyn Future<Output = Arc<ServerConfig>> + Send>> + Send + Sync,
>;

/// Accepts connections forever, one task each.
pub(crate) async fn run(
    listener: TcpListener,
    select: Select,
    handshake_timeout: Duration,
    now: fn() -> UnixTime,
) -> io::Result<()> {
    loop {
        let (sock, _) = listener.accept().await?;
        let select = Arc::clone(&select);
        tokio::spawn(async move {
            let _ = sock.set_nodelay(true);
            // Every way a connection ends is fine for the server: it just goes.
            let _ = serve(sock, select, handshake_timeout, now).await;
        });
    }
}

/// One connection: handshake, then echo until the peer closes.
async fn serve(
    mut sock: TcpStream,
    select: Select,
    handshake_timeout: Duration,
    now: fn() -> UnixTime,
) -> io::Result<()> {
    let mut tls = ServerConnection::new_paused(now(), handshake_timeout);
    let (mut out, mut buf, mut plain) =
        (Vec::new(), vec![0u8; 16 * 1024 + 5], vec![0u8; 16 * 1024]);
    loop {
        // Out first (the alert of a failure too), then stop if we are done.
        tls.write_tls(&mut out);
        if !out.is_empty() {
            sock.write_all(&out).await?;
            out.clear();
        }
        if tls.error().is_some() || (tls.peer_closed() && !tls.wants_write()) {
            return Ok(());
        }
        // In, bounded by the handshake deadline while there is one.
        let read = sock.read(&mut buf);
        let n = match tls.poll_timeout() {
            Some(deadline) => {
                match tokio::time::timeout(deadline.saturating_since(now()), read).await {
                    Ok(r) => r?,
                    Err(_) => {
                        tls.handle_timeout(now());
                        continue;
                    }
                }
            }
            None => read.await?,
        };
        if n == 0 {
            return Ok(());
        }
        let mut offered = &buf[..n];
        while !offered.is_empty() {
            let taken = tls.read_tls(offered);
            offered = &offered[taken..];
            if tls.process(now()).is_err() {
                break; // sticky: the loop's top sends the alert and returns
            }
            while let Some(event) = tls.poll_event() {
                match event {
                    Event::ClientHello(info) => {
                        let config = select(info.server_name).await;
                        // A failure is sticky: the loop's top sends its alert.
                        let _ = tls.accept(config, now());
                    }
                    Event::PeerClosed => tls.send_close_notify(),
                    _ => {}
                }
            }
            loop {
                let n = tls.read_plaintext(&mut plain);
                if n == 0 {
                    break;
                }
                if tls.send(&plain[..n]).is_err() {
                    break;
                }
            }
            // Echo as we go: the peer's next bytes may wait for ours.
            tls.write_tls(&mut out);
            if !out.is_empty() {
                sock.write_all(&out).await?;
                out.clear();
            }
            if taken == 0 && tls.error().is_none() && !tls.wants_read() {
                break; // cannot happen: we read every plaintext byte; never spin
            }
        }
    }
}
