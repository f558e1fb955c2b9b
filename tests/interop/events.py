"""Monitor event sequences (`record_events`): names, normalising, comparing.

A sequence is the list of an `EVENTS` line: `[[event, value, endpoint], ...]`
with libzmq's v1 event numbers. Two sequences match when they have the same
events in the same order, the same endpoint texts once the cell's link
endpoints are replaced by `<endpoint>`, and the same values for the events
whose value is not a file descriptor (see VALUE_EVENTS).
"""

# libzmq 4.3.5 v1 event numbers (zmq.h ZMQ_EVENT_*), by name without ZMQ_EVENT_.
EVENT_NUMBERS = {
    "CONNECTED": 0x0001,
    "CONNECT_DELAYED": 0x0002,
    "CONNECT_RETRIED": 0x0004,
    "LISTENING": 0x0008,
    "BIND_FAILED": 0x0010,
    "ACCEPTED": 0x0020,
    "ACCEPT_FAILED": 0x0040,
    "CLOSED": 0x0080,
    "CLOSE_FAILED": 0x0100,
    "DISCONNECTED": 0x0200,
    "MONITOR_STOPPED": 0x0400,
    "HANDSHAKE_FAILED_NO_DETAIL": 0x0800,
    "HANDSHAKE_SUCCEEDED": 0x1000,
    "HANDSHAKE_FAILED_PROTOCOL": 0x2000,
    "HANDSHAKE_FAILED_AUTH": 0x4000,
}
EVENT_NAMES = {number: name for name, number in EVENT_NUMBERS.items()}

# Events whose value is compared: error codes, ZAP status codes, the retry
# interval. The others carry a file descriptor (or nothing) and may differ.
VALUE_EVENTS = {
    EVENT_NUMBERS[name] for name in (
        "CONNECT_RETRIED", "BIND_FAILED", "ACCEPT_FAILED", "CLOSE_FAILED",
        "HANDSHAKE_FAILED_NO_DETAIL", "HANDSHAKE_FAILED_PROTOCOL", "HANDSHAKE_FAILED_AUTH",
    )
}
ENDPOINT_PLACEHOLDER = "<endpoint>"


def normalise(seq, endpoints):
    """(event, value or None, endpoint) tuples; link endpoints replaced."""
    out = []
    for item in seq:
        if not isinstance(item, list) or len(item) != 3:
            out.append(("malformed", repr(item)[:80], ""))
            continue
        event, value, endpoint = item
        for ep in endpoints:
            endpoint = endpoint.replace(ep, ENDPOINT_PLACEHOLDER)
        out.append((event, value if event in VALUE_EVENTS else None, endpoint))
    return out


def describe(seq):
    parts = []
    for event, value, endpoint in seq:
        name = EVENT_NAMES.get(event, str(event))
        parts.append(name + ("(%s)" % value if value is not None else "") + " " + endpoint)
    return "[" + ", ".join(parts) + "]"


def compare(first_label, first, second_label, second):
    """None when the sequences match, else both sequences and the first difference."""
    if first == second:
        return None
    where = next((i for i, (a, b) in enumerate(zip(first, second)) if a != b),
                 min(len(first), len(second)))
    return "event sequences differ at #%d: %s %s; %s %s" % (
        where, first_label, describe(first), second_label, describe(second))
