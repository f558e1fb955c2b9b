#!/bin/sh
# Builds pyzmq from its sdist against our libzmq and runs a smoke test
# through it: REQ/REP, PUB/SUB, multipart, poll; then pyzmq on our
# library talks to a second process on real libzmq (pyzmq's wheel, from
# tests/interop/setup.sh).
#
#   tests/c/pyzmq_smoke.sh [PREFIX]     (default PREFIX: /tmp/zmq-capi-prefix)
#
# Needs network access to PyPI, a C compiler, cmake, and python3 with venv.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${1:-/tmp/zmq-capi-prefix}
VENV=${VENV:-/tmp/zmq-capi-pyzmq-venv}

(cd "$ROOT" && cargo xtask install --prefix "$PREFIX")
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
# ZMQ_PREFIX makes pyzmq's build use the libzmq installed there instead of
# a bundled one; --no-binary forces the sdist (no wheel with its own libzmq).
ZMQ_PREFIX="$PREFIX" "$VENV/bin/pip" install --no-binary pyzmq --no-cache-dir pyzmq

LD_LIBRARY_PATH="$PREFIX/lib" "$VENV/bin/python" - <<'PY'
import zmq

assert zmq.zmq_version() == "4.3.5", zmq.zmq_version()
ctx = zmq.Context()

rep = ctx.socket(zmq.REP)
port = rep.bind_to_random_port("tcp://127.0.0.1")
req = ctx.socket(zmq.REQ)
req.connect(f"tcp://127.0.0.1:{port}")
for i in range(10):
    req.send_string(f"hello {i}")
    assert rep.recv_string() == f"hello {i}"
    rep.send_string(f"world {i}")
    assert req.recv_string() == f"world {i}"

pub = ctx.socket(zmq.PUB)
pub.bind("inproc://pyzmq-smoke")
sub = ctx.socket(zmq.SUB)
sub.connect("inproc://pyzmq-smoke")
sub.setsockopt(zmq.SUBSCRIBE, b"topic")
poller = zmq.Poller()
poller.register(sub, zmq.POLLIN)
for _ in range(500):
    pub.send_multipart([b"other", b"x"])
    pub.send_multipart([b"topic", b"", b"payload" * 1000])
    if dict(poller.poll(10)).get(sub):
        break
parts = sub.recv_multipart()
assert parts == [b"topic", b"", b"payload" * 1000], parts[:2]

push = ctx.socket(zmq.PUSH)
pull = ctx.socket(zmq.PULL)
path = pull.bind_to_random_port("tcp://127.0.0.1")
push.connect(f"tcp://127.0.0.1:{path}")
push.send_multipart([b"a", b"b", b"c"])
assert pull.poll(5000) == zmq.POLLIN
assert pull.recv_multipart() == [b"a", b"b", b"c"]

for s in (rep, req, pub, sub, push, pull):
    s.close(linger=0)
ctx.term()
print("pyzmq smoke test: ok")
PY

# pyzmq on our library (REP, bound) <-> pyzmq on libzmq 4.3.5 (REQ).
bash "$ROOT/tests/interop/setup.sh" >/dev/null
LIBZMQ_PY="$ROOT/.venv-interop/bin/python"
LD_LIBRARY_PATH="$PREFIX/lib" LIBZMQ_PY="$LIBZMQ_PY" "$VENV/bin/python" - <<'PY'
import os, subprocess, zmq

ctx = zmq.Context()
rep = ctx.socket(zmq.REP)
rep.rcvtimeo = 10000
port = rep.bind_to_random_port("tcp://127.0.0.1")
client = subprocess.Popen([os.environ["LIBZMQ_PY"], "-c", f"""
import zmq
assert zmq.zmq_version() == "4.3.5"
s = zmq.Context().socket(zmq.REQ)
s.rcvtimeo = 10000
s.connect("tcp://127.0.0.1:{port}")
for i in range(100):
    s.send_multipart([b"ping", str(i).encode(), b"x" * 70000])
    assert s.recv_multipart() == [b"pong", str(i).encode()]
print("libzmq client: ok")
"""])
for i in range(100):
    parts = rep.recv_multipart()
    assert parts == [b"ping", str(i).encode(), b"x" * 70000], parts[:2]
    rep.send_multipart([b"pong", parts[1]])
assert client.wait(timeout=30) == 0
rep.close(linger=0)
ctx.term()
print("pyzmq on our library <-> libzmq: ok")
PY
