//! Pipe notifications, `Close`, and the end of a session.

use zmq_patterns::{Pipe, PipeId};

use super::{Origin, R, Session, Wire};
use crate::options;
use crate::pipe::{PipeEvent, PipeSignal, PipeState};
use crate::reactor::HandlerId;

impl Session {
    pub(super) fn pipe_event(
        &mut self,
        r: &mut R,
        id: HandlerId,
        pipe_id: PipeId,
        event: PipeEvent,
    ) {
        if self.zap_pipe_event(pipe_id, event) {
            self.service(r, id);
            return;
        }
        match &mut self.pipe {
            Some(pipe) if pipe.id() == pipe_id => {
                if pipe.process(event) == PipeSignal::Terminated {
                    self.pipe = None;
                    self.raw_pipe_closed(r, id);
                }
            }
            _ => {
                if let Some(index) = self.old_pipes.iter().position(|p| p.id() == pipe_id)
                    && self.old_pipes[index].process(event) == PipeSignal::Terminated
                {
                    self.old_pipes.swap_remove(index);
                }
            }
        }
        self.service(r, id);
    }

    /// The socket closes this session (close, disconnect, unbind): send
    /// what the pipe holds for at most `linger` ms, then go.
    pub(super) fn close(&mut self, r: &mut R, id: HandlerId, linger: i32) {
        if self.closing.is_some() {
            // Already writing out (a raw connection the application
            // closed): a close without linger still ends it now.
            if linger == 0 {
                self.finish(r, id);
            }
            return;
        }
        self.closing = Some(linger);
        self.stalled_in = None;
        if linger == 0 {
            self.finish(r, id);
            return;
        }
        if let Some(limit) = options::timeout(linger) {
            self.linger_timer = Some(r.add_timer(id, limit));
        }
        if matches!(self.wire, Wire::Idle)
            && let Some(pipe) = &mut self.pipe
        {
            // Only a delimiter may be left: take it (nothing reads it else).
            pipe.check_read();
        }
        self.service(r, id);
    }

    /// Whether the session has nothing left to do, and if so goes.
    pub(super) fn check_done(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        let Some(_) = self.closing else {
            let connection_gone = matches!(self.wire, Wire::Idle) && self.pipe.is_none();
            if (matches!(self.origin, Origin::Accepted) || self.given_up) && connection_gone {
                self.finish(r, id);
            }
            return;
        };
        let pipe_drained = self.pipe.as_ref().is_none_or(|pipe| {
            !matches!(
                pipe.state(),
                PipeState::Active | PipeState::WaitingForDelimiter
            )
        });
        let sent = match &mut self.wire {
            Wire::Engaged(engine) => engine.queued() == 0,
            _ => true,
        };
        if pipe_drained && sent {
            self.finish(r, id);
        }
    }

    /// Removes the session: the stream closes, the pipes finish their
    /// termination without us (dropping an end completes it).
    pub(super) fn finish(&mut self, r: &mut R, id: HandlerId) {
        self.done = true;
        let timers = [
            self.engine_timer.take().map(|(timer, _)| timer),
            self.reconnect_timer.take(),
            self.connect_timer.take(),
            self.linger_timer.take(),
        ];
        for timer in timers.into_iter().flatten() {
            r.cancel_timer(timer);
        }
        r.remove_handler(id);
    }
}
