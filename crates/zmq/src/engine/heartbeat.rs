//! Heartbeat timers (RFC 37, libzmq 4.3 `stream_engine_base_t`):
//! - every `ivl` we send PING (with our TTL); when a PING is written (not
//!   when it is queued: a large message ahead of it does not count) and
//!   no timeout is armed, we arm one for `timeout` (default `ivl`);
//! - any received byte disarms the timeout and the remote TTL;
//! - a received PING with TTL > 0 arms the remote TTL if not armed.
//!
//! Expiry of either armed deadline closes the connection.

use std::time::{Duration, Instant};

/// One connection's heartbeat state.
#[derive(Debug, Default)]
pub(crate) struct Heartbeat {
    ivl: Duration,
    timeout: Duration,
    ttl_deciseconds: u16,
    next_ping: Option<Instant>,
    timeout_at: Option<Instant>,
    remote_ttl_at: Option<Instant>,
}

impl Heartbeat {
    /// Heartbeats off until [`Heartbeat::start`].
    pub(crate) fn new(ivl: Duration, ttl: Duration, timeout: Option<Duration>) -> Heartbeat {
        let ttl_deciseconds = u16::try_from(ttl.as_millis() / 100).unwrap_or(u16::MAX);
        Heartbeat {
            ivl,
            timeout: timeout.unwrap_or(ivl),
            ttl_deciseconds,
            ..Heartbeat::default()
        }
    }

    /// Starts sending PINGs (after the handshake).
    pub(crate) fn start(&mut self, now: Instant) {
        if !self.ivl.is_zero() {
            self.next_ping = now.checked_add(self.ivl);
        }
    }

    /// Stops every timer.
    pub(crate) fn stop(&mut self) {
        self.next_ping = None;
        self.timeout_at = None;
        self.remote_ttl_at = None;
    }

    /// Bytes arrived.
    pub(crate) fn on_activity(&mut self) {
        self.timeout_at = None;
        self.remote_ttl_at = None;
    }

    /// A PING with this TTL arrived.
    pub(crate) fn on_ping(&mut self, ttl_deciseconds: u16, now: Instant) {
        if ttl_deciseconds > 0 && self.remote_ttl_at.is_none() {
            let ttl = Duration::from_millis(u64::from(ttl_deciseconds) * 100);
            self.remote_ttl_at = now.checked_add(ttl);
        }
    }

    /// Whether a PING is due; if so, schedules the next. Returns the TTL
    /// to put in it.
    pub(crate) fn ping_due(&mut self, now: Instant) -> Option<u16> {
        let due = self.next_ping.filter(|t| *t <= now)?;
        self.next_ping = due.checked_add(self.ivl).map(|t| t.max(now));
        Some(self.ttl_deciseconds)
    }

    /// A PING was written at `now`: arms the timeout unless armed.
    pub(crate) fn arm_timeout(&mut self, now: Instant) {
        if self.timeout_at.is_none() && !self.timeout.is_zero() {
            self.timeout_at = now.checked_add(self.timeout);
        }
    }

    /// Whether the timeout or the remote TTL has expired.
    pub(crate) fn expired(&self, now: Instant) -> bool {
        self.timeout_at.is_some_and(|t| t <= now) || self.remote_ttl_at.is_some_and(|t| t <= now)
    }

    /// The earliest armed deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        [self.next_ping, self.timeout_at, self.remote_ttl_at]
            .into_iter()
            .flatten()
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_then_timeout_unless_activity() {
        let t0 = Instant::now();
        let ivl = Duration::from_millis(100);
        let mut h = Heartbeat::new(ivl, Duration::from_millis(2500), None);
        assert_eq!(h.next_deadline(), None);
        h.start(t0);
        assert_eq!(h.next_deadline(), Some(t0 + ivl));
        assert_eq!(h.ping_due(t0), None);
        assert_eq!(h.ping_due(t0 + ivl), Some(25));
        // Armed when the PING is written, not when it is due.
        assert!(!h.expired(t0 + ivl * 3));
        h.arm_timeout(t0 + ivl);
        assert!(!h.expired(t0 + ivl));
        assert!(h.expired(t0 + ivl * 2));
        h.on_activity();
        assert!(!h.expired(t0 + ivl * 2));
    }

    #[test]
    fn remote_ttl() {
        let t0 = Instant::now();
        let mut h = Heartbeat::new(Duration::ZERO, Duration::ZERO, None);
        h.start(t0);
        h.on_ping(0, t0);
        assert_eq!(h.next_deadline(), None);
        h.on_ping(10, t0);
        assert_eq!(h.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert!(h.expired(t0 + Duration::from_secs(1)));
        h.stop();
        assert!(!h.expired(t0 + Duration::from_secs(9)));
    }
}
