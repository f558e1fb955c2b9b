//! `poll`: wait until one of several sockets or file descriptors is ready
//! (`zmq_poll`).
//!
//! The semantics are libzmq's: a socket item reports `ZMQ_EVENTS`
//! (checked first, without blocking); when nothing is ready the caller
//! sleeps in poll(2) on the sockets' `ZMQ_FD`s and the raw descriptors,
//! then checks again, until something is ready or the timeout expires.
//!
//! A [`ThreadSafeSocket`] item is checked under the socket's lock; other
//! threads may take its commands meanwhile, so the call also sleeps on a
//! signaler of its own that the socket raises after every such call
//! ([`ThreadSafeSocket`]'s module documentation).

use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::SigSet;

use crate::error::{Error, Result};
use crate::signaler::Signaler;
use crate::socket::{Socket, SocketMailbox};
use crate::threadsafe::ThreadSafeSocket;

/// A set of poll events (`ZMQ_POLLIN` | `ZMQ_POLLOUT` | ...), in the shape
/// of the `zmq` crate's (rust-zmq's) bitflags type: combine with `|`, test
/// with [`PollEvents::contains`] or `&`. It converts from and to the raw
/// `i16` mask, so code written against the old `i16` constants
/// (`revents() & POLLIN != 0`) keeps compiling.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PollEvents {
    bits: i16,
}

impl PollEvents {
    /// `ZMQ_POLLIN`: a message can be received (socket) or the descriptor
    /// is readable.
    pub const POLLIN: PollEvents = PollEvents { bits: 1 };
    /// `ZMQ_POLLOUT`: a message can be sent (socket) or the descriptor is
    /// writable.
    pub const POLLOUT: PollEvents = PollEvents { bits: 2 };
    /// `ZMQ_POLLERR`: an error condition on a raw descriptor.
    pub const POLLERR: PollEvents = PollEvents { bits: 4 };
    /// `ZMQ_POLLPRI`: urgent data on a raw descriptor.
    pub const POLLPRI: PollEvents = PollEvents { bits: 8 };

    /// No events.
    pub const fn empty() -> PollEvents {
        PollEvents { bits: 0 }
    }

    /// All four events.
    pub const fn all() -> PollEvents {
        PollEvents { bits: 15 }
    }

    /// The raw `i16` mask.
    pub const fn bits(self) -> i16 {
        self.bits
    }

    /// The set for a raw mask; `None` when it has unknown bits.
    pub const fn from_bits(bits: i16) -> Option<PollEvents> {
        if bits & !15 == 0 {
            Some(PollEvents { bits })
        } else {
            None
        }
    }

    /// The set for a raw mask, unknown bits dropped.
    pub const fn from_bits_truncate(bits: i16) -> PollEvents {
        PollEvents { bits: bits & 15 }
    }

    /// The set for a raw mask, unknown bits kept (as libzmq keeps them).
    pub const fn from_bits_retain(bits: i16) -> PollEvents {
        PollEvents { bits }
    }

    /// Whether no event is in the set.
    pub const fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// Whether every event of `other` is in the set.
    pub const fn contains(self, other: PollEvents) -> bool {
        self.bits & other.bits == other.bits
    }

    /// Whether some event of `other` is in the set.
    pub const fn intersects(self, other: PollEvents) -> bool {
        self.bits & other.bits != 0
    }

    /// Adds the events of `other`.
    pub fn insert(&mut self, other: PollEvents) {
        self.bits |= other.bits;
    }

    /// Removes the events of `other`.
    pub fn remove(&mut self, other: PollEvents) {
        self.bits &= !other.bits;
    }
}

impl std::fmt::Debug for PollEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = [
            (PollEvents::POLLIN, "POLLIN"),
            (PollEvents::POLLOUT, "POLLOUT"),
            (PollEvents::POLLERR, "POLLERR"),
            (PollEvents::POLLPRI, "POLLPRI"),
        ];
        write!(f, "PollEvents(")?;
        let mut first = true;
        for (flag, name) in names {
            if self.contains(flag) {
                if !first {
                    write!(f, " | ")?;
                }
                write!(f, "{name}")?;
                first = false;
            }
        }
        let unknown = self.bits & !15;
        if unknown != 0 {
            if !first {
                write!(f, " | ")?;
            }
            write!(f, "{unknown:#x}")?;
        } else if first {
            write!(f, "empty")?;
        }
        write!(f, ")")
    }
}

impl std::ops::BitOr for PollEvents {
    type Output = PollEvents;
    fn bitor(self, other: PollEvents) -> PollEvents {
        PollEvents {
            bits: self.bits | other.bits,
        }
    }
}

impl std::ops::BitOrAssign for PollEvents {
    fn bitor_assign(&mut self, other: PollEvents) {
        self.bits |= other.bits;
    }
}

impl std::ops::BitAnd for PollEvents {
    type Output = PollEvents;
    fn bitand(self, other: PollEvents) -> PollEvents {
        PollEvents {
            bits: self.bits & other.bits,
        }
    }
}

impl std::ops::BitAndAssign for PollEvents {
    fn bitand_assign(&mut self, other: PollEvents) {
        self.bits &= other.bits;
    }
}

impl std::ops::BitXor for PollEvents {
    type Output = PollEvents;
    fn bitxor(self, other: PollEvents) -> PollEvents {
        PollEvents {
            bits: self.bits ^ other.bits,
        }
    }
}

impl std::ops::Sub for PollEvents {
    type Output = PollEvents;
    fn sub(self, other: PollEvents) -> PollEvents {
        PollEvents {
            bits: self.bits & !other.bits,
        }
    }
}

impl std::ops::Not for PollEvents {
    type Output = PollEvents;
    fn not(self) -> PollEvents {
        PollEvents {
            bits: !self.bits & 15,
        }
    }
}

/// `mask & POLLIN`: the raw mask's bits of the set (keeps
/// `revents() & POLLIN != 0` compiling).
impl std::ops::BitAnd<PollEvents> for i16 {
    type Output = i16;
    fn bitand(self, other: PollEvents) -> i16 {
        self & other.bits
    }
}

/// `mask | POLLIN`: the raw mask with the set's bits added.
impl std::ops::BitOr<PollEvents> for i16 {
    type Output = i16;
    fn bitor(self, other: PollEvents) -> i16 {
        self | other.bits
    }
}

impl PartialEq<PollEvents> for i16 {
    fn eq(&self, other: &PollEvents) -> bool {
        *self == other.bits
    }
}

impl PartialEq<i16> for PollEvents {
    fn eq(&self, other: &i16) -> bool {
        self.bits == *other
    }
}

impl From<i16> for PollEvents {
    fn from(bits: i16) -> PollEvents {
        PollEvents::from_bits_retain(bits)
    }
}

impl From<PollEvents> for i16 {
    fn from(events: PollEvents) -> i16 {
        events.bits
    }
}

/// `ZMQ_POLLIN`: a message can be received (socket) or the descriptor is
/// readable.
pub const POLLIN: PollEvents = PollEvents::POLLIN;
/// `ZMQ_POLLOUT`: a message can be sent (socket) or the descriptor is
/// writable.
pub const POLLOUT: PollEvents = PollEvents::POLLOUT;
/// `ZMQ_POLLERR`: an error condition on a raw descriptor.
pub const POLLERR: PollEvents = PollEvents::POLLERR;
/// `ZMQ_POLLPRI`: urgent data on a raw descriptor.
pub const POLLPRI: PollEvents = PollEvents::POLLPRI;

/// What one poll item watches.
#[derive(Clone, Copy, Debug)]
enum PollTarget<'a> {
    Socket(&'a Socket),
    ThreadSafe(&'a ThreadSafeSocket),
    Fd(BorrowedFd<'a>),
    /// Nothing (a C item with neither socket nor a valid descriptor).
    Nothing,
}

/// One entry of [`poll`]: a socket or a raw descriptor, the events asked
/// for and, after the call, the events that happened.
#[derive(Clone, Copy, Debug)]
pub struct PollItem<'a> {
    target: PollTarget<'a>,
    events: i16,
    revents: i16,
}

impl<'a> PollItem<'a> {
    /// Watches `socket` for `events` ([`POLLIN`] | [`POLLOUT`]).
    pub fn from_socket(socket: &'a Socket, events: impl Into<PollEvents>) -> PollItem<'a> {
        PollItem {
            target: PollTarget::Socket(socket),
            events: events.into().bits(),
            revents: 0,
        }
    }

    /// Watches a thread-safe socket for `events` ([`POLLIN`] |
    /// [`POLLOUT`]); other threads may use the socket meanwhile.
    pub fn from_thread_safe(
        socket: &'a ThreadSafeSocket,
        events: impl Into<PollEvents>,
    ) -> PollItem<'a> {
        PollItem {
            target: PollTarget::ThreadSafe(socket),
            events: events.into().bits(),
            revents: 0,
        }
    }

    /// Watches a raw descriptor for `events` ([`POLLIN`] | [`POLLOUT`] |
    /// [`POLLPRI`]); [`POLLERR`] is reported whatever is asked.
    pub fn from_fd(fd: BorrowedFd<'a>, events: impl Into<PollEvents>) -> PollItem<'a> {
        PollItem {
            target: PollTarget::Fd(fd),
            events: events.into().bits(),
            revents: 0,
        }
    }

    /// An item that never becomes ready (keeps indices aligned with a
    /// caller's array when an entry has nothing to watch).
    pub fn nothing() -> PollItem<'a> {
        PollItem {
            target: PollTarget::Nothing,
            events: 0,
            revents: 0,
        }
    }

    /// The events asked for.
    pub fn events(&self) -> i16 {
        self.events
    }

    /// The events that happened in the last [`poll`].
    pub fn revents(&self) -> i16 {
        self.revents
    }

    /// The events that happened in the last [`poll`], as a set (the
    /// `zmq` crate's `get_revents`).
    pub fn get_revents(&self) -> PollEvents {
        PollEvents::from_bits_retain(self.revents)
    }

    /// Whether the last [`poll`] found any of the events asked for.
    pub fn has_revents(&self) -> bool {
        self.revents != 0
    }

    /// Whether the item watches `socket`.
    pub fn has_socket(&self, socket: &Socket) -> bool {
        matches!(self.target, PollTarget::Socket(s) if std::ptr::eq(s, socket))
    }

    /// Whether the item watches the descriptor `fd`.
    pub fn has_fd(&self, fd: crate::RawFd) -> bool {
        use std::os::fd::AsRawFd;
        matches!(self.target, PollTarget::Fd(own) if own.as_raw_fd() == fd)
    }

    /// Replaces the events asked for.
    pub fn set_events(&mut self, events: impl Into<PollEvents>) {
        self.events = events.into().bits();
    }

    /// Whether the last [`poll`] found the item readable.
    pub fn is_readable(&self) -> bool {
        self.revents & POLLIN != 0
    }

    /// Whether the last [`poll`] found the item writable.
    pub fn is_writable(&self) -> bool {
        self.revents & POLLOUT != 0
    }

    /// Whether the last [`poll`] found an error on the descriptor.
    pub fn is_error(&self) -> bool {
        self.revents & POLLERR != 0
    }
}

impl Socket {
    /// A [`PollItem`] watching this socket for `events` ([`POLLIN`] |
    /// [`POLLOUT`], or a raw `i16` mask).
    pub fn as_poll_item(&self, events: impl Into<PollEvents>) -> PollItem<'_> {
        PollItem::from_socket(self, events)
    }
}

/// Waits until at least one item is ready or `timeout_ms` passes (0:
/// check once; negative: wait without limit). Returns how many items have
/// events; each item's [`PollItem::revents`] says which.
///
/// With no items it sleeps for the timeout (EINVAL for a negative one,
/// which would sleep forever). EINTR when a signal interrupts the wait,
/// ETERM when a socket's context was terminated.
pub fn poll(items: &mut [PollItem<'_>], timeout_ms: i64) -> Result<i32> {
    poll_with_mask(items, timeout_ms, None)
}

/// [`poll`] with the timeout as a duration: `None` waits without limit;
/// a duration is rounded up to whole milliseconds.
pub fn poll_timeout(items: &mut [PollItem<'_>], timeout: Option<Duration>) -> Result<i32> {
    let timeout_ms = match timeout {
        None => -1,
        Some(d) => i64::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(i64::MAX),
    };
    poll(items, timeout_ms)
}

/// [`poll`] whose waits run with the thread's signal mask replaced by
/// `sigmask`, atomically, as ppoll(2) does (`zmq_ppoll`): a signal blocked
/// outside the call but not in `sigmask` interrupts it with EINTR.
///
/// Where the system has no ppoll(2) (macOS, OpenBSD, NetBSD, illumos) it
/// fails with `ENOTSUP` before looking at the items, as libzmq built
/// without `ZMQ_HAVE_PPOLL`.
pub fn ppoll(items: &mut [PollItem<'_>], timeout_ms: i64, sigmask: &SigSet) -> Result<i32> {
    if !HAVE_PPOLL {
        return Err(Error::NotSup);
    }
    poll_with_mask(items, timeout_ms, Some(sigmask))
}

/// Whether nix (and the system) has ppoll(2).
const HAVE_PPOLL: bool = cfg!(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "dragonfly"
));

fn poll_with_mask(
    items: &mut [PollItem<'_>],
    timeout_ms: i64,
    sigmask: Option<&SigSet>,
) -> Result<i32> {
    if items.is_empty() && sigmask.is_none() {
        return sleep_without_items(timeout_ms);
    }
    let mailboxes: Vec<Option<Arc<SocketMailbox>>> = items
        .iter()
        .map(|item| match item.target {
            PollTarget::Socket(socket) => Some(socket.mailbox()),
            PollTarget::ThreadSafe(socket) => Some(Arc::clone(socket.mailbox())),
            _ => None,
        })
        .collect();
    // Raised by thread-safe sockets when another thread changed them.
    let watcher = watch_thread_safe(items.iter().filter_map(|item| match item.target {
        PollTarget::ThreadSafe(socket) => Some(socket),
        _ => None,
    }))?;
    let mut fds: Vec<PollFd<'_>> = Vec::with_capacity(items.len());
    // Index in `items` of each entry of `fds`.
    let mut fd_owner: Vec<usize> = Vec::with_capacity(items.len());
    for (index, (item, mailbox)) in items.iter().zip(&mailboxes).enumerate() {
        let polled = match (item.target, mailbox) {
            (PollTarget::Socket(_) | PollTarget::ThreadSafe(_), Some(mailbox)) => {
                let flags = if item.events != 0 {
                    PollFlags::POLLIN
                } else {
                    PollFlags::empty()
                };
                Some(PollFd::new(mailbox.as_fd(), flags))
            }
            (PollTarget::Fd(fd), _) => Some(PollFd::new(fd, fd_flags(item.events))),
            _ => None,
        };
        if let Some(polled) = polled {
            fds.push(polled);
            fd_owner.push(index);
        }
    }
    if let Some(watcher) = &watcher {
        fds.push(PollFd::new(watcher.as_fd(), PollFlags::POLLIN));
        // Owned by no item.
        fd_owner.push(usize::MAX);
    }

    let deadline = Deadline::new(timeout_ms);
    let mut first_pass = true;
    loop {
        let wait = if first_pass {
            PollTimeout::ZERO
        } else {
            deadline.remaining()
        };
        match wait_for(&mut fds, wait, sigmask) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Err(Error::Intr),
            Err(err) => return Err(Error::from_errno(err as i32)),
        }
        if let Some(watcher) = &watcher {
            // Cleared before the sockets are checked: a change after the
            // check raises it again.
            let _ = watcher.recv();
        }
        let mut ready = 0;
        for item in items.iter_mut() {
            item.revents = 0;
        }
        for (polled, &index) in fds.iter().zip(&fd_owner) {
            let Some(item) = items.get_mut(index) else {
                continue;
            };
            item.revents = match item.target {
                PollTarget::Socket(socket) => socket_revents(socket, item.events)?,
                PollTarget::ThreadSafe(socket) => {
                    thread_safe_revents(socket, item.events, watcher.as_ref())?
                }
                PollTarget::Fd(_) => fd_revents(polled.revents().unwrap_or(PollFlags::empty())),
                PollTarget::Nothing => 0,
            };
            if item.revents != 0 {
                ready += 1;
            }
        }
        if timeout_ms == 0 || ready > 0 || deadline.expired() {
            return Ok(ready);
        }
        first_pass = false;
    }
}

/// A signaler that each of `sockets` raises when another thread changed
/// it; `None` when there are none.
pub(crate) fn watch_thread_safe<'s>(
    sockets: impl Iterator<Item = &'s ThreadSafeSocket>,
) -> Result<Option<Arc<Signaler>>> {
    let mut watcher = None;
    for socket in sockets {
        let signaler = match &watcher {
            Some(signaler) => signaler,
            None => watcher.insert(Arc::new(Signaler::new()?)),
        };
        socket.watch(signaler);
    }
    Ok(watcher)
}

/// The events of a socket item, from `ZMQ_EVENTS`.
pub(crate) fn socket_revents(socket: &Socket, events: i16) -> Result<i16> {
    Ok(revents_of(socket.readiness()?, events))
}

/// The events of a thread-safe socket item, from `ZMQ_EVENTS`, checked
/// by the poller whose signaler is `checker`.
pub(crate) fn thread_safe_revents(
    socket: &ThreadSafeSocket,
    events: i16,
    checker: Option<&Arc<Signaler>>,
) -> Result<i16> {
    Ok(revents_of(socket.get_events_for(checker)?, events))
}

/// The asked-for `events` that `state` shows.
fn revents_of(state: crate::socket::Readiness, events: i16) -> i16 {
    let mut revents = PollEvents::empty();
    if events & POLLIN != 0 && state.readable {
        revents |= POLLIN;
    }
    if events & POLLOUT != 0 && state.writable {
        revents |= POLLOUT;
    }
    revents.bits()
}

/// poll(2) flags for a raw descriptor item.
pub(crate) fn fd_flags(events: i16) -> PollFlags {
    let mut flags = PollFlags::empty();
    if events & POLLIN != 0 {
        flags |= PollFlags::POLLIN;
    }
    if events & POLLOUT != 0 {
        flags |= PollFlags::POLLOUT;
    }
    if events & POLLPRI != 0 {
        flags |= PollFlags::POLLPRI;
    }
    flags
}

/// A raw descriptor's poll(2) result as item events.
pub(crate) fn fd_revents(flags: PollFlags) -> i16 {
    let mut revents = PollEvents::empty();
    if flags.contains(PollFlags::POLLIN) {
        revents |= POLLIN;
    }
    if flags.contains(PollFlags::POLLOUT) {
        revents |= POLLOUT;
    }
    if flags.contains(PollFlags::POLLPRI) {
        revents |= POLLPRI;
    }
    if flags.intersects(!(PollFlags::POLLIN | PollFlags::POLLOUT | PollFlags::POLLPRI)) {
        revents |= POLLERR;
    }
    revents.bits()
}

/// One poll(2), or ppoll(2) with `sigmask`.
fn wait_for(
    fds: &mut [PollFd<'_>],
    wait: PollTimeout,
    sigmask: Option<&SigSet>,
) -> nix::Result<i32> {
    match sigmask {
        None => nix::poll::poll(fds, wait),
        #[cfg(any(
            target_os = "linux",
            target_os = "android",
            target_os = "freebsd",
            target_os = "dragonfly"
        ))]
        Some(mask) => {
            let timeout = Duration::try_from(wait)
                .ok()
                .map(nix::sys::time::TimeSpec::from_duration);
            nix::poll::ppoll(fds, timeout, Some(*mask))
        }
        // Refused by `ppoll` before it gets here.
        #[cfg(not(any(
            target_os = "linux",
            target_os = "android",
            target_os = "freebsd",
            target_os = "dragonfly"
        )))]
        Some(_) => Err(nix::errno::Errno::ENOTSUP),
    }
}

fn sleep_without_items(timeout_ms: i64) -> Result<i32> {
    match u64::try_from(timeout_ms) {
        Ok(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            Ok(0)
        }
        Err(_) => Err(Error::Inval),
    }
}

/// When a finite timeout ends.
struct Deadline {
    end: Option<Instant>,
}

impl Deadline {
    fn new(timeout_ms: i64) -> Deadline {
        let end = u64::try_from(timeout_ms)
            .ok()
            .and_then(|ms| Instant::now().checked_add(Duration::from_millis(ms)));
        Deadline { end }
    }

    fn expired(&self) -> bool {
        self.end.is_some_and(|end| Instant::now() >= end)
    }

    /// The poll(2) timeout until the deadline (none: wait forever).
    fn remaining(&self) -> PollTimeout {
        match self.end {
            None => PollTimeout::NONE,
            Some(end) => {
                let left = end.saturating_duration_since(Instant::now());
                // Round up so that a sub-millisecond rest does not spin.
                let ms = left.as_micros().div_ceil(1000);
                PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, SocketType};

    #[test]
    fn empty_poll_with_zero_timeout_returns_zero() {
        assert_eq!(poll(&mut [], 0), Ok(0));
        assert_eq!(poll(&mut [], -1), Err(Error::Inval));
    }

    #[test]
    fn socket_becomes_readable() {
        let ctx = Context::new();
        let a = ctx.socket(SocketType::Pair).unwrap();
        let b = ctx.socket(SocketType::Pair).unwrap();
        a.bind("inproc://poll-readable").unwrap();
        b.connect("inproc://poll-readable").unwrap();
        let mut items = [a.as_poll_item(POLLIN)];
        assert_eq!(poll(&mut items, 0), Ok(0));
        b.send("hello", 0).unwrap();
        let mut items = [a.as_poll_item(POLLIN)];
        assert_eq!(poll(&mut items, 5000), Ok(1));
        assert!(items[0].is_readable());
        let mut items = [b.as_poll_item(POLLOUT)];
        assert_eq!(poll(&mut items, 5000), Ok(1));
        assert!(items[0].is_writable());
    }

    extern "C" fn ignore_signal(_: i32) {}

    #[test]
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "dragonfly"
    )))]
    fn ppoll_is_not_supported_without_the_system_call() {
        assert_eq!(ppoll(&mut [], 0, &SigSet::empty()), Err(Error::NotSup));
    }

    #[test]
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    fn ppoll_unblocks_a_pending_signal_and_returns_eintr() {
        use nix::sys::signal::{
            SaFlags, SigAction, SigHandler, SigmaskHow, Signal, pthread_sigmask, sigaction,
        };
        let mut blocked = SigSet::empty();
        blocked.add(Signal::SIGUSR2);
        let mut old = SigSet::empty();
        pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&blocked), Some(&mut old)).unwrap();
        let action = SigAction::new(
            SigHandler::Handler(ignore_signal),
            SaFlags::empty(),
            SigSet::empty(),
        );
        // SAFETY: the handler does nothing, so it is async-signal-safe.
        let previous = unsafe { sigaction(Signal::SIGUSR2, &action) }.unwrap();
        // Pending while blocked; ppoll's mask lets it in during the wait.
        // raise(3) signals the calling thread.
        nix::sys::signal::raise(Signal::SIGUSR2).unwrap();
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Pull).unwrap();
        let mut items = [socket.as_poll_item(POLLIN)];
        // With the signal still blocked in the mask, it stays pending.
        assert_eq!(ppoll(&mut items, 20, &blocked), Ok(0));
        assert_eq!(ppoll(&mut items, 5000, &SigSet::empty()), Err(Error::Intr));
        // SAFETY: restores the previous disposition.
        unsafe { sigaction(Signal::SIGUSR2, &previous) }.unwrap();
        pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None).unwrap();
    }

    #[test]
    fn finite_timeout_expires() {
        let ctx = Context::new();
        let a = ctx.socket(SocketType::Pull).unwrap();
        a.bind("inproc://poll-timeout").unwrap();
        let start = Instant::now();
        let mut items = [a.as_poll_item(POLLIN)];
        assert_eq!(poll(&mut items, 30), Ok(0));
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert_eq!(items[0].revents(), 0);
    }

    #[test]
    fn raw_fd_readable() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut items = [PollItem::from_fd(reader.as_fd(), POLLIN)];
        assert_eq!(poll(&mut items, 0), Ok(0));
        std::io::Write::write_all(&mut writer, b"x").unwrap();
        assert_eq!(poll(&mut items, 5000), Ok(1));
        assert!(items[0].is_readable());
    }
}
