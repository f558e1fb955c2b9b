"""The flapping-link scenario of crates/zmq/tests/faults.rs, on libzmq (pyzmq).

Run by the ignored test `flapping_loss_vs_libzmq` (faults.rs), which owns
the fault proxy and resets it every 60 ms; this side streams numbered
multipart messages PUSH -> PULL through it, exactly as the Rust side does,
and reports what arrived.

It also measures libzmq's heartbeat detection through the proxy
(MODE heartbeat): DEALER (ZMQ_HEARTBEAT_IVL 100, TIMEOUT 600) -> ROUTER.

Protocol on stdin/stdout:
  argv: MODE (pull-connects | pull-binds | heartbeat) SECONDS
  -> "BOUND <endpoint>"      the server socket is bound
  <- "PROXY <endpoint>"      the proxy in front of it
  -> "STOP <sent>"           the sender is done streaming (stop flapping)
  -> "RESULT <json>"         the receiver's tally
heartbeat mode, after BOUND/PROXY:
  -> "READY"                 connected, one round trip done
  <- "BLACKHOLED"            the proxy black-holes from now
  -> "DEAD <ms>"             DISCONNECTED came this long after BLACKHOLED
"""

import json
import os
import sys
import threading
import time

import zmq


BIG = int(os.environ.get("ZMQ_FAULTS_BIG", "50000"))
RECV_PAUSE = int(os.environ.get("ZMQ_FAULTS_RECV_PAUSE_US", "0")) / 1e6


def numbered(seq):
    count = 1 + seq % 4
    parts = []
    for i in range(count):
        part = f"{seq}:{i}/{count}".encode()
        if i == 0 and seq % 16 == 0:
            part = part.ljust(BIG, b".")
        parts.append(part)
    return parts


def check(parts):
    if parts == [b"END"]:
        return None
    seq = int(parts[0].rstrip(b".").split(b":")[0])
    if parts != numbered(seq):
        raise SystemExit(f"partial or altered message {seq}: {len(parts)} parts")
    return seq


def heartbeat(ctx):
    server = ctx.socket(zmq.ROUTER)
    server.linger = 0
    server.rcvtimeo = 5000
    server.bind("tcp://127.0.0.1:*")
    print("BOUND", server.last_endpoint.decode(), flush=True)
    proxy = sys.stdin.readline().split()[1]
    client = ctx.socket(zmq.DEALER)
    client.linger = 0
    client.rcvtimeo = 5000
    client.heartbeat_ivl = 100
    client.heartbeat_timeout = 600
    client.reconnect_ivl = 50
    monitor = client.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    monitor.rcvtimeo = 5000
    client.connect(proxy)
    client.send(b"ping")
    rid, body = server.recv_multipart()
    server.send_multipart([rid, body])
    assert client.recv() == b"ping"
    print("READY", flush=True)
    assert sys.stdin.readline().strip() == "BLACKHOLED"
    t0 = time.monotonic()
    from zmq.utils.monitor import recv_monitor_message
    event = recv_monitor_message(monitor)
    assert event["event"] == zmq.EVENT_DISCONNECTED, event
    print("DEAD", round((time.monotonic() - t0) * 1000), flush=True)


def main():
    mode, seconds = sys.argv[1], float(sys.argv[2])
    ctx = zmq.Context()
    if mode == "heartbeat":
        return heartbeat(ctx)

    def sock(kind):
        s = ctx.socket(kind)
        s.linger = 0
        s.rcvtimeo = 5000
        s.sndtimeo = 10000
        return s

    pull_connects = mode == "pull-connects"
    server = sock(zmq.PUSH if pull_connects else zmq.PULL)
    server.bind("tcp://127.0.0.1:*")
    print("BOUND", server.last_endpoint.decode(), flush=True)
    proxy = sys.stdin.readline().split()[1]
    client = sock(zmq.PULL if pull_connects else zmq.PUSH)
    client.reconnect_ivl = 10
    client.connect(proxy)
    push, pull = (server, client) if pull_connects else (client, server)

    done = threading.Event()

    def sender():
        start = time.monotonic()
        seq = 0
        while time.monotonic() - start < seconds:
            for _ in range(20):
                push.send_multipart(numbered(seq))
                seq += 1
            time.sleep(0.002)
        print("STOP", seq, flush=True)
        deadline = time.monotonic() + 10
        while not done.is_set():
            if time.monotonic() > deadline:
                raise SystemExit("END not received within 10 s")
            try:
                push.send(b"END", zmq.DONTWAIT)
            except zmq.Again:
                pass
            time.sleep(0.05)

    t = threading.Thread(target=sender)
    t.start()
    seen = set()
    tally = dict(received=0, duplicates=0, reordered=0, gaps=0, max=-1)
    while True:
        seq = check(pull.recv_multipart())
        if seq is None:
            done.set()
            break
        tally["received"] += 1
        if seq in seen:
            tally["duplicates"] += 1
        elif seq < tally["max"]:
            tally["reordered"] += 1
        elif seq > tally["max"] + 1:
            tally["gaps"] += 1
        seen.add(seq)
        tally["max"] = max(tally["max"], seq)
        if RECV_PAUSE and tally["received"] % 20 == 0:
            time.sleep(RECV_PAUSE)  # a slow receiver
    t.join()
    print("RESULT", json.dumps(tally), flush=True)


if __name__ == "__main__":
    main()
