//! RADIO/DISH messages on the wire (RFC 48, as libzmq 4.3 frames them): a
//! group frame with MORE set, then the body frame. The pipes carry one
//! message with [`Msg::group`] set; the RADIO's session splits it, the
//! DISH's session joins the two frames again. JOIN and LEAVE need nothing
//! here: the connection sends and delivers them as commands.

use zmq_patterns::Msg;
use zmq_patterns::msg::GROUP_MAX_LENGTH;

/// The group frame to send before `msg` (a RADIO's outgoing message).
/// A message without group gets an empty group frame, as in libzmq.
pub(super) fn group_frame(msg: &Msg) -> Msg {
    let mut frame = Msg::from_slice(msg.group().unwrap_or_default());
    frame.set_more(true);
    frame
}

/// Joins a DISH connection's group and body frames into group messages.
///
/// As libzmq's dish session rejects them, shapes that do not fit (a group
/// frame without MORE or over 255 bytes, a body with MORE) are dropped
/// here, and reading starts afresh with the next frame.
#[derive(Debug, Default)]
pub(super) struct GroupFrameReader {
    group: Option<Msg>,
}

impl GroupFrameReader {
    /// Feeds one received message part; yields the message once its body
    /// arrived. Commands pass through untouched.
    pub(super) fn push(&mut self, msg: Msg) -> Option<Msg> {
        if msg.is_command() {
            return Some(msg);
        }
        let Some(group) = self.group.take() else {
            if msg.more() && msg.len() <= GROUP_MAX_LENGTH {
                self.group = Some(msg);
            }
            return None;
        };
        if msg.more() {
            return None;
        }
        let mut msg = msg;
        // The length was checked when the group frame arrived.
        msg.set_group(group.data()).ok()?;
        Some(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(data: &[u8], more: bool) -> Msg {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        msg
    }

    #[test]
    fn splits_and_joins() {
        let mut msg = Msg::from_slice(b"body");
        msg.set_group(b"g").unwrap();
        let frame = group_frame(&msg);
        assert_eq!((frame.data(), frame.more()), (&b"g"[..], true));
        let mut reader = GroupFrameReader::default();
        assert_eq!(reader.push(frame), None);
        let joined = reader.push(part(b"body", false)).unwrap();
        assert_eq!(joined.group(), Some(&b"g"[..]));
        assert_eq!(joined.data(), b"body");
    }

    #[test]
    fn drops_bad_shapes() {
        let mut reader = GroupFrameReader::default();
        assert_eq!(reader.push(part(b"no more", false)), None);
        assert_eq!(reader.push(part(&[b'g'; 256], true)), None);
        assert_eq!(reader.push(part(b"g", true)), None);
        assert_eq!(reader.push(part(b"multipart body", true)), None);
        // Afresh: a good message still gets through.
        assert_eq!(reader.push(part(b"g", true)), None);
        assert!(reader.push(part(b"ok", false)).is_some());
    }
}
