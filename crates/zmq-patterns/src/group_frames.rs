//! RADIO/DISH messages on a ZMTP connection (RFC 48, as libzmq 4.3 frames
//! them): a group frame with MORE set (at most 255 bytes), then one body
//! frame without MORE. Pipes carry one message with [`Msg::group`] set;
//! the RADIO side splits it ([`group_frame`] goes out first), the DISH
//! side joins the two frames again ([`GroupFrameReader`]). JOIN and LEAVE
//! travel as commands ([`crate::group_command`]) and pass through
//! untouched. Over udp the layout differs and belongs to the udp engine.
//!
//! The `radio_dish` fuzz target drives this module with decoded frames.

use crate::msg::{GROUP_MAX_LENGTH, Msg};

/// The group frame to send before `msg` (a RADIO's outgoing message).
/// A message without group gets an empty group frame, as in libzmq.
pub fn group_frame(msg: &Msg) -> Msg {
    let mut frame = Msg::from_slice(msg.group().unwrap_or_default());
    frame.set_more(true);
    frame
}

/// Joins a DISH connection's group and body frames into group messages.
///
/// Shapes libzmq's dish session refuses (a group frame without MORE or
/// over 255 bytes, a body with MORE) are dropped here, and reading starts
/// afresh with the next frame.
#[derive(Debug, Default)]
pub struct GroupFrameReader {
    group: Option<Msg>,
}

impl GroupFrameReader {
    /// A reader expecting a group frame.
    pub fn new() -> GroupFrameReader {
        GroupFrameReader::default()
    }

    /// Feeds one received message part; yields the message once its body
    /// arrived. Commands pass through untouched.
    pub fn push(&mut self, msg: Msg) -> Option<Msg> {
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

    /// Forgets a group frame still waiting for its body (the connection
    /// ended; the next one starts with a group frame).
    pub fn reset(&mut self) {
        self.group = None;
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
        let mut reader = GroupFrameReader::new();
        assert_eq!(reader.push(frame), None);
        let joined = reader.push(part(b"body", false)).unwrap();
        assert_eq!(joined.group(), Some(&b"g"[..]));
        assert_eq!(joined.data(), b"body");
        // No group: an empty group frame.
        assert_eq!(group_frame(&Msg::from_slice(b"x")).data(), b"");
    }

    #[test]
    fn drops_bad_shapes() {
        let mut reader = GroupFrameReader::new();
        assert_eq!(reader.push(part(b"no more", false)), None);
        assert_eq!(reader.push(part(&[b'g'; 256], true)), None);
        assert_eq!(reader.push(part(b"g", true)), None);
        assert_eq!(reader.push(part(b"multipart body", true)), None);
        // Afresh: a good message still gets through.
        assert_eq!(reader.push(part(b"g", true)), None);
        assert!(reader.push(part(b"ok", false)).is_some());
    }

    #[test]
    fn reset_forgets_a_waiting_group() {
        let mut reader = GroupFrameReader::new();
        assert_eq!(reader.push(part(b"stale", true)), None);
        reader.reset();
        assert_eq!(reader.push(part(b"g", true)), None);
        let joined = reader.push(part(b"body", false)).unwrap();
        assert_eq!(joined.group(), Some(&b"g"[..]));
    }
}
