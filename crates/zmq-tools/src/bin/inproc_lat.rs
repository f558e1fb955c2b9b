//! `inproc_lat <message-size> <roundtrip-count>`: REQ and REP over
//! inproc in one process; prints libzmq's latency figures.

use std::process::ExitCode;

use zmq_tools::args::{number, positional, positive};
use zmq_tools::endpoint::bind_fresh;
use zmq_tools::error::join;
use zmq_tools::latency::{echo, timed_roundtrips};
use zmq_tools::report::LatencyReport;
use zmq_tools::{ToolError, Transport};

const USAGE: &str = "usage: inproc_lat <message-size> <roundtrip-count>";

fn run(size: usize, roundtrips: usize) -> Result<LatencyReport, ToolError> {
    let ctx = zmq::Context::new();
    let req = ctx
        .socket(zmq::SocketType::Req)
        .map_err(ToolError::zmq("zmq_socket"))?;
    let endpoint = bind_fresh(&req, Transport::Inproc)?;
    let worker_ctx = ctx.clone();
    let worker = std::thread::spawn(move || -> Result<(), ToolError> {
        let rep = worker_ctx
            .socket(zmq::SocketType::Rep)
            .map_err(ToolError::zmq("zmq_socket"))?;
        rep.connect(&endpoint)
            .map_err(ToolError::zmq("zmq_connect"))?;
        echo(&rep, size, roundtrips)
    });
    print!("{}", LatencyReport::header(size, roundtrips));
    let elapsed = timed_roundtrips(&req, size, roundtrips);
    let echoed = join(worker);
    let elapsed_us = elapsed?;
    echoed?;
    drop(req);
    ctx.term().map_err(ToolError::zmq("zmq_ctx_term"))?;
    Ok(LatencyReport::new(size, roundtrips, elapsed_us))
}

fn main() -> ExitCode {
    let [size, count] = match positional::<2>(USAGE) {
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
        .and_then(|(size, count)| run(size, count));
    match outcome {
        Ok(report) => {
            print!("{}", report.footer());
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{error}");
            ExitCode::from(255)
        }
    }
}
