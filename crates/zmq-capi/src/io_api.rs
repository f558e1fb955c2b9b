//! Sending and receiving: `zmq_send`, `zmq_send_const`, `zmq_recv`,
//! `zmq_msg_send`, `zmq_msg_recv`, the deprecated `zmq_sendmsg` /
//! `zmq_recvmsg`, and `zmq_sendiov` / `zmq_recviov`.

use std::ffi::{c_int, c_void};

use bytes::Bytes;
use zmq::{Error, Message};

use crate::boundary::{count_to_int, guarded_int};
use crate::consts::ZMQ_SNDMORE;
use crate::handles;
use crate::msg_api::{bytes_arg, open_slot_mut};
use crate::msg_slot::{MsgSlot, zmq_msg_t};

/// Sends a copy of `len` bytes at `buf`; returns `len`.
///
/// # Safety
/// `socket` is any pointer; `buf` is NULL (with `len` 0) or valid for
/// `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_send(
    socket: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let data = unsafe { bytes_arg(buf, len) }?;
        socket.send_msg(Message::from_slice(data), flags)?;
        Ok(count_to_int(len))
    })
}

/// A buffer the caller promises never changes nor goes away.
struct ConstBuffer {
    data: *const u8,
    len: usize,
}

// SAFETY: zmq_send_const's contract makes the buffer constant and
// permanent, so it can be read from any thread.
unsafe impl Send for ConstBuffer {}

impl AsRef<[u8]> for ConstBuffer {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: non-NULL (checked before construction), constant and
        // valid for `len` bytes forever per zmq_send_const's contract.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }
}

/// Sends `len` bytes at `buf` without copying them; returns `len`.
///
/// # Safety
/// As [`zmq_send`], and the buffer must stay unchanged and valid for as
/// long as the library may send it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_send_const(
    socket: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        let message = if buf.is_null() {
            if len != 0 {
                return Err(Error::Fault);
            }
            Message::new()
        } else {
            Message::from(Bytes::from_owner(ConstBuffer {
                data: buf.cast(),
                len,
            }))
        };
        socket.send_msg(message, flags)?;
        Ok(count_to_int(len))
    })
}

/// Receives one part into `buf` (truncated to `len` bytes); returns the
/// part's full size.
///
/// # Safety
/// `socket` is any pointer; `buf` is NULL (with `len` 0) or valid for
/// writing `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_recv(
    socket: *mut c_void,
    buf: *mut c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        if buf.is_null() && len != 0 {
            return Err(Error::Fault);
        }
        let message = socket.recv_msg(flags)?;
        let copied = message.len().min(len);
        if copied > 0 {
            // SAFETY: `buf` is valid for `len` >= `copied` bytes and does
            // not overlap the message's payload.
            unsafe {
                buf.cast::<u8>()
                    .copy_from_nonoverlapping(message.as_ptr(), copied)
            };
        }
        Ok(count_to_int(message.len()))
    })
}

/// Sends the message; on success it is emptied, on failure the caller
/// still owns it unchanged. Returns its size. EFAULT for a closed
/// message.
///
/// # Safety
/// `msg` is NULL or an initialised message; `socket` is any pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_send(
    msg: *mut zmq_msg_t,
    socket: *mut c_void,
    flags: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let slot = unsafe { open_slot_mut(msg) }?;
        let message = slot.frozen().cloned().unwrap_or_default();
        let size = message.len();
        socket.send_msg(message, flags)?;
        *slot = MsgSlot::empty();
        Ok(count_to_int(size))
    })
}

/// Receives one part into `msg` (its old content is released); returns
/// the part's size. EFAULT for a closed message.
///
/// When no message could be had (EAGAIN, EINTR) the old content is
/// released all the same: the message is empty, as in libzmq, whose
/// queues empty it before looking for a message (src/fq.cpp recvpipe:
/// `msg_->close (); msg_->init ()`). Other failures (ETERM, ENOTSUP,
/// EFSM) come before that and leave it unchanged.
///
/// # Safety
/// `msg` is NULL or an initialised message; `socket` is any pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_recv(
    msg: *mut zmq_msg_t,
    socket: *mut c_void,
    flags: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        // SAFETY: forwarded contract.
        let slot = unsafe { open_slot_mut(msg) }?;
        let message = socket.recv_msg(flags).inspect_err(|err| {
            if matches!(err, Error::Again | Error::Intr) {
                *slot = MsgSlot::empty();
            }
        })?;
        let size = message.len();
        *slot = MsgSlot::Ready(message);
        Ok(count_to_int(size))
    })
}

/// Deprecated: [`zmq_msg_send`] with the arguments swapped.
///
/// # Safety
/// As [`zmq_msg_send`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_sendmsg(
    socket: *mut c_void,
    msg: *mut zmq_msg_t,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { zmq_msg_send(msg, socket, flags) }
}

/// Deprecated: [`zmq_msg_recv`] with the arguments swapped.
///
/// # Safety
/// As [`zmq_msg_recv`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_recvmsg(
    socket: *mut c_void,
    msg: *mut zmq_msg_t,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { zmq_msg_recv(msg, socket, flags) }
}

/// Sends `count` buffers, each as a message of its own (copied), all
/// with `flags` but the last, sent without `ZMQ_SNDMORE` (libzmq
/// `zmq_sendiov`: so they are parts of one message only if the caller
/// passes `ZMQ_SNDMORE`). Returns the size of the last part.
///
/// # Safety
/// `iov` is NULL or valid for `count` entries, each valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_sendiov(
    socket: *mut c_void,
    iov: *mut libc::iovec,
    count: usize,
    flags: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        if count == 0 || iov.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and valid for `count` entries per the contract.
        let parts = unsafe { std::slice::from_raw_parts(iov, count) };
        let mut last = 0;
        for (index, part) in parts.iter().enumerate() {
            // SAFETY: each entry is valid for its length per the contract.
            let data = unsafe { bytes_arg(part.iov_base, part.iov_len) }?;
            let part_flags = if index + 1 == count {
                flags & !ZMQ_SNDMORE
            } else {
                flags
            };
            socket.send_msg(Message::from_slice(data), part_flags)?;
            last = count_to_int(part.iov_len);
        }
        Ok(last)
    })
}

/// Receives up to `*count` parts of one message into buffers the library
/// allocates with `malloc` (the caller frees them); sets `*count` to the
/// number of parts received (also when a part fails: those before it
/// are the caller's) and returns it, as libzmq's `zmq_recviov`.
///
/// # Safety
/// `iov` is valid for `*count` entries; `count` is valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_recviov(
    socket: *mut c_void,
    iov: *mut libc::iovec,
    count: *mut usize,
    flags: c_int,
) -> c_int {
    guarded_int(|| {
        let socket = &handles::socket(socket)?.socket;
        if count.is_null() || iov.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and valid per the contract.
        let count = unsafe { &mut *count };
        // No room for a part is EINVAL (libzmq), not an empty receive.
        if *count == 0 {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and valid for `*count` entries per the contract.
        let parts = unsafe { std::slice::from_raw_parts_mut(iov, *count) };
        *count = 0;
        for part in parts.iter_mut() {
            let message = socket.recv_msg(flags)?;
            // SAFETY: malloc of the part's size (at least 1 byte so that an
            // empty part still gets a pointer the caller can free).
            let buffer = unsafe { libc::malloc(message.len().max(1)) };
            if buffer.is_null() {
                return Err(Error::NoMem);
            }
            // SAFETY: `buffer` holds `message.len()` bytes, distinct from
            // the payload.
            unsafe {
                buffer
                    .cast::<u8>()
                    .copy_from_nonoverlapping(message.as_ptr(), message.len())
            };
            part.iov_base = buffer;
            part.iov_len = message.len();
            *count += 1;
            if !message.get_more() {
                break;
            }
        }
        Ok(count_to_int(*count))
    })
}
