//! [`PendingConnect`]: a non-blocking connect that the reactor completes.

use std::os::fd::{AsFd, BorrowedFd};

use socket2::Socket;

use crate::error::TransportResult;
use crate::socket_stream::SocketStream;
use crate::transport::{ConnectProgress, Connecting};

/// Which stream a completed connect becomes.
#[derive(Debug, Clone)]
pub(crate) enum StreamFlavor {
    /// A tcp stream.
    Tcp,
    /// An ipc stream connected to this endpoint.
    Ipc(String),
    /// A vsock or vmci stream (`scheme`, address family).
    Vm {
        /// `vsock` or `vmci`.
        scheme: &'static str,
        /// The address family of its socket.
        family: i32,
    },
    /// A tipc stream.
    Tipc,
}

/// A socket whose `connect(2)` returned `EINPROGRESS` (or already
/// succeeded); [`finish`](Connecting::finish) reads `SO_ERROR`.
#[derive(Debug)]
pub struct PendingConnect {
    socket: Socket,
    flavor: StreamFlavor,
    in_progress: bool,
}

impl PendingConnect {
    /// `in_progress`: `connect(2)` answered EINPROGRESS.
    pub(crate) fn new(socket: Socket, flavor: StreamFlavor, in_progress: bool) -> Self {
        Self {
            socket,
            flavor,
            in_progress,
        }
    }
}

impl AsFd for PendingConnect {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Connecting for PendingConnect {
    fn started_in_progress(&self) -> bool {
        self.in_progress
    }

    fn finish(self: Box<Self>) -> TransportResult<ConnectProgress> {
        let outcome = match self.socket.take_error() {
            Ok(Some(error)) | Err(error) => Err(error),
            Ok(None) => self.socket.peer_addr().map(drop),
        };
        match outcome {
            Ok(()) => {}
            Err(error) if error.raw_os_error() == Some(libc::ENOTCONN) => {
                return Ok(ConnectProgress::InProgress(self));
            }
            Err(error) => return Err(error.into()),
        }
        let Self { socket, flavor, .. } = *self;
        let stream = match flavor {
            StreamFlavor::Tcp => SocketStream::tcp(socket),
            StreamFlavor::Ipc(endpoint) => SocketStream::ipc(socket, endpoint),
            StreamFlavor::Vm { scheme, family } => crate::vsock::vm_stream(socket, scheme, family),
            StreamFlavor::Tipc => crate::tipc::tipc_stream(socket),
        };
        Ok(ConnectProgress::Connected(Box::new(stream)))
    }
}
