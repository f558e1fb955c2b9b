//! End-to-end tests of pipe behaviour checked against libzmq 4.3.5: the
//! high-water marks of inproc pipes made before the bind, marks changed on
//! live pipes, connects waiting for a bind that outlive their socket, and
//! the hello and disconnect messages over inproc and tcp.

use std::sync::mpsc;
use std::time::Duration;

use zmq::{Context, DONTWAIT, Error, Socket, SocketType};

const MAX_SENDS: usize = 10_000;

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s.set_linger(0).unwrap();
    s
}

/// Sends empty messages without blocking until the socket refuses.
fn send_until_full(s: &Socket) -> usize {
    let mut count = 0;
    while count < MAX_SENDS && s.send(&b""[..], DONTWAIT).is_ok() {
        count += 1;
    }
    count
}

fn recv_all(s: &Socket) -> usize {
    let mut count = 0;
    while s.recv_bytes(DONTWAIT).is_ok() {
        count += 1;
    }
    count
}

/// libzmq's test_hwm `count_msg`: PUSH (SNDHWM) to PULL (RCVHWM) over
/// inproc; returns how many messages queue before the sender would block,
/// after checking that they all arrive and one more can go.
fn count_msg(sndhwm: i32, rcvhwm: i32, connect_first: bool, name: &str) -> usize {
    let ctx = Context::new();
    let endpoint = format!("inproc://{name}");
    let push = socket(&ctx, SocketType::Push);
    push.set_sndhwm(sndhwm).unwrap();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_rcvhwm(rcvhwm).unwrap();
    if connect_first {
        push.connect(&endpoint).unwrap();
        pull.bind(&endpoint).unwrap();
    } else {
        pull.bind(&endpoint).unwrap();
        push.connect(&endpoint).unwrap();
    }
    let sent = send_until_full(&push);
    assert_eq!(recv_all(&pull), sent);
    // The reader drained the queue: the writer goes on (a blocking send
    // bounded by SNDTIMEO).
    push.send(&b""[..], 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"");
    sent
}

#[test]
fn inproc_hwm_is_the_sum_of_both_sides_whichever_comes_first() {
    for connect_first in [false, true] {
        let tag = if connect_first { "c" } else { "b" };
        assert_eq!(
            count_msg(0, 0, connect_first, &format!("h00{tag}")),
            MAX_SENDS
        );
        assert_eq!(
            count_msg(1, 0, connect_first, &format!("h10{tag}")),
            MAX_SENDS
        );
        assert_eq!(
            count_msg(0, 1, connect_first, &format!("h01{tag}")),
            MAX_SENDS
        );
        assert_eq!(count_msg(1, 1, connect_first, &format!("h11{tag}")), 2);
        assert_eq!(
            count_msg(1000, 1000, connect_first, &format!("hdd{tag}")),
            2000
        );
    }
}

#[test]
fn inproc_connect_before_bind_queues_sndhwm_then_the_sum() {
    let ctx = Context::new();
    let push = socket(&ctx, SocketType::Push);
    push.connect("inproc://sndhwm-before-bind").unwrap();
    // No peer yet: the connecter's SNDHWM alone (libzmq: 1000, not 2000).
    assert_eq!(send_until_full(&push), 1000);
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("inproc://sndhwm-before-bind").unwrap();
    // Bound: SNDHWM + RCVHWM in all.
    assert_eq!(send_until_full(&push), 1000);
    assert_eq!(recv_all(&pull), 2000);
}

#[test]
fn inproc_connecter_closed_before_bind_delivers_at_bind() {
    let ctx = Context::new();
    let push = socket(&ctx, SocketType::Push);
    push.set_sndhwm(1).unwrap();
    push.connect("inproc://closed-first").unwrap();
    assert_eq!(send_until_full(&push), 1);
    drop(push);
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_rcvhwm(0).unwrap();
    pull.bind("inproc://closed-first").unwrap();
    assert_eq!(recv_all(&pull), 1);
    drop(pull);
    term_within(ctx, Duration::from_secs(5));
}

#[test]
fn ctx_term_does_not_wait_for_a_bind_that_never_comes() {
    let ctx = Context::new();
    let push = socket(&ctx, SocketType::Push);
    push.connect("inproc://never-bound").unwrap();
    push.send("lost", 0).unwrap();
    drop(push);
    let pair = socket(&ctx, SocketType::Pair);
    pair.connect("inproc://never-bound-either").unwrap();
    drop(pair);
    term_within(ctx, Duration::from_secs(5));
}

fn term_within(ctx: Context, limit: Duration) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        ctx.term().unwrap();
        let _ = done.send(());
    });
    finished
        .recv_timeout(limit)
        .expect("zmq_ctx_term returns once the sockets are closed");
}

#[test]
fn hwm_changed_after_connect_applies_to_inproc_pipes() {
    // libzmq's test_sockopt_hwm:test_change_after_connected.
    let ctx = Context::new();
    let push = socket(&ctx, SocketType::Push);
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_rcvhwm(1).unwrap();
    push.set_sndhwm(1).unwrap();
    pull.connect("inproc://change-after").unwrap();
    push.bind("inproc://change-after").unwrap();
    push.set_sndhwm(5).unwrap();
    assert_eq!(push.get_sndhwm().unwrap(), 5);
    // The new SNDHWM plus the peer's RCVHWM.
    assert_eq!(send_until_full(&push), 6);
    assert_eq!(recv_all(&pull), 6);
}

#[test]
fn hwm_raised_on_a_full_pipe_lets_the_writer_go_on() {
    let ctx = Context::new();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_rcvhwm(1).unwrap();
    pull.bind("inproc://raise").unwrap();
    let push = socket(&ctx, SocketType::Push);
    push.set_sndhwm(1).unwrap();
    push.connect("inproc://raise").unwrap();
    assert_eq!(send_until_full(&push), 2);
    push.set_sndhwm(3).unwrap();
    assert_eq!(send_until_full(&push), 2);
    assert_eq!(recv_all(&pull), 4);
}

#[test]
fn hwm_changed_after_connect_applies_to_tcp_pipes() {
    let ctx = Context::new();
    // Nothing listens there: messages wait in the connect's pipe.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let push = socket(&ctx, SocketType::Push);
    push.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    push.set_sndhwm(5).unwrap();
    assert_eq!(send_until_full(&push), 5);
}

#[test]
fn hello_msg_over_inproc_bind_first() {
    let ctx = Context::new();
    let router = socket(&ctx, SocketType::Router);
    router.set_hello_msg(Some(b"H")).unwrap();
    router.bind("inproc://hello").unwrap();
    let dealer = socket(&ctx, SocketType::Dealer);
    dealer.connect("inproc://hello").unwrap();
    assert_eq!(dealer.recv_bytes(0).unwrap(), b"H");
}

#[test]
fn hello_msg_over_inproc_both_ways_with_a_late_bind() {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Server);
    server.set_hello_msg(Some(b"W")).unwrap();
    let client = socket(&ctx, SocketType::Client);
    client.set_hello_msg(Some(b"H")).unwrap();
    client.connect("inproc://late-hello").unwrap();
    server.bind("inproc://late-hello").unwrap();
    assert_eq!(client.recv_bytes(0).unwrap(), b"W");
    assert_eq!(server.recv_bytes(0).unwrap(), b"H");
    // A socket type that sends none (PUSH) ignores the option.
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("inproc://no-hello").unwrap();
    let push = socket(&ctx, SocketType::Push);
    push.set_hello_msg(Some(b"X")).unwrap();
    push.connect("inproc://no-hello").unwrap();
    push.send("data", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"data");
}

/// SERVER with a disconnect message, CLIENT with a hello: the server gets
/// the hello, then the disconnect message once `leave` ends the client.
fn disconnect_msg_case(endpoint: &str, leave: impl FnOnce(Socket, &str)) {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Server);
    server.set_disconnect_msg(Some(b"D")).unwrap();
    server.bind(endpoint).unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    let client = socket(&ctx, SocketType::Client);
    client.set_hello_msg(Some(b"H")).unwrap();
    client.connect(&endpoint).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"H");
    leave(client, &endpoint);
    assert_eq!(server.recv_bytes(0).unwrap(), b"D");
}

#[test]
fn disconnect_msg_over_inproc_on_close() {
    disconnect_msg_case("inproc://bye-close", |client, _| drop(client));
}

#[test]
fn disconnect_msg_over_inproc_on_disconnect() {
    disconnect_msg_case("inproc://bye-disconnect", |client, endpoint| {
        client.disconnect(endpoint).unwrap();
        // Once only: the close after it sends nothing more.
        drop(client);
    });
}

#[test]
fn disconnect_msg_over_tcp() {
    disconnect_msg_case("tcp://127.0.0.1:*", |client, _| drop(client));
}

#[test]
fn disconnect_msg_over_inproc_with_a_late_bind() {
    let ctx = Context::new();
    let client = socket(&ctx, SocketType::Client);
    client.connect("inproc://bye-late").unwrap();
    client.send("hi", 0).unwrap();
    let server = socket(&ctx, SocketType::Server);
    server.set_disconnect_msg(Some(b"D")).unwrap();
    server.bind("inproc://bye-late").unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"hi");
    drop(client);
    assert_eq!(server.recv_bytes(0).unwrap(), b"D");
    assert_eq!(server.recv_bytes(DONTWAIT), Err(Error::Again));
}

/// libzmq's test_reconnect_ivl: with `ZMQ_RECONNECT_IVL` = -1 a lost
/// connection is not remade, and a new connect to the same endpoint
/// restores traffic (the old one ended with its pipe).
#[test]
fn reconnect_ivl_off_then_a_second_connect_restores_traffic() {
    fn bounce(a: &Socket, b: &Socket) {
        a.send("ping", 0).unwrap();
        assert_eq!(b.recv_bytes(0).unwrap(), b"ping");
        b.send("pong", 0).unwrap();
        assert_eq!(a.recv_bytes(0).unwrap(), b"pong");
    }
    fn expect_bounce_fail(a: &Socket, b: &Socket) {
        for (from, to) in [(a, b), (b, a)] {
            let _ = from.send("lost", DONTWAIT);
            to.set_rcvtimeo(150).unwrap();
            assert_eq!(to.recv_bytes(0), Err(Error::Again));
            to.set_rcvtimeo(5000).unwrap();
        }
    }
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Pair);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    let client = socket(&ctx, SocketType::Pair);
    client.set_reconnect_ivl(-1).unwrap();
    client.connect(&endpoint).unwrap();
    bounce(&server, &client);
    server.unbind(&endpoint).unwrap();
    expect_bounce_fail(&server, &client);
    server.bind(&endpoint).unwrap();
    expect_bounce_fail(&server, &client);
    client.connect(&endpoint).unwrap();
    bounce(&server, &client);
}

/// As libzmq: unbinding an inproc name frees it (another socket may bind
/// it) and keeps the connections already made.
#[test]
fn inproc_unbind_frees_the_name_and_keeps_the_pipes() {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Pair);
    server.bind("inproc://unbind-keeps").unwrap();
    let client = socket(&ctx, SocketType::Pair);
    client.connect("inproc://unbind-keeps").unwrap();
    server.unbind("inproc://unbind-keeps").unwrap();
    client.send("still", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"still");
    server.send("here", 0).unwrap();
    assert_eq!(client.recv_bytes(0).unwrap(), b"here");
    let other = socket(&ctx, SocketType::Pair);
    other.bind("inproc://unbind-keeps").unwrap();
    assert_eq!(
        server.unbind("inproc://unbind-keeps"),
        Err(Error::NoEnt),
        "bound by another socket now"
    );
}

/// Waits for `ZMQ_EVENT_DISCONNECTED` from the monitor `events` reads,
/// then a little longer: the session hands its socket the end of the
/// connect just after reporting it.
fn wait_disconnected(events: &Socket) {
    loop {
        let parts = events.recv_multipart(0).expect("event before timeout");
        let (event, _, _) = zmq::monitor::parse_event_v1(&parts).expect("v1 event");
        if u64::from(event) == zmq::monitor::EVENT_DISCONNECTED {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(250));
}

fn lost_connection_then_disconnect(reconnect_ivl: i32, name: &str) -> (Result<(), Error>, bool) {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Pair);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    let client = socket(&ctx, SocketType::Pair);
    client.set_reconnect_ivl(reconnect_ivl).unwrap();
    let monitor = format!("inproc://{name}");
    client
        .monitor(&monitor, zmq::monitor::EVENT_DISCONNECTED as i32)
        .unwrap();
    let events = socket(&ctx, SocketType::Pair);
    events.connect(&monitor).unwrap();
    client.connect(&endpoint).unwrap();
    client.send("ping", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"ping");
    drop(server);
    wait_disconnected(&events);
    let first = client.disconnect(&endpoint);
    // A new connect to the endpoint is the socket's again, once.
    client.connect(&endpoint).unwrap();
    let again =
        client.disconnect(&endpoint).is_ok() && client.disconnect(&endpoint) == Err(Error::NoEnt);
    (first, again)
}

/// As libzmq: with `ZMQ_RECONNECT_IVL` -1 (or 0) a lost connection ends
/// the connect and the socket forgets the endpoint (the session sends its
/// socket `term_endpoint`), so disconnecting it fails with ENOENT.
#[test]
fn reconnect_ivl_off_drops_the_endpoint_after_a_lost_connection() {
    for (ivl, name) in [(-1, "ivl-minus-one"), (0, "ivl-zero")] {
        let (first, again) = lost_connection_then_disconnect(ivl, name);
        assert_eq!(first, Err(Error::NoEnt), "RECONNECT_IVL {ivl}");
        assert!(again, "RECONNECT_IVL {ivl}: a new connect is listed");
    }
}

/// The control: a connect that reconnects keeps its endpoint.
#[test]
fn reconnecting_connect_keeps_its_endpoint_after_a_lost_connection() {
    let (first, again) = lost_connection_then_disconnect(100, "ivl-100");
    assert_eq!(first, Ok(()));
    assert!(again);
}
