//! `Portable`: the reactor's [`Backend`] on every system but Linux (and
//! on Linux with the `portable-reactor` feature): the `polling` crate,
//! registered in level-triggered mode ([`PollMode::Level`]; polling's
//! default is oneshot, which would need a re-arm after each event).
//!
//! Under it: kqueue on macOS and the BSDs (a read and a write filter per
//! descriptor), event ports on illumos, IOCP through AFD on Windows, and
//! epoll on Linux. `Poller::supports_level` is checked at creation, so a
//! system without level-triggered support fails there rather than losing
//! events later.

use std::io;
use std::num::NonZeroUsize;
use std::time::Duration;

use polling::{Event, Events, PollMode, Poller};

use super::backend::{Backend, Ready};
use super::handler::Interest;
use crate::RawFd;

/// Most events taken by one wait (more stay ready for the next one).
const MAX_EVENTS: NonZeroUsize = NonZeroUsize::new(256).expect("not zero");

/// A `polling::Poller` used level-triggered.
#[derive(Debug)]
pub struct Portable {
    poller: Poller,
    events: Events,
}

impl Backend for Portable {
    fn new() -> io::Result<Portable> {
        let poller = Poller::new()?;
        if !poller.supports_level() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this system's poller has no level-triggered mode",
            ));
        }
        Ok(Portable {
            poller,
            events: Events::with_capacity(MAX_EVENTS),
        })
    }

    fn add(&self, fd: RawFd, key: usize, interest: Interest) -> io::Result<()> {
        // SAFETY: the trait's contract: the caller keeps `fd` open until it
        // deletes it from this set.
        unsafe {
            self.poller
                .add_with_mode(fd, event(key, interest), PollMode::Level)
        }
    }

    fn modify(&self, fd: RawFd, key: usize, interest: Interest) -> io::Result<()> {
        self.poller
            .modify_with_mode(borrow(fd), event(key, interest), PollMode::Level)
    }

    fn delete(&self, fd: RawFd) -> io::Result<()> {
        self.poller.delete(borrow(fd))
    }

    /// One `Poller::wait` (sub-millisecond timeouts are kept: polling
    /// arms a timer for them where the system's wait takes milliseconds).
    fn wait(&mut self, out: &mut Vec<Ready>, timeout: Option<Duration>) -> io::Result<()> {
        self.events.clear();
        match self.poller.wait(&mut self.events, timeout) {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(error) => return Err(error),
        }
        for event in self.events.iter() {
            // polling maps hang-up and error to readable (and writable
            // where the system says so); an error alone reads as both, as
            // the epoll backend reports it.
            let failed = event.is_err().unwrap_or(false);
            out.push(Ready {
                key: event.key,
                readable: event.readable || failed,
                writable: event.writable || failed,
            });
        }
        Ok(())
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for Portable {
    /// The poller's own descriptor (epoll, kqueue or event port): readable
    /// while a registered descriptor is ready.
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.poller.as_fd()
    }
}

fn event(key: usize, interest: Interest) -> Event {
    Event::new(key, interest.readable, interest.writable)
}

/// A registered descriptor, borrowed for a call.
#[cfg(unix)]
fn borrow<'a>(fd: RawFd) -> std::os::fd::BorrowedFd<'a> {
    // SAFETY: only called with descriptors registered in this set, which
    // by the trait's contract stay open until deleted; the borrow ends
    // with the call.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}

/// A registered socket, borrowed for a call.
#[cfg(windows)]
fn borrow<'a>(socket: RawFd) -> std::os::windows::io::BorrowedSocket<'a> {
    // SAFETY: as the Unix version: registered, hence still open.
    unsafe { std::os::windows::io::BorrowedSocket::borrow_raw(socket) }
}
