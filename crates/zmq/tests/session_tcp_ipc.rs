//! End-to-end tests of sockets over tcp and ipc: listeners, sessions and
//! connecters on the I/O thread.

use zmq::{Context, SNDMORE, SocketType};

fn timeouts(socket: &zmq::Socket) {
    socket.set_rcvtimeo(10_000).unwrap();
    socket.set_sndtimeo(10_000).unwrap();
}

#[test]
fn push_pull_over_tcp_in_order() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&endpoint).unwrap();
    timeouts(&pull);
    timeouts(&push);
    let sender = std::thread::spawn(move || {
        for i in 0..20_000u32 {
            push.send(&i.to_be_bytes()[..], 0).unwrap();
        }
        push
    });
    for i in 0..20_000u32 {
        assert_eq!(pull.recv_bytes(0).unwrap(), i.to_be_bytes());
    }
    let push = sender.join().unwrap();
    drop(push);
    drop(pull);
    ctx.term().unwrap();
}

#[test]
fn dealer_router_over_ipc_with_routing_ids_and_large_messages() {
    let ctx = Context::new();
    let dir = std::env::temp_dir().join(format!("zmq-session-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let endpoint = format!("ipc://{}/router", dir.display());
    let router = ctx.socket(SocketType::Router).unwrap();
    router.bind(&endpoint).unwrap();
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    dealer.set_routing_id(b"dealer-1").unwrap();
    dealer.connect(&endpoint).unwrap();
    timeouts(&router);
    timeouts(&dealer);

    let big = vec![7u8; 300_000];
    dealer.send(&b"small"[..], SNDMORE).unwrap();
    dealer.send(&big[..], 0).unwrap();
    let parts = router.recv_multipart(0).unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], b"dealer-1");
    assert_eq!(parts[1], b"small");
    assert_eq!(parts[2], big);

    router.send(&b"dealer-1"[..], SNDMORE).unwrap();
    router.send(&b"reply"[..], 0).unwrap();
    assert_eq!(dealer.recv_bytes(0).unwrap(), b"reply");
    drop(dealer);
    drop(router);
    ctx.term().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn connect_before_bind_delivers_with_linger_on_close() {
    let ctx = Context::new();
    // Find a free port, then connect before anything listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_reconnect_ivl(10).unwrap();
    push.connect(&endpoint).unwrap();
    for i in 0..100u32 {
        push.send(&i.to_be_bytes()[..], 0).unwrap();
    }
    let pull = ctx.socket(SocketType::Pull).unwrap();
    timeouts(&pull);
    pull.bind(&endpoint).unwrap();
    // Closing with the default linger still sends everything queued.
    drop(push);
    for i in 0..100u32 {
        assert_eq!(pull.recv_bytes(0).unwrap(), i.to_be_bytes());
    }
    drop(pull);
    ctx.term().unwrap();
}
