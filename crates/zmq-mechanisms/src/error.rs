//! Handshake failures: what the peer did wrong (or what we refused), with
//! the code a socket monitor reports for it.

use core::fmt;

use bytes::Bytes;
use zmtp_codec::ProtocolErrorCode;

/// Why a mechanism handshake failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MechanismError {
    /// The peer sent a command that is not valid at this point (anything
    /// but READY or ERROR in NULL, a second READY...).
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND`.
    UnexpectedCommand,
    /// The peer's READY is not acceptable as a READY (no `Socket-Type`,
    /// which RFC 23 requires). `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY`.
    MalformedReady {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The peer's ERROR command does not follow its grammar.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR`.
    MalformedError,
    /// The peer's property list breaks the metadata grammar.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA`.
    InvalidMetadata {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The peer's `Socket-Type` is unknown or cannot talk to ours. libzmq
    /// fails the handshake with `EINVAL` and reports no handshake event
    /// (the monitor sees only the disconnect), so there is no code.
    IncompatibleSocketType {
        /// The peer's `Socket-Type` value as sent.
        peer: Bytes,
    },
    /// The peer sent ERROR and is closing. When the reason is a ZAP status
    /// code (`300`, `400` or `500`) libzmq reports an authentication
    /// failure with that status ([`MechanismError::auth_status`]).
    PeerError {
        /// The peer's reason (at most 255 bytes, any content).
        reason: Bytes,
    },
    /// We refused the peer after ZAP (server side): we send ERROR with the
    /// status code as reason and report an authentication failure.
    AuthFailed {
        /// The ZAP status code (300, 400 or 500).
        status: u16,
    },
}

impl MechanismError {
    /// The `ZMQ_PROTOCOL_ERROR_*` code for a
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` event, if libzmq reports one.
    pub fn protocol_error_code(&self) -> Option<ProtocolErrorCode> {
        use ProtocolErrorCode as C;
        match self {
            MechanismError::UnexpectedCommand => Some(C::ZmtpUnexpectedCommand),
            MechanismError::MalformedReady { .. } => Some(C::ZmtpMalformedCommandReady),
            MechanismError::MalformedError => Some(C::ZmtpMalformedCommandError),
            MechanismError::InvalidMetadata { .. } => Some(C::ZmtpInvalidMetadata),
            MechanismError::IncompatibleSocketType { .. }
            | MechanismError::PeerError { .. }
            | MechanismError::AuthFailed { .. } => None,
        }
    }

    /// The ZAP status for a `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` event: ours
    /// after a refusal, or the peer's when its ERROR reason is exactly
    /// `300`, `400` or `500` (libzmq's rule).
    pub fn auth_status(&self) -> Option<u16> {
        match self {
            MechanismError::AuthFailed { status } => Some(*status),
            MechanismError::PeerError { reason } => match &reason[..] {
                [d @ b'3'..=b'5', b'0', b'0'] => Some(u16::from(d - b'0') * 100),
                _ => None,
            },
            _ => None,
        }
    }

    /// The reason of the ERROR command to send to the peer before closing,
    /// when libzmq sends one (only after a ZAP refusal: the status code).
    pub fn error_reason_to_send(&self) -> Option<Bytes> {
        match self {
            MechanismError::AuthFailed { status } => {
                Some(Bytes::from(status.min(&999).to_string().into_bytes()))
            }
            _ => None,
        }
    }
}

impl fmt::Display for MechanismError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MechanismError::UnexpectedCommand => write!(f, "unexpected command in handshake"),
            MechanismError::MalformedReady { reason } => write!(f, "malformed READY: {reason}"),
            MechanismError::MalformedError => write!(f, "malformed ERROR command"),
            MechanismError::InvalidMetadata { reason } => write!(f, "invalid metadata: {reason}"),
            MechanismError::IncompatibleSocketType { peer } => write!(
                f,
                "incompatible peer socket type {:?}",
                String::from_utf8_lossy(peer)
            ),
            MechanismError::PeerError { reason } => {
                write!(f, "peer sent ERROR: {:?}", String::from_utf8_lossy(reason))
            }
            MechanismError::AuthFailed { status } => {
                write!(f, "authentication failed (ZAP status {status})")
            }
        }
    }
}

impl std::error::Error for MechanismError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_status_from_peer_reason() {
        let e = |r: &'static [u8]| MechanismError::PeerError {
            reason: Bytes::from_static(r),
        };
        assert_eq!(e(b"400").auth_status(), Some(400));
        assert_eq!(e(b"300").auth_status(), Some(300));
        assert_eq!(e(b"500").auth_status(), Some(500));
        assert_eq!(e(b"200").auth_status(), None);
        assert_eq!(e(b"401").auth_status(), None);
        assert_eq!(e(b"nope").auth_status(), None);
        assert_eq!(e(b"400").protocol_error_code(), None);
    }

    #[test]
    fn refusal_sends_status() {
        let e = MechanismError::AuthFailed { status: 400 };
        assert_eq!(e.error_reason_to_send().unwrap(), &b"400"[..]);
        assert_eq!(e.auth_status(), Some(400));
        assert_eq!(
            MechanismError::UnexpectedCommand.error_reason_to_send(),
            None
        );
        assert_eq!(
            MechanismError::UnexpectedCommand.protocol_error_code(),
            Some(ProtocolErrorCode::ZmtpUnexpectedCommand)
        );
    }
}
