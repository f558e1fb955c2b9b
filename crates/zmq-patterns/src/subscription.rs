//! Subscription messages: the two forms they travel in through a pipe.
//!
//! - ZMTP 3.0 form: a data message whose first byte is 1 (subscribe) or 0
//!   (unsubscribe), followed by the topic. SUB and XSUB write this form into
//!   their pipes; the engine turns it into a SUBSCRIBE/CANCEL command for a
//!   ZMTP 3.1 peer.
//! - ZMTP 3.1 form: a message flagged [`MsgFlags::SUBSCRIBE`] or
//!   [`MsgFlags::CANCEL`] whose body is the topic, as the engine makes it
//!   from a SUBSCRIBE/CANCEL command.
//!
//! PUB and XPUB accept both; XPUB hands subscriptions to the application in
//! the 3.0 form, whichever form arrived (as libzmq).

use crate::msg::{Msg, MsgFlags};

/// Byte that starts a subscribe message in the 3.0 form.
pub const SUBSCRIBE_BYTE: u8 = 1;
/// Byte that starts an unsubscribe message in the 3.0 form.
pub const UNSUBSCRIBE_BYTE: u8 = 0;

/// A subscription message, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscription<'a> {
    /// True to subscribe, false to unsubscribe.
    pub subscribe: bool,
    /// The prefix.
    pub topic: &'a [u8],
}

impl<'a> Subscription<'a> {
    /// Parses `msg` as a subscription in either form; `None` for any other
    /// message (an empty one, or one starting with another byte).
    pub fn parse(msg: &'a Msg) -> Option<Subscription<'a>> {
        let flags = msg.flags();
        if flags.contains(MsgFlags::SUBSCRIBE) {
            return Some(Subscription {
                subscribe: true,
                topic: msg.data(),
            });
        }
        if flags.contains(MsgFlags::CANCEL) {
            return Some(Subscription {
                subscribe: false,
                topic: msg.data(),
            });
        }
        match msg.data().split_first() {
            Some((&SUBSCRIBE_BYTE, topic)) => Some(Subscription {
                subscribe: true,
                topic,
            }),
            Some((&UNSUBSCRIBE_BYTE, topic)) => Some(Subscription {
                subscribe: false,
                topic,
            }),
            _ => None,
        }
    }
}

/// The 3.0-form message for (un)subscribing to `topic`.
pub fn subscription_msg(subscribe: bool, topic: &[u8]) -> Msg {
    let mut body = Vec::with_capacity(topic.len() + 1);
    body.push(if subscribe {
        SUBSCRIBE_BYTE
    } else {
        UNSUBSCRIBE_BYTE
    });
    body.extend_from_slice(topic);
    if body.len() <= crate::msg::INLINE_CAPACITY {
        Msg::from_slice(&body)
    } else {
        Msg::from_vec(body)
    }
}

/// A message SUB or XSUB wrote into its pipe, as the connection sends it:
/// a single-part 3.0-form subscription becomes the 3.1 form (flagged
/// SUBSCRIBE/CANCEL, the topic as body), which the connection sends in
/// the peer's form (a SUBSCRIBE/CANCEL command for ZMTP 3.1, the 3.0 data
/// frame otherwise). Anything else comes back as it is. Only for the
/// first part of a message: later parts are never subscriptions.
pub fn into_command_form(msg: Msg) -> Msg {
    let flag = match msg.data().first() {
        Some(&SUBSCRIBE_BYTE) if !msg.more() => MsgFlags::SUBSCRIBE,
        Some(&UNSUBSCRIBE_BYTE) if !msg.more() => MsgFlags::CANCEL,
        _ => return msg,
    };
    let mut topic = match msg.shared_bytes() {
        Some(bytes) => Msg::from_bytes(bytes.slice(1..)),
        None => Msg::from_slice(&msg.data()[1..]),
    };
    topic.set_flags(flag);
    topic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let old = Msg::from_slice(b"\x01abc");
        assert_eq!(
            Subscription::parse(&old),
            Some(Subscription {
                subscribe: true,
                topic: b"abc"
            })
        );
        let mut new = Msg::from_slice(b"abc");
        new.set_flags(MsgFlags::CANCEL);
        assert_eq!(
            Subscription::parse(&new),
            Some(Subscription {
                subscribe: false,
                topic: b"abc"
            })
        );
        assert_eq!(Subscription::parse(&Msg::new()), None);
        assert_eq!(Subscription::parse(&Msg::from_slice(b"\x02x")), None);
        assert_eq!(subscription_msg(false, b"t").data(), b"\x00t");
    }

    #[test]
    fn only_single_part_subscriptions_change_form() {
        let sub = into_command_form(Msg::from_slice(b"\x01abc"));
        assert_eq!(
            (sub.data(), sub.flags()),
            (&b"abc"[..], MsgFlags::SUBSCRIBE)
        );
        let big = into_command_form(subscription_msg(false, &[b't'; 100]));
        assert_eq!((big.len(), big.flags()), (100, MsgFlags::CANCEL));
        let mut multipart = Msg::from_slice(b"\x01abc");
        multipart.set_more(true);
        let kept = into_command_form(multipart);
        assert_eq!((kept.data(), kept.more()), (&b"\x01abc"[..], true));
        let other = into_command_form(Msg::from_slice(b"\x02x"));
        assert_eq!(other.data(), b"\x02x");
        assert!(into_command_form(Msg::new()).is_empty());
    }
}
