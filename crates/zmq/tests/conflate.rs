//! `ZMQ_CONFLATE`: only the newest message is kept, on every transport;
//! over inproc only the connecting socket's option counts, as in libzmq.

use std::time::{Duration, Instant};

use zmq::{Context, DONTWAIT, SocketType};

#[test]
fn pull_keeps_only_the_last_message() {
    // (endpoint, whether the PULL binds)
    for (endpoint, pull_binds) in [
        ("tcp://127.0.0.1:*", true),
        ("tcp://127.0.0.1:*", false),
        ("inproc://conflate-pull", false),
    ] {
        let ctx = Context::new();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.set_conflate(true).unwrap();
        assert!(pull.get_conflate().unwrap());
        pull.set_rcvtimeo(5000).unwrap();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.set_linger(0).unwrap();
        if pull_binds {
            pull.bind(endpoint).unwrap();
            let endpoint = pull.get_last_endpoint().unwrap().unwrap();
            push.connect(&endpoint).unwrap();
        } else {
            push.bind(endpoint).unwrap();
            let endpoint = push.get_last_endpoint().unwrap().unwrap();
            pull.connect(&endpoint).unwrap();
        }
        // The first message shows the connection is up.
        push.send("first", 0).unwrap();
        assert_eq!(pull.recv_bytes(0).unwrap(), b"first");
        for i in 0..1000u32 {
            push.send(&i.to_be_bytes(), 0).unwrap();
        }
        push.send("last", 0).unwrap();
        // Everything before "last" may be gone; "last" is what remains.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut received = 0;
        loop {
            let msg = pull.recv_bytes(0).unwrap();
            received += 1;
            if msg == b"last" {
                break;
            }
            assert!(Instant::now() < deadline);
        }
        assert!(received < 1001, "{endpoint}: nothing was conflated");
        assert!(pull.recv_bytes(DONTWAIT).is_err());
    }
}

#[test]
fn inproc_conflate_of_the_binder_is_ignored() {
    // libzmq makes an inproc pipe pair from the connecting socket's
    // options only: a binding PULL's ZMQ_CONFLATE does not apply.
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_conflate(true).unwrap();
    pull.set_rcvtimeo(5000).unwrap();
    pull.bind("inproc://conflate-binder").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_linger(0).unwrap();
    push.connect("inproc://conflate-binder").unwrap();
    for word in ["one", "two", "three"] {
        push.send(word, 0).unwrap();
    }
    for word in ["one", "two", "three"] {
        assert_eq!(pull.recv_bytes(0).unwrap(), word.as_bytes());
    }
    assert!(pull.recv_bytes(DONTWAIT).is_err());
}

#[test]
fn conflating_push_never_blocks() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_conflate(true).unwrap();
    push.set_sndhwm(1).unwrap();
    push.connect("inproc://conflate-push").unwrap();
    for i in 0..10_000u32 {
        push.send(&i.to_be_bytes(), DONTWAIT).unwrap();
    }
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(5000).unwrap();
    pull.bind("inproc://conflate-push").unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), 9_999u32.to_be_bytes());
}
