//! `remote_lat <connect-to> <message-size> <roundtrip-count>`: connects a
//! REQ socket, times all roundtrips with one stopwatch and prints
//! libzmq's latency figures.

use std::process::ExitCode;

use zmq_tools::ToolError;
use zmq_tools::args::{number, positional, positive};
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
    let [connect_to, size, count] = match positional::<3>(USAGE) {
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
        .and_then(|(size, count)| run(&connect_to, size, count));
    match outcome {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{error}");
            ExitCode::from(255)
        }
    }
}
