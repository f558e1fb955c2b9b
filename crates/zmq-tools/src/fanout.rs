//! PUB to SUB fan-out over tcp. The publisher sends as fast as it can and
//! PUB drops at the high-water mark, so the figures are messages delivered
//! per second (all subscribers together) and the share lost.
//!
//! The first byte of every message says what it is: [`DATA`](crate::fanout::DATA), [`PROBE`](crate::fanout::PROBE)
//! (sent until every subscriber has one, so that subscriptions are in
//! place before timing) or [`END`](crate::fanout::END) (sent until every subscriber stops).
//! `bench/zmq_bench.c` runs the same protocol.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
    progress: &Progress,
) -> Result<Received, ToolError> {
    let sub = ctx
        .socket(zmq::SocketType::Sub)
        .map_err(ToolError::zmq("zmq_socket"))?;
    sub.set_rcvtimeo(QUIET_LIMIT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    sub.set_subscribe(b"")
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    sub.connect(endpoint)
        .map_err(ToolError::zmq("zmq_connect"))?;
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
/// of `size` bytes (at least 1).
pub fn pub_sub_fanout(
    subscribers: usize,
    size: usize,
    count: usize,
) -> Result<FanoutReport, ToolError> {
    let ctx = zmq::Context::new();
    let publisher = ctx
        .socket(zmq::SocketType::Pub)
        .map_err(ToolError::zmq("zmq_socket"))?;
    publisher
        .set_sndtimeo(RUN_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    let endpoint = bind_fresh(&publisher, Transport::Tcp)?;
    let progress = Arc::new(Progress::default());
    let threads: Vec<_> = (0..subscribers)
        .map(|_| {
            let (ctx, endpoint, progress) = (ctx.clone(), endpoint.clone(), Arc::clone(&progress));
            std::thread::spawn(move || subscribe(&ctx, &endpoint, &progress))
        })
        .collect();
    let all = |counter: &AtomicUsize| counter.load(Ordering::SeqCst) >= subscribers;
    let ready = send_until(&publisher, PROBE, size, || all(&progress.ready));
    let payload = {
        let mut data = vec![0u8; size.max(1)];
        if let Some(first) = data.first_mut() {
            *first = DATA;
        }
        bytes::Bytes::from(data)
    };
    let start = Instant::now();
    let mut sent = Ok(());
    if matches!(ready, Ok(true)) {
        for _ in 0..count {
            if let Err(error) = publisher.send_msg(zmq::Message::from(payload.clone()), 0) {
                sent = Err(ToolError::zmq("zmq_send")(error));
                break;
            }
        }
    }
    let ended = send_until(&publisher, END, size, || all(&progress.done));
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
}
