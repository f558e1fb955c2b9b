//! `inproc_thr <message-size> <message-count>`: PUSH and PULL over
//! inproc in one process; prints libzmq's throughput figures.

use std::process::ExitCode;

use zmq_tools::args::{number, positional, positive};
use zmq_tools::throughput::push_pull_in_process;
use zmq_tools::{ToolError, Transport};

const USAGE: &str = "usage: inproc_thr <message-size> <message-count>";

fn main() -> ExitCode {
    let [size, count] = match positional::<2>(USAGE) {
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
        .and_then(|(size, count)| push_pull_in_process(Transport::Inproc, size, count));
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
