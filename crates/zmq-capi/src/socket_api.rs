//! `zmq_socket`, `zmq_close`, endpoints (`zmq_bind`, `zmq_connect`,
//! `zmq_unbind`, `zmq_disconnect`) and options (`zmq_setsockopt`,
//! `zmq_getsockopt`).

use std::ffi::{CStr, c_char, c_int, c_void};

use zmq::{Error, SocketType};

use crate::boundary::{guarded, guarded_int};
use crate::consts::ZMQ_FD;
use crate::handles;
use crate::msg_api::bytes_arg;
use crate::sockopt;

/// A new socket of `kind` (`ZMQ_PAIR` ... `ZMQ_STREAM`, and the draft
/// types `ZMQ_SERVER` ... `ZMQ_CHANNEL`). NULL with errno on failure.
///
/// # Safety
/// `ctx` is any pointer; only live contexts are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket(ctx: *mut c_void, kind: c_int) -> *mut c_void {
    guarded(std::ptr::null_mut(), || {
        let ctx = &handles::context(ctx)?.ctx;
        let kind = SocketType::from_raw(kind).ok_or(Error::Inval)?;
        handles::new_socket(ctx.socket(kind)?)
    })
}

/// Closes the socket; pending messages are sent in the background for up
/// to `ZMQ_LINGER`. ENOTSOCK for a closed or invalid socket.
///
/// # Safety
/// `socket` is any pointer; only live sockets are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_close(socket: *mut c_void) -> c_int {
    guarded_int(|| handles::destroy_socket(socket).map(|()| 0))
}

/// An endpoint argument; EINVAL for NULL or non-UTF-8 text.
///
/// # Safety
/// `endpoint` is NULL or a NUL-terminated string.
pub(crate) unsafe fn endpoint_arg<'a>(endpoint: *const c_char) -> Result<&'a str, Error> {
    if endpoint.is_null() {
        return Err(Error::Inval);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    unsafe { CStr::from_ptr(endpoint) }
        .to_str()
        .map_err(|_| Error::Inval)
}

/// Accepts connections on `endpoint`.
///
/// # Safety
/// `socket` is any pointer; `endpoint` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_bind(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let endpoint = unsafe { endpoint_arg(endpoint) }?;
        socket.with(|s| s.bind(endpoint))?;
        Ok(0)
    })
}

/// Connects to `endpoint`.
///
/// # Safety
/// `socket` is any pointer; `endpoint` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_connect(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let endpoint = unsafe { endpoint_arg(endpoint) }?;
        socket.with(|s| s.connect(endpoint))?;
        Ok(0)
    })
}

/// Stops accepting on `endpoint`.
///
/// # Safety
/// `socket` is any pointer; `endpoint` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_unbind(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let endpoint = unsafe { endpoint_arg(endpoint) }?;
        socket.with(|s| s.unbind(endpoint))?;
        Ok(0)
    })
}

/// Disconnects from `endpoint`.
///
/// # Safety
/// `socket` is any pointer; `endpoint` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_disconnect(socket: *mut c_void, endpoint: *const c_char) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let endpoint = unsafe { endpoint_arg(endpoint) }?;
        socket.with(|s| s.disconnect(endpoint))?;
        Ok(0)
    })
}

/// Sets a socket option (see `docs/capi.md` for the table).
///
/// # Safety
/// `socket` is any pointer; `value` is NULL or valid for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_setsockopt(
    socket: *mut c_void,
    option: c_int,
    value: *const c_void,
    size: usize,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // A NULL value with size 0 is distinct from an empty one for some
        // options (libzmq clears them); NULL with a size is EINVAL here
        // (libzmq reads through it).
        let value = if value.is_null() && size == 0 {
            None
        } else {
            // SAFETY: forwarded contract.
            Some(unsafe { bytes_arg(value, size) }.map_err(|_| Error::Inval)?)
        };
        socket.with(|s| sockopt::set(s, option, value))?;
        Ok(0)
    })
}

/// Reads a socket option into `value`, whose size `*size` gives and
/// receives.
///
/// # Safety
/// `socket` is any pointer; `size` is NULL or valid; `value` is valid
/// for `*size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_getsockopt(
    socket: *mut c_void,
    option: c_int,
    value: *mut c_void,
    size: *mut usize,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        if size.is_null() {
            return Err(Error::Fault);
        }
        // SAFETY: non-NULL; valid per the contract.
        let len = unsafe { &mut *size };
        if value.is_null() && *len != 0 {
            return Err(Error::Fault);
        }
        let out: &mut [u8] = if value.is_null() {
            &mut []
        } else {
            // SAFETY: non-NULL and valid for `*len` bytes per the contract.
            unsafe { std::slice::from_raw_parts_mut(value.cast::<u8>(), *len) }
        };
        let thread_safe = socket.is_thread_safe();
        *len = socket.with(|s| {
            // libzmq: thread-safe sockets have no ZMQ_FD (poll them with
            // zmq_poll or zmq_poller); ETERM comes first.
            if option == ZMQ_FD && thread_safe && !s.ctx_terminated() {
                return Err(Error::Inval);
            }
            sockopt::get(s, option, out)
        })?;
        Ok(0)
    })
}
