//! The draft `zmq_poller_*` functions over [`zmq::Poller`].
//!
//! A poller pointer is a boxed `PollerHandle` recorded in a registry of
//! live pollers, so a NULL, foreign or destroyed poller is EFAULT rather
//! than a dereference. Registered sockets are checked to be live before
//! every wait: a socket closed while registered (undefined behaviour in
//! libzmq) fails the wait with ENOTSOCK instead of being touched.

use std::collections::HashSet;
use std::ffi::{c_int, c_long, c_void};
use std::os::fd::BorrowedFd;
use std::sync::LazyLock;

use parking_lot::Mutex;
use zmq::{Error, Poller, PollerEvent};

use crate::boundary::{guarded, guarded_int};
use crate::handles::{self, AnySocket};

/// The C `zmq_poller_event_t`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct zmq_poller_event_t {
    /// The socket, or NULL for a descriptor event.
    pub socket: *mut c_void,
    /// The descriptor, or -1 for a socket event.
    pub fd: c_int,
    /// The value given at registration.
    pub user_data: *mut c_void,
    /// The events that happened.
    pub events: i16,
}

/// What the poller keeps for each registration: the C socket pointer
/// (NULL for a descriptor) and the caller's pointer.
#[derive(Clone, Copy)]
struct Registered {
    socket: *mut c_void,
    user_data: *mut c_void,
}

/// What a poller pointer points to.
struct PollerHandle {
    /// The poller; its sockets are the `SocketHandle`s of `sockets`.
    poller: Poller<'static, Registered>,
    /// The C pointers of the registered sockets, checked before a wait.
    sockets: Vec<usize>,
}

/// Addresses of the live pollers.
static LIVE: LazyLock<Mutex<HashSet<usize>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// The poller behind `ptr`; EFAULT when it is not a live poller.
///
/// A poller is used by one thread at a time (libzmq's rule), and lives
/// until [`zmq_poller_destroy`].
fn poller<'a>(ptr: *mut c_void) -> Result<&'a mut PollerHandle, Error> {
    if ptr.is_null() || !LIVE.lock().contains(&(ptr as usize)) {
        return Err(Error::Fault);
    }
    // SAFETY: the registry holds exactly the addresses of boxed
    // `PollerHandle`s not yet freed, and a poller is used by one thread at
    // a time, so this is the only reference for the call.
    Ok(unsafe { &mut *ptr.cast::<PollerHandle>() })
}

/// A descriptor argument: EBADF for the retired descriptor (-1) or any
/// negative value.
fn fd_arg(fd: c_int) -> Result<c_int, Error> {
    if fd < 0 {
        return Err(Error::Os(libc::EBADF));
    }
    Ok(fd)
}

/// A new, empty poller.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_new() -> *mut c_void {
    guarded(std::ptr::null_mut(), || {
        let raw = Box::into_raw(Box::new(PollerHandle {
            poller: Poller::new(),
            sockets: Vec::new(),
        }));
        LIVE.lock().insert(raw as usize);
        Ok(raw.cast())
    })
}

/// Frees the poller (forgetting its registrations) and sets `*poller_p`
/// to NULL; EFAULT when `poller_p` or `*poller_p` is not a live poller.
///
/// # Safety
/// `poller_p` is NULL or a valid pointer to a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_destroy(poller_p: *mut *mut c_void) -> c_int {
    guarded_int(|| {
        if poller_p.is_null() {
            return Err(Error::Fault);
        }
        // SAFETY: non-NULL and valid per the contract.
        let ptr = unsafe { poller_p.read() };
        if ptr.is_null() || !LIVE.lock().remove(&(ptr as usize)) {
            return Err(Error::Fault);
        }
        // SAFETY: the address was a live boxed `PollerHandle` and has just
        // left the registry, so it is freed exactly once.
        drop(unsafe { Box::from_raw(ptr.cast::<PollerHandle>()) });
        // SAFETY: valid per the contract.
        unsafe { poller_p.write(std::ptr::null_mut()) };
        Ok(0)
    })
}

/// How many sockets and descriptors are registered.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_size(poller_ptr: *mut c_void) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        Ok(c_int::try_from(handle.poller.len()).unwrap_or(c_int::MAX))
    })
}

/// Registers a socket; EINVAL when it already is, ENOTSOCK when it is
/// not a live socket.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_add(
    poller_ptr: *mut c_void,
    socket: *mut c_void,
    user_data: *mut c_void,
    events: i16,
) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        let registered = Registered { socket, user_data };
        match &handles::socket(socket)?.socket {
            AnySocket::Plain(target) => handle.poller.add(target, registered, events)?,
            AnySocket::ThreadSafe(target) => {
                handle.poller.add_thread_safe(target, registered, events)?;
            }
        }
        handle.sockets.push(socket as usize);
        Ok(0)
    })
}

/// Changes a registered socket's events; EINVAL when not registered.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_modify(
    poller_ptr: *mut c_void,
    socket: *mut c_void,
    events: i16,
) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        match &handles::socket(socket)?.socket {
            AnySocket::Plain(target) => handle.poller.modify(target, events)?,
            AnySocket::ThreadSafe(target) => handle.poller.modify_thread_safe(target, events)?,
        }
        Ok(0)
    })
}

/// Unregisters a socket; EINVAL when not registered.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_remove(poller_ptr: *mut c_void, socket: *mut c_void) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        match &handles::socket(socket)?.socket {
            AnySocket::Plain(target) => handle.poller.remove(target)?,
            AnySocket::ThreadSafe(target) => handle.poller.remove_thread_safe(target)?,
        };
        handle.sockets.retain(|&mine| mine != socket as usize);
        Ok(0)
    })
}

/// Registers a descriptor; EINVAL when it already is, EBADF for -1.
///
/// # Safety
/// `fd` stays open while it is registered (a closed one is reported as
/// POLLERR, never touched otherwise).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_add_fd(
    poller_ptr: *mut c_void,
    fd: c_int,
    user_data: *mut c_void,
    events: i16,
) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        let fd = fd_arg(fd)?;
        // SAFETY: the descriptor is only handed to poll(2), which reports
        // a closed one as an error; it stays open per the contract.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let registered = Registered {
            socket: std::ptr::null_mut(),
            user_data,
        };
        handle.poller.add_fd(borrowed, registered, events)?;
        Ok(0)
    })
}

/// Changes a registered descriptor's events; EINVAL when not registered.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_modify_fd(poller_ptr: *mut c_void, fd: c_int, events: i16) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        handle.poller.modify_fd(fd_arg(fd)?, events)?;
        Ok(0)
    })
}

/// Unregisters a descriptor; EINVAL when not registered.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_remove_fd(poller_ptr: *mut c_void, fd: c_int) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        handle.poller.remove_fd(fd_arg(fd)?)?;
        Ok(0)
    })
}

/// Waits for one event (see [`zmq_poller_wait_all`]); 0 on success. On
/// failure `*event` is cleared (NULL socket, fd -1).
///
/// # Safety
/// `event` is NULL or valid for writing one event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_wait(
    poller_ptr: *mut c_void,
    event: *mut zmq_poller_event_t,
    timeout: c_long,
) -> c_int {
    // SAFETY: forwarded contract (one element).
    let rc = unsafe { zmq_poller_wait_all(poller_ptr, event, 1, timeout) };
    if rc < 0 {
        // SAFETY: NULL or valid for one event per the contract.
        if let Some(event) = unsafe { event.as_mut() } {
            *event = zmq_poller_event_t {
                socket: std::ptr::null_mut(),
                fd: -1,
                user_data: std::ptr::null_mut(),
                events: 0,
            };
        }
        return rc;
    }
    0
}

/// Waits until a registration is ready or `timeout` ms pass (-1:
/// forever) and writes up to `n_events` ready ones; returns how many.
/// EAGAIN on timeout; EFAULT for NULL `events`, an invalid poller, or an
/// endless wait with nothing to watch; EINVAL for `n_events` < 0 (with
/// 0 the wait can only time out);
/// ENOTSOCK when a registered socket was closed; ETERM, EINTR.
///
/// # Safety
/// `events` is NULL or valid for writing `n_events` events.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_wait_all(
    poller_ptr: *mut c_void,
    events: *mut zmq_poller_event_t,
    n_events: c_int,
    timeout: c_long,
) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        if events.is_null() {
            return Err(Error::Fault);
        }
        // 0 is allowed (as in libzmq): nothing can be reported, so the
        // wait ends with the timeout.
        let count = usize::try_from(n_events).map_err(|_| Error::Inval)?;
        for &socket in &handle.sockets {
            handles::socket(socket as *mut c_void)?;
        }
        let slots = count.min(handle.poller.len());
        let mut found: Vec<PollerEvent<'static, Registered>> = Vec::with_capacity(slots);
        found.resize_with(slots, || PollerEvent {
            socket: None,
            fd: None,
            user_data: Registered {
                socket: std::ptr::null_mut(),
                user_data: std::ptr::null_mut(),
            },
            events: 0,
        });
        #[allow(clippy::useless_conversion, reason = "c_long is i32 on 32-bit targets")]
        let timeout = i64::from(timeout);
        let ready = handle.poller.wait_all(&mut found, timeout)?;
        let ready = ready.min(count);
        // SAFETY: non-NULL and valid for `n_events` (>= `ready`) events
        // per the contract.
        let out = unsafe { std::slice::from_raw_parts_mut(events, ready) };
        for (slot, event) in out.iter_mut().zip(&found) {
            *slot = zmq_poller_event_t {
                socket: event.user_data.socket,
                fd: event.fd.unwrap_or(-1),
                user_data: event.user_data.user_data,
                events: event.events,
            };
        }
        Ok(c_int::try_from(ready).unwrap_or(c_int::MAX))
    })
}

/// The poller's own descriptor, while a thread-safe socket is registered
/// (EINVAL otherwise), as libzmq; see `zmq::Poller::fd`.
///
/// # Safety
/// `fd` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_fd(poller_ptr: *mut c_void, fd: *mut c_int) -> c_int {
    guarded_int(|| {
        let handle = poller(poller_ptr)?;
        let own = handle.poller.fd()?;
        // SAFETY: NULL or valid for writing per the contract.
        let slot = unsafe { fd.as_mut() }.ok_or(Error::Fault)?;
        *slot = own;
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::last_errno;

    #[test]
    fn invalid_pollers_are_efault() {
        let mut not_a_poller = 0u64;
        let foreign = (&raw mut not_a_poller).cast::<c_void>();
        assert_eq!(zmq_poller_size(foreign), -1);
        assert_eq!(last_errno(), libc::EFAULT);
        let mut null = std::ptr::null_mut();
        // SAFETY: a valid pointer to a NULL pointer.
        assert_eq!(unsafe { zmq_poller_destroy(&mut null) }, -1);
        assert_eq!(last_errno(), libc::EFAULT);
    }

    #[test]
    fn fd_registrations_and_destroy() {
        let mut poller = zmq_poller_new();
        assert!(!poller.is_null());
        // SAFETY: -1 is refused before use.
        assert_eq!(
            unsafe { zmq_poller_add_fd(poller, -1, std::ptr::null_mut(), 1) },
            -1
        );
        assert_eq!(last_errno(), libc::EBADF);
        let (reader, _writer) = std::io::pipe().expect("pipe");
        let fd = std::os::fd::AsRawFd::as_raw_fd(&reader);
        // SAFETY: `reader` outlives the registration.
        assert_eq!(
            unsafe { zmq_poller_add_fd(poller, fd, std::ptr::null_mut(), 1) },
            0
        );
        // SAFETY: as above.
        assert_eq!(
            unsafe { zmq_poller_add_fd(poller, fd, std::ptr::null_mut(), 1) },
            -1
        );
        assert_eq!(last_errno(), libc::EINVAL);
        assert_eq!(zmq_poller_size(poller), 1);
        let mut event = zmq_poller_event_t {
            socket: std::ptr::null_mut(),
            fd: 0,
            user_data: std::ptr::null_mut(),
            events: 0,
        };
        // SAFETY: a valid event.
        assert_eq!(unsafe { zmq_poller_wait(poller, &mut event, 0) }, -1);
        assert_eq!((last_errno(), event.fd), (libc::EAGAIN, -1));
        let mut own = 0;
        // SAFETY: a valid int.
        assert_eq!(unsafe { zmq_poller_fd(poller, &mut own) }, -1);
        assert_eq!(last_errno(), libc::EINVAL);
        // SAFETY: a valid pointer to a live poller.
        assert_eq!(unsafe { zmq_poller_destroy(&mut poller) }, 0);
        assert!(poller.is_null());
    }
}
