//! Close with linger, and listener close.

use std::net::TcpListener;
use std::sync::Arc;

use zmq_patterns::{Pipe, SocketType};
use zmq_transports::TransportRegistry;

use super::connecter::{accept_peer, connect};
use super::support::{Harness, eventually, handler_of};
use crate::options::SocketOptions;
use crate::session::{start_listener, transport_options};

/// A connected session whose socket queued `count` messages, then closed:
/// the pipe terminated and `Close { linger }` sent, before the reactor ran.
fn close_with_queued(linger: i32, count: usize) -> (Harness, super::support::Peer, usize) {
    let mut h = Harness::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let options = SocketOptions::default();
    let prepared = h.prepared_pipe(&options);
    let object = connect(&mut h, address, options, Some(prepared));
    let peer = accept_peer(&mut h, &listener);
    for i in 0..count {
        h.socket.send(format!("message {i}").as_bytes(), false);
    }
    h.socket.pipe().terminate_with(linger != 0);
    object.close(linger);
    (h, peer, count)
}

#[test]
fn linger_sends_every_queued_message_before_going() {
    let (mut h, mut peer, count) = close_with_queued(-1, 500);
    eventually("the session is gone", || {
        h.turn();
        peer.poll();
        h.handlers() == 0
    });
    eventually("every message and then the end", || {
        peer.poll();
        peer.eof
    });
    assert_eq!(peer.inbox.len(), count);
    assert_eq!(peer.inbox[count - 1].data(), b"message 499");
    eventually("the socket's pipe terminates", || {
        h.turn();
        h.socket.terminated == 1
    });
}

/// A session connected at the TCP level to a peer that never speaks
/// ZMTP, with `count` messages queued and the socket closed.
fn close_towards_a_silent_peer(linger: i32, count: usize) -> (Harness, TcpListener) {
    let mut h = Harness::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let options = SocketOptions::default();
    let prepared = h.prepared_pipe(&options);
    let object = connect(&mut h, address, options, Some(prepared));
    for i in 0..count {
        h.socket.send(format!("message {i}").as_bytes(), false);
    }
    h.socket.pipe().terminate_with(linger != 0);
    object.close(linger);
    (h, listener)
}

#[test]
fn linger_zero_drops_at_once() {
    let (mut h, _listener) = close_towards_a_silent_peer(0, 50);
    eventually("the session is gone", || {
        h.turn();
        h.handlers() == 0 && h.socket.terminated == 1
    });
}

#[test]
fn linger_bounds_the_wait_for_a_peer_that_never_takes_the_messages() {
    let started = std::time::Instant::now();
    let (mut h, _listener) = close_towards_a_silent_peer(50, 50);
    for _ in 0..5 {
        h.turn();
    }
    eventually("the session is gone after the linger", || {
        h.turn();
        h.handlers() == 0 && h.socket.terminated == 1
    });
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
}

#[test]
fn close_before_any_connection_with_nothing_queued_goes_at_once() {
    let mut h = Harness::new();
    let address = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("address");
    let options = SocketOptions::default();
    let prepared = h.prepared_pipe(&options);
    let object = connect(&mut h, address, options, Some(prepared));
    h.turn();
    assert!(handler_of(&object).is_some());
    h.socket.pipe().terminate();
    object.close(-1);
    eventually("the session is gone", || {
        h.turn();
        h.handlers() == 0 && h.socket.terminated == 1
    });
}

#[test]
fn listener_close_closes_its_sessions_and_unlinks_the_ipc_file() {
    let mut h = Harness::new();
    let dir = std::env::temp_dir().join(format!(
        "zmq-session-test-{}-{}",
        std::process::id(),
        h.ctx.next_pipe_id().0
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("socket");
    let endpoint = format!("ipc://{}", path.display());
    let options = SocketOptions::default();
    let listener = TransportRegistry::new()
        .bind(&endpoint, &transport_options(&options))
        .expect("bind ipc");
    let resolved: Arc<str> = listener.endpoint().into();
    let link = h.link(SocketType::Dealer, options.clone());
    let object = start_listener(link, h.reactor.handle(), listener, resolved);

    // Two peers: connecters of a second "socket" on the same reactor.
    let peer_side = crate::session::tests::support::Harness::new();
    let transport = Arc::clone(TransportRegistry::new().get("ipc").expect("ipc"));
    let mut peer_options = options.clone();
    peer_options.immediate = true;
    let peers: Vec<_> = (0..2)
        .map(|_| {
            crate::session::start_connecter(
                peer_side.link(SocketType::Dealer, peer_options.clone()),
                h.reactor.handle(),
                Arc::clone(&transport),
                path.display().to_string(),
                endpoint.clone().into(),
                None,
                None,
            )
        })
        .collect();
    let mut peer_side = peer_side;
    eventually("both connections attach on both sides", || {
        h.turn();
        peer_side.socket.poll();
        h.socket.pipes.len() == 2 && peer_side.socket.pipes.len() == 2
    });
    assert!(path.exists());
    assert_eq!(h.handlers(), 5, "listener, two accepted, two connecters");

    // Unbind: the socket terminates the pipes and closes the listener.
    for pipe in &mut h.socket.pipes {
        pipe.terminate();
    }
    object.close(-1);
    eventually("listener and accepted sessions gone", || {
        h.turn();
        peer_side.socket.poll();
        h.handlers() == 2 && h.socket.pipes.is_empty()
    });
    assert!(!path.exists(), "the ipc file is unlinked");
    for peer in &peers {
        peer.close(0);
    }
    eventually("the connecters go too", || {
        h.turn();
        h.handlers() == 0
    });
    let _ = std::fs::remove_dir_all(&dir);
}
