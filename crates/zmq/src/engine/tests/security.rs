//! PLAIN and CURVE through two connections: handshakes, ZAP, MESSAGE
//! boxes, and the failures a monitor reports.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use zmq_mechanisms::{MechanismError, SecretKey, ZapReply, parse_key};
use zmq_patterns::Msg;
use zmtp_codec::{ProtocolErrorCode, SocketType, SubscriptionChange};

use super::pair::{Pair, drain, feed};
use crate::engine::{
    ConnectionConfig, ConnectionError, ConnectionEvent, HandshakeFailure, MechanismChoice,
};

const SERVER_PUBLIC: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const SERVER_SECRET: &str = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
const CLIENT_PUBLIC: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const CLIENT_SECRET: &str = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

fn key(z85: &str) -> [u8; 32] {
    parse_key(z85.as_bytes()).unwrap()
}

fn curve_client(t: SocketType, server_key: [u8; 32]) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(t);
    c.mechanism = MechanismChoice::Curve {
        server: false,
        public: key(CLIENT_PUBLIC),
        secret: SecretKey::from_bytes(key(CLIENT_SECRET)),
        server_key,
    };
    c
}

fn curve_server(t: SocketType) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(t);
    c.as_server = true;
    c.mechanism = MechanismChoice::Curve {
        server: true,
        public: [0; 32],
        secret: SecretKey::from_bytes(key(SERVER_SECRET)),
        server_key: [0; 32],
    };
    c
}

fn plain_client(password: &'static [u8]) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(SocketType::Dealer);
    c.mechanism = MechanismChoice::Plain {
        server: false,
        username: Bytes::from_static(b"admin"),
        password: Bytes::from_static(password),
    };
    c
}

fn plain_server(handler: bool) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(SocketType::Router);
    c.as_server = true;
    c.zap_handler_available = handler;
    c.zap_domain = Bytes::from_static(b"test");
    c.peer_address = Some(Bytes::from_static(b"127.0.0.1"));
    c.mechanism = MechanismChoice::Plain {
        server: true,
        username: Bytes::new(),
        password: Bytes::new(),
    };
    c
}

/// Drives the pair, answering ZAP requests on side b with `verdict`.
fn drive_with_zap(p: &mut Pair, verdict: impl Fn(&[Bytes]) -> ZapReply) {
    for _ in 0..10 {
        p.drive();
        let Some(request) = p.b.conn.poll_zap_request() else {
            return;
        };
        assert!(p.b.conn.is_awaiting_zap());
        let now = p.now;
        p.b.conn.zap_reply(verdict(&request.frames()), now);
    }
}

fn auth_failure(error: Option<&ConnectionError>) -> Option<HandshakeFailure> {
    error.and_then(ConnectionError::handshake_failure)
}

fn established_curve() -> Pair {
    let mut p = Pair::new(
        curve_client(SocketType::Dealer, key(SERVER_PUBLIC)),
        curve_server(SocketType::Router),
    );
    p.drive();
    assert!(
        p.a.succeeded() && p.b.succeeded(),
        "{:?} {:?}",
        p.a.failure(),
        p.b.failure()
    );
    p.b.take_messages();
    p
}

#[test]
fn curve_handshake_and_messages_across_read_splits() {
    let big = Bytes::from((0..200_000u32).map(|i| i as u8).collect::<Vec<u8>>());
    for max_read in [1, 13, 4096, usize::MAX] {
        let mut p = established_curve();
        p.max_read = max_read;
        let mut first = Msg::from_slice(b"head");
        first.set_more(true);
        p.a.conn.send_msg(first).unwrap();
        p.a.conn.send_msg(Msg::from_bytes(big.clone())).unwrap();
        p.b.conn.send_msg(Msg::from_slice(b"back")).unwrap();
        p.drive();
        let got = p.b.take_messages();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].data(), b"head");
        assert!(got[0].more());
        assert_eq!(got[1].data(), &big[..]);
        assert!(!got[1].more());
        assert_eq!(p.a.take_messages()[0].data(), b"back");
        assert!(p.a.failure().is_none() && p.b.failure().is_none());
    }
}

#[test]
fn curve_boxes_commands_and_heartbeats() {
    let mut a = curve_client(SocketType::Sub, key(SERVER_PUBLIC));
    a.heartbeat_ivl = Duration::from_millis(100);
    let mut p = Pair::new(a, curve_server(SocketType::Pub));
    p.drive();
    assert!(p.a.succeeded() && p.b.succeeded());
    p.a.conn
        .send_subscription(SubscriptionChange::Subscribe(Bytes::from_static(b"topic")))
        .unwrap();
    p.drive();
    let subs = p.b.take_messages();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].data(), b"topic");
    for _ in 0..5 {
        p.advance(Duration::from_millis(100));
    }
    assert!(p.a.failure().is_none() && p.b.failure().is_none());
}

#[test]
fn curve_with_zap_adds_user_id() {
    let mut server = curve_server(SocketType::Router);
    server.zap_handler_available = true;
    let mut p = Pair::new(curve_client(SocketType::Dealer, key(SERVER_PUBLIC)), server);
    drive_with_zap(&mut p, |frames| {
        assert_eq!(&frames[6][..], b"CURVE");
        assert_eq!(&frames[7][..], &key(CLIENT_PUBLIC));
        let mut r = ZapReply::with_status(200);
        r.user_id = Bytes::from_static(b"cli");
        r
    });
    assert!(p.a.succeeded() && p.b.succeeded());
    assert_eq!(
        p.b.conn.peer_metadata().get("User-Id").unwrap(),
        &b"cli"[..]
    );
}

#[test]
fn curve_unknown_server_key() {
    let wrong = SecretKey::generate().unwrap().public_key();
    let mut p = Pair::new(
        curve_client(SocketType::Dealer, wrong),
        curve_server(SocketType::Router),
    );
    p.drive();
    assert_eq!(
        auth_failure(p.b.failure()),
        Some(HandshakeFailure::Protocol(
            ProtocolErrorCode::ZmtpCryptographic
        ))
    );
    assert!(!p.a.succeeded());
}

#[test]
fn curve_tampered_and_replayed_messages() {
    let mut p = established_curve();
    p.a.conn.send_msg(Msg::from_slice(b"payload")).unwrap();
    let wire = drain(&mut p.a.conn);
    let now = p.now;
    let events = feed(&mut p.b.conn, &wire, now);
    assert!(matches!(&events[..], [ConnectionEvent::Message(m)] if m.data() == b"payload"));
    // The same bytes again: the nonce did not increase.
    let events = feed(&mut p.b.conn, &wire, now);
    let [ConnectionEvent::Failed { error }] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(
        error,
        &ConnectionError::Mechanism(MechanismError::InvalidSequence)
    );
    assert_eq!(
        error.handshake_failure(),
        Some(HandshakeFailure::Protocol(
            ProtocolErrorCode::ZmtpInvalidSequence
        ))
    );

    let mut p = established_curve();
    p.a.conn.send_msg(Msg::from_slice(b"payload")).unwrap();
    let mut wire = drain(&mut p.a.conn);
    let last = wire.len() - 1;
    wire[last] ^= 0x01;
    let events = feed(&mut p.b.conn, &wire, now);
    let [ConnectionEvent::Failed { error }] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(
        error.handshake_failure(),
        Some(HandshakeFailure::Protocol(
            ProtocolErrorCode::ZmtpCryptographic
        ))
    );
}

#[test]
fn plain_with_zap() {
    let mut p = Pair::new(plain_client(b"secret"), plain_server(true));
    drive_with_zap(&mut p, |frames| {
        let expect: [&[u8]; 9] = [
            b"",
            b"1.0",
            b"1",
            b"test",
            b"127.0.0.1",
            b"",
            b"PLAIN",
            b"admin",
            b"secret",
        ];
        assert_eq!(frames.iter().map(|f| &f[..]).collect::<Vec<_>>(), expect);
        let mut r = ZapReply::with_status(200);
        r.user_id = Bytes::from_static(b"admin");
        r
    });
    assert!(p.a.succeeded() && p.b.succeeded());
    assert_eq!(
        p.b.conn.peer_metadata().get("User-Id").unwrap(),
        &b"admin"[..]
    );
    p.a.conn.send_msg(Msg::from_slice(b"clear")).unwrap();
    p.drive();
    let got = p.b.take_messages();
    assert_eq!(got.last().unwrap().data(), b"clear");
}

#[test]
fn plain_wrong_password_is_zap_400() {
    let mut p = Pair::new(plain_client(b"guess"), plain_server(true));
    drive_with_zap(&mut p, |frames| {
        if &frames[8][..] == b"secret" {
            ZapReply::with_status(200)
        } else {
            ZapReply::with_status(400)
        }
    });
    assert_eq!(
        auth_failure(p.b.failure()),
        Some(HandshakeFailure::Auth(400))
    );
    assert_eq!(
        auth_failure(p.a.failure()),
        Some(HandshakeFailure::Auth(400))
    );
}

#[test]
fn plain_malformed_zap_reply() {
    let mut p = Pair::new(plain_client(b"secret"), plain_server(true));
    p.drive();
    assert!(p.b.conn.poll_zap_request().is_some());
    let now = p.now;
    let frames: Vec<Bytes> = [&b""[..], b"1.0", b"1", b"999", b"", b"", b""]
        .iter()
        .map(|f| Bytes::copy_from_slice(f))
        .collect();
    p.b.conn.zap_reply_frames(&frames, now);
    p.drive();
    assert_eq!(
        auth_failure(p.b.failure()),
        Some(HandshakeFailure::Protocol(
            ProtocolErrorCode::ZapInvalidStatusCode
        ))
    );
}

#[test]
fn plain_server_without_handler() {
    let mut p = Pair::new(plain_client(b"secret"), plain_server(false));
    p.drive();
    assert_eq!(
        auth_failure(p.b.failure()),
        Some(HandshakeFailure::NoDetail)
    );
    assert_eq!(p.b.failure().unwrap().errno(), libc::EFAULT);
}

#[test]
fn mechanism_mismatch() {
    let mut p = Pair::new(plain_client(b"x"), curve_server(SocketType::Router));
    p.drive();
    for side in [&p.a, &p.b] {
        assert_eq!(
            auth_failure(side.failure()),
            Some(HandshakeFailure::Protocol(
                ProtocolErrorCode::ZmtpMechanismMismatch
            )),
            "{:?} {:?}",
            side.events,
            side.conn
        );
        assert_eq!(
            auth_failure(side.failure()),
            Some(HandshakeFailure::Protocol(
                ProtocolErrorCode::ZmtpMechanismMismatch
            ))
        );
    }
}

#[test]
fn bytes_after_zap_wait_stay_buffered() {
    let mut p = Pair::new(plain_client(b"secret"), plain_server(true));
    p.drive();
    assert!(p.b.conn.is_awaiting_zap());
    // Nothing more is decoded while the verdict is pending.
    let mut extra = BytesMut::from(&b"\x04\x05"[..]);
    let now = p.now;
    p.b.conn.receive(&mut extra, now);
    assert_eq!(extra.len(), 2);
    assert!(p.b.failure().is_none());
}

/// Against a real libzmq CURVE server (pyzmq): run
/// `ZMQ_CURVE_INTEROP=127.0.0.1:PORT cargo test -p zmq -- --ignored curve_interop`
/// with a ROUTER bound there using libzmq's test server key pair that
/// echoes every message.
#[test]
#[ignore = "needs a libzmq peer"]
fn curve_interop_with_libzmq() {
    use std::io::{Read, Write};
    use std::time::Instant;
    let Ok(addr) = std::env::var("ZMQ_CURVE_INTEROP") else {
        return;
    };
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut conn = crate::engine::ZmtpConnection::new(
        curve_client(SocketType::Dealer, key(SERVER_PUBLIC)),
        Instant::now(),
    )
    .unwrap();
    let mut inbox = BytesMut::new();
    let mut sent = false;
    let mut echoed = Vec::new();
    for _ in 0..200 {
        let out = drain(&mut conn);
        stream.write_all(&out).unwrap();
        while let Some(e) = conn.poll_event() {
            match e {
                ConnectionEvent::Message(m) => echoed.push(m.data().to_vec()),
                ConnectionEvent::Failed { error } => panic!("{error}"),
                ConnectionEvent::HandshakeSucceeded { .. } => {}
            }
        }
        if conn.is_established() && !sent {
            let mut first = Msg::from_slice(b"hello");
            first.set_more(true);
            conn.send_msg(first).unwrap();
            conn.send_msg(Msg::from_bytes(Bytes::from(vec![7u8; 100_000])))
                .unwrap();
            sent = true;
            continue;
        }
        if echoed.len() >= 2 {
            break;
        }
        let mut buf = [0u8; 65536];
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "libzmq closed the connection");
        inbox.extend_from_slice(&buf[..n]);
        conn.receive(&mut inbox, Instant::now());
    }
    assert_eq!(echoed[0], b"hello");
    assert_eq!(echoed[1], vec![7u8; 100_000]);
}

/// Over ZWS, PING and PONG bypass CURVE (the stream makes them WebSocket
/// ping and pong frames, as libzmq's ws engine sends them beside the
/// mechanism): sent and taken unboxed, while messages stay boxed.
#[test]
fn curve_with_unboxed_heartbeats() {
    let mut a = curve_client(SocketType::Dealer, key(SERVER_PUBLIC));
    a.heartbeat_ivl = Duration::from_millis(100);
    a.unboxed_heartbeats = true;
    let mut b = curve_server(SocketType::Router);
    b.unboxed_heartbeats = true;
    let mut p = Pair::new(a, b);
    p.drive();
    assert!(p.a.succeeded() && p.b.succeeded());
    p.b.take_messages();
    p.now += Duration::from_millis(100);
    p.a.conn.handle_timeout(p.now);
    assert_eq!(drain(&mut p.a.conn), b"\x04\x07\x04PING\x00\x00");
    // An unboxed PING is answered with an unboxed PONG.
    assert!(feed(&mut p.b.conn, b"\x04\x07\x04PING\x00\x00", p.now).is_empty());
    assert_eq!(drain(&mut p.b.conn), b"\x04\x05\x04PONG");
    // The PONG disarms a's heartbeat timeout: a stays up past it.
    assert!(feed(&mut p.a.conn, b"\x04\x05\x04PONG", p.now).is_empty());
    p.now += Duration::from_millis(99);
    p.a.conn.handle_timeout(p.now);
    assert!(p.a.failure().is_none() && p.b.failure().is_none());
    // Messages are still boxed.
    p.a.conn.send_msg(Msg::from_slice(b"boxed")).unwrap();
    let wire = drain(&mut p.a.conn);
    assert!(wire.windows(8).any(|w| w == b"\x07MESSAGE"));
    assert!(!wire.windows(5).any(|w| w == b"boxed"));
}

/// Without the ZWS setting, CURVE boxes PING like any command.
#[test]
fn curve_boxes_heartbeats_elsewhere() {
    let mut a = curve_client(SocketType::Dealer, key(SERVER_PUBLIC));
    a.heartbeat_ivl = Duration::from_millis(100);
    let mut p = Pair::new(a, curve_server(SocketType::Router));
    p.drive();
    p.now += Duration::from_millis(100);
    p.a.conn.handle_timeout(p.now);
    let wire = drain(&mut p.a.conn);
    assert!(wire.windows(8).any(|w| w == b"\x07MESSAGE"));
    assert!(!wire.windows(5).any(|w| w == b"\x04PING"));
}
