//! Frames and their headers for the three framings (ZMTP 1.0, 2.0, 3.x),
//! and the header encoder.
//!
//! ```text
//! ZMTP 3.x / 2.0:  flags (MORE 0x01, LONG 0x02, COMMAND 0x04 in 3.x only)
//!                  size: 1 byte, or 8 bytes big-endian when LONG
//!                  body
//! ZMTP 1.0:        length = body + 1: 1 byte (< 0xFF), or 0xFF + 8 bytes BE
//!                  flags (MORE 0x01; other bits ignored)
//!                  body
//! ```

use bytes::{BufMut, Bytes, BytesMut};

/// Which framing a connection uses, chosen by the greeting exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framing {
    /// ZMTP 1.0 (RFC 13): length includes the flags byte, flags after it.
    V1,
    /// ZMTP 2.0 (RFC 15): flags MORE and LONG, reserved bits must be zero.
    V2,
    /// ZMTP 3.0/3.1 (RFC 23/37): flags MORE, LONG and COMMAND.
    V3,
}

/// Flags byte bit: more frames follow.
pub const FLAG_MORE: u8 = 0x01;
/// Flags byte bit (2.0/3.x): 8-byte size.
pub const FLAG_LONG: u8 = 0x02;
/// Flags byte bit (3.x): command frame.
pub const FLAG_COMMAND: u8 = 0x04;
/// Longest header of any framing (ZMTP 1.0 long: 0xFF, 8 bytes, flags).
pub const MAX_HEADER_LEN: usize = 10;

/// The frame's meaning bits (MORE, COMMAND), independent of framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FrameFlags(u8);

impl FrameFlags {
    /// A last message frame.
    pub const NONE: FrameFlags = FrameFlags(0);
    /// A message frame with more to follow.
    pub const MORE: FrameFlags = FrameFlags(FLAG_MORE);
    /// A command frame.
    pub const COMMAND: FrameFlags = FrameFlags(FLAG_COMMAND);

    /// Flags from the MORE and COMMAND bits.
    pub const fn new(more: bool, command: bool) -> FrameFlags {
        FrameFlags(((more as u8) * FLAG_MORE) | ((command as u8) * FLAG_COMMAND))
    }

    /// More frames of this message follow.
    pub const fn more(self) -> bool {
        self.0 & FLAG_MORE != 0
    }

    /// This is a command frame.
    pub const fn command(self) -> bool {
        self.0 & FLAG_COMMAND != 0
    }
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// MORE / COMMAND.
    pub flags: FrameFlags,
    /// The body: a slice of the read buffer above the copy threshold.
    pub body: Bytes,
}

impl Frame {
    /// A frame from flags and body.
    pub fn new(flags: FrameFlags, body: impl Into<Bytes>) -> Frame {
        Frame {
            flags,
            body: body.into(),
        }
    }
}

/// A frame header to encode: flags and body size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// MORE / COMMAND. COMMAND is dropped in the 1.0/2.0 framings, which
    /// have no commands.
    pub flags: FrameFlags,
    /// Body size in bytes.
    pub size: u64,
}

/// An encoded header, at most [`MAX_HEADER_LEN`] bytes, kept in place so
/// the engine can write it and the body with one `writev`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedHeader {
    bytes: [u8; MAX_HEADER_LEN],
    len: u8,
}

impl EncodedHeader {
    /// The header bytes.
    pub fn as_slice(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }
}

impl AsRef<[u8]> for EncodedHeader {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl FrameHeader {
    /// A header for `body_len` bytes with these flags.
    pub fn new(flags: FrameFlags, body_len: usize) -> FrameHeader {
        FrameHeader {
            flags,
            size: body_len as u64,
        }
    }

    /// Encodes the header; short form whenever the size allows it.
    pub fn encode(&self, framing: Framing) -> EncodedHeader {
        let mut bytes = [0u8; MAX_HEADER_LEN];
        let more = u8::from(self.flags.more());
        let len = match framing {
            Framing::V3 | Framing::V2 => {
                let mut flags = more;
                if framing == Framing::V3 && self.flags.command() {
                    flags |= FLAG_COMMAND;
                }
                match u8::try_from(self.size) {
                    Ok(short) => {
                        bytes[0] = flags;
                        bytes[1] = short;
                        2
                    }
                    Err(_) => {
                        bytes[0] = flags | FLAG_LONG;
                        bytes[1..9].copy_from_slice(&self.size.to_be_bytes());
                        9
                    }
                }
            }
            Framing::V1 => {
                let length = self.size.saturating_add(1);
                match u8::try_from(length) {
                    Ok(short) if short < 0xFF => {
                        bytes[0] = short;
                        bytes[1] = more;
                        2
                    }
                    _ => {
                        bytes[0] = 0xFF;
                        bytes[1..9].copy_from_slice(&length.to_be_bytes());
                        bytes[9] = more;
                        10
                    }
                }
            }
        };
        EncodedHeader { bytes, len }
    }

    /// Appends the encoded header to `dst`.
    pub fn put(&self, framing: Framing, dst: &mut impl BufMut) {
        dst.put_slice(self.encode(framing).as_slice());
    }
}

/// A connection's frame encoder: the framing chosen by the greeting, and
/// header/frame writing with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoder {
    framing: Framing,
}

impl Encoder {
    /// An encoder for `framing`.
    pub const fn new(framing: Framing) -> Encoder {
        Encoder { framing }
    }

    /// The framing.
    pub const fn framing(&self) -> Framing {
        self.framing
    }

    /// The header for a body of `body_len` bytes, to write before the body
    /// (for example with one `writev` of header and body).
    pub fn header(&self, flags: FrameFlags, body_len: usize) -> EncodedHeader {
        FrameHeader::new(flags, body_len).encode(self.framing)
    }

    /// Appends header and body to `dst` (for batching small frames).
    pub fn encode(&self, flags: FrameFlags, body: &[u8], dst: &mut BytesMut) {
        encode_frame(self.framing, flags, body, dst);
    }
}

/// Appends one whole frame (header and body) to `dst`.
pub fn encode_frame(framing: Framing, flags: FrameFlags, body: &[u8], dst: &mut BytesMut) {
    let header = FrameHeader::new(flags, body.len()).encode(framing);
    dst.reserve(header.as_slice().len() + body.len());
    dst.extend_from_slice(header.as_slice());
    dst.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(framing: Framing, flags: FrameFlags, size: u64) -> Vec<u8> {
        FrameHeader { flags, size }
            .encode(framing)
            .as_slice()
            .to_vec()
    }

    #[test]
    fn v3_short_and_long() {
        assert_eq!(header(Framing::V3, FrameFlags::NONE, 0), [0x00, 0x00]);
        assert_eq!(header(Framing::V3, FrameFlags::MORE, 255), [0x01, 0xFF]);
        assert_eq!(header(Framing::V3, FrameFlags::COMMAND, 41), [0x04, 41]);
        assert_eq!(
            header(Framing::V3, FrameFlags::NONE, 256),
            [0x02, 0, 0, 0, 0, 0, 0, 1, 0]
        );
        assert_eq!(
            header(Framing::V3, FrameFlags::new(true, true), 0x1_0000_0000),
            [0x07, 0, 0, 0, 1, 0, 0, 0, 0]
        );
    }

    #[test]
    fn v2_drops_command_bit() {
        assert_eq!(header(Framing::V2, FrameFlags::COMMAND, 3), [0x00, 3]);
        assert_eq!(
            header(Framing::V2, FrameFlags::MORE, 300),
            [0x03, 0, 0, 0, 0, 0, 0, 1, 44]
        );
    }

    #[test]
    fn v1_length_includes_flags() {
        assert_eq!(header(Framing::V1, FrameFlags::NONE, 0), [0x01, 0x00]);
        assert_eq!(header(Framing::V1, FrameFlags::MORE, 253), [0xFE, 0x01]);
        assert_eq!(
            header(Framing::V1, FrameFlags::NONE, 254),
            [0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x00]
        );
    }

    #[test]
    fn encoder_matches_free_functions() {
        let encoder = Encoder::new(Framing::V3);
        assert_eq!(encoder.header(FrameFlags::MORE, 3).as_slice(), &[0x01, 3]);
        let mut dst = BytesMut::new();
        encoder.encode(FrameFlags::NONE, b"x", &mut dst);
        assert_eq!(&dst[..], b"\x00\x01x");
    }

    #[test]
    fn whole_frame() {
        let mut dst = BytesMut::new();
        encode_frame(Framing::V3, FrameFlags::MORE, b"abc", &mut dst);
        assert_eq!(&dst[..], b"\x01\x03abc");
    }
}
