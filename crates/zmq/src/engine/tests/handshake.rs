use std::time::{Duration, Instant};

use bytes::Bytes;
use zmq_mechanisms::MechanismError;
use zmq_patterns::MsgFlags;
use zmtp_codec::greeting::encode_greeting;
use zmtp_codec::{Mechanism, ProtocolErrorCode, SocketType, ZmtpVersion};

use super::pair::{Pair, drain, feed};
use crate::engine::{
    ConnectionConfig, ConnectionError, ConnectionEvent, HandshakeFailure, ZmtpConnection,
};

fn config(t: SocketType, id: &'static [u8]) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(t);
    c.routing_id = Bytes::from_static(id);
    c
}

#[test]
fn dealer_router_null_handshake() {
    let mut router = config(SocketType::Router, b"");
    router.as_server = true;
    router.peer_address = Some(Bytes::from_static(b"127.0.0.1"));
    let mut p = Pair::new(config(SocketType::Dealer, b"D1"), router);
    p.drive();
    for side in [&p.a, &p.b] {
        match &side.events[0] {
            ConnectionEvent::HandshakeSucceeded { version, .. } => {
                assert_eq!(*version, ZmtpVersion::V3_1)
            }
            other => panic!("{other:?}"),
        }
        assert!(side.failure().is_none());
    }
    let ConnectionEvent::HandshakeSucceeded { peer, .. } = &p.b.events[0] else {
        unreachable!()
    };
    assert_eq!(peer.get("Socket-Type").unwrap(), &b"DEALER"[..]);
    assert_eq!(peer.get("Identity").unwrap(), &b"D1"[..]);
    assert_eq!(peer.get("Peer-Address").unwrap(), &b"127.0.0.1"[..]);
    // ROUTER gets the peer's routing id in band; DEALER does not.
    let routed = p.b.take_messages();
    assert_eq!(routed.len(), 1);
    assert_eq!(routed[0].data(), b"D1");
    assert!(routed[0].flags().contains(MsgFlags::ROUTING_ID));
    assert!(p.a.take_messages().is_empty());
    assert!(p.a.conn.is_established() && p.b.conn.is_established());
    assert_eq!(p.a.conn.poll_timeout(), None);
}

#[test]
fn req_rep_handshake_byte_at_a_time() {
    let mut p = Pair::new(config(SocketType::Req, b""), config(SocketType::Rep, b""));
    p.max_read = 1;
    p.drive();
    assert!(p.a.succeeded() && p.b.succeeded());
    assert!(p.a.conn.send_msg("hello".into()).is_ok());
    p.drive();
    assert_eq!(p.b.take_messages()[0].data(), b"hello");
}

#[test]
fn incompatible_types_fail_on_both_sides() {
    let mut p = Pair::new(config(SocketType::Pub, b""), config(SocketType::Push, b""));
    p.drive();
    for side in [&p.a, &p.b] {
        let err = side.failure().unwrap();
        assert!(matches!(
            err,
            ConnectionError::Mechanism(MechanismError::IncompatibleSocketType { .. })
        ));
        assert_eq!(err.handshake_failure(), None);
        assert!(!side.succeeded());
    }
    assert!(p.a.conn.send_msg("x".into()).is_err());
}

#[test]
fn first_bytes_and_ready_are_byte_exact() {
    let now = Instant::now();
    let mut c = ZmtpConnection::new(config(SocketType::Dealer, b""), now).unwrap();
    assert_eq!(drain(&mut c), [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]);
    let peer = encode_greeting(0, 1, Mechanism::NULL, false);
    assert!(feed(&mut c, &peer[..11], now).is_empty());
    assert_eq!(
        drain(&mut c),
        encode_greeting(0, 1, Mechanism::NULL, false)[10..]
    );
    // Feed the rest of the greeting, the peer's READY and a message at once.
    let mut rest = peer[11..].to_vec();
    rest.extend_from_slice(b"\x04\x1c\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER");
    rest.extend_from_slice(b"\x01\x00\x00\x03abc");
    let events = feed(&mut c, &rest, now);
    // Our READY goes out once the peer's greeting is complete.
    let mut ready = b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER".to_vec();
    ready.extend_from_slice(b"\x08Identity\x00\x00\x00\x00");
    assert_eq!(drain(&mut c), ready);
    assert!(matches!(
        events[0],
        ConnectionEvent::HandshakeSucceeded { .. }
    ));
    let ConnectionEvent::Message(m) = &events[1] else {
        panic!()
    };
    assert!(m.more() && m.is_empty());
    let ConnectionEvent::Message(m) = &events[2] else {
        panic!()
    };
    assert_eq!(m.data(), b"abc");
    assert_eq!(
        c.peer_metadata().get("Socket-Type").unwrap(),
        &b"ROUTER"[..]
    );
}

fn scripted_peer(now: Instant, script: &[u8]) -> Vec<ConnectionEvent> {
    let mut c = ZmtpConnection::new(config(SocketType::Sub, b""), now).unwrap();
    let mut bytes = encode_greeting(0, 1, Mechanism::NULL, false).to_vec();
    bytes.extend_from_slice(script);
    feed(&mut c, &bytes, now)
}

fn failure(events: &[ConnectionEvent]) -> &ConnectionError {
    events
        .iter()
        .find_map(|e| match e {
            ConnectionEvent::Failed { error } => Some(error),
            _ => None,
        })
        .unwrap()
}

#[test]
fn peer_error_in_handshake() {
    let events = scripted_peer(Instant::now(), b"\x04\x0a\x05ERROR\x03400");
    let err = failure(&events);
    assert_eq!(err.handshake_failure(), Some(HandshakeFailure::Auth(400)));
    let events = scripted_peer(Instant::now(), b"\x04\x0a\x05ERROR\x03bad");
    assert_eq!(failure(&events).handshake_failure(), None);
}

#[test]
fn unexpected_command_and_data_in_handshake() {
    for script in [&b"\x04\x07\x04PING\x00\x00"[..], b"\x00\x03abc"] {
        let events = scripted_peer(Instant::now(), script);
        assert_eq!(
            failure(&events).handshake_failure(),
            Some(HandshakeFailure::Protocol(
                ProtocolErrorCode::ZmtpUnexpectedCommand
            ))
        );
    }
}

#[test]
fn malformed_ready_metadata() {
    let events = scripted_peer(Instant::now(), b"\x04\x09\x05READY\x05ab");
    assert_eq!(
        failure(&events).handshake_failure(),
        Some(HandshakeFailure::Protocol(
            ProtocolErrorCode::ZmtpInvalidMetadata
        ))
    );
}

#[test]
fn mechanism_mismatch_in_greeting() {
    let now = Instant::now();
    let mut c = ZmtpConnection::new(config(SocketType::Sub, b""), now).unwrap();
    let events = feed(&mut c, &encode_greeting(0, 1, Mechanism::PLAIN, false), now);
    assert_eq!(
        failure(&events).handshake_failure(),
        Some(HandshakeFailure::Protocol(
            ProtocolErrorCode::ZmtpMechanismMismatch
        ))
    );
}

#[test]
fn handshake_timeout() {
    let now = Instant::now();
    let mut cfg = config(SocketType::Pull, b"");
    cfg.handshake_ivl = Duration::from_millis(500);
    let mut c = ZmtpConnection::new(cfg, now).unwrap();
    let deadline = c.poll_timeout().unwrap();
    assert_eq!(deadline, now + Duration::from_millis(500));
    c.handle_timeout(now + Duration::from_millis(499));
    assert!(c.poll_event().is_none());
    c.handle_timeout(deadline);
    let Some(ConnectionEvent::Failed { error }) = c.poll_event() else {
        panic!()
    };
    assert_eq!(error, ConnectionError::HandshakeTimedOut);
    assert_eq!(error.handshake_failure(), Some(HandshakeFailure::NoDetail));
    assert!(c.is_closed() && c.poll_timeout().is_none());
}

#[test]
fn invalid_metadata_name_refused_at_creation() {
    let mut cfg = config(SocketType::Pull, b"");
    cfg.metadata = vec![("bad name".into(), Bytes::new())];
    assert!(ZmtpConnection::new(cfg, Instant::now()).is_err());
}
