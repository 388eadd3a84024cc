//! Time, as the caller tells it.
//!
//! The engine never reads a clock. Every call that needs the time takes a [`UnixTime`]: the
//! handshake deadline, ticket lifetimes and ages, and certificate validity are all measured
//! against what the caller passes, so tests (and vector replays) control time exactly.

use core::fmt;
use core::time::Duration;

/// Wall-clock time in milliseconds since the Unix epoch, supplied by the caller.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(pub u64);

impl UnixTime {
    /// From milliseconds since the epoch.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// From whole seconds since the epoch.
    pub const fn from_secs(s: u64) -> Self {
        Self(s.saturating_mul(1000))
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    /// `self + d`, saturating.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        )
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: UnixTime) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl fmt::Debug for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnixTime({}.{:03})", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let t = UnixTime::from_secs(10);
        assert_eq!(t.as_millis(), 10_000);
        assert_eq!(
            t.saturating_add(Duration::from_millis(5)).as_millis(),
            10_005
        );
        assert_eq!(
            UnixTime(u64::MAX).saturating_add(Duration::from_secs(1)),
            UnixTime(u64::MAX)
        );
        assert_eq!(t.saturating_since(UnixTime::from_secs(12)), Duration::ZERO);
        assert_eq!(
            UnixTime::from_secs(12).saturating_since(t),
            Duration::from_secs(2)
        );
    }
}
