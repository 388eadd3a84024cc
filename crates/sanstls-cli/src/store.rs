//! `sanstls server --session-store redis://HOST:PORT`: TLS 1.2 sessions kept in Redis, so
//! every server of a fleet resumes them by session id (Node's `newSession` /
//! `resumeSession` listeners). The engine emits `Event::NewSession` with the session's
//! state and pauses on `Event::ResumeSession` until `ServerConnection::session_found`.
//!
//! Each session is one key, `sanstls:session:<id in hex>`, holding the engine's opaque
//! state (which includes the master secret: protect the Redis server accordingly), with
//! the session timeout as its expiry. Redis is asked over a new connection each time, with
//! a one-second timeout; when it cannot answer, the session is simply not stored or not
//! found (a full handshake) and the outage is logged once, until Redis answers again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long one Redis request may take before the handshake goes on without it.
const TIMEOUT: Duration = Duration::from_secs(1);

/// The Redis session store.
pub(crate) struct SessionStore {
    url: String,
    client: redis::Client,
    lifetime: Duration,
    /// Whether the last request failed (the outage is logged once).
    down: AtomicBool,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn key(id: &[u8]) -> String {
    format!("sanstls:session:{}", hex::encode(id))
}

impl SessionStore {
    /// A store at `url` (`redis://HOST:PORT[/DB]`); sessions expire after `lifetime`.
    /// Redis is not contacted here: a server starts while Redis is down.
    pub(crate) fn open(url: &str, lifetime: Duration) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("--session-store {url}: {e}"))?;
        Ok(Self {
            url: url.to_string(),
            client,
            lifetime,
            down: AtomicBool::new(false),
        })
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        let con = self.client.get_connection_with_timeout(TIMEOUT)?;
        con.set_read_timeout(Some(TIMEOUT))?;
        con.set_write_timeout(Some(TIMEOUT))?;
        Ok(con)
    }

    /// Notes how a request went; the line to log when Redis went down or came back.
    fn outcome<T>(&self, r: redis::RedisResult<T>) -> (Option<T>, Option<String>) {
        match r {
            Ok(v) => {
                let line = self
                    .down
                    .swap(false, Ordering::SeqCst)
                    .then(|| format!("session store {}: available again", self.url));
                (Some(v), line)
            }
            Err(e) => {
                let line = (!self.down.swap(true, Ordering::SeqCst)).then(|| {
                    format!(
                        "session store {} unavailable ({e}): TLS 1.2 sessions are not \
                         shared until it answers (full handshakes)",
                        self.url
                    )
                });
                (None, line)
            }
        }
    }

    /// Stores a new session (`Event::NewSession`); returns a line to log, if any.
    pub(crate) fn put(&self, id: &[u8], data: &[u8]) -> Option<String> {
        let secs = self.lifetime.as_secs().max(1);
        let r = self.connection().and_then(|mut con| {
            redis::cmd("SET")
                .arg(key(id))
                .arg(data)
                .arg("EX")
                .arg(secs)
                .query::<()>(&mut con)
        });
        self.outcome(r).1
    }

    /// Looks a session up (`Event::ResumeSession`): its state, or `None` (unknown, or
    /// Redis unavailable), and a line to log, if any.
    pub(crate) fn get(&self, id: &[u8]) -> (Option<Vec<u8>>, Option<String>) {
        let r = self.connection().and_then(|mut con| {
            redis::cmd("GET")
                .arg(key(id))
                .query::<Option<Vec<u8>>>(&mut con)
        });
        let (found, line) = self.outcome(r);
        (found.flatten(), line)
    }
}
