#!/usr/bin/env bash
# libzmq 4.3.5's own test suite against our libzmq.so.5, with a control run
# on libzmq itself (see README.md beside this script). Expects our library
# to be built in release (`cargo build --release -p zmq-capi`), as the
# control is a Release build of libzmq (ZMQ_RS_PROFILE=debug for a debug
# build: a few timing-dependent cases, e.g. test_hwm_pubsub's blocking
# case, then flake: a slow debug application thread never fills a pipe
# that the I/O thread drains); extra arguments go to
# run.py (e.g. `--only test_hwm --verbose`, `--doc docs/conformance.md`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile="${ZMQ_RS_PROFILE:-release}"
target="${CARGO_TARGET_DIR:-$root/target}"

build="$(bash "$here/build_libzmq.sh")"
built="$target/$profile/libzmq_capi.so"
[ -f "$built" ] || { echo "$built not built: run cargo build --release -p zmq-capi first" >&2; exit 1; }

# Our library under libzmq's name, alone in a directory.
ours="$(mktemp -d)"
trap 'rm -rf "$ours"' EXIT
ln -s "$built" "$ours/libzmq.so.5"

python3 "$here/run.py" --build "$build" --ours "$ours" --timeout 120 "$@"
