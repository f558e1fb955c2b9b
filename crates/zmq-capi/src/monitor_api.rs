//! Socket monitoring: `zmq_socket_monitor` (version 1 events into a PAIR
//! socket) and the draft `zmq_socket_monitor_versioned` (version 1 or 2
//! into a PAIR, PUB or PUSH socket). The frames are described in
//! `zmq::monitor`.

use std::ffi::{CStr, c_char, c_int, c_void};

use zmq::{Error, Socket, SocketType};

use crate::boundary::guarded_int;
use crate::handles;

/// Starts (or, with a NULL endpoint, stops) monitoring `socket` into a new
/// PAIR socket bound to `endpoint` (`inproc://` only: EPROTONOSUPPORT
/// otherwise), version 1 events. `events` is sign-extended as in libzmq,
/// so bits above 16 (and -1) are EINVAL.
///
/// # Safety
/// `socket` is any pointer; `endpoint` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket_monitor(
    socket: *mut c_void,
    endpoint: *const c_char,
    events: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { zmq_socket_monitor_versioned(socket, endpoint, i64::from(events) as u64, 1, 0) }
}

/// Starts (or, with a NULL endpoint, stops) monitoring `socket` into a new
/// socket of `kind` (`ZMQ_PAIR`, `ZMQ_PUB` or `ZMQ_PUSH`; others EINVAL)
/// bound to `endpoint`, with `event_version` 1 or 2 frames (others EINVAL).
///
/// # Safety
/// `socket` is any pointer; `endpoint` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket_monitor_versioned(
    socket: *mut c_void,
    endpoint: *const c_char,
    events: u64,
    event_version: c_int,
    kind: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        if endpoint.is_null() {
            socket.with(Socket::stop_monitor)?;
            return Ok(0);
        }
        // SAFETY: non-NULL and NUL-terminated per the contract.
        let endpoint = unsafe { CStr::from_ptr(endpoint) }
            .to_str()
            .map_err(|_| Error::Inval)?;
        let kind = SocketType::from_raw(kind).ok_or(Error::Inval)?;
        socket.with(|s| s.monitor_versioned(endpoint, events, event_version, kind))?;
        Ok(0)
    })
}

/// `zmq_socket_monitor_pipes_stats` (draft): one `ZMQ_EVENT_PIPES_STATS`
/// per connected peer at the socket's version 2 monitor. EINVAL when the
/// socket's monitor does not take that event (or there is none), EAGAIN
/// when the socket has no pipe (as libzmq).
///
/// # Safety
/// `socket` is a socket handle from `zmq_socket` (checked: a NULL or
/// closed handle gives ENOTSOCK).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket_monitor_pipes_stats(socket: *mut c_void) -> c_int {
    guarded_int(|| {
        handles::socket(socket)?
            .socket
            .with(Socket::monitor_pipes_stats)?;
        Ok(0)
    })
}
