//! `zmq_proxy`, `zmq_proxy_steerable` and the deprecated `zmq_device`,
//! over [`zmq::proxy_steerable`].

use std::ffi::{c_int, c_void};

use zmq::{Error, Socket};

use crate::boundary::guarded_int;
use crate::handles::{self, AnySocket};

/// A required socket argument: EFAULT when it is NULL or not a live
/// socket (the proxy pages' word for an invalid frontend or backend).
fn required_socket<'a>(ptr: *mut c_void) -> Result<&'a AnySocket, Error> {
    handles::socket(ptr)
        .map(|handle| &handle.socket)
        .map_err(|_| Error::Fault)
}

fn optional_socket<'a>(ptr: *mut c_void) -> Result<Option<&'a AnySocket>, Error> {
    if ptr.is_null() {
        Ok(None)
    } else {
        required_socket(ptr).map(Some)
    }
}

/// Runs `f` with the sockets of `unique` (after those of `held`), each
/// thread-safe one locked for the whole call: the proxy blocks, so other
/// threads' calls on such a socket wait until it returns.
fn with_sockets<R>(
    unique: &[&AnySocket],
    held: Vec<&Socket>,
    f: &mut dyn FnMut(&[&Socket]) -> R,
) -> R {
    match unique.split_first() {
        None => f(&held),
        Some((first, rest)) => first.with(|socket| {
            let mut held = held;
            held.push(socket);
            with_sockets(rest, held, f)
        }),
    }
}

/// The socket of `slot` (an index in `sockets`), if any.
fn pick<'a>(sockets: &[&'a Socket], slot: Option<usize>) -> Result<Option<&'a Socket>, Error> {
    match slot {
        None => Ok(None),
        Some(index) => sockets.get(index).copied().map(Some).ok_or(Error::Fault),
    }
}

fn run(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> c_int {
    guarded_int(|| {
        let given = [
            Some(required_socket(frontend)?),
            Some(required_socket(backend)?),
            optional_socket(capture)?,
            optional_socket(control)?,
        ];
        // Each socket once (frontend and backend may be the same), and
        // where each given one is in that list.
        let mut unique: Vec<&AnySocket> = Vec::with_capacity(given.len());
        let slots = given.map(|socket| {
            socket.map(|socket| {
                unique
                    .iter()
                    .position(|known| std::ptr::eq(*known, socket))
                    .unwrap_or_else(|| {
                        unique.push(socket);
                        unique.len() - 1
                    })
            })
        });
        with_sockets(&unique, Vec::with_capacity(unique.len()), &mut |sockets| {
            let [frontend, backend, capture, control] = slots;
            let frontend = pick(sockets, frontend)?.ok_or(Error::Fault)?;
            let backend = pick(sockets, backend)?.ok_or(Error::Fault)?;
            zmq::proxy_steerable_opt(
                frontend,
                backend,
                pick(sockets, capture)?,
                pick(sockets, control)?,
            )
        })?;
        Ok(0)
    })
}

/// Forwards messages between `frontend` and `backend` (both ways, whole
/// multipart messages), copying every part to `capture` when not NULL.
/// Returns -1 with ETERM when the context is terminated.
///
/// # Safety
/// Each pointer is NULL or any pointer (only live sockets are used); the
/// sockets are not used by another thread while the proxy runs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_proxy(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
) -> c_int {
    run(frontend, backend, capture, std::ptr::null_mut())
}

/// [`zmq_proxy`] steered by PAUSE, RESUME, TERMINATE and STATISTICS
/// commands on `control` (REP or PAIR; NULL: none). Returns 0 after
/// TERMINATE.
///
/// # Safety
/// As [`zmq_proxy`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_proxy_steerable(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> c_int {
    run(frontend, backend, capture, control)
}

/// The deprecated device: a [`zmq_proxy`] without capture (the device
/// kind is ignored, as in libzmq).
///
/// # Safety
/// As [`zmq_proxy`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_device(
    _kind: c_int,
    frontend: *mut c_void,
    backend: *mut c_void,
) -> c_int {
    run(
        frontend,
        backend,
        std::ptr::null_mut(),
        std::ptr::null_mut(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::last_errno;

    #[test]
    fn invalid_sockets_are_efault() {
        let mut not_a_socket = 0u64;
        let foreign = (&raw mut not_a_socket).cast::<c_void>();
        let null = std::ptr::null_mut();
        // SAFETY: any pointers are accepted; none is live.
        let rc = unsafe { zmq_proxy(null, null, null) };
        assert_eq!((rc, last_errno()), (-1, libc::EFAULT));
        // SAFETY: as above.
        let rc = unsafe { zmq_proxy_steerable(foreign, foreign, null, null) };
        assert_eq!((rc, last_errno()), (-1, libc::EFAULT));
        // SAFETY: as above.
        let rc = unsafe { zmq_device(3, foreign, null) };
        assert_eq!((rc, last_errno()), (-1, libc::EFAULT));
    }
}
