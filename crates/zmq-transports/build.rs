//! With the `pgm` feature: compiles `src/pgm/shim.c` against OpenPGM 5.3
//! and links `libpgm`; the flags come from `pkg-config openpgm-5.3`
//! (Debian: `libpgm-dev`).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "pgm")]
    pgm();
}

#[cfg(feature = "pgm")]
fn pgm() {
    use std::process::Command;
    println!("cargo:rerun-if-changed=src/pgm/shim.c");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let flags = |what: &str| -> Option<String> {
        let out = Command::new("pkg-config")
            .args([what, "openpgm-5.3"])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (cflags, libs) = match (flags("--cflags"), flags("--libs")) {
        (Some(cflags), Some(libs)) => (cflags, libs),
        _ => {
            println!(
                "cargo:warning=pkg-config found no openpgm-5.3 (install libpgm-dev); \
                 trying /usr/include/pgm-5.3 and -lpgm"
            );
            (
                "-I/usr/include/pgm-5.3".to_owned(),
                "-lpgm -lpthread -lm".to_owned(),
            )
        }
    };
    let mut build = cc::Build::new();
    build.file("src/pgm/shim.c").warnings(true);
    for flag in cflags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-I") {
            build.include(dir);
        } else {
            build.flag(flag);
        }
    }
    build.compile("zrs_pgm_shim");
    for flag in libs.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={lib}");
        }
    }
}
