//! JOIN and LEAVE as they travel in a pipe from DISH to RADIO: a message
//! flagged [`MsgFlags::COMMAND`] whose body is the ZMTP 3.1 command body
//! (`\x04JOIN` or `\x05LEAVE`, then the group), which is what the engine
//! sends as a command frame and hands over when it receives one (RFC 37).
//! Over inproc the same message goes from socket to socket.

use crate::msg::{GROUP_MAX_LENGTH, Msg, MsgFlags};

const JOIN_PREFIX: &[u8] = b"\x04JOIN";
const LEAVE_PREFIX: &[u8] = b"\x05LEAVE";

/// A DISH's change of membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupCommand<'a> {
    /// The peer joined this group.
    Join(&'a [u8]),
    /// The peer left this group.
    Leave(&'a [u8]),
}

impl<'a> GroupCommand<'a> {
    /// The command carried by `msg`; `None` when it is not a JOIN or LEAVE
    /// command, or its group is longer than 255 bytes.
    pub fn parse(msg: &'a Msg) -> Option<GroupCommand<'a>> {
        if !msg.is_command() {
            return None;
        }
        let data = msg.data();
        let command = if let Some(group) = data.strip_prefix(JOIN_PREFIX) {
            GroupCommand::Join(group)
        } else {
            GroupCommand::Leave(data.strip_prefix(LEAVE_PREFIX)?)
        };
        (command.group().len() <= GROUP_MAX_LENGTH).then_some(command)
    }

    /// The group.
    pub fn group(&self) -> &'a [u8] {
        match self {
            GroupCommand::Join(group) | GroupCommand::Leave(group) => group,
        }
    }

    /// The command as a pipe message.
    pub fn to_msg(&self) -> Msg {
        let (prefix, group) = match self {
            GroupCommand::Join(group) => (JOIN_PREFIX, group),
            GroupCommand::Leave(group) => (LEAVE_PREFIX, group),
        };
        let mut body = Vec::with_capacity(prefix.len() + group.len());
        body.extend_from_slice(prefix);
        body.extend_from_slice(group);
        let mut msg = Msg::from_vec(body);
        msg.set_flags(MsgFlags::COMMAND);
        msg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for command in [GroupCommand::Join(b"tv"), GroupCommand::Leave(b"")] {
            let msg = command.to_msg();
            assert_eq!(GroupCommand::parse(&msg), Some(command));
        }
        assert_eq!(GroupCommand::Join(b"g").to_msg().data(), b"\x04JOINg");
    }

    #[test]
    fn rejects_other_messages() {
        assert_eq!(GroupCommand::parse(&Msg::from_slice(b"\x04JOINg")), None);
        let mut msg = Msg::from_slice(b"\x04PING");
        msg.set_flags(MsgFlags::COMMAND);
        assert_eq!(GroupCommand::parse(&msg), None);
        let mut long = b"\x04JOIN".to_vec();
        long.extend_from_slice(&[b'g'; 256]);
        let mut msg = Msg::from_vec(long);
        msg.set_flags(MsgFlags::COMMAND);
        assert_eq!(GroupCommand::parse(&msg), None);
    }
}
