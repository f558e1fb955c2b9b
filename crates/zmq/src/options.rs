//! `SocketOptions`: the per-socket settings of `zmq_setsockopt`, with
//! libzmq's defaults, units and validation.
//!
//! Options are copied into each connection when it is created (as libzmq
//! does), so changing one affects later connections only, except where the
//! manual says otherwise (HWMs of existing pipes are not changed either).

use std::time::Duration;

use bytes::Bytes;

use crate::error::{Error, Result};

/// Longest routing id a peer may have.
pub const MAX_ROUTING_ID_LEN: usize = 255;

/// The settings of one socket.
#[derive(Clone, Debug)]
pub struct SocketOptions {
    /// `ZMQ_SNDHWM`: outbound high-water mark in messages, 0 = unlimited.
    pub sndhwm: i32,
    /// `ZMQ_RCVHWM`: inbound high-water mark in messages, 0 = unlimited.
    pub rcvhwm: i32,
    /// `ZMQ_AFFINITY`: I/O thread bitmask for new connections (0 = any).
    pub affinity: u64,
    /// `ZMQ_ROUTING_ID`: our identity sent in READY.
    pub routing_id: Bytes,
    /// `ZMQ_CONNECT_ROUTING_ID`: routing id for the next connect (ROUTER).
    pub connect_routing_id: Option<Bytes>,
    /// `ZMQ_SNDBUF`: kernel send buffer, -1 = OS default.
    pub sndbuf: i32,
    /// `ZMQ_RCVBUF`: kernel receive buffer, -1 = OS default.
    pub rcvbuf: i32,
    /// `ZMQ_LINGER` in ms, -1 = forever.
    pub linger: i32,
    /// `ZMQ_RECONNECT_IVL` in ms, -1 = no reconnection.
    pub reconnect_ivl: i32,
    /// `ZMQ_RECONNECT_IVL_MAX` in ms, 0 = only `reconnect_ivl`.
    pub reconnect_ivl_max: i32,
    /// `ZMQ_BACKLOG`: listen queue length.
    pub backlog: i32,
    /// `ZMQ_MAXMSGSIZE` in bytes, -1 = unlimited.
    pub maxmsgsize: i64,
    /// `ZMQ_RCVTIMEO` in ms, -1 = forever.
    pub rcvtimeo: i32,
    /// `ZMQ_SNDTIMEO` in ms, -1 = forever.
    pub sndtimeo: i32,
    /// `ZMQ_IPV6`.
    pub ipv6: bool,
    /// `ZMQ_IMMEDIATE`: queue only to completed connections.
    pub immediate: bool,
    /// `ZMQ_CONFLATE`: keep only the newest message (acts on DEALER,
    /// PULL, PUSH, PUB and SUB, as in libzmq).
    pub conflate: bool,
    /// `ZMQ_TCP_KEEPALIVE`: -1 OS default, 0 off, 1 on.
    pub tcp_keepalive: i32,
    /// `ZMQ_TCP_KEEPALIVE_CNT`, -1 = OS default.
    pub tcp_keepalive_cnt: i32,
    /// `ZMQ_TCP_KEEPALIVE_IDLE` in s, -1 = OS default.
    pub tcp_keepalive_idle: i32,
    /// `ZMQ_TCP_KEEPALIVE_INTVL` in s, -1 = OS default.
    pub tcp_keepalive_intvl: i32,
    /// `ZMQ_CONNECT_TIMEOUT` in ms, 0 = OS default.
    pub connect_timeout: i32,
    /// `ZMQ_HANDSHAKE_IVL` in ms, 0 = none.
    pub handshake_ivl: i32,
    /// `ZMQ_HEARTBEAT_IVL` in ms, 0 = no heartbeats.
    pub heartbeat_ivl: i32,
    /// `ZMQ_HEARTBEAT_TTL` in ms (sent in deciseconds), 0 = none.
    pub heartbeat_ttl: i32,
    /// `ZMQ_HEARTBEAT_TIMEOUT` in ms, -1 = the heartbeat interval.
    pub heartbeat_timeout: i32,
    /// `ZMQ_MECHANISM`: the security mechanism, set through the PLAIN and
    /// CURVE options.
    pub mechanism: Mechanism,
    /// Whether we are the mechanism's server (`ZMQ_PLAIN_SERVER`,
    /// `ZMQ_CURVE_SERVER`).
    pub as_server: bool,
    /// `ZMQ_PLAIN_USERNAME`.
    pub plain_username: Bytes,
    /// `ZMQ_PLAIN_PASSWORD`.
    pub plain_password: Bytes,
    /// `ZMQ_CURVE_PUBLICKEY` (binary).
    pub curve_public_key: [u8; 32],
    /// `ZMQ_CURVE_SECRETKEY` (binary).
    pub curve_secret_key: [u8; 32],
    /// `ZMQ_CURVE_SERVERKEY` (binary).
    pub curve_server_key: [u8; 32],
    /// `ZMQ_ZAP_DOMAIN` (at most 255 bytes).
    pub zap_domain: Bytes,
    /// `ZMQ_ZAP_ENFORCE_DOMAIN`.
    pub zap_enforce_domain: bool,
    /// `ZMQ_ROUTER_MANDATORY`.
    pub router_mandatory: bool,
    /// `ZMQ_ROUTER_HANDOVER`.
    pub router_handover: bool,
    /// `ZMQ_PROBE_ROUTER`.
    pub probe_router: bool,
    /// `ZMQ_REQ_CORRELATE`.
    pub req_correlate: bool,
    /// `ZMQ_REQ_RELAXED`.
    pub req_relaxed: bool,
}

/// A security mechanism (`ZMQ_MECHANISM` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mechanism {
    /// `ZMQ_NULL` (0): no security.
    #[default]
    Null = 0,
    /// `ZMQ_PLAIN` (1): clear-text user name and password.
    Plain = 1,
    /// `ZMQ_CURVE` (2): CurveZMQ encryption and authentication.
    Curve = 2,
}

impl Default for SocketOptions {
    fn default() -> SocketOptions {
        SocketOptions {
            sndhwm: 1000,
            rcvhwm: 1000,
            affinity: 0,
            routing_id: Bytes::new(),
            connect_routing_id: None,
            sndbuf: -1,
            rcvbuf: -1,
            linger: -1,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            backlog: 100,
            maxmsgsize: -1,
            rcvtimeo: -1,
            sndtimeo: -1,
            ipv6: false,
            immediate: false,
            conflate: false,
            tcp_keepalive: -1,
            tcp_keepalive_cnt: -1,
            tcp_keepalive_idle: -1,
            tcp_keepalive_intvl: -1,
            connect_timeout: 0,
            handshake_ivl: 30_000,
            heartbeat_ivl: 0,
            heartbeat_ttl: 0,
            heartbeat_timeout: -1,
            mechanism: Mechanism::Null,
            as_server: false,
            plain_username: Bytes::new(),
            plain_password: Bytes::new(),
            curve_public_key: [0; 32],
            curve_secret_key: [0; 32],
            curve_server_key: [0; 32],
            zap_domain: Bytes::new(),
            zap_enforce_domain: false,
            router_mandatory: false,
            router_handover: false,
            probe_router: false,
            req_correlate: false,
            req_relaxed: false,
        }
    }
}

impl SocketOptions {
    /// Whether new pipes of a socket of `kind` conflate (libzmq's
    /// `get_effective_conflate_option`).
    pub(crate) fn effective_conflate(&self, kind: zmq_patterns::SocketKind) -> bool {
        use zmq_patterns::SocketKind as K;
        self.conflate && matches!(kind, K::Dealer | K::Pull | K::Push | K::Pub | K::Sub)
    }
}

/// Checks an int option that must be `>= min`.
pub(crate) fn at_least(value: i32, min: i32) -> Result<i32> {
    if value < min {
        Err(Error::Inval)
    } else {
        Ok(value)
    }
}

/// Checks a routing id (`ZMQ_ROUTING_ID`, `ZMQ_CONNECT_ROUTING_ID`): 1 to
/// 255 bytes, not starting with a zero byte (reserved for generated ids).
pub(crate) fn routing_id(value: &[u8]) -> Result<Bytes> {
    if value.is_empty() || value.len() > MAX_ROUTING_ID_LEN || value[0] == 0 {
        return Err(Error::Inval);
    }
    Ok(Bytes::copy_from_slice(value))
}

/// A millisecond option (-1 = forever) as a timeout.
pub(crate) fn timeout(ms: i32) -> Option<Duration> {
    u64::try_from(ms).ok().map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_manual() {
        let o = SocketOptions::default();
        assert_eq!((o.sndhwm, o.rcvhwm, o.linger), (1000, 1000, -1));
        assert_eq!((o.reconnect_ivl, o.backlog, o.maxmsgsize), (100, 100, -1));
        assert_eq!(o.handshake_ivl, 30_000);
    }

    #[test]
    fn routing_id_rules() {
        assert!(routing_id(b"").is_err());
        assert!(routing_id(b"\0abc").is_err());
        assert!(routing_id(&[b'a'; 256]).is_err());
        assert_eq!(routing_id(b"abc").ok(), Some(Bytes::from_static(b"abc")));
    }

    #[test]
    fn timeouts() {
        assert_eq!(timeout(-1), None);
        assert_eq!(timeout(5), Some(Duration::from_millis(5)));
    }
}
