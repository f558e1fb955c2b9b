//! Endpoint strings `scheme://address`, parsed into a typed [`Endpoint`].
//!
//! Parsing here is syntax only: no name resolution, no interface lookup.
//! Whether an address suits bind or connect is checked by the address
//! types ([`TcpAddress::check_bind`], [`TcpAddress::check_connect`], ...).

use std::fmt;

use crate::error::{TransportError, TransportResult};
use crate::inproc_address::InprocAddress;
use crate::ipc_address::IpcAddress;
use crate::tcp_address::TcpAddress;

/// The separator between scheme and address.
const SCHEME_SEPARATOR: &str = "://";

/// A parsed endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `tcp://...`
    Tcp(TcpAddress),
    /// `ipc://...`
    Ipc(IpcAddress),
    /// `inproc://...`
    Inproc(InprocAddress),
    /// Any other scheme, kept as text for user transports, for `udp`
    /// (datagrams, no stream: the socket handles it with
    /// [`crate::udp`]) and for the libzmq schemes we do not implement
    /// (pgm, ws, ...).
    Other {
        /// The scheme, before `://`.
        scheme: String,
        /// The address, after `://`.
        address: String,
    },
}

impl Endpoint {
    /// Parses `scheme://address`.
    ///
    /// Errors: no `://`, an empty scheme or an empty address → `EINVAL`
    /// (as libzmq); a malformed tcp/ipc/inproc address → its own error.
    /// Unknown schemes are not an error here (see
    /// [`TransportRegistry`](crate::TransportRegistry)).
    pub fn parse(endpoint: &str) -> TransportResult<Self> {
        let (scheme, address) = split_endpoint(endpoint)?;
        Ok(match scheme {
            "tcp" => Self::Tcp(TcpAddress::parse(address)?),
            "ipc" => Self::Ipc(IpcAddress::parse(address)?),
            "inproc" => Self::Inproc(InprocAddress::parse(address)?),
            _ => Self::Other {
                scheme: scheme.to_owned(),
                address: address.to_owned(),
            },
        })
    }

    /// The scheme of this endpoint.
    pub fn scheme(&self) -> &str {
        match self {
            Self::Tcp(_) => "tcp",
            Self::Ipc(_) => "ipc",
            Self::Inproc(_) => "inproc",
            Self::Other { scheme, .. } => scheme,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp(address) => write!(f, "tcp://{address}"),
            Self::Ipc(address) => write!(f, "ipc://{address}"),
            Self::Inproc(address) => write!(f, "inproc://{address}"),
            Self::Other { scheme, address } => write!(f, "{scheme}://{address}"),
        }
    }
}

/// Splits `scheme://address` into its two parts, both non-empty.
pub fn split_endpoint(endpoint: &str) -> TransportResult<(&str, &str)> {
    let (scheme, address) = endpoint
        .split_once(SCHEME_SEPARATOR)
        .ok_or_else(|| TransportError::invalid(format!("no '://' in endpoint {endpoint:?}")))?;
    if scheme.is_empty() || address.is_empty() {
        return Err(TransportError::invalid(format!(
            "empty scheme or address in endpoint {endpoint:?}"
        )));
    }
    Ok((scheme, address))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportErrorKind;

    #[test]
    fn splits_scheme_and_address() {
        assert_eq!(
            split_endpoint("tcp://a:1").ok(),
            Some(("tcp", "a:1")),
            "plain"
        );
        assert_eq!(split_endpoint("ipc:///tmp/x").ok(), Some(("ipc", "/tmp/x")));
        for bad in ["", "tcp", "tcp:/x", "://x", "tcp://"] {
            let error = split_endpoint(bad).err().map(|e| e.kind());
            assert_eq!(error, Some(TransportErrorKind::InvalidEndpoint), "{bad:?}");
        }
    }

    #[test]
    fn parses_each_scheme() {
        assert!(matches!(
            Endpoint::parse("tcp://*:5555"),
            Ok(Endpoint::Tcp(_))
        ));
        assert!(matches!(Endpoint::parse("ipc://@x"), Ok(Endpoint::Ipc(_))));
        assert!(matches!(
            Endpoint::parse("inproc://x"),
            Ok(Endpoint::Inproc(_))
        ));
        let other = Endpoint::parse("udp://239.0.0.1:5555");
        assert_eq!(
            other.ok(),
            Some(Endpoint::Other {
                scheme: "udp".into(),
                address: "239.0.0.1:5555".into()
            })
        );
    }

    #[test]
    fn scheme_is_case_sensitive_like_libzmq() {
        let endpoint = Endpoint::parse("TCP://a:1").ok();
        assert_eq!(endpoint.as_ref().map(Endpoint::scheme), Some("TCP"));
    }

    #[test]
    fn displays_back_to_text() {
        for text in [
            "tcp://127.0.0.1:5555",
            "tcp://[::1]:5555",
            "tcp://*:*",
            "tcp://eth0:*;server:80",
            "ipc:///tmp/feeds/0",
            "ipc://@abstract",
            "ipc://*",
            "inproc://name",
            "my://thing",
        ] {
            let parsed = Endpoint::parse(text).map(|e| e.to_string()).ok();
            assert_eq!(parsed.as_deref(), Some(text));
        }
    }
}
