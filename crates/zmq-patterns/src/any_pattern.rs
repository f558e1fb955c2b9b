//! `AnyPattern`: one value for any socket type, built from a [`SocketType`].
//!
//! The facade holds an `AnyPattern<P>` and calls it through [`Pattern`];
//! dispatch is a `match`, no virtual call. New socket types (PUB/SUB,
//! STREAM, the draft types) are variants.

use bytes::Bytes;

use crate::channel::Channel;
use crate::client::Client;
use crate::dealer::Dealer;
use crate::dgram::Dgram;
use crate::dish::Dish;
use crate::error::{PatternError, SendError};
use crate::gather::Gather;
use crate::kind::SocketType;
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pair::Pair;
use crate::pattern::Pattern;
use crate::peer::Peer;
use crate::pipe::{Pipe, PipeId};
use crate::pub_::Pub;
use crate::pull::Pull;
use crate::push::Push;
use crate::radio::Radio;
use crate::rep::Rep;
use crate::req::Req;
use crate::router::Router;
use crate::scatter::Scatter;
use crate::server::Server;
use crate::stream::Stream;
use crate::sub::Sub;
use crate::xpub::XPub;
use crate::xsub::XSub;

/// The routing state of a socket of any implemented type.
// One value per socket, created once and never moved on the message path:
// the size of the largest variant costs nothing, a box would cost a pointer
// chase per call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum AnyPattern<P> {
    /// `ZMQ_PAIR`.
    Pair(Pair<P>),
    /// `ZMQ_REQ`.
    Req(Req<P>),
    /// `ZMQ_REP`.
    Rep(Rep<P>),
    /// `ZMQ_DEALER`.
    Dealer(Dealer<P>),
    /// `ZMQ_ROUTER`.
    Router(Router<P>),
    /// `ZMQ_PULL`.
    Pull(Pull<P>),
    /// `ZMQ_PUSH`.
    Push(Push<P>),
    /// `ZMQ_PUB`.
    Pub(Pub<P>),
    /// `ZMQ_SUB`.
    Sub(Sub<P>),
    /// `ZMQ_XPUB`.
    XPub(XPub<P>),
    /// `ZMQ_XSUB`.
    XSub(XSub<P>),
    /// `ZMQ_STREAM`.
    Stream(Stream<P>),
    /// `ZMQ_SERVER` (draft).
    Server(Server<P>),
    /// `ZMQ_CLIENT` (draft).
    Client(Client<P>),
    /// `ZMQ_RADIO` (draft).
    Radio(Radio<P>),
    /// `ZMQ_DISH` (draft).
    Dish(Dish<P>),
    /// `ZMQ_SCATTER` (draft).
    Scatter(Scatter<P>),
    /// `ZMQ_GATHER` (draft).
    Gather(Gather<P>),
    /// `ZMQ_PEER` (draft).
    Peer(Peer<P>),
    /// `ZMQ_CHANNEL` (draft).
    Channel(Channel<P>),
    /// `ZMQ_DGRAM` (draft, udp only).
    Dgram(Dgram<P>),
}

impl<P: Pipe> AnyPattern<P> {
    /// A fresh pattern of `kind`.
    pub fn new(kind: SocketType) -> Result<AnyPattern<P>, PatternError> {
        Ok(match kind {
            SocketType::Pair => AnyPattern::Pair(Pair::new()),
            SocketType::Req => AnyPattern::Req(Req::new()),
            SocketType::Rep => AnyPattern::Rep(Rep::new()),
            SocketType::Dealer => AnyPattern::Dealer(Dealer::new()),
            SocketType::Router => AnyPattern::Router(Router::new()),
            SocketType::Pull => AnyPattern::Pull(Pull::new()),
            SocketType::Push => AnyPattern::Push(Push::new()),
            SocketType::Pub => AnyPattern::Pub(Pub::new()),
            SocketType::Sub => AnyPattern::Sub(Sub::new()),
            SocketType::XPub => AnyPattern::XPub(XPub::new()),
            SocketType::XSub => AnyPattern::XSub(XSub::new()),
            SocketType::Stream => AnyPattern::Stream(Stream::new()),
            SocketType::Server => AnyPattern::Server(Server::new()),
            SocketType::Client => AnyPattern::Client(Client::new()),
            SocketType::Radio => AnyPattern::Radio(Radio::new()),
            SocketType::Dish => AnyPattern::Dish(Dish::new()),
            SocketType::Scatter => AnyPattern::Scatter(Scatter::new()),
            SocketType::Gather => AnyPattern::Gather(Gather::new()),
            SocketType::Peer => AnyPattern::Peer(Peer::new()),
            SocketType::Channel => AnyPattern::Channel(Channel::new()),
            SocketType::Dgram => AnyPattern::Dgram(Dgram::new()),
        })
    }

    /// The socket type.
    pub fn kind(&self) -> SocketType {
        match self {
            AnyPattern::Pair(_) => SocketType::Pair,
            AnyPattern::Req(_) => SocketType::Req,
            AnyPattern::Rep(_) => SocketType::Rep,
            AnyPattern::Dealer(_) => SocketType::Dealer,
            AnyPattern::Router(_) => SocketType::Router,
            AnyPattern::Pull(_) => SocketType::Pull,
            AnyPattern::Push(_) => SocketType::Push,
            AnyPattern::Pub(_) => SocketType::Pub,
            AnyPattern::Sub(_) => SocketType::Sub,
            AnyPattern::XPub(_) => SocketType::XPub,
            AnyPattern::XSub(_) => SocketType::XSub,
            AnyPattern::Stream(_) => SocketType::Stream,
            AnyPattern::Server(_) => SocketType::Server,
            AnyPattern::Client(_) => SocketType::Client,
            AnyPattern::Radio(_) => SocketType::Radio,
            AnyPattern::Dish(_) => SocketType::Dish,
            AnyPattern::Scatter(_) => SocketType::Scatter,
            AnyPattern::Gather(_) => SocketType::Gather,
            AnyPattern::Peer(_) => SocketType::Peer,
            AnyPattern::Channel(_) => SocketType::Channel,
            AnyPattern::Dgram(_) => SocketType::Dgram,
        }
    }

    /// The peer behind pipe `id` changed while the pipe was kept (libzmq's
    /// `hiccup`, inproc reconnect): SUB and XSUB send their subscriptions
    /// into it again; other types ignore it.
    pub fn hiccuped(&mut self, id: PipeId) {
        match self {
            AnyPattern::Sub(p) => p.hiccuped(id),
            AnyPattern::XSub(p) => p.hiccuped(id),
            _ => {}
        }
    }
}

/// Calls `$call` on whichever socket type `$self` holds.
macro_rules! dispatch {
    ($self:expr, $p:ident => $call:expr) => {
        match $self {
            AnyPattern::Pair($p) => $call,
            AnyPattern::Req($p) => $call,
            AnyPattern::Rep($p) => $call,
            AnyPattern::Dealer($p) => $call,
            AnyPattern::Router($p) => $call,
            AnyPattern::Pull($p) => $call,
            AnyPattern::Push($p) => $call,
            AnyPattern::Pub($p) => $call,
            AnyPattern::Sub($p) => $call,
            AnyPattern::XPub($p) => $call,
            AnyPattern::XSub($p) => $call,
            AnyPattern::Stream($p) => $call,
            AnyPattern::Server($p) => $call,
            AnyPattern::Client($p) => $call,
            AnyPattern::Radio($p) => $call,
            AnyPattern::Dish($p) => $call,
            AnyPattern::Scatter($p) => $call,
            AnyPattern::Gather($p) => $call,
            AnyPattern::Peer($p) => $call,
            AnyPattern::Channel($p) => $call,
            AnyPattern::Dgram($p) => $call,
        }
    };
}

impl<P: Pipe> Pattern<P> for AnyPattern<P> {
    fn attach(&mut self, pipe: P, locally_initiated: bool) {
        dispatch!(self, p => p.attach(pipe, locally_initiated))
    }

    fn attach_with_connect_routing_id(&mut self, pipe: P, routing_id: Bytes) {
        dispatch!(self, p => p.attach_with_connect_routing_id(pipe, routing_id))
    }

    fn attach_subscribe_all(&mut self, pipe: P) {
        dispatch!(self, p => p.attach_subscribe_all(pipe))
    }

    fn take_connect_routing_id(&mut self) -> Option<Bytes> {
        dispatch!(self, p => p.take_connect_routing_id())
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        dispatch!(self, p => p.detach(id))
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        dispatch!(self, p => p.pipe_mut(id))
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        dispatch!(self, p => p.send(msg))
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        dispatch!(self, p => p.recv())
    }

    fn has_in(&mut self) -> bool {
        dispatch!(self, p => p.has_in())
    }

    fn has_out(&mut self) -> bool {
        dispatch!(self, p => p.has_out())
    }

    fn read_activated(&mut self, id: PipeId) {
        dispatch!(self, p => p.read_activated(id))
    }

    fn write_activated(&mut self, id: PipeId) {
        dispatch!(self, p => p.write_activated(id))
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        dispatch!(self, p => p.set_option(option))
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        dispatch!(self, p => p.option(name))
    }
}
