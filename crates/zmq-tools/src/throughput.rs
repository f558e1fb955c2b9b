//! PUSH to PULL streams: the sending half of `remote_thr`, the receiving
//! half of `local_thr`, and both in one process for `inproc_thr` and the
//! in-process cells of the benchmark.

use std::time::Instant;

use bytes::Bytes;

use crate::endpoint::{RUN_TIMEOUT_MS, Transport, bind_fresh};
use crate::error::{ToolError, join};
use crate::report::{ThroughputReport, micros};

/// Payloads up to this size are copied into the message (stored inline,
/// no allocation); larger ones share one buffer (no copy).
const COPY_LIMIT: usize = 32;

/// A message of `payload`'s bytes, built the cheapest way for its size.
fn message(payload: &Bytes) -> zmq::Message {
    if payload.len() <= COPY_LIMIT {
        zmq::Message::from_slice(payload)
    } else {
        zmq::Message::from(payload.clone())
    }
}

/// Sends `count` messages of `size` zero bytes (`remote_thr`).
pub fn send_stream(socket: &zmq::Socket, size: usize, count: usize) -> Result<(), ToolError> {
    let payload = Bytes::from(vec![0u8; size]);
    for _ in 0..count {
        socket
            .send_msg(message(&payload), 0)
            .map_err(ToolError::zmq("zmq_sendmsg"))?;
    }
    Ok(())
}

/// Receives `count` messages of `size` bytes and returns the microseconds
/// from the first to the last (`local_thr`: the clock starts when the
/// first message has arrived).
pub fn receive_stream(socket: &zmq::Socket, size: usize, count: usize) -> Result<u64, ToolError> {
    let receive = || -> Result<(), ToolError> {
        let msg = socket.recv_msg(0).map_err(ToolError::zmq("zmq_recvmsg"))?;
        if msg.len() == size {
            Ok(())
        } else {
            Err(ToolError::WrongSize)
        }
    };
    receive()?;
    let start = Instant::now();
    for _ in 1..count {
        receive()?;
    }
    Ok(micros(start.elapsed()))
}

/// PULL bound in this thread, PUSH connected from another, both on one
/// context: the figures `inproc_thr` prints, over any transport.
pub fn push_pull_in_process(
    transport: Transport,
    size: usize,
    count: usize,
) -> Result<ThroughputReport, ToolError> {
    let ctx = zmq::Context::new();
    let pull = ctx
        .socket(zmq::SocketType::Pull)
        .map_err(ToolError::zmq("zmq_socket"))?;
    pull.set_rcvtimeo(RUN_TIMEOUT_MS)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    let endpoint = bind_fresh(&pull, transport)?;
    let sender_ctx = ctx.clone();
    let sender = std::thread::spawn(move || -> Result<(), ToolError> {
        let push = sender_ctx
            .socket(zmq::SocketType::Push)
            .map_err(ToolError::zmq("zmq_socket"))?;
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
    fn streams_arrive_whole_over_every_transport() {
        for transport in Transport::ALL {
            for size in [1, 64, 1024] {
                let report = push_pull_in_process(transport, size, 2000).unwrap();
                assert_eq!(report.message_count, 2000);
                assert!(report.msgs_per_sec > 0, "{transport:?} {size}");
            }
        }
    }
}
