//! `zmq::proxy` and `zmq::proxy_steerable` end to end: forwarding both
//! ways over tcp and inproc, multipart, capture, steering, termination.

use std::thread;

use zmq::{
    Context, DONTWAIT, Error, POLLIN, ProxyStatistics, SNDMORE, Socket, SocketType, poll, proxy,
    proxy_steerable, proxy_with_capture,
};

/// Receive timeout on test sockets, so that a broken proxy fails a test
/// instead of hanging it.
const RECV_LIMIT_MS: i32 = 5000;

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let socket = ctx.socket(kind).expect("socket");
    socket.set_rcvtimeo(RECV_LIMIT_MS).expect("rcvtimeo");
    socket.set_linger(0).expect("linger");
    socket
}

fn bind_tcp(socket: &Socket) -> String {
    socket.bind("tcp://127.0.0.1:*").expect("bind");
    socket
        .get_last_endpoint()
        .expect("last endpoint")
        .expect("utf-8 endpoint")
}

fn recv_parts(socket: &Socket) -> Vec<Vec<u8>> {
    socket.recv_multipart(0).expect("recv multipart")
}

/// Whether `socket` gets a message within `ms` (a bounded negative check).
fn readable_within(socket: &Socket, ms: i64) -> bool {
    let mut items = [socket.as_poll_item(POLLIN)];
    poll(&mut items, ms).expect("poll") == 1
}

#[test]
fn streamer_forwards_multipart_over_tcp_and_captures_every_part() {
    let ctx = Context::new();
    let frontend = socket(&ctx, SocketType::Pull);
    let backend = socket(&ctx, SocketType::Push);
    let capture = socket(&ctx, SocketType::Push);
    let front_endpoint = bind_tcp(&frontend);
    let back_endpoint = bind_tcp(&backend);
    capture
        .bind("inproc://proxy-capture")
        .expect("bind capture");
    let captured = socket(&ctx, SocketType::Pull);
    captured
        .connect("inproc://proxy-capture")
        .expect("connect capture");

    let proxy_thread = thread::spawn(move || proxy_with_capture(&frontend, &backend, &capture));

    let producer = socket(&ctx, SocketType::Push);
    producer.connect(&front_endpoint).expect("connect producer");
    let consumer = socket(&ctx, SocketType::Pull);
    consumer.connect(&back_endpoint).expect("connect consumer");

    for index in 0..50u32 {
        let parts: Vec<Vec<u8>> = vec![
            format!("head-{index}").into_bytes(),
            Vec::new(),
            vec![7u8; 300 + index as usize],
        ];
        producer.send_multipart(&parts, 0).expect("send");
    }
    for index in 0..50u32 {
        let expected: Vec<Vec<u8>> = vec![
            format!("head-{index}").into_bytes(),
            Vec::new(),
            vec![7u8; 300 + index as usize],
        ];
        assert_eq!(recv_parts(&consumer), expected);
        assert_eq!(recv_parts(&captured), expected);
    }

    drop((producer, consumer, captured));
    ctx.shutdown();
    assert_eq!(proxy_thread.join().expect("proxy thread"), Err(Error::Term));
}

#[test]
fn shared_queue_forwards_requests_and_replies_over_inproc() {
    let ctx = Context::new();
    let frontend = socket(&ctx, SocketType::Router);
    let backend = socket(&ctx, SocketType::Dealer);
    frontend.bind("inproc://queue-front").expect("bind");
    backend.bind("inproc://queue-back").expect("bind");
    let proxy_thread = thread::spawn(move || proxy(&frontend, &backend));

    let worker = socket(&ctx, SocketType::Rep);
    worker
        .connect("inproc://queue-back")
        .expect("connect worker");
    let clients: Vec<Socket> = (0..3)
        .map(|_| {
            let client = socket(&ctx, SocketType::Req);
            client.connect("inproc://queue-front").expect("connect");
            client
        })
        .collect();

    for round in 0..5 {
        for (index, client) in clients.iter().enumerate() {
            client
                .send(format!("request {index}/{round}").as_str(), 0)
                .expect("send request");
        }
        for _ in 0..clients.len() {
            let request = worker.recv_bytes(0).expect("worker recv");
            let mut reply = b"reply to ".to_vec();
            reply.extend_from_slice(&request);
            worker.send(reply, 0).expect("worker send");
        }
        for (index, client) in clients.iter().enumerate() {
            let reply = client.recv_string(0).expect("client recv").expect("utf-8");
            assert_eq!(reply, format!("reply to request {index}/{round}"));
        }
    }

    drop((worker, clients));
    ctx.shutdown();
    assert_eq!(proxy_thread.join().expect("proxy thread"), Err(Error::Term));
}

#[test]
fn forwarder_carries_subscriptions_upstream_and_messages_down() {
    let ctx = Context::new();
    let frontend = socket(&ctx, SocketType::XSub);
    let backend = socket(&ctx, SocketType::XPub);
    let publisher = socket(&ctx, SocketType::Pub);
    let pub_endpoint = bind_tcp(&publisher);
    frontend.connect(&pub_endpoint).expect("connect xsub");
    let back_endpoint = bind_tcp(&backend);
    let proxy_thread = thread::spawn(move || proxy(&frontend, &backend));

    let subscriber = socket(&ctx, SocketType::Sub);
    subscriber.set_subscribe(b"news").expect("subscribe");
    subscriber.connect(&back_endpoint).expect("connect sub");

    // The subscription travels sub -> xpub -> proxy -> xsub -> pub over
    // two connections: publish until it has arrived (bounded).
    let mut delivered = false;
    for _ in 0..200 {
        publisher.send("weather: rain", 0).expect("publish");
        publisher.send("news: proxy works", 0).expect("publish");
        if readable_within(&subscriber, 50) {
            delivered = true;
            break;
        }
    }
    assert!(delivered, "no publication reached the subscriber");
    assert_eq!(
        subscriber.recv_string(0).expect("recv").expect("utf-8"),
        "news: proxy works"
    );

    drop((publisher, subscriber));
    ctx.shutdown();
    assert_eq!(proxy_thread.join().expect("proxy thread"), Err(Error::Term));
}

/// Sends a control command on a REQ socket and returns the reply parts.
fn command(control: &Socket, text: &str) -> Vec<Vec<u8>> {
    control.send(text, 0).expect("send command");
    recv_parts(control)
}

#[test]
fn steerable_pause_resume_statistics_terminate() {
    let ctx = Context::new();
    let frontend = socket(&ctx, SocketType::Pull);
    let backend = socket(&ctx, SocketType::Push);
    let control = socket(&ctx, SocketType::Rep);
    frontend.bind("inproc://steer-front").expect("bind");
    backend.bind("inproc://steer-back").expect("bind");
    control.bind("inproc://steer-control").expect("bind");
    let proxy_thread = thread::spawn(move || proxy_steerable(&frontend, &backend, &control));

    let producer = socket(&ctx, SocketType::Push);
    producer.connect("inproc://steer-front").expect("connect");
    let consumer = socket(&ctx, SocketType::Pull);
    consumer.connect("inproc://steer-back").expect("connect");
    let steer = socket(&ctx, SocketType::Req);
    steer.connect("inproc://steer-control").expect("connect");

    producer.send_multipart(["ab", "cde"], 0).expect("send");
    assert_eq!(recv_parts(&consumer), vec![b"ab".to_vec(), b"cde".to_vec()]);

    assert_eq!(command(&steer, "PAUSE"), vec![Vec::<u8>::new()]);
    producer.send("held", 0).expect("send");
    assert!(!readable_within(&consumer, 100), "forwarded while paused");
    assert_eq!(command(&steer, "RESUME"), vec![Vec::<u8>::new()]);
    assert_eq!(consumer.recv_string(0).expect("recv"), Ok("held".into()));

    // Unknown commands change nothing but still get the REP reply.
    assert_eq!(command(&steer, "FLY"), vec![Vec::<u8>::new()]);

    let reply = command(&steer, "STATISTICS");
    let stats = ProxyStatistics::from_reply(&reply).expect("eight u64 parts");
    assert_eq!(stats.frontend.msgs_in, 3);
    assert_eq!(stats.frontend.bytes_in, 9);
    assert_eq!(stats.frontend.msgs_out, 0);
    assert_eq!(stats.frontend.bytes_out, 0);
    assert_eq!(stats.backend.msgs_in, 0);
    assert_eq!(stats.backend.bytes_in, 0);
    assert_eq!(stats.backend.msgs_out, 3);
    assert_eq!(stats.backend.bytes_out, 9);

    assert_eq!(command(&steer, "TERMINATE"), vec![Vec::<u8>::new()]);
    assert_eq!(proxy_thread.join().expect("proxy thread"), Ok(()));
}

#[test]
fn steerable_with_pair_control_replies_only_to_statistics() {
    let ctx = Context::new();
    let frontend = socket(&ctx, SocketType::Dealer);
    let backend = socket(&ctx, SocketType::Dealer);
    let control = socket(&ctx, SocketType::Pair);
    frontend.bind("inproc://pair-front").expect("bind");
    backend.bind("inproc://pair-back").expect("bind");
    control.bind("inproc://pair-control").expect("bind");
    let proxy_thread = thread::spawn(move || proxy_steerable(&frontend, &backend, &control));

    let left = socket(&ctx, SocketType::Dealer);
    left.connect("inproc://pair-front").expect("connect");
    let right = socket(&ctx, SocketType::Dealer);
    right.connect("inproc://pair-back").expect("connect");
    let steer = socket(&ctx, SocketType::Pair);
    steer.connect("inproc://pair-control").expect("connect");

    left.send("to the right", SNDMORE).expect("send");
    left.send("end", 0).expect("send");
    assert_eq!(
        recv_parts(&right),
        vec![b"to the right".to_vec(), b"end".to_vec()]
    );
    right.send("back", 0).expect("send");
    assert_eq!(recv_parts(&left), vec![b"back".to_vec()]);

    steer.send("PAUSE", 0).expect("send");
    steer.send("STATISTICS", 0).expect("send");
    let stats = ProxyStatistics::from_reply(&recv_parts(&steer)).expect("stats");
    assert_eq!(stats.frontend.msgs_in, 2);
    assert_eq!(stats.frontend.bytes_out, 4);
    assert_eq!(stats.backend.msgs_in, 1);
    assert_eq!(stats.backend.bytes_out, 15);
    // Nothing but the statistics came back on the PAIR.
    assert_eq!(steer.recv_msg(DONTWAIT).err(), Some(Error::Again));

    steer.send("TERMINATE", 0).expect("send");
    assert_eq!(proxy_thread.join().expect("proxy thread"), Ok(()));
}

#[test]
fn full_backend_pushes_back_and_loses_nothing() {
    let ctx = Context::new();
    let frontend = socket(&ctx, SocketType::Pull);
    let backend = socket(&ctx, SocketType::Push);
    for s in [&frontend, &backend] {
        s.set_sndhwm(5).expect("sndhwm");
        s.set_rcvhwm(5).expect("rcvhwm");
    }
    frontend.bind("inproc://hwm-front").expect("bind");
    backend.bind("inproc://hwm-back").expect("bind");
    let proxy_thread = thread::spawn(move || proxy(&frontend, &backend));

    let producer = socket(&ctx, SocketType::Push);
    producer.set_sndhwm(5).expect("sndhwm");
    producer.connect("inproc://hwm-front").expect("connect");
    let consumer = socket(&ctx, SocketType::Pull);
    consumer.set_rcvhwm(5).expect("rcvhwm");
    consumer.connect("inproc://hwm-back").expect("connect");

    // With nobody reading, the queues fill up and the producer is told
    // to wait: the proxy stops taking messages it cannot pass on.
    let mut sent = 0u32;
    let mut refused = false;
    for _ in 0..200 {
        match producer.send(sent.to_be_bytes().to_vec(), DONTWAIT) {
            Ok(()) => sent += 1,
            Err(Error::Again) => refused = true,
            Err(err) => panic!("send: {err}"),
        }
    }
    assert!(refused, "producer was never held back");
    assert!(sent < 200, "sent {sent} without back pressure");
    for expected in 0..sent {
        let got = consumer.recv_bytes(0).expect("recv");
        assert_eq!(got, expected.to_be_bytes().to_vec());
    }

    drop((producer, consumer));
    ctx.shutdown();
    assert_eq!(proxy_thread.join().expect("proxy thread"), Err(Error::Term));
}
