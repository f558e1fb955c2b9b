//! What this peer declares with `--capabilities`: only what works on our crate.

use serde_json::{Value, json};

/// Protocol version of PROTOCOL.md.
pub const PROTOCOL_VERSION: u32 = 1;

/// Socket types, by libzmq name, that our `Context::socket` makes.
pub const SOCKETS: [(&str, zmq::SocketType); 12] = [
    ("PAIR", zmq::SocketType::Pair),
    ("PUB", zmq::SocketType::Pub),
    ("SUB", zmq::SocketType::Sub),
    ("REQ", zmq::SocketType::Req),
    ("REP", zmq::SocketType::Rep),
    ("DEALER", zmq::SocketType::Dealer),
    ("ROUTER", zmq::SocketType::Router),
    ("PULL", zmq::SocketType::Pull),
    ("PUSH", zmq::SocketType::Push),
    ("XPUB", zmq::SocketType::XPub),
    ("XSUB", zmq::SocketType::XSub),
    ("STREAM", zmq::SocketType::Stream),
];

/// Endpoint schemes the matrix may use.
pub const TRANSPORTS: [&str; 3] = ["tcp", "ipc", "ws"];

/// Spec options with a setter on `zmq::Socket` (all of PROTOCOL.md's).
pub const OPTIONS: [&str; 21] = [
    "routing_id",
    "subscribe",
    "sndhwm",
    "rcvhwm",
    "linger",
    "maxmsgsize",
    "reconnect_ivl",
    "ipv6",
    "router_mandatory",
    "heartbeat_ivl",
    "heartbeat_ttl",
    "heartbeat_timeout",
    "plain_server",
    "plain_username",
    "plain_password",
    "curve_server",
    "curve_publickey",
    "curve_secretkey",
    "curve_serverkey",
    "zap_domain",
    "zap_handler",
];

/// Steps this peer runs (all of PROTOCOL.md's).
pub const OPS: [&str; 13] = [
    "send",
    "recv",
    "recv_none",
    "echo",
    "send_seq",
    "recv_seq",
    "send_until",
    "signal",
    "await",
    "idle",
    "wait_disconnect",
    "wait_event",
    "record_events",
];

/// Roles besides the one-socket script (PROTOCOL.md, "Proxy role").
pub const ROLES: [&str; 1] = ["proxy"];

/// The socket type named `name`.
pub fn socket_type(name: &str) -> Option<zmq::SocketType> {
    SOCKETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The one-line JSON object of `--capabilities`.
pub fn capabilities() -> Value {
    json!({
        "name": format!("zmq-peer {} on the Rust zmq crate", env!("CARGO_PKG_VERSION")),
        "protocol": PROTOCOL_VERSION,
        "sockets": SOCKETS.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "transports": TRANSPORTS,
        "ipv6": true,
        "options": OPTIONS,
        "ops": OPS,
        "roles": ROLES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_list_what_is_declared() {
        let caps = capabilities();
        assert_eq!(caps["protocol"], 1);
        assert_eq!(caps["sockets"].as_array().map(Vec::len), Some(12));
        assert_eq!(caps["ops"].as_array().map(Vec::len), Some(13));
        assert_eq!(caps["roles"], json!(["proxy"]));
        assert_eq!(caps["options"].as_array().map(Vec::len), Some(21));
        assert!(!caps.to_string().contains('\n'));
    }

    #[test]
    fn every_declared_socket_type_can_be_made() {
        let ctx = zmq::Context::new();
        for (name, kind) in SOCKETS {
            assert_eq!(socket_type(name), Some(kind));
            let socket = ctx.socket(kind).unwrap_or_else(|e| panic!("{name}: {e}"));
            drop(socket);
        }
        assert_eq!(socket_type("SERVER"), None);
        ctx.term().unwrap();
    }
}
