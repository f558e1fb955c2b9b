//! The tipc transport ([`TipcTransport`]): stream sockets of Linux's
//! `AF_TIPC`, addressed by service ([`TipcAddress`]).
//!
//! As libzmq 4.3.5: bind takes a service range, a service address or
//! `<*>` (a port identity the kernel picks; `ZMQ_LAST_ENDPOINT` then
//! shows it), not a fixed `<z.c.n:ref>` (EINVAL); connect takes anything
//! but `<*>` (EINVAL). A kernel without TIPC refuses the socket with
//! `EAFNOSUPPORT`: bind fails with it, connects retry.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use socket2::{Domain, SockAddr, Socket};

use crate::error::{TransportError, TransportResult};
use crate::options::TransportOptions;
use crate::pending_connect::{PendingConnect, StreamFlavor};
use crate::raw_sys::{sockaddr_bytes, sockaddr_from_bytes};
use crate::socket_stream::SocketStream;
use crate::tcp::is_transient_accept_error;
use crate::tipc_address::TipcAddress;
use crate::transport::{Connecting, Listener, Stream, Transport};

/// How many aborted or interrupted accepts one `accept` call skips.
const ACCEPT_RETRIES: usize = 64;
/// `sockaddr_tipc.addrtype` values.
const TIPC_ADDR_NAMESEQ: u8 = 1;
const TIPC_ADDR_NAME: u8 = 2;
const TIPC_ADDR_ID: u8 = 3;
/// `TIPC_ZONE_SCOPE`.
const TIPC_ZONE_SCOPE: u8 = 1;

/// The `tipc://` transport.
#[derive(Debug, Default, Clone, Copy)]
pub struct TipcTransport;

/// `sockaddr_tipc` (16 bytes): family, address type, scope, then the
/// union of `{ref, node}`, `{type, lower, upper}` and
/// `{{type, instance}, domain}`.
fn tipc_sockaddr(address: &TipcAddress) -> TransportResult<SockAddr> {
    let (kind, scope, words) = match *address {
        TipcAddress::ServiceRange {
            service,
            lower,
            upper,
        } => (TIPC_ADDR_NAMESEQ, TIPC_ZONE_SCOPE, [service, lower, upper]),
        TipcAddress::Service {
            service,
            instance,
            domain,
        } => (TIPC_ADDR_NAME, 0, [service, instance, domain]),
        TipcAddress::Socket { node, reference } => (TIPC_ADDR_ID, 0, [reference, node, 0]),
        TipcAddress::Random => (TIPC_ADDR_ID, 0, [0, 0, 0]),
    };
    let family = u16::try_from(tipc_family().unwrap_or(-1)).unwrap_or_default();
    let mut bytes = [0u8; 16];
    bytes[0..2].copy_from_slice(&family.to_ne_bytes());
    bytes[2] = kind;
    bytes[3] = scope;
    for (i, word) in words.iter().enumerate() {
        bytes[4 + 4 * i..8 + 4 * i].copy_from_slice(&word.to_ne_bytes());
    }
    sockaddr_from_bytes(&bytes).ok_or_else(|| TransportError::invalid("bad tipc address"))
}

/// The address in a `sockaddr_tipc` the kernel filled.
fn tipc_address(address: &SockAddr) -> Option<TipcAddress> {
    let bytes = sockaddr_bytes(address);
    let word = |i: usize| {
        let at = 4 + 4 * i;
        Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let family = u16::from_ne_bytes(bytes.get(0..2)?.try_into().ok()?);
    (Some(i32::from(family)) == tipc_family().ok()).then_some(())?;
    Some(match *bytes.get(2)? {
        TIPC_ADDR_NAMESEQ => TipcAddress::ServiceRange {
            service: word(0)?,
            lower: word(1)?,
            upper: word(2)?,
        },
        TIPC_ADDR_NAME => TipcAddress::Service {
            service: word(0)?,
            instance: word(1)?,
            domain: word(2)?,
        },
        _ => TipcAddress::Socket {
            reference: word(0)?,
            node: word(1)?,
        },
    })
}

fn endpoint_of(address: io::Result<SockAddr>) -> String {
    address
        .ok()
        .as_ref()
        .and_then(tipc_address)
        .map(|address| address.endpoint())
        .unwrap_or_default()
}

/// `AF_TIPC` (Linux only, as libzmq's `ZMQ_HAVE_TIPC`).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn tipc_family() -> io::Result<libc::c_int> {
    Ok(libc::AF_TIPC)
}

/// No TIPC on this system: `EPROTONOSUPPORT` on bind and connect, as
/// libzmq built without `ZMQ_HAVE_TIPC` answers for `tipc://`.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn tipc_family() -> io::Result<libc::c_int> {
    Err(io::Error::from_raw_os_error(libc::EPROTONOSUPPORT))
}

fn open_socket() -> io::Result<Socket> {
    crate::nonblocking::stream_socket(Domain::from(tipc_family()?), None)
}

/// Parses an address for connect: anything but `<*>`.
fn parse_connect(address: &str) -> TransportResult<TipcAddress> {
    match TipcAddress::parse(address)? {
        TipcAddress::Random => Err(TransportError::invalid(
            "cannot connect to a random tipc port identity",
        )),
        parsed => Ok(parsed),
    }
}

impl Transport for TipcTransport {
    fn scheme(&self) -> &str {
        "tipc"
    }

    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        parse_connect(address).map(drop)
    }

    fn bind(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        let parsed = TipcAddress::parse(address)?;
        if let TipcAddress::Socket { .. } = parsed {
            return Err(TransportError::invalid(
                "cannot bind a fixed tipc port identity",
            ));
        }
        let socket = open_socket()?;
        let closed = |error: io::Error| {
            TransportError::from(error).with_closed_socket(socket.as_raw_fd(), String::new())
        };
        let endpoint = if parsed == TipcAddress::Random {
            // The kernel gave the socket its identity already.
            endpoint_of(socket.local_addr())
        } else {
            socket.bind(&tipc_sockaddr(&parsed)?).map_err(closed)?;
            parsed.endpoint()
        };
        socket.listen(options.backlog).map_err(closed)?;
        Ok(Box::new(TipcListener { socket, endpoint }))
    }

    fn connect(
        &self,
        address: &str,
        _options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        let parsed = parse_connect(address)?;
        let socket = open_socket()?;
        let in_progress = match socket.connect(&tipc_sockaddr(&parsed)?) {
            Ok(()) => false,
            Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => true,
            Err(error) => return Err(error.into()),
        };
        Ok(Box::new(PendingConnect::new(
            socket,
            StreamFlavor::Tipc,
            in_progress,
        )))
    }
}

/// A stream over a connected tipc socket, its ends named as libzmq
/// names them (`tipc://<z.c.n:ref>`).
pub(crate) fn tipc_stream(socket: Socket) -> SocketStream {
    let local = endpoint_of(socket.local_addr());
    let peer = endpoint_of(socket.peer_addr());
    SocketStream::named(socket, String::new(), local, peer)
}

/// A listening tipc socket.
#[derive(Debug)]
pub struct TipcListener {
    socket: Socket,
    endpoint: String,
}

impl AsFd for TipcListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Listener for TipcListener {
    fn accept(&mut self) -> TransportResult<Option<Box<dyn Stream>>> {
        for _ in 0..ACCEPT_RETRIES {
            match crate::nonblocking::accept_nonblocking(&self.socket) {
                Ok((socket, _)) => return Ok(Some(Box::new(tipc_stream(socket)))),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(error) if is_transient_accept_error(&error) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Ok(None)
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_tipc() -> bool {
        open_socket().is_ok()
    }

    #[test]
    fn addresses_round_trip_through_sockaddr_tipc() {
        for text in ["{5560,1,2}", "{5560,4}@1.2.3", "<1.2.3:77>"] {
            let parsed = TipcAddress::parse(text).ok();
            let back = parsed
                .as_ref()
                .and_then(|a| tipc_sockaddr(a).ok())
                .as_ref()
                .and_then(tipc_address);
            assert_eq!(back, parsed, "{text}");
        }
    }

    #[test]
    fn bad_addresses_fail_before_the_socket() {
        let options = TransportOptions::default();
        let bind = |a: &str| TipcTransport.bind(a, &options).err().map(|e| e.errno());
        let connect = |a: &str| TipcTransport.connect(a, &options).err().map(|e| e.errno());
        assert_eq!(bind("<1.2.3:123123>"), Some(libc::EINVAL));
        assert_eq!(bind("nonsense"), Some(libc::EINVAL));
        assert_eq!(connect("<*>"), Some(libc::EINVAL));
        assert_eq!(
            TipcTransport
                .check_connect_address("<*>")
                .err()
                .map(|e| e.errno()),
            Some(libc::EINVAL)
        );
        assert!(
            TipcTransport
                .check_connect_address("{5560,0}@0.0.0")
                .is_ok()
        );
    }

    #[test]
    fn without_kernel_tipc_bind_and_connect_are_eafnosupport() {
        if has_tipc() {
            return; // covered by the end-to-end test where TIPC exists
        }
        let options = TransportOptions::default();
        let bound = TipcTransport.bind("{5560,0,0}", &options);
        assert_eq!(bound.err().map(|e| e.errno()), Some(libc::EAFNOSUPPORT));
        let connecting = TipcTransport.connect("{5560,0}@0.0.0", &options);
        assert_eq!(
            connecting.err().map(|e| e.errno()),
            Some(libc::EAFNOSUPPORT)
        );
    }

    #[test]
    fn with_kernel_tipc_a_random_identity_is_shown() {
        if !has_tipc() {
            return;
        }
        let options = TransportOptions::default();
        let listener = TipcTransport.bind("<*>", &options);
        let endpoint = listener
            .map(|l| l.endpoint().to_owned())
            .unwrap_or_default();
        assert!(endpoint.starts_with("tipc://<"), "{endpoint}");
    }
}
