//! End-to-end tests of sockets over inproc.

use std::time::Duration;

use zmq::{Context, DONTWAIT, Error, SNDMORE, SocketType};

fn pair(ctx: &Context, a: SocketType, b: SocketType, name: &str) -> (zmq::Socket, zmq::Socket) {
    let bound = ctx.socket(a).unwrap();
    bound.bind(&format!("inproc://{name}")).unwrap();
    let connected = ctx.socket(b).unwrap();
    connected.connect(&format!("inproc://{name}")).unwrap();
    for s in [&bound, &connected] {
        s.set_rcvtimeo(5000).unwrap();
        s.set_sndtimeo(5000).unwrap();
    }
    (bound, connected)
}

#[test]
fn push_pull_in_order() {
    let ctx = Context::new();
    let (pull, push) = pair(&ctx, SocketType::Pull, SocketType::Push, "pp");
    // More than the HWM: the sender blocks until the receiver drains.
    let sender = std::thread::spawn(move || {
        for i in 0..10_000u32 {
            push.send(&i.to_be_bytes(), 0).unwrap();
        }
    });
    for i in 0..10_000u32 {
        assert_eq!(pull.recv_bytes(0).unwrap(), i.to_be_bytes());
    }
    sender.join().unwrap();
}

#[test]
fn req_rep_roundtrip() {
    let ctx = Context::new();
    let (rep, req) = pair(&ctx, SocketType::Rep, SocketType::Req, "rr");
    for i in 0..100 {
        req.send(format!("hello {i}").as_str(), 0).unwrap();
        let got = rep.recv_string(0).unwrap().unwrap();
        assert_eq!(got, format!("hello {i}"));
        rep.send("world", 0).unwrap();
        assert_eq!(req.recv_bytes(0).unwrap(), b"world");
    }
    // Lockstep: a second send without a reply is an EFSM error.
    req.send("a", 0).unwrap();
    assert_eq!(req.send("b", 0), Err(Error::Fsm));
}

#[test]
fn connect_before_bind() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://later").unwrap();
    push.send("queued", DONTWAIT).unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(5000).unwrap();
    pull.bind("inproc://later").unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"queued");
}

#[test]
fn dealer_router_routing_ids() {
    let ctx = Context::new();
    let router = ctx.socket(SocketType::Router).unwrap();
    router.set_rcvtimeo(5000).unwrap();
    router.bind("inproc://dr").unwrap();
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    dealer.set_identity(b"D1").unwrap();
    dealer.set_rcvtimeo(5000).unwrap();
    dealer.connect("inproc://dr").unwrap();
    dealer.send_multipart(["a", "b"], 0).unwrap();
    let parts = router.recv_multipart(0).unwrap();
    assert_eq!(parts, vec![b"D1".to_vec(), b"a".to_vec(), b"b".to_vec()]);
    router.send_multipart(["D1", "reply"], 0).unwrap();
    assert_eq!(dealer.recv_multipart(0).unwrap(), vec![b"reply".to_vec()]);
}

#[test]
fn multipart_and_rcvmore() {
    let ctx = Context::new();
    let (pair_a, pair_b) = pair(&ctx, SocketType::Pair, SocketType::Pair, "mp");
    pair_b.send("one", SNDMORE).unwrap();
    pair_b.send("", SNDMORE).unwrap();
    pair_b.send(vec![7u8; 1 << 20], 0).unwrap();
    assert_eq!(pair_a.recv_bytes(0).unwrap(), b"one");
    assert!(pair_a.get_rcvmore().unwrap());
    assert_eq!(pair_a.recv_bytes(0).unwrap(), b"");
    let big = pair_a.recv_bytes(0).unwrap();
    assert_eq!(big.len(), 1 << 20);
    assert!(!pair_a.get_rcvmore().unwrap());
}

#[test]
fn hwm_blocks_push() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvhwm(5).unwrap();
    pull.bind("inproc://hwm").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_sndhwm(5).unwrap();
    push.connect("inproc://hwm").unwrap();
    let mut sent = 0;
    while push.send("x", DONTWAIT).is_ok() {
        sent += 1;
        assert!(sent <= 100, "HWM never reached");
    }
    // libzmq's inproc HWM is the sum of both sides.
    assert_eq!(sent, 10);
    assert_eq!(push.send("x", DONTWAIT), Err(Error::Again));
    push.set_sndtimeo(10).unwrap();
    assert_eq!(push.send("x", 0), Err(Error::Again));
    pull.recv_bytes(0).unwrap();
}

#[test]
fn recv_timeout_and_dontwait() {
    let ctx = Context::new();
    let (pull, _push) = pair(&ctx, SocketType::Pull, SocketType::Push, "to");
    assert_eq!(pull.recv_bytes(DONTWAIT), Err(Error::Again));
    pull.set_rcvtimeo(20).unwrap();
    let start = std::time::Instant::now();
    assert_eq!(pull.recv_bytes(0), Err(Error::Again));
    assert!(start.elapsed() >= Duration::from_millis(15));
}

#[test]
fn errors_for_bad_use() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    assert_eq!(push.recv_bytes(DONTWAIT), Err(Error::NotSup));
    assert_eq!(push.bind("nope://x"), Err(Error::ProtoNoSupport));
    assert_eq!(push.unbind("inproc://never"), Err(Error::NoEnt));
    let a = ctx.socket(SocketType::Pull).unwrap();
    a.bind("inproc://taken").unwrap();
    let b = ctx.socket(SocketType::Pull).unwrap();
    assert_eq!(b.bind("inproc://taken"), Err(Error::AddrInUse));
    assert_eq!(push.set_identity(b""), Err(Error::Inval));
}

#[test]
fn shutdown_interrupts_blocking_recv() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://term").unwrap();
    let ctx2 = ctx.clone();
    let waiter = std::thread::spawn(move || {
        let r = pull.recv_bytes(0);
        drop(pull);
        r
    });
    ctx2.shutdown();
    assert_eq!(waiter.join().unwrap(), Err(Error::Term));
    assert!(ctx.socket(SocketType::Push).is_err());
    ctx.term().unwrap();
}

#[test]
fn term_waits_for_closed_sockets_and_returns() {
    let ctx = Context::new();
    let (pull, push) = pair(&ctx, SocketType::Pull, SocketType::Push, "tw");
    push.send("x", 0).unwrap();
    drop(push);
    assert_eq!(pull.recv_bytes(0).unwrap(), b"x");
    drop(pull);
    ctx.term().unwrap();
}
