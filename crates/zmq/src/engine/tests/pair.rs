//! Two connections and a fake clock; bytes move in reads of at most
//! `max_read` bytes so every split of the stream gets exercised.

use std::time::{Duration, Instant};

use bytes::BytesMut;
use zmq_patterns::Msg;

use crate::engine::{ConnectionConfig, ConnectionError, ConnectionEvent, ZmtpConnection};

pub(super) struct Side {
    pub conn: ZmtpConnection,
    pub inbox: BytesMut,
    pub events: Vec<ConnectionEvent>,
    /// When false, nothing this side sends reaches the other (a silent peer).
    pub talks: bool,
}

impl Side {
    fn new(config: ConnectionConfig, now: Instant) -> Side {
        Side {
            conn: ZmtpConnection::new(config, now).unwrap(),
            inbox: BytesMut::new(),
            events: Vec::new(),
            talks: true,
        }
    }

    pub fn collect(&mut self) {
        while let Some(e) = self.conn.poll_event() {
            self.events.push(e);
        }
    }

    /// Received messages, drained.
    pub fn take_messages(&mut self) -> Vec<Msg> {
        let mut out = Vec::new();
        self.events.retain_mut(|e| match e {
            ConnectionEvent::Message(m) => {
                out.push(core::mem::take(m));
                false
            }
            _ => true,
        });
        out
    }

    pub fn failure(&self) -> Option<&ConnectionError> {
        self.events.iter().find_map(|e| match e {
            ConnectionEvent::Failed { error } => Some(error),
            _ => None,
        })
    }

    pub fn succeeded(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, ConnectionEvent::HandshakeSucceeded { .. }))
    }
}

pub(super) struct Pair {
    pub a: Side,
    pub b: Side,
    pub now: Instant,
    pub max_read: usize,
}

impl Pair {
    pub fn new(a: ConnectionConfig, b: ConnectionConfig) -> Pair {
        let now = Instant::now();
        Pair {
            a: Side::new(a, now),
            b: Side::new(b, now),
            now,
            max_read: usize::MAX,
        }
    }

    /// Moves bytes both ways until neither side has anything to send.
    pub fn drive(&mut self) {
        for _ in 0..100_000 {
            let moved = transfer(&mut self.a, &mut self.b, self.now, self.max_read)
                | transfer(&mut self.b, &mut self.a, self.now, self.max_read);
            self.a.collect();
            self.b.collect();
            if !moved {
                return;
            }
        }
        panic!("pair did not settle");
    }

    /// Advances the clock, fires due timers on both sides, and drives.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.a.conn.handle_timeout(self.now);
        self.b.conn.handle_timeout(self.now);
        self.a.collect();
        self.b.collect();
        self.drive();
    }
}

/// Moves what `from` has to send into `to`, in reads of at most `max_read`.
fn transfer(from: &mut Side, to: &mut Side, now: Instant, max_read: usize) -> bool {
    let mut moved = false;
    while let Some(queue) = from.conn.poll_transmit() {
        if !from.talks {
            let n = queue.len();
            queue.advance(n);
            from.conn.handle_written(now);
            return moved;
        }
        let mut budget = max_read;
        let mut taken = 0;
        for chunk in queue.chunks() {
            let n = chunk.len().min(budget);
            to.inbox.extend_from_slice(&chunk[..n]);
            budget -= n;
            taken += n;
            if budget == 0 {
                break;
            }
        }
        queue.advance(taken);
        from.conn.handle_written(now);
        to.conn.receive(&mut to.inbox, now);
        moved = true;
    }
    moved
}

/// Everything `conn` wants to send now, drained.
pub(super) fn drain(conn: &mut ZmtpConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(q) = conn.poll_transmit() {
        for c in q.chunks() {
            out.extend_from_slice(c);
        }
        let n = q.len();
        q.advance(n);
    }
    out
}

/// Feeds raw bytes to `conn`, returning its events.
pub(super) fn feed(conn: &mut ZmtpConnection, bytes: &[u8], now: Instant) -> Vec<ConnectionEvent> {
    let mut buf = BytesMut::from(bytes);
    conn.receive(&mut buf, now);
    let mut out = Vec::new();
    while let Some(e) = conn.poll_event() {
        out.push(e);
    }
    out
}

pub(super) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
