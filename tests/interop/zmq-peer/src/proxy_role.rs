//! The proxy role (PROTOCOL.md, "Proxy role"): [`zmq::proxy_steerable`]
//! between a frontend and a backend socket until `GO <stop>` arrives, then
//! `TERMINATE` on the proxy's control socket.

use std::time::Duration;

use serde_json::Value;

use crate::control::Control;
use crate::outcome::{PeerError, PeerResult, spec_error};
use crate::script::{Script, timeout_field};
use crate::setup::open_socket;

/// The inproc endpoint of the proxy's control socket.
const CONTROL_ENDPOINT: &str = "inproc://zmq-peer-proxy-control";
/// Default bound of the wait for `GO <stop>`.
const DEFAULT_STOP_TIMEOUT_MS: i32 = 60_000;
/// Default name of the stop signal.
const DEFAULT_STOP: &str = "stop";
/// How long the stopper waits for the proxy to return before it sends
/// `TERMINATE` again.
const TERMINATE_RETRY: Duration = Duration::from_millis(200);
/// A control name no `GO` line can release (names have no spaces): set
/// when the proxy has returned.
const RETURNED: &str = "proxy returned";

/// A checked proxy spec.
#[derive(Debug, Clone)]
pub struct ProxySpec {
    /// The frontend socket: type, options, endpoints (no steps).
    pub frontend: Script,
    /// The backend socket.
    pub backend: Script,
    /// The signal that stops the proxy.
    pub stop: String,
    /// Bound of the wait for the stop signal.
    pub timeout_ms: i32,
}

impl ProxySpec {
    /// The proxy spec in `spec`, or `None` when `spec` is not a proxy role.
    pub fn parse(spec: &Value) -> PeerResult<Option<ProxySpec>> {
        if spec.get("role").and_then(Value::as_str) != Some("proxy") {
            return Ok(None);
        }
        let socket = |key: &str| match spec.get(key) {
            Some(sub) if sub.is_object() => Script::parse(sub),
            _ => spec_error(format!("a proxy needs a {key} object")),
        };
        let stop = match spec.get("stop") {
            None => DEFAULT_STOP.to_owned(),
            Some(Value::String(name)) => name.clone(),
            Some(_) => return spec_error("stop must be a string"),
        };
        Ok(Some(ProxySpec {
            frontend: socket("frontend")?,
            backend: socket("backend")?,
            stop,
            timeout_ms: timeout_field(spec.get("timeout_ms"))?.unwrap_or(DEFAULT_STOP_TIMEOUT_MS),
        }))
    }
}

/// Opens both sockets, prints `READY` with the frontend's then the
/// backend's bound endpoints, proxies until the stop signal, closes.
pub fn run_proxy(spec: &ProxySpec, control: &Control, emit: &dyn Fn(&str)) -> PeerResult<()> {
    let ctx = zmq::Context::new();
    let result = proxy_in(&ctx, spec, control, emit);
    ctx.term()?;
    result
}

fn proxy_in(
    ctx: &zmq::Context,
    spec: &ProxySpec,
    control: &Control,
    emit: &dyn Fn(&str),
) -> PeerResult<()> {
    let frontend = open_socket(ctx, &spec.frontend).map_err(|e| e.within("frontend"))?;
    let backend = open_socket(ctx, &spec.backend).map_err(|e| e.within("backend"))?;
    let listener = ctx.socket(zmq::SocketType::Pair)?;
    listener.set_linger(0)?;
    listener.bind(CONTROL_ENDPOINT)?;
    let mut ready = vec!["READY".to_owned()];
    ready.extend(frontend.bound.iter().cloned());
    ready.extend(backend.bound.iter().cloned());
    emit(&ready.join(" "));
    let (proxied, stopped) = std::thread::scope(|scope| {
        let stopper = scope.spawn(|| stop_when_told(ctx, spec, control));
        let proxied =
            zmq::proxy_steerable_opt(&frontend.socket, &backend.socket, None, Some(&listener));
        control.release(RETURNED);
        let stopped = stopper
            .join()
            .unwrap_or_else(|_| Err(PeerError::Fail("the stopper thread panicked".into())));
        (proxied, stopped)
    });
    listener.close();
    frontend.socket.close();
    backend.socket.close();
    proxied.map_err(|e| PeerError::from(e).within("proxy"))?;
    stopped
}

/// Waits for `GO <stop>` (or the timeout), then sends `TERMINATE` until
/// the proxy returns. A timeout is a failure, reported after the proxy ends.
fn stop_when_told(ctx: &zmq::Context, spec: &ProxySpec, control: &Control) -> PeerResult<()> {
    let wait = Duration::from_millis(u64::try_from(spec.timeout_ms).unwrap_or(0));
    let released = control.wait(&spec.stop, wait);
    let sender = ctx.socket(zmq::SocketType::Pair)?;
    sender.set_linger(0)?;
    sender.connect(CONTROL_ENDPOINT)?;
    loop {
        sender.send(zmq::ProxyCommand::Terminate.as_bytes(), 0)?;
        if control.wait(RETURNED, TERMINATE_RETRY) {
            break;
        }
    }
    sender.close();
    if released {
        Ok(())
    } else {
        Err(PeerError::Fail(format!(
            "proxy: no GO {} within {} ms",
            spec.stop, spec.timeout_ms
        )))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_proxy_specs_only() {
        assert!(matches!(
            ProxySpec::parse(&json!({"socket": "PAIR"})),
            Ok(None)
        ));
        let spec = ProxySpec::parse(&json!({"role": "proxy", "stop": "done",
            "frontend": {"socket": "XSUB", "bind": ["tcp://127.0.0.1:*"]},
            "backend": {"socket": "XPUB"}}))
        .unwrap()
        .unwrap();
        assert_eq!(spec.frontend.socket_type, zmq::SocketType::XSub);
        assert_eq!(spec.backend.socket_type, zmq::SocketType::XPub);
        assert_eq!(spec.stop, "done");
        assert_eq!(spec.timeout_ms, DEFAULT_STOP_TIMEOUT_MS);
        assert!(matches!(
            ProxySpec::parse(&json!({"role": "proxy", "frontend": {"socket": "PULL"}})),
            Err(PeerError::Spec(_))
        ));
        assert!(matches!(
            ProxySpec::parse(&json!({"role": "proxy", "frontend": {"socket": "PULL"},
                                     "backend": {"socket": "SERVER"}})),
            Err(PeerError::Unsupported(_))
        ));
    }

    #[test]
    fn forwards_until_stopped() {
        let spec = ProxySpec::parse(&json!({"role": "proxy", "stop": "done",
            "frontend": {"socket": "PULL", "bind": ["tcp://127.0.0.1:*"]},
            "backend": {"socket": "PUSH", "bind": ["tcp://127.0.0.1:*"]}}))
        .unwrap()
        .unwrap();
        let control = Control::default();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<String>();
        std::thread::scope(|scope| {
            let proxy = scope.spawn(|| {
                let emit = |line: &str| {
                    let _ = ready_tx.send(line.to_owned());
                };
                run_proxy(&spec, &control, &emit)
            });
            let ready = ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
            let endpoints: Vec<&str> = ready.split_whitespace().skip(1).collect();
            assert_eq!(endpoints.len(), 2, "{ready}");
            let ctx = zmq::Context::new();
            let push = ctx.socket(zmq::SocketType::Push).unwrap();
            let pull = ctx.socket(zmq::SocketType::Pull).unwrap();
            push.set_linger(0).unwrap();
            pull.set_linger(0).unwrap();
            push.connect(endpoints[0]).unwrap();
            pull.connect(endpoints[1]).unwrap();
            pull.set_rcvtimeo(10_000).unwrap();
            for i in 0..100u32 {
                push.send(i.to_be_bytes().as_slice(), 0).unwrap();
            }
            for i in 0..100u32 {
                assert_eq!(pull.recv_bytes(0).unwrap(), i.to_be_bytes());
            }
            control.release("done");
            assert_eq!(proxy.join().unwrap(), Ok(()));
            drop((push, pull));
            ctx.term().unwrap();
        });
    }
}
