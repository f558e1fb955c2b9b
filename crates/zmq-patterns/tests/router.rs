//! ROUTER (RFC 28): routing ids, handover, mandatory, probes.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::{owned, recv, send};
use zmq_patterns::mem::{MemHub, MemPipe};
use zmq_patterns::{
    Metadata, Msg, Pattern, PatternError, PatternOption, PatternOptionName, Req, Router,
};

fn router() -> Router<MemPipe> {
    Router::with_first_generated_id(0x0000_00ff)
}

#[test]
fn router_prefixes_peer_identity_and_routes_by_it() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, peer_a) = hub.pipe_with_identity(0, b"alice");
    let (b, peer_b) = hub.pipe_with_identity(0, b"bob");
    router.attach(a, false);
    router.attach(b, false);
    peer_a.send(&[b"hi", b"there"]);
    peer_b.send(&[b"yo"]);
    assert_eq!(
        recv(&mut router).unwrap(),
        owned(&[b"alice", b"hi", b"there"])
    );
    assert_eq!(recv(&mut router).unwrap(), owned(&[b"bob", b"yo"]));
    send(&mut router, &[b"bob", b"for", b"bob"]).unwrap();
    send(&mut router, &[b"alice", b"for alice"]).unwrap();
    assert_eq!(peer_b.recv(), Some(owned(&[b"for", b"bob"])));
    assert_eq!(peer_a.recv(), Some(owned(&[b"for alice"])));
}

#[test]
fn req_to_router_envelope_byte_for_byte() {
    let mut hub = MemHub::new();
    let mut req = Req::new();
    let (rpipe, rpeer) = hub.pipe(0);
    req.attach(rpipe, true);
    let mut router = router();
    let (opipe, opeer) = hub.pipe_with_identity(0, b"");
    router.attach(opipe, false);

    send(&mut req, &[b"request"]).unwrap();
    let wire = rpeer.recv().unwrap();
    assert_eq!(wire, owned(&[b"", b"request"]));
    let refs: Vec<&[u8]> = wire.iter().map(Vec::as_slice).collect();
    opeer.send(&refs);
    let got = recv(&mut router).unwrap();
    assert_eq!(
        got,
        vec![vec![0, 0, 0, 0, 0xff], vec![], b"request".to_vec()]
    );
    send(&mut router, &[&got[0], b"", b"reply"]).unwrap();
    let wire = opeer.recv().unwrap();
    assert_eq!(wire, owned(&[b"", b"reply"]));
    let refs: Vec<&[u8]> = wire.iter().map(Vec::as_slice).collect();
    rpeer.send(&refs);
    hub.deliver(&mut req);
    assert_eq!(recv(&mut req).unwrap(), owned(&[b"reply"]));
}

#[test]
fn empty_identities_get_generated_ids() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(0, b"");
    let (b, pb) = hub.pipe_with_identity(0, b"");
    router.attach(a, false);
    router.attach(b, false);
    assert_eq!(
        router.routing_id_of(pa.id()).unwrap()[..],
        [0, 0, 0, 0, 0xff]
    );
    assert_eq!(router.routing_id_of(pb.id()).unwrap()[..], [0, 0, 0, 1, 0]);
}

#[test]
fn pipe_stays_anonymous_until_its_identity_arrives() {
    let mut hub = MemHub::new();
    let mut router = router();
    router
        .set_option(PatternOption::RouterMandatory(true))
        .unwrap();
    let (pipe, peer) = hub.pipe(0);
    router.attach(pipe, false);
    assert!(router.routing_id_of(peer.id()).is_none());
    assert_eq!(
        send(&mut router, &[b"late", b"x"]),
        Err(PatternError::HostUnreachable)
    );
    let mut id = Msg::from_slice(b"late");
    id.set_flags(zmq_patterns::MsgFlags::ROUTING_ID);
    peer.send_msg(id);
    peer.send(&[b"data"]);
    hub.deliver(&mut router);
    assert_eq!(&router.routing_id_of(peer.id()).unwrap()[..], b"late");
    assert_eq!(recv(&mut router).unwrap(), owned(&[b"late", b"data"]));
    send(&mut router, &[b"late", b"x"]).unwrap();
    assert_eq!(peer.recv(), Some(owned(&[b"x"])));
}

#[test]
fn unknown_peer_is_dropped_or_unreachable_with_mandatory() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(0, b"known");
    router.attach(a, false);
    send(&mut router, &[b"nobody", b"lost"]).unwrap();
    // A lone routing-id frame is ignored too.
    send(&mut router, &[b"known"]).unwrap();
    send(&mut router, &[b"known", b"ok"]).unwrap();
    assert_eq!(pa.recv_all(), vec![owned(&[b"ok"])]);

    router
        .set_option(PatternOption::RouterMandatory(true))
        .unwrap();
    let mut id = Msg::from_slice(b"nobody");
    id.set_more(true);
    let err = router.send(id).unwrap_err();
    assert_eq!(err.kind, PatternError::HostUnreachable);
    assert_eq!(err.msg.data(), b"nobody");
    // The socket is back at the start of a message.
    send(&mut router, &[b"known", b"still ok"]).unwrap();
    assert_eq!(pa.recv_all(), vec![owned(&[b"still ok"])]);
}

#[test]
fn full_peer_drops_or_again_with_mandatory() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(1, b"slow");
    router.attach(a, false);
    assert!(router.has_out());
    send(&mut router, &[b"slow", b"1"]).unwrap();
    send(&mut router, &[b"slow", b"2"]).unwrap(); // dropped
    assert!(
        router.has_out(),
        "ROUTER is always writable without mandatory"
    );
    assert_eq!(pa.recv_all(), vec![owned(&[b"1"])]);

    router
        .set_option(PatternOption::RouterMandatory(true))
        .unwrap();
    send(&mut router, &[b"slow", b"3"]).unwrap();
    assert!(!router.has_out());
    assert_eq!(
        send(&mut router, &[b"slow", b"4"]),
        Err(PatternError::Again)
    );
    assert_eq!(pa.recv(), Some(owned(&[b"3"])));
    hub.deliver(&mut router);
    assert!(router.has_out());
    send(&mut router, &[b"slow", b"4"]).unwrap();
    assert_eq!(pa.recv(), Some(owned(&[b"4"])));
}

#[test]
fn duplicate_identity_is_refused_without_handover() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(0, b"dup");
    let (b, pb) = hub.pipe_with_identity(0, b"dup");
    router.attach(a, false);
    router.attach(b, false);
    assert!(pb.is_terminated());
    assert!(!pa.is_terminated());
    assert_eq!(hub.deliver(&mut router).len(), 1);
    send(&mut router, &[b"dup", b"to first"]).unwrap();
    assert_eq!(pa.recv(), Some(owned(&[b"to first"])));
}

#[test]
fn handover_gives_the_id_to_the_new_peer() {
    let mut hub = MemHub::new();
    let mut router = router();
    router
        .set_option(PatternOption::RouterHandover(true))
        .unwrap();
    let (a, pa) = hub.pipe_with_identity(0, b"dup");
    router.attach(a, false);
    pa.send(&[b"old pending"]);
    let (b, pb) = hub.pipe_with_identity(0, b"dup");
    router.attach(b, false);
    assert!(pa.is_terminated());
    assert!(!pb.is_terminated());
    assert_eq!(
        router.routing_id_of(pa.id()).unwrap()[..],
        [0, 0, 0, 0, 0xff]
    );
    send(&mut router, &[b"dup", b"to new"]).unwrap();
    assert_eq!(pb.recv(), Some(owned(&[b"to new"])));
    assert_eq!(pa.recv(), None);
    hub.deliver(&mut router);
    assert!(router.routing_id_of(pa.id()).is_none());
}

#[test]
fn handover_waits_for_the_message_being_read() {
    let mut hub = MemHub::new();
    let mut router = router();
    router
        .set_option(PatternOption::RouterHandover(true))
        .unwrap();
    let (a, pa) = hub.pipe_with_identity(0, b"dup");
    router.attach(a, false);
    pa.send(&[b"part1", b"part2"]);
    assert_eq!(router.recv().unwrap().data(), b"dup");
    assert_eq!(router.recv().unwrap().data(), b"part1");
    let (b, _pb) = hub.pipe_with_identity(0, b"dup");
    router.attach(b, false);
    assert!(!pa.is_terminated(), "still reading from it");
    assert_eq!(router.recv().unwrap().data(), b"part2");
    assert!(pa.is_terminated());
}

#[test]
fn connect_routing_id_names_the_peer_at_once() {
    let mut hub = MemHub::new();
    let mut router = router();
    assert_eq!(
        router.set_option(PatternOption::ConnectRoutingId(Some(Bytes::new()))),
        Err(PatternError::Invalid)
    );
    router
        .set_option(PatternOption::ConnectRoutingId(Some(Bytes::from_static(
            b"svc",
        ))))
        .unwrap();
    assert_eq!(
        router.option(PatternOptionName::ConnectRoutingId),
        Ok(PatternOption::ConnectRoutingId(Some(Bytes::from_static(
            b"svc"
        ))))
    );
    let id = router.take_connect_routing_id().unwrap();
    assert_eq!(router.take_connect_routing_id(), None, "one-shot");
    // The peer announces itself as "peer" but is known as "svc"; its
    // routing-id message is skipped.
    let (pipe, peer) = hub.pipe_with_identity(0, b"peer");
    router.attach_with_connect_routing_id(pipe, id);
    send(&mut router, &[b"svc", b"hello"]).unwrap();
    assert_eq!(peer.recv(), Some(owned(&[b"hello"])));
    peer.send(&[b"answer"]);
    assert_eq!(recv(&mut router).unwrap(), owned(&[b"svc", b"answer"]));
    // A connect routing id already in use is refused.
    assert_eq!(
        router.set_option(PatternOption::ConnectRoutingId(Some(Bytes::from_static(
            b"svc"
        )))),
        Err(PatternError::Invalid)
    );
}

#[test]
fn probe_router_sends_empty_message_on_attach() {
    let mut hub = MemHub::new();
    let mut router = router();
    router.set_option(PatternOption::ProbeRouter(true)).unwrap();
    let (pipe, peer) = hub.pipe_with_identity(0, b"p");
    router.attach(pipe, true);
    assert_eq!(peer.recv(), Some(vec![vec![]]));
}

#[test]
fn has_in_prefetches_and_keeps_order() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(0, b"a");
    router.attach(a, false);
    assert!(!router.has_in());
    let mut first = Msg::from_slice(b"x");
    first.set_more(true);
    let mut md = Metadata::new();
    md.insert("User-Id", Bytes::from_static(b"u"));
    first.set_metadata(Some(Arc::new(md)));
    pa.send_msg(first);
    pa.send_msg(Msg::from_slice(b"y"));
    hub.deliver(&mut router);
    assert!(router.has_in());
    assert!(router.has_in());
    let id = router.recv().unwrap();
    assert_eq!(id.data(), b"a");
    assert!(id.more());
    assert!(id.metadata().is_some(), "metadata copied to the id part");
    assert_eq!(recv(&mut router).unwrap(), owned(&[b"x", b"y"]));
    assert_eq!(router.recv().unwrap_err(), PatternError::Again);
}

#[test]
fn repeated_routing_id_messages_are_skipped() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(0, b"a");
    router.attach(a, false);
    let mut again = Msg::from_slice(b"a");
    again.set_flags(zmq_patterns::MsgFlags::ROUTING_ID);
    pa.send_msg(again);
    pa.send(&[b"data"]);
    assert_eq!(recv(&mut router).unwrap(), owned(&[b"a", b"data"]));
}

#[test]
fn detach_mid_send_drops_the_rest() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(0, b"a");
    router.attach(a, false);
    let mut id = Msg::from_slice(b"a");
    id.set_more(true);
    router.send(id).unwrap();
    let mut part = Msg::from_slice(b"1");
    part.set_more(true);
    router.send(part).unwrap();
    router.detach(pa.id()).unwrap();
    router.send(Msg::from_slice(b"2")).unwrap();
    assert_eq!(pa.recv(), None);
    // Back at the start of a message.
    let (b, pb) = hub.pipe_with_identity(0, b"b");
    router.attach(b, false);
    send(&mut router, &[b"b", b"fine"]).unwrap();
    assert_eq!(pb.recv(), Some(owned(&[b"fine"])));
}

#[test]
fn detach_after_has_in_forgets_the_prefetched_message() {
    let mut hub = MemHub::new();
    let mut router = router();
    let (a, pa) = hub.pipe_with_identity(0, b"a");
    router.attach(a, false);
    pa.send(&[b"x", b"y"]);
    assert!(router.has_in());
    router.detach(pa.id()).unwrap();
    assert!(!router.has_in());
    assert_eq!(router.recv().unwrap_err(), PatternError::Again);
}
