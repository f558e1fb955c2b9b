//! PAIR (RFC 31).

mod common;

use common::{owned, recv, send};
use zmq_patterns::mem::MemHub;
use zmq_patterns::{Pair, Pattern, PatternError};

#[test]
fn pair_talks_to_one_peer_both_ways() {
    let mut hub = MemHub::new();
    let mut pair = Pair::new();
    assert!(!pair.has_out());
    assert_eq!(send(&mut pair, &[b"x"]), Err(PatternError::Again));
    let (pipe, peer) = hub.pipe(0);
    pair.attach(pipe, true);
    assert!(pair.has_out());
    send(&mut pair, &[b"hello", b"world"]).unwrap();
    assert_eq!(peer.recv(), Some(owned(&[b"hello", b"world"])));
    assert!(!pair.has_in());
    peer.send(&[b"back"]);
    assert!(pair.has_in());
    assert_eq!(recv(&mut pair).unwrap(), owned(&[b"back"]));
}

#[test]
fn pair_refuses_a_second_peer_until_the_first_is_gone() {
    let mut hub = MemHub::new();
    let mut pair = Pair::new();
    let (first, first_peer) = hub.pipe(0);
    let (second, second_peer) = hub.pipe(0);
    pair.attach(first, false);
    pair.attach(second, false);
    assert!(second_peer.is_terminated());
    assert!(!first_peer.is_terminated());
    // The facade tears the refused pipe down and detaches it.
    let detached = hub.deliver(&mut pair);
    assert_eq!(detached.len(), 1);
    send(&mut pair, &[b"only"]).unwrap();
    assert_eq!(first_peer.recv(), Some(owned(&[b"only"])));
    assert_eq!(second_peer.recv(), None);
    // Once the first peer is gone, a new one is taken.
    assert!(pair.detach(first_peer.id()).is_some());
    let (third, third_peer) = hub.pipe(0);
    pair.attach(third, false);
    assert!(!third_peer.is_terminated());
    send(&mut pair, &[b"again"]).unwrap();
    assert_eq!(third_peer.recv(), Some(owned(&[b"again"])));
}

#[test]
fn pair_blocks_at_hwm() {
    let mut hub = MemHub::new();
    let mut pair = Pair::new();
    let (pipe, peer) = hub.pipe(1);
    pair.attach(pipe, false);
    send(&mut pair, &[b"1"]).unwrap();
    assert!(!pair.has_out());
    assert_eq!(send(&mut pair, &[b"2"]), Err(PatternError::Again));
    peer.recv().unwrap();
    hub.deliver(&mut pair);
    send(&mut pair, &[b"2"]).unwrap();
}
