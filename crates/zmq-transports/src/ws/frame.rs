//! RFC 6455 frame headers, sans-IO: [`encode_header`] writes one,
//! [`HeaderParser`] reads one a byte at a time (so a header split across
//! reads needs no buffer beyond its own 14 bytes), [`apply_mask`] masks
//! or unmasks a payload slice at any offset.

/// Continuation of a fragmented message.
pub const OPCODE_CONTINUATION: u8 = 0x0;
/// A text message (ZWS refuses it).
pub const OPCODE_TEXT: u8 = 0x1;
/// A binary message: every ZWS frame.
pub const OPCODE_BINARY: u8 = 0x2;
/// Close.
pub const OPCODE_CLOSE: u8 = 0x8;
/// Ping.
pub const OPCODE_PING: u8 = 0x9;
/// Pong.
pub const OPCODE_PONG: u8 = 0xA;

/// The largest control frame payload (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: u64 = 125;
/// The longest header: 2 + 8 (length) + 4 (mask).
pub const MAX_HEADER_LEN: usize = 14;

/// One frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// The FIN bit: last frame of its message.
    pub fin: bool,
    /// The opcode (low 4 bits of the first byte).
    pub opcode: u8,
    /// The masking key, when the frame is masked.
    pub mask: Option<[u8; 4]>,
    /// The payload length.
    pub len: u64,
}

impl FrameHeader {
    /// Whether this is a control frame (close, ping, pong).
    pub fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }
}

/// Why a header was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// RSV1-3 set: no extension was negotiated.
    ReservedBits,
    /// An opcode RFC 6455 reserves.
    UnknownOpcode(u8),
    /// A control frame longer than 125 bytes, or fragmented.
    BadControlFrame,
    /// A 64-bit length with its most significant bit set.
    LengthOverflow,
    /// A length not in its shortest form (RFC 6455 §5.2: "the minimal
    /// number of bytes MUST be used").
    NonMinimalLength,
}

/// Appends a header to `out`.
pub fn encode_header(out: &mut Vec<u8>, fin: bool, opcode: u8, mask: Option<[u8; 4]>, len: u64) {
    out.push(if fin { 0x80 } else { 0 } | (opcode & 0x0F));
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if let Ok(short) = u16::try_from(len) {
        out.push(mask_bit | 126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&len.to_be_bytes());
    }
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
}

/// XORs `data` with `mask`, `data[0]` being payload byte `offset`.
pub fn apply_mask(data: &mut [u8], mask: [u8; 4], offset: u64) {
    let start = (offset % 4) as usize;
    for (i, byte) in data.iter_mut().enumerate() {
        *byte ^= mask[(start + i) % 4];
    }
}

/// Reads one header a byte at a time.
#[derive(Debug, Clone, Default)]
pub struct HeaderParser {
    buf: [u8; MAX_HEADER_LEN],
    have: usize,
}

impl HeaderParser {
    /// A parser waiting for a header's first byte.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no byte of a header was taken yet.
    pub fn is_idle(&self) -> bool {
        self.have == 0
    }

    /// Takes bytes from `input` until a header is complete: returns how
    /// many it took and the header once complete (the parser is then
    /// ready for the next one).
    pub fn feed(&mut self, input: &[u8]) -> Result<(usize, Option<FrameHeader>), HeaderError> {
        let mut used = 0;
        for &byte in input {
            self.buf[self.have] = byte;
            self.have += 1;
            used += 1;
            if self.have == 2 {
                self.check_start()?;
            }
            if self.have >= 2 && self.have == self.needed() {
                let header = self.finish()?;
                self.have = 0;
                return Ok((used, Some(header)));
            }
        }
        Ok((used, None))
    }

    fn check_start(&self) -> Result<(), HeaderError> {
        let first = self.buf[0];
        if first & 0x70 != 0 {
            return Err(HeaderError::ReservedBits);
        }
        let opcode = first & 0x0F;
        match opcode {
            OPCODE_CONTINUATION | OPCODE_TEXT | OPCODE_BINARY => Ok(()),
            OPCODE_CLOSE | OPCODE_PING | OPCODE_PONG => {
                if first & 0x80 == 0 || u64::from(self.buf[1] & 0x7F) > MAX_CONTROL_PAYLOAD {
                    Err(HeaderError::BadControlFrame)
                } else {
                    Ok(())
                }
            }
            other => Err(HeaderError::UnknownOpcode(other)),
        }
    }

    fn needed(&self) -> usize {
        let len_bytes = match self.buf[1] & 0x7F {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let mask_bytes = if self.buf[1] & 0x80 != 0 { 4 } else { 0 };
        2 + len_bytes + mask_bytes
    }

    fn finish(&self) -> Result<FrameHeader, HeaderError> {
        let (len, at) = match self.buf[1] & 0x7F {
            126 => {
                let len = u64::from(u16::from_be_bytes([self.buf[2], self.buf[3]]));
                if len < 126 {
                    return Err(HeaderError::NonMinimalLength);
                }
                (len, 4)
            }
            127 => {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(&self.buf[2..10]);
                let len = u64::from_be_bytes(bytes);
                if len >> 63 != 0 {
                    return Err(HeaderError::LengthOverflow);
                }
                if len <= 0xFFFF {
                    return Err(HeaderError::NonMinimalLength);
                }
                (len, 10)
            }
            short => (u64::from(short), 2),
        };
        let mask = (self.buf[1] & 0x80 != 0).then(|| {
            let mut key = [0; 4];
            key.copy_from_slice(&self.buf[at..at + 4]);
            key
        });
        Ok(FrameHeader {
            fin: self.buf[0] & 0x80 != 0,
            opcode: self.buf[0] & 0x0F,
            mask,
            len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(bytes: &[u8]) -> Result<Option<FrameHeader>, HeaderError> {
        let mut parser = HeaderParser::new();
        let (used, header) = parser.feed(bytes)?;
        assert!(header.is_none() || used == bytes.len(), "took {used}");
        Ok(header)
    }

    #[test]
    fn round_trips_every_length_form() {
        for len in [0u64, 1, 125, 126, 0xFFFF, 0x1_0000, 1 << 40] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let mut out = Vec::new();
                encode_header(&mut out, true, OPCODE_BINARY, mask, len);
                let header = parse_all(&out).unwrap().unwrap();
                assert_eq!(
                    header,
                    FrameHeader {
                        fin: true,
                        opcode: OPCODE_BINARY,
                        mask,
                        len
                    }
                );
            }
        }
    }

    #[test]
    fn a_header_split_byte_by_byte_is_the_same() {
        let mut out = Vec::new();
        encode_header(
            &mut out,
            false,
            OPCODE_CONTINUATION,
            Some([9, 8, 7, 6]),
            70_000,
        );
        let mut parser = HeaderParser::new();
        for (i, byte) in out.iter().enumerate() {
            let (used, header) = parser.feed(std::slice::from_ref(byte)).unwrap();
            assert_eq!(used, 1);
            assert_eq!(header.is_some(), i == out.len() - 1);
        }
        assert!(parser.is_idle());
    }

    #[test]
    fn stops_at_the_end_of_the_header() {
        let mut out = Vec::new();
        encode_header(&mut out, true, OPCODE_PING, None, 3);
        out.extend_from_slice(b"abc");
        let mut parser = HeaderParser::new();
        let (used, header) = parser.feed(&out).unwrap();
        assert_eq!(used, 2);
        assert_eq!(header.map(|h| h.len), Some(3));
    }

    #[test]
    fn refuses_what_rfc_6455_forbids() {
        assert_eq!(parse_all(&[0xC2, 0x00]), Err(HeaderError::ReservedBits));
        assert_eq!(parse_all(&[0x83, 0x00]), Err(HeaderError::UnknownOpcode(3)));
        assert_eq!(parse_all(&[0x89, 126]), Err(HeaderError::BadControlFrame));
        assert_eq!(parse_all(&[0x09, 0]), Err(HeaderError::BadControlFrame));
        assert_eq!(
            parse_all(&[0x82, 126, 0, 5]),
            Err(HeaderError::NonMinimalLength)
        );
        let mut huge = vec![0x82, 127];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(parse_all(&huge), Err(HeaderError::LengthOverflow));
    }

    #[test]
    fn masking_twice_restores_and_honours_the_offset() {
        let mask = [0xA, 0xB, 0xC, 0xD];
        let mut whole = *b"hello world";
        apply_mask(&mut whole, mask, 0);
        let mut split = *b"hello world";
        let (a, b) = split.split_at_mut(3);
        apply_mask(a, mask, 0);
        apply_mask(b, mask, 3);
        assert_eq!(whole, split);
        apply_mask(&mut whole, mask, 0);
        assert_eq!(&whole, b"hello world");
    }
}
