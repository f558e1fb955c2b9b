//! `zmq-peer`: the interop peer program of `tests/interop/PROTOCOL.md` on
//! our `zmq` crate. It owns one socket, runs a JSON script against it and
//! reports on stdout; `run.py` pairs it with the libzmq peer.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// What `--capabilities` declares.
mod capabilities;
/// `GO <name>` lines from stdin.
mod control;
/// Frame descriptors, patterns and message matchers.
mod frames;
/// Status lines and exit codes.
mod outcome;
/// The proxy role: `zmq::proxy_steerable` between two sockets.
mod proxy_role;
/// The spec, checked.
mod script;
/// Socket creation: options, binds, connects.
mod setup;
/// The script's steps.
mod steps;

use std::io::Write;

use outcome::{EXIT_OK, EXIT_USAGE, PeerResult};

const USAGE: &str = "usage: zmq-peer --capabilities | --spec-file PATH | --spec JSON\n";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(run(&args));
}

/// Prints one status line and flushes it at once.
fn emit(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout means the harness is gone: nothing left to tell.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn run(args: &[String]) -> i32 {
    let text = match args {
        [flag] if flag == "--capabilities" => {
            emit(&capabilities::capabilities().to_string());
            return EXIT_OK;
        }
        [flag, path] if flag == "--spec-file" => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                emit(&format!("FAIL bad spec: cannot read {path}: {e}"));
                return EXIT_USAGE;
            }
        },
        [flag, json] if flag == "--spec" => json.clone(),
        _ => {
            eprint!("{USAGE}");
            return EXIT_USAGE;
        }
    };
    let spec: serde_json::Value = match serde_json::from_str(&text) {
        Ok(spec) => spec,
        Err(e) => {
            emit(&format!("FAIL bad spec: {e}"));
            return EXIT_USAGE;
        }
    };
    match run_spec(&spec) {
        Ok(()) => {
            emit("OK");
            EXIT_OK
        }
        Err(e) => {
            emit(&e.status_line());
            e.exit_code()
        }
    }
}

/// Sets up the socket, prints READY, runs the steps, closes everything.
fn run_spec(spec: &serde_json::Value) -> PeerResult<()> {
    if let Some(proxy) = proxy_role::ProxySpec::parse(spec)? {
        let control = control::Control::from_stdin();
        return proxy_role::run_proxy(&proxy, &control, &emit);
    }
    let script = script::Script::parse(spec)?;
    let control = control::Control::from_stdin();
    let ctx = zmq::Context::new();
    let result = setup::open_socket(&ctx, &script).and_then(|opened| {
        let mut ready = vec!["READY".to_owned()];
        ready.extend(opened.bound);
        emit(&ready.join(" "));
        let monitor = opened.monitor.as_ref();
        let result =
            steps::Runner::new(&opened.socket, monitor, &control, script.timeout_ms, &emit)
                .run(&script.steps);
        if let Some(monitor) = opened.monitor {
            monitor.close();
        }
        opened.socket.close();
        if let Some(zap_handler) = opened.zap_handler {
            zap_handler.stop();
        }
        result
    });
    ctx.term()?;
    result
}
