//! ZMTP 3.x commands: a command frame's body is a name-length byte, the
//! name, then command data.
//!
//! ```text
//! READY      metadata                     ERROR   reason-len(1) reason
//! SUBSCRIBE  topic (rest)                 CANCEL  topic (rest)
//! PING       ttl(2, BE, 1/10 s) context(0..=16)
//! PONG       context(0..=16)
//! JOIN       group (rest, <= 255)         LEAVE   group (rest, <= 255)
//! HELLO / WELCOME / INITIATE / MESSAGE    opaque, for the mechanisms
//! ```

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::error::{CommandKind, Error};
use crate::frame::{FrameFlags, FrameHeader, Framing};
use crate::metadata::Metadata;

/// Longest PING/PONG context (RFC 37).
pub const MAX_PING_CONTEXT: usize = 16;
/// Longest RADIO/DISH group (`ZMQ_GROUP_MAX_LENGTH`).
pub const MAX_GROUP_LEN: usize = 255;

/// A decoded command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// READY with the sender's metadata (NULL and PLAIN). A malformed
    /// property list is [`Error::InvalidMetadata`]. CURVE's READY is a box:
    /// its mechanism builds it with [`encode_raw_command_frame`].
    Ready(Metadata),
    /// ERROR with a reason of at most 255 bytes.
    Error {
        /// The reason text (any bytes; it only gets logged).
        reason: Bytes,
    },
    /// SUBSCRIBE to a topic prefix.
    Subscribe(Bytes),
    /// CANCEL a subscription.
    Cancel(Bytes),
    /// PING (heartbeat request).
    Ping {
        /// Time to live in tenths of a second (0 = none).
        ttl_deciseconds: u16,
        /// Context to echo, at most 16 bytes (a longer one is cut to 16,
        /// as libzmq does).
        context: Bytes,
    },
    /// PONG echoing a PING's context.
    Pong {
        /// The echoed context, at most 16 bytes (a longer one is cut).
        context: Bytes,
    },
    /// JOIN a RADIO/DISH group.
    Join(Bytes),
    /// LEAVE a RADIO/DISH group.
    Leave(Bytes),
    /// A mechanism command passed through unparsed.
    Mechanism {
        /// Which one.
        kind: MechanismCommand,
        /// The command data after the name.
        data: Bytes,
    },
    /// Any other command; libzmq ignores these.
    Unknown {
        /// The command name.
        name: Bytes,
        /// The command data after the name.
        data: Bytes,
    },
}

/// A command split into name and data, nothing else interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCommand {
    /// The name (1..=255 bytes).
    pub name: Bytes,
    /// The data after the name.
    pub data: Bytes,
}

impl RawCommand {
    /// Splits a command frame's body (zero copy).
    pub fn split(mut body: Bytes) -> Result<RawCommand, Error> {
        let Some(&name_len) = body.first() else {
            return Err(Error::MalformedCommandName);
        };
        let name_len = usize::from(name_len);
        if name_len == 0 || body.len() < 1 + name_len {
            return Err(Error::MalformedCommandName);
        }
        body.advance(1);
        let name = body.split_to(name_len);
        Ok(RawCommand { name, data: body })
    }
}

/// Mechanism handshake commands that the codec leaves to zmq-mechanisms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MechanismCommand {
    /// HELLO (PLAIN, CURVE).
    Hello,
    /// WELCOME (PLAIN, CURVE).
    Welcome,
    /// INITIATE (PLAIN, CURVE).
    Initiate,
    /// MESSAGE (CURVE data).
    Message,
}

impl MechanismCommand {
    fn name(self) -> &'static [u8] {
        match self {
            MechanismCommand::Hello => b"HELLO",
            MechanismCommand::Welcome => b"WELCOME",
            MechanismCommand::Initiate => b"INITIATE",
            MechanismCommand::Message => b"MESSAGE",
        }
    }
}

impl Command {
    /// A PONG answering `ping`'s context.
    pub fn pong_for(context: &Bytes) -> Command {
        Command::Pong {
            context: context.slice(..context.len().min(MAX_PING_CONTEXT)),
        }
    }

    /// The command name as on the wire.
    pub fn name(&self) -> &[u8] {
        match self {
            Command::Ready(_) => b"READY",
            Command::Error { .. } => b"ERROR",
            Command::Subscribe(_) => b"SUBSCRIBE",
            Command::Cancel(_) => b"CANCEL",
            Command::Ping { .. } => b"PING",
            Command::Pong { .. } => b"PONG",
            Command::Join(_) => b"JOIN",
            Command::Leave(_) => b"LEAVE",
            Command::Mechanism { kind, .. } => kind.name(),
            Command::Unknown { name, .. } => clamp(name, 255),
        }
    }

    /// Parses a command frame's body.
    ///
    /// READY is parsed as metadata; a mechanism whose READY is not plain
    /// metadata (CURVE) reads the frame with [`RawCommand::split`] instead.
    pub fn parse(body: Bytes) -> Result<Command, Error> {
        let RawCommand { name, data } = RawCommand::split(body)?;
        let malformed = |command, reason| Error::MalformedCommand { command, reason };
        Ok(match &name[..] {
            b"READY" => Command::Ready(Metadata::parse(data)?),
            b"ERROR" => {
                let Some(&len) = data.first() else {
                    return Err(malformed(CommandKind::Error, "missing reason length"));
                };
                let len = usize::from(len);
                if data.len() < 1 + len {
                    return Err(malformed(CommandKind::Error, "truncated reason"));
                }
                // libzmq ignores bytes after the reason.
                Command::Error {
                    reason: data.slice(1..1 + len),
                }
            }
            b"SUBSCRIBE" => Command::Subscribe(data),
            b"CANCEL" => Command::Cancel(data),
            b"PING" => {
                if data.len() < 2 {
                    return Err(malformed(CommandKind::Other, "PING without TTL"));
                }
                let ttl = u16::from_be_bytes([data[0], data[1]]);
                let end = data.len().min(2 + MAX_PING_CONTEXT);
                Command::Ping {
                    ttl_deciseconds: ttl,
                    context: data.slice(2..end),
                }
            }
            // libzmq never reads a PONG's context; cut it like PING's.
            b"PONG" => Command::Pong {
                context: data.slice(..data.len().min(MAX_PING_CONTEXT)),
            },
            b"JOIN" | b"LEAVE" => {
                if data.len() > MAX_GROUP_LEN {
                    return Err(malformed(CommandKind::Other, "group longer than 255 bytes"));
                }
                if &name[..] == b"JOIN" {
                    Command::Join(data)
                } else {
                    Command::Leave(data)
                }
            }
            b"HELLO" => Command::Mechanism {
                kind: MechanismCommand::Hello,
                data,
            },
            b"WELCOME" => Command::Mechanism {
                kind: MechanismCommand::Welcome,
                data,
            },
            b"INITIATE" => Command::Mechanism {
                kind: MechanismCommand::Initiate,
                data,
            },
            b"MESSAGE" => Command::Mechanism {
                kind: MechanismCommand::Message,
                data,
            },
            _ => Command::Unknown { name, data },
        })
    }

    /// Size of the encoded body (name-length byte, name, data).
    pub fn encoded_len(&self) -> usize {
        1 + self.name().len()
            + match self {
                Command::Ready(m) => m.encoded_len(),
                Command::Error { reason } => 1 + reason.len().min(255),
                Command::Subscribe(t) | Command::Cancel(t) => t.len(),
                Command::Ping { context, .. } => 2 + context.len().min(MAX_PING_CONTEXT),
                Command::Pong { context } => context.len().min(MAX_PING_CONTEXT),
                Command::Join(g) | Command::Leave(g) => g.len().min(MAX_GROUP_LEN),
                Command::Mechanism { data, .. } | Command::Unknown { data, .. } => data.len(),
            }
    }

    /// Appends the body. Fields longer than their wire limit (ERROR reason
    /// 255, PING/PONG context 16, group 255, name 255) are cut to it.
    pub fn encode_body(&self, dst: &mut impl BufMut) {
        let name = self.name();
        dst.put_u8(name.len() as u8);
        dst.put_slice(name);
        match self {
            Command::Ready(m) => m.encode(dst),
            Command::Error { reason } => {
                let reason = clamp(reason, 255);
                dst.put_u8(reason.len() as u8);
                dst.put_slice(reason);
            }
            Command::Subscribe(t) | Command::Cancel(t) => dst.put_slice(t),
            Command::Ping {
                ttl_deciseconds,
                context,
            } => {
                dst.put_u16(*ttl_deciseconds);
                dst.put_slice(clamp(context, MAX_PING_CONTEXT));
            }
            Command::Pong { context } => dst.put_slice(clamp(context, MAX_PING_CONTEXT)),
            Command::Join(g) | Command::Leave(g) => dst.put_slice(clamp(g, MAX_GROUP_LEN)),
            Command::Mechanism { data, .. } | Command::Unknown { data, .. } => dst.put_slice(data),
        }
    }

    /// Appends a whole ZMTP 3.x command frame (header and body).
    pub fn encode_frame(&self, dst: &mut BytesMut) {
        let len = self.encoded_len();
        dst.reserve(len + 9);
        FrameHeader::new(FrameFlags::COMMAND, len).put(Framing::V3, dst);
        self.encode_body(dst);
    }
}

/// Appends a ZMTP 3.x command frame with any name and raw data (for
/// mechanism commands such as CURVE's boxed READY).
pub fn encode_raw_command_frame(name: &[u8], data: &[u8], dst: &mut BytesMut) {
    let name = clamp(name, 255);
    let len = 1 + name.len() + data.len();
    dst.reserve(len + 9);
    FrameHeader::new(FrameFlags::COMMAND, len).put(Framing::V3, dst);
    dst.put_u8(name.len() as u8);
    dst.put_slice(name);
    dst.put_slice(data);
}

fn clamp(bytes: &[u8], max: usize) -> &[u8] {
    bytes.get(..bytes.len().min(max)).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::names;

    fn frame(cmd: &Command) -> Vec<u8> {
        let mut out = BytesMut::new();
        cmd.encode_frame(&mut out);
        out.to_vec()
    }

    #[test]
    fn rfc37_ready_dealer() {
        let metadata = Metadata::new()
            .with(names::SOCKET_TYPE, "DEALER")
            .unwrap()
            .with(names::IDENTITY, "")
            .unwrap();
        let wire = frame(&Command::Ready(metadata.clone()));
        let mut expected = vec![0x04, 41, 5];
        expected.extend_from_slice(
            b"READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00",
        );
        assert_eq!(wire, expected);
        let parsed = Command::parse(Bytes::copy_from_slice(&wire[2..])).unwrap();
        assert_eq!(parsed, Command::Ready(metadata));
    }

    #[test]
    fn rfc37_ready_router() {
        let metadata = Metadata::new().with(names::SOCKET_TYPE, "ROUTER").unwrap();
        let wire = frame(&Command::Ready(metadata));
        assert_eq!(&wire[..2], &[0x04, 28]);
    }

    #[test]
    fn ping_pong() {
        let ping = Command::Ping {
            ttl_deciseconds: 300,
            context: Bytes::from_static(b"ctx"),
        };
        let wire = frame(&ping);
        assert_eq!(wire, b"\x04\x0a\x04PING\x01\x2cctx");
        assert_eq!(
            Command::parse(Bytes::copy_from_slice(&wire[2..])).unwrap(),
            ping
        );
        let pong = Command::pong_for(&Bytes::from_static(b"ctx"));
        assert_eq!(frame(&pong), b"\x04\x08\x04PONGctx");
        // Over-long context is cut to 16 bytes like libzmq.
        let long =
            Command::parse(Bytes::from_static(b"\x04PING\x00\x0012345678901234567890")).unwrap();
        assert_eq!(
            long,
            Command::Ping {
                ttl_deciseconds: 0,
                context: Bytes::from_static(b"1234567890123456")
            }
        );
        assert!(Command::parse(Bytes::from_static(b"\x04PING\x00")).is_err());
        // Found by the `command` fuzz target: PONG context cut the same way,
        // so parse → encode → parse is stable.
        let long = Command::parse(Bytes::from_static(b"\x04PONG12345678901234567")).unwrap();
        assert_eq!(
            long,
            Command::Pong {
                context: Bytes::from_static(b"1234567890123456")
            }
        );
    }

    #[test]
    fn error_subscribe_join_unknown() {
        let e = Command::parse(Bytes::from_static(b"\x05ERROR\x03bad")).unwrap();
        assert_eq!(
            e,
            Command::Error {
                reason: Bytes::from_static(b"bad")
            }
        );
        assert!(Command::parse(Bytes::from_static(b"\x05ERROR\x05bad")).is_err());
        assert!(Command::parse(Bytes::from_static(b"\x05ERROR")).is_err());
        assert_eq!(
            Command::parse(Bytes::from_static(b"\x09SUBSCRIBEtopic")).unwrap(),
            Command::Subscribe(Bytes::from_static(b"topic"))
        );
        assert_eq!(
            frame(&Command::Join(Bytes::from_static(b"g"))),
            b"\x04\x06\x04JOINg"
        );
        assert_eq!(
            Command::parse(Bytes::from_static(b"\x03FOOx")).unwrap(),
            Command::Unknown {
                name: Bytes::from_static(b"FOO"),
                data: Bytes::from_static(b"x")
            }
        );
        assert_eq!(
            Command::parse(Bytes::new()),
            Err(Error::MalformedCommandName)
        );
        assert_eq!(
            Command::parse(Bytes::from_static(b"\x00")),
            Err(Error::MalformedCommandName)
        );
        assert_eq!(
            Command::parse(Bytes::from_static(b"\x05READ")),
            Err(Error::MalformedCommandName)
        );
        let bad_ready = Command::parse(Bytes::from_static(b"\x05READY\x05ab")).unwrap_err();
        assert!(matches!(bad_ready, Error::InvalidMetadata { .. }));
    }
}
