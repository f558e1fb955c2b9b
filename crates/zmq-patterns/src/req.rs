//! REQ (RFC 28): lockstep request/reply client over a DEALER.
//!
//! ```text
//!            send (last part)
//!   ┌─────────┐ ─────────────────► ┌───────────┐
//!   │ Sending │                    │ Receiving │
//!   └─────────┘ ◄───────────────── └───────────┘
//!            recv (last part)
//! ```
//!
//! `recv` while sending and `send` while receiving fail with EFSM, except
//! that with `ZMQ_REQ_RELAXED` a `send` while receiving abandons the pending
//! request and starts a new one.
//!
//! On the wire a request is `[request id][empty delimiter] body...`, the
//! request id (4 bytes, native byte order as libzmq writes it) only with
//! `ZMQ_REQ_CORRELATE`. A reply is accepted only from the pipe the request
//! went to, and only when it starts with the same frames; anything else is
//! dropped silently.

use crate::dealer::Dealer;
use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::random::random_u32;

/// A REQ socket's routing state.
#[derive(Debug)]
pub struct Req<P> {
    dealer: Dealer<P>,
    /// A request was sent: waiting for its reply.
    receiving_reply: bool,
    /// The next part sent or received is the first of a message.
    message_begins: bool,
    /// The pipe the current request went to.
    reply_pipe: Option<PipeId>,
    request_id: u32,
    correlate: bool,
    strict: bool,
}

impl<P: Pipe> Req<P> {
    /// A REQ socket without peers, ready to send.
    pub fn new() -> Req<P> {
        Req {
            dealer: Dealer::new(),
            receiving_reply: false,
            message_begins: true,
            reply_pipe: None,
            request_id: random_u32(),
            correlate: false,
            strict: true,
        }
    }

    /// Reads one part from the reply pipe, dropping parts from other pipes.
    fn recv_reply_part(&mut self) -> Result<Msg, PatternError> {
        loop {
            let (msg, from) = self.dealer.recv_from_pipe().ok_or(PatternError::Again)?;
            if Some(from) == self.reply_pipe {
                return Ok(msg);
            }
        }
    }

    /// Drops the rest of a malformed reply whose part `msg` was just read.
    fn skip_rest(&mut self, msg: &Msg) {
        let mut more = msg.more();
        while more {
            match self.recv_reply_part() {
                Ok(part) => more = part.more(),
                Err(_) => return,
            }
        }
    }

    /// Starts a request: request id (if correlating) and delimiter.
    fn send_envelope(&mut self) -> Result<(), ()> {
        self.reply_pipe = None;
        if self.correlate {
            self.request_id = self.request_id.wrapping_add(1);
            let mut id = Msg::from_slice(&self.request_id.to_ne_bytes());
            id.set_more(true);
            self.reply_pipe = self.dealer.send_to_pipe(id).map_err(|_| ())?;
        }
        let mut delimiter = Msg::new();
        delimiter.set_more(true);
        let to = self.dealer.send_to_pipe(delimiter).map_err(|_| ())?;
        if !self.correlate {
            self.reply_pipe = to;
        }
        self.message_begins = false;
        // Drop whatever arrived before this request: a late reply to an
        // older request must not pass for the reply to this one.
        while self.dealer.recv_from_pipe().is_some() {}
        Ok(())
    }
}

impl<P: Pipe> Default for Req<P> {
    fn default() -> Req<P> {
        Req::new()
    }
}

impl<P: Pipe> Pattern<P> for Req<P> {
    fn attach(&mut self, pipe: P, locally_initiated: bool) {
        self.dealer.attach(pipe, locally_initiated);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.dealer.pipe_mut(id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        if self.reply_pipe == Some(id) {
            self.reply_pipe = None;
        }
        self.dealer.detach(id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        if self.receiving_reply {
            if self.strict {
                return Err(SendError::new(PatternError::Fsm, msg));
            }
            self.receiving_reply = false;
            self.message_begins = true;
        }
        if self.message_begins && self.send_envelope().is_err() {
            return Err(SendError::new(PatternError::Again, msg));
        }
        let more = msg.more();
        self.dealer.send(msg)?;
        if !more {
            self.receiving_reply = true;
            self.message_begins = true;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        if !self.receiving_reply {
            return Err(PatternError::Fsm);
        }
        while self.message_begins {
            if self.correlate {
                let id = self.recv_reply_part()?;
                if !id.more() || id.data() != self.request_id.to_ne_bytes() {
                    self.skip_rest(&id);
                    continue;
                }
            }
            let delimiter = self.recv_reply_part()?;
            if !delimiter.more() || !delimiter.is_empty() {
                self.skip_rest(&delimiter);
                continue;
            }
            self.message_begins = false;
        }
        let msg = self.recv_reply_part()?;
        if !msg.more() {
            self.receiving_reply = false;
            self.message_begins = true;
        }
        Ok(msg)
    }

    fn has_in(&mut self) -> bool {
        self.receiving_reply && self.dealer.has_in()
    }

    fn has_out(&mut self) -> bool {
        if self.receiving_reply && self.strict {
            return false;
        }
        self.dealer.has_out()
    }

    fn read_activated(&mut self, id: PipeId) {
        self.dealer.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dealer.write_activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::ReqCorrelate(on) => self.correlate = on,
            PatternOption::ReqRelaxed(on) => self.strict = !on,
            PatternOption::ProbeRouter(on) => self.dealer.set_probe_router(on),
            _ => return Err(PatternError::Invalid),
        }
        Ok(())
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        match name {
            PatternOptionName::ReqCorrelate => Ok(PatternOption::ReqCorrelate(self.correlate)),
            PatternOptionName::ReqRelaxed => Ok(PatternOption::ReqRelaxed(!self.strict)),
            PatternOptionName::ProbeRouter => {
                Ok(PatternOption::ProbeRouter(self.dealer.probe_router()))
            }
            _ => Err(PatternError::Invalid),
        }
    }
}
