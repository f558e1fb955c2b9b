"""A WebSocket client that is not ZeroMQ (Python's `websockets`) against
our ws server: the upgrade completes with the bare `ZWS2.0` subprotocol
(the only ZWS name a browser or `websockets` can offer: `ZWS2.0/NULL`
and the others hold a `/`, which an HTTP token may not), routing ids and
a REQ/REP exchange travel as ZWS frames, a ping gets its pong (payload
echoed), a fragmented message arrives whole, and a subprotocol we do not
speak is refused.

    python websockets_client.py PEER      # PEER: our zmq-peer binary

Exits 0 on success; prints what failed otherwise."""

import asyncio
import json
import subprocess
import sys

import websockets

TIMEOUT = 10


def start_peer(peer):
    spec = {
        "socket": "REP",
        "bind": ["ws://127.0.0.1:*/browser"],
        "timeout_ms": TIMEOUT * 1000,
        "steps": [
            {"op": "recv", "expect": [{"text": "hello"}, {"text": "fragmented"}]},
            {"op": "send", "frames": [{"text": "world"}]},
        ],
    }
    proc = subprocess.Popen([peer, "--spec", json.dumps(spec)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    if not line or line[0] != "READY":
        sys.exit("peer did not start: %r" % line)
    return proc, line[1]


async def exchange(endpoint):
    async with websockets.connect(
        endpoint, subprotocols=["ZWS2.0"], open_timeout=TIMEOUT, max_size=None
    ) as ws:
        assert ws.subprotocol == "ZWS2.0", ws.subprotocol
        # Routing ids first, both ways (a REP's is empty).
        await ws.send(b"\x00browser")
        routing_id = await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert routing_id == b"\x00", routing_id
        # A ping: the pong echoes its payload (websockets matches them).
        pong = await ws.ping(b"zws")
        await asyncio.wait_for(pong, TIMEOUT)
        # REQ envelope (empty delimiter), then two parts, the second sent
        # in fragments.
        await ws.send(b"\x01")
        await ws.send(b"\x01hello")
        await ws.send([b"\x00frag", b"mented"])
        delimiter = await asyncio.wait_for(ws.recv(), TIMEOUT)
        reply = await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert (delimiter, reply) == (b"\x01", b"\x00world"), (delimiter, reply)


async def refused(endpoint):
    try:
        async with websockets.connect(endpoint, subprotocols=["chat"], open_timeout=TIMEOUT):
            return False
    except (websockets.exceptions.InvalidHandshake, websockets.exceptions.ConnectionClosed, OSError):
        return True


def main():
    peer = sys.argv[1]
    proc, endpoint = start_peer(peer)
    try:
        asyncio.run(asyncio.wait_for(exchange(endpoint), 3 * TIMEOUT))
        out, _ = proc.communicate(timeout=TIMEOUT)
        if proc.returncode != 0 or "OK" not in out.split():
            sys.exit("peer failed (%s): %s" % (proc.returncode, out))
    finally:
        if proc.poll() is None:
            proc.kill()
    # A subprotocol we do not speak: the server closes without answering.
    proc, endpoint = start_peer(peer)
    try:
        if not asyncio.run(refused(endpoint)):
            sys.exit("an upgrade without a ZWS subprotocol was accepted")
    finally:
        proc.kill()
        proc.wait()
    print("websockets %s: ZWS2.0 upgrade, routing ids, REQ/REP, ping/pong, fragments, refusal: ok"
          % websockets.__version__)


if __name__ == "__main__":
    main()
