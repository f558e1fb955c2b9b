//! What message frames go through after the handshake. NULL and PLAIN
//! send frames as they are (no transform); CURVE and GSSAPI carry each
//! frame in a MESSAGE command and open received ones, through this one
//! trait: a connection never needs to know which mechanism it talks.

use core::fmt;

use bytes::{Bytes, BytesMut};
use zmtp_codec::{Frame, FrameFlags};

use crate::error::MechanismError;

/// The per-frame transform of an established connection (CURVE's
/// [`CurveTraffic`](crate::CurveTraffic), GSSAPI's traffic); a mechanism
/// that sends frames unchanged has none
/// ([`Established::transform`](crate::handshake::Established) is `None`).
///
/// Not `Clone`: it holds the connection's nonce counters or security
/// context, which two copies would reuse.
///
/// ```compile_fail
/// fn copies<T: Clone>() {}
/// copies::<Box<dyn zmq_mechanisms::TrafficTransform>>();
/// ```
pub trait TrafficTransform: Send + fmt::Debug {
    /// Appends to `out` the whole frame (ZMTP 3 framing, the only one
    /// mechanisms run over) that carries a frame with `flags` (MORE,
    /// COMMAND) and `body`: an unflagged frame holding a MESSAGE command.
    /// Sealing into a reused buffer (the connection's transmit buffer)
    /// need not allocate. On failure (nonce exhausted, wrapping refused)
    /// nothing is appended.
    fn seal_frame_into(
        &mut self,
        flags: FrameFlags,
        body: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), MechanismError>;

    /// Opens the body of a received frame (a MESSAGE command): the flags
    /// and data of the frame it carries. A body that is its buffer's only
    /// handle may be opened in place.
    fn open_frame(&mut self, body: Bytes) -> Result<Frame, MechanismError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CurveTraffic;
    use crate::nacl::BoxKey;
    use zmtp_codec::{Decoder, Framing};

    #[test]
    fn curve_frames_round_trip_through_the_trait() {
        let key = BoxKey::from_secret_bytes([3; 32]);
        let mut client: Box<dyn TrafficTransform> =
            Box::new(CurveTraffic::new(key.clone(), false, 3, 1));
        let mut server: Box<dyn TrafficTransform> = Box::new(CurveTraffic::new(key, true, 2, 2));
        let mut wire = BytesMut::new();
        client
            .seal_frame_into(FrameFlags::MORE, b"hello", &mut wire)
            .unwrap();
        client
            .seal_frame_into(FrameFlags::COMMAND, b"\x04PING", &mut wire)
            .unwrap();
        let mut decoder = Decoder::new(Framing::V3);
        let first = decoder.decode(&mut wire).unwrap().unwrap();
        assert_eq!(first.flags, FrameFlags::NONE);
        let opened = server.open_frame(first.body).unwrap();
        assert_eq!(
            (opened.flags, &opened.body[..]),
            (FrameFlags::MORE, &b"hello"[..])
        );
        let second = decoder.decode(&mut wire).unwrap().unwrap();
        let opened = server.open_frame(second.body).unwrap();
        assert_eq!(opened.flags, FrameFlags::COMMAND);
        // Replayed: refused.
        let mut again = BytesMut::new();
        let mut replay = CurveTraffic::new(BoxKey::from_secret_bytes([3; 32]), false, 3, 1);
        replay
            .seal_frame_into(FrameFlags::NONE, b"x", &mut again)
            .unwrap();
        let frame = Decoder::new(Framing::V3)
            .decode(&mut again)
            .unwrap()
            .unwrap();
        assert!(server.open_frame(frame.body).is_err());
    }
}
