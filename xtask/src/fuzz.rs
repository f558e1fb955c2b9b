//! Builds the `fuzz/` crate with libFuzzer's coverage instrumentation on the
//! stable toolchain (the approach of `shared/DESIGN.md`, "Fuzzing on these
//! machines": no nightly, no cargo-fuzz) and runs each target for a while
//! on its corpus. A crash fails the command (non-zero exit); its input is
//! kept under `fuzz/artifacts/<target>/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The sanitizer-coverage flags cargo-fuzz would use, plus `--cfg fuzzing`
/// and debug assertions (overflow checks catch arithmetic bugs).
const RUSTFLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
    "-Cdebug-assertions",
    "-Coverflow-checks",
];

struct Options {
    seconds: u64,
    build_only: bool,
    list: bool,
    targets: Vec<String>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        seconds: 60,
        build_only: false,
        list: false,
        targets: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a value")?;
                options.seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds: not a number: {value}"))?;
            }
            "--build-only" => options.build_only = true,
            "--list" => options.list = true,
            flag if flag.starts_with('-') => return Err(format!("fuzz: unknown option {flag}")),
            target => options.targets.push(target.to_string()),
        }
    }
    Ok(options)
}

/// Entry point of `cargo xtask fuzz`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    let fuzz_dir = root.join("fuzz");
    let available = list_targets(&fuzz_dir)?;
    if options.list {
        for target in &available {
            println!("{target}");
        }
        return Ok(());
    }
    let targets = if options.targets.is_empty() {
        available.clone()
    } else {
        options.targets
    };
    if let Some(unknown) = targets.iter().find(|t| !available.contains(t)) {
        return Err(format!(
            "unknown fuzz target `{unknown}` (have: {})",
            available.join(", ")
        ));
    }

    let triple = host_triple()?;
    let target_dir = fuzz_dir.join("target");
    build(&fuzz_dir, &target_dir, &triple, &targets)?;
    if options.build_only {
        return Ok(());
    }

    let mut failures = Vec::new();
    for target in &targets {
        let binary = target_dir.join(&triple).join("release").join(target);
        match run_target(&fuzz_dir, &binary, target, options.seconds) {
            Ok(summary) => println!("fuzz {target}: ok ({summary})"),
            Err(message) => {
                eprintln!("fuzz {target}: FAILED: {message}");
                failures.push(target.clone());
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz targets failed: {}", failures.join(", ")))
    }
}

/// Target names: the `name` of each `[[bin]]` in fuzz/Cargo.toml.
fn list_targets(fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let manifest_path = fuzz_dir.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("reading {}: {e}", manifest_path.display()))?;
    let mut targets = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(value) = line.strip_prefix("name") {
            let name = value
                .trim_start()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            targets.push(name.to_string());
        }
    }
    Ok(targets)
}

/// The host target triple from `rustc -vV`. Building for an explicit
/// `--target` keeps build scripts and proc macros uninstrumented.
fn host_triple() -> Result<String, String> {
    let output = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .map_err(|e| format!("running rustc -vV: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or_else(|| "rustc -vV printed no host triple".to_string())
}

fn build(
    fuzz_dir: &Path,
    target_dir: &Path,
    triple: &str,
    targets: &[String],
) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(fuzz_dir)
        .args(["build", "--release", "--target", triple, "--target-dir"])
        .arg(target_dir)
        .env("RUSTFLAGS", RUSTFLAGS.join(" "))
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    for target in targets {
        command.args(["--bin", target]);
    }
    let status = command
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo build in fuzz/ failed: {status}"))
    }
}

/// Runs one target on `fuzz/corpus/<target>` (created if missing; new
/// inputs are added there, and .gitignore keeps only the `seed-*` files).
/// Returns libFuzzer's final statistics line.
fn run_target(
    fuzz_dir: &Path,
    binary: &Path,
    target: &str,
    seconds: u64,
) -> Result<String, String> {
    let corpus = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let mut artifact_prefix = PathBuf::from(&artifacts).into_os_string();
    artifact_prefix.push("/");
    let mut child = Command::new(binary)
        .arg(&corpus)
        .arg(format!("-max_total_time={seconds}"))
        .arg({
            let mut arg = std::ffi::OsString::from("-artifact_prefix=");
            arg.push(&artifact_prefix);
            arg
        })
        .arg("-print_final_stats=1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;

    // Echo the interesting lines, keep the tail for a failure report.
    let mut tail: Vec<String> = Vec::new();
    let mut done_line = String::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("DONE") {
                done_line = line.clone();
            }
            if line.contains("INITED") || line.contains("DONE") || line.contains("ERROR") {
                eprintln!("  [{target}] {line}");
            }
            tail.push(line);
            if tail.len() > 60 {
                tail.remove(0);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {target}: {e}"))?;
    if status.success() {
        Ok(done_line.trim().to_string())
    } else {
        Err(format!(
            "{status}; crash input kept in {}\n{}",
            artifacts.display(),
            tail.join("\n")
        ))
    }
}
