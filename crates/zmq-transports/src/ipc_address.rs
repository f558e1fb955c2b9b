//! ipc address syntax (zmq_ipc(7)): a file path, `*` (a unique temporary
//! path chosen at bind) or, on Linux, `@name` in the abstract namespace.

use std::fmt;
use std::path::PathBuf;

use crate::error::{TransportError, TransportErrorKind, TransportResult};

/// The size of `sockaddr_un.sun_path` on Linux. A path (or `@name`) must
/// be shorter than this, leaving room for the terminating NUL, as libzmq.
pub const SUN_PATH_LEN: usize = 108;

/// A parsed ipc address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IpcAddress {
    /// A file system path.
    Path(PathBuf),
    /// `@name`: a name in the Linux abstract namespace (without the `@`).
    Abstract(String),
    /// `*`: bind to a fresh path in a new temporary directory.
    Wildcard,
}

impl IpcAddress {
    /// Parses the text after `ipc://`.
    ///
    /// Errors: empty, `@` alone or a NUL byte → `EINVAL`; 108 bytes or
    /// more → `ENAMETOOLONG`; `@name` off Linux → `EPROTONOSUPPORT`.
    pub fn parse(address: &str) -> TransportResult<Self> {
        if address.is_empty() || address.contains('\0') {
            return Err(TransportError::invalid(format!("bad ipc path {address:?}")));
        }
        if address.len() >= SUN_PATH_LEN {
            return Err(TransportError::new(
                TransportErrorKind::NameTooLong,
                format!(
                    "ipc path is {} bytes, at most {} allowed",
                    address.len(),
                    SUN_PATH_LEN - 1
                ),
            ));
        }
        if address == "*" {
            return Ok(Self::Wildcard);
        }
        match address.strip_prefix('@') {
            Some("") => Err(TransportError::invalid("empty abstract ipc name")),
            Some(name) if cfg!(any(target_os = "linux", target_os = "android")) => {
                Ok(Self::Abstract(name.to_owned()))
            }
            Some(_) => Err(TransportError::new(
                TransportErrorKind::ProtocolNotSupported,
                "the abstract namespace exists on Linux only",
            )),
            None => Ok(Self::Path(PathBuf::from(address))),
        }
    }

    /// Parses and checks for connect: `*` cannot be connected to.
    pub fn parse_connect(address: &str) -> TransportResult<Self> {
        match Self::parse(address)? {
            Self::Wildcard => Err(TransportError::invalid("cannot connect to ipc://*")),
            other => Ok(other),
        }
    }
}

impl fmt::Display for IpcAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(path) => write!(f, "{}", path.display()),
            Self::Abstract(name) => write!(f, "@{name}"),
            Self::Wildcard => f.write_str("*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        let table = [
            ("/tmp/feeds/0", IpcAddress::Path("/tmp/feeds/0".into())),
            ("relative/sock", IpcAddress::Path("relative/sock".into())),
            ("*", IpcAddress::Wildcard),
            ("@name", IpcAddress::Abstract("name".into())),
        ];
        for (text, expected) in table {
            assert_eq!(IpcAddress::parse(text).ok(), Some(expected), "{text}");
        }
    }

    #[test]
    fn rejects_bad_paths() {
        let too_long = "a".repeat(SUN_PATH_LEN);
        let longest = "a".repeat(SUN_PATH_LEN - 1);
        let table = [
            ("", libc::EINVAL),
            ("@", libc::EINVAL),
            ("a\0b", libc::EINVAL),
            (too_long.as_str(), libc::ENAMETOOLONG),
        ];
        for (text, errno) in table {
            assert_eq!(
                IpcAddress::parse(text).err().map(|e| e.errno()),
                Some(errno),
                "{text:?}"
            );
        }
        assert!(IpcAddress::parse(&longest).is_ok());
        let abstract_longest = format!("@{}", "b".repeat(SUN_PATH_LEN - 2));
        assert!(IpcAddress::parse(&abstract_longest).is_ok());
        assert!(IpcAddress::parse(&format!("{abstract_longest}c")).is_err());
    }

    #[test]
    fn wildcard_is_bind_only() {
        assert!(IpcAddress::parse_connect("*").is_err());
        assert!(IpcAddress::parse_connect("/tmp/x").is_ok());
    }
}
