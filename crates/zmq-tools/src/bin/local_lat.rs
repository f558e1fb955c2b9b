//! `local_lat <bind-to> <message-size> <roundtrip-count>`: binds a REP
//! socket and echoes every request; prints nothing, as libzmq's tool.

use std::process::ExitCode;

use zmq_tools::ToolError;
use zmq_tools::args::{number, positional, positive};
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
    let [bind_to, size, count] = match positional::<3>(USAGE) {
        Ok(args) => args,
        Err(usage) => {
            println!("{usage}");
            return ExitCode::from(1);
        }
    };
    let parsed = number("message size", &size)
        .and_then(|size| positive("roundtrip count", &count).map(|count| (size, count)));
    let outcome = parsed
        .map_err(ToolError::Other)
        .and_then(|(size, count)| run(&bind_to, size, count));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            println!("{error}");
            ExitCode::from(255)
        }
    }
}
