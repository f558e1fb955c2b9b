use bytes::{Bytes, BytesMut};
use zmq_patterns::{Msg, MsgFlags};
use zmtp_codec::{SocketType, SubscriptionChange};

use super::pair::Pair;
use crate::engine::transmit::ZERO_COPY_THRESHOLD;
use crate::engine::{ConnectionConfig, ConnectionError};

fn part(data: &[u8], more: bool) -> Msg {
    let mut m = Msg::from_slice(data);
    m.set_more(more);
    m
}

fn established(a: SocketType, b: SocketType) -> Pair {
    let mut p = Pair::new(ConnectionConfig::new(a), ConnectionConfig::new(b));
    p.drive();
    assert!(p.a.succeeded() && p.b.succeeded());
    p.a.take_messages();
    p.b.take_messages();
    p
}

#[test]
fn multipart_and_large_messages_across_read_splits() {
    let big: Vec<u8> = (0..1024 * 1024u32).map(|i| (i * 7) as u8).collect();
    let big = Bytes::from(big);
    for max_read in [1, 7, 1000, 65_536, usize::MAX] {
        let mut p = established(SocketType::Dealer, SocketType::Dealer);
        p.max_read = max_read;
        for m in [
            part(b"", true),
            part(b"first", true),
            part(&[9; 300], false),
        ] {
            p.a.conn.send_msg(m).unwrap();
        }
        let mut large = Msg::from_bytes(big.clone());
        large.set_more(false);
        p.a.conn.send_msg(large).unwrap();
        p.a.conn.send_msg(part(b"after", false)).unwrap();
        if max_read == usize::MAX {
            // The 1 MiB body is queued without a copy.
            let q = p.a.conn.poll_transmit().unwrap();
            assert!(q.chunks().any(|c| c.as_ptr() == big.as_ptr()));
        }
        p.drive();
        let got = p.b.take_messages();
        assert_eq!(got.len(), 5, "max_read {max_read}");
        assert!(got[0].more() && got[0].is_empty());
        assert_eq!(got[1].data(), b"first");
        assert!(got[1].more());
        assert_eq!(got[2].data(), &[9; 300][..]);
        assert!(!got[2].more());
        assert_eq!(got[3].data(), &big[..]);
        assert_eq!(got[4].data(), b"after");
        assert!(p.b.failure().is_none());
    }
}

#[test]
fn small_sends_do_not_split_the_queue() {
    let mut p = established(SocketType::Push, SocketType::Pull);
    for _ in 0..100 {
        p.a.conn.send_msg(part(&[1; 100], false)).unwrap();
    }
    p.a.conn
        .send_msg(Msg::from_bytes(Bytes::from(vec![
            0;
            ZERO_COPY_THRESHOLD - 1
        ])))
        .unwrap();
    assert_eq!(p.a.conn.poll_transmit().unwrap().chunks().count(), 1);
}

#[test]
fn max_msg_size_violation() {
    let mut b = ConnectionConfig::new(SocketType::Pull);
    b.max_msg_size = 100;
    let mut p = Pair::new(ConnectionConfig::new(SocketType::Push), b);
    p.drive();
    p.a.conn.send_msg(part(&[0; 100], false)).unwrap();
    p.drive();
    assert_eq!(p.b.take_messages().len(), 1);
    p.a.conn.send_msg(part(&[0; 101], false)).unwrap();
    p.drive();
    let err = p.b.failure().unwrap();
    assert_eq!(err, &ConnectionError::MessageTooLarge { size: 101 });
    assert_eq!(err.errno(), libc::EMSGSIZE);
    assert_eq!(err.handshake_failure(), None);
}

#[test]
fn malformed_frame_after_handshake() {
    let mut p = established(SocketType::Pair, SocketType::Pair);
    let mut buf = BytesMut::from(&b"\x00\x01x\x08\x00"[..]);
    p.b.conn.receive(&mut buf, p.now);
    p.drive();
    assert_eq!(p.b.take_messages()[0].data(), b"x");
    assert!(matches!(
        p.b.failure().unwrap(),
        ConnectionError::Protocol(zmtp_codec::Error::ReservedFrameFlags { flags: 8 })
    ));
    assert!(p.b.conn.send_msg("late".into()).is_err());
}

#[test]
fn error_command_after_handshake() {
    let mut p = established(SocketType::Pair, SocketType::Pair);
    let mut buf = BytesMut::from(&b"\x04\x0a\x05ERROR\x03bye"[..]);
    p.b.conn.receive(&mut buf, p.now);
    p.drive();
    assert_eq!(
        p.b.failure().unwrap(),
        &ConnectionError::PeerError {
            reason: Bytes::from_static(b"bye")
        }
    );
}

#[test]
fn subscriptions_as_commands_with_3_1() {
    let mut p = established(SocketType::Sub, SocketType::XPub);
    p.a.conn
        .send_subscription(SubscriptionChange::Subscribe(Bytes::from_static(b"top")))
        .unwrap();
    let mut cancel = Msg::from_slice(b"top");
    cancel.set_flags(MsgFlags::CANCEL);
    p.a.conn.send_msg(cancel).unwrap();
    let wire: Vec<u8> =
        p.a.conn
            .poll_transmit()
            .unwrap()
            .chunks()
            .flatten()
            .copied()
            .collect();
    assert_eq!(&wire[..], b"\x04\x0d\x09SUBSCRIBEtop\x04\x0a\x06CANCELtop");
    p.drive();
    let got = p.b.take_messages();
    assert_eq!(got[0].flags(), MsgFlags::SUBSCRIBE);
    assert_eq!(got[0].data(), b"top");
    assert_eq!(got[1].flags(), MsgFlags::CANCEL);
}

#[test]
fn join_leave_pass_as_commands() {
    let mut p = established(SocketType::Dish, SocketType::Radio);
    let mut join = Msg::from_slice(b"\x04JOINgroup");
    join.set_flags(MsgFlags::COMMAND);
    p.a.conn.send_msg(join).unwrap();
    p.drive();
    let got = p.b.take_messages();
    assert!(got[0].is_command());
    assert_eq!(got[0].data(), b"\x04JOINgroup");
}
