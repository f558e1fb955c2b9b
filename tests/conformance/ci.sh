#!/usr/bin/env bash
# libzmq 4.3.5's own test suite against our libzmq.so.5, with a control run
# on libzmq itself (see README.md beside this script). Expects the
# workspace to be built (`cargo build --workspace`); extra arguments go to
# run.py (e.g. `--only test_hwm --verbose`, `--doc docs/conformance.md`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile="${ZMQ_RS_PROFILE:-debug}"
target="${CARGO_TARGET_DIR:-$root/target}"

build="$(bash "$here/build_libzmq.sh")"
built="$target/$profile/libzmq_capi.so"
[ -f "$built" ] || { echo "$built not built: run cargo build first" >&2; exit 1; }

# Our library under libzmq's name, alone in a directory.
ours="$(mktemp -d)"
trap 'rm -rf "$ours"' EXIT
ln -s "$built" "$ours/libzmq.so.5"

python3 "$here/run.py" --build "$build" --ours "$ours" --timeout 120 "$@"
