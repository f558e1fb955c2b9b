//! `SinglePartQueue`: fair queuing for the thread-safe (draft) socket
//! types, which only carry single-part messages.
//!
//! As libzmq's SERVER, CLIENT, GATHER, CHANNEL and DISH: a multipart
//! message that arrives anyway is dropped whole. `has_in` prefetches the
//! next acceptable message so that `ZMQ_POLLIN` never promises a message
//! that `recv` would then drop.

use crate::fair_queue::FairQueue;
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// Round robin over readable pipes, yielding single-part messages only.
#[derive(Debug, Default)]
pub(crate) struct SinglePartQueue {
    fq: FairQueue,
    prefetched: Option<(Msg, PipeId)>,
}

impl SinglePartQueue {
    /// An empty queue.
    pub(crate) fn new() -> SinglePartQueue {
        SinglePartQueue::default()
    }

    /// Adds a pipe, active.
    pub(crate) fn attach(&mut self, id: PipeId) {
        self.fq.attach(id);
    }

    /// Removes a pipe. A message already prefetched from it is kept: it
    /// was received before the pipe went away.
    pub(crate) fn detach(&mut self, id: PipeId) {
        self.fq.detach(id);
    }

    /// The pipe has data again.
    pub(crate) fn activated(&mut self, id: PipeId) {
        self.fq.activated(id);
    }

    /// The next single-part message that `accept` takes, and its pipe;
    /// `None` when nothing is readable (EAGAIN). Multipart messages, and
    /// messages `accept` refuses, are dropped.
    pub(crate) fn recv<P: Pipe>(
        &mut self,
        pipes: &mut PipeMap<P>,
        accept: impl Fn(&Msg) -> bool,
    ) -> Option<(Msg, PipeId)> {
        if let Some(next) = self.prefetched.take() {
            return Some(next);
        }
        loop {
            let (msg, from) = self.fq.recv(pipes)?;
            if msg.more() {
                self.drop_rest(pipes);
                continue;
            }
            if accept(&msg) {
                return Some((msg, from));
            }
        }
    }

    /// Whether a message can be received now (`ZMQ_POLLIN`).
    pub(crate) fn has_in<P: Pipe>(
        &mut self,
        pipes: &mut PipeMap<P>,
        accept: impl Fn(&Msg) -> bool,
    ) -> bool {
        if self.prefetched.is_some() {
            return true;
        }
        self.prefetched = self.recv(pipes, accept);
        self.prefetched.is_some()
    }

    /// Reads and drops the remaining parts of a multipart message (the
    /// fair queue stays on its pipe until the last part).
    fn drop_rest<P: Pipe>(&mut self, pipes: &mut PipeMap<P>) {
        while self.fq.in_message() {
            if self.fq.recv(pipes).is_none() {
                return;
            }
        }
    }
}
