//! `SocketOptions`: the per-socket settings of `zmq_setsockopt`, with
//! libzmq's defaults, units and validation.
//!
//! Options are copied into each connection when it is created (as libzmq
//! does), so changing one affects later connections only, except where the
//! manual says otherwise (HWMs of existing pipes are not changed either).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use zmq_transports::{InheritedSocket, TcpAcceptFilter};

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
    /// `ZMQ_INVERT_MATCHING` (acts on PUB, XPUB and SUB).
    pub invert_matching: bool,
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
    /// The `ZMQ_GSSAPI_*` options (principals, name types, plaintext).
    pub gssapi: zmq_mechanisms::GssapiConfig,
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
    /// Network, transport and feature options (`ZMQ_TOS`, `ZMQ_SOCKS_*`,
    /// `ZMQ_METADATA`, multicast, ...); see [`NetworkOptions`].
    pub net: NetworkOptions,
    /// `ZMQ_STREAM_NOTIFY` (STREAM; also raw ROUTER): zero-length connect
    /// and disconnect notifications (default on).
    pub stream_notify: bool,
    /// `ZMQ_ROUTER_RAW` (ROUTER): connections speak raw bytes.
    pub router_raw: bool,
    /// `ZMQ_ROUTER_NOTIFY`: `ZMQ_NOTIFY_CONNECT` (1) | `ZMQ_NOTIFY_DISCONNECT`
    /// (2), empty messages on connect/disconnect of tcp and ipc peers.
    pub router_notify: i32,
    /// `ZMQ_RECONNECT_STOP` conditions, and whether the socket called
    /// `zmq_disconnect` (shared by the socket and its connections).
    pub reconnect_stop: ReconnectStop,
    /// `ZMQ_HELLO_MSG`: sent to each new peer first (ROUTER, DEALER,
    /// CLIENT, SERVER, PEER).
    pub hello_msg: Option<Bytes>,
    /// `ZMQ_DISCONNECT_MSG`: delivered as from an accepted peer whose
    /// connection ended (ROUTER, SERVER, PEER).
    pub disconnect_msg: Option<Bytes>,
    /// `ZMQ_HICCUP_MSG`: delivered as from a connected peer whose
    /// connection ended (DEALER, CLIENT, PEER).
    pub hiccup_msg: Option<Bytes>,
}

/// `ZMQ_RECONNECT_STOP_CONN_REFUSED`: a refused connect ends the connect.
pub const RECONNECT_STOP_CONN_REFUSED: i32 = 0x1;
/// `ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED`: a failed handshake ends it.
pub const RECONNECT_STOP_HANDSHAKE_FAILED: i32 = 0x2;
/// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`: once the socket called
/// `zmq_disconnect`, a refused connect ends the connect.
pub const RECONNECT_STOP_AFTER_DISCONNECT: i32 = 0x4;

/// `ZMQ_RECONNECT_STOP`: when a connect stops reconnecting.
///
/// Clones share the "socket disconnected" mark: connections copy the
/// socket's options, and `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` asks them
/// about a later `zmq_disconnect` of the socket.
#[derive(Clone, Debug, Default)]
pub struct ReconnectStop {
    /// `ZMQ_RECONNECT_STOP_*` flags.
    pub conditions: i32,
    disconnected: Arc<AtomicBool>,
}

impl ReconnectStop {
    /// Whether `condition` (a `RECONNECT_STOP_*` flag) is set.
    pub fn wants(&self, condition: i32) -> bool {
        self.conditions & condition != 0
    }

    /// The socket called `zmq_disconnect` (marked when
    /// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` is set, as libzmq).
    pub(crate) fn mark_disconnected(&self) {
        if self.wants(RECONNECT_STOP_AFTER_DISCONNECT) {
            self.disconnected.store(true, Ordering::Release);
        }
    }

    /// Whether a refused connect should end the connect now.
    pub fn stops_on_refusal(&self) -> bool {
        self.wants(RECONNECT_STOP_CONN_REFUSED)
            || (self.wants(RECONNECT_STOP_AFTER_DISCONNECT)
                && self.disconnected.load(Ordering::Acquire))
    }
}

/// The options that reach transports, the READY metadata, or features
/// not built (multicast, VMCI): part 8 of `docs/options.md`.
#[derive(Clone, Debug)]
pub struct NetworkOptions {
    /// `ZMQ_TOS`: IP type of service (0 = OS default).
    pub tos: i32,
    /// `ZMQ_PRIORITY`: `SO_PRIORITY` (0 = OS default).
    pub priority: i32,
    /// `ZMQ_BINDTODEVICE`: interface name (empty = none); any bytes, as
    /// libzmq stores them.
    pub bind_to_device: Vec<u8>,
    /// `ZMQ_TCP_MAXRT` in ms (`TCP_USER_TIMEOUT`, 0 = OS default).
    pub tcp_maxrt: i32,
    /// `ZMQ_TCP_ACCEPT_FILTER`: networks tcp listeners accept peers from.
    pub tcp_accept_filters: Vec<TcpAcceptFilter>,
    /// `ZMQ_IPC_FILTER_UID`.
    pub ipc_filter_uids: Vec<u32>,
    /// `ZMQ_IPC_FILTER_GID`.
    pub ipc_filter_gids: Vec<u32>,
    /// `ZMQ_IPC_FILTER_PID`.
    pub ipc_filter_pids: Vec<i32>,
    /// `ZMQ_SOCKS_PROXY` as `host:port` (empty = direct); any bytes.
    pub socks_proxy: Vec<u8>,
    /// `ZMQ_SOCKS_USERNAME` (empty = no authentication); any bytes.
    pub socks_username: Vec<u8>,
    /// `ZMQ_SOCKS_PASSWORD`; any bytes.
    pub socks_password: Vec<u8>,
    /// `ZMQ_METADATA`: `X-` properties sent in READY, in order set.
    pub metadata: Vec<(String, Bytes)>,
    /// `ZMQ_USE_FD`: a socket the application created, for binds.
    pub use_fd: Option<InheritedSocket>,
    /// `ZMQ_USE_FD` as read back: the number the application gave.
    pub use_fd_number: i32,
    /// `ZMQ_BUSY_POLL` (`SO_BUSY_POLL` on tcp sockets, best effort).
    pub busy_poll: i32,
    /// `ZMQ_LOOPBACK_FASTPATH` (Windows only in libzmq: stored).
    pub loopback_fastpath: bool,
    /// `ZMQ_MULTICAST_HOPS` (udp multicast, pgm/epgm).
    pub multicast_hops: i32,
    /// `ZMQ_RATE` in kbit/s (stored).
    pub rate: i32,
    /// `ZMQ_RECOVERY_IVL` in ms (stored).
    pub recovery_ivl: i32,
    /// `ZMQ_MULTICAST_MAXTPDU` in bytes (stored).
    pub multicast_maxtpdu: i32,
    /// `ZMQ_MULTICAST_LOOP` (udp multicast).
    pub multicast_loop: bool,
    /// `ZMQ_IN_BATCH_SIZE` in bytes (stored: our engine sizes its reads).
    pub in_batch_size: i32,
    /// `ZMQ_OUT_BATCH_SIZE` in bytes (stored: our engine sizes its writes).
    pub out_batch_size: i32,
    /// `ZMQ_VMCI_BUFFER_SIZE` (vmci sockets; 0 = default).
    pub vmci_buffer_size: u64,
    /// `ZMQ_VMCI_BUFFER_MIN_SIZE` (0 = default).
    pub vmci_buffer_min_size: u64,
    /// `ZMQ_VMCI_BUFFER_MAX_SIZE` (0 = default).
    pub vmci_buffer_max_size: u64,
    /// `ZMQ_VMCI_CONNECT_TIMEOUT` in ms (-1 = default).
    pub vmci_connect_timeout: i32,
    /// `ZMQ_NORM_MODE` (`ZMQ_NORM_FIXED` .. `ZMQ_NORM_CCE_ECNONLY`).
    pub norm_mode: i32,
    /// `ZMQ_NORM_UNICAST_NACK`: receivers NACK by unicast to the sender.
    pub norm_unicast_nack: bool,
    /// `ZMQ_NORM_BUFFER_SIZE` in KiB (sender and receiver buffers).
    pub norm_buffer_size: i32,
    /// `ZMQ_NORM_SEGMENT_SIZE` in bytes (the NORM payload per packet).
    pub norm_segment_size: i32,
    /// `ZMQ_NORM_BLOCK_SIZE`: source segments per FEC block.
    pub norm_block_size: i32,
    /// `ZMQ_NORM_NUM_PARITY`: parity segments per block the sender can
    /// compute for repairs.
    pub norm_num_parity: i32,
    /// `ZMQ_NORM_NUM_AUTOPARITY`: parity segments sent unasked.
    pub norm_num_autoparity: i32,
    /// `ZMQ_NORM_PUSH`: a full sender buffer drops the oldest data
    /// instead of waiting.
    pub norm_push: bool,
    /// `ZMQ_WSS_CERT_PEM`: a wss listener's certificate chain.
    pub wss_cert_pem: Vec<u8>,
    /// `ZMQ_WSS_KEY_PEM`: a wss listener's private key.
    pub wss_key_pem: Vec<u8>,
    /// `ZMQ_WSS_TRUST_PEM`: certificates a wss connect trusts.
    pub wss_trust_pem: Vec<u8>,
    /// `ZMQ_WSS_TRUST_SYSTEM`: a wss connect trusts the system's roots.
    pub wss_trust_system: bool,
    /// `ZMQ_WSS_HOSTNAME`: the name a wss connect sends and checks.
    pub wss_hostname: Vec<u8>,
}

impl Default for NetworkOptions {
    fn default() -> NetworkOptions {
        NetworkOptions {
            tos: 0,
            priority: 0,
            bind_to_device: Vec::new(),
            tcp_maxrt: 0,
            tcp_accept_filters: Vec::new(),
            ipc_filter_uids: Vec::new(),
            ipc_filter_gids: Vec::new(),
            ipc_filter_pids: Vec::new(),
            socks_proxy: Vec::new(),
            socks_username: Vec::new(),
            socks_password: Vec::new(),
            metadata: Vec::new(),
            use_fd: None,
            use_fd_number: -1,
            busy_poll: 0,
            loopback_fastpath: false,
            multicast_hops: 1,
            rate: 100,
            recovery_ivl: 10_000,
            multicast_maxtpdu: 1500,
            multicast_loop: true,
            in_batch_size: 8192,
            out_batch_size: 8192,
            vmci_buffer_size: 0,
            vmci_buffer_min_size: 0,
            vmci_buffer_max_size: 0,
            vmci_connect_timeout: -1,
            // libzmq 4.3.5's defaults (src/options.cpp).
            norm_mode: 1,
            norm_unicast_nack: false,
            norm_buffer_size: 2048,
            norm_segment_size: 1400,
            norm_block_size: 16,
            norm_num_parity: 4,
            norm_num_autoparity: 0,
            norm_push: false,
            wss_cert_pem: Vec::new(),
            wss_key_pem: Vec::new(),
            wss_trust_pem: Vec::new(),
            wss_trust_system: false,
            wss_hostname: Vec::new(),
        }
    }
}

/// `IFNAMSIZ`: the longest `ZMQ_BINDTODEVICE` value libzmq accepts.
pub const MAX_DEVICE_NAME_LEN: usize = 16;

/// Parses one `ZMQ_METADATA` value, `X-name:value` (name at most 255
/// bytes, starting with `X-`, value not empty), as libzmq.
pub(crate) fn metadata_property(text: &[u8]) -> Result<(String, Bytes)> {
    let text = text.strip_suffix(b"\0").unwrap_or(text);
    let colon = text.iter().position(|&b| b == b':').ok_or(Error::Inval)?;
    let (name, value) = (text.get(..colon), text.get(colon + 1..));
    let (Some(name), Some(value)) = (name, value) else {
        return Err(Error::Inval);
    };
    if value.is_empty() || name.len() > 255 || !name.starts_with(b"X-") {
        return Err(Error::Inval);
    }
    let name = String::from_utf8(name.to_vec()).map_err(|_| Error::Inval)?;
    Ok((name, Bytes::copy_from_slice(value)))
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
    /// `ZMQ_GSSAPI` (3): Kerberos through the system GSS-API (only in a
    /// build with the `gssapi` feature).
    Gssapi = 3,
}

/// The `zmq` crate's (rust-zmq's) names for the mechanisms.
impl Mechanism {
    /// [`Mechanism::Null`].
    pub const ZMQ_NULL: Mechanism = Mechanism::Null;
    /// [`Mechanism::Plain`].
    pub const ZMQ_PLAIN: Mechanism = Mechanism::Plain;
    /// [`Mechanism::Curve`].
    pub const ZMQ_CURVE: Mechanism = Mechanism::Curve;
    /// [`Mechanism::Gssapi`].
    pub const ZMQ_GSSAPI: Mechanism = Mechanism::Gssapi;
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
            invert_matching: false,
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
            gssapi: zmq_mechanisms::GssapiConfig::default(),
            zap_enforce_domain: false,
            router_mandatory: false,
            router_handover: false,
            probe_router: false,
            req_correlate: false,
            req_relaxed: false,
            net: NetworkOptions::default(),
            stream_notify: true,
            router_raw: false,
            router_notify: 0,
            reconnect_stop: ReconnectStop::default(),
            hello_msg: None,
            disconnect_msg: None,
            hiccup_msg: None,
        }
    }
}

impl SocketOptions {
    /// Whether new pipes of a socket of `kind` conflate (libzmq's
    /// `get_effective_conflate_option`).
    pub(crate) fn effective_conflate(&self, kind: zmq_patterns::SocketType) -> bool {
        use zmq_patterns::SocketType as K;
        self.conflate && matches!(kind, K::Dealer | K::Pull | K::Push | K::Pub | K::Sub)
    }
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
        use crate::option_table::{find, num};
        // ZMQ_ROUTING_ID: 1..255 bytes, a leading zero byte too (libzmq).
        let own = find(num::ZMQ_ROUTING_ID).unwrap().range;
        assert!(!own.admits_bytes(Some(b"")) && !own.admits_bytes(None));
        assert!(!own.admits_bytes(Some(&[b'a'; 256])));
        assert!(own.admits_bytes(Some(b"\0abc")) && own.admits_bytes(Some(&[b'a'; 255])));
        // ZMQ_CONNECT_ROUTING_ID: any non-empty value (libzmq).
        let connect = find(num::ZMQ_CONNECT_ROUTING_ID).unwrap().range;
        assert!(!connect.admits_bytes(Some(b"")) && !connect.admits_bytes(None));
        assert!(connect.admits_bytes(Some(b"\0abc")) && connect.admits_bytes(Some(&[b'a'; 256])));
    }

    #[test]
    fn metadata_rules() {
        let (name, value) = metadata_property(b"X-key:value").unwrap();
        assert_eq!((name.as_str(), &value[..]), ("X-key", &b"value"[..]));
        assert!(metadata_property(b"X-key:a:b").is_ok());
        assert!(metadata_property(b"key:value").is_err());
        assert!(metadata_property(b"X-key:").is_err());
        assert!(metadata_property(b":value").is_err());
        assert!(metadata_property(b"X-key").is_err());
        let mut long = b"X-".to_vec();
        long.extend_from_slice(&[b'a'; 254]);
        long.extend_from_slice(b":v");
        assert!(metadata_property(&long).is_err());
    }

    #[test]
    fn network_defaults_match_the_manual() {
        let o = NetworkOptions::default();
        assert_eq!((o.rate, o.recovery_ivl, o.multicast_hops), (100, 10_000, 1));
        assert_eq!((o.multicast_maxtpdu, o.in_batch_size), (1500, 8192));
        assert_eq!((o.tos, o.priority, o.tcp_maxrt), (0, 0, 0));
        assert!(o.use_fd.is_none());
    }

    #[test]
    fn reconnect_stop_after_disconnect_is_shared_by_clones() {
        let mut socket = SocketOptions::default();
        let early = socket.clone();
        socket.reconnect_stop.conditions = RECONNECT_STOP_AFTER_DISCONNECT;
        let connection = socket.clone();
        assert!(!connection.reconnect_stop.stops_on_refusal());
        socket.reconnect_stop.mark_disconnected();
        assert!(connection.reconnect_stop.stops_on_refusal());
        // A connection made before the flag was set keeps its conditions.
        assert!(!early.reconnect_stop.stops_on_refusal());
        let mut refused = SocketOptions::default();
        refused.reconnect_stop.mark_disconnected();
        assert!(!refused.reconnect_stop.stops_on_refusal(), "flag not set");
        refused.reconnect_stop.conditions = RECONNECT_STOP_CONN_REFUSED;
        assert!(refused.reconnect_stop.stops_on_refusal());
    }

    #[test]
    fn timeouts() {
        assert_eq!(timeout(-1), None);
        assert_eq!(timeout(5), Some(Duration::from_millis(5)));
    }
}
