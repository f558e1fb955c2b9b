//! Links the system GSS-API (MIT Kerberos' `libgssapi_krb5`) when the
//! `gssapi` feature is on: the flags come from `pkg-config krb5-gssapi`
//! (Debian: `libkrb5-dev`), else plain `-lgssapi_krb5`.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_GSSAPI").is_none() {
        return;
    }
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let probe = Command::new("pkg-config")
        .args(["--libs", "krb5-gssapi"])
        .output();
    let flags = match probe {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => {
            println!(
                "cargo:warning=pkg-config found no krb5-gssapi (install libkrb5-dev); \
                 linking -lgssapi_krb5"
            );
            "-lgssapi_krb5".to_owned()
        }
    };
    for flag in flags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={lib}");
        }
    }
}
