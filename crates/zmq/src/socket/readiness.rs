//! Level-triggered readiness: a descriptor that stays readable while a
//! message can be received (our extension; no `ZMQ_` number).
//!
//! `ZMQ_FD` is edge-triggered, as in libzmq: it is the command mailbox's
//! eventfd, readable when a command arrived, and cleared once the socket
//! processed its commands, even if messages remain queued. A
//! level-triggered descriptor is an epoll instance watching two eventfds:
//! the mailbox's (a command may have made a message receivable while the
//! application was away) and `input`, which the socket raises after each
//! call that leaves a message receivable and clears when none is. Polling
//! the epoll descriptor for `POLLIN` therefore says "a message can be
//! received, or a command waits that may bring one": after a `recv` with
//! `DONTWAIT` that fails with `EAGAIN` the descriptor is quiet again.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};

use crate::error::{Error, Result};
use crate::signaler::Signaler;

/// The level-triggered readiness descriptor of one socket.
pub(crate) struct LevelReadiness {
    /// Readable while either watched eventfd is.
    epoll: Epoll,
    /// Raised while the socket knows a message can be received.
    input: Signaler,
    raised: bool,
}

impl LevelReadiness {
    /// Watches `mailbox` (the socket's `ZMQ_FD`) and a new input eventfd.
    pub(crate) fn new(mailbox: BorrowedFd<'_>) -> Result<LevelReadiness> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).map_err(os_error)?;
        let input = Signaler::new()?;
        // Level-triggered registrations (no EPOLLET / EPOLLONESHOT): the
        // epoll descriptor polls readable exactly while one of them is.
        epoll
            .add(mailbox, EpollEvent::new(EpollFlags::EPOLLIN, 0))
            .map_err(os_error)?;
        epoll
            .add(input.as_fd(), EpollEvent::new(EpollFlags::EPOLLIN, 1))
            .map_err(os_error)?;
        Ok(LevelReadiness {
            epoll,
            input,
            raised: false,
        })
    }

    /// Records whether a message can be received now; a system call only
    /// when that changes.
    pub(crate) fn update(&mut self, receivable: bool) {
        if receivable == self.raised {
            return;
        }
        // An eventfd fails only when broken; the descriptor then reports
        // the mailbox alone, which is still never late, only early.
        let _ = if receivable {
            self.input.send()
        } else {
            self.input.recv().map(drop)
        };
        self.raised = receivable;
    }

    /// The descriptor to poll for `POLLIN`.
    pub(crate) fn raw_fd(&self) -> RawFd {
        self.epoll.0.as_raw_fd()
    }
}

fn os_error(errno: nix::errno::Errno) -> Error {
    Error::from_errno(errno as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn readable(level: &LevelReadiness) -> bool {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = [PollFd::new(level.epoll.0.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::ZERO).expect("poll") > 0
    }

    #[test]
    fn follows_the_mailbox_and_the_input_level() {
        let mailbox = Signaler::new().expect("eventfd");
        let mut level = LevelReadiness::new(mailbox.as_fd()).expect("epoll");
        assert!(level.raw_fd() >= 0);
        assert!(!readable(&level));
        mailbox.send().expect("send");
        assert!(readable(&level), "a waiting command");
        mailbox.recv().expect("recv");
        assert!(!readable(&level), "commands taken, nothing receivable");
        level.update(true);
        assert!(readable(&level), "a message can be received");
        assert!(readable(&level), "and stays so while it can");
        level.update(false);
        assert!(!readable(&level));
        assert!(!mailbox.wait(Some(Duration::ZERO)).expect("poll"));
    }
}
