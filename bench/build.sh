#!/bin/sh
# Builds the libzmq side of the benchmark into $1 (default bench/build):
# the perf tools (local_thr, remote_thr, local_lat, remote_lat, inproc_thr,
# inproc_lat), the zmq_bench harness and curve_thr. Links against the
# control libzmq 4.3.5 of tests/conformance/build_libzmq.sh when it is
# built; otherwise against the system's libzmq, installing its headers
# first when they are missing (Debian/Ubuntu: libzmq3-dev).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/build"}
mkdir -p "$out"
flags=""
if control=$(bash "$here/../tests/conformance/build_libzmq.sh" --print-only 2>/dev/null); then
    include=$(ls -d "$HOME"/.cargo/registry/src/*/zeromq-src-0.3.6+4.3.5/vendor/include 2>/dev/null | head -n 1)
    if [ -n "$include" ] && [ -f "$control/lib/libzmq.so" ]; then
        flags="-I$include -L$control/lib -Wl,-rpath,$control/lib"
        echo "bench: linking against $control" >&2
    fi
fi
if [ -z "$flags" ] && ! printf '#include <zmq.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
    echo "bench: installing libzmq3-dev" >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get install -y libzmq3-dev >&2
fi
for tool in local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat zmq_bench curve_thr; do
    # shellcheck disable=SC2086
    ${CC:-cc} -O2 -Wall -Wextra $flags -o "$out/$tool" "$here/$tool.c" -lzmq -lpthread
done
