//! `Epoll`: a thin, level-triggered epoll set, the reactor's [`Backend`]
//! on Linux and Android (unless the `portable-reactor` feature is on).
//!
//! `polling::Poller` (the portable backend) around each `epoll_wait` also
//! arms a timerfd (`timerfd_settime` + `epoll_ctl`) when given a timeout,
//! and clears and re-arms its own notifier after a notification. The
//! reactor needs none of that: it has its own wake-up
//! descriptor (the mailbox) and millisecond timers, as libzmq. Here a wait
//! is one `epoll_wait`, and interest changes are one `epoll_ctl` each, made
//! only when the interest really changes (the reactor checks).

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::backend::{Backend, Ready, timeout_millis};
use super::handler::Interest;

/// Most events taken by one wait (more stay ready for the next one).
const MAX_EVENTS: usize = 256;

/// An epoll instance.
#[derive(Debug)]
pub struct Epoll {
    fd: OwnedFd,
    buffer: Vec<libc::epoll_event>,
}

impl Backend for Epoll {
    /// A new epoll set (close-on-exec).
    fn new() -> io::Result<Epoll> {
        // SAFETY: plain system call without pointers.
        let raw = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let empty = libc::epoll_event { events: 0, u64: 0 };
        Ok(Epoll {
            fd,
            buffer: vec![empty; MAX_EVENTS],
        })
    }

    fn add(&self, fd: RawFd, key: usize, interest: Interest) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, key, interest)
    }

    fn modify(&self, fd: RawFd, key: usize, interest: Interest) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, key, interest)
    }

    fn delete(&self, fd: RawFd) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd, 0, Interest::NONE)
    }

    /// One `epoll_wait` (milliseconds, rounded up).
    fn wait(&mut self, out: &mut Vec<Ready>, timeout: Option<Duration>) -> io::Result<()> {
        let millis = timeout_millis(timeout);
        let capacity = libc::c_int::try_from(self.buffer.len()).unwrap_or(libc::c_int::MAX);
        // SAFETY: the buffer holds `capacity` initialised events the kernel
        // may overwrite; it writes at most `capacity` of them.
        let n = unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                self.buffer.as_mut_ptr(),
                capacity,
                millis,
            )
        };
        if n < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                return Ok(());
            }
            return Err(error);
        }
        let n = usize::try_from(n).unwrap_or(0);
        for event in self.buffer.iter().take(n) {
            let bits = event.events;
            let failed = bits & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0;
            out.push(Ready {
                key: usize::try_from(event.u64).unwrap_or(usize::MAX),
                readable: failed || bits & (libc::EPOLLIN | libc::EPOLLRDHUP) as u32 != 0,
                writable: failed || bits & libc::EPOLLOUT as u32 != 0,
            });
        }
        Ok(())
    }
}

impl Epoll {
    fn ctl(&self, op: libc::c_int, fd: RawFd, key: usize, interest: Interest) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: flags(interest),
            u64: key as u64,
        };
        // SAFETY: `event` is a valid epoll_event for the duration of the
        // call; the kernel validates both descriptors.
        let rc = unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut event) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

impl AsFd for Epoll {
    /// The epoll descriptor itself: readable while a polled descriptor is
    /// ready.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

fn flags(interest: Interest) -> u32 {
    let mut bits = 0u32;
    if interest.readable {
        bits |= (libc::EPOLLIN | libc::EPOLLRDHUP) as u32;
    }
    if interest.writable {
        bits |= libc::EPOLLOUT as u32;
    }
    bits
}

// Tested through the backend contract (backend.rs).
