"""Multi-peer cells: three or more peer processes wired by links.

A Scenario with `nodes` (cells.Node) and `links` (cells.Link) is run here
instead of the two-peer path of run.py:

1. Every link gets a binding end (the end on the side the column names;
   see cells.Link) and a fresh endpoint of the cell's transport.
2. Nodes start in list order as soon as every endpoint they connect to is
   known; a started node's `READY` line resolves the endpoints it bound (a
   proxy prints its frontend's binds, then its backend's).
3. Signals go to every other live peer (as in two-peer cells); the cell
   passes when every node exits OK and, with `compare_events`, the two
   nodes' `EVENTS` sequences match (see events.compare).
"""

import events


def socket_spec(spec, socket):
    """The socket-level spec of one link end (`socket` None: the node's own)."""
    return spec if socket is None else spec[socket]


def socket_specs(spec):
    """(socket key, socket spec) of every socket of a node, in READY order."""
    if spec.get("role") == "proxy":
        return [("frontend", spec["frontend"]), ("backend", spec["backend"])]
    return [(None, spec)]


def binder_end(link, sides, ours_binds):
    """(binding end, connecting end) of a link in this column."""
    want = "ours" if ours_binds else "theirs"
    side_a, side_b = sides[link.a[0]], sides[link.b[0]]
    if side_a != side_b:
        return (link.a, link.b) if side_a == want else (link.b, link.a)
    return (link.a, link.b) if ours_binds else (link.b, link.a)


def plan(run, scenario, ours_binds, missing_capabilities):
    """Copies of the node specs with bind endpoints set, and per node the
    links it connects (link index, socket key) and the links its READY
    line resolves, in order; plus what the peers lack."""
    sides = {n.label: n.side for n in scenario.nodes}
    specs = {}
    for node in scenario.nodes:
        spec = dict(node.spec)
        for key, _ in socket_specs(node.spec):
            if key is not None:
                spec[key] = dict(spec[key])
        specs[node.label] = spec
    extra = {"ipv6": True} if run.cell.transport == "tcp6" else {}
    for spec in specs.values():
        for _, sock in socket_specs(spec):
            sock["options"] = dict(sock.get("options", {}), **extra)
            sock["bind"], sock["connect"] = [], []
    connects = {n.label: [] for n in scenario.nodes}
    binders = {}  # link index -> (node label, socket key)
    for index, link in enumerate(scenario.links):
        (b_label, b_key), (c_label, c_key) = binder_end(link, sides, ours_binds)
        socket_spec(specs[b_label], b_key)["bind"].append(run.bind_endpoint(index))
        binders[index] = (b_label, b_key)
        connects[c_label].append((index, c_key))
    ready_order = {}
    for node in scenario.nodes:
        order = []
        for key, _ in socket_specs(specs[node.label]):
            order += [i for i, end in sorted(binders.items()) if end == (node.label, key)]
        ready_order[node.label] = order
    missing = []
    for node in scenario.nodes:
        for m in missing_capabilities(run.programs[node.side].caps, specs[node.label],
                                      run.cell.transport):
            missing.append("%s: %s" % (node.side, m))
    return specs, connects, ready_order, sorted(set(missing))


def run_nodes(run, scenario, ours_binds, missing_capabilities):
    """Runs a multi-peer cell on `run` (a run.CellRun).

    Returns ("n/i", what is missing) or ("verdict", None or the failure)."""
    specs, connects, ready_order, missing = plan(run, scenario, ours_binds,
                                                 missing_capabilities)
    if missing:
        return "n/i", ", ".join(missing)
    resolved = {}  # link index -> endpoint
    started = {}  # node label -> RunningPeer
    waiting = list(scenario.nodes)
    while waiting:
        startable = [n for n in waiting
                     if all(i in resolved for i, _ in connects[n.label])]
        if not startable:
            return "verdict", "harness: no node can start (links form a cycle)"
        node = startable[0]
        waiting.remove(node)
        spec = specs[node.label]
        for index, key in connects[node.label]:
            socket_spec(spec, key)["connect"].append(resolved[index])
        peer = run.start(node.label, node.side, spec)
        started[node.label] = peer
        err = run.pump(lambda p=peer: p.ready is not None)
        if err:
            return "verdict", err
        order = ready_order[node.label]
        if len(peer.ready) < len(order):
            return "verdict", "%s reported %d endpoints, expected %d" % (
                node.label, len(peer.ready), len(order))
        for index, endpoint in zip(order, peer.ready):
            resolved[index] = endpoint
    err = run.pump(lambda: all(p.done for p in run.peers))
    if err is None and scenario.compare_events:
        err = compare_nodes(scenario, started, resolved)
    return "verdict", err


def compare_nodes(scenario, started, resolved):
    """None if the two nodes' event sequences match, else the difference."""
    first, second = scenario.compare_events
    seqs = []
    for label in (first, second):
        peer = started[label]
        if peer.events is None:
            return "%s printed no EVENTS line" % label
        node_links = [i for i, link in enumerate(scenario.links)
                      if label in (link.a[0], link.b[0])]
        seq = events.normalise(peer.events, [resolved[i] for i in node_links])
        optional = {events.EVENT_NUMBERS[name] for name in scenario.optional_events}
        seqs.append([item for item in seq if item[0] not in optional])
    return events.compare(first, seqs[0], second, seqs[1])
