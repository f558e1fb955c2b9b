//! What message frames go through after the handshake. NULL and PLAIN send
//! frames as they are; CURVE boxes each frame into a MESSAGE command and
//! opens received ones.

use zmtp_codec::Frame;

use crate::curve::CurveTraffic;
use crate::error::MechanismError;
#[cfg(feature = "gssapi")]
use crate::gssapi::GssapiTraffic;

/// The per-frame transform of an established connection. Not `Clone`:
/// it holds the connection's nonce counters ([`CurveTraffic`]).
#[derive(Debug, Default)]
#[non_exhaustive]
pub enum TrafficTransform {
    /// Frames go out and come in unchanged (NULL, PLAIN).
    #[default]
    Identity,
    /// CURVE MESSAGE boxes.
    Curve(CurveTraffic),
    /// GSSAPI `MESSAGE` wrapping (unless `ZMQ_GSSAPI_PLAINTEXT`).
    #[cfg(feature = "gssapi")]
    Gssapi(GssapiTraffic),
}

impl TrafficTransform {
    /// Whether frames pass unchanged, so the caller can skip the transform
    /// on its fast path.
    pub fn is_identity(&self) -> bool {
        matches!(self, TrafficTransform::Identity)
    }

    /// Transforms a frame we are about to send (commands too: CURVE boxes
    /// them with the COMMAND flag inside).
    pub fn seal(&mut self, frame: Frame) -> Result<Frame, MechanismError> {
        match self {
            TrafficTransform::Identity => Ok(frame),
            TrafficTransform::Curve(curve) => curve.seal_frame(&frame),
            #[cfg(feature = "gssapi")]
            TrafficTransform::Gssapi(gss) => gss.seal_frame(&frame),
        }
    }

    /// Transforms a frame we received.
    pub fn open(&mut self, frame: Frame) -> Result<Frame, MechanismError> {
        match self {
            TrafficTransform::Identity => Ok(frame),
            TrafficTransform::Curve(curve) => curve.open_frame(&frame),
            #[cfg(feature = "gssapi")]
            TrafficTransform::Gssapi(gss) => gss.open_frame(&frame),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zmtp_codec::FrameFlags;

    #[test]
    fn identity_passes_frames() {
        let mut t = TrafficTransform::default();
        assert!(t.is_identity());
        let f = Frame::new(FrameFlags::MORE, &b"x"[..]);
        assert_eq!(t.seal(f.clone()).unwrap(), f);
        assert_eq!(t.open(f.clone()).unwrap(), f);
    }
}
