//! [`Life`]: where a session is in its life, and the transitions between
//! its states. Each transition is one method here (`start`, `give_up`,
//! `close`, `check_done`, `finish`); what a state allows is checked
//! against it where the session acts (`docs/limits.md`, "By phase").
//!
//! ```text
//!  Starting ──first callback──► Running ──Close{linger}──────────► Closing
//!                                 │                                ▲  │ pipe drained and written,
//!        accepted connection ended│                          Close │  │ or linger over
//!        protocol error,          ▼                                │  ▼
//!        ZMQ_RECONNECT_STOP ──► Ending ────────────────────────────┘ Done
//!                                 └──no connection, no pipe left──────►┘
//! ```
//!
//! The current connection's own progress is the session's `Wire`
//! (`Idle`, `Connecting`, `Engaged` with whether its handshake
//! succeeded); whether a connecter had a peer before is its `Connecter`'s.
//! Two flags stay beside these states because they are not life-cycle
//! states: `out_blocked` (the stream took less than was queued: poll for
//! writability) is the write side's flow control, and where a message
//! taken from the pipe ends is `WireForm`'s.

use zmq_patterns::Pipe;

use super::{R, Session, Wire};
use crate::options;
use crate::pipe::PipeState;
use crate::reactor::{HandlerId, Interest};

/// A session's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Life {
    /// Added to the reactor; its first callback starts it (registers an
    /// accepted stream, or connects).
    Starting,
    /// Connecting, connected, or waiting to reconnect: the wire says which.
    Running,
    /// No further connection: an accepted session whose connection ended,
    /// or a connecter that stopped reconnecting (a protocol error,
    /// `ZMQ_RECONNECT_STOP`, reconnection off). Its pipe is terminated;
    /// it goes once it has neither connection nor pipe.
    Ending,
    /// The socket closed it (close, disconnect, unbind): received messages
    /// are dropped and no pipe is made; it writes what its pipe holds and
    /// goes once that is written, or after `linger` ms.
    Closing {
        /// `ZMQ_LINGER` at the close (-1: no limit).
        linger: i32,
    },
    /// Removed from the reactor: callbacks do nothing.
    Done,
}

impl Life {
    /// Closing or gone: what the peer sends is dropped, nothing new starts.
    pub(super) fn is_closing(self) -> bool {
        matches!(self, Life::Closing { .. } | Life::Done)
    }
}

impl Session {
    /// Starting → Running: registers the accepted stream, or connects.
    pub(super) fn start(&mut self, r: &mut R, id: HandlerId) {
        self.life = Life::Running;
        match self.wire {
            Wire::Engaged { .. } => {
                if !self.register(r, id, Interest::BOTH) {
                    self.engine_failed(r, id);
                }
                self.service(r, id);
            }
            _ => self.start_connecting(r, id),
        }
    }

    /// Running → Ending: no further connection; the pipe to the socket is
    /// terminated and the session goes once it is closed (libzmq's session
    /// terminates). A closing session stays closing.
    pub(super) fn give_up(&mut self) {
        if self.life == Life::Running {
            self.life = Life::Ending;
        }
        if let Some(pipe) = &mut self.pipe {
            pipe.terminate_with(false);
        }
    }

    /// → Closing: the socket closes this session (close, disconnect,
    /// unbind): send what the pipe holds for at most `linger` ms, then go.
    pub(super) fn close(&mut self, r: &mut R, id: HandlerId, linger: i32) {
        match self.life {
            Life::Done => return,
            Life::Closing { .. } => {
                // Already writing out (a raw connection the application
                // closed): a close without linger still ends it now.
                if linger == 0 {
                    self.finish(r, id);
                }
                return;
            }
            Life::Starting | Life::Running | Life::Ending => {}
        }
        self.life = Life::Closing { linger };
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

    /// Ending or Closing → Done once nothing is left to do.
    pub(super) fn check_done(&mut self, r: &mut R, id: HandlerId) {
        let done = match self.life {
            Life::Starting | Life::Running | Life::Done => false,
            Life::Ending => matches!(self.wire, Wire::Idle) && self.pipe.is_none(),
            Life::Closing { .. } => {
                let pipe_drained = self.pipe.as_ref().is_none_or(|pipe| {
                    !matches!(
                        pipe.state(),
                        PipeState::Active | PipeState::WaitingForDelimiter
                    )
                });
                let sent = match &mut self.wire {
                    Wire::Engaged { engine, .. } => engine.queued() == 0,
                    _ => true,
                };
                pipe_drained && sent
            }
        };
        if done {
            self.finish(r, id);
        }
    }

    /// → Done: removes the session; the stream closes, the pipes finish
    /// their termination without us (dropping an end completes it).
    pub(super) fn finish(&mut self, r: &mut R, id: HandlerId) {
        self.life = Life::Done;
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
