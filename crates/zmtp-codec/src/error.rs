//! The one error type of the codec: what the peer did wrong, and the
//! libzmq `ZMQ_PROTOCOL_ERROR_*` code a monitor reports for it.

use core::fmt;

/// The libzmq `ZMQ_PROTOCOL_ERROR_*` values (zmq.h), reported as the value
/// of a `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` monitor event.
///
/// The ZAP codes are listed here too so the mechanisms crate reports them
/// from the same table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ProtocolErrorCode {
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED`
    ZmtpUnspecified = 0x1000_0000,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND`
    ZmtpUnexpectedCommand = 0x1000_0001,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE`
    ZmtpInvalidSequence = 0x1000_0002,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE`
    ZmtpKeyExchange = 0x1000_0003,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED`
    ZmtpMalformedCommandUnspecified = 0x1000_0011,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE`
    ZmtpMalformedCommandMessage = 0x1000_0012,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO`
    ZmtpMalformedCommandHello = 0x1000_0013,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE`
    ZmtpMalformedCommandInitiate = 0x1000_0014,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR`
    ZmtpMalformedCommandError = 0x1000_0015,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY`
    ZmtpMalformedCommandReady = 0x1000_0016,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME`
    ZmtpMalformedCommandWelcome = 0x1000_0017,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA`
    ZmtpInvalidMetadata = 0x1000_0018,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC`
    ZmtpCryptographic = 0x1100_0001,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH`
    ZmtpMechanismMismatch = 0x1100_0002,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED`
    ZapUnspecified = 0x2000_0000,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY`
    ZapMalformedReply = 0x2000_0001,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID`
    ZapBadRequestId = 0x2000_0002,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION`
    ZapBadVersion = 0x2000_0003,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE`
    ZapInvalidStatusCode = 0x2000_0004,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA`
    ZapInvalidMetadata = 0x2000_0005,
    /// `ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED`
    WsUnspecified = 0x3000_0000,
}

impl ProtocolErrorCode {
    /// The numeric value as in zmq.h.
    pub const fn value(self) -> u32 {
        self as u32
    }
}

/// The command a malformed-command error is about; it selects the
/// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_*` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// READY
    Ready,
    /// ERROR
    Error,
    /// HELLO
    Hello,
    /// WELCOME
    Welcome,
    /// INITIATE
    Initiate,
    /// MESSAGE
    Message,
    /// PING, PONG, SUBSCRIBE, CANCEL, JOIN, LEAVE or a command whose name
    /// could not be read.
    Other,
}

/// Everything a peer can do wrong at the wire level.
///
/// The codec never panics on peer input; it returns one of these and the
/// engine closes that one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The peer's greeting does not start with `0xFF` or its byte 9 does not
    /// have bit 0 set, where only a ZMTP 3.x greeting is acceptable
    /// ([`crate::greeting::Greeting::new_checked`]).
    InvalidGreetingSignature,
    /// The peer's greeting announces a ZMTP major version below 3 where
    /// only a 3.x greeting is acceptable.
    UnsupportedVersion {
        /// The peer's major version byte.
        major: u8,
    },
    /// A buffer handed to a checked view is shorter than the structure it
    /// must hold (caller error or truncated input).
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The peer's greeting names another security mechanism than ours
    /// (RFC 23: "If the mechanism that the peer received does not exactly
    /// match the mechanism it sent, it MUST close the connection").
    MechanismMismatch {
        /// The 20-byte mechanism field we sent.
        ours: [u8; 20],
        /// The 20-byte mechanism field the peer sent.
        theirs: [u8; 20],
    },
    /// The peer is ZMTP 1.0 or 2.0 and we refuse to downgrade (a ZAP
    /// domain or a non-NULL mechanism is configured, as libzmq does).
    DowngradeRefused,
    /// The peer set reserved bits in a frame's flags byte.
    ReservedFrameFlags {
        /// The flags byte as received.
        flags: u8,
    },
    /// The peer announced a frame bigger than our maximum message size
    /// (`ZMQ_MAXMSGSIZE`) or than this machine can address. libzmq fails
    /// the decoder with `EMSGSIZE` and has no `ZMQ_PROTOCOL_ERROR_*` code
    /// for it (the monitor only sees `ZMQ_EVENT_DISCONNECTED`), so
    /// [`Error::protocol_error_code`] returns `None`.
    MessageTooLarge {
        /// The announced body size.
        size: u64,
        /// The configured maximum.
        max: u64,
    },
    /// The peer sent a ZMTP 1.0 frame with length 0 (the length includes
    /// the flags byte, so 0 is invalid; libzmq fails with `EPROTO`).
    ZeroLengthFrame,
    /// The peer sent a command frame whose body is empty or whose name
    /// length runs past the end of the body.
    MalformedCommandName,
    /// The peer sent a command whose body does not follow its grammar.
    MalformedCommand {
        /// Which command.
        command: CommandKind,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The peer sent metadata (READY, INITIATE, WELCOME properties) that
    /// does not follow the property grammar.
    InvalidMetadata {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The peer sent a command that is not valid at this point.
    UnexpectedCommand,
}

impl Error {
    /// The libzmq `ZMQ_PROTOCOL_ERROR_*` code for this error, or `None` when
    /// libzmq has none (oversized message: libzmq reports `EMSGSIZE` and a
    /// plain disconnect).
    pub fn protocol_error_code(&self) -> Option<ProtocolErrorCode> {
        use ProtocolErrorCode as C;
        Some(match self {
            Error::InvalidGreetingSignature
            | Error::UnsupportedVersion { .. }
            | Error::Truncated { .. }
            | Error::DowngradeRefused
            | Error::ReservedFrameFlags { .. }
            | Error::ZeroLengthFrame => C::ZmtpUnspecified,
            Error::MechanismMismatch { .. } => C::ZmtpMechanismMismatch,
            Error::MessageTooLarge { .. } => return None,
            Error::MalformedCommandName => C::ZmtpMalformedCommandUnspecified,
            Error::MalformedCommand { command, .. } => match command {
                CommandKind::Ready => C::ZmtpMalformedCommandReady,
                CommandKind::Error => C::ZmtpMalformedCommandError,
                CommandKind::Hello => C::ZmtpMalformedCommandHello,
                CommandKind::Welcome => C::ZmtpMalformedCommandWelcome,
                CommandKind::Initiate => C::ZmtpMalformedCommandInitiate,
                CommandKind::Message => C::ZmtpMalformedCommandMessage,
                CommandKind::Other => C::ZmtpMalformedCommandUnspecified,
            },
            Error::InvalidMetadata { .. } => C::ZmtpInvalidMetadata,
            Error::UnexpectedCommand => C::ZmtpUnexpectedCommand,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidGreetingSignature => write!(f, "invalid ZMTP greeting signature"),
            Error::UnsupportedVersion { major } => {
                write!(f, "unsupported ZMTP major version {major}")
            }
            Error::Truncated { needed, available } => {
                write!(f, "truncated input: need {needed} bytes, have {available}")
            }
            Error::MechanismMismatch { ours, theirs } => write!(
                f,
                "security mechanism mismatch: ours {:?}, peer's {:?}",
                String::from_utf8_lossy(trim_nul(ours)),
                String::from_utf8_lossy(trim_nul(theirs))
            ),
            Error::DowngradeRefused => {
                write!(f, "ZMTP 1.0/2.0 peer refused (security or ZAP configured)")
            }
            Error::ReservedFrameFlags { flags } => {
                write!(f, "reserved frame flag bits set: {flags:#04x}")
            }
            Error::MessageTooLarge { size, max } => {
                write!(f, "frame of {size} bytes exceeds the maximum of {max}")
            }
            Error::ZeroLengthFrame => write!(f, "ZMTP 1.0 frame with length 0"),
            Error::MalformedCommandName => write!(f, "malformed command name"),
            Error::MalformedCommand { command, reason } => {
                write!(f, "malformed {command:?} command: {reason}")
            }
            Error::InvalidMetadata { reason } => write!(f, "invalid metadata: {reason}"),
            Error::UnexpectedCommand => write!(f, "unexpected command"),
        }
    }
}

impl std::error::Error for Error {}

fn trim_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    bytes.get(..end).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_zmq_h() {
        assert_eq!(ProtocolErrorCode::ZmtpUnspecified.value(), 0x1000_0000);
        assert_eq!(ProtocolErrorCode::ZmtpInvalidMetadata.value(), 0x1000_0018);
        assert_eq!(
            ProtocolErrorCode::ZmtpMechanismMismatch.value(),
            0x1100_0002
        );
        assert_eq!(ProtocolErrorCode::ZapInvalidMetadata.value(), 0x2000_0005);
    }

    #[test]
    fn error_maps_to_code() {
        let e = Error::MalformedCommand {
            command: CommandKind::Ready,
            reason: "x",
        };
        assert_eq!(
            e.protocol_error_code(),
            Some(ProtocolErrorCode::ZmtpMalformedCommandReady)
        );
        let e = Error::MessageTooLarge { size: 10, max: 5 };
        assert_eq!(e.protocol_error_code(), None);
        assert!(e.to_string().contains("10"));
    }
}
