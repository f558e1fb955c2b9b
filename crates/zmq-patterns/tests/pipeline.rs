//! PUSH/PULL (RFC 30), DEALER's load balancing and fair queuing, and the
//! in-memory pipe contract.

mod common;

use common::{owned, recv, send};
use proptest::prelude::*;
use zmq_patterns::mem::{MemEvent, MemHub};
use zmq_patterns::{Msg, Pattern, PatternError, Pull, Push};

#[test]
fn push_round_robins_over_peers() {
    let mut hub = MemHub::new();
    let mut push = Push::new();
    let peers: Vec<_> = (0..3)
        .map(|_| {
            let (pipe, peer) = hub.pipe(0);
            push.attach(pipe, false);
            peer
        })
        .collect();
    for i in 0..6u8 {
        send(&mut push, &[&[i]]).unwrap();
    }
    let got: Vec<Vec<Vec<Vec<u8>>>> = peers.iter().map(|p| p.recv_all()).collect();
    // Each peer got two messages, one round apart.
    for (k, msgs) in got.iter().enumerate() {
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1][0][0], msgs[0][0][0] + 3, "peer {k}");
    }
    let mut firsts: Vec<u8> = got.iter().map(|m| m[0][0][0]).collect();
    firsts.sort();
    assert_eq!(firsts, vec![0, 1, 2]);
}

#[test]
fn push_keeps_multipart_on_one_pipe() {
    let mut hub = MemHub::new();
    let mut push = Push::new();
    let (a, peer_a) = hub.pipe(0);
    let (b, peer_b) = hub.pipe(0);
    push.attach(a, false);
    push.attach(b, false);
    send(&mut push, &[b"1", b"2", b"3"]).unwrap();
    send(&mut push, &[b"x", b"y"]).unwrap();
    let mut all = peer_a.recv_all();
    all.extend(peer_b.recv_all());
    all.sort();
    assert_eq!(all, vec![owned(&[b"1", b"2", b"3"]), owned(&[b"x", b"y"])]);
}

#[test]
fn push_without_room_says_again_until_write_activated() {
    let mut hub = MemHub::new();
    let mut push = Push::new();
    assert!(!push.has_out());
    let err = push.send(Msg::from_slice(b"lost?")).unwrap_err();
    assert_eq!(err.kind, PatternError::Again);
    assert_eq!(err.msg.data(), b"lost?");

    let (pipe, peer) = hub.pipe(2);
    push.attach(pipe, false);
    send(&mut push, &[b"1"]).unwrap();
    send(&mut push, &[b"2"]).unwrap();
    assert!(!push.has_out());
    assert_eq!(send(&mut push, &[b"3"]), Err(PatternError::Again));
    assert_eq!(peer.recv(), Some(owned(&[b"1"])));
    assert_eq!(hub.take_events(), vec![MemEvent::WriteActivated(peer.id())]);
    push.write_activated(peer.id());
    assert!(push.has_out());
    send(&mut push, &[b"3"]).unwrap();
    assert_eq!(peer.recv_all(), vec![owned(&[b"2"]), owned(&[b"3"])]);
}

#[test]
fn push_skips_full_pipe() {
    let mut hub = MemHub::new();
    let mut push = Push::new();
    let (a, peer_a) = hub.pipe(1);
    let (b, peer_b) = hub.pipe(0);
    push.attach(a, false);
    push.attach(b, false);
    for i in 0..4u8 {
        send(&mut push, &[&[i]]).unwrap();
    }
    assert_eq!(peer_a.recv_all().len(), 1);
    assert_eq!(peer_b.recv_all().len(), 3);
}

#[test]
fn push_drops_rest_of_message_when_pipe_dies() {
    let mut hub = MemHub::new();
    let mut push = Push::new();
    let (a, peer_a) = hub.pipe(0);
    let (b, peer_b) = hub.pipe(0);
    push.attach(a, false);
    push.attach(b, false);
    let part = |data: &[u8], more: bool| {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        msg
    };
    // The first message goes to the first pipe; it dies after one part.
    push.send(part(b"head", true)).unwrap();
    assert!(push.detach(peer_a.id()).is_some());
    push.send(part(b"mid", true)).unwrap();
    push.send(part(b"tail", false)).unwrap();
    assert_eq!(peer_a.pending_parts(), 0);
    assert_eq!(peer_b.pending_parts(), 0, "no partial message elsewhere");
    // The next message goes through whole.
    send(&mut push, &[b"next", b"!"]).unwrap();
    assert_eq!(peer_b.recv_all(), vec![owned(&[b"next", b"!"])]);
}

#[test]
fn push_cannot_receive_and_pull_cannot_send() {
    let mut push: Push<zmq_patterns::mem::MemPipe> = Push::new();
    assert_eq!(push.recv().unwrap_err(), PatternError::NotSupported);
    assert!(!push.has_in());
    let mut pull: Pull<zmq_patterns::mem::MemPipe> = Pull::new();
    let err = pull.send(Msg::from_slice(b"x")).unwrap_err();
    assert_eq!(err.kind, PatternError::NotSupported);
    assert!(!pull.has_out());
}

#[test]
fn pull_fair_queues_and_keeps_multipart_together() {
    let mut hub = MemHub::new();
    let mut pull = Pull::new();
    let (a, peer_a) = hub.pipe(0);
    let (b, peer_b) = hub.pipe(0);
    pull.attach(a, false);
    pull.attach(b, false);
    peer_a.send(&[b"a1", b"a1'"]);
    peer_a.send(&[b"a2"]);
    peer_b.send(&[b"b1"]);
    peer_b.send(&[b"b2", b"b2'", b"b2''"]);
    let got: Vec<_> = (0..4).map(|_| recv(&mut pull).unwrap()).collect();
    assert_eq!(
        got,
        vec![
            owned(&[b"a1", b"a1'"]),
            owned(&[b"b1"]),
            owned(&[b"a2"]),
            owned(&[b"b2", b"b2'", b"b2''"]),
        ]
    );
    assert_eq!(pull.recv().unwrap_err(), PatternError::Again);
    assert!(!pull.has_in());
}

#[test]
fn pull_wakes_on_read_activated() {
    let mut hub = MemHub::new();
    let mut pull = Pull::new();
    let (a, peer) = hub.pipe(0);
    pull.attach(a, false);
    assert!(!pull.has_in());
    peer.send(&[b"hi"]);
    assert_eq!(hub.take_events(), vec![MemEvent::ReadActivated(peer.id())]);
    // Without the activation the pipe stays forgotten, as in libzmq.
    assert!(!pull.has_in());
    pull.read_activated(peer.id());
    assert!(pull.has_in());
    assert_eq!(recv(&mut pull).unwrap(), owned(&[b"hi"]));
}

#[test]
fn mem_pipe_shows_messages_at_flush_only() {
    use zmq_patterns::Pipe;
    let mut hub = MemHub::new();
    let (mut pipe, peer) = hub.pipe(1);
    let mut part = Msg::from_slice(b"a");
    part.set_more(true);
    pipe.write(part).unwrap();
    pipe.write(Msg::from_slice(b"b")).unwrap();
    assert_eq!(peer.pending_parts(), 0);
    pipe.flush();
    assert_eq!(peer.pending_parts(), 2);
    // HWM of one whole message reached.
    assert!(!pipe.check_write());
    assert!(!pipe.check_hwm());
    let mut part = Msg::from_slice(b"c");
    part.set_more(true);
    assert!(pipe.write(part).is_err());
    assert_eq!(peer.recv(), Some(owned(&[b"a", b"b"])));
    assert!(pipe.check_write());
    // Rollback drops an unfinished message.
    let mut part = Msg::from_slice(b"c");
    part.set_more(true);
    pipe.write(part).unwrap();
    pipe.rollback();
    pipe.flush();
    assert_eq!(peer.pending_parts(), 0);
}

proptest! {
    /// However the messages are sized, a PUSH never interleaves the parts
    /// of two messages on one pipe and never loses or reorders a message.
    #[test]
    fn lb_never_interleaves(sizes in proptest::collection::vec(1usize..4, 1..30), peers in 1usize..4, hwm in 0usize..3) {
        let mut hub = MemHub::new();
        let mut push = Push::new();
        let ends: Vec<_> = (0..peers).map(|_| { let (p, e) = hub.pipe(hwm); push.attach(p, false); e }).collect();
        let mut received = Vec::new();
        for (n, size) in sizes.iter().enumerate() {
            let parts: Vec<Vec<u8>> = (0..*size).map(|k| vec![n as u8, k as u8]).collect();
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            loop {
                match send(&mut push, &refs) {
                    Ok(()) => break,
                    Err(PatternError::Again) => {
                        // Drain everything, deliver activations, retry.
                        for e in &ends { received.extend(e.recv_all()); }
                        hub.deliver(&mut push);
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        }
        for e in &ends { received.extend(e.recv_all()); }
        prop_assert_eq!(received.len(), sizes.len());
        for msg in &received {
            let n = msg[0][0] as usize;
            prop_assert_eq!(msg.len(), sizes[n]);
            for (k, part) in msg.iter().enumerate() {
                prop_assert_eq!(part, &vec![n as u8, k as u8]);
            }
        }
    }

    /// A PULL never reorders the messages of one peer, nor splits one.
    #[test]
    fn fq_keeps_each_peers_order(script in proptest::collection::vec((0usize..3, 1usize..4), 1..40)) {
        let mut hub = MemHub::new();
        let mut pull = Pull::new();
        let ends: Vec<_> = (0..3).map(|_| { let (p, e) = hub.pipe(0); pull.attach(p, false); e }).collect();
        let mut got = Vec::new();
        for (i, (peer, size)) in script.iter().enumerate() {
            let parts: Vec<Vec<u8>> = (0..*size).map(|k| vec![*peer as u8, i as u8, k as u8]).collect();
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            ends[*peer].send(&refs);
            if i % 3 == 0 {
                hub.deliver(&mut pull);
                while let Ok(m) = recv(&mut pull) { got.push(m); }
            }
        }
        hub.deliver(&mut pull);
        while let Ok(m) = recv(&mut pull) { got.push(m); }
        prop_assert_eq!(got.len(), script.len());
        for peer in 0..3u8 {
            let seq: Vec<u8> = got.iter().filter(|m| m[0][0] == peer).map(|m| m[0][1]).collect();
            let mut sorted = seq.clone();
            sorted.sort();
            prop_assert_eq!(seq, sorted);
        }
        for m in &got {
            let i = m[0][1] as usize;
            prop_assert_eq!(m.len(), script[i].1);
            for (k, part) in m.iter().enumerate() {
                prop_assert_eq!(part[1] as usize, i);
                prop_assert_eq!(part[2] as usize, k);
            }
        }
    }
}
