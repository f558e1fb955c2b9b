#!/usr/bin/env python3
"""Scriptable interop peer on pyzmq (libzmq 4.3.5).

Implements the peer-program interface described in PROTOCOL.md:

    peer.py --capabilities          print a JSON object of what this peer supports
    peer.py --spec-file PATH        run the JSON spec in PATH
    peer.py --spec JSON             run the JSON spec given inline

Status lines on stdout: READY <endpoints...>, SIGNAL <name>, OK, FAIL <reason>,
UNSUPPORTED <what>. Control lines on stdin: GO <name>.
Exit codes: 0 OK, 1 FAIL, 2 bad usage/spec, 3 UNSUPPORTED.
"""

import itertools
import json
import sys
import threading
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

from peer_zap import start_zap_handler

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_UNSUPPORTED = 0, 1, 2, 3
DEFAULT_TIMEOUT_MS = 5000
DEFAULT_LINGER_MS = 1000
PATTERN_MODULUS = 251
SEQ_HEADER_LEN = 8

SOCKET_TYPES = {
    "PAIR": zmq.PAIR,
    "PUB": zmq.PUB,
    "SUB": zmq.SUB,
    "REQ": zmq.REQ,
    "REP": zmq.REP,
    "DEALER": zmq.DEALER,
    "ROUTER": zmq.ROUTER,
    "PULL": zmq.PULL,
    "PUSH": zmq.PUSH,
    "XPUB": zmq.XPUB,
    "XSUB": zmq.XSUB,
    "STREAM": zmq.STREAM,
}

# Integer options: spec name -> libzmq option.
INT_OPTIONS = {
    "sndhwm": zmq.SNDHWM,
    "rcvhwm": zmq.RCVHWM,
    "linger": zmq.LINGER,
    "maxmsgsize": zmq.MAXMSGSIZE,
    "heartbeat_ivl": zmq.HEARTBEAT_IVL,
    "heartbeat_ttl": zmq.HEARTBEAT_TTL,
    "heartbeat_timeout": zmq.HEARTBEAT_TIMEOUT,
    "reconnect_ivl": zmq.RECONNECT_IVL,
}
BOOL_OPTIONS = {
    "ipv6": zmq.IPV6,
    "router_mandatory": zmq.ROUTER_MANDATORY,
    "plain_server": zmq.PLAIN_SERVER,
    "curve_server": zmq.CURVE_SERVER,
}
# Text options (UTF-8 bytes; CURVE keys in their 40-character Z85 form).
TEXT_OPTIONS = {
    "plain_username": zmq.PLAIN_USERNAME,
    "plain_password": zmq.PLAIN_PASSWORD,
    "curve_publickey": zmq.CURVE_PUBLICKEY,
    "curve_secretkey": zmq.CURVE_SECRETKEY,
    "curve_serverkey": zmq.CURVE_SERVERKEY,
    "zap_domain": zmq.ZAP_DOMAIN,
}
OTHER_OPTIONS = ("routing_id", "subscribe", "zap_handler")
# Monitor events (`wait_event`, `record_events`), by libzmq name without ZMQ_EVENT_.
EVENTS = {
    name: getattr(zmq, "EVENT_" + name)
    for name in (
        "CONNECTED", "CONNECT_DELAYED", "CONNECT_RETRIED", "LISTENING", "BIND_FAILED",
        "ACCEPTED", "ACCEPT_FAILED", "CLOSED", "CLOSE_FAILED", "DISCONNECTED",
        "MONITOR_STOPPED", "HANDSHAKE_FAILED_NO_DETAIL", "HANDSHAKE_SUCCEEDED",
        "HANDSHAKE_FAILED_PROTOCOL", "HANDSHAKE_FAILED_AUTH",
    )
}
OPS = (
    "send",
    "recv",
    "recv_none",
    "echo",
    "send_seq",
    "recv_seq",
    "send_until",
    "signal",
    "await",
    "idle",
    "wait_disconnect",
    "wait_event",
    "record_events",
)
# Peer roles besides the default one-socket script (PROTOCOL.md, "Proxy role").
ROLES = ("proxy",)


class ScriptFailure(Exception):
    """A step did not get what it expected."""


class Unsupported(Exception):
    """The spec asks for something this peer does not implement."""


class SpecError(Exception):
    """The spec is malformed."""


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def capabilities():
    return {
        "name": "pyzmq %s / libzmq %s" % (zmq.pyzmq_version(), zmq.zmq_version()),
        "protocol": 1,
        "sockets": sorted(SOCKET_TYPES),
        "transports": ["tcp", "ipc"] + (["ws"] if zmq.has("ws") else []),
        "ipv6": True,
        "options": sorted(
            list(INT_OPTIONS) + list(BOOL_OPTIONS) + list(TEXT_OPTIONS) + list(OTHER_OPTIONS)
        ),
        "ops": list(OPS),
        "roles": list(ROLES),
    }


# ---------------------------------------------------------------- frames

_PATTERN_CACHE = {}


def pattern(size, seed):
    """Bytes b[i] = (seed + i) mod 251."""
    if size < 0:
        raise SpecError("negative pattern size")
    seed %= PATTERN_MODULUS
    base = _PATTERN_CACHE.get(seed)
    if base is None:
        base = bytes((seed + i) % PATTERN_MODULUS for i in range(PATTERN_MODULUS))
        _PATTERN_CACHE[seed] = base
    reps = size // PATTERN_MODULUS + 1
    return (base * reps)[:size]


def frame_bytes(desc, variables):
    """Turn a frame descriptor into bytes."""
    if not isinstance(desc, dict) or len(desc) == 0:
        raise SpecError("frame descriptor must be a non-empty object: %r" % (desc,))
    if "hex" in desc:
        return bytes.fromhex(desc["hex"])
    if "text" in desc:
        return desc["text"].encode("utf-8")
    if "size" in desc:
        return pattern(int(desc["size"]), int(desc.get("seed", 0)))
    if "var" in desc:
        name = desc["var"]
        if name not in variables:
            raise ScriptFailure("variable %r was never captured" % name)
        return variables[name]
    raise SpecError("unknown frame descriptor %r" % (desc,))


def describe(data):
    if len(data) <= 16:
        return "%d bytes [%s]" % (len(data), data.hex())
    return "%d bytes [%s...]" % (len(data), data[:16].hex())


class Matcher:
    """Compiled expectation for one multipart message."""

    def __init__(self, descs, variables):
        if not isinstance(descs, list):
            raise SpecError("expect must be a list of frame descriptors")
        self.items = []
        for d in descs:
            if isinstance(d, dict) and "capture" in d:
                self.items.append(("capture", d["capture"]))
            elif isinstance(d, dict) and d.get("any"):
                self.items.append(("any", None))
            elif isinstance(d, dict) and "var" in d:
                self.items.append(("var", d["var"]))
            else:
                self.items.append(("bytes", frame_bytes(d, variables)))

    def mismatch(self, frames, variables):
        """Return None if frames match, else a reason string."""
        if len(frames) != len(self.items):
            return "expected %d frames, got %d (%s)" % (
                len(self.items),
                len(frames),
                ", ".join(describe(f) for f in frames[:6]),
            )
        for i, (kind, val) in enumerate(self.items):
            got = frames[i]
            if kind in ("capture", "any"):
                continue
            want = variables.get(val) if kind == "var" else val
            if want is None:
                return "variable %r was never captured" % val
            if got != want:
                return "frame %d: expected %s, got %s" % (i, describe(want), describe(got))
        return None

    def capture(self, frames, variables):
        for i, (kind, val) in enumerate(self.items):
            if kind == "capture":
                variables[val] = frames[i]


# ---------------------------------------------------------------- control channel


class Control:
    """Reads `GO <name>` lines from stdin in a background thread."""

    def __init__(self):
        self.cond = threading.Condition()
        self.released = set()
        self.closed = False
        t = threading.Thread(target=self._reader, daemon=True)
        t.start()

    def _reader(self):
        for line in sys.stdin:
            parts = line.split()
            if len(parts) == 2 and parts[0] == "GO":
                with self.cond:
                    self.released.add(parts[1])
                    self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def is_released(self, name):
        with self.cond:
            return name in self.released

    def wait(self, name, timeout_s):
        deadline = time.monotonic() + timeout_s
        with self.cond:
            while name not in self.released:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True


# ---------------------------------------------------------------- peer


def make_socket(ctx, spec):
    """A socket of `spec`'s type with its options set (not bound or connected)."""
    stype = spec.get("socket")
    if stype not in SOCKET_TYPES:
        raise Unsupported("socket %s" % stype)
    sock = ctx.socket(SOCKET_TYPES[stype])
    sock.setsockopt(zmq.LINGER, DEFAULT_LINGER_MS)
    for name, value in spec.get("options", {}).items():
        if name == "zap_handler":
            continue
        if name in TEXT_OPTIONS:
            if not isinstance(value, str):
                raise SpecError("%s must be a string" % name)
            sock.setsockopt(TEXT_OPTIONS[name], value.encode("utf-8"))
        elif name in INT_OPTIONS:
            sock.setsockopt(INT_OPTIONS[name], int(value))
        elif name in BOOL_OPTIONS:
            sock.setsockopt(BOOL_OPTIONS[name], 1 if value else 0)
        elif name == "routing_id":
            sock.setsockopt(zmq.ROUTING_ID, frame_bytes(value, {}))
        elif name == "subscribe":
            if stype != "SUB":
                raise SpecError("subscribe option only applies to SUB")
            for topic in value:
                sock.setsockopt(zmq.SUBSCRIBE, frame_bytes(topic, {}))
        else:
            raise Unsupported("option %s" % name)
    return sock


def check_transport(ep):
    scheme = ep.split("://", 1)[0]
    if scheme not in ("tcp", "ipc"):
        raise Unsupported("transport %s" % scheme)


def bind_and_connect(sock, spec):
    """Binds, then connects; returns the resolved bound endpoints in order."""
    bound = []
    for ep in spec.get("bind", []):
        check_transport(ep)
        sock.bind(ep)
        bound.append(sock.getsockopt_string(zmq.LAST_ENDPOINT))
    for ep in spec.get("connect", []):
        check_transport(ep)
        sock.connect(ep)
    return bound


class Peer:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise SpecError("spec must be a JSON object")
        self.spec = spec
        self.timeout_ms = int(spec.get("timeout_ms", DEFAULT_TIMEOUT_MS))
        self.variables = {}
        self.control = Control()
        self.ctx = zmq.Context()
        self.sock = None
        self.monitor = None
        self.auth = None

    # -- setup

    def setup(self):
        steps = self.spec.get("steps", [])
        for step in steps:
            if step.get("op") not in OPS:
                raise Unsupported("op %s" % step.get("op"))
        opts = self.spec.get("options", {})
        if "zap_handler" in opts:
            self.auth = start_zap_handler(self.ctx, opts["zap_handler"])
        self.sock = make_socket(self.ctx, self.spec)
        if any(s.get("op") in ("wait_disconnect", "wait_event", "record_events") for s in steps):
            self.monitor = self.sock.get_monitor_socket(zmq.EVENT_ALL)
        bound = bind_and_connect(self.sock, self.spec)
        emit(" ".join(["READY"] + bound))

    def step_timeout(self, step):
        return int(step.get("timeout_ms", self.timeout_ms))

    # -- primitives

    def send_frames(self, frames, timeout_ms, allow_eagain=False, retry_unroutable=False):
        self.sock.sndtimeo = timeout_ms
        deadline = time.monotonic() + timeout_ms / 1000.0
        while True:
            try:
                self.sock.send_multipart(frames, copy=sum(len(f) for f in frames) < 65536)
                return True
            except zmq.Again:
                if allow_eagain:
                    return False
                raise ScriptFailure("send timed out after %d ms" % timeout_ms)
            except zmq.ZMQError as e:
                if retry_unroutable and e.errno == zmq.EHOSTUNREACH:
                    if time.monotonic() >= deadline:
                        raise ScriptFailure("peer still unroutable after %d ms" % timeout_ms)
                    time.sleep(0.01)
                    continue
                raise ScriptFailure("send failed: %s" % e)

    def recv_frames(self, timeout_ms, what):
        self.sock.rcvtimeo = timeout_ms
        try:
            return self.sock.recv_multipart()
        except zmq.Again:
            raise ScriptFailure("%s: nothing received within %d ms" % (what, timeout_ms))

    def recv_skipping(self, timeout_ms, what, skips):
        deadline = time.monotonic() + timeout_ms / 1000.0
        while True:
            left = max(1, int((deadline - time.monotonic()) * 1000))
            frames = self.recv_frames(left, what)
            if any(m.mismatch(frames, self.variables) is None for m in skips):
                continue
            return frames

    # -- ops

    def op_send(self, step, index):
        frames = [frame_bytes(d, self.variables) for d in step["frames"]]
        self.send_frames(
            frames,
            self.step_timeout(step),
            allow_eagain=bool(step.get("allow_eagain")),
            retry_unroutable=bool(step.get("retry_unroutable")),
        )

    def op_recv(self, step, index):
        matcher = Matcher(step["expect"], self.variables)
        skips = [Matcher(s, self.variables) for s in step.get("skip", [])]
        frames = self.recv_skipping(self.step_timeout(step), "recv", skips)
        reason = matcher.mismatch(frames, self.variables)
        if reason:
            raise ScriptFailure("recv: " + reason)
        matcher.capture(frames, self.variables)

    def op_recv_none(self, step, index):
        ms = int(step.get("ms", 500))
        self.sock.rcvtimeo = ms
        try:
            frames = self.sock.recv_multipart()
        except zmq.Again:
            return
        raise ScriptFailure(
            "recv_none: got a message (%s)" % ", ".join(describe(f) for f in frames[:6])
        )

    def op_echo(self, step, index):
        t = self.step_timeout(step)
        for _ in range(int(step.get("count", 1))):
            frames = self.recv_frames(t, "echo")
            self.send_frames(frames, t)

    def op_send_seq(self, step, index):
        count, size = int(step["count"]), int(step["size"])
        if size < SEQ_HEADER_LEN:
            raise SpecError("send_seq size must be >= 8")
        head = [frame_bytes(d, self.variables) for d in step.get("head", [])]
        filler = pattern(size, 0)[SEQ_HEADER_LEN:]
        t = self.step_timeout(step)
        self.sock.sndtimeo = t
        sock = self.sock
        try:
            for seq in range(count):
                body = seq.to_bytes(SEQ_HEADER_LEN, "big") + filler
                if head:
                    sock.send_multipart(head + [body])
                else:
                    sock.send(body)
        except zmq.Again:
            raise ScriptFailure("send_seq: send %d timed out after %d ms" % (seq, t))

    def op_recv_seq(self, step, index):
        count, size = int(step["count"]), int(step["size"])
        if size < SEQ_HEADER_LEN:
            raise SpecError("recv_seq size must be >= 8")
        head = Matcher(step.get("head", []), self.variables)
        nhead = len(head.items)
        skips = [Matcher(s, self.variables) for s in step.get("skip", [])]
        filler = pattern(size, 0)[SEQ_HEADER_LEN:]
        t = self.step_timeout(step)
        self.sock.rcvtimeo = t
        sock = self.sock
        seq = 0
        while seq < count:
            try:
                frames = sock.recv_multipart()
            except zmq.Again:
                raise ScriptFailure(
                    "recv_seq: stalled after %d of %d messages (%d ms)" % (seq, count, t)
                )
            if skips and any(m.mismatch(frames, self.variables) is None for m in skips):
                continue
            if len(frames) != nhead + 1:
                raise ScriptFailure(
                    "recv_seq: message %d has %d frames, expected %d" % (seq, len(frames), nhead + 1)
                )
            if nhead:
                reason = head.mismatch(frames[:nhead], self.variables)
                if reason:
                    raise ScriptFailure("recv_seq: message %d head: %s" % (seq, reason))
            body = frames[-1]
            if len(body) != size:
                raise ScriptFailure("recv_seq: message %d is %d bytes, expected %d" % (seq, len(body), size))
            got = int.from_bytes(body[:SEQ_HEADER_LEN], "big")
            if got != seq:
                raise ScriptFailure("recv_seq: expected sequence %d, got %d" % (seq, got))
            if body[SEQ_HEADER_LEN:] != filler:
                raise ScriptFailure("recv_seq: message %d body corrupted" % seq)
            seq += 1

    def op_send_until(self, step, index):
        frames = [frame_bytes(d, self.variables) for d in step["frames"]]
        name = step["signal"]
        interval = int(step.get("interval_ms", 10)) / 1000.0
        t = self.step_timeout(step)
        deadline = time.monotonic() + t / 1000.0
        while not self.control.is_released(name):
            if time.monotonic() >= deadline:
                raise ScriptFailure("send_until: no GO %s within %d ms" % (name, t))
            self.send_frames(frames, t, allow_eagain=True)
            self.control.wait(name, interval)

    def op_signal(self, step, index):
        emit("SIGNAL %s" % step["name"])

    def op_await(self, step, index):
        t = self.step_timeout(step)
        if not self.control.wait(step["name"], t / 1000.0):
            raise ScriptFailure("await: no GO %s within %d ms" % (step["name"], t))

    def op_idle(self, step, index):
        time.sleep(int(step["ms"]) / 1000.0)

    def op_wait_disconnect(self, step, index):
        t = self.step_timeout(step)
        deadline = time.monotonic() + t / 1000.0
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not self.monitor.poll(left):
                raise ScriptFailure("wait_disconnect: no disconnect within %d ms" % t)
            event = recv_monitor_message(self.monitor)
            if event["event"] == zmq.EVENT_DISCONNECTED:
                return

    def op_wait_event(self, step, index):
        name = step["event"]
        if name not in EVENTS:
            raise Unsupported("event %s" % name)
        want, value = EVENTS[name], step.get("value")
        t = self.step_timeout(step)
        deadline = time.monotonic() + t / 1000.0
        seen = []
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not self.monitor.poll(left):
                raise ScriptFailure("wait_event: no %s (value %s) within %d ms; saw %s"
                                    % (name, value, t, seen[-8:]))
            event = recv_monitor_message(self.monitor)
            seen.append((event["event"], event["value"]))
            if event["event"] == want and (value is None or event["value"] == int(value)):
                return

    def op_record_events(self, step, index):
        """Prints `EVENTS [[event, value, endpoint], ...]`: every monitor
        event so far up to and including the first `until` event."""
        name = step["until"]
        if name not in EVENTS:
            raise Unsupported("event %s" % name)
        t = self.step_timeout(step)
        deadline = time.monotonic() + t / 1000.0
        seen = []
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not self.monitor.poll(left):
                raise ScriptFailure("record_events: no %s within %d ms; saw %s" % (name, t, seen))
            event = recv_monitor_message(self.monitor)
            seen.append([int(event["event"]), int(event["value"]),
                         event["endpoint"].decode("utf-8", "replace")])
            if event["event"] == EVENTS[name]:
                emit("EVENTS " + json.dumps(seen))
                return

    # -- run

    def run(self):
        self.setup()
        for index, step in enumerate(self.spec.get("steps", [])):
            op = step["op"]
            try:
                getattr(self, "op_" + op)(step, index)
            except ScriptFailure as e:
                raise ScriptFailure("step %d (%s): %s" % (index, op, e))

    def close(self):
        if self.monitor is not None:
            self.monitor.close(linger=0)
        if self.sock is not None:
            self.sock.close()
        if self.auth is not None:
            self.auth.stop()
        self.ctx.term()


class ProxyPeer:
    """The proxy role: zmq.proxy_steerable between two sockets until `GO <stop>`."""

    CONTROL_ENDPOINT = "inproc://peer-proxy-control"
    TERMINATE_RETRY_S = 0.2

    def __init__(self, spec):
        self.spec = spec
        self.stop = spec.get("stop", "stop")
        self.timeout_ms = int(spec.get("timeout_ms", 60000))
        self.control = Control()
        self.ctx = zmq.Context()
        self.sockets = []
        self.timed_out = False
        self.returned = threading.Event()

    def run(self):
        front = make_socket(self.ctx, self.spec["frontend"])
        self.sockets.append(front)
        back = make_socket(self.ctx, self.spec["backend"])
        self.sockets.append(back)
        listener = self.ctx.socket(zmq.PAIR)
        self.sockets.append(listener)
        listener.bind(self.CONTROL_ENDPOINT)
        bound = bind_and_connect(front, self.spec["frontend"])
        bound += bind_and_connect(back, self.spec["backend"])
        emit(" ".join(["READY"] + bound))
        stopper = threading.Thread(target=self._stop_when_told, daemon=True)
        stopper.start()
        zmq.proxy_steerable(front, back, None, listener)
        self.returned.set()
        stopper.join()
        if self.timed_out:
            raise ScriptFailure("proxy: no GO %s within %d ms" % (self.stop, self.timeout_ms))

    def _stop_when_told(self):
        released = self.control.wait(self.stop, self.timeout_ms / 1000.0)
        self.timed_out = not released
        sender = self.ctx.socket(zmq.PAIR)
        sender.connect(self.CONTROL_ENDPOINT)
        # One TERMINATE from a PAIR closed right after was sometimes never
        # acted on (libzmq 4.3.5): keep the sender, repeat until the proxy returns.
        for attempt in itertools.count(1):
            sender.send(b"TERMINATE")
            if self.returned.wait(self.TERMINATE_RETRY_S):
                break
            sys.stderr.write("proxy: TERMINATE #%d not acted on yet; resending\n" % attempt)
        sender.close(linger=0)

    def close(self):
        for sock in self.sockets:
            sock.close()
        self.ctx.term()


def main(argv):
    if len(argv) == 2 and argv[1] == "--capabilities":
        emit(json.dumps(capabilities()))
        return EXIT_OK
    try:
        if len(argv) == 3 and argv[1] == "--spec-file":
            with open(argv[2], "r", encoding="utf-8") as f:
                spec = json.load(f)
        elif len(argv) == 3 and argv[1] == "--spec":
            spec = json.loads(argv[2])
        else:
            sys.stderr.write(__doc__)
            return EXIT_USAGE
    except (OSError, ValueError) as e:
        emit("FAIL bad spec: %s" % e)
        return EXIT_USAGE
    peer = None
    try:
        if not isinstance(spec, dict):
            raise SpecError("spec must be a JSON object")
        peer = ProxyPeer(spec) if spec.get("role") == "proxy" else Peer(spec)
        peer.run()
    except ScriptFailure as e:
        emit("FAIL %s" % e)
        return EXIT_FAIL
    except Unsupported as e:
        emit("UNSUPPORTED %s" % e)
        return EXIT_UNSUPPORTED
    except (SpecError, KeyError, TypeError, ValueError) as e:
        emit("FAIL bad spec: %s: %s" % (type(e).__name__, e))
        return EXIT_USAGE
    except zmq.ZMQError as e:
        emit("FAIL zmq error: %s" % e)
        return EXIT_FAIL
    finally:
        if peer is not None:
            peer.close()
    emit("OK")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv))
