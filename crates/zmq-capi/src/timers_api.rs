//! `zmq_timers_*` over [`zmq::Timers`]: repeating timers whose callbacks
//! run in `zmq_timers_execute`, on the caller's thread.

use std::ffi::{c_int, c_long, c_void};
use std::time::Duration;

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

/// The timers behind a pointer; EFAULT for NULL.
///
/// # Safety
/// `timers` is NULL or a live pointer from [`zmq_timers_new`].
unsafe fn timers<'a>(timers: *mut c_void) -> Result<&'a mut Timers, Error> {
    // SAFETY: NULL or a live boxed Timers per the contract.
    unsafe { timers.cast::<Timers>().as_mut() }.ok_or(Error::Fault)
}

/// A new, empty set of timers.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_timers_new() -> *mut c_void {
    Box::into_raw(Box::new(Timers::new())).cast()
}

/// Frees the timers and sets `*timers_p` to NULL.
///
/// # Safety
/// `timers_p` is NULL or points to NULL or live timers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    guarded_int(|| {
        if timers_p.is_null() {
            return Err(Error::Fault);
        }
        // SAFETY: non-NULL and valid per the contract.
        let ptr = unsafe { timers_p.replace(std::ptr::null_mut()) };
        if ptr.is_null() {
            return Err(Error::Fault);
        }
        // SAFETY: live boxed Timers, freed once (the caller's pointer is
        // now NULL).
        drop(unsafe { Box::from_raw(ptr.cast::<Timers>()) });
        Ok(0)
    })
}

/// Adds a timer firing every `interval` ms; returns its id.
///
/// # Safety
/// `timers_ptr` is NULL or live timers; `handler` is valid for `arg`.
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

/// Cancels a timer; EINVAL when unknown.
///
/// # Safety
/// `timers_ptr` is NULL or live timers.
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
/// `timers_ptr` is NULL or live timers.
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
/// `timers_ptr` is NULL or live timers.
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
/// `timers_ptr` is NULL or live timers.
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
/// `timers_ptr` is NULL or live timers; callbacks must not destroy them.
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
