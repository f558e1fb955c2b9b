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
# shellcheck source=../syslibs.sh
. "$root/tests/syslibs.sh"

if ! pkg-config --exists openpgm-5.3 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpgm-dev pkg-config
fi

echo "== pgm: our tests (feature pgm)"
cargo test -p zmq-transports --features pgm --lib pgm
cargo test -p zmq --features "$features" --lib pgm
cargo test -p zmq --features "$features" --test pgm --test vm_transports

echo "== pgm: our libzmq.so.5 with the feature"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ours_with_features "$work/ours"

theirs=$(debian_libzmq5)

echo "== pgm: interop with Debian's libzmq5"
cc -O2 -o "$work/peer" "$here/peer.c" -I"$root/crates/zmq-capi/include" -L"$work/ours" -l:libzmq.so.5
cc -O2 -o "$work/errors" "$here/errors.c" -I"$root/crates/zmq-capi/include" -L"$work/ours" -l:libzmq.so.5
cc -shared -fPIC -O2 -o "$work/drop.so" "$here/drop.c" -ldl
bash "$here/interop.sh" "$work/ours" "$theirs" "$work"
