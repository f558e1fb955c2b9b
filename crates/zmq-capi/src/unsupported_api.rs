//! Functions of `zmq.h` that this build does not provide yet: each fails
//! with ENOTSUP (or returns NULL with ENOTSUP) until the part that brings
//! it; `docs/capi.md` has the list.

use std::ffi::{c_int, c_void};

use zmq::Error;

use crate::boundary::guarded_int;

/// Fails with ENOTSUP.
fn not_supported() -> c_int {
    guarded_int(|| Err(Error::NotSup))
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
