//! Developer commands for the workspace, run as `cargo xtask <command>`.
//!
//! Each command lives in its own module; `main` only dispatches. Only the
//! standard library is used, so `cargo xtask` builds in seconds anywhere.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

/// `cargo xtask bench`: our library against libzmq, side by side.
mod bench;
/// `cargo xtask fuzz`: coverage-guided fuzzing without cargo-fuzz.
mod fuzz;
/// `cargo xtask install`: libzmq.so.5, headers and pkg-config file.
mod install;
/// `cargo xtask soak`: churn, slow subscribers, load; trends and leaks.
mod soak;

const USAGE_TEMPLATE: &str = "\
usage: cargo xtask <command> [options]

commands:
{BENCH}
  fuzz [--seconds N] [--build-only] [--list] [TARGET...]
        build fuzz/ with libFuzzer instrumentation on the stable toolchain
        and run each target (all by default) for N seconds (default 60)
  install --prefix DIR [--release] [--features LIST]
        build zmq-capi and install it as libzmq 4.3.5 (lib/libzmq.so.5,
        libzmq.a, include/zmq.h, lib/pkgconfig/libzmq.pc) under DIR
{SOAK}
  help  print this text
";

fn main() -> ExitCode {
    let usage = USAGE_TEMPLATE
        .replace("{BENCH}", bench::USAGE)
        .replace("{SOAK}", soak::USAGE);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "bench" => bench::run(&workspace_root(), rest),
        "fuzz" => fuzz::run(&workspace_root(), rest),
        "install" => install::run(&workspace_root(), rest),
        "soak" => soak::run(&workspace_root(), rest),
        "help" | "-h" | "--help" => {
            print!("{usage}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{usage}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
