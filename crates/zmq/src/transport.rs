//! Writing a transport of your own: the traits and types a transport
//! implements, re-exported from `zmq-transports`, and the built-in
//! transports to build on. Register one with
//! [`Context::register_transport`](crate::Context::register_transport);
//! `docs/custom-transports.md` walks through it.
//!
//! A [`Transport`] serves one scheme. Its [`bind`](Transport::bind)
//! gives a [`Listener`] and its [`connect`](Transport::connect) a
//! [`Connecting`]; both end in [`Stream`]s: non-blocking byte streams
//! behind a file descriptor, which the I/O thread polls and the ZMTP
//! engine reads and writes. The engine does greeting, security, framing
//! and heartbeats; a transport only moves bytes.

pub use zmq_transports::{
    ConnectProgress, Connecting, IpcTransport, Listener, SocketStream, Stream, TcpTransport,
    TipcTransport, Transport, TransportError, TransportErrorKind, TransportOptions,
    TransportResult, VmciTransport, VsockTransport,
};
