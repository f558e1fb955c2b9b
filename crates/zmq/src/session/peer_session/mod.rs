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
//! The session's own states are [`life::Life`] (starting, running,
//! ending, closing, done); each step of the life cycle is one method
//! (`start`, `connected`, `handshake_succeeded`, `engine_failed`,
//! `schedule_reconnect`, `give_up`, `close`, `finish`, ...), the places
//! where monitor events belong.

/// Connect, connect timeout, reconnect with backoff.
mod connect;
/// A connection's handshake success and its end.
mod engaged;
/// The session's states and the transitions between them.
mod life;
/// Connect and disconnect notifications, closing raw connections.
mod notify;
/// Pipe notifications.
mod pipe_events;
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
use super::{SocketLink, start_on_first_turn};

use crate::engine::ConnectionEvent;
use crate::io::IoCommand;
use crate::pipe::{PipeEnd, PipeState};
use crate::reactor::{EventHandler, HandlerId, Interest, Reactor, TimerId};
use crate::trace::SessionSpan;
use life::Life;

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
    /// A handshake succeeded before: the next one is a reconnection (the
    /// socket re-sends what a kept pipe's new peer must know).
    handshaken_before: bool,
}

/// The session's side of the network.
enum Wire {
    /// No connection (waiting to reconnect, or done).
    Idle,
    /// A connect in progress.
    Connecting(Box<dyn Connecting>),
    /// A connected stream with its ZMTP (or raw) connection.
    Engaged {
        engine: Box<StreamEngine>,
        /// Its handshake succeeded and the socket was told (pipe, routing
        /// id): its end is reported (disconnect notifications,
        /// `ZMQ_DISCONNECT_MSG`/`ZMQ_HICCUP_MSG`), unless the application
        /// ended it. Until then its end is a failed handshake.
        handshaken: bool,
    },
}

impl Wire {
    /// A new connection over `engine`, its handshake under way.
    fn engaged(engine: StreamEngine) -> Wire {
        Wire::Engaged {
            engine: Box::new(engine),
            handshaken: false,
        }
    }
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
    /// Where the session is in its life.
    life: Life,
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
            life: Life::Starting,
            trace,
        }
    }

    /// A session for a connection accepted by a listener.
    pub(super) fn accepted(link: SocketLink, endpoint: Arc<str>, engine: StreamEngine) -> Session {
        let other_end = Arc::from(engine.peer_endpoint());
        let wire = Wire::engaged(engine);
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
            handshaken_before: false,
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

    // ---- descriptor registration -------------------------------------

    /// Registers the wire's descriptor; `false` if there is none or the
    /// poller refused it.
    fn register(&mut self, r: &mut R, id: HandlerId, interest: Interest) -> bool {
        let fd = match &self.wire {
            Wire::Idle => return false,
            Wire::Connecting(connecting) => connecting.as_fd(),
            Wire::Engaged { engine, .. } => engine.fd(),
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
            Wire::Engaged { engine, .. } => Interest {
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
            let Wire::Engaged { engine, .. } = &self.wire else {
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
            let Wire::Engaged { engine, .. } = &mut self.wire else {
                break;
            };
            if !engine.takes_input() {
                break;
            }
            let status = engine.read_once(now);
            if status == ReadStatus::WouldBlock {
                break;
            }
            let drained = engine.drained();
            self.deliver_inbound(r, id);
            if status == ReadStatus::Closed || drained {
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
        while let Wire::Engaged { engine, .. } = &mut self.wire {
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
        if self.life.is_closing() {
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
        let Wire::Engaged { engine, .. } = &mut self.wire else {
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
        let Wire::Engaged { engine, .. } = &mut self.wire else {
            return;
        };
        // After this turn's writes: a PING written starts its timeout.
        engine.connection().handle_written(Instant::now);
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
        if let Wire::Engaged { engine, .. } = &mut self.wire {
            engine.connection().handle_timeout(Instant::now());
        }
        self.service(r, id);
    }
}

impl EventHandler<IoCommand> for Session {
    fn on_readable(&mut self, r: &mut R, id: HandlerId) {
        if self.life == Life::Done {
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
        if self.life == Life::Done {
            return;
        }
        match self.wire {
            Wire::Connecting(_) => self.finish_connect(r, id),
            Wire::Engaged { .. } => self.service(r, id),
            Wire::Idle => {}
        }
    }

    fn on_timer(&mut self, r: &mut R, id: HandlerId, timer: TimerId) {
        if self.life == Life::Done {
            return;
        }
        if self.life == Life::Starting {
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
        if self.life == Life::Done {
            return false;
        }
        self.engine_failed(r, id);
        self.check_done(r, id);
        true
    }

    fn on_command(&mut self, r: &mut R, id: HandlerId, command: IoCommand) {
        if self.life == Life::Done {
            return;
        }
        if self.life == Life::Starting {
            self.start(r, id);
            if self.life == Life::Done {
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
