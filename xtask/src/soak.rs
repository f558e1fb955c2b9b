//! `cargo xtask soak`: builds `zmq-soak` (crates/zmq-tools) and runs it:
//! 1,000 churning tcp connections, PUB/SUB with slow subscribers and
//! REQ/REP under load in one process, sampled every second; non-zero exit
//! when memory or descriptors trend up after the warm-up, a descriptor
//! leaks, or a context takes longer than `ZMQ_LINGER` to terminate
//! (docs/limits.md, "Soak").

use std::path::{Path, PathBuf};
use std::process::Command;

/// Usage of `cargo xtask soak`.
pub const USAGE: &str = "  soak [--minutes N] [--debug] [--only churn,pubsub,reqrep]
        churn 1,000 tcp connections, PUB/SUB with slow subscribers and
        REQ/REP under load for N minutes (default 1, fractions allowed);
        fails when memory or descriptors trend up, a descriptor leaks or a
        context outlives its linger (release build; --debug: debug build)";

/// Entry point of `cargo xtask soak`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut release = true;
    let mut forward = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--debug" => release = false,
            "--minutes" | "--only" => {
                let value = args.next().ok_or(format!("{arg} needs a value"))?;
                forward.push(arg.clone());
                forward.push(value.clone());
            }
            other => return Err(format!("soak: unknown option {other}")),
        }
    }
    let profile = if release { "release" } else { "debug" };
    eprintln!("soak: building zmq-soak ({profile})");
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build.args(["build", "-p", "zmq-tools", "--bin", "zmq-soak"]);
    if release {
        build.arg("--release");
    }
    let status = build
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err("building zmq-soak failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        root.join(target)
    };
    let binary = target.join(profile).join("zmq-soak");
    let status = Command::new(&binary)
        .args(&forward)
        .status()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("soak failed ({status})"))
    }
}
