//! The socket option matrix, differential: `tests/c/option_matrix.c` is
//! run against real libzmq 4.3.5 (the control build of
//! `tests/conformance/build_libzmq.sh`) and against this crate's library;
//! the two outputs (one line per option × socket type × value attempt)
//! must be identical. Skipped, with a message, when the control build is
//! absent or there is no C compiler.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{compile_c, control_lib, have_cc, install_ours};

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
    if !have_cc() {
        println!("skipped: no C compiler");
        return;
    }
    let scratch = std::env::temp_dir().join(format!("zmq-option-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let ours = install_ours(&scratch);
    let binary = scratch.join("option_matrix");
    compile_c(
        "option_matrix",
        &binary,
        &ours,
        &["-DZMQ_BUILD_DRAFT_API"],
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));

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
