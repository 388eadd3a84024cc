//! [`TlsStream::into_split`]: a reader and a writer for two tasks.
//!
//! Why not `tokio::io::split`: both halves drive one engine, and a read may have to write
//! (a KeyUpdate answer, an alert) while a write may have to read (the rest of a handshake).
//! The transport keeps one waker per direction, so under `tokio::io::split` a half that
//! polls the other direction replaces the other half's waker there, and that half never
//! wakes. Here the halves share the stream behind a mutex (held only for one poll, never
//! across an await), and every poll of the stream runs with a waker that wakes both
//! halves: a wake-up meant for either reaches both, and a half woken for nothing polls
//! once more and waits again.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::TlsStream;
use crate::socket_api::{TlsSocketApi, TlsState};

/// The wakers of both halves; waking it wakes both.
#[derive(Default)]
struct Both {
    halves: Mutex<[Option<Waker>; 2]>,
}

impl Both {
    fn slots(&self) -> MutexGuard<'_, [Option<Waker>; 2]> {
        self.halves.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Wake for Both {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let woken: Vec<Waker> = self.slots().iter_mut().filter_map(Option::take).collect();
        for w in woken {
            w.wake();
        }
    }
}

struct Shared<T> {
    stream: Mutex<TlsStream<T>>,
    wakers: Arc<Both>,
}

impl<T> Shared<T> {
    /// Runs `f` on the stream with a context whose waker wakes both halves, `half`'s
    /// own waker registered first.
    fn poll<R>(
        &self,
        half: usize,
        cx: &mut Context<'_>,
        f: impl FnOnce(Pin<&mut TlsStream<T>>, &mut Context<'_>) -> R,
    ) -> R
    where
        T: Unpin,
    {
        if let Some(slot) = self.wakers.slots().get_mut(half) {
            match slot {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        }
        let waker = Waker::from(Arc::clone(&self.wakers));
        let mut both = Context::from_waker(&waker);
        let mut stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        f(Pin::new(&mut *stream), &mut both)
    }

    fn state<R>(&self, f: impl FnOnce(&mut TlsStream<T>) -> R) -> R {
        f(&mut self.stream.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The reading half of a [`TlsStream`] (see [`TlsStream::into_split`]).
pub struct ReadHalf<T> {
    shared: Arc<Shared<T>>,
}

/// The writing half of a [`TlsStream`] (see [`TlsStream::into_split`]).
pub struct WriteHalf<T> {
    shared: Arc<Shared<T>>,
}

impl<T> core::fmt::Debug for ReadHalf<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReadHalf").finish_non_exhaustive()
    }
}

impl<T> core::fmt::Debug for WriteHalf<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WriteHalf").finish_non_exhaustive()
    }
}

const READER: usize = 0;
const WRITER: usize = 1;

impl<T: AsyncRead + AsyncWrite + Unpin> TlsStream<T> {
    /// Splits the stream into a reader and a writer that two tasks use at once. Not
    /// `tokio::io::split`: both halves drive one engine, and a half polling the other
    /// direction would replace the other half's waker on the transport; here every poll
    /// runs with a waker that wakes both halves. Either half may
    /// drive a handshake that has not completed. [`ReadHalf::unsplit`] puts them back.
    pub fn into_split(self) -> (ReadHalf<T>, WriteHalf<T>) {
        let shared = Arc::new(Shared {
            stream: Mutex::new(self),
            wakers: Arc::new(Both::default()),
        });
        (
            ReadHalf {
                shared: Arc::clone(&shared),
            },
            WriteHalf { shared },
        )
    }
}

impl<T> ReadHalf<T> {
    /// The stream again, from the two halves of one split (`None`, giving them back,
    /// when they are not).
    pub fn unsplit(self, writer: WriteHalf<T>) -> Result<TlsStream<T>, (Self, WriteHalf<T>)> {
        if !Arc::ptr_eq(&self.shared, &writer.shared) {
            return Err((self, writer));
        }
        drop(writer);
        match Arc::try_unwrap(self.shared) {
            Ok(shared) => Ok(shared
                .stream
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner)),
            // Unreachable: both handles were just checked to be the only two.
            Err(shared) => Err((
                Self {
                    shared: Arc::clone(&shared),
                },
                WriteHalf { shared },
            )),
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for ReadHalf<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.shared
            .poll(READER, cx, |s, cx| AsyncRead::poll_read(s, cx, buf))
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for WriteHalf<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.shared
            .poll(WRITER, cx, |s, cx| AsyncWrite::poll_write(s, cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shared.poll(WRITER, cx, AsyncWrite::poll_flush)
    }

    /// Sends close_notify and shuts the transport's write side; the reader goes on.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shared.poll(WRITER, cx, AsyncWrite::poll_shutdown)
    }
}

impl<T> TlsSocketApi for ReadHalf<T> {
    fn with_state<R>(&self, f: impl FnOnce(&TlsState) -> R) -> R {
        self.shared.state(|s| f(&s.tls))
    }

    fn with_state_mut<R>(&mut self, f: impl FnOnce(&mut TlsState) -> R) -> R {
        self.shared.state(|s| f(&mut s.tls))
    }
}

impl<T> TlsSocketApi for WriteHalf<T> {
    fn with_state<R>(&self, f: impl FnOnce(&TlsState) -> R) -> R {
        self.shared.state(|s| f(&s.tls))
    }

    fn with_state_mut<R>(&mut self, f: impl FnOnce(&mut TlsState) -> R) -> R {
        self.shared.state(|s| f(&mut s.tls))
    }
}
