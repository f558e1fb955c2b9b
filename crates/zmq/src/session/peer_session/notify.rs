//! Connect and disconnect notifications (`ZMQ_STREAM_NOTIFY` for raw
//! connections, `ZMQ_ROUTER_NOTIFY` for ROUTER over tcp and ipc), the
//! draft hello, disconnect and hiccup messages, and the end of a raw
//! connection closed by the application.
//!
//! As in libzmq: a notification is a zero-length message; the connect one
//! follows the peer's routing-id message (a raw connection makes its own),
//! the disconnect one is written after rolling back a half-received
//! message, and only if the connection's handshake had succeeded.

use zmq_patterns::{Msg, Pipe, SocketType};

use super::super::wire_protocol::speaks_raw;
use super::{Origin, R, Session, Wire};
use crate::pipe::PipeState;
use crate::reactor::HandlerId;

/// `ZMQ_NOTIFY_CONNECT`.
const NOTIFY_CONNECT: i32 = 1;
/// `ZMQ_NOTIFY_DISCONNECT`.
const NOTIFY_DISCONNECT: i32 = 2;

impl Session {
    /// Whether `ZMQ_ROUTER_NOTIFY` asks for `flag`.
    fn router_notifies(&self, flag: i32) -> bool {
        self.link.kind == SocketType::Router && self.link.options.router_notify & flag != 0
    }

    /// The peer's routing-id message was delivered: the ROUTER connect
    /// notification follows it.
    pub(super) fn notify_connect(&mut self) {
        if self.router_notifies(NOTIFY_CONNECT) {
            // Dropped when the pipe is full, as libzmq ignores the failure.
            let _ = self.push_msg(Msg::new());
        }
    }

    /// The connection failed: the disconnect notification, if wanted and
    /// the connection had been established (`handshaken`).
    pub(super) fn notify_disconnect(&mut self, handshaken: bool) {
        if !handshaken {
            return;
        }
        let wanted = if speaks_raw(&self.link) {
            self.link.options.stream_notify
        } else {
            self.router_notifies(NOTIFY_DISCONNECT)
        };
        if wanted
            && self.push_msg(Msg::new()).is_ok()
            && let Some(pipe) = &mut self.pipe
        {
            pipe.flush();
        }
    }

    /// `ZMQ_HELLO_MSG`: the first message to a peer whose handshake just
    /// succeeded (each connection, as libzmq's `hello_msg_session_t`).
    pub(super) fn send_hello(&mut self) {
        let sends_hello = matches!(
            self.link.kind,
            SocketType::Router
                | SocketType::Dealer
                | SocketType::Client
                | SocketType::Server
                | SocketType::Peer
        ) && !speaks_raw(&self.link);
        let Some(hello) = self.link.options.hello_msg.clone() else {
            return;
        };
        if sends_hello && let Wire::Engaged { engine, .. } = &mut self.wire {
            // The connection is established (its handshake just ended), so
            // it takes the message.
            let _ = engine.connection().send_msg(Msg::from_bytes(hello));
        }
    }

    /// `ZMQ_DISCONNECT_MSG` (an accepted peer of ROUTER, SERVER, PEER)
    /// or `ZMQ_HICCUP_MSG` (a connect of DEALER, CLIENT, PEER): delivered
    /// to the socket as from this peer when a connection that completed
    /// its handshake ends. Dropped when the socket's receive queue is at
    /// its high-water mark (libzmq writes it past the mark), as the
    /// ROUTER notifications here are.
    pub(super) fn deliver_departure_msg(&mut self, handshaken: bool) {
        if !handshaken {
            return;
        }
        let kind = self.link.kind;
        let options = &self.link.options;
        let msg = match self.origin {
            Origin::Accepted
                if matches!(
                    kind,
                    SocketType::Router | SocketType::Server | SocketType::Peer
                ) =>
            {
                options.disconnect_msg.clone()
            }
            Origin::Connecter(_)
                if matches!(
                    kind,
                    SocketType::Dealer | SocketType::Client | SocketType::Peer
                ) =>
            {
                options.hiccup_msg.clone()
            }
            _ => None,
        };
        let (Some(body), Some(pipe)) = (msg, &mut self.pipe) else {
            return;
        };
        pipe.rollback();
        if pipe.write(Msg::from_bytes(body)).is_ok() {
            pipe.flush();
        }
    }

    /// Ends a raw connection the application closed: a zero-length message
    /// came from the pipe (once the bytes before it are written), or the
    /// socket closed the pipe (STREAM's zero-length data part) and every
    /// message before its delimiter was taken. Neither gives a
    /// notification.
    pub(super) fn close_if_requested(&mut self, r: &mut R, id: HandlerId) {
        let Wire::Engaged { engine, handshaken } = &mut self.wire else {
            return;
        };
        if engine.connection().close_requested() && engine.queued() == 0 {
            // Ended by the application: not reported as a disconnection.
            *handshaken = false;
            self.engine_failed(r, id);
            return;
        }
        let pipe_closed_by_socket = self.pipe.as_ref().is_none_or(|pipe| {
            matches!(
                pipe.state(),
                PipeState::DelimiterReceived | PipeState::TermAckSent | PipeState::Terminated
            )
        });
        if pipe_closed_by_socket {
            self.raw_pipe_closed(r, id);
        }
    }

    /// The socket closed the pipe of a raw connection (STREAM's zero-length
    /// data part): write what was taken from the pipe, then end the session
    /// without reconnecting (libzmq terminates a raw session with its pipe).
    pub(super) fn raw_pipe_closed(&mut self, r: &mut R, id: HandlerId) {
        if self.life.is_closing() || !speaks_raw(&self.link) {
            return;
        }
        let Wire::Engaged { handshaken, .. } = &mut self.wire else {
            return;
        };
        // Ended by the application: not reported as a disconnection.
        *handshaken = false;
        let linger = self.link.options.linger;
        self.close(r, id, linger);
    }
}
