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

pub mod error;

pub mod endpoint;
pub mod inproc_address;
pub mod ipc_address;
pub mod norm_address;
pub mod tcp_address;
pub mod tipc_address;
pub mod vsock_address;

pub mod options;
pub mod registry;
pub mod transport;

pub mod ipc;
pub mod tcp;
pub mod tipc;
pub mod vsock;

mod ipc_peer_filter;
mod ipc_socket_file;
mod nonblocking;
pub mod pending_connect;
#[cfg(all(feature = "pgm", target_os = "linux"))]
#[allow(unsafe_code)]
pub mod pgm;
mod raw_sys;
pub mod socket_stream;
mod socket_tuning;
pub mod socks5;
pub mod tcp_accept_filter;
mod tcp_resolve;
pub mod udp;
pub mod ws;

#[cfg(test)]
mod test_support;

pub use endpoint::Endpoint;
pub use error::{ClosedSocket, TransportError, TransportErrorKind, TransportResult};
pub use inproc_address::InprocAddress;
pub use ipc::{IpcListener, IpcTransport};
pub use ipc_address::IpcAddress;
pub use norm_address::NormAddress;
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
