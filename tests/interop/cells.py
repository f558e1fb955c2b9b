"""The interop matrix: rows (socket pair x feature) and the peer scripts for each.

A row describes one socket pairing with our implementation on one side ("ours")
and libzmq on the other ("theirs"). `Row.build(ours_binds)` returns a Scenario:
the two peer specs (see PROTOCOL.md) without endpoints; the harness adds the
`bind` / `connect` endpoints and transport options per column.
"""

from dataclasses import dataclass, field
from typing import Callable, Optional

MIB = 1 << 20
STREAM_COUNT = 100_000
STREAM_SIZE = 32
TOPIC = "A"
SUBSCRIPTION_HEX = "01" + TOPIC.encode().hex()  # XSUB/XPUB wire form of "subscribe A"
PROBE = "A-probe"  # sent by PUB until the subscriber says it sees traffic


# ------------------------------------------------------------ frame descriptors

def T(text):
    return {"text": text}


def H(hexstr):
    return {"hex": hexstr}


def P(size, seed=0):
    return {"size": size, "seed": seed}


def V(name):
    return {"var": name}


def CAP(name):
    return {"capture": name}


EMPTY = H("")
SINGLE = [T("hello interop")]
MULTIPART = [EMPTY, T("part-1"), EMPTY, EMPTY, P(300, 7), EMPTY]
PUB_SINGLE = [T(TOPIC + " single")]
PUB_MULTIPART = [T(TOPIC)] + MULTIPART
# A binary routing id (not valid UTF-8, contains 0x00 after the first byte).
OURS_ID_HEX = "6f7572732d6964ff00"  # "ours-id\xff\x00"
THEIRS_ID_HEX = "74686569722d6964fe01"  # "their-id\xfe\x01"


def spec(socket, steps, **options):
    return {"socket": socket, "options": dict(options), "steps": steps}


@dataclass
class Node:
    """One peer process of a multi-peer cell (see `Scenario.nodes`)."""

    label: str  # unique in the cell, e.g. "pub", "proxy"
    side: str  # "ours" / "theirs"
    spec: dict  # a socket spec or a proxy spec (PROTOCOL.md), without endpoints


@dataclass
class Link:
    """A connection between two sockets of a multi-peer cell.

    Each end is (node label, socket): socket is None for a node's only
    socket, "frontend" or "backend" for a proxy's. The end on the side
    the column names binds (ours-bind: the ours end); when both ends are on
    one side, `a` binds in ours-bind columns and `b` in theirs-bind ones.
    """

    a: tuple
    b: tuple


@dataclass
class Scenario:
    """Specs for both sides of one cell, plus an optional restart of the binder.

    Multi-peer cells set `nodes` and `links` instead of `ours`/`theirs`: the
    harness starts each node once the endpoints it connects to are known.
    `compare_events` names two nodes whose `record_events` sequences must
    match (event numbers, endpoints with the link endpoint written as
    `<endpoint>`, and the values that are not file descriptors).
    """

    ours: Optional[dict] = None
    theirs: Optional[dict] = None
    # Spec for a second instance of whichever side binds, started after the first
    # exits OK, bound to the same endpoint; then `GO <restart_go>` is sent.
    restart: Optional[dict] = None
    restart_go: str = "restarted"
    nodes: Optional[list] = None
    links: list = field(default_factory=list)
    compare_events: Optional[tuple] = None
    # Event names dropped from both sequences before comparing (libzmq races).
    optional_events: list = field(default_factory=list)


@dataclass
class Row:
    group: str
    name: str
    build: Callable[[bool], Scenario]
    timeout_s: float = 20.0
    tags: list = field(default_factory=list)
    # (transport, direction) -> text or None: a known difference of our
    # library, not yet fixed. Such a cell that fails is reported n/i with
    # the text (and the failure); once it passes it is reported pass.
    known_difference: Optional[Callable[[str, str], Optional[str]]] = None


def pairing(ours_is_first, first, second):
    """Map (first, second) pattern roles to (ours, theirs)."""
    return (first, second) if ours_is_first else (second, first)


# ------------------------------------------------------------ pattern scripts
# Each returns (first_spec, second_spec). The side that sends last waits for a
# `done` signal so nothing is torn down while a message is still in flight.

def pipeline(content, push_opts=None, pull_opts=None):
    push = spec("PUSH", [{"op": "send", "frames": content}, {"op": "await", "name": "done"}],
                **(push_opts or {}))
    pull = spec("PULL", [{"op": "recv", "expect": content}, {"op": "signal", "name": "done"}],
                **(pull_opts or {}))
    return push, pull


def echo_pair(first_type, second_type, content, first_send=None, first_expect=None,
              first_opts=None, second_opts=None):
    """first sends, second echoes once, first checks the echo."""
    send = first_send if first_send is not None else content
    expect = first_expect if first_expect is not None else send
    a = spec(first_type, [
        {"op": "send", "frames": send},
        {"op": "recv", "expect": expect},
        {"op": "signal", "name": "done"},
    ], **(first_opts or {}))
    b = spec(second_type, [{"op": "echo", "count": 1}, {"op": "await", "name": "done"}],
             **(second_opts or {}))
    return a, b


def to_router(client_type, content, client_id_hex=None):
    """REQ/DEALER client -> ROUTER server; the ROUTER checks and uses the envelope."""
    envelope = [EMPTY] if client_type == "REQ" else []
    ident = H(client_id_hex) if client_id_hex else CAP("peer")
    reply_ident = H(client_id_hex) if client_id_hex else V("peer")
    client_opts = {"routing_id": H(client_id_hex)} if client_id_hex else {}
    client = spec(client_type, [
        {"op": "send", "frames": content},
        {"op": "recv", "expect": content},
        {"op": "signal", "name": "done"},
    ], **client_opts)
    router = spec("ROUTER", [
        {"op": "recv", "expect": [ident] + envelope + content},
        {"op": "send", "frames": [reply_ident] + envelope + content},
        {"op": "await", "name": "done"},
    ], router_mandatory=True)
    return client, router


def router_router(content, first_binds):
    """Both ROUTERs name themselves; the connecting one speaks first."""
    first_id, second_id = OURS_ID_HEX, THEIRS_ID_HEX

    def side(my_id, other_id, connects):
        if connects:
            steps = [
                {"op": "send", "frames": [H(other_id)] + content, "retry_unroutable": True},
                {"op": "recv", "expect": [H(other_id)] + content},
                {"op": "signal", "name": "done"},
            ]
        else:
            steps = [
                {"op": "recv", "expect": [H(other_id)] + content},
                {"op": "send", "frames": [H(other_id)] + content},
                {"op": "await", "name": "done"},
            ]
        return spec("ROUTER", steps, routing_id=H(my_id), router_mandatory=True)

    return side(first_id, second_id, not first_binds), side(second_id, first_id, first_binds)


def pubsub(pub_type, sub_type, content):
    """Publisher sends a filtered-out message, then `content`; subscriber wants A*."""
    pub_steps = []
    if pub_type == "XPUB":
        pub_steps.append({"op": "recv", "expect": [H(SUBSCRIPTION_HEX)]})
    else:
        pub_steps.append({"op": "send_until", "frames": [T(PROBE)], "signal": "subscribed"})
    pub_steps += [
        {"op": "send", "frames": [T("B filtered")]},
        {"op": "send", "frames": content},
        {"op": "await", "name": "done"},
    ]
    sub_steps = []
    sub_opts = {}
    if sub_type == "SUB":
        sub_opts["subscribe"] = [T(TOPIC)]
    else:
        sub_steps.append({"op": "send", "frames": [H(SUBSCRIPTION_HEX)]})
    if pub_type == "PUB":
        sub_steps += [{"op": "recv", "expect": [T(PROBE)]}, {"op": "signal", "name": "subscribed"}]
    sub_steps += [
        {"op": "recv", "expect": content, "skip": [[T(PROBE)]]},
        {"op": "signal", "name": "done"},
    ]
    return spec(pub_type, pub_steps), spec(sub_type, sub_steps, **sub_opts)


def basic_pair(first, second, content, pub_content, first_binds):
    """Script for one compatible (first, second) socket pair."""
    pair = (first, second)
    if pair == ("PAIR", "PAIR"):
        return echo_pair("PAIR", "PAIR", content)
    if pair == ("PUSH", "PULL"):
        return pipeline(content)
    if pair == ("REQ", "REP"):
        return echo_pair("REQ", "REP", content)
    if pair == ("REQ", "ROUTER"):
        return to_router("REQ", content)
    if pair == ("DEALER", "REP"):
        return echo_pair("DEALER", "REP", content, first_send=[EMPTY] + content)
    if pair == ("DEALER", "ROUTER"):
        return to_router("DEALER", content)
    if pair == ("DEALER", "DEALER"):
        return echo_pair("DEALER", "DEALER", content)
    if pair == ("ROUTER", "ROUTER"):
        return router_router(content, first_binds)
    if first in ("PUB", "XPUB") and second in ("SUB", "XSUB"):
        return pubsub(first, second, pub_content)
    raise ValueError("no script for %s/%s" % pair)


# (first, second) pattern roles; rows are made for both assignments of ours.
COMPATIBLE = [
    ("PAIR", "PAIR"),
    ("PUSH", "PULL"),
    ("REQ", "REP"),
    ("REQ", "ROUTER"),
    ("DEALER", "REP"),
    ("DEALER", "ROUTER"),
    ("DEALER", "DEALER"),
    ("ROUTER", "ROUTER"),
    ("PUB", "SUB"),
    ("XPUB", "XSUB"),
    ("PUB", "XSUB"),
    ("XPUB", "SUB"),
]


def oriented(first, second):
    """Yield (ours_is_first, ours_type, theirs_type); one orientation if symmetric."""
    yield True, first, second
    if first != second:
        yield False, second, first


def build_basic_rows():
    rows = []
    contents = [("single", SINGLE, PUB_SINGLE), ("multipart+empty", MULTIPART, PUB_MULTIPART)]
    for first, second in COMPATIBLE:
        for ours_first, ours_t, theirs_t in oriented(first, second):
            for label, content, pub_content in contents:
                def build(ours_binds, f=first, s=second, c=content, pc=pub_content, of=ours_first):
                    first_binds = ours_binds if of else not ours_binds
                    a, b = basic_pair(f, s, c, pc, first_binds)
                    ours, theirs = pairing(of, a, b)
                    return Scenario(ours, theirs)
                rows.append(Row("basic", "%s/%s %s" % (ours_t, theirs_t, label), build))
    return rows


def build_routing_rows():
    """Routing ids set by ours (checked by theirs) and by theirs (checked by ours)."""
    rows = []
    for client in ("DEALER", "REQ"):
        def ours_client(ours_binds, c=client):
            cl, rt = to_router(c, MULTIPART, client_id_hex=OURS_ID_HEX)
            return Scenario(cl, rt)

        def theirs_client(ours_binds, c=client):
            cl, rt = to_router(c, MULTIPART, client_id_hex=THEIRS_ID_HEX)
            return Scenario(rt, cl)

        rows.append(Row("routing-id", "%s/ROUTER ours sets id" % client, ours_client))
        rows.append(Row("routing-id", "ROUTER/%s theirs sets id" % client, theirs_client))
    return rows


def build_large_rows():
    rows = []
    for size, label in ((MIB, "1MiB"), (16 * MIB, "16MiB")):
        content = [P(size, 11)]
        timeout = 20.0 if size <= MIB else 40.0
        for ours_first, ours_t, theirs_t in oriented("PUSH", "PULL"):
            def build(ours_binds, c=content, of=ours_first):
                return Scenario(*pairing(of, *pipeline(c)))
            rows.append(Row("large", "%s/%s %s" % (ours_t, theirs_t, label), build, timeout))

        def build_pair(ours_binds, c=content):
            return Scenario(*echo_pair("PAIR", "PAIR", c))
        rows.append(Row("large", "PAIR/PAIR %s echo" % label, build_pair, timeout))
    return rows


def stream_scripts(sender_type, receiver_type):
    seq = {"count": STREAM_COUNT, "size": STREAM_SIZE}
    if sender_type == "PUB":
        hwm = {"sndhwm": 0, "rcvhwm": 0}
        send = spec("PUB", [
            {"op": "send_until", "frames": [T("probe")], "signal": "subscribed"},
            dict(op="send_seq", **seq),
            {"op": "await", "name": "done", "timeout_ms": 30000},
        ], **hwm)
        recv = spec("SUB", [
            {"op": "recv", "expect": [T("probe")]},
            {"op": "signal", "name": "subscribed"},
            dict(op="recv_seq", skip=[[T("probe")]], **seq),
            {"op": "signal", "name": "done"},
        ], subscribe=[EMPTY], **hwm)
        return send, recv
    send = spec(sender_type, [dict(op="send_seq", **seq),
                              {"op": "await", "name": "done", "timeout_ms": 30000}])
    recv = spec(receiver_type, [dict(op="recv_seq", **seq), {"op": "signal", "name": "done"}])
    return send, recv


def build_stream_rows():
    rows = []
    for sender, receiver in (("PUSH", "PULL"), ("PAIR", "PAIR"), ("PUB", "SUB")):
        for ours_sends in (True, False):
            def build(ours_binds, s=sender, r=receiver, o=ours_sends):
                return Scenario(*pairing(o, *stream_scripts(s, r)))
            ours_t, theirs_t = (sender, receiver) if ours_sends else (receiver, sender)
            direction = "ours->theirs" if ours_sends else "theirs->ours"
            name = "%s/%s 100k in order %s" % (ours_t, theirs_t, direction)
            rows.append(Row("stream", name, build, 60.0))
    return rows


# Incompatible (sender, receiver) pairs that *would* deliver if the handshake
# did not check socket types.
INCOMPATIBLE = [("PUSH", "PAIR"), ("DEALER", "PULL"), ("PAIR", "PULL"), ("PUSH", "DEALER")]
REFUSE_WAIT_MS = 500


def refuse_scripts(sender_type, receiver_type):
    send = spec(sender_type, [
        {"op": "send", "frames": [T("must not arrive")], "allow_eagain": True, "timeout_ms": 200},
        {"op": "await", "name": "checked"},
    ], linger=0)
    recv = spec(receiver_type, [
        {"op": "recv_none", "ms": REFUSE_WAIT_MS},
        {"op": "signal", "name": "checked"},
    ], linger=0)
    return send, recv


def build_refuse_rows():
    rows = []
    for sender, receiver in INCOMPATIBLE:
        for ours_sends in (True, False):
            def build(ours_binds, s=sender, r=receiver, o=ours_sends):
                return Scenario(*pairing(o, *refuse_scripts(s, r)))
            ours_t, theirs_t = (sender, receiver) if ours_sends else (receiver, sender)
            rows.append(Row("refuse", "%s/%s incompatible: nothing delivered" % (ours_t, theirs_t),
                            build))
    return rows


HEARTBEAT = {"heartbeat_ivl": 100, "heartbeat_timeout": 800, "heartbeat_ttl": 800}
HEARTBEAT_IDLE_MS = 2500


def heartbeat_scripts(first_pings):
    """PAIR/PAIR, reconnection disabled, idle for 3x the heartbeat timeout (2.5 s vs 800 ms)."""
    base = {"reconnect_ivl": -1}
    a_opts = dict(base, **(HEARTBEAT if first_pings else {}))
    b_opts = dict(base, **({} if first_pings else HEARTBEAT))
    a = spec("PAIR", [
        {"op": "send", "frames": [T("before idle")]},
        {"op": "idle", "ms": HEARTBEAT_IDLE_MS},
        {"op": "recv", "expect": [T("after idle 1")]},
        {"op": "send", "frames": [T("after idle 2")]},
        {"op": "await", "name": "done"},
    ], **a_opts)
    b = spec("PAIR", [
        {"op": "recv", "expect": [T("before idle")]},
        {"op": "idle", "ms": HEARTBEAT_IDLE_MS},
        {"op": "send", "frames": [T("after idle 1")]},
        {"op": "recv", "expect": [T("after idle 2")]},
        {"op": "signal", "name": "done"},
    ], **b_opts)
    return a, b


def build_heartbeat_rows():
    return [
        Row("heartbeat", "PAIR/PAIR theirs pings, idle 2.5s, no reconnect",
            lambda ob: Scenario(*heartbeat_scripts(False))),
        Row("heartbeat", "PAIR/PAIR ours pings, idle 2.5s, no reconnect",
            lambda ob: Scenario(*heartbeat_scripts(True))),
    ]


def reconnect_scenario(ours_pushes, ours_binds):
    """PUSH->PULL; the bound side exits after message 1 and is restarted."""
    m1, m2 = [T("before restart")], [T("after restart")]
    push_binds = ours_binds == ours_pushes
    if push_binds:
        push = spec("PUSH", [{"op": "send", "frames": m1}, {"op": "await", "name": "got1"}])
        push2 = spec("PUSH", [{"op": "send", "frames": m2}, {"op": "await", "name": "done"}])
        pull = spec("PULL", [
            {"op": "recv", "expect": m1},
            {"op": "signal", "name": "got1"},
            {"op": "recv", "expect": m2},
            {"op": "signal", "name": "done"},
        ])
        restart = push2
    else:
        # The pusher first sees its own disconnect: a message written into the
        # dying connection would be lost (no delivery guarantee across it).
        push = spec("PUSH", [
            {"op": "send", "frames": m1},
            {"op": "wait_disconnect"},
            {"op": "await", "name": "restarted"},
            {"op": "send", "frames": m2},
            {"op": "await", "name": "done"},
        ])
        pull = spec("PULL", [{"op": "recv", "expect": m1}])
        restart = spec("PULL", [{"op": "recv", "expect": m2}, {"op": "signal", "name": "done"}])
    ours, theirs = pairing(ours_pushes, push, pull)
    return Scenario(ours, theirs, restart=restart)


def build_reconnect_rows():
    return [
        Row("reconnect", "PUSH/PULL bound side restarted",
            lambda ob: reconnect_scenario(True, ob)),
        Row("reconnect", "PULL/PUSH bound side restarted",
            lambda ob: reconnect_scenario(False, ob)),
    ]


MAXMSGSIZE = 1000


def maxmsgsize_scripts(receiver_binds):
    """PUSH -> PULL with ZMQ_MAXMSGSIZE on the PULL side.

    A message of exactly the limit is delivered; one byte over is never
    delivered and the receiver drops the connection (a disconnect event).
    Then libzmq 4.3.5 differs by who connected:
    - receiver bound: the sender saw a plain connection error, reconnects, and
      the next small message is delivered;
    - receiver connected: the drop is a protocol error on the connecting side,
      which does not reconnect, so the next message is not delivered either.
    """
    at_limit, over = [P(MAXMSGSIZE, 5)], [P(MAXMSGSIZE + 1, 6)]
    small = [T("small after drop")]
    if receiver_binds:
        send_small = {"op": "send", "frames": small}
        check_small = {"op": "recv", "expect": small}
    else:
        send_small = {"op": "send", "frames": small, "allow_eagain": True, "timeout_ms": 300}
        check_small = {"op": "recv_none", "ms": REFUSE_WAIT_MS}
    push = spec("PUSH", [
        {"op": "send", "frames": at_limit},
        {"op": "send", "frames": over},
        # Both ends must have seen the drop before the next send, else it can
        # be written into the dying connection and lost.
        {"op": "wait_disconnect"},
        {"op": "await", "name": "dropped"},
        send_small,
        {"op": "await", "name": "done"},
    ], linger=0)
    pull = spec("PULL", [
        {"op": "recv", "expect": at_limit},
        {"op": "wait_disconnect"},
        {"op": "signal", "name": "dropped"},
        check_small,
        {"op": "signal", "name": "done"},
    ], maxmsgsize=MAXMSGSIZE)
    return push, pull


def build_maxmsgsize_rows():
    # ours_binds -> does the receiver bind?  ours receives: ob; theirs receives: not ob.
    return [
        Row("maxmsgsize", "PULL/PUSH ours enforces %d" % MAXMSGSIZE,
            lambda ob: Scenario(*pairing(False, *maxmsgsize_scripts(ob)))),
        Row("maxmsgsize", "PUSH/PULL theirs enforces %d" % MAXMSGSIZE,
            lambda ob: Scenario(*pairing(True, *maxmsgsize_scripts(not ob)))),
    ]


# ------------------------------------------------------------ security (Part 7)
# Fixed test keys in Z85: the client and server pairs of zmq_curve(7)'s TEST
# KEY VALUES, and a third pair no ZAP handler knows.
CLIENT_PUBLIC = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SECRET = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
SERVER_SECRET = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
STRANGER_PUBLIC = "I[Myak2TawB$$BL[I$Na{vk8d[I(%%mNd^f!J9jF"
STRANGER_SECRET = "3q$i7@f4mC6wkLKYCUeOea&diR9NXu?T8$u/dh.!"
PLAIN_USER, PLAIN_PASSWORD = "admin", "secret"
# The ZAP policy of every security server: one PLAIN user, one CURVE key.
ZAP_POLICY = {"plain": {PLAIN_USER: PLAIN_PASSWORD}, "curve": [CLIENT_PUBLIC]}
ZAP_DENIED = 400  # the status code a refusing ZAP handler answers
PROTOCOL_ERROR_CRYPTOGRAPHIC = 0x11000001  # ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC

PLAIN_SERVER = {"plain_server": True, "zap_handler": ZAP_POLICY}
CURVE_SERVER = {"curve_server": True, "curve_secretkey": SERVER_SECRET,
                "zap_handler": ZAP_POLICY}


def plain_client(password=PLAIN_PASSWORD):
    return {"plain_username": PLAIN_USER, "plain_password": password}


def curve_client(public=CLIENT_PUBLIC, secret=CLIENT_SECRET, server=SERVER_PUBLIC):
    return {"curve_serverkey": server, "curve_publickey": public, "curve_secretkey": secret}


def secure_accept_scripts(client_opts, server_opts):
    """REQ (security client) -> REP (security server) echo, both ways encrypted."""
    content = [T("secured"), P(3000, 3)]
    return echo_pair("REQ", "REP", content, first_opts=client_opts, second_opts=server_opts)


def secure_refuse_scripts(client_opts, server_opts, client_event=None, server_event=None):
    """PUSH (client) -> PULL (server): the handshake fails, nothing is delivered.

    `client_event` / `server_event` are (event name, value or None) that side's
    monitor must show; the server checks for a message only after the client
    has tried to send and seen its event.
    """
    client_steps = [{"op": "send", "frames": [T("must not arrive")], "allow_eagain": True,
                     "timeout_ms": 200}]
    if client_event:
        client_steps.append({"op": "wait_event", "event": client_event[0],
                             "value": client_event[1]})
    client_steps += [{"op": "signal", "name": "tried"}, {"op": "await", "name": "checked"}]
    server_steps = [{"op": "await", "name": "tried"}]
    if server_event:
        server_steps.append({"op": "wait_event", "event": server_event[0],
                             "value": server_event[1]})
    server_steps += [{"op": "recv_none", "ms": REFUSE_WAIT_MS},
                     {"op": "signal", "name": "checked"}]
    return (spec("PUSH", client_steps, linger=0, **client_opts),
            spec("PULL", server_steps, linger=0, **server_opts))


def security_cases(ours_serves):
    """(name, (client spec, server spec)) of every security row."""
    auth_failed = ("HANDSHAKE_FAILED_AUTH", ZAP_DENIED)
    # libzmq 4.3.5's PLAIN server sends ERROR as "^RROR" + reason (its
    # "\x05ERROR" literal is read as the hex escape \x05E) and its client
    # only understands that form; we send RFC 24's "\x05ERROR", which a
    # libzmq client reports as a protocol error, not AUTH 400.
    plain_client_event = None if ours_serves else auth_failed
    return [
        ("PLAIN accepted", secure_accept_scripts(plain_client(), PLAIN_SERVER)),
        ("PLAIN wrong password refused (AUTH 400)", secure_refuse_scripts(
            plain_client("wrong"), PLAIN_SERVER, plain_client_event, auth_failed)),
        ("CURVE accepted", secure_accept_scripts(curve_client(), CURVE_SERVER)),
        ("CURVE unknown client key refused (AUTH 400)", secure_refuse_scripts(
            curve_client(STRANGER_PUBLIC, STRANGER_SECRET), CURVE_SERVER,
            auth_failed, auth_failed)),
        ("CURVE wrong server key refused", secure_refuse_scripts(
            curve_client(server=STRANGER_PUBLIC), CURVE_SERVER, None,
            ("HANDSHAKE_FAILED_PROTOCOL", PROTOCOL_ERROR_CRYPTOGRAPHIC))),
        # Whichever side reads the other's greeting first fails with a
        # mechanism mismatch; the other may only see the connection close.
        ("PLAIN client vs CURVE server refused", secure_refuse_scripts(
            plain_client(), CURVE_SERVER)),
    ]


def build_security_rows():
    rows = []
    for ours_serves in (True, False):
        for name, _ in security_cases(ours_serves):
            def build(ours_binds, n=name, o=ours_serves):
                client, server = dict(security_cases(o))[n]
                ours, theirs = (server, client) if o else (client, server)
                return Scenario(ours, theirs)
            who = "ours serves" if ours_serves else "theirs serves"
            rows.append(Row("security", "%s, %s" % (name, who), build))
    return rows


def all_rows():
    import cells_multi  # imports this module's helpers

    return (build_basic_rows() + build_routing_rows() + build_large_rows()
            + build_stream_rows() + build_refuse_rows() + build_heartbeat_rows()
            + build_reconnect_rows() + build_maxmsgsize_rows() + build_security_rows()
            + cells_multi.build_stream_socket_rows() + cells_multi.build_proxy_rows()
            + cells_multi.build_monitor_rows())
