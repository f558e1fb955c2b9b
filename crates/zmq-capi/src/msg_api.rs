//! `zmq_msg_*`: initialise, share, move, inspect and close messages.

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_int, c_void};

use bytes::Bytes;
use zmq::{Error, Message};

use crate::boundary::{guarded, guarded_int};
use crate::consts::{ZMQ_GROUP_MAX_LENGTH, ZMQ_MORE, ZMQ_SHARED, ZMQ_SRCFD};
use crate::msg_slot::{MsgSlot, zmq_msg_t};

/// The C free function of `zmq_msg_init_data`.
#[allow(non_camel_case_types)]
pub type zmq_free_fn = unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void);

/// The slot of an initialised message; EFAULT for NULL or misaligned.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t` initialised by one of the
/// `zmq_msg_init*` functions, not used by another thread meanwhile.
pub(crate) unsafe fn slot_mut<'a>(msg: *mut zmq_msg_t) -> Result<&'a mut MsgSlot, Error> {
    if msg.is_null() || !msg.is_aligned() {
        return Err(Error::Fault);
    }
    // SAFETY: non-NULL and aligned; initialised per the caller's contract,
    // and MsgSlot fits in zmq_msg_t (asserted at compile time).
    Ok(unsafe { &mut *msg.cast::<MsgSlot>() })
}

/// [`slot_mut`] of a message that is not closed: EFAULT for a message
/// `zmq_msg_close` closed (libzmq `msg_t::check`).
///
/// # Safety
/// As [`slot_mut`].
pub(crate) unsafe fn open_slot_mut<'a>(msg: *mut zmq_msg_t) -> Result<&'a mut MsgSlot, Error> {
    // SAFETY: forwarded contract.
    let slot = unsafe { slot_mut(msg) }?;
    if slot.is_closed() {
        return Err(Error::Fault);
    }
    Ok(slot)
}

/// Read-only [`slot_mut`].
///
/// # Safety
/// As [`slot_mut`].
pub(crate) unsafe fn slot_ref<'a>(msg: *const zmq_msg_t) -> Result<&'a MsgSlot, Error> {
    if msg.is_null() || !msg.is_aligned() {
        return Err(Error::Fault);
    }
    // SAFETY: as in `slot_mut`.
    Ok(unsafe { &*msg.cast::<MsgSlot>() })
}

/// Writes `slot` into possibly uninitialised memory (no drop of the old
/// bytes).
///
/// # Safety
/// `msg` is NULL or points to writable memory of a `zmq_msg_t`.
pub(crate) unsafe fn slot_init(msg: *mut zmq_msg_t, slot: MsgSlot) -> Result<(), Error> {
    if msg.is_null() || !msg.is_aligned() {
        return Err(Error::Fault);
    }
    // SAFETY: non-NULL, aligned and writable; `write` does not read or
    // drop the old (possibly uninitialised) contents.
    unsafe { msg.cast::<MsgSlot>().write(slot) };
    Ok(())
}

/// Initialises an empty message.
///
/// # Safety
/// `msg` is NULL or points to writable memory of a `zmq_msg_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init(msg: *mut zmq_msg_t) -> c_int {
    // SAFETY: forwarded contract.
    guarded_int(|| unsafe { slot_init(msg, MsgSlot::empty()) }.map(|()| 0))
}

/// Initialises a message of `size` bytes the caller fills through
/// `zmq_msg_data`.
///
/// # Safety
/// `msg` is NULL or points to writable memory of a `zmq_msg_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init_size(msg: *mut zmq_msg_t, size: usize) -> c_int {
    guarded_int(|| {
        let slot = MsgSlot::with_size(size)?;
        // SAFETY: forwarded contract.
        unsafe { slot_init(msg, slot) }.map(|()| 0)
    })
}

/// Initialises a message holding a copy of `buf` (draft API).
///
/// # Safety
/// `msg` as in [`zmq_msg_init`]; `buf` is NULL (with `size` 0) or valid
/// for reading `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init_buffer(
    msg: *mut zmq_msg_t,
    buf: *const c_void,
    size: usize,
) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let data = unsafe { bytes_arg(buf, size) }?;
        let mut slot = MsgSlot::with_size(size)?;
        let target = slot.data_ptr();
        // SAFETY: `slot` owns `size` writable bytes at `target`, which do
        // not overlap the caller's buffer.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), target, size) };
        // SAFETY: forwarded contract.
        unsafe { slot_init(msg, slot) }.map(|()| 0)
    })
}

/// Initialises a message over the caller's buffer without copying;
/// `ffn(data, hint)` is called once when the last reference goes (never
/// when `ffn` is NULL).
///
/// # Safety
/// `msg` as in [`zmq_msg_init`]; `data` is NULL (with `size` 0) or valid
/// for `size` bytes until `ffn` is called (or forever when `ffn` is NULL);
/// `ffn` may be called from any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init_data(
    msg: *mut zmq_msg_t,
    data: *mut c_void,
    size: usize,
    ffn: Option<zmq_free_fn>,
    hint: *mut c_void,
) -> c_int {
    guarded_int(|| {
        if data.is_null() && size != 0 {
            return Err(Error::Fault);
        }
        let slot = if data.is_null() {
            MsgSlot::empty()
        } else {
            let owner = UserBuffer {
                data,
                size,
                ffn,
                hint,
            };
            MsgSlot::UserData {
                data: Bytes::from_owner(owner),
                constant: ffn.is_none(),
            }
        };
        // SAFETY: forwarded contract.
        unsafe { slot_init(msg, slot) }.map(|()| 0)
    })
}

/// A buffer of the caller's, freed by its function when dropped.
struct UserBuffer {
    data: *mut c_void,
    size: usize,
    ffn: Option<zmq_free_fn>,
    hint: *mut c_void,
}

// SAFETY: zmq_msg_init_data's contract lets the buffer be read and `ffn`
// be called from any thread (libzmq frees on its I/O threads).
unsafe impl Send for UserBuffer {}

impl AsRef<[u8]> for UserBuffer {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `data` is non-NULL (checked at construction) and valid
        // for `size` bytes until `ffn` runs, which happens only in `drop`.
        unsafe { std::slice::from_raw_parts(self.data.cast::<u8>(), self.size) }
    }
}

impl Drop for UserBuffer {
    fn drop(&mut self) {
        if let Some(ffn) = self.ffn {
            // SAFETY: the caller's free function, called exactly once with
            // the arguments it gave.
            unsafe { ffn(self.data, self.hint) };
        }
    }
}

/// `size` bytes at `buf` as a slice (empty for NULL with size 0; EFAULT
/// for NULL with a size).
///
/// # Safety
/// `buf` is NULL or valid for reading `size` bytes for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(buf: *const c_void, size: usize) -> Result<&'a [u8], Error> {
    if buf.is_null() {
        return if size == 0 {
            Ok(&[])
        } else {
            Err(Error::Fault)
        };
    }
    // SAFETY: non-NULL and valid for `size` bytes per the contract.
    Ok(unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), size) })
}

/// Releases the message's content; it is closed afterwards: closing it
/// again fails with EFAULT until it is initialised again (libzmq
/// `msg_t::close`).
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_close(msg: *mut zmq_msg_t) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let slot = unsafe { open_slot_mut(msg) }?;
        *slot = MsgSlot::Closed;
        Ok(0)
    })
}

/// Moves `src`'s content to `dest` (whose content is released); `src`
/// becomes empty. EFAULT when either is closed.
///
/// # Safety
/// Both are NULL or initialised messages.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_move(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    guarded_int(|| {
        if dest == src {
            // SAFETY: forwarded contract (validates the pointer).
            unsafe { open_slot_mut(dest) }?;
            return Ok(0);
        }
        // SAFETY: forwarded contract; distinct messages.
        let content = std::mem::replace(unsafe { open_slot_mut(src) }?, MsgSlot::empty());
        // SAFETY: forwarded contract.
        match unsafe { open_slot_mut(dest) } {
            Ok(dest) => {
                *dest = content;
                Ok(0)
            }
            Err(err) => {
                // Put the content back so a bad `dest` loses nothing.
                // SAFETY: validated above.
                if let Ok(src) = unsafe { slot_mut(src) } {
                    *src = content;
                }
                Err(err)
            }
        }
    })
}

/// Makes `dest` share `src`'s content (no payload copy for large
/// messages); `dest`'s old content is released. EFAULT when either is
/// closed.
///
/// # Safety
/// Both are NULL or initialised messages.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_copy(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let shared = unsafe { open_slot_mut(src) }?
            .frozen()
            .cloned()
            .unwrap_or_default();
        if dest != src {
            // SAFETY: forwarded contract; distinct from `src`.
            *unsafe { open_slot_mut(dest) }? = MsgSlot::Ready(shared);
        }
        Ok(0)
    })
}

/// The payload (never NULL for a valid message).
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_data(msg: *mut zmq_msg_t) -> *mut c_void {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        Ok(unsafe { slot_mut(msg) }?.data_ptr().cast())
    })
}

/// The payload size in bytes.
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_size(msg: *const zmq_msg_t) -> usize {
    guarded(0, || {
        // SAFETY: forwarded contract.
        Ok(unsafe { slot_ref(msg) }?.len())
    })
}

/// 1 when more parts of the message follow, else 0.
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_more(msg: *const zmq_msg_t) -> c_int {
    guarded(0, || {
        // SAFETY: forwarded contract.
        Ok(c_int::from(unsafe { slot_ref(msg) }?.more()))
    })
}

/// An int property: `ZMQ_MORE`, `ZMQ_SRCFD` (the descriptor of the tcp
/// or ipc connection a message came in on; -1 with EINVAL for a message
/// without one, as libzmq), `ZMQ_SHARED`.
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_get(msg: *const zmq_msg_t, property: c_int) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let slot = unsafe { slot_ref(msg) }?;
        match property {
            ZMQ_MORE => Ok(c_int::from(slot.more())),
            ZMQ_SRCFD => slot
                .ready()
                .and_then(Message::source_fd)
                .ok_or(Error::Inval),
            ZMQ_SHARED => Ok(c_int::from(slot.shared())),
            _ => Err(Error::Inval),
        }
    })
}

/// No property can be set: always EINVAL, as in libzmq.
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_set(
    msg: *mut zmq_msg_t,
    _property: c_int,
    _value: c_int,
) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        unsafe { slot_mut(msg) }?;
        Err(Error::Inval)
    })
}

/// How many `zmq_msg_gets` strings a thread keeps alive.
const GETS_CACHE_ENTRIES: usize = 64;

thread_local! {
    /// Strings returned by `zmq_msg_gets`, most recent last.
    static GETS_CACHE: RefCell<Vec<CString>> = const { RefCell::new(Vec::new()) };
}

/// A metadata property of a received message (`Socket-Type`,
/// `Identity`, `Peer-Address`, `User-Id`, ...); EINVAL when absent.
///
/// The string stays valid until the same thread has asked for
/// `GETS_CACHE_ENTRIES` (64) other distinct values.
///
/// # Safety
/// `msg` is NULL or an initialised message; `property` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_gets(
    msg: *const zmq_msg_t,
    property: *const c_char,
) -> *const c_char {
    guarded(std::ptr::null(), || {
        // SAFETY: forwarded contract.
        let slot = unsafe { slot_ref(msg) }?;
        if property.is_null() {
            return Err(Error::Fault);
        }
        // SAFETY: non-NULL and NUL-terminated per the contract.
        let name = unsafe { CStr::from_ptr(property) }
            .to_str()
            .map_err(|_| Error::Inval)?;
        let value = slot
            .ready()
            .and_then(|message| message.gets(name))
            .ok_or(Error::Inval)?;
        let value = CString::new(value).map_err(|_| Error::Inval)?;
        Ok(GETS_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(found) = cache.iter().find(|kept| **kept == value) {
                return found.as_ptr();
            }
            if cache.len() >= GETS_CACHE_ENTRIES {
                cache.remove(0);
            }
            let ptr = value.as_ptr();
            cache.push(value);
            ptr
        }))
    })
}

/// Sets the routing id a SERVER or PEER socket sends to (draft API);
/// EINVAL for 0.
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_set_routing_id(msg: *mut zmq_msg_t, routing_id: u32) -> c_int {
    guarded_int(|| {
        if routing_id == 0 {
            return Err(Error::Inval);
        }
        // SAFETY: forwarded contract.
        if let Some(message) = unsafe { slot_mut(msg) }?.frozen() {
            message.set_routing_id(routing_id);
        }
        Ok(0)
    })
}

/// The routing id of a message received on a SERVER or PEER socket
/// (draft API); 0 when it has none.
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_routing_id(msg: *mut zmq_msg_t) -> u32 {
    guarded(0, || {
        // SAFETY: forwarded contract.
        Ok(unsafe { slot_ref(msg) }?
            .ready()
            .map_or(0, Message::routing_id))
    })
}

/// Sets the group a RADIO socket sends to (draft API): EINVAL for NULL;
/// a group longer than 255 bytes is truncated to its first 255, as in
/// libzmq.
///
/// # Safety
/// `msg` is NULL or an initialised message; `group` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_set_group(msg: *mut zmq_msg_t, group: *const c_char) -> c_int {
    guarded_int(|| {
        // SAFETY: forwarded contract.
        let slot = unsafe { slot_mut(msg) }?;
        if group.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and NUL-terminated per the contract.
        let group = unsafe { CStr::from_ptr(group) }.to_bytes();
        // libzmq reads at most ZMQ_GROUP_MAX_LENGTH bytes (strnlen in
        // src/msg.cpp set_group): a longer group is silently truncated.
        let group = group.get(..ZMQ_GROUP_MAX_LENGTH).unwrap_or(group);
        if let Some(message) = slot.frozen() {
            message.set_group(group)?;
        }
        Ok(0)
    })
}

/// How many `zmq_msg_group` strings a thread keeps alive.
const GROUP_CACHE_ENTRIES: usize = 64;

thread_local! {
    /// Strings returned by `zmq_msg_group`, most recent last.
    static GROUP_CACHE: RefCell<Vec<CString>> = const { RefCell::new(Vec::new()) };
}

/// The group of a message received on a DISH socket (draft API); an
/// empty string when it has none.
///
/// libzmq returns a pointer into the message; ours stores the group
/// without a terminating NUL, so the string returned stays valid until
/// the same thread has asked for `GROUP_CACHE_ENTRIES` (64) other
/// distinct groups (as `zmq_msg_gets`).
///
/// # Safety
/// `msg` is NULL or an initialised message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_group(msg: *mut zmq_msg_t) -> *const c_char {
    guarded(std::ptr::null(), || {
        // SAFETY: forwarded contract.
        let slot = unsafe { slot_mut(msg) }?;
        let group = slot
            .frozen()
            .and_then(|message| message.group())
            .unwrap_or_default();
        // A group with a NUL byte cannot be a C string: cut it there, as
        // the C side would read it.
        let end = group.iter().position(|&b| b == 0).unwrap_or(group.len());
        let group = CString::new(group.get(..end).unwrap_or_default()).map_err(|_| Error::Inval)?;
        Ok(GROUP_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(found) = cache.iter().find(|kept| **kept == group) {
                return found.as_ptr();
            }
            if cache.len() >= GROUP_CACHE_ENTRIES {
                cache.remove(0);
            }
            let ptr = group.as_ptr();
            cache.push(group);
            ptr
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn new_msg() -> zmq_msg_t {
        zmq_msg_t::uninit()
    }

    static FREED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count_free(_data: *mut c_void, hint: *mut c_void) {
        FREED.fetch_add(hint as usize, Ordering::SeqCst);
    }

    #[test]
    fn init_size_write_read() {
        let mut msg = new_msg();
        // SAFETY: a local zmq_msg_t, initialised before use.
        unsafe {
            assert_eq!(zmq_msg_init_size(&mut msg, 3), 0);
            let data = zmq_msg_data(&mut msg).cast::<u8>();
            data.copy_from(b"abc".as_ptr(), 3);
            assert_eq!(zmq_msg_size(&msg), 3);
            let mut copy = new_msg();
            assert_eq!(zmq_msg_init(&mut copy), 0);
            assert_eq!(zmq_msg_copy(&mut copy, &mut msg), 0);
            let copied = std::slice::from_raw_parts(zmq_msg_data(&mut copy).cast::<u8>(), 3);
            assert_eq!(copied, b"abc");
            assert_eq!(zmq_msg_close(&mut copy), 0);
            assert_eq!(zmq_msg_close(&mut msg), 0);
            // Closed: invalid until initialised again, as in libzmq.
            assert_eq!(zmq_msg_close(&mut msg), -1);
            assert_eq!(crate::util_api::zmq_errno(), libc::EFAULT);
            assert_eq!(zmq_msg_init(&mut msg), 0);
            assert_eq!(zmq_msg_close(&mut msg), 0);
        }
    }

    #[test]
    fn init_data_frees_once_after_last_copy() {
        let buffer = Box::into_raw(Box::new([7u8; 100])).cast::<c_void>();
        let mut a = new_msg();
        let mut b = new_msg();
        let before = FREED.load(Ordering::SeqCst);
        // SAFETY: local messages; the buffer lives until count_free (it is
        // leaked on purpose: count_free only counts).
        unsafe {
            assert_eq!(
                zmq_msg_init_data(
                    &mut a,
                    buffer,
                    100,
                    Some(count_free),
                    std::ptr::dangling_mut::<c_void>()
                ),
                0
            );
            assert_eq!(zmq_msg_init(&mut b), 0);
            assert_eq!(zmq_msg_copy(&mut b, &mut a), 0);
            assert_eq!(zmq_msg_get(&b, ZMQ_SHARED), 1);
            assert_eq!(zmq_msg_close(&mut a), 0);
            assert_eq!(FREED.load(Ordering::SeqCst), before);
            assert_eq!(zmq_msg_close(&mut b), 0);
            assert_eq!(FREED.load(Ordering::SeqCst), before + 1);
            drop(Box::from_raw(buffer.cast::<[u8; 100]>()));
        }
    }

    #[test]
    fn null_message_is_efault() {
        // SAFETY: NULL is allowed and refused.
        unsafe {
            assert_eq!(zmq_msg_init(std::ptr::null_mut()), -1);
            assert_eq!(crate::boundary::last_errno(), libc::EFAULT);
            assert_eq!(zmq_msg_size(std::ptr::null()), 0);
        }
    }

    #[test]
    fn move_leaves_source_empty() {
        let mut a = new_msg();
        let mut b = new_msg();
        // SAFETY: local messages initialised before use.
        unsafe {
            zmq_msg_init_size(&mut a, 10);
            zmq_msg_init(&mut b);
            assert_eq!(zmq_msg_move(&mut b, &mut a), 0);
            assert_eq!(zmq_msg_size(&b), 10);
            assert_eq!(zmq_msg_size(&a), 0);
            zmq_msg_close(&mut a);
            zmq_msg_close(&mut b);
        }
    }
}
