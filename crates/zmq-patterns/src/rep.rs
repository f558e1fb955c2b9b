//! REP (RFC 28): lockstep request/reply service.
//!
//! ```text
//!            recv (last part)
//!   ┌───────────┐ ─────────────────► ┌─────────┐
//!   │ Receiving │                    │ Sending │
//!   └───────────┘ ◄───────────────── └─────────┘
//!            send (last part)
//! ```
//!
//! `send` while receiving and `recv` while sending fail with EFSM.
//!
//! A request is `envelope... [empty delimiter] body...`. The envelope up to
//! and including the delimiter is stored and the body handed to the
//! application; a request without delimiter is dropped silently. The reply
//! gets the stored envelope in front and goes back to the pipe the request
//! came from; if that pipe is gone or full, the reply is dropped (REP never
//! blocks on send).

use crate::error::{PatternError, SendError};
use crate::fair_queue::FairQueue;
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A REP socket's routing state.
#[derive(Debug)]
pub struct Rep<P> {
    pipes: PipeMap<P>,
    fq: FairQueue,
    /// A request was received: waiting for the application's reply.
    sending_reply: bool,
    /// The next part received starts a request.
    request_begins: bool,
    /// Envelope of the current request, delimiter included.
    envelope: Vec<Msg>,
    /// The pipe the current request came from.
    request_pipe: Option<PipeId>,
    /// Whether the envelope has been written in front of the reply.
    reply_begun: bool,
    /// The pipe the reply is being written to (`None`: dropping it).
    reply_pipe: Option<PipeId>,
}

impl<P: Pipe> Rep<P> {
    /// A REP socket without peers, ready to receive.
    pub fn new() -> Rep<P> {
        Rep {
            pipes: PipeMap::default(),
            fq: FairQueue::new(),
            sending_reply: false,
            request_begins: true,
            envelope: Vec::new(),
            request_pipe: None,
            reply_begun: false,
            reply_pipe: None,
        }
    }

    /// Reads and stores the envelope of the next well-formed request.
    fn read_envelope(&mut self) -> Result<(), PatternError> {
        self.envelope.clear();
        self.request_pipe = None;
        loop {
            let (part, from) = self.fq.recv(&mut self.pipes).ok_or(PatternError::Again)?;
            if self.request_pipe != Some(from) {
                self.envelope.clear();
                self.request_pipe = Some(from);
            }
            if !part.more() {
                // No delimiter: malformed, drop the whole request.
                self.envelope.clear();
                self.request_pipe = None;
                continue;
            }
            let delimiter = part.is_empty();
            self.envelope.push(part);
            if delimiter {
                return Ok(());
            }
        }
    }

    /// Writes the stored envelope to the request's pipe, if it has room.
    fn begin_reply(&mut self) {
        self.reply_begun = true;
        self.reply_pipe = None;
        let Some(id) = self.request_pipe.take() else {
            self.envelope.clear();
            return;
        };
        let Some(pipe) = self.pipes.get_mut(&id) else {
            self.envelope.clear();
            return;
        };
        if !pipe.check_write() {
            self.envelope.clear();
            return;
        }
        let mut written = true;
        for part in self.envelope.drain(..) {
            if written && pipe.write(part).is_err() {
                pipe.rollback();
                written = false;
            }
        }
        if written {
            self.reply_pipe = Some(id);
        }
    }
}

impl<P: Pipe> Default for Rep<P> {
    fn default() -> Rep<P> {
        Rep::new()
    }
}

impl<P: Pipe> Pattern<P> for Rep<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.fq.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        if self.request_pipe == Some(id) {
            self.request_pipe = None;
            if self.request_begins {
                self.envelope.clear();
            }
        }
        if self.reply_pipe == Some(id) {
            self.reply_pipe = None;
        }
        self.fq.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        if !self.sending_reply {
            return Err(SendError::new(PatternError::Fsm, msg));
        }
        if !self.reply_begun {
            self.begin_reply();
        }
        let more = msg.more();
        if let Some(pipe) = self.reply_pipe.and_then(|id| self.pipes.get_mut(&id)) {
            if pipe.write(msg).is_err() {
                pipe.rollback();
                self.reply_pipe = None;
            } else if !more {
                pipe.flush();
            }
        }
        if !more {
            self.sending_reply = false;
            self.reply_begun = false;
            self.reply_pipe = None;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        if self.sending_reply {
            return Err(PatternError::Fsm);
        }
        if self.request_begins {
            self.read_envelope()?;
            self.request_begins = false;
        }
        let (msg, _) = self.fq.recv(&mut self.pipes).ok_or(PatternError::Again)?;
        if !msg.more() {
            self.sending_reply = true;
            self.request_begins = true;
        }
        Ok(msg)
    }

    fn has_in(&mut self) -> bool {
        !self.sending_reply && self.fq.has_in(&mut self.pipes)
    }

    fn has_out(&mut self) -> bool {
        self.sending_reply
    }

    fn read_activated(&mut self, id: PipeId) {
        self.fq.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}
}
