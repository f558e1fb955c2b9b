//! Making the socket of a script: options, binds, connects.

use serde_json::Value;
use zmq::auth::Authenticator;

use crate::capabilities::TRANSPORTS;
use crate::frames::{Variables, frame_bytes};
use crate::outcome::{PeerError, PeerResult, spec_error};
use crate::script::Script;

/// Linger set unless the spec gives one, so that closing is bounded.
pub const DEFAULT_LINGER_MS: i32 = 1000;

/// The inproc endpoint of the monitor of the script's socket.
const MONITOR_ENDPOINT: &str = "inproc://zmq-peer-monitor";

/// The script's socket, set up.
pub struct Opened {
    /// The socket, options set, bound and connected.
    pub socket: zmq::Socket,
    /// Reader of the socket's `ZMQ_EVENT_DISCONNECTED` events, when a step
    /// waits for them.
    pub monitor: Option<zmq::Socket>,
    /// The resolved bound endpoints, in bind order.
    pub bound: Vec<String>,
    /// The ZAP handler of the `zap_handler` option, running until dropped.
    pub zap_handler: Option<Authenticator>,
}

/// A socket of the script's type with its options set, monitored if a
/// step needs it, bound and connected.
pub fn open_socket(ctx: &zmq::Context, script: &Script) -> PeerResult<Opened> {
    let zap_handler = match script.options.get("zap_handler") {
        Some(policy) => {
            Some(start_zap_handler(ctx, policy).map_err(|e| e.within("option zap_handler"))?)
        }
        None => None,
    };
    let socket = ctx.socket(script.socket_type)?;
    socket.set_linger(DEFAULT_LINGER_MS)?;
    for (name, value) in &script.options {
        if name == "zap_handler" {
            continue;
        }
        apply_option(&socket, &script.socket_name, name, value)
            .map_err(|e| e.within(&format!("option {name}")))?;
    }
    let monitor = if script.needs_monitor() {
        // Every v1 event: `wait_event` and `wait_disconnect` pick theirs.
        let mask = i32::try_from(zmq::monitor::EVENT_ALL).unwrap_or(i32::MAX);
        socket.monitor(MONITOR_ENDPOINT, mask)?;
        let reader = ctx.socket(zmq::SocketType::Pair)?;
        reader.set_linger(0)?;
        reader.connect(MONITOR_ENDPOINT)?;
        Some(reader)
    } else {
        None
    };
    let mut bound = Vec::with_capacity(script.bind.len());
    for endpoint in &script.bind {
        check_transport(endpoint)?;
        socket
            .bind(endpoint)
            .map_err(|e| PeerError::from(e).within(&format!("bind {endpoint}")))?;
        match socket.get_last_endpoint()? {
            Ok(resolved) => bound.push(resolved),
            Err(_) => return Err(PeerError::Fail("last endpoint is not UTF-8".into())),
        }
    }
    for endpoint in &script.connect {
        check_transport(endpoint)?;
        socket
            .connect(endpoint)
            .map_err(|e| PeerError::from(e).within(&format!("connect {endpoint}")))?;
    }
    Ok(Opened {
        socket,
        monitor,
        bound,
        zap_handler,
    })
}

/// Starts our [`Authenticator`] in `ctx` with a `zap_handler` policy:
/// `{"plain": {user: password}, "curve": [Z85 key], "curve_any": bool,
/// "deny": [address]}`.
fn start_zap_handler(ctx: &zmq::Context, policy: &Value) -> PeerResult<Authenticator> {
    let Some(policy) = policy.as_object() else {
        return spec_error("zap_handler must be an object");
    };
    let mut users = Vec::new();
    if let Some(plain) = policy.get("plain") {
        let Some(plain) = plain.as_object() else {
            return spec_error("zap_handler.plain must map users to passwords");
        };
        for (user, password) in plain {
            let Some(password) = password.as_str() else {
                return spec_error("zap_handler.plain passwords must be strings");
            };
            users.push((user.clone(), password.to_owned()));
        }
    }
    let curve_keys = string_list(policy.get("curve"), "zap_handler.curve")?;
    let denied = string_list(policy.get("deny"), "zap_handler.deny")?;
    let auth = Authenticator::start(ctx)?;
    auth.configure_plain(users);
    auth.configure_curve(curve_keys);
    if policy.get("curve_any").and_then(Value::as_bool) == Some(true) {
        auth.allow_any_curve();
    }
    if !denied.is_empty() {
        auth.deny(denied);
    }
    Ok(auth)
}

fn string_list(value: Option<&Value>, what: &str) -> PeerResult<Vec<String>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(items) = value.as_array() else {
        return spec_error(format!("{what} must be a list of strings"));
    };
    items
        .iter()
        .map(|item| match item.as_str() {
            Some(text) => Ok(text.to_owned()),
            None => spec_error(format!("{what} must be a list of strings")),
        })
        .collect()
}

fn check_transport(endpoint: &str) -> PeerResult<()> {
    let scheme = endpoint.split_once("://").map_or(endpoint, |(s, _)| s);
    if TRANSPORTS.contains(&scheme) {
        Ok(())
    } else {
        Err(PeerError::Unsupported(format!("transport {scheme}")))
    }
}

/// Sets one spec option (PROTOCOL.md's option table).
fn apply_option(
    socket: &zmq::Socket,
    socket_name: &str,
    name: &str,
    value: &Value,
) -> PeerResult<()> {
    match name {
        "sndhwm" => socket.set_sndhwm(int_value(value)?)?,
        "rcvhwm" => socket.set_rcvhwm(int_value(value)?)?,
        "linger" => socket.set_linger(int_value(value)?)?,
        "reconnect_ivl" => socket.set_reconnect_ivl(int_value(value)?)?,
        "heartbeat_ivl" => socket.set_heartbeat_ivl(int_value(value)?)?,
        "heartbeat_ttl" => socket.set_heartbeat_ttl(int_value(value)?)?,
        "heartbeat_timeout" => socket.set_heartbeat_timeout(int_value(value)?)?,
        "maxmsgsize" => match value.as_i64() {
            Some(size) => socket.set_maxmsgsize(size)?,
            None => return spec_error("maxmsgsize must be an integer"),
        },
        "ipv6" => socket.set_ipv6(bool_value(value)?)?,
        "router_mandatory" => socket.set_router_mandatory(bool_value(value)?)?,
        "plain_server" => socket.set_plain_server(bool_value(value)?)?,
        "curve_server" => socket.set_curve_server(bool_value(value)?)?,
        "plain_username" => socket.set_plain_username(Some(text_value(value)?))?,
        "plain_password" => socket.set_plain_password(Some(text_value(value)?))?,
        "curve_publickey" => socket.set_curve_publickey(text_value(value)?)?,
        "curve_secretkey" => socket.set_curve_secretkey(text_value(value)?)?,
        "curve_serverkey" => socket.set_curve_serverkey(text_value(value)?)?,
        "zap_domain" => socket.set_zap_domain(text_value(value)?)?,
        "routing_id" => socket.set_identity(&frame_bytes(value, &Variables::new())?)?,
        "subscribe" => {
            if socket_name != "SUB" {
                return spec_error("subscribe option only applies to SUB");
            }
            let Some(topics) = value.as_array() else {
                return spec_error("subscribe must be a list of frame descriptors");
            };
            for topic in topics {
                socket.set_subscribe(&frame_bytes(topic, &Variables::new())?)?;
            }
        }
        other => return Err(PeerError::Unsupported(format!("option {other}"))),
    }
    Ok(())
}

fn int_value(value: &Value) -> PeerResult<i32> {
    match value.as_i64().map(i32::try_from) {
        Some(Ok(v)) => Ok(v),
        _ => spec_error(format!("expected a 32-bit integer, got {value}")),
    }
}

/// A text option's UTF-8 bytes (CURVE keys: the 40-character Z85 form).
fn text_value(value: &Value) -> PeerResult<&[u8]> {
    match value.as_str() {
        Some(text) => Ok(text.as_bytes()),
        None => spec_error(format!("expected a string, got {value}")),
    }
}

fn bool_value(value: &Value) -> PeerResult<bool> {
    match (value.as_bool(), value.as_i64()) {
        (Some(on), _) => Ok(on),
        (None, Some(n)) => Ok(n != 0),
        _ => spec_error(format!("expected a boolean, got {value}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn script(spec: Value) -> Script {
        Script::parse(&spec).unwrap()
    }

    #[test]
    fn options_are_applied() {
        let ctx = zmq::Context::new();
        let s = script(json!({"socket": "SUB", "options": {
            "sndhwm": 7, "rcvhwm": 0, "linger": 50, "maxmsgsize": 1000,
            "reconnect_ivl": -1, "ipv6": true, "heartbeat_ivl": 100,
            "heartbeat_ttl": 800, "heartbeat_timeout": 800, "routing_id": {"hex": "6964ff"},
            "subscribe": [{"text": "A"}, {"hex": ""}]}}));
        let Opened {
            socket,
            monitor,
            bound,
            ..
        } = open_socket(&ctx, &s).unwrap();
        assert!(bound.is_empty() && monitor.is_none());
        assert_eq!(socket.get_sndhwm(), Ok(7));
        assert_eq!(socket.get_rcvhwm(), Ok(0));
        assert_eq!(socket.get_linger(), Ok(50));
        assert_eq!(socket.get_maxmsgsize(), Ok(1000));
        assert_eq!(socket.get_reconnect_ivl(), Ok(-1));
        assert_eq!(socket.get_ipv6(), Ok(true));
        assert_eq!(socket.get_heartbeat_ivl(), Ok(100));
        assert_eq!(socket.get_heartbeat_ttl(), Ok(800));
        assert_eq!(socket.get_identity(), Ok(vec![0x69, 0x64, 0xff]));
        drop(socket);
        ctx.term().unwrap();
    }

    #[test]
    fn default_linger_is_bounded() {
        let ctx = zmq::Context::new();
        let opened = open_socket(&ctx, &script(json!({"socket": "PUSH"}))).unwrap();
        assert_eq!(opened.socket.get_linger(), Ok(DEFAULT_LINGER_MS));
        drop(opened);
        ctx.term().unwrap();
    }

    #[test]
    fn bad_options_are_reported() {
        let ctx = zmq::Context::new();
        let open = |spec: Value| open_socket(&ctx, &script(spec)).map(|_| ());
        assert!(matches!(
            open(json!({"socket": "PAIR", "options": {"tcp_keepalive": 1}})),
            Err(PeerError::Unsupported(_))
        ));
        assert!(matches!(
            open(json!({"socket": "PUB", "options": {"subscribe": [{"text": "A"}]}})),
            Err(PeerError::Spec(_))
        ));
        assert!(matches!(
            open(json!({"socket": "PAIR", "options": {"sndhwm": "x"}})),
            Err(PeerError::Spec(_))
        ));
        assert!(matches!(
            open(json!({"socket": "PAIR", "connect": ["udp://127.0.0.1:5"]})),
            Err(PeerError::Unsupported(_))
        ));
        // An empty routing id is EINVAL in libzmq (1 to 255 bytes).
        assert!(matches!(
            open(json!({"socket": "DEALER", "options": {"routing_id": {"hex": ""}}})),
            Err(PeerError::Fail(_))
        ));
        ctx.term().unwrap();
    }

    #[test]
    fn disconnects_are_seen_by_the_monitor() {
        let ctx = zmq::Context::new();
        let s = script(json!({"socket": "PULL", "bind": ["tcp://127.0.0.1:*"],
                              "steps": [{"op": "wait_disconnect"}]}));
        let opened = open_socket(&ctx, &s).unwrap();
        let monitor = opened
            .monitor
            .as_ref()
            .expect("monitor for wait_disconnect");
        let push = ctx.socket(zmq::SocketType::Push).unwrap();
        push.set_linger(0).unwrap();
        push.connect(&opened.bound[0]).unwrap();
        push.send("x", 0).unwrap();
        opened.socket.set_rcvtimeo(5000).unwrap();
        assert_eq!(opened.socket.recv_bytes(0), Ok(b"x".to_vec()));
        drop(push);
        monitor.set_rcvtimeo(5000).unwrap();
        // Every event is monitored: LISTENING, ACCEPTED, ... then DISCONNECTED.
        let mut seen = Vec::new();
        while seen.last() != Some(&zmq::monitor::EVENT_DISCONNECTED) {
            let parts = monitor.recv_multipart(0).expect("an event within 5 s");
            let (event, _, _) = zmq::monitor::parse_event_v1(&parts).unwrap();
            seen.push(u64::from(event));
            assert!(seen.len() < 32, "{seen:x?}");
        }
        drop(opened);
        ctx.term().unwrap();
    }

    #[test]
    fn tcp_wildcard_bind_reports_the_port() {
        let ctx = zmq::Context::new();
        let s = script(json!({"socket": "PULL", "bind": ["tcp://127.0.0.1:*"]}));
        let Opened { socket, bound, .. } = open_socket(&ctx, &s).unwrap();
        assert_eq!(bound.len(), 1);
        assert!(bound[0].starts_with("tcp://127.0.0.1:"), "{bound:?}");
        assert!(!bound[0].ends_with(":*"));
        drop(socket);
        ctx.term().unwrap();
    }
}
