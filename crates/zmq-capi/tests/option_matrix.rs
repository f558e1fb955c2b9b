//! The socket option matrix, differential: `tests/c/option_matrix.c` is
//! run against real libzmq 4.3.5 (the control build of
//! `tests/conformance/build_libzmq.sh`) and against this crate's library;
//! the two outputs (one line per option × socket type × value attempt)
//! must be identical. Skipped, with a message, when the control build is
//! absent or there is no C compiler.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .expect("workspace root")
}

/// The control libzmq's `lib/` (a finished build in the cache of
/// `build_libzmq.sh`), if any.
fn control_lib() -> Option<PathBuf> {
    let cache = std::env::var_os("ZMQ_RS_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/zmq-rs")))?;
    let mut builds: Vec<PathBuf> = std::fs::read_dir(&cache)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libzmq-4.3.5-"))
                && p.join(".done").exists()
                && p.join("lib/libzmq.so.5").exists()
        })
        .collect();
    builds.sort();
    builds.pop().map(|b| b.join("lib"))
}

/// A lib directory with libzmq's names pointing at our library.
fn our_lib(scratch: &Path) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("profile directory");
    let built = profile.join("libzmq_capi.so");
    assert!(built.exists(), "{} not built", built.display());
    // `cargo test --test` rebuilds the `zmq` crate and this test, not the
    // cdylib: a library older than `zmq` would be a stale one.
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
    // A warning, not a failure: builds of other packages with other
    // feature sets leave newer `zmq` rlibs that this library does not link.
    if modified(&built) < newest_zmq {
        eprintln!(
            "warning: {} is older than a zmq rlib; if the matrix differs, run `cargo build -p zmq-capi` first",
            built.display()
        );
    }
    let lib = scratch.join("lib");
    std::fs::create_dir_all(&lib).expect("create lib dir");
    for name in ["libzmq.so.5", "libzmq.so"] {
        let link = lib.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&built, &link).expect("symlink");
    }
    lib
}

fn run(binary: &Path, lib: &Path) -> String {
    let out = Command::new(binary)
        .env("LD_LIBRARY_PATH", lib)
        .output()
        .expect("run option_matrix");
    assert!(
        out.status.success(),
        "option_matrix failed on {}: {}",
        lib.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn option_matrix_matches_libzmq() {
    let Some(control) = control_lib() else {
        println!("skipped: no control libzmq (run `bash tests/conformance/build_libzmq.sh` first)");
        return;
    };
    if Command::new("cc").arg("--version").output().is_err() {
        println!("skipped: no C compiler");
        return;
    }
    let root = workspace_root();
    let scratch = std::env::temp_dir().join(format!("zmq-option-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let ours = our_lib(&scratch);
    let binary = scratch.join("option_matrix");
    let compiled = Command::new("cc")
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-DZMQ_BUILD_DRAFT_API",
        ])
        .arg("-I")
        .arg(root.join("crates/zmq-capi/include"))
        .arg(root.join("tests/c/option_matrix.c"))
        .arg("-L")
        .arg(&ours)
        .arg("-lzmq")
        .arg("-o")
        .arg(&binary)
        .status()
        .expect("run cc");
    assert!(compiled.success(), "option_matrix.c does not compile");

    let expected = run(&binary, &control);
    let actual = run(&binary, &ours);
    // ZMQ_RS_MATRIX_OUT=dir keeps both outputs (libzmq.txt, ours.txt).
    if let Some(dir) = std::env::var_os("ZMQ_RS_MATRIX_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("output dir");
        std::fs::write(dir.join("libzmq.txt"), &expected).expect("write");
        std::fs::write(dir.join("ours.txt"), &actual).expect("write");
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let differing: Vec<String> = expected
        .lines()
        .zip(actual.lines())
        .filter(|(e, a)| e != a)
        .map(|(e, a)| format!("libzmq: {e}\nours:   {a}"))
        .collect();
    assert!(
        differing.is_empty() && expected.lines().count() == actual.lines().count(),
        "option matrix differs from libzmq ({} vs {} lines, {} differ):\n{}",
        expected.lines().count(),
        actual.lines().count(),
        differing.len(),
        differing[..differing.len().min(20)].join("\n")
    );
    println!("{} attempts, identical to libzmq", expected.lines().count());
}
