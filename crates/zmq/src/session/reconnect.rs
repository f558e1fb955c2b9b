//! `ReconnectBackoff`: how long a connecter waits before its next attempt
//! (`ZMQ_RECONNECT_IVL`, `ZMQ_RECONNECT_IVL_MAX`), as libzmq 4.3 computes it.
//!
//! Each wait is the current interval plus a random jitter below
//! `ZMQ_RECONNECT_IVL`. The current interval starts at `ZMQ_RECONNECT_IVL`
//! and, when `ZMQ_RECONNECT_IVL_MAX` is above it, doubles after every
//! attempt up to the maximum. A successful connect starts over. A negative
//! or zero interval never reconnects (libzmq sets no timer then).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Reconnect intervals of one connecter.
#[derive(Debug, Clone)]
pub(super) struct ReconnectBackoff {
    ivl: i32,
    max: i32,
    current: i32,
    rng: u64,
}

impl ReconnectBackoff {
    /// Intervals for `ZMQ_RECONNECT_IVL` = `ivl` and `ZMQ_RECONNECT_IVL_MAX`
    /// = `max` (ms).
    pub(super) fn new(ivl: i32, max: i32) -> ReconnectBackoff {
        let seed = RandomState::new().build_hasher().finish() | 1;
        ReconnectBackoff {
            ivl,
            max,
            current: ivl,
            rng: seed,
        }
    }

    /// The wait before the next attempt; `None` when reconnection is off.
    pub(super) fn next_delay(&mut self) -> Option<Duration> {
        if self.ivl <= 0 {
            return None;
        }
        let jitter = (self.next_random() % self.ivl as u64) as i32;
        let interval = self.current.saturating_add(jitter);
        if self.max > self.ivl {
            self.current = self.current.saturating_mul(2).min(self.max);
        }
        Some(Duration::from_millis(interval as u64))
    }

    /// A connect succeeded: the next wait starts from `ZMQ_RECONNECT_IVL`.
    pub(super) fn reset(&mut self) {
        self.current = self.ivl;
    }

    /// xorshift64: cheap, and jitter needs no more.
    fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(d: Option<Duration>) -> u64 {
        d.map(|d| d.as_millis() as u64).unwrap_or(u64::MAX)
    }

    #[test]
    fn off_when_negative_or_zero() {
        assert_eq!(ReconnectBackoff::new(-1, 0).next_delay(), None);
        assert_eq!(ReconnectBackoff::new(0, 1000).next_delay(), None);
    }

    #[test]
    fn constant_without_a_larger_max() {
        let mut backoff = ReconnectBackoff::new(100, 0);
        for _ in 0..20 {
            let wait = ms(backoff.next_delay());
            assert!((100..200).contains(&wait), "{wait}");
        }
        let mut backoff = ReconnectBackoff::new(100, 50);
        assert!(ms(backoff.next_delay()) < 200);
        assert!(ms(backoff.next_delay()) < 200);
    }

    #[test]
    fn doubles_up_to_max_then_resets() {
        let mut backoff = ReconnectBackoff::new(100, 700);
        let lows: Vec<u64> = (0..6).map(|_| ms(backoff.next_delay())).collect();
        let bases = [100, 200, 400, 700, 700, 700];
        for (wait, base) in lows.iter().zip(bases) {
            assert!((base..base + 100).contains(wait), "{lows:?}");
        }
        backoff.reset();
        assert!(ms(backoff.next_delay()) < 200);
    }

    #[test]
    fn huge_values_saturate() {
        let mut backoff = ReconnectBackoff::new(i32::MAX, i32::MAX);
        for _ in 0..4 {
            assert!(backoff.next_delay().is_some());
        }
    }
}
