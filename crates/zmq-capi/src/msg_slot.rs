//! `zmq_msg_t`: 64 bytes the C side owns, holding one `MsgSlot` in
//! place (no allocation for the slot itself).

use zmq::{Error, Message};
use zmq_patterns::msg::INLINE_CAPACITY;

/// The C `zmq_msg_t`: 64 bytes aligned like a pointer, as in libzmq.
#[repr(C, align(8))]
#[allow(non_camel_case_types)]
pub struct zmq_msg_t {
    _opaque: [u8; 64],
}

impl zmq_msg_t {
    /// Zeroed storage, to be initialised by a `zmq_msg_init*` function.
    pub fn uninit() -> zmq_msg_t {
        zmq_msg_t { _opaque: [0; 64] }
    }
}

/// What a `zmq_msg_t` holds.
pub(crate) enum MsgSlot {
    /// A message received, copied or initialised from user data: shared,
    /// read through [`MsgSlot::data_ptr`].
    Ready(Message),
    /// `zmq_msg_init_size` of a small size: a writable inline buffer.
    Small {
        /// Bytes in use.
        len: u8,
        /// The buffer.
        data: [u8; INLINE_CAPACITY],
    },
    /// `zmq_msg_init_size` of a larger size: a writable heap buffer,
    /// frozen without copying when sent or copied.
    Buffer(Vec<u8>),
    /// `zmq_msg_init_data`: the caller's buffer (it becomes `Ready` when
    /// copied or sent).
    UserData {
        /// The buffer.
        data: bytes::Bytes,
        /// Given without a free function: constant data, which libzmq
        /// reports as shared from the start.
        constant: bool,
    },
    /// Closed by `zmq_msg_close`: invalid until initialised again, as
    /// libzmq's `msg_t::close` marks it (so a second close, a copy or
    /// move from or into it, a send or receive fail with EFAULT). Read
    /// as an empty message elsewhere (libzmq asserts there).
    Closed,
}

const _: () = assert!(std::mem::size_of::<MsgSlot>() <= std::mem::size_of::<zmq_msg_t>());
const _: () = assert!(std::mem::align_of::<MsgSlot>() <= std::mem::align_of::<zmq_msg_t>());

impl MsgSlot {
    /// An empty message (`zmq_msg_init`).
    pub(crate) fn empty() -> MsgSlot {
        MsgSlot::Ready(Message::new())
    }

    /// A writable message of `size` zeroed bytes (`zmq_msg_init_size`);
    /// ENOMEM when the memory cannot be had.
    pub(crate) fn with_size(size: usize) -> Result<MsgSlot, Error> {
        if size <= INLINE_CAPACITY {
            return Ok(MsgSlot::Small {
                // Bounded by INLINE_CAPACITY (< 256) just above.
                len: u8::try_from(size).map_err(|_| Error::Inval)?,
                data: [0; INLINE_CAPACITY],
            });
        }
        let mut buffer = Vec::new();
        buffer.try_reserve_exact(size).map_err(|_| Error::NoMem)?;
        buffer.resize(size, 0);
        Ok(MsgSlot::Buffer(buffer))
    }

    /// The payload length.
    pub(crate) fn len(&self) -> usize {
        match self {
            MsgSlot::Ready(message) => message.len(),
            MsgSlot::Small { len, .. } => usize::from(*len),
            MsgSlot::Buffer(buffer) => buffer.len(),
            MsgSlot::UserData { data, .. } => data.len(),
            MsgSlot::Closed => 0,
        }
    }

    /// A pointer to the payload the C side may read, and write while it
    /// owns the message (`zmq_msg_data`).
    pub(crate) fn data_ptr(&mut self) -> *mut u8 {
        match self {
            // C may write through it as it may in libzmq; Rust never
            // holds a reference to the payload across a C call.
            MsgSlot::Ready(message) => message.as_ptr().cast_mut(),
            MsgSlot::Small { data, .. } => data.as_mut_ptr(),
            MsgSlot::Buffer(buffer) => buffer.as_mut_ptr(),
            // The caller's own memory, which it may write.
            MsgSlot::UserData { data, .. } => data.as_ptr().cast_mut(),
            // Non-NULL, for zero bytes.
            MsgSlot::Closed => std::ptr::NonNull::dangling().as_ptr(),
        }
    }

    /// Turns a writable buffer into a shared message in place (no copy
    /// of a heap buffer: the payload keeps its address). A closed
    /// message stays closed.
    pub(crate) fn freeze(&mut self) {
        let frozen = match std::mem::replace(self, MsgSlot::empty()) {
            MsgSlot::Closed => {
                *self = MsgSlot::Closed;
                return;
            }
            MsgSlot::Ready(message) => message,
            MsgSlot::Small { len, data } => {
                Message::from_slice(data.get(..usize::from(len)).unwrap_or(&[]))
            }
            MsgSlot::Buffer(buffer) => Message::from(bytes::Bytes::from(buffer)),
            MsgSlot::UserData { data, .. } => Message::from(data),
        };
        *self = MsgSlot::Ready(frozen);
    }

    /// The message, frozen first (see [`MsgSlot::freeze`]).
    pub(crate) fn frozen(&mut self) -> Option<&mut Message> {
        self.freeze();
        match self {
            MsgSlot::Ready(message) => Some(message),
            _ => None,
        }
    }

    /// Whether more parts follow (`ZMQ_MORE`).
    pub(crate) fn more(&self) -> bool {
        match self {
            MsgSlot::Ready(message) => message.get_more(),
            _ => false,
        }
    }

    /// Whether the payload may be shared with another message
    /// (`ZMQ_SHARED`): true for large received or copied messages and
    /// for constant data (`zmq_msg_init_data` without a free function),
    /// false for fresh buffers (`zmq_msg_init_size`, `zmq_msg_init_data`
    /// with one) and small payloads.
    pub(crate) fn shared(&self) -> bool {
        match self {
            MsgSlot::Ready(message) => message.len() > INLINE_CAPACITY,
            MsgSlot::UserData { constant, .. } => *constant,
            _ => false,
        }
    }

    /// Whether `zmq_msg_close` closed it (libzmq: `!msg_t::check ()`).
    pub(crate) fn is_closed(&self) -> bool {
        matches!(self, MsgSlot::Closed)
    }

    /// A read-only view of the message, if it is already frozen.
    pub(crate) fn ready(&self) -> Option<&Message> {
        match self {
            MsgSlot::Ready(message) => Some(message),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_fits_in_zmq_msg_t() {
        assert_eq!(std::mem::size_of::<zmq_msg_t>(), 64);
        assert_eq!(std::mem::align_of::<zmq_msg_t>(), 8);
    }

    #[test]
    fn small_buffer_is_writable_then_frozen() {
        let mut slot = MsgSlot::with_size(5).unwrap();
        assert_eq!(slot.len(), 5);
        if let MsgSlot::Small { data, .. } = &mut slot {
            data[..5].copy_from_slice(b"hello");
        }
        assert_eq!(&slot.frozen().unwrap()[..], b"hello");
        assert_eq!(slot.len(), 5);
    }

    #[test]
    fn closed_stays_closed_when_frozen() {
        let mut slot = MsgSlot::Closed;
        assert!(slot.frozen().is_none());
        assert!(slot.is_closed());
        assert_eq!(slot.len(), 0);
        assert!(!slot.data_ptr().is_null());
    }

    #[test]
    fn large_buffer_keeps_its_address_when_frozen() {
        let mut slot = MsgSlot::with_size(1000).unwrap();
        let before = slot.data_ptr();
        assert!(!slot.shared());
        let message = slot.frozen().unwrap().clone();
        assert_eq!(message.as_ptr(), before.cast_const());
        assert!(slot.shared());
    }
}
