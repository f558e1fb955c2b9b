//! `WireProtocol`: what a stream engine speaks over its stream, ZMTP or
//! raw bytes, behind the one interface the session drives.

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use zmq_mechanisms::{ZapReply, ZapRequest};
use zmq_patterns::{Msg, SocketType};

use super::SocketLink;
use super::raw_engine::RawConnection;
use crate::engine::{ConnectionEvent, TransmitQueue, ZmtpConnection};

/// The connection state of one stream.
pub(super) enum WireProtocol {
    /// ZMTP: greeting, handshake, frames.
    Zmtp(Box<ZmtpConnection>),
    /// Raw bytes (STREAM, ROUTER with `ZMQ_ROUTER_RAW`).
    Raw(RawConnection),
}

/// Whether connections of `link`'s socket speak raw bytes.
pub(super) fn speaks_raw(link: &SocketLink) -> bool {
    match link.kind {
        SocketType::Stream => true,
        SocketType::Router => link.options.router_raw,
        _ => false,
    }
}

impl WireProtocol {
    /// Feeds received bytes.
    pub(super) fn receive(&mut self, buf: &mut BytesMut, now: Instant) {
        match self {
            WireProtocol::Zmtp(c) => c.receive(buf, now),
            WireProtocol::Raw(c) => c.receive(buf),
        }
    }

    /// Whether bytes wait in the read buffer, decoding having stopped
    /// until the events are collected.
    pub(super) fn has_input_backlog(&self) -> bool {
        match self {
            WireProtocol::Zmtp(c) => c.has_input_backlog(),
            WireProtocol::Raw(_) => false,
        }
    }

    /// The peer closed the stream.
    pub(super) fn receive_eof(&mut self) {
        match self {
            WireProtocol::Zmtp(c) => c.receive_eof(),
            WireProtocol::Raw(c) => c.receive_eof(),
        }
    }

    /// Reading the stream failed with `errno` (a raw connection sees it
    /// as the peer closing).
    pub(super) fn receive_error(&mut self, errno: i32) {
        match self {
            WireProtocol::Zmtp(c) => c.receive_error(errno),
            WireProtocol::Raw(c) => c.receive_eof(),
        }
    }

    /// The WebSocket upgrade below failed (a raw connection sees it as
    /// the peer closing).
    pub(super) fn receive_ws_upgrade_failure(&mut self) {
        match self {
            WireProtocol::Zmtp(c) => c.receive_ws_upgrade_failure(),
            WireProtocol::Raw(c) => c.receive_eof(),
        }
    }

    /// The next event, in order.
    pub(super) fn poll_event(&mut self) -> Option<ConnectionEvent> {
        match self {
            WireProtocol::Zmtp(c) => c.poll_event(),
            WireProtocol::Raw(c) => c.poll_event(),
        }
    }

    /// Whether messages can be sent.
    pub(super) fn is_established(&self) -> bool {
        match self {
            WireProtocol::Zmtp(c) => c.is_established(),
            WireProtocol::Raw(c) => c.is_established(),
        }
    }

    /// Queues a message part; it comes back when it cannot be sent.
    pub(super) fn send_msg(&mut self, msg: Msg) -> Result<(), Msg> {
        match self {
            WireProtocol::Zmtp(c) => c.send_msg(msg),
            WireProtocol::Raw(c) => c.send_msg(msg),
        }
    }

    /// Whether the application asked to close the stream (raw only).
    pub(super) fn close_requested(&self) -> bool {
        match self {
            WireProtocol::Zmtp(_) => false,
            WireProtocol::Raw(c) => c.close_requested(),
        }
    }

    /// Bytes to write, if any.
    pub(super) fn poll_transmit(&mut self) -> Option<&mut TransmitQueue> {
        match self {
            WireProtocol::Zmtp(c) => c.poll_transmit(),
            WireProtocol::Raw(c) => c.poll_transmit(),
        }
    }

    /// When `handle_timeout` must be called next (raw: never).
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        match self {
            WireProtocol::Zmtp(c) => c.poll_timeout(),
            WireProtocol::Raw(_) => None,
        }
    }

    /// Bytes were written (a PING written starts its timeout). Reads the
    /// clock only while a PING waits to be written, not on every turn.
    pub(super) fn handle_written(&mut self, now: impl FnOnce() -> Instant) {
        if let WireProtocol::Zmtp(c) = self
            && c.ping_unwritten()
        {
            c.handle_written(now());
        }
    }

    /// Fires the timers due at `now`.
    pub(super) fn handle_timeout(&mut self, now: Instant) {
        if let WireProtocol::Zmtp(c) = self {
            c.handle_timeout(now);
        }
    }

    /// A ZAP request to forward, if the handshake made one (raw: never).
    pub(super) fn poll_zap_request(&mut self) -> Option<ZapRequest> {
        match self {
            WireProtocol::Zmtp(c) => c.poll_zap_request(),
            WireProtocol::Raw(_) => None,
        }
    }

    /// The ZAP handler's reply.
    pub(super) fn zap_reply(&mut self, reply: ZapReply, now: Instant) {
        if let WireProtocol::Zmtp(c) = self {
            c.zap_reply(reply, now);
        }
    }

    /// The ZAP handler's reply as received frames.
    pub(super) fn zap_reply_frames(&mut self, frames: &[Bytes], now: Instant) {
        if let WireProtocol::Zmtp(c) = self {
            c.zap_reply_frames(frames, now);
        }
    }
}
