//! CURVE MESSAGE boxes: every frame after the handshake travels as
//! `[7]"MESSAGE" nonce(8) Box[flags(1) data](our S'/C' -> peer)`.
//!
//! The flags byte carries MORE (bit 0) and, as libzmq 4.3 does, COMMAND
//! (bit 1) for ZMTP commands sent after the handshake (PING, SUBSCRIBE...).
//! The outer frame has no flags. Our short nonce counts up from where the
//! handshake left it; the peer's must strictly increase.

use bytes::{BufMut, Bytes, BytesMut};
use zmtp_codec::{Frame, FrameFlags, FrameHeader, Framing};

use crate::error::MechanismError;
use crate::nacl::{BoxKey, MAC_LEN, short_nonce};
use crate::transform::TrafficTransform;

/// `[7]"MESSAGE"`.
const MESSAGE_NAME: &[u8] = b"\x07MESSAGE";
/// Name, short nonce.
const HEADER_LEN: usize = MESSAGE_NAME.len() + 8;
/// Flag bits carried inside the box.
const FLAG_MORE: u8 = 0x01;
const FLAG_COMMAND: u8 = 0x02;

/// Nonce prefix of messages from the client.
pub(crate) const CLIENT_PREFIX: &[u8; 16] = b"CurveZMQMESSAGEC";
/// Nonce prefix of messages from the server.
pub(crate) const SERVER_PREFIX: &[u8; 16] = b"CurveZMQMESSAGES";

/// The per-connection state of CURVE traffic: the precomputed box key
/// (wiped on drop) and both nonce counters.
///
/// Not `Clone`: two copies would seal different messages under the same
/// key and short nonce, which gives away both plaintexts' xor and lets
/// anyone forge Poly1305 tags.
///
/// ```compile_fail
/// fn copies<T: Clone>() {}
/// copies::<zmq_mechanisms::CurveTraffic>();
/// ```
#[derive(Debug)]
pub struct CurveTraffic {
    key: BoxKey,
    send_prefix: &'static [u8; 16],
    recv_prefix: &'static [u8; 16],
    next_nonce: u64,
    peer_nonce: u64,
    /// Where shared received boxes are opened; reused once the data
    /// handed out from it is dropped.
    scratch: BytesMut,
}

impl CurveTraffic {
    /// Traffic for the client (`as_server == false`) or server side, with
    /// the transient keys' precomputed `key`, our next short nonce and the
    /// last one the peer used.
    pub fn new(key: BoxKey, as_server: bool, next_nonce: u64, peer_nonce: u64) -> Self {
        let (send_prefix, recv_prefix) = if as_server {
            (SERVER_PREFIX, CLIENT_PREFIX)
        } else {
            (CLIENT_PREFIX, SERVER_PREFIX)
        };
        CurveTraffic {
            key,
            send_prefix,
            recv_prefix,
            next_nonce,
            peer_nonce,
            scratch: BytesMut::new(),
        }
    }

    /// Bytes of the MESSAGE command body that boxes `data_len` bytes.
    pub const fn sealed_len(data_len: usize) -> usize {
        HEADER_LEN + MAC_LEN + 1 + data_len
    }

    /// Boxes a frame into a MESSAGE command body (one copy of the data,
    /// encrypted in place).
    pub fn seal(&mut self, flags: FrameFlags, data: &[u8]) -> Result<Bytes, MechanismError> {
        let mut out = BytesMut::with_capacity(Self::sealed_len(data.len()));
        self.seal_into(flags, data, &mut out)?;
        Ok(out.freeze())
    }

    /// Appends the MESSAGE command body boxing a frame to `out`
    /// ([`CurveTraffic::sealed_len`] bytes): the data is copied once, into
    /// `out`, and encrypted there, so sealing into a reused buffer (the
    /// connection's transmit buffer) allocates nothing.
    pub fn seal_into(
        &mut self,
        flags: FrameFlags,
        data: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), MechanismError> {
        let nonce = self.next_nonce;
        self.next_nonce = nonce
            .checked_add(1)
            .ok_or(MechanismError::InvalidSequence)?;
        let start = out.len();
        out.reserve(Self::sealed_len(data.len()));
        out.put_slice(MESSAGE_NAME);
        out.put_u64(nonce);
        out.put_bytes(0, MAC_LEN);
        let mut inner = 0;
        if flags.more() {
            inner |= FLAG_MORE;
        }
        if flags.command() {
            inner |= FLAG_COMMAND;
        }
        out.put_u8(inner);
        out.put_slice(data);
        let nonce = short_nonce(self.send_prefix, nonce);
        let sealed = match out
            .get_mut(start..)
            .and_then(|message| message.split_at_mut_checked(HEADER_LEN + MAC_LEN))
            .and_then(|(head, body)| Some((head.last_chunk_mut::<MAC_LEN>()?, body)))
        {
            Some((mac, body)) => self.key.seal_in_place(&nonce, body, mac),
            None => Err(MechanismError::Internal {
                what: "MESSAGE layout",
            }),
        };
        if sealed.is_err() {
            // Nothing of this MESSAGE may go out.
            out.truncate(start);
        }
        sealed
    }

    /// Opens a MESSAGE command body: the frame's flags and data (copied
    /// once, into a fresh buffer). [`CurveTraffic::open_bytes`] avoids the
    /// copy.
    pub fn open(&mut self, message: &[u8]) -> Result<(FrameFlags, Bytes), MechanismError> {
        self.open_bytes(Bytes::copy_from_slice(message))
    }

    /// Opens a MESSAGE command body held in `message`: decrypted in place
    /// when `message` is its buffer's only handle, otherwise copied into a
    /// buffer this connection reuses (no allocation per message once the
    /// previous results are dropped). The data is a slice of that buffer.
    pub fn open_bytes(&mut self, message: Bytes) -> Result<(FrameFlags, Bytes), MechanismError> {
        if !message.starts_with(MESSAGE_NAME) {
            return Err(MechanismError::UnexpectedCommand);
        }
        if message.len() < Self::sealed_len(0) {
            return Err(MechanismError::MalformedMessage);
        }
        let mut nonce_bytes = [0u8; 8];
        nonce_bytes.copy_from_slice(
            message
                .get(MESSAGE_NAME.len()..HEADER_LEN)
                .unwrap_or(&[0; 8]),
        );
        let nonce = u64::from_be_bytes(nonce_bytes);
        if nonce <= self.peer_nonce {
            return Err(MechanismError::InvalidSequence);
        }
        let mut mac = [0u8; MAC_LEN];
        mac.copy_from_slice(
            message
                .get(HEADER_LEN..HEADER_LEN + MAC_LEN)
                .unwrap_or(&[0; MAC_LEN]),
        );
        let mut plain = match message.try_into_mut() {
            Ok(mut unique) => unique.split_off(HEADER_LEN + MAC_LEN),
            Err(shared) => {
                let body = shared.get(HEADER_LEN + MAC_LEN..).unwrap_or_default();
                self.scratch.clear();
                self.scratch.extend_from_slice(body);
                self.scratch.split()
            }
        };
        self.key
            .open_in_place(&short_nonce(self.recv_prefix, nonce), &mac, &mut plain)
            .ok_or(MechanismError::Cryptographic {
                what: "MESSAGE box",
            })?;
        self.peer_nonce = nonce;
        let inner = plain.first().copied().unwrap_or(0);
        let data = plain.freeze().slice(1..);
        let flags = FrameFlags::new(inner & FLAG_MORE != 0, inner & FLAG_COMMAND != 0);
        Ok((flags, data))
    }
}

impl TrafficTransform for CurveTraffic {
    /// The frame header, then the MESSAGE sealed in place after it
    /// ([`CurveTraffic::seal_into`]): one copy of the data, no allocation
    /// once `out` has room.
    fn seal_frame_into(
        &mut self,
        flags: FrameFlags,
        body: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), MechanismError> {
        let header = FrameHeader::new(FrameFlags::NONE, Self::sealed_len(body.len()));
        let before = out.len();
        out.extend_from_slice(header.encode(Framing::V3).as_slice());
        let sealed = self.seal_into(flags, body, out);
        if sealed.is_err() {
            out.truncate(before);
        }
        sealed
    }

    /// [`CurveTraffic::open_bytes`]: in place when `body` is unshared.
    fn open_frame(&mut self, body: Bytes) -> Result<Frame, MechanismError> {
        let (flags, data) = self.open_bytes(body)?;
        Ok(Frame::new(flags, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (CurveTraffic, CurveTraffic) {
        let key = BoxKey::from_secret_bytes([3; 32]);
        (
            CurveTraffic::new(key.clone(), false, 3, 1),
            CurveTraffic::new(key, true, 2, 2),
        )
    }

    #[test]
    fn round_trip_with_flags() {
        let (mut client, mut server) = pair();
        let m = client.seal(FrameFlags::MORE, b"hello").unwrap();
        assert_eq!(&m[..8], b"\x07MESSAGE");
        assert_eq!(&m[8..16], &3u64.to_be_bytes());
        assert_eq!(m.len(), 8 + 8 + 16 + 1 + 5);
        let (flags, data) = server.open(&m).unwrap();
        assert!(flags.more() && !flags.command());
        assert_eq!(&data[..], b"hello");
        let m = server.seal(FrameFlags::COMMAND, b"\x04PING").unwrap();
        let (flags, data) = client.open(&m).unwrap();
        assert!(flags.command() && !flags.more());
        assert_eq!(&data[..], b"\x04PING");
        let empty = client.seal(FrameFlags::NONE, b"").unwrap();
        assert_eq!(server.open(&empty).unwrap().1.len(), 0);
    }

    #[test]
    fn open_bytes_in_place_and_shared() {
        let (mut client, mut server) = pair();
        // Unique: opened where it lies.
        let mut buffer = BytesMut::new();
        client
            .seal_into(FrameFlags::NONE, b"in place", &mut buffer)
            .unwrap();
        assert_eq!(buffer.len(), CurveTraffic::sealed_len(8));
        let message = buffer.freeze();
        let at = message.as_ptr() as usize;
        let (_, data) = server.open_bytes(message).unwrap();
        assert_eq!(&data[..], b"in place");
        assert_eq!(data.as_ptr() as usize, at + CurveTraffic::sealed_len(0));
        // Shared (another handle alive): opened into the scratch buffer,
        // the received bytes stay as they were.
        for round in 0..3u8 {
            let sealed = client.seal(FrameFlags::MORE, &[round; 40]).unwrap();
            let keep = sealed.clone();
            let (flags, data) = server.open_bytes(sealed).unwrap();
            assert!(flags.more());
            assert_eq!(&data[..], &[round; 40]);
            assert_ne!(&keep[keep.len() - 40..], &[round; 40]);
        }
        // Two frames sealed back to back into one buffer.
        let mut buffer = BytesMut::new();
        client
            .seal_into(FrameFlags::NONE, b"a", &mut buffer)
            .unwrap();
        client
            .seal_into(FrameFlags::NONE, b"bc", &mut buffer)
            .unwrap();
        let all = buffer.freeze();
        let first = all.slice(..CurveTraffic::sealed_len(1));
        let second = all.slice(CurveTraffic::sealed_len(1)..);
        assert_eq!(&server.open_bytes(first).unwrap().1[..], b"a");
        assert_eq!(&server.open_bytes(second).unwrap().1[..], b"bc");
    }

    #[test]
    fn replay_and_tamper_are_fatal() {
        let (mut client, mut server) = pair();
        let m = client.seal(FrameFlags::NONE, b"once").unwrap();
        server.open(&m).unwrap();
        assert_eq!(
            server.open(&m).unwrap_err(),
            MechanismError::InvalidSequence
        );
        let mut t = client.seal(FrameFlags::NONE, b"data").unwrap().to_vec();
        let last = t.len() - 1;
        t[last] ^= 0x80;
        assert!(matches!(
            server.open(&t),
            Err(MechanismError::Cryptographic { .. })
        ));
        // Wrong direction: a client box does not open as a server box.
        let (mut c2, _) = pair();
        let m = c2.seal(FrameFlags::NONE, b"x").unwrap();
        let mut c3 = CurveTraffic::new(BoxKey::from_secret_bytes([3; 32]), false, 9, 0);
        assert!(matches!(
            c3.open(&m),
            Err(MechanismError::Cryptographic { .. })
        ));
    }

    #[test]
    fn malformed_messages() {
        let (_, mut server) = pair();
        assert_eq!(
            server.open(b"\x05READY").unwrap_err(),
            MechanismError::UnexpectedCommand
        );
        assert_eq!(
            server
                .open(b"\x07MESSAGE\x00\x00\x00\x00\x00\x00\x00\x09short")
                .unwrap_err(),
            MechanismError::MalformedMessage
        );
        assert_eq!(
            server.open(b"").unwrap_err(),
            MechanismError::UnexpectedCommand
        );
    }
}

#[cfg(test)]
mod bench {
    use std::time::Instant;

    use super::*;

    /// `cargo test -p zmq-mechanisms --release -- --ignored --nocapture
    /// message_box_throughput`: MESSAGE box + unbox throughput.
    #[test]
    #[ignore = "micro-benchmark"]
    fn message_box_throughput() {
        for size in [64usize, 1024, 64 * 1024] {
            let key = BoxKey::from_secret_bytes([9; 32]);
            let mut client = CurveTraffic::new(key.clone(), false, 1, 0);
            let mut server = CurveTraffic::new(key, true, 1, 0);
            let data = vec![0x5Au8; size];
            let rounds = (64 * 1024 * 1024 / size).clamp(200, 200_000);
            let mut buffer = BytesMut::new();
            let start = Instant::now();
            for _ in 0..rounds {
                // As the engine does: seal into a reused buffer, open the
                // received bytes in place.
                client
                    .seal_into(FrameFlags::NONE, &data, &mut buffer)
                    .unwrap();
                let (_, out) = server.open_bytes(buffer.split().freeze()).unwrap();
                assert_eq!(out.len(), size);
            }
            let secs = start.elapsed().as_secs_f64();
            let mib = (rounds * size) as f64 / (1024.0 * 1024.0);
            println!(
                "CURVE box+unbox {size:>6} B: {:>9.0} msg/s, {:>7.1} MiB/s",
                rounds as f64 / secs,
                mib / secs
            );
        }
    }
}
