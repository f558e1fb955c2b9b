//! `Timers`: repeating timers driven by the caller (`zmq_timers_*`).
//!
//! Nothing runs in the background: the caller asks [`Timers::timeout`] how
//! long it may sleep (typically as the timeout of [`crate::poll()`]), then
//! calls [`Timers::execute`] (or [`Timers::take_due`]) to run what is due.
//! Each due timer fires at most once per call and is scheduled again one
//! interval after that call, as libzmq's `timers_t` does.
//!
//! As in libzmq, [`Timers::cancel`] only marks a timer cancelled: it never
//! fires again, but [`Timers::reset`] and [`Timers::set_interval`] still
//! find it (and answer Ok) until [`Timers::timeout`] or
//! [`Timers::execute`] pass over it in due order and drop it.

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
    cancelled: bool,
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

    /// How many timers are active (not cancelled).
    pub fn len(&self) -> usize {
        self.live().count()
    }

    /// Whether no timer is active.
    pub fn is_empty(&self) -> bool {
        self.live().next().is_none()
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
            cancelled: false,
        });
        Ok(id)
    }

    /// Cancels a timer: it never fires again. EINVAL when unknown or
    /// already cancelled (libzmq's `timers_t::cancel`). The timer is only
    /// marked, as in libzmq: it is dropped when [`Timers::timeout`] or
    /// [`Timers::execute`] next pass over it.
    pub fn cancel(&mut self, id: TimerId) -> Result<()> {
        let timer = self.find(id)?;
        if timer.cancelled {
            return Err(Error::Inval);
        }
        timer.cancelled = true;
        Ok(())
    }

    /// Whether `id` is an active (not cancelled) timer.
    pub fn contains(&self, id: TimerId) -> bool {
        self.live().any(|timer| timer.id == id)
    }

    /// Changes a timer's interval; it is next due `interval` from now.
    /// EINVAL when unknown. A cancelled timer not yet dropped is still
    /// found (Ok) and stays cancelled, as in libzmq.
    pub fn set_interval(&mut self, id: TimerId, interval: Duration) -> Result<()> {
        let timer = self.find(id)?;
        timer.interval = interval;
        timer.due = due_after(Instant::now(), interval);
        Ok(())
    }

    /// Restarts a timer: it is next due one interval from now. EINVAL
    /// when unknown; a cancelled timer not yet dropped is found (Ok) and
    /// stays cancelled, as in libzmq.
    pub fn reset(&mut self, id: TimerId) -> Result<()> {
        let timer = self.find(id)?;
        timer.due = due_after(Instant::now(), timer.interval);
        Ok(())
    }

    /// The time until the next timer is due (zero when one is due now);
    /// `None` when there is no timer. Drops the cancelled timers due
    /// before the first active one (libzmq's `timers_t::timeout`).
    pub fn timeout(&mut self) -> Option<Duration> {
        let now = Instant::now();
        let next = self.live().map(|timer| timer.due).min();
        self.drop_cancelled_before(next);
        next.map(|due| due.saturating_duration_since(now))
    }

    /// [`Timers::timeout`] in milliseconds as `zmq_timers_timeout` gives
    /// it: -1 without timers, otherwise rounded up, so that sleeping that
    /// long always reaches the due time (0 means due now).
    pub fn timeout_ms(&mut self) -> i64 {
        self.timeout().map_or(-1, |left| {
            i64::try_from(left.as_micros().div_ceil(1000)).unwrap_or(i64::MAX)
        })
    }

    /// Runs `handler` once for each timer due now, with its id and value,
    /// and schedules each one interval later.
    pub fn execute(&mut self, mut handler: impl FnMut(TimerId, &mut T)) {
        let now = Instant::now();
        self.drop_cancelled_passed(now);
        for timer in self
            .timers
            .iter_mut()
            .filter(|timer| !timer.cancelled && timer.due <= now)
        {
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
        self.drop_cancelled_passed(now);
        let mut due = Vec::new();
        for timer in self
            .timers
            .iter_mut()
            .filter(|timer| !timer.cancelled && timer.due <= now)
        {
            timer.due = due_after(now, timer.interval);
            due.push((timer.id, timer.data.clone()));
        }
        due
    }

    fn live(&self) -> impl Iterator<Item = &Timer<T>> {
        self.timers.iter().filter(|timer| !timer.cancelled)
    }

    /// Drops the cancelled timers due before `limit` (all of them without
    /// a limit): those libzmq's ordered walk passes before it stops.
    fn drop_cancelled_before(&mut self, limit: Option<Instant>) {
        self.timers
            .retain(|timer| !(timer.cancelled && limit.is_none_or(|limit| timer.due < limit)));
    }

    /// What a run at `now` walks past (libzmq's `timers_t::execute`): the
    /// cancelled timers due before the first active timer not yet due.
    fn drop_cancelled_passed(&mut self, now: Instant) {
        let stop = self
            .live()
            .map(|timer| timer.due)
            .filter(|due| *due > now)
            .min();
        self.drop_cancelled_before(stop);
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
        assert_eq!(timers.cancel(1), Ok(()));
        assert_eq!(timers.cancel(1), Err(Error::Inval));
        assert_eq!(timers.len(), 1);
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
    fn a_cancelled_timer_is_found_until_dropped_but_never_fires() {
        let mut timers = Timers::new();
        let id = timers.add(Duration::ZERO, ()).unwrap();
        timers.cancel(id).unwrap();
        assert!(!timers.contains(id));
        // libzmq still finds it: reset and set_interval answer Ok.
        assert_eq!(timers.reset(id), Ok(()));
        assert_eq!(timers.set_interval(id, Duration::ZERO), Ok(()));
        assert_eq!(timers.cancel(id), Err(Error::Inval), "cancelled twice");
        // It stays cancelled: it never fires.
        let mut fired = 0;
        timers.execute(|_, ()| fired += 1);
        assert_eq!(fired, 0);
        assert!(timers.take_due().is_empty());
        // Passed over by execute, it is gone now.
        assert_eq!(timers.reset(id), Err(Error::Inval));
        assert_eq!(timers.set_interval(id, Duration::ZERO), Err(Error::Inval));
        assert_eq!(timers.cancel(id), Err(Error::Inval));
        assert_eq!(timers.timeout_ms(), -1);
    }

    #[test]
    fn timeout_drops_cancelled_timers_due_before_the_next_one() {
        let mut timers = Timers::new();
        let early = timers.add(Duration::from_secs(10), ()).unwrap();
        let late = timers.add(Duration::from_secs(100), ()).unwrap();
        let next = timers.add(Duration::from_secs(50), ()).unwrap();
        timers.cancel(early).unwrap();
        timers.cancel(late).unwrap();
        let left = timers.timeout_ms();
        assert!((49_000..=50_000).contains(&left), "{left}");
        // `early` was walked past, `late` (after `next`) not yet.
        assert_eq!(timers.reset(early), Err(Error::Inval));
        assert_eq!(timers.reset(late), Ok(()));
        timers.cancel(next).unwrap();
        assert_eq!(timers.timeout_ms(), -1);
        assert_eq!(timers.reset(late), Err(Error::Inval));
        assert!(timers.is_empty());
    }

    #[test]
    fn huge_interval_does_not_overflow() {
        let mut timers = Timers::new();
        timers.add(Duration::MAX, ()).unwrap();
        assert!(timers.timeout().is_some());
        assert!(timers.take_due().is_empty());
    }
}
