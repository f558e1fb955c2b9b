//! `StreamEngine`: one [`ZmtpConnection`] (or, for STREAM and raw ROUTER
//! sockets, one [`RawConnection`](super::raw_engine::RawConnection)) over
//! one transport [`Stream`].
//!
//! It only moves bytes: a read feeds the connection, a write drains the
//! connection's transmit queue with one `writev` per call. What the
//! connection produces (events, messages) is the session's business.

use std::io::{self, ErrorKind, Read};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use zmq_patterns::SocketKind;
use zmq_transports::Stream;
use zmtp_codec::SocketType;

use super::SocketLink;
use super::raw_engine::RawConnection;
use super::wire_protocol::{WireProtocol, speaks_raw};
use zmq_mechanisms::SecretKey;

use crate::engine::{ConnectionConfig, MechanismChoice, ZmtpConnection};
use crate::inproc::ZAP_HANDLER_NAME;
use crate::options::{self, Mechanism};

/// Bytes asked for per `read` system call.
const READ_CHUNK: usize = 64 * 1024;

/// What one read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadStatus {
    /// This many bytes were fed to the connection.
    Data(usize),
    /// Nothing to read now.
    WouldBlock,
    /// The peer closed, or the stream failed: the connection was told.
    Closed,
}

/// A connection and its stream.
pub(super) struct StreamEngine {
    stream: Box<dyn Stream>,
    connection: WireProtocol,
    /// Received bytes not decoded yet (a partial frame at most).
    pending: BytesMut,
    /// Where `read` writes; copied into `pending` (only what was read).
    scratch: Box<[u8]>,
}

impl StreamEngine {
    /// Starts the ZMTP connection (greeting queued) over `stream`. `None`
    /// when the socket type does not speak ZMTP.
    pub(super) fn new(
        stream: Box<dyn Stream>,
        link: &SocketLink,
        as_server: bool,
        now: Instant,
    ) -> Option<StreamEngine> {
        let connection = if speaks_raw(link) {
            let notify = link.options.stream_notify;
            WireProtocol::Raw(RawConnection::new(stream.peer_address(), notify))
        } else {
            let config = connection_config(link, as_server, stream.peer_address())?;
            WireProtocol::Zmtp(Box::new(ZmtpConnection::new(config, now).ok()?))
        };
        Some(StreamEngine {
            stream,
            connection,
            pending: BytesMut::with_capacity(READ_CHUNK),
            scratch: vec![0u8; READ_CHUNK].into_boxed_slice(),
        })
    }

    /// The stream's descriptor, to register with the reactor.
    pub(super) fn fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }

    /// The connection (ZMTP or raw).
    pub(super) fn connection(&mut self) -> &mut WireProtocol {
        &mut self.connection
    }

    /// Reads once (up to 64 KiB) and feeds what came to the connection.
    pub(super) fn read_once(&mut self, now: Instant) -> ReadStatus {
        loop {
            match self.stream.read(&mut self.scratch) {
                Ok(0) => {
                    self.connection.receive_eof();
                    return ReadStatus::Closed;
                }
                Ok(n) => {
                    let data = self.scratch.get(..n).unwrap_or(&[]);
                    self.pending.extend_from_slice(data);
                    self.connection.receive(&mut self.pending, now);
                    return ReadStatus::Data(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return ReadStatus::WouldBlock,
                Err(_) => {
                    self.connection.receive_eof();
                    return ReadStatus::Closed;
                }
            }
        }
    }

    /// Hands the ZAP handler's reply to the connection and resumes decoding
    /// what arrived while it waited.
    pub(super) fn zap_reply(&mut self, frames: &[Bytes], now: Instant) {
        self.connection.zap_reply_frames(frames, now);
        self.connection.receive(&mut self.pending, now);
    }

    /// Bytes queued for the peer.
    pub(super) fn queued(&mut self) -> usize {
        self.connection.poll_transmit().map_or(0, |q| q.len())
    }

    /// Writes queued bytes until none are left (`Ok(true)`) or the stream
    /// takes no more (`Ok(false)`). Each call to `writev` carries as many
    /// queued chunks as fit.
    pub(super) fn write(&mut self) -> io::Result<bool> {
        loop {
            let Some(queue) = self.connection.poll_transmit() else {
                return Ok(true);
            };
            match queue.write_to(&mut self.stream) {
                Ok(0) => return Err(io::Error::from(ErrorKind::WriteZero)),
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }
}

/// The connection settings for a stream of `link`'s socket.
fn connection_config(
    link: &SocketLink,
    as_server: bool,
    peer_address: &str,
) -> Option<ConnectionConfig> {
    let socket_type = zmtp_socket_type(link.kind)?;
    let mut config = ConnectionConfig::new(socket_type);
    let o = &link.options;
    config.routing_id = o.routing_id.clone();
    config.as_server = as_server;
    config.max_msg_size = o.maxmsgsize;
    config.handshake_ivl = options::timeout(o.handshake_ivl).unwrap_or_default();
    config.heartbeat_ivl = options::timeout(o.heartbeat_ivl).unwrap_or_default();
    config.heartbeat_ttl = options::timeout(o.heartbeat_ttl).unwrap_or_default();
    config.heartbeat_timeout = options::timeout(o.heartbeat_timeout);
    config.recv_routing_id = link.kind.wants_routing_id();
    config.peer_address = Some(Bytes::copy_from_slice(peer_address.as_bytes()));
    config.mechanism = match o.mechanism {
        Mechanism::Null => MechanismChoice::Null,
        Mechanism::Plain => MechanismChoice::Plain {
            server: o.as_server,
            username: o.plain_username.clone(),
            password: o.plain_password.clone(),
        },
        Mechanism::Curve => MechanismChoice::Curve {
            server: o.as_server,
            public: o.curve_public_key,
            secret: SecretKey::from_bytes(o.curve_secret_key),
            server_key: o.curve_server_key,
        },
    };
    config.zap_domain = o.zap_domain.clone();
    config.zap_enforce_domain = o.zap_enforce_domain;
    config.zap_handler_available = link.ctx.shared.inproc.is_bound(ZAP_HANDLER_NAME);
    config.metadata = o.net.metadata.clone();
    Some(config)
}

/// The ZMTP socket type of a socket kind.
fn zmtp_socket_type(kind: SocketKind) -> Option<SocketType> {
    SocketType::from_number(kind.raw())
}
