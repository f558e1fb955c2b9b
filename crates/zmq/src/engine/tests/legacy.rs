use std::time::Instant;

use bytes::Bytes;
use zmq_patterns::MsgFlags;
use zmtp_codec::greeting::encode_greeting;
use zmtp_codec::{Mechanism, SocketType, SubscriptionChange, ZmtpVersion};

use super::pair::{drain, feed};
use crate::engine::{ConnectionConfig, ConnectionError, ConnectionEvent, ZmtpConnection};

fn messages(events: &[ConnectionEvent]) -> Vec<(Vec<u8>, MsgFlags)> {
    events
        .iter()
        .filter_map(|e| match e {
            ConnectionEvent::Message(m) => Some((m.data().to_vec(), m.flags())),
            _ => None,
        })
        .collect()
}

#[test]
fn zmtp_3_0_peer_gets_subscriptions_as_messages() {
    let now = Instant::now();
    let mut c = ZmtpConnection::new(ConnectionConfig::new(SocketType::Sub), now).unwrap();
    let mut script = encode_greeting(0, 0, Mechanism::NULL, false).to_vec();
    script.extend_from_slice(b"\x04\x19\x05READY\x0bSocket-Type\x00\x00\x00\x03PUB");
    let events = feed(&mut c, &script, now);
    assert!(matches!(
        events[0],
        ConnectionEvent::HandshakeSucceeded {
            version: ZmtpVersion::V3_0,
            ..
        }
    ));
    drain(&mut c);
    c.send_subscription(SubscriptionChange::Subscribe(Bytes::from_static(b"abc")))
        .unwrap();
    c.send_subscription(SubscriptionChange::Cancel(Bytes::new()))
        .unwrap();
    assert_eq!(drain(&mut c), b"\x00\x04\x01abc\x00\x01\x00");
    // A 3.0 peer's subscription commands are still accepted.
    let events = feed(&mut c, b"\x04\x0b\x09SUBSCRIBEx", now);
    assert_eq!(
        messages(&events),
        vec![(b"x".to_vec(), MsgFlags::SUBSCRIBE)]
    );
}

#[test]
fn zmtp_2_0_peer() {
    let now = Instant::now();
    let mut cfg = ConnectionConfig::new(SocketType::Router);
    cfg.routing_id = Bytes::from_static(b"R");
    let mut c = ZmtpConnection::new(cfg, now).unwrap();
    assert_eq!(drain(&mut c), [0xFF, 0, 0, 0, 0, 0, 0, 0, 2, 0x7F]);
    // Peer: signature, revision 1, DEALER (5), identity "peer", a message.
    let mut script = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x05];
    script.extend_from_slice(b"\x00\x04peer\x01\x00\x00\x02hi");
    let events = feed(&mut c, &script, now);
    // We answer with major 3, our socket type byte and our identity frame.
    assert_eq!(drain(&mut c), b"\x03\x06\x00\x01R");
    let ConnectionEvent::HandshakeSucceeded { peer, version } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(*version, ZmtpVersion::V2_0);
    assert_eq!(peer.get("Socket-Type").unwrap(), &b"DEALER"[..]);
    assert_eq!(
        messages(&events),
        vec![
            (b"peer".to_vec(), MsgFlags::ROUTING_ID),
            (b"".to_vec(), MsgFlags::MORE),
            (b"hi".to_vec(), MsgFlags::empty()),
        ]
    );
    let mut reply = zmq_patterns::Msg::from_slice(b"ok");
    reply.set_more(false);
    c.send_msg(reply).unwrap();
    assert_eq!(drain(&mut c), b"\x00\x02ok");
}

#[test]
fn zmtp_2_0_incompatible_socket_type() {
    let now = Instant::now();
    let mut c = ZmtpConnection::new(ConnectionConfig::new(SocketType::Pull), now).unwrap();
    let script = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x07];
    let events = feed(&mut c, &script, now);
    assert!(matches!(
        events[0],
        ConnectionEvent::Failed {
            error: ConnectionError::IncompatibleSocketType { peer: 7 }
        }
    ));
}

#[test]
fn unversioned_zmtp_1_0_peer() {
    let now = Instant::now();
    let mut cfg = ConnectionConfig::new(SocketType::Pub);
    cfg.routing_id = Bytes::from_static(b"me");
    let mut c = ZmtpConnection::new(cfg, now).unwrap();
    assert_eq!(drain(&mut c), [0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0x7F]);
    // Peer: anonymous identity frame (length 1, flags 0), then "abc".
    let events = feed(&mut c, b"\x01\x00\x04\x00abc", now);
    // Our signature was our identity frame's header; its body follows.
    assert_eq!(drain(&mut c), b"me");
    assert!(matches!(
        events[0],
        ConnectionEvent::HandshakeSucceeded {
            version: ZmtpVersion::V1_0,
            ..
        }
    ));
    // PUB injects a subscribe-all on behalf of the 1.0 peer.
    assert_eq!(
        messages(&events),
        vec![
            (vec![1], MsgFlags::empty()),
            (b"abc".to_vec(), MsgFlags::empty())
        ]
    );
    c.send_msg("hi".into()).unwrap();
    assert_eq!(drain(&mut c), b"\x03\x00hi");
}
