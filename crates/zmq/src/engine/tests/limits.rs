//! The resource contract (`docs/limits.md`) at the connection level:
//! pre-authentication frame cap, coalesced PONGs and PINGs, no input while
//! ZAP is pending, and a bounded number of decoded events per call.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use zmq_patterns::Msg;
use zmtp_codec::greeting::encode_greeting;
use zmtp_codec::{Command, Mechanism, SocketType};

use super::pair::{Pair, drain, feed};
use crate::engine::{
    ConnectionConfig, ConnectionError, ConnectionEvent, ConnectionPhase, HANDSHAKE_MAX_FRAME,
    HandshakeFailure, MAX_PENDING_EVENTS, ZmtpConnection,
};

fn established(a: ConnectionConfig, b: ConnectionConfig) -> Pair {
    let mut p = Pair::new(a, b);
    p.drive();
    assert!(p.a.succeeded() && p.b.succeeded());
    p.a.take_messages();
    p.b.take_messages();
    p
}

fn failure(events: &[ConnectionEvent]) -> Option<&ConnectionError> {
    events.iter().find_map(|e| match e {
        ConnectionEvent::Failed { error } => Some(error),
        _ => None,
    })
}

/// A 3.0 NULL peer's greeting followed by a command frame header
/// announcing `size` bytes.
fn greeting_then_header(size: u64) -> Vec<u8> {
    let mut bytes = encode_greeting(0, 1, Mechanism::NULL, false).to_vec();
    bytes.push(0x06); // long command frame
    bytes.extend_from_slice(&size.to_be_bytes());
    bytes
}

#[test]
fn frames_before_authentication_are_capped_whatever_maxmsgsize_says() {
    let now = std::time::Instant::now();
    for size in [HANDSHAKE_MAX_FRAME as u64 + 1, 1 << 40, 1 << 63, u64::MAX] {
        let mut c = ZmtpConnection::new(ConnectionConfig::new(SocketType::Router), now).unwrap();
        assert_eq!(c.phase(), ConnectionPhase::Greeting);
        let events = feed(&mut c, &greeting_then_header(size), now);
        let error = failure(&events).expect("refused from the header");
        assert_eq!(*error, ConnectionError::HandshakeFrameTooLarge { size });
        assert_eq!(error.handshake_failure(), Some(HandshakeFailure::NoDetail));
        assert_eq!(error.errno(), libc::EMSGSIZE);
        assert_eq!(c.phase(), ConnectionPhase::Closed);
    }
    // A smaller ZMQ_MAXMSGSIZE still wins.
    let mut config = ConnectionConfig::new(SocketType::Router);
    config.max_msg_size = 100;
    let mut c = ZmtpConnection::new(config, now).unwrap();
    let events = feed(&mut c, &greeting_then_header(101), now);
    assert!(failure(&events).is_some());
}

#[test]
fn a_large_legitimate_ready_passes_and_the_cap_is_lifted_after_it() {
    let mut a = ConnectionConfig::new(SocketType::Dealer);
    // About what fits: the cap leaves room for this much metadata.
    a.metadata = vec![("X-Big".to_owned(), Bytes::from(vec![b'm'; 60_000]))];
    let mut p = established(a, ConnectionConfig::new(SocketType::Dealer));
    assert_eq!(p.b.conn.peer_metadata().get("X-Big").unwrap().len(), 60_000);
    assert_eq!(p.b.conn.phase(), ConnectionPhase::Established);
    // Once authenticated, frames are limited by ZMQ_MAXMSGSIZE only.
    let big = Bytes::from(vec![7u8; 4 * HANDSHAKE_MAX_FRAME]);
    p.a.conn.send_msg(Msg::from_bytes(big.clone())).unwrap();
    p.drive();
    let got = p.b.take_messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data(), &big[..]);
}

#[test]
fn after_authentication_unallocatable_sizes_are_refused() {
    let mut p = established(
        ConnectionConfig::new(SocketType::Dealer),
        ConnectionConfig::new(SocketType::Dealer),
    );
    let mut header = vec![0x02];
    header.extend_from_slice(&(1u64 << 63).to_be_bytes());
    let events = feed(&mut p.b.conn, &header, p.now);
    assert_eq!(
        failure(&events),
        Some(&ConnectionError::MessageTooLarge { size: 1 << 63 })
    );
}

fn ping(context: &[u8]) -> Vec<u8> {
    let mut body = BytesMut::new();
    Command::Ping {
        ttl_deciseconds: 0,
        context: Bytes::copy_from_slice(context),
    }
    .encode_frame(&mut body);
    body.to_vec()
}

#[test]
fn pongs_to_a_peer_that_does_not_read_are_coalesced() {
    let mut p = established(
        ConnectionConfig::new(SocketType::Dealer),
        ConnectionConfig::new(SocketType::Router),
    );
    let one_pong = {
        feed(&mut p.b.conn, &ping(b"c0"), p.now);
        drain(&mut p.b.conn)
    };
    assert!(!one_pong.is_empty());
    // 100,000 PINGs while nothing b queues is written.
    let mut flood = Vec::new();
    for i in 0..100_000u32 {
        flood.extend_from_slice(&ping(&i.to_be_bytes()));
    }
    let mut buf = BytesMut::from(&flood[..]);
    p.b.conn.receive(&mut buf, p.now);
    assert!(buf.is_empty());
    let queued = p.b.conn.poll_transmit().map_or(0, |q| q.len());
    assert!(queued <= one_pong.len() + 4, "{queued} bytes queued");
    // Once the first PONG is written, the held one (the latest context)
    // follows, and nothing else.
    let out = drain(&mut p.b.conn);
    let mut expected = Vec::new();
    let mut pong = BytesMut::new();
    Command::pong_for(&Bytes::copy_from_slice(&0u32.to_be_bytes())).encode_frame(&mut pong);
    expected.extend_from_slice(&pong);
    pong.clear();
    Command::pong_for(&Bytes::copy_from_slice(&99_999u32.to_be_bytes())).encode_frame(&mut pong);
    expected.extend_from_slice(&pong);
    assert_eq!(out, expected);
    assert!(p.b.conn.poll_transmit().is_none());
}

#[test]
fn our_ping_is_not_repeated_while_unwritten() {
    let mut a = ConnectionConfig::new(SocketType::Dealer);
    a.heartbeat_ivl = Duration::from_millis(10);
    a.heartbeat_timeout = Some(Duration::from_secs(3600));
    let mut p = established(a, ConnectionConfig::new(SocketType::Dealer));
    let mut now = p.now;
    for _ in 0..1000 {
        now += Duration::from_millis(10);
        p.a.conn.handle_timeout(now);
    }
    let out = drain(&mut p.a.conn);
    let mut one = BytesMut::new();
    Command::Ping {
        ttl_deciseconds: 0,
        context: Bytes::new(),
    }
    .encode_frame(&mut one);
    assert_eq!(out, one.to_vec(), "one PING, not 1000");
    now += Duration::from_millis(10);
    p.a.conn.handle_timeout(now);
    assert_eq!(
        drain(&mut p.a.conn),
        one.to_vec(),
        "the next one once written"
    );
}

#[test]
fn no_input_is_taken_while_zap_is_pending() {
    let mut b = ConnectionConfig::new(SocketType::Router);
    b.zap_domain = Bytes::from_static(b"global");
    b.zap_handler_available = true;
    let mut p = Pair::new(ConnectionConfig::new(SocketType::Dealer), b);
    p.drive();
    assert_eq!(p.b.conn.phase(), ConnectionPhase::AwaitingZap);
    assert!(!p.b.conn.phase().reads_input());
    assert!(p.b.conn.poll_zap_request().is_some());
    assert!(ConnectionPhase::Established.reads_input());
}

#[test]
fn decoding_stops_at_the_event_limit_and_resumes_from_the_buffer() {
    let mut p = established(
        ConnectionConfig::new(SocketType::Dealer),
        ConnectionConfig::new(SocketType::Dealer),
    );
    let total = 3 * MAX_PENDING_EVENTS + 5;
    let mut bytes = Vec::new();
    for i in 0..total {
        bytes.extend_from_slice(&[0x00, 0x01, i as u8]);
    }
    let mut buf = BytesMut::from(&bytes[..]);
    let mut got = 0;
    let mut rounds = 0;
    loop {
        p.b.conn.receive(&mut buf, p.now);
        let mut this_round = 0;
        while let Some(e) = p.b.conn.poll_event() {
            assert!(matches!(e, ConnectionEvent::Message(_)));
            this_round += 1;
        }
        assert!(this_round <= MAX_PENDING_EVENTS);
        got += this_round;
        rounds += 1;
        if !p.b.conn.has_input_backlog() {
            break;
        }
    }
    assert_eq!(got, total);
    assert_eq!(rounds, 4);
    assert!(buf.is_empty());
}
