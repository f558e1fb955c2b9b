//! Pipe notifications: the pipe to the socket, earlier connections'
//! pipes finishing their termination, the ZAP pipe.

use zmq_patterns::{Pipe, PipeId};

use super::{R, Session};
use crate::pipe::{PipeEvent, PipeSignal};
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
}
