//! udp interop against real libzmq 4.3.5, both directions: our RADIO →
//! libzmq's DISH and libzmq's RADIO → our DISH over udp unicast and over
//! multicast (in a network namespace of the test's own, where `unshare
//! --net` works), DGRAM both ways. `tests/c/udp_interop.c` plays one role per process; a
//! process loads one `libzmq.so.5`, chosen by `LD_LIBRARY_PATH` (ours, or
//! the control build of `tests/conformance/build_libzmq.sh`). Without the
//! control build (or a C compiler) the test says so and checks nothing.

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::{compile_c, control_lib, finish, install_ours, spawn_role};

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
    spawn_role(None, binary, lib, args, &[])
}

/// Waits for the "ready" line of a receiving role.
fn wait_ready(child: &mut Child) -> BufReader<std::process::ChildStdout> {
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "receiver did not start");
    out
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

/// A network namespace held open by a sleeping process, its loopback up
/// and multicast groups routed over a veth pair (as the conformance
/// suite's namespace: tests/conformance/run.py); killed on drop. `None`
/// where namespaces or veth are unavailable.
struct Netns(Child);

impl Netns {
    fn new() -> Option<Netns> {
        let holder = Command::new("unshare")
            .args(["--net", "sleep", "120"])
            .stdin(Stdio::null())
            .spawn()
            .ok()?;
        let netns = Netns(holder);
        let setup = "ip link set lo up && ip link set lo multicast on \
            && ip link add v0 type veth peer name v1 && ip link set v1 up \
            && ip link set v0 up && ip addr add 10.9.0.1/24 dev v0 \
            && ip route add 224.0.0.0/4 dev v0";
        // The holder may not have entered its namespace yet: retry briefly.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let own = std::fs::read_link("/proc/self/ns/net").ok();
            let its = std::fs::read_link(format!("/proc/{}/ns/net", netns.pid())).ok();
            if its.is_some() && its != own {
                break;
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let ok = Command::new("nsenter")
            .arg(format!("--net=/proc/{}/ns/net", netns.pid()))
            .args(["sh", "-c", setup])
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(netns)
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// RADIO on `radio_lib` → DISH on `dish_lib` over multicast group
/// 239.0.0.7, inside `netns`.
fn radio_to_dish_multicast(
    netns: &Netns,
    binary: &Path,
    radio_lib: &Path,
    dish_lib: &Path,
) -> Result<(), String> {
    let port = "5556";
    let group = "239.0.0.7";
    let mut dish = spawn_role(
        Some(netns.pid()),
        binary,
        dish_lib,
        &["dish", port, group],
        &[],
    );
    let dish_out = wait_ready(&mut dish);
    let mut radio = spawn_role(
        Some(netns.pid()),
        binary,
        radio_lib,
        &["radio", port, group],
        &[],
    );
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
    let mut cells = vec![
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
    match Netns::new() {
        Some(netns) => {
            cells.push((
                "our RADIO -> libzmq DISH, multicast",
                radio_to_dish_multicast(&netns, &binary, &ours, &libzmq),
            ));
            cells.push((
                "libzmq RADIO -> our DISH, multicast",
                radio_to_dish_multicast(&netns, &binary, &libzmq, &ours),
            ));
        }
        None => eprintln!("multicast cells skipped: no network namespace with veth here"),
    }
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
