//! The byte layout libzmq 4.3.5's NORM engine puts on a NORM stream, and
//! its decoder. Each ZeroMQ frame is
//!
//! ```text
//!  [sync] [flags] [size: 1 byte, or 8 bytes big-endian if flags & 2] [body]
//! ```
//!
//! then the stream's end-of-message mark (`NormStreamFlush` with EOM).
//! `sync` is 0x00 on the first frame of a message and 0xff on the frames
//! after it, so that a receiver joining mid-stream (or after a loss) seeks
//! message starts and waits for a 0x00; the rest is ZMTP 2.0 framing
//! (libzmq's `v2_encoder_t`: flags bit 0 MORE, bit 1 LARGE, bit 2
//! COMMAND).

use zmq_patterns::Msg;

/// `sync` of a message's first frame.
pub(super) const SYNC_FIRST: u8 = 0x00;
/// `sync` of the frames after it.
pub(super) const SYNC_MORE: u8 = 0xff;
const MORE: u8 = 1;
const LARGE: u8 = 2;
const COMMAND: u8 = 4;
/// The most body bytes reserved before they arrive.
const RESERVE_MAX: usize = 64 * 1024;

/// The header of one frame: `sync`, flags and size (at most 10 bytes).
pub(super) fn frame_header(first: bool, msg: &Msg) -> ([u8; 10], usize) {
    let mut header = [0u8; 10];
    header[0] = if first { SYNC_FIRST } else { SYNC_MORE };
    let mut flags = if msg.more() { MORE } else { 0 };
    if msg.is_command() {
        flags |= COMMAND;
    }
    let len = msg.len();
    if let Ok(short) = u8::try_from(len) {
        header[1] = flags;
        header[2] = short;
        (header, 3)
    } else {
        header[1] = flags | LARGE;
        header[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        (header, 10)
    }
}

/// One decoded frame.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Frame {
    pub(super) more: bool,
    pub(super) command: bool,
    pub(super) body: Vec<u8>,
}

/// What [`FrameDecoder::decode`] got to.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// All input used; more is needed.
    NeedMore,
    /// A frame is complete.
    Frame(Frame),
    /// A frame larger than `ZMQ_MAXMSGSIZE`: resynchronise.
    TooLarge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The `sync` byte of the frame after a complete one (skipped: the
    /// message boundary is known from the previous frame's flags).
    Sync,
    Flags,
    Size,
    Body,
}

/// Decodes frames from the bytes of one stream, from a message start on.
pub(super) struct FrameDecoder {
    state: State,
    /// `ZMQ_MAXMSGSIZE` (negative: none).
    max: i64,
    flags: u8,
    size: [u8; 8],
    size_have: usize,
    size_need: usize,
    body: Vec<u8>,
    body_len: usize,
}

impl FrameDecoder {
    pub(super) fn new(max: i64) -> FrameDecoder {
        FrameDecoder {
            state: State::Flags,
            max,
            flags: 0,
            size: [0; 8],
            size_have: 0,
            size_need: 0,
            body: Vec::new(),
            body_len: 0,
        }
    }

    /// Starts over just after a message's 0x00 `sync` byte.
    pub(super) fn reset(&mut self) {
        self.state = State::Flags;
        self.body = Vec::new();
    }

    /// Decodes from `input` until a frame completes or the input ends;
    /// returns the bytes used and what happened.
    pub(super) fn decode(&mut self, input: &[u8]) -> (usize, Step) {
        let mut used = 0;
        while used < input.len() {
            let rest = &input[used..];
            match self.state {
                State::Sync => {
                    used += 1;
                    self.state = State::Flags;
                }
                State::Flags => {
                    self.flags = rest[0];
                    used += 1;
                    self.size_have = 0;
                    self.size_need = if self.flags & LARGE != 0 { 8 } else { 1 };
                    self.state = State::Size;
                }
                State::Size => {
                    let n = (self.size_need - self.size_have).min(rest.len());
                    self.size[self.size_have..self.size_have + n].copy_from_slice(&rest[..n]);
                    self.size_have += n;
                    used += n;
                    if self.size_have < self.size_need {
                        continue;
                    }
                    let size = if self.size_need == 1 {
                        u64::from(self.size[0])
                    } else {
                        u64::from_be_bytes(self.size)
                    };
                    let too_large =
                        (self.max >= 0 && size > self.max as u64) || usize::try_from(size).is_err();
                    if too_large {
                        self.reset();
                        return (used, Step::TooLarge);
                    }
                    self.body_len = size as usize;
                    self.body = Vec::with_capacity(self.body_len.min(RESERVE_MAX));
                    self.state = State::Body;
                    if self.body_len == 0 {
                        return (used, Step::Frame(self.take_frame()));
                    }
                }
                State::Body => {
                    let n = (self.body_len - self.body.len()).min(rest.len());
                    self.body.extend_from_slice(&rest[..n]);
                    used += n;
                    if self.body.len() == self.body_len {
                        return (used, Step::Frame(self.take_frame()));
                    }
                }
            }
        }
        (used, Step::NeedMore)
    }

    fn take_frame(&mut self) -> Frame {
        self.state = State::Sync;
        Frame {
            more: self.flags & MORE != 0,
            command: self.flags & COMMAND != 0,
            body: std::mem::take(&mut self.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(frames: &[(&[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut first = true;
        for (body, more) in frames {
            let mut msg = Msg::from_slice(body);
            msg.set_more(*more);
            let (header, n) = frame_header(first, &msg);
            out.extend_from_slice(&header[..n]);
            out.extend_from_slice(body);
            first = !more;
        }
        out
    }

    fn decode_all(decoder: &mut FrameDecoder, mut input: &[u8]) -> Vec<Frame> {
        let mut frames = Vec::new();
        while !input.is_empty() {
            let (used, step) = decoder.decode(input);
            input = &input[used..];
            match step {
                Step::Frame(frame) => frames.push(frame),
                Step::NeedMore => assert!(input.is_empty()),
                Step::TooLarge => panic!("too large"),
            }
        }
        frames
    }

    #[test]
    fn layout_is_libzmqs() {
        let big = vec![7u8; 300];
        let bytes = encode(&[(b"ab", true), (&big, false), (b"", false)]);
        assert_eq!(&bytes[..5], &[0x00, 0x01, 0x02, b'a', b'b']);
        assert_eq!(&bytes[5..15], &[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x2c]);
        assert_eq!(&bytes[bytes.len() - 3..], &[0x00, 0x00, 0x00]);
    }

    #[test]
    fn decodes_byte_by_byte_and_whole() {
        let big = vec![9u8; 70_000];
        let bytes = encode(&[(b"topic", true), (&big, false), (b"x", false)]);
        // The receiver consumed the first sync byte while seeking.
        let mut whole = FrameDecoder::new(-1);
        let frames = decode_all(&mut whole, &bytes[1..]);
        assert_eq!(frames.len(), 3);
        assert!(frames[0].more && !frames[1].more && !frames[2].more);
        assert_eq!(frames[1].body, big);
        let mut bytewise = FrameDecoder::new(-1);
        let mut got = Vec::new();
        for b in &bytes[1..] {
            got.extend(decode_all(&mut bytewise, std::slice::from_ref(b)));
        }
        assert_eq!(got, frames);
    }

    #[test]
    fn maxmsgsize_and_absurd_sizes_resync() {
        let bytes = encode(&[(&[1u8; 100], false)]);
        let mut limited = FrameDecoder::new(99);
        assert_eq!(limited.decode(&bytes[1..]).1, Step::TooLarge);
        let mut exact = FrameDecoder::new(100);
        assert!(matches!(exact.decode(&bytes[1..]).1, Step::Frame(_)));
        // A peer's 2^63-byte size reserves nothing up front.
        let mut open = FrameDecoder::new(-1);
        let huge = [0x02, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2];
        assert_eq!(open.decode(&huge), (huge.len(), Step::NeedMore));
        assert!(open.body.capacity() <= RESERVE_MAX);
    }
}
