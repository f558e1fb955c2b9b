//! A connection's two transitions: its handshake succeeds (the pipe to
//! the socket is made or reused, `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`), and it
//! ends (the `ZMQ_EVENT_HANDSHAKE_FAILED_*` and `ZMQ_EVENT_DISCONNECTED`
//! events, notifications, half messages dropped, then reconnect or give
//! up), with the monitor events that name both ends.

use std::os::fd::AsRawFd;
use std::sync::Arc;

use zmq_patterns::Pipe;

use super::super::hwm;
use super::super::wire_protocol::WireProtocol;
use super::{Origin, R, Session, Wire};
use crate::engine::{ConnectionError, HandshakeFailure};
use crate::io::HandlerEvents;
use crate::monitor;
use crate::pipe::{PipeEndConfig, PipeEvents, pipe_pair_with};
use crate::reactor::HandlerId;
use crate::socket::SocketCommand;

impl Session {
    /// The handshake is done: make the pipe to the socket if there is none.
    pub(super) fn handshake_succeeded(&mut self, r: &mut R, id: HandlerId) {
        self.event(monitor::EVENT_HANDSHAKE_SUCCEEDED, 0);
        if let Wire::Engaged { handshaken, .. } = &mut self.wire {
            *handshaken = true;
        }
        self.send_hello();
        let reconnected = match &mut self.origin {
            Origin::Connecter(connecter) => {
                std::mem::replace(&mut connecter.handshaken_before, true)
            }
            Origin::Accepted => false,
        };
        let metadata = self.peer_metadata();
        if let Some(pipe) = &mut self.pipe {
            if let Some(metadata) = metadata {
                pipe.send_metadata(metadata);
            }
            if reconnected {
                // A kept pipe has a new peer behind it: the socket re-sends
                // what the peer must know (SUB's subscriptions), as
                // libzmq's hiccup.
                self.link
                    .mailbox
                    .send(SocketCommand::Hiccup(pipe.peer_id()));
            }
            // A pipe made by the connect keeps the ends it was made with
            // (none yet: local empty, remote the endpoint), as libzmq's.
            return;
        }
        if self.life.is_closing() {
            return;
        }
        let ctx = &self.link.ctx;
        let own_events: Arc<dyn PipeEvents> = Arc::new(HandlerEvents {
            reactor: r.handle(),
            handler: id,
        });
        let socket_events: Arc<dyn PipeEvents> = self.link.mailbox.clone();
        let conflate = self.link.options.effective_conflate(self.link.kind);
        let (mut own_end, socket_end) = pipe_pair_with(
            PipeEndConfig {
                id: ctx.next_pipe_id(),
                events: own_events,
                in_hwm: hwm(self.link.options.sndhwm),
                delay: true,
            },
            PipeEndConfig {
                id: ctx.next_pipe_id(),
                events: socket_events,
                in_hwm: hwm(self.link.options.rcvhwm),
                delay: true,
            },
            conflate,
        );
        if let Some(metadata) = self.peer_metadata() {
            own_end.send_metadata(metadata);
        }
        self.pipe = Some(own_end);
        let (locally_initiated, connect_routing_id) = match &self.origin {
            Origin::Accepted => (false, None),
            Origin::Connecter(connecter) => (true, connecter.connect_routing_id.clone()),
        };
        let socket_pipe = socket_end.id();
        self.link.mailbox.send(SocketCommand::Attach {
            pipe: socket_end,
            endpoint: Arc::clone(&self.endpoint),
            locally_initiated,
            connect_routing_id,
        });
        self.send_pipe_ends(socket_pipe);
    }

    /// The connection's metadata, sent down the pipe ahead of its first
    /// message: the socket's end attaches it to every message. `None` for
    /// raw connections, which attach theirs to each message.
    pub(super) fn peer_metadata(&mut self) -> Option<Arc<zmq_patterns::Metadata>> {
        match &mut self.wire {
            Wire::Engaged { engine, .. } => match engine.connection() {
                WireProtocol::Zmtp(connection) => Some(Arc::clone(connection.peer_metadata())),
                WireProtocol::Raw(_) => None,
            },
            _ => None,
        }
    }

    /// The connection is over (peer closed, I/O error, protocol error,
    /// timeout): close the stream; an accepted session terminates its pipe,
    /// a connecter keeps it (unless `ZMQ_IMMEDIATE`) and reconnects.
    pub(super) fn engine_failed(&mut self, r: &mut R, id: HandlerId) {
        self.engine_failed_with(r, id, None);
    }

    /// Reports a monitor event about this connection, with both ends as
    /// libzmq names them (the local end of a connecter is empty while it
    /// has no connection).
    pub(super) fn event(&self, event: u64, value: u64) {
        let (local, remote) = self.ends();
        let bound = matches!(self.origin, Origin::Accepted);
        self.trace.event(event, value, remote);
        self.link.event(event, value, local, remote, bound);
    }

    /// (local, remote) ends of the current connection.
    fn ends(&self) -> (&str, &str) {
        match &self.origin {
            Origin::Accepted => (&*self.endpoint, &*self.other_end),
            Origin::Connecter(_) => (&*self.other_end, &*self.endpoint),
        }
    }

    /// Tells the socket which connection its pipe now stands for
    /// (`ZMQ_EVENT_PIPES_STATS` names both ends).
    fn send_pipe_ends(&self, pipe: zmq_patterns::PipeId) {
        let (local, remote) = self.ends();
        self.link.mailbox.send(SocketCommand::PipeEnds {
            pipe,
            local: Arc::from(local),
            remote: Arc::from(remote),
        });
    }

    /// [`Session::engine_failed`] with the connection's error, if it
    /// reported one: `ZMQ_EVENT_HANDSHAKE_FAILED_*` as libzmq, then
    /// `ZMQ_EVENT_DISCONNECTED`.
    pub(super) fn engine_failed_with(
        &mut self,
        r: &mut R,
        id: HandlerId,
        error: Option<&ConnectionError>,
    ) {
        let (was_engaged, handshaken) = match &self.wire {
            Wire::Engaged { handshaken, .. } => (true, *handshaken),
            _ => (false, false),
        };
        if let Wire::Engaged { engine, .. } = &self.wire {
            let fd = engine.fd().as_raw_fd() as u64;
            match error.and_then(ConnectionError::handshake_failure) {
                Some(HandshakeFailure::Protocol(code)) => self.event(
                    monitor::EVENT_HANDSHAKE_FAILED_PROTOCOL,
                    u64::from(code.value()),
                ),
                Some(HandshakeFailure::Auth(status)) => {
                    self.event(monitor::EVENT_HANDSHAKE_FAILED_AUTH, u64::from(status))
                }
                Some(HandshakeFailure::NoDetail) => self.event(
                    monitor::EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                    error.map_or(0, |e| e.errno() as u64),
                ),
                None => {
                    if let Some(error) = error {
                        self.trace.connection_error(error);
                    }
                }
            }
            self.event(monitor::EVENT_DISCONNECTED, fd);
        }
        if let Wire::Engaged { engine, .. } = &mut self.wire {
            // Best effort for a queued ERROR command.
            let _ = engine.write();
        }
        let _ = self.take_wire(r, id);
        if let Some((timer, _)) = self.engine_timer.take() {
            r.cancel_timer(timer);
        }
        self.out_blocked = false;
        self.stalled_in = None;
        self.clean_pipe();
        self.notify_disconnect(handshaken);
        self.deliver_departure_msg(handshaken);
        if was_engaged && !handshaken && self.stops_on_failed_handshake() {
            self.give_up();
            return;
        }
        match &self.origin {
            // An accepted session has one connection; a connecter that met
            // a protocol error does not reconnect (libzmq's session
            // terminates).
            Origin::Accepted => self.give_up(),
            Origin::Connecter(_) if error.is_some_and(ConnectionError::is_protocol_error) => {
                self.give_up();
            }
            Origin::Connecter(_) => {
                if self.link.options.immediate
                    && let Some(mut pipe) = self.pipe.take()
                {
                    pipe.terminate_with(false);
                    self.old_pipes.push(pipe);
                }
                if self.link.options.reconnect_ivl <= 0 {
                    // No reconnection: the connect ends with its pipe, and
                    // as libzmq's session (`term_endpoint`) we ask the
                    // socket to drop the endpoint; a new connect to the
                    // same endpoint starts afresh.
                    self.give_up();
                    self.link
                        .mailbox
                        .send(SocketCommand::EndpointEnded(Arc::clone(&self.endpoint)));
                    self.check_done(r, id);
                    return;
                }
                self.schedule_reconnect(r, id);
            }
        }
    }

    /// Drops half-sent and half-received multipart messages, so neither
    /// side ever sees part of a message after a reconnection.
    fn clean_pipe(&mut self) {
        let Some(pipe) = &mut self.pipe else {
            self.form.connection_ended(|| None);
            return;
        };
        pipe.rollback();
        pipe.flush();
        self.form.connection_ended(|| pipe.read());
    }
}
