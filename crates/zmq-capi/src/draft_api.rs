//! The draft socket calls of `zmq.h`: RADIO/DISH groups and PEER
//! connections by routing id.
//!
//! Draft sockets of the thread-safe types may be used by several threads
//! at once, as in libzmq (see `handles`). See `docs/capi.md`.

use std::ffi::{CStr, c_char, c_int, c_void};

use zmq::Error;

use crate::boundary::{guarded, guarded_int};
use crate::handles;
use crate::socket_api::endpoint_arg;

/// The state of a ROUTER's peer: `ZMQ_POLLOUT` when a message to it
/// would be queued now, else 0; EHOSTUNREACH for an unknown routing id,
/// ENOTSUP on other socket types, ENOTSOCK for an invalid socket.
///
/// # Safety
/// `socket` is any pointer; `routing_id` is valid for `routing_id_size`
/// bytes (NULL only with size 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket_get_peer_state(
    socket: *mut c_void,
    routing_id: *const c_void,
    routing_id_size: usize,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let routing_id = unsafe { crate::msg_api::bytes_arg(routing_id, routing_id_size) }?;
        Ok(c_int::from(socket.with(|s| s.peer_state(routing_id))?))
    })
}

/// A group argument; EINVAL for NULL.
///
/// # Safety
/// `group` is NULL or a NUL-terminated string.
unsafe fn group_arg<'a>(group: *const c_char) -> Result<&'a [u8], Error> {
    if group.is_null() {
        return Err(Error::Inval);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    Ok(unsafe { CStr::from_ptr(group) }.to_bytes())
}

/// Joins a group (DISH): EINVAL when longer than 255 bytes or joined
/// already, ENOTSUP on other socket types.
///
/// # Safety
/// `socket` is any pointer; `group` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_join(socket: *mut c_void, group: *const c_char) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let group = unsafe { group_arg(group) }?;
        socket.with(|s| s.join(group))?;
        Ok(0)
    })
}

/// Leaves a group (DISH): EINVAL when not joined, ENOTSUP on other socket
/// types.
///
/// # Safety
/// `socket` is any pointer; `group` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_leave(socket: *mut c_void, group: *const c_char) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let group = unsafe { group_arg(group) }?;
        socket.with(|s| s.leave(group))?;
        Ok(0)
    })
}

/// Connects a PEER socket and returns the routing id of the connection;
/// 0 with errno set on failure (ENOTSUP for other socket types, EFAULT
/// with `ZMQ_IMMEDIATE`).
///
/// # Safety
/// `socket` is any pointer; `endpoint` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_connect_peer(socket: *mut c_void, endpoint: *const c_char) -> u32 {
    guarded(0, || {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let endpoint = unsafe { endpoint_arg(endpoint) }?;
        socket.with(|s| s.connect_peer(endpoint))
    })
}

/// Closes a PEER socket's connection with `routing_id`: EHOSTUNREACH when
/// there is none, ENOTSUP for other socket types.
///
/// # Safety
/// `socket` is any pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_disconnect_peer(socket: *mut c_void, routing_id: u32) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        socket.with(|s| s.disconnect_peer(routing_id))?;
        Ok(0)
    })
}
