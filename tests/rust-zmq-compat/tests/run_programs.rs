//! Runs each rust-zmq-style program of this crate as its own process,
//! with a bounded wait: each must exit 0 within the limit.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

fn run(name: &str, path: &str) {
    let mut child = Command::new(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{name}: spawn: {e}"));
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "{name}: still running after {LIMIT:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        status.success(),
        "{name}: {status}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("{name}: ok")),
        "{name}: no ok line\nstdout:\n{stdout}"
    );
}

#[test]
fn hello_world() {
    run("hello_world", env!("CARGO_BIN_EXE_hello_world"));
}

#[test]
fn weather() {
    run("weather", env!("CARGO_BIN_EXE_weather"));
}

#[test]
fn poll_two_sockets() {
    run("poll_two_sockets", env!("CARGO_BIN_EXE_poll_two_sockets"));
}

#[test]
fn curve_pair() {
    run("curve_pair", env!("CARGO_BIN_EXE_curve_pair"));
}

#[test]
fn monitor_loop() {
    run("monitor_loop", env!("CARGO_BIN_EXE_monitor_loop"));
}

#[test]
fn multipart() {
    run("multipart", env!("CARGO_BIN_EXE_multipart"));
}

#[test]
fn broker() {
    run("broker", env!("CARGO_BIN_EXE_broker"));
}

#[test]
fn steered_pipeline() {
    run("steered_pipeline", env!("CARGO_BIN_EXE_steered_pipeline"));
}
