//! The error type of every transport operation, with the errno it maps to.
//!
//! Design choice: bind, connect, accept and address parsing return
//! [`TransportError`], a [`TransportErrorKind`] plus a human-readable
//! detail. Every kind maps to exactly one errno ([`TransportErrorKind::errno`]),
//! which is what the facade stores for `zmq_errno()`. Byte I/O on a
//! [`Stream`](crate::Stream) uses plain `std::io::Error` (it implements
//! `Read`/`Write`); `TransportError::from(io::Error)` keeps its OS errno.

use std::fmt;
use std::io;

/// What went wrong, in the terms libzmq reports through errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The scheme is unknown or no transport is registered for it
    /// (`EPROTONOSUPPORT`).
    ProtocolNotSupported,
    /// The endpoint or address is malformed (`EINVAL`).
    InvalidEndpoint,
    /// An ipc path is longer than `sun_path` allows (`ENAMETOOLONG`).
    NameTooLong,
    /// The address is already bound by someone (`EADDRINUSE`).
    AddressInUse,
    /// The address is not local (`EADDRNOTAVAIL`).
    AddressNotAvailable,
    /// A bind address names no interface and is no numeric address
    /// (`ENODEV`).
    NoSuchDevice,
    /// The peer refused the connection (`ECONNREFUSED`).
    ConnectionRefused,
    /// The operation cannot complete now; poll the fd and retry
    /// (`EAGAIN`).
    WouldBlock,
    /// Any other OS error, by its errno.
    Os(i32),
}

impl TransportErrorKind {
    /// The errno this kind maps to.
    pub fn errno(self) -> i32 {
        match self {
            Self::ProtocolNotSupported => libc::EPROTONOSUPPORT,
            Self::InvalidEndpoint => libc::EINVAL,
            Self::NameTooLong => libc::ENAMETOOLONG,
            Self::AddressInUse => libc::EADDRINUSE,
            Self::AddressNotAvailable => libc::EADDRNOTAVAIL,
            Self::NoSuchDevice => libc::ENODEV,
            Self::ConnectionRefused => libc::ECONNREFUSED,
            Self::WouldBlock => libc::EAGAIN,
            Self::Os(errno) => errno,
        }
    }

    /// The kind for an errno (the inverse of [`errno`](Self::errno)).
    pub fn from_errno(errno: i32) -> Self {
        match errno {
            libc::EPROTONOSUPPORT => Self::ProtocolNotSupported,
            libc::EINVAL => Self::InvalidEndpoint,
            libc::ENAMETOOLONG => Self::NameTooLong,
            libc::EADDRINUSE => Self::AddressInUse,
            libc::EADDRNOTAVAIL => Self::AddressNotAvailable,
            libc::ENODEV => Self::NoSuchDevice,
            libc::ECONNREFUSED => Self::ConnectionRefused,
            libc::EAGAIN => Self::WouldBlock,
            other => Self::Os(other),
        }
    }

    fn from_io_kind(kind: io::ErrorKind) -> Self {
        match kind {
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => Self::InvalidEndpoint,
            io::ErrorKind::AddrInUse => Self::AddressInUse,
            io::ErrorKind::AddrNotAvailable => Self::AddressNotAvailable,
            io::ErrorKind::ConnectionRefused => Self::ConnectionRefused,
            io::ErrorKind::WouldBlock => Self::WouldBlock,
            io::ErrorKind::NotFound => Self::Os(libc::ENOENT),
            io::ErrorKind::PermissionDenied => Self::Os(libc::EACCES),
            io::ErrorKind::TimedOut => Self::Os(libc::ETIMEDOUT),
            io::ErrorKind::ConnectionReset => Self::Os(libc::ECONNRESET),
            io::ErrorKind::ConnectionAborted => Self::Os(libc::ECONNABORTED),
            io::ErrorKind::OutOfMemory => Self::Os(libc::ENOMEM),
            io::ErrorKind::Unsupported => Self::ProtocolNotSupported,
            _ => Self::Os(libc::EIO),
        }
    }
}

/// An error from a transport: a kind (mapping to errno) and a detail text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    kind: TransportErrorKind,
    detail: String,
    closed: Option<ClosedSocket>,
}

/// A socket a failed bind opened and closed again before failing: libzmq's
/// listener reports it (`ZMQ_EVENT_CLOSED`) before the socket reports
/// `ZMQ_EVENT_BIND_FAILED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedSocket {
    /// The descriptor it had (closed now).
    pub fd: i32,
    /// The endpoint libzmq's listener knew at that point: empty for tcp
    /// (not yet bound), `ipc://path` for ipc.
    pub endpoint: String,
}

impl TransportError {
    /// An error of `kind` with a detail text for humans.
    pub fn new(kind: TransportErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            closed: None,
        }
    }

    /// This error, noting that the bind opened the socket `fd` (known as
    /// `endpoint`) and closed it again.
    pub fn with_closed_socket(mut self, fd: i32, endpoint: impl Into<String>) -> Self {
        self.closed = Some(ClosedSocket {
            fd,
            endpoint: endpoint.into(),
        });
        self
    }

    /// The socket the failed bind opened and closed, if any.
    pub fn closed_socket(&self) -> Option<&ClosedSocket> {
        self.closed.as_ref()
    }

    /// `EINVAL`: the address is malformed.
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::InvalidEndpoint, detail)
    }

    /// The kind of error.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The errno the facade reports for this error.
    pub fn errno(&self) -> i32 {
        self.kind.errno()
    }

    /// The detail text.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({})",
            self.detail,
            io::Error::from_raw_os_error(self.errno())
        )
    }
}

impl std::error::Error for TransportError {}

impl From<io::Error> for TransportError {
    fn from(error: io::Error) -> Self {
        let kind = match error.raw_os_error() {
            Some(errno) => TransportErrorKind::from_errno(errno),
            None => TransportErrorKind::from_io_kind(error.kind()),
        };
        Self::new(kind, error.to_string())
    }
}

impl From<nix::errno::Errno> for TransportError {
    fn from(errno: nix::errno::Errno) -> Self {
        Self::from(io::Error::from_raw_os_error(errno as i32))
    }
}

impl From<TransportError> for io::Error {
    fn from(error: TransportError) -> Self {
        let os = io::Error::from_raw_os_error(error.errno());
        io::Error::new(os.kind(), error)
    }
}

/// Result of a transport operation.
pub type TransportResult<T> = Result<T, TransportError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_errno() {
        let kinds = [
            TransportErrorKind::ProtocolNotSupported,
            TransportErrorKind::InvalidEndpoint,
            TransportErrorKind::NameTooLong,
            TransportErrorKind::AddressInUse,
            TransportErrorKind::AddressNotAvailable,
            TransportErrorKind::NoSuchDevice,
            TransportErrorKind::ConnectionRefused,
            TransportErrorKind::WouldBlock,
            TransportErrorKind::Os(libc::EMFILE),
        ];
        for kind in kinds {
            assert_eq!(TransportErrorKind::from_errno(kind.errno()), kind);
        }
    }

    #[test]
    fn io_errors_keep_their_errno() {
        let error = TransportError::from(io::Error::from_raw_os_error(libc::ECONNREFUSED));
        assert_eq!(error.kind(), TransportErrorKind::ConnectionRefused);
        let error = TransportError::from(io::Error::new(io::ErrorKind::InvalidInput, "x"));
        assert_eq!(error.errno(), libc::EINVAL);
        let back = io::Error::from(TransportError::invalid("bad"));
        assert_eq!(back.kind(), io::ErrorKind::InvalidInput);
    }
}
