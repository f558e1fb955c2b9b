//! How a run ends: the status line and exit code of PROTOCOL.md.

use std::fmt;

/// Exit code: every step passed.
pub const EXIT_OK: i32 = 0;
/// Exit code: a step failed.
pub const EXIT_FAIL: i32 = 1;
/// Exit code: bad usage or a malformed spec.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: the spec needs something this peer lacks.
pub const EXIT_UNSUPPORTED: i32 = 3;

/// Why a script stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerError {
    /// A step did not get what it expected (`FAIL`, exit 1).
    Fail(String),
    /// The spec is malformed (`FAIL bad spec`, exit 2).
    Spec(String),
    /// The spec asks for something this peer does not implement
    /// (`UNSUPPORTED`, exit 3).
    Unsupported(String),
}

impl PeerError {
    /// The status line this error prints.
    pub fn status_line(&self) -> String {
        match self {
            PeerError::Fail(reason) => format!("FAIL {reason}"),
            PeerError::Spec(reason) => format!("FAIL bad spec: {reason}"),
            PeerError::Unsupported(what) => format!("UNSUPPORTED {what}"),
        }
    }

    /// The exit code that goes with [`PeerError::status_line`].
    pub fn exit_code(&self) -> i32 {
        match self {
            PeerError::Fail(_) => EXIT_FAIL,
            PeerError::Spec(_) => EXIT_USAGE,
            PeerError::Unsupported(_) => EXIT_UNSUPPORTED,
        }
    }

    /// The same error with `context: ` before a failure's reason.
    pub fn within(self, context: &str) -> PeerError {
        match self {
            PeerError::Fail(reason) => PeerError::Fail(format!("{context}: {reason}")),
            other => other,
        }
    }
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.status_line())
    }
}

impl From<zmq::Error> for PeerError {
    fn from(err: zmq::Error) -> PeerError {
        PeerError::Fail(format!("zmq error: {err} (errno {})", err.errno()))
    }
}

/// Result of a step or of setup.
pub type PeerResult<T> = Result<T, PeerError>;

/// A spec error with a message.
pub fn spec_error<T>(message: impl Into<String>) -> PeerResult<T> {
    Err(PeerError::Spec(message.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_and_exit_codes() {
        let fail = PeerError::Fail("step 0 (recv): nothing".into());
        assert_eq!(fail.status_line(), "FAIL step 0 (recv): nothing");
        assert_eq!(fail.exit_code(), EXIT_FAIL);
        let spec = PeerError::Spec("no socket".into());
        assert_eq!(spec.status_line(), "FAIL bad spec: no socket");
        assert_eq!(spec.exit_code(), EXIT_USAGE);
        let unsupported = PeerError::Unsupported("op teleport".into());
        assert_eq!(unsupported.status_line(), "UNSUPPORTED op teleport");
        assert_eq!(unsupported.exit_code(), EXIT_UNSUPPORTED);
    }

    #[test]
    fn within_prefixes_failures_only() {
        let fail = PeerError::Fail("x".into()).within("step 2 (send)");
        assert_eq!(fail, PeerError::Fail("step 2 (send): x".into()));
        let spec = PeerError::Spec("y".into()).within("step 2 (send)");
        assert_eq!(spec, PeerError::Spec("y".into()));
    }

    #[test]
    fn zmq_errors_are_failures() {
        let err: PeerError = zmq::Error::HostUnreach.into();
        assert!(matches!(err, PeerError::Fail(ref m) if m.contains("Host unreachable")));
    }
}
