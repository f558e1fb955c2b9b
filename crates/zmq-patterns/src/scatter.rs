//! SCATTER (RFC 49): load-balances single-part messages to GATHER peers;
//! cannot receive. MORE on send is EINVAL. Otherwise PUSH.

use crate::client::send_single_part;
use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::push::Push;

/// A SCATTER socket's routing state: PUSH's, sending single parts only.
/// Blocks (EAGAIN) when every peer is at its high-water mark.
#[derive(Debug)]
pub struct Scatter<P> {
    push: Push<P>,
}

impl<P: Pipe> Scatter<P> {
    /// A SCATTER socket without peers.
    pub fn new() -> Scatter<P> {
        Scatter { push: Push::new() }
    }
}

impl<P: Pipe> Default for Scatter<P> {
    fn default() -> Scatter<P> {
        Scatter::new()
    }
}

impl<P: Pipe> Pattern<P> for Scatter<P> {
    fn attach(&mut self, pipe: P, locally_initiated: bool) {
        self.push.attach(pipe, locally_initiated);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.push.pipe_mut(id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.push.detach(id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        send_single_part(&mut self.push.lb, &mut self.push.pipes, msg)
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.push.recv()
    }

    fn has_in(&mut self) -> bool {
        self.push.has_in()
    }

    fn has_out(&mut self) -> bool {
        self.push.has_out()
    }

    fn read_activated(&mut self, id: PipeId) {
        self.push.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.push.write_activated(id);
    }
}
