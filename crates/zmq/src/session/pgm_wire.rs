//! The ZeroMQ layout of pgm/epgm data (libzmq's `pgm_sender_t` and
//! `pgm_receiver_t`), without I/O.
//!
//! Each APDU (one PGM packet's payload) is a 2-byte big-endian offset of
//! the first message that starts in it (`0xFFFF`: none does), then a
//! slice of one continuous stream of ZMTP/1.0 frames: a message may run
//! over many APDUs, an APDU may hold many messages.
//!
//! ```text
//!  sender:   pipe ──► frames ──► [offset][stream bytes...] per APDU
//!  receiver: APDU from TSI ──► that TSI's decoder ──► whole messages
//!            (a TSI first seen, or after a loss, joins at the offset)
//! ```
//!
//! Bounds: an APDU is at most one packet; a receiver holds, per sender,
//! the frame being decoded (its body only as far as it arrived, limited
//! by `ZMQ_MAXMSGSIZE`) and the parts of one multipart message (at most
//! [`MAX_PENDING_PARTS_BYTES`]); at most [`MAX_PEERS`] senders are
//! followed at once.

use std::collections::HashMap;

use bytes::BytesMut;
use zmq_patterns::Msg;
use zmq_transports::pgm::Tsi;
use zmtp_codec::{Decoder, EncodedHeader, FrameFlags, FrameHeader, Framing};

/// The offset of an APDU in which no message starts.
pub(super) const NO_MESSAGE_START: u16 = 0xFFFF;
/// Senders followed at once; data from more is dropped until one goes.
pub(super) const MAX_PEERS: usize = 1024;
/// The most a sender's unfinished multipart message may hold here: its
/// parts are passed on only once the last one arrived, so that a loss
/// never leaves half a message in the socket (or mixes two senders').
pub(super) const MAX_PENDING_PARTS_BYTES: usize = 64 << 20;

/// A message being cut into APDUs: its v1 header, then its body.
struct Outgoing {
    header: EncodedHeader,
    msg: Msg,
    /// Bytes of header + body already written.
    done: usize,
}

impl Outgoing {
    fn new(msg: Msg) -> Outgoing {
        let header =
            FrameHeader::new(FrameFlags::new(msg.more(), false), msg.len()).encode(Framing::V1);
        Outgoing {
            header,
            msg,
            done: 0,
        }
    }

    /// Copies as much as fits into `dst`; how much.
    fn fill(&mut self, dst: &mut [u8]) -> usize {
        let header = self.header.as_slice();
        let mut written = 0;
        if self.done < header.len() {
            let part = &header[self.done..];
            let n = part.len().min(dst.len());
            dst[..n].copy_from_slice(&part[..n]);
            written += n;
            self.done += n;
        }
        let body_done = self.done.saturating_sub(header.len());
        let body = self.msg.data().get(body_done..).unwrap_or_default();
        let room = &mut dst[written..];
        let n = body.len().min(room.len());
        room[..n].copy_from_slice(&body[..n]);
        self.done += n;
        written + n
    }

    fn finished(&self) -> bool {
        self.done >= self.header.as_slice().len() + self.msg.len()
    }
}

/// Cuts the messages of a pipe into APDUs (libzmq's `pgm_sender_t`
/// `out_event`).
pub(super) struct ApduWriter {
    current: Option<Outgoing>,
    /// The last message taken had MORE: the next one continues it.
    more: bool,
}

impl ApduWriter {
    pub(super) fn new() -> ApduWriter {
        ApduWriter {
            current: None,
            more: false,
        }
    }

    /// Fills `apdu` (its whole length is one packet's payload) with what
    /// is left of the current message, then messages from `next` while
    /// room is left; returns the APDU's length (0: nothing to send).
    pub(super) fn fill(&mut self, apdu: &mut [u8], mut next: impl FnMut() -> Option<Msg>) -> usize {
        if apdu.len() <= 2 {
            return 0;
        }
        let (head, body) = apdu.split_at_mut(2);
        let mut offset = NO_MESSAGE_START;
        let mut bytes = 0;
        loop {
            if let Some(current) = &mut self.current {
                bytes += current.fill(&mut body[bytes..]);
                if !current.finished() {
                    break;
                }
                self.current = None;
            }
            if bytes >= body.len() {
                break;
            }
            // As libzmq: the offset is where the next whole message would
            // start, set before knowing whether one comes.
            if !self.more && offset == NO_MESSAGE_START {
                offset = u16::try_from(bytes).unwrap_or(NO_MESSAGE_START);
            }
            let Some(msg) = next() else {
                break;
            };
            self.more = msg.more();
            self.current = Some(Outgoing::new(msg));
        }
        if bytes == 0 {
            return 0;
        }
        head.copy_from_slice(&offset.to_be_bytes());
        2 + bytes
    }
}

/// One sender's stream as a receiver follows it.
#[derive(Default)]
struct Peer {
    /// Joined at a message start; `None`: waiting for an APDU with one.
    decoder: Option<Decoder>,
    input: BytesMut,
    /// The parts so far of a multipart message.
    parts: Vec<Msg>,
    parts_bytes: usize,
}

impl Peer {
    fn leave(&mut self) {
        self.decoder = None;
        self.input = BytesMut::new();
        self.parts.clear();
        self.parts_bytes = 0;
    }
}

/// What an APDU did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct ApduOutcome {
    /// Whole messages completed (their parts, in order).
    pub(super) messages: usize,
    /// The sender's stream did not decode: it joins again later.
    pub(super) broken: bool,
}

/// The receiving side: a decoder per sender (TSI).
pub(super) struct PeerStreams {
    peers: HashMap<Tsi, Peer>,
    max_msg_size: i64,
}

impl PeerStreams {
    pub(super) fn new(max_msg_size: i64) -> PeerStreams {
        PeerStreams {
            peers: HashMap::new(),
            max_msg_size,
        }
    }

    /// The sender `tsi` lost data beyond repair (libpgm's reset): its
    /// unfinished message is dropped and it joins again at the next
    /// message start, as libzmq drops its decoder.
    pub(super) fn reset(&mut self, tsi: &Tsi) {
        if let Some(peer) = self.peers.get_mut(tsi) {
            peer.leave();
        }
    }

    /// Decodes an APDU from `tsi`, handing each whole message to `out`
    /// (its parts, MORE set on all but the last).
    pub(super) fn apdu(
        &mut self,
        tsi: Tsi,
        apdu: &[u8],
        mut out: impl FnMut(Vec<Msg>),
    ) -> ApduOutcome {
        let mut outcome = ApduOutcome::default();
        let Some((head, data)) = apdu.split_first_chunk::<2>() else {
            return outcome;
        };
        let offset = u16::from_be_bytes(*head);
        if !self.peers.contains_key(&tsi) && self.peers.len() >= MAX_PEERS {
            return outcome;
        }
        let peer = self.peers.entry(tsi).or_default();
        let data = match &peer.decoder {
            Some(_) => data,
            None => {
                // Not joined: only an APDU where a message starts will do.
                if offset == NO_MESSAGE_START {
                    return outcome;
                }
                let Some(from_start) = data.get(usize::from(offset)..) else {
                    return outcome;
                };
                peer.decoder =
                    Some(Decoder::new(Framing::V1).with_max_message_size(self.max_msg_size));
                from_start
            }
        };
        peer.input.extend_from_slice(data);
        let Some(decoder) = &mut peer.decoder else {
            return outcome;
        };
        loop {
            match decoder.decode(&mut peer.input) {
                Ok(Some(frame)) => {
                    let more = frame.flags.more();
                    peer.parts_bytes = peer.parts_bytes.saturating_add(frame.body.len());
                    let mut msg = Msg::from_bytes(frame.body);
                    msg.set_more(more);
                    peer.parts.push(msg);
                    if !more {
                        peer.parts_bytes = 0;
                        out(std::mem::take(&mut peer.parts));
                        outcome.messages += 1;
                    } else if peer.parts_bytes > MAX_PENDING_PARTS_BYTES {
                        peer.leave();
                        outcome.broken = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    // As libzmq: the peer's decoder goes, its data is
                    // dropped until it is joined again.
                    peer.leave();
                    outcome.broken = true;
                    break;
                }
            }
        }
        outcome
    }

    /// How many senders are followed.
    #[cfg(test)]
    pub(super) fn peer_count(&self) -> usize {
        self.peers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(data: &[u8], more: bool) -> Msg {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        msg
    }

    /// Cuts `msgs` into APDUs of `size` bytes.
    fn apdus(msgs: Vec<Msg>, size: usize) -> Vec<Vec<u8>> {
        let mut queue = msgs.into_iter();
        let mut writer = ApduWriter::new();
        let mut out = Vec::new();
        loop {
            let mut apdu = vec![0u8; size];
            let n = writer.fill(&mut apdu, || queue.next());
            if n == 0 {
                return out;
            }
            apdu.truncate(n);
            out.push(apdu);
        }
    }

    fn receive(
        streams: &mut PeerStreams,
        tsi: Tsi,
        apdus: &[Vec<u8>],
    ) -> Vec<Vec<(Vec<u8>, bool)>> {
        let mut got = Vec::new();
        for apdu in apdus {
            streams.apdu(tsi, apdu, |parts| {
                got.push(
                    parts
                        .iter()
                        .map(|m| (m.data().to_vec(), m.more()))
                        .collect(),
                );
            });
        }
        got
    }

    #[test]
    fn apdus_are_laid_out_as_libzmq() {
        // Two small messages in one APDU: offset 0, v1 frames.
        let out = apdus(vec![msg(b"ab", false), msg(b"c", false)], 100);
        assert_eq!(out, vec![b"\x00\x00\x03\x00ab\x02\x00c".to_vec()]);
        // A multipart message: MORE in the flags byte.
        let out = apdus(vec![msg(b"a", true), msg(b"b", false)], 100);
        assert_eq!(out, vec![b"\x00\x00\x02\x01a\x02\x00b".to_vec()]);
        // A message over three APDUs of 6 bytes (4 of stream each), then
        // one that starts in the last: its offset.
        let out = apdus(vec![msg(b"0123456789", false), msg(b"x", false)], 6);
        assert_eq!(out[0], b"\x00\x00\x0b\x00\x30\x31");
        assert_eq!(out[1], b"\xff\xff2345");
        assert_eq!(out[2], b"\xff\xff6789");
        assert_eq!(out[3], b"\x00\x00\x02\x00x");
        // A long frame: 0xFF and 8 bytes of length.
        let big = vec![7u8; 300];
        let out = apdus(vec![msg(&big, false)], 1000);
        assert_eq!(&out[0][..12], b"\x00\x00\xff\0\0\0\0\0\0\x01\x2d\x00");
    }

    #[test]
    fn messages_round_trip_over_any_apdu_size() {
        let msgs = || {
            (0..50u8)
                .map(|i| msg(&vec![i; usize::from(i) * 13], i % 5 == 1))
                .collect::<Vec<_>>()
        };
        for size in [3, 4, 7, 64, 1500] {
            let mut streams = PeerStreams::new(-1);
            let got = receive(&mut streams, [1; 8], &apdus(msgs(), size));
            let flat: Vec<(Vec<u8>, bool)> = got.into_iter().flatten().collect();
            let want: Vec<(Vec<u8>, bool)> = msgs()
                .iter()
                .map(|m| (m.data().to_vec(), m.more()))
                .collect();
            assert_eq!(flat, want, "APDU size {size}");
        }
    }

    #[test]
    fn a_late_joiner_starts_at_a_message_start() {
        let out = apdus(
            vec![
                msg(b"0123456789", false),
                msg(b"ab", true),
                msg(b"cd", false),
            ],
            8,
        );
        // Joining at the second APDU: it holds the tail of the first
        // message and no start; the third has the start of "ab".
        let mut streams = PeerStreams::new(-1);
        let got = receive(&mut streams, [2; 8], &out[1..]);
        assert_eq!(
            got,
            vec![vec![(b"ab".to_vec(), true), (b"cd".to_vec(), false)]]
        );
    }

    #[test]
    fn a_reset_drops_the_unfinished_message_and_rejoins() {
        let out = apdus(
            vec![
                msg(b"first", true),
                msg(b"second-part", false),
                msg(b"next", false),
            ],
            10,
        );
        let mut streams = PeerStreams::new(-1);
        let tsi = [3; 8];
        let mut got = receive(&mut streams, tsi, &out[..1]);
        assert!(got.is_empty());
        streams.reset(&tsi);
        got.extend(receive(&mut streams, tsi, &out[2..]));
        assert_eq!(got, vec![vec![(b"next".to_vec(), false)]]);
    }

    #[test]
    fn senders_are_decoded_apart_and_bad_streams_rejoin() {
        let a = apdus(vec![msg(b"from-a", true), msg(b"end-a", false)], 9);
        let b = apdus(vec![msg(b"from-b", false)], 9);
        let mut streams = PeerStreams::new(-1);
        let mut got = Vec::new();
        for (i, apdu) in a.iter().enumerate() {
            if let Some(apdu) = b.get(i) {
                streams.apdu([0xb; 8], apdu, |p| got.push(p.len()));
            }
            streams.apdu([0xa; 8], apdu, |p| got.push(p.len()));
        }
        assert_eq!(got, vec![1, 2]);
        assert_eq!(streams.peer_count(), 2);
        // A zero-length v1 frame is an error: the sender leaves, and
        // joins again at the next message start.
        let outcome = streams.apdu([0xa; 8], b"\x00\x00\x00", |_| {});
        assert!(outcome.broken);
        let outcome = streams.apdu([0xa; 8], b"\x00\x00\x02\x00z", |_| {});
        assert_eq!(outcome.messages, 1);
        // Too short, or an offset past the end: ignored.
        let mut fresh = PeerStreams::new(-1);
        assert_eq!(fresh.apdu([9; 8], b"\x00", |_| {}), ApduOutcome::default());
        assert_eq!(
            fresh.apdu([9; 8], b"\x00\x09ab", |_| {}),
            ApduOutcome::default()
        );
        // ZMQ_MAXMSGSIZE applies.
        let mut small = PeerStreams::new(2);
        assert!(small.apdu([9; 8], b"\x00\x00\x04\x00abc", |_| {}).broken);
    }

    #[test]
    fn senders_beyond_the_limit_are_ignored() {
        let mut streams = PeerStreams::new(-1);
        for i in 0..MAX_PEERS + 10 {
            let tsi = (i as u64).to_be_bytes();
            streams.apdu(tsi, b"\x00\x00\x02\x00z", |_| {});
        }
        assert_eq!(streams.peer_count(), MAX_PEERS);
    }
}
