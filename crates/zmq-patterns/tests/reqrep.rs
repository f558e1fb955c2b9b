//! REQ, REP and DEALER (RFC 28): envelopes byte for byte, lockstep, options.

mod common;

use common::{owned, recv, send};
use zmq_patterns::mem::{MemHub, MemPeer};
use zmq_patterns::{
    AnyPattern, Dealer, Msg, Pattern, PatternError, PatternOption, PatternOptionName, Rep, Req,
    SocketType,
};

fn req_with_peers(hub: &mut MemHub, n: usize) -> (Req<zmq_patterns::mem::MemPipe>, Vec<MemPeer>) {
    let mut req = Req::new();
    let peers = (0..n)
        .map(|_| {
            let (pipe, peer) = hub.pipe(0);
            req.attach(pipe, true);
            peer
        })
        .collect();
    (req, peers)
}

#[test]
fn req_prepends_delimiter_and_takes_reply_from_its_peer_only() {
    let mut hub = MemHub::new();
    let (mut req, peers) = req_with_peers(&mut hub, 2);
    send(&mut req, &[b"ping"]).unwrap();
    let (asked, other) = if peers[0].pending_parts() > 0 {
        (&peers[0], &peers[1])
    } else {
        (&peers[1], &peers[0])
    };
    assert_eq!(asked.recv(), Some(owned(&[b"", b"ping"])));
    // A reply from the other peer is dropped; malformed replies too.
    other.send(&[b"", b"impostor"]);
    asked.send(&[b"no delimiter"]);
    asked.send(&[b"x", b"", b"bad delimiter"]);
    asked.send(&[b"", b"pong", b"!"]);
    hub.deliver(&mut req);
    assert_eq!(recv(&mut req).unwrap(), owned(&[b"pong", b"!"]));
    assert_eq!(req.recv().unwrap_err(), PatternError::Fsm);
}

#[test]
fn req_round_robins_requests() {
    let mut hub = MemHub::new();
    let (mut req, peers) = req_with_peers(&mut hub, 2);
    for round in 0..4u8 {
        send(&mut req, &[&[round]]).unwrap();
        let asked = peers.iter().find(|p| p.pending_parts() > 0).unwrap();
        assert_eq!(asked.recv(), Some(vec![vec![], vec![round]]));
        asked.send(&[b"", b"ok"]);
        hub.deliver(&mut req);
        assert_eq!(recv(&mut req).unwrap(), owned(&[b"ok"]));
    }
    assert_eq!(peers[0].recv_all().len(), 0);
}

#[test]
fn req_lockstep_errors() {
    let mut hub = MemHub::new();
    let (mut req, peers) = req_with_peers(&mut hub, 1);
    assert_eq!(req.recv().unwrap_err(), PatternError::Fsm);
    assert!(!req.has_in());
    assert!(req.has_out());
    send(&mut req, &[b"a"]).unwrap();
    assert!(!req.has_out());
    let err = req.send(Msg::from_slice(b"b")).unwrap_err();
    assert_eq!(err.kind, PatternError::Fsm);
    assert_eq!(err.msg.data(), b"b");
    assert_eq!(req.recv().unwrap_err(), PatternError::Again);
    peers[0].send(&[b"", b"r"]);
    hub.deliver(&mut req);
    assert!(req.has_in());
    assert_eq!(recv(&mut req).unwrap(), owned(&[b"r"]));
    assert!(req.has_out());
}

#[test]
fn req_without_peer_says_again_and_keeps_the_message() {
    let mut req: Req<zmq_patterns::mem::MemPipe> = Req::new();
    let err = req.send(Msg::from_slice(b"q")).unwrap_err();
    assert_eq!(err.kind, PatternError::Again);
    assert_eq!(err.msg.data(), b"q");
    // Still in the sending state.
    assert_eq!(req.recv().unwrap_err(), PatternError::Fsm);
}

#[test]
fn req_correlate_adds_request_id_and_filters_replies() {
    let mut hub = MemHub::new();
    let (mut req, peers) = req_with_peers(&mut hub, 1);
    req.set_option(PatternOption::ReqCorrelate(true)).unwrap();
    send(&mut req, &[b"q1"]).unwrap();
    let request = peers[0].recv().unwrap();
    assert_eq!(request.len(), 3);
    assert_eq!(request[0].len(), 4);
    assert_eq!(&request[1..], &owned(&[b"", b"q1"])[..]);
    let id = request[0].clone();
    let mut wrong = id.clone();
    wrong[0] ^= 0xff;
    peers[0].send(&[&wrong, b"", b"stale"]);
    peers[0].send(&[b"", b"no id"]);
    peers[0].send(&[&id, b"", b"fresh"]);
    hub.deliver(&mut req);
    assert_eq!(recv(&mut req).unwrap(), owned(&[b"fresh"]));
    // The next request has the next id.
    send(&mut req, &[b"q2"]).unwrap();
    let next = peers[0].recv().unwrap();
    assert_ne!(next[0], id);
}

#[test]
fn req_relaxed_allows_a_new_request_and_drops_old_replies() {
    let mut hub = MemHub::new();
    let (mut req, peers) = req_with_peers(&mut hub, 1);
    req.set_option(PatternOption::ReqRelaxed(true)).unwrap();
    req.set_option(PatternOption::ReqCorrelate(true)).unwrap();
    assert_eq!(
        req.option(PatternOptionName::ReqRelaxed),
        Ok(PatternOption::ReqRelaxed(true))
    );
    send(&mut req, &[b"first"]).unwrap();
    let first = peers[0].recv().unwrap();
    assert!(req.has_out());
    send(&mut req, &[b"second"]).unwrap();
    let second = peers[0].recv().unwrap();
    // The late reply to the first request is not taken for the second.
    peers[0].send(&[&first[0], b"", b"late"]);
    peers[0].send(&[&second[0], b"", b"right"]);
    hub.deliver(&mut req);
    assert_eq!(recv(&mut req).unwrap(), owned(&[b"right"]));
}

#[test]
fn req_relaxed_drops_replies_that_arrived_before_the_new_request() {
    let mut hub = MemHub::new();
    let (mut req, peers) = req_with_peers(&mut hub, 1);
    req.set_option(PatternOption::ReqRelaxed(true)).unwrap();
    send(&mut req, &[b"first"]).unwrap();
    peers[0].recv().unwrap();
    peers[0].send(&[b"", b"late"]);
    hub.deliver(&mut req);
    send(&mut req, &[b"second"]).unwrap();
    peers[0].send(&[b"", b"right"]);
    hub.deliver(&mut req);
    assert_eq!(recv(&mut req).unwrap(), owned(&[b"right"]));
}

#[test]
fn rep_strips_envelope_and_puts_it_back_on_the_reply() {
    let mut hub = MemHub::new();
    let mut rep = Rep::new();
    let (pipe, peer) = hub.pipe(0);
    rep.attach(pipe, false);
    assert_eq!(send(&mut rep, &[b"early"]), Err(PatternError::Fsm));
    assert!(!rep.has_out());
    // As from a DEALER behind a ROUTER proxy: two address frames.
    peer.send(&[b"addr1", b"addr2", b"", b"body", b"more"]);
    assert!(rep.has_in());
    assert_eq!(recv(&mut rep).unwrap(), owned(&[b"body", b"more"]));
    assert_eq!(rep.recv().unwrap_err(), PatternError::Fsm);
    assert!(rep.has_out());
    assert!(!rep.has_in());
    send(&mut rep, &[b"re", b"ply"]).unwrap();
    assert_eq!(
        peer.recv(),
        Some(owned(&[b"addr1", b"addr2", b"", b"re", b"ply"]))
    );
    assert!(!rep.has_out());
}

#[test]
fn rep_drops_malformed_requests() {
    let mut hub = MemHub::new();
    let mut rep = Rep::new();
    let (pipe, peer) = hub.pipe(0);
    rep.attach(pipe, false);
    peer.send(&[b"no", b"delimiter"]);
    peer.send(&[b"single"]);
    peer.send(&[b"", b"good"]);
    assert_eq!(recv(&mut rep).unwrap(), owned(&[b"good"]));
    send(&mut rep, &[b"ok"]).unwrap();
    assert_eq!(peer.recv(), Some(owned(&[b"", b"ok"])));
}

#[test]
fn rep_answers_each_requester_in_turn() {
    let mut hub = MemHub::new();
    let mut rep = Rep::new();
    let (a, peer_a) = hub.pipe(0);
    let (b, peer_b) = hub.pipe(0);
    rep.attach(a, false);
    rep.attach(b, false);
    peer_a.send(&[b"", b"from a"]);
    peer_b.send(&[b"", b"from b"]);
    for _ in 0..2 {
        let request = recv(&mut rep).unwrap();
        let mut reply = request[0].clone();
        reply.extend_from_slice(b" done");
        send(&mut rep, &[&reply]).unwrap();
    }
    assert_eq!(peer_a.recv(), Some(owned(&[b"", b"from a done"])));
    assert_eq!(peer_b.recv(), Some(owned(&[b"", b"from b done"])));
}

#[test]
fn rep_drops_reply_to_a_vanished_peer() {
    let mut hub = MemHub::new();
    let mut rep = Rep::new();
    let (a, peer_a) = hub.pipe(0);
    rep.attach(a, false);
    peer_a.send(&[b"", b"q"]);
    recv(&mut rep).unwrap();
    rep.detach(peer_a.id()).unwrap();
    send(&mut rep, &[b"into the void"]).unwrap();
    assert!(!rep.has_out());
}

#[test]
fn dealer_to_rep_and_back() {
    let mut hub = MemHub::new();
    // A DEALER socket's pipe joined with a REP socket's pipe by hand: the
    // DEALER's peer end relays to the REP's peer end.
    let mut dealer = Dealer::new();
    let (dpipe, dpeer) = hub.pipe(0);
    dealer.attach(dpipe, true);
    let mut rep = Rep::new();
    let (rpipe, rpeer) = hub.pipe(0);
    rep.attach(rpipe, false);

    send(&mut dealer, &[b"", b"hello"]).unwrap();
    let wire = dpeer.recv().unwrap();
    assert_eq!(wire, owned(&[b"", b"hello"]));
    let refs: Vec<&[u8]> = wire.iter().map(Vec::as_slice).collect();
    rpeer.send(&refs);
    assert_eq!(recv(&mut rep).unwrap(), owned(&[b"hello"]));
    send(&mut rep, &[b"world"]).unwrap();
    let wire = rpeer.recv().unwrap();
    assert_eq!(wire, owned(&[b"", b"world"]));
    let refs: Vec<&[u8]> = wire.iter().map(Vec::as_slice).collect();
    dpeer.send(&refs);
    hub.deliver(&mut dealer);
    assert_eq!(recv(&mut dealer).unwrap(), owned(&[b"", b"world"]));
}

#[test]
fn dealer_blocks_at_hwm_and_probes_routers() {
    let mut hub = MemHub::new();
    let mut dealer = Dealer::new();
    dealer.set_option(PatternOption::ProbeRouter(true)).unwrap();
    assert_eq!(
        dealer.set_option(PatternOption::ReqRelaxed(true)),
        Err(PatternError::Invalid)
    );
    let (pipe, peer) = hub.pipe(2);
    dealer.attach(pipe, true);
    // The probe: one empty message.
    assert_eq!(peer.recv(), Some(vec![vec![]]));
    send(&mut dealer, &[b"1"]).unwrap();
    send(&mut dealer, &[b"2"]).unwrap();
    assert_eq!(send(&mut dealer, &[b"3"]), Err(PatternError::Again));
    assert!(!dealer.has_out());
}

#[test]
fn any_pattern_dispatches_by_kind() {
    let mut hub = MemHub::new();
    let mut req = AnyPattern::new(SocketType::Req).unwrap();
    assert_eq!(req.kind(), SocketType::Req);
    let (pipe, peer) = hub.pipe(0);
    req.attach(pipe, true);
    send(&mut req, &[b"x"]).unwrap();
    assert_eq!(peer.recv(), Some(owned(&[b"", b"x"])));
    assert_eq!(
        req.set_option(PatternOption::RouterMandatory(true)),
        Err(PatternError::Invalid)
    );
    assert!(AnyPattern::<zmq_patterns::mem::MemPipe>::new(SocketType::Stream).is_ok());
    for kind in [
        SocketType::Pair,
        SocketType::Req,
        SocketType::Rep,
        SocketType::Dealer,
        SocketType::Router,
        SocketType::Pull,
        SocketType::Push,
    ] {
        let p = AnyPattern::<zmq_patterns::mem::MemPipe>::new(kind).unwrap();
        assert_eq!(p.kind(), kind);
    }
}
