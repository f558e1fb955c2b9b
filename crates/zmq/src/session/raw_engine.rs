//! `RawConnection`: the sans-IO side of a connection that speaks no ZMTP
//! (STREAM sockets, ROUTER with `ZMQ_ROUTER_RAW`), libzmq's `raw_engine_t`.
//!
//! ```text
//!  new ──► HandshakeSucceeded, [""] if notify ──► bytes ⇄ messages ──► eof: Failed
//! ```
//!
//! No greeting and no framing: it is established at once, each chunk read
//! becomes one message (flagged with the peer's metadata) and each message
//! taken from the pipe is written as its bytes. A zero-length message from
//! the pipe asks for the connection to be closed once what was queued
//! before it is written. The connect and disconnect notifications
//! (`ZMQ_STREAM_NOTIFY`) are zero-length messages; the connect one comes
//! from here, the disconnect one from the session, which also sees write
//! failures.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use zmq_patterns::{Metadata, Msg, msg::INLINE_CAPACITY};
use zmtp_codec::ZmtpVersion;

use crate::engine::{ConnectionError, ConnectionEvent, TransmitQueue};

/// The `Peer-Address` property name (`zmq_msg_gets`).
const PEER_ADDRESS: &str = "Peer-Address";

/// A raw byte connection.
#[derive(Debug)]
pub(super) struct RawConnection {
    events: VecDeque<ConnectionEvent>,
    transmit: TransmitQueue,
    /// Properties attached to every received message.
    metadata: Arc<Metadata>,
    /// The peer closed, or the application asked to close.
    closed: bool,
    /// A zero-length message came from the pipe.
    close_requested: bool,
}

impl RawConnection {
    /// A connection to the peer at `peer_address` over the descriptor
    /// `source_fd` (`ZMQ_SRCFD`); with `notify`, the
    /// connect notification (a zero-length message) follows the handshake
    /// event.
    pub(super) fn new(peer_address: &str, source_fd: i32, notify: bool) -> RawConnection {
        let mut metadata = Metadata::new();
        metadata.set_source_fd(source_fd);
        if !peer_address.is_empty() {
            metadata.insert(
                PEER_ADDRESS,
                Bytes::copy_from_slice(peer_address.as_bytes()),
            );
        }
        let metadata = Arc::new(metadata);
        let mut events = VecDeque::with_capacity(2);
        events.push_back(ConnectionEvent::HandshakeSucceeded {
            peer: Arc::clone(&metadata),
            // There is no ZMTP version; the session does not look at it.
            version: ZmtpVersion::V3_1,
        });
        let mut connection = RawConnection {
            events,
            transmit: TransmitQueue::new(),
            metadata,
            closed: false,
            close_requested: false,
        };
        if notify {
            connection.push_message(Msg::new());
        }
        connection
    }

    /// Always established until closed: there is no handshake.
    pub(super) fn is_established(&self) -> bool {
        !self.closed && !self.close_requested
    }

    /// Turns everything in `buf` into one message.
    pub(super) fn receive(&mut self, buf: &mut BytesMut) {
        if self.closed || buf.is_empty() {
            buf.clear();
            return;
        }
        let msg = if buf.len() <= INLINE_CAPACITY {
            let msg = Msg::from_slice(buf);
            buf.clear();
            msg
        } else {
            Msg::from_bytes(buf.split().freeze())
        };
        self.push_message(msg);
    }

    /// The peer closed the stream.
    pub(super) fn receive_eof(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.events.push_back(ConnectionEvent::Failed {
            error: ConnectionError::PeerClosed {
                after_handshake: true,
            },
        });
    }

    fn push_message(&mut self, mut msg: Msg) {
        msg.set_metadata(Some(Arc::clone(&self.metadata)));
        self.events.push_back(ConnectionEvent::Message(msg));
    }

    /// The next event, in order.
    pub(super) fn poll_event(&mut self) -> Option<ConnectionEvent> {
        self.events.pop_front()
    }

    /// Queues a message's bytes (MORE is meaningless here); a zero-length
    /// message asks for the close. After that, messages come back.
    pub(super) fn send_msg(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.is_established() {
            return Err(msg);
        }
        if msg.is_empty() {
            self.close_requested = true;
            return Ok(());
        }
        match msg.shared_bytes() {
            Some(bytes) => self.transmit.put_bytes(bytes.clone()),
            None => self.transmit.put_slice(msg.data()),
        }
        Ok(())
    }

    /// Whether the application asked to close (the session closes the
    /// stream once the transmit queue is written).
    pub(super) fn close_requested(&self) -> bool {
        self.close_requested
    }

    /// Bytes to write, if any.
    pub(super) fn poll_transmit(&mut self) -> Option<&mut TransmitQueue> {
        if self.transmit.is_empty() {
            None
        } else {
            Some(&mut self.transmit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(event: Option<ConnectionEvent>) -> Msg {
        match event {
            Some(ConnectionEvent::Message(msg)) => msg,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    #[test]
    fn established_at_once_with_connect_notification() {
        let mut c = RawConnection::new("127.0.0.1", -1, true);
        assert!(matches!(
            c.poll_event(),
            Some(ConnectionEvent::HandshakeSucceeded { .. })
        ));
        let notification = message(c.poll_event());
        assert!(notification.is_empty());
        assert_eq!(
            notification
                .metadata()
                .and_then(|m| m.get(PEER_ADDRESS))
                .map(|b| &b[..]),
            Some(&b"127.0.0.1"[..])
        );
        assert!(c.poll_event().is_none());
        assert!(c.is_established());
        let mut quiet = RawConnection::new("", -1, false);
        assert!(quiet.poll_event().is_some());
        assert!(quiet.poll_event().is_none());
    }

    #[test]
    fn each_read_is_one_message() {
        let mut c = RawConnection::new("", -1, false);
        c.poll_event();
        let mut buf = BytesMut::from(&b"GET / HTTP/1.0\r\n\r\n"[..]);
        c.receive(&mut buf);
        assert!(buf.is_empty());
        let big = vec![7u8; 1000];
        buf.extend_from_slice(&big);
        c.receive(&mut buf);
        assert_eq!(message(c.poll_event()).data(), b"GET / HTTP/1.0\r\n\r\n");
        let msg = message(c.poll_event());
        assert_eq!(msg.data(), &big[..]);
        assert!(!msg.more());
        c.receive(&mut buf);
        assert!(c.poll_event().is_none());
    }

    #[test]
    fn messages_are_written_as_bytes_and_empty_closes() {
        let mut c = RawConnection::new("", -1, false);
        assert!(c.poll_transmit().is_none());
        let mut part = Msg::from_slice(b"abc");
        part.set_more(true);
        c.send_msg(part).unwrap();
        c.send_msg(Msg::from_vec(vec![1u8; 10_000])).unwrap();
        assert_eq!(c.poll_transmit().map(|q| q.len()), Some(10_003));
        c.send_msg(Msg::new()).unwrap();
        assert!(c.close_requested());
        assert!(c.send_msg(Msg::from_slice(b"late")).is_err());
    }

    #[test]
    fn eof_fails_once() {
        let mut c = RawConnection::new("", -1, false);
        c.poll_event();
        c.receive_eof();
        c.receive_eof();
        assert!(matches!(
            c.poll_event(),
            Some(ConnectionEvent::Failed {
                error: ConnectionError::PeerClosed {
                    after_handshake: true
                }
            })
        ));
        assert!(c.poll_event().is_none());
        assert!(!c.is_established());
    }
}
