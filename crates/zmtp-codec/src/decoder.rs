//! The incremental frame decoder over the engine's `BytesMut` read buffer.
//!
//! Feed any chunking of the stream; the same frames come out. Bodies are
//! `Bytes` slices of the read buffer (zero copy, no allocation), or, through
//! [`Decoder::decode_inline`], small data bodies are lent to the caller as
//! `&[u8]` straight from the read buffer, so no `Bytes` (and no reference
//! count on the buffer) is made for a body the caller copies anyway. A body larger
//! than [`Decoder::with_in_place_limit`] that is not complete yet is moved
//! into its own growing buffer, so the read buffer never has to hold it.
//! The maximum message size is checked from the header, before anything
//! is allocated for the body.

use bytes::{Buf, Bytes, BytesMut};

use crate::error::Error;
use crate::frame::{FLAG_COMMAND, FLAG_LONG, FLAG_MORE, Frame, FrameFlags, Framing};

/// Default for [`Decoder::with_in_place_limit`].
pub const DEFAULT_IN_PLACE_LIMIT: usize = 64 * 1024;
/// First reservation of a body accumulator (it grows as bytes arrive).
const ACCUMULATOR_START: usize = 64 * 1024;
/// Below this much free room (or the missing bytes, when fewer)
/// [`Decoder::body_buffer`] grows the accumulator before lending it.
const BODY_ROOM_MIN: usize = 64 * 1024;

#[derive(Debug)]
enum State {
    Header,
    Body {
        flags: FrameFlags,
        size: usize,
        accumulated: Option<BytesMut>,
    },
    Failed(Error),
}

/// What [`Decoder::decode_inline`] produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded<R> {
    /// A small data frame, as the caller's closure turned it into `R`.
    Inline(R),
    /// Any other frame.
    Frame(Frame),
}

/// Incremental decoder for one connection's frames.
#[derive(Debug)]
pub struct Decoder {
    framing: Framing,
    max_message_size: Option<u64>,
    in_place_limit: usize,
    state: State,
}

impl Decoder {
    /// A decoder for `framing` without a size limit.
    pub fn new(framing: Framing) -> Decoder {
        Decoder {
            framing,
            max_message_size: None,
            in_place_limit: DEFAULT_IN_PLACE_LIMIT,
            state: State::Header,
        }
    }

    /// Sets `ZMQ_MAXMSGSIZE`: every frame body larger than this is refused
    /// from its header. Negative means unlimited (the libzmq default -1).
    pub fn with_max_message_size(mut self, max: i64) -> Decoder {
        self.max_message_size = u64::try_from(max).ok();
        self
    }

    /// Changes the limit of [`Decoder::with_max_message_size`] for the
    /// frames whose header is not decoded yet (an engine caps frames
    /// tightly during the handshake and lifts the cap once the peer is
    /// authenticated).
    pub fn set_max_message_size(&mut self, max: i64) {
        self.max_message_size = u64::try_from(max).ok();
    }

    /// Incomplete bodies up to this size wait in the read buffer (the
    /// engine must let it grow to `limit + MAX_HEADER_LEN`); larger ones
    /// are accumulated by the decoder.
    pub fn with_in_place_limit(mut self, limit: usize) -> Decoder {
        self.in_place_limit = limit;
        self
    }

    /// The framing this decoder reads.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// While a body larger than the in-place limit is being accumulated,
    /// how many of its bytes are still missing (a hint for the next read
    /// size); `None` otherwise.
    pub fn missing_body_bytes(&self) -> Option<usize> {
        match &self.state {
            State::Body {
                size,
                accumulated: Some(acc),
                ..
            } => Some(size.saturating_sub(acc.len())),
            _ => None,
        }
    }

    /// While a body larger than the in-place limit is being accumulated:
    /// its buffer, with free room to read the body's next bytes straight
    /// into (no copy through the read buffer), and how many body bytes are
    /// still missing. The caller appends at most that many bytes, then
    /// calls [`Decoder::decode`] as after any input; bytes of the next
    /// frame go to the read buffer as usual.
    ///
    /// The room grows only as bytes arrive, never from the announced size.
    /// When the free room is short of the missing bytes and of 64 KiB or
    /// what `arrived` reports (the bytes waiting to be read, as the caller
    /// learns them from the stream, asked only then), the buffer grows to
    /// hold twice what it holds, or that plus what has arrived, whichever
    /// is more, never past the announced size: at most about twice the
    /// bytes received and waiting, plus 128 KiB.
    pub fn body_buffer(
        &mut self,
        arrived: impl FnOnce() -> usize,
    ) -> Option<(&mut BytesMut, usize)> {
        let State::Body {
            size,
            accumulated: Some(acc),
            ..
        } = &mut self.state
        else {
            return None;
        };
        let missing = size.saturating_sub(acc.len());
        if missing == 0 {
            return None;
        }
        let room = acc.capacity() - acc.len();
        if room < missing {
            let arrived = arrived();
            if room < missing.min(arrived.max(BODY_ROOM_MIN)) {
                let target = acc
                    .len()
                    .saturating_mul(2)
                    .max(acc.len().saturating_add(arrived))
                    .max(ACCUMULATOR_START)
                    .min(*size);
                acc.reserve(target.saturating_sub(acc.len()));
            }
        }
        Some((acc, missing))
    }

    /// How many more bytes the read buffer must take to complete the frame
    /// whose body waits in it, `buffered` bytes being there now (0 when
    /// no such frame is known: between frames, or while a large body is
    /// accumulated by the decoder). The engine sizes its next read with it,
    /// so a body up to the in-place limit arrives in one buffer, uncopied.
    pub fn bytes_wanted(&self, buffered: usize) -> usize {
        match &self.state {
            State::Body {
                size,
                accumulated: None,
                ..
            } if *size <= self.in_place_limit => size.saturating_sub(buffered),
            _ => 0,
        }
    }

    /// Decodes the next frame from `buf`, consuming its bytes. `Ok(None)`
    /// means more input is needed. After an error every call returns it.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, Error> {
        // An empty body as a slice is the same frame as `Bytes::new()`.
        let decoded = self.decode_inline(buf, 0, |flags, _| Frame {
            flags,
            body: Bytes::new(),
        })?;
        Ok(decoded.map(|decoded| match decoded {
            Decoded::Inline(frame) | Decoded::Frame(frame) => frame,
        }))
    }

    /// Like [`Decoder::decode`], but a complete data (not command) frame
    /// whose body has at most `inline_limit` bytes is lent to `inline` as
    /// a slice of `buf`, then consumed: no `Bytes` is made for it.
    pub fn decode_inline<R>(
        &mut self,
        buf: &mut BytesMut,
        inline_limit: usize,
        inline: impl FnOnce(FrameFlags, &[u8]) -> R,
    ) -> Result<Option<Decoded<R>>, Error> {
        loop {
            match &mut self.state {
                State::Failed(error) => return Err(error.clone()),
                State::Header => match self.parse_header(buf) {
                    Ok(Some((flags, size))) => {
                        self.state = State::Body {
                            flags,
                            size,
                            accumulated: None,
                        }
                    }
                    Ok(None) => return Ok(None),
                    Err(error) => {
                        self.state = State::Failed(error.clone());
                        return Err(error);
                    }
                },
                State::Body {
                    flags,
                    size,
                    accumulated,
                } => {
                    let (flags, size) = (*flags, *size);
                    let body = match accumulated {
                        None if size <= inline_limit && !flags.command() && buf.len() >= size => {
                            let made = inline(flags, buf.get(..size).unwrap_or_default());
                            buf.advance(size);
                            self.state = State::Header;
                            return Ok(Some(Decoded::Inline(made)));
                        }
                        None if buf.len() >= size => take_body(buf, size),
                        None if size <= self.in_place_limit => return Ok(None),
                        None => {
                            let mut acc = BytesMut::with_capacity(size.min(ACCUMULATOR_START));
                            move_into(&mut acc, buf, size);
                            let done = acc.len() == size;
                            *accumulated = Some(acc);
                            if !done {
                                return Ok(None);
                            }
                            continue;
                        }
                        Some(acc) => {
                            move_into(acc, buf, size);
                            if acc.len() < size {
                                return Ok(None);
                            }
                            // More than `size` only if a caller of
                            // `body_buffer` broke its contract.
                            debug_assert_eq!(acc.len(), size);
                            acc.truncate(size);
                            core::mem::take(acc).freeze()
                        }
                    };
                    self.state = State::Header;
                    return Ok(Some(Decoded::Frame(Frame { flags, body })));
                }
            }
        }
    }

    /// Parses a complete header at the front of `buf` and consumes it.
    fn parse_header(&self, buf: &mut BytesMut) -> Result<Option<(FrameFlags, usize)>, Error> {
        let Some(&first) = buf.first() else {
            return Ok(None);
        };
        let (flags, size, header_len) = match self.framing {
            Framing::V3 | Framing::V2 => {
                let allowed = match self.framing {
                    Framing::V3 => FLAG_MORE | FLAG_LONG | FLAG_COMMAND,
                    _ => FLAG_MORE | FLAG_LONG,
                };
                if first & !allowed != 0 {
                    return Err(Error::ReservedFrameFlags { flags: first });
                }
                let flags = FrameFlags::new(first & FLAG_MORE != 0, first & FLAG_COMMAND != 0);
                if first & FLAG_LONG != 0 {
                    let Some(size) = read_u64(buf, 1) else {
                        return Ok(None);
                    };
                    (flags, size, 9)
                } else {
                    let Some(&size) = buf.get(1) else {
                        return Ok(None);
                    };
                    (flags, u64::from(size), 2)
                }
            }
            Framing::V1 => {
                let (length, flags_at) = if first == 0xFF {
                    let Some(length) = read_u64(buf, 1) else {
                        return Ok(None);
                    };
                    (length, 9)
                } else {
                    (u64::from(first), 1)
                };
                if length == 0 {
                    return Err(Error::ZeroLengthFrame);
                }
                // The size is known before the flags byte arrives: check it now.
                self.check_size(length - 1)?;
                let Some(&flags) = buf.get(flags_at) else {
                    return Ok(None);
                };
                (
                    FrameFlags::new(flags & FLAG_MORE != 0, false),
                    length - 1,
                    flags_at + 1,
                )
            }
        };
        let size = self.check_size(size)?;
        buf.advance(header_len);
        Ok(Some((flags, size)))
    }

    fn check_size(&self, size: u64) -> Result<usize, Error> {
        if let Some(max) = self.max_message_size
            && size > max
        {
            return Err(Error::MessageTooLarge { size, max });
        }
        // No allocation can exceed `isize::MAX` bytes: a larger announced
        // size can never be received (libzmq fails its `malloc`).
        usize::try_from(size)
            .ok()
            .filter(|&size| isize::try_from(size).is_ok())
            .ok_or(Error::MessageTooLarge {
                size,
                max: isize::MAX as u64,
            })
    }
}

fn read_u64(buf: &[u8], at: usize) -> Option<u64> {
    let bytes = buf.get(at..at + 8)?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// Takes a complete body of `size` bytes off the front of `buf` (the
/// caller checked `buf.len() >= size`), without copying.
fn take_body(buf: &mut BytesMut, size: usize) -> Bytes {
    if size == 0 {
        Bytes::new()
    } else {
        buf.split_to(size).freeze()
    }
}

/// Moves up to what `acc` still lacks of `size` bytes from `buf` into it.
fn move_into(acc: &mut BytesMut, buf: &mut BytesMut, size: usize) {
    let take = size.saturating_sub(acc.len()).min(buf.len());
    acc.extend_from_slice(buf.get(..take).unwrap_or(&[]));
    buf.advance(take);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode_frame;

    fn decode_all(decoder: &mut Decoder, buf: &mut BytesMut) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some(frame) = decoder.decode(buf).unwrap() {
            out.push(frame);
        }
        out
    }

    #[test]
    fn v3_short_long_command() {
        let mut buf = BytesMut::from(
            &b"\x01\x03abc\x04\x05\x04PING\x02\x00\x00\x00\x00\x00\x00\x00\x02hi"[..],
        );
        let frames = decode_all(&mut Decoder::new(Framing::V3), &mut buf);
        assert_eq!(
            frames,
            vec![
                Frame::new(FrameFlags::MORE, &b"abc"[..]),
                Frame::new(FrameFlags::COMMAND, &b"\x04PING"[..]),
                Frame::new(FrameFlags::NONE, &b"hi"[..]),
            ]
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn sizes_no_allocation_can_hold_are_refused_from_the_header() {
        let mut d = Decoder::new(Framing::V3);
        let mut buf = BytesMut::from(&b"\x02\x80\x00\x00\x00\x00\x00\x00\x00"[..]);
        assert_eq!(
            d.decode(&mut buf),
            Err(Error::MessageTooLarge {
                size: 1 << 63,
                max: isize::MAX as u64
            })
        );
    }

    #[test]
    fn the_limit_can_change_between_frames() {
        let mut d = Decoder::new(Framing::V3).with_max_message_size(2);
        let mut buf = BytesMut::from(&b"\x00\x02ab\x00\x03abc"[..]);
        assert_eq!(d.decode(&mut buf).unwrap().unwrap().body, &b"ab"[..]);
        d.set_max_message_size(-1);
        assert_eq!(d.decode(&mut buf).unwrap().unwrap().body, &b"abc"[..]);
    }

    #[test]
    fn reserved_bits_rejected() {
        let mut d = Decoder::new(Framing::V3);
        let mut buf = BytesMut::from(&b"\x08\x00"[..]);
        assert_eq!(
            d.decode(&mut buf),
            Err(Error::ReservedFrameFlags { flags: 8 })
        );
        assert_eq!(
            d.decode(&mut buf),
            Err(Error::ReservedFrameFlags { flags: 8 })
        );
        let mut buf = BytesMut::from(&b"\x04\x00"[..]);
        assert!(Decoder::new(Framing::V2).decode(&mut buf).is_err());
    }

    #[test]
    fn max_size_checked_from_header() {
        let mut d = Decoder::new(Framing::V3).with_max_message_size(10);
        let mut buf = BytesMut::from(&b"\x02\x7f\xff\xff\xff\xff\xff\xff\xff"[..]);
        assert!(matches!(
            d.decode(&mut buf),
            Err(Error::MessageTooLarge { max: 10, .. })
        ));
        let mut d = Decoder::new(Framing::V3).with_max_message_size(10);
        let mut buf = BytesMut::from(&b"\x00\x0a0123456789"[..]);
        assert_eq!(d.decode(&mut buf).unwrap().unwrap().body.len(), 10);
        let mut d = Decoder::new(Framing::V1).with_max_message_size(1);
        let mut buf = BytesMut::from(&b"\x03"[..]);
        assert!(matches!(
            d.decode(&mut buf),
            Err(Error::MessageTooLarge { size: 2, max: 1 })
        ));
    }

    #[test]
    fn zero_copy_bodies() {
        for size in [1, 32, 100] {
            let mut buf = BytesMut::new();
            encode_frame(Framing::V3, FrameFlags::NONE, &vec![7u8; size], &mut buf);
            let start = buf.as_ptr() as usize;
            let frame = Decoder::new(Framing::V3).decode(&mut buf).unwrap().unwrap();
            assert_eq!(frame.body.as_ptr() as usize, start + 2);
        }
    }

    #[test]
    fn small_data_bodies_lent_inline() {
        let mut buf = BytesMut::new();
        encode_frame(Framing::V3, FrameFlags::MORE, b"ab", &mut buf);
        encode_frame(Framing::V3, FrameFlags::COMMAND, b"\x04PING", &mut buf);
        encode_frame(Framing::V3, FrameFlags::NONE, b"abcd", &mut buf);
        encode_frame(Framing::V3, FrameFlags::NONE, b"", &mut buf);
        let mut d = Decoder::new(Framing::V3);
        let lend = |f: FrameFlags, b: &[u8]| (f, b.to_vec());
        let first = d.decode_inline(&mut buf, 3, lend).unwrap();
        assert_eq!(
            first,
            Some(Decoded::Inline((FrameFlags::MORE, b"ab".to_vec())))
        );
        let command = d.decode_inline(&mut buf, 3, lend).unwrap();
        assert_eq!(
            command,
            Some(Decoded::Frame(Frame::new(
                FrameFlags::COMMAND,
                &b"\x04PING"[..]
            )))
        );
        let large = d.decode_inline(&mut buf, 3, lend).unwrap();
        assert_eq!(
            large,
            Some(Decoded::Frame(Frame::new(FrameFlags::NONE, &b"abcd"[..])))
        );
        let empty = d.decode_inline(&mut buf, 3, lend).unwrap();
        assert_eq!(empty, Some(Decoded::Inline((FrameFlags::NONE, Vec::new()))));
        assert!(buf.is_empty());
        // A small body split across reads waits, then comes out inline.
        let mut buf = BytesMut::from(&b"\x00\x03a"[..]);
        assert_eq!(d.decode_inline(&mut buf, 3, lend), Ok(None));
        buf.extend_from_slice(b"bc");
        let split = d.decode_inline(&mut buf, 3, lend).unwrap();
        assert_eq!(
            split,
            Some(Decoded::Inline((FrameFlags::NONE, b"abc".to_vec())))
        );
    }

    #[test]
    fn bytes_wanted_counts_the_rest_of_a_waiting_body() {
        let mut d = Decoder::new(Framing::V3).with_in_place_limit(1000);
        assert_eq!(d.bytes_wanted(0), 0);
        let mut buf = BytesMut::from(&b"\x02\x00\x00\x00\x00\x00\x00\x01\x00abc"[..]);
        assert_eq!(d.decode(&mut buf), Ok(None));
        assert_eq!(d.bytes_wanted(buf.len()), 253);
        let mut d = Decoder::new(Framing::V3).with_in_place_limit(100);
        let mut buf = BytesMut::from(&b"\x02\x00\x00\x00\x00\x00\x00\x01\x00abc"[..]);
        assert_eq!(d.decode(&mut buf), Ok(None));
        assert_eq!(d.bytes_wanted(buf.len()), 0);
    }

    #[test]
    fn large_bodies_are_read_straight_into_their_buffer() {
        let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut wire = BytesMut::new();
        encode_frame(Framing::V3, FrameFlags::NONE, &body, &mut wire);
        encode_frame(Framing::V3, FrameFlags::NONE, b"next", &mut wire);
        let mut d = Decoder::new(Framing::V3);
        assert!(d.body_buffer(|| 0).is_none());
        // The header and the first 1000 body bytes come through the read
        // buffer.
        let mut buf = BytesMut::from(&wire[..9 + 1000]);
        let mut rest = &wire[9 + 1000..];
        assert_eq!(d.decode(&mut buf), Ok(None));
        assert!(buf.is_empty());
        let mut grown = Vec::new();
        let frame = loop {
            let (acc, missing) = d.body_buffer(|| 0).unwrap();
            assert_eq!(missing, 300_000 - acc.len());
            // Never more room than about twice what has arrived.
            assert!(acc.capacity() <= 2 * acc.len() + 128 * 1024);
            grown.push(acc.capacity());
            let room = (acc.capacity() - acc.len()).min(missing);
            assert!(room > 0);
            acc.extend_from_slice(&rest[..room]);
            rest = &rest[room..];
            if let Some(frame) = d.decode(&mut buf).unwrap() {
                break frame;
            }
        };
        assert_eq!(&frame.body[..], &body[..]);
        assert!(grown.len() <= 4, "room doubles: {grown:?}");
        assert!(d.body_buffer(|| 0).is_none());
        buf.extend_from_slice(rest);
        assert_eq!(&d.decode(&mut buf).unwrap().unwrap().body[..], b"next");
    }

    #[test]
    fn a_large_body_takes_what_has_arrived_at_once() {
        let mut wire = BytesMut::new();
        encode_frame(
            Framing::V3,
            FrameFlags::NONE,
            &vec![1u8; 1 << 20],
            &mut wire,
        );
        let mut d = Decoder::new(Framing::V3);
        let mut buf = BytesMut::from(&wire[..9 + 100]);
        assert_eq!(d.decode(&mut buf), Ok(None));
        // 300 000 bytes wait in the stream: room for all of them, no more.
        let (acc, missing) = d.body_buffer(|| 300_000).unwrap();
        assert_eq!(missing, (1 << 20) - 100);
        assert!(acc.capacity() >= 300_100);
        assert!(acc.capacity() < 2 * 300_100);
        // The whole rest announced as waiting: room up to the frame's end.
        acc.resize(300_100, 1);
        let (acc, missing) = d.body_buffer(|| 1 << 20).unwrap();
        assert!(acc.capacity() - acc.len() >= missing);
        // Room enough already: the stream is not asked.
        let (_, _) = d.body_buffer(|| unreachable!("room suffices")).unwrap();
    }

    #[test]
    fn long_form_for_small_size_accepted() {
        let mut buf = BytesMut::from(&b"\x02\x00\x00\x00\x00\x00\x00\x00\x01x"[..]);
        let f = Decoder::new(Framing::V3).decode(&mut buf).unwrap().unwrap();
        assert_eq!(&f.body[..], b"x");
    }

    #[test]
    fn v1_frames() {
        let mut buf =
            BytesMut::from(&b"\x01\x00\x04\x01abc\xff\x00\x00\x00\x00\x00\x00\x00\x02\x7fZ"[..]);
        let frames = decode_all(&mut Decoder::new(Framing::V1), &mut buf);
        assert_eq!(
            frames,
            vec![
                Frame::new(FrameFlags::NONE, Bytes::new()),
                Frame::new(FrameFlags::MORE, &b"abc"[..]),
                Frame::new(FrameFlags::MORE, &b"Z"[..]),
            ]
        );
        let mut buf = BytesMut::from(&b"\x00"[..]);
        assert_eq!(
            Decoder::new(Framing::V1).decode(&mut buf),
            Err(Error::ZeroLengthFrame)
        );
    }

    #[test]
    fn accumulates_large_bodies() {
        let body: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let mut wire = BytesMut::new();
        encode_frame(Framing::V3, FrameFlags::MORE, &body, &mut wire);
        let mut d = Decoder::new(Framing::V3).with_in_place_limit(100);
        let mut buf = BytesMut::new();
        let mut got = None;
        for chunk in wire.chunks(333) {
            buf.extend_from_slice(chunk);
            if let Some(f) = d.decode(&mut buf).unwrap() {
                got = Some(f);
            }
            assert!(buf.len() <= 333);
            if got.is_none() {
                assert!(d.missing_body_bytes().is_some_and(|m| m > 0));
            }
        }
        assert_eq!(d.missing_body_bytes(), None);
        let f = got.unwrap();
        assert_eq!(&f.body[..], &body[..]);
        assert!(f.flags.more());
    }
}
