//! `Msg`: one message part as sockets, pipes and patterns see it.
//!
//! Small payloads live inline (no allocation); larger ones are a shared
//! [`Bytes`], so moving or cloning a message never copies its payload.

use std::fmt;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};

/// Payloads up to this many bytes are stored inside the `Msg` itself.
pub const INLINE_CAPACITY: usize = 38;

/// Longest group name a RADIO/DISH message may carry (`ZMQ_GROUP_MAX_LENGTH`).
pub const GROUP_MAX_LENGTH: usize = 255;

/// Flag bits of a message part.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MsgFlags(u8);

impl MsgFlags {
    /// More parts of the same message follow.
    pub const MORE: MsgFlags = MsgFlags(0x01);
    /// A ZMTP command rather than application data.
    pub const COMMAND: MsgFlags = MsgFlags(0x02);
    /// A subscription that arrived as a ZMTP 3.1 SUBSCRIBE command.
    pub const SUBSCRIBE: MsgFlags = MsgFlags(0x04);
    /// An unsubscription that arrived as a ZMTP 3.1 CANCEL command.
    pub const CANCEL: MsgFlags = MsgFlags(0x08);
    /// The in-band routing-id message a session puts first into the pipe of
    /// a socket that wants peer routing ids (ROUTER, STREAM).
    pub const ROUTING_ID: MsgFlags = MsgFlags(0x40);

    /// No flag set.
    pub const fn empty() -> MsgFlags {
        MsgFlags(0)
    }

    /// The raw bits.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Flags from raw bits (unknown bits are kept).
    pub const fn from_bits(bits: u8) -> MsgFlags {
        MsgFlags(bits)
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: MsgFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets or clears the bits of `other`.
    pub fn set(&mut self, other: MsgFlags, on: bool) {
        if on {
            self.0 |= other.0;
        } else {
            self.0 &= !other.0;
        }
    }
}

impl std::ops::BitOr for MsgFlags {
    type Output = MsgFlags;
    fn bitor(self, rhs: MsgFlags) -> MsgFlags {
        MsgFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for MsgFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MsgFlags({:#04x})", self.0)
    }
}

/// Connection properties attached to received messages: what `zmq_msg_gets`
/// reads (`Socket-Type`, `Identity`, `User-Id`, `Peer-Address`, ZAP and
/// application metadata). Names compare exactly (case-sensitively), as
/// libzmq's `metadata_t` (a `std::map` of the names as the peer sent them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    entries: Vec<(Box<str>, Bytes)>,
    /// The descriptor of the connection the messages came in on
    /// (`ZMQ_SRCFD`), for tcp and ipc.
    source_fd: Option<i32>,
}

impl Metadata {
    /// An empty property set.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Adds or replaces the property of exactly that name.
    pub fn insert(&mut self, name: &str, value: Bytes) {
        match self.entries.iter_mut().find(|(n, _)| **n == *name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name.into(), value)),
        }
    }

    /// Records the descriptor of the connection (`ZMQ_SRCFD`).
    pub fn set_source_fd(&mut self, fd: i32) {
        self.source_fd = Some(fd);
    }

    /// The descriptor of the connection the messages came in on, if they
    /// came over a stream (`ZMQ_SRCFD`).
    pub fn source_fd(&self) -> Option<i32> {
        self.source_fd
    }

    /// The value of the property of exactly that name, if present; the
    /// deprecated `Identity` falls back to `Routing-Id` (libzmq
    /// `metadata_t::get`).
    pub fn get(&self, name: &str) -> Option<&Bytes> {
        let found = self
            .entries
            .iter()
            .find(|(n, _)| **n == *name)
            .map(|(_, v)| v);
        match found {
            None if name == "Identity" => self.get("Routing-Id"),
            found => found,
        }
    }

    /// All properties in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Bytes)> {
        self.entries.iter().map(|(n, v)| (&**n, v))
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no property.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A group name stored behind one thin pointer, so that `Msg` stays small.
#[derive(Clone, PartialEq, Eq)]
struct Group {
    len: u8,
    name: [u8; GROUP_MAX_LENGTH],
}

#[derive(Clone)]
enum Body {
    Inline {
        len: u8,
        data: [u8; INLINE_CAPACITY],
    },
    Shared(Bytes),
    /// A payload written in place ([`Msg::data_mut`]): owned, frozen back
    /// into `Shared` (without a copy) when sent.
    Unique(BytesMut),
}

/// One message part.
#[derive(Clone)]
pub struct Msg {
    body: Body,
    metadata: Option<Arc<Metadata>>,
    group: Option<Box<Group>>,
    routing_id: u32,
    flags: MsgFlags,
}

impl Msg {
    /// An empty message part.
    pub const fn new() -> Msg {
        Msg {
            body: Body::Inline {
                len: 0,
                data: [0; INLINE_CAPACITY],
            },
            metadata: None,
            group: None,
            routing_id: 0,
            flags: MsgFlags::empty(),
        }
    }

    /// A message holding a copy of `data` (inline when small).
    pub fn from_slice(data: &[u8]) -> Msg {
        let body = if data.len() <= INLINE_CAPACITY {
            let mut buf = [0; INLINE_CAPACITY];
            buf[..data.len()].copy_from_slice(data);
            Body::Inline {
                // Bounded by INLINE_CAPACITY above.
                len: data.len() as u8,
                data: buf,
            }
        } else {
            Body::Shared(Bytes::copy_from_slice(data))
        };
        Msg::with_body(body)
    }

    /// A message sharing `bytes` (no copy).
    pub fn from_bytes(bytes: Bytes) -> Msg {
        Msg::with_body(Body::Shared(bytes))
    }

    /// A message taking ownership of `vec` (no copy).
    pub fn from_vec(vec: Vec<u8>) -> Msg {
        Msg::from_bytes(Bytes::from(vec))
    }

    const fn with_body(body: Body) -> Msg {
        Msg {
            body,
            metadata: None,
            group: None,
            routing_id: 0,
            flags: MsgFlags::empty(),
        }
    }

    /// The payload.
    pub fn data(&self) -> &[u8] {
        match &self.body {
            Body::Inline { len, data } => &data[..usize::from(*len)],
            Body::Shared(bytes) => bytes,
            Body::Unique(bytes) => bytes,
        }
    }

    /// The payload, writable in place. A shared payload is copied first,
    /// unless this message is its only holder (copy on write).
    pub fn data_mut(&mut self) -> &mut [u8] {
        if let Body::Shared(bytes) = &mut self.body {
            let unique = std::mem::take(bytes)
                .try_into_mut()
                .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
            self.body = Body::Unique(unique);
        }
        match &mut self.body {
            Body::Inline { len, data } => &mut data[..usize::from(*len)],
            Body::Unique(bytes) => bytes,
            Body::Shared(_) => &mut [],
        }
    }

    /// Makes a payload written in place shared again (no copy), so that
    /// sending it takes the zero-copy path.
    pub fn freeze(&mut self) {
        if let Body::Unique(bytes) = &mut self.body {
            self.body = Body::Shared(std::mem::take(bytes).freeze());
        }
    }

    /// Payload length in bytes.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Inline { len, .. } => usize::from(*len),
            Body::Shared(bytes) => bytes.len(),
            Body::Unique(bytes) => bytes.len(),
        }
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload as shared bytes (copies only an inline payload).
    pub fn into_bytes(self) -> Bytes {
        match self.body {
            Body::Inline { .. } => Bytes::copy_from_slice(self.data()),
            Body::Shared(bytes) => bytes,
            Body::Unique(bytes) => bytes.freeze(),
        }
    }

    /// The payload as shared bytes, when it is stored shared (large).
    pub fn shared_bytes(&self) -> Option<&Bytes> {
        match &self.body {
            Body::Shared(bytes) => Some(bytes),
            Body::Inline { .. } | Body::Unique(_) => None,
        }
    }

    /// All flags.
    pub fn flags(&self) -> MsgFlags {
        self.flags
    }

    /// Replaces all flags.
    pub fn set_flags(&mut self, flags: MsgFlags) {
        self.flags = flags;
    }

    /// Whether more parts follow.
    pub fn more(&self) -> bool {
        self.flags.contains(MsgFlags::MORE)
    }

    /// Sets or clears the MORE flag.
    pub fn set_more(&mut self, more: bool) {
        self.flags.set(MsgFlags::MORE, more);
    }

    /// Whether this is a ZMTP command.
    pub fn is_command(&self) -> bool {
        self.flags.contains(MsgFlags::COMMAND)
    }

    /// The routing id (SERVER/PEER sockets); 0 when unset.
    pub fn routing_id(&self) -> u32 {
        self.routing_id
    }

    /// Sets the routing id (SERVER/PEER sockets).
    pub fn set_routing_id(&mut self, id: u32) {
        self.routing_id = id;
    }

    /// The group (RADIO/DISH), if set.
    pub fn group(&self) -> Option<&[u8]> {
        self.group.as_deref().map(|g| &g.name[..usize::from(g.len)])
    }

    /// Sets the group; `Err(())` when longer than [`GROUP_MAX_LENGTH`].
    #[allow(clippy::result_unit_err)]
    pub fn set_group(&mut self, group: &[u8]) -> Result<(), ()> {
        if group.len() > GROUP_MAX_LENGTH {
            return Err(());
        }
        let mut name = [0; GROUP_MAX_LENGTH];
        name[..group.len()].copy_from_slice(group);
        self.group = Some(Box::new(Group {
            // Bounded by GROUP_MAX_LENGTH above.
            len: group.len() as u8,
            name,
        }));
        Ok(())
    }

    /// Connection metadata of a received message.
    pub fn metadata(&self) -> Option<&Arc<Metadata>> {
        self.metadata.as_ref()
    }

    /// Attaches connection metadata.
    pub fn set_metadata(&mut self, metadata: Option<Arc<Metadata>>) {
        self.metadata = metadata;
    }
}

impl Default for Msg {
    fn default() -> Msg {
        Msg::new()
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Msg")
            .field("len", &self.len())
            .field("flags", &self.flags)
            .field("routing_id", &self.routing_id)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Msg {
    fn eq(&self, other: &Msg) -> bool {
        self.data() == other.data()
            && self.flags == other.flags
            && self.routing_id == other.routing_id
            && self.group() == other.group()
    }
}

impl From<&[u8]> for Msg {
    fn from(data: &[u8]) -> Msg {
        Msg::from_slice(data)
    }
}

impl From<&str> for Msg {
    fn from(data: &str) -> Msg {
        Msg::from_slice(data.as_bytes())
    }
}

impl From<Vec<u8>> for Msg {
    fn from(data: Vec<u8>) -> Msg {
        Msg::from_vec(data)
    }
}

impl From<Bytes> for Msg {
    fn from(data: Bytes) -> Msg {
        Msg::from_bytes(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_in_64_bytes() {
        assert!(std::mem::size_of::<Msg>() <= 64);
    }

    #[test]
    fn small_payload_is_inline() {
        let msg = Msg::from_slice(b"hello");
        assert_eq!(msg.data(), b"hello");
        assert!(msg.shared_bytes().is_none());
        let big = vec![7u8; INLINE_CAPACITY + 1];
        let msg = Msg::from_slice(&big);
        assert_eq!(msg.data(), &big[..]);
        assert!(msg.shared_bytes().is_some());
    }

    #[test]
    fn data_mut_copies_on_write() {
        let big = vec![7u8; INLINE_CAPACITY + 1];
        let mut msg = Msg::from_vec(big.clone());
        let copy = msg.clone();
        msg.data_mut()[0] = 1;
        assert_eq!(msg.data()[0], 1);
        assert_eq!(copy.data(), &big[..], "the clone keeps the old payload");
        msg.freeze();
        assert!(msg.shared_bytes().is_some());
        assert_eq!(msg.len(), big.len());
        // The only holder writes in place, without a copy.
        let mut only = Msg::from_vec(big.clone());
        let before = only.data().as_ptr();
        only.data_mut()[1] = 2;
        assert_eq!(only.data().as_ptr(), before);
        let mut small = Msg::from_slice(b"abc");
        small.data_mut()[0] = b'x';
        assert_eq!(small.data(), b"xbc");
    }

    #[test]
    fn flags_round_trip() {
        let mut msg = Msg::new();
        assert!(!msg.more());
        msg.set_more(true);
        assert!(msg.more());
        assert!(msg.flags().contains(MsgFlags::MORE));
        msg.set_more(false);
        assert!(!msg.more());
    }

    #[test]
    fn group_length_is_bounded() {
        let mut msg = Msg::new();
        assert!(msg.set_group(&[b'g'; GROUP_MAX_LENGTH]).is_ok());
        assert!(msg.set_group(&[b'g'; GROUP_MAX_LENGTH + 1]).is_err());
    }

    #[test]
    fn metadata_lookup_is_case_sensitive() {
        let mut md = Metadata::new();
        md.insert("Socket-Type", Bytes::from_static(b"DEALER"));
        assert_eq!(md.get("Socket-Type").map(|v| &v[..]), Some(&b"DEALER"[..]));
        assert_eq!(md.get("socket-type"), None);
        md.insert("SOCKET-TYPE", Bytes::from_static(b"ROUTER"));
        assert_eq!(md.len(), 2);
        md.insert("Socket-Type", Bytes::from_static(b"PAIR"));
        assert_eq!(md.len(), 2);
        assert_eq!(md.get("Socket-Type").map(|v| &v[..]), Some(&b"PAIR"[..]));
    }

    #[test]
    fn identity_falls_back_to_routing_id() {
        let mut md = Metadata::new();
        assert_eq!(md.get("Identity"), None);
        md.insert("Routing-Id", Bytes::from_static(b"r1"));
        assert_eq!(md.get("Identity").map(|v| &v[..]), Some(&b"r1"[..]));
        md.insert("Identity", Bytes::from_static(b"i1"));
        assert_eq!(md.get("Identity").map(|v| &v[..]), Some(&b"i1"[..]));
    }
}
