//! What a connection reports to its caller.

use core::fmt;
use std::sync::Arc;

use bytes::Bytes;
use zmq_mechanisms::MechanismError;
use zmq_patterns::{Metadata, Msg};
use zmtp_codec::{Error as CodecError, ProtocolErrorCode, ZmtpVersion};

/// Something the caller must act on; drain with
/// [`crate::engine::ZmtpConnection::poll_event`].
#[derive(Debug)]
pub enum ConnectionEvent {
    /// The handshake is done: attach the connection to the socket. Emitted
    /// once, before any message.
    HandshakeSucceeded {
        /// Peer properties (`Socket-Type`, `Identity`, application
        /// metadata, `Peer-Address`), shared by every received message.
        peer: Arc<Metadata>,
        /// The protocol version spoken.
        version: ZmtpVersion,
    },
    /// A received message part: data (MORE kept), the in-band routing id
    /// (`MsgFlags::ROUTING_ID`), a subscription (`SUBSCRIBE`/`CANCEL`, body
    /// = topic) or a JOIN/LEAVE command (`COMMAND`, body = command body).
    Message(Msg),
    /// The connection is over; nothing more will be read or produced
    /// except bytes already queued (an ERROR command worth a best-effort
    /// flush).
    Failed {
        /// Why.
        error: ConnectionError,
    },
}

/// Why a connection closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionError {
    /// The peer broke the greeting or frame grammar (or refused our
    /// mechanism) before the handshake completed.
    Greeting(CodecError),
    /// The mechanism handshake failed.
    Mechanism(MechanismError),
    /// A ZMTP 2.0 peer's socket-type byte is not compatible with ours.
    IncompatibleSocketType {
        /// The peer's socket-type byte.
        peer: u8,
    },
    /// The peer broke the frame or command grammar after the handshake.
    Protocol(CodecError),
    /// The peer announced a frame above `ZMQ_MAXMSGSIZE` (`EMSGSIZE`).
    MessageTooLarge {
        /// Announced size.
        size: u64,
    },
    /// Before authentication the peer announced a frame above
    /// [`HANDSHAKE_MAX_FRAME`](super::connection::HANDSHAKE_MAX_FRAME) (or
    /// a smaller `ZMQ_MAXMSGSIZE`).
    HandshakeFrameTooLarge {
        /// Announced size.
        size: u64,
    },
    /// The peer sent ERROR after the handshake.
    PeerError {
        /// Its reason.
        reason: Bytes,
    },
    /// The handshake did not finish within `ZMQ_HANDSHAKE_IVL`.
    HandshakeTimedOut,
    /// Nothing arrived within the heartbeat timeout or the peer's TTL.
    HeartbeatTimedOut,
    /// The peer closed the stream (`EPIPE`, as libzmq's engine).
    PeerClosed {
        /// Whether the handshake had completed.
        after_handshake: bool,
    },
    /// The WebSocket upgrade failed (ws, wss): libzmq reports
    /// `ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED`.
    WsUpgrade,
    /// Reading the stream failed (`ECONNRESET`, ...).
    Stream {
        /// The read's errno.
        errno: i32,
        /// Whether the handshake had completed.
        after_handshake: bool,
    },
}

/// The handshake-failure monitor event a connection error maps to
/// (`zmq_socket_monitor`); every failure is also a disconnect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeFailure {
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` with this code.
    Protocol(ProtocolErrorCode),
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` with this ZAP status.
    Auth(u16),
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`.
    NoDetail,
}

impl ConnectionError {
    /// The handshake-failure event libzmq emits for this error, if any
    /// (`None`: only `ZMQ_EVENT_DISCONNECTED`).
    pub fn handshake_failure(&self) -> Option<HandshakeFailure> {
        match self {
            ConnectionError::Greeting(e @ CodecError::MechanismMismatch { .. }) => {
                e.protocol_error_code().map(HandshakeFailure::Protocol)
            }
            ConnectionError::Mechanism(e) if e.is_no_detail() => Some(HandshakeFailure::NoDetail),
            ConnectionError::Mechanism(e) => e
                .protocol_error_code()
                .map(HandshakeFailure::Protocol)
                .or(e.auth_status().map(HandshakeFailure::Auth)),
            ConnectionError::HandshakeTimedOut | ConnectionError::HandshakeFrameTooLarge { .. } => {
                Some(HandshakeFailure::NoDetail)
            }
            ConnectionError::WsUpgrade => {
                Some(HandshakeFailure::Protocol(ProtocolErrorCode::WsUnspecified))
            }
            ConnectionError::PeerClosed {
                after_handshake: false,
            }
            | ConnectionError::Stream {
                after_handshake: false,
                ..
            } => Some(HandshakeFailure::NoDetail),
            _ => None,
        }
    }

    /// Whether libzmq counts this as a protocol error, after which a
    /// connecting session gives up instead of reconnecting (peer closes,
    /// I/O errors and timeouts are retried).
    pub fn is_protocol_error(&self) -> bool {
        matches!(
            self,
            ConnectionError::Greeting(_)
                | ConnectionError::Mechanism(_)
                | ConnectionError::IncompatibleSocketType { .. }
                | ConnectionError::Protocol(_)
                | ConnectionError::MessageTooLarge { .. }
                | ConnectionError::HandshakeFrameTooLarge { .. }
                | ConnectionError::WsUpgrade
        )
    }

    /// The errno libzmq's engine fails with.
    pub fn errno(&self) -> i32 {
        match self {
            ConnectionError::MessageTooLarge { .. }
            | ConnectionError::HandshakeFrameTooLarge { .. } => libc::EMSGSIZE,
            ConnectionError::HandshakeTimedOut | ConnectionError::HeartbeatTimedOut => {
                libc::ETIMEDOUT
            }
            ConnectionError::PeerClosed { .. } => libc::EPIPE,
            ConnectionError::Stream { errno, .. } => *errno,
            ConnectionError::Mechanism(MechanismError::IncompatibleSocketType { .. }) => {
                libc::EINVAL
            }
            ConnectionError::Mechanism(MechanismError::ZapUnavailable) => libc::EFAULT,
            _ => libc::EPROTO,
        }
    }
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionError::Greeting(e) => write!(f, "greeting failed: {e}"),
            ConnectionError::Mechanism(e) => write!(f, "handshake failed: {e}"),
            ConnectionError::IncompatibleSocketType { peer } => {
                write!(f, "incompatible ZMTP 2.0 peer socket type {peer}")
            }
            ConnectionError::Protocol(e) => write!(f, "protocol error: {e}"),
            ConnectionError::MessageTooLarge { size } => {
                write!(f, "frame of {size} bytes exceeds ZMQ_MAXMSGSIZE")
            }
            ConnectionError::HandshakeFrameTooLarge { size } => {
                write!(
                    f,
                    "handshake frame of {size} bytes exceeds the pre-authentication cap"
                )
            }
            ConnectionError::PeerError { reason } => {
                write!(f, "peer sent ERROR: {:?}", String::from_utf8_lossy(reason))
            }
            ConnectionError::HandshakeTimedOut => write!(f, "handshake timed out"),
            ConnectionError::HeartbeatTimedOut => write!(f, "heartbeat timed out"),
            ConnectionError::WsUpgrade => write!(f, "websocket upgrade failed"),
            ConnectionError::PeerClosed { .. } => write!(f, "peer closed the connection"),
            ConnectionError::Stream { errno, .. } => {
                write!(f, "{}", std::io::Error::from_raw_os_error(*errno))
            }
        }
    }
}

impl std::error::Error for ConnectionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_mapping() {
        let e = ConnectionError::Mechanism(MechanismError::UnexpectedCommand);
        assert_eq!(
            e.handshake_failure(),
            Some(HandshakeFailure::Protocol(
                ProtocolErrorCode::ZmtpUnexpectedCommand
            ))
        );
        let e = ConnectionError::Mechanism(MechanismError::PeerError {
            reason: Bytes::from_static(b"400"),
        });
        assert_eq!(e.handshake_failure(), Some(HandshakeFailure::Auth(400)));
        let e = ConnectionError::MessageTooLarge { size: 9 };
        assert_eq!(e.handshake_failure(), None);
        assert_eq!(e.errno(), libc::EMSGSIZE);
        assert_eq!(
            ConnectionError::HandshakeTimedOut.handshake_failure(),
            Some(HandshakeFailure::NoDetail)
        );
        assert_eq!(
            ConnectionError::Mechanism(MechanismError::ZapUnavailable).handshake_failure(),
            Some(HandshakeFailure::NoDetail)
        );
        assert_eq!(
            ConnectionError::Mechanism(MechanismError::InvalidSequence).handshake_failure(),
            Some(HandshakeFailure::Protocol(
                ProtocolErrorCode::ZmtpInvalidSequence
            ))
        );
    }
}
