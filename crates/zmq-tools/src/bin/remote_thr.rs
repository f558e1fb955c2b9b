//! `remote_thr <connect-to> <message-size> <message-count>`: connects a
//! PUSH socket and sends the stream; closing waits until it is delivered
//! (linger -1, as libzmq's tool).

use std::process::ExitCode;

use zmq_tools::ToolError;
use zmq_tools::throughput::send_stream;

const USAGE: &str = "usage: remote_thr <connect-to> <message-size> <message-count>";

fn run(connect_to: &str, size: usize, count: usize) -> Result<(), ToolError> {
    let ctx = zmq::Context::new();
    let socket = ctx
        .socket(zmq::SocketType::Push)
        .map_err(ToolError::zmq("zmq_socket"))?;
    socket
        .set_linger(-1)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    socket
        .connect(connect_to)
        .map_err(ToolError::zmq("zmq_connect"))?;
    send_stream(&socket, size, count)?;
    drop(socket);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))
}

fn main() -> ExitCode {
    zmq_tools::args::endpoint_tool(USAGE, "message count", run)
}
