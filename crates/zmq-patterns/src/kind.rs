//! `SocketKind`: the socket types of `zmq.h`, with their numbers.

use crate::error::PatternError;

/// A socket type, numbered as in `zmq.h` (`ZMQ_PAIR` = 0 ... `ZMQ_CHANNEL` = 20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // The variant names are the zmq.h names.
pub enum SocketKind {
    Pair = 0,
    Pub = 1,
    Sub = 2,
    Req = 3,
    Rep = 4,
    Dealer = 5,
    Router = 6,
    Pull = 7,
    Push = 8,
    XPub = 9,
    XSub = 10,
    Stream = 11,
    Server = 12,
    Client = 13,
    Radio = 14,
    Dish = 15,
    Gather = 16,
    Scatter = 17,
    Dgram = 18,
    Peer = 19,
    Channel = 20,
}

/// The `zmq` crate's (rust-zmq's) names for the kinds:
/// `SocketType::REQ` is [`SocketKind::Req`].
#[allow(missing_docs)]
impl SocketKind {
    pub const PAIR: SocketKind = SocketKind::Pair;
    pub const PUB: SocketKind = SocketKind::Pub;
    pub const SUB: SocketKind = SocketKind::Sub;
    pub const REQ: SocketKind = SocketKind::Req;
    pub const REP: SocketKind = SocketKind::Rep;
    pub const DEALER: SocketKind = SocketKind::Dealer;
    pub const ROUTER: SocketKind = SocketKind::Router;
    pub const PULL: SocketKind = SocketKind::Pull;
    pub const PUSH: SocketKind = SocketKind::Push;
    pub const XPUB: SocketKind = SocketKind::XPub;
    pub const XSUB: SocketKind = SocketKind::XSub;
    pub const STREAM: SocketKind = SocketKind::Stream;
    pub const SERVER: SocketKind = SocketKind::Server;
    pub const CLIENT: SocketKind = SocketKind::Client;
    pub const RADIO: SocketKind = SocketKind::Radio;
    pub const DISH: SocketKind = SocketKind::Dish;
    pub const GATHER: SocketKind = SocketKind::Gather;
    pub const SCATTER: SocketKind = SocketKind::Scatter;
    pub const DGRAM: SocketKind = SocketKind::Dgram;
    pub const PEER: SocketKind = SocketKind::Peer;
    pub const CHANNEL: SocketKind = SocketKind::Channel;

    /// The `zmq.h` number (the `zmq` crate's name for [`SocketKind::raw`]).
    pub const fn to_raw(self) -> i32 {
        self.raw()
    }
}

impl SocketKind {
    /// The kind for a `zmq.h` number; `Invalid` (EINVAL) for unknown numbers.
    pub const fn from_raw(raw: i32) -> Result<SocketKind, PatternError> {
        Ok(match raw {
            0 => SocketKind::Pair,
            1 => SocketKind::Pub,
            2 => SocketKind::Sub,
            3 => SocketKind::Req,
            4 => SocketKind::Rep,
            5 => SocketKind::Dealer,
            6 => SocketKind::Router,
            7 => SocketKind::Pull,
            8 => SocketKind::Push,
            9 => SocketKind::XPub,
            10 => SocketKind::XSub,
            11 => SocketKind::Stream,
            12 => SocketKind::Server,
            13 => SocketKind::Client,
            14 => SocketKind::Radio,
            15 => SocketKind::Dish,
            16 => SocketKind::Gather,
            17 => SocketKind::Scatter,
            18 => SocketKind::Dgram,
            19 => SocketKind::Peer,
            20 => SocketKind::Channel,
            _ => return Err(PatternError::Invalid),
        })
    }

    /// The `zmq.h` number.
    pub const fn raw(self) -> i32 {
        self as i32
    }

    /// The name used in the ZMTP `Socket-Type` property (`"DEALER"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            SocketKind::Pair => "PAIR",
            SocketKind::Pub => "PUB",
            SocketKind::Sub => "SUB",
            SocketKind::Req => "REQ",
            SocketKind::Rep => "REP",
            SocketKind::Dealer => "DEALER",
            SocketKind::Router => "ROUTER",
            SocketKind::Pull => "PULL",
            SocketKind::Push => "PUSH",
            SocketKind::XPub => "XPUB",
            SocketKind::XSub => "XSUB",
            SocketKind::Stream => "STREAM",
            SocketKind::Server => "SERVER",
            SocketKind::Client => "CLIENT",
            SocketKind::Radio => "RADIO",
            SocketKind::Dish => "DISH",
            SocketKind::Gather => "GATHER",
            SocketKind::Scatter => "SCATTER",
            SocketKind::Dgram => "DGRAM",
            SocketKind::Peer => "PEER",
            SocketKind::Channel => "CHANNEL",
        }
    }

    /// Whether the session must put the peer's routing-id message (flagged
    /// [`MsgFlags::ROUTING_ID`](crate::MsgFlags::ROUTING_ID)) first into
    /// each pipe of this socket type.
    pub const fn wants_routing_id(self) -> bool {
        matches!(self, SocketKind::Router | SocketKind::Stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for raw in 0..=20 {
            let kind = SocketKind::from_raw(raw).unwrap();
            assert_eq!(kind.raw(), raw);
        }
        assert_eq!(SocketKind::from_raw(21), Err(PatternError::Invalid));
        assert_eq!(SocketKind::from_raw(-1), Err(PatternError::Invalid));
        assert_eq!(SocketKind::Router.name(), "ROUTER");
    }
}
