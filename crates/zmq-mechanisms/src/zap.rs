//! The ZAP (RFC 27) hook: a server mechanism that needs the application's
//! verdict stops with [`crate::Step::NeedZap`]; the caller sends the request
//! to `inproc://zeromq.zap.01` and resumes with
//! [`crate::Handshake::handle_zap_reply`]. NULL without a ZAP domain never
//! asks. The request/reply wire exchange is not implemented yet.

use bytes::Bytes;
use zmtp_codec::Mechanism;

/// What a mechanism asks the ZAP handler (RFC 27 request fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZapRequest {
    /// `ZMQ_ZAP_DOMAIN`.
    pub domain: Bytes,
    /// The peer's address (set by the caller, who knows it).
    pub address: Bytes,
    /// The peer's routing id (`Identity` property), if any.
    pub routing_id: Bytes,
    /// The mechanism name.
    pub mechanism: Mechanism,
    /// Mechanism credentials (PLAIN: username, password; CURVE: public key).
    pub credentials: Vec<Bytes>,
}

/// The handler's answer (RFC 27 reply fields the mechanism needs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZapReply {
    /// `200` accepts; `300`, `400`, `500` refuse.
    pub status_code: u16,
    /// The user id, exposed as the `User-Id` property.
    pub user_id: Bytes,
    /// Extra metadata from the handler (a property list).
    pub metadata: Bytes,
}
