//! `Session`: one peer connection of a socket on an I/O thread, from the
//! stream to the socket's pipe (libzmq's `session_base_t` with its engine
//! and, for a connect, its connecter).
//!
//! ```text
//!  connecter:  Idle ──connect──► Connecting ──writable──► Engaged ──failure──┐
//!               ▲  └─refused / timed out─┐                                    │
//!               └──── reconnect timer ◄──┴────────────────────────────────────┘
//!  accepted:   Engaged ──failure──► pipe terminated ──► removed
//!  both:       Close ──► send what the pipe holds (≤ linger) ──► removed
//! ```
//!
//! The pipe to the socket is made when the handshake succeeds, unless the
//! socket made it already (a connect without `ZMQ_IMMEDIATE`), in which
//! case it outlives every reconnection.
//!
//! Each step of the life cycle is one method (`connected`,
//! `handshake_succeeded`, `engine_failed`, `schedule_reconnect`, `finish`,
//! ...), the places where monitor events belong.

/// Pipe notifications, `Close`, and the end of a session.
mod close;
/// Connect, connect timeout, reconnect with backoff.
mod connect;
/// Connect and disconnect notifications, closing raw connections.
mod notify;
/// Asking the ZAP handler.
mod zap;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use zmq_patterns::wire_form::WireForm;
use zmq_patterns::{Msg, MsgFlags, Pipe};
use zmq_transports::{Connecting, Transport};

use super::reconnect::ReconnectBackoff;
use super::stream_engine::{ReadStatus, StreamEngine};
use super::wire_protocol::WireProtocol;
use super::{SocketLink, hwm, start_on_first_turn};
use std::os::fd::AsRawFd;

use crate::engine::{ConnectionError, ConnectionEvent, HandshakeFailure};
use crate::io::{HandlerEvents, IoCommand};
use crate::monitor;
use crate::pipe::{PipeEnd, PipeEndConfig, PipeEvents, PipeState, pipe_pair_with};
use crate::reactor::{EventHandler, HandlerId, Interest, Reactor, TimerId};
use crate::socket::SocketCommand;
use crate::trace::SessionSpan;

/// Reads per readable event before other handlers get a turn.
const READS_PER_TURN: usize = 8;
/// Stop taking messages from the pipe while this much waits to be written.
const TRANSMIT_HIGH_WATER: usize = 256 * 1024;
/// Fill-and-write rounds per event before other handlers get a turn.
const WRITES_PER_TURN: usize = 8;

type R = Reactor<IoCommand>;

/// How the session came to be.
enum Origin {
    /// Accepted by a listener: ends with its connection.
    Accepted,
    /// Made by a connect: reconnects until closed.
    Connecter(Box<Connecter>),
}

/// What a connecter needs to connect again.
struct Connecter {
    transport: Arc<dyn Transport>,
    address: String,
    backoff: ReconnectBackoff,
    connect_routing_id: Option<Bytes>,
}

/// The session's side of the network.
enum Wire {
    /// No connection (waiting to reconnect, or done).
    Idle,
    /// A connect in progress.
    Connecting(Box<dyn Connecting>),
    /// A connected stream with its ZMTP connection.
    Engaged(Box<StreamEngine>),
}

/// A peer connection on an I/O thread.
pub(super) struct Session {
    link: SocketLink,
    endpoint: Arc<str>,
    /// The current connection's other end, as monitor events name it:
    /// the local address of a connecter's stream, the peer's address of
    /// an accepted one (empty while there is no connection).
    other_end: Arc<str>,
    origin: Origin,
    wire: Wire,
    /// Interest registered for the wire's descriptor.
    interest: Interest,
    /// The pipe to the socket.
    pipe: Option<PipeEnd>,
    /// Pipes of earlier connections finishing their termination.
    old_pipes: Vec<PipeEnd>,
    /// The pipe to the ZAP handler (`inproc://zeromq.zap.01`) while a
    /// request is out.
    zap_pipe: Option<PipeEnd>,
    /// Parts of the ZAP reply read so far.
    zap_reply: Vec<Bytes>,
    /// A received message the pipe refused: input waits for room.
    stalled_in: Option<Msg>,
    /// The socket type's wire handling (DISH reassembly, RADIO group
    /// frames, SUB/XSUB subscriptions; where a message ends).
    form: WireForm,
    /// The transmit queue could not be written out: poll for writability.
    out_blocked: bool,
    engine_timer: Option<(TimerId, Instant)>,
    reconnect_timer: Option<TimerId>,
    connect_timer: Option<TimerId>,
    linger_timer: Option<TimerId>,
    /// `Close { linger }` received.
    closing: Option<i32>,
    /// A handshake succeeded before: the next one is a reconnection.
    connected_before: bool,
    /// The current connection's handshake succeeded (disconnect
    /// notifications are only sent then).
    handshaken: bool,
    /// A connecter that met a protocol error: it does not reconnect and
    /// goes once its pipe is closed (libzmq's session terminates).
    given_up: bool,
    started: bool,
    done: bool,
    /// The `tracing` feature's span (nothing without it).
    trace: SessionSpan,
}

impl Session {
    fn new(link: SocketLink, endpoint: Arc<str>, origin: Origin, wire: Wire) -> Session {
        let accepted = matches!(origin, Origin::Accepted);
        let trace = SessionSpan::new(&endpoint, accepted, link.options.mechanism);
        let form = WireForm::new(link.kind);
        Session {
            link,
            endpoint,
            other_end: Arc::from(""),
            origin,
            wire,
            interest: Interest::NONE,
            pipe: None,
            old_pipes: Vec::new(),
            zap_pipe: None,
            zap_reply: Vec::new(),
            stalled_in: None,
            form,
            out_blocked: false,
            engine_timer: None,
            reconnect_timer: None,
            connect_timer: None,
            linger_timer: None,
            closing: None,
            connected_before: false,
            handshaken: false,
            given_up: false,
            started: false,
            done: false,
            trace,
        }
    }

    /// A session for a connection accepted by a listener.
    pub(super) fn accepted(link: SocketLink, endpoint: Arc<str>, engine: StreamEngine) -> Session {
        let other_end = Arc::from(engine.peer_endpoint());
        let wire = Wire::Engaged(Box::new(engine));
        let mut session = Session::new(link, endpoint, Origin::Accepted, wire);
        session.other_end = other_end;
        session
    }

    /// A session that connects to `address` and reconnects after failures;
    /// `pipe` is the end of a pipe the socket made already.
    pub(super) fn connecter(
        link: SocketLink,
        endpoint: Arc<str>,
        transport: Arc<dyn Transport>,
        address: String,
        pipe: Option<PipeEnd>,
        connect_routing_id: Option<Bytes>,
    ) -> Session {
        let backoff =
            ReconnectBackoff::new(link.options.reconnect_ivl, link.options.reconnect_ivl_max);
        let origin = Origin::Connecter(Box::new(Connecter {
            transport,
            address,
            backoff,
            connect_routing_id,
        }));
        let mut session = Session::new(link, endpoint, origin, Wire::Idle);
        session.pipe = pipe;
        session
    }

    /// Adds a session to `reactor`; it starts on the reactor's next turn.
    pub(super) fn add(reactor: &mut R, session: Session) -> HandlerId {
        let id = reactor.add_handler(Box::new(session));
        start_on_first_turn(reactor, id);
        id
    }

    fn start(&mut self, r: &mut R, id: HandlerId) {
        self.started = true;
        match self.wire {
            Wire::Engaged(_) => {
                if !self.register(r, id, Interest::BOTH) {
                    self.engine_failed(r, id);
                }
                self.service(r, id);
            }
            _ => self.start_connecting(r, id),
        }
    }

    // ---- descriptor registration -------------------------------------

    /// Registers the wire's descriptor; `false` if there is none or the
    /// poller refused it.
    fn register(&mut self, r: &mut R, id: HandlerId, interest: Interest) -> bool {
        let fd = match &self.wire {
            Wire::Idle => return false,
            Wire::Connecting(connecting) => connecting.as_fd(),
            Wire::Engaged(engine) => engine.fd(),
        };
        // SAFETY: the descriptor belongs to `self.wire`, which this handler
        // owns. The wire is only replaced or dropped through `take_wire`,
        // which deregisters it first, and removing the handler deregisters
        // it before the handler (and so the wire) is dropped.
        let registered = unsafe { r.register_fd(id, fd, interest) };
        self.interest = interest;
        registered.is_ok()
    }

    /// Deregisters and hands out the wire, leaving `Idle`.
    fn take_wire(&mut self, r: &mut R, id: HandlerId) -> Wire {
        let _ = r.deregister_fd(id);
        self.interest = Interest::NONE;
        if matches!(self.origin, Origin::Connecter(_)) {
            self.other_end = Arc::from("");
        }
        std::mem::replace(&mut self.wire, Wire::Idle)
    }

    fn update_interest(&mut self, r: &mut R, id: HandlerId) {
        let wanted = match &self.wire {
            Wire::Idle => return,
            Wire::Connecting(_) => Interest::WRITE,
            Wire::Engaged(engine) => Interest {
                // No read while the pipe is full, nor (beyond a bound) while
                // a ZAP reply is pending.
                readable: self.stalled_in.is_none() && engine.takes_input(),
                writable: self.out_blocked,
            },
        };
        if wanted != self.interest && r.set_interest(id, wanted).is_ok() {
            self.interest = wanted;
        }
    }

    // ---- the connection ------------------------------------------------

    /// Moves data both ways as far as it goes now, then updates interest,
    /// the connection's timer, and whether the session is done.
    fn service(&mut self, r: &mut R, id: HandlerId) {
        self.read_buffered(r, id);
        self.deliver_inbound(r, id);
        self.send_outbound(r, id);
        self.close_if_requested(r, id);
        self.update_interest(r, id);
        self.arm_engine_timer(r, id);
        self.check_done(r, id);
    }

    /// Reads what a transforming stream (ws, wss) already holds: its
    /// descriptor will not become readable for those bytes.
    fn read_buffered(&mut self, r: &mut R, id: HandlerId) {
        for _ in 0..READS_PER_TURN {
            let Wire::Engaged(engine) = &self.wire else {
                return;
            };
            if self.stalled_in.is_some() || !engine.takes_input() || !engine.has_buffered_input() {
                return;
            }
            self.read_stream(r, id);
        }
    }

    /// Reads from the stream while there is room in the pipe.
    fn read_stream(&mut self, r: &mut R, id: HandlerId) {
        let now = Instant::now();
        for _ in 0..READS_PER_TURN {
            if self.stalled_in.is_some() {
                break;
            }
            let Wire::Engaged(engine) = &mut self.wire else {
                break;
            };
            if !engine.takes_input() {
                break;
            }
            let status = engine.read_once(now);
            if status == ReadStatus::WouldBlock {
                break;
            }
            self.deliver_inbound(r, id);
            if status == ReadStatus::Closed {
                break;
            }
        }
    }

    /// Hands what the connection produced to the pipe, in order: the
    /// handshake result, messages (until the pipe is full), a failure.
    fn deliver_inbound(&mut self, r: &mut R, id: HandlerId) {
        let mut wrote = false;
        if let Some(msg) = self.stalled_in.take() {
            let announces_peer = msg.flags().contains(MsgFlags::ROUTING_ID);
            match self.push_msg(msg) {
                Ok(()) => {
                    wrote = true;
                    if announces_peer {
                        self.notify_connect();
                    }
                }
                Err(msg) => {
                    self.stalled_in = Some(msg);
                    return;
                }
            }
        }
        self.forward_zap_request(r, id);
        let mut failed = None;
        while let Wire::Engaged(engine) = &mut self.wire {
            let Some(event) = engine.connection().poll_event() else {
                if engine.connection().has_input_backlog() {
                    // Decoding stopped at the event limit: go on.
                    engine.decode_backlog(Instant::now());
                    self.forward_zap_request(r, id);
                    continue;
                }
                break;
            };
            match event {
                ConnectionEvent::HandshakeSucceeded { .. } => self.handshake_succeeded(r, id),
                ConnectionEvent::Message(msg) => {
                    let Some(msg) = self.form.receive(msg) else {
                        continue;
                    };
                    let announces_peer = msg.flags().contains(MsgFlags::ROUTING_ID);
                    match self.push_msg(msg) {
                        Ok(()) => {
                            wrote = true;
                            if announces_peer {
                                self.notify_connect();
                            }
                        }
                        Err(msg) => {
                            self.stalled_in = Some(msg);
                            break;
                        }
                    }
                }
                ConnectionEvent::Failed { error } => {
                    failed = Some(error);
                    break;
                }
            }
        }
        if wrote && let Some(pipe) = &mut self.pipe {
            pipe.flush();
        }
        if let Some(error) = failed {
            self.engine_failed_with(r, id, Some(&error));
        }
    }

    /// Writes one received part into the pipe; gives it back when the pipe
    /// is full (or missing), drops it when nobody will read it.
    fn push_msg(&mut self, msg: Msg) -> Result<(), Msg> {
        #[cfg(test)]
        if msg.data() == TEST_PANIC_PAYLOAD {
            panic!("test hook: a session handler panics");
        }
        if self.closing.is_some() {
            return Ok(());
        }
        let Some(pipe) = &mut self.pipe else {
            return Err(msg);
        };
        match pipe.write(msg) {
            Ok(()) => Ok(()),
            Err(_) if pipe.state() != PipeState::Active => Ok(()),
            Err(msg) => Err(msg),
        }
    }

    /// Takes messages from the pipe into the connection and writes them,
    /// many per `writev`, until the pipe is empty or the stream is full.
    fn send_outbound(&mut self, r: &mut R, id: HandlerId) {
        let Wire::Engaged(engine) = &mut self.wire else {
            return;
        };
        let mut pipe_empty = true;
        let mut write_failed = false;
        self.out_blocked = false;
        for _ in 0..WRITES_PER_TURN {
            pipe_empty = true;
            if engine.connection().is_established()
                && let Some(pipe) = &mut self.pipe
            {
                while engine.queued() < TRANSMIT_HIGH_WATER {
                    let Some(msg) = pipe.read() else {
                        break;
                    };
                    let connection = engine.connection();
                    if !self.form.send(msg, |part| connection.send_msg(part)) {
                        break;
                    }
                }
                pipe_empty = engine.queued() < TRANSMIT_HIGH_WATER;
            }
            match engine.write() {
                Ok(true) if pipe_empty => break,
                Ok(true) => {}
                Ok(false) => {
                    self.out_blocked = true;
                    break;
                }
                Err(_) => {
                    write_failed = true;
                    break;
                }
            }
        }
        if !pipe_empty {
            // Out of turns with more to send: come back when writable.
            self.out_blocked = true;
        }
        if write_failed {
            self.engine_failed(r, id);
        }
    }

    fn arm_engine_timer(&mut self, r: &mut R, id: HandlerId) {
        let Wire::Engaged(engine) = &mut self.wire else {
            return;
        };
        let Some(deadline) = engine.connection().poll_timeout() else {
            return;
        };
        if let Some((_, armed)) = self.engine_timer
            && armed <= deadline
        {
            // Fires early at worst; `handle_timeout` then does nothing.
            return;
        }
        if let Some((timer, _)) = self.engine_timer.take() {
            r.cancel_timer(timer);
        }
        let after = deadline.saturating_duration_since(Instant::now());
        self.engine_timer = Some((r.add_timer(id, after), deadline));
    }

    fn engine_timer_fired(&mut self, r: &mut R, id: HandlerId) {
        self.engine_timer = None;
        if let Wire::Engaged(engine) = &mut self.wire {
            engine.connection().handle_timeout(Instant::now());
        }
        self.service(r, id);
    }

    /// The handshake is done: make the pipe to the socket if there is none.
    fn handshake_succeeded(&mut self, r: &mut R, id: HandlerId) {
        self.event(monitor::EVENT_HANDSHAKE_SUCCEEDED, 0);
        self.handshaken = true;
        self.send_hello();
        let reconnected = std::mem::replace(&mut self.connected_before, true);
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
        if self.closing.is_some() {
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
    fn peer_metadata(&mut self) -> Option<Arc<zmq_patterns::Metadata>> {
        match &mut self.wire {
            Wire::Engaged(engine) => match engine.connection() {
                WireProtocol::Zmtp(connection) => Some(Arc::clone(connection.peer_metadata())),
                WireProtocol::Raw(_) => None,
            },
            _ => None,
        }
    }

    /// The connection is over (peer closed, I/O error, protocol error,
    /// timeout): close the stream; an accepted session terminates its pipe,
    /// a connecter keeps it (unless `ZMQ_IMMEDIATE`) and reconnects.
    fn engine_failed(&mut self, r: &mut R, id: HandlerId) {
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
    fn engine_failed_with(&mut self, r: &mut R, id: HandlerId, error: Option<&ConnectionError>) {
        let was_engaged = matches!(self.wire, Wire::Engaged(_));
        if let Wire::Engaged(engine) = &self.wire {
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
        if let Wire::Engaged(engine) = &mut self.wire {
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
        let handshaken = self.handshaken;
        self.notify_disconnect();
        self.deliver_departure_msg(handshaken);
        if was_engaged && !handshaken && self.stops_on_failed_handshake() {
            self.stop_reconnecting();
            return;
        }
        match &self.origin {
            Origin::Accepted => {
                if let Some(pipe) = &mut self.pipe {
                    pipe.terminate_with(false);
                }
            }
            Origin::Connecter(_) if error.is_some_and(ConnectionError::is_protocol_error) => {
                self.given_up = true;
                if let Some(pipe) = &mut self.pipe {
                    pipe.terminate_with(false);
                }
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
                    self.stop_reconnecting();
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

impl EventHandler<IoCommand> for Session {
    fn on_readable(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        if let Wire::Connecting(_) = self.wire {
            // A SOCKS proxy answered.
            self.finish_connect(r, id);
            return;
        }
        self.read_stream(r, id);
        self.service(r, id);
    }

    fn on_writable(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        match self.wire {
            Wire::Connecting(_) => self.finish_connect(r, id),
            Wire::Engaged(_) => self.service(r, id),
            Wire::Idle => {}
        }
    }

    fn on_timer(&mut self, r: &mut R, id: HandlerId, timer: TimerId) {
        if self.done {
            return;
        }
        if !self.started {
            self.start(r, id);
        } else if self.engine_timer.is_some_and(|(t, _)| t == timer) {
            self.engine_timer_fired(r, id);
        } else if self.reconnect_timer == Some(timer) {
            self.reconnect_timer = None;
            if matches!(self.wire, Wire::Idle) {
                self.start_connecting(r, id);
            }
        } else if self.connect_timer == Some(timer) {
            self.connect_timed_out(r, id);
        } else if self.linger_timer == Some(timer) {
            self.linger_timer = None;
            self.finish(r, id);
        }
        self.check_done(r, id);
    }

    fn on_panicked(&mut self, r: &mut R, id: HandlerId) -> bool {
        // The connection ends as if it failed (`ZMQ_EVENT_DISCONNECTED`,
        // the stream closed, the pipe terminated through its normal
        // handshake with the socket, a connecter reconnects); the session
        // stays until its pipe is gone, as after any failure.
        if self.done {
            return false;
        }
        self.engine_failed(r, id);
        self.check_done(r, id);
        true
    }

    fn on_command(&mut self, r: &mut R, id: HandlerId, command: IoCommand) {
        if self.done {
            return;
        }
        if !self.started {
            self.start(r, id);
            if self.done {
                return;
            }
        }
        match command {
            IoCommand::Pipe(pipe_id, event) => self.pipe_event(r, id, pipe_id, event),
            IoCommand::Close { linger } => self.close(r, id, linger),
        }
    }
}

/// Unit tests only: a session that receives a message with exactly this
/// body panics in its I/O-thread handler.
#[cfg(test)]
pub(crate) const TEST_PANIC_PAYLOAD: &[u8] = b"zmq-rs test hook: panic in this session";
