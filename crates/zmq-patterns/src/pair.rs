//! PAIR (RFC 31): exactly one peer, no routing.

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A PAIR socket's routing state.
///
/// Only the first pipe is used. As in libzmq, any further pipe is
/// terminated while the first one exists (even while it is closing); once
/// it is detached, the next pipe is taken.
#[derive(Debug)]
pub struct Pair<P> {
    peer: Option<P>,
    refused: PipeMap<P>,
}

impl<P: Pipe> Pair<P> {
    /// A PAIR socket without peer.
    pub fn new() -> Pair<P> {
        Pair {
            peer: None,
            refused: PipeMap::default(),
        }
    }
}

impl<P: Pipe> Default for Pair<P> {
    fn default() -> Pair<P> {
        Pair::new()
    }
}

impl<P: Pipe> Pattern<P> for Pair<P> {
    fn attach(&mut self, mut pipe: P, _locally_initiated: bool) {
        if self.peer.is_none() {
            self.peer = Some(pipe);
        } else {
            pipe.terminate();
            self.refused.insert(pipe.id(), pipe);
        }
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        match self.peer.as_mut() {
            Some(peer) if peer.id() == id => Some(peer),
            _ => self.refused.get_mut(&id),
        }
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        if self.peer.as_ref().is_some_and(|p| p.id() == id) {
            return self.peer.take();
        }
        self.refused.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        let Some(pipe) = self.peer.as_mut() else {
            return Err(SendError::new(PatternError::Again, msg));
        };
        let more = msg.more();
        pipe.write(msg)
            .map_err(|msg| SendError::new(PatternError::Again, msg))?;
        if !more {
            pipe.flush();
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.peer
            .as_mut()
            .and_then(|pipe| pipe.read())
            .ok_or(PatternError::Again)
    }

    fn has_in(&mut self) -> bool {
        self.peer.as_mut().is_some_and(|pipe| pipe.check_read())
    }

    fn has_out(&mut self) -> bool {
        self.peer.as_mut().is_some_and(|pipe| pipe.check_write())
    }

    fn read_activated(&mut self, _id: PipeId) {}

    fn write_activated(&mut self, _id: PipeId) {}
}
