//! The examples of crates/zmq/examples, run: each `main` runs every side
//! of its pattern on threads and returns when done, so it is called here
//! (on a thread, with a time limit) as well as being `cargo run
//! --example NAME`. Their `main`s are `pub` for this; `quickstart.rs`,
//! README's Rust quick start word for word, is included instead.

use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/curve_server.rs"]
mod curve_server;
#[path = "../examples/hello_world.rs"]
mod hello_world;
#[path = "../examples/lazy_pirate.rs"]
mod lazy_pirate;
#[path = "../examples/lbbroker.rs"]
mod lbbroker;
#[path = "../examples/pipeline.rs"]
mod pipeline;
/// README's quick start: a plain `fn main`, reached through `run`.
mod quickstart {
    include!("../examples/quickstart.rs");

    pub fn run() -> Result<(), zmq::Error> {
        main()
    }
}
#[path = "../examples/socket_monitor.rs"]
mod socket_monitor;
#[path = "../examples/weather.rs"]
mod weather;

/// Runs an example's `main`, failing when it errs, panics or takes longer
/// than `limit`.
fn run(main: fn() -> Result<(), zmq::Error>, limit: Duration) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(main());
    });
    match rx.recv_timeout(limit) {
        Ok(outcome) => outcome.expect("the example failed"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the example ran over {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the example panicked"),
    }
}

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn hello_world_req_rep() {
    run(hello_world::main, LIMIT);
}

#[test]
fn weather_pub_sub_with_a_filter() {
    run(weather::main, LIMIT);
}

#[test]
fn pipeline_ventilator_workers_sink() {
    run(pipeline::main, LIMIT);
}

#[test]
fn load_balancing_broker() {
    run(lbbroker::main, LIMIT);
}

#[test]
fn lazy_pirate_survives_a_server_restart() {
    run(lazy_pirate::main, LIMIT);
}

#[test]
fn curve_server_with_the_authenticator() {
    run(curve_server::main, LIMIT);
}

#[test]
fn monitor_prints_events() {
    run(socket_monitor::main, LIMIT);
}

#[test]
fn readme_rust_quick_start_runs() {
    run(quickstart::run, LIMIT);
}

#[test]
fn readme_rust_quick_start_is_the_quickstart_example() {
    let readme = include_str!("../../../README.md");
    let example = include_str!("../examples/quickstart.rs");
    let block = readme
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```\n").next())
        .expect("a ```rust block in README.md");
    assert_eq!(
        block, example,
        "README's Rust quick start and examples/quickstart.rs differ"
    );
}
