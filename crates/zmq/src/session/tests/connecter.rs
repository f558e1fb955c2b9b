//! Connecting sessions: queued messages, reconnection, HWM backpressure.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use zmq_patterns::SocketType;
use zmq_transports::TransportRegistry;

use super::support::{Harness, Peer, eventually, handler_of};
use crate::options::SocketOptions;
use crate::session::{IoObject, PreparedPipe, start_connecter};

pub(super) fn connect(
    h: &mut Harness,
    address: SocketAddr,
    options: SocketOptions,
    pipe: Option<PreparedPipe>,
) -> IoObject {
    let transport = Arc::clone(TransportRegistry::new().get("tcp").expect("tcp"));
    let endpoint: Arc<str> = format!("tcp://{address}").into();
    let link = h.link(SocketType::Dealer, options);
    start_connecter(
        link,
        h.reactor.handle(),
        transport,
        address.to_string(),
        endpoint,
        pipe,
        None,
    )
}

/// Accepts the session's connection and completes the handshake.
pub(super) fn accept_peer(h: &mut Harness, listener: &TcpListener) -> Peer {
    listener.set_nonblocking(true).expect("nonblocking");
    let mut accepted = None;
    eventually("the session connects", || {
        h.turn();
        accepted = listener.accept().ok().map(|(stream, _)| stream);
        accepted.is_some()
    });
    let stream = accepted.expect("accepted");
    let mut peer = Peer::new(stream, SocketType::Dealer, true);
    eventually("handshake", || {
        h.turn();
        peer.poll();
        peer.established
    });
    peer
}

fn fast_reconnect() -> SocketOptions {
    SocketOptions {
        reconnect_ivl: 5,
        ..SocketOptions::default()
    }
}

#[test]
fn queued_messages_go_out_and_the_pipe_survives_a_reconnect() {
    let mut h = Harness::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let options = fast_reconnect();
    let prepared = h.prepared_pipe(&options);
    let _object = connect(&mut h, address, options, Some(prepared));
    // Sent before any connection exists.
    h.socket.send(b"early", false);

    let mut peer = accept_peer(&mut h, &listener);
    eventually("the early message", || {
        h.turn();
        peer.poll();
        !peer.inbox.is_empty()
    });
    assert_eq!(peer.inbox[0].data(), b"early");
    assert!(h.socket.attaches.is_empty(), "the prepared pipe is reused");

    // A half-sent multipart message from the peer must not reach the socket.
    peer.send(b"half", true);
    peer.poll();
    drop(peer);
    drop(listener);
    eventually("the session notices", || {
        h.turn();
        // Polled only to move the reactor on; nothing to read.
        h.socket.read().is_none() && h.socket.pipes.len() == 1
    });

    let listener = TcpListener::bind(address).expect("rebind the same port");
    let mut peer = accept_peer(&mut h, &listener);
    h.socket.send(b"after", false);
    peer.send(b"whole", false);
    let mut got = Vec::new();
    eventually("traffic over the new connection", || {
        h.turn();
        peer.poll();
        while let Some(msg) = h.socket.read() {
            got.push(msg);
        }
        !peer.inbox.is_empty() && !got.is_empty()
    });
    assert_eq!(peer.inbox[0].data(), b"after");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data(), b"whole", "the half message was rolled back");
    assert_eq!(h.socket.pipes.len(), 1);
}

#[test]
fn refused_connects_are_retried_until_a_listener_appears() {
    let mut h = Harness::new();
    let address = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("address")
    };
    let mut options = fast_reconnect();
    options.immediate = true;
    let object = connect(&mut h, address, options, None);
    for _ in 0..50 {
        h.turn();
    }
    assert!(h.socket.attaches.is_empty(), "no pipe before a handshake");
    let id = handler_of(&object).expect("registered");
    assert!(h.reactor.contains(id), "still trying");

    let listener = TcpListener::bind(address).expect("bind");
    let mut peer = accept_peer(&mut h, &listener);
    eventually("attach after the handshake", || {
        h.turn();
        peer.poll();
        h.socket.attaches.len() == 1
    });
    assert!(h.socket.attaches[0].1, "locally initiated");

    // With immediate, a lost connection takes its pipe along.
    drop(peer);
    eventually("the pipe terminates", || {
        h.turn();
        h.socket.terminated == 1
    });
    let mut peer = accept_peer(&mut h, &listener);
    eventually("a new pipe", || {
        h.turn();
        peer.poll();
        h.socket.attaches.len() == 2
    });
}

#[test]
fn hwm_stalls_reading_until_the_socket_reads() {
    let mut h = Harness::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let options = SocketOptions {
        rcvhwm: 4,
        immediate: true,
        ..SocketOptions::default()
    };
    let object = connect(&mut h, address, options, None);
    let mut peer = accept_peer(&mut h, &listener);
    let id = handler_of(&object).expect("registered");
    eventually("attach", || {
        h.turn();
        h.socket.attaches.len() == 1
    });

    const COUNT: u32 = 100;
    for i in 0..COUNT {
        peer.send(&i.to_be_bytes(), false);
    }
    eventually("the session stops reading", || {
        h.turn();
        peer.poll();
        h.reactor.interest(id).is_some_and(|i| !i.readable)
    });
    let mut available = 0;
    while h.socket.read().is_some() {
        available += 1;
    }
    assert_eq!(available, 4, "exactly the high-water mark");

    let mut next = 4u32;
    eventually("every message, in order", || {
        h.turn();
        peer.poll();
        while let Some(msg) = h.socket.read() {
            assert_eq!(msg.data(), next.to_be_bytes());
            next += 1;
        }
        next == COUNT
    });
    assert!(h.reactor.interest(id).is_some_and(|i| i.readable));
}
