//! The draft session options over tcp: `ZMQ_RECONNECT_STOP`,
//! `ZMQ_HELLO_MSG`, `ZMQ_DISCONNECT_MSG`, `ZMQ_HICCUP_MSG`.

use std::sync::atomic::{AtomicU32, Ordering};

use zmq::monitor::{self, parse_event_v1};
use zmq::options::{
    RECONNECT_STOP_AFTER_DISCONNECT, RECONNECT_STOP_CONN_REFUSED, RECONNECT_STOP_HANDSHAKE_FAILED,
};
use zmq::{Context, Socket, SocketType};

static NEXT: AtomicU32 = AtomicU32::new(0);

fn monitored(ctx: &Context, socket: &Socket) -> Socket {
    let name = format!(
        "inproc://session-options-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    socket.monitor(&name, monitor::EVENT_ALL as i32).unwrap();
    let reader = ctx.socket(SocketType::Pair).unwrap();
    reader.set_rcvtimeo(5000).unwrap();
    reader.connect(&name).unwrap();
    reader
}

/// Events until `wanted`, in order (the wanted one last).
fn events_until(reader: &Socket, wanted: u64) -> Vec<u64> {
    let mut seen = Vec::new();
    loop {
        let parts = reader.recv_multipart(0).expect("event before timeout");
        let (event, _, _) = parse_event_v1(&parts).expect("v1 event");
        seen.push(u64::from(event));
        if u64::from(event) == wanted {
            return seen;
        }
    }
}

/// Events reported within `ms` (a bounded look for events that must not
/// come).
fn events_within(reader: &Socket, ms: i32) -> Vec<u64> {
    reader.set_rcvtimeo(ms).unwrap();
    let mut seen = Vec::new();
    while let Ok(parts) = reader.recv_multipart(0) {
        let (event, _, _) = parse_event_v1(&parts).expect("v1 event");
        seen.push(u64::from(event));
    }
    seen
}

fn timed(socket: Socket) -> Socket {
    socket.set_rcvtimeo(5000).unwrap();
    socket.set_linger(0).unwrap();
    socket
}

/// A tcp endpoint nobody listens on.
fn refusing_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("tcp://127.0.0.1:{port}")
}

#[test]
fn hello_msg_is_the_first_message_both_ways() {
    let ctx = Context::new();
    let router = timed(ctx.socket(SocketType::Router).unwrap());
    router.set_hello_msg(Some(b"from-router")).unwrap();
    router.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = router.get_last_endpoint().unwrap().unwrap();
    let dealer = timed(ctx.socket(SocketType::Dealer).unwrap());
    dealer.set_hello_msg(Some(b"from-dealer")).unwrap();
    dealer.connect(&endpoint).unwrap();
    dealer.send("after", 0).unwrap();
    assert_eq!(dealer.recv_bytes(0).unwrap(), b"from-router");
    let first = router.recv_multipart(0).unwrap();
    assert_eq!(first[1], b"from-dealer");
    let second = router.recv_multipart(0).unwrap();
    assert_eq!(second[1], b"after");
}

#[test]
fn hello_msg_is_not_sent_by_other_types() {
    let ctx = Context::new();
    let pull = timed(ctx.socket(SocketType::Pull).unwrap());
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    let push = timed(ctx.socket(SocketType::Push).unwrap());
    push.set_hello_msg(Some(b"hello")).unwrap();
    push.connect(&endpoint).unwrap();
    push.send("data", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"data");
}

#[test]
fn disconnect_msg_comes_as_from_the_departed_peer() {
    let ctx = Context::new();
    let router = timed(ctx.socket(SocketType::Router).unwrap());
    router.set_disconnect_msg(Some(b"gone")).unwrap();
    router.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = router.get_last_endpoint().unwrap().unwrap();
    let dealer = timed(ctx.socket(SocketType::Dealer).unwrap());
    dealer.set_routing_id(b"peer-1").unwrap();
    dealer.connect(&endpoint).unwrap();
    dealer.send("hi", 0).unwrap();
    assert_eq!(router.recv_multipart(0).unwrap(), [&b"peer-1"[..], b"hi"]);
    dealer.close();
    assert_eq!(router.recv_multipart(0).unwrap(), [&b"peer-1"[..], b"gone"]);
}

#[test]
fn hiccup_msg_comes_when_the_connection_drops() {
    let ctx = Context::new();
    let router = timed(ctx.socket(SocketType::Router).unwrap());
    router.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = router.get_last_endpoint().unwrap().unwrap();
    let dealer = timed(ctx.socket(SocketType::Dealer).unwrap());
    dealer.set_hiccup_msg(Some(b"hiccup")).unwrap();
    dealer.connect(&endpoint).unwrap();
    dealer.send("hi", 0).unwrap();
    let request = router.recv_multipart(0).unwrap();
    assert_eq!(request[1], b"hi");
    router.close();
    assert_eq!(dealer.recv_bytes(0).unwrap(), b"hiccup");
}

#[test]
fn reconnect_stop_conn_refused_ends_the_connect() {
    let ctx = Context::new();
    let dealer = timed(ctx.socket(SocketType::Dealer).unwrap());
    dealer
        .set_reconnect_stop(RECONNECT_STOP_CONN_REFUSED)
        .unwrap();
    assert_eq!(
        dealer.get_reconnect_stop().unwrap(),
        RECONNECT_STOP_CONN_REFUSED
    );
    dealer.set_reconnect_ivl(10).unwrap();
    let events = monitored(&ctx, &dealer);
    dealer.connect(&refusing_endpoint()).unwrap();
    let seen = events_until(&events, monitor::EVENT_CLOSED);
    assert!(!seen.contains(&monitor::EVENT_CONNECT_RETRIED), "{seen:x?}");
    let later = events_within(&events, 300);
    assert!(
        !later.contains(&monitor::EVENT_CONNECT_RETRIED),
        "{later:x?}"
    );
}

#[test]
fn without_reconnect_stop_a_refused_connect_retries() {
    let ctx = Context::new();
    let dealer = timed(ctx.socket(SocketType::Dealer).unwrap());
    dealer.set_reconnect_ivl(10).unwrap();
    let events = monitored(&ctx, &dealer);
    dealer.connect(&refusing_endpoint()).unwrap();
    events_until(&events, monitor::EVENT_CONNECT_RETRIED);
    events_until(&events, monitor::EVENT_CONNECT_RETRIED);
}

#[test]
fn reconnect_stop_handshake_failed_ends_the_connect() {
    let ctx = Context::new();
    // A tcp peer that accepts and hangs up: the handshake fails.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let closer = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        drop(stream);
        listener
    });
    let dealer = timed(ctx.socket(SocketType::Dealer).unwrap());
    dealer
        .set_reconnect_stop(RECONNECT_STOP_HANDSHAKE_FAILED)
        .unwrap();
    dealer.set_reconnect_ivl(10).unwrap();
    let events = monitored(&ctx, &dealer);
    dealer.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    let seen = events_until(&events, monitor::EVENT_DISCONNECTED);
    assert!(
        seen.contains(&monitor::EVENT_HANDSHAKE_FAILED_NO_DETAIL),
        "{seen:x?}"
    );
    let later = events_within(&events, 300);
    assert!(
        !later.contains(&monitor::EVENT_CONNECT_RETRIED),
        "{later:x?}"
    );
    drop(closer.join().unwrap());
}

#[test]
fn reconnect_stop_after_disconnect_stops_other_connects() {
    let ctx = Context::new();
    let router = timed(ctx.socket(SocketType::Router).unwrap());
    router.bind("tcp://127.0.0.1:*").unwrap();
    let live = router.get_last_endpoint().unwrap().unwrap();
    let dealer = timed(ctx.socket(SocketType::Dealer).unwrap());
    dealer
        .set_reconnect_stop(RECONNECT_STOP_AFTER_DISCONNECT)
        .unwrap();
    dealer.set_reconnect_ivl(10).unwrap();
    let events = monitored(&ctx, &dealer);
    dealer.connect(&refusing_endpoint()).unwrap();
    // Before any disconnect, a refused connect retries.
    events_until(&events, monitor::EVENT_CONNECT_RETRIED);
    dealer.connect(&live).unwrap();
    dealer.disconnect(&live).unwrap();
    // Retries (every 10 ms until now) stop: some window stays quiet.
    let stopped = (0..20).any(|_| {
        let window = events_within(&events, 200);
        !window.contains(&monitor::EVENT_CONNECT_RETRIED)
    });
    assert!(stopped, "the refused connect kept retrying");
}
