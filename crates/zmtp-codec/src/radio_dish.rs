//! RADIO/DISH messages over ZMTP (RFC 37 / RFC 48): a group frame with
//! MORE set (at most 255 bytes), then one body frame without MORE.
//!
//! This framing lives in the codec because it is pure wire format, shared
//! by the RADIO and DISH sessions; joining and leaving travel as the JOIN
//! and LEAVE commands of [`crate::command::Command`]. (Over UDP the layout
//! is different and belongs to the udp engine.)

use bytes::{Bytes, BytesMut};

use crate::command::MAX_GROUP_LEN;
use crate::error::Error;
use crate::frame::{Frame, FrameFlags, Framing, encode_frame};

/// A message addressed to a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMessage {
    /// The group (at most 255 bytes).
    pub group: Bytes,
    /// The body.
    pub body: Bytes,
}

impl GroupMessage {
    /// Appends the two frames to `dst` (ZMTP 3.x framing); a group over 255
    /// bytes is refused.
    pub fn encode(&self, dst: &mut BytesMut) -> Result<(), Error> {
        if self.group.len() > MAX_GROUP_LEN {
            return Err(Error::InvalidRadioDishMessage {
                reason: "group longer than 255 bytes",
            });
        }
        encode_frame(Framing::V3, FrameFlags::MORE, &self.group, dst);
        encode_frame(Framing::V3, FrameFlags::NONE, &self.body, dst);
        Ok(())
    }
}

/// Reassembles group messages from a DISH connection's message frames (as
/// libzmq's dish session does: a group frame without MORE, a group over 255
/// bytes, or a body with MORE are errors).
#[derive(Debug, Default)]
pub struct GroupMessageReader {
    group: Option<Bytes>,
}

impl GroupMessageReader {
    /// A reader expecting a group frame.
    pub fn new() -> GroupMessageReader {
        GroupMessageReader::default()
    }

    /// Feeds one message frame; yields a message after its body frame.
    pub fn push(&mut self, frame: Frame) -> Result<Option<GroupMessage>, Error> {
        match self.group.take() {
            None => {
                if !frame.flags.more() {
                    return Err(Error::InvalidRadioDishMessage {
                        reason: "group frame without MORE",
                    });
                }
                if frame.body.len() > MAX_GROUP_LEN {
                    return Err(Error::InvalidRadioDishMessage {
                        reason: "group longer than 255 bytes",
                    });
                }
                self.group = Some(frame.body);
                Ok(None)
            }
            Some(group) => {
                if frame.flags.more() {
                    return Err(Error::InvalidRadioDishMessage {
                        reason: "multipart body",
                    });
                }
                Ok(Some(GroupMessage {
                    group,
                    body: frame.body,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoder::Decoder;

    #[test]
    fn round_trip() {
        let msg = GroupMessage {
            group: Bytes::from_static(b"weather"),
            body: Bytes::from_static(b"sunny"),
        };
        let mut wire = BytesMut::new();
        msg.encode(&mut wire).unwrap();
        assert_eq!(&wire[..], b"\x01\x07weather\x00\x05sunny");
        let mut decoder = Decoder::new(Framing::V3);
        let mut reader = GroupMessageReader::new();
        assert_eq!(
            reader
                .push(decoder.decode(&mut wire).unwrap().unwrap())
                .unwrap(),
            None
        );
        assert_eq!(
            reader
                .push(decoder.decode(&mut wire).unwrap().unwrap())
                .unwrap(),
            Some(msg)
        );
    }

    #[test]
    fn rejects_bad_shapes() {
        let mut reader = GroupMessageReader::new();
        assert!(
            reader
                .push(Frame::new(FrameFlags::NONE, Bytes::new()))
                .is_err()
        );
        assert!(
            reader
                .push(Frame::new(FrameFlags::MORE, vec![1u8; 256]))
                .is_err()
        );
        reader
            .push(Frame::new(FrameFlags::MORE, Bytes::new()))
            .unwrap();
        assert!(
            reader
                .push(Frame::new(FrameFlags::MORE, Bytes::new()))
                .is_err()
        );
        let long = GroupMessage {
            group: Bytes::from(vec![b'g'; 256]),
            body: Bytes::new(),
        };
        assert!(long.encode(&mut BytesMut::new()).is_err());
    }
}
