#!/usr/bin/env bash
# Idempotent setup of the interop harness's Python side:
#   a virtualenv at $REPO/.venv-interop with pyzmq (whose wheel bundles libzmq 4.3.5).
# Prints the libzmq and pyzmq versions on success.
# Override the location with INTEROP_VENV=/path, the interpreter with PYTHON=python3.x.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${INTEROP_VENV:-$REPO/.venv-interop}"
PYTHON="${PYTHON:-python3}"
PYZMQ_SPEC="pyzmq==27.*"
# The libzmq release the pinned wheels bundle; checked after install.
WANT_LIBZMQ_PREFIX="4.3."

log() { echo "[interop-setup] $*" >&2; }

make_venv() {
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >/dev/null 2>&1 && [ -x "$VENV/bin/python" ] \
        && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    log "no $PYTHON on PATH"
    exit 1
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    log "creating virtualenv at $VENV"
    if ! make_venv; then
        # Debian's python3 lacks ensurepip/venv until python3-venv is installed.
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
            pyver="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
            log "python3 -m venv failed: installing python${pyver}-venv / python3-venv with apt-get"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${pyver}-venv" \
                || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
            make_venv || { log "python3 -m venv still fails"; exit 1; }
        else
            log "python3 -m venv failed and python3-venv cannot be installed (no apt-get or not root)"
            exit 1
        fi
    fi
fi

# Keep git from ever seeing the venv, without touching the repository's .gitignore.
[ -f "$VENV/.gitignore" ] || echo '*' > "$VENV/.gitignore"

VPY="$VENV/bin/python"
if ! "$VPY" -c 'import zmq, sys; sys.exit(0 if zmq.pyzmq_version().startswith("27.") else 1)' >/dev/null 2>&1; then
    log "installing $PYZMQ_SPEC"
    "$VPY" -m pip install --disable-pip-version-check -q "$PYZMQ_SPEC"
fi

"$VPY" - "$WANT_LIBZMQ_PREFIX" <<'PYEOF'
import sys
import zmq
want = sys.argv[1]
v = zmq.zmq_version()
print("libzmq %s (pyzmq %s) in %s" % (v, zmq.pyzmq_version(), sys.prefix))
if not v.startswith(want):
    print("unexpected libzmq version %s, want %s*" % (v, want), file=sys.stderr)
    sys.exit(1)
PYEOF
