//! ROUTER serving many DEALER peers over tcp: the `scale-router` cell.
//!
//! One ROUTER bound on tcp echoes on its own thread; `peers` DEALER
//! sockets, all driven from one client thread, each keep one request in
//! flight: a round sends one request from every DEALER, then reads every
//! reply, timing each request from its send to its reply. After one
//! untimed round (every connection made), `rounds` rounds are timed.
//! `bench/zmq_bench.c` (`router`) runs the same protocol.

use std::time::Instant;

use crate::cpu::{CpuClock, per_cpu_second};
use crate::endpoint::{Transport, bind_fresh};
use crate::error::{ToolError, join};
use crate::memory::resident_bytes;
use crate::stats::per_mille_us;

/// How long any one receive may wait (ms): thousands of connections take
/// a while to be accepted.
const WAIT_MS: i32 = 60_000;

/// The figures of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RouterScale {
    /// Roundtrips (request and reply) per second, all peers together.
    pub roundtrips_per_sec: f64,
    /// Roundtrip percentiles in microseconds: p50, p99, p99.9.
    pub rtt_us: [f64; 3],
    /// Resident memory at the end of the timed rounds.
    pub rss_bytes: u64,
    /// CPU seconds of the whole process during the timed rounds.
    pub cpu_s: f64,
    /// Roundtrips timed.
    pub roundtrips: usize,
}

/// Echoes `total` requests (routing id, body) back to their senders.
fn echo(router: &zmq::Socket, total: usize) -> Result<(), ToolError> {
    for _ in 0..total {
        let id = router.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
        let body = router.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
        router
            .send_msg(id, zmq::SNDMORE)
            .map_err(ToolError::zmq("zmq_sendmsg"))?;
        router
            .send_msg(body, 0)
            .map_err(ToolError::zmq("zmq_sendmsg"))?;
    }
    Ok(())
}

/// One round: a request from every dealer, then every reply; pushes each
/// roundtrip's nanoseconds to `samples` when given.
fn round(
    dealers: &[zmq::Socket],
    payload: &bytes::Bytes,
    sent: &mut [Instant],
    mut samples: Option<&mut Vec<u64>>,
) -> Result<(), ToolError> {
    for (dealer, at) in dealers.iter().zip(sent.iter_mut()) {
        *at = Instant::now();
        dealer
            .send_msg(zmq::Message::from(payload.clone()), 0)
            .map_err(ToolError::zmq("zmq_sendmsg"))?;
    }
    for (dealer, at) in dealers.iter().zip(sent.iter()) {
        dealer.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
        if let Some(samples) = samples.as_deref_mut() {
            samples.push(u64::try_from(at.elapsed().as_nanos()).unwrap_or(u64::MAX));
        }
    }
    Ok(())
}

/// `peers` DEALERs against one ROUTER, `rounds` timed rounds of `size`
/// byte requests.
pub fn router_dealers(peers: usize, size: usize, rounds: usize) -> Result<RouterScale, ToolError> {
    let ctx = zmq::Context::new();
    let max_sockets = i32::try_from(peers.saturating_add(16))
        .map_err(|_| ToolError::Other("too many peers".into()))?;
    ctx.set_max_sockets(max_sockets)
        .map_err(ToolError::zmq("zmq_ctx_set"))?;
    let router = ctx
        .socket(zmq::SocketType::Router)
        .map_err(ToolError::zmq("zmq_socket"))?;
    router
        .set_rcvtimeo(WAIT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    router
        .set_backlog(i32::try_from(peers.min(4096)).unwrap_or(4096))
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    let endpoint = bind_fresh(&router, Transport::Tcp)?;
    let total = peers * (rounds + 1);
    let server = std::thread::spawn(move || echo(&router, total));
    let mut dealers = Vec::with_capacity(peers);
    let measured = (|| {
        for _ in 0..peers {
            let dealer = ctx
                .socket(zmq::SocketType::Dealer)
                .map_err(ToolError::zmq("zmq_socket"))?;
            dealer
                .set_rcvtimeo(WAIT_MS)
                .map_err(ToolError::zmq("zmq_setsockopt"))?;
            dealer
                .connect(&endpoint)
                .map_err(ToolError::zmq("zmq_connect"))?;
            dealers.push(dealer);
        }
        let payload = bytes::Bytes::from(vec![0u8; size]);
        let mut sent = vec![Instant::now(); peers];
        round(&dealers, &payload, &mut sent, None)?;
        let mut samples = Vec::with_capacity(peers * rounds);
        let cpu = CpuClock::start();
        let start = Instant::now();
        for _ in 0..rounds {
            round(&dealers, &payload, &mut sent, Some(&mut samples))?;
        }
        let seconds = start.elapsed().as_secs_f64().max(1e-9);
        let cpu_s = cpu.elapsed();
        let rss_bytes = resident_bytes().unwrap_or(0);
        samples.sort_unstable();
        Ok(RouterScale {
            roundtrips_per_sec: samples.len() as f64 / seconds,
            rtt_us: [500, 990, 999].map(|p| per_mille_us(&samples, p)),
            rss_bytes,
            cpu_s,
            roundtrips: samples.len(),
        })
    })();
    let served = join(server);
    for dealer in &dealers {
        let _ = dealer.set_linger(0);
    }
    drop(dealers);
    let report = measured?;
    served?;
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    Ok(report)
}

/// The `result` line of a run (the same keys as `zmq_bench router`).
pub fn result_line(r: &RouterScale) -> String {
    format!(
        "result rt_per_s={:.0} rtt_p50_us={:.1} rtt_p99_us={:.1} rtt_p999_us={:.1} \
         rss_bytes={} cpu_s={:.2} cpu_s_per_m={:.3} msgs_per_cpu_s={:.0}",
        r.roundtrips_per_sec,
        r.rtt_us[0],
        r.rtt_us[1],
        r.rtt_us[2],
        r.rss_bytes,
        r.cpu_s,
        r.cpu_s * 1e6 / r.roundtrips.max(1) as f64,
        per_cpu_second(r.roundtrips as f64, r.cpu_s),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_peer_gets_its_replies() {
        let report = router_dealers(5, 16, 20).unwrap();
        assert_eq!(report.roundtrips, 100);
        assert!(report.rtt_us[0] <= report.rtt_us[2]);
        assert!(result_line(&report).contains("rtt_p999_us="));
    }
}
