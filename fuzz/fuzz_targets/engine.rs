//! The sans-IO engine (`zmq::engine::ZmtpConnection`) as a session drives
//! it, against a hostile peer: NULL, PLAIN or CURVE, client or server,
//! picked by the first input byte; the rest is a script of chunks of peer
//! bytes, timer events, peer-reads-or-not and session-drains-or-not.
//!
//! Input layout (also written by `crates/zmq/tests/engine_fuzz_seeds.rs`,
//! which makes the seeds of `fuzz/corpus/engine/`):
//! - byte 0, configuration: bits 0-1 mechanism (0 NULL, 1 PLAIN, 2 CURVE,
//!   3 NULL with a ZAP domain), bit 2 server, bit 3 heartbeats
//!   (100 ms interval, 300 ms timeout), bit 4 a ZAP handler is bound,
//!   bits 5-7 socket type (DEALER, ROUTER, PUB, SUB, XPUB, REQ, REP, PAIR);
//! - then operations, one byte each, some followed by arguments:
//!   `0x00..=0x7f` n: the peer sends the next n + 1 bytes (one chunk);
//!   `0x80` lo hi: the peer sends the next `lo + 256 * hi` bytes;
//!   `0x81` d: time moves on by d × 10 ms, timers fire;
//!   `0x82`: time jumps to the connection's next deadline, timers fire;
//!   `0x83`: the peer stops / starts reading (its receive window);
//!   `0x84`: the session stops / starts collecting events;
//!   `0x85` n: the application sends a message of n bytes (only while the
//!   transmit queue holds less than the session's 256 KiB, as the session);
//!   `0x86` k: the ZAP handler answers (k % 4: 200, 400, 500, malformed);
//!   `0x87`: the peer closes the stream;
//!   `0x88` n: the peer reads at most n × 16 bytes, once;
//!   `0x89`: a well-behaved peer (a `ZmtpConnection` of the matching
//!   configuration) takes what the peer read so far and its reply goes to
//!   the wire: a few of these complete any handshake, CURVE included,
//!   between the hostile bytes;
//!   `0x8a` n: that peer sends a message of n bytes (once established);
//!   any other byte: a one-byte chunk of itself.
//!
//! Asserted: no panic; the transmit queue never holds more than what the
//! application queued plus `ENGINE_TRANSMIT_BOUND` (docs/limits.md:
//! greeting, handshake commands, one ERROR, two PONGs, one PING); at most
//! `MAX_PENDING_EVENTS` + `EVENT_SLACK` decoded events wait; and once the
//! input ends and both the peer and the session consume, repeated polling
//! reaches a fixed point that holds no decodable input (or the connection
//! is closed), within a bounded number of rounds.
#![no_main]

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use zmq::engine::config::{ConnectionConfig, MechanismChoice};
use zmq::engine::connection::{MAX_PENDING_EVENTS, ZmtpConnection};
use zmq::engine::event::ConnectionEvent;
use zmq_mechanisms::SecretKey;
use zmq_patterns::Msg;
use zmtp_codec::SocketType;

/// Engine-made bytes the transmit queue may hold beyond application data:
/// greeting (64 B), the handshake commands (CURVE INITIATE with our
/// metadata is the largest, < 1 KiB), one ERROR (≤ 262 B), two PONGs and
/// one PING (sealed under CURVE, < 100 B each). Generous by 2×.
const ENGINE_TRANSMIT_BOUND: usize = 4 * 1024;
/// The session's transmit high-water mark (peer_session/mod.rs).
const SESSION_TRANSMIT_HIGH_WATER: usize = 256 * 1024;
/// Events pushed past the decode loop's check: one frame's worth
/// (HandshakeSucceeded, routing id, the ZMTP 1.0 subscribe-all) + Failed.
const EVENT_SLACK: usize = 4;
/// One read of the session (stream_engine.rs `READ_CHUNK`).
const READ_CHUNK: usize = 64 * 1024 + 64;
/// Rounds allowed to settle once the input ends.
const SETTLE_ROUNDS: usize = 64;

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

/// The socket type a well-behaved peer of `SOCKET_TYPES[i]` has.
const PEER_TYPES: [SocketType; 8] = [
    SocketType::Router,
    SocketType::Dealer,
    SocketType::Sub,
    SocketType::Pub,
    SocketType::Sub,
    SocketType::Rep,
    SocketType::Req,
    SocketType::Pair,
];

/// Our configuration for the first input byte, or (`peer`) the matching
/// well-behaved peer's.
fn config(byte: u8, peer: bool) -> ConnectionConfig {
    let server = (byte & 0b100 != 0) != peer;
    let types = if peer { &PEER_TYPES } else { &SOCKET_TYPES };
    let mut config = ConnectionConfig::new(types[usize::from(byte >> 5)]);
    config.as_server = server;
    config.routing_id = Bytes::from_static(b"fuzz");
    config.zap_handler_available = byte & 0b1_0000 != 0 || peer;
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
            // Fixed keys: the server's is [1; 32], the client's [2; 32]
            // (the seeds' CURVE HELLO is made for them).
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

/// The well-behaved peer: its connection, and what it read from us.
struct Peer {
    conn: ZmtpConnection,
    inbound: BytesMut,
}

struct Harness {
    conn: ZmtpConnection,
    peer: Option<Peer>,
    now: Instant,
    /// Bytes the peer sent that the session has not read yet (the kernel).
    wire: VecDeque<u8>,
    /// The session's read buffer.
    buf: BytesMut,
    peer_reads: bool,
    session_collects: bool,
    /// Upper bound of application bytes in the transmit queue.
    app_queued: usize,
    /// Events waiting in the connection (counted when collected).
    waiting_events: usize,
    closed_seen: bool,
}

impl Harness {
    /// The session's read: while the phase reads, there is no backlog and
    /// the events were collected, one read of at most `READ_CHUNK`.
    fn read(&mut self) {
        if !self.conn.phase().reads_input() || self.conn.has_input_backlog() {
            return;
        }
        if !self.session_collects && self.waiting_events > 0 {
            // The pipe is full: the session stops reading (`stalled_in`).
            return;
        }
        if self.wire.is_empty() {
            return;
        }
        let n = self.wire.len().min(READ_CHUNK);
        let chunk: Vec<u8> = self.wire.drain(..n).collect();
        self.buf.extend_from_slice(&chunk);
        self.conn.receive(&mut self.buf, self.now);
        self.after_input();
    }

    /// Counts what the connection produced and collects it when the session
    /// does; forwards the ZAP request.
    fn after_input(&mut self) {
        let _ = self.conn.poll_zap_request();
        if self.session_collects {
            self.collect();
        } else {
            // Events only accumulate until collected: the bound is checked
            // by counting them once collected; here just note some wait.
            self.waiting_events = self.waiting_events.max(1);
        }
        self.check_transmit();
    }

    fn collect(&mut self) {
        loop {
            let mut count = 0usize;
            while let Some(event) = self.conn.poll_event() {
                count += 1;
                if let ConnectionEvent::Failed { .. } = event {
                    assert!(!self.closed_seen, "two Failed events");
                    self.closed_seen = true;
                }
                assert!(
                    count <= MAX_PENDING_EVENTS + EVENT_SLACK,
                    "more than {} events waiting",
                    MAX_PENDING_EVENTS + EVENT_SLACK
                );
            }
            self.waiting_events = 0;
            if self.conn.has_input_backlog() {
                self.conn.receive(&mut self.buf, self.now);
                let _ = self.conn.poll_zap_request();
                continue;
            }
            break;
        }
    }

    fn check_transmit(&mut self) {
        let len = self.conn.poll_transmit().map_or(0, |q| q.len());
        if len == 0 {
            self.app_queued = 0;
        }
        assert!(
            len <= self.app_queued + ENGINE_TRANSMIT_BOUND,
            "transmit queue {len} B > application {} B + {ENGINE_TRANSMIT_BOUND} B",
            self.app_queued
        );
    }

    /// The peer reads at most `limit` bytes.
    fn peer_read(&mut self, limit: usize) {
        if let Some(queue) = self.conn.poll_transmit() {
            let n = queue.len().min(limit);
            if let Some(peer) = self.peer.as_mut() {
                let mut left = n;
                for chunk in queue.chunks() {
                    let take = chunk.len().min(left);
                    peer.inbound.extend_from_slice(&chunk[..take]);
                    left -= take;
                    if left == 0 {
                        break;
                    }
                }
            }
            queue.advance(n);
        }
        self.check_transmit();
    }

    /// The well-behaved peer handles what it read (granting its own ZAP
    /// requests) and writes its reply to the wire.
    fn peer_turn(&mut self, send: Option<usize>) {
        let Some(peer) = self.peer.as_mut() else {
            return;
        };
        let now = self.now;
        peer.conn.receive(&mut peer.inbound, now);
        if peer.conn.is_awaiting_zap() {
            let _ = peer.conn.poll_zap_request();
            let frames: Vec<Bytes> = ZAP_OK.iter().map(|f| Bytes::from_static(f)).collect();
            peer.conn.zap_reply_frames(&frames, now);
            peer.conn.receive(&mut peer.inbound, now);
        }
        while peer.conn.poll_event().is_some() {}
        if let Some(n) = send {
            let _ = peer.conn.send_msg(Msg::from_slice(&vec![0x5a; n]));
        }
        if let Some(queue) = peer.conn.poll_transmit() {
            let bytes: Vec<u8> = queue.chunks().flatten().copied().collect();
            queue.advance(bytes.len());
            self.wire.extend(bytes);
        }
    }

    fn timers(&mut self) {
        self.conn.handle_timeout(self.now);
        self.after_input();
    }

    fn op_end(&mut self) {
        if self.peer_reads {
            self.peer_read(usize::MAX);
        }
        self.read();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&cfg, mut script)) = data.split_first() else {
        return;
    };
    let start = Instant::now();
    let Ok(conn) = ZmtpConnection::new(config(cfg, false), start) else {
        return;
    };
    let peer = ZmtpConnection::new(config(cfg, true), start)
        .ok()
        .map(|conn| Peer {
            conn,
            inbound: BytesMut::new(),
        });
    let mut h = Harness {
        conn,
        peer,
        now: start,
        wire: VecDeque::new(),
        buf: BytesMut::new(),
        peer_reads: true,
        session_collects: true,
        app_queued: 0,
        waiting_events: 0,
        closed_seen: false,
    };
    h.check_transmit();
    while let Some((&op, rest)) = script.split_first() {
        script = rest;
        let take = |n: usize, script: &mut &[u8]| -> Vec<u8> {
            let n = n.min(script.len());
            let (head, tail) = script.split_at(n);
            *script = tail;
            head.to_vec()
        };
        match op {
            0x00..=0x7f => {
                let chunk = take(usize::from(op) + 1, &mut script);
                h.wire.extend(chunk);
            }
            0x80 => {
                let len = take(2, &mut script);
                let n = usize::from(len.first().copied().unwrap_or(0))
                    + 256 * usize::from(len.get(1).copied().unwrap_or(0));
                let chunk = take(n, &mut script);
                h.wire.extend(chunk);
            }
            0x81 => {
                let d = take(1, &mut script).first().copied().unwrap_or(0);
                h.now += Duration::from_millis(10 * u64::from(d));
                h.timers();
            }
            0x82 => {
                if let Some(deadline) = h.conn.poll_timeout() {
                    h.now = h.now.max(deadline);
                }
                h.timers();
            }
            0x83 => h.peer_reads = !h.peer_reads,
            0x84 => {
                h.session_collects = !h.session_collects;
                if h.session_collects {
                    h.collect();
                }
            }
            0x85 => {
                let n = usize::from(take(1, &mut script).first().copied().unwrap_or(0));
                let queued = h.conn.poll_transmit().map_or(0, |q| q.len());
                if queued < SESSION_TRANSMIT_HIGH_WATER {
                    let before = h.conn.poll_transmit().map_or(0, |q| q.len());
                    let body = vec![0xa5u8; n];
                    let _ = h.conn.send_msg(Msg::from_slice(&body));
                    let after = h.conn.poll_transmit().map_or(0, |q| q.len());
                    h.app_queued += after.saturating_sub(before);
                }
                h.check_transmit();
            }
            0x86 => {
                let k = take(1, &mut script).first().copied().unwrap_or(0);
                let status: &'static [u8] = match k % 4 {
                    0 => b"200",
                    1 => b"400",
                    2 => b"500",
                    _ => b"999",
                };
                let frames = [
                    Bytes::new(),
                    Bytes::from_static(b"1.0"),
                    Bytes::from_static(b"1"),
                    Bytes::from_static(status),
                    Bytes::from_static(b"OK"),
                    Bytes::from_static(b"user"),
                    Bytes::new(),
                ];
                let waiting = h.conn.is_awaiting_zap();
                h.conn.zap_reply_frames(&frames, h.now);
                if waiting {
                    // The session resumes decoding what waited (stream_engine).
                    h.conn.receive(&mut h.buf, h.now);
                }
                h.after_input();
            }
            0x87 => {
                h.conn.receive_eof();
                h.after_input();
            }
            0x88 => {
                let n = usize::from(take(1, &mut script).first().copied().unwrap_or(0));
                h.peer_read(n * 16);
            }
            0x89 => h.peer_turn(None),
            0x8a => {
                let n = usize::from(take(1, &mut script).first().copied().unwrap_or(0));
                h.peer_turn(Some(n));
            }
            other => h.wire.push_back(other),
        }
        h.op_end();
    }

    // The input ended: the peer and the session both consume; a pending
    // ZAP request is granted. Every round must make progress until a fixed
    // point with nothing decodable held.
    h.peer_reads = true;
    h.session_collects = true;
    h.collect();
    for _ in 0..SETTLE_ROUNDS {
        if h.conn.is_awaiting_zap() {
            let frames = [
                Bytes::new(),
                Bytes::from_static(b"1.0"),
                Bytes::from_static(b"1"),
                Bytes::from_static(b"200"),
                Bytes::from_static(b"OK"),
                Bytes::from_static(b"user"),
                Bytes::new(),
            ];
            h.conn.zap_reply_frames(&frames, h.now);
            h.conn.receive(&mut h.buf, h.now);
            h.after_input();
        }
        h.op_end();
        h.collect();
        if h.wire.is_empty() && !h.conn.has_input_backlog() && !h.conn.is_awaiting_zap() {
            break;
        }
    }
    if h.conn.is_closed() {
        return;
    }
    assert!(h.wire.is_empty(), "input never read: {} B", h.wire.len());
    assert!(!h.conn.has_input_backlog(), "backlog never drained");
    assert!(
        !h.conn.is_awaiting_zap(),
        "still awaiting ZAP after the reply"
    );
    // Fixed point: feeding the same buffer again decodes nothing more.
    let held = h.buf.len();
    h.conn.receive(&mut h.buf, h.now);
    let mut produced = 0;
    while h.conn.poll_event().is_some() {
        produced += 1;
    }
    assert!(
        h.conn.is_closed() || (produced == 0 && h.buf.len() == held),
        "holding decodable input: {held} B buffered, {produced} events on a re-poll"
    );
});
