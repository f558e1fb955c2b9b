//! inproc addresses: a name, unique within a context. The facade
//! implements the transport itself with pipes; only validation lives here.

use std::fmt;

use crate::error::{TransportError, TransportResult};

/// The name of an inproc endpoint (the text after `inproc://`).
///
/// libzmq places no restriction on it beyond being non-empty (its manual
/// speaks of "up to 256 characters" but does not enforce it; neither do we).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InprocAddress(String);

impl InprocAddress {
    /// Validates an inproc name: any non-empty text.
    pub fn parse(address: &str) -> TransportResult<Self> {
        if address.is_empty() {
            return Err(TransportError::invalid("empty inproc name"));
        }
        Ok(Self(address.to_owned()))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InprocAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_non_empty_name() {
        for name in ["a", "zeromq.zap.01", "with spaces/and:colons", "*"] {
            assert_eq!(
                InprocAddress::parse(name).ok().map(|a| a.0),
                Some(name.into())
            );
        }
        assert!(InprocAddress::parse("").is_err());
    }
}
