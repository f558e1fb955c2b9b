//! [`ZmtpConnection`]: greeting, mechanism handshake and traffic of one
//! ZMTP connection, sans IO.
//!
//! ```text
//!  Greeting ──(3.x)──────► Handshake ──READY──► Traffic
//!     │                        │                  │
//!     └─(1.0/2.0)─► PeerIdentity ──identity frame─┘
//!  any error, timeout or peer ERROR ──► Closed (one Failed event)
//! ```
//! Bytes left in the read buffer after the greeting or the handshake are
//! decoded in the same call, so nothing is lost or reordered.
//!
//! This file holds the state and the receive path; the mechanism
//! handshake and ZAP are in `handshake`, ZMTP 1.0/2.0 peers in
//! `old_peers`, what is sent in `outbound`. Frames after the handshake go
//! through the mechanism's
//! [`TrafficTransform`](zmq_mechanisms::TrafficTransform), if it has one;
//! nothing here knows which mechanism that is.

/// The mechanism handshake and the ZAP round trip.
mod handshake;
/// ZMTP 1.0 and 2.0 peers: the downgrade, the identity frame.
mod old_peers;
/// Messages, subscriptions and commands into the transmit queue.
mod outbound;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use zmq_mechanisms::{Handshake, MechanismError, TrafficTransform, ZapRequest};
use zmq_patterns::msg::INLINE_CAPACITY;
use zmq_patterns::{Metadata, Msg, MsgFlags};
use zmtp_codec::decoder::Decoded;
use zmtp_codec::{
    Command, Decoder, Error as CodecError, Frame, GreetingConfig, GreetingExchange, PeerGreeting,
    ZmtpVersion,
};

use super::config::ConnectionConfig;
use super::event::{ConnectionError, ConnectionEvent};
use super::heartbeat::Heartbeat;
use super::transmit::TransmitQueue;
use handshake::start_handshake;

/// The `Peer-Address` property name (`zmq_msg_gets`).
const PEER_ADDRESS: &str = "Peer-Address";

/// Largest frame accepted before the peer is authenticated (greeting done,
/// handshake not): a fixed cap, applied whatever `ZMQ_MAXMSGSIZE` says
/// (a smaller `ZMQ_MAXMSGSIZE` still wins). Handshake commands are small:
/// HELLO (PLAIN ≤ 518 B, CURVE 200 B), WELCOME 168 B, ERROR ≤ 262 B; the
/// largest legitimate ones are READY and CURVE INITIATE (257 B + the
/// metadata box), whose size is the peer's metadata: `Socket-Type`,
/// `Identity` (≤ 255 B) and its `ZMQ_METADATA` properties. 64 KiB leaves
/// room for about 63 KiB of application metadata, far above any use seen,
/// and equals the engine's read chunk, so an unauthenticated peer never
/// makes us hold more than the buffer we read into anyway
/// (`docs/limits.md`).
pub const HANDSHAKE_MAX_FRAME: usize = 64 * 1024;

/// Decoding stops once this many events wait to be collected, and goes on
/// (from the bytes left in the read buffer) once the caller drained them
/// ([`ZmtpConnection::has_input_backlog`]): a read of tiny frames never
/// turns into more than this many queued messages.
pub const MAX_PENDING_EVENTS: usize = 1024;

/// Where a connection is in its life, as far as reading is concerned
/// (`docs/limits.md` gives what each phase may buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionPhase {
    /// Exchanging greetings (at most 64 bytes are taken).
    Greeting,
    /// The mechanism handshake (or, for ZMTP 1.0/2.0, the identity frame):
    /// frames are capped at [`HANDSHAKE_MAX_FRAME`].
    Handshake,
    /// Waiting for the ZAP handler's verdict: nothing is read.
    AwaitingZap,
    /// Authenticated: frames up to `ZMQ_MAXMSGSIZE`.
    Established,
    /// Failed or closed.
    Closed,
}

impl ConnectionPhase {
    /// Whether the connection takes received bytes in this phase (the
    /// caller stops reading the stream otherwise).
    pub fn reads_input(self) -> bool {
        !matches!(self, ConnectionPhase::AwaitingZap | ConnectionPhase::Closed)
    }
}

enum Phase {
    Greeting {
        exchange: Box<GreetingExchange>,
        handshake: Handshake,
    },
    Handshake(Handshake),
    /// A server mechanism (or NULL with a ZAP domain) waits for the ZAP
    /// verdict; received bytes stay in the caller's buffer until it comes.
    AwaitingZap(Handshake),
    PeerIdentity,
    Traffic,
    Closed,
}

/// One ZMTP connection without its socket.
pub struct ZmtpConnection {
    config: ConnectionConfig,
    phase: Phase,
    decoder: Option<Decoder>,
    version: Option<ZmtpVersion>,
    peer_socket_type: Option<u8>,
    /// What frames go through once established (CURVE, GSSAPI); `None`:
    /// they go as they are, on the fast paths.
    transform: Option<Box<dyn TrafficTransform>>,
    metadata: Arc<Metadata>,
    transmit: TransmitQueue,
    events: VecDeque<ConnectionEvent>,
    handshake_deadline: Option<Instant>,
    heartbeat: Heartbeat,
    /// The ZAP request not yet collected by [`ZmtpConnection::poll_zap_request`].
    zap_request: Option<ZapRequest>,
    /// Set once the `Failed` event is queued.
    failed: bool,
    /// Decoding stopped at [`MAX_PENDING_EVENTS`] with bytes left.
    input_backlog: bool,
    /// The context of a PONG owed while the previous one is still unwritten
    /// (PONGs are coalesced: the latest PING's context wins, as libzmq's
    /// single `_pong_msg`).
    held_pong: Option<Bytes>,
    /// Stream offset past the last PONG queued.
    pong_end: u64,
    /// Stream offset past the last PING we queued: no new PING is queued
    /// before it is written.
    ping_end: u64,
    /// A PING is queued but not yet written: the heartbeat timeout starts
    /// once it is (as libzmq's, armed when its encoder takes the PING), so
    /// a large message still going out ahead of it does not count.
    ping_unwritten: bool,
}

impl ZmtpConnection {
    /// Starts a connection at `now`: the greeting's signature is queued.
    /// Fails when the application metadata has an invalid property name.
    pub fn new(config: ConnectionConfig, now: Instant) -> Result<ZmtpConnection, MechanismError> {
        let handshake = start_handshake(&config)?;
        let mut greeting = GreetingConfig::new(config.socket_type);
        greeting.mechanism = handshake.mechanism();
        greeting.routing_id = config.routing_id.clone();
        greeting.allow_downgrade = old_peers::allowed(&config);
        let mut exchange = Box::new(GreetingExchange::new(greeting));
        let mut transmit = TransmitQueue::new();
        transmit.put_slice(&exchange.poll_transmit());
        let handshake_deadline = if config.handshake_ivl.is_zero() {
            None
        } else {
            now.checked_add(config.handshake_ivl)
        };
        let heartbeat = Heartbeat::new(
            config.heartbeat_ivl,
            config.heartbeat_ttl,
            config.heartbeat_timeout,
        );
        Ok(ZmtpConnection {
            config,
            phase: Phase::Greeting {
                exchange,
                handshake,
            },
            decoder: None,
            version: None,
            peer_socket_type: None,
            transform: None,
            metadata: Arc::new(Metadata::new()),
            transmit,
            events: VecDeque::new(),
            handshake_deadline,
            heartbeat,
            zap_request: None,
            failed: false,
            input_backlog: false,
            held_pong: None,
            pong_end: 0,
            ping_end: 0,
            ping_unwritten: false,
        })
    }

    /// The protocol version, once the greeting is done.
    pub fn version(&self) -> Option<ZmtpVersion> {
        self.version
    }

    /// Whether messages can be sent (the handshake succeeded and the
    /// connection is not closed).
    pub fn is_established(&self) -> bool {
        matches!(self.phase, Phase::Traffic)
    }

    /// The connection's phase.
    pub fn phase(&self) -> ConnectionPhase {
        if self.failed {
            return ConnectionPhase::Closed;
        }
        match self.phase {
            Phase::Greeting { .. } => ConnectionPhase::Greeting,
            Phase::Handshake(_) | Phase::PeerIdentity => ConnectionPhase::Handshake,
            Phase::AwaitingZap(_) => ConnectionPhase::AwaitingZap,
            Phase::Traffic => ConnectionPhase::Established,
            Phase::Closed => ConnectionPhase::Closed,
        }
    }

    /// Whether decoding stopped at [`MAX_PENDING_EVENTS`] with bytes left
    /// in the read buffer: drain the events, then call
    /// [`ZmtpConnection::receive`] again with the same buffer (before
    /// reading more).
    pub fn has_input_backlog(&self) -> bool {
        self.input_backlog
    }

    /// Whether the connection has failed or closed.
    pub fn is_closed(&self) -> bool {
        self.failed || matches!(self.phase, Phase::Closed)
    }

    /// The peer's properties (empty before the handshake succeeds).
    pub fn peer_metadata(&self) -> &Arc<Metadata> {
        &self.metadata
    }

    /// Feeds bytes read from the peer. Everything decodable is consumed
    /// from `buf` (a frame still incomplete stays, or moves into the
    /// decoder when large); the results come out of
    /// [`ZmtpConnection::poll_event`].
    pub fn receive(&mut self, buf: &mut BytesMut, now: Instant) {
        self.input_backlog = false;
        if self.is_closed() {
            return;
        }
        // A large body's bytes may have been read straight into its own
        // buffer (`body_buffer`), leaving `buf` empty.
        if !buf.is_empty() || self.body_missing().is_some() {
            self.heartbeat.on_activity();
        }
        if let Err(error) = self.receive_inner(buf, now) {
            self.fail(error);
        }
    }

    /// How many more bytes the read buffer (holding `buffered` bytes) must
    /// take to complete the frame waiting in it; 0 when unknown. A hint
    /// for sizing the next read.
    pub fn bytes_wanted(&self, buffered: usize) -> usize {
        self.decoder
            .as_ref()
            .map_or(0, |decoder| decoder.bytes_wanted(buffered))
    }

    /// While a frame body too large to wait in the read buffer is being
    /// received: its buffer, to read the missing bytes straight into, and
    /// how many are missing ([`Decoder::body_buffer`]: `arrived` tells
    /// how many bytes wait in the stream; the caller appends at most the
    /// missing bytes, then calls [`ZmtpConnection::receive`]).
    pub fn body_buffer(
        &mut self,
        arrived: impl FnOnce() -> usize,
    ) -> Option<(&mut BytesMut, usize)> {
        if self.is_closed() {
            return None;
        }
        self.decoder.as_mut()?.body_buffer(arrived)
    }

    fn body_missing(&self) -> Option<usize> {
        self.decoder.as_ref()?.missing_body_bytes()
    }

    /// Tells the connection the peer closed the stream.
    pub fn receive_eof(&mut self) {
        let after_handshake = matches!(self.phase, Phase::Traffic);
        self.fail(ConnectionError::PeerClosed { after_handshake });
    }

    /// Tells the connection reading the stream failed with `errno`.
    pub fn receive_error(&mut self, errno: i32) {
        let after_handshake = matches!(self.phase, Phase::Traffic);
        self.fail(ConnectionError::Stream {
            errno,
            after_handshake,
        });
    }

    /// Tells the connection the WebSocket upgrade below it failed.
    pub fn receive_ws_upgrade_failure(&mut self) {
        self.fail(ConnectionError::WsUpgrade);
    }

    fn receive_inner(&mut self, buf: &mut BytesMut, now: Instant) -> Result<(), ConnectionError> {
        if let Phase::Greeting { exchange, .. } = &mut self.phase {
            let received = exchange.receive(buf);
            // Our greeting's rest goes out even when the peer's is refused,
            // so the peer sees the mismatch too (best effort, like ERROR).
            self.transmit.put_slice(&exchange.poll_transmit());
            let consumed = received.map_err(ConnectionError::Greeting)?;
            buf.advance(consumed);
            let Some(peer) = exchange.peer().cloned() else {
                return Ok(());
            };
            self.on_greeting_done(peer, buf, now)?;
        }
        while !self.is_closed() && !matches!(self.phase, Phase::AwaitingZap(_)) {
            let Some(decoder) = self.decoder.as_mut() else {
                break;
            };
            if self.events.len() >= MAX_PENDING_EVENTS {
                self.input_backlog = !buf.is_empty();
                break;
            }
            // Plain traffic: a small data body goes from the read buffer
            // straight into an inline message, without a `Bytes` for it.
            let inline_limit = if matches!(self.phase, Phase::Traffic) && self.transform.is_none() {
                INLINE_CAPACITY
            } else {
                0
            };
            let decoded = if inline_limit == 0 {
                decoder.decode(buf).map(|frame| frame.map(Decoded::Frame))
            } else {
                // The message is built in place of its event (no moves).
                let events = &mut self.events;
                decoder.decode_inline(buf, inline_limit, |flags, body| {
                    events.push_back(ConnectionEvent::Message(Msg::from_slice(body)));
                    if let Some(ConnectionEvent::Message(msg)) = events.back_mut() {
                        msg.set_more(flags.more());
                    }
                })
            };
            let frame = match decoded {
                Ok(Some(Decoded::Frame(frame))) => frame,
                Ok(Some(Decoded::Inline(()))) => continue,
                Ok(None) => break,
                Err(CodecError::MessageTooLarge { size, .. }) if self.is_established() => {
                    return Err(ConnectionError::MessageTooLarge { size });
                }
                Err(CodecError::MessageTooLarge { size, .. }) => {
                    return Err(ConnectionError::HandshakeFrameTooLarge { size });
                }
                Err(e) if self.is_established() => return Err(ConnectionError::Protocol(e)),
                Err(e) => return Err(ConnectionError::Greeting(e)),
            };
            self.on_frame(frame, now)?;
        }
        Ok(())
    }

    fn on_greeting_done(
        &mut self,
        peer: PeerGreeting,
        buf: &mut BytesMut,
        now: Instant,
    ) -> Result<(), ConnectionError> {
        let Phase::Greeting { handshake, .. } = core::mem::replace(&mut self.phase, Phase::Closed)
        else {
            return Ok(());
        };
        let version = peer.version;
        self.version = Some(version);
        // Until the peer is authenticated its frames are capped tightly.
        let limit = handshake_frame_limit(self.config.max_msg_size);
        self.decoder = Some(Decoder::new(version.framing()).with_max_message_size(limit));
        match version {
            // NULL with a ZAP domain asks ZAP before its first command.
            ZmtpVersion::V3_0 | ZmtpVersion::V3_1 => self.on_step(handshake.start(), now)?,
            ZmtpVersion::V1_0 | ZmtpVersion::V2_0 => self.start_old_peer(&peer, buf)?,
        }
        Ok(())
    }

    fn on_frame(&mut self, frame: Frame, now: Instant) -> Result<(), ConnectionError> {
        match core::mem::replace(&mut self.phase, Phase::Closed) {
            Phase::Handshake(handshake) => self.on_handshake_frame(handshake, frame, now),
            Phase::PeerIdentity => {
                self.on_peer_identity(frame.body, now);
                Ok(())
            }
            Phase::Traffic => {
                self.phase = Phase::Traffic;
                self.on_traffic_frame(frame, now)
            }
            other => {
                self.phase = other;
                Ok(())
            }
        }
    }

    fn on_traffic_frame(&mut self, frame: Frame, now: Instant) -> Result<(), ConnectionError> {
        let unboxed_heartbeat = self.config.unboxed_heartbeats
            && frame.flags.command()
            && (frame.body.starts_with(b"\x04PING") || frame.body.starts_with(b"\x04PONG"));
        let frame = match &mut self.transform {
            Some(_) if unboxed_heartbeat => frame,
            None => frame,
            Some(transform) => transform
                .open_frame(frame.body)
                .map_err(ConnectionError::Mechanism)?,
        };
        if !frame.flags.command() {
            // Data messages carry no metadata of their own: the session
            // sends the connection's down the pipe once (`peer_metadata`).
            let mut msg = body_to_msg(frame.body);
            msg.set_more(frame.flags.more());
            self.events.push_back(ConnectionEvent::Message(msg));
            return Ok(());
        }
        let raw = frame.body.clone();
        let command = Command::parse(frame.body).map_err(ConnectionError::Protocol)?;
        let (body, flags) = match command {
            Command::Ping {
                ttl_deciseconds,
                context,
            } => {
                self.heartbeat.on_ping(ttl_deciseconds, now);
                if self.transmit.written() >= self.pong_end {
                    self.put_pong(&context);
                } else {
                    // The last PONG is not written yet (the peer does not
                    // read): owe one, whatever the number of PINGs.
                    self.held_pong = Some(context);
                }
                return Ok(());
            }
            Command::Error { reason } => return Err(ConnectionError::PeerError { reason }),
            Command::Subscribe(topic) => (topic, MsgFlags::SUBSCRIBE),
            Command::Cancel(topic) => (topic, MsgFlags::CANCEL),
            Command::Join(_) | Command::Leave(_) => (raw, MsgFlags::COMMAND),
            // PONG only proves liveness (already noted); libzmq ignores
            // other commands after the handshake.
            _ => return Ok(()),
        };
        let mut msg = body_to_msg(body);
        msg.set_flags(flags);
        msg.set_metadata(Some(self.metadata.clone()));
        self.events.push_back(ConnectionEvent::Message(msg));
        Ok(())
    }

    /// The next event, in order.
    pub fn poll_event(&mut self) -> Option<ConnectionEvent> {
        self.events.pop_front()
    }

    /// When [`ZmtpConnection::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() {
            return None;
        }
        [self.handshake_deadline, self.heartbeat.next_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    /// A PING is queued and not yet all written (its timeout starts when
    /// it is: [`handle_written`](Self::handle_written)).
    pub fn ping_unwritten(&self) -> bool {
        self.ping_unwritten
    }

    /// Tells the connection that bytes of its transmit queue were written
    /// (by `now`): a PING written starts the heartbeat timeout. Call it
    /// after writing, before [`ZmtpConnection::poll_timeout`].
    pub fn handle_written(&mut self, now: Instant) {
        if self.ping_unwritten && self.transmit.written() >= self.ping_end {
            self.ping_unwritten = false;
            if !self.is_closed() {
                self.heartbeat.arm_timeout(now);
            }
        }
    }

    /// Fires the timers due at `now`: handshake limit, PING, heartbeat
    /// timeout and the peer's TTL.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closed() {
            return;
        }
        self.handle_written(now);
        if self.handshake_deadline.is_some_and(|t| t <= now) {
            self.fail(ConnectionError::HandshakeTimedOut);
            return;
        }
        if self.heartbeat.expired(now) {
            self.fail(ConnectionError::HeartbeatTimedOut);
            return;
        }
        if let Some(ttl_deciseconds) = self.heartbeat.ping_due(now)
            && !self.ping_unwritten
        {
            // (A PING still unwritten is not repeated; its timeout starts
            // once it is written, see `handle_written`.)
            self.put_command(&Command::Ping {
                ttl_deciseconds,
                context: Bytes::new(),
            });
            self.ping_end = self.transmit.end_offset();
            self.ping_unwritten = true;
        }
    }

    fn fail(&mut self, error: ConnectionError) {
        if self.failed {
            return;
        }
        self.failed = true;
        self.phase = Phase::Closed;
        self.heartbeat.stop();
        self.handshake_deadline = None;
        self.events.push_back(ConnectionEvent::Failed { error });
    }
}

impl core::fmt::Debug for ZmtpConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ZmtpConnection")
            .field("socket_type", &self.config.socket_type)
            .field("version", &self.version)
            .field("established", &self.is_established())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

/// The frame limit before authentication: [`HANDSHAKE_MAX_FRAME`], or
/// `ZMQ_MAXMSGSIZE` when smaller.
fn handshake_frame_limit(max_msg_size: i64) -> i64 {
    let cap = HANDSHAKE_MAX_FRAME as i64;
    if max_msg_size < 0 {
        cap
    } else {
        max_msg_size.min(cap)
    }
}

/// A received body as a message: inline when small, shared otherwise.
fn body_to_msg(body: Bytes) -> Msg {
    if body.len() <= INLINE_CAPACITY {
        Msg::from_slice(&body)
    } else {
        Msg::from_bytes(body)
    }
}
