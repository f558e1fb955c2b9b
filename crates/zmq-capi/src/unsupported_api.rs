//! Functions of `zmq.h` that this build does not provide yet: each fails
//! with ENOTSUP (or returns NULL with ENOTSUP) until the part that brings
//! it; `docs/capi.md` has the list.

use std::ffi::{c_char, c_int, c_void};

use zmq::Error;

use crate::boundary::{guarded, guarded_int};

/// Fails with ENOTSUP.
fn not_supported() -> c_int {
    guarded_int(|| Err(Error::NotSup))
}

/// Pipe statistics for the monitor (draft API): ENOTSUP (the pipes do
/// not expose their queue counts yet).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_monitor_pipes_stats(_socket: *mut c_void) -> c_int {
    not_supported()
}

/// RADIO/DISH group join (draft API): ENOTSUP (draft sockets not built).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_join(_socket: *mut c_void, _group: *const c_char) -> c_int {
    not_supported()
}

/// RADIO/DISH group leave (draft API): ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_leave(_socket: *mut c_void, _group: *const c_char) -> c_int {
    not_supported()
}

/// PEER connect returning a routing id (draft API): 0 with ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_connect_peer(_socket: *mut c_void, _endpoint: *const c_char) -> u32 {
    guarded(0, || Err(Error::NotSup))
}

/// PEER disconnect (draft API): ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_disconnect_peer(_socket: *mut c_void, _routing_id: u32) -> c_int {
    not_supported()
}

/// ROUTER peer state (draft API): ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_get_peer_state(
    _socket: *mut c_void,
    _routing_id: *const c_void,
    _routing_id_size: usize,
) -> c_int {
    not_supported()
}
