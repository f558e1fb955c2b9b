//! `cargo xtask install --prefix DIR`: builds `zmq-capi` and installs it
//! the way libzmq 4.3.5 installs itself, so C programs and bindings
//! (pyzmq with `ZMQ_PREFIX=DIR`) find it:
//!
//! ```text
//! DIR/lib/libzmq.so.5.2.5        (the cdylib, SONAME libzmq.so.5)
//! DIR/lib/libzmq.so.5 -> libzmq.so.5.2.5
//! DIR/lib/libzmq.so   -> libzmq.so.5
//! DIR/lib/libzmq.a
//! DIR/lib/pkgconfig/libzmq.pc    (Version 4.3.5)
//! DIR/include/zmq.h, zmq_utils.h
//! ```
//!
//! `--features LIST` passes zmq-capi features to the build, e.g.
//! `system-libs` for GSSAPI, NORM and pgm/epgm as Debian's libzmq5 has
//! them (docs/capi.md).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The libtool-style file name libzmq 4.3.5 installs.
const SHARED_NAME: &str = "libzmq.so.5.2.5";
/// The SONAME.
const SONAME: &str = "libzmq.so.5";
/// The version the pkg-config file announces.
const VERSION: &str = "4.3.5";

struct Options {
    prefix: PathBuf,
    release: bool,
    features: Option<String>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut prefix = None;
    let mut release = false;
    let mut features = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--prefix" => {
                let value = args.next().ok_or("--prefix needs a directory")?;
                prefix = Some(PathBuf::from(value));
            }
            "--release" => release = true,
            "--features" => {
                let value = args.next().ok_or("--features needs a list")?;
                features = Some(value.clone());
            }
            other => return Err(format!("install: unknown option `{other}`")),
        }
    }
    let prefix = prefix.ok_or("install: --prefix DIR is required")?;
    let prefix = std::path::absolute(&prefix)
        .map_err(|e| format!("install: bad prefix {}: {e}", prefix.display()))?;
    Ok(Options {
        prefix,
        release,
        features,
    })
}

/// Runs the command.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.current_dir(root).args(["build", "-p", "zmq-capi"]);
    if options.release {
        build.arg("--release");
    }
    if let Some(features) = &options.features {
        build.args(["--features", features]);
    }
    let status = build
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building zmq-capi failed".to_owned());
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let built = target_dir.join(if options.release { "release" } else { "debug" });
    install_files(root, &built, &options.prefix)?;
    println!(
        "installed libzmq {VERSION} into {}",
        options.prefix.display()
    );
    Ok(())
}

/// Copies the built libraries and headers from `built` into `prefix`.
pub fn install_files(root: &Path, built: &Path, prefix: &Path) -> Result<(), String> {
    let lib = prefix.join("lib");
    let include = prefix.join("include");
    let pkgconfig = lib.join("pkgconfig");
    for dir in [&lib, &include, &pkgconfig] {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    copy(&built.join("libzmq_capi.so"), &lib.join(SHARED_NAME))?;
    symlink(SHARED_NAME, &lib.join(SONAME))?;
    symlink(SONAME, &lib.join("libzmq.so"))?;
    copy(&built.join("libzmq_capi.a"), &lib.join("libzmq.a"))?;
    let headers = root.join("crates/zmq-capi/include");
    for header in ["zmq.h", "zmq_utils.h"] {
        copy(&headers.join(header), &include.join(header))?;
    }
    let pc = pkg_config(prefix);
    fs::write(pkgconfig.join("libzmq.pc"), pc)
        .map_err(|e| format!("cannot write libzmq.pc: {e}"))?;
    Ok(())
}

fn pkg_config(prefix: &Path) -> String {
    format!(
        "prefix={prefix}\n\
         exec_prefix=${{prefix}}\n\
         libdir=${{exec_prefix}}/lib\n\
         includedir=${{prefix}}/include\n\
         \n\
         Name: libzmq\n\
         Description: ZeroMQ in Rust, with libzmq's C interface\n\
         Version: {VERSION}\n\
         Libs: -L${{libdir}} -lzmq\n\
         Libs.private: -lpthread -ldl -lm -lgcc_s -lc\n\
         Cflags: -I${{includedir}}\n",
        prefix = prefix.display()
    )
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    // Replace rather than overwrite: a running program may map the old file.
    let _ = fs::remove_file(to);
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn symlink(target: &str, link: &Path) -> Result<(), String> {
    let _ = fs::remove_file(link);
    std::os::unix::fs::symlink(target, link)
        .map_err(|e| format!("cannot link {} -> {target}: {e}", link.display()))
}
