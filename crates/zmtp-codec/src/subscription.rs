//! Subscriptions as ZMTP 3.0 (and 2.0) send them: a message frame whose
//! first byte is `0x01` (subscribe) or `0x00` (cancel), then the topic.
//! ZMTP 3.1 peers use SUBSCRIBE/CANCEL commands instead; libzmq accepts
//! both forms from any 3.x peer.

use bytes::{BufMut, Bytes};

use crate::command::Command;

/// A subscription change, whichever form it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionChange {
    /// Subscribe to messages starting with this prefix.
    Subscribe(Bytes),
    /// Cancel one subscription to this prefix.
    Cancel(Bytes),
}

impl SubscriptionChange {
    /// Reads a 3.0-style subscription message body (`0x01`/`0x00` +
    /// topic). Any other body (empty, other first byte) is not one.
    pub fn from_message_body(body: &Bytes) -> Option<SubscriptionChange> {
        match body.first()? {
            1 => Some(SubscriptionChange::Subscribe(body.slice(1..))),
            0 => Some(SubscriptionChange::Cancel(body.slice(1..))),
            _ => None,
        }
    }

    /// Reads a SUBSCRIBE or CANCEL command.
    pub fn from_command(command: &Command) -> Option<SubscriptionChange> {
        match command {
            Command::Subscribe(t) => Some(SubscriptionChange::Subscribe(t.clone())),
            Command::Cancel(t) => Some(SubscriptionChange::Cancel(t.clone())),
            _ => None,
        }
    }

    /// The topic prefix.
    pub fn topic(&self) -> &Bytes {
        match self {
            SubscriptionChange::Subscribe(t) | SubscriptionChange::Cancel(t) => t,
        }
    }

    /// The 3.0-style message body.
    pub fn to_message_body(&self) -> Bytes {
        let (flag, topic) = match self {
            SubscriptionChange::Subscribe(t) => (1u8, t),
            SubscriptionChange::Cancel(t) => (0u8, t),
        };
        let mut out = Vec::with_capacity(1 + topic.len());
        out.put_u8(flag);
        out.put_slice(topic);
        Bytes::from(out)
    }

    /// The ZMTP 3.1 command.
    pub fn to_command(&self) -> Command {
        match self {
            SubscriptionChange::Subscribe(t) => Command::Subscribe(t.clone()),
            SubscriptionChange::Cancel(t) => Command::Cancel(t.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_form() {
        let s = SubscriptionChange::from_message_body(&Bytes::from_static(b"\x01abc")).unwrap();
        assert_eq!(s, SubscriptionChange::Subscribe(Bytes::from_static(b"abc")));
        assert_eq!(&s.to_message_body()[..], b"\x01abc");
        let c = SubscriptionChange::from_message_body(&Bytes::from_static(b"\x00")).unwrap();
        assert_eq!(c, SubscriptionChange::Cancel(Bytes::new()));
        assert_eq!(SubscriptionChange::from_message_body(&Bytes::new()), None);
        assert_eq!(
            SubscriptionChange::from_message_body(&Bytes::from_static(b"\x02")),
            None
        );
    }

    #[test]
    fn command_form() {
        let s = SubscriptionChange::Cancel(Bytes::from_static(b"t"));
        assert_eq!(SubscriptionChange::from_command(&s.to_command()), Some(s));
        assert_eq!(
            SubscriptionChange::from_command(&Command::Join(Bytes::new())),
            None
        );
    }
}
