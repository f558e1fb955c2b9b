//! Listeners, connecters and sessions: the objects a socket places on an
//! I/O thread for its tcp and ipc endpoints.
//!
//! ```text
//!  socket thread                     I/O thread (one reactor)
//!  -------------                     ------------------------
//!  bind ──► start_listener ────────► ListenerHandler ──accept──► Session (accepted)
//!  connect ► start_connecter ──────► Session (connecter): connect, reconnect
//!                                      │ StreamEngine = ZmtpConnection + Stream
//!  SocketCore ◄── Attach(PipeEnd) ─────┘ PipeEnd ◄──► socket's PipeEnd
//!  unbind / disconnect / close ──► IoObject::close(linger) ──► Close command
//! ```
//!
//! Every handler registers its descriptor from inside its own callbacks (the
//! first one is a zero-delay timer set when it is added), so the descriptor
//! it registers is always a field of the handler itself.

/// Accepting connections on a bound endpoint.
mod listener;
/// norm:// (NRL's NORM library): PUB/XPUB send, SUB/XSUB receive.
#[cfg(feature = "norm")]
pub(crate) mod norm;
/// One peer connection: stream, ZMTP connection, pipe to the socket.
mod peer_session;
/// pgm/epgm sockets (PUB/XPUB send, SUB/XSUB receive) over libpgm.
#[cfg(all(feature = "pgm", target_os = "linux"))]
mod pgm_engine;
/// The ZeroMQ layout of pgm data: APDUs of ZMTP/1.0 frames.
#[cfg(all(feature = "pgm", target_os = "linux"))]
mod pgm_wire;
/// Raw byte connections (STREAM, `ZMQ_ROUTER_RAW`): no ZMTP.
mod raw_engine;
/// Read buffers recycled per I/O thread.
mod read_buffers;
/// Reconnect intervals with backoff.
mod reconnect;
/// A ZMTP or raw connection over a transport stream.
mod stream_engine;
/// udp sockets (RADIO/DISH, DGRAM): a datagram per message, no ZMTP.
mod udp_engine;
/// ZMTP or raw: the connection a stream engine drives.
mod wire_protocol;

#[cfg(test)]
mod tests;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use zmq_patterns::SocketType;
use zmq_transports::{Listener, Transport, TransportOptions, UdpOptions, UdpRole, UdpSocket};

use crate::context::Context;
use crate::io::{HandlerEvents, IoCommand};
use crate::monitor::{Event, MonitorSlot};
use crate::options::SocketOptions;
use crate::pipe::PipeEnd;
use crate::pipe_target::PipeTarget;
use crate::reactor::{HandlerId, Reactor, ReactorHandle};
use crate::socket::SocketMailbox;

use listener::ListenerHandler;
use peer_session::Session;

/// What an I/O-thread object needs to know about the socket that owns it.
#[derive(Clone)]
pub(crate) struct SocketLink {
    /// For pipe ids (`next_pipe_id`).
    pub(crate) ctx: Context,
    /// The socket type (ZMTP socket type, routing-id message).
    pub(crate) kind: SocketType,
    /// Snapshot of the socket options taken at bind/connect time.
    pub(crate) options: SocketOptions,
    /// Where `SocketCommand::Attach` goes.
    pub(crate) mailbox: Arc<SocketMailbox>,
    /// Where monitor events go.
    pub(crate) monitor: Arc<MonitorSlot>,
}

impl SocketLink {
    /// Reports a monitor event about `endpoint` (cheap when unmonitored).
    pub(crate) fn event(&self, id: u64, value: u64, local: &str, remote: &str, bound: bool) {
        self.monitor.emit(Event {
            id,
            value,
            local,
            remote,
            bound,
        });
    }
}

/// A listener or a connecting session living on an I/O thread, as its
/// socket holds it.
pub(crate) struct IoObject {
    reactor: ReactorHandle<IoCommand>,
    /// Set on the I/O thread once the handler is added.
    handler: Arc<OnceLock<HandlerId>>,
    /// The endpoint it serves (resolved for a bind, as given for a connect).
    pub(crate) endpoint: Arc<str>,
    /// A listener's close waits until its descriptor is closed, so that the
    /// endpoint can be bound again as soon as unbind or close returns.
    is_listener: bool,
}

/// How long a listener's close waits for its I/O thread.
const LISTENER_CLOSE_WAIT: Duration = Duration::from_secs(2);

impl IoObject {
    /// Unbind, disconnect or socket close: the object stops accepting or
    /// reconnecting, sends what it still holds for at most `linger` ms
    /// (-1: no limit, 0: drop at once) and removes itself.
    pub(crate) fn close(&self, linger: i32) {
        let handler = Arc::clone(&self.handler);
        // Queued behind the registration task, so the id is known by then.
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<()>(1);
        self.reactor.run(move |reactor| {
            if let Some(&id) = handler.get() {
                let handle = reactor.handle();
                handle.deliver(id, IoCommand::Close { linger });
                // Queued after the close: runs once the handler is gone.
                handle.run(move |_| {
                    let _ = done_tx.send(());
                });
            }
        });
        if self.is_listener {
            // The I/O thread may be gone (context terminated): bounded wait.
            let _ = done_rx.recv_timeout(LISTENER_CLOSE_WAIT);
        }
    }
}

/// A pipe made on the socket thread for a connect with `ZMQ_IMMEDIATE` off:
/// the socket already attached its end; the session takes this end, and
/// becomes `target`'s owner when it is registered.
pub(crate) struct PreparedPipe {
    /// The session's end.
    pub(crate) end: PipeEnd,
    /// Where notifications for `end` wait until the session exists.
    pub(crate) target: Arc<PipeTarget>,
}

/// Starts accepting on `listener` (already bound by the socket) on the
/// I/O thread of `reactor`.
pub(crate) fn start_listener(
    link: SocketLink,
    reactor: ReactorHandle<IoCommand>,
    listener: Box<dyn Listener>,
    endpoint: Arc<str>,
) -> IoObject {
    let handler = Arc::new(OnceLock::new());
    let cell = Arc::clone(&handler);
    let listening = ListenerHandler::new(link, listener, Arc::clone(&endpoint));
    reactor.run(move |reactor| {
        let _ = cell.set(ListenerHandler::add(reactor, listening));
    });
    IoObject {
        reactor,
        handler,
        endpoint,
        is_listener: true,
    }
}

/// Starts connecting to `address` (the endpoint without its scheme) on the
/// I/O thread of `reactor`; reconnects as the socket options say until
/// closed.
pub(crate) fn start_connecter(
    link: SocketLink,
    reactor: ReactorHandle<IoCommand>,
    transport: Arc<dyn Transport>,
    address: String,
    endpoint: Arc<str>,
    pipe: Option<PreparedPipe>,
    connect_routing_id: Option<Bytes>,
) -> IoObject {
    let handler = Arc::new(OnceLock::new());
    let cell = Arc::clone(&handler);
    let (end, target) = match pipe {
        Some(PreparedPipe { end, target }) => (Some(end), Some(target)),
        None => (None, None),
    };
    let connecter = Session::connecter(
        link,
        Arc::clone(&endpoint),
        transport,
        address,
        end,
        connect_routing_id,
    );
    reactor.run(move |reactor| {
        let id = Session::add(reactor, connecter);
        let _ = cell.set(id);
        if let Some(target) = target {
            target.set_owner(Arc::new(HandlerEvents {
                reactor: reactor.handle(),
                handler: id,
            }));
        }
    });
    IoObject {
        reactor,
        handler,
        endpoint,
        is_listener: false,
    }
}

/// Starts a datagram engine (udp, norm, pgm: one handler per endpoint,
/// no connection life cycle) on the I/O thread of `reactor`, attached to
/// the session end of `pipe`; `add` registers it with the reactor.
fn start_multicast<E: Send + 'static>(
    reactor: ReactorHandle<IoCommand>,
    engine: E,
    add: fn(&mut Reactor<IoCommand>, E) -> HandlerId,
    target: Arc<PipeTarget>,
    endpoint: Arc<str>,
    is_listener: bool,
) -> IoObject {
    let handler = Arc::new(OnceLock::new());
    let cell = Arc::clone(&handler);
    reactor.run(move |reactor| {
        let id = add(reactor, engine);
        let _ = cell.set(id);
        target.set_owner(Arc::new(HandlerEvents {
            reactor: reactor.handle(),
            handler: id,
        }));
    });
    IoObject {
        reactor,
        handler,
        endpoint,
        is_listener,
    }
}

/// Starts a udp engine for `socket` (already bound or ready to send) on
/// the I/O thread of `reactor`, attached to the session end of a pipe the
/// socket attached already. Closing it waits until its descriptor is
/// closed, so that the address can be bound again at once.
pub(crate) fn start_udp(
    reactor: ReactorHandle<IoCommand>,
    socket: UdpSocket,
    role: UdpRole,
    pipe: PreparedPipe,
    endpoint: Arc<str>,
) -> IoObject {
    let PreparedPipe { end, target } = pipe;
    let engine = udp_engine::UdpEngine::new(socket, role, end);
    start_multicast(
        reactor,
        engine,
        udp_engine::UdpEngine::add,
        target,
        endpoint,
        true,
    )
}

/// Starts a norm engine for `norm` (its NORM session already started)
/// on the I/O thread of `reactor`, attached to the session end of a pipe
/// the socket attached already.
#[cfg(feature = "norm")]
pub(crate) fn start_norm(
    reactor: ReactorHandle<IoCommand>,
    norm: norm::Session,
    sender: bool,
    max_msg_size: i64,
    pipe: PreparedPipe,
    endpoint: Arc<str>,
) -> IoObject {
    let PreparedPipe { end, target } = pipe;
    let engine = norm::NormEngine::new(norm, sender, end, max_msg_size);
    start_multicast(
        reactor,
        engine,
        norm::NormEngine::add,
        target,
        endpoint,
        false,
    )
}

/// Starts a pgm engine for `socket` (open and connected) on the I/O
/// thread of `reactor`, attached to the session end of a pipe the socket
/// attaches next; `max_msg_size` is `ZMQ_MAXMSGSIZE`.
#[cfg(all(feature = "pgm", target_os = "linux"))]
pub(crate) fn start_pgm(
    reactor: ReactorHandle<IoCommand>,
    socket: zmq_transports::pgm::PgmSocket,
    max_msg_size: i64,
    pipe: PreparedPipe,
    endpoint: Arc<str>,
) -> crate::error::Result<IoObject> {
    let PreparedPipe { end, target } = pipe;
    let engine =
        pgm_engine::PgmEngine::new(socket, end, max_msg_size).map_err(crate::error::Error::from)?;
    let add = pgm_engine::PgmEngine::add;
    Ok(start_multicast(
        reactor, engine, add, target, endpoint, false,
    ))
}

/// The socket options a udp socket applies.
pub(crate) fn udp_options(options: &SocketOptions) -> UdpOptions {
    UdpOptions {
        multicast_loop: options.net.multicast_loop,
        multicast_hops: options.net.multicast_hops,
        sndbuf: options.sndbuf,
        rcvbuf: options.rcvbuf,
        bind_to_device: (!options.net.bind_to_device.is_empty())
            .then(|| String::from_utf8_lossy(&options.net.bind_to_device).into_owned()),
    }
}

/// The socket options a transport applies ([`SocketOptions`] →
/// [`TransportOptions`]).
pub(crate) fn transport_options(options: &SocketOptions) -> TransportOptions {
    TransportOptions {
        ipv6: options.ipv6,
        backlog: options.backlog,
        sndbuf: options.sndbuf,
        rcvbuf: options.rcvbuf,
        tcp_keepalive: options.tcp_keepalive,
        tcp_keepalive_cnt: options.tcp_keepalive_cnt,
        tcp_keepalive_idle: options.tcp_keepalive_idle,
        tcp_keepalive_intvl: options.tcp_keepalive_intvl,
        tos: options.net.tos,
        priority: options.net.priority,
        busy_poll: options.net.busy_poll,
        // The transports take text: a name that is not UTF-8 (which no
        // interface or host has) reaches them with U+FFFD in place.
        bind_to_device: (!options.net.bind_to_device.is_empty())
            .then(|| String::from_utf8_lossy(&options.net.bind_to_device).into_owned()),
        tcp_maxrt: options.net.tcp_maxrt,
        tcp_accept_filters: options.net.tcp_accept_filters.clone(),
        ipc_filter_uids: options.net.ipc_filter_uids.clone(),
        ipc_filter_gids: options.net.ipc_filter_gids.clone(),
        ipc_filter_pids: options.net.ipc_filter_pids.clone(),
        socks_proxy: (!options.net.socks_proxy.is_empty()).then(|| zmq_transports::SocksProxy {
            address: String::from_utf8_lossy(&options.net.socks_proxy).into_owned(),
            username: String::from_utf8_lossy(&options.net.socks_username).into_owned(),
            password: String::from_utf8_lossy(&options.net.socks_password).into_owned(),
        }),
        use_fd: options.net.use_fd.clone(),
        vmci_buffer_size: options.net.vmci_buffer_size,
        vmci_buffer_min_size: options.net.vmci_buffer_min_size,
        vmci_buffer_max_size: options.net.vmci_buffer_max_size,
        vmci_connect_timeout: options.net.vmci_connect_timeout,
        ws: ws_options(options),
    }
}

/// [`transport_options`] for a socket of `kind` (the ws transport's bare
/// `ZWS2.0` subprotocol takes the peer to be a type `kind` accepts).
pub(crate) fn transport_options_for(options: &SocketOptions, kind: SocketType) -> TransportOptions {
    let mut transport = transport_options(options);
    if let Some(zmtp) = zmtp_codec::SocketType::from_number(kind.to_raw()) {
        transport.ws.socket_type = zmtp.wire_name().to_owned();
    }
    transport
}

/// What the ws and wss transports need of the socket options.
fn ws_options(options: &SocketOptions) -> zmq_transports::WsOptions {
    use crate::options::Mechanism;
    let net = &options.net;
    zmq_transports::WsOptions {
        mechanism: match options.mechanism {
            Mechanism::Null => zmq_transports::WsMechanism::Null,
            Mechanism::Plain => zmq_transports::WsMechanism::Plain,
            Mechanism::Curve => zmq_transports::WsMechanism::Curve,
            Mechanism::Gssapi => zmq_transports::WsMechanism::Unsupported,
        },
        mechanism_server: options.as_server,
        socket_type: String::new(),
        tls: zmq_transports::WssOptions {
            cert_pem: net.wss_cert_pem.clone(),
            key_pem: net.wss_key_pem.clone(),
            trust_pem: net.wss_trust_pem.clone(),
            trust_system: net.wss_trust_system,
            hostname: String::from_utf8_lossy(&net.wss_hostname).into_owned(),
        },
    }
}

/// Makes a just-added handler run its first callback (a zero-delay timer)
/// on the reactor's next turn, where it registers its own descriptor.
fn start_on_first_turn(reactor: &mut Reactor<IoCommand>, id: HandlerId) {
    reactor.add_timer(id, Duration::ZERO);
}

/// A high-water mark option as a pipe limit (negative is unlimited).
fn hwm(value: i32) -> usize {
    usize::try_from(value).unwrap_or(0)
}
