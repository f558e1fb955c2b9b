//! What the C-program tests share: our library laid out as an installed
//! libzmq, the control build of real libzmq 4.3.5, and compiling a C
//! program of `tests/c/` against our header.
//!
//! The control directory is `ZMQ_RS_CONTROL_DIR` when set, otherwise the
//! one `tests/conformance/build_libzmq.sh --print-only` names (fast, never
//! builds); with `ZMQ_RS_BUILD_CONTROL=1` the script builds it (a minute
//! the first time).

#![allow(dead_code, reason = "each test file uses part of it")]

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .expect("workspace root")
}

pub fn have_cc() -> bool {
    Command::new("cc").arg("--version").output().is_ok()
}

/// A lib directory under `scratch` with libzmq's names (`libzmq.so.5`,
/// `libzmq.so`) pointing at this build's `libzmq_capi.so`.
pub fn install_ours(scratch: &Path) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // The test binary lives in `<profile>/deps/`.
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("profile directory");
    let built = profile.join("libzmq_capi.so");
    assert!(built.exists(), "{} not built", built.display());
    warn_if_stale(&built, profile);
    let lib = scratch.join("lib");
    std::fs::create_dir_all(&lib).expect("create lib dir");
    for name in ["libzmq.so.5", "libzmq.so"] {
        let link = lib.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&built, &link).expect("symlink");
    }
    lib
}

/// `cargo test --test` rebuilds the `zmq` crate and the test, not the
/// cdylib. A warning, not a failure: builds of other packages with other
/// feature sets leave newer `zmq` rlibs that this library does not link.
fn warn_if_stale(built: &Path, profile: &Path) {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let newest_zmq = std::fs::read_dir(profile.join("deps"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libzmq-") && n.ends_with(".rlib"))
        })
        .filter_map(|p| modified(&p))
        .max();
    if modified(built) < newest_zmq {
        eprintln!(
            "warning: {} is older than a zmq rlib; if outputs differ, run `cargo build -p zmq-capi` first",
            built.display()
        );
    }
}

/// The `lib/` directory of the control build of real libzmq, if there is
/// one (see the module comment).
pub fn control_lib() -> Option<PathBuf> {
    let dir = if let Some(dir) = std::env::var_os("ZMQ_RS_CONTROL_DIR") {
        PathBuf::from(dir)
    } else {
        let script = workspace_root().join("tests/conformance/build_libzmq.sh");
        let build = std::env::var("ZMQ_RS_BUILD_CONTROL").is_ok_and(|v| v == "1");
        let mut cmd = Command::new("bash");
        cmd.arg(&script);
        if !build {
            cmd.arg("--print-only");
        }
        let out = cmd.stderr(Stdio::inherit()).output().ok()?;
        if !out.status.success() {
            return None;
        }
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    };
    let lib = dir.join("lib");
    lib.join("libzmq.so.5").exists().then_some(lib)
}

/// Compiles `tests/c/<name>.c` into `binary`, as C99 with every warning an
/// error, against our header and the libzmq in `lib`; `cflags` go before
/// the source, `libs` after `-lzmq`.
pub fn compile_c(
    name: &str,
    binary: &Path,
    lib: &Path,
    cflags: &[&str],
    libs: &[&str],
) -> Result<(), String> {
    let root = workspace_root();
    let compiled = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror"])
        .args(cflags)
        .arg("-I")
        .arg(root.join("crates/zmq-capi/include"))
        .arg(root.join("tests/c").join(format!("{name}.c")))
        .arg("-L")
        .arg(lib)
        .arg("-lzmq")
        .args(libs)
        .arg("-o")
        .arg(binary)
        .output()
        .map_err(|e| format!("{name}: cannot run cc: {e}"))?;
    if compiled.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name}: compile failed:\n{}",
            String::from_utf8_lossy(&compiled.stderr)
        ))
    }
}

/// Starts one role of an interop C program on `lib` (through
/// `LD_LIBRARY_PATH`), in the network namespace of process `netns` when
/// given, with the extra environment `env`; stdout piped for the caller to
/// read.
pub fn spawn_role(
    netns: Option<u32>,
    binary: &Path,
    lib: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Child {
    let mut command = match netns {
        Some(pid) => {
            let mut c = Command::new("nsenter");
            c.arg(format!("--net=/proc/{pid}/ns/net")).arg(binary);
            c
        }
        None => Command::new(binary),
    };
    command
        .args(args)
        .env("LD_LIBRARY_PATH", lib)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()))
}

/// Waits (bounded: 30 s, then kills) for a role; its output and whether
/// it succeeded.
pub fn finish(mut child: Child, mut out: BufReader<ChildStdout>) -> (String, bool) {
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
