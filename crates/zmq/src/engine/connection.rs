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

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use zmq_mechanisms::{
    CurveClientKeys, CurveTraffic, Handshake, MechanismConfig, MechanismError, Step,
    TrafficTransform, ZapReply, ZapRequest, ZapSettings,
};
use zmq_patterns::msg::INLINE_CAPACITY;
use zmq_patterns::{Metadata, Msg, MsgFlags};
use zmtp_codec::decoder::Decoded;
use zmtp_codec::frame::FrameHeader;
use zmtp_codec::metadata::names;
use zmtp_codec::{
    Command, Decoder, Error as CodecError, Frame, FrameFlags, Framing, GreetingConfig,
    GreetingExchange, Metadata as WireMetadata, PeerGreeting, SocketType, SubscriptionChange,
    ZmtpVersion,
};

use super::config::{ConnectionConfig, MechanismChoice};
use super::event::{ConnectionError, ConnectionEvent};
use super::heartbeat::Heartbeat;
use super::transmit::TransmitQueue;

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
    transform: TrafficTransform,
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
}

impl ZmtpConnection {
    /// Starts a connection at `now`: the greeting's signature is queued.
    /// Fails when the application metadata has an invalid property name.
    pub fn new(config: ConnectionConfig, now: Instant) -> Result<ZmtpConnection, MechanismError> {
        let mut mechanism_config = MechanismConfig::new(config.socket_type);
        mechanism_config.routing_id = config.routing_id.clone();
        mechanism_config.metadata = config.metadata.clone();
        mechanism_config.as_server = config.as_server;
        mechanism_config.zap = ZapSettings {
            domain: config.zap_domain.clone(),
            enforce_domain: config.zap_enforce_domain,
            handler_available: config.zap_handler_available,
            peer_address: config.peer_address.clone().unwrap_or_default(),
        };
        let handshake = match &config.mechanism {
            MechanismChoice::Null => Handshake::null(&mechanism_config)?,
            MechanismChoice::Plain { server: true, .. } => {
                Handshake::plain_server(&mechanism_config)?
            }
            MechanismChoice::Plain {
                server: false,
                username,
                password,
            } => Handshake::plain_client(&mechanism_config, username, password)?,
            MechanismChoice::Curve {
                server: true,
                secret,
                ..
            } => Handshake::curve_server(&mechanism_config, secret.clone())?,
            MechanismChoice::Curve {
                server: false,
                public,
                secret,
                server_key,
            } => Handshake::curve_client(
                &mechanism_config,
                CurveClientKeys {
                    public: *public,
                    secret: secret.clone(),
                    server: *server_key,
                },
            )?,
            MechanismChoice::Gssapi { server, options } => {
                let mut gss_config = mechanism_config.clone();
                gss_config.as_server = *server;
                Handshake::gssapi(&gss_config, options)?
            }
        };
        let mut greeting = GreetingConfig::new(config.socket_type);
        greeting.mechanism = handshake.mechanism();
        greeting.routing_id = config.routing_id.clone();
        // libzmq refuses ZMTP 1.0/2.0 peers once ZAP is in play.
        greeting.allow_downgrade =
            config.mechanism == MechanismChoice::Null && config.zap_domain.is_empty();
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
            transform: TrafficTransform::Identity,
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
        if !buf.is_empty() {
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
            let inline_limit =
                if matches!(self.phase, Phase::Traffic) && self.transform.is_identity() {
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
            ZmtpVersion::V1_0 | ZmtpVersion::V2_0 => {
                if version == ZmtpVersion::V2_0 {
                    let ours = self.config.socket_type;
                    let theirs = peer.socket_type.unwrap_or(u8::MAX);
                    let compatible = SocketType::from_number(i32::from(theirs))
                        .is_some_and(|t| ours.is_compatible_with(t));
                    if !compatible {
                        return Err(ConnectionError::IncompatibleSocketType { peer: theirs });
                    }
                    self.peer_socket_type = Some(theirs);
                }
                if !peer.unversioned {
                    // The identity frame: our first message to an old peer.
                    let id = self.config.routing_id.clone();
                    let id = id.slice(..id.len().min(255));
                    self.put_frame(version.framing(), FrameFlags::NONE, id);
                }
                if !peer.replay.is_empty() {
                    let mut joined = BytesMut::with_capacity(peer.replay.len() + buf.len());
                    joined.extend_from_slice(&peer.replay);
                    joined.extend_from_slice(buf);
                    *buf = joined;
                }
                self.phase = Phase::PeerIdentity;
            }
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

    fn on_handshake_frame(
        &mut self,
        handshake: Handshake,
        frame: Frame,
        now: Instant,
    ) -> Result<(), ConnectionError> {
        if !frame.flags.command() {
            return Err(ConnectionError::Mechanism(
                MechanismError::UnexpectedCommand,
            ));
        }
        let step = handshake.handle_command(frame.body);
        self.on_step(step, now)
    }

    /// Acts on a handshake step: queue its commands, wait for ZAP, or
    /// establish. A failure queues the ERROR libzmq would send.
    fn on_step(
        &mut self,
        step: Result<Step, MechanismError>,
        now: Instant,
    ) -> Result<(), ConnectionError> {
        let step = step.map_err(|e| {
            if let Some(reason) = e.error_reason_to_send() {
                self.put_command_body(&zmq_mechanisms::handshake::error_command_body(&reason));
            }
            ConnectionError::Mechanism(e)
        })?;
        match step {
            Step::Continue(mut handshake) => {
                while let Some(body) = handshake.poll_command() {
                    self.put_command_body(&body);
                }
                self.phase = Phase::Handshake(handshake);
                Ok(())
            }
            Step::NeedZap { handshake, request } => {
                self.phase = Phase::AwaitingZap(handshake);
                self.zap_request = Some(request);
                Ok(())
            }
            Step::Ready(established) => {
                for body in &established.final_commands {
                    self.put_command_body(body);
                }
                self.transform = established.transform;
                let identity = established
                    .peer_properties
                    .get(names::IDENTITY)
                    .cloned()
                    .unwrap_or_default();
                let metadata = self.build_metadata(&established.peer_properties);
                self.establish(metadata, identity, now);
                Ok(())
            }
        }
    }

    /// The ZAP request a server mechanism is waiting on, once: send
    /// [`ZapRequest::frames`] to the handler at `inproc://zeromq.zap.01`
    /// and answer with [`ZmtpConnection::zap_reply`] or
    /// [`ZmtpConnection::zap_reply_frames`].
    pub fn poll_zap_request(&mut self) -> Option<ZapRequest> {
        self.zap_request.take()
    }

    /// Whether the handshake is stopped until a ZAP reply arrives.
    pub fn is_awaiting_zap(&self) -> bool {
        matches!(self.phase, Phase::AwaitingZap(_))
    }

    /// Resumes the handshake with the ZAP handler's verdict. A refusal
    /// fails the connection with an authentication failure (after queuing
    /// ERROR for 400/500). Bytes the peer sent meanwhile are still in the
    /// caller's buffer: call [`ZmtpConnection::receive`] again with it.
    pub fn zap_reply(&mut self, reply: ZapReply, now: Instant) {
        let Phase::AwaitingZap(handshake) = core::mem::replace(&mut self.phase, Phase::Closed)
        else {
            return;
        };
        self.zap_request = None;
        let step = handshake.handle_zap_reply(reply);
        if let Err(error) = self.on_step(step, now) {
            self.fail(error);
        }
    }

    /// [`ZmtpConnection::zap_reply`] from the reply's message parts; a
    /// malformed reply fails the connection with its
    /// `ZMQ_PROTOCOL_ERROR_ZAP_*` code.
    pub fn zap_reply_frames(&mut self, frames: &[Bytes], now: Instant) {
        if !self.is_awaiting_zap() {
            return;
        }
        match ZapReply::parse(frames) {
            Ok(reply) => self.zap_reply(reply, now),
            Err(error) => self.fail(ConnectionError::Mechanism(error)),
        }
    }

    fn on_peer_identity(&mut self, identity: Bytes, now: Instant) {
        let mut properties = WireMetadata::new();
        if let Some(name) = self
            .peer_socket_type
            .and_then(|n| SocketType::from_number(i32::from(n)))
        {
            // Valid names and values by construction; errors cannot occur.
            let _ = properties.push(names::SOCKET_TYPE, name.wire_name());
        }
        let _ = properties.push(names::IDENTITY, identity.clone());
        let metadata = self.build_metadata(&properties);
        self.establish(metadata, identity, now);
        if self.version == Some(ZmtpVersion::V1_0)
            && matches!(self.config.socket_type, SocketType::Pub | SocketType::XPub)
        {
            // libzmq: a ZMTP 1.0 peer filters itself, so subscribe it to
            // everything on its behalf.
            let mut msg = Msg::from_slice(&[1]);
            msg.set_metadata(Some(self.metadata.clone()));
            self.events.push_back(ConnectionEvent::Message(msg));
        }
    }

    fn build_metadata(&self, properties: &WireMetadata) -> Metadata {
        let mut metadata = Metadata::new();
        for p in properties.iter() {
            metadata.insert(&String::from_utf8_lossy(&p.name), p.value.clone());
        }
        if let Some(address) = &self.config.peer_address {
            metadata.insert(PEER_ADDRESS, address.clone());
        }
        if let Some(fd) = self.config.source_fd {
            metadata.set_source_fd(fd);
        }
        metadata
    }

    fn establish(&mut self, metadata: Metadata, identity: Bytes, now: Instant) {
        self.metadata = Arc::new(metadata);
        self.phase = Phase::Traffic;
        if let Some(decoder) = self.decoder.as_mut() {
            decoder.set_max_message_size(self.config.max_msg_size);
        }
        self.handshake_deadline = None;
        self.heartbeat.start(now);
        self.events.push_back(ConnectionEvent::HandshakeSucceeded {
            peer: self.metadata.clone(),
            version: self.version.unwrap_or(ZmtpVersion::V3_1),
        });
        if self.config.recv_routing_id {
            let mut msg = body_to_msg(identity);
            msg.set_flags(MsgFlags::ROUTING_ID);
            msg.set_metadata(Some(self.metadata.clone()));
            self.events.push_back(ConnectionEvent::Message(msg));
        }
    }

    fn on_traffic_frame(&mut self, frame: Frame, now: Instant) -> Result<(), ConnectionError> {
        let frame = if self.transform.is_identity() {
            frame
        } else {
            match &mut self.transform {
                // Opened in place when the frame owns its buffer, else in
                // the traffic's reused scratch buffer.
                TrafficTransform::Curve(curve) => {
                    let (flags, body) = curve
                        .open_bytes(frame.body)
                        .map_err(ConnectionError::Mechanism)?;
                    Frame::new(flags, body)
                }
                other => other.open(frame).map_err(ConnectionError::Mechanism)?,
            }
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

    /// Queues a message part. Flagged `SUBSCRIBE`/`CANCEL` it goes out as
    /// a subscription in the peer's form; flagged `COMMAND` (JOIN/LEAVE)
    /// its body is sent as a command frame (dropped for pre-3.0 peers).
    /// Before the handshake succeeds, or after a failure, the message comes
    /// back.
    pub fn send_msg(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.is_established() {
            return Err(msg);
        }
        let flags = msg.flags();
        if flags.contains(MsgFlags::SUBSCRIBE) || flags.contains(MsgFlags::CANCEL) {
            let topic = msg.into_bytes();
            let change = if flags.contains(MsgFlags::SUBSCRIBE) {
                SubscriptionChange::Subscribe(topic)
            } else {
                SubscriptionChange::Cancel(topic)
            };
            self.put_subscription(change);
            return Ok(());
        }
        if flags.contains(MsgFlags::COMMAND) {
            if self.framing() == Framing::V3 {
                if self.transform.is_identity() {
                    self.put_command_body(msg.data());
                } else {
                    self.put_sealed(FrameFlags::COMMAND, msg.data());
                }
            }
            return Ok(());
        }
        let frame_flags = FrameFlags::new(msg.more(), false);
        if self.transform.is_identity() {
            // A shared body moves into the queue (which copies it when
            // small) without touching its reference count.
            if msg.shared_bytes().is_some() {
                self.put_frame(self.framing(), frame_flags, msg.into_bytes());
            } else {
                self.put_small_frame(frame_flags, msg.data());
            }
        } else {
            self.put_sealed(frame_flags, msg.data());
        }
        Ok(())
    }

    /// Seals a frame with the traffic transform (CURVE MESSAGE) and queues
    /// it; a sealing failure (nonce exhausted) fails the connection. CURVE
    /// seals straight into the transmit buffer: one copy, no allocation.
    fn put_sealed(&mut self, flags: FrameFlags, body: &[u8]) {
        let framing = self.framing();
        let sealed = match &mut self.transform {
            TrafficTransform::Curve(curve) => {
                let len = CurveTraffic::sealed_len(body.len());
                let header = FrameHeader::new(FrameFlags::NONE, len).encode(framing);
                let staging = self.transmit.staging();
                let before = staging.len();
                staging.extend_from_slice(header.as_slice());
                match curve.seal_into(flags, body, staging) {
                    Ok(()) => {
                        let written = staging.len() - before;
                        self.transmit.commit_staged(written);
                        Ok(())
                    }
                    Err(e) => {
                        staging.truncate(before);
                        Err(e)
                    }
                }
            }
            // GSSAPI wraps from the borrowed body (no copy of it first).
            #[cfg(feature = "gssapi")]
            TrafficTransform::Gssapi(gss) => gss
                .seal(flags, body)
                .map(|sealed| self.put_frame(framing, FrameFlags::NONE, sealed)),
            other => other
                .seal(Frame::new(flags, Bytes::copy_from_slice(body)))
                .map(|sealed| self.put_frame(framing, sealed.flags, sealed.body)),
        };
        if let Err(e) = sealed {
            self.fail(ConnectionError::Mechanism(e));
        }
    }

    /// Queues a subscription change in the form the peer understands:
    /// SUBSCRIBE/CANCEL commands for ZMTP 3.1, `0x01`/`0x00`-prefixed
    /// messages for 3.0 and older. Returns it when not established.
    pub fn send_subscription(
        &mut self,
        change: SubscriptionChange,
    ) -> Result<(), SubscriptionChange> {
        if !self.is_established() {
            return Err(change);
        }
        self.put_subscription(change);
        Ok(())
    }

    fn put_subscription(&mut self, change: SubscriptionChange) {
        if self.version == Some(ZmtpVersion::V3_1) {
            self.put_command(&change.to_command());
            return;
        }
        let (flag, topic) = match &change {
            SubscriptionChange::Subscribe(t) => (1u8, t),
            SubscriptionChange::Cancel(t) => (0u8, t),
        };
        if !self.transform.is_identity() {
            let mut body = BytesMut::with_capacity(1 + topic.len());
            body.extend_from_slice(&[flag]);
            body.extend_from_slice(topic);
            self.put_sealed(FrameFlags::NONE, &body);
            return;
        }
        let header = FrameHeader::new(FrameFlags::NONE, topic.len() + 1).encode(self.framing());
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_slice(&[flag]);
        self.transmit.put_bytes(topic.clone());
    }

    /// Bytes to write, if any: write them (`writev` with
    /// [`TransmitQueue::io_slices`]) and call [`TransmitQueue::advance`]
    /// with the count written.
    pub fn poll_transmit(&mut self) -> Option<&mut TransmitQueue> {
        if self.held_pong.is_some() && self.transmit.written() >= self.pong_end {
            let context = self.held_pong.take().unwrap_or_default();
            self.put_pong(&context);
        }
        if self.transmit.is_empty() {
            None
        } else {
            Some(&mut self.transmit)
        }
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

    /// Fires the timers due at `now`: handshake limit, PING, heartbeat
    /// timeout and the peer's TTL.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closed() {
            return;
        }
        if self.handshake_deadline.is_some_and(|t| t <= now) {
            self.fail(ConnectionError::HandshakeTimedOut);
            return;
        }
        if self.heartbeat.expired(now) {
            self.fail(ConnectionError::HeartbeatTimedOut);
            return;
        }
        if let Some(ttl_deciseconds) = self.heartbeat.ping_due(now)
            && self.transmit.written() >= self.ping_end
        {
            // (A PING still unwritten is not repeated: the peer is not
            // reading, and the heartbeat timeout is armed all the same.)
            self.put_command(&Command::Ping {
                ttl_deciseconds,
                context: Bytes::new(),
            });
            self.ping_end = self.transmit.end_offset();
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

    fn framing(&self) -> Framing {
        self.version.map_or(Framing::V3, ZmtpVersion::framing)
    }

    fn put_command(&mut self, command: &Command) {
        if !self.transform.is_identity() {
            let mut body = BytesMut::with_capacity(command.encoded_len());
            command.encode_body(&mut body);
            self.put_sealed(FrameFlags::COMMAND, &body);
            return;
        }
        let staging = self.transmit.staging();
        let before = staging.len();
        command.encode_frame(staging);
        let written = staging.len() - before;
        self.transmit.commit_staged(written);
    }

    /// Queues a PONG echoing `context` and notes where it ends.
    fn put_pong(&mut self, context: &Bytes) {
        self.put_command(&Command::pong_for(context));
        self.pong_end = self.transmit.end_offset();
    }

    fn put_command_body(&mut self, body: &[u8]) {
        let header = FrameHeader::new(FrameFlags::COMMAND, body.len()).encode(Framing::V3);
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_slice(body);
    }

    fn put_small_frame(&mut self, flags: FrameFlags, body: &[u8]) {
        let header = FrameHeader::new(flags, body.len()).encode(self.framing());
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_slice(body);
    }

    fn put_frame(&mut self, framing: Framing, flags: FrameFlags, body: Bytes) {
        let header = FrameHeader::new(flags, body.len()).encode(framing);
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_bytes(body);
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
