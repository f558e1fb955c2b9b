//! CHANNEL (RFC 52): PAIR for single-part messages: exactly one peer, MORE
//! on send is EINVAL, multipart messages that arrive are dropped.

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::pair::Pair;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};

/// A CHANNEL socket's routing state (a [`Pair`] that refuses multipart
/// messages).
#[derive(Debug)]
pub struct Channel<P> {
    inner: Pair<P>,
    /// A message read by `has_in`, returned by the next `recv`.
    prefetched: Option<Msg>,
}

impl<P: Pipe> Channel<P> {
    /// A CHANNEL socket without peer.
    pub fn new() -> Channel<P> {
        Channel {
            inner: Pair::new(),
            prefetched: None,
        }
    }

    /// The next single-part message, dropping multipart ones whole.
    fn next_single_part(&mut self) -> Option<Msg> {
        let mut dropping = false;
        loop {
            let msg = self.inner.recv().ok()?;
            if !dropping && !msg.more() {
                return Some(msg);
            }
            dropping = msg.more();
        }
    }
}

impl<P: Pipe> Default for Channel<P> {
    fn default() -> Channel<P> {
        Channel::new()
    }
}

impl<P: Pipe> Pattern<P> for Channel<P> {
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
        if msg.more() {
            return Err(SendError::new(PatternError::Invalid, msg));
        }
        self.inner.send(msg)
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        if let Some(msg) = self.prefetched.take() {
            return Ok(msg);
        }
        self.next_single_part().ok_or(PatternError::Again)
    }

    fn has_in(&mut self) -> bool {
        if self.prefetched.is_none() {
            self.prefetched = self.next_single_part();
        }
        self.prefetched.is_some()
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
}
