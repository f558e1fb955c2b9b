//! `Signaler`: a wake-up file descriptor (Linux eventfd).
//!
//! Non-blocking and close-on-exec. Sends coalesce: any number of `send`s
//! before a `recv` leave the descriptor readable once, and `recv` drains it.
//! The descriptor is what a socket exposes as `ZMQ_FD` and what a reactor
//! polls for its command mailbox.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

#[cfg(not(loom))]
use nix::errno::Errno;
#[cfg(not(loom))]
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::eventfd::{EfdFlags, EventFd};

/// A wake-up descriptor: readable after `send`, until `recv`.
#[derive(Debug)]
pub struct Signaler {
    fd: EventFd,
    /// Under loom, the eventfd's counter as a model (the descriptor stays
    /// for `AsFd`, never raised): see [`Signaler::send`].
    #[cfg(loom)]
    model: loom_model::Counter,
}

#[cfg(not(loom))]
impl Signaler {
    /// A new, unsignalled descriptor.
    pub fn new() -> io::Result<Signaler> {
        let fd = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)?;
        Ok(Signaler { fd })
    }

    /// Makes the descriptor readable (never blocks).
    pub fn send(&self) -> io::Result<()> {
        loop {
            match self.fd.write(1) {
                Ok(_) => return Ok(()),
                Err(Errno::EINTR) => continue,
                // The counter is at its maximum: it is signalled anyway.
                Err(Errno::EAGAIN) => return Ok(()),
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Clears the signal; returns whether it was set.
    pub fn recv(&self) -> io::Result<bool> {
        loop {
            match self.fd.read() {
                Ok(count) => return Ok(count > 0),
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => return Ok(false),
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Waits until signalled or `timeout` passes (`None`: no limit),
    /// without clearing the signal. Returns whether it is signalled; a
    /// signal delivered to the waiting thread ends the wait with an
    /// `Interrupted` error (EINTR), so that a blocking call returns EINTR
    /// as libzmq's do.
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let timeout = match timeout {
            None => PollTimeout::NONE,
            // Round up so a short wait does not turn into a busy poll.
            Some(t) => {
                let millis = t.as_nanos().div_ceil(1_000_000);
                PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
            }
        };
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(ready) => Ok(ready > 0),
            Err(err) => Err(err.into()),
        }
    }
}

impl AsFd for Signaler {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Signaler {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// The eventfd under loom: its counter behind a mutex (the kernel makes
/// each eventfd call atomic) and a condition variable for `wait`, so that
/// a lost wake-up shows as a deadlock in the model.
#[cfg(loom)]
mod loom_model {
    use loom::sync::{Condvar, Mutex};

    #[derive(Default)]
    pub(super) struct Counter {
        pub(super) count: Mutex<u64>,
        pub(super) raised: Condvar,
    }

    impl std::fmt::Debug for Counter {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Counter")
        }
    }
}

/// The loom build: same interface, the counter modelled (see
/// [`loom_model`]); `wait` with a timeout does not wait (loom has no
/// clock), without one it blocks until a `send`.
#[cfg(loom)]
impl Signaler {
    /// A new, unsignalled descriptor.
    pub fn new() -> io::Result<Signaler> {
        let fd = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)?;
        Ok(Signaler {
            fd,
            model: loom_model::Counter::default(),
        })
    }

    /// Makes the descriptor readable (never blocks).
    pub fn send(&self) -> io::Result<()> {
        let mut count = self.model.count.lock().expect("model");
        *count += 1;
        self.model.raised.notify_all();
        Ok(())
    }

    /// Clears the signal; returns whether it was set.
    pub fn recv(&self) -> io::Result<bool> {
        let mut count = self.model.count.lock().expect("model");
        Ok(std::mem::take(&mut *count) > 0)
    }

    /// Waits until signalled (no timeout) or says whether it is
    /// (with one), without clearing the signal.
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let mut count = self.model.count.lock().expect("model");
        if timeout.is_none() {
            while *count == 0 {
                count = self.model.raised.wait(count).expect("model");
            }
        }
        Ok(*count > 0)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn sends_coalesce_and_recv_drains() {
        let s = Signaler::new().expect("eventfd");
        assert!(!s.wait(Some(Duration::ZERO)).expect("poll"));
        s.send().expect("send");
        s.send().expect("send");
        assert!(s.wait(Some(Duration::ZERO)).expect("poll"));
        assert!(s.recv().expect("recv"));
        assert!(!s.recv().expect("recv"), "drained");
        assert!(!s.wait(Some(Duration::from_millis(1))).expect("poll"));
    }

    #[test]
    fn wait_returns_when_another_thread_sends() {
        let s = Arc::new(Signaler::new().expect("eventfd"));
        let sender = Arc::clone(&s);
        let t = thread::spawn(move || sender.send().expect("send"));
        assert!(s.wait(Some(Duration::from_secs(20))).expect("poll"));
        t.join().expect("sender");
    }

    #[test]
    fn descriptor_is_nonblocking_and_cloexec() {
        let s = Signaler::new().expect("eventfd");
        let fd = s.as_fd();
        let fl = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFL).expect("getfl");
        assert!(fl & nix::libc::O_NONBLOCK != 0);
        let fd_flags = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFD).expect("getfd");
        assert!(fd_flags & nix::libc::FD_CLOEXEC != 0);
    }
}
