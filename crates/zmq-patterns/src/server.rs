//! SERVER (RFC 41): talks to many CLIENT peers, each addressed by a `u32`
//! routing id.
//!
//! Receiving: messages are fair-queued and stamped with the routing id of
//! the pipe they came from ([`Msg::routing_id`]). Sending: the message's
//! routing id names the peer; an unknown id fails with EHOSTUNREACH, a
//! full peer with EAGAIN (the facade then blocks, as libzmq does). Only
//! single-part messages: MORE on send is EINVAL, multipart messages that
//! arrive are dropped. Routing ids are generated per pipe, counting up
//! from a random start and never 0.
//!
//! PEER (RFC 51) is this with `zmq_connect_peer` on top (see
//! [`crate::peer`]): the server remembers the id of the last pipe made by
//! a connect.

use std::collections::HashMap;

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::random::random_u32;
use crate::single_part::SinglePartQueue;

/// A SERVER socket's routing state.
#[derive(Debug)]
pub struct Server<P> {
    pipes: PipeMap<P>,
    routing_ids: PipeMap<u32>,
    by_routing_id: HashMap<u32, PipeId>,
    queue: SinglePartQueue,
    next_routing_id: u32,
    /// Routing id of the last pipe made by a connect (PEER).
    last_connected: u32,
}

impl<P: Pipe> Server<P> {
    /// A SERVER socket without peers.
    pub fn new() -> Server<P> {
        Server::with_first_routing_id(random_u32())
    }

    /// A SERVER whose routing ids count up from `first` (tests).
    pub fn with_first_routing_id(first: u32) -> Server<P> {
        Server {
            pipes: PipeMap::default(),
            routing_ids: PipeMap::default(),
            by_routing_id: HashMap::new(),
            queue: SinglePartQueue::new(),
            next_routing_id: first,
            last_connected: 0,
        }
    }

    /// The routing id of pipe `id`.
    pub fn routing_id_of(&self, id: PipeId) -> Option<u32> {
        self.routing_ids.get(&id).copied()
    }

    /// The routing id of the pipe attached last with
    /// `locally_initiated` (a connect); 0 when none.
    pub fn last_connected_routing_id(&self) -> u32 {
        self.last_connected
    }

    /// A fresh routing id: not 0, not in use. The loop ends: fewer ids are
    /// in use than there are `u32` values.
    fn generate_routing_id(&mut self) -> u32 {
        loop {
            let id = self.next_routing_id;
            self.next_routing_id = self.next_routing_id.wrapping_add(1);
            if id != 0 && !self.by_routing_id.contains_key(&id) {
                return id;
            }
        }
    }

    /// Closes the connection with `routing_id` (`zmq_disconnect_peer`).
    pub fn disconnect_peer(&mut self, routing_id: u32) -> Result<(), PatternError> {
        let id = self
            .by_routing_id
            .get(&routing_id)
            .copied()
            .ok_or(PatternError::HostUnreachable)?;
        if let Some(pipe) = self.pipes.get_mut(&id) {
            pipe.terminate();
        }
        Ok(())
    }
}

impl<P: Pipe> Default for Server<P> {
    fn default() -> Server<P> {
        Server::new()
    }
}

impl<P: Pipe> Pattern<P> for Server<P> {
    fn attach(&mut self, pipe: P, locally_initiated: bool) {
        let id = pipe.id();
        let routing_id = self.generate_routing_id();
        self.pipes.insert(id, pipe);
        self.routing_ids.insert(id, routing_id);
        self.by_routing_id.insert(routing_id, id);
        self.queue.attach(id);
        if locally_initiated {
            self.last_connected = routing_id;
        }
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.queue.detach(id);
        if let Some(routing_id) = self.routing_ids.remove(&id) {
            self.by_routing_id.remove(&routing_id);
        }
        self.pipes.remove(&id)
    }

    fn send(&mut self, mut msg: Msg) -> Result<(), SendError> {
        if msg.more() {
            return Err(SendError::new(PatternError::Invalid, msg));
        }
        let Some(id) = self.by_routing_id.get(&msg.routing_id()).copied() else {
            return Err(SendError::new(PatternError::HostUnreachable, msg));
        };
        let Some(pipe) = self.pipes.get_mut(&id) else {
            return Err(SendError::new(PatternError::HostUnreachable, msg));
        };
        let routing_id = msg.routing_id();
        // The routing id is ours, not the peer's (an inproc peer would see it).
        msg.set_routing_id(0);
        match pipe.write(msg) {
            Ok(()) => {
                pipe.flush();
                Ok(())
            }
            Err(mut back) => {
                back.set_routing_id(routing_id);
                Err(SendError::new(PatternError::Again, back))
            }
        }
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        let (mut msg, from) = self
            .queue
            .recv(&mut self.pipes, |_| true)
            .ok_or(PatternError::Again)?;
        msg.set_routing_id(self.routing_ids.get(&from).copied().unwrap_or(0));
        Ok(msg)
    }

    fn has_in(&mut self) -> bool {
        self.queue.has_in(&mut self.pipes, |_| true)
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::DisconnectPeer(routing_id) => self.disconnect_peer(routing_id),
            _ => Err(PatternError::Invalid),
        }
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        match name {
            PatternOptionName::PeerLastRoutingId => {
                Ok(PatternOption::PeerLastRoutingId(self.last_connected))
            }
            _ => Err(PatternError::Invalid),
        }
    }
}
