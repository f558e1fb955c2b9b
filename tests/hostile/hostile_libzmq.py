#!/usr/bin/env python3
"""The attacks of crates/zmq/tests/hostile.rs against libzmq (through pyzmq,
which bundles libzmq 4.3.5), for the libzmq column of docs/limits.md.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pyzmq
    /tmp/venv/bin/python tests/hostile/hostile_libzmq.py [attack ...]

Same scripts, sizes and timeouts as the Rust tests; the server runs in
this process (a ROUTER echo thread) and resident memory is read from
/proc/self/statm. Python's GIL adds to the well-behaved client's round
trips, so compare those loosely. With HOSTILE_LIBZMQ=/path/libzmq.so.5
in LD_PRELOAD the same script measures any libzmq-compatible library.
"""

import os
import resource
import socket
import struct
import sys
import threading
import time

import zmq

MIB = 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class RssPeak:
    def __init__(self):
        self.base = rss()
        self.peak = self.base
        self.stop = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self.stop:
            self.peak = max(self.peak, rss())
            time.sleep(0.005)

    def growth(self):
        self.peak = max(self.peak, rss())
        self.stop = True
        self.t.join()
        return self.peak - self.base


class Served:
    """A ROUTER echo server and a DEALER client probing it."""

    def __init__(self, ctx=None, setup=lambda s: None, client=lambda c: None):
        self.ctx = ctx or zmq.Context()
        server = self.ctx.socket(zmq.ROUTER)
        server.linger = 0
        server.rcvtimeo = 50
        setup(server)
        server.bind("tcp://127.0.0.1:*")
        self.endpoint = server.last_endpoint.decode()
        self.stopping = False
        self.stop_probing = False
        self.server = threading.Thread(target=self._serve, args=(server,), daemon=True)
        self.server.start()
        probe = self.ctx.socket(zmq.DEALER)
        probe.linger = 0
        probe.rcvtimeo = 2000
        client(probe)
        probe.connect(self.endpoint)
        probe.send(b"hello")
        assert probe.recv() == b"hello"
        self.worst = 0.0
        self.probes = 0
        self.failed = None
        self.prober = threading.Thread(target=self._probe, args=(probe,), daemon=True)
        self.prober.start()

    def _serve(self, server):
        while not self.stopping:
            try:
                parts = server.recv_multipart()
            except zmq.Again:
                continue
            try:
                server.send_multipart(parts, zmq.DONTWAIT)
            except zmq.ZMQError:
                pass
        server.close()

    def _probe(self, probe):
        while not self.stop_probing:
            t = time.monotonic()
            probe.send(b"probe")
            try:
                assert probe.recv() == b"probe"
            except Exception as e:  # noqa: BLE001
                self.failed = repr(e)
                break
            self.worst = max(self.worst, time.monotonic() - t)
            self.probes += 1
            time.sleep(0.005)
        probe.close()

    def address(self):
        host, port = self.endpoint[len("tcp://"):].rsplit(":", 1)
        return host, int(port)

    def finish(self, name, growth, extra=""):
        time.sleep(0.02)
        self.stop_probing = True
        self.prober.join()
        self.stopping = True
        self.server.join()
        status = "unanswered: " + self.failed if self.failed else "%.1f ms" % (self.worst * 1e3)
        print("| %s | %.1f MiB | %s | %s |" % (name, growth / MIB, status, extra), flush=True)


def greeting(mechanism, minor=0):
    return (b"\xff" + b"\0" * 8 + b"\x7f" + bytes([3, minor])
            + mechanism.ljust(20, b"\0") + b"\0" + b"\0" * 31)


def frame(flags, body):
    if len(body) > 255:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def command(name, data):
    return frame(4, bytes([len(name)]) + name + data)


def prop(name, value):
    return bytes([len(name)]) + name + struct.pack(">I", len(value)) + value


def ready(socket_type):
    return command(b"READY", prop(b"Socket-Type", socket_type))


def connect(addr):
    s = socket.create_connection(addr)
    return s


def null_peer(addr, socket_type):
    s = connect(addr)
    s.sendall(greeting(b"NULL") + ready(socket_type))
    got = b""
    while len(got) < 64:
        chunk = s.recv(64 - len(got))
        if not chunk:
            raise RuntimeError("closed during greeting")
        got += chunk
    return s


def flood(s, chunk, total, stall):
    s.settimeout(stall)
    sent = 0
    mv = memoryview(chunk)
    try:
        while sent < total:
            n = s.send(mv)
            if n == 0:
                break
            sent += n
    except (socket.timeout, OSError):
        pass
    return sent


def closed_by_server(s, within):
    s.settimeout(within)
    deadline = time.monotonic() + within
    try:
        while True:
            if not s.recv(4096):
                return True
            if time.monotonic() >= deadline:
                return False
    except ConnectionResetError:
        return True
    except (socket.timeout, OSError):
        return False


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def ping_flood():
    served = Served()
    a = null_peer(served.address(), b"DEALER")
    pings = command(b"PING", b"\0\0ctx") * 4096
    mem = RssPeak()
    sent = flood(a, pings, 64 * MIB, 0.5)
    g = mem.growth()
    served.finish("PING flood, never reading", g, "%d MiB of PINGs taken" % (sent // MIB))
    abort(a)


def zap_pending():
    ctx = zmq.Context()
    zap = ctx.socket(zmq.ROUTER)
    zap.linger = 0
    zap.rcvtimeo = 20
    zap.bind("inproc://zeromq.zap.01")
    held = []
    stop = []

    def handler():
        while not stop:
            try:
                req = zap.recv_multipart()
            except zmq.Again:
                continue
            if req[8] == b"slow":
                held.append(req)
                continue
            zap.send_multipart([req[0], b"", b"1.0", req[3], b"200", b"OK", b"user", b""])
        zap.close()

    t = threading.Thread(target=handler, daemon=True)
    t.start()

    def setup(s):
        s.plain_server = True
        s.zap_domain = b"hostile"
        s.setsockopt(zmq.HANDSHAKE_IVL, 0)

    def client(c):
        c.plain_username = b"good"
        c.plain_password = b"pw"

    served = Served(ctx, setup, client)
    a = connect(served.address())
    a.sendall(greeting(b"PLAIN") + command(b"HELLO", b"\x04slow\x02pw"))
    junk = frame(0, b"\x55" * 8000) * 8
    mem = RssPeak()
    sent = flood(a, junk, 256 * MIB, 0.5)
    g = mem.growth()
    closed = closed_by_server(a, 0.5)
    served.finish("data while ZAP is pending", g,
                  "attacker wrote %.1f MiB before stalling; %s"
                  % (sent / MIB, "closed by the server" if closed else "kept open"))
    stop.append(1)
    t.join()
    abort(a)


def slow_greeting():
    def setup(s):
        s.setsockopt(zmq.HANDSHAKE_IVL, 600)

    served = Served(setup=setup)
    mem = RssPeak()
    a = connect(served.address())
    t = time.monotonic()
    for b in greeting(b"NULL")[:4]:
        a.sendall(bytes([b]))
        time.sleep(0.1)
    closed = closed_by_server(a, 5)
    took = time.monotonic() - t
    g = mem.growth()
    served.finish("greeting at 1 byte / 100 ms", g,
                  ("closed after %.2f s (handshake ivl 0.6 s)" % took) if closed else "not closed")


def frame_2_63():
    served = Served()
    mem = RssPeak()
    header = b"\x06" + struct.pack(">Q", 1 << 63)
    early = connect(served.address())
    early.sendall(greeting(b"NULL") + header + b"A" * 4096)
    c1 = closed_by_server(early, 5)
    late = null_peer(served.address(), b"DEALER")
    try:
        late.sendall(b"\x02" + header[1:] + b"A" * 4096)
    except OSError:
        pass
    c2 = closed_by_server(late, 5)
    over = connect(served.address())
    over.sendall(greeting(b"NULL") + b"\x06" + struct.pack(">Q", 64 * 1024 + 1))
    c3 = closed_by_server(over, 2)
    g = mem.growth()
    served.finish("frame size 2^63", g,
                  "closed: before auth %s, after auth %s; 64 KiB+1 handshake frame %s"
                  % (c1, c2, "closed" if c3 else "kept"))


def half_open():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    count = min(5000, (hard - 200) // 2)

    def setup(s):
        s.setsockopt(zmq.BACKLOG, 1024)

    served = Served(setup=setup)
    mem = RssPeak()
    idle = [connect(served.address()) for _ in range(count)]
    for s in idle:
        s.settimeout(10)
        got = b""
        while len(got) < 10:
            got += s.recv(10 - len(got))
    g = mem.growth()
    served.finish("%d half-open connections" % count, g, "%.1f KiB each" % (g / 1024 / count))
    for s in idle:
        abort(s)


def garbage():
    served = Served()
    mem = RssPeak()
    seed = 0x9E3779B97F4A7C15
    closed = 0
    for _ in range(500):
        s = connect(served.address())
        data = bytearray(greeting(b"NULL", 1))
        for _ in range(512):
            seed ^= (seed << 13) & 0xFFFFFFFFFFFFFFFF
            seed ^= seed >> 7
            seed ^= (seed << 17) & 0xFFFFFFFFFFFFFFFF
            data.append(seed & 0xFF)
        try:
            s.sendall(data)
        except OSError:
            pass
        closed += closed_by_server(s, 5)
        s.close()
    g = mem.growth()
    served.finish("garbage after a valid greeting (500 connections)", g, "%d/500 closed" % closed)


def sub_flood(kind=zmq.PUB, name="PUB"):
    ctx = zmq.Context()
    pub = ctx.socket(kind)
    pub.linger = 0
    pub.bind("tcp://127.0.0.1:*")
    endpoint = pub.last_endpoint.decode()
    good = ctx.socket(zmq.SUB)
    good.rcvtimeo = 2000
    good.subscribe(b"good")
    good.connect(endpoint)
    while True:
        pub.send(b"good start")
        try:
            good.recv(zmq.DONTWAIT)
            break
        except zmq.Again:
            time.sleep(0.005)
    n = 100000
    batch = b"".join(frame(0, b"\x01" + ("topic-%010d-padding" % i).encode()) for i in range(n))
    mem = RssPeak()
    host, port = endpoint[len("tcp://"):].rsplit(":", 1)
    a = null_peer((host, int(port)), b"SUB")
    sent = flood(a, batch, len(batch), 0.5)
    del batch
    worst = 0.0
    for i in range(50):
        t = time.monotonic()
        msg = b"good %d" % i
        while True:
            pub.send(msg)
            if good.recv() == msg:
                break
        worst = max(worst, time.monotonic() - t)
        time.sleep(0.005)
    g = mem.growth()
    print("| subscription flood against %s (100,000 topics) | %.1f MiB | %.1f ms | "
          "%.0f B per subscription, %.1f MiB sent |"
          % (name, g / MIB, worst * 1e3, g / n, sent / MIB), flush=True)
    abort(a)


def xsub_flood():
    sub_flood(zmq.XPUB, "XPUB (never read)")


def huge_ready():
    served = Served()
    r = command(b"READY", prop(b"Socket-Type", b"DEALER") + prop(b"X-Huge", b"x" * (16 * MIB)))
    mem = RssPeak()
    a = connect(served.address())
    a.sendall(greeting(b"NULL"))
    sent = flood(a, r, len(r), 2)
    closed = closed_by_server(a, 5)
    g = mem.growth()
    served.finish("READY with 16 MiB metadata", g,
                  "%.1f MiB sent, %s" % (sent / MIB, "closed" if closed else "accepted, kept open"))
    abort(a)


def connect_close():
    cycles = 100000 if os.environ.get("HOSTILE_FULL") else 10000

    def setup(s):
        s.setsockopt(zmq.BACKLOG, 1024)

    served = Served(setup=setup)
    addr = served.address()
    g0 = greeting(b"NULL")
    mem = RssPeak()
    t = time.monotonic()
    for i in range(cycles):
        s = connect(addr)
        if i % 2 == 0:
            try:
                s.sendall(g0)
            except OSError:
                pass
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        abort(s)
    g = mem.growth()
    served.finish("%d connect/close cycles" % cycles, g, "%.1f s" % (time.monotonic() - t))


ATTACKS = [ping_flood, zap_pending, slow_greeting, frame_2_63, half_open, garbage,
           sub_flood, xsub_flood, huge_ready, connect_close]


def main():
    wanted = sys.argv[1:]
    print("libzmq %s (pyzmq %s)" % (zmq.zmq_version(), zmq.pyzmq_version()))
    print("| attack | RSS growth | well-behaved client worst round trip | notes |")
    print("|---|---|---|---|")
    for attack in ATTACKS:
        if wanted and attack.__name__ not in wanted:
            continue
        attack()


if __name__ == "__main__":
    main()
