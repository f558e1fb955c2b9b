//! Errors of the tools. libzmq's perf tools print `error in zmq_bind:
//! <strerror>`; ours name the same call.

use std::fmt;

/// What went wrong in a tool run.
#[derive(Debug)]
pub enum ToolError {
    /// A library call failed; `call` is the libzmq function it stands for.
    Zmq {
        /// The libzmq name of the call (`zmq_bind`, `zmq_recvmsg`...).
        call: &'static str,
        /// The error it returned.
        error: zmq::Error,
    },
    /// A message of another size than announced arrived.
    WrongSize,
    /// A peer thread of an in-process run panicked or failed.
    Peer(String),
    /// Anything else (bad arguments, timeouts).
    Other(String),
}

impl ToolError {
    /// A closure mapping a library error to `ToolError::Zmq` for `call`.
    pub fn zmq(call: &'static str) -> impl FnOnce(zmq::Error) -> ToolError {
        move |error| ToolError::Zmq { call, error }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::Zmq { call, error } => write!(f, "error in {call}: {error}"),
            ToolError::WrongSize => f.write_str("message of incorrect size received"),
            ToolError::Peer(what) => write!(f, "error in peer thread: {what}"),
            ToolError::Other(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for ToolError {}

/// Joins a peer thread, turning a panic or an error into `ToolError`.
pub fn join<T>(handle: std::thread::JoinHandle<Result<T, ToolError>>) -> Result<T, ToolError> {
    match handle.join() {
        Ok(result) => result,
        Err(_) => Err(ToolError::Peer("panicked".to_string())),
    }
}
