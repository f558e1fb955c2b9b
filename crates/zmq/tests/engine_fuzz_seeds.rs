//! Seeds for the `engine` fuzz target (`fuzz/fuzz_targets/engine.rs`):
//! valid handshakes (NULL greeting + READY, PLAIN HELLO, CURVE HELLO and
//! the rest of the exchange) as the peer of each configuration sends them,
//! written in the target's input format (CURVE's past HELLO hold random
//! keys, so they fail on replay; the `live-` seeds drive the target's own
//! well-behaved peer instead, which completes CURVE too). `WRITE_ENGINE_SEEDS=1 cargo test
//! -p zmq --test engine_fuzz_seeds` rewrites `fuzz/corpus/engine/`;
//! otherwise the test checks the handshakes still succeed and that the
//! committed NULL and PLAIN seeds are what it makes (CURVE's are random).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use zmq::engine::config::{ConnectionConfig, MechanismChoice};
use zmq::engine::connection::ZmtpConnection;
use zmq::engine::event::ConnectionEvent;
use zmq_mechanisms::SecretKey;
use zmq_patterns::Msg;
use zmtp_codec::SocketType;

const SOCKET_TYPES: [SocketType; 8] = [
    SocketType::Dealer,
    SocketType::Router,
    SocketType::Pub,
    SocketType::Sub,
    SocketType::XPub,
    SocketType::Req,
    SocketType::Rep,
    SocketType::Pair,
];

/// The fuzz target's configuration for its first byte (kept in step with
/// `config` in fuzz/fuzz_targets/engine.rs); `peer` makes the other side.
fn config(byte: u8, peer: Option<SocketType>) -> ConnectionConfig {
    let server = (byte & 0b100 != 0) != peer.is_some();
    let socket_type = peer.unwrap_or(SOCKET_TYPES[usize::from(byte >> 5)]);
    let mut config = ConnectionConfig::new(socket_type);
    config.as_server = server;
    config.routing_id = Bytes::from_static(b"fuzz");
    // The well-behaved peer always has its (granting) ZAP handler.
    config.zap_handler_available = byte & 0b1_0000 != 0 || peer.is_some();
    config.metadata = vec![("X-Fuzz".to_string(), Bytes::from_static(b"engine"))];
    config.peer_address = Some(Bytes::from_static(b"127.0.0.1"));
    if byte & 0b1000 != 0 {
        config.heartbeat_ivl = Duration::from_millis(100);
        config.heartbeat_ttl = Duration::from_millis(500);
        config.heartbeat_timeout = Some(Duration::from_millis(300));
    }
    config.mechanism = match byte & 0b11 {
        0 => MechanismChoice::Null,
        1 => MechanismChoice::Plain {
            server,
            username: Bytes::from_static(b"admin"),
            password: Bytes::from_static(b"secret"),
        },
        2 => {
            let secret = SecretKey::from_bytes(if server { [1; 32] } else { [2; 32] });
            MechanismChoice::Curve {
                server,
                public: secret.public_key(),
                server_key: SecretKey::from_bytes([1; 32]).public_key(),
                secret,
            }
        }
        _ => {
            config.zap_domain = Bytes::from_static(b"global");
            MechanismChoice::Null
        }
    };
    config
}

const ZAP_OK: [&[u8]; 7] = [b"", b"1.0", b"1", b"200", b"OK", b"user", b""];

fn take_transmit(conn: &mut ZmtpConnection) -> Vec<u8> {
    let Some(queue) = conn.poll_transmit() else {
        return Vec::new();
    };
    let bytes: Vec<u8> = queue.chunks().flatten().copied().collect();
    queue.advance(bytes.len());
    bytes
}

fn chunk_op(script: &mut Vec<u8>, bytes: &[u8]) {
    for piece in bytes.chunks(u16::MAX as usize) {
        let len = piece.len() as u16;
        script.push(0x80);
        script.extend_from_slice(&len.to_le_bytes());
        script.extend_from_slice(piece);
    }
}

/// Runs the fuzz target's connection (`cfg`) against a well-behaved peer
/// and records the peer's bytes (and the ZAP answers) as a script; the
/// peer then sends `messages`. Returns the script and whether both ends
/// established.
fn seed(
    cfg: u8,
    peer_type: SocketType,
    messages: &[&[u8]],
    heartbeat_ops: bool,
) -> (Vec<u8>, bool) {
    let now = Instant::now();
    let mut ours = ZmtpConnection::new(config(cfg, None), now).expect("ours");
    let mut peer = ZmtpConnection::new(config(cfg, Some(peer_type)), now).expect("peer");
    let zap_frames: Vec<Bytes> = ZAP_OK.iter().map(|f| Bytes::from_static(f)).collect();
    let mut script = vec![cfg];
    let (mut ours_buf, mut peer_buf) = (BytesMut::new(), BytesMut::new());
    for _ in 0..16 {
        let to_ours = take_transmit(&mut peer);
        if !to_ours.is_empty() {
            chunk_op(&mut script, &to_ours);
            ours_buf.extend_from_slice(&to_ours);
            ours.receive(&mut ours_buf, now);
        }
        if ours.is_awaiting_zap() {
            let _ = ours.poll_zap_request();
            ours.zap_reply_frames(&zap_frames, now);
            ours.receive(&mut ours_buf, now);
        }
        let to_peer = take_transmit(&mut ours);
        peer_buf.extend_from_slice(&to_peer);
        peer.receive(&mut peer_buf, now);
        if peer.is_awaiting_zap() {
            let _ = peer.poll_zap_request();
            peer.zap_reply_frames(&zap_frames, now);
            peer.receive(&mut peer_buf, now);
        }
        if ours.is_established() && peer.is_established() {
            break;
        }
    }
    // ZAP answers: the target answers when told (0x86 0); one after the
    // handshake bytes is enough for the target to resume (and harmless
    // when nothing waits).
    if cfg & 0b1_0000 != 0 || cfg & 0b11 == 3 {
        insert_zap_ops(&mut script);
    }
    let established = ours.is_established() && peer.is_established();
    for body in messages.iter().filter(|_| established) {
        peer.send_msg(Msg::from_slice(body)).expect("established");
    }
    let tail = take_transmit(&mut peer);
    if !tail.is_empty() {
        chunk_op(&mut script, &tail);
    }
    if heartbeat_ops {
        // Stop reading, let the PING timer fire, read again, time out.
        script.extend_from_slice(&[0x83, 0x82, 0x81, 5, 0x83, 0x82, 0x82]);
    }
    while let Some(event) = ours.poll_event() {
        if let ConnectionEvent::Failed { error } = event {
            panic!("seed handshake failed: {error}");
        }
    }
    (script, established)
}

/// Puts a ZAP grant (`0x86 0`) after every chunk op (a server's handshake
/// stops at each ZAP question; extra grants are ignored).
fn insert_zap_ops(script: &mut Vec<u8>) {
    let mut out = vec![script[0]];
    let mut i = 1;
    while i < script.len() {
        let len = usize::from(u16::from_le_bytes([script[i + 1], script[i + 2]]));
        out.extend_from_slice(&script[i..i + 3 + len]);
        out.extend_from_slice(&[0x86, 0]);
        i += 3 + len;
    }
    *script = out;
}

fn seeds() -> Vec<(&'static str, Vec<u8>, bool)> {
    const SERVER: u8 = 0b100;
    const HEARTBEAT: u8 = 0b1000;
    const ZAP: u8 = 0b1_0000;
    const DEALER: u8 = 0 << 5;
    const ROUTER: u8 = 1 << 5;
    const PUB: u8 = 2 << 5;
    const SUB: u8 = 3 << 5;
    let msgs: &[&[u8]] = &[b"", b"hello", &[7; 300]];
    let mut out = Vec::new();
    let mut add = |name: &'static str, cfg, peer, msgs: &[&[u8]], hb| {
        let (script, ok) = seed(cfg, peer, msgs, hb);
        assert!(ok, "{name}: handshake did not complete ({cfg:#010b})");
        out.push((name, script, ok));
    };
    add(
        "null-client-dealer",
        DEALER,
        SocketType::Router,
        msgs,
        false,
    );
    add(
        "null-server-router",
        SERVER | ROUTER,
        SocketType::Dealer,
        msgs,
        false,
    );
    add(
        "null-client-sub-heartbeat",
        HEARTBEAT | SUB,
        SocketType::Pub,
        msgs,
        true,
    );
    add("null-server-pub", SERVER | PUB, SocketType::Sub, &[], false);
    add(
        "null-zap-server",
        SERVER | ZAP | 3 | ROUTER,
        SocketType::Dealer,
        msgs,
        false,
    );
    add("plain-client", 1 | DEALER, SocketType::Router, msgs, false);
    add(
        "plain-server",
        SERVER | ZAP | 1 | ROUTER,
        SocketType::Dealer,
        msgs,
        false,
    );
    add("curve-client", 2 | DEALER, SocketType::Router, msgs, false);
    add(
        "curve-server",
        SERVER | 2 | ROUTER,
        SocketType::Dealer,
        msgs,
        false,
    );
    add(
        "curve-server-zap-heartbeat",
        SERVER | ZAP | HEARTBEAT | 2 | ROUTER,
        SocketType::Dealer,
        msgs,
        true,
    );
    // The target's built-in well-behaved peer (`0x89`: it takes what it
    // read and replies; `0x8a n`: it sends n bytes; `0x86 0`: we grant
    // ZAP; `0x82`: timers): handshakes that complete whatever the keys.
    const TURN: u8 = 0x89;
    let live: [(&'static str, Vec<u8>); 5] = [
        (
            "live-curve-client",
            vec![
                2 | DEALER,
                TURN,
                TURN,
                TURN,
                TURN,
                TURN,
                0x8a,
                5,
                0x8a,
                0,
                0x8a,
                200,
                TURN,
            ],
        ),
        (
            "live-curve-server",
            vec![
                SERVER | 2 | ROUTER,
                TURN,
                TURN,
                TURN,
                TURN,
                TURN,
                0x8a,
                5,
                0x8a,
                0,
                TURN,
            ],
        ),
        (
            "live-curve-server-zap-heartbeat",
            vec![
                SERVER | ZAP | HEARTBEAT | 2 | ROUTER,
                TURN,
                TURN,
                0x86,
                0,
                TURN,
                TURN,
                0x86,
                0,
                TURN,
                TURN,
                0x8a,
                9,
                0x82,
                TURN,
                0x83,
                0x82,
                0x82,
            ],
        ),
        (
            "live-plain-server-zap",
            vec![
                SERVER | ZAP | 1 | ROUTER,
                TURN,
                TURN,
                0x86,
                0,
                TURN,
                TURN,
                0x86,
                0,
                TURN,
                0x8a,
                3,
                TURN,
            ],
        ),
        (
            "live-null-client-sub",
            vec![
                SUB, TURN, TURN, TURN, TURN, 0x8a, 1, 0x8a, 100, 0x84, 0x8a, 2, 0x84, TURN,
            ],
        ),
    ];
    for (name, script) in live {
        out.push((name, script, true));
    }
    out
}

#[test]
fn engine_fuzz_seeds() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/engine");
    let write = std::env::var_os("WRITE_ENGINE_SEEDS").is_some();
    for (name, script, established) in seeds() {
        assert!(established, "{name}: handshake did not complete");
        assert!(script.len() < 4096, "{name}: seed too large");
        let path = dir.join(format!("seed-{name}"));
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &script).unwrap();
        } else if !name.starts_with("curve") && !name.starts_with("live-curve") {
            let committed = std::fs::read(&path).unwrap_or_default();
            assert_eq!(committed, script, "{name}: rerun with WRITE_ENGINE_SEEDS=1");
        }
    }
}
