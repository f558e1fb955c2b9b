//! Steps run over inproc within one process: one runner per thread.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::*;

/// Runs `a_steps` on a bound socket and `b_steps` on a connected one, each
/// in its own thread, relaying signals as the harness does. Returns both
/// results and the status lines each printed.
fn run_pair(
    a_type: zmq::SocketType,
    a_steps: Value,
    b_type: zmq::SocketType,
    b_steps: Value,
) -> [(PeerResult<()>, Vec<String>); 2] {
    static NEXT: Mutex<u32> = Mutex::new(0);
    let endpoint = {
        let mut next = NEXT.lock().unwrap();
        *next += 1;
        format!("inproc://steps-test-{}", *next)
    };
    let ctx = zmq::Context::new();
    let a = ctx.socket(a_type).unwrap();
    a.set_linger(0).unwrap();
    a.bind(&endpoint).unwrap();
    let b = ctx.socket(b_type).unwrap();
    b.set_linger(0).unwrap();
    b.connect(&endpoint).unwrap();
    let controls = [Control::default(), Control::default()];
    let results = std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for (me, (socket, steps)) in [(a, a_steps), (b, b_steps)].into_iter().enumerate() {
            let mine = controls[me].clone();
            let other = controls[1 - me].clone();
            handles.push(scope.spawn(move || {
                let lines = Mutex::new(Vec::new());
                let emit = |line: &str| {
                    lines.lock().unwrap().push(line.to_owned());
                    if let Some(name) = line.strip_prefix("SIGNAL ") {
                        other.release(name);
                    }
                };
                let steps = steps.as_array().cloned().unwrap_or_default();
                let result = Runner::new(&socket, None, &mine, 2000, &emit).run(&steps);
                drop(socket);
                (result, lines.into_inner().unwrap())
            }));
        }
        let mut out = handles.into_iter().map(|h| h.join().unwrap());
        [out.next().unwrap(), out.next().unwrap()]
    });
    ctx.term().unwrap();
    results
}

fn ok(results: &[(PeerResult<()>, Vec<String>); 2]) {
    for (result, lines) in results {
        assert_eq!(result, &Ok(()), "lines: {lines:?}");
    }
}

#[test]
fn push_pull_send_recv_with_skip_and_capture() {
    let results = run_pair(
        zmq::SocketType::Pull,
        json!([
            {"op": "recv", "skip": [[{"text": "probe"}]], "expect": [{"capture": "x"}, {"hex": ""}]},
            {"op": "recv", "expect": [{"var": "x"}]},
            {"op": "signal", "name": "done"}
        ]),
        zmq::SocketType::Push,
        json!([
            {"op": "send", "frames": [{"text": "probe"}]},
            {"op": "send", "frames": [{"size": 300, "seed": 7}, {"hex": ""}]},
            {"op": "send", "frames": [{"size": 300, "seed": 7}]},
            {"op": "await", "name": "done"}
        ]),
    );
    ok(&results);
    assert_eq!(results[0].1, vec!["SIGNAL done"]);
}

#[test]
fn sequences_arrive_in_order() {
    let results = run_pair(
        zmq::SocketType::Pull,
        json!([{"op": "recv_seq", "count": 500, "size": 40, "head": [{"text": "h"}]},
               {"op": "recv_none", "ms": 20}]),
        zmq::SocketType::Push,
        json!([{"op": "send_seq", "count": 500, "size": 40, "head": [{"text": "h"}]}]),
    );
    ok(&results);
}

#[test]
fn req_rep_echo() {
    let results = run_pair(
        zmq::SocketType::Rep,
        json!([{"op": "echo", "count": 2}, {"op": "await", "name": "done"}]),
        zmq::SocketType::Req,
        json!([
            {"op": "send", "frames": [{"text": "a"}, {"hex": ""}]},
            {"op": "recv", "expect": [{"text": "a"}, {"hex": ""}]},
            {"op": "send", "frames": [{"text": "b"}]},
            {"op": "recv", "expect": [{"text": "b"}]},
            {"op": "signal", "name": "done"}
        ]),
    );
    ok(&results);
}

#[test]
fn mismatch_names_the_step() {
    let results = run_pair(
        zmq::SocketType::Pair,
        json!([{"op": "recv", "expect": [{"text": "no"}]}, {"op": "signal", "name": "done"}]),
        zmq::SocketType::Pair,
        json!([{"op": "send", "frames": [{"text": "yes"}]}, {"op": "await", "name": "done", "timeout_ms": 300}]),
    );
    match &results[0].0 {
        Err(PeerError::Fail(reason)) => {
            assert!(
                reason.starts_with("step 0 (recv): recv: frame 0"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&results[1].0, Err(PeerError::Fail(r)) if r.starts_with("step 1 (await)")));
}

#[test]
fn recv_times_out_and_recv_none_passes() {
    let results = run_pair(
        zmq::SocketType::Pull,
        json!([{"op": "recv_none", "ms": 30}, {"op": "recv", "expect": [], "timeout_ms": 30}]),
        zmq::SocketType::Push,
        json!([{"op": "idle", "ms": 1}]),
    );
    assert!(matches!(&results[0].0,
        Err(PeerError::Fail(r)) if r.contains("nothing received within 30 ms")));
    assert_eq!(results[1].0, Ok(()));
}

#[test]
fn send_until_stops_at_go() {
    let results = run_pair(
        zmq::SocketType::Sub,
        json!([]),
        zmq::SocketType::Pub,
        json!([{"op": "signal", "name": "x"}]),
    );
    ok(&results);
    // PUB with nobody subscribed: sends never block; GO arrives from the SUB side.
    let results = run_pair(
        zmq::SocketType::Pub,
        json!([{"op": "send_until", "frames": [{"text": "A"}], "signal": "seen", "interval_ms": 1}]),
        zmq::SocketType::Sub,
        json!([{"op": "idle", "ms": 20}, {"op": "signal", "name": "seen"}]),
    );
    ok(&results);
}

#[test]
fn spec_errors_in_steps() {
    let results = run_pair(
        zmq::SocketType::Pair,
        json!([{"op": "send_seq", "count": 1, "size": 4}]),
        zmq::SocketType::Pair,
        json!([{"op": "signal"}]),
    );
    assert!(matches!(&results[0].0, Err(PeerError::Spec(_))));
    assert!(matches!(&results[1].0, Err(PeerError::Spec(_))));
}

#[test]
fn wait_disconnect_without_a_monitor_fails() {
    let results = run_pair(
        zmq::SocketType::Pair,
        json!([{"op": "wait_disconnect", "timeout_ms": 10}]),
        zmq::SocketType::Pair,
        json!([]),
    );
    assert!(matches!(&results[0].0, Err(PeerError::Fail(r)) if r.contains("not monitored")));
}
