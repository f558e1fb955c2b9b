//! Asking the ZAP handler (RFC 27): the connection produces a request, the
//! session carries it over an inproc pipe to the socket bound at
//! `inproc://zeromq.zap.01` and hands the reply back.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use zmq_mechanisms::ZapReply;
use zmq_patterns::{Msg, Pipe, PipeId};

use super::{R, Session, Wire};
use crate::inproc::ZAP_HANDLER_NAME;
use crate::io::HandlerEvents;
use crate::pipe::{PipeEvent, PipeEvents, PipeSignal};
use crate::reactor::HandlerId;

impl Session {
    /// Sends the connection's ZAP request, if it made one.
    pub(super) fn forward_zap_request(&mut self, r: &mut R, id: HandlerId) {
        let Wire::Engaged { engine, .. } = &mut self.wire else {
            return;
        };
        let Some(request) = engine.connection().poll_zap_request() else {
            return;
        };
        let events: Arc<dyn PipeEvents> = Arc::new(HandlerEvents {
            reactor: r.handle(),
            handler: id,
        });
        let ctx = &self.link.ctx;
        let ids = (ctx.next_pipe_id(), ctx.next_pipe_id());
        let Some(mut pipe) = ctx
            .shared
            .inproc
            .connect_object(ZAP_HANDLER_NAME, events, ids)
        else {
            // The handler went away since the connection was set up: refuse
            // as a handler that cannot answer.
            engine
                .connection()
                .zap_reply(ZapReply::with_status(500), Instant::now());
            return;
        };
        let frames = request.frames();
        let last = frames.len().saturating_sub(1);
        for (i, frame) in frames.into_iter().enumerate() {
            let mut msg = Msg::from_bytes(frame);
            msg.set_more(i < last);
            // No HWM on the ZAP pipe: the write cannot be refused.
            let _ = pipe.write(msg);
        }
        pipe.flush();
        // The reply may already be there (a handler on another thread).
        self.zap_pipe = Some(pipe);
        self.zap_reply.clear();
        self.read_zap_reply();
    }

    /// Whether `pipe` is the ZAP pipe; if so applies `event` to it.
    pub(super) fn zap_pipe_event(&mut self, pipe: PipeId, event: PipeEvent) -> bool {
        let Some(zap) = &mut self.zap_pipe else {
            return false;
        };
        if zap.id() != pipe {
            return false;
        }
        match zap.process(event) {
            PipeSignal::ReadActivated => self.read_zap_reply(),
            PipeSignal::Terminated => self.zap_pipe = None,
            PipeSignal::WriteActivated | PipeSignal::Stats { .. } | PipeSignal::Nothing => {}
        }
        true
    }

    /// Reads reply parts; once the reply is complete, hands it to the
    /// connection and closes the ZAP pipe.
    fn read_zap_reply(&mut self) {
        let Some(zap) = &mut self.zap_pipe else {
            return;
        };
        while let Some(part) = zap.read() {
            let more = part.more();
            self.zap_reply.push(part.into_bytes());
            if more {
                continue;
            }
            let frames: Vec<Bytes> = std::mem::take(&mut self.zap_reply);
            zap.terminate_with(false);
            if let Wire::Engaged { engine, .. } = &mut self.wire {
                engine.zap_reply(&frames, Instant::now());
            }
            return;
        }
    }
}
