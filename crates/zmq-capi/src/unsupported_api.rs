//! Functions of `zmq.h` that this build does not provide yet: each fails
//! with ENOTSUP (or returns NULL with ENOTSUP) until the part that brings
//! it; `docs/capi.md` has the list.

use std::ffi::{c_char, c_int, c_long, c_void};

use zmq::Error;

use crate::boundary::{guarded, guarded_int};

/// Fails with ENOTSUP.
fn not_supported() -> c_int {
    guarded_int(|| Err(Error::NotSup))
}

/// Forwards messages between two sockets: ENOTSUP until part 8.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_proxy(
    _frontend: *mut c_void,
    _backend: *mut c_void,
    _capture: *mut c_void,
) -> c_int {
    not_supported()
}

/// [`zmq_proxy`] with a control socket: ENOTSUP until part 8.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_proxy_steerable(
    _frontend: *mut c_void,
    _backend: *mut c_void,
    _capture: *mut c_void,
    _control: *mut c_void,
) -> c_int {
    not_supported()
}

/// Deprecated device (a proxy): ENOTSUP until part 8.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_device(_kind: c_int, _frontend: *mut c_void, _backend: *mut c_void) -> c_int {
    not_supported()
}

/// Socket event monitoring: ENOTSUP until part 8.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_monitor(
    _socket: *mut c_void,
    _endpoint: *const c_char,
    _events: c_int,
) -> c_int {
    not_supported()
}

/// Versioned socket monitoring (draft API): ENOTSUP until part 8.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_monitor_versioned(
    _socket: *mut c_void,
    _endpoint: *const c_char,
    _events: u64,
    _event_version: c_int,
    _kind: c_int,
) -> c_int {
    not_supported()
}

/// Pipe statistics for the monitor (draft API): ENOTSUP until part 8.
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

/// The draft poller: NULL with ENOTSUP (use `zmq_poll`).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_new() -> *mut c_void {
    guarded(std::ptr::null_mut(), || Err(Error::NotSup))
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_destroy(_poller: *mut *mut c_void) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_size(_poller: *mut c_void) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_add(
    _poller: *mut c_void,
    _socket: *mut c_void,
    _user_data: *mut c_void,
    _events: i16,
) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_modify(
    _poller: *mut c_void,
    _socket: *mut c_void,
    _events: i16,
) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_remove(_poller: *mut c_void, _socket: *mut c_void) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_wait(
    _poller: *mut c_void,
    _event: *mut c_void,
    _timeout: c_long,
) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_wait_all(
    _poller: *mut c_void,
    _events: *mut c_void,
    _n_events: c_int,
    _timeout: c_long,
) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_fd(_poller: *mut c_void, _fd: *mut c_int) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_add_fd(
    _poller: *mut c_void,
    _fd: c_int,
    _user_data: *mut c_void,
    _events: i16,
) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_modify_fd(_poller: *mut c_void, _fd: c_int, _events: i16) -> c_int {
    not_supported()
}

/// Draft poller: ENOTSUP.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_remove_fd(_poller: *mut c_void, _fd: c_int) -> c_int {
    not_supported()
}
