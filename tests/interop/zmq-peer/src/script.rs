//! A spec (PROTOCOL.md, "Spec") checked and split into its parts.

use serde_json::{Map, Value};

use crate::capabilities::{OPS, socket_type};
use crate::outcome::{PeerError, PeerResult, spec_error};

/// Bound of every waiting step unless the spec says otherwise.
pub const DEFAULT_TIMEOUT_MS: i32 = 5000;

/// A checked spec.
#[derive(Debug, Clone)]
pub struct Script {
    /// Socket type name as in the spec (`"ROUTER"`).
    pub socket_name: String,
    /// The socket type.
    pub socket_type: zmq::SocketType,
    /// Options to set before binding and connecting.
    pub options: Map<String, Value>,
    /// Endpoints to bind, in order.
    pub bind: Vec<String>,
    /// Endpoints to connect, after the binds.
    pub connect: Vec<String>,
    /// Default bound of waiting steps.
    pub timeout_ms: i32,
    /// The steps, each a JSON object with a known `op`.
    pub steps: Vec<Value>,
}

impl Script {
    /// Whether a step waits for monitor events (the socket needs a monitor).
    pub fn needs_monitor(&self) -> bool {
        self.steps.iter().any(|s| {
            matches!(
                s.get("op").and_then(Value::as_str),
                Some("wait_disconnect" | "wait_event" | "record_events")
            )
        })
    }
}

impl Script {
    /// Checks `spec`: a malformed spec is [`PeerError::Spec`], one needing a
    /// socket type or op we lack is [`PeerError::Unsupported`].
    pub fn parse(spec: &Value) -> PeerResult<Script> {
        let Some(spec) = spec.as_object() else {
            return spec_error("spec must be a JSON object");
        };
        let socket_name = match spec.get("socket").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None => return spec_error("socket must be a string"),
        };
        let Some(socket_type) = socket_type(&socket_name) else {
            return Err(PeerError::Unsupported(format!("socket {socket_name}")));
        };
        let options = match spec.get("options") {
            None => Map::new(),
            Some(Value::Object(options)) => options.clone(),
            Some(_) => return spec_error("options must be an object"),
        };
        let steps = match spec.get("steps") {
            None => Vec::new(),
            Some(Value::Array(steps)) => steps.clone(),
            Some(_) => return spec_error("steps must be a list"),
        };
        for step in &steps {
            match step.get("op").and_then(Value::as_str) {
                Some(op) if OPS.contains(&op) => {}
                Some(op) => return Err(PeerError::Unsupported(format!("op {op}"))),
                None => return spec_error(format!("step without an op: {step}")),
            }
        }
        Ok(Script {
            socket_name,
            socket_type,
            options,
            bind: endpoints(spec.get("bind"), "bind")?,
            connect: endpoints(spec.get("connect"), "connect")?,
            timeout_ms: timeout_field(spec.get("timeout_ms"))?.unwrap_or(DEFAULT_TIMEOUT_MS),
            steps,
        })
    }
}

/// A `timeout_ms`/`ms` field as milliseconds (clamped to `i32::MAX`).
pub fn timeout_field(value: Option<&Value>) -> PeerResult<Option<i32>> {
    match value {
        None => Ok(None),
        Some(v) => match v.as_u64() {
            Some(ms) => Ok(Some(i32::try_from(ms).unwrap_or(i32::MAX))),
            None => spec_error(format!("timeout must be a non-negative integer, not {v}")),
        },
    }
}

fn endpoints(value: Option<&Value>, what: &str) -> PeerResult<Vec<String>> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|e| match e.as_str() {
                Some(e) => Ok(e.to_owned()),
                None => spec_error(format!("{what} entries must be strings")),
            })
            .collect(),
        Some(_) => spec_error(format!("{what} must be a list of endpoints")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_a_full_spec() {
        let spec = json!({
            "socket": "ROUTER",
            "bind": ["tcp://127.0.0.1:*"],
            "connect": ["ipc:///tmp/x"],
            "options": {"router_mandatory": true},
            "timeout_ms": 700,
            "steps": [{"op": "recv", "expect": []}, {"op": "signal", "name": "a"}]
        });
        let script = Script::parse(&spec).unwrap();
        assert_eq!(script.socket_type, zmq::SocketType::Router);
        assert_eq!(script.bind, vec!["tcp://127.0.0.1:*"]);
        assert_eq!(script.connect, vec!["ipc:///tmp/x"]);
        assert_eq!(script.timeout_ms, 700);
        assert_eq!(script.steps.len(), 2);
        assert_eq!(script.options.len(), 1);
    }

    #[test]
    fn defaults() {
        let script = Script::parse(&json!({"socket": "PAIR"})).unwrap();
        assert_eq!(script.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert!(script.bind.is_empty() && script.connect.is_empty() && script.steps.is_empty());
    }

    #[test]
    fn unsupported_and_malformed() {
        let unsupported =
            |spec: Value| matches!(Script::parse(&spec), Err(PeerError::Unsupported(_)));
        let malformed = |spec: Value| matches!(Script::parse(&spec), Err(PeerError::Spec(_)));
        assert!(unsupported(json!({"socket": "SERVER"})));
        assert!(unsupported(
            json!({"socket": "PAIR", "steps": [{"op": "teleport"}]})
        ));
        assert!(malformed(json!([])));
        assert!(malformed(json!({"socket": 3})));
        assert!(malformed(json!({"socket": "PAIR", "steps": [{}]})));
        assert!(malformed(json!({"socket": "PAIR", "bind": "tcp://x"})));
        assert!(malformed(json!({"socket": "PAIR", "timeout_ms": -1})));
        assert!(malformed(json!({"socket": "PAIR", "options": []})));
    }

    #[test]
    fn huge_timeouts_clamp() {
        assert_eq!(timeout_field(Some(&json!(1u64 << 40))), Ok(Some(i32::MAX)));
    }
}
