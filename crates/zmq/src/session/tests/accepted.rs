//! Listener and accepted sessions.

use std::net::TcpStream;
use std::sync::Arc;

use zmq_patterns::{MsgFlags, SocketType};
use zmq_transports::TransportRegistry;

use super::support::{Harness, Peer, eventually, peer_config, tcp_address};
use crate::options::SocketOptions;
use crate::session::{IoObject, start_listener, transport_options};

fn listen(h: &mut Harness, kind: SocketType, options: SocketOptions) -> IoObject {
    let registry = TransportRegistry::new();
    let listener = registry
        .bind("tcp://127.0.0.1:*", &transport_options(&options))
        .expect("bind");
    let endpoint: Arc<str> = listener.endpoint().into();
    let link = h.link(kind, options);
    start_listener(link, h.reactor.handle(), listener, endpoint)
}

fn connect_peer(h: &mut Harness, object: &IoObject, socket_type: SocketType) -> Peer {
    let stream = TcpStream::connect(tcp_address(&object.endpoint)).expect("connect");
    let mut peer = Peer::new(stream, socket_type, false);
    let attached = h.socket.pipes.len() + 1;
    eventually("handshake and attach", || {
        h.turn();
        peer.poll();
        peer.established && h.socket.pipes.len() == attached
    });
    peer
}

#[test]
fn accepted_session_attaches_and_carries_messages_both_ways() {
    let mut h = Harness::new();
    let object = listen(&mut h, SocketType::Dealer, SocketOptions::default());
    let mut peer = connect_peer(&mut h, &object, SocketType::Dealer);
    let (endpoint, locally_initiated, routing_id) = h.socket.attaches[0].clone();
    assert_eq!(endpoint, object.endpoint);
    assert!(!locally_initiated);
    assert_eq!(routing_id, None);

    peer.send(b"hello", true);
    peer.send(b"world", false);
    let mut parts = Vec::new();
    eventually("two parts at the socket", || {
        h.turn();
        peer.poll();
        while let Some(msg) = h.socket.read() {
            parts.push(msg);
        }
        parts.len() == 2
    });
    assert_eq!((parts[0].data(), parts[0].more()), (&b"hello"[..], true));
    assert_eq!((parts[1].data(), parts[1].more()), (&b"world"[..], false));
    let metadata = parts[0].metadata().expect("metadata");
    assert_eq!(
        metadata.get("Peer-Address").map(|v| &v[..]),
        Some(&b"127.0.0.1"[..])
    );

    for i in 0..3u8 {
        h.socket.send(&[i; 10], false);
    }
    eventually("three messages at the peer", || {
        h.turn();
        peer.poll();
        peer.inbox.len() == 3
    });
    assert_eq!(peer.inbox[2].data(), &[2u8; 10]);
}

#[test]
fn router_reads_the_peer_routing_id_first() {
    let mut h = Harness::new();
    let object = listen(&mut h, SocketType::Router, SocketOptions::default());
    let stream = TcpStream::connect(tcp_address(&object.endpoint)).expect("connect");
    let mut config = peer_config(SocketType::Dealer, false);
    config.routing_id = bytes::Bytes::from_static(b"peer-1");
    let mut peer = Peer::with_config(stream, config);
    eventually("attach", || {
        h.turn();
        peer.poll();
        peer.established && !h.socket.pipes.is_empty()
    });
    peer.send(b"payload", false);
    let mut got = Vec::new();
    eventually("routing id and payload", || {
        h.turn();
        peer.poll();
        while let Some(msg) = h.socket.read() {
            got.push(msg);
        }
        got.len() == 2
    });
    assert!(got[0].flags().contains(MsgFlags::ROUTING_ID));
    assert_eq!(got[0].data(), b"peer-1");
    assert_eq!(got[1].data(), b"payload");
}

#[test]
fn malformed_peer_bytes_close_only_that_connection() {
    let mut h = Harness::new();
    let object = listen(&mut h, SocketType::Dealer, SocketOptions::default());
    let mut good = connect_peer(&mut h, &object, SocketType::Dealer);
    let listeners_and_sessions = h.handlers();
    assert_eq!(listeners_and_sessions, 2);

    let bad = TcpStream::connect(tcp_address(&object.endpoint)).expect("connect");
    let mut bad = Peer::new(bad, SocketType::Dealer, false);
    // A ZMTP 3.0 greeting asking for PLAIN where we speak NULL.
    let mut greeting = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0];
    greeting.extend_from_slice(b"PLAIN");
    greeting.resize(64, 0);
    bad.send_raw(&greeting);
    eventually("the bad peer is dropped", || {
        h.turn();
        bad.poll();
        bad.eof
    });
    eventually("its session is gone", || {
        h.turn();
        h.handlers() == 2
    });
    assert_eq!(h.socket.pipes.len(), 1, "no pipe for the bad peer");

    good.send(b"still here", false);
    let mut got = None;
    eventually("the good peer still works", || {
        h.turn();
        good.poll();
        got = got.take().or_else(|| h.socket.read());
        got.is_some()
    });
    assert_eq!(got.map(|m| m.data().to_vec()), Some(b"still here".to_vec()));
}

#[test]
fn accepted_session_ends_when_the_peer_goes_and_its_pipe_terminates() {
    let mut h = Harness::new();
    let object = listen(&mut h, SocketType::Dealer, SocketOptions::default());
    let mut peer = connect_peer(&mut h, &object, SocketType::Dealer);
    peer.send(b"last words", false);
    peer.poll();
    drop(peer);
    let mut got = Vec::new();
    eventually("the pipe terminates after its last message", || {
        h.turn();
        while let Some(msg) = h.socket.read() {
            got.push(msg);
        }
        h.socket.terminated == 1
    });
    assert_eq!(got.len(), 1, "messages sent before the close are delivered");
    eventually("the session is removed", || {
        h.turn();
        h.handlers() == 1
    });
}
