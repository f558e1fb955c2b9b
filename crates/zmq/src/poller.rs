//! `Poller`: a persistent, level-triggered set of sockets and descriptors
//! to wait on (`zmq_poller_*`).
//!
//! Unlike [`crate::poll()`], which takes its items on every call, a poller
//! keeps its registrations (and each socket's notification descriptor)
//! between waits, and hands back the caller's value for each ready one.
//! The readiness rules are [`crate::poll()`]'s: a socket is ready when its
//! `ZMQ_EVENTS` has an asked-for event (checked first, without blocking);
//! a descriptor is ready when poll(2) says so.
//!
//! A [`ThreadSafeSocket`] may be registered too
//! ([`Poller::add_thread_safe`]): the poller then also sleeps on a
//! signaler of its own, which the socket raises whenever another thread's
//! call may have changed it. Such a poller also has a descriptor of its
//! own ([`Poller::fd`]).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};

use crate::RawFd;
use crate::error::{Error, Result};
use crate::poll::{
    POLLERR, POLLIN, POLLOUT, POLLPRI, PollEvents, fd_flags, fd_revents, socket_revents,
    thread_safe_revents,
};
use crate::reactor::Interest;
use crate::reactor::backend::{Backend, PollSet};
use crate::signaler::Signaler;
use crate::socket::{Socket, SocketMailbox};
use crate::threadsafe::ThreadSafeSocket;

/// EINVAL for an event mask with bits other than POLLIN, POLLOUT,
/// POLLERR and POLLPRI (libzmq's check).
fn check_events(events: i16) -> Result<()> {
    if events & !(POLLIN | POLLOUT | POLLERR | POLLPRI).bits() != 0 {
        return Err(Error::Inval);
    }
    Ok(())
}

/// What one registration watches.
enum Watched<'a> {
    /// A socket, with its notification mailbox (cached at registration).
    Socket(&'a Socket, Arc<SocketMailbox>),
    /// A thread-safe socket, with its notification mailbox.
    ThreadSafe(&'a ThreadSafeSocket, Arc<SocketMailbox>),
    /// A raw descriptor.
    Fd(BorrowedFd<'a>),
}

/// One registered socket or descriptor.
struct Registration<'a, T> {
    watched: Watched<'a>,
    user_data: T,
    events: i16,
}

impl<'a, T> Registration<'a, T> {
    fn is_socket(&self, socket: &Socket) -> bool {
        matches!(self.watched, Watched::Socket(mine, _) if std::ptr::eq(mine, socket))
    }

    fn is_thread_safe(&self, socket: &ThreadSafeSocket) -> bool {
        matches!(self.watched, Watched::ThreadSafe(mine, _) if std::ptr::eq(mine, socket))
    }

    fn is_fd(&self, fd: RawFd) -> bool {
        matches!(self.watched, Watched::Fd(mine) if mine.as_raw_fd() == fd)
    }
}

/// One ready socket or descriptor, as [`Poller::wait`] reports it
/// (`zmq_poller_event_t`).
#[derive(Clone, Debug)]
pub struct PollerEvent<'a, T> {
    /// The socket, for a socket registration (`None` for a
    /// [`ThreadSafeSocket`]: tell those apart by `user_data`).
    pub socket: Option<&'a Socket>,
    /// The descriptor, for a descriptor registration.
    pub fd: Option<RawFd>,
    /// The value given when the socket or descriptor was added.
    pub user_data: T,
    /// What happened: [`POLLIN`] | [`POLLOUT`] for a socket (only events
    /// asked for); also [`POLLPRI`] and [`POLLERR`] for a descriptor.
    pub events: i16,
}

impl<T: Default> Default for PollerEvent<'_, T> {
    fn default() -> Self {
        PollerEvent {
            socket: None,
            fd: None,
            user_data: T::default(),
            events: 0,
        }
    }
}

/// A set of sockets and descriptors to wait on, each with a caller's value
/// `T` (an index, a key, a handler). Used from one thread at a time.
pub struct Poller<'a, T> {
    registrations: Vec<Registration<'a, T>>,
    /// Raised by the registered thread-safe sockets when another thread
    /// changed them, and the poller's own descriptor: a readiness set (epoll, kqueue) of the
    /// signaler and of the thread-safe sockets' command descriptors (both
    /// made with the first thread-safe registration).
    watcher: Option<(Arc<Signaler>, PollSet)>,
}

impl<T> Default for Poller<'_, T> {
    fn default() -> Self {
        Poller {
            registrations: Vec::new(),
            watcher: None,
        }
    }
}

impl<T> std::fmt::Debug for Poller<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller")
            .field("len", &self.registrations.len())
            .finish()
    }
}

impl<'a, T> Poller<'a, T> {
    /// An empty poller (`zmq_poller_new`).
    pub fn new() -> Self {
        Poller::default()
    }

    /// How many sockets and descriptors are registered
    /// (`zmq_poller_size`).
    pub fn len(&self) -> usize {
        self.registrations.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.registrations.is_empty()
    }

    /// Registers `socket` for `events` ([`POLLIN`] | [`POLLOUT`]; 0 is
    /// allowed, see [`Poller::modify`]). EINVAL when it is already
    /// registered.
    pub fn add(
        &mut self,
        socket: &'a Socket,
        user_data: T,
        events: impl Into<PollEvents>,
    ) -> Result<()> {
        let events = events.into().bits();
        check_events(events)?;
        if self.registrations.iter().any(|r| r.is_socket(socket)) {
            return Err(Error::Inval);
        }
        self.registrations.push(Registration {
            watched: Watched::Socket(socket, socket.mailbox()),
            user_data,
            events,
        });
        Ok(())
    }

    /// Changes the events a registered socket is watched for (0 disables
    /// it until the next change). EINVAL when it is not registered.
    pub fn modify(&mut self, socket: &Socket, events: impl Into<PollEvents>) -> Result<()> {
        let events = events.into().bits();
        check_events(events)?;
        let registration = self
            .registrations
            .iter_mut()
            .find(|r| r.is_socket(socket))
            .ok_or(Error::Inval)?;
        registration.events = events;
        Ok(())
    }

    /// Unregisters a socket and gives back its value. EINVAL when it is
    /// not registered.
    pub fn remove(&mut self, socket: &Socket) -> Result<T> {
        let index = self
            .registrations
            .iter()
            .position(|r| r.is_socket(socket))
            .ok_or(Error::Inval)?;
        Ok(self.registrations.remove(index).user_data)
    }

    /// Registers a thread-safe socket for `events`, as [`Poller::add`];
    /// other threads may use the socket meanwhile. EINVAL when it is
    /// already registered.
    pub fn add_thread_safe(
        &mut self,
        socket: &'a ThreadSafeSocket,
        user_data: T,
        events: impl Into<PollEvents>,
    ) -> Result<()> {
        let events = events.into().bits();
        check_events(events)?;
        if self.registrations.iter().any(|r| r.is_thread_safe(socket)) {
            return Err(Error::Inval);
        }
        let (watcher, own) = match &self.watcher {
            Some(made) => made,
            None => {
                let signaler = Arc::new(Signaler::new()?);
                let own = PollSet::new()?;
                own.add(signaler.as_fd().as_raw_fd(), 0, Interest::READ)?;
                self.watcher.insert((signaler, own))
            }
        };
        own.add(socket.mailbox().as_fd().as_raw_fd(), 0, Interest::READ)?;
        socket.watch(watcher);
        self.registrations.push(Registration {
            watched: Watched::ThreadSafe(socket, Arc::clone(socket.mailbox())),
            user_data,
            events,
        });
        Ok(())
    }

    /// Changes the events a registered thread-safe socket is watched for.
    /// EINVAL when it is not registered.
    pub fn modify_thread_safe(
        &mut self,
        socket: &ThreadSafeSocket,
        events: impl Into<PollEvents>,
    ) -> Result<()> {
        let events = events.into().bits();
        check_events(events)?;
        let registration = self
            .registrations
            .iter_mut()
            .find(|r| r.is_thread_safe(socket))
            .ok_or(Error::Inval)?;
        registration.events = events;
        Ok(())
    }

    /// Unregisters a thread-safe socket and gives back its value. EINVAL
    /// when it is not registered.
    pub fn remove_thread_safe(&mut self, socket: &ThreadSafeSocket) -> Result<T> {
        let index = self
            .registrations
            .iter()
            .position(|r| r.is_thread_safe(socket))
            .ok_or(Error::Inval)?;
        if let Some((watcher, own)) = &self.watcher {
            socket.unwatch(watcher);
            // The socket is alive (its caller's reference), so is its
            // descriptor.
            let _ = own.delete(socket.mailbox().as_fd().as_raw_fd());
        }
        Ok(self.registrations.remove(index).user_data)
    }

    /// Registers a raw descriptor for `events` ([`POLLIN`] | [`POLLOUT`] |
    /// [`POLLPRI`]). EINVAL when it is already registered.
    pub fn add_fd(
        &mut self,
        fd: BorrowedFd<'a>,
        user_data: T,
        events: impl Into<PollEvents>,
    ) -> Result<()> {
        let events = events.into().bits();
        check_events(events)?;
        if self.registrations.iter().any(|r| r.is_fd(fd.as_raw_fd())) {
            return Err(Error::Inval);
        }
        self.registrations.push(Registration {
            watched: Watched::Fd(fd),
            user_data,
            events,
        });
        Ok(())
    }

    /// Changes the events a registered descriptor is watched for. EINVAL
    /// when it is not registered.
    pub fn modify_fd(&mut self, fd: RawFd, events: impl Into<PollEvents>) -> Result<()> {
        let events = events.into().bits();
        check_events(events)?;
        let registration = self
            .registrations
            .iter_mut()
            .find(|r| r.is_fd(fd))
            .ok_or(Error::Inval)?;
        registration.events = events;
        Ok(())
    }

    /// Unregisters a descriptor and gives back its value. EINVAL when it
    /// is not registered.
    pub fn remove_fd(&mut self, fd: RawFd) -> Result<T> {
        let index = self
            .registrations
            .iter()
            .position(|r| r.is_fd(fd))
            .ok_or(Error::Inval)?;
        Ok(self.registrations.remove(index).user_data)
    }

    /// The poller's own descriptor (`zmq_poller_fd`), as libzmq: only
    /// while a thread-safe socket is registered (EINVAL otherwise). It
    /// polls readable when a registered thread-safe socket has commands
    /// waiting or was changed by another thread since the last wait: then
    /// call [`Poller::wait`] (with timeout 0) to learn what is ready. Like
    /// `ZMQ_FD`, it tells that something may have changed, not that an
    /// event is ready; it does not cover the other registrations.
    pub fn fd(&self) -> Result<RawFd> {
        match &self.watcher {
            Some((_, own))
                if self
                    .registrations
                    .iter()
                    .any(|r| matches!(r.watched, Watched::ThreadSafe(..))) =>
            {
                Ok(own.as_fd().as_raw_fd())
            }
            _ => Err(Error::Inval),
        }
    }

    /// Waits until a registration is ready or `timeout_ms` passes (0: check
    /// once; negative: no limit), and reports the first ready one.
    /// Errors as [`Poller::wait_all`].
    pub fn wait(&mut self, timeout_ms: i64) -> Result<PollerEvent<'a, T>>
    where
        T: Clone,
    {
        let mut found = None;
        self.wait_with(timeout_ms, 1, |event| found = Some(event))?;
        found.ok_or(Error::Again)
    }

    /// Waits until at least one registration is ready or `timeout_ms`
    /// passes, and writes up to `events.len()` ready ones (in registration
    /// order) to the front of `events`; returns how many (never 0).
    ///
    /// EAGAIN when the timeout passes first; EFAULT when nothing is
    /// watched (no registration, or all with no events) and the timeout is
    /// negative (it would wait forever); an empty `events` can only time
    /// out (EAGAIN), as in libzmq;
    /// EINTR when a signal interrupts the wait; ETERM when a socket's
    /// context was terminated.
    pub fn wait_all(&mut self, events: &mut [PollerEvent<'a, T>], timeout_ms: i64) -> Result<usize>
    where
        T: Clone,
    {
        let mut slots = events.iter_mut();
        self.wait_with(timeout_ms, slots.len(), |event| {
            if let Some(slot) = slots.next() {
                *slot = event;
            }
        })
    }

    /// The wait loop: calls `report` for at most `max` ready
    /// registrations and returns how many.
    fn wait_with(
        &mut self,
        timeout_ms: i64,
        max: usize,
        mut report: impl FnMut(PollerEvent<'a, T>),
    ) -> Result<usize>
    where
        T: Clone,
    {
        let active: Vec<&Registration<'a, T>> = self
            .registrations
            .iter()
            .filter(|r| r.events != 0)
            .collect();
        if active.is_empty() {
            return sleep_with_nothing_watched(timeout_ms);
        }
        let mut fds: Vec<PollFd<'_>> = active
            .iter()
            .map(|r| match &r.watched {
                Watched::Socket(_, mailbox) | Watched::ThreadSafe(_, mailbox) => {
                    PollFd::new(mailbox.as_fd(), PollFlags::POLLIN)
                }
                Watched::Fd(fd) => PollFd::new(*fd, fd_flags(r.events)),
            })
            .collect();
        // After the registrations' entries (which `zip` below pairs with
        // them), when a thread-safe socket is watched.
        let watcher = self
            .watcher
            .as_ref()
            .map(|(signaler, _)| signaler)
            .filter(|_| {
                active
                    .iter()
                    .any(|r| matches!(r.watched, Watched::ThreadSafe(..)))
            });
        if let Some(watcher) = watcher {
            fds.push(PollFd::new(watcher.as_fd(), PollFlags::POLLIN));
        }
        let deadline = timeout_ms_to_deadline(timeout_ms);
        let mut first_pass = true;
        loop {
            let wait = if first_pass {
                PollTimeout::ZERO
            } else {
                remaining(deadline)
            };
            match nix::poll::poll(&mut fds, wait) {
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => return Err(Error::Intr),
                Err(err) => return Err(Error::from_errno(err as i32)),
            }
            if let Some(watcher) = watcher {
                // Cleared before the sockets are checked: a change after
                // the check raises it again.
                let _ = watcher.recv();
            }
            let mut found = 0;
            for (registration, polled) in active.iter().zip(&fds) {
                if found == max {
                    break;
                }
                let event = match registration.watched {
                    Watched::Socket(socket, _) => PollerEvent {
                        socket: Some(socket),
                        fd: None,
                        user_data: registration.user_data.clone(),
                        events: socket_revents(socket, registration.events)?,
                    },
                    Watched::ThreadSafe(socket, _) => PollerEvent {
                        socket: None,
                        fd: None,
                        user_data: registration.user_data.clone(),
                        events: thread_safe_revents(socket, registration.events, watcher)?,
                    },
                    Watched::Fd(fd) => PollerEvent {
                        socket: None,
                        fd: Some(fd.as_raw_fd()),
                        user_data: registration.user_data.clone(),
                        events: fd_revents(polled.revents().unwrap_or(PollFlags::empty())),
                    },
                };
                if event.events != 0 {
                    found += 1;
                    report(event);
                }
            }
            if found > 0 {
                return Ok(found);
            }
            if timeout_ms == 0 || deadline.is_some_and(|end| Instant::now() >= end) {
                return Err(Error::Again);
            }
            first_pass = false;
        }
    }
}

/// With nothing to watch: EFAULT for an endless wait, else EAGAIN after
/// sleeping the timeout (libzmq's behaviour).
fn sleep_with_nothing_watched(timeout_ms: i64) -> Result<usize> {
    match u64::try_from(timeout_ms) {
        Ok(ms) => {
            if ms > 0 {
                std::thread::sleep(Duration::from_millis(ms));
            }
            Err(Error::Again)
        }
        Err(_) => Err(Error::Fault),
    }
}

/// When a finite timeout ends (`None`: never).
fn timeout_ms_to_deadline(timeout_ms: i64) -> Option<Instant> {
    u64::try_from(timeout_ms)
        .ok()
        .and_then(|ms| Instant::now().checked_add(Duration::from_millis(ms)))
}

/// The poll(2) timeout until `deadline`, rounded up to whole
/// milliseconds so that a sub-millisecond rest does not spin.
fn remaining(deadline: Option<Instant>) -> PollTimeout {
    match deadline {
        None => PollTimeout::NONE,
        Some(end) => {
            let left = end.saturating_duration_since(Instant::now());
            PollTimeout::try_from(left.as_micros().div_ceil(1000)).unwrap_or(PollTimeout::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poll::{POLLERR, POLLIN, POLLOUT, POLLPRI};
    use crate::{Context, SocketType};

    #[test]
    fn duplicate_and_unknown_registrations_are_einval() {
        let ctx = Context::new();
        let a = ctx.socket(SocketType::Pair).unwrap();
        let b = ctx.socket(SocketType::Pair).unwrap();
        let mut poller = Poller::new();
        poller.add(&a, 1usize, POLLIN).unwrap();
        assert_eq!(poller.add(&a, 2, POLLIN), Err(Error::Inval));
        assert_eq!(poller.modify(&b, POLLIN), Err(Error::Inval));
        assert_eq!(poller.remove(&b), Err(Error::Inval));
        assert_eq!(poller.len(), 1);
        assert_eq!(poller.remove(&a), Ok(1));
        assert!(poller.is_empty());
        assert_eq!(poller.fd(), Err(Error::Inval));
    }

    #[test]
    fn nothing_watched_is_eagain_or_efault() {
        let mut poller: Poller<'_, ()> = Poller::new();
        assert_eq!(poller.wait(0).err(), Some(Error::Again));
        assert_eq!(poller.wait(-1).err(), Some(Error::Fault));
        let ctx = Context::new();
        let a = ctx.socket(SocketType::Pair).unwrap();
        poller.add(&a, (), 0).unwrap();
        assert_eq!(poller.wait(-1).err(), Some(Error::Fault));
        let mut none: [PollerEvent<'_, ()>; 0] = [];
        poller.modify(&a, POLLOUT).unwrap();
        assert_eq!(poller.wait_all(&mut none, 0), Err(Error::Again));
        assert_eq!(poller.add(&a, (), i16::MAX), Err(Error::Inval));
        assert_eq!(poller.modify(&a, i16::MAX), Err(Error::Inval));
    }

    #[test]
    fn raw_fd_readiness_and_error_bits() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut poller = Poller::new();
        poller.add_fd(reader.as_fd(), "pipe", POLLIN).unwrap();
        assert_eq!(
            poller.add_fd(reader.as_fd(), "again", POLLIN),
            Err(Error::Inval)
        );
        assert_eq!(poller.wait(0).err(), Some(Error::Again));
        std::io::Write::write_all(&mut writer, b"x").unwrap();
        let event = poller.wait(5000).unwrap();
        assert_eq!(event.user_data, "pipe");
        assert_eq!(event.fd, Some(reader.as_raw_fd()));
        assert!(event.socket.is_none());
        assert_eq!(event.events, POLLIN);
        drop(writer);
        poller.modify_fd(reader.as_raw_fd(), 0).unwrap();
        assert_eq!(poller.wait(0).err(), Some(Error::Again));
        assert_eq!(poller.remove_fd(reader.as_raw_fd()), Ok("pipe"));
        assert_eq!(poller.remove_fd(reader.as_raw_fd()), Err(Error::Inval));
    }

    #[test]
    fn fd_flag_conversions() {
        assert_eq!(
            fd_flags((POLLIN | POLLOUT | POLLPRI).bits())
                .bits()
                .count_ones(),
            3
        );
        assert_eq!(fd_revents(PollFlags::POLLHUP), POLLERR);
        assert_eq!(
            fd_revents(PollFlags::POLLIN | PollFlags::POLLNVAL),
            POLLIN | POLLERR
        );
    }
}
