"""The `zap_handler` option of peer.py: a pyzmq ThreadAuthenticator."""

import zmq


class CurveKeys:
    """pyzmq credentials provider: the allowed Z85 client keys, or any key."""

    def __init__(self, keys, allow_any):
        self.keys = set(k.encode("ascii") for k in keys)
        self.allow_any = allow_any

    def callback(self, domain, key):
        return self.allow_any or key in self.keys


def start_zap_handler(ctx, policy):
    """A ThreadAuthenticator in `ctx` with the spec's `zap_handler` policy."""
    from zmq.auth.thread import ThreadAuthenticator

    if not isinstance(policy, dict):
        raise ValueError("zap_handler must be an object")
    auth = ThreadAuthenticator(ctx)
    auth.start()
    if policy.get("deny"):
        auth.deny(*policy["deny"])
    passwords = policy.get("plain", {})
    curve = CurveKeys(policy.get("curve", []), bool(policy.get("curve_any")))
    # A request without a ZAP domain is looked up as "*"; cover named ones too.
    for domain in ["*"] + list(policy.get("domains", [])):
        auth.configure_plain(domain, dict(passwords))
        auth.configure_curve_callback(domain, curve)
    return auth
