//! ZeroMQ transports: endpoint syntax and non-blocking, fd-based byte
//! streams behind one set of traits. This crate knows nothing of ZMTP.
//!
//! - Parse an endpoint with [`Endpoint::parse`].
//! - Bind or connect through a [`TransportRegistry`] (tcp, ipc, tipc and
//!   vsock built in, vmci on request;
//!   [`TransportRegistry::register`] adds a user [`Transport`]).
//! - Errors carry a [`TransportErrorKind`] that maps to a libzmq errno.
//!
//! ```
//! use zmq_transports::{ConnectProgress, TransportOptions, TransportRegistry};
//!
//! # fn main() -> Result<(), zmq_transports::TransportError> {
//! let registry = TransportRegistry::new();
//! let options = TransportOptions::default();
//! let listener = registry.bind("tcp://127.0.0.1:*", &options)?;
//! assert!(listener.endpoint().starts_with("tcp://127.0.0.1:"));
//! // The reactor polls `connecting.raw_fd()` for writability, then:
//! let connecting = registry.connect(listener.endpoint(), &options)?;
//! match connecting.finish()? {
//!     ConnectProgress::Connected(stream) => assert_eq!(stream.peer_address(), "127.0.0.1"),
//!     ConnectProgress::InProgress(_still_connecting) => {}
//! }
//! assert_eq!(registry.bind("pgm://x", &options).err().map(|e| e.errno()), Some(libc::EPROTONOSUPPORT));
//! # Ok(())
//! # }
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![cfg(unix)]

/// The error type and its errno mapping.
pub mod error;

/// `scheme://address` parsing into a typed [`Endpoint`].
pub mod endpoint;
/// inproc address validation.
pub mod inproc_address;
/// ipc address syntax: paths, `*`, `@abstract`.
pub mod ipc_address;
/// tcp address syntax: `host:port`, `[ipv6]:port`, `*:*`, `source;dest`.
pub mod tcp_address;
/// tipc address syntax: `{type,lower,upper}`, `{type,instance}`, `<*>`.
pub mod tipc_address;
/// vsock and vmci address syntax: `cid:port`.
pub mod vsock_address;

/// [`TransportOptions`]: the socket options transports apply.
pub mod options;
/// [`TransportRegistry`]: scheme → transport.
pub mod registry;
/// The [`Transport`], [`Listener`], [`Connecting`] and [`Stream`] traits.
pub mod transport;

/// The ipc transport.
pub mod ipc;
/// The tcp transport.
pub mod tcp;
/// The tipc transport.
pub mod tipc;
/// The vsock and vmci transports.
pub mod vsock;

/// ipc peer credential filters.
mod ipc_peer_filter;
/// ipc socket files: wildcard paths, stale cleanup, removal on drop.
mod ipc_socket_file;
/// A non-blocking connect in progress.
pub mod pending_connect;
/// System calls socket2 lacks (the crate's only unsafe code).
mod raw_sys;
/// The stream over a connected tcp or ipc socket.
pub mod socket_stream;
/// Applying options to sockets.
mod socket_tuning;
/// The SOCKS5 client behind `ZMQ_SOCKS_PROXY`.
pub mod socks5;
/// `ZMQ_TCP_ACCEPT_FILTER` networks.
pub mod tcp_accept_filter;
/// Resolving tcp addresses (interfaces, DNS, IPv6 zones).
mod tcp_resolve;
/// The udp transport (RADIO/DISH, DGRAM): addresses and datagram sockets.
pub mod udp;
/// The ws and wss transports (ZMTP over WebSocket).
pub mod ws;

/// Helpers for this crate's tests.
#[cfg(test)]
mod test_support;

pub use endpoint::Endpoint;
pub use error::{ClosedSocket, TransportError, TransportErrorKind, TransportResult};
pub use inproc_address::InprocAddress;
pub use ipc::{IpcListener, IpcTransport};
pub use ipc_address::IpcAddress;
pub use options::{InheritedSocket, TransportOptions};
pub use pending_connect::PendingConnect;
pub use registry::TransportRegistry;
pub use socket_stream::SocketStream;
pub use socks5::{SocksConnect, SocksProxy};
pub use tcp::{TcpListener, TcpTransport};
pub use tcp_accept_filter::TcpAcceptFilter;
pub use tcp_address::{TcpAddress, TcpHost, TcpHostPort, TcpPort};
pub use tipc::{TipcListener, TipcTransport};
pub use tipc_address::TipcAddress;
pub use transport::{ConnectProgress, Connecting, Listener, Stream, Transport};
pub use udp::{UdpAddress, UdpOptions, UdpRole, UdpSocket};
pub use vsock::{VmciTransport, VsockListener, VsockTransport};
pub use vsock_address::VsockAddress;
pub use ws::{WsMechanism, WsOptions, WsTransport, WssOptions};
