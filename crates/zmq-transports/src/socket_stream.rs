//! [`SocketStream`]: the [`Stream`] over a connected tcp, ipc, vsock,
//! vmci or tipc socket.

use std::io::{self, IoSlice, Read, Write};
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};

use socket2::{SockAddr, Socket};

use crate::transport::Stream;

/// The most buffers one `sendmsg(2)` takes (`IOV_MAX` on Linux); extra
/// buffers are left for the next call, as a short write.
const MAX_IO_SLICES: usize = 1024;

/// `send` flags that keep a closed peer from raising `SIGPIPE`.
#[cfg(not(target_vendor = "apple"))]
const NO_SIGPIPE: libc::c_int = libc::MSG_NOSIGNAL;
/// Apple systems have no `MSG_NOSIGNAL`: socket2 sets `SO_NOSIGPIPE` on
/// every socket it creates, and accepted sockets inherit it (as libzmq's
/// `set_nosigpipe`).
#[cfg(target_vendor = "apple")]
const NO_SIGPIPE: libc::c_int = 0;

/// A connected, non-blocking stream socket (tcp or ipc).
///
/// Writes use `send`/`sendmsg` with `MSG_NOSIGNAL` (`SO_NOSIGPIPE` on
/// Apple systems), so a closed peer gives `EPIPE` instead of killing the
/// process with `SIGPIPE`.
#[derive(Debug)]
pub struct SocketStream {
    socket: Socket,
    peer_address: String,
    local_endpoint: String,
    peer_endpoint: String,
}

impl SocketStream {
    /// Wraps a connected tcp socket (already non-blocking).
    pub(crate) fn tcp(socket: Socket) -> Self {
        let peer_address = socket
            .peer_addr()
            .ok()
            .and_then(|address| address.as_socket())
            .map(|address| address.ip().to_string())
            .unwrap_or_default();
        let local_endpoint = socket
            .local_addr()
            .ok()
            .and_then(|address| address.as_socket())
            .map(|address| tcp_endpoint(&address))
            .unwrap_or_default();
        let peer_endpoint = socket
            .peer_addr()
            .ok()
            .and_then(|address| address.as_socket())
            .map(|address| tcp_endpoint(&address))
            .unwrap_or_default();
        Self {
            socket,
            peer_address,
            local_endpoint,
            peer_endpoint,
        }
    }

    /// Wraps a connected ipc socket (already non-blocking); `endpoint` is
    /// the listener's or the connected-to endpoint. The ends are named as
    /// libzmq names them: the socket file of the end that has one (the
    /// listener's, `endpoint`), `ipc://` for the unnamed connecting end.
    pub(crate) fn ipc(socket: Socket, endpoint: String) -> Self {
        let peer_address = crate::ipc_peer_filter::peer_credentials(&socket)
            .map(|credentials| credentials.address_suffix())
            .unwrap_or_default();
        let name = |address: io::Result<SockAddr>| match address {
            Ok(address) if address.is_unnamed() => String::from("ipc://"),
            _ => endpoint.clone(),
        };
        let local_endpoint = name(socket.local_addr());
        let peer_endpoint = name(socket.peer_addr());
        Self {
            socket,
            peer_address,
            local_endpoint,
            peer_endpoint,
        }
    }

    /// Wraps a connected socket of another family (already
    /// non-blocking), its metadata and ends named by the caller.
    pub(crate) fn named(
        socket: Socket,
        peer_address: String,
        local_endpoint: String,
        peer_endpoint: String,
    ) -> Self {
        Self {
            socket,
            peer_address,
            local_endpoint,
            peer_endpoint,
        }
    }
}

/// A tcp socket address as an endpoint: `tcp://1.2.3.4:5` or `tcp://[::1]:5`.
pub(crate) fn tcp_endpoint(address: &SocketAddr) -> String {
    match address {
        SocketAddr::V4(v4) => format!("tcp://{}:{}", v4.ip(), v4.port()),
        SocketAddr::V6(v6) => format!("tcp://[{}]:{}", v6.ip(), v6.port()),
    }
}

impl Read for SocketStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.socket).read(buf)
    }
}

impl Write for SocketStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.send_with_flags(buf, NO_SIGPIPE)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let bufs = bufs.get(..MAX_IO_SLICES).unwrap_or(bufs);
        self.socket.send_vectored_with_flags(bufs, NO_SIGPIPE)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for SocketStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Stream for SocketStream {
    fn peer_address(&self) -> &str {
        &self.peer_address
    }

    fn local_endpoint(&self) -> &str {
        &self.local_endpoint
    }

    fn peer_endpoint(&self) -> &str {
        &self.peer_endpoint
    }

    fn direct_read_fd(&self) -> Option<BorrowedFd<'_>> {
        // A plain socket: read(2) on it is what Read::read does.
        Some(self.as_fd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_tcp_endpoints() {
        let v4: SocketAddr = "127.0.0.1:5555"
            .parse()
            .unwrap_or(SocketAddr::from(([0; 4], 0)));
        assert_eq!(tcp_endpoint(&v4), "tcp://127.0.0.1:5555");
        let v6: SocketAddr = "[::1]:7".parse().unwrap_or(SocketAddr::from(([0; 4], 0)));
        assert_eq!(tcp_endpoint(&v6), "tcp://[::1]:7");
    }
}
