//! PEER (RFC 51): SERVER's routing by `u32` routing id, between PEER
//! sockets, plus `zmq_connect_peer`, which connects and returns the
//! routing id of the new connection (read here as
//! [`PatternOption::PeerLastRoutingId`] right after the connect attached
//! its pipe).

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::server::Server;

/// A PEER socket's routing state.
#[derive(Debug)]
pub struct Peer<P> {
    inner: Server<P>,
}

impl<P: Pipe> Peer<P> {
    /// A PEER socket without peers.
    pub fn new() -> Peer<P> {
        Peer {
            inner: Server::new(),
        }
    }

    /// A PEER whose routing ids count up from `first` (tests).
    pub fn with_first_routing_id(first: u32) -> Peer<P> {
        Peer {
            inner: Server::with_first_routing_id(first),
        }
    }

    /// The routing id of the pipe made by the last connect; 0 when none.
    pub fn last_connected_routing_id(&self) -> u32 {
        self.inner.last_connected_routing_id()
    }
}

impl<P: Pipe> Default for Peer<P> {
    fn default() -> Peer<P> {
        Peer::new()
    }
}

impl<P: Pipe> Pattern<P> for Peer<P> {
    fn attach(&mut self, pipe: P, locally_initiated: bool) {
        self.inner.attach(pipe, locally_initiated);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.inner.pipe_mut(id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.inner.detach(id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        self.inner.send(msg)
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.inner.recv()
    }

    fn has_in(&mut self) -> bool {
        self.inner.has_in()
    }

    fn has_out(&mut self) -> bool {
        self.inner.has_out()
    }

    fn read_activated(&mut self, id: PipeId) {
        self.inner.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.inner.write_activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        self.inner.set_option(option)
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        self.inner.option(name)
    }
}
