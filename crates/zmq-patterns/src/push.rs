//! PUSH (RFC 30): load-balances messages to PULL peers; cannot receive.

use crate::error::{PatternError, SendError};
use crate::load_balancer::LoadBalancer;
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A PUSH socket's routing state. Blocks (EAGAIN) when every peer is at its
/// high-water mark; never drops a message it can queue.
#[derive(Debug)]
pub struct Push<P> {
    pub(crate) pipes: PipeMap<P>,
    pub(crate) lb: LoadBalancer,
}

impl<P: Pipe> Push<P> {
    /// A PUSH socket without peers.
    pub fn new() -> Push<P> {
        Push {
            pipes: PipeMap::default(),
            lb: LoadBalancer::new(),
        }
    }
}

impl<P: Pipe> Default for Push<P> {
    fn default() -> Push<P> {
        Push::new()
    }
}

impl<P: Pipe> Pattern<P> for Push<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.lb.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.lb.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        self.lb
            .send(&mut self.pipes, msg)
            .map(|_| ())
            .map_err(|msg| SendError::new(PatternError::Again, msg))
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        Err(PatternError::NotSupported)
    }

    fn has_in(&mut self) -> bool {
        false
    }

    fn has_out(&mut self) -> bool {
        self.lb.has_out(&mut self.pipes)
    }

    fn read_activated(&mut self, _id: PipeId) {}

    fn write_activated(&mut self, id: PipeId) {
        self.lb.activated(id);
    }
}
