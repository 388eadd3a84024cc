//! A blocking [`TlsSocket`] used full duplex: [`TlsSocket::into_split`] gives a reader and a
//! writer that two threads use at once (one blocked reading while the other writes, as a
//! Node socket reads and writes independently).
//!
//! The design: the transport is split in two handles on the same connection (a cloned
//! `TcpStream` or `UnixStream`, see [`SplitTransport`]); the TLS state (one engine
//! connection: one record sequence each way) is shared behind a mutex. The reader holds
//! that lock only to feed and decrypt what it read, never while it blocks on the
//! transport, so a writer is never stuck behind a quiet peer. Records leave in the order
//! the engine made them: whoever takes records out of the engine takes the write handle's
//! lock before giving up the state's (the state lock is always taken first).

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::error::TlsError;
use crate::socket::{Listeners, TlsSocket};
use crate::socket_api::{TlsSocketApi, TlsState};
use crate::stream::Transport;

/// A transport that can be split in a reading and a writing handle on the same
/// connection.
pub trait SplitTransport: Transport + Sized {
    /// The handle [`TlsReader`] reads from (blocking reads).
    type Reader: Read + Send;
    /// The handle [`TlsWriter`] writes to.
    type Writer: Write + Send;

    /// The two handles (reads on the reader must block: no read timeout left set).
    fn split_transport(self) -> io::Result<(Self::Reader, Self::Writer)>;
}

impl SplitTransport for std::net::TcpStream {
    type Reader = Self;
    type Writer = Self;

    fn split_transport(self) -> io::Result<(Self, Self)> {
        self.set_read_timeout(None)?;
        let writer = self.try_clone()?;
        Ok((self, writer))
    }
}

#[cfg(unix)]
impl SplitTransport for std::os::unix::net::UnixStream {
    type Reader = Self;
    type Writer = Self;

    fn split_transport(self) -> io::Result<(Self, Self)> {
        self.set_read_timeout(None)?;
        let writer = self.try_clone()?;
        Ok((self, writer))
    }
}

/// The halves [`TlsSocket::into_split`] gives.
pub type Halves<T> = (
    TlsReader<<T as SplitTransport>::Reader, <T as SplitTransport>::Writer>,
    TlsWriter<<T as SplitTransport>::Writer>,
);

/// What the two halves share.
struct Core {
    tls: TlsState,
    listeners: Listeners,
    error: Option<TlsError>,
}

struct Shared<W> {
    core: Mutex<Core>,
    writer: Mutex<W>,
}

fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    // A half that panicked mid-call leaves the engine as consistent as any failure does:
    // its own sticky error, if any, is what the other half sees.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<W: Write> Shared<W> {
    /// Writes what the engine has queued, in order (see the module docs), then lets go of
    /// both locks.
    fn flush(&self, mut core: MutexGuard<'_, Core>) -> io::Result<()> {
        let mut out = Vec::new();
        core.tls.conn_mut().write_tls(&mut out);
        if out.is_empty() {
            return Ok(());
        }
        let mut w = lock(&self.writer);
        drop(core);
        w.write_all(&out)?;
        w.flush()
    }
}

/// The reading half of a split [`TlsSocket`]: `Read`, and the socket's getters.
pub struct TlsReader<R, W> {
    shared: Arc<Shared<W>>,
    io: R,
    /// Bytes read from the transport that the engine has not taken yet.
    pending: Vec<u8>,
    eof: bool,
}

/// The writing half of a split [`TlsSocket`]: `Write`, [`Self::end`], and the getters.
pub struct TlsWriter<W> {
    shared: Arc<Shared<W>>,
}

impl<R, W> core::fmt::Debug for TlsReader<R, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsReader").finish_non_exhaustive()
    }
}

impl<W> core::fmt::Debug for TlsWriter<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsWriter").finish_non_exhaustive()
    }
}

impl<T: SplitTransport> TlsSocket<T> {
    /// Completes the handshake, then splits the socket into a reader and a writer that
    /// may be used from two threads at once (see the [module docs](crate::split)).
    /// Listeners registered before keep being called (e.g. `session` for a TLS 1.3 ticket
    /// that arrives later), from whichever half processes the event.
    pub fn into_split(mut self) -> Result<Halves<T>, TlsError> {
        self.handshake()?;
        let TlsSocket {
            stream,
            tls,
            listeners,
            error,
            ..
        } = self;
        let (io, pending) = stream.into_parts();
        let (reader, writer) = io.split_transport()?;
        let shared = Arc::new(Shared {
            core: Mutex::new(Core {
                tls,
                listeners,
                error,
            }),
            writer: Mutex::new(writer),
        });
        Ok((
            TlsReader {
                shared: Arc::clone(&shared),
                io: reader,
                pending,
                eof: false,
            },
            TlsWriter { shared },
        ))
    }
}

/// How many bytes one read asks for: one maximal record and its header.
const READ_SIZE: usize = 16 * 1024 + 5;

impl<R: Read, W: Write> TlsReader<R, W> {
    /// Feeds what was read to the engine and hands out its events, under the state lock.
    fn feed(&mut self, core: &mut Core) -> Result<(), TlsError> {
        loop {
            let taken = core.tls.conn_mut().read_tls(&self.pending);
            self.pending.drain(..taken);
            let processed = core.tls.conn_mut().process(crate::stream::now());
            let mut failed = processed.map_err(|e| TlsError::from_engine(&e)).err();
            while let Some(event) = core.tls.conn_mut().poll_event() {
                let Core { listeners, tls, .. } = &mut *core;
                if let Err(e) = listeners.dispatch(event, tls) {
                    failed.get_or_insert(e);
                }
            }
            let eof = self.eof;
            core.tls.note_closed(eof);
            if let Some(e) = failed {
                core.tls.fail();
                return Err(core.error.get_or_insert(e).clone());
            }
            // Nothing taken: the plaintext buffer is full; the caller reads it first.
            if taken == 0 || self.pending.is_empty() {
                return Ok(());
            }
        }
    }
}

impl<R: Read, W: Write> Read for TlsReader<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let shared = Arc::clone(&self.shared);
        loop {
            let mut core = lock(&shared.core);
            let fed = match self.pending.is_empty() {
                true => Ok(()),
                false => self.feed(&mut core),
            };
            let n = core.tls.conn_mut().read_plaintext(buf);
            let closed = self.eof || core.tls.connection().peer_closed();
            let failed = core.error.clone();
            // Answers (a KeyUpdate, an alert) go out now, in order with the writer's records.
            let flushed = shared.flush(core);
            if n > 0 {
                return Ok(n);
            }
            fed?;
            if let Some(e) = failed {
                return Err(e.into());
            }
            if closed {
                return Ok(0);
            }
            flushed?;
            // Blocked here without the lock: the writer goes on.
            let mut chunk = [0u8; READ_SIZE];
            match self.io.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    lock(&shared.core).tls.note_closed(true);
                }
                Ok(n) => self
                    .pending
                    .extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl<W: Write> TlsWriter<W> {
    /// Node's `end()`: sends close_notify; the reader may go on reading.
    pub fn end(&mut self) -> Result<(), TlsError> {
        let mut core = lock(&self.shared.core);
        // (The reader marks the socket closed when the transport's EOF comes.)
        core.tls.end(false);
        Ok(self.shared.flush(core)?)
    }
}

impl<W: Write> Write for TlsWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut core = lock(&self.shared.core);
        if let Some(e) = &core.error {
            return Err(e.clone().into());
        }
        let n = core
            .tls
            .conn_mut()
            .send(buf)
            .map_err(|e| io::Error::from(TlsError::from_engine(&e)))?;
        self.shared.flush(core)?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        lock(&self.shared.writer).flush()
    }
}

impl<R, W> TlsSocketApi for TlsReader<R, W> {
    fn with_state<V>(&self, f: impl FnOnce(&TlsState) -> V) -> V {
        f(&lock(&self.shared.core).tls)
    }

    fn with_state_mut<V>(&mut self, f: impl FnOnce(&mut TlsState) -> V) -> V {
        f(&mut lock(&self.shared.core).tls)
    }
}

impl<W> TlsSocketApi for TlsWriter<W> {
    fn with_state<V>(&self, f: impl FnOnce(&TlsState) -> V) -> V {
        f(&lock(&self.shared.core).tls)
    }

    fn with_state_mut<V>(&mut self, f: impl FnOnce(&mut TlsState) -> V) -> V {
        f(&mut lock(&self.shared.core).tls)
    }
}
