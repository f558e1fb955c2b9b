//! Pattern-specific socket options, typed, with libzmq's defaults.
//!
//! The facade maps the `ZMQ_*` numbers and byte values to these; options
//! that are not about routing (HWM, ROUTING_ID, timeouts ...) stay there.

use bytes::Bytes;

use crate::error::PatternError;

/// Longest routing id a user may set (`ZMQ_CONNECT_ROUTING_ID`, `ZMQ_ROUTING_ID`).
pub const ROUTING_ID_MAX_LENGTH: usize = 255;

/// An option value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternOption {
    /// `ZMQ_ROUTER_MANDATORY` (ROUTER, default false): unroutable messages
    /// fail with EHOSTUNREACH, and a full peer with EAGAIN, instead of
    /// being dropped.
    RouterMandatory(bool),
    /// `ZMQ_ROUTER_HANDOVER` (ROUTER, default false): a new peer with a
    /// routing id already in use takes it over; the old one is disconnected.
    RouterHandover(bool),
    /// `ZMQ_PROBE_ROUTER` (ROUTER, DEALER, REQ, default false): send an
    /// empty message on each new connection.
    ProbeRouter(bool),
    /// `ZMQ_REQ_CORRELATE` (REQ, default false): prefix requests with a
    /// request id and drop replies that do not carry it.
    ReqCorrelate(bool),
    /// `ZMQ_REQ_RELAXED` (REQ, default false): allow a new request before
    /// the reply to the previous one.
    ReqRelaxed(bool),
    /// `ZMQ_CONNECT_ROUTING_ID` (ROUTER, default none): the routing id given
    /// to the peer of the next connect; one-shot.
    ConnectRoutingId(Option<Bytes>),
}

/// An option name, for reading a value back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatternOptionName {
    /// See [`PatternOption::RouterMandatory`].
    RouterMandatory,
    /// See [`PatternOption::RouterHandover`].
    RouterHandover,
    /// See [`PatternOption::ProbeRouter`].
    ProbeRouter,
    /// See [`PatternOption::ReqCorrelate`].
    ReqCorrelate,
    /// See [`PatternOption::ReqRelaxed`].
    ReqRelaxed,
    /// See [`PatternOption::ConnectRoutingId`].
    ConnectRoutingId,
}

impl PatternOption {
    /// The option's name.
    pub fn name(&self) -> PatternOptionName {
        match self {
            PatternOption::RouterMandatory(_) => PatternOptionName::RouterMandatory,
            PatternOption::RouterHandover(_) => PatternOptionName::RouterHandover,
            PatternOption::ProbeRouter(_) => PatternOptionName::ProbeRouter,
            PatternOption::ReqCorrelate(_) => PatternOptionName::ReqCorrelate,
            PatternOption::ReqRelaxed(_) => PatternOptionName::ReqRelaxed,
            PatternOption::ConnectRoutingId(_) => PatternOptionName::ConnectRoutingId,
        }
    }
}

/// Checks a user-given routing id: 1 to 255 bytes (`EINVAL` otherwise).
/// Ids starting with a zero byte are reserved for generated ids; libzmq
/// accepts them anyway, and so do we.
pub fn check_routing_id(id: &[u8]) -> Result<(), PatternError> {
    if id.is_empty() || id.len() > ROUTING_ID_MAX_LENGTH {
        Err(PatternError::Invalid)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_id_length_is_checked() {
        assert_eq!(check_routing_id(b""), Err(PatternError::Invalid));
        assert_eq!(check_routing_id(&[1; 255]), Ok(()));
        assert_eq!(check_routing_id(&[1; 256]), Err(PatternError::Invalid));
    }

    #[test]
    fn option_names_match() {
        assert_eq!(
            PatternOption::ReqRelaxed(true).name(),
            PatternOptionName::ReqRelaxed
        );
    }
}
