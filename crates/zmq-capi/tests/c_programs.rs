//! Builds each C program of `tests/c/` against this crate's shared
//! library (laid out as an installed libzmq: `libzmq.so` ->
//! `libzmq.so.5`), runs it, and expects exit status 0.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The C programs, one per API group.
const PROGRAMS: &[&str] = &[
    "test_context",
    "test_socket_life",
    "test_sendrecv",
    "test_msg",
    "test_options",
    "test_poll",
    "test_poller",
    "test_proxy",
    "test_errors",
    "test_utils",
    "test_security",
    "test_monitor",
    "test_draft",
    "test_threadsafe",
];

/// A program that runs longer than this has hung.
const RUN_LIMIT: Duration = Duration::from_secs(60);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The directory holding this build's `libzmq_capi.so` (the test binary
/// lives in `<profile>/deps/`).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .expect("profile directory")
}

/// A private lib directory with libzmq's names pointing at our library.
fn install_dir(scratch: &Path) -> PathBuf {
    let lib = scratch.join("lib");
    std::fs::create_dir_all(&lib).expect("create lib dir");
    let built = library_dir().join("libzmq_capi.so");
    assert!(built.exists(), "{} not built", built.display());
    for name in ["libzmq.so.5", "libzmq.so"] {
        let link = lib.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&built, &link).expect("symlink");
    }
    lib
}

fn have_cc() -> bool {
    Command::new("cc").arg("--version").output().is_ok()
}

fn run_program(name: &str, lib: &Path, scratch: &Path) -> Result<(), String> {
    let root = workspace_root();
    let source = root.join("tests/c").join(format!("{name}.c"));
    let binary = scratch.join(name);
    let compiled = Command::new("cc")
        .args([
            "-std=c99",
            "-D_POSIX_C_SOURCE=200809L",
            "-Wall",
            "-Wextra",
            "-Werror",
        ])
        .arg("-I")
        .arg(root.join("crates/zmq-capi/include"))
        .arg(&source)
        .arg("-L")
        .arg(lib)
        .args(["-lzmq", "-lpthread", "-o"])
        .arg(&binary)
        .output()
        .map_err(|e| format!("{name}: cannot run cc: {e}"))?;
    if !compiled.status.success() {
        return Err(format!(
            "{name}: compile failed:\n{}",
            String::from_utf8_lossy(&compiled.stderr)
        ));
    }
    let mut child = Command::new(&binary)
        .env("LD_LIBRARY_PATH", lib)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{name}: cannot start: {e}"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > RUN_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{name}: still running after {RUN_LIMIT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("{name}: wait failed: {e}")),
        }
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{name}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name}: exited with {}\nstdout:\n{}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[test]
fn c_programs_pass() {
    if !have_cc() {
        eprintln!("skipping: no C compiler (cc) on PATH");
        return;
    }
    let scratch = std::env::temp_dir().join(format!("zmq-capi-c-tests-{}", std::process::id()));
    let lib = install_dir(&scratch);
    let failures: Vec<String> = PROGRAMS
        .iter()
        .filter_map(|name| run_program(name, &lib, &scratch).err())
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn header_compiles_as_c99_and_cxx() {
    if !have_cc() {
        return;
    }
    let include = workspace_root().join("crates/zmq-capi/include");
    let source = "#include <zmq.h>\n#include <zmq_utils.h>\n\
                  typedef char size_check[sizeof (zmq_msg_t) == 64 ? 1 : -1];\n\
                  int main (void) { size_check ok; (void) ok; return 0; }\n";
    for (compiler, lang, std) in [("cc", "c", "-std=c99"), ("c++", "c++", "-std=c++11")] {
        for draft in [None, Some("-DZMQ_BUILD_DRAFT_API")] {
            let mut cmd = Command::new(compiler);
            cmd.args([
                "-x",
                lang,
                std,
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-fsyntax-only",
            ])
            .arg("-I")
            .arg(&include)
            .args(draft)
            .arg("-")
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
            let Ok(mut child) = cmd.spawn() else {
                eprintln!("skipping {compiler}: not found");
                continue;
            };
            if let Some(mut stdin) = child.stdin.take() {
                std::io::Write::write_all(&mut stdin, source.as_bytes()).expect("write source");
            }
            let output = child.wait_with_output().expect("compiler output");
            assert!(
                output.status.success(),
                "{compiler} {std} {draft:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
