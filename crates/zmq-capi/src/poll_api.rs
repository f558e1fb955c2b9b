//! `zmq_poll` (and the draft `zmq_ppoll`) over [`zmq::poll()`].

use std::ffi::{c_int, c_long, c_void};
use std::os::fd::BorrowedFd;

use zmq::{Error, PollItem};

use crate::boundary::guarded_int;
use crate::handles::{self, AnySocket};

/// The C `zmq_pollitem_t`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct zmq_pollitem_t {
    /// A socket, or NULL to poll `fd`.
    pub socket: *mut c_void,
    /// A file descriptor, used when `socket` is NULL.
    pub fd: c_int,
    /// Events asked for (`ZMQ_POLLIN` | `ZMQ_POLLOUT` | ...).
    pub events: i16,
    /// Events that happened.
    pub revents: i16,
}

/// Waits until an item is ready or `timeout` ms pass (-1: forever);
/// returns the number of ready items.
///
/// # Safety
/// `items` is NULL or valid for `nitems` entries; each `socket` is NULL or
/// any pointer (only live sockets are used); each descriptor, when used,
/// stays open during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poll(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { poll_entries(items, nitems, timeout, None) }
}

/// The body of [`zmq_poll`] and [`zmq_ppoll`].
///
/// # Safety
/// As [`zmq_poll`].
unsafe fn poll_entries(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
    sigmask: Option<&zmq::SigSet>,
) -> c_int {
    guarded_int(|| {
        let count = usize::try_from(nitems).map_err(|_| Error::Inval)?;
        if count > 0 && items.is_null() {
            return Err(Error::Fault);
        }
        let entries: &mut [zmq_pollitem_t] = if count == 0 {
            &mut []
        } else {
            // SAFETY: non-NULL and valid for `nitems` entries per the
            // contract.
            unsafe { std::slice::from_raw_parts_mut(items, count) }
        };
        let mut poll_items = Vec::with_capacity(count);
        for entry in entries.iter() {
            let item = if !entry.socket.is_null() {
                match &handles::socket(entry.socket)?.socket {
                    AnySocket::Plain(socket) => PollItem::from_socket(socket, entry.events),
                    AnySocket::ThreadSafe(socket) => {
                        PollItem::from_thread_safe(socket, entry.events)
                    }
                }
            } else if entry.fd >= 0 {
                // SAFETY: the descriptor is open for the duration of the
                // call per the contract; poll(2) reports a closed one as
                // an error rather than touching memory.
                PollItem::from_fd(unsafe { BorrowedFd::borrow_raw(entry.fd) }, entry.events)
            } else {
                PollItem::nothing()
            };
            poll_items.push(item);
        }
        #[allow(clippy::useless_conversion, reason = "c_long is i32 on 32-bit targets")]
        let timeout = i64::from(timeout);
        let ready = match sigmask {
            None => zmq::poll(&mut poll_items, timeout)?,
            Some(mask) => zmq::ppoll(&mut poll_items, timeout, mask)?,
        };
        for (entry, item) in entries.iter_mut().zip(&poll_items) {
            entry.revents = item.revents();
        }
        Ok(ready)
    })
}

/// [`zmq_poll`] whose waits run with the signal mask `sigmask` (draft
/// API, as ppoll(2)); a NULL mask is plain `zmq_poll`.
///
/// # Safety
/// As [`zmq_poll`]; `sigmask` is NULL or an initialised `sigset_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ppoll(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
    sigmask: *const libc::sigset_t,
) -> c_int {
    if sigmask.is_null() {
        // SAFETY: forwarded contract.
        return unsafe { poll_entries(items, nitems, timeout, None) };
    }
    // SAFETY: a non-NULL mask points to an initialised sigset_t per the
    // contract (sigemptyset/sigprocmask made it); it is copied.
    let mask = unsafe { zmq::SigSet::from_sigset_t_unchecked(*sigmask) };
    // SAFETY: forwarded contract.
    unsafe { poll_entries(items, nitems, timeout, Some(&mask)) }
}
