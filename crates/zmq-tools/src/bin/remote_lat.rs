//! `remote_lat <connect-to> <message-size> <roundtrip-count>`: connects a
//! REQ socket, times all roundtrips with one stopwatch and prints
//! libzmq's latency figures.

use std::process::ExitCode;

use zmq_tools::ToolError;
use zmq_tools::latency::timed_roundtrips;
use zmq_tools::report::LatencyReport;

const USAGE: &str = "usage: remote_lat <connect-to> <message-size> <roundtrip-count>";

fn run(connect_to: &str, size: usize, roundtrips: usize) -> Result<LatencyReport, ToolError> {
    let ctx = zmq::Context::new();
    let socket = ctx
        .socket(zmq::SocketType::Req)
        .map_err(ToolError::zmq("zmq_socket"))?;
    socket
        .connect(connect_to)
        .map_err(ToolError::zmq("zmq_connect"))?;
    let elapsed_us = timed_roundtrips(&socket, size, roundtrips)?;
    drop(socket);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    Ok(LatencyReport::new(size, roundtrips, elapsed_us))
}

fn main() -> ExitCode {
    zmq_tools::args::endpoint_tool(USAGE, "roundtrip count", run)
}
