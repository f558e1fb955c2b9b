//! The ipc transport (unix domain stream sockets): [`IpcTransport`] and
//! its [`IpcListener`].
//!
//! Unlike libzmq, which unlinks whatever file sits at the path before
//! binding (so a second process silently steals the endpoint), bind here
//! removes a socket file only when nobody listens on it; a live listener or
//! a non-socket file gives `EADDRINUSE`.

use std::fs;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use socket2::Socket;

use crate::error::{TransportError, TransportResult};
use crate::ipc_address::IpcAddress;
use crate::ipc_peer_filter::peer_is_allowed;
use crate::ipc_socket_file::{
    BoundSocketFile, make_wildcard_path, remove_stale_socket_file, socket_address,
};
use crate::options::TransportOptions;
use crate::pending_connect::{PendingConnect, StreamFlavor};
use crate::socket_stream::SocketStream;
use crate::socket_tuning::apply_buffers;
use crate::tcp::is_transient_accept_error;
use crate::transport::{Connecting, Listener, Stream, Transport};

/// How many aborted, interrupted or filtered-out accepts one `accept`
/// call skips.
const ACCEPT_RETRIES: usize = 64;

/// The `ipc://` transport.
#[derive(Debug, Default, Clone, Copy)]
pub struct IpcTransport;

fn open_socket() -> io::Result<Socket> {
    crate::nonblocking::stream_socket(socket2::Domain::UNIX, None)
}

impl Transport for IpcTransport {
    fn scheme(&self) -> &str {
        "ipc"
    }

    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        IpcAddress::parse_connect(address).map(drop)
    }

    fn bind(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        let parsed = IpcAddress::parse(address)?;
        if let Some(inherited) = &options.use_fd {
            // ZMQ_USE_FD: the application bound the socket; we neither
            // create nor remove its file.
            let socket = Socket::from(inherited.duplicate()?);
            socket.set_nonblocking(true)?;
            socket.set_cloexec(true)?;
            return listen(socket, &parsed, None, options);
        }
        let (resolved, socket, file) = match parsed {
            IpcAddress::Wildcard => {
                let (directory, path) = make_wildcard_path()?;
                let resolved = IpcAddress::Path(path.clone());
                match bind_socket(&resolved, options) {
                    Ok(socket) => {
                        let file = BoundSocketFile::new(path, Some(directory));
                        (resolved, socket, Some(file))
                    }
                    Err(error) => {
                        let _ = fs::remove_dir(&directory);
                        return Err(error);
                    }
                }
            }
            IpcAddress::Path(path) => {
                remove_stale_socket_file(&path)?;
                let resolved = IpcAddress::Path(path.clone());
                let socket = bind_socket(&resolved, options)?;
                (resolved, socket, Some(BoundSocketFile::new(path, None)))
            }
            abstract_name @ IpcAddress::Abstract(_) => {
                let socket = bind_socket(&abstract_name, options)?;
                (abstract_name, socket, None)
            }
        };
        listen(socket, &resolved, file, options)
    }

    fn connect(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        let parsed = IpcAddress::parse_connect(address)?;
        let socket = open_socket()?;
        apply_buffers(&socket, options)?;
        // A full backlog gives EAGAIN on a unix socket: not "in progress"
        // but a failed attempt the caller retries later, as libzmq.
        let in_progress = match socket.connect(&socket_address(&parsed)?) {
            Ok(()) => false,
            Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => true,
            Err(error) => return Err(TransportError::from(error)),
        };
        Ok(Box::new(PendingConnect::new(
            socket,
            StreamFlavor::Ipc(format!("ipc://{parsed}")),
            in_progress,
        )))
    }
}

/// Opens a socket and binds it to a path or abstract name.
fn bind_socket(address: &IpcAddress, options: &TransportOptions) -> TransportResult<Socket> {
    let socket = open_socket()?;
    apply_buffers(&socket, options)?;
    let target = socket_address(address)?;
    socket
        .bind(&target)
        .map_err(|error| closed_on_error(&socket, address, error))?;
    Ok(socket)
}

/// A failed bind or listen closes the socket: libzmq's ipc listener
/// reports it closed, under `ipc://address`, before the bind fails
/// (src/ipc_listener.cpp set_local_address, close).
fn closed_on_error(socket: &Socket, address: &IpcAddress, error: io::Error) -> TransportError {
    TransportError::from(error).with_closed_socket(socket.as_raw_fd(), format!("ipc://{address}"))
}

/// Listens on a bound socket; `file` is removed again if that fails.
fn listen(
    socket: Socket,
    address: &IpcAddress,
    file: Option<BoundSocketFile>,
    options: &TransportOptions,
) -> TransportResult<Box<dyn Listener>> {
    socket
        .listen(options.backlog)
        .map_err(|error| closed_on_error(&socket, address, error))?;
    Ok(Box::new(IpcListener {
        socket,
        endpoint: format!("ipc://{address}"),
        options: options.clone(),
        _bound_file: file,
    }))
}

/// A listening unix domain socket. Dropping it removes the socket file it
/// created (and the directory of an `ipc://*` bind).
#[derive(Debug)]
pub struct IpcListener {
    socket: Socket,
    endpoint: String,
    options: TransportOptions,
    _bound_file: Option<BoundSocketFile>,
}

impl AsFd for IpcListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Listener for IpcListener {
    fn accept(&mut self) -> TransportResult<Option<Box<dyn Stream>>> {
        for _ in 0..ACCEPT_RETRIES {
            let socket = match crate::nonblocking::accept_nonblocking(&self.socket) {
                Ok((socket, _)) => socket,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(error) if is_transient_accept_error(&error) => continue,
                Err(error) => return Err(error.into()),
            };
            if !peer_is_allowed(&socket, &self.options) {
                continue;
            }
            let stream = SocketStream::ipc(socket, self.endpoint.clone());
            return Ok(Some(Box::new(stream)));
        }
        Ok(None)
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

#[cfg(test)]
mod tests;
