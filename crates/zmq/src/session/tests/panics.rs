//! A panic in a session's or a listener's I/O-thread handler closes that
//! connection or endpoint only, with a monitor event.

use crate::monitor::{self, parse_event_v1};
use crate::session::listener::TEST_PANIC_ENDPOINT;
use crate::session::peer_session::TEST_PANIC_PAYLOAD;
use crate::{Context, Socket, SocketType};

/// The next event of `monitor` that is `wanted`, as (value, endpoint).
fn wait_for_event(monitor: &Socket, wanted: u64) -> (u32, String) {
    loop {
        let parts = monitor.recv_multipart(0).expect("event before timeout");
        let (event, value, endpoint) = parse_event_v1(&parts).unwrap();
        if u64::from(event) == wanted {
            return (value, endpoint);
        }
    }
}

/// A monitor of `socket` at `name`, every event.
fn monitor_of(ctx: &Context, socket: &Socket, name: &str) -> Socket {
    socket.monitor(name, monitor::EVENT_ALL as i32).unwrap();
    let events = ctx.socket(SocketType::Pair).unwrap();
    events.set_rcvtimeo(5000).unwrap();
    events.connect(name).unwrap();
    events
}

#[test]
fn a_panicking_listener_closes_its_endpoint_with_an_event_and_the_rest_goes_on() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Router).unwrap();
    server.set_rcvtimeo(5000).unwrap();
    let events = monitor_of(&ctx, &server, "inproc://listener-panic-monitor");
    let path =
        std::env::temp_dir().join(format!("{TEST_PANIC_ENDPOINT}-{}.ipc", std::process::id()));
    let endpoint = format!("ipc://{}", path.display());
    server.bind(&endpoint).unwrap();
    let (listening_fd, _) = wait_for_event(&events, monitor::EVENT_LISTENING);

    let first = ctx.socket(SocketType::Dealer).unwrap();
    first.set_rcvtimeo(5000).unwrap();
    let first_events = monitor_of(&ctx, &first, "inproc://listener-panic-client");
    first.connect(&endpoint).unwrap();
    first.send(&b"hello"[..], 0).unwrap();
    let parts = server.recv_multipart(0).unwrap();
    assert_eq!(parts[1], b"hello");

    // The listener panics accepting the second connection: the endpoint
    // is closed as libzmq reports a closed listener.
    let second = ctx.socket(SocketType::Dealer).unwrap();
    second.connect(&endpoint).unwrap();
    let (closed_fd, closed_endpoint) = wait_for_event(&events, monitor::EVENT_CLOSED);
    assert_eq!(
        (closed_fd, closed_endpoint),
        (listening_fd, endpoint.clone())
    );

    // The connection accepted before goes on, both ways.
    first.send(&b"still there"[..], 0).unwrap();
    let parts = server.recv_multipart(0).unwrap();
    assert_eq!(parts[1], b"still there");
    server
        .send_multipart([parts[0].clone(), b"reply".to_vec()], 0)
        .unwrap();
    assert_eq!(first.recv_bytes(0).unwrap(), b"reply");
    // So do the socket's other endpoints.
    server.bind("tcp://127.0.0.1:*").unwrap();
    let tcp = server.get_last_endpoint().unwrap().unwrap();
    let late = ctx.socket(SocketType::Dealer).unwrap();
    late.connect(&tcp).unwrap();
    late.send(&b"late"[..], 0).unwrap();
    let parts = server.recv_multipart(0).unwrap();
    assert_eq!(parts[1], b"late");

    // Unbinding still closes what the listener accepted.
    server.unbind(&endpoint).unwrap();
    wait_for_event(&first_events, monitor::EVENT_DISCONNECTED);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_panicking_session_is_closed_with_an_event_and_the_others_go_on() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Router).unwrap();
    server.set_rcvtimeo(5000).unwrap();
    server
        .monitor("inproc://panic-monitor", monitor::EVENT_ALL as i32)
        .unwrap();
    let events = ctx.socket(SocketType::Pair).unwrap();
    events.set_rcvtimeo(5000).unwrap();
    events.connect("inproc://panic-monitor").unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();

    let good = ctx.socket(SocketType::Dealer).unwrap();
    good.set_rcvtimeo(5000).unwrap();
    good.connect(&endpoint).unwrap();
    let bad = ctx.socket(SocketType::Dealer).unwrap();
    bad.connect(&endpoint).unwrap();

    good.send(&b"hello"[..], 0).unwrap();
    let parts = server.recv_multipart(0).unwrap();
    assert_eq!(parts[1], b"hello");

    // The bad peer's session panics on the I/O thread the good one's
    // session shares (one I/O thread by default).
    bad.send(TEST_PANIC_PAYLOAD, 0).unwrap();
    loop {
        let parts = events
            .recv_multipart(0)
            .expect("DISCONNECTED before timeout");
        let (event, _, _) = parse_event_v1(&parts).unwrap();
        if u64::from(event) == monitor::EVENT_DISCONNECTED {
            break;
        }
    }

    // The other connection is still served, both ways.
    good.send(&b"still there"[..], 0).unwrap();
    let parts = server.recv_multipart(0).unwrap();
    assert_eq!(parts[1], b"still there");
    server
        .send_multipart([parts[0].clone(), b"reply".to_vec()], 0)
        .unwrap();
    assert_eq!(good.recv_bytes(0).unwrap(), b"reply");
    // And new connections are accepted.
    let late = ctx.socket(SocketType::Dealer).unwrap();
    late.connect(&endpoint).unwrap();
    late.send(&b"late"[..], 0).unwrap();
    let parts = server.recv_multipart(0).unwrap();
    assert_eq!(parts[1], b"late");
}
