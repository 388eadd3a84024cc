//! Node's callback argument (`cb(null, value)` or `cb(err)`) for the server's hooks, made once for both
//! drivers: [`Answer`] is the handle the application calls, from any thread and possibly
//! much later; [`Pending`] is the future the connection waits on.
//!
//! The hooks (`SNICallback`, `resumeSession`, `OCSPRequest`) are futures so that nothing
//! blocks while the application looks something up: the tokio driver awaits them with the
//! handshake paused (a worker thread stays free for the task that answers, even on a
//! single-threaded runtime), and the blocking socket waits for them on its own thread,
//! bounded by the handshake deadline.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Wake;

use sanstls::UnixTime;

use crate::error::TlsError;

/// What a hook returns: the answer, once the application gives it.
pub type HookFuture<V> = Pin<Box<dyn Future<Output = V> + Send>>;

struct Slot<V> {
    value: Option<Result<V, TlsError>>,
    /// Answered, or the handle was dropped unanswered.
    done: bool,
    waker: Option<Waker>,
}

type Shared<V> = Arc<Mutex<Slot<V>>>;

fn lock<V>(slot: &Shared<V>) -> std::sync::MutexGuard<'_, Slot<V>> {
    // A panic in another holder cannot leave the slot half-written: take it as it is.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A completion handle: Node's callback argument, callable once from any thread, possibly
/// later. The connection waits for it (at most until its handshake deadline); dropping it
/// unanswered answers `None` (the default, as when Node's callback gets no value).
pub struct Answer<V> {
    slot: Shared<V>,
}

impl<V> core::fmt::Debug for Answer<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Answer").finish_non_exhaustive()
    }
}

impl<V> Answer<V> {
    /// Answers; the handshake goes on with `value`.
    pub fn answer(self, value: V) {
        lock(&self.slot).value = Some(Ok(value));
        // Drop marks it done and wakes the connection.
    }

    /// Node's `cb(err)`: the connection is destroyed with `error` (no alert is sent; the
    /// server's `tlsClientError` gets `error`, the client sees the connection close).
    pub fn fail(self, error: TlsError) {
        lock(&self.slot).value = Some(Err(error));
    }
}

impl<V> Drop for Answer<V> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = lock(&self.slot);
            slot.done = true;
            slot.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The connection's side of an [`Answer`]: `Ok(Some(value))`, `Ok(None)` if the handle was
/// dropped unanswered, `Err` if it failed.
pub struct Pending<V> {
    slot: Shared<V>,
}

impl<V> core::fmt::Debug for Pending<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pending").finish_non_exhaustive()
    }
}

impl<V> Future for Pending<V> {
    type Output = Result<Option<V>, TlsError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = lock(&self.slot);
        if let Some(v) = slot.value.take() {
            return Poll::Ready(v.map(Some));
        }
        if slot.done {
            return Poll::Ready(Ok(None));
        }
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// A fresh handle and the future it completes.
pub fn channel<V>() -> (Answer<V>, Pending<V>) {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        done: false,
        waker: None,
    }));
    (
        Answer {
            slot: Arc::clone(&slot),
        },
        Pending { slot },
    )
}

/// Calls `f` with a fresh [`Answer`] and returns the future of its answer.
pub fn ask<V>(f: impl FnOnce(Answer<V>)) -> Pending<V> {
    let (answer, pending) = channel();
    f(answer);
    pending
}

/// Wakes the thread blocked in [`block_on`].
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `fut` on this thread until it completes or `deadline` passes (`None`: the deadline
/// passed first). The blocking socket's way to wait for a hook.
pub(crate) fn block_on<F: Future>(fut: F, deadline: Option<UnixTime>) -> Option<F::Output> {
    let mut fut = core::pin::pin!(fut);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        match deadline {
            Some(d) => {
                let left = d.saturating_since(crate::stream::now());
                if left.is_zero() {
                    return None;
                }
                // A spurious wake-up only polls again.
                std::thread::park_timeout(left);
            }
            None => std::thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_from_another_thread_completes_the_wait() {
        let pending = ask(|answer: Answer<u32>| {
            std::thread::spawn(move || {
                std::thread::sleep(core::time::Duration::from_millis(20));
                answer.answer(7);
            });
        });
        let deadline = crate::stream::now().saturating_add(core::time::Duration::from_secs(10));
        assert_eq!(block_on(pending, Some(deadline)), Some(Ok(Some(7))));
    }

    #[test]
    fn a_dropped_handle_answers_none() {
        let pending = ask(|answer: Answer<u32>| drop(answer));
        assert_eq!(block_on(pending, None), Some(Ok(None)));
    }

    #[test]
    fn a_failed_answer_is_the_error() {
        let pending = ask(|answer: Answer<u32>| answer.fail(TlsError::new("E_TEST", "no")));
        let got = block_on(pending, None).expect("answered");
        assert_eq!(got.map_err(|e| e.code), Err("E_TEST".to_string()));
    }

    #[test]
    fn the_deadline_ends_the_wait() {
        let (_answer, pending) = channel::<u32>();
        let deadline = crate::stream::now().saturating_add(core::time::Duration::from_millis(30));
        assert_eq!(block_on(pending, Some(deadline)), None);
    }
}
