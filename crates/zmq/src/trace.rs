//! The optional `tracing` feature: a span per session (endpoint, peer
//! address, mechanism) and events for its connects, reconnects, handshake
//! failures and protocol errors. Without the feature every hook here is an
//! empty inline function on a zero-sized type: nothing is compiled in.

use crate::engine::ConnectionError;
#[cfg(feature = "tracing")]
use crate::monitor;
use crate::options::Mechanism;

/// A session's span (a zero-sized nothing without the feature).
pub(crate) struct SessionSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

#[cfg(feature = "tracing")]
impl SessionSpan {
    /// The span of a session serving `endpoint` (a bound or a connected
    /// one); the peer address is recorded once known.
    pub(crate) fn new(endpoint: &str, accepted: bool, mechanism: Mechanism) -> SessionSpan {
        let span = tracing::info_span!(
            target: "zmq::session",
            "zmq_session",
            endpoint,
            accepted,
            mechanism = mechanism_name(mechanism),
            peer = tracing::field::Empty,
        );
        SessionSpan { span }
    }

    /// A monitor event of the session (`ZMQ_EVENT_*`), with the address
    /// of the other end.
    pub(crate) fn event(&self, event: u64, value: u64, peer: &str) {
        if self.span.is_disabled() {
            return;
        }
        if !peer.is_empty() {
            self.span.record("peer", peer);
        }
        let span = &self.span;
        match event {
            monitor::EVENT_HANDSHAKE_FAILED_NO_DETAIL => {
                tracing::warn!(target: "zmq::session", parent: span, errno = value, "handshake failed")
            }
            monitor::EVENT_HANDSHAKE_FAILED_PROTOCOL => tracing::warn!(
                target: "zmq::session",
                parent: span,
                code = value,
                "handshake failed: protocol error"
            ),
            monitor::EVENT_HANDSHAKE_FAILED_AUTH => tracing::warn!(
                target: "zmq::session",
                parent: span,
                status = value,
                "handshake failed: authentication refused"
            ),
            monitor::EVENT_CONNECT_RETRIED => tracing::info!(
                target: "zmq::session",
                parent: span,
                interval_ms = value,
                "reconnecting"
            ),
            monitor::EVENT_DISCONNECTED => {
                tracing::info!(target: "zmq::session", parent: span, "disconnected")
            }
            monitor::EVENT_HANDSHAKE_SUCCEEDED => {
                tracing::debug!(target: "zmq::session", parent: span, "handshake succeeded")
            }
            monitor::EVENT_CONNECTED | monitor::EVENT_ACCEPTED => {
                tracing::debug!(target: "zmq::session", parent: span, fd = value, "connected")
            }
            _ => tracing::trace!(target: "zmq::session", parent: span, event, value, "event"),
        }
    }

    /// The connection ended with an error that is not a handshake
    /// failure: a protocol error after the handshake, a heartbeat timeout,
    /// or the peer closing.
    pub(crate) fn connection_error(&self, error: &ConnectionError) {
        let span = &self.span;
        match error {
            ConnectionError::PeerClosed { .. } | ConnectionError::Stream { .. } => {
                tracing::debug!(target: "zmq::session", parent: span, %error, "connection closed")
            }
            ConnectionError::Protocol(_)
            | ConnectionError::MessageTooLarge { .. }
            | ConnectionError::PeerError { .. } => {
                tracing::warn!(target: "zmq::session", parent: span, %error, "protocol error")
            }
            _ => tracing::warn!(target: "zmq::session", parent: span, %error, "connection error"),
        }
    }
}

#[cfg(feature = "tracing")]
fn mechanism_name(mechanism: Mechanism) -> &'static str {
    match mechanism {
        Mechanism::Null => "NULL",
        Mechanism::Plain => "PLAIN",
        Mechanism::Curve => "CURVE",
        Mechanism::Gssapi => "GSSAPI",
    }
}

#[cfg(not(feature = "tracing"))]
impl SessionSpan {
    #[inline(always)]
    pub(crate) fn new(_endpoint: &str, _accepted: bool, _mechanism: Mechanism) -> SessionSpan {
        SessionSpan {}
    }

    #[inline(always)]
    pub(crate) fn event(&self, _event: u64, _value: u64, _peer: &str) {}

    #[inline(always)]
    pub(crate) fn connection_error(&self, _error: &ConnectionError) {}
}
