//! `TimerQueue`: one-shot timers ordered by deadline, cancellable by id.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use super::handler::{HandlerId, TimerId};

/// Pending timers. Timers with the same deadline fire in the order they
/// were added.
#[derive(Debug, Default)]
pub struct TimerQueue {
    by_deadline: BTreeMap<(Instant, TimerId), HandlerId>,
    deadlines: HashMap<TimerId, Instant>,
    next_id: u64,
}

impl TimerQueue {
    /// An empty queue.
    pub fn new() -> TimerQueue {
        TimerQueue::default()
    }

    /// Adds a timer for `handler` at `deadline`.
    pub fn add(&mut self, deadline: Instant, handler: HandlerId) -> TimerId {
        let id = TimerId(self.next_id);
        self.next_id += 1;
        self.by_deadline.insert((deadline, id), handler);
        self.deadlines.insert(id, deadline);
        id
    }

    /// Cancels a timer; `false` when it already fired or was cancelled.
    pub fn cancel(&mut self, id: TimerId) -> bool {
        match self.deadlines.remove(&id) {
            Some(deadline) => self.by_deadline.remove(&(deadline, id)).is_some(),
            None => false,
        }
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.by_deadline
            .keys()
            .next()
            .map(|(deadline, _)| *deadline)
    }

    /// The id the next added timer will get: timers below it exist now.
    pub fn next_id(&self) -> TimerId {
        TimerId(self.next_id)
    }

    /// Removes and returns the earliest timer due at `now` whose id is below
    /// `before` (so timers added while firing wait for the next turn).
    pub fn pop_expired(&mut self, now: Instant, before: TimerId) -> Option<(TimerId, HandlerId)> {
        let (&(deadline, id), _) = self.by_deadline.first_key_value()?;
        if deadline > now || id >= before {
            // An earlier-deadline timer cannot hide behind a new one: new
            // timers have deadlines at or after `now`.
            return None;
        }
        let handler = self.by_deadline.remove(&(deadline, id))?;
        self.deadlines.remove(&id);
        Some((id, handler))
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.deadlines.len()
    }

    /// Whether no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.deadlines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const H: HandlerId = HandlerId {
        index: 0,
        generation: 0,
    };

    #[test]
    fn fire_in_deadline_then_insertion_order() {
        let mut q = TimerQueue::new();
        let t0 = Instant::now();
        let late = q.add(t0 + Duration::from_millis(20), H);
        let first = q.add(t0 + Duration::from_millis(10), H);
        let second = q.add(t0 + Duration::from_millis(10), H);
        let before = q.next_id();
        let now = t0 + Duration::from_millis(30);
        let fired: Vec<_> = std::iter::from_fn(|| q.pop_expired(now, before))
            .map(|(id, _)| id)
            .collect();
        assert_eq!(fired, vec![first, second, late]);
        assert!(q.is_empty());
    }

    #[test]
    fn cancelled_timers_do_not_fire() {
        let mut q = TimerQueue::new();
        let t0 = Instant::now();
        let a = q.add(t0, H);
        let b = q.add(t0, H);
        assert!(q.cancel(a));
        assert!(!q.cancel(a));
        assert_eq!(q.pop_expired(t0, q.next_id()).map(|(id, _)| id), Some(b));
        assert_eq!(q.pop_expired(t0, q.next_id()), None);
        assert!(!q.cancel(b), "already fired");
    }

    #[test]
    fn not_due_yet() {
        let mut q = TimerQueue::new();
        let t0 = Instant::now();
        q.add(t0 + Duration::from_secs(1), H);
        assert_eq!(q.pop_expired(t0, q.next_id()), None);
        assert_eq!(q.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(q.len(), 1);
    }
}
