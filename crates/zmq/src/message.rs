//! `Message`: one message part as the API hands it out (`zmq_msg_t`).

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use zmq_patterns::Msg;

/// One part of a message. Small payloads are stored inline; larger ones
/// are shared, so moving, cloning or sending never copies them.
#[derive(Clone, Default, PartialEq)]
pub struct Message {
    msg: Msg,
}

impl Message {
    /// An empty message part.
    pub fn new() -> Message {
        Message::default()
    }

    /// A message part of `size` zero bytes, to be written in place
    /// through `DerefMut` (`zmq_msg_init_size`).
    pub fn with_size(size: usize) -> Message {
        Message::from(vec![0u8; size])
    }

    /// [`Message::with_size`] under rust-zmq's older name.
    #[deprecated(note = "use `with_size`, as rust-zmq")]
    pub fn with_capacity(size: usize) -> Message {
        Message::with_size(size)
    }

    /// A message part holding a copy of `data`.
    pub fn from_slice(data: &[u8]) -> Message {
        Message {
            msg: Msg::from_slice(data),
        }
    }

    /// Whether more parts of the same message follow (`ZMQ_MORE`).
    pub fn get_more(&self) -> bool {
        self.msg.more()
    }

    /// A metadata property of a received message (`zmq_msg_gets`):
    /// `Socket-Type`, `Identity`, `Peer-Address`, `User-Id` and any
    /// application property the peer sent.
    pub fn gets(&self, property: &str) -> Option<&str> {
        let value = self.msg.metadata()?.get(property)?;
        std::str::from_utf8(value).ok()
    }

    /// The descriptor of the connection a received message came in on
    /// (`ZMQ_SRCFD`): tcp and ipc only, `None` otherwise.
    pub fn source_fd(&self) -> Option<i32> {
        self.msg.metadata()?.source_fd()
    }

    /// The payload as text, if it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.msg.data()).ok()
    }

    /// The payload as shared bytes (copies only a small inline payload).
    pub fn into_bytes(self) -> Bytes {
        self.msg.into_bytes()
    }

    /// The routing id of a message received on a SERVER or PEER socket.
    pub fn routing_id(&self) -> u32 {
        self.msg.routing_id()
    }

    /// Sets the routing id a SERVER or PEER socket sends to.
    pub fn set_routing_id(&mut self, id: u32) {
        self.msg.set_routing_id(id);
    }

    /// The group of a message received on a DISH socket (`zmq_msg_group`).
    pub fn group(&self) -> Option<&[u8]> {
        self.msg.group()
    }

    /// Sets the group a RADIO socket sends to (`zmq_msg_set_group`):
    /// EINVAL when longer than 255 bytes.
    pub fn set_group(&mut self, group: &[u8]) -> crate::Result<()> {
        self.msg.set_group(group).map_err(|()| crate::Error::Inval)
    }

    pub(crate) fn into_msg(mut self) -> Msg {
        // A payload written in place goes out without a copy.
        self.msg.freeze();
        self.msg
    }

    pub(crate) fn from_msg(msg: Msg) -> Message {
        Message { msg }
    }
}

impl Deref for Message {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.msg.data()
    }
}

/// The payload, writable in place (`zmq_msg_data`). A payload shared with
/// a clone (or a received buffer) is copied first, so that only this
/// message changes.
impl DerefMut for Message {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.msg.data_mut()
    }
}

impl AsRef<[u8]> for Message {
    fn as_ref(&self) -> &[u8] {
        self.msg.data()
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("len", &self.len())
            .field("more", &self.get_more())
            .finish()
    }
}

impl From<&[u8]> for Message {
    fn from(data: &[u8]) -> Message {
        Message::from_slice(data)
    }
}

impl<const N: usize> From<&[u8; N]> for Message {
    fn from(data: &[u8; N]) -> Message {
        Message::from_slice(data)
    }
}

impl From<&str> for Message {
    fn from(data: &str) -> Message {
        Message::from_slice(data.as_bytes())
    }
}

impl From<String> for Message {
    fn from(data: String) -> Message {
        Message::from(data.into_bytes())
    }
}

/// A reference to anything that makes a message: `&String`, `&Vec<u8>`,
/// `&&str`, `&&[u8]`, so `send_multipart(&["a", "b"], 0)` and
/// `send_multipart(&parts_vec, 0)` work as with the `zmq` crate.
impl<T> From<&T> for Message
where
    T: Into<Message> + Clone,
{
    fn from(data: &T) -> Message {
        data.clone().into()
    }
}

impl From<Vec<u8>> for Message {
    fn from(data: Vec<u8>) -> Message {
        Message {
            msg: if data.len() <= zmq_patterns::msg::INLINE_CAPACITY {
                Msg::from_slice(&data)
            } else {
                Msg::from_vec(data)
            },
        }
    }
}

impl From<Box<[u8]>> for Message {
    fn from(data: Box<[u8]>) -> Message {
        Message::from(Vec::from(data))
    }
}

impl From<Bytes> for Message {
    fn from(data: Bytes) -> Message {
        Message {
            msg: Msg::from_bytes(data),
        }
    }
}

impl From<Message> for Vec<u8> {
    fn from(msg: Message) -> Vec<u8> {
        msg.msg.data().to_vec()
    }
}
