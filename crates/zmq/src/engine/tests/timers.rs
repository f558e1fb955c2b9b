use bytes::BytesMut;
use zmq_patterns::Msg;
use zmtp_codec::SocketType;

use super::pair::{Pair, ms};
use crate::engine::{ConnectionConfig, ConnectionError};

fn heartbeating(ivl: u64, ttl: u64) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(SocketType::Dealer);
    c.heartbeat_ivl = ms(ivl);
    c.heartbeat_ttl = ms(ttl);
    c
}

#[test]
fn ping_pong_keeps_the_connection() {
    let mut p = Pair::new(
        heartbeating(100, 1000),
        ConnectionConfig::new(SocketType::Dealer),
    );
    p.drive();
    assert_eq!(p.a.conn.poll_timeout(), Some(p.now + ms(100)));
    for _ in 0..10 {
        p.advance(ms(100));
    }
    assert!(p.a.failure().is_none() && p.b.failure().is_none());
    // b got PINGs but no messages; a got PONGs but no messages.
    assert!(p.a.take_messages().is_empty() && p.b.take_messages().is_empty());
}

#[test]
fn ping_wire_format_and_pong_echo() {
    let mut p = Pair::new(
        heartbeating(100, 2500),
        ConnectionConfig::new(SocketType::Dealer),
    );
    p.drive();
    p.now += ms(100);
    p.a.conn.handle_timeout(p.now);
    let wire: Vec<u8> =
        p.a.conn
            .poll_transmit()
            .unwrap()
            .chunks()
            .flatten()
            .copied()
            .collect();
    assert_eq!(wire, b"\x04\x07\x04PING\x00\x19");
    // b answers a PING with context by echoing it.
    let mut buf = BytesMut::from(&b"\x04\x0a\x04PING\x00\x00ctx\x04\x04\x04PONG"[..]);
    p.b.conn.receive(&mut buf, p.now);
    let pong: Vec<u8> =
        p.b.conn
            .poll_transmit()
            .unwrap()
            .chunks()
            .flatten()
            .copied()
            .collect();
    assert_eq!(pong, b"\x04\x08\x04PONGctx");
}

#[test]
fn heartbeat_timeout_on_silent_peer() {
    let mut a = heartbeating(100, 0);
    a.heartbeat_timeout = Some(ms(300));
    let mut p = Pair::new(a, ConnectionConfig::new(SocketType::Dealer));
    p.drive();
    p.b.talks = false;
    p.advance(ms(100)); // PING sent, timeout armed for +300
    assert!(p.a.failure().is_none());
    p.advance(ms(299));
    assert!(p.a.failure().is_none());
    p.advance(ms(1));
    assert_eq!(p.a.failure(), Some(&ConnectionError::HeartbeatTimedOut));
}

/// As libzmq: the timeout starts when the PING is written, so a large
/// message still going out ahead of it does not count against the peer.
#[test]
fn heartbeat_timeout_starts_when_the_ping_is_written() {
    let mut a = heartbeating(100, 0);
    a.heartbeat_timeout = Some(ms(300));
    let mut p = Pair::new(a, ConnectionConfig::new(SocketType::Dealer));
    p.drive();
    p.b.talks = false;
    p.a.conn.send_msg(Msg::from_vec(vec![7; 1 << 20])).unwrap();
    let t0 = p.now;
    p.a.conn.handle_timeout(t0 + ms(100)); // PING queued behind the message
    // Nothing written for a second: no timeout is running.
    p.a.conn.handle_timeout(t0 + ms(1100));
    p.a.collect();
    assert!(p.a.failure().is_none());
    // Written at +1100 (message and PING): the timeout runs from there.
    let queue = p.a.conn.poll_transmit().unwrap();
    let n = queue.len();
    queue.advance(n);
    p.a.conn.handle_written(t0 + ms(1100));
    p.a.conn.handle_timeout(t0 + ms(1399));
    p.a.collect();
    assert!(p.a.failure().is_none());
    p.a.conn.handle_timeout(t0 + ms(1400));
    p.a.collect();
    assert_eq!(p.a.failure(), Some(&ConnectionError::HeartbeatTimedOut));
}

#[test]
fn remote_ttl_closes_when_peer_goes_silent() {
    let mut p = Pair::new(
        heartbeating(100, 1000),
        ConnectionConfig::new(SocketType::Dealer),
    );
    p.drive();
    p.advance(ms(100)); // b receives a PING with TTL 1 s
    p.a.talks = false;
    assert_eq!(p.b.conn.poll_timeout(), Some(p.now + ms(1000)));
    p.advance(ms(999));
    assert!(p.b.failure().is_none());
    p.advance(ms(1));
    assert_eq!(p.b.failure(), Some(&ConnectionError::HeartbeatTimedOut));
}
