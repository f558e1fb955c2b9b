//! `StreamEngine`: one [`ZmtpConnection`] (or, for STREAM and raw ROUTER
//! sockets, one [`RawConnection`](super::raw_engine::RawConnection)) over
//! one transport [`Stream`].
//!
//! It only moves bytes: a read feeds the connection, a write drains the
//! connection's transmit queue with one `writev` per call. What the
//! connection produces (events, messages) is the session's business.

use std::io::{self, ErrorKind, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use zmq_transports::Stream;

use super::SocketLink;
use super::raw_engine::RawConnection;
use super::read_buffers;
use super::wire_protocol::{WireProtocol, speaks_raw};
use zmq_mechanisms::SecretKey;

use crate::engine::{
    ConnectionConfig, ConnectionPhase, HANDSHAKE_MAX_FRAME, MechanismChoice, ZmtpConnection,
};
use crate::inproc::ZAP_HANDLER_NAME;
use crate::options::{self, Mechanism};

/// Room made in the read buffer when it runs short: a 64 KiB message with
/// its frame header fits in one fresh buffer.
const READ_CHUNK: usize = 64 * 1024 + 64;
/// Below this much free room the read buffer is reclaimed (or replaced by
/// a recycled one) to hold [`READ_CHUNK`] bytes before the next `read`, so
/// reads stay large.
const MIN_READ_ROOM: usize = 8 * 1024;

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

/// Most bytes written per [`StreamEngine::write`] call. Writing more
/// before the peer (often on the same machine, even the same I/O thread)
/// reads any only fills socket buffers with data that leaves the CPU
/// caches before it is read: libzmq's rhythm of one message (or one 8 KiB
/// batch) per write keeps it hot, and is faster for large messages.
/// A 64 KiB message with its frame header fits in one budget (a budget of
/// exactly 64 KiB left its last 9 bytes for the next reactor turn).
const WRITE_BUDGET: usize = 64 * 1024 + 64;
/// Most bytes written per call while a body larger than [`WRITE_BUDGET`]
/// is at the front of the queue (see [`StreamEngine::write`]).
const LARGE_WRITE_MAX: usize = 256 * 1024 + 64;

/// A connection and its stream.
pub(super) struct StreamEngine {
    stream: Box<dyn Stream>,
    connection: WireProtocol,
    /// Received bytes not decoded yet (a partial frame at most); `read`
    /// writes straight into its spare capacity, and frame bodies are cut
    /// out of it without copying.
    pending: BytesMut,
    /// The last read took less than the room it offered: the socket had
    /// nothing more then (another read now would find nothing).
    drained: bool,
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
            WireProtocol::Raw(RawConnection::new(
                stream.peer_address(),
                stream.raw_fd(),
                notify,
            ))
        } else {
            let mut config = connection_config(link, as_server, stream.peer_address())?;
            config.source_fd = Some(stream.raw_fd());
            // ZWS heartbeats are WebSocket ping/pong frames beside the
            // mechanism (libzmq's ws engine): under CURVE too, PING and
            // PONG go out unboxed for the stream to turn into frames.
            config.unboxed_heartbeats = stream.local_endpoint().starts_with("ws");
            WireProtocol::Zmtp(Box::new(ZmtpConnection::new(config, now).ok()?))
        };
        Some(StreamEngine {
            stream,
            connection,
            pending: BytesMut::with_capacity(READ_CHUNK),
            drained: false,
        })
    }

    /// Whether the stream holds input its descriptor no longer shows.
    pub(super) fn has_buffered_input(&self) -> bool {
        self.stream.has_buffered_input()
    }

    /// The stream's descriptor, to register with the reactor.
    pub(super) fn fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }

    /// The stream's remote end as an endpoint (monitor events).
    pub(super) fn peer_endpoint(&self) -> &str {
        self.stream.peer_endpoint()
    }

    /// The connection (ZMTP or raw).
    pub(super) fn connection(&mut self) -> &mut WireProtocol {
        &mut self.connection
    }

    /// Whether to read the stream now: while the connection takes bytes,
    /// and while it waits for a ZAP verdict as long as less than
    /// [`HANDSHAKE_MAX_FRAME`] bytes wait in the read buffer. Reading on
    /// then (bounded) is what shows a peer that closes meanwhile: libzmq
    /// reads on and reports HANDSHAKE_FAILED_NO_DETAIL with EPIPE.
    pub(super) fn takes_input(&self) -> bool {
        match &self.connection {
            WireProtocol::Zmtp(connection) => match connection.phase() {
                ConnectionPhase::AwaitingZap => self.pending.len() < HANDSHAKE_MAX_FRAME,
                phase => phase.reads_input(),
            },
            WireProtocol::Raw(_) => true,
        }
    }

    /// Reads once (into the read buffer's free room: at least 8 KiB, and
    /// room for the whole frame whose body is arriving) and feeds what came
    /// to the connection.
    pub(super) fn read_once(&mut self, now: Instant) -> ReadStatus {
        let wanted = match &self.connection {
            WireProtocol::Zmtp(connection) => connection.bytes_wanted(self.pending.len()),
            WireProtocol::Raw(_) => 0,
        };
        let room = wanted.max(MIN_READ_ROOM);
        if self.pending.capacity() - self.pending.len() < room {
            // Room up to a whole read chunk (more when the frame waiting in
            // place needs it), in the same allocation when no frame body
            // still points into it (the partial frame moves to the front),
            // else in a recycled one, else in a new one: buffers then all
            // have the same size and are recycled for any partial frame.
            let room = room.max(READ_CHUNK.saturating_sub(self.pending.len()));
            read_buffers::make_room(&mut self.pending, room);
        }
        loop {
            let fd = self.stream.direct_read_fd();
            let body = match (&mut self.connection, fd) {
                (WireProtocol::Zmtp(connection), Some(fd)) => {
                    connection.body_buffer(|| bytes_waiting(fd))
                }
                _ => None,
            };
            let read = match (fd, body) {
                // A large body's bytes go straight into its own buffer.
                (Some(fd), Some((body, missing))) => {
                    read_body_into_spare(fd, body, missing, &mut self.pending)
                }
                (Some(fd), _) => read_into_spare(fd, &mut self.pending),
                (None, _) => read_through(&mut *self.stream, &mut self.pending).map(|n| (n, false)),
            };
            let read = read.map(|(n, drained)| {
                self.drained = drained;
                n
            });
            match read {
                Ok(0) => {
                    self.connection.receive_eof();
                    return ReadStatus::Closed;
                }
                Ok(n) => {
                    self.connection.receive(&mut self.pending, now);
                    return ReadStatus::Data(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return ReadStatus::WouldBlock,
                Err(e) if is_ws_upgrade_failure(&e) => {
                    self.connection.receive_ws_upgrade_failure();
                    return ReadStatus::Closed;
                }
                Err(e) => {
                    self.connection
                        .receive_error(e.raw_os_error().unwrap_or(libc::EIO));
                    return ReadStatus::Closed;
                }
            }
        }
    }

    /// Whether the last read found the socket drained (it took less than
    /// the room offered): reading again in the same turn would only find
    /// nothing; the level-triggered reactor reports the descriptor again
    /// when more comes.
    pub(super) fn drained(&self) -> bool {
        self.drained
    }

    /// Decodes bytes left in the read buffer when decoding stopped at the
    /// event limit (without reading).
    pub(super) fn decode_backlog(&mut self, now: Instant) {
        self.connection.receive(&mut self.pending, now);
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

    /// Writes queued bytes until none are left (`Ok(true)`), or the stream
    /// takes no more or [`WRITE_BUDGET`] bytes went out (`Ok(false)`: the
    /// caller waits until writable). Each call to `writev` carries as many
    /// queued chunks as fit in the budget.
    pub(super) fn write(&mut self) -> io::Result<bool> {
        // A body larger than the budget goes out in pieces of up to
        // `LARGE_WRITE_MAX`, but never in one write with its header: a
        // body that would fit whole goes out in two halves (over tcp, one
        // write per message ran at 0.33-0.41x libzmq for 256 KiB and 1 MiB
        // messages, two or more pieces of 128-256 KiB at 0.72-1.03x; 64 KiB
        // pieces at 0.46-0.53x).
        let mut budget = match self
            .connection
            .poll_transmit()
            .and_then(|queue| queue.first_chunk_over(WRITE_BUDGET))
        {
            Some((through, started)) if started || through > LARGE_WRITE_MAX => {
                WRITE_BUDGET.max(through.min(LARGE_WRITE_MAX))
            }
            Some((through, _)) => WRITE_BUDGET.max(through / 2),
            None => WRITE_BUDGET,
        };
        loop {
            let Some(queue) = self.connection.poll_transmit() else {
                return Ok(true);
            };
            if budget == 0 {
                return Ok(false);
            }
            match queue.write_at_most(&mut self.stream, budget) {
                Ok(0) => return Err(io::Error::from(ErrorKind::WriteZero)),
                Ok(n) => budget = budget.saturating_sub(n),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }
}

/// Whether a read failed because the WebSocket upgrade was refused.
fn is_ws_upgrade_failure(error: &io::Error) -> bool {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<zmq_transports::ws::WsProtocolError>())
        .is_some_and(|ws| ws.during_upgrade)
}

/// One `Read::read` into zeroed room at the end of `buf`, for streams that
/// do not offer a direct descriptor (a user transport that transforms its
/// bytes); the bytes read are appended to `buf`.
fn read_through(stream: &mut dyn Read, buf: &mut BytesMut) -> io::Result<usize> {
    let len = buf.len();
    let room = (buf.capacity() - len).max(MIN_READ_ROOM);
    buf.resize(len + room, 0);
    let result = stream.read(&mut buf[len..]);
    let n = *result.as_ref().unwrap_or(&0);
    buf.truncate(len + n.min(room));
    result
}

/// One `read(2)` from `fd` into `buf`'s spare capacity, without zeroing
/// it first; the bytes read are appended to `buf`. Only for a descriptor
/// the stream offers through `Stream::direct_read_fd`, which promises that
/// reading it directly is the same as reading the stream.
/// Also says whether the read took less than the room offered.
fn read_into_spare(fd: BorrowedFd<'_>, buf: &mut BytesMut) -> io::Result<(usize, bool)> {
    let spare = buf.spare_capacity_mut();
    let room = spare.len();
    // SAFETY: `spare` is `room` writable bytes owned by `buf` (possibly
    // uninitialised, which `read(2)` never reads); the kernel writes at
    // most `room` bytes into it.
    let n = unsafe { libc::read(fd.as_raw_fd(), spare.as_mut_ptr().cast(), room) };
    let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    let len = buf.len() + n.min(room);
    // SAFETY: `read(2)` initialised the first `n <= room` bytes of the
    // spare capacity, so the first `len` bytes of `buf` are initialised.
    unsafe { buf.set_len(len) };
    Ok((n, n < room))
}

/// How many bytes wait to be read on the socket `fd` (`FIONREAD`); 0 when
/// it cannot tell.
fn bytes_waiting(fd: BorrowedFd<'_>) -> usize {
    let mut waiting: libc::c_int = 0;
    // SAFETY: FIONREAD writes one `c_int` through the pointer, which
    // points at a live local of that type.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut waiting) };
    if r < 0 {
        return 0;
    }
    usize::try_from(waiting).unwrap_or(0)
}

/// One `readv(2)` from `fd`: into `body`'s spare capacity, at most
/// `missing` bytes (the rest of a large frame body), and, when that room
/// takes every missing byte, on into `buf`'s spare capacity (the frames
/// after it). The bytes read are appended to `body` and `buf` in that
/// order. Also says whether the read took less than the room offered.
fn read_body_into_spare(
    fd: BorrowedFd<'_>,
    body: &mut BytesMut,
    missing: usize,
    buf: &mut BytesMut,
) -> io::Result<(usize, bool)> {
    let body_spare = body.spare_capacity_mut();
    let first = body_spare.len().min(missing);
    let buf_spare = buf.spare_capacity_mut();
    let second = if first == missing { buf_spare.len() } else { 0 };
    let iov = [
        libc::iovec {
            iov_base: body_spare.as_mut_ptr().cast(),
            iov_len: first,
        },
        libc::iovec {
            iov_base: buf_spare.as_mut_ptr().cast(),
            iov_len: second,
        },
    ];
    // SAFETY: each iovec is writable spare capacity owned by `body` or
    // `buf` (possibly uninitialised, which `readv(2)` never reads), no
    // longer than that capacity; the kernel writes at most `first +
    // second` bytes, filling the first before the second.
    let n = unsafe { libc::readv(fd.as_raw_fd(), iov.as_ptr(), 2) };
    let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    let into_body = n.min(first);
    let into_buf = (n - into_body).min(second);
    // SAFETY: `readv(2)` initialised the first `into_body` bytes of
    // `body`'s spare capacity and the first `into_buf` of `buf`'s.
    unsafe {
        body.set_len(body.len() + into_body);
        buf.set_len(buf.len() + into_buf);
    }
    Ok((n, n < first + second))
}

/// The connection settings for a stream of `link`'s socket.
fn connection_config(
    link: &SocketLink,
    as_server: bool,
    peer_address: &str,
) -> Option<ConnectionConfig> {
    let socket_type = link.kind;
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
        Mechanism::Gssapi => MechanismChoice::Gssapi {
            server: o.as_server,
            options: o.gssapi.clone(),
        },
    };
    config.zap_domain = o.zap_domain.clone();
    config.zap_enforce_domain = o.zap_enforce_domain;
    config.zap_handler_available = link.ctx.shared.inproc.is_bound(ZAP_HANDLER_NAME);
    config.metadata = o.net.metadata.clone();
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_through_a_stream_appends_exactly_what_came() {
        let mut buf = BytesMut::with_capacity(4);
        buf.extend_from_slice(b"ab");
        let mut source: &[u8] = b"cdefgh";
        assert_eq!(read_through(&mut source, &mut buf).unwrap(), 6);
        assert_eq!(&buf[..], b"abcdefgh");
        let mut empty: &[u8] = b"";
        assert_eq!(read_through(&mut empty, &mut buf).unwrap(), 0);
        assert_eq!(&buf[..], b"abcdefgh");
    }

    #[test]
    fn a_large_body_is_read_first_then_what_follows() {
        use std::io::Write;
        let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        a.write_all(b"bodyNEXT").unwrap();
        let mut body = BytesMut::with_capacity(16);
        body.extend_from_slice(b">");
        let mut buf = BytesMut::with_capacity(16);
        assert_eq!(
            read_body_into_spare(b.as_fd(), &mut body, 4, &mut buf).unwrap(),
            (8, true)
        );
        assert_eq!(&body[..], b">body");
        assert_eq!(&buf[..], b"NEXT");
        // Room for only part of the body: nothing goes past it.
        a.write_all(b"0123456789").unwrap();
        let mut body = BytesMut::with_capacity(4);
        let mut buf = BytesMut::with_capacity(16);
        assert_eq!(
            read_body_into_spare(b.as_fd(), &mut body, 8, &mut buf).unwrap(),
            (4, false)
        );
        assert_eq!(&body[..], b"0123");
        assert!(buf.is_empty());
    }

    #[test]
    fn reading_a_descriptor_directly_appends_exactly_what_came() {
        use std::io::Write;
        let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        a.write_all(b"hello").unwrap();
        let mut buf = BytesMut::with_capacity(64);
        buf.extend_from_slice(b">");
        assert_eq!(read_into_spare(b.as_fd(), &mut buf).unwrap(), (5, true));
        assert_eq!(&buf[..], b">hello");
    }
}
