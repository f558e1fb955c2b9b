//! Bounded, adaptive busy-polling before a thread sleeps.
//!
//! Waking a sleeping thread costs tens of microseconds on a virtual
//! machine (the idle vCPU halts and needs an interrupt to resume), and a
//! request-reply roundtrip pays such wake-ups on every hop. So a thread
//! about to sleep first polls without blocking for up to `max`: an event
//! that comes within that window finds it running. Two places do this:
//! - the I/O thread's reactor, before `epoll_wait` blocks (a reply that
//!   the application sends right after a request arrived finds the I/O
//!   thread awake);
//! - a socket whose peers are all inproc, before it sleeps in a blocking
//!   send or receive (the peer is another application thread, and the
//!   I/O threads are idle, so the two threads can hand messages over
//!   without a wake-up). Sockets with network peers do not spin: their
//!   messages come through an I/O thread, and a third spinning thread on
//!   a 2-core machine slowed roundtrips down.
//!
//! Spinning only pays when events come close together, so it adapts: a
//! spin that finds nothing turns spinning off, and it comes back on only
//! when a blocking wait ends with an event within `max` (the spin would
//! have caught it). A peer quiet for longer than `max` between messages
//! costs one failed spin, not one per message.
//!
//! The window is [`DEFAULT_MAX`], or `ZMQ_IO_SPIN_US` microseconds from
//! the environment (read once per process; `0` turns spinning off).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Default spin window: covers an application thread's wake-up and reply
/// on the machines measured (see `docs/performance.md`).
pub const DEFAULT_MAX: Duration = Duration::from_micros(50);

/// A yield that kept the thread off the CPU this long means other threads
/// wanted the core: spinning stops (until a quick wake-up turns it back
/// on).
pub const CONTENDED_YIELD: Duration = Duration::from_micros(20);

/// The environment variable overriding [`DEFAULT_MAX`], in microseconds.
pub const ENV_VAR: &str = "ZMQ_IO_SPIN_US";

/// The process-wide spin window.
pub fn configured_max() -> Duration {
    static MAX: OnceLock<Duration> = OnceLock::new();
    *MAX.get_or_init(|| parse_env(std::env::var(ENV_VAR).ok().as_deref()))
}

fn parse_env(value: Option<&str>) -> Duration {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_MAX, |us| Duration::from_micros(us.min(10_000)))
}

/// Whether the next wait spins, and for how long at most.
#[derive(Debug, Clone)]
pub struct SpinPolicy {
    max: Duration,
    spinning: bool,
}

impl SpinPolicy {
    /// A policy spinning up to `max` (`Duration::ZERO`: never).
    pub fn new(max: Duration) -> SpinPolicy {
        SpinPolicy {
            max,
            spinning: !max.is_zero(),
        }
    }

    /// How long the next wait may spin before it blocks (`None`: it
    /// blocks at once).
    pub fn budget(&self) -> Option<Duration> {
        self.spinning.then_some(self.max)
    }

    /// Whether a blocking wait should be timed (so that its outcome can
    /// turn spinning back on).
    pub fn wants_timing(&self) -> bool {
        !self.spinning && !self.max.is_zero()
    }

    /// A spin found nothing within its budget: stop spinning.
    pub fn spin_failed(&mut self) {
        self.spinning = false;
    }

    /// A blocking wait started at `started` returned; `woke` tells whether
    /// it brought events (rather than a timeout).
    pub fn blocked(&mut self, started: Instant, woke: bool) {
        if woke && !self.max.is_zero() && started.elapsed() <= self.max {
            self.spinning = true;
        }
    }
}

/// Polls `ready` until it answers true or `budget` has passed since
/// `started`; returns its last answer. Between rounds of polls it yields
/// the CPU, so that on a busy machine the thread it waits for (often
/// queued on this very core) gets to run.
pub fn spin_until(started: Instant, budget: Duration, mut ready: impl FnMut() -> bool) -> bool {
    loop {
        for _ in 0..64 {
            if ready() {
                return true;
            }
            std::hint::spin_loop();
        }
        if started.elapsed() >= budget {
            return ready();
        }
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_value_is_microseconds_and_capped() {
        assert_eq!(parse_env(None), DEFAULT_MAX);
        assert_eq!(parse_env(Some("0")), Duration::ZERO);
        assert_eq!(parse_env(Some(" 20 ")), Duration::from_micros(20));
        assert_eq!(parse_env(Some("junk")), DEFAULT_MAX);
        assert_eq!(parse_env(Some("99999999")), Duration::from_millis(10));
    }

    #[test]
    fn a_failed_spin_stops_spinning_until_a_quick_wake_up() {
        let mut policy = SpinPolicy::new(Duration::from_secs(1));
        assert_eq!(policy.budget(), Some(Duration::from_secs(1)));
        assert!(!policy.wants_timing());
        policy.spin_failed();
        assert_eq!(policy.budget(), None);
        assert!(policy.wants_timing());
        // A timeout with no events keeps it off.
        policy.blocked(Instant::now(), false);
        assert_eq!(policy.budget(), None);
        // Events within the window turn it back on.
        policy.blocked(Instant::now(), true);
        assert_eq!(policy.budget(), Some(Duration::from_secs(1)));
    }

    #[test]
    fn a_slow_wake_up_keeps_spinning_off() {
        let mut policy = SpinPolicy::new(Duration::from_nanos(1));
        policy.spin_failed();
        let started = Instant::now() - Duration::from_millis(5);
        policy.blocked(started, true);
        assert_eq!(policy.budget(), None);
    }

    #[test]
    fn spin_until_stops_at_the_budget_or_when_ready() {
        let started = Instant::now();
        assert!(!spin_until(started, Duration::from_micros(50), || false));
        assert!(started.elapsed() >= Duration::from_micros(50));
        let mut calls = 0;
        assert!(spin_until(Instant::now(), Duration::from_secs(60), || {
            calls += 1;
            calls == 3
        }));
    }

    #[test]
    fn zero_never_spins() {
        let mut policy = SpinPolicy::new(Duration::ZERO);
        assert_eq!(policy.budget(), None);
        assert!(!policy.wants_timing());
        policy.blocked(Instant::now(), true);
        assert_eq!(policy.budget(), None);
    }
}
