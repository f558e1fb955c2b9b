#!/usr/bin/env bash
# CI entry of the interop suite: our Rust peer (zmq-peer) against libzmq 4.3.5
# over the full matrix. Installs what it needs (python3, venv, pyzmq), builds
# zmq-peer in release, runs tests/interop/run.py and fails on any failed cell.
# Then a WebSocket client that is not ZeroMQ (tests/ws/ci.sh).
#
#   bash tests/interop/ci.sh            # from anywhere; e.g. from .ci/run
#
# Environment: CARGO_TARGET_DIR (default <repo>/target), INTEROP_JOBS (default 2),
# INTEROP_TIMEOUT_SCALE (default 1; raise it on a slow machine).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"

log() { echo "[interop-ci] $*" >&2; }

if ! command -v python3 >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
        log "installing python3 with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv
    else
        log "python3 is missing and cannot be installed (no apt-get or not root)"
        exit 1
    fi
fi

bash "$HERE/setup.sh"

TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
log "building zmq-peer (release) into $TARGET_DIR"
cargo build --release -p zmq-interop-peer --bin zmq-peer >&2 \
    || { log "cargo build failed"; exit 1; }
PEER="$TARGET_DIR/release/zmq-peer"
[ -x "$PEER" ] || { log "no peer binary at $PEER"; exit 1; }

out="$(mktemp)"
trap 'rm -f "$out"' EXIT

# One run of the matrix; fails unless every cell passed (and some did).
run_matrix() {
    local status=0
    python3 "$HERE/run.py" --ours "$PEER" --jobs "${INTEROP_JOBS:-2}" \
        --timeout-scale "${INTEROP_TIMEOUT_SCALE:-1}" "$@" | tee "$out" || status=$?
    local last
    last="$(tail -n 1 "$out")"
    if [ "$status" -ne 0 ]; then
        log "interop matrix failed (exit $status)"
        exit "$status"
    fi
    case "$last" in
        "0 passed, "*) log "no cell passed: the peer or the harness is broken"; exit 1 ;;
        *" passed, 0 failed"*) ;;
        *) log "unexpected summary line: $last"; exit 1 ;;
    esac
}

run_matrix
# The ws column (`--transport ws`) is not run here: pyzmq's bundled libzmq
# is built without ws. Interop with a real libzmq over ws and wss is
# crates/zmq-capi/tests/ws_interop.rs (against the control build).
# A WebSocket client that is not ZeroMQ (Python's websockets) upgrades
# with our ws server and exchanges ZWS messages.
log "websockets client against our ws server"
bash "$HERE/../ws/ci.sh"
