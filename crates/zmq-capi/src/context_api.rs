//! `zmq_ctx_*` and the deprecated `zmq_init` / `zmq_term` /
//! `zmq_ctx_destroy`.

use std::ffi::{c_int, c_void};

use zmq::{Context, Error};

use crate::boundary::{guarded, guarded_int};
use crate::consts::*;
use crate::handles;

/// `ZMQ_IPV6` and `ZMQ_BLOCKY` are context options too.
const CTX_IPV6: c_int = ZMQ_IPV6;
const CTX_BLOCKY: c_int = ZMQ_BLOCKY;
// Context option numbers `consts.rs` does not list (zmq.h).
const ZMQ_THREAD_AFFINITY_CPU_ADD: c_int = 7;
const ZMQ_THREAD_AFFINITY_CPU_REMOVE: c_int = 8;
const ZMQ_THREAD_NAME_PREFIX: c_int = 9;
const ZMQ_ZERO_COPY_RECV: c_int = 10;

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

/// Sets a context option (`int` options; `ZMQ_THREAD_NAME_PREFIX` as
/// its decimal text, as libzmq).
///
/// # Safety
/// `ctx` is any pointer; only live contexts are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_set(ctx: *mut c_void, option: c_int, value: c_int) -> c_int {
    guarded_int(|| {
        let ctx = &handles::context(ctx)?.ctx;
        set_int(ctx, option, value)?;
        Ok(0)
    })
}

fn set_int(ctx: &Context, option: c_int, value: c_int) -> Result<(), Error> {
    let flag = |value: c_int| {
        if value < 0 {
            Err(Error::Inval)
        } else {
            Ok(value != 0)
        }
    };
    match option {
        ZMQ_IO_THREADS => ctx.set_io_threads(value),
        ZMQ_MAX_SOCKETS => ctx.set_max_sockets(value),
        CTX_IPV6 => ctx.set_ipv6(flag(value)?),
        CTX_BLOCKY => ctx.set_blocky(flag(value)?),
        ZMQ_MAX_MSGSZ => ctx.set_max_msgsz(value),
        ZMQ_ZERO_COPY_RECV => ctx.set_zero_copy_recv(flag(value)?),
        ZMQ_THREAD_PRIORITY => ctx.set_thread_priority(value),
        ZMQ_THREAD_SCHED_POLICY => ctx.set_thread_sched_policy(value),
        ZMQ_THREAD_AFFINITY_CPU_ADD => ctx.add_thread_affinity_cpu(value),
        ZMQ_THREAD_AFFINITY_CPU_REMOVE => ctx.remove_thread_affinity_cpu(value),
        // libzmq stores the decimal text of any int.
        ZMQ_THREAD_NAME_PREFIX => ctx.set_thread_name_prefix_bytes(value.to_string().as_bytes()),
        _ => Err(Error::Inval),
    }
}

/// Reads a context option.
///
/// # Safety
/// `ctx` is any pointer; only live contexts are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_get(ctx: *mut c_void, option: c_int) -> c_int {
    guarded_int(|| get_int(&handles::context(ctx)?.ctx, option))
}

fn get_int(ctx: &Context, option: c_int) -> Result<c_int, Error> {
    match option {
        ZMQ_IO_THREADS => ctx.get_io_threads(),
        ZMQ_MAX_SOCKETS => ctx.get_max_sockets(),
        ZMQ_SOCKET_LIMIT => ctx.get_socket_limit(),
        CTX_IPV6 => Ok(c_int::from(ctx.get_ipv6()?)),
        CTX_BLOCKY => Ok(c_int::from(ctx.get_blocky()?)),
        ZMQ_MAX_MSGSZ => ctx.get_max_msgsz(),
        ZMQ_MSG_T_SIZE => ctx.get_msg_t_size(),
        ZMQ_ZERO_COPY_RECV => Ok(c_int::from(ctx.get_zero_copy_recv()?)),
        ZMQ_THREAD_SCHED_POLICY => ctx.get_thread_sched_policy(),
        ZMQ_THREAD_NAME_PREFIX => Ok(atoi(&ctx.get_thread_name_prefix_bytes()?)),
        _ => Err(Error::Inval),
    }
}

/// C's `atoi`, as libzmq reads `ZMQ_THREAD_NAME_PREFIX` as an `int`:
/// leading white space, a sign, the digits up to the first other byte;
/// 0 without digits; out of range as glibc (a `long`, cast to `int`).
fn atoi(text: &[u8]) -> c_int {
    let mut rest = text;
    while let [b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r', tail @ ..] = rest {
        rest = tail;
    }
    let negative = matches!(rest.first(), Some(b'-'));
    if let [b'+' | b'-', tail @ ..] = rest {
        rest = tail;
    }
    // glibc: strtol (saturating at the `long` range), then cast to int.
    let magnitude = rest
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i128, |n, b| (n * 10 + i128::from(b - b'0')).min(1 << 64));
    let value = if negative { -magnitude } else { magnitude };
    value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64 as c_int
}

/// Sets a context option by buffer (draft API): a 4-byte `int` as
/// [`zmq_ctx_set`], or for `ZMQ_THREAD_NAME_PREFIX` also 1 to 16 bytes of
/// text.
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
        let ctx = &handles::context(ctx)?.ctx;
        // SAFETY: forwarded contract.
        let bytes = unsafe { crate::msg_api::bytes_arg(value, size) }?;
        if let Ok(int) = <[u8; 4]>::try_from(bytes) {
            set_int(ctx, option, c_int::from_ne_bytes(int))?;
            return Ok(0);
        }
        if option != ZMQ_THREAD_NAME_PREFIX {
            return Err(Error::Inval);
        }
        // Any 1 to 16 bytes, stored as given (libzmq).
        ctx.set_thread_name_prefix_bytes(bytes)?;
        Ok(0)
    })
}

/// Reads a context option into a buffer (draft API): `int` options as
/// [`zmq_ctx_get`] into exactly 4 bytes; `ZMQ_THREAD_NAME_PREFIX`, when
/// the buffer is not 4 bytes, as its bytes without a NUL into a buffer at
/// least as long, `*size` left as is (libzmq).
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
        let ctx = &handles::context(ctx)?.ctx;
        // SAFETY: non-NULL per the check; valid per the contract.
        let len = unsafe { &mut *size };
        let bytes = if option == ZMQ_THREAD_NAME_PREFIX && *len != 4 {
            let prefix = ctx.get_thread_name_prefix_bytes()?;
            if *len < prefix.len() {
                return Err(Error::Inval);
            }
            prefix
        } else if *len == 4 {
            get_int(ctx, option)?.to_ne_bytes().to_vec()
        } else {
            return Err(Error::Inval);
        };
        // SAFETY: `value` holds `*len` >= `bytes.len()` bytes (checked).
        unsafe { value.cast::<u8>().copy_from(bytes.as_ptr(), bytes.len()) };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn get_ext(ctx: *mut c_void, option: c_int, size: usize) -> Result<Vec<u8>, c_int> {
        let mut buf = vec![0xAA_u8; size];
        let mut len = size;
        // SAFETY: `buf` holds `len` bytes.
        let rc = unsafe { zmq_ctx_get_ext(ctx, option, buf.as_mut_ptr().cast(), &mut len) };
        if rc != 0 {
            return Err(crate::boundary::last_errno());
        }
        assert_eq!(len, size, "libzmq leaves the size as given");
        Ok(buf)
    }

    #[test]
    fn thread_name_prefix_as_libzmq() {
        let ctx = zmq_ctx_new();
        // SAFETY: a live context throughout.
        unsafe {
            assert_eq!(zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, -5), 0);
            assert_eq!(zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX), -5);
            assert_eq!(
                get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, 4),
                Ok((-5i32).to_ne_bytes().to_vec())
            );
            // The bytes, no NUL, into a buffer at least as long.
            assert_eq!(
                get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, 3),
                Ok(b"-5\xAA".to_vec())
            );
            assert!(get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, 1).is_err());
            let text = b" 12ab\xff";
            assert_eq!(
                zmq_ctx_set_ext(
                    ctx,
                    ZMQ_THREAD_NAME_PREFIX,
                    text.as_ptr().cast(),
                    text.len()
                ),
                0
            );
            assert_eq!(zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX), 12);
            assert_eq!(get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, 6), Ok(text.to_vec()));
            let long = [b'x'; 17];
            assert_eq!(
                zmq_ctx_set_ext(ctx, ZMQ_THREAD_NAME_PREFIX, long.as_ptr().cast(), 17),
                -1
            );
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
    }

    #[test]
    fn int_options_read_into_exactly_four_bytes() {
        let ctx = zmq_ctx_new();
        // SAFETY: a live context throughout.
        unsafe {
            assert_eq!(
                get_ext(ctx, ZMQ_IO_THREADS, 4),
                Ok(1i32.to_ne_bytes().to_vec())
            );
            assert!(get_ext(ctx, ZMQ_IO_THREADS, 8).is_err());
            // Beyond ZMQ_SOCKET_LIMIT, as libzmq with epoll.
            assert_eq!(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 100_000), 0);
            assert_eq!(zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS), 100_000);
            assert_eq!(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 0), -1);
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
    }

    #[test]
    fn atoi_as_c() {
        assert_eq!(atoi(b""), 0);
        assert_eq!(atoi(b"  -42x"), -42);
        assert_eq!(atoi(b"+7"), 7);
        assert_eq!(atoi(b"x1"), 0);
        assert_eq!(atoi(b"2147483647"), i32::MAX);
        assert_eq!(atoi(b"99999999999"), 99_999_999_999_i64 as i32);
        assert_eq!(atoi(b"99999999999999999999999"), -1);
        assert_eq!(atoi(b"-99999999999999999999999"), 0);
    }
}
