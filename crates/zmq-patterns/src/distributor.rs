//! `Distributor`: sends one message to many pipes (libzmq's `dist_t`).
//!
//! The pipe ids sit in one array split into ranges, each a prefix of the
//! next: `matching` (the pipes the current message goes to) ⊆ `active`
//! (pipes that may take messages) ⊆ `eligible` (pipes with room, including
//! those attached or reactivated in the middle of a multipart message: they
//! become active at the next message, so nobody gets half a message) ⊆ all.
//! Moving a pipe between ranges is a swap, O(1).
//!
//! Sending never blocks: a pipe that refuses a message (high-water mark)
//! leaves all three ranges and gets nothing until `activated`; the others
//! still get the message. A message is cloned per pipe, which shares the
//! payload (`Bytes`) or copies an inline one (at most 38 bytes).

use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// Fan-out of messages to a chosen subset of pipes.
#[derive(Debug, Default)]
pub struct Distributor {
    ids: Vec<PipeId>,
    positions: PipeMap<usize>,
    matching: usize,
    active: usize,
    eligible: usize,
    more: bool,
}

impl Distributor {
    /// No pipe.
    pub fn new() -> Distributor {
        Distributor::default()
    }

    /// Adds a pipe: active at once, or at the end of the multipart message
    /// being sent.
    pub fn attach(&mut self, id: PipeId) {
        if self.positions.contains_key(&id) {
            return;
        }
        self.ids.push(id);
        self.positions.insert(id, self.ids.len() - 1);
        let last = self.ids.len() - 1;
        self.swap(self.eligible, last);
        self.eligible += 1;
        if !self.more {
            self.swap(self.eligible - 1, self.active);
            self.active += 1;
        }
    }

    /// Whether `id` is attached.
    pub fn has_pipe(&self, id: PipeId) -> bool {
        self.positions.contains_key(&id)
    }

    /// Removes a pipe.
    pub fn detach(&mut self, id: PipeId) {
        let Some(&index) = self.positions.get(&id) else {
            return;
        };
        let index = self.leave_ranges(index);
        let last = self.ids.len() - 1;
        self.swap(index, last);
        self.ids.pop();
        self.positions.remove(&id);
    }

    /// The pipe has room again.
    pub fn activated(&mut self, id: PipeId) {
        let Some(&index) = self.positions.get(&id) else {
            return;
        };
        if index < self.eligible {
            return;
        }
        self.swap(index, self.eligible);
        self.eligible += 1;
        if !self.more {
            self.swap(self.eligible - 1, self.active);
            self.active += 1;
        }
    }

    /// Marks a pipe as a destination of the next message (no-op when it
    /// is already marked, or has no room).
    pub fn mark(&mut self, id: PipeId) {
        let Some(&index) = self.positions.get(&id) else {
            return;
        };
        if index < self.matching || index >= self.eligible {
            return;
        }
        self.swap(index, self.matching);
        self.matching += 1;
    }

    /// Marks every eligible pipe that is not marked, and unmarks the
    /// others (`ZMQ_INVERT_MATCHING`).
    pub fn invert_marks(&mut self) {
        let previous = self.matching;
        self.matching = 0;
        for index in previous..self.eligible {
            self.swap(index, self.matching);
            self.matching += 1;
        }
    }

    /// Marks every active pipe.
    pub fn mark_all(&mut self) {
        self.matching = self.active;
    }

    /// Unmarks every pipe.
    pub fn unmark(&mut self) {
        self.matching = 0;
    }

    /// Whether every marked pipe is below its high-water mark
    /// (`ZMQ_XPUB_NODROP`).
    pub fn check_hwm<P: Pipe>(&self, pipes: &PipeMap<P>) -> bool {
        self.ids
            .iter()
            .take(self.matching)
            .all(|id| pipes.get(id).is_none_or(|pipe| pipe.check_hwm()))
    }

    /// Whether a multipart message is half sent.
    pub fn in_message(&self) -> bool {
        self.more
    }

    /// Sends one part to every marked pipe. Pipes that refuse it leave the
    /// marked set (and are rolled back if they had taken earlier parts).
    /// The marks stay for the following parts of the message.
    pub fn send_to_marked<P: Pipe>(&mut self, pipes: &mut PipeMap<P>, msg: Msg) {
        let more = msg.more();
        let mut original = Some(msg);
        let mut index = 0;
        while index < self.matching {
            let Some(id) = self.ids.get(index).copied() else {
                break;
            };
            let last = index + 1 == self.matching;
            let part = if last {
                original.take()
            } else {
                original.clone()
            };
            let Some(part) = part else {
                break;
            };
            let Some(pipe) = pipes.get_mut(&id) else {
                self.leave_ranges(index);
                original.get_or_insert(part);
                continue;
            };
            match pipe.write(part) {
                Ok(()) => {
                    if !more {
                        pipe.flush();
                    }
                    index += 1;
                }
                Err(back) => {
                    if self.more {
                        // It took the earlier parts: it is closing.
                        pipe.rollback();
                    }
                    #[cfg(feature = "tracing")]
                    if !self.more {
                        tracing::debug!(
                            target: "zmq::hwm",
                            pipe = id.0,
                            len = back.len(),
                            "message dropped: pipe at its high-water mark"
                        );
                    }
                    original.get_or_insert(back);
                    self.leave_ranges(index);
                }
            }
        }
        if !more {
            self.active = self.eligible;
        }
        self.more = more;
    }

    /// Sends one part to every active pipe.
    pub fn send_to_all<P: Pipe>(&mut self, pipes: &mut PipeMap<P>, msg: Msg) {
        self.mark_all();
        self.send_to_marked(pipes, msg);
    }

    /// Takes the pipe at `index` out of the marked, active and eligible
    /// ranges; returns where it ended up.
    fn leave_ranges(&mut self, mut index: usize) -> usize {
        if index < self.matching {
            self.matching -= 1;
            self.swap(index, self.matching);
            index = self.matching;
        }
        if index < self.active {
            self.active -= 1;
            self.swap(index, self.active);
            index = self.active;
        }
        if index < self.eligible {
            self.eligible -= 1;
            self.swap(index, self.eligible);
            index = self.eligible;
        }
        index
    }

    fn swap(&mut self, a: usize, b: usize) {
        if a == b || a >= self.ids.len() || b >= self.ids.len() {
            return;
        }
        self.ids.swap(a, b);
        for at in [a, b] {
            if let Some(&id) = self.ids.get(at) {
                self.positions.insert(id, at);
            }
        }
    }

    #[cfg(test)]
    fn check(&self) {
        assert!(self.matching <= self.active || self.more);
        assert!(self.active <= self.eligible);
        assert!(self.eligible <= self.ids.len());
        for (at, id) in self.ids.iter().enumerate() {
            assert_eq!(self.positions[id], at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::{MemHub, MemPeer, MemPipe};

    fn setup(hwms: &[usize]) -> (MemHub, PipeMap<MemPipe>, Distributor, Vec<MemPeer>) {
        let mut hub = MemHub::new();
        let mut pipes = PipeMap::default();
        let mut dist = Distributor::new();
        let mut peers = Vec::new();
        for &hwm in hwms {
            let (pipe, peer) = hub.pipe(hwm);
            dist.attach(pipe.id());
            pipes.insert(pipe.id(), pipe);
            peers.push(peer);
        }
        (hub, pipes, dist, peers)
    }

    fn part(data: &[u8], more: bool) -> Msg {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        msg
    }

    #[test]
    fn full_pipe_is_skipped_until_activated() {
        let (_hub, mut pipes, mut dist, peers) = setup(&[1, 0]);
        dist.send_to_all(&mut pipes, part(b"1", false));
        dist.send_to_all(&mut pipes, part(b"2", false));
        dist.check();
        assert_eq!(peers[0].recv_all().len(), 1);
        assert_eq!(peers[1].recv_all().len(), 2);
        dist.send_to_all(&mut pipes, part(b"3", false));
        assert_eq!(peers[0].recv_all().len(), 0, "inactive until told");
        dist.activated(peers[0].id());
        dist.send_to_all(&mut pipes, part(b"4", false));
        assert_eq!(peers[0].recv_all(), vec![vec![b"4".to_vec()]]);
        dist.check();
    }

    #[test]
    fn pipe_attached_mid_message_waits_for_the_next() {
        let (mut hub, mut pipes, mut dist, peers) = setup(&[0]);
        dist.send_to_all(&mut pipes, part(b"a", true));
        let (pipe, late) = hub.pipe(0);
        dist.attach(pipe.id());
        pipes.insert(pipe.id(), pipe);
        dist.send_to_all(&mut pipes, part(b"b", false));
        dist.check();
        assert_eq!(late.recv_all().len(), 0);
        assert_eq!(peers[0].recv_all().len(), 1);
        dist.send_to_all(&mut pipes, part(b"c", false));
        assert_eq!(late.recv_all(), vec![vec![b"c".to_vec()]]);
    }

    #[test]
    fn marks_and_inversion() {
        let (_hub, mut pipes, mut dist, peers) = setup(&[0, 0, 0]);
        dist.mark(peers[1].id());
        dist.mark(peers[1].id());
        dist.invert_marks();
        dist.send_to_marked(&mut pipes, part(b"x", false));
        dist.unmark();
        assert_eq!(peers[0].recv_all().len(), 1);
        assert_eq!(peers[1].recv_all().len(), 0);
        assert_eq!(peers[2].recv_all().len(), 1);
        dist.detach(peers[0].id());
        dist.check();
        assert!(!dist.has_pipe(peers[0].id()));
    }
}
