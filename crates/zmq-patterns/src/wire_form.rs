//! What a socket type's messages become between its pipe and a ZMTP
//! connection: the per-type part of a session (libzmq's dish and radio
//! sessions, the SUB/XSUB subscription rewrite of its engine).
//!
//! | type | pipe → connection | connection → pipe |
//! |---|---|---|
//! | SUB, XSUB | a first part that is a subscription goes in the 3.1 form ([`subscription::into_command_form`]) | as is |
//! | RADIO | a group frame, then the message ([`group_frames::group_frame`]) | as is |
//! | DISH | as is | group and body frames joined ([`GroupFrameReader`]) |
//! | any other | as is | as is |
//!
//! It also tracks whether the last part taken from the pipe had MORE, so
//! that the rest of a message half sent when the connection ended can be
//! dropped ([`WireForm::connection_ended`]).

use crate::group_frames::{self, GroupFrameReader};
use crate::kind::SocketType;
use crate::msg::Msg;
use crate::subscription;

/// One socket's wire handling, for one pipe.
#[derive(Debug)]
pub struct WireForm {
    form: Form,
    /// The last part taken from the pipe had MORE set.
    mid_message: bool,
}

#[derive(Debug)]
enum Form {
    Plain,
    Subscriber,
    Radio,
    Dish(GroupFrameReader),
}

impl WireForm {
    /// The wire handling of a socket of `kind`.
    pub fn new(kind: SocketType) -> WireForm {
        let form = match kind {
            SocketType::Sub | SocketType::XSub => Form::Subscriber,
            SocketType::Radio => Form::Radio,
            SocketType::Dish => Form::Dish(GroupFrameReader::new()),
            _ => Form::Plain,
        };
        WireForm {
            form,
            mid_message: false,
        }
    }

    /// Hands `msg`, just taken from the pipe, to `put` (the connection) in
    /// the wire's form: one part, or two for a RADIO's group message.
    /// `false` when `put` refused a part (the message is lost: the
    /// connection is no longer established).
    #[inline]
    pub fn send(&mut self, msg: Msg, mut put: impl FnMut(Msg) -> Result<(), Msg>) -> bool {
        let first_part = !self.mid_message;
        self.mid_message = msg.more();
        match self.form {
            Form::Subscriber if first_part => put(subscription::into_command_form(msg)).is_ok(),
            Form::Radio if !msg.is_command() => {
                put(group_frames::group_frame(&msg)).is_ok() && put(msg).is_ok()
            }
            _ => put(msg).is_ok(),
        }
    }

    /// A part the connection received, as the pipe takes it; `None` while
    /// a DISH waits for a group message's body (or dropped a bad shape).
    #[inline]
    pub fn receive(&mut self, msg: Msg) -> Option<Msg> {
        match &mut self.form {
            Form::Dish(reader) => reader.push(msg),
            _ => Some(msg),
        }
    }

    /// The connection ended: drops the rest of a message half taken from
    /// the pipe (`take_part` reads the next part; the rest is there, since
    /// a message is published whole) and a group frame still waiting for
    /// its body, so that the next connection starts on a message boundary.
    pub fn connection_ended(&mut self, mut take_part: impl FnMut() -> Option<Msg>) {
        while self.mid_message {
            self.mid_message = take_part().is_some_and(|part| part.more());
        }
        if let Form::Dish(reader) = &mut self.form {
            reader.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::MsgFlags;

    fn part(data: &[u8], more: bool) -> Msg {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        msg
    }

    fn sent(form: &mut WireForm, msg: Msg) -> Vec<Msg> {
        let mut parts = Vec::new();
        assert!(form.send(msg, |part| {
            parts.push(part);
            Ok(())
        }));
        parts
    }

    #[test]
    fn subscribers_rewrite_first_parts_only() {
        let mut sub = WireForm::new(SocketType::XSub);
        let parts = sent(&mut sub, part(b"\x01t", false));
        assert_eq!(parts[0].flags(), MsgFlags::SUBSCRIBE);
        // A multipart message: its parts are sent as they are.
        let parts = sent(&mut sub, part(b"\x01a", true));
        assert_eq!(parts[0].data(), b"\x01a");
        let parts = sent(&mut sub, part(b"\x01b", false));
        assert_eq!(parts[0].data(), b"\x01b");
        let parts = sent(&mut sub, part(b"\x00t", false));
        assert_eq!(parts[0].flags(), MsgFlags::CANCEL);
    }

    #[test]
    fn radio_sends_group_frames_and_dish_joins_them() {
        let mut radio = WireForm::new(SocketType::Radio);
        let mut dish = WireForm::new(SocketType::Dish);
        let mut msg = Msg::from_slice(b"body");
        msg.set_group(b"g").unwrap();
        let parts = sent(&mut radio, msg);
        assert_eq!(parts.len(), 2);
        let joined: Vec<Msg> = parts.into_iter().filter_map(|p| dish.receive(p)).collect();
        assert_eq!(joined.len(), 1);
        assert_eq!(
            (joined[0].group(), joined[0].data()),
            (Some(&b"g"[..]), &b"body"[..])
        );
        // Commands pass both ways untouched.
        let mut join = Msg::from_slice(b"\x04JOINg");
        join.set_flags(MsgFlags::COMMAND);
        assert_eq!(sent(&mut radio, join.clone()).len(), 1);
        assert!(dish.receive(join).is_some());
        // A refused group frame stops the message.
        let mut msg = Msg::from_slice(b"x");
        msg.set_group(b"g").unwrap();
        assert!(!radio.send(msg, Err));
    }

    #[test]
    fn a_connection_end_drops_half_messages() {
        let mut plain = WireForm::new(SocketType::Dealer);
        sent(&mut plain, part(b"a", true));
        let mut rest = vec![part(b"c", false), part(b"b", true)];
        let mut next = vec![part(b"next", false)];
        plain.connection_ended(|| rest.pop());
        assert!(rest.is_empty());
        plain.connection_ended(|| next.pop());
        assert_eq!(next.len(), 1, "nothing taken on a message boundary");

        let mut dish = WireForm::new(SocketType::Dish);
        assert!(dish.receive(part(b"stale", true)).is_none());
        dish.connection_ended(|| None);
        assert!(dish.receive(part(b"g", true)).is_none());
        assert!(dish.receive(part(b"body", false)).is_some());
    }
}
