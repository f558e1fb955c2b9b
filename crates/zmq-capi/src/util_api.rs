//! Errors (`zmq_errno`, `zmq_strerror`), version and capabilities
//! (`zmq_version`, `zmq_has`), Z85 (`zmq_z85_*`), CURVE keys
//! (`zmq_curve_keypair`, `zmq_curve_public`), atomic counters, and the old utilities (`zmq_stopwatch_*`,
//! `zmq_sleep`, `zmq_threadstart` / `zmq_threadclose`).

use std::ffi::{CStr, c_char, c_int, c_ulong, c_void};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use zmq::Error;

use crate::boundary::{c_errno, guarded, guarded_int, set_errno};
use zmq_mechanisms::z85;

/// The version this library reports (the libzmq it replaces).
pub const VERSION: (c_int, c_int, c_int) = (4, 3, 5);

/// The C library's `errno` of the calling thread (libzmq's
/// `zmq_errno` is `return errno;`): after a successful call it is
/// whatever the caller or the call left there, not a stale failure.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_errno() -> c_int {
    c_errno()
}

/// The text of an error number: libzmq's own texts for its own numbers,
/// the C library's for the others.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_strerror(errnum: c_int) -> *const c_char {
    let own: Option<&'static CStr> = match Error::from_errno(errnum) {
        Error::Fsm => Some(c"Operation cannot be accomplished in current state"),
        Error::NoCompatProto => Some(c"The protocol is not compatible with the socket type"),
        Error::Term => Some(c"Context was terminated"),
        Error::MThread => Some(c"No thread available"),
        Error::HostUnreach => Some(c"Host unreachable"),
        _ => None,
    };
    match own {
        Some(text) => text.as_ptr(),
        // SAFETY: strerror accepts any number and returns a valid C string.
        None => unsafe { libc::strerror(errnum) },
    }
}

/// Writes the version (4.3.5) to the non-NULL arguments.
///
/// # Safety
/// Each pointer is NULL or valid for writing an int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int) {
    for (target, value) in [(major, VERSION.0), (minor, VERSION.1), (patch, VERSION.2)] {
        if !target.is_null() {
            // SAFETY: non-NULL and writable per the contract.
            unsafe { target.write(value) };
        }
    }
}

/// 1 when the capability is built in: "draft" (the draft API is
/// exported) and what `zmq::has` answers ("ipc", "tipc", "vsock", "ws",
/// "wss", "curve"; "vmci", "gssapi", "norm" and "pgm" with their
/// features; "WS" and "WSS" too, the only spelling libzmq 4.3.5
/// answers). As
/// libzmq, this is the build, not the kernel (tipc is 1 without TIPC).
///
/// # Safety
/// `capability` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_has(capability: *const c_char) -> c_int {
    if capability.is_null() {
        return 0;
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let name = unsafe { CStr::from_ptr(capability) };
    let transport_or_feature = name.to_str().ok().and_then(zmq::has) == Some(true);
    c_int::from(matches!(name.to_bytes(), b"draft") || transport_or_feature)
}

/// Encodes `size` bytes (a multiple of 4) as Z85 into `dest` (room for
/// `size * 5 / 4 + 1` bytes); returns `dest`, or NULL with EINVAL.
///
/// # Safety
/// `data` is valid for `size` bytes; `dest` for `size * 5 / 4 + 1`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_z85_encode(
    dest: *mut c_char,
    data: *const u8,
    size: usize,
) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        if dest.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: forwarded contract.
        let data =
            unsafe { crate::msg_api::bytes_arg(data.cast(), size) }.map_err(|_| Error::Inval)?;
        let text = z85::encode(data).map_err(|_| Error::Inval)?;
        // SAFETY: `dest` has room for the text and its NUL per the contract.
        unsafe {
            dest.cast::<u8>()
                .copy_from_nonoverlapping(text.as_ptr(), text.len());
            dest.add(text.len()).write(0);
        }
        Ok(dest)
    })
}

/// Decodes the Z85 string (length a multiple of 5) into `dest` (room for
/// `strlen * 4 / 5` bytes); returns `dest`, or NULL with EINVAL.
///
/// # Safety
/// `text` is a C string; `dest` is valid for `strlen(text) * 4 / 5` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_z85_decode(dest: *mut u8, text: *const c_char) -> *mut u8 {
    guarded(std::ptr::null_mut(), || {
        if dest.is_null() || text.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and NUL-terminated per the contract.
        let text = unsafe { CStr::from_ptr(text) }.to_bytes();
        // libzmq (src/zmq_utils.cpp): `src_len < 5 || src_len % 5 != 0`
        // is EINVAL, the empty string too.
        if text.len() < 5 || text.len() % 5 != 0 {
            return Err(Error::Inval);
        }
        let data = z85::decode(text).map_err(|_| Error::Inval)?;
        // SAFETY: `dest` has room for the decoded bytes per the contract.
        unsafe { dest.copy_from_nonoverlapping(data.as_ptr(), data.len()) };
        Ok(dest)
    })
}

/// Copies a 40-character Z85 key and its NUL into `dest` (41 bytes).
///
/// # Safety
/// `dest` is valid for writing 41 bytes.
unsafe fn write_z85_key(dest: *mut c_char, key: &str) -> Result<(), Error> {
    if key.len() != 40 {
        return Err(Error::Inval);
    }
    // SAFETY: `dest` has room for the 40 characters and the NUL.
    unsafe {
        dest.cast::<u8>()
            .copy_from_nonoverlapping(key.as_ptr(), key.len());
        dest.add(key.len()).write(0);
    }
    Ok(())
}

/// A new CURVE key pair, each key as 40 Z85 characters and a NUL.
///
/// # Safety
/// Both pointers are valid for writing 41 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_curve_keypair(
    public_key: *mut c_char,
    secret_key: *mut c_char,
) -> c_int {
    guarded_int(|| {
        if public_key.is_null() || secret_key.is_null() {
            return Err(Error::Inval);
        }
        let (public, secret) = zmq::curve_keypair().map_err(|_| Error::Fault)?;
        // SAFETY: both have room for a Z85 key per the contract.
        unsafe {
            write_z85_key(public_key, &public)?;
            write_z85_key(secret_key, &secret)?;
        }
        Ok(0)
    })
}

/// The public key (40 Z85 characters and a NUL) of a secret key given as
/// a 40-character Z85 string; EINVAL if that is no key.
///
/// # Safety
/// `public_key` is valid for writing 41 bytes; `secret_key` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_curve_public(
    public_key: *mut c_char,
    secret_key: *const c_char,
) -> c_int {
    guarded_int(|| {
        if public_key.is_null() || secret_key.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and NUL-terminated per the contract.
        let secret = unsafe { CStr::from_ptr(secret_key) }.to_bytes();
        if secret.len() != 40 {
            return Err(Error::Inval);
        }
        let public = zmq::curve_public(secret).map_err(|_| Error::Inval)?;
        // SAFETY: `public_key` has room for a Z85 key per the contract.
        unsafe { write_z85_key(public_key, &public)? };
        Ok(0)
    })
}

/// A new atomic counter, starting at 0.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_atomic_counter_new() -> *mut c_void {
    Box::into_raw(Box::new(AtomicI32::new(0))).cast()
}

/// The counter behind a pointer from [`zmq_atomic_counter_new`].
///
/// # Safety
/// `counter` is NULL or a live counter.
unsafe fn counter<'a>(counter: *mut c_void) -> Option<&'a AtomicI32> {
    // SAFETY: NULL or a live boxed AtomicI32 per the contract.
    unsafe { counter.cast::<AtomicI32>().as_ref() }
}

/// Sets the counter.
///
/// # Safety
/// `counter` is NULL or a live counter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_set(counter_ptr: *mut c_void, value: c_int) {
    // SAFETY: forwarded contract.
    if let Some(counter) = unsafe { counter(counter_ptr) } {
        counter.store(value, Ordering::SeqCst);
    }
}

/// Increments the counter; returns the value before.
///
/// # Safety
/// `counter` is NULL or a live counter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_inc(counter_ptr: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { counter(counter_ptr) }.map_or(0, |c| c.fetch_add(1, Ordering::SeqCst))
}

/// Decrements the counter (wrapping, as libzmq's unsigned counter);
/// returns 1 when the new value is not zero, 0 when it is (libzmq
/// `atomic_counter_t::sub`: so 1 again below zero).
///
/// # Safety
/// `counter` is NULL or a live counter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_dec(counter_ptr: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { counter(counter_ptr) }.map_or(0, |c| {
        c_int::from(c.fetch_sub(1, Ordering::SeqCst).wrapping_sub(1) != 0)
    })
}

/// The counter's value.
///
/// # Safety
/// `counter` is NULL or a live counter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_value(counter_ptr: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { counter(counter_ptr) }.map_or(0, |c| c.load(Ordering::SeqCst))
}

/// Frees the counter and sets `*counter_p` to NULL.
///
/// # Safety
/// `counter_p` is NULL or points to NULL or a live counter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_destroy(counter_p: *mut *mut c_void) {
    if counter_p.is_null() {
        return;
    }
    // SAFETY: non-NULL and valid per the contract.
    let ptr = unsafe { counter_p.replace(std::ptr::null_mut()) };
    if !ptr.is_null() {
        // SAFETY: a live counter from zmq_atomic_counter_new, freed once
        // (the caller's pointer is now NULL).
        drop(unsafe { Box::from_raw(ptr.cast::<AtomicI32>()) });
    }
}

/// Starts a stopwatch.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_stopwatch_start() -> *mut c_void {
    Box::into_raw(Box::new(Instant::now())).cast()
}

fn elapsed_us(start: &Instant) -> c_ulong {
    c_ulong::try_from(start.elapsed().as_micros()).unwrap_or(c_ulong::MAX)
}

/// Microseconds since the stopwatch started.
///
/// # Safety
/// `watch` is NULL or a running stopwatch.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_stopwatch_intermediate(watch: *mut c_void) -> c_ulong {
    // SAFETY: NULL or a live boxed Instant per the contract.
    unsafe { watch.cast::<Instant>().as_ref() }.map_or(0, elapsed_us)
}

/// Microseconds since the stopwatch started; frees it.
///
/// # Safety
/// `watch` is NULL or a running stopwatch, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_stopwatch_stop(watch: *mut c_void) -> c_ulong {
    if watch.is_null() {
        return 0;
    }
    // SAFETY: a live boxed Instant, freed once per the contract.
    let start = unsafe { Box::from_raw(watch.cast::<Instant>()) };
    elapsed_us(&start)
}

/// Sleeps for `seconds`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_sleep(seconds: c_int) {
    if let Ok(seconds) = u64::try_from(seconds) {
        std::thread::sleep(Duration::from_secs(seconds));
    }
}

/// The C thread function of `zmq_threadstart`.
#[allow(non_camel_case_types)]
pub type zmq_thread_fn = unsafe extern "C" fn(arg: *mut c_void);

/// The argument, made sendable.
struct ThreadArg(*mut c_void);

// SAFETY: zmq_threadstart hands the argument to the new thread, as in C.
unsafe impl Send for ThreadArg {}

/// Starts a thread running `func(arg)`; NULL with errno on failure.
///
/// # Safety
/// `func` is a valid function for `arg`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_threadstart(
    func: Option<zmq_thread_fn>,
    arg: *mut c_void,
) -> *mut c_void {
    guarded(std::ptr::null_mut(), || {
        let func = func.ok_or(Error::Inval)?;
        let arg = ThreadArg(arg);
        let handle = std::thread::Builder::new()
            .spawn(move || {
                let arg = arg;
                // SAFETY: the caller's function with its argument.
                unsafe { func(arg.0) }
            })
            .map_err(Error::from)?;
        Ok(Box::into_raw(Box::new(handle)).cast())
    })
}

/// Waits for the thread to end and frees its handle.
///
/// # Safety
/// `thread` is NULL or a handle from [`zmq_threadstart`], used once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_threadclose(thread: *mut c_void) {
    if thread.is_null() {
        return;
    }
    // SAFETY: a live boxed JoinHandle, freed once per the contract.
    let handle = unsafe { Box::from_raw(thread.cast::<std::thread::JoinHandle<()>>()) };
    if handle.join().is_err() {
        set_errno(libc::ENOTRECOVERABLE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::last_errno;

    fn decode(text: &str) -> Option<Vec<u8>> {
        let text = std::ffi::CString::new(text).unwrap();
        let mut dest = [0u8; 64];
        // SAFETY: a NUL-terminated string and room for its decoding.
        let out = unsafe { zmq_z85_decode(dest.as_mut_ptr(), text.as_ptr()) };
        (!out.is_null()).then(|| dest[..text.as_bytes().len() / 5 * 4].to_vec())
    }

    #[test]
    fn z85_decode_refuses_lengths_libzmq_refuses() {
        // src/zmq_utils.cpp: `src_len < 5 || src_len % 5 != 0` => EINVAL.
        for text in ["", "Hell", "HelloW", "HelloWorl"] {
            assert_eq!(decode(text), None, "{text:?}");
            assert_eq!(last_errno(), libc::EINVAL);
        }
        assert_eq!(
            decode("HelloWorld"),
            Some(vec![0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])
        );
    }
}
