//! `Socket`: the API of one ZeroMQ socket (`zmq_socket` and friends).
//!
//! A socket is used from one thread at a time (`Send`, not `Sync`), as in
//! libzmq. Its state lives in `core::SocketCore`; connections live on
//! the context's I/O threads (`crate::session`), inproc pipes join
//! sockets directly (`crate::inproc`).

mod core;
mod draft_api;
/// norm:// endpoints (the `norm` feature).
#[cfg(feature = "norm")]
mod norm;
mod options_api;
#[cfg(all(feature = "pgm", target_os = "linux"))]
mod pgm;
mod readiness;
mod reaper;

use std::cell::RefCell;
use std::sync::Arc;

use zmq_patterns::{Msg, SocketType};
use zmq_transports::Endpoint;

pub(crate) use self::core::{SocketCommand, SocketCore, SocketMailbox};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::inproc::InprocPeer;
use crate::message::Message;
use crate::monitor::{self, Event};
use crate::pipe::{PipeEnd, PipeEndConfig, PipeEvents, pipe_pair_with};
use crate::pipe_target::PipeTarget;
use crate::session::{self, IoObject, PreparedPipe, SocketLink};
use crate::term_on_drop::UserHandles;

/// The udp scheme, handled by the socket itself (no stream transport).
const UDP: &str = "udp";

/// `ZMQ_DONTWAIT`: fail with EAGAIN instead of blocking.
pub const DONTWAIT: i32 = 1;
/// `ZMQ_SNDMORE`: more parts of this message follow.
pub const SNDMORE: i32 = 2;

struct SocketState {
    core: SocketCore,
    /// Listeners and connecting sessions on I/O threads.
    objects: Vec<IoObject>,
}

impl SocketState {
    /// Applies the socket's pending commands, then drops the I/O objects
    /// of connects that ended on their own (`ZMQ_RECONNECT_IVL` -1 or 0
    /// after a lost connection), as libzmq's `term_endpoint` does for its
    /// session: their endpoints are no longer the socket's.
    fn process_commands(&mut self) -> Result<()> {
        let applied = self.core.process_commands();
        if !self.core.ended_endpoints.is_empty() {
            let linger = self.core.options.linger;
            for ended in std::mem::take(&mut self.core.ended_endpoints) {
                self.objects.retain(|object| {
                    if Arc::ptr_eq(&object.endpoint, &ended) {
                        object.close(linger);
                        false
                    } else {
                        true
                    }
                });
            }
        }
        applied
    }
}

/// A ZeroMQ socket.
pub struct Socket {
    state: RefCell<SocketState>,
    id: u64,
    closed: bool,
    /// The socket's share of its context's user-facing handles: dropped
    /// after the close, it may run the context's term (`crate::term_on_drop`).
    _handles: Option<Arc<UserHandles>>,
}

impl Socket {
    pub(crate) fn new(
        ctx: Context,
        handles: Option<Arc<UserHandles>>,
        kind: SocketType,
        id: u64,
    ) -> Result<Socket> {
        let mut core = SocketCore::new(ctx.clone(), kind)?;
        core.options.ipv6 = ctx.default_ipv6();
        core.options.linger = ctx.default_linger();
        if matches!(kind, SocketType::Sub | SocketType::XSub | SocketType::Dish) {
            // As libzmq: subscribers do not linger, whatever ZMQ_BLOCKY.
            core.options.linger = 0;
        }
        Ok(Socket {
            state: RefCell::new(SocketState {
                core,
                objects: Vec::new(),
            }),
            id,
            closed: false,
            _handles: handles,
        })
    }

    pub(crate) fn mailbox(&self) -> Arc<SocketMailbox> {
        Arc::clone(&self.state.borrow().core.mailbox)
    }

    /// How many commands the socket applied so far (see
    /// `SocketCore::commands_applied`).
    pub(crate) fn commands_applied(&self) -> u64 {
        self.state.borrow().core.commands_applied
    }

    /// Whether the socket has seen its context's shutdown: it applied the
    /// stop command, in a call that processes commands (send, receive,
    /// bind, connect, poll...), as libzmq's `_ctx_terminated`. Options
    /// then fail with ETERM (`option_table::set_option`/`get_option`).
    pub fn ctx_terminated(&self) -> bool {
        self.state.borrow().core.stopped
    }

    /// The socket type (`ZMQ_TYPE`).
    pub fn get_socket_type(&self) -> Result<SocketType> {
        Ok(self.state.borrow().core.kind)
    }

    /// Accepts connections on `endpoint` (`zmq_bind`).
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        let mut state = self.state.borrow_mut();
        state.process_commands()?;
        match Endpoint::parse(endpoint).map_err(transport_error)? {
            Endpoint::Other { scheme, address } if scheme == UDP => {
                self.start_udp(&mut state, endpoint, &address, true)
            }
            #[cfg(feature = "norm")]
            Endpoint::Other { scheme, address } if scheme == norm::NORM => {
                self.start_norm(&mut state, endpoint, &address)
            }
            // As libzmq: bind is connect for pgm and epgm.
            #[cfg(all(feature = "pgm", target_os = "linux"))]
            Endpoint::Other { scheme, address } if pgm::is_pgm_scheme(&scheme) => {
                self.start_pgm(&mut state, endpoint, &scheme, &address)
            }
            Endpoint::Inproc(address) => {
                let ctx = state.core.ctx.clone();
                let binder = self.inproc_peer(&state.core);
                let name = address.name().to_owned();
                let pending = ctx
                    .shared
                    .inproc
                    .bind(&name, binder)
                    .map_err(|()| Error::AddrInUse)?;
                let endpoint: Arc<str> = endpoint.into();
                for end in pending {
                    state.core.attach(end, Arc::clone(&endpoint), false, None);
                }
                state.core.last_endpoint = endpoint.to_string();
                Ok(())
            }
            parsed => {
                let ctx = state.core.ctx.clone();
                let transport = ctx
                    .shared
                    .transports
                    .read()
                    .get(parsed.scheme())
                    .map_err(transport_error)?
                    .clone();
                let address = endpoint_address(endpoint)?;
                let options = session::transport_options_for(&state.core.options, state.core.kind);
                let listener = match transport.bind(address, &options) {
                    Ok(listener) => listener,
                    Err(err) => {
                        // As libzmq (src/socket_base.cpp bind): a socket
                        // the listener opened and closed again is reported
                        // CLOSED first, then BIND_FAILED names the address
                        // without its scheme.
                        if let Some(closed) = err.closed_socket() {
                            state.core.monitor.emit(Event {
                                id: monitor::EVENT_CLOSED,
                                value: closed.fd as u64,
                                local: &closed.endpoint,
                                remote: "",
                                bound: true,
                            });
                        }
                        let err = transport_error(err);
                        state.core.monitor.emit(Event {
                            id: monitor::EVENT_BIND_FAILED,
                            value: err.errno() as u64,
                            local: address,
                            remote: "",
                            bound: true,
                        });
                        return Err(err);
                    }
                };
                let resolved: Arc<str> = listener.endpoint().into();
                state.core.monitor.emit(Event {
                    id: monitor::EVENT_LISTENING,
                    value: listener.raw_fd() as u64,
                    local: &resolved,
                    remote: "",
                    bound: true,
                });
                let reactor = ctx.choose_io_thread(state.core.options.affinity)?;
                let link = self.link(&state.core);
                let object =
                    session::start_listener(link, reactor, listener, Arc::clone(&resolved));
                state.objects.push(object);
                state.core.last_endpoint = resolved.to_string();
                Ok(())
            }
        }
    }

    /// Connects to `endpoint` (`zmq_connect`); the connection is made in
    /// the background and remade after failures.
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        let mut state = self.state.borrow_mut();
        state.process_commands()?;
        let parsed = match Endpoint::parse(endpoint) {
            Ok(parsed) => parsed,
            // A tcp address is only checked for libzmq's syntax at
            // connect (the transport's `check_connect_address`, below);
            // what does not parse fails at each attempt, then retries.
            Err(_) if endpoint.starts_with("tcp://") => Endpoint::Other {
                scheme: "tcp".to_owned(),
                address: endpoint_address(endpoint)?.to_owned(),
            },
            Err(err) => return Err(transport_error(err)),
        };
        if let Endpoint::Other { scheme, address } = &parsed
            && scheme == UDP
        {
            return self.start_udp(&mut state, endpoint, address, false);
        }
        #[cfg(feature = "norm")]
        if let Endpoint::Other { scheme, address } = &parsed
            && scheme == norm::NORM
        {
            return self.start_norm(&mut state, endpoint, address);
        }
        #[cfg(all(feature = "pgm", target_os = "linux"))]
        if let Endpoint::Other { scheme, address } = &parsed
            && pgm::is_pgm_scheme(scheme)
        {
            return self.start_pgm(&mut state, endpoint, scheme, address);
        }
        let endpoint_arc: Arc<str> = endpoint.into();
        let connect_routing_id = state.core.take_connect_routing_id();
        if let Endpoint::Inproc(address) = parsed {
            let ctx = state.core.ctx.clone();
            let connecter = self.inproc_peer(&state.core);
            let ids = (ctx.next_pipe_id(), ctx.next_pipe_id());
            let connected =
                ctx.shared
                    .inproc
                    .connect(address.name(), &endpoint_arc, connecter, ids);
            state
                .core
                .attach_local(connected.end, Arc::clone(&endpoint_arc), connect_routing_id);
            state.core.last_endpoint = endpoint.to_owned();
            return Ok(());
        }
        let ctx = state.core.ctx.clone();
        let transport = ctx
            .shared
            .transports
            .read()
            .get(parsed.scheme())
            .map_err(transport_error)?
            .clone();
        let address = endpoint_address(endpoint)?;
        transport
            .check_connect_address(address)
            .map_err(transport_error)?;
        let reactor = ctx.choose_io_thread(state.core.options.affinity)?;
        let prepared = if state.core.options.immediate {
            None
        } else {
            let target = PipeTarget::new();
            let session_events: Arc<dyn PipeEvents> = target.clone();
            let socket_events: Arc<dyn PipeEvents> = state.core.mailbox.clone();
            let conflate = state.core.options.effective_conflate(state.core.kind);
            let (socket_end, session_end) = pipe_pair_with(
                PipeEndConfig {
                    id: ctx.next_pipe_id(),
                    events: socket_events,
                    in_hwm: hwm(state.core.options.rcvhwm),
                    delay: true,
                },
                PipeEndConfig {
                    id: ctx.next_pipe_id(),
                    events: session_events,
                    in_hwm: hwm(state.core.options.sndhwm),
                    delay: true,
                },
                conflate,
            );
            state.core.attach_local(
                socket_end,
                Arc::clone(&endpoint_arc),
                connect_routing_id.clone(),
            );
            Some(PreparedPipe {
                end: session_end,
                target,
            })
        };
        let link = self.link(&state.core);
        let object = session::start_connecter(
            link,
            reactor,
            transport,
            address.to_owned(),
            Arc::clone(&endpoint_arc),
            prepared,
            connect_routing_id,
        );
        state.objects.push(object);
        state.core.last_endpoint = endpoint.to_owned();
        Ok(())
    }

    /// `zmq_bind` (DISH, DGRAM) or `zmq_connect` (RADIO) of a udp
    /// endpoint, as libzmq: other socket types (and RADIO binding, DISH
    /// or DGRAM connecting) get ENOCOMPATPROTO; the address is resolved
    /// with `ZMQ_IPV6`; the socket is opened and bound here (libzmq does
    /// that on its I/O thread and reports no error); a pipe joins the
    /// ZeroMQ socket to a udp engine on an I/O thread. `ZMQ_LAST_ENDPOINT`
    /// is the address without `udp://`, as libzmq reports it.
    fn start_udp(
        &self,
        state: &mut SocketState,
        endpoint: &str,
        address: &str,
        bind: bool,
    ) -> Result<()> {
        use zmq_transports::{UdpAddress, UdpRole, UdpSocket};
        let kind = state.core.kind;
        let role = match (kind, bind) {
            (SocketType::Dish, true) => UdpRole::Receive,
            (SocketType::Dgram, true) => UdpRole::Raw,
            (SocketType::Radio, false) => UdpRole::Send,
            _ => return Err(Error::NoCompatProto),
        };
        let options = &state.core.options;
        let resolved = UdpAddress::resolve(address, bind, options.ipv6).map_err(transport_error)?;
        let socket = UdpSocket::open(&resolved, role, &session::udp_options(options))
            .map_err(transport_error)?;
        let reactor = state.core.ctx.choose_io_thread(options.affinity)?;
        let (socket_end, engine_pipe) = datagram_pipe(&state.core, false);
        let endpoint: Arc<str> = endpoint.into();
        state
            .core
            .attach_multicast(socket_end, Arc::clone(&endpoint));
        let object = session::start_udp(reactor, socket, role, engine_pipe, endpoint);
        state.objects.push(object);
        state.core.last_endpoint = address.to_owned();
        Ok(())
    }

    /// Stops accepting on `endpoint` and closes its connections
    /// (`zmq_unbind`). ENOENT if it is not bound.
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        let mut state = self.state.borrow_mut();
        state.process_commands()?;
        #[cfg(all(feature = "pgm", target_os = "linux"))]
        pgm::check_term_endpoint(state.core.kind, endpoint)?;
        if let Ok(Endpoint::Inproc(address)) = Endpoint::parse(endpoint) {
            return self.term_inproc_endpoint(&mut state, endpoint, address.name());
        }
        self.close_objects(&mut state, endpoint)
    }

    /// Closes the connection to `endpoint` (`zmq_disconnect`). ENOENT if
    /// the socket is not connected to it.
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        let mut state = self.state.borrow_mut();
        state.process_commands()?;
        #[cfg(all(feature = "pgm", target_os = "linux"))]
        pgm::check_term_endpoint(state.core.kind, endpoint)?;
        if let Ok(Endpoint::Inproc(address)) = Endpoint::parse(endpoint) {
            self.term_inproc_endpoint(&mut state, endpoint, address.name())?;
        } else {
            self.close_objects(&mut state, endpoint)?;
        }
        // `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` asks the other connects.
        state.core.options.reconnect_stop.mark_disconnected();
        Ok(())
    }

    /// `zmq_unbind` or `zmq_disconnect` of an inproc endpoint, as
    /// libzmq's `term_endpoint`: a name this socket bound is freed (the
    /// pipes already made stay: an inproc connection has no listener
    /// behind it); otherwise the pipes this socket connected to it close,
    /// after the peer's disconnect message. ENOENT when neither.
    fn term_inproc_endpoint(
        &self,
        state: &mut SocketState,
        endpoint: &str,
        name: &str,
    ) -> Result<()> {
        if state.core.ctx.shared.inproc.unbind(self.id, Some(name)) {
            return Ok(());
        }
        if !state.core.terminate_connected_pipes_of(endpoint) {
            return Err(Error::NoEnt);
        }
        Ok(())
    }

    fn close_objects(&self, state: &mut SocketState, endpoint: &str) -> Result<()> {
        let linger = state.core.options.linger;
        let before = state.objects.len();
        state.objects.retain(|object| {
            if &*object.endpoint == endpoint {
                object.close(linger);
                false
            } else {
                true
            }
        });
        if state.objects.len() == before {
            return Err(Error::NoEnt);
        }
        state.core.terminate_pipes_of(endpoint);
        Ok(())
    }

    /// Sends one message part; `flags` takes [`DONTWAIT`] and [`SNDMORE`].
    /// `data` is anything that makes a [`Message`]: `&str`, `&[u8]`,
    /// `Vec<u8>`, `String`, a `Message`, a reference to any of these.
    pub fn send<T: Sendable>(&self, data: T, flags: i32) -> Result<()> {
        data.send(self, flags)
    }

    /// Sends one message part.
    pub fn send_msg(&self, msg: Message, flags: i32) -> Result<()> {
        self.state.borrow_mut().core.send(
            msg.into_msg(),
            flags & SNDMORE != 0,
            flags & DONTWAIT != 0,
        )
    }

    /// Sends every item of `parts` as one multipart message.
    pub fn send_multipart<I, T>(&self, parts: I, flags: i32) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: Into<Message>,
    {
        let mut parts = parts.into_iter().peekable();
        while let Some(part) = parts.next() {
            let more = if parts.peek().is_some() { SNDMORE } else { 0 };
            self.send_msg(part.into(), flags | more)?;
        }
        Ok(())
    }

    /// Receives one message part into `msg`.
    pub fn recv(&self, msg: &mut Message, flags: i32) -> Result<()> {
        *msg = self.recv_msg(flags)?;
        Ok(())
    }

    /// Receives one message part.
    pub fn recv_msg(&self, flags: i32) -> Result<Message> {
        let msg: Msg = self.state.borrow_mut().core.recv(flags & DONTWAIT != 0)?;
        Ok(Message::from_msg(msg))
    }

    /// Receives one message part as bytes.
    pub fn recv_bytes(&self, flags: i32) -> Result<Vec<u8>> {
        Ok(self.recv_msg(flags)?.to_vec())
    }

    /// Receives one message part as text; `Err(bytes)` when not UTF-8.
    pub fn recv_string(&self, flags: i32) -> Result<std::result::Result<String, Vec<u8>>> {
        let bytes = self.recv_bytes(flags)?;
        Ok(String::from_utf8(bytes).map_err(|e| e.into_bytes()))
    }

    /// Receives one message part into `buffer` (`zmq_recv`): copies what
    /// fits and returns the part's full size, which is larger than
    /// `buffer` when the part was truncated.
    pub fn recv_into(&self, buffer: &mut [u8], flags: i32) -> Result<usize> {
        let msg = self.recv_msg(flags)?;
        let n = msg.len().min(buffer.len());
        buffer[..n].copy_from_slice(&msg[..n]);
        Ok(msg.len())
    }

    /// Waits until this socket has one of `events` or `timeout_ms` passes
    /// ([`crate::poll()`] with one item): 1 when it has, 0 on timeout.
    pub fn poll(&self, events: impl Into<crate::poll::PollEvents>, timeout_ms: i64) -> Result<i32> {
        crate::poll::poll(&mut [self.as_poll_item(events)], timeout_ms)
    }

    /// Receives every part of one message.
    pub fn recv_multipart(&self, flags: i32) -> Result<Vec<Vec<u8>>> {
        let mut parts = Vec::new();
        loop {
            let msg = self.recv_msg(flags)?;
            let more = msg.get_more();
            parts.push(msg.to_vec());
            if !more {
                return Ok(parts);
            }
        }
    }

    /// `ZMQ_RCVMORE`: whether the last part received has more parts after it.
    pub fn get_rcvmore(&self) -> Result<bool> {
        Ok(self.state.borrow().core.rcvmore)
    }

    /// `ZMQ_EVENTS`: whether a message can be received now (`POLLIN`) and
    /// whether one can be sent (`POLLOUT`).
    pub fn get_events(&self) -> Result<crate::poll::PollEvents> {
        Ok(self.readiness()?.into())
    }

    /// [`Socket::get_events`] as two flags.
    pub(crate) fn readiness(&self) -> Result<Readiness> {
        let (readable, writable) = self.state.borrow_mut().core.events()?;
        Ok(Readiness { readable, writable })
    }

    /// Starts reporting the socket's events to a new PAIR socket bound to
    /// `endpoint` (an `inproc://` endpoint), as `zmq_socket_monitor` with
    /// version 1 events: connect to it with a PAIR socket and read
    /// two-frame events (see [`monitor::parse_event_v1`]). `events` is a
    /// mask of `monitor::EVENT_*`.
    pub fn monitor(&self, endpoint: &str, events: i32) -> Result<()> {
        self.monitor_versioned(endpoint, u64::from(events as u32), 1, SocketType::Pair)
    }

    /// `zmq_socket_monitor_versioned`: version 1 or 2 events into a new
    /// socket of type PAIR, PUB or PUSH bound to `endpoint`. As libzmq,
    /// any other version is accepted and then sends no event.
    pub fn monitor_versioned(
        &self,
        endpoint: &str,
        events: u64,
        version: i32,
        kind: SocketType,
    ) -> Result<()> {
        // libzmq checks only that version 1 takes no event above 16 bits
        // (src/socket_base.cpp monitor); it accepts any other version,
        // then sends no event at all.
        let state = self.state.borrow();
        let ctx = state.core.ctx.clone();
        state
            .core
            .monitor
            .start(&ctx, Some(endpoint), events, version, kind)
    }

    /// `zmq_socket_monitor_pipes_stats`: every connected peer's queue
    /// lengths arrive at the (version 2) monitor as
    /// `ZMQ_EVENT_PIPES_STATS` events, asynchronously. EINVAL when the
    /// socket's monitor does not take that event; EAGAIN when the socket
    /// has no pipe.
    pub fn monitor_pipes_stats(&self) -> Result<()> {
        self.state.borrow_mut().core.query_pipes_stats()
    }

    /// Stops monitoring (`zmq_socket_monitor(socket, NULL, 0)`); the
    /// monitor gets `MONITOR_STOPPED`.
    pub fn stop_monitor(&self) -> Result<()> {
        self.state.borrow().core.monitor.stop();
        Ok(())
    }

    /// `ZMQ_FD`: a descriptor that becomes readable when the socket may
    /// have changed state; then read [`Socket::get_events`] (edge
    /// triggered, as in libzmq: drain until `get_events` says neither).
    pub fn get_fd(&self) -> Result<crate::RawFd> {
        use std::os::fd::{AsFd, AsRawFd};
        Ok(self.state.borrow().core.mailbox.as_fd().as_raw_fd())
    }

    /// A descriptor to poll for `POLLIN` before receiving.
    ///
    /// `level_triggered == false`: `ZMQ_FD` ([`Socket::get_fd`]), edge
    /// triggered as in libzmq — it signals that commands arrived; after
    /// any call on the socket it may be quiet although messages remain, so
    /// check [`Socket::get_events`] after each receive and before polling.
    ///
    /// `level_triggered == true` (our extension, not in libzmq): a
    /// descriptor that polls readable while a message can be received (or
    /// a command waits that may bring one; a `recv` with [`DONTWAIT`]
    /// failing with `EAGAIN` then quiets it), so a plain
    /// "poll, then receive one message" loop never stalls. Made on first
    /// use; it lives as long as the socket. See `docs/options.md`.
    pub fn readiness_fd(&self, level_triggered: bool) -> Result<crate::RawFd> {
        if !level_triggered {
            return self.get_fd();
        }
        self.state.borrow_mut().core.level_readiness_fd()
    }

    /// `ZMQ_LAST_ENDPOINT`: the endpoint last bound or connected, with
    /// wildcards resolved.
    pub fn get_last_endpoint(&self) -> Result<std::result::Result<String, Vec<u8>>> {
        Ok(Ok(self.state.borrow().core.last_endpoint.clone()))
    }

    /// Closes the socket (`zmq_close`): pending outgoing messages are sent
    /// in the background for up to `ZMQ_LINGER`.
    pub fn close(mut self) {
        self.close_now();
    }

    fn close_now(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        let state = self.state.get_mut();
        let ctx = state.core.ctx.clone();
        let linger = state.core.options.linger;
        for object in state.objects.drain(..) {
            object.close(linger);
        }
        ctx.shared.inproc.unbind(self.id, None);
        // A connect still waiting for its bind keeps what was sent on it
        // for that bind (the close completes then), unless the context
        // terminates.
        if ctx.is_terminating() {
            for pipe in ctx.shared.inproc.forget_pending(self.id) {
                state.core.forget_pipe(pipe);
            }
        }
        // Pipes announced but not attached yet are closed like the others.
        let _ = state.core.process_commands();
        state.core.terminate_all_pipes();
        state.core.monitor.stop();
        let _ = state.core.process_commands();
        if !state.core.has_pipes() {
            ctx.socket_closed(self.id);
            return;
        }
        let core = std::mem::replace(
            &mut state.core,
            match SocketCore::new(ctx.clone(), SocketType::Pair) {
                Ok(core) => core,
                Err(_) => {
                    // No descriptor for a placeholder: give up waiting for
                    // the pipes rather than block the caller.
                    ctx.socket_closed(self.id);
                    return;
                }
            },
        );
        reaper::reap(ctx, core, self.id);
    }

    fn inproc_peer(&self, core: &SocketCore) -> InprocPeer {
        InprocPeer {
            socket_id: self.id,
            kind: core.kind,
            mailbox: Arc::clone(&core.mailbox),
            sndhwm: core.options.sndhwm,
            rcvhwm: core.options.rcvhwm,
            routing_id: core.options.routing_id.clone(),
            conflate: core.options.effective_conflate(core.kind),
            hello_msg: core
                .options
                .hello_msg
                .clone()
                .filter(|msg| !msg.is_empty() && sends_hello_msg(core.kind)),
            disconnect_msg: core
                .options
                .disconnect_msg
                .clone()
                .filter(|msg| !msg.is_empty() && receives_disconnect_msg(core.kind)),
        }
    }

    fn link(&self, core: &SocketCore) -> SocketLink {
        SocketLink {
            ctx: core.ctx.clone(),
            kind: core.kind,
            options: core.options.clone(),
            mailbox: Arc::clone(&core.mailbox),
            monitor: Arc::clone(&core.monitor),
        }
    }
}

/// What [`Socket::send`] takes (the `zmq` crate's trait): anything that
/// makes a [`Message`].
pub trait Sendable {
    /// Sends `self` on `socket` as one message part.
    fn send(self, socket: &Socket, flags: i32) -> Result<()>;
}

impl<T: Into<Message>> Sendable for T {
    fn send(self, socket: &Socket, flags: i32) -> Result<()> {
        socket.send_msg(self.into(), flags)
    }
}

/// The socket's `ZMQ_FD` ([`Socket::get_fd`]), as the `zmq` crate gives
/// it.
impl std::os::fd::AsRawFd for Socket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.get_fd().expect("ZMQ_FD")
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close_now();
    }
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket").field("id", &self.id).finish()
    }
}

/// What `ZMQ_EVENTS` reports, as two flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Readiness {
    /// At least one message part can be received without blocking.
    pub readable: bool,
    /// At least one message part can be sent without blocking.
    pub writable: bool,
}

/// Whether the socket type sends `ZMQ_HELLO_MSG` to new peers (libzmq's
/// `can_send_hello_msg`).
pub(crate) fn sends_hello_msg(kind: SocketType) -> bool {
    matches!(
        kind,
        SocketType::Router
            | SocketType::Dealer
            | SocketType::Client
            | SocketType::Server
            | SocketType::Peer
    )
}

/// Whether the socket type gets `ZMQ_DISCONNECT_MSG` when a peer goes
/// (libzmq's `can_recv_disconnect_msg`).
pub(crate) fn receives_disconnect_msg(kind: SocketType) -> bool {
    matches!(
        kind,
        SocketType::Router | SocketType::Server | SocketType::Peer
    )
}

/// The pipe between the socket and a datagram engine (udp, norm, pgm):
/// the socket's end, and the engine's end with the target its
/// notifications wait in until the engine runs.
fn datagram_pipe(core: &core::SocketCore, conflate: bool) -> (PipeEnd, PreparedPipe) {
    let ctx = &core.ctx;
    let options = &core.options;
    let target = PipeTarget::new();
    let session_events: Arc<dyn PipeEvents> = target.clone();
    let socket_events: Arc<dyn PipeEvents> = core.mailbox.clone();
    let (socket_end, session_end) = pipe_pair_with(
        PipeEndConfig {
            id: ctx.next_pipe_id(),
            events: socket_events,
            in_hwm: hwm(options.rcvhwm),
            delay: true,
        },
        PipeEndConfig {
            id: ctx.next_pipe_id(),
            events: session_events,
            in_hwm: hwm(options.sndhwm),
            delay: true,
        },
        conflate,
    );
    let engine_pipe = PreparedPipe {
        end: session_end,
        target,
    };
    (socket_end, engine_pipe)
}

/// A high-water mark option as a pipe limit (0 and below: unlimited).
fn hwm(value: i32) -> usize {
    usize::try_from(value).unwrap_or(0)
}

/// The part of an endpoint after `scheme://`.
fn endpoint_address(endpoint: &str) -> Result<&str> {
    endpoint
        .split_once("://")
        .map(|(_, address)| address)
        .ok_or(Error::Inval)
}

fn transport_error(err: zmq_transports::TransportError) -> Error {
    Error::from_errno(err.errno())
}

impl From<Readiness> for crate::poll::PollEvents {
    fn from(state: Readiness) -> crate::poll::PollEvents {
        let mut events = crate::poll::PollEvents::empty();
        if state.readable {
            events |= crate::poll::POLLIN;
        }
        if state.writable {
            events |= crate::poll::POLLOUT;
        }
        events
    }
}
