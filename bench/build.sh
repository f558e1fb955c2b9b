#!/bin/sh
# Builds the libzmq side of the benchmark into $1 (default bench/build):
# the perf tools (local_thr, remote_thr, local_lat, remote_lat, inproc_thr,
# inproc_lat) and the zmq_bench harness. Installs libzmq's headers first
# when they are missing (Debian/Ubuntu: libzmq3-dev).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/build"}
mkdir -p "$out"
if ! printf '#include <zmq.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
    echo "bench: installing libzmq3-dev" >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get install -y libzmq3-dev >&2
fi
for tool in local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat zmq_bench; do
    ${CC:-cc} -O2 -Wall -Wextra -o "$out/$tool" "$here/$tool.c" -lzmq -lpthread
done
