//! `SocketCore`: a socket's state on its application thread — the pattern
//! with its pipes, the options, and the command mailbox through which pipes,
//! I/O threads and the context talk to it.
//!
//! Blocking is done here, never in the pattern: when the pattern answers
//! "again", the core sleeps on its mailbox until a command (a pipe became
//! readable or writable, a new pipe, context shutdown) or the deadline.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use zmq_patterns::{
    AnyPattern, Msg, Pattern, PatternError, PatternOption, PatternOptionName, Pipe, PipeId,
    SendError, SocketType,
};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::mailbox::Mailbox;
use crate::monitor::MonitorSlot;
use crate::options::{self, SocketOptions};
use crate::pipe::{PipeEnd, PipeEvent, PipeSignal};
use crate::spin::{self, SpinPolicy};

use super::readiness::LevelReadiness;

/// A command addressed to a socket.
// Attach carries a pipe end by value; commands are per activation or per
// connection, not per message, so the size is not worth a box.
#[allow(clippy::large_enum_variant)]
pub(crate) enum SocketCommand {
    /// A notification for one of the socket's pipe ends.
    Pipe(PipeId, PipeEvent),
    /// A new pipe to attach (an accepted or completed connection, or the
    /// far end of an inproc connect).
    Attach {
        pipe: PipeEnd,
        endpoint: Arc<str>,
        locally_initiated: bool,
        /// `ZMQ_CONNECT_ROUTING_ID` taken by the connect this pipe is for.
        connect_routing_id: Option<Bytes>,
    },
    /// A pipe kept across a reconnection has a new peer behind it.
    Hiccup(PipeId),
    /// The ends of the network connection a pipe stands for (after its
    /// `Attach`, and again after each reconnection), for
    /// `ZMQ_EVENT_PIPES_STATS`.
    PipeEnds {
        pipe: PipeId,
        local: Arc<str>,
        remote: Arc<str>,
    },
    /// The context is shutting down: blocking calls fail with ETERM.
    Stop,
    /// A connect without reconnection (`ZMQ_RECONNECT_IVL` -1 or 0) lost
    /// its connection and ended: the socket drops the endpoint, so a later
    /// `zmq_disconnect` of it fails with ENOENT (libzmq's session sends its
    /// socket `term_endpoint`). The `Arc` is the one the connect's
    /// `IoObject` holds.
    EndpointEnded(Arc<str>),
    /// Nothing to do: raises `ZMQ_FD` so that a poller looks at
    /// `ZMQ_EVENTS` (sent by the socket to itself when it attaches a pipe
    /// without a command, as libzmq's socket gets its own `own` command).
    Wake,
}

impl From<(PipeId, PipeEvent)> for SocketCommand {
    fn from((pipe, event): (PipeId, PipeEvent)) -> SocketCommand {
        SocketCommand::Pipe(pipe, event)
    }
}

/// The mailbox type of a socket.
pub(crate) type SocketMailbox = Mailbox<SocketCommand>;

/// What the socket knows about one of its pipes besides the pattern.
struct PipeInfo {
    /// The endpoint the pipe came from (for unbind / disconnect).
    endpoint: Arc<str>,
    /// The (local, remote) ends of its network connection, once known.
    ends: Option<(Arc<str>, Arc<str>)>,
    /// Made by a connect (the endpoint is the remote one) rather than a
    /// bind (the local one).
    locally_initiated: bool,
    /// Unbind or disconnect started closing it: it no longer counts as
    /// the endpoint's (libzmq erases the endpoint at once, so a second
    /// `zmq_disconnect` is ENOENT), though it stays until the peer
    /// acknowledges.
    terminating: bool,
}

/// Whether a pipe's endpoint is an inproc one (its peer is a socket).
fn is_inproc(endpoint: &str) -> bool {
    endpoint.starts_with("inproc://")
}

/// A socket's state, used from one thread at a time.
pub(crate) struct SocketCore {
    pub(crate) kind: SocketType,
    pub(crate) ctx: Context,
    pub(crate) options: SocketOptions,
    pub(crate) mailbox: Arc<SocketMailbox>,
    /// Where monitor events go (shared with the socket's I/O objects).
    pub(crate) monitor: Arc<MonitorSlot>,
    pattern: AnyPattern<PipeEnd>,
    pipes: HashMap<PipeId, PipeInfo>,
    /// Pipes whose peer is a session (tcp, ipc, ...) rather than an inproc
    /// socket.
    network_pipes: usize,
    /// Spinning before sleeping, for sockets whose peers are all inproc.
    spin: SpinPolicy,
    /// A message was sent since the last wait: a wait now is most likely
    /// for a reply (request-reply), which spinning catches. A socket that
    /// only receives (PULL, SUB) never spins: its sender, not a reply,
    /// decides when data comes, and a reader that wakes at once takes
    /// messages one by one, each costing the sender a wake-up call.
    sent_since_wait: bool,
    /// Whether the last part received had MORE set (`ZMQ_RCVMORE`).
    pub(crate) rcvmore: bool,
    /// `ZMQ_LAST_ENDPOINT`.
    pub(crate) last_endpoint: String,
    /// The context was shut down and the socket has applied the stop
    /// command (libzmq `_ctx_terminated`).
    pub(crate) stopped: bool,
    /// The level-triggered readiness descriptor, once asked for.
    level: Option<LevelReadiness>,
    /// How many commands were applied so far: the thread-safe wrapper
    /// compares it around a call to learn whether the call took commands
    /// out of the mailbox (and so may have hidden them from a poller).
    pub(crate) commands_applied: u64,
    /// Connects that ended on their own (`SocketCommand::EndpointEnded`),
    /// for the socket to drop from its I/O objects.
    pub(crate) ended_endpoints: Vec<Arc<str>>,
}

impl SocketCore {
    pub(crate) fn new(ctx: Context, kind: SocketType) -> Result<SocketCore> {
        let pattern = AnyPattern::new(kind).map_err(pattern_error)?;
        Ok(SocketCore {
            kind,
            ctx,
            options: SocketOptions::default(),
            mailbox: Arc::new(Mailbox::new()?),
            monitor: Arc::new(MonitorSlot::default()),
            pattern,
            pipes: HashMap::new(),
            network_pipes: 0,
            spin: SpinPolicy::new(spin::configured_max()),
            sent_since_wait: false,
            rcvmore: false,
            last_endpoint: String::new(),
            stopped: false,
            level: None,
            commands_applied: 0,
            ended_endpoints: Vec::new(),
        })
    }

    /// Applies every command waiting in the mailbox, without blocking.
    pub(crate) fn process_commands(&mut self) -> Result<()> {
        if !self.mailbox.is_empty() {
            while let Some(command) = self.mailbox.try_recv() {
                self.apply(command);
            }
        }
        if self.stopped {
            return Err(Error::Term);
        }
        self.sync_level();
        Ok(())
    }

    /// The level-triggered readiness descriptor (made on first use).
    pub(crate) fn level_readiness_fd(&mut self) -> Result<std::os::fd::RawFd> {
        use std::os::fd::AsFd;
        if self.level.is_none() {
            self.level = Some(LevelReadiness::new(self.mailbox.as_fd())?);
        }
        self.process_commands()?;
        self.level
            .as_ref()
            .map(LevelReadiness::raw_fd)
            .ok_or(Error::Fault)
    }

    /// Brings the level-triggered descriptor (if any) up to date: after
    /// every call that may change whether a message can be received.
    fn sync_level(&mut self) {
        if let Some(level) = &mut self.level {
            level.update(self.pattern.has_in());
        }
    }

    /// Sleeps until a command arrives or `deadline` passes, then applies
    /// every waiting command. `Err(Again)` on timeout; `Err(Intr)` when a
    /// signal interrupts the sleep (libzmq's EINTR: the blocking call
    /// returns, so that the application's handler can act).
    fn wait(&mut self, deadline: Option<Instant>) -> Result<()> {
        let timeout = match deadline {
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(Error::Again);
                }
                Some(deadline - now)
            }
            None => None,
        };
        let replied_to = std::mem::take(&mut self.sent_since_wait);
        let spins = replied_to && self.network_pipes == 0 && !self.pipes.is_empty();
        let started = Instant::now();
        if spins && let Some(budget) = self.spin.budget() {
            let budget = timeout.map_or(budget, |t| t.min(budget));
            if spin::spin_until(started, budget, || !self.mailbox.is_empty()) {
                return self.process_commands();
            }
            self.spin.spin_failed();
        }
        let left = timeout.map(|t| t.saturating_sub(started.elapsed()));
        let command = self.mailbox.recv_timeout(left)?;
        if spins && self.spin.wants_timing() {
            self.spin.blocked(started, command.is_some());
        }
        match command {
            Some(command) => self.apply(command),
            None => return Err(Error::Again),
        }
        self.process_commands()
    }

    fn apply(&mut self, command: SocketCommand) {
        self.commands_applied = self.commands_applied.wrapping_add(1);
        match command {
            SocketCommand::Pipe(id, event) => self.pipe_event(id, event),
            SocketCommand::Attach {
                pipe,
                endpoint,
                locally_initiated,
                connect_routing_id,
            } => self.attach(pipe, endpoint, locally_initiated, connect_routing_id),
            SocketCommand::Hiccup(id) => self.pattern.hiccuped(id),
            SocketCommand::PipeEnds {
                pipe,
                local,
                remote,
            } => {
                if let Some(info) = self.pipes.get_mut(&pipe) {
                    info.ends = Some((local, remote));
                }
            }
            SocketCommand::Stop => self.stopped = true,
            SocketCommand::EndpointEnded(endpoint) => self.ended_endpoints.push(endpoint),
            SocketCommand::Wake => {}
        }
    }

    fn pipe_event(&mut self, id: PipeId, event: PipeEvent) {
        let Some(pipe) = self.pattern.pipe_mut(id) else {
            return;
        };
        match pipe.process(event) {
            PipeSignal::Nothing => {}
            PipeSignal::ReadActivated => self.pattern.read_activated(id),
            PipeSignal::WriteActivated => self.pattern.write_activated(id),
            PipeSignal::Stats { outbound, inbound } => {
                if let Some(info) = self.pipes.get(&id) {
                    let (local, remote) = match &info.ends {
                        Some((local, remote)) => (&**local, &**remote),
                        None if info.locally_initiated => ("", &*info.endpoint),
                        None => (&*info.endpoint, ""),
                    };
                    self.monitor
                        .emit_pipes_stats(outbound, inbound, local, remote);
                }
            }
            PipeSignal::Terminated => {
                self.pattern.detach(id);
                self.remove_pipe(id);
            }
        }
    }

    /// Hands a new pipe to the pattern.
    pub(crate) fn attach(
        &mut self,
        pipe: PipeEnd,
        endpoint: Arc<str>,
        locally_initiated: bool,
        connect_routing_id: Option<Bytes>,
    ) {
        let id = pipe.id();
        if !is_inproc(&endpoint) {
            self.network_pipes += 1;
        }
        self.pipes.insert(
            id,
            PipeInfo {
                endpoint,
                ends: None,
                locally_initiated,
                terminating: false,
            },
        );
        match connect_routing_id {
            Some(routing_id) => self
                .pattern
                .attach_with_connect_routing_id(pipe, routing_id),
            None => {
                self.pattern.attach(pipe, locally_initiated);
                // libzmq's STREAM copies the id it generated for the new
                // peer into its ZMQ_ROUTING_ID option.
                if let AnyPattern::Stream(stream) = &self.pattern
                    && let Some(generated) = stream.routing_id_of(id)
                {
                    self.options.routing_id = generated.clone();
                }
            }
        }
    }

    /// `ZMQ_SNDHWM` or `ZMQ_RCVHWM` changed: every pipe takes the new
    /// marks, and its peer end too (libzmq's `update_pipe_options`).
    pub(crate) fn update_pipe_hwms(&mut self) {
        let (sndhwm, rcvhwm) = (self.options.sndhwm, self.options.rcvhwm);
        let ids: Vec<PipeId> = self.pipes.keys().copied().collect();
        for id in ids {
            if let Some(pipe) = self.pattern.pipe_mut(id) {
                let writable = pipe.set_hwms(rcvhwm, sndhwm);
                pipe.send_hwms_to_peer(sndhwm, rcvhwm, None);
                if writable {
                    self.pattern.write_activated(id);
                }
            }
        }
        self.sync_level();
    }

    /// Attaches a pipe made on this thread (a connect) and raises
    /// `ZMQ_FD`: a new pipe may change `ZMQ_EVENTS` (POLLOUT), and an
    /// edge-triggered poller of a fresh socket must get to look.
    pub(crate) fn attach_local(
        &mut self,
        pipe: PipeEnd,
        endpoint: Arc<str>,
        connect_routing_id: Option<Bytes>,
    ) {
        self.attach(pipe, endpoint, true, connect_routing_id);
        self.mailbox.send(SocketCommand::Wake);
    }

    /// Hands the pattern the pipe of a multicast engine (udp, pgm, norm;
    /// bind or connect), which takes every message whatever its group or
    /// topic (libzmq attaches it with `subscribe_to_all`).
    pub(crate) fn attach_multicast(&mut self, pipe: PipeEnd, endpoint: Arc<str>) {
        let id = pipe.id();
        self.network_pipes += 1;
        self.pipes.insert(
            id,
            PipeInfo {
                endpoint,
                // A multicast engine has no connection ends (libzmq's
                // `udp_engine_t::get_endpoint` is empty).
                ends: None,
                locally_initiated: true,
                terminating: false,
            },
        );
        self.pattern.attach_subscribe_all(pipe);
        self.mailbox.send(SocketCommand::Wake);
    }

    /// Starts closing every pipe that came from `endpoint`; `false` if none.
    pub(crate) fn terminate_pipes_of(&mut self, endpoint: &str) -> bool {
        self.terminate_pipes_where(|info| &*info.endpoint == endpoint)
    }

    /// Starts closing the pipes this socket connected to `endpoint`;
    /// `false` if none (those already closing do not count).
    pub(crate) fn terminate_connected_pipes_of(&mut self, endpoint: &str) -> bool {
        self.terminate_pipes_where(|info| info.locally_initiated && &*info.endpoint == endpoint)
    }

    fn terminate_pipes_where(&mut self, chosen: impl Fn(&PipeInfo) -> bool) -> bool {
        let ids: Vec<PipeId> = self
            .pipes
            .iter_mut()
            .filter(|(_, info)| !info.terminating && chosen(info))
            .map(|(id, info)| {
                info.terminating = true;
                *id
            })
            .collect();
        for id in &ids {
            if let Some(pipe) = self.pattern.pipe_mut(*id) {
                pipe.send_disconnect_msg();
                pipe.terminate_with(false);
            }
        }
        !ids.is_empty()
    }

    /// Starts closing every pipe (socket close). As in libzmq the socket
    /// drops what it has not read yet; what it sent is still read by the
    /// peer end (a session lingers over it, an inproc peer reads it).
    pub(crate) fn terminate_all_pipes(&mut self) {
        // In attach order (ids grow), as libzmq asks its pipes in order.
        let mut ids: Vec<PipeId> = self.pipes.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(pipe) = self.pattern.pipe_mut(id) {
                // Only inproc pipes may carry the peer's disconnect message.
                pipe.send_disconnect_msg();
                pipe.terminate_with(false);
            }
        }
    }

    /// Drops a pipe whose peer end vanished without a termination
    /// handshake (an inproc connect that never met its bind).
    pub(crate) fn forget_pipe(&mut self, id: PipeId) {
        self.pattern.detach(id);
        self.remove_pipe(id);
    }

    fn remove_pipe(&mut self, id: PipeId) {
        if let Some(info) = self.pipes.remove(&id)
            && !is_inproc(&info.endpoint)
        {
            self.network_pipes -= 1;
        }
    }

    /// `zmq_socket_monitor_pipes_stats`: asks every pipe's peer for queue
    /// statistics; each answer becomes a `ZMQ_EVENT_PIPES_STATS` event.
    /// EINVAL when the socket's monitor does not take that event; EAGAIN
    /// when there is no pipe to ask (libzmq's answers).
    pub(crate) fn query_pipes_stats(&mut self) -> Result<()> {
        if !self.monitor.wants(crate::monitor::EVENT_PIPES_STATS) {
            return Err(Error::Inval);
        }
        self.process_commands()?;
        if self.pipes.is_empty() {
            return Err(Error::Again);
        }
        // In attach order (ids grow), as libzmq asks its pipes in order.
        let mut ids: Vec<PipeId> = self.pipes.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(pipe) = self.pattern.pipe_mut(id) {
                pipe.request_stats();
            }
        }
        Ok(())
    }

    /// Whether every pipe finished its termination handshake.
    pub(crate) fn has_pipes(&self) -> bool {
        !self.pipes.is_empty()
    }

    /// The one-shot `ZMQ_CONNECT_ROUTING_ID`, consumed by a connect.
    pub(crate) fn take_connect_routing_id(&mut self) -> Option<Bytes> {
        self.options.connect_routing_id.take()
    }

    /// Sends one part, blocking per `dontwait` and `ZMQ_SNDTIMEO`.
    pub(crate) fn send(&mut self, mut msg: Msg, more: bool, dontwait: bool) -> Result<()> {
        self.process_commands()?;
        msg.set_more(more);
        // The clock is read only once the socket would block.
        let mut deadline = None;
        loop {
            match self.pattern.send(msg) {
                Ok(()) => {
                    self.sent_since_wait = true;
                    self.sync_level();
                    return Ok(());
                }
                Err(SendError {
                    kind: PatternError::Again,
                    msg: back,
                }) => {
                    if dontwait || self.options.sndtimeo == 0 {
                        return Err(Error::Again);
                    }
                    msg = back;
                    let until =
                        *deadline.get_or_insert_with(|| timeout_deadline(self.options.sndtimeo));
                    self.wait(until)?;
                }
                Err(err) => return Err(pattern_error(err.kind)),
            }
        }
    }

    /// One attempt to send a part without blocking; on failure the part
    /// comes back, so that a caller waiting outside the socket (the
    /// thread-safe wrapper) can retry it.
    pub(crate) fn try_send(
        &mut self,
        mut msg: Msg,
        more: bool,
    ) -> std::result::Result<(), (Error, Msg)> {
        if let Err(err) = self.process_commands() {
            return Err((err, msg));
        }
        msg.set_more(more);
        match self.pattern.send(msg) {
            Ok(()) => {
                self.sent_since_wait = true;
                self.sync_level();
                Ok(())
            }
            Err(err) => Err((pattern_error(err.kind), err.msg)),
        }
    }

    /// Receives one part, blocking per `dontwait` and `ZMQ_RCVTIMEO`.
    pub(crate) fn recv(&mut self, dontwait: bool) -> Result<Msg> {
        self.process_commands()?;
        let mut deadline = None;
        loop {
            match self.pattern.recv() {
                Ok(msg) => {
                    self.rcvmore = msg.more();
                    self.sync_level();
                    return Ok(msg);
                }
                Err(PatternError::Again) => {
                    if dontwait || self.options.rcvtimeo == 0 {
                        return Err(Error::Again);
                    }
                    let until =
                        *deadline.get_or_insert_with(|| timeout_deadline(self.options.rcvtimeo));
                    self.wait(until)?;
                }
                Err(err) => return Err(pattern_error(err)),
            }
        }
    }

    /// `ZMQ_EVENTS`: (readable, writable) now.
    pub(crate) fn events(&mut self) -> Result<(bool, bool)> {
        self.process_commands()?;
        Ok((self.pattern.has_in(), self.pattern.has_out()))
    }

    /// Applies a pattern-specific option.
    pub(crate) fn set_pattern_option(&mut self, option: PatternOption) -> Result<()> {
        self.pattern.set_option(option).map_err(pattern_error)
    }

    /// Reads a pattern-specific option.
    /// ROUTER only: whether the peer named `routing_id` can take a
    /// message now; `None` for an unknown peer or another socket type.
    pub(crate) fn router_peer_writable(&mut self, routing_id: &[u8]) -> Option<bool> {
        match &mut self.pattern {
            AnyPattern::Router(router) => router.peer_writable(routing_id),
            _ => None,
        }
    }

    pub(crate) fn pattern_option(&self, name: PatternOptionName) -> Result<PatternOption> {
        self.pattern.option(name).map_err(pattern_error)
    }

    /// Sets `ZMQ_ROUTING_ID` (the option table checked its length: any
    /// 1..255 bytes, a leading zero byte too, as libzmq; only ids peers
    /// announce are checked further).
    pub(crate) fn set_routing_id(&mut self, value: &[u8]) -> Result<()> {
        self.options.routing_id = Bytes::copy_from_slice(value);
        Ok(())
    }
}

/// When a blocking call with this timeout (ms, -1 = none) gives up.
fn timeout_deadline(timeout_ms: i32) -> Option<Instant> {
    options::timeout(timeout_ms).and_then(|t| Instant::now().checked_add(t))
}

/// The errno for a pattern's refusal.
pub(crate) fn pattern_error(err: PatternError) -> Error {
    match err {
        PatternError::Again => Error::Again,
        PatternError::Fsm => Error::Fsm,
        PatternError::HostUnreachable => Error::HostUnreach,
        PatternError::NotSupported => Error::NotSup,
        PatternError::Invalid => Error::Inval,
    }
}
