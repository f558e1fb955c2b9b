//! DEALER (RFC 28): load-balances outgoing and fair-queues incoming
//! messages, without touching them.

use crate::error::{PatternError, SendError};
use crate::fair_queue::FairQueue;
use crate::load_balancer::{LoadBalancer, Sent};
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A DEALER socket's routing state (also the base of REQ).
#[derive(Debug)]
pub struct Dealer<P> {
    pipes: PipeMap<P>,
    lb: LoadBalancer,
    fq: FairQueue,
    probe_router: bool,
}

impl<P: Pipe> Dealer<P> {
    /// A DEALER socket without peers.
    pub fn new() -> Dealer<P> {
        Dealer {
            pipes: PipeMap::default(),
            lb: LoadBalancer::new(),
            fq: FairQueue::new(),
            probe_router: false,
        }
    }

    /// Sends one part; reports the pipe that took it (`None`: dropped, its
    /// pipe died mid-message). `Err` gives it back: no pipe has room.
    pub(crate) fn send_to_pipe(&mut self, msg: Msg) -> Result<Option<PipeId>, Msg> {
        self.lb.send(&mut self.pipes, msg).map(|sent| match sent {
            Sent::To(id) => Some(id),
            Sent::Dropped => None,
        })
    }

    /// Receives one part and the pipe it came from.
    pub(crate) fn recv_from_pipe(&mut self) -> Option<(Msg, PipeId)> {
        self.fq.recv(&mut self.pipes)
    }

    pub(crate) fn probe_router(&self) -> bool {
        self.probe_router
    }

    pub(crate) fn set_probe_router(&mut self, on: bool) {
        self.probe_router = on;
    }
}

impl<P: Pipe> Default for Dealer<P> {
    fn default() -> Dealer<P> {
        Dealer::new()
    }
}

/// Writes the empty `ZMQ_PROBE_ROUTER` message into a new pipe.
pub(crate) fn send_probe<P: Pipe>(pipe: &mut P) {
    if pipe.write(Msg::new()).is_ok() {
        pipe.flush();
    }
}

impl<P: Pipe> Pattern<P> for Dealer<P> {
    fn attach(&mut self, mut pipe: P, _locally_initiated: bool) {
        if self.probe_router {
            send_probe(&mut pipe);
        }
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.fq.attach(id);
        self.lb.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.fq.detach(id);
        self.lb.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        self.send_to_pipe(msg)
            .map(|_| ())
            .map_err(|msg| SendError::new(PatternError::Again, msg))
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.recv_from_pipe()
            .map(|(msg, _)| msg)
            .ok_or(PatternError::Again)
    }

    fn has_in(&mut self) -> bool {
        self.fq.has_in(&mut self.pipes)
    }

    fn has_out(&mut self) -> bool {
        self.lb.has_out(&mut self.pipes)
    }

    fn read_activated(&mut self, id: PipeId) {
        self.fq.activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.lb.activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::ProbeRouter(on) => {
                self.probe_router = on;
                Ok(())
            }
            _ => Err(PatternError::Invalid),
        }
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        match name {
            PatternOptionName::ProbeRouter => Ok(PatternOption::ProbeRouter(self.probe_router)),
            _ => Err(PatternError::Invalid),
        }
    }
}
