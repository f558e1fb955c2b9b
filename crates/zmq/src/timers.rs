//! `Timers`: repeating timers driven by the caller (`zmq_timers_*`).
//!
//! Nothing runs in the background: the caller asks [`Timers::timeout`] how
//! long it may sleep (typically as the timeout of [`crate::poll()`]), then
//! calls [`Timers::execute`] (or [`Timers::take_due`]) to run what is due.
//! Each due timer fires at most once per call and is scheduled again one
//! interval after that call, as libzmq's `timers_t` does.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The id of a timer in a [`Timers`] set (1, 2, ... as libzmq numbers
/// them).
pub type TimerId = i32;

/// One repeating timer.
#[derive(Debug)]
struct Timer<T> {
    id: TimerId,
    interval: Duration,
    due: Instant,
    data: T,
}

/// A set of repeating timers, each carrying a value `T` (a handler, or
/// whatever the caller dispatches on). Used from one thread at a time.
#[derive(Debug)]
pub struct Timers<T> {
    timers: Vec<Timer<T>>,
    last_id: TimerId,
}

impl<T> Default for Timers<T> {
    fn default() -> Timers<T> {
        Timers {
            timers: Vec::new(),
            last_id: 0,
        }
    }
}

impl<T> Timers<T> {
    /// An empty set.
    pub fn new() -> Timers<T> {
        Timers::default()
    }

    /// How many timers are active.
    pub fn len(&self) -> usize {
        self.timers.len()
    }

    /// Whether no timer is active.
    pub fn is_empty(&self) -> bool {
        self.timers.is_empty()
    }

    /// Adds a timer first due `interval` from now, then every `interval`;
    /// returns its id. ENOMEM once every id has been handed out.
    pub fn add(&mut self, interval: Duration, data: T) -> Result<TimerId> {
        let id = self.last_id.checked_add(1).ok_or(Error::NoMem)?;
        let due = due_after(Instant::now(), interval);
        self.last_id = id;
        self.timers.push(Timer {
            id,
            interval,
            due,
            data,
        });
        Ok(id)
    }

    /// Removes a timer and gives back its value; EINVAL when unknown.
    pub fn cancel(&mut self, id: TimerId) -> Result<T> {
        let index = self
            .timers
            .iter()
            .position(|timer| timer.id == id)
            .ok_or(Error::Inval)?;
        Ok(self.timers.swap_remove(index).data)
    }

    /// Whether `id` is an active timer.
    pub fn contains(&self, id: TimerId) -> bool {
        self.timers.iter().any(|timer| timer.id == id)
    }

    /// Changes a timer's interval; it is next due `interval` from now.
    /// EINVAL when unknown.
    pub fn set_interval(&mut self, id: TimerId, interval: Duration) -> Result<()> {
        let timer = self.find(id)?;
        timer.interval = interval;
        timer.due = due_after(Instant::now(), interval);
        Ok(())
    }

    /// Restarts a timer: it is next due one interval from now. EINVAL
    /// when unknown.
    pub fn reset(&mut self, id: TimerId) -> Result<()> {
        let timer = self.find(id)?;
        timer.due = due_after(Instant::now(), timer.interval);
        Ok(())
    }

    /// The time until the next timer is due (zero when one is due now);
    /// `None` when there is no timer.
    pub fn timeout(&self) -> Option<Duration> {
        let now = Instant::now();
        self.timers
            .iter()
            .map(|timer| timer.due.saturating_duration_since(now))
            .min()
    }

    /// [`Timers::timeout`] in milliseconds as `zmq_timers_timeout` gives
    /// it: -1 without timers, otherwise rounded up, so that sleeping that
    /// long always reaches the due time (0 means due now).
    pub fn timeout_ms(&self) -> i64 {
        self.timeout().map_or(-1, |left| {
            i64::try_from(left.as_micros().div_ceil(1000)).unwrap_or(i64::MAX)
        })
    }

    /// Runs `handler` once for each timer due now, with its id and value,
    /// and schedules each one interval later.
    pub fn execute(&mut self, mut handler: impl FnMut(TimerId, &mut T)) {
        let now = Instant::now();
        for timer in self.timers.iter_mut().filter(|timer| timer.due <= now) {
            timer.due = due_after(now, timer.interval);
            handler(timer.id, &mut timer.data);
        }
    }

    /// The timers due now, with a copy of their values, each scheduled one
    /// interval later: for a caller whose handlers need the set itself
    /// (to cancel or add timers) while they run. Check
    /// [`Timers::contains`] before running each if a handler may cancel
    /// another due timer.
    pub fn take_due(&mut self) -> Vec<(TimerId, T)>
    where
        T: Clone,
    {
        let now = Instant::now();
        let mut due = Vec::new();
        for timer in self.timers.iter_mut().filter(|timer| timer.due <= now) {
            timer.due = due_after(now, timer.interval);
            due.push((timer.id, timer.data.clone()));
        }
        due
    }

    fn find(&mut self, id: TimerId) -> Result<&mut Timer<T>> {
        self.timers
            .iter_mut()
            .find(|timer| timer.id == id)
            .ok_or(Error::Inval)
    }
}

/// `now + interval`, saturating far in the future for a huge interval.
fn due_after(now: Instant, interval: Duration) -> Instant {
    now.checked_add(interval)
        .unwrap_or_else(|| now + Duration::from_secs(u64::from(u32::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_count_from_one_and_unknown_ids_are_einval() {
        let mut timers = Timers::new();
        assert_eq!(timers.add(Duration::from_secs(10), 'a'), Ok(1));
        assert_eq!(timers.add(Duration::from_secs(10), 'b'), Ok(2));
        assert_eq!(timers.len(), 2);
        assert_eq!(timers.cancel(1), Ok('a'));
        assert_eq!(timers.cancel(1), Err(Error::Inval));
        assert_eq!(timers.reset(7), Err(Error::Inval));
        assert_eq!(timers.set_interval(7, Duration::ZERO), Err(Error::Inval));
        assert!(timers.contains(2));
        assert!(!timers.contains(1));
    }

    #[test]
    fn timeout_reports_the_nearest_timer() {
        let mut timers = Timers::new();
        assert_eq!(timers.timeout(), None);
        assert_eq!(timers.timeout_ms(), -1);
        timers.add(Duration::from_secs(100), ()).unwrap();
        let id = timers.add(Duration::from_secs(50), ()).unwrap();
        let left = timers.timeout_ms();
        assert!((49_000..=50_000).contains(&left), "{left}");
        timers.set_interval(id, Duration::ZERO).unwrap();
        assert_eq!(timers.timeout_ms(), 0);
    }

    #[test]
    fn due_timers_fire_once_per_execute() {
        let mut timers = Timers::new();
        let zero = timers.add(Duration::ZERO, 0u32).unwrap();
        let later = timers.add(Duration::from_secs(100), 0u32).unwrap();
        for _ in 0..3 {
            timers.execute(|_, count| *count += 1);
        }
        let mut fired = Vec::new();
        timers.execute(|id, count| fired.push((id, *count)));
        assert_eq!(fired, vec![(zero, 3)]);
        assert!(timers.take_due().iter().all(|(id, _)| *id != later));
    }

    #[test]
    fn reset_postpones_a_due_timer() {
        let mut timers = Timers::new();
        let id = timers.add(Duration::ZERO, ()).unwrap();
        timers.set_interval(id, Duration::from_secs(100)).unwrap();
        assert!(timers.take_due().is_empty());
        timers.reset(id).unwrap();
        assert!(timers.timeout_ms() > 90_000);
    }

    #[test]
    fn huge_interval_does_not_overflow() {
        let mut timers = Timers::new();
        timers.add(Duration::MAX, ()).unwrap();
        assert!(timers.timeout().is_some());
        assert!(timers.take_due().is_empty());
    }
}
