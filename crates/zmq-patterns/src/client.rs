//! CLIENT (RFC 41): load-balances requests over SERVER peers and
//! fair-queues their replies. Single-part only: MORE on send is EINVAL,
//! multipart messages that arrive are dropped.

use crate::error::{PatternError, SendError};
use crate::load_balancer::LoadBalancer;
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::single_part::SinglePartQueue;

/// A CLIENT socket's routing state. Blocks (EAGAIN) when every peer is at
/// its high-water mark.
#[derive(Debug)]
pub struct Client<P> {
    pipes: PipeMap<P>,
    lb: LoadBalancer,
    queue: SinglePartQueue,
}

impl<P: Pipe> Client<P> {
    /// A CLIENT socket without peers.
    pub fn new() -> Client<P> {
        Client {
            pipes: PipeMap::default(),
            lb: LoadBalancer::new(),
            queue: SinglePartQueue::new(),
        }
    }
}

impl<P: Pipe> Default for Client<P> {
    fn default() -> Client<P> {
        Client::new()
    }
}

impl<P: Pipe> Pattern<P> for Client<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.lb.attach(id);
        self.queue.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.lb.detach(id);
        self.queue.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        send_single_part(&mut self.lb, &mut self.pipes, msg)
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.queue
            .recv(&mut self.pipes, |_| true)
            .map(|(msg, _)| msg)
            .ok_or(PatternError::Again)
    }

    fn has_in(&mut self) -> bool {
        self.queue.has_in(&mut self.pipes, |_| true)
    }

    fn has_out(&mut self) -> bool {
        self.lb.has_out(&mut self.pipes)
    }

    fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.lb.activated(id);
    }
}

/// Load-balances one single-part message (CLIENT, SCATTER): EINVAL for a
/// part with MORE, EAGAIN when no pipe has room.
pub(crate) fn send_single_part<P: Pipe>(
    lb: &mut LoadBalancer,
    pipes: &mut PipeMap<P>,
    msg: Msg,
) -> Result<(), SendError> {
    if msg.more() {
        return Err(SendError::new(PatternError::Invalid, msg));
    }
    lb.send(pipes, msg)
        .map(|_| ())
        .map_err(|msg| SendError::new(PatternError::Again, msg))
}
