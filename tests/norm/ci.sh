#!/usr/bin/env bash
# norm:// end to end, in one step of .ci/run (needs libnorm-dev; root and
# `unshare --net` for the multicast namespace):
#  1. the constants our FFI declares, against normApi.h;
#  2. the address parser, engine and option tests with the `norm` feature
#     (crates/zmq/tests/norm.rs: multicast, late joiner, repaired loss);
#  3. options.c: the ZMQ_NORM_* options through the C ABI of our
#     libzmq.so.5 built with the feature, against options.expected (libzmq
#     4.3.5's rules, src/options.cpp: Debian's 4.3.4 builds them as draft
#     and answers EINVAL, so it cannot be the control there);
#  4. interop.sh: PUB -> SUB both ways with Debian's libzmq5 (4.3.4, built
#     with NORM; unpacked into the cache, never installed), a repaired loss
#     and a late joiner per cell, and the rate each way.
# The default build stays without NORM, so zmq-capi is built with the
# feature on its own and the default cdylib put back.
set -euo pipefail
# The features zmq and zmq-capi are built with here: this step's own, or
# (from .ci/run) every system-library feature at once, so that the three
# steps share one build.
features="${ZMQ_RS_SYSLIB_FEATURES:-norm}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
cache="${ZMQ_RS_CACHE:-$HOME/.cache/zmq-rs}"
# shellcheck source=../syslibs.sh
. "$root/tests/syslibs.sh"

if [ ! -f /usr/include/normApi.h ] || ! command -v c++ >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnorm-dev g++
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== NORM: the constants of normApi.h our FFI uses"
cat > "$work/consts.cc" <<'CC'
#include <stdio.h>
#include <normApi.h>
int main () {
    printf ("%d %d %d %d %d %d %d %d %d %d %d\n", NORM_TX_QUEUE_VACANCY,
            NORM_TX_QUEUE_EMPTY, NORM_TX_FLUSH_COMPLETED, NORM_REMOTE_SENDER_INACTIVE,
            NORM_RX_OBJECT_NEW, NORM_RX_OBJECT_UPDATED, NORM_RX_OBJECT_COMPLETED,
            NORM_RX_OBJECT_ABORTED, NORM_OBJECT_STREAM, NORM_FLUSH_ACTIVE, NORM_SYNC_STREAM);
    printf ("%zu %x\n", sizeof (NormEvent), NORM_NODE_ANY);
}
CC
c++ -o "$work/consts" "$work/consts.cc" -lnorm
printf '1 2 3 14 17 19 20 21 3 2 1\n32 ffffffff\n' | diff - <("$work/consts")

echo "== NORM: tests with the feature"
cargo test -p zmq-transports --lib norm_address
cargo test -p zmq --features "$features" --lib norm
cargo test -p zmq --features "$features" --test norm --test options --test option_table

echo "== NORM: our libzmq.so.5 with the feature"
ours_with_features "$work/ours"

theirs=$(debian_libzmq5)

echo "== NORM: the options through the C ABI"
cc -o "$work/options" "$here/options.c" -I"$root/crates/zmq-capi/include" -L"$work/ours" -l:libzmq.so.5
LD_LIBRARY_PATH="$work/ours" "$work/options" | diff -u "$here/options.expected" -
echo "as libzmq 4.3.5 ($(wc -l < "$here/options.expected") lines)"
# Debian's agrees on zmq_has and the socket type check.
LD_LIBRARY_PATH="$theirs" "$work/options" | grep -E '^(zmq_has|REQ)' |
    diff - <(grep -E '^(zmq_has|REQ)' "$here/options.expected")

echo "== NORM: interop with Debian's libzmq5"
bash "$here/interop.sh" "$work/ours" "$theirs"
