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
    /// status code as reason (not for 300, a temporary failure, after which
    /// libzmq closes silently) and report an authentication failure.
    AuthFailed {
        /// The ZAP status code (300, 400 or 500).
        status: u16,
    },
    /// A command too short for its own name length.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED`.
    MalformedCommand,
    /// A HELLO of the wrong size, or an unknown CurveZMQ version.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO`.
    MalformedHello,
    /// A WELCOME of the wrong size.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME`.
    MalformedWelcome,
    /// An INITIATE too short to hold its fields.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE`.
    MalformedInitiate,
    /// A MESSAGE too short to hold a box.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE`.
    MalformedMessage,
    /// A box did not open: wrong key, tampered bytes, or a forged cookie.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC`.
    Cryptographic {
        /// Which box.
        what: &'static str,
    },
    /// A CURVE short nonce that does not increase (a replayed or reordered
    /// MESSAGE). `ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE`, as libzmq.
    InvalidSequence,
    /// The vouch does not name the keys of this connection.
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE`.
    KeyExchange,
    /// The ZAP handler's reply breaks RFC 27 (the code says how).
    MalformedZapReply {
        /// `ZMQ_PROTOCOL_ERROR_ZAP_*`.
        code: ProtocolErrorCode,
    },
    /// ZAP is required (PLAIN, or a ZAP domain with
    /// `ZMQ_ZAP_ENFORCE_DOMAIN`) but no handler is bound: libzmq reports
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL` with `EFAULT`.
    ZapUnavailable,
    /// A GSS-API call failed (credentials, names, a context step, or
    /// wrapping), or the mechanism is not built. libzmq stalls until its
    /// handshake timer reports `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`; we
    /// report that event at once.
    Gssapi {
        /// The call that failed.
        call: &'static str,
        /// Its major status.
        major: u32,
        /// Its minor (mechanism) status.
        minor: u32,
        /// The library's text for both.
        message: String,
    },
    /// The OS random source failed (no code).
    RandomSource,
    /// A broken internal invariant of our own code (never the peer's
    /// doing; no code): the connection is closed rather than sending a
    /// box that may be wrong.
    Internal {
        /// What broke.
        what: &'static str,
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
            MechanismError::MalformedCommand => Some(C::ZmtpMalformedCommandUnspecified),
            MechanismError::MalformedHello => Some(C::ZmtpMalformedCommandHello),
            MechanismError::MalformedWelcome => Some(C::ZmtpMalformedCommandWelcome),
            MechanismError::MalformedInitiate => Some(C::ZmtpMalformedCommandInitiate),
            MechanismError::MalformedMessage => Some(C::ZmtpMalformedCommandMessage),
            MechanismError::Cryptographic { .. } => Some(C::ZmtpCryptographic),
            MechanismError::InvalidSequence => Some(C::ZmtpInvalidSequence),
            MechanismError::KeyExchange => Some(C::ZmtpKeyExchange),
            MechanismError::MalformedZapReply { code } => Some(*code),
            MechanismError::IncompatibleSocketType { .. }
            | MechanismError::PeerError { .. }
            | MechanismError::AuthFailed { .. }
            | MechanismError::ZapUnavailable
            | MechanismError::Gssapi { .. }
            | MechanismError::RandomSource
            | MechanismError::Internal { .. } => None,
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

    /// Whether libzmq reports this failure as
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`.
    pub fn is_no_detail(&self) -> bool {
        matches!(
            self,
            MechanismError::ZapUnavailable | MechanismError::Gssapi { .. }
        )
    }

    /// The reason of the ERROR command to send to the peer before closing,
    /// when libzmq sends one (only after a ZAP refusal with 400 or 500:
    /// the status code).
    pub fn error_reason_to_send(&self) -> Option<Bytes> {
        match self {
            MechanismError::AuthFailed { status } if *status != 300 => {
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
            MechanismError::MalformedCommand => write!(f, "malformed command"),
            MechanismError::MalformedHello => write!(f, "malformed HELLO"),
            MechanismError::MalformedWelcome => write!(f, "malformed WELCOME"),
            MechanismError::MalformedInitiate => write!(f, "malformed INITIATE"),
            MechanismError::MalformedMessage => write!(f, "malformed MESSAGE"),
            MechanismError::Cryptographic { what } => write!(f, "cannot open {what}"),
            MechanismError::InvalidSequence => write!(f, "CURVE nonce did not increase"),
            MechanismError::KeyExchange => write!(f, "vouch does not match the connection keys"),
            MechanismError::MalformedZapReply { code } => {
                write!(f, "malformed ZAP reply ({code:?})")
            }
            MechanismError::ZapUnavailable => write!(f, "ZAP required but no handler is bound"),
            MechanismError::Gssapi { message, call, .. } if message.is_empty() => {
                write!(f, "{call}")
            }
            MechanismError::Gssapi { message, .. } => write!(f, "GSSAPI: {message}"),
            MechanismError::RandomSource => write!(f, "the OS random source failed"),
            MechanismError::Internal { what } => write!(f, "internal error: {what}"),
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
        // 300 (temporary failure) closes silently.
        let e = MechanismError::AuthFailed { status: 300 };
        assert_eq!(e.error_reason_to_send(), None);
        assert_eq!(e.auth_status(), Some(300));
        assert_eq!(
            MechanismError::UnexpectedCommand.protocol_error_code(),
            Some(ProtocolErrorCode::ZmtpUnexpectedCommand)
        );
    }
}
