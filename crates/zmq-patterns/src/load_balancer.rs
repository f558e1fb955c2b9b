//! `LoadBalancer`: round robin of outgoing messages over writable pipes.
//!
//! As libzmq's `lb_t`: the parts of one multipart message all go to the
//! pipe that took the first part; the next message goes to the next active
//! pipe. A pipe that refuses a message (high-water mark) leaves the active
//! set until `activated` (the pattern's `write_activated`). If the pipe dies
//! in the middle of a multipart message, the remaining parts are dropped
//! silently.

use crate::active_set::{ActiveSet, cursor_after_remove};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// Round robin over writable pipes. The pipes themselves live in the
/// pattern's [`PipeMap`]; the balancer keeps only their ids.
#[derive(Debug, Default)]
pub struct LoadBalancer {
    pipes: ActiveSet,
    current: usize,
    more: bool,
    dropping: bool,
}

/// What became of a message given to [`LoadBalancer::send`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Written to this pipe.
    To(PipeId),
    /// Dropped: a part of a multipart message whose pipe died.
    Dropped,
}

impl LoadBalancer {
    /// An empty balancer.
    pub fn new() -> LoadBalancer {
        LoadBalancer::default()
    }

    /// Adds a pipe, active.
    pub fn attach(&mut self, id: PipeId) {
        self.pipes.insert_active(id);
    }

    /// Removes a pipe. If it was taking a multipart message, the rest of
    /// that message will be dropped.
    pub fn detach(&mut self, id: PipeId) {
        let Some(removed) = self.pipes.remove(id) else {
            return;
        };
        if removed.was_active && removed.index == self.current && self.more {
            self.dropping = true;
        }
        self.current = cursor_after_remove(self.current, removed, self.pipes.active_len());
    }

    /// The pipe has room again.
    pub fn activated(&mut self, id: PipeId) {
        self.pipes.activate(id);
    }

    /// Whether a multipart message is half sent.
    pub fn in_message(&self) -> bool {
        self.more
    }

    /// Sends one part. `Err` gives the part back when no pipe can take it
    /// (every pipe is at its high-water mark, or there is none): EAGAIN.
    pub fn send<P: Pipe>(&mut self, pipes: &mut PipeMap<P>, msg: Msg) -> Result<Sent, Msg> {
        if self.dropping {
            self.more = msg.more();
            self.dropping = self.more;
            return Ok(Sent::Dropped);
        }
        let mut msg = msg;
        loop {
            let Some(id) = self.pipes.active_at(self.current) else {
                return Err(msg);
            };
            let more = msg.more();
            let Some(pipe) = pipes.get_mut(&id) else {
                // Not in the pattern's map: forget it.
                self.deactivate_current();
                continue;
            };
            match pipe.write(msg) {
                Ok(()) => {
                    self.more = more;
                    if !more {
                        pipe.flush();
                        self.current += 1;
                        if self.current >= self.pipes.active_len() {
                            self.current = 0;
                        }
                    }
                    return Ok(Sent::To(id));
                }
                Err(back) if self.more => {
                    // The pipe refused a later part: it is closing. Drop what
                    // was written and the rest of the message, as libzmq does.
                    pipe.rollback();
                    self.more = false;
                    self.dropping = back.more();
                    return Ok(Sent::Dropped);
                }
                Err(back) => {
                    msg = back;
                    self.deactivate_current();
                }
            }
        }
    }

    /// Whether a message could be sent now (ZMQ_POLLOUT). Deactivates the
    /// pipes found full on the way.
    pub fn has_out<P: Pipe>(&mut self, pipes: &mut PipeMap<P>) -> bool {
        if self.more {
            return true;
        }
        while let Some(id) = self.pipes.active_at(self.current) {
            if pipes.get_mut(&id).is_some_and(|pipe| pipe.check_write()) {
                return true;
            }
            self.deactivate_current();
        }
        false
    }

    fn deactivate_current(&mut self) {
        self.pipes.deactivate_at(self.current);
        if self.current >= self.pipes.active_len() {
            self.current = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::{MemHub, MemPipe};

    fn setup(
        n: usize,
        hwm: usize,
    ) -> (
        MemHub,
        PipeMap<MemPipe>,
        LoadBalancer,
        Vec<crate::mem::MemPeer>,
    ) {
        let mut hub = MemHub::new();
        let mut pipes = PipeMap::default();
        let mut lb = LoadBalancer::new();
        let mut peers = Vec::new();
        for _ in 0..n {
            let (pipe, peer) = hub.pipe(hwm);
            lb.attach(pipe.id());
            pipes.insert(pipe.id(), pipe);
            peers.push(peer);
        }
        (hub, pipes, lb, peers)
    }

    #[test]
    fn round_robin_order_is_stable() {
        let (_hub, mut pipes, mut lb, peers) = setup(3, 0);
        let order: Vec<PipeId> = (0..6)
            .map(|_| match lb.send(&mut pipes, Msg::new()) {
                Ok(Sent::To(id)) => id,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(order[..3], order[3..]);
        let mut first: Vec<PipeId> = order[..3].to_vec();
        first.sort();
        assert_eq!(first, peers.iter().map(|p| p.id()).collect::<Vec<_>>());
    }

    #[test]
    fn detach_keeps_rotation_going() {
        let (_hub, mut pipes, mut lb, peers) = setup(3, 0);
        lb.send(&mut pipes, Msg::new()).unwrap();
        lb.detach(peers[2].id());
        pipes.remove(&peers[2].id());
        for _ in 0..4 {
            match lb.send(&mut pipes, Msg::new()) {
                Ok(Sent::To(id)) => assert_ne!(id, peers[2].id()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(peers[0].recv_all().len() + peers[1].recv_all().len(), 5);
    }

    #[test]
    fn full_pipe_returns_on_activation() {
        let (_hub, mut pipes, mut lb, peers) = setup(1, 1);
        lb.send(&mut pipes, Msg::new()).unwrap();
        assert!(lb.send(&mut pipes, Msg::new()).is_err());
        assert!(!lb.has_out(&mut pipes));
        peers[0].recv().unwrap();
        // Still deactivated until told.
        assert!(lb.send(&mut pipes, Msg::new()).is_err());
        lb.activated(peers[0].id());
        assert!(lb.has_out(&mut pipes));
        assert!(lb.send(&mut pipes, Msg::new()).is_ok());
    }
}
