//! `Epoll`: a thin, level-triggered epoll set for the reactor.
//!
//! The reactor used `polling::Poller`, whose every `wait` also arms a
//! timerfd (`timerfd_settime` + `epoll_ctl`), clears its own notifier
//! (`read`) and re-arms it (`epoll_ctl`): four system calls around each
//! `epoll_wait`. The reactor needs none of that: it has its own wake-up
//! descriptor (the mailbox) and millisecond timers, as libzmq. Here a wait
//! is one `epoll_wait`, and interest changes are one `epoll_ctl` each, made
//! only when the interest really changes (the reactor checks).

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::handler::Interest;

/// Most events taken by one wait (more stay ready for the next one).
const MAX_EVENTS: usize = 256;

/// One ready descriptor: its key and readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ready {
    /// The key given at registration.
    pub key: u64,
    /// Readable (or hung up / in error: a read reports which).
    pub readable: bool,
    /// Writable (or in error).
    pub writable: bool,
}

/// An epoll instance.
#[derive(Debug)]
pub struct Epoll {
    fd: OwnedFd,
    buffer: Vec<libc::epoll_event>,
}

impl Epoll {
    /// A new epoll set (close-on-exec).
    pub fn new() -> io::Result<Epoll> {
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

    /// Starts polling `fd` under `key`. The caller keeps `fd` open until
    /// [`Epoll::delete`] (the kernel drops a closed descriptor by itself,
    /// but a reused number would then be polled under the old key).
    pub fn add(&self, fd: RawFd, key: u64, interest: Interest) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, key, interest)
    }

    /// Changes the interest (and key) of a polled `fd`.
    pub fn modify(&self, fd: RawFd, key: u64, interest: Interest) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, key, interest)
    }

    /// Stops polling `fd`.
    pub fn delete(&self, fd: RawFd) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd, 0, Interest::NONE)
    }

    fn ctl(&self, op: libc::c_int, fd: RawFd, key: u64, interest: Interest) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: flags(interest),
            u64: key,
        };
        // SAFETY: `event` is a valid epoll_event for the duration of the
        // call; the kernel validates both descriptors.
        let rc = unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut event) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits up to `timeout` (`None`: until something is ready; rounded up
    /// to whole milliseconds so a timer is never woken for early) and
    /// appends what is ready to `out`. An interrupted wait returns with
    /// nothing ready.
    pub fn wait(&mut self, out: &mut Vec<Ready>, timeout: Option<Duration>) -> io::Result<()> {
        let millis = match timeout {
            None => -1,
            Some(t) => {
                let ms = t.as_nanos().div_ceil(1_000_000);
                libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
            }
        };
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
                key: event.u64,
                readable: failed || bits & (libc::EPOLLIN | libc::EPOLLRDHUP) as u32 != 0,
                writable: failed || bits & libc::EPOLLOUT as u32 != 0,
            });
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::net::UnixStream;

    #[test]
    fn reports_readable_and_writable_level_triggered() {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut epoll = Epoll::new().unwrap();
        epoll.add(b.as_raw_fd(), 7, Interest::READ).unwrap();
        let mut out = Vec::new();
        epoll.wait(&mut out, Some(Duration::ZERO)).unwrap();
        assert!(out.is_empty());
        a.write_all(b"x").unwrap();
        for _ in 0..2 {
            out.clear();
            epoll.wait(&mut out, Some(Duration::from_secs(5))).unwrap();
            assert_eq!(
                out,
                vec![Ready {
                    key: 7,
                    readable: true,
                    writable: false
                }]
            );
        }
        epoll.modify(b.as_raw_fd(), 9, Interest::WRITE).unwrap();
        out.clear();
        epoll.wait(&mut out, None).unwrap();
        assert_eq!(out.first().map(|r| (r.key, r.writable)), Some((9, true)));
        epoll.delete(b.as_raw_fd()).unwrap();
        out.clear();
        epoll.wait(&mut out, Some(Duration::ZERO)).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn hang_up_reads_as_readable() {
        let (a, b) = UnixStream::pair().unwrap();
        let mut epoll = Epoll::new().unwrap();
        epoll.add(b.as_raw_fd(), 1, Interest::READ).unwrap();
        drop(a);
        let mut out = Vec::new();
        epoll.wait(&mut out, Some(Duration::from_secs(5))).unwrap();
        assert!(out.first().is_some_and(|r| r.readable));
    }
}
