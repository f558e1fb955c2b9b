//! `zmq_timers_*` over [`zmq::Timers`]: repeating timers whose callbacks
//! run in `zmq_timers_execute`, on the caller's thread.

use std::collections::HashSet;
use std::ffi::{c_int, c_long, c_void};
use std::sync::LazyLock;
use std::time::Duration;

use parking_lot::Mutex;
use zmq::Error;

use crate::boundary::{guarded, guarded_int};

/// The C timer callback.
#[allow(non_camel_case_types)]
pub type zmq_timer_fn = unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void);

/// What each timer carries: the C callback and its argument.
#[derive(Clone, Copy)]
struct Handler {
    function: zmq_timer_fn,
    arg: *mut c_void,
}

/// A set of timers (one thread at a time, as in libzmq).
type Timers = zmq::Timers<Handler>;

/// Addresses of the live sets of timers: a NULL, foreign or destroyed
/// pointer is EFAULT (libzmq's tag check) instead of a dereference.
static LIVE: LazyLock<Mutex<HashSet<usize>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// The timers behind a pointer; EFAULT when it is not live timers.
///
/// # Safety
/// `timers` is not used by another thread during the call (libzmq's
/// rule: one thread at a time).
unsafe fn timers<'a>(timers: *mut c_void) -> Result<&'a mut Timers, Error> {
    if timers.is_null() || !LIVE.lock().contains(&(timers as usize)) {
        return Err(Error::Fault);
    }
    // SAFETY: the registry holds exactly the addresses of boxed `Timers`
    // not yet freed; one thread at a time per the contract.
    Ok(unsafe { &mut *timers.cast::<Timers>() })
}

/// A new, empty set of timers.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_timers_new() -> *mut c_void {
    let raw = Box::into_raw(Box::new(Timers::new()));
    LIVE.lock().insert(raw as usize);
    raw.cast()
}

/// Frees the timers and sets `*timers_p` to NULL.
///
/// # Safety
/// `timers_p` is NULL or a valid pointer to a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    guarded_int(|| {
        if timers_p.is_null() {
            return Err(Error::Fault);
        }
        // SAFETY: non-NULL and valid per the contract.
        let ptr = unsafe { timers_p.read() };
        if ptr.is_null() || !LIVE.lock().remove(&(ptr as usize)) {
            return Err(Error::Fault);
        }
        // SAFETY: live boxed Timers that just left the registry, so freed
        // exactly once.
        drop(unsafe { Box::from_raw(ptr.cast::<Timers>()) });
        // SAFETY: valid per the contract.
        unsafe { timers_p.write(std::ptr::null_mut()) };
        Ok(0)
    })
}

/// Adds a timer firing every `interval` ms; returns its id.
///
/// # Safety
/// `handler` is valid for `arg`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_add(
    timers_ptr: *mut c_void,
    interval: usize,
    handler: Option<zmq_timer_fn>,
    arg: *mut c_void,
) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let timers = unsafe { timers(timers_ptr) }?;
        let function = handler.ok_or(Error::Fault)?;
        let interval = Duration::from_millis(u64::try_from(interval).map_err(|_| Error::Inval)?);
        timers.add(interval, Handler { function, arg })
    })
}

/// Cancels a timer: it never fires again. EINVAL when unknown or already
/// cancelled. As in libzmq, a cancelled timer is only marked: until
/// `zmq_timers_timeout` or `zmq_timers_execute` pass over it,
/// `zmq_timers_reset` and `zmq_timers_set_interval` still find it (0).
///
/// # Safety
/// `timers_ptr` is used by one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_cancel(timers_ptr: *mut c_void, timer_id: c_int) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let timers = unsafe { timers(timers_ptr) }?;
        timers.cancel(timer_id)?;
        Ok(0)
    })
}

/// Changes a timer's interval, counting from now.
///
/// # Safety
/// `timers_ptr` is used by one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_set_interval(
    timers_ptr: *mut c_void,
    timer_id: c_int,
    interval: usize,
) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let timers = unsafe { timers(timers_ptr) }?;
        let interval = Duration::from_millis(u64::try_from(interval).map_err(|_| Error::Inval)?);
        timers.set_interval(timer_id, interval)?;
        Ok(0)
    })
}

/// Restarts a timer's interval from now.
///
/// # Safety
/// `timers_ptr` is used by one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_reset(timers_ptr: *mut c_void, timer_id: c_int) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        unsafe { timers(timers_ptr) }?.reset(timer_id)?;
        Ok(0)
    })
}

/// Milliseconds until the next timer is due (0 if one is), -1 when there
/// is none.
///
/// # Safety
/// `timers_ptr` is used by one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_timeout(timers_ptr: *mut c_void) -> c_long {
    guarded(-1, || {
        // SAFETY: forwarded contract.
        let left = unsafe { timers(timers_ptr) }?.timeout_ms();
        Ok(c_long::try_from(left).unwrap_or(c_long::MAX))
    })
}

/// Runs the callbacks of the timers that are due, and schedules them
/// again.
///
/// # Safety
/// Callbacks must not destroy the timers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_execute(timers_ptr: *mut c_void) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let due = unsafe { timers(timers_ptr) }?.take_due();
        for (id, handler) in due {
            // A callback may cancel a timer that is due in this same
            // round: it does not fire then (libzmq's rule). No reference
            // to the timers is held while a callback runs.
            // SAFETY: forwarded contract.
            if !unsafe { timers(timers_ptr) }?.contains(id) {
                continue;
            }
            // SAFETY: the caller's callback with its argument.
            unsafe { (handler.function)(id, handler.arg) };
        }
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::last_errno;

    unsafe extern "C" fn never(_id: c_int, _arg: *mut c_void) {}

    #[test]
    fn null_and_foreign_timers_are_efault() {
        let mut null: *mut c_void = std::ptr::null_mut();
        let foreign = (&raw mut null).cast::<c_void>();
        for ptr in [std::ptr::null_mut(), foreign] {
            // SAFETY: invalid pointers are refused before any use.
            unsafe {
                assert_eq!(zmq_timers_add(ptr, 100, Some(never), ptr), -1);
                assert_eq!(last_errno(), libc::EFAULT);
                assert_eq!(zmq_timers_cancel(ptr, 1), -1);
                assert_eq!(zmq_timers_set_interval(ptr, 1, 100), -1);
                assert_eq!(zmq_timers_reset(ptr, 1), -1);
                assert_eq!(zmq_timers_timeout(ptr), -1);
                assert_eq!(zmq_timers_execute(ptr), -1);
                assert_eq!(last_errno(), libc::EFAULT);
            }
        }
        // SAFETY: a valid pointer to a NULL pointer.
        assert_eq!(unsafe { zmq_timers_destroy(&mut null) }, -1);
        assert_eq!(last_errno(), libc::EFAULT);
        let mut live = zmq_timers_new();
        // SAFETY: a valid pointer to live timers.
        assert_eq!(unsafe { zmq_timers_destroy(&mut live) }, 0);
        assert!(live.is_null());
    }
}
