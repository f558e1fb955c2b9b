//! End-to-end draft socket types over tcp, ipc and inproc: SERVER/CLIENT,
//! RADIO/DISH, SCATTER/GATHER, PEER, CHANNEL.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use zmq::{Context, Error, Message, SNDMORE, Socket, SocketType};

static NEXT: AtomicU32 = AtomicU32::new(0);

fn endpoints() -> Vec<String> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    vec![
        "tcp://127.0.0.1:*".to_owned(),
        format!(
            "ipc://{}/zmq-rs-draft-{}-{n}.sock",
            std::env::temp_dir().display(),
            std::process::id()
        ),
        format!("inproc://draft-{n}"),
    ]
}

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s.set_linger(0).unwrap();
    s
}

/// Binds `a`, connects `b` to it; the resolved endpoint.
fn bind_connect(a: &Socket, b: &Socket, endpoint: &str) -> String {
    a.bind(endpoint).unwrap();
    let endpoint = a.get_last_endpoint().unwrap().unwrap();
    b.connect(&endpoint).unwrap();
    endpoint
}

#[test]
fn client_server_every_transport() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let server = socket(&ctx, SocketType::Server);
        let client = socket(&ctx, SocketType::Client);
        bind_connect(&server, &client, &endpoint);
        client.send("request", 0).unwrap();
        let request = server.recv_msg(0).unwrap();
        assert_eq!(&request[..], b"request", "{endpoint}");
        assert_ne!(request.routing_id(), 0);
        let mut reply = Message::from_slice(b"reply");
        reply.set_routing_id(request.routing_id());
        server.send_msg(reply, 0).unwrap();
        assert_eq!(client.recv_bytes(0).unwrap(), b"reply", "{endpoint}");
        // Single-part only; unknown routing ids are unreachable.
        assert_eq!(client.send("a", SNDMORE), Err(Error::Inval));
        let mut stray = Message::from_slice(b"x");
        stray.set_routing_id(request.routing_id().wrapping_add(1000));
        assert_eq!(server.send_msg(stray, 0), Err(Error::HostUnreach));
    }
}

#[test]
fn server_tells_clients_apart() {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    let clients: Vec<Socket> = (0..3)
        .map(|_| {
            let c = socket(&ctx, SocketType::Client);
            c.connect(&endpoint).unwrap();
            c
        })
        .collect();
    for (i, c) in clients.iter().enumerate() {
        c.send(format!("{i}").as_str(), 0).unwrap();
    }
    for _ in 0..3 {
        let msg = server.recv_msg(0).unwrap();
        let mut echo = Message::from_slice(&msg);
        echo.set_routing_id(msg.routing_id());
        server.send_msg(echo, 0).unwrap();
    }
    for (i, c) in clients.iter().enumerate() {
        assert_eq!(c.recv_bytes(0).unwrap(), format!("{i}").as_bytes());
    }
}

/// Sends `probe` to group `group` until `dish` receives it (joins travel
/// asynchronously), bounded in time.
fn wait_joined(radio: &Socket, dish: &Socket, group: &[u8]) {
    dish.set_rcvtimeo(20).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut probe = Message::from_slice(b"probe");
        probe.set_group(group).unwrap();
        radio.send_msg(probe, 0).unwrap();
        if let Ok(msg) = dish.recv_msg(0) {
            assert_eq!(&msg[..], b"probe");
            break;
        }
        assert!(Instant::now() < deadline, "join never arrived");
    }
    while dish.recv_msg(zmq::DONTWAIT).is_ok() {}
    dish.set_rcvtimeo(5000).unwrap();
}

#[test]
fn radio_dish_every_transport() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let radio = socket(&ctx, SocketType::Radio);
        let dish = socket(&ctx, SocketType::Dish);
        dish.join(b"movies").unwrap();
        bind_connect(&radio, &dish, &endpoint);
        wait_joined(&radio, &dish, b"movies");
        for (group, body) in [(&b"tv"[..], "not joined"), (b"movies", "joined")] {
            let mut msg = Message::from_slice(body.as_bytes());
            msg.set_group(group).unwrap();
            radio.send_msg(msg, 0).unwrap();
        }
        let got = dish.recv_msg(0).unwrap();
        assert_eq!(&got[..], b"joined", "{endpoint}");
        assert_eq!(got.group(), Some(&b"movies"[..]));
        // Joining after the connection works too.
        dish.join(b"tv").unwrap();
        wait_joined(&radio, &dish, b"tv");
        dish.leave(b"tv").unwrap();
        assert_eq!(dish.leave(b"tv"), Err(Error::Inval));
        assert_eq!(dish.join(&[b'g'; 256]), Err(Error::Inval));
        assert_eq!(radio.join(b"x"), Err(Error::NotSup));
        assert_eq!(radio.send("x", SNDMORE), Err(Error::Inval));
    }
}

#[test]
fn scatter_gather_every_transport() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let gather = socket(&ctx, SocketType::Gather);
        let scatter = socket(&ctx, SocketType::Scatter);
        bind_connect(&gather, &scatter, &endpoint);
        for i in 0..10 {
            scatter.send(format!("{i}").as_str(), 0).unwrap();
        }
        for i in 0..10 {
            assert_eq!(gather.recv_bytes(0).unwrap(), format!("{i}").as_bytes());
        }
        assert_eq!(scatter.send("x", SNDMORE), Err(Error::Inval));
    }
}

#[test]
fn channel_every_transport() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let a = socket(&ctx, SocketType::Channel);
        let b = socket(&ctx, SocketType::Channel);
        bind_connect(&a, &b, &endpoint);
        b.send("ping", 0).unwrap();
        assert_eq!(a.recv_bytes(0).unwrap(), b"ping");
        a.send("pong", 0).unwrap();
        assert_eq!(b.recv_bytes(0).unwrap(), b"pong");
        assert_eq!(a.send("x", SNDMORE), Err(Error::Inval));
    }
}

#[test]
fn peer_connects_and_routes_by_id_every_transport() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let bound = socket(&ctx, SocketType::Peer);
        let connecting = socket(&ctx, SocketType::Peer);
        bound.bind(&endpoint).unwrap();
        let endpoint = bound.get_last_endpoint().unwrap().unwrap();
        let id = connecting.connect_peer(&endpoint).unwrap();
        assert_ne!(id, 0);
        let mut hello = Message::from_slice(b"hello");
        hello.set_routing_id(id);
        connecting.send_msg(hello, 0).unwrap();
        let got = bound.recv_msg(0).unwrap();
        assert_eq!(&got[..], b"hello", "{endpoint}");
        let mut reply = Message::from_slice(b"welcome");
        reply.set_routing_id(got.routing_id());
        bound.send_msg(reply, 0).unwrap();
        let back = connecting.recv_msg(0).unwrap();
        assert_eq!(&back[..], b"welcome");
        assert_eq!(back.routing_id(), id);
        connecting.disconnect_peer(id).unwrap();
        assert_eq!(
            connecting.disconnect_peer(id ^ 0x5555),
            Err(Error::HostUnreach)
        );
    }
}

#[test]
fn draft_calls_check_the_socket_type() {
    let ctx = Context::new();
    let dealer = socket(&ctx, SocketType::Dealer);
    assert_eq!(
        dealer.connect_peer("tcp://127.0.0.1:5555"),
        Err(Error::NotSup)
    );
    assert_eq!(dealer.disconnect_peer(1), Err(Error::NotSup));
    assert_eq!(dealer.leave(b"g"), Err(Error::NotSup));
    let peer = socket(&ctx, SocketType::Peer);
    peer.set_immediate(true).unwrap();
    assert_eq!(peer.connect_peer("tcp://127.0.0.1:5555"), Err(Error::Fault));
    assert!(peer.get_thread_safe().unwrap());
}

#[test]
fn thread_safe_sockets_share_blocking_calls() {
    use std::sync::Arc;
    use zmq::ThreadSafeSocket;

    let ctx = Context::new();
    let server = Arc::new(ThreadSafeSocket::new(&ctx, SocketType::Server).unwrap());
    let client = Arc::new(ThreadSafeSocket::new(&ctx, SocketType::Client).unwrap());
    for s in [&server, &client] {
        s.with(|s| {
            s.set_rcvtimeo(5000).unwrap();
            s.set_linger(0).unwrap();
        });
    }
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.with(|s| s.get_last_endpoint().unwrap().unwrap());
    client.connect(&endpoint).unwrap();
    const PER_THREAD: usize = 50;
    const THREADS: usize = 4;
    // Server threads block in recv at the same time and echo.
    let echoers: Vec<_> = (0..2)
        .map(|_| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                let mut echoed = 0;
                while let Ok(msg) = server.recv_msg(0) {
                    if &msg[..] == b"stop" {
                        break;
                    }
                    let mut reply = Message::from_slice(&msg);
                    reply.set_routing_id(msg.routing_id());
                    server.send_msg(reply, 0).unwrap();
                    echoed += 1;
                }
                echoed
            })
        })
        .collect();
    // Client threads send and receive on one socket at the same time.
    let senders: Vec<_> = (0..THREADS)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || {
                let mut received = 0;
                for _ in 0..PER_THREAD {
                    client.send("x", 0).unwrap();
                    client.recv_bytes(0).unwrap();
                    received += 1;
                }
                received
            })
        })
        .collect();
    let received: usize = senders.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(received, PER_THREAD * THREADS);
    for _ in 0..2 {
        client.send("stop", 0).unwrap();
    }
    let echoed: usize = echoers.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(echoed, PER_THREAD * THREADS);
}

#[test]
fn thread_safe_recv_times_out_and_dontwait() {
    let ctx = Context::new();
    let gather = zmq::ThreadSafeSocket::new(&ctx, SocketType::Gather).unwrap();
    assert_eq!(
        gather.recv_msg(zmq::DONTWAIT).map(|_| ()),
        Err(Error::Again)
    );
    gather.with(|s| s.set_rcvtimeo(30).unwrap());
    let started = Instant::now();
    assert_eq!(gather.recv_msg(0).map(|_| ()), Err(Error::Again));
    assert!(started.elapsed() >= Duration::from_millis(25));
}
