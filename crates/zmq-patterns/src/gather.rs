//! GATHER (RFC 49): fair-queues single-part messages from SCATTER peers;
//! cannot send. Multipart messages that arrive are dropped.

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::single_part::SinglePartQueue;

/// A GATHER socket's routing state.
#[derive(Debug)]
pub struct Gather<P> {
    pipes: PipeMap<P>,
    queue: SinglePartQueue,
}

impl<P: Pipe> Gather<P> {
    /// A GATHER socket without peers.
    pub fn new() -> Gather<P> {
        Gather {
            pipes: PipeMap::default(),
            queue: SinglePartQueue::new(),
        }
    }
}

impl<P: Pipe> Default for Gather<P> {
    fn default() -> Gather<P> {
        Gather::new()
    }
}

impl<P: Pipe> Pattern<P> for Gather<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.queue.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.queue.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        Err(SendError::new(PatternError::NotSupported, msg))
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
        false
    }

    fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}
}
