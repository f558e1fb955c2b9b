//! End-to-end tests of every socket type of parts 1-2 over tcp, ipc and
//! inproc: the same scenario runs on each transport.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use zmq::{Context, DONTWAIT, Error, SNDMORE, Socket, SocketType};

#[derive(Clone, Copy, Debug)]
enum Transport {
    Tcp,
    Ipc,
    Inproc,
}

const ALL: [Transport; 3] = [Transport::Tcp, Transport::Ipc, Transport::Inproc];

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A fresh endpoint to bind: port 0 for tcp, a unique path for ipc.
fn bind_endpoint(t: Transport) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    match t {
        Transport::Tcp => "tcp://127.0.0.1:*".to_owned(),
        Transport::Ipc => format!(
            "ipc://{}/zmq-rs-test-{}-{n}.sock",
            std::env::temp_dir().display(),
            std::process::id()
        ),
        Transport::Inproc => format!("inproc://test-{n}"),
    }
}

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s.set_linger(0).unwrap();
    s
}

/// Binds `a` on a fresh endpoint of `t`, connects `b` to it, returns the
/// endpoint.
fn join(t: Transport, a: &Socket, b: &Socket) -> String {
    a.bind(&bind_endpoint(t)).unwrap();
    let endpoint = a.get_last_endpoint().unwrap().unwrap();
    b.connect(&endpoint).unwrap();
    endpoint
}

#[test]
fn push_pull_every_transport() {
    for t in ALL {
        let ctx = Context::new();
        let pull = socket(&ctx, SocketType::Pull);
        let push = socket(&ctx, SocketType::Push);
        join(t, &pull, &push);
        for i in 0..1000u32 {
            push.send(&i.to_le_bytes(), 0).unwrap();
        }
        for i in 0..1000u32 {
            assert_eq!(pull.recv_bytes(0).unwrap(), i.to_le_bytes(), "{t:?}");
        }
    }
}

#[test]
fn req_rep_every_transport() {
    for t in ALL {
        let ctx = Context::new();
        let rep = socket(&ctx, SocketType::Rep);
        let req = socket(&ctx, SocketType::Req);
        join(t, &rep, &req);
        for i in 0..50 {
            req.send(format!("ping {i}").as_str(), 0).unwrap();
            assert_eq!(rep.recv_string(0).unwrap().unwrap(), format!("ping {i}"));
            rep.send("pong", 0).unwrap();
            assert_eq!(req.recv_bytes(0).unwrap(), b"pong", "{t:?}");
        }
    }
}

#[test]
fn dealer_router_every_transport() {
    for t in ALL {
        let ctx = Context::new();
        let router = socket(&ctx, SocketType::Router);
        let dealer = socket(&ctx, SocketType::Dealer);
        dealer.set_identity(b"dealer-1").unwrap();
        join(t, &router, &dealer);
        dealer.send_multipart(["", "hello"], 0).unwrap();
        let parts = router.recv_multipart(0).unwrap();
        assert_eq!(
            parts,
            vec![b"dealer-1".to_vec(), vec![], b"hello".to_vec()],
            "{t:?}"
        );
        router.send_multipart(["dealer-1", "", "world"], 0).unwrap();
        assert_eq!(
            dealer.recv_multipart(0).unwrap(),
            vec![vec![], b"world".to_vec()]
        );
    }
}

#[test]
fn router_generates_ids_for_anonymous_peers() {
    for t in ALL {
        let ctx = Context::new();
        let router = socket(&ctx, SocketType::Router);
        let req = socket(&ctx, SocketType::Req);
        join(t, &router, &req);
        req.send("q", 0).unwrap();
        let parts = router.recv_multipart(0).unwrap();
        assert_eq!(parts.len(), 3, "{t:?}");
        assert_eq!(parts[0].len(), 5, "generated ids are 5 bytes: {t:?}");
        assert_eq!(parts[0][0], 0);
        assert!(parts[1].is_empty());
        router
            .send_multipart([parts[0].clone(), vec![], b"a".to_vec()], 0)
            .unwrap();
        assert_eq!(req.recv_bytes(0).unwrap(), b"a");
    }
}

#[test]
fn router_mandatory_reports_unknown_peer() {
    let ctx = Context::new();
    let router = socket(&ctx, SocketType::Router);
    router.bind(&bind_endpoint(Transport::Tcp)).unwrap();
    // Unknown peers are dropped silently by default...
    router.send_multipart(["nobody", "x"], 0).unwrap();
    // ...and refused with ROUTER_MANDATORY.
    router.set_router_mandatory(true).unwrap();
    assert_eq!(router.send("nobody", SNDMORE), Err(Error::HostUnreach));
}

#[test]
fn pair_every_transport() {
    for t in ALL {
        let ctx = Context::new();
        let a = socket(&ctx, SocketType::Pair);
        let b = socket(&ctx, SocketType::Pair);
        join(t, &a, &b);
        b.send("to a", 0).unwrap();
        assert_eq!(a.recv_bytes(0).unwrap(), b"to a");
        a.send("to b", 0).unwrap();
        assert_eq!(b.recv_bytes(0).unwrap(), b"to b", "{t:?}");
    }
}

#[test]
fn multipart_with_empty_and_large_parts() {
    for t in ALL {
        let ctx = Context::new();
        let pull = socket(&ctx, SocketType::Pull);
        let push = socket(&ctx, SocketType::Push);
        join(t, &pull, &push);
        let big: Vec<u8> = (0..(1 << 20)).map(|i| (i % 251) as u8).collect();
        push.send("head", SNDMORE).unwrap();
        push.send("", SNDMORE).unwrap();
        push.send(big.clone(), 0).unwrap();
        let parts = pull.recv_multipart(0).unwrap();
        assert_eq!(parts.len(), 3, "{t:?}");
        assert_eq!(parts[0], b"head");
        assert!(parts[1].is_empty());
        assert!(parts[2] == big, "1 MiB part intact over {t:?}");
    }
}

/// Large bodies are read straight into their own buffers and written in
/// pieces: a stream of them, of sizes around and far above the 64 KiB
/// read buffer, each followed by a small part, arrives intact and in order.
#[test]
fn streams_of_large_messages_arrive_intact() {
    let sizes = [
        65_535,
        65_536,
        65_537,
        100_000,
        262_144,
        300_007,
        1 << 20,
        3 << 20,
    ];
    for t in [Transport::Tcp, Transport::Ipc] {
        let ctx = Context::new();
        let pull = socket(&ctx, SocketType::Pull);
        let push = socket(&ctx, SocketType::Push);
        join(t, &pull, &push);
        let body = |size: usize, round: usize| -> Vec<u8> {
            (0..size).map(|i| ((i * 7 + round) % 251) as u8).collect()
        };
        let sender = std::thread::spawn({
            let push = push;
            move || {
                for round in 0..3 {
                    for size in sizes {
                        push.send(body(size, round), SNDMORE).unwrap();
                        push.send(&size.to_le_bytes()[..], 0).unwrap();
                    }
                }
                push
            }
        });
        for round in 0..3 {
            for size in sizes {
                let parts = pull.recv_multipart(0).unwrap();
                assert_eq!(parts.len(), 2, "{t:?}");
                assert!(parts[0] == body(size, round), "{size} B intact over {t:?}");
                assert_eq!(parts[1], size.to_le_bytes());
            }
        }
        drop(sender.join().unwrap());
    }
}

#[test]
fn hwm_blocks_push_and_resumes() {
    for t in [Transport::Tcp, Transport::Ipc] {
        let ctx = Context::new();
        let pull = socket(&ctx, SocketType::Pull);
        pull.set_rcvhwm(10).unwrap();
        let push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(10).unwrap();
        join(t, &pull, &push);
        // Wait for the connection so messages do not pile up in the
        // connecting pipe only.
        push.send("first", 0).unwrap();
        assert_eq!(pull.recv_bytes(0).unwrap(), b"first");
        // A short send timeout gives the I/O thread time to drain the pipe
        // into the connection; sends stop when both HWMs and the kernel
        // buffers are full.
        push.set_sndtimeo(200).unwrap();
        let mut sent = 0;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match push.send(vec![0u8; 1000], 0) {
                Ok(()) => sent += 1,
                Err(Error::Again) => break,
                Err(e) => panic!("{e}"),
            }
            assert!(Instant::now() < deadline, "HWM never reached over {t:?}");
        }
        // Queues on both sides plus kernel buffers: at least the HWMs.
        assert!(sent >= 20, "sent {sent} over {t:?}");
        for _ in 0..sent {
            pull.recv_bytes(0).unwrap();
        }
        push.send("after", 0).unwrap();
        assert_eq!(pull.recv_bytes(0).unwrap(), b"after");
    }
}

#[test]
fn reconnect_after_peer_restarts() {
    for t in [Transport::Tcp, Transport::Ipc] {
        let ctx = Context::new();
        let push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(10).unwrap();
        let pull = socket(&ctx, SocketType::Pull);
        let endpoint = join(t, &pull, &push);
        push.send("one", 0).unwrap();
        assert_eq!(pull.recv_bytes(0).unwrap(), b"one");
        drop(pull);
        let pull = socket(&ctx, SocketType::Pull);
        pull.bind(&endpoint).unwrap();
        // Until the pusher has noticed the old connection is gone, what it
        // sends may go into that connection and be lost (as with libzmq);
        // keep sending until one message arrives over the new one.
        pull.set_rcvtimeo(50).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            push.send("two", 0).unwrap();
            if let Ok(msg) = pull.recv_bytes(0) {
                assert_eq!(msg, b"two");
                break;
            }
            assert!(Instant::now() < deadline, "no reconnect over {t:?}");
        }
    }
}

#[test]
fn connect_before_bind_queues_messages() {
    for t in [Transport::Tcp, Transport::Ipc] {
        let ctx = Context::new();
        // Find a free endpoint, then release it.
        let probe = socket(&ctx, SocketType::Pull);
        probe.bind(&bind_endpoint(t)).unwrap();
        let endpoint = probe.get_last_endpoint().unwrap().unwrap();
        drop(probe);
        let push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(10).unwrap();
        push.connect(&endpoint).unwrap();
        push.send("early", DONTWAIT).unwrap();
        let pull = socket(&ctx, SocketType::Pull);
        pull.bind(&endpoint).unwrap();
        assert_eq!(pull.recv_bytes(0).unwrap(), b"early", "{t:?}");
    }
}

#[test]
fn linger_delivers_queued_messages_after_close() {
    for t in [Transport::Tcp, Transport::Ipc] {
        let ctx = Context::new();
        let pull = socket(&ctx, SocketType::Pull);
        pull.bind(&bind_endpoint(t)).unwrap();
        let endpoint = pull.get_last_endpoint().unwrap().unwrap();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.set_linger(5000).unwrap();
        push.connect(&endpoint).unwrap();
        for i in 0..100u32 {
            push.send(&i.to_le_bytes(), 0).unwrap();
        }
        drop(push);
        for i in 0..100u32 {
            assert_eq!(pull.recv_bytes(0).unwrap(), i.to_le_bytes(), "{t:?}");
        }
    }
}

#[test]
fn term_returns_with_zero_linger_and_dead_peer() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_linger(0).unwrap();
    push.connect("tcp://127.0.0.1:9").unwrap();
    push.send("never delivered", DONTWAIT).unwrap();
    drop(push);
    ctx.term().unwrap();
}

#[test]
fn unbind_and_disconnect() {
    for t in [Transport::Tcp, Transport::Ipc] {
        let ctx = Context::new();
        let pull = socket(&ctx, SocketType::Pull);
        let push = socket(&ctx, SocketType::Push);
        let endpoint = join(t, &pull, &push);
        push.send("x", 0).unwrap();
        assert_eq!(pull.recv_bytes(0).unwrap(), b"x");
        push.disconnect(&endpoint).unwrap();
        assert_eq!(push.disconnect(&endpoint), Err(Error::NoEnt));
        pull.unbind(&endpoint).unwrap();
        assert_eq!(pull.unbind(&endpoint), Err(Error::NoEnt));
        // The endpoint is free again.
        let again = socket(&ctx, SocketType::Pull);
        again.bind(&endpoint).unwrap();
    }
}

#[test]
fn bind_errors() {
    let ctx = Context::new();
    let a = socket(&ctx, SocketType::Pull);
    a.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = a.get_last_endpoint().unwrap().unwrap();
    assert!(endpoint.starts_with("tcp://127.0.0.1:"));
    let b = socket(&ctx, SocketType::Pull);
    assert_eq!(b.bind(&endpoint), Err(Error::AddrInUse));
    assert_eq!(b.bind("tcp://127.0.0.1"), Err(Error::Inval));
    assert_eq!(b.bind("bogus://x"), Err(Error::ProtoNoSupport));
    // norm:// without the `norm` feature: as a libzmq built without NORM
    // (the protocol check comes first, whatever the socket type).
    if !cfg!(feature = "norm") {
        let sub = socket(&ctx, SocketType::Sub);
        assert_eq!(
            sub.connect("norm://239.1.1.1:5555"),
            Err(Error::ProtoNoSupport)
        );
        assert_eq!(b.bind("norm://239.1.1.1:5555"), Err(Error::ProtoNoSupport));
    }
    // As libzmq: an empty host binds nowhere (ENODEV); a connect only
    // checks the syntax, the address fails at each attempt.
    assert_eq!(b.bind("tcp://:5555"), Err(Error::NoDev));
    assert_eq!(b.connect("tcp://:5555"), Ok(()));
    assert_eq!(b.connect("tcp://-host:5555"), Err(Error::Inval));
    assert_eq!(b.connect("tcp://127.0.0.1:*"), Err(Error::Inval));
}

#[test]
fn maxmsgsize_closes_only_the_offending_connection() {
    let ctx = Context::new();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_maxmsgsize(100).unwrap();
    pull.bind(&bind_endpoint(Transport::Tcp)).unwrap();
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    let bad = socket(&ctx, SocketType::Push);
    bad.set_reconnect_ivl(-1).unwrap();
    bad.connect(&endpoint).unwrap();
    let good = socket(&ctx, SocketType::Push);
    good.connect(&endpoint).unwrap();
    bad.send(vec![0u8; 1000], 0).unwrap();
    good.send("fine", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"fine");
    good.send("still fine", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"still fine");
}

#[test]
fn dealer_rep_and_dealer_dealer_and_router_router() {
    for t in ALL {
        let ctx = Context::new();
        // DEALER -> REP: the dealer supplies the empty delimiter itself.
        let rep = socket(&ctx, SocketType::Rep);
        let dealer = socket(&ctx, SocketType::Dealer);
        join(t, &rep, &dealer);
        dealer.send_multipart(["", "req"], 0).unwrap();
        assert_eq!(rep.recv_bytes(0).unwrap(), b"req");
        rep.send("rep", 0).unwrap();
        assert_eq!(
            dealer.recv_multipart(0).unwrap(),
            vec![vec![], b"rep".to_vec()]
        );

        let a = socket(&ctx, SocketType::Dealer);
        let b = socket(&ctx, SocketType::Dealer);
        join(t, &a, &b);
        b.send("x", 0).unwrap();
        assert_eq!(a.recv_bytes(0).unwrap(), b"x", "{t:?}");

        let r1 = socket(&ctx, SocketType::Router);
        r1.set_identity(b"r1").unwrap();
        let r2 = socket(&ctx, SocketType::Router);
        r2.set_identity(b"r2").unwrap();
        r2.set_router_mandatory(true).unwrap();
        join(t, &r1, &r2);
        // The connecting router learns r1's id in the handshake; retry until
        // the connection is up.
        let deadline = Instant::now() + Duration::from_secs(10);
        while r2.send_multipart(["r1", "hi"], DONTWAIT).is_err() {
            assert!(
                Instant::now() < deadline,
                "router never routable over {t:?}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(
            r1.recv_multipart(0).unwrap(),
            vec![b"r2".to_vec(), b"hi".to_vec()]
        );
    }
}

#[test]
fn tcp_ipv6_and_source_address() {
    let ctx = Context::new();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_ipv6(true).unwrap();
    if pull.bind("tcp://[::1]:*").is_ok() {
        let endpoint = pull.get_last_endpoint().unwrap().unwrap();
        assert!(endpoint.starts_with("tcp://[::1]:"), "{endpoint}");
        let push = socket(&ctx, SocketType::Push);
        push.set_ipv6(true).unwrap();
        push.connect(&endpoint).unwrap();
        push.send("v6", 0).unwrap();
        assert_eq!(pull.recv_bytes(0).unwrap(), b"v6");
    }
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    let port = endpoint.rsplit(':').next().unwrap();
    let push = socket(&ctx, SocketType::Push);
    push.connect(&format!("tcp://127.0.0.1:0;127.0.0.1:{port}"))
        .unwrap();
    push.send("from a source address", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"from a source address");
}

#[test]
fn context_options() {
    let ctx = Context::new();
    ctx.set_io_threads(2).unwrap();
    assert_eq!(ctx.get_io_threads().unwrap(), 2);
    ctx.set_max_sockets(3).unwrap();
    let a = socket(&ctx, SocketType::Pull);
    let b = socket(&ctx, SocketType::Push);
    let c = socket(&ctx, SocketType::Push);
    assert_eq!(ctx.socket(SocketType::Push).unwrap_err(), Error::MFile);
    // Two I/O threads carry connections.
    a.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = a.get_last_endpoint().unwrap().unwrap();
    b.connect(&endpoint).unwrap();
    c.connect(&endpoint).unwrap();
    b.send("b", 0).unwrap();
    c.send("c", 0).unwrap();
    let mut got = vec![a.recv_bytes(0).unwrap(), a.recv_bytes(0).unwrap()];
    got.sort();
    assert_eq!(got, vec![b"b".to_vec(), b"c".to_vec()]);
    // Once started, the I/O thread count is fixed: a new value is stored
    // and read back without effect, as libzmq.
    ctx.set_io_threads(4).unwrap();
    assert_eq!(ctx.get_io_threads().unwrap(), 4);
    b.send("still", 0).unwrap();
    assert_eq!(a.recv_bytes(0).unwrap(), b"still");
}
