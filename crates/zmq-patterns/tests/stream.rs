//! STREAM, and ROUTER in raw mode (`ZMQ_ROUTER_RAW`), over in-memory pipes.

mod common;

use bytes::Bytes;
use common::{owned, recv, send};
use zmq_patterns::mem::MemHub;
use zmq_patterns::{Msg, MsgFlags, Pattern, PatternError, PatternOption, Router, Stream};

const FIRST: [u8; 5] = [0, 0, 0, 0, 1];
const SECOND: [u8; 5] = [0, 0, 0, 0, 2];

#[test]
fn received_chunks_come_with_the_peer_routing_id() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    let (a, a_peer) = hub.pipe(0);
    let (b, b_peer) = hub.pipe(0);
    stream.attach(a, false);
    stream.attach(b, true);
    assert!(!stream.has_in());
    a_peer.send(&[b"GET / HTTP/1.0\r\n"]);
    b_peer.send(&[b"hello"]);
    hub.deliver(&mut stream);
    let mut got = vec![recv(&mut stream).unwrap(), recv(&mut stream).unwrap()];
    got.sort();
    assert_eq!(
        got,
        vec![
            owned(&[&FIRST, b"GET / HTTP/1.0\r\n"]),
            owned(&[&SECOND, b"hello"]),
        ]
    );
    assert_eq!(stream.recv().map(|_| ()), Err(PatternError::Again));
}

#[test]
fn has_in_prefetches_without_losing_the_routing_id() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    let (a, a_peer) = hub.pipe(0);
    stream.attach(a, false);
    a_peer.send(&[b"x"]);
    assert!(stream.has_in());
    assert!(stream.has_in());
    assert_eq!(recv(&mut stream).unwrap(), owned(&[&FIRST, b"x"]));
    assert!(!stream.has_in());
}

#[test]
fn in_band_routing_id_messages_and_more_flags_are_ignored() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    let (a, a_peer) = hub.pipe_with_identity(0, b"announced");
    stream.attach(a, false);
    let mut chunk = Msg::from_slice(b"data");
    chunk.set_flags(MsgFlags::MORE);
    a_peer.send_msg(chunk);
    a_peer.send(&[b"tail"]);
    assert_eq!(recv(&mut stream).unwrap(), owned(&[&FIRST, b"data"]));
    assert_eq!(recv(&mut stream).unwrap(), owned(&[&FIRST, b"tail"]));
}

#[test]
fn send_routes_by_routing_id_and_ignores_more_on_data() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    let (a, a_peer) = hub.pipe(0);
    let (b, b_peer) = hub.pipe(0);
    stream.attach(a, false);
    stream.attach(b, false);
    send(&mut stream, &[&SECOND, b"to b"]).unwrap();
    // A data part with MORE still ends the message.
    let mut id = Msg::from_slice(&FIRST);
    id.set_more(true);
    stream.send(id).unwrap();
    let mut data = Msg::from_slice(b"to a");
    data.set_more(true);
    stream.send(data).unwrap();
    send(&mut stream, &[&FIRST, b"again"]).unwrap();
    assert_eq!(b_peer.recv(), Some(owned(&[b"to b"])));
    assert_eq!(a_peer.recv(), Some(owned(&[b"to a"])));
    assert_eq!(a_peer.recv(), Some(owned(&[b"again"])));
}

#[test]
fn unknown_peer_is_unreachable_and_full_peer_is_again() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    assert_eq!(
        send(&mut stream, &[b"nobody", b"x"]),
        Err(PatternError::HostUnreachable)
    );
    let (a, a_peer) = hub.pipe(1);
    stream.attach(a, false);
    send(&mut stream, &[&FIRST, b"1"]).unwrap();
    assert_eq!(send(&mut stream, &[&FIRST, b"2"]), Err(PatternError::Again));
    assert!(stream.has_out());
    assert_eq!(a_peer.recv(), Some(owned(&[b"1"])));
    send(&mut stream, &[&FIRST, b"3"]).unwrap();
    assert_eq!(a_peer.recv(), Some(owned(&[b"3"])));
}

#[test]
fn empty_data_part_closes_the_peer() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    let (a, a_peer) = hub.pipe(0);
    stream.attach(a, false);
    send(&mut stream, &[&FIRST, b"bye"]).unwrap();
    send(&mut stream, &[&FIRST, b""]).unwrap();
    assert!(a_peer.is_terminated());
    assert_eq!(a_peer.recv(), Some(owned(&[b"bye"])));
    let detached = hub.deliver(&mut stream);
    assert_eq!(detached.len(), 1);
    assert_eq!(
        send(&mut stream, &[&FIRST, b"x"]),
        Err(PatternError::HostUnreachable)
    );
}

#[test]
fn routing_id_without_more_is_ignored_and_next_part_is_data() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    let (a, a_peer) = hub.pipe(0);
    stream.attach(a, false);
    // libzmq: a lone first part selects nothing; the next one is taken as
    // data for nobody.
    send(&mut stream, &[&FIRST]).unwrap();
    send(&mut stream, &[b"dropped"]).unwrap();
    send(&mut stream, &[&FIRST, b"kept"]).unwrap();
    assert_eq!(a_peer.recv(), Some(owned(&[b"kept"])));
    assert_eq!(a_peer.recv(), None);
}

#[test]
fn connect_routing_id_names_the_next_connected_peer() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    stream
        .set_option(PatternOption::ConnectRoutingId(Some(Bytes::from_static(
            b"conn1",
        ))))
        .unwrap();
    let rid = stream.take_connect_routing_id().unwrap();
    assert_eq!(stream.take_connect_routing_id(), None);
    let (a, a_peer) = hub.pipe(0);
    stream.attach_with_connect_routing_id(a, rid);
    a_peer.send(&[b""]);
    assert_eq!(recv(&mut stream).unwrap(), owned(&[b"conn1", b""]));
    send(&mut stream, &[b"conn1", b"hi"]).unwrap();
    assert_eq!(a_peer.recv(), Some(owned(&[b"hi"])));
    assert_eq!(
        stream.set_option(PatternOption::ConnectRoutingId(Some(Bytes::new()))),
        Err(PatternError::Invalid)
    );
    assert_eq!(
        stream.set_option(PatternOption::RouterMandatory(true)),
        Err(PatternError::Invalid)
    );
}

#[test]
fn detached_peer_becomes_unreachable() {
    let mut hub = MemHub::new();
    let mut stream = Stream::with_first_generated_id(1);
    let (a, a_peer) = hub.pipe(0);
    stream.attach(a, false);
    assert!(stream.detach(a_peer.id()).is_some());
    assert_eq!(
        send(&mut stream, &[&FIRST, b"x"]),
        Err(PatternError::HostUnreachable)
    );
}

#[test]
fn raw_router_names_peers_at_once_and_closes_on_empty_data() {
    let mut hub = MemHub::new();
    let mut router = Router::with_first_generated_id(1);
    router.set_option(PatternOption::RouterRaw(true)).unwrap();
    assert_eq!(
        router.option(zmq_patterns::PatternOptionName::RouterRaw),
        Ok(PatternOption::RouterRaw(true))
    );
    // No routing-id message: the peer is routable right away.
    let (a, a_peer) = hub.pipe(0);
    router.attach(a, false);
    let mut id = Msg::from_slice(&FIRST);
    id.set_more(true);
    router.send(id).unwrap();
    let mut data = Msg::from_slice(b"raw");
    data.set_more(true); // ignored in raw mode
    router.send(data).unwrap();
    assert_eq!(a_peer.recv(), Some(owned(&[b"raw"])));
    a_peer.send(&[b"reply"]);
    assert_eq!(recv(&mut router).unwrap(), owned(&[&FIRST, b"reply"]));
    send(&mut router, &[&FIRST, b""]).unwrap();
    assert!(a_peer.is_terminated());
}
