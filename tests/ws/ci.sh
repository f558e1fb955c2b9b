#!/usr/bin/env bash
# A WebSocket client that is not ZeroMQ against our ws server: Python's
# `websockets` (pip, into the interop virtualenv) upgrades with our
# zmq-peer's ws listener and exchanges ZWS messages
# (tests/ws/websockets_client.py). Run from tests/interop/ci.sh, after it
# set up the virtualenv and built zmq-peer; runs alone too.
#
#   bash tests/ws/ci.sh
#
# Environment: INTEROP_VENV (default <repo>/.venv-interop), CARGO_TARGET_DIR.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${INTEROP_VENV:-$REPO/.venv-interop}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
WEBSOCKETS_SPEC="websockets>=13,<18"

log() { echo "[ws-ci] $*" >&2; }

[ -x "$VENV/bin/python" ] || bash "$REPO/tests/interop/setup.sh"
if ! "$VENV/bin/python" -c "import websockets" >/dev/null 2>&1; then
    log "installing $WEBSOCKETS_SPEC into $VENV"
    "$VENV/bin/python" -m pip install -q "$WEBSOCKETS_SPEC"
fi
PEER="$TARGET_DIR/release/zmq-peer"
if [ ! -x "$PEER" ]; then
    log "building zmq-peer (release)"
    (cd "$REPO" && cargo build --release -p zmq-interop-peer --bin zmq-peer >&2)
fi
timeout 120 "$VENV/bin/python" "$HERE/websockets_client.py" "$PEER"
