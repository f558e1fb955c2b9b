//! Errors a pattern reports, and the errno each one becomes at the C API.

use std::fmt;

use crate::msg::Msg;

/// Why a pattern refused an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatternError {
    /// `EAGAIN`: nothing to receive, or no peer can take the message now.
    /// The facade waits for a pipe event and retries, unless `ZMQ_DONTWAIT`
    /// was given or the timeout expired.
    Again,
    /// `EFSM` (`ZMQ_HAUSNUMERO + 51`): the operation is not allowed in the
    /// socket's current state (REQ/REP lockstep).
    Fsm,
    /// `EHOSTUNREACH`: ROUTER with `ZMQ_ROUTER_MANDATORY` was asked to send
    /// to a peer it does not know.
    HostUnreachable,
    /// `ENOTSUP`: the socket type does not support the operation (recv on
    /// PUSH, send on PULL).
    NotSupported,
    /// `EINVAL`: an option that this socket type does not have, or a value
    /// out of range.
    Invalid,
}

impl PatternError {
    /// The errno name this error is reported as (`"EAGAIN"`, ...).
    pub const fn errno_name(self) -> &'static str {
        match self {
            PatternError::Again => "EAGAIN",
            PatternError::Fsm => "EFSM",
            PatternError::HostUnreachable => "EHOSTUNREACH",
            PatternError::NotSupported => "ENOTSUP",
            PatternError::Invalid => "EINVAL",
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            PatternError::Again => "resource temporarily unavailable",
            PatternError::Fsm => "operation cannot be accomplished in current state",
            PatternError::HostUnreachable => "host unreachable",
            PatternError::NotSupported => "operation not supported",
            PatternError::Invalid => "invalid argument",
        };
        f.write_str(text)
    }
}

impl std::error::Error for PatternError {}

/// A refused send: the reason, and the message given back untouched so the
/// caller can retry it or return it to the application.
#[derive(Debug)]
pub struct SendError {
    /// Why the message was not taken.
    pub kind: PatternError,
    /// The message, unchanged.
    pub msg: Msg,
}

impl SendError {
    /// A refusal of `msg` for `kind`.
    pub fn new(kind: PatternError, msg: Msg) -> SendError {
        SendError { kind, msg }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "send refused: {}", self.kind)
    }
}

impl std::error::Error for SendError {}
