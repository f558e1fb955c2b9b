//! ZeroMQ in Rust: context, sockets, messages, options.
//!
//! The API follows libzmq's (and the `zmq` crate's): a [`Context`] makes
//! [`Socket`]s, which bind and connect to endpoints (`tcp://`, `ipc://`,
//! `inproc://`) and send and receive [`Message`]s.
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
/// Sockets of the thread-safe (draft) types, shared between threads.
pub mod threadsafe;
/// Repeating timers run by the caller (`zmq_timers`).
pub mod timers;
pub mod transport;

pub use compat::{
    CHANNEL, CLIENT, CurveKeyPair, DEALER, DGRAM, DISH, GATHER, PAIR, PEER, PUB, PULL, PUSH, RADIO,
    REP, REQ, ROUTER, SCATTER, SERVER, STREAM, SUB, XPUB, XSUB,
};
pub use context::Context;
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
    ProxyCommand, ProxyStatistics, SocketTraffic, proxy, proxy_steerable, proxy_with_capture,
};
pub use socket::{DONTWAIT, SNDMORE, Sendable, Socket};
pub use threadsafe::ThreadSafeSocket;
pub use timers::{TimerId, Timers};
pub use zmq_mechanisms::keys::{curve_keypair, curve_public};
pub use zmq_patterns::SocketType;

/// Encodes binary data (a multiple of 4 bytes) as Z85 text
/// (`zmq_z85_encode`).
pub fn z85_encode(data: &[u8]) -> Result<String> {
    zmq_mechanisms::z85::encode(data).map_err(|_| Error::Inval)
}

/// Decodes Z85 text (a multiple of 5 characters) (`zmq_z85_decode`).
pub fn z85_decode(text: &str) -> Result<Vec<u8>> {
    zmq_mechanisms::z85::decode(text.as_bytes()).map_err(|_| Error::Inval)
}

/// The libzmq API version implemented (`zmq_version`): 4.3.5.
pub fn version() -> (i32, i32, i32) {
    (4, 3, 5)
}

/// Whether a capability is built in (`zmq_has`): `ipc`, `tipc`,
/// `vsock`, `curve`, and `vmci` with the `vmci` feature. As libzmq, this
/// is what the library was built with, not what the kernel offers (a
/// kernel without TIPC fails the bind instead). Always `Some`, in the
/// `zmq` crate's shape (it gives `None` for a libzmq too old to answer).
pub fn has(capability: &str) -> Option<bool> {
    let vmci = cfg!(feature = "vmci") && capability == "vmci";
    Some(vmci || matches!(capability, "ipc" | "tipc" | "vsock" | "curve"))
}
