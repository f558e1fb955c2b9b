//! Dropping the last handle of a context terms it, as rust-zmq: queued
//! messages are delivered (default `ZMQ_LINGER` -1) without `term`.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, SocketType};

const N: u32 = 2000;
const BODY: usize = 1024;

/// Receives `N` numbered messages on `pull` (5 s per message at most).
fn receive_all(pull: &zmq::Socket) {
    pull.set_rcvtimeo(5000).unwrap();
    for i in 0..N {
        let msg = pull.recv_bytes(0).expect("every queued message arrives");
        assert_eq!(msg.len(), BODY);
        assert_eq!(msg[..4], i.to_be_bytes());
    }
}

/// Sends `N` messages on a fresh PUSH to `endpoint`, then drops the socket
/// and the context without `term`, on a thread of its own; the receiver
/// learns when the drop returned.
fn send_and_drop(endpoint: String) -> mpsc::Receiver<()> {
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let ctx = Context::new();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.set_sndhwm(0).unwrap();
        push.connect(&endpoint).unwrap();
        for i in 0..N {
            let mut body = vec![0u8; BODY];
            body[..4].copy_from_slice(&i.to_be_bytes());
            push.send(body, 0).unwrap();
        }
        drop(push);
        drop(ctx);
        let _ = done_tx.send(());
    });
    done_rx
}

#[test]
fn queued_messages_are_delivered_over_tcp() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    let dropped = send_and_drop(endpoint);
    receive_all(&pull);
    dropped
        .recv_timeout(Duration::from_secs(10))
        .expect("the drop returns once everything is sent");
}

#[test]
fn drop_waits_for_a_peer_that_binds_later() {
    let path = std::env::temp_dir().join(format!("zmq-rs-term-on-drop-{}", std::process::id()));
    let endpoint = format!("ipc://{}", path.display());
    let dropped = send_and_drop(endpoint.clone());
    // Nobody listens yet: the drop must still be waiting to deliver.
    assert!(dropped.recv_timeout(Duration::from_millis(200)).is_err());
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind(&endpoint).unwrap();
    receive_all(&pull);
    dropped
        .recv_timeout(Duration::from_secs(10))
        .expect("the drop returns once everything is sent");
    drop(pull);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn linger_bounds_the_drop() {
    let start = Instant::now();
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let ctx = Context::new();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.set_linger(100).unwrap();
        // A port nobody listens on: the message can never go.
        push.connect("tcp://127.0.0.1:1").unwrap();
        push.send("lost", 0).unwrap();
        drop(ctx);
        drop(push);
        let _ = done_tx.send(());
    });
    done_rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the drop returns after ZMQ_LINGER");
    assert!(start.elapsed() >= Duration::from_millis(90));
}

#[test]
fn explicit_term_then_drop() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_linger(0).unwrap();
    drop(push);
    ctx.term().unwrap();
    drop(ctx);
}
