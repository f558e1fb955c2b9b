//! `zmq_ctx_*` and the deprecated `zmq_init` / `zmq_term` /
//! `zmq_ctx_destroy`.

use std::ffi::{c_int, c_void};

use zmq::{Context, Error};

use crate::boundary::{guarded, guarded_int};
use crate::consts::*;
use crate::handles;

/// `ZMQ_SOCKET_LIMIT`: the largest `ZMQ_MAX_SOCKETS` accepted.
const SOCKET_LIMIT: c_int = 65_535;
/// `ZMQ_THREAD_PRIORITY` / `ZMQ_THREAD_SCHED_POLICY` default (OS default).
const THREAD_SCHEDULING_DEFAULT: c_int = -1;
/// `ZMQ_MAX_MSGSZ` default (no limit beyond `int`).
const MAX_MSGSZ_DEFAULT: c_int = c_int::MAX;
/// `ZMQ_IPV6` and `ZMQ_BLOCKY` are context options too.
const CTX_IPV6: c_int = ZMQ_IPV6;
const CTX_BLOCKY: c_int = ZMQ_BLOCKY;

/// A new context.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_ctx_new() -> *mut c_void {
    guarded(std::ptr::null_mut(), || {
        Ok(handles::new_context(Context::new()))
    })
}

/// Terminates the context: blocking calls on its sockets fail with
/// ETERM; waits until every socket is closed, then frees the context.
///
/// # Safety
/// `ctx` is any pointer; only live contexts are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_term(ctx: *mut c_void) -> c_int {
    guarded_int(|| {
        handles::context(ctx)?.ctx.term()?;
        handles::destroy_context(ctx)?;
        Ok(0)
    })
}

/// Shuts the context down: blocking calls on its sockets fail with
/// ETERM and no socket can be created; the context stays to be termed.
///
/// # Safety
/// `ctx` is any pointer; only live contexts are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_shutdown(ctx: *mut c_void) -> c_int {
    guarded_int(|| {
        handles::context(ctx)?.ctx.shutdown();
        Ok(0)
    })
}

/// Sets a context option.
///
/// # Safety
/// `ctx` is any pointer; only live contexts are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_set(ctx: *mut c_void, option: c_int, value: c_int) -> c_int {
    guarded_int(|| {
        let ctx = &handles::context(ctx)?.ctx;
        match option {
            ZMQ_IO_THREADS => ctx.set_io_threads(value)?,
            ZMQ_MAX_SOCKETS => ctx.set_max_sockets(value)?,
            CTX_IPV6 => ctx.set_ipv6(value != 0)?,
            CTX_BLOCKY => ctx.set_blocky(value != 0)?,
            ZMQ_THREAD_PRIORITY | ZMQ_THREAD_SCHED_POLICY if value == THREAD_SCHEDULING_DEFAULT => {
            }
            ZMQ_MAX_MSGSZ if value == MAX_MSGSZ_DEFAULT => {}
            _ => return Err(Error::Inval),
        }
        Ok(0)
    })
}

/// Reads a context option.
///
/// # Safety
/// `ctx` is any pointer; only live contexts are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_get(ctx: *mut c_void, option: c_int) -> c_int {
    guarded_int(|| {
        let ctx = &handles::context(ctx)?.ctx;
        match option {
            ZMQ_IO_THREADS => ctx.get_io_threads(),
            ZMQ_MAX_SOCKETS => ctx.get_max_sockets(),
            ZMQ_SOCKET_LIMIT => Ok(SOCKET_LIMIT),
            CTX_IPV6 => Ok(c_int::from(ctx.get_ipv6()?)),
            CTX_BLOCKY => Ok(c_int::from(ctx.get_blocky()?)),
            ZMQ_THREAD_SCHED_POLICY => Ok(THREAD_SCHEDULING_DEFAULT),
            ZMQ_MAX_MSGSZ => Ok(MAX_MSGSZ_DEFAULT),
            ZMQ_MSG_T_SIZE => Ok(64),
            _ => Err(Error::Inval),
        }
    })
}

/// Sets a context option by buffer (draft API): `int` options as
/// [`zmq_ctx_set`]; others (`ZMQ_THREAD_NAME_PREFIX`) are EINVAL.
///
/// # Safety
/// `ctx` is any pointer; `value` is NULL or valid for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_set_ext(
    ctx: *mut c_void,
    option: c_int,
    value: *const c_void,
    size: usize,
) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let bytes = unsafe { crate::msg_api::bytes_arg(value, size) }?;
        let int: [u8; 4] = bytes.try_into().map_err(|_| Error::Inval)?;
        // SAFETY: forwarded contract.
        match unsafe { zmq_ctx_set(ctx, option, c_int::from_ne_bytes(int)) } {
            -1 => Err(Error::from_errno(crate::boundary::last_errno())),
            rc => Ok(rc),
        }
    })
}

/// Reads a context option into a buffer (draft API): `int` options as
/// [`zmq_ctx_get`].
///
/// # Safety
/// `ctx` is any pointer; `value` is valid for `*size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_get_ext(
    ctx: *mut c_void,
    option: c_int,
    value: *mut c_void,
    size: *mut usize,
) -> c_int {
    guarded_int(|| {
        if value.is_null() || size.is_null() {
            return Err(Error::Fault);
        }
        // SAFETY: non-NULL per the check; valid per the contract.
        let len = unsafe { &mut *size };
        if *len < 4 {
            return Err(Error::Inval);
        }
        // SAFETY: forwarded contract.
        let result = unsafe { zmq_ctx_get(ctx, option) };
        if result == -1 && option != ZMQ_THREAD_SCHED_POLICY {
            return Err(Error::from_errno(crate::boundary::last_errno()));
        }
        // SAFETY: `value` holds at least 4 bytes (checked above).
        unsafe {
            value
                .cast::<u8>()
                .copy_from(result.to_ne_bytes().as_ptr(), 4)
        };
        *len = 4;
        Ok(0)
    })
}

/// Deprecated: a context with `io_threads` I/O threads.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_init(io_threads: c_int) -> *mut c_void {
    guarded(std::ptr::null_mut(), || {
        if io_threads < 0 {
            return Err(Error::Inval);
        }
        let ctx = Context::new();
        ctx.set_io_threads(io_threads)?;
        Ok(handles::new_context(ctx))
    })
}

/// Deprecated: [`zmq_ctx_term`].
///
/// # Safety
/// As [`zmq_ctx_term`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_term(ctx: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { zmq_ctx_term(ctx) }
}

/// Deprecated: [`zmq_ctx_term`].
///
/// # Safety
/// As [`zmq_ctx_term`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_destroy(ctx: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { zmq_ctx_term(ctx) }
}
