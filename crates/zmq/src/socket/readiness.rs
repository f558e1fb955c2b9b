//! Level-triggered readiness: a descriptor that stays readable while a
//! message can be received (our extension; no `ZMQ_` number).
//!
//! `ZMQ_FD` is edge-triggered, as in libzmq: it is the command mailbox's
//! eventfd, readable when a command arrived, and cleared once the socket
//! processed its commands, even if messages remain queued. A
//! level-triggered descriptor is a readiness set (an epoll instance on
//! Linux, a kqueue on macOS and the BSDs: the reactor's [`PollSet`])
//! watching two wake-up descriptors:
//! the mailbox's (a command may have made a message receivable while the
//! application was away) and `input`, which the socket raises after each
//! call that leaves a message receivable and clears when none is. Polling
//! the epoll descriptor for `POLLIN` therefore says "a message can be
//! received, or a command waits that may bring one": after a `recv` with
//! `DONTWAIT` that fails with `EAGAIN` the descriptor is quiet again.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::error::Result;
use crate::reactor::Interest;
use crate::reactor::backend::{Backend, PollSet};
use crate::signaler::Signaler;

/// The level-triggered readiness descriptor of one socket.
pub(crate) struct LevelReadiness {
    /// Readable while either watched descriptor is.
    set: PollSet,
    /// Raised while the socket knows a message can be received.
    input: Signaler,
    raised: bool,
}

impl LevelReadiness {
    /// Watches `mailbox` (the socket's `ZMQ_FD`) and a new input eventfd.
    pub(crate) fn new(mailbox: BorrowedFd<'_>) -> Result<LevelReadiness> {
        let set = PollSet::new()?;
        let input = Signaler::new()?;
        // Level-triggered registrations: the set's descriptor polls
        // readable exactly while one of them is. No wait runs on the set
        // itself (it is only polled from outside), and closing it drops
        // both registrations.
        set.add(mailbox.as_raw_fd(), 0, Interest::READ)?;
        set.add(input.as_raw_fd(), 1, Interest::READ)?;
        Ok(LevelReadiness {
            set,
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
        self.set.as_fd().as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn readable(level: &LevelReadiness) -> bool {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = [PollFd::new(level.set.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::ZERO).expect("poll") > 0
    }

    #[test]
    fn follows_the_mailbox_and_the_input_level() {
        let mailbox = Signaler::new().expect("signaler");
        let mut level = LevelReadiness::new(mailbox.as_fd()).expect("poll set");
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
