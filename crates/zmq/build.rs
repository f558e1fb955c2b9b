//! Picks the readiness backend: `zmq_epoll` (epoll sets and eventfd
//! wake-ups) on Linux and Android unless the `portable-reactor` feature
//! asks for the portable one (the `polling` crate and a socketpair), which
//! every other system gets.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(zmq_epoll)");
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let portable = std::env::var_os("CARGO_FEATURE_PORTABLE_REACTOR").is_some();
    if (os == "linux" || os == "android") && !portable {
        println!("cargo::rustc-cfg=zmq_epoll");
    }
}
