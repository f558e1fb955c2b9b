//! The libzmq C ABI over the `zmq` crate: built as `libzmq_capi.so` with
//! the SONAME `libzmq.so.5` (installed as `libzmq.so.5.2.5` by
//! `cargo xtask install`) and `include/zmq.h`, so that C programs and
//! bindings written for libzmq 4.3.5 run unchanged.
//!
//! Every exported function catches panics, sets `errno` (the C library's
//! and `zmq_errno`'s) on failure, and refuses NULL or stale handles with
//! EFAULT / ENOTSOCK. `docs/capi.md` lists each function's status.
#![deny(missing_docs)]

pub mod boundary;
/// The `zmq.h` numbers used here.
mod consts;
/// Context and socket handles and the registry of live ones.
mod handles;
pub mod msg_slot;
/// Socket option table for `zmq_setsockopt` / `zmq_getsockopt`.
mod sockopt;

/// `zmq_ctx_*`, `zmq_init`, `zmq_term`.
pub mod context_api;
/// Draft socket API: `zmq_join`, `zmq_leave`, `zmq_connect_peer`, `zmq_disconnect_peer`.
pub mod draft_api;
/// `zmq_send`, `zmq_recv`, `zmq_msg_send`, `zmq_msg_recv`, ...
pub mod io_api;
/// `zmq_socket_monitor`, `zmq_socket_monitor_versioned`.
pub mod monitor_api;
/// `zmq_msg_*`.
pub mod msg_api;
/// `zmq_poll`.
pub mod poll_api;
pub mod poller_api;
/// `zmq_proxy`, `zmq_proxy_steerable`, `zmq_device`.
pub mod proxy_api;
/// `zmq_socket`, `zmq_close`, `zmq_bind`, options, ...
pub mod socket_api;
/// `zmq_timers_*`.
pub mod timers_api;
/// `zmq_errno`, `zmq_strerror`, `zmq_version`, `zmq_has`, Z85, counters.
pub mod util_api;
