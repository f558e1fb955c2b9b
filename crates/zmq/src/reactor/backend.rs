//! `Backend`: the readiness set a reactor waits in, and which one this
//! build uses.
//!
//! Two implementations: [`super::epoll::Epoll`] (raw epoll, Linux and
//! Android) and `portable::Portable` (the `polling` crate in
//! level-triggered mode: kqueue on macOS and the BSDs, event ports on
//! illumos, IOCP on Windows, epoll again on Linux). [`PollSet`] names the
//! one in use: epoll on Linux unless the `portable-reactor` feature is on
//! (`zmq_epoll`, set by build.rs), the portable one everywhere else.
//!
//! Both are level-triggered, as libzmq's pollers: a descriptor that stays
//! ready is reported on every wait. The set's own descriptor is readable
//! while a registered one is ready, so a set can be polled from outside
//! (`zmq_poller_fd`, the level-triggered readiness descriptor).

use std::io;
use std::time::Duration;

use super::handler::Interest;
use crate::RawFd;

/// One ready descriptor: its key and readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ready {
    /// The key given at registration.
    pub key: usize,
    /// Readable (or hung up / in error: a read reports which).
    pub readable: bool,
    /// Writable (or in error).
    pub writable: bool,
}

/// A level-triggered readiness set.
///
/// Keys are the caller's; `usize::MAX` is reserved (the portable backend
/// uses it for its own wake-up).
pub trait Backend: Sized {
    /// A new, empty set (its descriptor close-on-exec).
    fn new() -> io::Result<Self>;

    /// Starts polling `fd` under `key`. The caller keeps `fd` open until
    /// [`Backend::delete`] (a closed number reused by another descriptor
    /// would otherwise be polled under the old key).
    fn add(&self, fd: RawFd, key: usize, interest: Interest) -> io::Result<()>;

    /// Changes the interest (and key) of a polled `fd`.
    fn modify(&self, fd: RawFd, key: usize, interest: Interest) -> io::Result<()>;

    /// Stops polling `fd`.
    fn delete(&self, fd: RawFd) -> io::Result<()>;

    /// Waits up to `timeout` (`None`: until something is ready; never
    /// shorter than asked, so a timer is not woken early) and appends what
    /// is ready to `out`. An interrupted wait returns with nothing ready.
    fn wait(&mut self, out: &mut Vec<Ready>, timeout: Option<Duration>) -> io::Result<()>;
}

/// The backend of this build.
#[cfg(zmq_epoll)]
pub type PollSet = super::epoll::Epoll;

/// The backend of this build.
#[cfg(not(zmq_epoll))]
pub type PollSet = super::portable::Portable;

/// The backend's name, for benchmarks and diagnostics.
pub const NAME: &str = if cfg!(zmq_epoll) { "epoll" } else { "polling" };

/// Milliseconds for a wait of `timeout`, rounded up (`-1`: no limit).
pub fn timeout_millis(timeout: Option<Duration>) -> i32 {
    match timeout {
        None => -1,
        Some(t) => i32::try_from(t.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
    }
}

#[cfg(all(test, unix))]
mod tests {
    //! The contract, run against the backend of this build.
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn reports_readable_and_writable_level_triggered() {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut set = PollSet::new().unwrap();
        set.add(b.as_raw_fd(), 7, Interest::READ).unwrap();
        let mut out = Vec::new();
        set.wait(&mut out, Some(Duration::ZERO)).unwrap();
        assert!(out.is_empty());
        a.write_all(b"x").unwrap();
        for _ in 0..2 {
            out.clear();
            set.wait(&mut out, Some(Duration::from_secs(5))).unwrap();
            assert_eq!(
                out,
                vec![Ready {
                    key: 7,
                    readable: true,
                    writable: false
                }]
            );
        }
        set.modify(b.as_raw_fd(), 9, Interest::WRITE).unwrap();
        out.clear();
        set.wait(&mut out, None).unwrap();
        assert_eq!(out.first().map(|r| (r.key, r.writable)), Some((9, true)));
        set.modify(b.as_raw_fd(), 9, Interest::NONE).unwrap();
        out.clear();
        set.wait(&mut out, Some(Duration::ZERO)).unwrap();
        assert!(out.iter().all(|r| !r.writable), "{out:?}");
        set.delete(b.as_raw_fd()).unwrap();
        out.clear();
        set.wait(&mut out, Some(Duration::ZERO)).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn hang_up_reads_as_readable() {
        let (a, b) = UnixStream::pair().unwrap();
        let mut set = PollSet::new().unwrap();
        set.add(b.as_raw_fd(), 1, Interest::READ).unwrap();
        drop(a);
        let mut out = Vec::new();
        set.wait(&mut out, Some(Duration::from_secs(5))).unwrap();
        assert!(out.first().is_some_and(|r| r.readable));
    }

    #[test]
    fn a_timed_wait_is_not_short() {
        let mut set = PollSet::new().unwrap();
        let started = std::time::Instant::now();
        let mut out = Vec::new();
        set.wait(&mut out, Some(Duration::from_millis(20))).unwrap();
        assert!(out.is_empty());
        assert!(started.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn its_descriptor_polls_readable_while_a_member_is_ready() {
        use std::os::fd::AsFd;
        let (mut a, b) = UnixStream::pair().unwrap();
        let set = PollSet::new().unwrap();
        set.add(b.as_raw_fd(), 3, Interest::READ).unwrap();
        let readable = |set: &PollSet| {
            use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
            let mut fds = [PollFd::new(set.as_fd(), PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::ZERO).unwrap() > 0
        };
        assert!(!readable(&set));
        a.write_all(b"x").unwrap();
        assert!(readable(&set));
        assert!(readable(&set), "level-triggered");
    }

    #[test]
    fn the_build_picks_its_backend() {
        let epoll = cfg!(all(
            any(target_os = "linux", target_os = "android"),
            not(feature = "portable-reactor")
        ));
        assert_eq!(NAME, if epoll { "epoll" } else { "polling" });
    }

    #[test]
    fn timeout_rounds_up_to_milliseconds() {
        assert_eq!(timeout_millis(None), -1);
        assert_eq!(timeout_millis(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_millis(Some(Duration::from_micros(1))), 1);
        assert_eq!(timeout_millis(Some(Duration::from_secs(1 << 40))), i32::MAX);
    }
}
