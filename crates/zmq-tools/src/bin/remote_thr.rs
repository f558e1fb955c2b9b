//! `remote_thr <connect-to> <message-size> <message-count>`: connects a
//! PUSH socket and sends the stream; closing waits until it is delivered
//! (linger -1, as libzmq's tool).

use std::process::ExitCode;

use zmq_tools::ToolError;
use zmq_tools::args::{number, positional, positive};
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
    let [connect_to, size, count] = match positional::<3>(USAGE) {
        Ok(args) => args,
        Err(usage) => {
            println!("{usage}");
            return ExitCode::from(1);
        }
    };
    let parsed = number("message size", &size)
        .and_then(|size| positive("message count", &count).map(|count| (size, count)));
    let outcome = parsed
        .map_err(ToolError::Other)
        .and_then(|(size, count)| run(&connect_to, size, count));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            println!("{error}");
            ExitCode::from(255)
        }
    }
}
