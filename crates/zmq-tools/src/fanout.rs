//! PUB to SUB fan-out over tcp or ipc. The publisher sends as fast as it
//! can and PUB drops at the high-water mark, so the figures are messages
//! delivered per second (all subscribers together), the share lost, and
//! the CPU time of the process while sending and delivering.
//!
//! With `topics` = 0 every subscriber subscribes to everything. With
//! `topics` = T each subscribes to T topics (`DATA` followed by five
//! decimal digits), then to the `PROBE` and `END` markers; data message
//! `i` carries topic `i % T`, so PUB matches every message against a
//! table of T prefixes. A subscription sent after the others arriving
//! (the probe) means the others are in place.
//!
//! The first byte of every message says what it is: [`DATA`](crate::fanout::DATA), [`PROBE`](crate::fanout::PROBE)
//! (sent until every subscriber has one, so that subscriptions are in
//! place before timing) or [`END`](crate::fanout::END) (sent until every subscriber stops).
//! `bench/zmq_bench.c` runs the same protocol.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::cpu::CpuClock;
use crate::endpoint::{RUN_TIMEOUT_MS, Transport, bind_fresh};
use crate::error::{ToolError, join};

/// First byte of a timed message.
pub const DATA: u8 = 0;
/// First byte of a set-up message.
pub const PROBE: u8 = 1;
/// First byte of the end marker.
pub const END: u8 = 2;

/// How long set-up and tear-down may take before the run fails.
const PHASE_LIMIT: Duration = Duration::from_secs(10);
/// A subscriber gives up when nothing arrives for this long (ms).
const QUIET_LIMIT_MS: i32 = 2_000;

/// The figures of one fan-out run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FanoutReport {
    /// Messages delivered to all subscribers together, per second.
    pub delivered_per_sec: f64,
    /// Share of the `count * subscribers` messages that never arrived.
    pub loss: f64,
    /// CPU seconds of the process from the first data message to the
    /// last subscriber's end.
    pub cpu_s: f64,
    /// Messages delivered.
    pub delivered: usize,
}

/// How a fan-out run is set up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FanoutSetup {
    /// `tcp` or `ipc`.
    pub transport: Transport,
    /// Topics each subscriber subscribes to (0: everything).
    pub topics: usize,
}

impl Default for FanoutSetup {
    fn default() -> FanoutSetup {
        FanoutSetup {
            transport: Transport::Tcp,
            topics: 0,
        }
    }
}

/// Bytes of a topic: the `DATA` marker and five digits.
pub const TOPIC_LEN: usize = 6;

/// Topic `k` (modulo 100 000).
pub fn topic(k: usize) -> [u8; TOPIC_LEN] {
    let mut out = [DATA, 0, 0, 0, 0, 0];
    let mut rest = k;
    for digit in out[1..].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out
}

/// What one subscriber saw.
struct Received {
    count: usize,
    last: Option<Instant>,
}

/// Counters shared between the publisher and its subscribers.
#[derive(Default)]
struct Progress {
    ready: AtomicUsize,
    done: AtomicUsize,
}

fn subscribe(
    ctx: &zmq::Context,
    endpoint: &str,
    topics: usize,
    progress: &Progress,
) -> Result<Received, ToolError> {
    let sub = ctx
        .socket(zmq::SocketType::Sub)
        .map_err(ToolError::zmq("zmq_socket"))?;
    sub.set_rcvtimeo(QUIET_LIMIT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    // Subscriptions travel as messages and are dropped at the high-water
    // mark: with thousands of topics the limit must go.
    sub.set_sndhwm(0)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    sub.connect(endpoint)
        .map_err(ToolError::zmq("zmq_connect"))?;
    let subscribe = |prefix: &[u8]| {
        sub.set_subscribe(prefix)
            .map_err(ToolError::zmq("zmq_setsockopt"))
    };
    if topics == 0 {
        subscribe(b"")?;
    } else {
        for k in 0..topics {
            subscribe(&topic(k))?;
        }
        subscribe(&[PROBE])?;
        subscribe(&[END])?;
    }
    let mut received = Received {
        count: 0,
        last: None,
    };
    let mut ready = false;
    let outcome = loop {
        let msg = match sub.recv_msg(0) {
            Ok(msg) => msg,
            Err(zmq::Error::Again) => break Ok(()),
            Err(error) => break Err(ToolError::zmq("zmq_recvmsg")(error)),
        };
        match msg.first().copied() {
            Some(DATA) => {
                received.count += 1;
                received.last = Some(Instant::now());
            }
            Some(PROBE) if !ready => {
                ready = true;
                progress.ready.fetch_add(1, Ordering::SeqCst);
            }
            Some(END) => break Ok(()),
            _ => {}
        }
    };
    if !ready {
        progress.ready.fetch_add(1, Ordering::SeqCst);
    }
    progress.done.fetch_add(1, Ordering::SeqCst);
    // Unsent subscriptions to a PUB that is gone must not hold the
    // context's termination (libzmq's did, with 100 SUBs).
    let _ = sub.set_linger(0);
    outcome.map(|()| received)
}

/// Sends `marker` messages until `reached` says so or the phase limit
/// passes; false on timeout.
fn send_until(
    publisher: &zmq::Socket,
    marker: u8,
    size: usize,
    reached: impl Fn() -> bool,
) -> Result<bool, ToolError> {
    let mut payload = vec![0u8; size.max(1)];
    if let Some(first) = payload.first_mut() {
        *first = marker;
    }
    let deadline = Instant::now() + PHASE_LIMIT;
    while !reached() {
        if Instant::now() > deadline {
            return Ok(false);
        }
        match publisher.send(&payload[..], zmq::DONTWAIT) {
            Ok(()) | Err(zmq::Error::Again) => {}
            Err(error) => return Err(ToolError::zmq("zmq_send")(error)),
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(true)
}

/// One publisher and `subscribers` subscribers over tcp, `count` messages
/// of `size` bytes (at least 1), every subscriber subscribed to all.
pub fn pub_sub_fanout(
    subscribers: usize,
    size: usize,
    count: usize,
) -> Result<FanoutReport, ToolError> {
    pub_sub_fanout_with(FanoutSetup::default(), subscribers, size, count)
}

/// One publisher and `subscribers` subscribers set up as `setup` says,
/// `count` messages of `size` bytes (at least 1, at least [`TOPIC_LEN`]
/// with topics).
pub fn pub_sub_fanout_with(
    setup: FanoutSetup,
    subscribers: usize,
    size: usize,
    count: usize,
) -> Result<FanoutReport, ToolError> {
    let size = if setup.topics > 0 {
        size.max(TOPIC_LEN)
    } else {
        size
    };
    let ctx = zmq::Context::new();
    let max_sockets = i32::try_from(subscribers.saturating_add(16))
        .map_err(|_| ToolError::Other("too many subscribers".into()))?;
    ctx.set_max_sockets(max_sockets)
        .map_err(ToolError::zmq("zmq_ctx_set"))?;
    let publisher = ctx
        .socket(zmq::SocketType::Pub)
        .map_err(ToolError::zmq("zmq_socket"))?;
    publisher
        .set_sndtimeo(RUN_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    let endpoint = bind_fresh(&publisher, setup.transport)?;
    let topics = setup.topics;
    let progress = Arc::new(Progress::default());
    let threads: Vec<_> = (0..subscribers)
        .map(|_| {
            let (ctx, endpoint, progress) = (ctx.clone(), endpoint.clone(), Arc::clone(&progress));
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || subscribe(&ctx, &endpoint, topics, &progress))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| ToolError::Other(format!("thread: {e}")))?;
    let all = |counter: &AtomicUsize| counter.load(Ordering::SeqCst) >= subscribers;
    let ready = send_until(&publisher, PROBE, size, || all(&progress.ready));
    let payloads: Vec<bytes::Bytes> = (0..topics.max(1))
        .map(|k| {
            let mut data = vec![DATA; size.max(1)];
            if topics > 0 {
                data[..TOPIC_LEN].copy_from_slice(&topic(k));
            }
            bytes::Bytes::from(data)
        })
        .collect();
    let cpu = CpuClock::start();
    let start = Instant::now();
    let mut sent = Ok(());
    if matches!(ready, Ok(true)) {
        for i in 0..count {
            let payload = &payloads[i % payloads.len()];
            if let Err(error) = publisher.send_msg(zmq::Message::from(payload.clone()), 0) {
                sent = Err(ToolError::zmq("zmq_send")(error));
                break;
            }
        }
    }
    let ended = send_until(&publisher, END, size, || all(&progress.done));
    let cpu_s = cpu.elapsed();
    let mut delivered = 0usize;
    let mut last = start;
    let mut failure = None;
    for thread in threads {
        match join(thread) {
            Ok(received) => {
                delivered += received.count;
                last = last.max(received.last.unwrap_or(start));
            }
            Err(error) => failure = Some(error),
        }
    }
    // Nothing left to deliver matters once every SUB has stopped.
    let _ = publisher.set_linger(0);
    drop(publisher);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    if !ready? {
        return Err(ToolError::Other("subscribers never became ready".into()));
    }
    sent?;
    ended?;
    if let Some(error) = failure {
        return Err(error);
    }
    let seconds = (last - start).as_secs_f64().max(1e-6);
    let expected = (count * subscribers).max(1) as f64;
    Ok(FanoutReport {
        delivered_per_sec: delivered as f64 / seconds,
        loss: 1.0 - delivered as f64 / expected,
        cpu_s,
        delivered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fanout_delivers_to_every_subscriber() {
        let report = pub_sub_fanout(2, 16, 1000).unwrap();
        assert!(report.delivered_per_sec > 0.0);
        assert!((0.0..=1.0).contains(&report.loss));
    }

    #[test]
    fn topics_filter_over_ipc() {
        let setup = FanoutSetup {
            transport: Transport::Ipc,
            topics: 100,
        };
        let report = pub_sub_fanout_with(setup, 2, 16, 1000).unwrap();
        assert!(report.delivered > 0);
        assert_eq!(topic(42), [DATA, b'0', b'0', b'0', b'4', b'2']);
    }
}
