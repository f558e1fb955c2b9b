//! The traits a transport implements: [`Transport`] makes [`Listener`]s
//! and [`Connecting`]s, and both yield [`Stream`]s.
//!
//! Everything is non-blocking and fd based (each trait extends `AsFd` and
//! offers `raw_fd()`): the engine's reactor polls a [`Listener`]'s fd for
//! readability (then calls [`accept`](Listener::accept)), a
//! [`Connecting`]'s fd for writability (then calls
//! [`finish`](Connecting::finish)) and a [`Stream`]'s fd for both. A
//! stream is a byte stream; it knows nothing of ZMTP.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::error::TransportResult;
use crate::options::TransportOptions;

/// A transport: one endpoint scheme (`tcp`, `ipc`, or a user's own).
pub trait Transport: Send + Sync + fmt::Debug {
    /// The scheme this transport serves, without `://`.
    fn scheme(&self) -> &str;

    /// Checks the syntax of an address for connect without resolving it,
    /// so that `zmq_connect` can fail early with `EINVAL`. The default
    /// accepts everything.
    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        let _ = address;
        Ok(())
    }

    /// Binds to `address` (the text after `scheme://`) and listens.
    fn bind(&self, address: &str, options: &TransportOptions)
    -> TransportResult<Box<dyn Listener>>;

    /// Starts a non-blocking connect to `address` (the text after
    /// `scheme://`). Name resolution happens here, once per attempt.
    fn connect(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>>;
}

/// A bound, listening socket.
pub trait Listener: AsFd + Send + fmt::Debug {
    /// Accepts one pending connection without blocking: `Ok(None)` when
    /// none is pending (poll the fd for readability).
    fn accept(&mut self) -> TransportResult<Option<Box<dyn Stream>>>;

    /// The fd to poll for readability.
    fn raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }

    /// The endpoint actually bound, for `ZMQ_LAST_ENDPOINT`, e.g.
    /// `tcp://0.0.0.0:54321` or `ipc:///tmp/tmpAbC123/socket`.
    fn endpoint(&self) -> &str;
}

/// A connect in progress.
pub trait Connecting: AsFd + Send + fmt::Debug {
    /// The fd to poll for writability.
    fn raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }

    /// Completes the connect once the fd is writable (reads `SO_ERROR`):
    /// the stream, the connect itself back when it is still in progress
    /// (poll again), or the error that ended it (`ECONNREFUSED`,
    /// `ETIMEDOUT`, ...).
    fn finish(self: Box<Self>) -> TransportResult<ConnectProgress>;

    /// Whether the next step waits for the fd to be readable rather than
    /// writable (a proxy handshake waiting for the proxy's answer). The
    /// reactor should poll for readability then; polling for writability
    /// still works but wakes it until the answer comes.
    fn wants_readable(&self) -> bool {
        false
    }

    /// Whether `connect(2)` answered "in progress" (EINPROGRESS) rather
    /// than completing at once (an ipc connect): libzmq reports
    /// `ZMQ_EVENT_CONNECT_DELAYED` only then.
    fn started_in_progress(&self) -> bool {
        true
    }
}

/// What [`Connecting::finish`] found.
#[derive(Debug)]
pub enum ConnectProgress {
    /// Connected.
    Connected(Box<dyn Stream>),
    /// Not yet; poll for writability again.
    InProgress(Box<dyn Connecting>),
}

/// A connected, non-blocking byte stream.
///
/// `read` and `write` return `ErrorKind::WouldBlock` when they cannot
/// proceed; `read` returning `Ok(0)` means the peer closed.
/// `write_vectored` sends several buffers in one system call.
pub trait Stream: io::Read + io::Write + AsFd + Send + fmt::Debug {
    /// The fd to poll.
    fn raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }

    /// The peer as libzmq's `Peer-Address` metadata shows it: the numeric
    /// IP for tcp (`127.0.0.1`, `::1`); `:uid:gid:pid` of the peer
    /// process for ipc.
    fn peer_address(&self) -> &str;

    /// The local end as an endpoint, e.g. `tcp://127.0.0.1:40000`
    /// (`ipc://` for the unnamed end of an ipc connection).
    fn local_endpoint(&self) -> &str;

    /// The remote end as an endpoint, as libzmq's monitor events show it:
    /// `tcp://127.0.0.1:40000`; for ipc the listener's socket file, or
    /// `ipc://` for a connecting peer. Empty when unknown.
    fn peer_endpoint(&self) -> &str {
        ""
    }

    /// The descriptor from which `read(2)` gives exactly the bytes
    /// `Read::read` would, so that the engine may read into its buffer
    /// directly, without a copy. `None` (the default, and the right answer
    /// for any stream that transforms or buffers its bytes) makes the
    /// engine use `Read::read`.
    fn direct_read_fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }

    /// Whether the stream holds bytes it already took from its descriptor
    /// (a transform such as TLS or WebSocket): the engine reads them
    /// without waiting for the descriptor to become readable.
    fn has_buffered_input(&self) -> bool {
        false
    }
}
