//! What a connection sends: messages and subscriptions in the peer's form,
//! commands (PING/PONG, JOIN/LEAVE), each frame through the traffic
//! transform when the mechanism has one, all into the transmit queue.

use bytes::{Bytes, BytesMut};
use zmq_patterns::{Msg, MsgFlags};
use zmtp_codec::frame::FrameHeader;
use zmtp_codec::{Command, FrameFlags, Framing, SubscriptionChange, ZmtpVersion};

use super::ZmtpConnection;
use crate::engine::event::ConnectionError;
use crate::engine::transmit::TransmitQueue;

impl ZmtpConnection {
    /// Queues a message part. Flagged `SUBSCRIBE`/`CANCEL` it goes out as
    /// a subscription in the peer's form; flagged `COMMAND` (JOIN/LEAVE)
    /// its body is sent as a command frame (dropped for pre-3.0 peers).
    /// Before the handshake succeeds, or after a failure, the message comes
    /// back.
    pub fn send_msg(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.is_established() {
            return Err(msg);
        }
        let flags = msg.flags();
        if flags.contains(MsgFlags::SUBSCRIBE) || flags.contains(MsgFlags::CANCEL) {
            let topic = msg.into_bytes();
            let change = if flags.contains(MsgFlags::SUBSCRIBE) {
                SubscriptionChange::Subscribe(topic)
            } else {
                SubscriptionChange::Cancel(topic)
            };
            self.put_subscription(change);
            return Ok(());
        }
        if flags.contains(MsgFlags::COMMAND) {
            if self.framing() == Framing::V3 {
                if self.transform.is_none() {
                    self.put_command_body(msg.data());
                } else {
                    self.put_sealed(FrameFlags::COMMAND, msg.data());
                }
            }
            return Ok(());
        }
        let frame_flags = FrameFlags::new(msg.more(), false);
        if self.transform.is_none() {
            // A shared body moves into the queue (which copies it when
            // small) without touching its reference count.
            if msg.shared_bytes().is_some() {
                self.put_frame(self.framing(), frame_flags, msg.into_bytes());
            } else {
                self.put_small_frame(frame_flags, msg.data());
            }
        } else {
            self.put_sealed(frame_flags, msg.data());
        }
        Ok(())
    }

    /// Seals a frame with the traffic transform straight into the
    /// transmit buffer (CURVE: one copy, no allocation); a sealing failure
    /// (nonce exhausted) fails the connection. Without a transform the
    /// frame is queued as it is.
    fn put_sealed(&mut self, flags: FrameFlags, body: &[u8]) {
        let Some(transform) = &mut self.transform else {
            self.put_small_frame(flags, body);
            return;
        };
        let staging = self.transmit.staging();
        let before = staging.len();
        match transform.seal_frame_into(flags, body, staging) {
            Ok(()) => {
                let written = staging.len() - before;
                self.transmit.commit_staged(written);
            }
            Err(e) => self.fail(ConnectionError::Mechanism(e)),
        }
    }

    /// Queues a subscription change in the form the peer understands:
    /// SUBSCRIBE/CANCEL commands for ZMTP 3.1, `0x01`/`0x00`-prefixed
    /// messages for 3.0 and older. Returns it when not established.
    pub fn send_subscription(
        &mut self,
        change: SubscriptionChange,
    ) -> Result<(), SubscriptionChange> {
        if !self.is_established() {
            return Err(change);
        }
        self.put_subscription(change);
        Ok(())
    }

    fn put_subscription(&mut self, change: SubscriptionChange) {
        if self.version == Some(ZmtpVersion::V3_1) {
            self.put_command(&change.to_command());
            return;
        }
        let (flag, topic) = match &change {
            SubscriptionChange::Subscribe(t) => (1u8, t),
            SubscriptionChange::Cancel(t) => (0u8, t),
        };
        if self.transform.is_some() {
            let mut body = BytesMut::with_capacity(1 + topic.len());
            body.extend_from_slice(&[flag]);
            body.extend_from_slice(topic);
            self.put_sealed(FrameFlags::NONE, &body);
            return;
        }
        let header = FrameHeader::new(FrameFlags::NONE, topic.len() + 1).encode(self.framing());
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_slice(&[flag]);
        self.transmit.put_bytes(topic.clone());
    }

    /// Bytes to write, if any: write them (`writev` with
    /// [`TransmitQueue::io_slices`]) and call [`TransmitQueue::advance`]
    /// with the count written.
    pub fn poll_transmit(&mut self) -> Option<&mut TransmitQueue> {
        if self.held_pong.is_some() && self.transmit.written() >= self.pong_end {
            let context = self.held_pong.take().unwrap_or_default();
            self.put_pong(&context);
        }
        if self.transmit.is_empty() {
            None
        } else {
            Some(&mut self.transmit)
        }
    }

    pub(super) fn framing(&self) -> Framing {
        self.version.map_or(Framing::V3, ZmtpVersion::framing)
    }

    pub(super) fn put_command(&mut self, command: &Command) {
        let unboxed = self.config.unboxed_heartbeats
            && matches!(command, Command::Ping { .. } | Command::Pong { .. });
        if self.transform.is_some() && !unboxed {
            let mut body = BytesMut::with_capacity(command.encoded_len());
            command.encode_body(&mut body);
            self.put_sealed(FrameFlags::COMMAND, &body);
            return;
        }
        let staging = self.transmit.staging();
        let before = staging.len();
        command.encode_frame(staging);
        let written = staging.len() - before;
        self.transmit.commit_staged(written);
    }

    /// Queues a PONG echoing `context` and notes where it ends.
    pub(super) fn put_pong(&mut self, context: &Bytes) {
        self.put_command(&Command::pong_for(context));
        self.pong_end = self.transmit.end_offset();
    }

    pub(super) fn put_command_body(&mut self, body: &[u8]) {
        let header = FrameHeader::new(FrameFlags::COMMAND, body.len()).encode(Framing::V3);
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_slice(body);
    }

    pub(super) fn put_small_frame(&mut self, flags: FrameFlags, body: &[u8]) {
        let header = FrameHeader::new(flags, body.len()).encode(self.framing());
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_slice(body);
    }

    pub(super) fn put_frame(&mut self, framing: Framing, flags: FrameFlags, body: Bytes) {
        let header = FrameHeader::new(flags, body.len()).encode(framing);
        self.transmit.put_slice(header.as_slice());
        self.transmit.put_bytes(body);
    }
}
