//! Monitor events (`zmq_socket_monitor`), version 1 frames.

use std::sync::atomic::{AtomicU32, Ordering};

use zmq::monitor::{self, parse_event_v1};
use zmq::{Context, Socket, SocketType};

static NEXT: AtomicU32 = AtomicU32::new(0);

fn monitored(ctx: &Context, socket: &Socket) -> Socket {
    let name = format!("inproc://monitor-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    socket.monitor(&name, monitor::EVENT_ALL as i32).unwrap();
    let reader = ctx.socket(SocketType::Pair).unwrap();
    reader.set_rcvtimeo(5000).unwrap();
    reader.connect(&name).unwrap();
    reader
}

/// Reads events until `wanted` shows up; returns (value, endpoint).
fn expect_event(reader: &Socket, wanted: u64) -> (u32, String) {
    loop {
        let parts = reader.recv_multipart(0).expect("event before timeout");
        let (event, value, endpoint) = parse_event_v1(&parts).expect("v1 event frames");
        if u64::from(event) == wanted {
            return (value, endpoint);
        }
    }
}

#[test]
fn connection_life_cycle_events() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep).unwrap();
    let server_events = monitored(&ctx, &server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    let (fd, ep) = expect_event(&server_events, monitor::EVENT_LISTENING);
    assert!(fd > 0);
    assert_eq!(ep, endpoint);

    let client = ctx.socket(SocketType::Req).unwrap();
    let client_events = monitored(&ctx, &client);
    client.connect(&endpoint).unwrap();
    let (_, ep) = expect_event(&client_events, monitor::EVENT_CONNECTED);
    assert_eq!(ep, endpoint, "connect events name the endpoint given");
    expect_event(&client_events, monitor::EVENT_HANDSHAKE_SUCCEEDED);
    let (_, ep) = expect_event(&server_events, monitor::EVENT_ACCEPTED);
    assert_eq!(ep, endpoint);
    expect_event(&server_events, monitor::EVENT_HANDSHAKE_SUCCEEDED);

    drop(server);
    expect_event(&client_events, monitor::EVENT_DISCONNECTED);
    expect_event(&client_events, monitor::EVENT_CONNECT_RETRIED);
    expect_event(&server_events, monitor::EVENT_CLOSED);
    expect_event(&server_events, monitor::EVENT_MONITOR_STOPPED);
}

#[test]
fn event_frame_layout_is_byte_exact() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Pull).unwrap();
    let events = monitored(&ctx, &server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let parts = events.recv_multipart(0).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].len(), 6, "u16 event + u32 value");
    assert_eq!(
        &parts[0][..2],
        &(monitor::EVENT_LISTENING as u16).to_ne_bytes()
    );
}

#[test]
fn incompatible_peer_is_disconnected() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Pull).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    let client = ctx.socket(SocketType::Pull).unwrap();
    let events = monitored(&ctx, &client);
    client.connect(&endpoint).unwrap();
    expect_event(&events, monitor::EVENT_CONNECTED);
    expect_event(&events, monitor::EVENT_DISCONNECTED);
}

#[test]
fn bind_failure_is_reported() {
    let ctx = Context::new();
    let a = ctx.socket(SocketType::Pull).unwrap();
    a.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = a.get_last_endpoint().unwrap().unwrap();
    let b = ctx.socket(SocketType::Pull).unwrap();
    let events = monitored(&ctx, &b);
    assert_eq!(b.bind(&endpoint), Err(zmq::Error::AddrInUse));
    // As libzmq: the listener's socket is reported closed first (its fd,
    // no endpoint yet), then the bind fails under the address without
    // its scheme.
    let (event, fd, closed_endpoint) = next_event(&events);
    assert_eq!(u64::from(event), monitor::EVENT_CLOSED);
    assert!(fd > 0);
    assert_eq!(closed_endpoint, "");
    let (event, errno, failed_endpoint) = next_event(&events);
    assert_eq!(u64::from(event), monitor::EVENT_BIND_FAILED);
    assert_eq!(errno as i32, zmq::Error::AddrInUse.errno());
    assert_eq!(
        Some(failed_endpoint.as_str()),
        endpoint.strip_prefix("tcp://")
    );
}

#[test]
fn ipc_bind_failure_reports_the_closed_socket_then_the_address() {
    let ctx = Context::new();
    let socket = ctx.socket(SocketType::Pull).unwrap();
    let events = monitored(&ctx, &socket);
    let path = format!("/nonexistent-zmq-rs-dir-{}/socket", std::process::id());
    let endpoint = format!("ipc://{path}");
    let errno = socket.bind(&endpoint).unwrap_err().errno();
    assert_eq!(errno, libc::ENOENT);
    // libzmq's ipc listener names its endpoint `ipc://path` when it closes
    // the socket; socket_base_t::bind then names the bare address.
    let (event, fd, closed_endpoint) = next_event(&events);
    assert_eq!(u64::from(event), monitor::EVENT_CLOSED);
    assert!(fd > 0);
    assert_eq!(closed_endpoint, endpoint);
    let (event, value, failed_endpoint) = next_event(&events);
    assert_eq!(u64::from(event), monitor::EVENT_BIND_FAILED);
    assert_eq!(value as i32, errno);
    assert_eq!(failed_endpoint, path);
}

#[test]
fn bind_failure_without_a_socket_reports_no_close() {
    let ctx = Context::new();
    let socket = ctx.socket(SocketType::Pull).unwrap();
    let events = monitored(&ctx, &socket);
    // Resolving fails before any socket is opened: only BIND_FAILED.
    assert!(socket.bind("tcp://no-such-interface-zmq-rs:5555").is_err());
    let (event, _, failed_endpoint) = next_event(&events);
    assert_eq!(u64::from(event), monitor::EVENT_BIND_FAILED);
    assert_eq!(failed_endpoint, "no-such-interface-zmq-rs:5555");
}

#[test]
fn monitor_version_3_is_accepted_and_sends_nothing() {
    let ctx = Context::new();
    let socket = ctx.socket(SocketType::Pull).unwrap();
    // libzmq checks only the events of version 1; any other version is
    // accepted, and then no event is sent.
    socket
        .monitor_versioned(
            "inproc://monitor-v3",
            monitor::EVENT_ALL_V2,
            3,
            SocketType::Pair,
        )
        .unwrap();
    let reader = ctx.socket(SocketType::Pair).unwrap();
    reader.set_rcvtimeo(200).unwrap();
    reader.connect("inproc://monitor-v3").unwrap();
    socket.bind("tcp://127.0.0.1:*").unwrap();
    socket.stop_monitor().unwrap();
    assert_eq!(reader.recv_multipart(0).err(), Some(zmq::Error::Again));
    assert_eq!(
        socket.monitor_versioned(
            "inproc://monitor-v1-wide",
            monitor::EVENT_ALL_V2,
            1,
            SocketType::Pair
        ),
        Err(zmq::Error::Inval),
        "version 1 takes 16-bit events only"
    );
}

/// The next event: (event, value, endpoint).
fn next_event(reader: &Socket) -> (u16, u32, String) {
    let parts = reader.recv_multipart(0).expect("event before timeout");
    parse_event_v1(&parts).expect("v1 event frames")
}

#[test]
fn pipes_stats_report_queued_messages() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(5000).unwrap();
    assert_eq!(
        pull.monitor_pipes_stats(),
        Err(zmq::Error::Inval),
        "no monitor yet"
    );
    pull.monitor_versioned(
        "inproc://stats-monitor",
        monitor::EVENT_PIPES_STATS,
        2,
        SocketType::Pair,
    )
    .unwrap();
    let reader = ctx.socket(SocketType::Pair).unwrap();
    reader.set_rcvtimeo(5000).unwrap();
    reader.connect("inproc://stats-monitor").unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&endpoint).unwrap();
    for _ in 0..10 {
        push.send("queued", 0).unwrap();
    }
    // Receive one, so all ten have reached PULL's queue.
    assert_eq!(pull.recv_bytes(0).unwrap(), b"queued");
    pull.monitor_pipes_stats().unwrap();
    // The answer reaches the monitored socket as a command, applied on
    // its next API call (as libzmq's manual says).
    reader.set_rcvtimeo(10).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let parts = loop {
        pull.get_events().unwrap();
        if let Ok(parts) = reader.recv_multipart(0) {
            break parts;
        }
        assert!(std::time::Instant::now() < deadline, "no PIPES_STATS event");
    };
    let event = monitor::parse_event_v2(&parts).expect("v2 event");
    assert_eq!(event.event, monitor::EVENT_PIPES_STATS);
    assert_eq!(event.local, endpoint, "a bound endpoint is the local one");
    // Egress 0 (PULL sends nothing); ingress: what the session wrote and
    // the socket has not reported read yet (reads are reported every
    // low-water mark, as in libzmq): 9 or 10.
    assert_eq!(event.values.len(), 2);
    assert_eq!(event.values[0], 0);
    assert!((9..=10).contains(&event.values[1]), "{:?}", event.values);
}
