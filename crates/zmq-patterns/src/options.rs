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
    /// `ZMQ_SUBSCRIBE` (SUB; XPUB with `ZMQ_XPUB_MANUAL`, where it
    /// subscribes the pipe of the subscription received last). Write-only.
    Subscribe(Bytes),
    /// `ZMQ_UNSUBSCRIBE` (SUB; XPUB with `ZMQ_XPUB_MANUAL`). Write-only.
    Unsubscribe(Bytes),
    /// `ZMQ_XPUB_VERBOSE` (XPUB, PUB, default false): deliver every
    /// subscribe, not only the first per topic. Write-only.
    XPubVerbose(bool),
    /// `ZMQ_XPUB_VERBOSER` (XPUB, PUB, default false): deliver every
    /// subscribe and unsubscribe. Write-only.
    XPubVerboser(bool),
    /// `ZMQ_XPUB_MANUAL` (XPUB, PUB, default false): the application
    /// applies subscriptions itself with `Subscribe`/`Unsubscribe`.
    /// Write-only.
    XPubManual(bool),
    /// `ZMQ_XPUB_MANUAL_LAST_VALUE` (XPUB, PUB, default false): manual mode,
    /// and the next message goes only to the pipe just subscribed.
    /// Write-only.
    XPubManualLastValue(bool),
    /// `ZMQ_XPUB_NODROP` (XPUB, PUB, default false): EAGAIN instead of
    /// dropping when a matching peer is at its high-water mark. Write-only.
    XPubNoDrop(bool),
    /// `ZMQ_XPUB_WELCOME_MSG` (XPUB, PUB, default none): sent to each new
    /// peer; none or empty disables it. Write-only.
    XPubWelcomeMsg(Option<Bytes>),
    /// `ZMQ_ONLY_FIRST_SUBSCRIBE` (XPUB, XSUB, default false): only the
    /// first part of a multipart message may be a subscription. Write-only.
    OnlyFirstSubscribe(bool),
    /// `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE` (XSUB, default false): forward every
    /// unsubscribe, even for topics not (or still) subscribed. Write-only.
    XSubVerboseUnsubscribe(bool),
    /// `ZMQ_INVERT_MATCHING` (PUB, XPUB, SUB, default false): deliver the
    /// messages that do *not* match.
    InvertMatching(bool),
    /// `ZMQ_CONFLATE` (SUB, XSUB receive side here; PUB stores it for the
    /// facade, whose pipes must conflate; default false): keep only the
    /// newest message.
    Conflate(bool),
    /// `ZMQ_TOPICS_COUNT` (PUB, XPUB: distinct topics the peers subscribed
    /// to; SUB, XSUB: our own). Read-only.
    TopicsCount(usize),
    /// `ZMQ_ROUTER_RAW` (ROUTER, default false, deprecated): peers speak
    /// raw bytes as with STREAM; each gets a generated routing id at once,
    /// MORE is ignored on data parts and an empty data part closes the peer.
    RouterRaw(bool),
    /// `zmq_join` (DISH): receive the messages of this group (at most
    /// [`GROUP_MAX_LENGTH`](crate::msg::GROUP_MAX_LENGTH) bytes; EINVAL when
    /// longer or already joined). Write-only.
    Join(Bytes),
    /// `zmq_leave` (DISH): stop receiving this group (EINVAL when not
    /// joined). Write-only.
    Leave(Bytes),
    /// PEER: the routing id of the pipe made by the last `connect` (what
    /// `zmq_connect_peer` returns); 0 when none. Read-only.
    PeerLastRoutingId(u32),
    /// `zmq_disconnect_peer` (PEER): closes the connection with this
    /// routing id (EHOSTUNREACH when unknown). Write-only.
    DisconnectPeer(u32),
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
    /// See [`PatternOption::Subscribe`].
    Subscribe,
    /// See [`PatternOption::Unsubscribe`].
    Unsubscribe,
    /// See [`PatternOption::XPubVerbose`].
    XPubVerbose,
    /// See [`PatternOption::XPubVerboser`].
    XPubVerboser,
    /// See [`PatternOption::XPubManual`].
    XPubManual,
    /// See [`PatternOption::XPubManualLastValue`].
    XPubManualLastValue,
    /// See [`PatternOption::XPubNoDrop`].
    XPubNoDrop,
    /// See [`PatternOption::XPubWelcomeMsg`].
    XPubWelcomeMsg,
    /// See [`PatternOption::OnlyFirstSubscribe`].
    OnlyFirstSubscribe,
    /// See [`PatternOption::XSubVerboseUnsubscribe`].
    XSubVerboseUnsubscribe,
    /// See [`PatternOption::InvertMatching`].
    InvertMatching,
    /// See [`PatternOption::Conflate`].
    Conflate,
    /// See [`PatternOption::TopicsCount`].
    TopicsCount,
    /// See [`PatternOption::RouterRaw`].
    RouterRaw,
    /// See [`PatternOption::Join`].
    Join,
    /// See [`PatternOption::Leave`].
    Leave,
    /// See [`PatternOption::PeerLastRoutingId`].
    PeerLastRoutingId,
    /// See [`PatternOption::DisconnectPeer`].
    DisconnectPeer,
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
            PatternOption::Subscribe(_) => PatternOptionName::Subscribe,
            PatternOption::Unsubscribe(_) => PatternOptionName::Unsubscribe,
            PatternOption::XPubVerbose(_) => PatternOptionName::XPubVerbose,
            PatternOption::XPubVerboser(_) => PatternOptionName::XPubVerboser,
            PatternOption::XPubManual(_) => PatternOptionName::XPubManual,
            PatternOption::XPubManualLastValue(_) => PatternOptionName::XPubManualLastValue,
            PatternOption::XPubNoDrop(_) => PatternOptionName::XPubNoDrop,
            PatternOption::XPubWelcomeMsg(_) => PatternOptionName::XPubWelcomeMsg,
            PatternOption::OnlyFirstSubscribe(_) => PatternOptionName::OnlyFirstSubscribe,
            PatternOption::XSubVerboseUnsubscribe(_) => PatternOptionName::XSubVerboseUnsubscribe,
            PatternOption::InvertMatching(_) => PatternOptionName::InvertMatching,
            PatternOption::Conflate(_) => PatternOptionName::Conflate,
            PatternOption::TopicsCount(_) => PatternOptionName::TopicsCount,
            PatternOption::RouterRaw(_) => PatternOptionName::RouterRaw,
            PatternOption::Join(_) => PatternOptionName::Join,
            PatternOption::Leave(_) => PatternOptionName::Leave,
            PatternOption::PeerLastRoutingId(_) => PatternOptionName::PeerLastRoutingId,
            PatternOption::DisconnectPeer(_) => PatternOptionName::DisconnectPeer,
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
