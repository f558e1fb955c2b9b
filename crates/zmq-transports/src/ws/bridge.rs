//! ZWS 2.0 ↔ ZMTP, sans-IO. The engine above speaks ZMTP 3 (greeting,
//! frames); a ZWS connection has no greeting and carries each ZMTP frame
//! as one binary WebSocket message whose first payload byte holds the
//! flags (`0x01` more, `0x02` command). [`Inbound`] turns WebSocket bytes
//! into ZMTP bytes (starting with the peer greeting the subprotocol
//! implies), [`Outbound`] turns ZMTP bytes into WebSocket frames (dropping
//! our greeting). Both stream: a large body is never held whole.
//!
//! As libzmq's ws engine: heartbeats are WebSocket ping/pong frames (our
//! ZMTP PING/PONG become empty ping/pong frames; a pong is seen by the
//! engine as a ZMTP PONG, which under CURVE the engine sends and takes
//! unboxed, beside the mechanism; their ping is answered here, and shown
//! to the engine as a PONG too, for liveness), a close frame is echoed
//! and ends the connection, a text frame or a mask on the wrong side is a
//! protocol error. Unlike libzmq, a fragmented message is reassembled (up
//! to [`MAX_FRAGMENTED`] bytes) rather than refused, and a ping's pong
//! echoes its payload (RFC 6455 §5.5.3; libzmq answers empty).
//!
//! Under the bare `ZWS2.0` subprotocol (no mechanism), the peer's first
//! message is its routing id: the engine sees it as the READY command of
//! a NULL handshake, and our READY goes out as our routing id message.

use super::frame::{
    self, FrameHeader, HeaderError, HeaderParser, MAX_CONTROL_PAYLOAD, OPCODE_BINARY, OPCODE_CLOSE,
    OPCODE_CONTINUATION, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT,
};
use super::upgrade::Subprotocol;

/// The most bytes a fragmented message may gather before it is refused.
pub const MAX_FRAGMENTED: u64 = 16 * 1024 * 1024;
/// Our ZMTP greeting's length, dropped on the way out.
const GREETING_LEN: usize = 64;
/// Command frames up to this size are looked at whole before they go out
/// (PING, PONG, READY); larger ones stream as they are.
const PEEK_COMMAND_MAX: usize = 1024;
/// A routing id is at most 255 bytes.
const MAX_ROUTING_ID: u64 = 255;

/// ZMTP frame flags.
const ZMTP_MORE: u8 = 0x01;
const ZMTP_LONG: u8 = 0x02;
const ZMTP_COMMAND: u8 = 0x04;
/// ZWS frame flags.
const ZWS_MORE: u8 = 0x01;
const ZWS_COMMAND: u8 = 0x02;

/// Why the peer's bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeError {
    /// A header RFC 6455 forbids.
    Header(HeaderError),
    /// A frame masked when it must not be, or not masked when it must.
    WrongMasking,
    /// A text frame (ZWS is binary).
    TextFrame,
    /// A binary frame without its flags byte.
    EmptyFrame,
    /// A continuation without a message, or a message inside another.
    BadFragmentation,
    /// A fragmented message above [`MAX_FRAGMENTED`], or a routing id
    /// above 255 bytes.
    TooLarge,
}

impl From<HeaderError> for BridgeError {
    fn from(error: HeaderError) -> Self {
        Self::Header(error)
    }
}

/// The greeting a ZMTP 3 peer speaking `protocol` would have sent: NULL
/// and PLAIN as ZMTP 3.0 (subscriptions are `0x01`-prefixed messages, as
/// libzmq's ws encoder sends them), CURVE as 3.1 (libzmq's ws engine runs
/// CURVE without `downgrade_sub`).
pub fn peer_greeting(protocol: Subprotocol, we_are_mechanism_server: bool) -> [u8; GREETING_LEN] {
    let mut greeting = [0u8; GREETING_LEN];
    greeting[0] = 0xFF;
    greeting[9] = 0x7F;
    greeting[10] = 3;
    let (minor, name): (u8, &[u8]) = match protocol {
        Subprotocol::Bare | Subprotocol::Null => (0, b"NULL"),
        Subprotocol::Plain => (0, b"PLAIN"),
        Subprotocol::Curve => (1, b"CURVE"),
    };
    greeting[11] = minor;
    greeting[12..12 + name.len()].copy_from_slice(name);
    let secured = matches!(protocol, Subprotocol::Plain | Subprotocol::Curve);
    greeting[32] = u8::from(secured && !we_are_mechanism_server);
    greeting
}

/// The socket type a bare `ZWS2.0` peer is taken to be: one our socket
/// type accepts (that protocol exchanges no socket type).
pub fn bare_peer_socket_type(ours: &str) -> &'static str {
    match ours {
        "REQ" => "REP",
        "REP" | "ROUTER" => "DEALER",
        "PUB" | "XPUB" => "SUB",
        "SUB" | "XSUB" => "PUB",
        "PUSH" => "PULL",
        "PULL" => "PUSH",
        "CLIENT" => "SERVER",
        "SERVER" => "CLIENT",
        "RADIO" => "DISH",
        "DISH" => "RADIO",
        "GATHER" => "SCATTER",
        "SCATTER" => "GATHER",
        "CHANNEL" => "CHANNEL",
        "PEER" => "PEER",
        "PAIR" => "PAIR",
        _ => "DEALER",
    }
}

/// A ZMTP frame header for a body of `size` bytes.
fn put_zmtp_header(out: &mut Vec<u8>, flags: u8, size: u64) {
    match u8::try_from(size) {
        Ok(short) => out.extend_from_slice(&[flags, short]),
        Err(_) => {
            out.push(flags | ZMTP_LONG);
            out.extend_from_slice(&size.to_be_bytes());
        }
    }
}

/// A READY command body with these properties.
fn ready_command(properties: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = b"\x05READY".to_vec();
    for (name, value) in properties {
        body.push(name.len() as u8);
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(&(value.len() as u32).to_be_bytes());
        body.extend_from_slice(value);
    }
    body
}

/// A control frame that needs an answer or ends the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Answer with a pong carrying this payload.
    Ping(Vec<u8>),
    /// Echo a close frame with this payload, then end.
    Close(Vec<u8>),
}

/// Where a frame's payload goes.
#[derive(Debug)]
enum Sink {
    /// Straight out as ZMTP body bytes.
    Stream,
    /// Into the message being reassembled.
    Gather,
    /// Into a control frame's payload.
    Control(u8, Vec<u8>),
    /// The bare peer's routing id.
    RoutingId(Vec<u8>),
}

#[derive(Debug)]
enum InState {
    Header,
    /// The flags byte of a binary frame.
    Flags(FrameHeader),
    Payload {
        header: FrameHeader,
        offset: u64,
        sink: Sink,
    },
}

/// A fragmented message being reassembled.
#[derive(Debug)]
struct Gathered {
    flags: u8,
    body: Vec<u8>,
}

/// WebSocket bytes in, ZMTP bytes out.
#[derive(Debug)]
pub struct Inbound {
    expect_masked: bool,
    parser: HeaderParser,
    state: InState,
    gathered: Option<Gathered>,
    /// The bare peer's routing id is still to come.
    awaiting_routing_id: bool,
    /// Our socket type's name (bare subprotocol).
    socket_type: String,
}

impl Inbound {
    /// Starts after an upgrade to `protocol`; writes the implied peer
    /// greeting to `zmtp`. A server expects masked frames.
    pub fn new(
        protocol: Subprotocol,
        we_are_ws_server: bool,
        we_are_mechanism_server: bool,
        socket_type: &str,
        zmtp: &mut Vec<u8>,
    ) -> Self {
        zmtp.extend_from_slice(&peer_greeting(protocol, we_are_mechanism_server));
        Self {
            expect_masked: we_are_ws_server,
            parser: HeaderParser::new(),
            state: InState::Header,
            gathered: None,
            awaiting_routing_id: protocol == Subprotocol::Bare,
            socket_type: socket_type.to_owned(),
        }
    }

    /// Decodes all of `input`: ZMTP bytes are appended to `zmtp`, control
    /// frames to answer to `controls`.
    pub fn feed(
        &mut self,
        mut input: &[u8],
        zmtp: &mut Vec<u8>,
        controls: &mut Vec<Control>,
    ) -> Result<(), BridgeError> {
        while !input.is_empty() {
            match &mut self.state {
                InState::Header => {
                    let (used, header) = self.parser.feed(input)?;
                    input = &input[used..];
                    if let Some(header) = header {
                        self.on_header(header, zmtp, controls)?;
                    }
                }
                InState::Flags(header) => {
                    let header = *header;
                    let mut flags = input[0];
                    input = &input[1..];
                    if let Some(mask) = header.mask {
                        flags ^= mask[0];
                    }
                    self.on_flags(header, flags, zmtp)?;
                }
                InState::Payload {
                    header,
                    offset,
                    sink,
                } => {
                    let left = header.len - *offset;
                    let take = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    let (chunk, rest) = input.split_at(take);
                    input = rest;
                    let target = match sink {
                        Sink::Stream => &mut *zmtp,
                        Sink::Gather => match &mut self.gathered {
                            Some(g) => &mut g.body,
                            None => return Err(BridgeError::BadFragmentation),
                        },
                        Sink::Control(_, payload) | Sink::RoutingId(payload) => payload,
                    };
                    let start = target.len();
                    target.extend_from_slice(chunk);
                    if let Some(mask) = header.mask {
                        frame::apply_mask(&mut target[start..], mask, *offset);
                    }
                    *offset += take as u64;
                    if *offset == header.len {
                        let InState::Payload { header, sink, .. } =
                            std::mem::replace(&mut self.state, InState::Header)
                        else {
                            unreachable!("in the payload state");
                        };
                        self.on_payload_done(header, sink, zmtp, controls)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn on_header(
        &mut self,
        header: FrameHeader,
        zmtp: &mut Vec<u8>,
        controls: &mut Vec<Control>,
    ) -> Result<(), BridgeError> {
        if header.mask.is_some() != self.expect_masked {
            return Err(BridgeError::WrongMasking);
        }
        match header.opcode {
            OPCODE_TEXT => Err(BridgeError::TextFrame),
            OPCODE_BINARY => {
                if self.gathered.is_some() {
                    return Err(BridgeError::BadFragmentation);
                }
                if header.len == 0 {
                    return Err(BridgeError::EmptyFrame);
                }
                if !header.fin && header.len > MAX_FRAGMENTED {
                    return Err(BridgeError::TooLarge);
                }
                self.state = InState::Flags(header);
                Ok(())
            }
            OPCODE_CONTINUATION => {
                let gathered = self
                    .gathered
                    .as_ref()
                    .ok_or(BridgeError::BadFragmentation)?;
                if gathered.body.len() as u64 + header.len > MAX_FRAGMENTED {
                    return Err(BridgeError::TooLarge);
                }
                self.start_payload(header, Sink::Gather, zmtp, controls)
            }
            opcode => {
                let payload = Vec::with_capacity(header.len as usize);
                self.start_payload(header, Sink::Control(opcode, payload), zmtp, controls)
            }
        }
    }

    fn on_flags(
        &mut self,
        header: FrameHeader,
        flags: u8,
        zmtp: &mut Vec<u8>,
    ) -> Result<(), BridgeError> {
        let mut zmtp_flags = 0;
        if flags & ZWS_MORE != 0 {
            zmtp_flags |= ZMTP_MORE;
        }
        if flags & ZWS_COMMAND != 0 {
            zmtp_flags |= ZMTP_COMMAND;
        }
        let size = header.len - 1;
        let sink = if self.awaiting_routing_id {
            if size > MAX_ROUTING_ID || !header.fin {
                return Err(BridgeError::TooLarge);
            }
            Sink::RoutingId(Vec::new())
        } else if header.fin {
            put_zmtp_header(zmtp, zmtp_flags, size);
            Sink::Stream
        } else {
            if header.len > MAX_FRAGMENTED {
                return Err(BridgeError::TooLarge);
            }
            self.gathered = Some(Gathered {
                flags: zmtp_flags,
                body: Vec::new(),
            });
            Sink::Gather
        };
        self.state = InState::Payload {
            header,
            offset: 1,
            sink,
        };
        if size == 0 {
            let InState::Payload { header, sink, .. } =
                std::mem::replace(&mut self.state, InState::Header)
            else {
                unreachable!("just set");
            };
            self.on_payload_done(header, sink, zmtp, &mut Vec::new())?;
        }
        Ok(())
    }

    fn start_payload(
        &mut self,
        header: FrameHeader,
        sink: Sink,
        zmtp: &mut Vec<u8>,
        controls: &mut Vec<Control>,
    ) -> Result<(), BridgeError> {
        if header.len == 0 {
            return self.on_payload_done(header, sink, zmtp, controls);
        }
        self.state = InState::Payload {
            header,
            offset: 0,
            sink,
        };
        Ok(())
    }

    fn on_payload_done(
        &mut self,
        header: FrameHeader,
        sink: Sink,
        zmtp: &mut Vec<u8>,
        controls: &mut Vec<Control>,
    ) -> Result<(), BridgeError> {
        match sink {
            Sink::Stream => {}
            Sink::Gather => {
                if header.fin {
                    let gathered = self.gathered.take().ok_or(BridgeError::BadFragmentation)?;
                    put_zmtp_header(zmtp, gathered.flags, gathered.body.len() as u64);
                    zmtp.extend_from_slice(&gathered.body);
                }
            }
            Sink::RoutingId(id) => {
                self.awaiting_routing_id = false;
                let peer_type = bare_peer_socket_type(&self.socket_type);
                let body =
                    ready_command(&[("Socket-Type", peer_type.as_bytes()), ("Identity", &id)]);
                put_zmtp_header(zmtp, ZMTP_COMMAND, body.len() as u64);
                zmtp.extend_from_slice(&body);
            }
            Sink::Control(OPCODE_PING, payload) => {
                // Answered by the stream; the engine sees liveness (as
                // libzmq's ws engine, any frame disarms its heartbeat
                // timeout), as a PONG, the command it takes for no more.
                controls.push(Control::Ping(payload));
                put_zmtp_header(zmtp, ZMTP_COMMAND, 5);
                zmtp.extend_from_slice(b"\x04PONG");
            }
            Sink::Control(OPCODE_CLOSE, payload) => controls.push(Control::Close(payload)),
            Sink::Control(OPCODE_PONG, _) => {
                // A heartbeat answer: the engine sees a ZMTP PONG (unboxed
                // under CURVE too: heartbeats bypass the mechanism).
                put_zmtp_header(zmtp, ZMTP_COMMAND, 5);
                zmtp.extend_from_slice(b"\x04PONG");
            }
            Sink::Control(..) => {}
        }
        Ok(())
    }
}

/// A small PRNG for masking keys (SplitMix64, seeded from the system's
/// secure random source by the stream).
#[derive(Debug, Clone)]
pub struct MaskSource(u64);

impl MaskSource {
    /// A source seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next masking key.
    pub fn next_key(&mut self) -> [u8; 4] {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let bytes = (z ^ (z >> 31)).to_le_bytes();
        [bytes[0], bytes[1], bytes[2], bytes[3]]
    }
}

#[derive(Debug)]
enum OutState {
    /// Reading a ZMTP frame header.
    Header { buf: [u8; 9], have: usize },
    /// Gathering a small command's body before deciding what it becomes.
    Command { body: Vec<u8>, size: usize },
    /// Streaming a body: `left` bytes to go, masked from `offset`.
    Body {
        left: u64,
        mask: Option<[u8; 4]>,
        offset: u64,
    },
}

/// ZMTP bytes in, WebSocket frames out.
#[derive(Debug)]
pub struct Outbound {
    /// Where in the output each frame ended (offsets into `out`, as it
    /// grows from empty): TLS records are cut there, so that a reader
    /// reading exactly to a frame's end never leaves a decrypted rest
    /// behind (libzmq's wss engine does not look for one: a record that
    /// ran into the next frame would stall it).
    pub frame_ends: Vec<usize>,
    greeting_left: usize,
    masks: Option<MaskSource>,
    protocol: Option<Subprotocol>,
    state: OutState,
    /// Control frames (a pong, a close echo) that came while a message
    /// frame was half written: they go out at its end.
    deferred: Vec<u8>,
}

impl Outbound {
    /// A client (`masks` given) masks every frame.
    pub fn new(masks: Option<MaskSource>) -> Self {
        Self {
            frame_ends: Vec::new(),
            greeting_left: GREETING_LEN,
            masks,
            protocol: None,
            state: OutState::Header {
                buf: [0; 9],
                have: 0,
            },
            deferred: Vec::new(),
        }
    }

    /// The upgrade chose `protocol`.
    pub fn set_protocol(&mut self, protocol: Subprotocol) {
        self.protocol = Some(protocol);
    }

    /// Whether the greeting is still being dropped.
    pub fn in_greeting(&self) -> bool {
        self.greeting_left > 0
    }

    /// Drops greeting bytes from the front of `input`: how many.
    pub fn drop_greeting(&mut self, input: &[u8]) -> usize {
        let n = self.greeting_left.min(input.len());
        self.greeting_left -= n;
        n
    }

    /// Appends one whole frame (a control frame, or a message) to `out`.
    pub fn put_frame(&mut self, opcode: u8, prefix: Option<u8>, payload: &[u8], out: &mut Vec<u8>) {
        self.encode_frame(opcode, prefix, payload, out);
        self.frame_ends.push(out.len());
    }

    /// Appends a control frame to `out`, or, while a message frame's body
    /// is half written there, holds it until that frame ends (a control
    /// frame may come between frames only: RFC 6455 §5.4).
    pub fn put_control(&mut self, opcode: u8, payload: &[u8], out: &mut Vec<u8>) {
        if matches!(self.state, OutState::Body { .. }) {
            let mut deferred = std::mem::take(&mut self.deferred);
            self.encode_frame(opcode, None, payload, &mut deferred);
            self.deferred = deferred;
        } else {
            self.put_frame(opcode, None, payload, out);
        }
    }

    /// Bytes of control frames waiting for a message frame's end.
    pub fn deferred_len(&self) -> usize {
        self.deferred.len()
    }

    fn encode_frame(&mut self, opcode: u8, prefix: Option<u8>, payload: &[u8], out: &mut Vec<u8>) {
        let mask = self.masks.as_mut().map(MaskSource::next_key);
        let len = payload.len() as u64 + u64::from(prefix.is_some());
        frame::encode_header(out, true, opcode, mask, len);
        let start = out.len();
        if let Some(flags) = prefix {
            out.push(flags);
        }
        out.extend_from_slice(payload);
        if let Some(mask) = mask {
            frame::apply_mask(&mut out[start..], mask, 0);
        }
    }

    /// Encodes all of `input` (ZMTP bytes after the greeting) into `out`.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while !input.is_empty() {
            match &mut self.state {
                OutState::Header { buf, have } => {
                    buf[*have] = input[0];
                    *have += 1;
                    input = &input[1..];
                    let flags = buf[0];
                    let needed = if flags & ZMTP_LONG != 0 { 9 } else { 2 };
                    if *have < needed {
                        continue;
                    }
                    let size = if needed == 9 {
                        let mut bytes = [0; 8];
                        bytes.copy_from_slice(&buf[1..9]);
                        u64::from_be_bytes(bytes)
                    } else {
                        u64::from(buf[1])
                    };
                    self.start_frame(flags, size, out);
                }
                OutState::Command { body, size } => {
                    let take = (*size - body.len()).min(input.len());
                    body.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if body.len() == *size {
                        let body = std::mem::take(body);
                        self.state = OutState::Header {
                            buf: [0; 9],
                            have: 0,
                        };
                        self.finish_command(&body, out);
                    }
                }
                OutState::Body { left, mask, offset } => {
                    let take = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    let start = out.len();
                    out.extend_from_slice(&input[..take]);
                    if let Some(mask) = mask {
                        frame::apply_mask(&mut out[start..], *mask, *offset);
                    }
                    input = &input[take..];
                    *left -= take as u64;
                    *offset += take as u64;
                    if *left == 0 {
                        self.state = OutState::Header {
                            buf: [0; 9],
                            have: 0,
                        };
                        if !self.deferred.is_empty() {
                            self.frame_ends.push(out.len());
                            out.append(&mut self.deferred);
                            self.frame_ends.push(out.len());
                        }
                    }
                }
            }
        }
    }

    fn start_frame(&mut self, flags: u8, size: u64, out: &mut Vec<u8>) {
        if flags & ZMTP_COMMAND != 0 && size <= PEEK_COMMAND_MAX as u64 {
            self.state = OutState::Command {
                body: Vec::with_capacity(size as usize),
                size: size as usize,
            };
            if size == 0 {
                self.state = OutState::Header {
                    buf: [0; 9],
                    have: 0,
                };
                self.finish_command(&[], out);
            }
            return;
        }
        let mut ws_flags = 0;
        if flags & ZMTP_MORE != 0 {
            ws_flags |= ZWS_MORE;
        }
        if flags & ZMTP_COMMAND != 0 {
            ws_flags |= ZWS_COMMAND;
        }
        let mask = self.masks.as_mut().map(MaskSource::next_key);
        frame::encode_header(out, true, OPCODE_BINARY, mask, size + 1);
        out.push(mask.map_or(ws_flags, |m| ws_flags ^ m[0]));
        self.state = if size == 0 {
            OutState::Header {
                buf: [0; 9],
                have: 0,
            }
        } else {
            OutState::Body {
                left: size,
                mask,
                offset: 1,
            }
        };
    }

    fn finish_command(&mut self, body: &[u8], out: &mut Vec<u8>) {
        if body.starts_with(b"\x04PING") {
            self.put_frame(OPCODE_PING, None, &[], out);
        } else if body.starts_with(b"\x04PONG") {
            self.put_frame(OPCODE_PONG, None, &[], out);
        } else if body.starts_with(b"\x05READY") && self.protocol == Some(Subprotocol::Bare) {
            let id = ready_property(&body[6..], "Identity").unwrap_or_default();
            self.put_frame(OPCODE_BINARY, Some(0), id, out);
        } else {
            self.put_frame(OPCODE_BINARY, Some(ZWS_COMMAND), body, out);
        }
    }
}

/// A property's value in a READY command's property list.
fn ready_property<'a>(mut props: &'a [u8], wanted: &str) -> Option<&'a [u8]> {
    while let Some((&name_len, rest)) = props.split_first() {
        let name_len = usize::from(name_len);
        let name = rest.get(..name_len)?;
        let len_bytes = rest.get(name_len..name_len + 4)?;
        let len = u32::from_be_bytes(len_bytes.try_into().ok()?) as usize;
        let value = rest.get(name_len + 4..name_len + 4 + len)?;
        if name.eq_ignore_ascii_case(wanted.as_bytes()) {
            return Some(value);
        }
        props = &rest[name_len + 4 + len..];
    }
    None
}

#[cfg(test)]
#[path = "bridge_tests.rs"]
mod tests;

/// `MAX_CONTROL_PAYLOAD` as a length, for callers sizing pong payloads.
pub const MAX_CONTROL: usize = MAX_CONTROL_PAYLOAD as usize;
