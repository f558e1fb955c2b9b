//! A panic in a session's I/O-thread handler closes that connection only.

use crate::monitor::{self, parse_event_v1};
use crate::session::peer_session::TEST_PANIC_PAYLOAD;
use crate::{Context, SocketType};

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
