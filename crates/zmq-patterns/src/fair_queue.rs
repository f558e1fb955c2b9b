//! `FairQueue`: round robin of incoming messages over readable pipes.
//!
//! As libzmq's `fq_t`: every part of a multipart message is read from the
//! pipe that gave the first part; the next message comes from the next
//! active pipe. A pipe found empty leaves the active set until `activated`
//! (the pattern's `read_activated`).

use crate::active_set::{ActiveSet, cursor_after_remove};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// Round robin over readable pipes. The pipes themselves live in the
/// pattern's [`PipeMap`]; the queue keeps only their ids.
#[derive(Debug, Default)]
pub struct FairQueue {
    pipes: ActiveSet,
    current: usize,
    more: bool,
}

impl FairQueue {
    /// An empty queue.
    pub fn new() -> FairQueue {
        FairQueue::default()
    }

    /// Adds a pipe, active.
    pub fn attach(&mut self, id: PipeId) {
        self.pipes.insert_active(id);
    }

    /// Removes a pipe. If a multipart message was being read from it, the
    /// application has seen a truncated message; reading starts afresh.
    pub fn detach(&mut self, id: PipeId) {
        let Some(removed) = self.pipes.remove(id) else {
            return;
        };
        if removed.was_active && removed.index == self.current && self.more {
            self.more = false;
        }
        self.current = cursor_after_remove(self.current, removed, self.pipes.active_len());
    }

    /// The pipe has data again.
    pub fn activated(&mut self, id: PipeId) {
        self.pipes.activate(id);
    }

    /// Whether a multipart message is half read.
    pub fn in_message(&self) -> bool {
        self.more
    }

    /// Reads the next part and the pipe it came from; `None` when no pipe
    /// has anything (EAGAIN).
    pub fn recv<P: Pipe>(&mut self, pipes: &mut PipeMap<P>) -> Option<(Msg, PipeId)> {
        while let Some(id) = self.pipes.active_at(self.current) {
            if let Some(msg) = pipes.get_mut(&id).and_then(|pipe| pipe.read()) {
                self.more = msg.more();
                if !self.more {
                    self.current += 1;
                    if self.current >= self.pipes.active_len() {
                        self.current = 0;
                    }
                }
                return Some((msg, id));
            }
            // The pipe writer makes whole messages visible at once, so a pipe
            // is never empty in the middle of one unless it is going away.
            self.more = false;
            self.pipes.deactivate_at(self.current);
            if self.current >= self.pipes.active_len() {
                self.current = 0;
            }
        }
        None
    }

    /// Whether a part can be read now (ZMQ_POLLIN). Deactivates the pipes
    /// found empty on the way.
    pub fn has_in<P: Pipe>(&mut self, pipes: &mut PipeMap<P>) -> bool {
        if self.more {
            return true;
        }
        while let Some(id) = self.pipes.active_at(self.current) {
            if pipes.get_mut(&id).is_some_and(|pipe| pipe.check_read()) {
                return true;
            }
            self.pipes.deactivate_at(self.current);
            if self.current >= self.pipes.active_len() {
                self.current = 0;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::MemHub;

    #[test]
    fn alternates_between_pipes_and_reports_the_source() {
        let mut hub = MemHub::new();
        let mut pipes = PipeMap::default();
        let mut fq = FairQueue::new();
        let mut peers = Vec::new();
        for _ in 0..2 {
            let (pipe, peer) = hub.pipe(0);
            fq.attach(pipe.id());
            pipes.insert(pipe.id(), pipe);
            peer.send(&[b"1"]);
            peer.send(&[b"2"]);
            peers.push(peer);
        }
        let sources: Vec<PipeId> =
            std::iter::from_fn(|| fq.recv(&mut pipes).map(|(_, id)| id)).collect();
        assert_eq!(sources.len(), 4);
        assert_ne!(sources[0], sources[1]);
        assert_eq!(sources[0], sources[2]);
        assert_eq!(sources[1], sources[3]);
        assert!(!fq.has_in(&mut pipes));
        peers[1].send(&[b"3"]);
        fq.activated(peers[1].id());
        assert_eq!(fq.recv(&mut pipes).map(|(_, id)| id), Some(peers[1].id()));
    }

    #[test]
    fn detach_mid_message_starts_afresh() {
        let mut hub = MemHub::new();
        let mut pipes = PipeMap::default();
        let mut fq = FairQueue::new();
        let (pipe, peer) = hub.pipe(0);
        fq.attach(pipe.id());
        pipes.insert(pipe.id(), pipe);
        peer.send(&[b"a", b"b"]);
        assert!(fq.recv(&mut pipes).is_some());
        assert!(fq.in_message());
        fq.detach(peer.id());
        assert!(!fq.in_message());
        assert!(fq.recv(&mut pipes).is_none());
    }
}
