//! Test support: a reactor driven on the test thread, the socket's side of
//! the pipes (fed by a test mailbox), and a raw ZMTP peer over a std
//! stream, all polled without blocking so one loop moves everything.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use zmq_patterns::{Msg, Pipe, SocketType};

use crate::context::Context;
use crate::engine::{ConnectionConfig, ConnectionEvent, ZmtpConnection};
use crate::io::IoCommand;
use crate::mailbox::Mailbox;
use crate::options::SocketOptions;
use crate::pipe::{PipeEnd, PipeEndConfig, PipeEvents, PipeSignal, pipe_pair};
use crate::pipe_target::PipeTarget;
use crate::reactor::{HandlerId, Reactor};
use crate::session::{IoObject, PreparedPipe, SocketLink};
use crate::socket::{SocketCommand, SocketMailbox};

/// Longest any test waits for anything.
pub(super) const WAIT: Duration = Duration::from_secs(10);

/// Runs `step` until it returns true; fails the test after [`WAIT`].
pub(super) fn eventually(what: &str, mut step: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !step() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
    }
}

/// The socket's side: the pipe ends it was given and what it was told.
pub(super) struct SocketSide {
    pub mailbox: Arc<SocketMailbox>,
    pub pipes: Vec<PipeEnd>,
    pub attaches: Vec<(Arc<str>, bool, Option<Bytes>)>,
    pub terminated: usize,
}

impl SocketSide {
    fn new() -> SocketSide {
        SocketSide {
            mailbox: Arc::new(Mailbox::new().expect("mailbox")),
            pipes: Vec::new(),
            attaches: Vec::new(),
            terminated: 0,
        }
    }

    /// Applies every waiting command, as the socket core does.
    pub fn poll(&mut self) {
        while let Some(command) = self.mailbox.try_recv() {
            match command {
                SocketCommand::Attach {
                    pipe,
                    endpoint,
                    locally_initiated,
                    connect_routing_id,
                } => {
                    self.pipes.push(pipe);
                    self.attaches
                        .push((endpoint, locally_initiated, connect_routing_id));
                }
                SocketCommand::Pipe(id, event) => {
                    if let Some(i) = self.pipes.iter().position(|p| p.id() == id)
                        && self.pipes[i].process(event) == PipeSignal::Terminated
                    {
                        self.pipes.remove(i);
                        self.terminated += 1;
                    }
                }
                SocketCommand::Hiccup(_)
                | SocketCommand::PipeEnds { .. }
                | SocketCommand::Stop
                | SocketCommand::Wake
                | SocketCommand::EndpointEnded(_) => {}
            }
        }
    }

    /// The newest pipe.
    pub fn pipe(&mut self) -> &mut PipeEnd {
        self.pipes.last_mut().expect("a pipe")
    }

    /// Reads one part from the newest pipe, if any.
    pub fn read(&mut self) -> Option<Msg> {
        self.pipes.last_mut().and_then(PipeEnd::read)
    }

    /// Writes and flushes one part into the newest pipe.
    pub fn send(&mut self, data: &[u8], more: bool) {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        let pipe = self.pipe();
        assert!(pipe.write(msg).is_ok(), "pipe full");
        pipe.flush();
    }
}

/// A reactor on the test thread plus the socket side.
pub(super) struct Harness {
    pub reactor: Reactor<IoCommand>,
    pub socket: SocketSide,
    pub ctx: Context,
}

impl Harness {
    pub fn new() -> Harness {
        Harness {
            reactor: Reactor::new().expect("reactor"),
            socket: SocketSide::new(),
            ctx: Context::new(),
        }
    }

    pub fn link(&self, kind: SocketType, options: SocketOptions) -> SocketLink {
        SocketLink {
            ctx: self.ctx.clone(),
            kind,
            options,
            mailbox: Arc::clone(&self.socket.mailbox),
            monitor: Arc::default(),
        }
    }

    /// A pipe as the socket makes it for a connect without immediate: the
    /// socket's end is attached at once.
    pub fn prepared_pipe(&mut self, options: &SocketOptions) -> PreparedPipe {
        let target = PipeTarget::new();
        let session_events: Arc<dyn PipeEvents> = target.clone();
        let socket_events: Arc<dyn PipeEvents> = self.socket.mailbox.clone();
        let (socket_end, session_end) = pipe_pair(
            PipeEndConfig {
                id: self.ctx.next_pipe_id(),
                events: socket_events,
                in_hwm: super::super::hwm(options.rcvhwm),
                delay: true,
            },
            PipeEndConfig {
                id: self.ctx.next_pipe_id(),
                events: session_events,
                in_hwm: super::super::hwm(options.sndhwm),
                delay: true,
            },
        );
        self.socket.pipes.push(socket_end);
        PreparedPipe {
            end: session_end,
            target,
        }
    }

    /// One reactor turn (at most 1 ms of waiting), then the socket side.
    pub fn turn(&mut self) {
        self.reactor
            .run_once(Some(Duration::from_millis(1)))
            .expect("reactor turn");
        self.socket.poll();
    }

    /// Handlers alive on the reactor.
    pub fn handlers(&self) -> usize {
        self.reactor.handle().load()
    }
}

/// The handler id of an I/O object once registered.
pub(super) fn handler_of(object: &IoObject) -> Option<HandlerId> {
    object.handler.get().copied()
}

/// A ZMTP peer over a std TCP stream, polled without blocking.
pub(super) struct Peer {
    pub stream: TcpStream,
    pub conn: ZmtpConnection,
    buf: BytesMut,
    pub inbox: VecDeque<Msg>,
    pub established: bool,
    pub failed: bool,
    pub eof: bool,
}

impl Peer {
    pub fn new(stream: TcpStream, socket_type: SocketType, as_server: bool) -> Peer {
        Peer::with_config(stream, peer_config(socket_type, as_server))
    }

    pub fn with_config(stream: TcpStream, config: ConnectionConfig) -> Peer {
        stream.set_nonblocking(true).expect("nonblocking");
        Peer {
            stream,
            conn: ZmtpConnection::new(config, Instant::now()).expect("connection"),
            buf: BytesMut::new(),
            inbox: VecDeque::new(),
            established: false,
            failed: false,
            eof: false,
        }
    }

    /// Moves bytes both ways as far as possible now.
    pub fn poll(&mut self) {
        self.write();
        let mut chunk = [0u8; 16 * 1024];
        while !self.eof {
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    self.conn.receive_eof();
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    self.conn.receive(&mut self.buf, Instant::now());
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    self.eof = true;
                    self.conn.receive_eof();
                }
            }
        }
        while let Some(event) = self.conn.poll_event() {
            match event {
                ConnectionEvent::HandshakeSucceeded { .. } => self.established = true,
                ConnectionEvent::Message(msg) => self.inbox.push_back(msg),
                ConnectionEvent::Failed { .. } => self.failed = true,
            }
        }
        self.write();
    }

    fn write(&mut self) {
        if let Some(queue) = self.conn.poll_transmit() {
            match queue.write_to(&mut self.stream) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => self.failed = true,
            }
        }
    }

    /// Queues one part for the session.
    pub fn send(&mut self, data: &[u8], more: bool) {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        assert!(self.conn.send_msg(msg).is_ok(), "peer not established");
        self.write();
    }

    /// Writes raw bytes (for malformed input).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("raw write");
    }
}

/// A peer connection's settings.
pub(super) fn peer_config(socket_type: SocketType, as_server: bool) -> ConnectionConfig {
    let mut config = ConnectionConfig::new(socket_type);
    config.as_server = as_server;
    config
}

/// The `host:port` of a `tcp://host:port` endpoint.
pub(super) fn tcp_address(endpoint: &str) -> &str {
    endpoint.strip_prefix("tcp://").expect("a tcp endpoint")
}
