//! Socket types: libzmq's numbers, the names sent in the `Socket-Type`
//! property, and which types may talk to which (RFC 37, libzmq 4.3).

use core::fmt;

/// A ZeroMQ socket type, with the numeric value of its `ZMQ_*` constant in
/// zmq.h.
///
/// ZMTP 2.0 greetings carry the same numbers (0..=10) in their socket-type
/// byte; ZMTP 3.x carries [`SocketType::wire_name`] in the `Socket-Type`
/// metadata property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SocketType {
    /// `ZMQ_PAIR`
    Pair = 0,
    /// `ZMQ_PUB`
    Pub = 1,
    /// `ZMQ_SUB`
    Sub = 2,
    /// `ZMQ_REQ`
    Req = 3,
    /// `ZMQ_REP`
    Rep = 4,
    /// `ZMQ_DEALER`
    Dealer = 5,
    /// `ZMQ_ROUTER`
    Router = 6,
    /// `ZMQ_PULL`
    Pull = 7,
    /// `ZMQ_PUSH`
    Push = 8,
    /// `ZMQ_XPUB`
    XPub = 9,
    /// `ZMQ_XSUB`
    XSub = 10,
    /// `ZMQ_STREAM` (raw TCP, never speaks ZMTP)
    Stream = 11,
    /// `ZMQ_SERVER` (draft)
    Server = 12,
    /// `ZMQ_CLIENT` (draft)
    Client = 13,
    /// `ZMQ_RADIO` (draft)
    Radio = 14,
    /// `ZMQ_DISH` (draft)
    Dish = 15,
    /// `ZMQ_GATHER` (draft)
    Gather = 16,
    /// `ZMQ_SCATTER` (draft)
    Scatter = 17,
    /// `ZMQ_DGRAM` (draft, UDP only)
    Dgram = 18,
    /// `ZMQ_PEER` (draft)
    Peer = 19,
    /// `ZMQ_CHANNEL` (draft)
    Channel = 20,
}

impl SocketType {
    /// Every socket type, in numeric order.
    pub const ALL: [SocketType; 21] = [
        SocketType::Pair,
        SocketType::Pub,
        SocketType::Sub,
        SocketType::Req,
        SocketType::Rep,
        SocketType::Dealer,
        SocketType::Router,
        SocketType::Pull,
        SocketType::Push,
        SocketType::XPub,
        SocketType::XSub,
        SocketType::Stream,
        SocketType::Server,
        SocketType::Client,
        SocketType::Radio,
        SocketType::Dish,
        SocketType::Gather,
        SocketType::Scatter,
        SocketType::Dgram,
        SocketType::Peer,
        SocketType::Channel,
    ];

    /// The `ZMQ_*` number (also the ZMTP 2.0 greeting byte).
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// The socket type with this `ZMQ_*` number.
    pub fn from_number(number: i32) -> Option<SocketType> {
        let index = usize::try_from(number).ok()?;
        Self::ALL.get(index).copied()
    }

    /// The `ZMQ_*` number as the C API's `int` (rust-zmq's `to_raw`).
    pub const fn to_raw(self) -> i32 {
        self as i32
    }

    /// The socket type with this `ZMQ_*` number (the same as
    /// [`SocketType::from_number`]; rust-zmq's name).
    pub fn from_raw(raw: i32) -> Option<SocketType> {
        Self::from_number(raw)
    }

    /// Whether the session puts the peer's routing id first into each pipe
    /// of a socket of this type (ROUTER and STREAM address their peers by
    /// it).
    pub const fn wants_routing_id(self) -> bool {
        matches!(self, SocketType::Router | SocketType::Stream)
    }

    /// The name sent in the `Socket-Type` property (libzmq's
    /// `socket_type_string`).
    pub const fn wire_name(self) -> &'static str {
        match self {
            SocketType::Pair => "PAIR",
            SocketType::Pub => "PUB",
            SocketType::Sub => "SUB",
            SocketType::Req => "REQ",
            SocketType::Rep => "REP",
            SocketType::Dealer => "DEALER",
            SocketType::Router => "ROUTER",
            SocketType::Pull => "PULL",
            SocketType::Push => "PUSH",
            SocketType::XPub => "XPUB",
            SocketType::XSub => "XSUB",
            SocketType::Stream => "STREAM",
            SocketType::Server => "SERVER",
            SocketType::Client => "CLIENT",
            SocketType::Radio => "RADIO",
            SocketType::Dish => "DISH",
            SocketType::Gather => "GATHER",
            SocketType::Scatter => "SCATTER",
            SocketType::Dgram => "DGRAM",
            SocketType::Peer => "PEER",
            SocketType::Channel => "CHANNEL",
        }
    }

    /// The socket type whose wire name is exactly `name` (case-sensitive,
    /// as libzmq compares it).
    pub fn from_wire_name(name: &[u8]) -> Option<SocketType> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.wire_name().as_bytes() == name)
    }

    /// Whether a socket of this type accepts a peer of type `peer` (libzmq
    /// 4.3 `mechanism_t::check_socket_type`; RFC 37 for the draft types
    /// plus DGRAM↔DGRAM). STREAM talks to no ZMTP peer.
    pub const fn is_compatible_with(self, peer: SocketType) -> bool {
        use SocketType::*;
        match self {
            Req => matches!(peer, Rep | Router),
            Rep => matches!(peer, Req | Dealer),
            Dealer => matches!(peer, Rep | Dealer | Router),
            Router => matches!(peer, Req | Dealer | Router),
            Push => matches!(peer, Pull),
            Pull => matches!(peer, Push),
            Pub | XPub => matches!(peer, Sub | XSub),
            Sub | XSub => matches!(peer, Pub | XPub),
            Pair => matches!(peer, Pair),
            Server => matches!(peer, Client),
            Client => matches!(peer, Server),
            Radio => matches!(peer, Dish),
            Dish => matches!(peer, Radio),
            Gather => matches!(peer, Scatter),
            Scatter => matches!(peer, Gather),
            Dgram => matches!(peer, Dgram),
            Peer => matches!(peer, Peer),
            Channel => matches!(peer, Channel),
            Stream => false,
        }
    }

    /// Whether this is one of the thread-safe types that refuse multipart
    /// messages (RFC 37 "Thread-Safe Socket Types").
    pub const fn is_thread_safe(self) -> bool {
        use SocketType::*;
        matches!(
            self,
            Server | Client | Radio | Dish | Scatter | Gather | Peer | Channel
        )
    }
}

/// rust-zmq's names for the socket types: `SocketType::REQ` is
/// [`SocketType::Req`]; usable in patterns.
#[allow(missing_docs)]
impl SocketType {
    pub const PAIR: SocketType = SocketType::Pair;
    pub const PUB: SocketType = SocketType::Pub;
    pub const SUB: SocketType = SocketType::Sub;
    pub const REQ: SocketType = SocketType::Req;
    pub const REP: SocketType = SocketType::Rep;
    pub const DEALER: SocketType = SocketType::Dealer;
    pub const ROUTER: SocketType = SocketType::Router;
    pub const PULL: SocketType = SocketType::Pull;
    pub const PUSH: SocketType = SocketType::Push;
    pub const XPUB: SocketType = SocketType::XPub;
    pub const XSUB: SocketType = SocketType::XSub;
    pub const STREAM: SocketType = SocketType::Stream;
    pub const SERVER: SocketType = SocketType::Server;
    pub const CLIENT: SocketType = SocketType::Client;
    pub const RADIO: SocketType = SocketType::Radio;
    pub const DISH: SocketType = SocketType::Dish;
    pub const GATHER: SocketType = SocketType::Gather;
    pub const SCATTER: SocketType = SocketType::Scatter;
    pub const DGRAM: SocketType = SocketType::Dgram;
    pub const PEER: SocketType = SocketType::Peer;
    pub const CHANNEL: SocketType = SocketType::Channel;
}

impl fmt::Display for SocketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_zmq_h() {
        for (i, t) in SocketType::ALL.iter().enumerate() {
            assert_eq!(usize::from(t.number()), i);
            assert_eq!(SocketType::from_number(i as i32), Some(*t));
        }
        assert_eq!(SocketType::Channel.number(), 20);
        assert_eq!(SocketType::from_number(21), None);
        assert_eq!(SocketType::from_number(-1), None);
    }

    #[test]
    fn names_round_trip() {
        for t in SocketType::ALL {
            assert_eq!(
                SocketType::from_wire_name(t.wire_name().as_bytes()),
                Some(t)
            );
        }
        assert_eq!(SocketType::from_wire_name(b"dealer"), None);
        assert_eq!(SocketType::from_wire_name(b""), None);
    }

    #[test]
    fn matrix_is_symmetric_except_stream() {
        for a in SocketType::ALL {
            for b in SocketType::ALL {
                assert_eq!(a.is_compatible_with(b), b.is_compatible_with(a), "{a} {b}");
            }
        }
    }

    #[test]
    fn rfc37_examples() {
        use SocketType::*;
        assert!(Req.is_compatible_with(Router));
        assert!(!Req.is_compatible_with(Req));
        assert!(XPub.is_compatible_with(XSub));
        assert!(!Pub.is_compatible_with(Pub));
        assert!(Radio.is_compatible_with(Dish));
        assert!(!Stream.is_compatible_with(Stream));
        assert!(Peer.is_compatible_with(Peer));
    }
}
