//! NULL with a ZAP domain (libzmq 4.3 `null_mechanism_t`): the side with
//! the domain asks ZAP before its READY, whether it bound or connected.

use bytes::Bytes;
use zmq_mechanisms::ZapReply;
use zmtp_codec::SocketType;

use super::pair::{Pair, Side};
use crate::engine::{ConnectionConfig, ConnectionError, HandshakeFailure};

fn null(t: SocketType) -> ConnectionConfig {
    ConnectionConfig::new(t)
}

fn null_with_domain(t: SocketType, handler: bool, enforce: bool) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(t);
    c.zap_domain = Bytes::from_static(b"global");
    c.zap_handler_available = handler;
    c.zap_enforce_domain = enforce;
    c.peer_address = Some(Bytes::from_static(b"127.0.0.1"));
    c
}

fn failure(error: Option<&ConnectionError>) -> Option<HandshakeFailure> {
    error.and_then(ConnectionError::handshake_failure)
}

/// Answers `side`'s ZAP request and resumes decoding what arrived
/// meanwhile, as the session does.
fn answer(side: &mut Side, reply: ZapReply, now: std::time::Instant) {
    side.conn.zap_reply(reply, now);
    side.conn.receive(&mut side.inbox, now);
    side.collect();
}

/// Drives until side b asks ZAP; returns the request's frames.
fn zap_request_of_b(p: &mut Pair) -> Vec<Bytes> {
    p.drive();
    assert!(p.b.conn.is_awaiting_zap());
    let request = p.b.conn.poll_zap_request().expect("a ZAP request");
    assert!(p.b.conn.poll_zap_request().is_none());
    request.frames()
}

#[test]
fn asks_zap_and_holds_ready_until_accepted() {
    let mut p = Pair::new(
        null(SocketType::Dealer),
        null_with_domain(SocketType::Router, true, false),
    );
    let frames = zap_request_of_b(&mut p);
    // delimiter, version, id, domain, address, identity, mechanism; no credentials
    assert_eq!(frames.len(), 7);
    assert_eq!(&frames[3][..], b"global");
    assert_eq!(&frames[4][..], b"127.0.0.1");
    assert_eq!(&frames[6][..], b"NULL");
    // READY is held: the peer cannot finish meanwhile.
    p.drive();
    assert!(!p.a.succeeded() && !p.b.succeeded());
    let mut reply = ZapReply::with_status(200);
    reply.user_id = Bytes::from_static(b"anonymous");
    answer(&mut p.b, reply, p.now);
    p.drive();
    assert!(
        p.a.succeeded() && p.b.succeeded(),
        "{:?} {:?}",
        p.a.failure(),
        p.b.failure()
    );
    assert_eq!(
        p.b.conn.peer_metadata().get("User-Id").unwrap(),
        "anonymous"
    );
}

#[test]
fn refusal_sends_error_and_both_sides_fail() {
    let mut p = Pair::new(
        null(SocketType::Dealer),
        null_with_domain(SocketType::Router, true, false),
    );
    zap_request_of_b(&mut p);
    answer(&mut p.b, ZapReply::with_status(400), p.now);
    p.drive();
    assert_eq!(failure(p.b.failure()), Some(HandshakeFailure::Auth(400)));
    assert_eq!(failure(p.a.failure()), Some(HandshakeFailure::Auth(400)));
    assert!(!p.a.succeeded());
}

#[test]
fn temporary_failure_closes_without_error() {
    let mut p = Pair::new(
        null(SocketType::Dealer),
        null_with_domain(SocketType::Router, true, false),
    );
    zap_request_of_b(&mut p);
    answer(&mut p.b, ZapReply::with_status(300), p.now);
    p.drive();
    assert_eq!(failure(p.b.failure()), Some(HandshakeFailure::Auth(300)));
    assert!(!p.a.succeeded());
}

#[test]
fn the_connecting_side_asks_too() {
    let mut p = Pair::new(
        null_with_domain(SocketType::Dealer, true, false),
        null(SocketType::Router),
    );
    p.drive();
    assert!(p.a.conn.is_awaiting_zap());
    assert!(p.a.conn.poll_zap_request().is_some());
    answer(&mut p.a, ZapReply::with_status(200), p.now);
    p.drive();
    assert!(p.a.succeeded() && p.b.succeeded());
}

#[test]
fn no_handler_goes_on_unless_enforced() {
    let mut p = Pair::new(
        null(SocketType::Dealer),
        null_with_domain(SocketType::Router, false, false),
    );
    p.drive();
    assert!(p.b.conn.poll_zap_request().is_none());
    assert!(p.a.succeeded() && p.b.succeeded());

    let mut p = Pair::new(
        null(SocketType::Dealer),
        null_with_domain(SocketType::Router, false, true),
    );
    p.drive();
    assert!(p.b.conn.poll_zap_request().is_none());
    assert_eq!(failure(p.b.failure()), Some(HandshakeFailure::NoDetail));
    assert!(!p.a.succeeded());
}

#[test]
fn no_domain_never_asks() {
    let mut c = null(SocketType::Router);
    c.zap_handler_available = true;
    let mut p = Pair::new(null(SocketType::Dealer), c);
    p.drive();
    assert!(p.b.conn.poll_zap_request().is_none());
    assert!(p.a.succeeded() && p.b.succeeded());
}
