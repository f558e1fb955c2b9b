#!/usr/bin/env bash
# Builds libzmq 4.3.5 with its test suite (Release, draft API, CURVE with
# the system libsodium) from the `zeromq-src` crate of the Rust package
# registry, into a cache outside the clone. Prints the build directory.
#
# No libzmq code is committed here: cargo fetches the crate into its own
# registry cache, cmake builds from there.
#
# Environment: ZMQ_RS_CACHE (default ~/.cache/zmq-rs) holds the build.
#
# --print-only: print the build directory if it is built and exit 0,
# exit 1 otherwise (never builds; used by crates/zmq-capi/tests/c_programs.rs).
set -euo pipefail
print_only=0
[ "${1:-}" = "--print-only" ] && print_only=1

version="0.3.6+4.3.5"
cache="${ZMQ_RS_CACHE:-$HOME/.cache/zmq-rs}"
# The configuration is part of the key: a change here rebuilds.
flags=(-DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=ON -DENABLE_DRAFTS=ON
       -DWITH_LIBSODIUM=ON -DENABLE_CURVE=ON -DBUILD_STATIC=OFF
       -DWITH_DOCS=OFF -DWITH_PERF_TOOL=OFF -DCMAKE_SKIP_RPATH=ON)
key=$(printf '%s ' "$version" "${flags[@]}" | sha256sum | cut -c1-12)
build="$cache/libzmq-4.3.5-$key"

if [ -f "$build/.done" ]; then
    echo "$build"
    exit 0
fi
[ "$print_only" = 1 ] && exit 1

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v c++ >/dev/null 2>&1 || need+=(g++)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
[ -f /usr/include/sodium.h ] || need+=(libsodium-dev)
# GnuTLS: libzmq's wss (WITH_TLS is on when cmake finds it); the ws/wss
# interop test and the option matrix expect a control with wss.
[ -f /usr/include/gnutls/gnutls.h ] || need+=(libgnutls28-dev)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

# Fetch the crate through cargo into its registry cache.
fetch="$cache/fetch-zeromq-src"
mkdir -p "$fetch/src"
cat > "$fetch/Cargo.toml" <<TOML
[package]
name = "fetch-zeromq-src"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
zeromq-src = "=$version"

[workspace]
TOML
echo 'fn main() {}' > "$fetch/src/main.rs"
manifest=$(cd "$fetch" && cargo metadata --format-version 1 --manifest-path Cargo.toml 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(p["manifest_path"] for p in d["packages"] if p["name"]=="zeromq-src"))')
src="$(dirname "$manifest")/vendor"
[ -f "$src/CMakeLists.txt" ] || { echo "zeromq-src not found at $src" >&2; exit 1; }

rm -rf "$build"
mkdir -p "$build"
(cd "$build" && cmake "$src" "${flags[@]}" >cmake.log 2>&1) || { tail -30 "$build/cmake.log" >&2; exit 1; }
(cd "$build" && make -j"$(nproc)" >make.log 2>&1) || { tail -30 "$build/make.log" >&2; exit 1; }
echo "$src" > "$build/.source"
touch "$build/.done"
echo "$build"
