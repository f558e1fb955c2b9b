//! Connection options, with libzmq 4.3 defaults.

use std::time::Duration;

use bytes::Bytes;
use zmq_mechanisms::SecretKey;
use zmtp_codec::SocketType;

/// The security mechanism a connection speaks, with its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MechanismChoice {
    /// NULL (RFC 23): no security.
    #[default]
    Null,
    /// PLAIN (RFC 24).
    Plain {
        /// `ZMQ_PLAIN_SERVER`: we check credentials (through ZAP).
        server: bool,
        /// `ZMQ_PLAIN_USERNAME` (client; at most 255 bytes are sent).
        username: Bytes,
        /// `ZMQ_PLAIN_PASSWORD` (client; at most 255 bytes are sent).
        password: Bytes,
    },
    /// CURVE (RFC 25/26).
    Curve {
        /// `ZMQ_CURVE_SERVER`.
        server: bool,
        /// `ZMQ_CURVE_PUBLICKEY` (client's long-term public key; unused by
        /// a server, which derives its own from the secret).
        public: [u8; 32],
        /// `ZMQ_CURVE_SECRETKEY`, wiped on drop.
        secret: SecretKey,
        /// `ZMQ_CURVE_SERVERKEY` (client only).
        server_key: [u8; 32],
    },
    /// GSSAPI (RFC 38; only selectable with the `gssapi` feature).
    Gssapi {
        /// `ZMQ_GSSAPI_SERVER`.
        server: bool,
        /// The `ZMQ_GSSAPI_*` options.
        options: zmq_mechanisms::GssapiConfig,
    },
}

/// Everything a [`crate::engine::ZmtpConnection`] needs to know about its
/// socket.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// Our socket type.
    pub socket_type: SocketType,
    /// Our routing id (`ZMQ_ROUTING_ID`, at most 255 bytes are sent).
    pub routing_id: Bytes,
    /// Whether we are the bind side (the security server).
    pub as_server: bool,
    /// Security mechanism.
    pub mechanism: MechanismChoice,
    /// `ZMQ_MAXMSGSIZE`: largest frame accepted; negative is unlimited.
    pub max_msg_size: i64,
    /// `ZMQ_HEARTBEAT_IVL`: PING interval; zero disables heartbeats.
    pub heartbeat_ivl: Duration,
    /// `ZMQ_HEARTBEAT_TTL`: TTL we announce in PINGs (sent in tenths of a
    /// second, at most 6553.5 s).
    pub heartbeat_ttl: Duration,
    /// `ZMQ_HEARTBEAT_TIMEOUT`: close when nothing arrives this long after
    /// a PING; `None` means the heartbeat interval (libzmq's -1).
    pub heartbeat_timeout: Option<Duration>,
    /// Whether PING and PONG travel outside the traffic transform (CURVE
    /// boxes every other command). ZWS (ws, wss) wants this: its
    /// heartbeats are WebSocket ping/pong frames, which libzmq's ws engine
    /// handles beside the mechanism; the stream turns an unboxed PING into
    /// a ping frame and a pong frame into an unboxed PONG.
    pub unboxed_heartbeats: bool,
    /// `ZMQ_HANDSHAKE_IVL`: close a connection whose handshake is not done
    /// in this time; zero means never.
    pub handshake_ivl: Duration,
    /// `ZMQ_METADATA`: application properties (`X-` names) for READY.
    pub metadata: Vec<(String, Bytes)>,
    /// Whether the socket wants the peer's routing id as an in-band first
    /// message (ROUTER, STREAM).
    pub recv_routing_id: bool,
    /// The peer's address for the `Peer-Address` property and the ZAP
    /// request, if known.
    pub peer_address: Option<Bytes>,
    /// The stream's descriptor, for `ZMQ_SRCFD` of received messages.
    pub source_fd: Option<i32>,
    /// `ZMQ_ZAP_DOMAIN` (empty: none).
    pub zap_domain: Bytes,
    /// `ZMQ_ZAP_ENFORCE_DOMAIN`.
    pub zap_enforce_domain: bool,
    /// Whether a ZAP handler is bound at `inproc://zeromq.zap.01` (the
    /// facade knows). Without one, a PLAIN server fails every handshake
    /// and a CURVE server accepts every client, as libzmq does.
    pub zap_handler_available: bool,
}

impl ConnectionConfig {
    /// libzmq defaults: NULL, client side, empty routing id, unlimited
    /// message size, no heartbeats, 30 s handshake limit, routing-id
    /// message for ROUTER.
    pub fn new(socket_type: SocketType) -> ConnectionConfig {
        ConnectionConfig {
            socket_type,
            routing_id: Bytes::new(),
            as_server: false,
            mechanism: MechanismChoice::Null,
            max_msg_size: -1,
            heartbeat_ivl: Duration::ZERO,
            heartbeat_ttl: Duration::ZERO,
            heartbeat_timeout: None,
            unboxed_heartbeats: false,
            handshake_ivl: Duration::from_secs(30),
            metadata: Vec::new(),
            recv_routing_id: matches!(socket_type, SocketType::Router | SocketType::Stream),
            peer_address: None,
            source_fd: None,
            zap_domain: Bytes::new(),
            zap_enforce_domain: false,
            zap_handler_available: false,
        }
    }
}
