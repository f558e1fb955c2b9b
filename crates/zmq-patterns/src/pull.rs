//! PULL (RFC 30): fair-queues messages from PUSH peers; cannot send.

use crate::error::{PatternError, SendError};
use crate::fair_queue::FairQueue;
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A PULL socket's routing state.
#[derive(Debug)]
pub struct Pull<P> {
    pipes: PipeMap<P>,
    fq: FairQueue,
}

impl<P: Pipe> Pull<P> {
    /// A PULL socket without peers.
    pub fn new() -> Pull<P> {
        Pull {
            pipes: PipeMap::default(),
            fq: FairQueue::new(),
        }
    }
}

impl<P: Pipe> Default for Pull<P> {
    fn default() -> Pull<P> {
        Pull::new()
    }
}

impl<P: Pipe> Pattern<P> for Pull<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.fq.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.fq.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        Err(SendError::new(PatternError::NotSupported, msg))
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.fq
            .recv(&mut self.pipes)
            .map(|(msg, _)| msg)
            .ok_or(PatternError::Again)
    }

    fn has_in(&mut self) -> bool {
        self.fq.has_in(&mut self.pipes)
    }

    fn has_out(&mut self) -> bool {
        false
    }

    fn read_activated(&mut self, id: PipeId) {
        self.fq.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}
}
