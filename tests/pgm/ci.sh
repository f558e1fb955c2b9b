#!/usr/bin/env bash
# pgm:// and epgm:// end to end, in one step of .ci/run (needs root for
# the network namespaces, libpgm-dev to build, Debian's libzmq5 unpacked
# in the cache as the libzmq built with OpenPGM):
#  1. our tests with the `pgm` feature: the transport's unit tests, the
#     APDU layout, crates/zmq/tests/pgm.rs (PUB/XPUB → SUB/XSUB over epgm
#     and pgm between two namespaces, a repaired loss, a reset beyond the
#     window, the errors);
#  2. interop.sh: errors.c the same on ours and on Debian's libzmq5, and
#     PUB→SUB both ways over epgm and pgm, plain, late joiner and repaired
#     loss (tests/pgm/drop.c drops every 5th ODATA at the sender).
# The default build stays without pgm (as the control libzmq of the
# other suites), so this builds zmq-capi with the feature on its own.
set -euo pipefail
# The features zmq and zmq-capi are built with here: this step's own, or
# (from .ci/run) every system-library feature at once, so that the three
# steps share one build.
features="${ZMQ_RS_SYSLIB_FEATURES:-pgm}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
cache="${ZMQ_RS_CACHE:-$HOME/.cache/zmq-rs}"

if ! pkg-config --exists openpgm-5.3 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpgm-dev pkg-config
fi

echo "== pgm: our tests (feature pgm)"
cargo test -p zmq-transports --features pgm --lib pgm
cargo test -p zmq --features "$features" --lib pgm
cargo test -p zmq --features "$features" --test pgm --test vm_transports

echo "== pgm: our libzmq.so.5 with the feature"
cargo build -p zmq-capi --features "$features"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ours"
cp "$target/debug/libzmq_capi.so" "$work/ours/libzmq.so.5"
# Put the default build's cdylib back in target/debug (the C-program
# tests link it; cargo only copies it back).
cargo build -p zmq-capi

# Debian's libzmq5 (4.3.4, built with OpenPGM 5.3) and its libraries,
# unpacked, never installed (tests/gssapi/ci.sh does the same).
theirs="$cache/debian-libzmq5/usr/lib/x86_64-linux-gnu"
if [ ! -f "$theirs/libzmq.so.5" ] || [ ! -f "$theirs/libpgm-5.3.so.0" ]; then
    mkdir -p "$cache/debian-libzmq5/debs"
    (cd "$cache/debian-libzmq5/debs" &&
        { apt-get download libzmq5 libpgm-5.3-0 libnorm1 2>/dev/null ||
          { apt-get update -qq && apt-get download libzmq5 libpgm-5.3-0 libnorm1; }; })
    for deb in "$cache/debian-libzmq5/debs"/*.deb; do
        dpkg -x "$deb" "$cache/debian-libzmq5"
    done
fi

echo "== pgm: interop with Debian's libzmq5"
cc -O2 -o "$work/peer" "$here/peer.c" -I"$root/crates/zmq-capi/include" -L"$work/ours" -l:libzmq.so.5
cc -O2 -o "$work/errors" "$here/errors.c" -I"$root/crates/zmq-capi/include" -L"$work/ours" -l:libzmq.so.5
cc -shared -fPIC -O2 -o "$work/drop.so" "$here/drop.c" -ldl
bash "$here/interop.sh" "$work/ours" "$theirs" "$work"
