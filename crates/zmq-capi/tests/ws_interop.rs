//! ws and wss interop against real libzmq 4.3.5, both directions: our
//! server with libzmq's client and the reverse, for NULL, PLAIN, CURVE,
//! PUB/SUB, and wss with NULL, PLAIN and CURVE; PLAIN and CURVE over ws
//! and wss once more with heartbeats and an idle spell, bodies up to
//! 1 MiB. `tests/c/ws_interop.c` plays one role per process; a process
//! loads one `libzmq.so.5`, chosen by `LD_LIBRARY_PATH` (ours, or the
//! control build of `tests/conformance/build_libzmq.sh`, which has ws and
//! wss). Without the control build (or a C compiler) the test says so and
//! checks nothing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

mod support;
use support::{compile_c, control_lib, finish, install_ours, spawn_role};

/// Runs one role on `lib`; with `heartbeats`, both ends ping every
/// 200 ms and drop a peer silent 1.5 s after a ping (`WS_INTEROP_HB`), so
/// the client's 2 s idle spell passes only if each end's pongs reach the
/// other's engine (CURVE included: WebSocket ping/pong beside the
/// mechanism).
fn spawn(binary: &Path, lib: &Path, args: &[&str], heartbeats: bool) -> Child {
    let env: &[(&str, &str)] = if heartbeats {
        &[("WS_INTEROP_HB", "200,1500")]
    } else {
        &[]
    };
    spawn_role(None, binary, lib, args, env)
}

fn compile(lib: &Path, scratch: &Path) -> PathBuf {
    let binary = scratch.join("ws_interop");
    compile_c(
        "ws_interop",
        &binary,
        lib,
        &[
            "-D_POSIX_C_SOURCE=200809L",
            "-DZMQ_BUILD_DRAFT_API",
            "-pthread",
        ],
        &["-pthread"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    binary
}

struct Tls {
    cert: String,
    key: String,
}

/// Server on `server_lib`, client on `client_lib`.
fn cell(
    binary: &Path,
    server_lib: &Path,
    client_lib: &Path,
    mechanism: &str,
    tls: Option<&Tls>,
    heartbeats: bool,
) -> Result<(), String> {
    let scheme = if tls.is_some() { "wss" } else { "ws" };
    let mut server_args = vec!["server", scheme, mechanism];
    if let Some(tls) = tls {
        server_args.extend([tls.cert.as_str(), tls.key.as_str()]);
    }
    let mut server = spawn(binary, server_lib, &server_args, heartbeats);
    let mut server_out = BufReader::new(server.stdout.take().expect("stdout"));
    let mut line = String::new();
    server_out.read_line(&mut line).unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    let ["ready", endpoint, key] = words[..] else {
        let _ = server.kill();
        let _ = server.wait();
        return Err(format!("server did not start: {line:?}"));
    };
    let mut client_args = vec!["client", endpoint, mechanism, key];
    if let Some(tls) = tls {
        client_args.extend([tls.cert.as_str(), "zeromq.test"]);
    }
    let mut client = spawn(binary, client_lib, &client_args, heartbeats);
    let client_out = BufReader::new(client.stdout.take().expect("stdout"));
    let (client_text, client_ok) = finish(client, client_out);
    let (server_text, server_ok) = finish(server, server_out);
    if client_ok && server_ok {
        Ok(())
    } else {
        Err(format!("server: {server_text}\nclient: {client_text}"))
    }
}

#[test]
fn ws_interop_with_libzmq() {
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
    let scratch = std::env::temp_dir().join(format!("zmq-rs-ws-interop-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let ours = install_ours(&scratch);
    let binary = compile(&ours, &scratch);
    let certified = rcgen::generate_simple_self_signed(vec!["zeromq.test".to_owned()]).unwrap();
    let tls = Tls {
        cert: scratch.join("cert.pem").display().to_string(),
        key: scratch.join("key.pem").display().to_string(),
    };
    std::fs::write(&tls.cert, certified.cert.pem()).unwrap();
    std::fs::write(&tls.key, certified.signing_key.serialize_pem()).unwrap();
    let mut failed = Vec::new();
    for (mechanism, tls, heartbeats) in [
        ("null", None, false),
        ("plain", None, false),
        ("curve", None, false),
        ("pubsub", None, false),
        ("null", Some(&tls), false),
        ("plain", Some(&tls), false),
        ("curve", Some(&tls), false),
        ("plain", None, true),
        ("curve", None, true),
        ("plain", Some(&tls), true),
        ("curve", Some(&tls), true),
    ] {
        let scheme = if tls.is_some() { "wss" } else { "ws" };
        let scheme = if heartbeats {
            format!("{scheme} with heartbeats")
        } else {
            scheme.to_owned()
        };
        for (name, server, client) in [
            ("ours serves, libzmq connects", &ours, &libzmq),
            ("libzmq serves, ours connects", &libzmq, &ours),
        ] {
            let label = format!("{scheme} {mechanism}: {name}");
            match cell(&binary, server, client, mechanism, tls, heartbeats) {
                Ok(()) => eprintln!("{label}: ok"),
                Err(detail) => failed.push(format!("{label}: FAILED\n{detail}")),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
