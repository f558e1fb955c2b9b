//! `zmq-bench`: the quick demo (`bench --quick`) and the workloads that
//! `cargo xtask bench` runs on our side (see `zmq_tools::harness`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("bench") => {
            let quick = args.iter().skip(1).any(|a| a == "--quick");
            zmq_tools::quick::run(quick)
        }
        _ => zmq_tools::harness::run(&args).map(|line| println!("{line}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
