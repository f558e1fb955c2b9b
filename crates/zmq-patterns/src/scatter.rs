//! SCATTER (RFC 49): load-balances single-part messages to GATHER peers;
//! cannot receive. MORE on send is EINVAL.

use crate::client::send_single_part;
use crate::error::{PatternError, SendError};
use crate::load_balancer::LoadBalancer;
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A SCATTER socket's routing state. Blocks (EAGAIN) when every peer is at
/// its high-water mark.
#[derive(Debug)]
pub struct Scatter<P> {
    pipes: PipeMap<P>,
    lb: LoadBalancer,
}

impl<P: Pipe> Scatter<P> {
    /// A SCATTER socket without peers.
    pub fn new() -> Scatter<P> {
        Scatter {
            pipes: PipeMap::default(),
            lb: LoadBalancer::new(),
        }
    }
}

impl<P: Pipe> Default for Scatter<P> {
    fn default() -> Scatter<P> {
        Scatter::new()
    }
}

impl<P: Pipe> Pattern<P> for Scatter<P> {
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
        send_single_part(&mut self.lb, &mut self.pipes, msg)
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
