//! `local_thr <bind-to> <message-size> <message-count>`: binds a PULL
//! socket, receives the stream and prints libzmq's throughput figures.

use std::process::ExitCode;

use zmq_tools::ToolError;
use zmq_tools::report::ThroughputReport;
use zmq_tools::throughput::receive_stream;

const USAGE: &str = "usage: local_thr <bind-to> <message-size> <message-count>";

fn run(bind_to: &str, size: usize, count: usize) -> Result<ThroughputReport, ToolError> {
    let ctx = zmq::Context::new();
    let socket = ctx
        .socket(zmq::SocketType::Pull)
        .map_err(ToolError::zmq("zmq_socket"))?;
    socket.bind(bind_to).map_err(ToolError::zmq("zmq_bind"))?;
    let elapsed_us = receive_stream(&socket, size, count)?;
    drop(socket);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    Ok(ThroughputReport::new(size, count, elapsed_us))
}

fn main() -> ExitCode {
    zmq_tools::args::endpoint_tool(USAGE, "message count", run)
}
