//! Helpers for this crate's tests: bounded readiness waits and unique
//! temporary directories.

use std::fs;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::error::TransportResult;
use crate::transport::{ConnectProgress, Connecting, Listener, Stream};

/// How long a test waits for readiness before failing.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// Waits until `fd` reports any of `flags` (or an error/hang-up), at most
/// [`WAIT`]. Returns whether it became ready.
pub(crate) fn wait_for(fd: BorrowedFd<'_>, flags: PollFlags) -> bool {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(fd, flags)];
        match poll(&mut fds, timeout) {
            Ok(0) => return false,
            Ok(_) => return true,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return false,
        }
    }
}

/// Accepts one connection, waiting at most [`WAIT`].
pub(crate) fn accept_one(listener: &mut dyn Listener) -> TransportResult<Box<dyn Stream>> {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(stream) = listener.accept()? {
            return Ok(stream);
        }
        if !wait_for(listener.as_fd(), PollFlags::POLLIN) {
            break;
        }
    }
    Err(io::Error::from(io::ErrorKind::TimedOut).into())
}

/// Completes a connect, waiting at most [`WAIT`].
pub(crate) fn finish_connect(
    mut connecting: Box<dyn Connecting>,
) -> TransportResult<Box<dyn Stream>> {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        let flags = if connecting.wants_readable() {
            PollFlags::POLLIN
        } else {
            PollFlags::POLLOUT
        };
        if !wait_for(connecting.as_fd(), flags) {
            break;
        }
        match connecting.finish()? {
            ConnectProgress::Connected(stream) => return Ok(stream),
            ConnectProgress::InProgress(again) => connecting = again,
        }
    }
    Err(io::Error::from(io::ErrorKind::TimedOut).into())
}

/// Writes all of `data`, waiting for writability, at most [`WAIT`].
pub(crate) fn write_all(stream: &mut dyn Stream, mut data: &[u8]) -> io::Result<()> {
    let deadline = Instant::now() + WAIT;
    while !data.is_empty() && Instant::now() < deadline {
        match stream.write(data) {
            Ok(written) => data = data.get(written..).unwrap_or_default(),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                wait_for(stream.as_fd(), PollFlags::POLLOUT);
            }
            Err(error) => return Err(error),
        }
    }
    if data.is_empty() {
        Ok(())
    } else {
        Err(io::ErrorKind::TimedOut.into())
    }
}

/// Reads exactly `len` bytes, waiting for readability, at most [`WAIT`].
pub(crate) fn read_exact(stream: &mut dyn Stream, len: usize) -> io::Result<Vec<u8>> {
    let deadline = Instant::now() + WAIT;
    let mut data = vec![0; len];
    let mut filled = 0;
    while filled < len && Instant::now() < deadline {
        let Some(rest) = data.get_mut(filled..) else {
            break;
        };
        match stream.read(rest) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                wait_for(stream.as_fd(), PollFlags::POLLIN);
            }
            Err(error) => return Err(error),
        }
    }
    if filled == len {
        Ok(data)
    } else {
        Err(io::ErrorKind::TimedOut.into())
    }
}

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Makes a unique temp directory for one test.
pub(crate) fn unique_temp_dir(tag: &str) -> io::Result<TempDir> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("zmqt-{tag}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&path);
    fs::create_dir(&path)?;
    Ok(TempDir(path))
}
