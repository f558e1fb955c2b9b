//! ZeroMQ in Rust: context, sockets, messages, options.
//!
//! The API follows libzmq's (and the `zmq` crate's): a [`Context`] makes
//! [`Socket`]s, which bind and connect to endpoints (`tcp://`, `ipc://`,
//! `inproc://`, `udp://`, ...) and send and receive [`Message`]s. Errors
//! are libzmq's errnos ([`Error`]); options keep libzmq's names and
//! defaults (`set_sndhwm`, `get_rcvmore`, ...).
//!
//! # Request and reply
//!
//! ```
//! let ctx = zmq::Context::new();
//! let server = ctx.socket(zmq::REP)?;
//! server.bind("tcp://127.0.0.1:*")?;
//! let endpoint = server.get_last_endpoint()?.unwrap();
//!
//! let client = ctx.socket(zmq::REQ)?;
//! client.connect(&endpoint)?;
//! client.send("Hello", 0)?;
//! assert_eq!(server.recv_string(0)?.unwrap(), "Hello");
//! server.send("World", 0)?;
//! assert_eq!(client.recv_bytes(0)?, b"World");
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! # Multipart messages and routing
//!
//! A message may have several parts; they arrive together or not at all.
//! A ROUTER socket prefixes each message with the routing id of the peer
//! it came from, and sends to the peer whose id comes first:
//!
//! ```
//! let ctx = zmq::Context::new();
//! let router = ctx.socket(zmq::ROUTER)?;
//! router.bind("inproc://multipart-example")?;
//! let dealer = ctx.socket(zmq::DEALER)?;
//! dealer.set_identity(b"worker-1")?;
//! dealer.connect("inproc://multipart-example")?;
//!
//! dealer.send_multipart(["job", "42"], 0)?;
//! let parts = router.recv_multipart(0)?;
//! assert_eq!(parts, [b"worker-1".to_vec(), b"job".to_vec(), b"42".to_vec()]);
//!
//! router.send_multipart([&b"worker-1"[..], b"done"], 0)?;
//! assert_eq!(dealer.recv_string(0)?.unwrap(), "done");
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! # Publish and subscribe
//!
//! ```
//! let ctx = zmq::Context::new();
//! let publisher = ctx.socket(zmq::PUB)?;
//! publisher.bind("inproc://weather")?;
//! let subscriber = ctx.socket(zmq::SUB)?;
//! subscriber.set_subscribe(b"10001 ")?;
//! subscriber.connect("inproc://weather")?;
//!
//! // Subscriptions travel to the publisher asynchronously: publish until
//! // the subscriber sees a message (a real feed just keeps publishing).
//! loop {
//!     publisher.send("10002 rain", 0)?; // filtered out by the subscriber
//!     publisher.send("10001 sunny", 0)?;
//!     if subscriber.poll(zmq::POLLIN, 10)? > 0 {
//!         break;
//!     }
//! }
//! assert_eq!(subscriber.recv_string(0)?.unwrap(), "10001 sunny");
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! # Waiting on several sockets
//!
//! [`poll()`] takes a slice of [`PollItem`]s (sockets or descriptors);
//! [`Poller`] keeps a set registered between waits:
//!
//! ```
//! let ctx = zmq::Context::new();
//! let (a, b) = (ctx.socket(zmq::PAIR)?, ctx.socket(zmq::PAIR)?);
//! a.bind("inproc://poll-example")?;
//! b.connect("inproc://poll-example")?;
//! b.send("ping", 0)?;
//!
//! let mut items = [a.as_poll_item(zmq::POLLIN)];
//! assert_eq!(zmq::poll(&mut items, 1000)?, 1);
//! assert!(items[0].is_readable());
//!
//! let mut poller = zmq::Poller::new();
//! poller.add(&a, "a", zmq::POLLIN)?;
//! let event = poller.wait(1000)?;
//! assert_eq!(event.user_data, "a");
//! assert_eq!(a.recv_string(0)?.unwrap(), "ping");
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! # Security
//!
//! CURVE encrypts and authenticates; an [`auth::Authenticator`] (a ZAP
//! handler on the context) decides which client keys are let in:
//!
//! ```
//! let ctx = zmq::Context::new();
//! let auth = zmq::auth::Authenticator::start(&ctx)?;
//! let server_keys = zmq::CurveKeyPair::new()?;
//! let client_keys = zmq::CurveKeyPair::new()?;
//! auth.configure_curve([client_keys.public_key]);
//!
//! let server = ctx.socket(zmq::REP)?;
//! server.set_curve_server(true)?;
//! server.set_curve_secretkey(&server_keys.secret_key)?;
//! server.bind("tcp://127.0.0.1:*")?;
//!
//! let client = ctx.socket(zmq::REQ)?;
//! client.set_curve_serverkey(&server_keys.public_key)?;
//! client.set_curve_publickey(&client_keys.public_key)?;
//! client.set_curve_secretkey(&client_keys.secret_key)?;
//! client.connect(&server.get_last_endpoint()?.unwrap())?;
//! client.send("secret", 0)?;
//! assert_eq!(server.recv_string(0)?.unwrap(), "secret");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Keys travel as Z85 text ([`z85_encode`], [`z85_decode`],
//! [`curve_keypair`]).
//!
//! # Monitoring
//!
//! [`Socket::monitor`] publishes connection events on a PAIR endpoint:
//!
//! ```
//! let ctx = zmq::Context::new();
//! let server = ctx.socket(zmq::REP)?;
//! server.monitor("inproc://monitor-example", zmq::SocketEvent::ALL as i32)?;
//! let events = ctx.socket(zmq::PAIR)?;
//! events.connect("inproc://monitor-example")?;
//! server.bind("tcp://127.0.0.1:*")?;
//!
//! let frames = events.recv_multipart(0)?;
//! let (event, _value, endpoint) = zmq::monitor::parse_event_v1(&frames).unwrap();
//! assert_eq!(zmq::SocketEvent::from_raw(event), zmq::SocketEvent::LISTENING);
//! assert!(endpoint.starts_with("tcp://127.0.0.1:"));
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! # Errors
//!
//! Every call that can fail returns [`Error`], one variant per errno,
//! also under its errno name for matching:
//!
//! ```
//! let ctx = zmq::Context::new();
//! let pull = ctx.socket(zmq::PULL)?;
//! match pull.recv_bytes(zmq::DONTWAIT) {
//!     Err(zmq::Error::EAGAIN) => {} // nothing queued
//!     other => panic!("unexpected: {other:?}"),
//! }
//! assert_eq!(ctx.socket(zmq::PUB)?.bind("bogus://x"), Err(zmq::Error::EPROTONOSUPPORT));
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! # Async use
//!
//! [`async_io::AsyncSocket`] wraps a [`Socket`] with futures for `send`,
//! `recv`, `send_multipart` and `recv_multipart` (and, with the `async`
//! feature, `Stream`/`Sink` of whole messages). It runs on any executor:
//! the executor's reactor watches the socket's `ZMQ_FD` through the small
//! [`async_io::ReadyFd`] trait; this crate starts no runtime and no
//! thread for it. For tokio, the `zmq-tokio` crate implements it with
//! `AsyncFd`:
//!
//! ```ignore
//! let ctx = zmq::Context::new();
//! let mut pull = zmq_tokio::Socket::new(&ctx, zmq::PULL)?;
//! pull.bind("tcp://127.0.0.1:5555")?;
//! let parts = pull.recv_multipart().await?;
//! ```
//!
//! Every future is cancellation-safe: a dropped receive loses no message,
//! a dropped send sent all of its parts or none (see [`async_io`]).
//!
//! # Tracing
//!
//! With the `tracing` cargo feature, each connection's session runs in a
//! `tracing` span (`zmq_session`: `endpoint`, `accepted`, `mechanism`,
//! `peer`) and reports handshake failures, reconnects, disconnects and
//! protocol errors as events (target `zmq::session`); messages a PUB-like
//! socket drops at the high-water mark are events of target `zmq::hwm`.
//! Without the feature none of it is compiled in.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

/// Declares a module of the implementation: private, or public but hidden
/// from the documentation with the `internals` feature, which only this
/// workspace's own tests, fuzz targets and C ABI enable. Nothing in such a
/// module is part of the API or its semver promise. (Each module's file
/// documents it.)
macro_rules! internal_mod {
    ($name:ident) => {
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        #[allow(dead_code, unused_imports, unreachable_pub)]
        mod $name;
    };
}

pub mod async_io;
/// A ready ZAP handler: address, PLAIN and CURVE policies.
pub mod auth;
/// Names in the shape of the `zmq` crate (rust-zmq 0.10).
mod compat;
/// The context: I/O threads, inproc names, shutdown and term.
pub mod context;
internal_mod!(engine);
/// Errors, one per libzmq errno.
pub mod error;
/// inproc: sockets joined by pipe pairs.
mod inproc;
/// The context's I/O threads and the commands their handlers take.
mod io;
internal_mod!(io_thread);
internal_mod!(mailbox);
/// Message parts as the API hands them out.
pub mod message;
/// Socket monitoring: events about connections.
pub mod monitor;
internal_mod!(option_table);
/// Socket options with libzmq's defaults.
pub mod options;
internal_mod!(pipe);
/// Pipe notifications for an owner that is not known yet.
mod pipe_target;
/// Waiting on several sockets and descriptors (`zmq_poll`).
pub mod poll;
/// A persistent set of sockets and descriptors to wait on (`zmq_poller`).
pub mod poller;
/// Forwarding between two sockets (`zmq_proxy`, `zmq_proxy_steerable`).
pub mod proxy;
internal_mod!(reactor);
/// Sessions, listeners and connecters on the I/O threads.
mod session;
internal_mod!(signaler);
/// The socket API.
pub mod socket;
internal_mod!(spin);
mod sync;
/// Dropping the last user-facing handle terms the context.
mod term_on_drop;
/// Sockets of the thread-safe (draft) types, shared between threads.
pub mod threadsafe;
/// Repeating timers run by the caller (`zmq_timers`).
pub mod timers;
/// The `tracing` feature's hooks (nothing without it).
mod trace;
pub mod transport;
/// Z85 text (`zmq_z85_encode`, `zmq_z85_decode`).
mod z85;

pub use compat::{
    CHANNEL, CLIENT, CurveKeyPair, DEALER, DGRAM, DISH, GATHER, PAIR, PEER, PUB, PULL, PUSH, RADIO,
    REP, REQ, ROUTER, SCATTER, SERVER, STREAM, SUB, XPUB, XSUB,
};
pub use context::Context;

/// A descriptor as the API speaks of one (`ZMQ_FD`, `zmq_poller_fd`, raw
/// poll items): libzmq's `zmq_fd_t`, a Unix file descriptor...
#[cfg(unix)]
pub type RawFd = std::os::fd::RawFd;
/// ...and a `SOCKET` on Windows.
#[cfg(windows)]
pub type RawFd = std::os::windows::io::RawSocket;
pub use error::{Error, Result};
pub use message::Message;
pub use monitor::SocketEvent;
/// The signal set [`ppoll`] takes (nix's, a `sigset_t`).
pub use nix::sys::signal::SigSet;
pub use options::Mechanism;
pub use poll::{
    POLLERR, POLLIN, POLLOUT, POLLPRI, PollEvents, PollItem, poll, poll_timeout, ppoll,
};
pub use poller::{Poller, PollerEvent};
pub use proxy::{
    ProxyCommand, ProxyStatistics, SocketTraffic, proxy, proxy_steerable, proxy_steerable_opt,
    proxy_steerable_with_capture, proxy_with_capture,
};
pub use socket::{DONTWAIT, SNDMORE, Sendable, Socket};
pub use threadsafe::ThreadSafeSocket;
pub use timers::{TimerId, Timers};
pub use zmq_mechanisms::keys::{curve_keypair, curve_public};
pub use zmq_patterns::SocketType;

pub use z85::{DecodeError, EncodeError, z85_decode, z85_encode};

/// The libzmq API version implemented (`zmq_version`): 4.3.5.
pub fn version() -> (i32, i32, i32) {
    (4, 3, 5)
}

/// Whether a capability is built in (`zmq_has`): `ipc`, `tipc`,
/// `vsock`, `ws`, `wss`, `curve`, `vmci` with the `vmci` feature,
/// `gssapi` with the `gssapi` feature, `norm` with the `norm` feature and
/// `pgm` (pgm:// and epgm://) with the `pgm` feature on Linux (libzmq
/// 4.3.5 answers only `WS` and
/// `WSS`, in capitals, for its ws transports; both spellings are answered
/// here). As libzmq, this is what the library was built with, not what
/// the kernel offers (a kernel without TIPC fails the bind instead).
/// Always `Some`, in the `zmq` crate's shape (it gives `None` for a libzmq
/// too old to answer).
pub fn has(capability: &str) -> Option<bool> {
    let vmci = cfg!(feature = "vmci") && capability == "vmci";
    let gssapi = zmq_mechanisms::gssapi::AVAILABLE && capability == "gssapi";
    let norm = cfg!(feature = "norm") && capability == "norm";
    let pgm = cfg!(all(feature = "pgm", target_os = "linux")) && capability == "pgm";
    Some(
        vmci || gssapi
            || norm
            || pgm
            || matches!(
                capability,
                "ipc" | "tipc" | "vsock" | "ws" | "wss" | "WS" | "WSS" | "curve"
            ),
    )
}
