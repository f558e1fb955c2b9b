//! Latency under load: the `load-lat` cell. REQ ↔ REP roundtrips over tcp,
//! every one timed, while (with `streams` = 1) a PUSH → PULL stream of
//! 64 B messages over tcp runs flat out in the same context, so through
//! the same (single, default) I/O thread. With `streams` = 0 it is the
//! unloaded baseline of the same run. `bench/zmq_bench.c` (`loadlat`)
//! runs the same protocol.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use crate::cpu::{CpuClock, per_cpu_second};
use crate::endpoint::{RUN_TIMEOUT_MS, Transport, bind_fresh};
use crate::error::{ToolError, join};
use crate::fanout::{DATA, END};
use crate::latency::{WARMUP_ROUNDTRIPS, echo, recorded_roundtrips};
use crate::stats::per_mille_us;

/// Bytes per message of the loading stream.
pub const STREAM_SIZE: usize = 64;

/// The figures of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadLatency {
    /// Roundtrip percentiles in microseconds: p50, p99, p99.9.
    pub rtt_us: [f64; 3],
    /// Stream messages received per second while roundtrips were timed.
    pub stream_per_sec: f64,
    /// CPU seconds of the process while roundtrips were timed.
    pub cpu_s: f64,
    /// Roundtrips plus stream messages per CPU-second.
    pub msgs_per_cpu_s: f64,
}

fn socket(ctx: &zmq::Context, kind: zmq::SocketType) -> Result<zmq::Socket, ToolError> {
    let s = ctx.socket(kind).map_err(ToolError::zmq("zmq_socket"))?;
    s.set_rcvtimeo(RUN_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    s.set_sndtimeo(RUN_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    Ok(s)
}

/// Sends until `stop`, then the end marker.
fn push_until(push: &zmq::Socket, stop: &AtomicBool) -> Result<(), ToolError> {
    let data = bytes::Bytes::from(vec![DATA; STREAM_SIZE]);
    while !stop.load(Ordering::Relaxed) {
        push.send_msg(zmq::Message::from(data.clone()), 0)
            .map_err(ToolError::zmq("zmq_sendmsg"))?;
    }
    push.send(&[END][..], 0).map_err(ToolError::zmq("zmq_send"))
}

/// Receives until the end marker, counting.
fn pull_until_end(pull: &zmq::Socket, received: &AtomicU64) -> Result<(), ToolError> {
    loop {
        let msg = pull.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
        if msg.first() == Some(&END) {
            return Ok(());
        }
        received.fetch_add(1, Ordering::Relaxed);
    }
}

/// `roundtrips` timed roundtrips of `size` bytes, with `streams` (0 or 1)
/// loading streams.
pub fn latency_under_load(
    streams: usize,
    size: usize,
    roundtrips: usize,
) -> Result<LoadLatency, ToolError> {
    let ctx = zmq::Context::new();
    let stop = Arc::new(AtomicBool::new(false));
    let received = Arc::new(AtomicU64::new(0));
    let mut stream_threads = Vec::new();
    if streams > 0 {
        let pull = socket(&ctx, zmq::SocketType::Pull)?;
        let endpoint = bind_fresh(&pull, Transport::Tcp)?;
        let push = socket(&ctx, zmq::SocketType::Push)?;
        push.connect(&endpoint)
            .map_err(ToolError::zmq("zmq_connect"))?;
        let counter = Arc::clone(&received);
        stream_threads.push(std::thread::spawn(move || pull_until_end(&pull, &counter)));
        let flag = Arc::clone(&stop);
        stream_threads.push(std::thread::spawn(move || push_until(&push, &flag)));
    }
    let rep = socket(&ctx, zmq::SocketType::Rep)?;
    let endpoint = bind_fresh(&rep, Transport::Tcp)?;
    let total = WARMUP_ROUNDTRIPS + roundtrips;
    let echoer = std::thread::spawn(move || echo(&rep, size, total));
    let req = socket(&ctx, zmq::SocketType::Req)?;
    req.connect(&endpoint)
        .map_err(ToolError::zmq("zmq_connect"))?;
    let measured = recorded_roundtrips(&req, size, WARMUP_ROUNDTRIPS).and_then(|_| {
        let cpu = CpuClock::start();
        let before = received.load(Ordering::Relaxed);
        let start = Instant::now();
        let samples = recorded_roundtrips(&req, size, roundtrips)?;
        let seconds = start.elapsed().as_secs_f64().max(1e-9);
        let streamed = received.load(Ordering::Relaxed) - before;
        Ok((samples, seconds, streamed, cpu.elapsed()))
    });
    stop.store(true, Ordering::Relaxed);
    let echoed = join(echoer);
    let mut failure = None;
    for thread in stream_threads {
        if let Err(error) = join(thread) {
            failure = Some(error);
        }
    }
    drop(req);
    let (mut samples, seconds, streamed, cpu_s) = measured?;
    echoed?;
    if let Some(error) = failure {
        return Err(error);
    }
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    samples.sort_unstable();
    Ok(LoadLatency {
        rtt_us: [500, 990, 999].map(|p| per_mille_us(&samples, p)),
        stream_per_sec: streamed as f64 / seconds,
        cpu_s,
        msgs_per_cpu_s: per_cpu_second((samples.len() as u64 + streamed) as f64, cpu_s),
    })
}

/// The `result` line of a run (the same keys as `zmq_bench loadlat`).
pub fn result_line(r: &LoadLatency) -> String {
    format!(
        "result rtt_p50_us={:.1} rtt_p99_us={:.1} rtt_p999_us={:.1} stream_per_s={:.0} \
         cpu_s={:.2} msgs_per_cpu_s={:.0}",
        r.rtt_us[0], r.rtt_us[1], r.rtt_us[2], r.stream_per_sec, r.cpu_s, r.msgs_per_cpu_s
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrips_complete_beside_a_stream() {
        let loaded = latency_under_load(1, 16, 200).unwrap();
        assert!(loaded.rtt_us[0] <= loaded.rtt_us[2]);
        let quiet = latency_under_load(0, 16, 200).unwrap();
        assert_eq!(quiet.stream_per_sec, 0.0);
    }
}
