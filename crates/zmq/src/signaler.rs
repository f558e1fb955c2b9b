//! `Signaler`: a wake-up file descriptor: an eventfd on Linux, a
//! socketpair elsewhere (and on Linux with the `portable-reactor`
//! feature), as libzmq's signaler_t (eventfd, else socketpair).
//!
//! Non-blocking and close-on-exec. Sends coalesce: any number of `send`s
//! before a `recv` leave the descriptor readable once, and `recv` drains it.
//! The descriptor is what a socket exposes as `ZMQ_FD` and what a reactor
//! polls for its command mailbox.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

#[cfg(not(loom))]
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

#[cfg(zmq_epoll)]
use wakeup::EventFdWakeup as Wakeup;
#[cfg(not(zmq_epoll))]
use wakeup::PairWakeup as Wakeup;

/// A wake-up descriptor: readable after `send`, until `recv`.
#[derive(Debug)]
pub struct Signaler {
    fd: Wakeup,
    /// Under loom, the eventfd's counter as a model (the descriptor stays
    /// for `AsFd`, never raised): see [`Signaler::send`].
    #[cfg(loom)]
    model: loom_model::Counter,
}

#[cfg(not(loom))]
impl Signaler {
    /// A new, unsignalled descriptor.
    pub fn new() -> io::Result<Signaler> {
        Ok(Signaler { fd: Wakeup::new()? })
    }

    /// Makes the descriptor readable (never blocks).
    pub fn send(&self) -> io::Result<()> {
        self.fd.raise()
    }

    /// Clears the signal; returns whether it was set.
    pub fn recv(&self) -> io::Result<bool> {
        self.fd.clear()
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

/// The two kinds of wake-up descriptor.
mod wakeup {
    use std::io;
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

    /// An eventfd (Linux, Android): one descriptor, a counter.
    #[cfg(zmq_epoll)]
    #[derive(Debug)]
    pub(super) struct EventFdWakeup(nix::sys::eventfd::EventFd);

    #[cfg(zmq_epoll)]
    impl EventFdWakeup {
        pub(super) fn new() -> io::Result<Self> {
            use nix::sys::eventfd::{EfdFlags, EventFd};
            let fd = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)?;
            Ok(EventFdWakeup(fd))
        }

        pub(super) fn raise(&self) -> io::Result<()> {
            use nix::errno::Errno;
            loop {
                match self.0.write(1) {
                    Ok(_) => return Ok(()),
                    Err(Errno::EINTR) => continue,
                    // The counter is at its maximum: it is signalled anyway.
                    Err(Errno::EAGAIN) => return Ok(()),
                    Err(err) => return Err(err.into()),
                }
            }
        }

        pub(super) fn clear(&self) -> io::Result<bool> {
            use nix::errno::Errno;
            loop {
                match self.0.read() {
                    Ok(count) => return Ok(count > 0),
                    Err(Errno::EINTR) => continue,
                    Err(Errno::EAGAIN) => return Ok(false),
                    Err(err) => return Err(err.into()),
                }
            }
        }
    }

    #[cfg(zmq_epoll)]
    impl AsFd for EventFdWakeup {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.0.as_fd()
        }
    }

    #[cfg(zmq_epoll)]
    impl AsRawFd for EventFdWakeup {
        fn as_raw_fd(&self) -> RawFd {
            self.0.as_raw_fd()
        }
    }

    /// A connected pair of Unix stream sockets (every Unix): `raise`
    /// writes a byte into one end, the other end is the descriptor, and
    /// `clear` reads it empty. Both ends non-blocking and close-on-exec
    /// (std's `pair` sets close-on-exec, atomically where the system can).
    #[cfg(not(zmq_epoll))]
    #[derive(Debug)]
    pub(super) struct PairWakeup {
        read: std::os::unix::net::UnixStream,
        write: std::os::unix::net::UnixStream,
    }

    #[cfg(not(zmq_epoll))]
    impl PairWakeup {
        pub(super) fn new() -> io::Result<Self> {
            let (read, write) = std::os::unix::net::UnixStream::pair()?;
            read.set_nonblocking(true)?;
            write.set_nonblocking(true)?;
            Ok(PairWakeup { read, write })
        }

        pub(super) fn raise(&self) -> io::Result<()> {
            use std::io::Write;
            loop {
                match (&self.write).write(&[1]) {
                    Ok(_) => return Ok(()),
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    // The buffer is full of earlier signals: still raised.
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                    Err(err) => return Err(err),
                }
            }
        }

        pub(super) fn clear(&self) -> io::Result<bool> {
            use std::io::Read;
            let mut buffer = [0u8; 64];
            let mut cleared = false;
            loop {
                match (&self.read).read(&mut buffer) {
                    // A short read took all there was.
                    Ok(n) if n < buffer.len() => return Ok(cleared || n > 0),
                    Ok(_) => cleared = true,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(cleared),
                    Err(err) => return Err(err),
                }
            }
        }
    }

    #[cfg(not(zmq_epoll))]
    impl AsFd for PairWakeup {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.read.as_fd()
        }
    }

    #[cfg(not(zmq_epoll))]
    impl AsRawFd for PairWakeup {
        fn as_raw_fd(&self) -> RawFd {
            self.read.as_raw_fd()
        }
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
        Ok(Signaler {
            fd: Wakeup::new()?,
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
        let s = Signaler::new().expect("signaler");
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
        let s = Arc::new(Signaler::new().expect("signaler"));
        let sender = Arc::clone(&s);
        let t = thread::spawn(move || sender.send().expect("send"));
        assert!(s.wait(Some(Duration::from_secs(20))).expect("poll"));
        t.join().expect("sender");
    }

    #[test]
    fn descriptor_is_nonblocking_and_cloexec() {
        let s = Signaler::new().expect("signaler");
        let fd = s.as_fd();
        let fl = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFL).expect("getfl");
        assert!(fl & nix::libc::O_NONBLOCK != 0);
        let fd_flags = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFD).expect("getfd");
        assert!(fd_flags & nix::libc::FD_CLOEXEC != 0);
    }
}
