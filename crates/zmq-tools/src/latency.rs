//! REQ to REP roundtrips. The echo half is `local_lat`; the timing half
//! is `remote_lat` (one stopwatch around all roundtrips) or, for the
//! benchmark, one clock reading per roundtrip so that p50 and p99 can be
//! compared with `bench/zmq_bench.c`, which times the same way.

use std::time::Instant;

use crate::endpoint::{RUN_TIMEOUT_MS, Transport, bind_fresh};
use crate::error::{ToolError, join};
use crate::report::micros;
use crate::stats::LatencySummary;

/// Untimed roundtrips before timing starts (connection set-up, caches).
pub const WARMUP_ROUNDTRIPS: usize = 100;

/// Echoes `roundtrips` messages of `size` bytes back (`local_lat`).
pub fn echo(socket: &zmq::Socket, size: usize, roundtrips: usize) -> Result<(), ToolError> {
    for _ in 0..roundtrips {
        let msg = socket.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
        if msg.len() != size {
            return Err(ToolError::WrongSize);
        }
        socket
            .send_msg(msg, 0)
            .map_err(ToolError::zmq("zmq_sendmsg"))?;
    }
    Ok(())
}

/// One roundtrip from the REQ side.
fn roundtrip(socket: &zmq::Socket, request: &zmq::Message, size: usize) -> Result<(), ToolError> {
    socket
        .send_msg(request.clone(), 0)
        .map_err(ToolError::zmq("zmq_sendmsg"))?;
    let reply = socket.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
    if reply.len() == size {
        Ok(())
    } else {
        Err(ToolError::WrongSize)
    }
}

/// `roundtrips` roundtrips of `size` zero bytes; the total microseconds
/// (`remote_lat`).
pub fn timed_roundtrips(
    socket: &zmq::Socket,
    size: usize,
    roundtrips: usize,
) -> Result<u64, ToolError> {
    let request = zmq::Message::from(vec![0u8; size]);
    let start = Instant::now();
    for _ in 0..roundtrips {
        roundtrip(socket, &request, size)?;
    }
    Ok(micros(start.elapsed()))
}

/// `roundtrips` roundtrips, each timed, in nanoseconds.
pub fn recorded_roundtrips(
    socket: &zmq::Socket,
    size: usize,
    roundtrips: usize,
) -> Result<Vec<u64>, ToolError> {
    let request = zmq::Message::from(vec![0u8; size]);
    let mut samples = Vec::with_capacity(roundtrips);
    for _ in 0..roundtrips {
        let start = Instant::now();
        roundtrip(socket, &request, size)?;
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        samples.push(ns);
    }
    Ok(samples)
}

/// REP bound and echoing on another thread, REQ connected here: `warmup`
/// untimed roundtrips, then `roundtrips` timed one by one.
pub fn req_rep_in_process(
    transport: Transport,
    size: usize,
    roundtrips: usize,
) -> Result<LatencySummary, ToolError> {
    let ctx = zmq::Context::new();
    let rep = ctx
        .socket(zmq::SocketType::Rep)
        .map_err(ToolError::zmq("zmq_socket"))?;
    rep.set_rcvtimeo(RUN_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    let endpoint = bind_fresh(&rep, transport)?;
    let total = WARMUP_ROUNDTRIPS + roundtrips;
    let echoer = std::thread::spawn(move || echo(&rep, size, total));
    let req = ctx
        .socket(zmq::SocketType::Req)
        .map_err(ToolError::zmq("zmq_socket"))?;
    req.set_rcvtimeo(RUN_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    req.connect(&endpoint)
        .map_err(ToolError::zmq("zmq_connect"))?;
    let measured = recorded_roundtrips(&req, size, WARMUP_ROUNDTRIPS)
        .and_then(|_| recorded_roundtrips(&req, size, roundtrips));
    let echoed = join(echoer);
    let mut samples = measured?;
    echoed?;
    drop(req);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    LatencySummary::from_roundtrips_ns(&mut samples)
        .ok_or_else(|| ToolError::Other("no roundtrips".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrips_complete_over_every_transport() {
        for transport in Transport::ALL {
            let summary = req_rep_in_process(transport, 16, 200).unwrap();
            assert_eq!(summary.samples, 200);
            assert!(summary.p50_us <= summary.p99_us);
        }
    }
}
