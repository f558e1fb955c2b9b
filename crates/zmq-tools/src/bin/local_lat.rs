//! `local_lat <bind-to> <message-size> <roundtrip-count>`: binds a REP
//! socket and echoes every request; prints nothing, as libzmq's tool.

use std::process::ExitCode;

use zmq_tools::ToolError;
use zmq_tools::latency::echo;

const USAGE: &str = "usage: local_lat <bind-to> <message-size> <roundtrip-count>";

fn run(bind_to: &str, size: usize, roundtrips: usize) -> Result<(), ToolError> {
    let ctx = zmq::Context::new();
    let socket = ctx
        .socket(zmq::SocketType::Rep)
        .map_err(ToolError::zmq("zmq_socket"))?;
    socket.bind(bind_to).map_err(ToolError::zmq("zmq_bind"))?;
    echo(&socket, size, roundtrips)?;
    // The last reply must leave before the context goes.
    socket
        .set_linger(-1)
        .map_err(ToolError::zmq("zmq_setsockopt"))?;
    drop(socket);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))
}

fn main() -> ExitCode {
    zmq_tools::args::endpoint_tool(USAGE, "roundtrip count", run)
}
