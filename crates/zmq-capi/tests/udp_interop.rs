//! udp interop against real libzmq 4.3.5, both directions: our RADIO →
//! libzmq's DISH and libzmq's RADIO → our DISH over udp unicast, DGRAM
//! both ways. `tests/c/udp_interop.c` plays one role per process; a
//! process loads one `libzmq.so.5`, chosen by `LD_LIBRARY_PATH` (ours, or
//! the control build of `tests/conformance/build_libzmq.sh`). Without the
//! control build (or a C compiler) the test says so and checks nothing.

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::{compile_c, control_lib, install_ours};

fn compile(lib: &Path, scratch: &Path) -> PathBuf {
    let binary = scratch.join("udp_interop");
    compile_c(
        "udp_interop",
        &binary,
        lib,
        &["-D_POSIX_C_SOURCE=200809L"],
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    binary
}

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(binary: &Path, lib: &Path, args: &[&str]) -> Child {
    Command::new(binary)
        .args(args)
        .env("LD_LIBRARY_PATH", lib)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start udp_interop")
}

/// Waits for the "ready" line of a receiving role.
fn wait_ready(child: &mut Child) -> BufReader<std::process::ChildStdout> {
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "receiver did not start");
    out
}

/// Waits (bounded) for `child`; its output and whether it succeeded.
fn finish(mut child: Child, mut out: BufReader<std::process::ChildStdout>) -> (String, bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut text = String::new();
    let _ = std::io::Read::read_to_string(&mut out, &mut text);
    (text, status.success())
}

/// RADIO on `radio_lib` → DISH on `dish_lib`.
fn radio_to_dish(binary: &Path, radio_lib: &Path, dish_lib: &Path) -> Result<(), String> {
    let port = free_port().to_string();
    let mut dish = spawn(binary, dish_lib, &["dish", &port]);
    let dish_out = wait_ready(&mut dish);
    let mut radio = spawn(binary, radio_lib, &["radio", &port]);
    let (dish_text, dish_ok) = finish(dish, dish_out);
    let _ = radio.kill();
    let _ = radio.wait();
    if dish_ok {
        Ok(())
    } else {
        Err(format!("dish: {dish_text}"))
    }
}

/// DGRAM server on `server_lib`, client on `client_lib`.
fn dgram(binary: &Path, server_lib: &Path, client_lib: &Path) -> Result<(), String> {
    let (server_port, client_port) = (free_port().to_string(), free_port().to_string());
    let mut server = spawn(binary, server_lib, &["dgram-server", &server_port]);
    let server_out = wait_ready(&mut server);
    let mut client = spawn(
        binary,
        client_lib,
        &["dgram-client", &client_port, &server_port],
    );
    let client_out = BufReader::new(client.stdout.take().expect("stdout"));
    let (client_text, client_ok) = finish(client, client_out);
    let (server_text, server_ok) = finish(server, server_out);
    let expected = format!("question from 127.0.0.1:{client_port} (");
    if client_ok && server_ok && server_text.contains(&expected) {
        Ok(())
    } else {
        Err(format!("server: {server_text}\nclient: {client_text}"))
    }
}

#[test]
fn udp_interop_with_libzmq() {
    if Command::new("cc").arg("--version").output().is_err() {
        eprintln!("skipping: no C compiler (cc) on PATH");
        return;
    }
    let Some(libzmq) = control_lib() else {
        eprintln!(
            "INTEROP SKIPPED: no control libzmq build (run \
             tests/conformance/build_libzmq.sh)"
        );
        return;
    };
    let scratch = std::env::temp_dir().join(format!("zmq-rs-udp-interop-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let ours = install_ours(&scratch);
    let binary = compile(&ours, &scratch);
    let cells = [
        (
            "our RADIO -> libzmq DISH",
            radio_to_dish(&binary, &ours, &libzmq),
        ),
        (
            "libzmq RADIO -> our DISH",
            radio_to_dish(&binary, &libzmq, &ours),
        ),
        (
            "our DGRAM client -> libzmq DGRAM server",
            dgram(&binary, &libzmq, &ours),
        ),
        (
            "libzmq DGRAM client -> our DGRAM server",
            dgram(&binary, &ours, &libzmq),
        ),
    ];
    let _ = std::fs::remove_dir_all(&scratch);
    let mut failed = Vec::new();
    for (cell, result) in cells {
        match result {
            Ok(()) => eprintln!("{cell}: ok"),
            Err(detail) => failed.push(format!("{cell}: FAILED\n{detail}")),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
