//! `Server::serve_tokio`: a [`crate::Server`]'s accept loop on tokio, one task per
//! connection (Node's `server.listen()` with a `secureConnection` listener).

use std::future::Future;
use std::io;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

use super::TlsStream;
use crate::server::Server;

impl Server {
    /// Accepts on `listener` and gives each connection that completes its handshake to
    /// `handler` on its own task (failures go to `tlsClientError`). Connections count in
    /// `get_connections()` until their handler returns, and over `max_connections` a new
    /// one is closed at once, as with `listen`. The future does not
    /// borrow the server: spawn it, and drop or abort it to stop accepting (or call
    /// `close()`, seen at the next connection); it ends with the listener's error, if
    /// one comes.
    pub fn serve_tokio<F, Fut>(
        &self,
        listener: TcpListener,
        handler: F,
    ) -> impl Future<Output = io::Result<()>> + Send + 'static
    where
        F: Fn(TlsStream<TcpStream>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let acceptor = self.acceptor();
        let handler = Arc::new(handler);
        async move {
            loop {
                let (tcp, _) = listener.accept().await?;
                if acceptor.closing() {
                    return Ok(());
                }
                // Node's maxConnections: over it, the connection is closed at once.
                let Some(entered) = acceptor.enter() else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let (acceptor, handler) = (acceptor.clone(), Arc::clone(&handler));
                tokio::spawn(async move {
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        handler(stream).await;
                    }
                    drop(entered);
                });
            }
        }
    }
}
