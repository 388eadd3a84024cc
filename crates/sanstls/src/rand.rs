//! The injected random source.
//!
//! The engine never reaches for global randomness: every random byte it puts on the wire or
//! into a key (hello randoms, session ids, key shares, ticket nonces and age_add, ticket
//! encryption nonces) is drawn from the [`RandomSource`] in its configuration. Production
//! configurations use [`SystemRandom`] (the operating system's generator, through ring); tests
//! use [`ReplayRandom`], which hands out a recorded pool, so that a handshake replays a trace
//! byte for byte.

use crate::prelude::*;
use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};

/// The random source could not produce bytes (the OS generator failed, or a replay pool ran
/// out). Always fatal for the operation that asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GetRandomFailed;

impl fmt::Display for GetRandomFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the random source failed")
    }
}

impl core::error::Error for GetRandomFailed {}

/// A source of cryptographically secure random bytes, shared by every connection of a
/// configuration (hence `&self` and `Send + Sync`).
pub trait RandomSource: Send + Sync + fmt::Debug {
    /// Fills `buf` entirely, or fails.
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed>;

    /// ring's generator, if this source *is* the operating system's: ephemeral (EC)DHE keys
    /// are then generated inside ring, from the same OS generator, which is what rustls does
    /// and faster than making them from drawn bytes (see `crypto::kx`). Every other source
    /// keeps the default `None`, and keys are made from its bytes, so a replayed handshake
    /// stays byte for byte reproducible.
    fn as_ring(&self) -> Option<&ring::rand::SystemRandom> {
        None
    }
}

/// The operating system's generator (ring's `SystemRandom`).
#[derive(Debug)]
pub struct SystemRandom(ring::rand::SystemRandom);

impl Default for SystemRandom {
    fn default() -> Self {
        Self::new()
    }
}

impl SystemRandom {
    /// The OS generator.
    pub fn new() -> Self {
        Self(ring::rand::SystemRandom::new())
    }
}

impl RandomSource for SystemRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        ring::rand::SecureRandom::fill(&self.0, buf).map_err(|_| GetRandomFailed)
    }

    fn as_ring(&self) -> Option<&ring::rand::SystemRandom> {
        Some(&self.0)
    }
}

/// Replays a fixed pool of bytes in order, then fails: for tests and vector replay only.
///
/// Never use it for real connections: its output is whatever the pool says.
pub struct ReplayRandom {
    pool: Vec<u8>,
    /// How many bytes of `pool` are handed out. An atomic rather than a lock, so the type
    /// builds without std: each fill claims its range with one compare-and-swap, and the
    /// pool itself never changes.
    used: AtomicUsize,
}

impl ReplayRandom {
    /// A source that returns `pool`'s bytes in order.
    pub fn new(pool: impl Into<Vec<u8>>) -> Self {
        Self {
            pool: pool.into(),
            used: AtomicUsize::new(0),
        }
    }

    /// How many bytes of the pool are left.
    pub fn remaining(&self) -> usize {
        self.pool.len() - self.used.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for ReplayRandom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplayRandom({} bytes left)", self.remaining())
    }
}

impl RandomSource for ReplayRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        // Claims `buf.len()` bytes, or nothing when fewer are left.
        let start = self
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                let end = used.checked_add(buf.len())?;
                (end <= self.pool.len()).then_some(end)
            })
            .map_err(|_| GetRandomFailed)?;
        buf.copy_from_slice(&self.pool[start..start + buf.len()]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_hands_out_the_pool_in_order_then_fails() {
        let r = ReplayRandom::new(vec![1, 2, 3, 4, 5]);
        let mut a = [0u8; 2];
        r.fill(&mut a).unwrap();
        assert_eq!(a, [1, 2]);
        let mut b = [0u8; 3];
        r.fill(&mut b).unwrap();
        assert_eq!(b, [3, 4, 5]);
        assert_eq!(r.fill(&mut [0u8; 1]), Err(GetRandomFailed));
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn a_failed_fill_consumes_nothing() {
        let r = ReplayRandom::new(vec![9; 4]);
        assert_eq!(r.fill(&mut [0u8; 5]), Err(GetRandomFailed));
        assert_eq!(r.remaining(), 4);
    }

    /// Fills from several threads at once claim disjoint parts of the pool (the atomic
    /// that replaced the Mutex): every byte is handed out exactly once.
    #[test]
    fn concurrent_fills_share_the_pool_out_exactly_once() {
        let pool: Vec<u8> = (0..=255).collect();
        let r = ReplayRandom::new(pool.clone());
        let mut got: Vec<u8> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        let mut b = [0u8; 8];
                        while r.fill(&mut b).is_ok() {
                            mine.extend_from_slice(&b);
                        }
                        mine
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        got.sort();
        assert_eq!(got, pool);
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn system_random_fills() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        SystemRandom::new().fill(&mut a).unwrap();
        SystemRandom::new().fill(&mut b).unwrap();
        assert_ne!(a, b, "two 256-bit draws collided");
    }
}
