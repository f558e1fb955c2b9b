//! `Error`: every failure of the API, one variant per libzmq errno.
//!
//! POSIX codes use the platform's native numbers; the four codes POSIX
//! lacks use libzmq's `ZMQ_HAUSNUMERO` numbers, so the C ABI maps 1:1.

use std::fmt;
use std::io;

/// Base of libzmq's own error numbers.
pub const HAUSNUMERO: i32 = 156_384_712;

macro_rules! errors {
    ($( $(#[$doc:meta])* $name:ident = $errno:expr, $text:literal; )*) => {
        /// A libzmq error (`zmq_errno()` value).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Error {
            $( $(#[$doc])* $name, )*
            /// Any other OS error number.
            Os(i32),
        }

        impl Error {
            /// The errno value, as libzmq reports it on this platform.
            pub fn errno(self) -> i32 {
                match self {
                    $( Error::$name => $errno, )*
                    Error::Os(code) => code,
                }
            }

            /// The error for an errno value.
            pub fn from_errno(code: i32) -> Error {
                $( if code == $errno { return Error::$name; } )*
                Error::Os(code)
            }

            /// The message `zmq_strerror` gives.
            pub fn message(self) -> &'static str {
                match self {
                    $( Error::$name => $text, )*
                    Error::Os(_) => "Unknown error",
                }
            }
        }
    };
}

errors! {
    /// Resource temporarily unavailable (non-blocking call, timeout, HWM).
    Again = libc::EAGAIN, "Resource temporarily unavailable";
    /// Operation cannot be accomplished in current state.
    Fsm = HAUSNUMERO + 51, "Operation cannot be accomplished in current state";
    /// The protocol is not compatible with the socket type.
    NoCompatProto = HAUSNUMERO + 52, "The protocol is not compatible with the socket type";
    /// Context was terminated.
    Term = HAUSNUMERO + 53, "Context was terminated";
    /// No I/O thread is available.
    MThread = HAUSNUMERO + 54, "No thread available";
    /// Invalid argument.
    Inval = libc::EINVAL, "Invalid argument";
    /// Bad address (a NULL or stale handle).
    Fault = libc::EFAULT, "Bad address";
    /// Interrupted by a signal.
    Intr = libc::EINTR, "Interrupted system call";
    /// Not supported by this socket type or build.
    NotSup = libc::ENOTSUP, "Operation not supported";
    /// The endpoint's transport is not supported.
    ProtoNoSupport = libc::EPROTONOSUPPORT, "Protocol not supported";
    /// No buffer space available.
    NoBufs = libc::ENOBUFS, "No buffer space available";
    /// Network is down.
    NetDown = libc::ENETDOWN, "Network is down";
    /// The address is already in use.
    AddrInUse = libc::EADDRINUSE, "Address already in use";
    /// The address is not local.
    AddrNotAvail = libc::EADDRNOTAVAIL, "Cannot assign requested address";
    /// Connection refused.
    ConnRefused = libc::ECONNREFUSED, "Connection refused";
    /// Operation in progress.
    InProgress = libc::EINPROGRESS, "Operation now in progress";
    /// Not a socket (a closed or invalid socket).
    NotSock = libc::ENOTSOCK, "Socket operation on non-socket";
    /// Message too long.
    MsgSize = libc::EMSGSIZE, "Message too long";
    /// Address family not supported.
    AfNoSupport = libc::EAFNOSUPPORT, "Address family not supported by protocol";
    /// Network is unreachable.
    NetUnreach = libc::ENETUNREACH, "Network is unreachable";
    /// Connection aborted.
    ConnAborted = libc::ECONNABORTED, "Software caused connection abort";
    /// Connection reset by peer.
    ConnReset = libc::ECONNRESET, "Connection reset by peer";
    /// Not connected.
    NotConn = libc::ENOTCONN, "Transport endpoint is not connected";
    /// Timed out.
    TimedOut = libc::ETIMEDOUT, "Connection timed out";
    /// The peer is unknown or unreachable (ROUTER_MANDATORY, SERVER); its
    /// text is libzmq's own (src/err.cpp), not the C library's.
    HostUnreach = libc::EHOSTUNREACH, "Host unreachable";
    /// Network dropped connection on reset.
    NetReset = libc::ENETRESET, "Network dropped connection on reset";
    /// No such device (a bad interface name).
    NoDev = libc::ENODEV, "No such device";
    /// No such file or directory (an unknown endpoint to unbind/disconnect).
    NoEnt = libc::ENOENT, "No such file or directory";
    /// Out of memory.
    NoMem = libc::ENOMEM, "Cannot allocate memory";
    /// Too many open files (or `ZMQ_MAX_SOCKETS` reached).
    MFile = libc::EMFILE, "Too many open files";
    /// Permission denied.
    Access = libc::EACCES, "Permission denied";
    /// File name too long (an ipc path).
    NameTooLong = libc::ENAMETOOLONG, "File name too long";
}

/// The errno-named constants of the `zmq` crate's (rust-zmq's) `Error`,
/// each equal to a variant, so `Err(zmq::Error::EAGAIN)` works in a
/// `match` as `Err(zmq::Error::Again)` does.
#[allow(missing_docs)]
impl Error {
    pub const EAGAIN: Error = Error::Again;
    pub const EFSM: Error = Error::Fsm;
    pub const ENOCOMPATPROTO: Error = Error::NoCompatProto;
    pub const ETERM: Error = Error::Term;
    pub const EMTHREAD: Error = Error::MThread;
    pub const EINVAL: Error = Error::Inval;
    pub const EFAULT: Error = Error::Fault;
    pub const EINTR: Error = Error::Intr;
    pub const ENOTSUP: Error = Error::NotSup;
    pub const EPROTONOSUPPORT: Error = Error::ProtoNoSupport;
    pub const ENOBUFS: Error = Error::NoBufs;
    pub const ENETDOWN: Error = Error::NetDown;
    pub const EADDRINUSE: Error = Error::AddrInUse;
    pub const EADDRNOTAVAIL: Error = Error::AddrNotAvail;
    pub const ECONNREFUSED: Error = Error::ConnRefused;
    pub const EINPROGRESS: Error = Error::InProgress;
    pub const ENOTSOCK: Error = Error::NotSock;
    pub const EMSGSIZE: Error = Error::MsgSize;
    pub const EAFNOSUPPORT: Error = Error::AfNoSupport;
    pub const ENETUNREACH: Error = Error::NetUnreach;
    pub const ECONNABORTED: Error = Error::ConnAborted;
    pub const ECONNRESET: Error = Error::ConnReset;
    pub const ENOTCONN: Error = Error::NotConn;
    pub const ETIMEDOUT: Error = Error::TimedOut;
    pub const EHOSTUNREACH: Error = Error::HostUnreach;
    pub const ENETRESET: Error = Error::NetReset;
    pub const ENODEV: Error = Error::NoDev;
    pub const ENOENT: Error = Error::NoEnt;
    pub const ENOMEM: Error = Error::NoMem;
    pub const EMFILE: Error = Error::MFile;
    pub const EACCES: Error = Error::Access;
    pub const ENAMETOOLONG: Error = Error::NameTooLong;
    /// `EBUSY` (no variant of its own; as [`Error::from_errno`] gives it).
    pub const EBUSY: Error = Error::Os(libc::EBUSY);
    /// `EPROTO` (no variant of its own; as [`Error::from_errno`] gives it).
    pub const EPROTO: Error = Error::Os(libc::EPROTO);

    /// The errno value (the `zmq` crate's name for [`Error::errno`]).
    pub fn to_raw(self) -> i32 {
        self.errno()
    }

    /// The error for an errno value (the `zmq` crate's name for
    /// [`Error::from_errno`]).
    pub fn from_raw(raw: i32) -> Error {
        Error::from_errno(raw)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Os(code) => write!(f, "{}", io::Error::from_raw_os_error(*code)),
            other => f.write_str(other.message()),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        match err.raw_os_error() {
            Some(code) => Error::from_errno(code),
            None => match err.kind() {
                io::ErrorKind::WouldBlock => Error::Again,
                io::ErrorKind::InvalidInput => Error::Inval,
                io::ErrorKind::TimedOut => Error::TimedOut,
                io::ErrorKind::OutOfMemory => Error::NoMem,
                io::ErrorKind::Unsupported => Error::NotSup,
                _ => Error::Inval,
            },
        }
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        io::Error::from_raw_os_error(err.errno())
    }
}

/// Result of an API call.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_round_trip() {
        for err in [
            Error::Again,
            Error::Fsm,
            Error::Term,
            Error::HostUnreach,
            Error::Inval,
        ] {
            assert_eq!(Error::from_errno(err.errno()), err);
        }
        assert_eq!(Error::Fsm.errno(), 156_384_763);
        assert_eq!(Error::Term.errno(), 156_384_765);
        assert_eq!(Error::Again.errno(), libc::EAGAIN);
    }

    #[test]
    fn messages_match_zmq_strerror() {
        assert_eq!(Error::Term.to_string(), "Context was terminated");
        assert_eq!(Error::Again.to_string(), "Resource temporarily unavailable");
        assert_eq!(Error::HostUnreach.to_string(), "Host unreachable");
    }

    #[test]
    fn errno_named_constants_match_in_patterns() {
        let result: Result<()> = Err(Error::Again);
        assert!(matches!(result, Err(Error::EAGAIN)));
        assert_eq!(Error::ETERM, Error::Term);
        assert_eq!(Error::from_raw(libc::EBUSY), Error::EBUSY);
        assert_eq!(Error::EHOSTUNREACH.to_raw(), libc::EHOSTUNREACH);
    }

    #[test]
    fn io_errors_map_to_errno() {
        let err: Error = io::Error::from_raw_os_error(libc::EADDRINUSE).into();
        assert_eq!(err, Error::AddrInUse);
    }
}
