//! PUB/SUB/XPUB/XSUB (RFC 29) over in-memory pipes.

mod common;

use bytes::Bytes;
use common::{owned, recv, send};
use zmq_patterns::mem::{MemHub, MemPeer, MemPipe};
use zmq_patterns::{
    AnyPattern, Msg, MsgFlags, Pattern, PatternError, PatternOption, PatternOptionName, Pub,
    SocketType, Sub, XPub, XSub,
};

/// A peer's 3.0-form subscription.
fn subscribe(peer: &MemPeer, topic: &[u8]) {
    let mut body = vec![1];
    body.extend_from_slice(topic);
    peer.send(&[&body]);
}

/// A peer's 3.1-form subscription (what the engine makes of SUBSCRIBE).
fn subscribe_command(peer: &MemPeer, topic: &[u8], cancel: bool) {
    let mut msg = Msg::from_slice(topic);
    msg.set_flags(if cancel {
        MsgFlags::CANCEL
    } else {
        MsgFlags::SUBSCRIBE
    });
    peer.send_msg(msg);
}

fn unsubscribe(peer: &MemPeer, topic: &[u8]) {
    let mut body = vec![0];
    body.extend_from_slice(topic);
    peer.send(&[&body]);
}

/// Attaches `n` peers with high-water mark `hwm`.
fn peers<Q: Pattern<MemPipe>>(
    hub: &mut MemHub,
    socket: &mut Q,
    n: usize,
    hwm: usize,
) -> Vec<MemPeer> {
    (0..n)
        .map(|_| {
            let (pipe, peer) = hub.pipe(hwm);
            socket.attach(pipe, false);
            peer
        })
        .collect()
}

fn drain<Q: Pattern<MemPipe>>(socket: &mut Q) -> Vec<Vec<Vec<u8>>> {
    std::iter::from_fn(|| recv(socket).ok()).collect()
}

fn topics<Q: Pattern<MemPipe>>(socket: &Q) -> usize {
    match socket.option(PatternOptionName::TopicsCount) {
        Ok(PatternOption::TopicsCount(n)) => n,
        other => panic!("{other:?}"),
    }
}

fn opt(topic: &[u8]) -> Bytes {
    Bytes::copy_from_slice(topic)
}

#[test]
fn pub_filters_by_prefix_in_both_subscription_forms() {
    let mut hub = MemHub::new();
    let mut publisher = Pub::new();
    let p = peers(&mut hub, &mut publisher, 3, 0);
    subscribe(&p[0], b"A");
    subscribe_command(&p[1], b"", false);
    hub.deliver(&mut publisher);
    send(&mut publisher, &[b"Apple"]).unwrap();
    send(&mut publisher, &[b"Banana"]).unwrap();
    assert_eq!(p[0].recv_all(), vec![owned(&[b"Apple"])]);
    assert_eq!(
        p[1].recv_all(),
        vec![owned(&[b"Apple"]), owned(&[b"Banana"])]
    );
    assert!(p[2].recv_all().is_empty());
    assert_eq!(topics(&publisher), 2);
    // A 3.1 CANCEL undoes it.
    subscribe_command(&p[1], b"", true);
    hub.deliver(&mut publisher);
    send(&mut publisher, &[b"Banana"]).unwrap();
    assert!(p[1].recv_all().is_empty());
    assert_eq!(topics(&publisher), 1);
}

#[test]
fn pub_and_sub_directions() {
    let mut publisher: Pub<MemPipe> = Pub::new();
    assert_eq!(publisher.recv().unwrap_err(), PatternError::NotSupported);
    assert!(!publisher.has_in());
    assert!(publisher.has_out(), "PUB never blocks, even without peers");
    send(&mut publisher, &[b"nobody"]).unwrap();
    let mut sub: Sub<MemPipe> = Sub::new();
    let err = sub.send(Msg::from_slice(b"x")).unwrap_err();
    assert_eq!(err.kind, PatternError::NotSupported);
    assert!(!sub.has_out());
    let mut xsub: XSub<MemPipe> = XSub::new();
    assert!(xsub.has_out());
    assert_eq!(
        xsub.set_option(PatternOption::Subscribe(opt(b"A"))),
        Err(PatternError::Invalid)
    );
    for kind in [
        SocketType::Pub,
        SocketType::Sub,
        SocketType::XPub,
        SocketType::XSub,
    ] {
        let pattern: AnyPattern<MemPipe> = AnyPattern::new(kind).unwrap();
        assert_eq!(pattern.kind(), kind);
    }
}

#[test]
fn pub_ignores_peer_data_and_never_delivers_subscriptions() {
    let mut hub = MemHub::new();
    let mut publisher = Pub::new();
    let p = peers(&mut hub, &mut publisher, 1, 0);
    p[0].send(&[b"hello"]);
    subscribe(&p[0], b"");
    hub.deliver(&mut publisher);
    assert_eq!(p[0].unread_parts(), 0);
    assert!(!publisher.has_in());
    send(&mut publisher, &[b"x"]).unwrap();
    assert_eq!(p[0].recv_all().len(), 1);
}

#[test]
fn sub_counts_duplicate_subscriptions() {
    let mut hub = MemHub::new();
    let mut sub = Sub::new();
    let p = peers(&mut hub, &mut sub, 1, 0);
    sub.set_option(PatternOption::Subscribe(opt(b"A"))).unwrap();
    sub.set_option(PatternOption::Subscribe(opt(b"A"))).unwrap();
    // Every subscribe goes upstream (XPUB_VERBOSE depends on it).
    assert_eq!(
        p[0].recv_all(),
        vec![owned(&[b"\x01A"]), owned(&[b"\x01A"])]
    );
    assert_eq!(topics(&sub), 1);
    sub.set_option(PatternOption::Unsubscribe(opt(b"A")))
        .unwrap();
    assert!(p[0].recv_all().is_empty(), "one instance is left");
    p[0].send(&[b"A1"]);
    hub.deliver(&mut sub);
    assert_eq!(recv(&mut sub).unwrap(), owned(&[b"A1"]));
    sub.set_option(PatternOption::Unsubscribe(opt(b"A")))
        .unwrap();
    assert_eq!(p[0].recv_all(), vec![owned(&[b"\x00A"])]);
    assert_eq!(topics(&sub), 0);
    // Unsubscribing an unknown topic sends nothing.
    sub.set_option(PatternOption::Unsubscribe(opt(b"Z")))
        .unwrap();
    assert!(p[0].recv_all().is_empty());
}

#[test]
fn sub_filters_locally_and_drops_whole_messages() {
    let mut hub = MemHub::new();
    let mut sub = Sub::new();
    let p = peers(&mut hub, &mut sub, 1, 0);
    p[0].send(&[b"A0"]);
    hub.deliver(&mut sub);
    assert!(!sub.has_in(), "nothing subscribed: everything filtered");
    sub.set_option(PatternOption::Subscribe(opt(b"A"))).unwrap();
    p[0].send(&[b"B1", b"A-not-first"]);
    p[0].send(&[b"A1", b"tail"]);
    p[0].send(&[b"C"]);
    hub.deliver(&mut sub);
    assert!(sub.has_in());
    assert_eq!(drain(&mut sub), vec![owned(&[b"A1", b"tail"])]);
}

#[test]
fn sub_empty_prefix_receives_everything() {
    let mut hub = MemHub::new();
    let mut sub = Sub::new();
    let p = peers(&mut hub, &mut sub, 2, 0);
    sub.set_option(PatternOption::Subscribe(opt(b""))).unwrap();
    assert_eq!(p[0].recv_all(), vec![owned(&[b"\x01"])]);
    p[0].send(&[b""]);
    p[1].send(&[b"anything"]);
    hub.deliver(&mut sub);
    assert_eq!(drain(&mut sub).len(), 2);
}

#[test]
fn sub_resends_subscriptions_to_new_and_hiccuped_pipes() {
    let mut hub = MemHub::new();
    let mut sub = Sub::new();
    sub.set_option(PatternOption::Subscribe(opt(b"B"))).unwrap();
    sub.set_option(PatternOption::Subscribe(opt(b"A"))).unwrap();
    sub.set_option(PatternOption::Subscribe(opt(b"A"))).unwrap();
    let p = peers(&mut hub, &mut sub, 1, 0);
    // Once per distinct topic: the publisher keeps a set per pipe.
    assert_eq!(
        p[0].recv_all(),
        vec![owned(&[b"\x01A"]), owned(&[b"\x01B"])]
    );
    let mut any: AnyPattern<MemPipe> = AnyPattern::Sub(sub);
    any.hiccuped(p[0].id());
    assert_eq!(p[0].recv_all().len(), 2);
}

#[test]
fn pub_drops_at_hwm_per_subscriber() {
    let mut hub = MemHub::new();
    let mut publisher = Pub::new();
    let slow = peers(&mut hub, &mut publisher, 1, 1).remove(0);
    let fast = peers(&mut hub, &mut publisher, 1, 0).remove(0);
    subscribe(&slow, b"");
    subscribe(&fast, b"");
    hub.deliver(&mut publisher);
    send(&mut publisher, &[b"1"]).unwrap();
    send(&mut publisher, &[b"2", b"2b"]).unwrap();
    send(&mut publisher, &[b"3"]).unwrap();
    assert_eq!(slow.recv_all(), vec![owned(&[b"1"])]);
    assert_eq!(
        fast.recv_all(),
        vec![owned(&[b"1"]), owned(&[b"2", b"2b"]), owned(&[b"3"])]
    );
    // Drained: the slow one gets messages again once activated.
    hub.deliver(&mut publisher);
    send(&mut publisher, &[b"4"]).unwrap();
    assert_eq!(slow.recv_all(), vec![owned(&[b"4"])]);
}

#[test]
fn xpub_nodrop_says_again_at_hwm() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    xpub.set_option(PatternOption::XPubNoDrop(true)).unwrap();
    let p = peers(&mut hub, &mut xpub, 2, 1);
    subscribe(&p[0], b"A");
    subscribe(&p[1], b"B");
    hub.deliver(&mut xpub);
    drain(&mut xpub);
    send(&mut xpub, &[b"A1"]).unwrap();
    // Only the matching pipe counts: B still has room.
    send(&mut xpub, &[b"B1"]).unwrap();
    let err = xpub.send(Msg::from_slice(b"A2")).unwrap_err();
    assert_eq!(err.kind, PatternError::Again);
    assert_eq!(err.msg.data(), b"A2");
    assert_eq!(p[0].recv_all(), vec![owned(&[b"A1"])]);
    hub.deliver(&mut xpub);
    send(&mut xpub, &[b"A2"]).unwrap();
    assert_eq!(p[0].recv_all(), vec![owned(&[b"A2"])]);
    assert_eq!(p[1].recv_all(), vec![owned(&[b"B1"])]);
}

#[test]
fn xpub_delivers_first_subscribe_and_last_unsubscribe() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    subscribe(&p[0], b"A");
    subscribe_command(&p[1], b"A", false);
    subscribe(&p[0], b"A"); // duplicate from the same pipe
    hub.deliver(&mut xpub);
    assert_eq!(drain(&mut xpub), vec![owned(&[b"\x01A"])]);
    unsubscribe(&p[0], b"A");
    hub.deliver(&mut xpub);
    assert!(drain(&mut xpub).is_empty(), "p1 is still subscribed");
    subscribe_command(&p[1], b"A", true);
    hub.deliver(&mut xpub);
    assert_eq!(drain(&mut xpub), vec![owned(&[b"\x00A"])]);
    // An unknown topic's unsubscribe is delivered too (libzmq).
    unsubscribe(&p[0], b"Q");
    hub.deliver(&mut xpub);
    assert_eq!(drain(&mut xpub), vec![owned(&[b"\x00Q"])]);
}

#[test]
fn xpub_verbose_and_verboser() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    xpub.set_option(PatternOption::XPubVerbose(true)).unwrap();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    subscribe(&p[0], b"A");
    subscribe(&p[1], b"A");
    hub.deliver(&mut xpub);
    unsubscribe(&p[0], b"A");
    hub.deliver(&mut xpub);
    assert_eq!(
        drain(&mut xpub),
        vec![owned(&[b"\x01A"]), owned(&[b"\x01A"])]
    );

    let mut xpub = XPub::new();
    xpub.set_option(PatternOption::XPubVerboser(true)).unwrap();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    subscribe(&p[0], b"A");
    subscribe(&p[1], b"A");
    hub.deliver(&mut xpub);
    unsubscribe(&p[0], b"A");
    hub.deliver(&mut xpub);
    assert_eq!(
        drain(&mut xpub),
        vec![owned(&[b"\x01A"]), owned(&[b"\x01A"]), owned(&[b"\x00A"])]
    );
    // VERBOSER: a detach reports every topic of the pipe.
    assert!(xpub.detach(p[1].id()).is_some());
    assert_eq!(drain(&mut xpub), vec![owned(&[b"\x00A"])]);
}

#[test]
fn xpub_detach_unsubscribes_topics_left_without_subscribers() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    subscribe(&p[0], b"A");
    subscribe(&p[0], b"B");
    subscribe(&p[1], b"A");
    hub.deliver(&mut xpub);
    assert_eq!(drain(&mut xpub).len(), 2);
    assert_eq!(topics(&xpub), 2);
    assert!(xpub.detach(p[0].id()).is_some());
    assert_eq!(drain(&mut xpub), vec![owned(&[b"\x00B"])]);
    assert!(xpub.detach(p[1].id()).is_some());
    assert_eq!(drain(&mut xpub), vec![owned(&[b"\x00A"])]);
    assert_eq!(topics(&xpub), 0);
    send(&mut xpub, &[b"A"]).unwrap();
}

#[test]
fn xpub_manual_subscribes_the_last_pipe() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    assert_eq!(
        xpub.set_option(PatternOption::Subscribe(opt(b"T"))),
        Err(PatternError::Invalid),
        "not in manual mode"
    );
    xpub.set_option(PatternOption::XPubManual(true)).unwrap();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    subscribe(&p[0], b"T");
    subscribe(&p[0], b"T");
    hub.deliver(&mut xpub);
    send(&mut xpub, &[b"T0"]).unwrap();
    assert!(p[0].recv_all().is_empty(), "not applied automatically");
    // Every subscription is delivered in manual mode.
    assert_eq!(
        drain(&mut xpub),
        vec![owned(&[b"\x01T"]), owned(&[b"\x01T"])]
    );
    xpub.set_option(PatternOption::Subscribe(opt(b"T")))
        .unwrap();
    send(&mut xpub, &[b"T1"]).unwrap();
    assert_eq!(p[0].recv_all(), vec![owned(&[b"T1"])]);
    assert!(p[1].recv_all().is_empty());
    xpub.set_option(PatternOption::Unsubscribe(opt(b"T")))
        .unwrap();
    send(&mut xpub, &[b"T2"]).unwrap();
    assert!(p[0].recv_all().is_empty());
    // The pipe goes away: its requested topics are reported.
    assert!(xpub.detach(p[0].id()).is_some());
    assert_eq!(drain(&mut xpub), vec![owned(&[b"\x00T"])]);
}

#[test]
fn xpub_manual_last_value_sends_next_message_to_new_subscriber_only() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    xpub.set_option(PatternOption::XPubManualLastValue(true))
        .unwrap();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    subscribe(&p[0], b"T");
    hub.deliver(&mut xpub);
    recv(&mut xpub).unwrap();
    xpub.set_option(PatternOption::Subscribe(opt(b"T")))
        .unwrap();
    send(&mut xpub, &[b"T-cached"]).unwrap();
    send(&mut xpub, &[b"T1"]).unwrap();
    subscribe(&p[1], b"T");
    hub.deliver(&mut xpub);
    recv(&mut xpub).unwrap();
    xpub.set_option(PatternOption::Subscribe(opt(b"T")))
        .unwrap();
    send(&mut xpub, &[b"T-cached"]).unwrap();
    send(&mut xpub, &[b"T2"]).unwrap();
    assert_eq!(
        p[0].recv_all(),
        vec![owned(&[b"T-cached"]), owned(&[b"T1"]), owned(&[b"T2"])]
    );
    assert_eq!(
        p[1].recv_all(),
        vec![owned(&[b"T-cached"]), owned(&[b"T2"])]
    );
}

#[test]
fn xpub_welcome_message_goes_to_each_new_pipe() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    xpub.set_option(PatternOption::XPubWelcomeMsg(Some(opt(b"WELCOME"))))
        .unwrap();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    for peer in &p {
        assert_eq!(peer.recv_all(), vec![owned(&[b"WELCOME"])]);
    }
    xpub.set_option(PatternOption::XPubWelcomeMsg(None))
        .unwrap();
    let p = peers(&mut hub, &mut xpub, 1, 0);
    assert!(p[0].recv_all().is_empty());
}

#[test]
fn xpub_only_first_subscribe() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    let p = peers(&mut hub, &mut xpub, 1, 0);
    p[0].send(&[b"\x01A", b"\x01B"]);
    hub.deliver(&mut xpub);
    assert_eq!(topics(&xpub), 2, "by default every part may subscribe");

    let mut xpub = XPub::new();
    xpub.set_option(PatternOption::OnlyFirstSubscribe(true))
        .unwrap();
    let p = peers(&mut hub, &mut xpub, 1, 0);
    p[0].send(&[b"\x01A", b"\x01B"]);
    hub.deliver(&mut xpub);
    assert_eq!(topics(&xpub), 1);
    // The notification, then the second part as data.
    assert_eq!(
        drain(&mut xpub),
        vec![owned(&[b"\x01A"]), owned(&[b"\x01B"])]
    );
}

#[test]
fn xpub_delivers_peer_data_with_its_parts() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    let p = peers(&mut hub, &mut xpub, 1, 0);
    p[0].send(&[b"hello", b"world"]);
    p[0].send(&[b""]);
    hub.deliver(&mut xpub);
    assert!(xpub.has_in());
    assert_eq!(
        drain(&mut xpub),
        vec![owned(&[b"hello", b"world"]), owned(&[b""])]
    );
    assert!(!xpub.has_in());
}

#[test]
fn xsub_forwards_and_tracks_subscriptions() {
    let mut hub = MemHub::new();
    let mut xsub = XSub::new();
    let p = peers(&mut hub, &mut xsub, 2, 0);
    send(&mut xsub, &[b"\x01A"]).unwrap();
    send(&mut xsub, &[b"\x01A"]).unwrap();
    send(&mut xsub, &[b"user", b"data"]).unwrap();
    send(&mut xsub, &[b"\x00A"]).unwrap(); // one instance left: not forwarded
    send(&mut xsub, &[b"\x00X"]).unwrap(); // unknown: not forwarded
    for peer in &p {
        assert_eq!(
            peer.recv_all(),
            vec![
                owned(&[b"\x01A"]),
                owned(&[b"\x01A"]),
                owned(&[b"user", b"data"])
            ]
        );
    }
    assert_eq!(topics(&xsub), 1);
    // A new pipe gets the current subscriptions.
    let late = peers(&mut hub, &mut xsub, 1, 0).remove(0);
    assert_eq!(late.recv_all(), vec![owned(&[b"\x01A"])]);
    // XSUB does not filter what it receives.
    p[0].send(&[b"anything"]);
    hub.deliver(&mut xsub);
    assert_eq!(recv(&mut xsub).unwrap(), owned(&[b"anything"]));

    xsub.set_option(PatternOption::XSubVerboseUnsubscribe(true))
        .unwrap();
    send(&mut xsub, &[b"\x00X"]).unwrap();
    assert_eq!(late.recv_all(), vec![owned(&[b"\x00X"])]);
}

#[test]
fn xsub_drops_for_full_pipe_only() {
    let mut hub = MemHub::new();
    let mut xsub = XSub::new();
    let full = peers(&mut hub, &mut xsub, 1, 1).remove(0);
    let open = peers(&mut hub, &mut xsub, 1, 0).remove(0);
    send(&mut xsub, &[b"1"]).unwrap();
    send(&mut xsub, &[b"2"]).unwrap();
    assert_eq!(full.recv_all().len(), 1);
    assert_eq!(open.recv_all().len(), 2);
}

#[test]
fn invert_matching_on_pub_and_sub() {
    let mut hub = MemHub::new();
    let mut publisher = Pub::new();
    publisher
        .set_option(PatternOption::InvertMatching(true))
        .unwrap();
    let p = peers(&mut hub, &mut publisher, 2, 0);
    subscribe(&p[0], b"A");
    subscribe(&p[1], b"B");
    hub.deliver(&mut publisher);
    send(&mut publisher, &[b"A1", b"more"]).unwrap();
    assert!(p[0].recv_all().is_empty());
    assert_eq!(p[1].recv_all(), vec![owned(&[b"A1", b"more"])]);

    let mut sub = Sub::new();
    sub.set_option(PatternOption::InvertMatching(true)).unwrap();
    assert_eq!(
        sub.option(PatternOptionName::InvertMatching),
        Ok(PatternOption::InvertMatching(true))
    );
    sub.set_option(PatternOption::Subscribe(opt(b"A"))).unwrap();
    let p = peers(&mut hub, &mut sub, 1, 0);
    p[0].send(&[b"A1"]);
    p[0].send(&[b"B1"]);
    hub.deliver(&mut sub);
    assert_eq!(drain(&mut sub), vec![owned(&[b"B1"])]);
}

#[test]
fn conflate_keeps_only_the_newest_message() {
    let mut hub = MemHub::new();
    let mut sub = Sub::new();
    sub.set_option(PatternOption::Conflate(true)).unwrap();
    sub.set_option(PatternOption::Subscribe(opt(b""))).unwrap();
    let p = peers(&mut hub, &mut sub, 1, 0);
    for i in 0..5u8 {
        p[0].send(&[&[i]]);
    }
    hub.deliver(&mut sub);
    assert_eq!(drain(&mut sub), vec![vec![vec![4u8]]]);
    p[0].send(&[b"x"]);
    p[0].send(&[b"y"]);
    hub.deliver(&mut sub);
    assert!(sub.has_in());
    assert_eq!(drain(&mut sub), vec![owned(&[b"y"])]);
}

#[test]
fn multipart_follows_the_first_part_match() {
    let mut hub = MemHub::new();
    let mut xpub = XPub::new();
    let p = peers(&mut hub, &mut xpub, 2, 0);
    subscribe(&p[0], b"A");
    subscribe(&p[1], b"B");
    hub.deliver(&mut xpub);
    send(&mut xpub, &[b"A", b"B-not-matched", b"end"]).unwrap();
    send(&mut xpub, &[b"B", b"x"]).unwrap();
    assert_eq!(
        p[0].recv_all(),
        vec![owned(&[b"A", b"B-not-matched", b"end"])]
    );
    assert_eq!(p[1].recv_all(), vec![owned(&[b"B", b"x"])]);
}

#[test]
fn pub_to_sub_end_to_end_through_mem_pipes() {
    // SUB's subscription messages, carried by hand to the PUB.
    let mut hub = MemHub::new();
    let mut sub = Sub::new();
    let mut publisher = Pub::new();
    let to_pub = peers(&mut hub, &mut sub, 1, 0).remove(0);
    let to_sub = peers(&mut hub, &mut publisher, 1, 0).remove(0);
    sub.set_option(PatternOption::Subscribe(opt(b"news")))
        .unwrap();
    for msg in to_pub.recv_all() {
        let parts: Vec<&[u8]> = msg.iter().map(Vec::as_slice).collect();
        to_sub.send(&parts);
    }
    hub.deliver(&mut publisher);
    send(&mut publisher, &[b"news: hi"]).unwrap();
    send(&mut publisher, &[b"sport"]).unwrap();
    for msg in to_sub.recv_all() {
        let parts: Vec<&[u8]> = msg.iter().map(Vec::as_slice).collect();
        to_pub.send(&parts);
    }
    hub.deliver(&mut sub);
    assert_eq!(drain(&mut sub), vec![owned(&[b"news: hi"])]);
}

#[test]
fn large_messages_are_shared_not_copied() {
    let mut hub = MemHub::new();
    let mut publisher = Pub::new();
    let p = peers(&mut hub, &mut publisher, 3, 0);
    for peer in &p {
        subscribe(peer, b"");
    }
    hub.deliver(&mut publisher);
    let payload = Bytes::from(vec![7u8; 1000]);
    publisher.send(Msg::from_bytes(payload.clone())).unwrap();
    for peer in &p {
        let msg = peer.recv_msg().unwrap();
        assert_eq!(
            msg.shared_bytes().map(|b| b.as_ptr()),
            Some(payload.as_ptr())
        );
    }
}

/// `cargo test -p zmq-patterns --release --test pubsub -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_10k_topics() {
    use std::time::Instant;
    use zmq_patterns::{PipeId, PipeTrie, SubscriptionTrie};
    let topics: Vec<Vec<u8>> = (0..10_000)
        .map(|i| format!("market.{:05}.trades", i * 7919 % 100_000).into_bytes())
        .collect();
    let start = Instant::now();
    let mut trie = SubscriptionTrie::new();
    for t in &topics {
        trie.add(t);
    }
    let sub_time = start.elapsed();
    let mut pipes = PipeTrie::new();
    let start = Instant::now();
    for (i, t) in topics.iter().enumerate() {
        pipes.add(t, PipeId(i as u64 % 64));
    }
    let mtrie_time = start.elapsed();
    let msg = b"market.07919.trades: price=1"; // topic of i = 1
    let rounds = 1_000_000;
    let start = Instant::now();
    let mut hits = 0;
    for _ in 0..rounds {
        hits += usize::from(trie.matches(std::hint::black_box(msg)));
    }
    let match_time = start.elapsed() / rounds;
    let start = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        pipes.for_each_match(std::hint::black_box(msg), |_| n += 1);
    }
    let mmatch_time = start.elapsed() / rounds;
    println!(
        "subscribe 10k: {sub_time:?} (trie), {mtrie_time:?} (pipe trie); match 1 msg vs 10k topics: {match_time:?} (trie, {hits} hits), {mmatch_time:?} (pipe trie)"
    );
}
