//! The C boundary: every exported function runs its body through
//! `guarded`, so that no panic crosses into C and every failure sets
//! both the C library's `errno` and the value `zmq_errno` returns.
//!
//! A caught panic is a bug of ours, never a normal path: besides failing
//! the call with ENOTRECOVERABLE, it is counted process-wide, and the
//! non-standard export [`zmq_rs_caught_panics`] reads the count, so that
//! tests can check that none happened (the C programs of `tests/c` check
//! it at exit).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

use zmq::Error;

thread_local! {
    /// The errno of this thread's last failed call (`zmq_errno`).
    static LAST_ERRNO: Cell<i32> = const { Cell::new(0) };
}

/// The errno a panic caught at the boundary reports: an internal bug,
/// the call's effect is unknown.
const PANIC_ERRNO: i32 = libc::ENOTRECOVERABLE;

/// Panics caught at the boundary since the library was loaded.
static CAUGHT_PANICS: AtomicU64 = AtomicU64::new(0);

/// How many panics the boundary caught since the library was loaded (0
/// unless there is a bug).
///
/// Not part of libzmq's API: a zmq-rs extension for tests, declared in no
/// header (`extern unsigned long long zmq_rs_caught_panics (void);`).
/// Programs that may also run on libzmq should look it up with `dlsym`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_rs_caught_panics() -> u64 {
    CAUGHT_PANICS.load(Ordering::Relaxed)
}

/// Records `code` as this thread's errno, in `zmq_errno` and in the C
/// library's `errno`.
pub(crate) fn set_errno(code: i32) {
    LAST_ERRNO.with(|last| last.set(code));
    // SAFETY: the errno location is a valid, thread-local int for the
    // calling thread for the whole life of the thread.
    unsafe {
        *errno_location() = code;
    }
}

/// The errno of this thread's last failed call.
#[cfg(test)]
pub(crate) fn last_errno() -> i32 {
    LAST_ERRNO.with(Cell::get)
}

/// The C library's `errno` of the calling thread, what `zmq_errno`
/// returns.
pub(crate) fn c_errno() -> i32 {
    // SAFETY: the errno location is a valid, thread-local int for the
    // calling thread.
    unsafe { *errno_location() }
}

/// This thread's `errno` slot.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "emscripten"))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: libc's accessor has no preconditions; it returns the calling
    // thread's errno slot.
    unsafe { libc::__errno_location() }
}

/// This thread's `errno` slot.
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: libc's accessor has no preconditions; it returns the calling
    // thread's errno slot.
    unsafe { libc::__error() }
}

/// Runs the body of an exported function: `Ok(value)` is returned as is;
/// an error sets errno and returns `failed`; a panic is caught, reported
/// as ENOTRECOVERABLE and returns `failed`.
pub(crate) fn guarded<T>(failed: T, body: impl FnOnce() -> Result<T, Error>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => {
            set_errno(err.errno());
            failed
        }
        Err(_) => {
            CAUGHT_PANICS.fetch_add(1, Ordering::Relaxed);
            set_errno(PANIC_ERRNO);
            failed
        }
    }
}

/// [`guarded`] for the common `int` convention: 0 or a count on success,
/// -1 with errno on failure.
pub(crate) fn guarded_int(body: impl FnOnce() -> Result<i32, Error>) -> i32 {
    guarded(-1, body)
}

/// A byte count as the `int` a send or receive returns (saturated).
pub(crate) fn count_to_int(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_sets_both_errnos() {
        let rc = guarded_int(|| Err(Error::Again));
        assert_eq!(rc, -1);
        assert_eq!(last_errno(), libc::EAGAIN);
        assert_eq!(
            std::io::Error::last_os_error().raw_os_error(),
            Some(libc::EAGAIN)
        );
    }

    #[test]
    fn panic_is_caught() {
        let before = zmq_rs_caught_panics();
        let rc = guarded_int(|| panic!("boom"));
        assert_eq!(rc, -1);
        assert_eq!(last_errno(), PANIC_ERRNO);
        assert!(zmq_rs_caught_panics() > before);
    }

    #[test]
    fn success_passes_value() {
        assert_eq!(guarded_int(|| Ok(7)), 7);
    }
}
