//! CURVE throughput: the `curve` sub-command of `zmq-bench`, the same
//! workload as `bench/curve_thr.c` runs on libzmq. PULL bound on tcp with
//! the CURVE server keys, PUSH connected from a second thread with the
//! client keys, both on one context.

use crate::endpoint::{RUN_TIMEOUT_MS, Transport, bind_fresh};
use crate::error::{ToolError, join};
use crate::report::ThroughputReport;
use crate::throughput::{receive_stream, send_stream};

/// PUSH → PULL over tcp with CURVE: `count` messages of `size` bytes,
/// timed from the first received as `local_thr` does.
pub fn curve_push_pull(size: usize, count: usize) -> Result<ThroughputReport, ToolError> {
    let keypair =
        || zmq::curve_keypair().map_err(|e| ToolError::Other(format!("zmq_curve_keypair: {e}")));
    let (server_public, server_secret) = keypair()?;
    let (client_public, client_secret) = keypair()?;
    let ctx = zmq::Context::new();
    let pull = ctx
        .socket(zmq::SocketType::Pull)
        .map_err(ToolError::zmq("zmq_socket"))?;
    let setsockopt = || ToolError::zmq("zmq_setsockopt");
    pull.set_rcvtimeo(RUN_TIMEOUT_MS).map_err(setsockopt())?;
    pull.set_curve_server(true).map_err(setsockopt())?;
    pull.set_curve_secretkey(server_secret.as_bytes())
        .map_err(setsockopt())?;
    let endpoint = bind_fresh(&pull, Transport::Tcp)?;
    let sender_ctx = ctx.clone();
    let sender = std::thread::spawn(move || -> Result<(), ToolError> {
        let push = sender_ctx
            .socket(zmq::SocketType::Push)
            .map_err(ToolError::zmq("zmq_socket"))?;
        push.set_curve_serverkey(server_public.as_bytes())
            .map_err(setsockopt())?;
        push.set_curve_publickey(client_public.as_bytes())
            .map_err(setsockopt())?;
        push.set_curve_secretkey(client_secret.as_bytes())
            .map_err(setsockopt())?;
        push.connect(&endpoint)
            .map_err(ToolError::zmq("zmq_connect"))?;
        send_stream(&push, size, count)
    });
    let received = receive_stream(&pull, size, count);
    let sent = join(sender);
    let elapsed_us = received?;
    sent?;
    drop(pull);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    Ok(ThroughputReport::new(size, count, elapsed_us))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_stream_arrives_whole() {
        for size in [0, 64, 20_000] {
            let report = curve_push_pull(size, 500).unwrap();
            assert_eq!(report.message_count, 500);
            assert!(report.msgs_per_sec > 0, "{size}");
        }
    }
}
