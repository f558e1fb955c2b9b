//! Memory per idle connection: one ROUTER bound on tcp, `n` DEALER
//! sockets connected to it, each having sent one message (so every
//! connection has finished its handshake), then the growth of resident
//! memory divided by `n`. Both ends live in this process, so a connection
//! here is a DEALER socket, its session and stream, and the ROUTER's
//! session and stream. `bench/zmq_bench.c` does the same with libzmq.
//!
//! Then the process sits for `IDLE_SECONDS` (3 s) with every connection idle
//! (no heartbeats, the default) and the CPU time it used in that spell
//! is the idle cost in time.
//!
//! Each connection costs two descriptors (three with libzmq, whose
//! sockets each own an eventfd); the caller raises `RLIMIT_NOFILE` and
//! picks `n` to fit.

use crate::cpu::CpuClock;
use crate::endpoint::{Transport, bind_fresh};
use crate::error::ToolError;
use crate::memory::resident_bytes;

/// How long the ROUTER waits for any one greeting (ms): thousands of
/// connections take a while to be accepted.
const CONNECTIONS_TIMEOUT_MS: i32 = 60_000;

/// How long the connections sit idle while CPU time is counted (s).
pub const IDLE_SECONDS: u64 = 3;

/// The figures of one idle-connection run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConnectionMemory {
    /// Connections made.
    pub connections: usize,
    /// Growth of resident memory divided by `connections`.
    pub bytes_per_connection: f64,
    /// CPU milliseconds the process used per second while idle.
    pub idle_cpu_ms_per_s: f64,
}

/// Opens `n` idle connections and measures them.
pub fn idle_connections(n: usize) -> Result<ConnectionMemory, ToolError> {
    let ctx = zmq::Context::new();
    let max_sockets = i32::try_from(n.saturating_add(16))
        .map_err(|_| ToolError::Other("too many connections".into()))?;
    ctx.set_max_sockets(max_sockets)
        .map_err(ToolError::zmq("zmq_ctx_set"))?;
    let router = ctx
        .socket(zmq::SocketType::Router)
        .map_err(ToolError::zmq("zmq_socket"))?;
    router
        .set_rcvtimeo(CONNECTIONS_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    let backlog = i32::try_from(n.min(4096)).unwrap_or(4096);
    router
        .set_backlog(backlog)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    let endpoint = bind_fresh(&router, Transport::Tcp)?;
    let before = resident_bytes().unwrap_or(0);
    let mut dealers = Vec::with_capacity(n);
    for _ in 0..n {
        let dealer = ctx
            .socket(zmq::SocketType::Dealer)
            .map_err(ToolError::zmq("zmq_socket"))?;
        dealer
            .connect(&endpoint)
            .map_err(ToolError::zmq("zmq_connect"))?;
        dealer.send("x", 0).map_err(ToolError::zmq("zmq_send"))?;
        dealers.push(dealer);
    }
    // Each greeting arrives as two parts: the routing id, then "x".
    for _ in 0..n * 2 {
        router.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
    }
    let after = resident_bytes().unwrap_or(0);
    let idle = CpuClock::start();
    std::thread::sleep(std::time::Duration::from_secs(IDLE_SECONDS));
    let idle_cpu_ms_per_s = idle.elapsed() * 1000.0 / IDLE_SECONDS as f64;
    for dealer in &dealers {
        dealer
            .set_linger(0)
            .map_err(ToolError::zmq("zmq_setsockopt"))?;
    }
    drop(dealers);
    drop(router);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    Ok(ConnectionMemory {
        connections: n,
        bytes_per_connection: after.saturating_sub(before) as f64 / n.max(1) as f64,
        idle_cpu_ms_per_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_connections_are_measured() {
        let memory = idle_connections(20).unwrap();
        assert_eq!(memory.connections, 20);
    }
}
