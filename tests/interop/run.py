#!/usr/bin/env python3
"""Interop harness: runs the cell matrix between two peer programs.

    run.py [--ours CMD] [--theirs CMD] [--jobs N] [--filter TEXT ...]
           [--transport tcp4|tcp6|ipc ...] [--list] [--verbose]

"ours" and "theirs" are peer programs implementing PROTOCOL.md. By default
theirs is pyzmq (tests/interop/peer.py in $REPO/.venv-interop) and ours is the
same program (a libzmq-vs-libzmq self-test). Only the standard library is used
here; the peers carry the ZeroMQ implementations.

Prints the matrix (rows: pair/feature; columns: transport x who binds), then
"skipped: N not implemented, N not available" and, as its last line,
"N passed, N failed, N skipped" (skipped = not implemented + not available).
Exit status 1 if any cell failed.
"""

import argparse
import json
import os
import queue
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import cells  # noqa: E402
import run_multi  # noqa: E402

TRANSPORTS = ("tcp4", "tcp6", "ipc", "ws")
# Run unless --transport names others; ws runs on request (ci.sh runs it
# over a subset of rows, to keep CI short).
DEFAULT_TRANSPORTS = ("tcp4", "tcp6", "ipc")
DIRECTIONS = ("ours-bind", "theirs-bind")
PASS, FAIL, NOT_IMPL, NOT_AVAIL = "pass", "FAIL", "n/i", "n/a"
READY_TIMEOUT_S = 10.0
STDERR_TAIL = 800


# ------------------------------------------------------------ peer programs

@dataclass
class Program:
    side: str  # "ours" / "theirs"
    argv: list
    caps: dict


def load_program(side, cmd):
    argv = shlex.split(cmd)
    try:
        out = subprocess.run(argv + ["--capabilities"], capture_output=True, text=True,
                             timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        sys.exit("cannot run %s peer %r: %s" % (side, cmd, e))
    if out.returncode != 0:
        sys.exit("%s peer %r --capabilities failed (%d): %s" % (side, cmd, out.returncode,
                                                               out.stderr.strip()))
    try:
        caps = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as e:
        sys.exit("%s peer %r printed no capabilities JSON: %s" % (side, cmd, e))
    return Program(side, argv, caps)


def missing_capabilities(caps, spec, transport):
    """What `spec` on `transport` needs that `caps` does not declare."""
    if spec.get("role") == "proxy":
        missing = [] if "proxy" in caps.get("roles", []) else ["role proxy"]
        for key in ("frontend", "backend"):
            missing += missing_capabilities(caps, dict(spec[key], steps=[]), transport)
        return sorted(set(missing))
    missing = []
    if spec["socket"] not in caps.get("sockets", []):
        missing.append("socket " + spec["socket"])
    scheme = {"ipc": "ipc", "ws": "ws"}.get(transport, "tcp")
    if scheme not in caps.get("transports", []):
        missing.append("transport " + scheme)
    if transport == "tcp6" and not caps.get("ipv6"):
        missing.append("ipv6")
    for name in spec.get("options", {}):
        if name not in caps.get("options", []):
            missing.append("option " + name)
    for step in spec.get("steps", []):
        if step["op"] not in caps.get("ops", []):
            missing.append("op " + step["op"])
    return sorted(set(missing))


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# ------------------------------------------------------------ one cell

@dataclass
class Cell:
    index: int
    row: cells.Row
    transport: str
    direction: str


@dataclass
class Result:
    status: str
    detail: str = ""
    seconds: float = 0.0


class RunningPeer:
    """One peer process with a reader thread feeding the cell's event queue."""

    def __init__(self, label, program, spec, workdir, events):
        self.label = label
        self.program = program
        self.spec = spec
        self.ready = None  # list of endpoints once READY is seen
        self.final = None  # "OK" / "FAIL ..." / "UNSUPPORTED ..."
        self.events = None  # the list of an `EVENTS` line (record_events)
        self.exit_code = None
        self.last_lines = []
        path = os.path.join(workdir, label + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(spec, f)
        self.stderr_path = os.path.join(workdir, label + ".stderr")
        self.stderr = open(self.stderr_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            program.argv + ["--spec-file", path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            text=True, bufsize=1, start_new_session=True,
        )
        t = threading.Thread(target=self._read, args=(events,), daemon=True)
        t.start()

    def _read(self, events):
        for line in self.proc.stdout:
            events.put((self, line.rstrip("\n")))
        events.put((self, None))

    @property
    def done(self):
        return self.exit_code is not None

    def go(self, name):
        if self.done:
            return
        try:
            self.proc.stdin.write("GO %s\n" % name)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self.stderr.close()

    def stderr_tail(self):
        try:
            with open(self.stderr_path, "r", encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            return ""
        return text[-STDERR_TAIL:].strip()

    def describe(self):
        state = self.final or ("exit %s" % self.exit_code if self.done else "still running")
        return "%s: %s" % (self.label, state)


class CellRun:
    def __init__(self, cell, ours, theirs, ipc_dir, scale):
        self.cell = cell
        self.programs = {"ours": ours, "theirs": theirs}
        self.ipc_dir = ipc_dir
        self.deadline = time.monotonic() + cell.row.timeout_s * scale
        self.events = queue.Queue()
        self.peers = []
        self.workdir = tempfile.mkdtemp(prefix="cell%d-" % cell.index, dir=ipc_dir)

    def bind_endpoint(self, link=None):
        """A fresh bind endpoint of the cell's transport (`link`: which one
        of a multi-peer cell's connections, for distinct ipc paths)."""
        if self.cell.transport == "tcp4":
            return "tcp://127.0.0.1:*"
        if self.cell.transport == "tcp6":
            return "tcp://[::1]:*"
        if self.cell.transport == "ws":
            return "ws://127.0.0.1:*/interop"
        suffix = "" if link is None else "-%d" % link
        return "ipc://%s/%d%s.ipc" % (self.ipc_dir, self.cell.index, suffix)

    def start(self, label, side, spec):
        peer = RunningPeer(label, self.programs[side], spec, self.workdir, self.events)
        self.peers.append(peer)
        return peer

    def pump(self, until):
        """Handle peer output until `until()` holds, a peer fails, or time is up.
        Returns None when `until()` holds, else a failure description."""
        while not until():
            bad = [p for p in self.peers if p.done and p.final != "OK"]
            if bad:
                return self.failure_text(bad)
            left = self.deadline - time.monotonic()
            if left <= 0:
                running = [p for p in self.peers if not p.done]
                return "timeout after %.0fs; %s%s" % (
                    self.cell.row.timeout_s, "; ".join(p.describe() for p in self.peers),
                    "".join(" | %s stderr: %s" % (p.label, p.stderr_tail().replace("\n", " / "))
                            for p in running if p.stderr_tail()))
            try:
                peer, line = self.events.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            self.handle(peer, line)
        return None

    def handle(self, peer, line):
        if line is None:
            try:
                peer.exit_code = peer.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                peer.kill()
                peer.exit_code = -1
            if peer.final is None:
                peer.final = "exited (%s) without status" % peer.exit_code
            elif peer.final == "OK" and peer.exit_code != 0:
                peer.final = "printed OK but exited %s" % peer.exit_code
            return
        peer.last_lines = (peer.last_lines + [line])[-5:]
        word, _, rest = line.partition(" ")
        if word == "READY":
            peer.ready = rest.split()
        elif word == "SIGNAL":
            for other in self.peers:
                if other is not peer:
                    other.go(rest.strip())
        elif word == "EVENTS":
            try:
                peer.events = json.loads(rest)
            except ValueError:
                peer.events = ["unreadable EVENTS line: " + rest[:200]]
        elif word in ("OK", "FAIL", "UNSUPPORTED"):
            peer.final = line

    def failure_text(self, bad):
        parts = []
        for p in bad:
            text = p.describe()
            tail = p.stderr_tail()
            if tail:
                text += " | stderr: " + tail.replace("\n", " / ")
            parts.append(text)
        return "; ".join(parts)

    def run(self):
        row, ours_binds = self.cell.row, self.cell.direction == "ours-bind"
        scenario = row.build(ours_binds)
        if scenario.nodes:
            kind, text = run_multi.run_nodes(self, scenario, ours_binds, missing_capabilities)
            return Result(NOT_IMPL, text) if kind == NOT_IMPL else self.verdict(text)
        specs = {"ours": scenario.ours, "theirs": scenario.theirs}
        binder_side, connector_side = ("ours", "theirs") if ours_binds else ("theirs", "ours")
        extra = {"ipv6": True} if self.cell.transport == "tcp6" else {}
        for s in [scenario.ours, scenario.theirs, scenario.restart]:
            if s is not None:
                s["options"] = dict(s.get("options", {}), **extra)
        to_check = [("ours", scenario.ours), ("theirs", scenario.theirs)]
        if scenario.restart is not None:
            to_check.append((binder_side, scenario.restart))
        missing = []
        for side, s in to_check:
            missing += ["%s: %s" % (side, m) for m in
                        missing_capabilities(self.programs[side].caps, s, self.cell.transport)]
        if missing:
            return Result(NOT_IMPL, ", ".join(sorted(set(missing))))

        binder_spec = dict(specs[binder_side], bind=[self.bind_endpoint()])
        binder = self.start("%s-binder" % binder_side, binder_side, binder_spec)
        err = self.pump(lambda: binder.ready is not None)
        if err:
            return self.verdict(err)
        if not binder.ready:
            return self.verdict("binder reported no endpoint")
        endpoint = binder.ready[0]
        connector_spec = dict(specs[connector_side], connect=[endpoint])
        self.start("%s-connector" % connector_side, connector_side, connector_spec)

        if scenario.restart is not None:
            err = self.pump(lambda: binder.done)
            if err:
                return self.verdict(err)
            spec2 = dict(scenario.restart, bind=[endpoint])
            binder2 = self.start("%s-binder-restarted" % binder_side, binder_side, spec2)
            err = self.pump(lambda: binder2.ready is not None)
            if err:
                return self.verdict(err)
            for p in self.peers:
                p.go(scenario.restart_go)
        err = self.pump(lambda: all(p.done for p in self.peers))
        return self.verdict(err)

    def verdict(self, err):
        if err is None:
            return Result(PASS)
        unsupported = [p for p in self.peers if (p.final or "").startswith("UNSUPPORTED")]
        if unsupported:
            # The capability check passed, so the peer claimed support: a failure.
            err = "peer claimed a capability it then reported UNSUPPORTED: " + err
        return Result(FAIL, err)

    def cleanup(self):
        for p in self.peers:
            p.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def run_cell(cell, ours, theirs, ipc_dir, scale, have_ipv6):
    if cell.transport == "tcp6" and not have_ipv6:
        return Result(NOT_AVAIL, "::1 cannot be bound")
    start = time.monotonic()
    run = CellRun(cell, ours, theirs, ipc_dir, scale)
    try:
        result = run.run()
    except Exception as e:  # harness bug: report it in the cell, keep going
        result = Result(FAIL, "harness error: %s: %s" % (type(e).__name__, e))
    finally:
        run.cleanup()
    known = cell.row.known_difference and cell.row.known_difference(cell.transport,
                                                                    cell.direction)
    if result.status == FAIL and known:
        result = Result(NOT_IMPL, "known difference: %s | %s" % (known, result.detail))
    result.seconds = time.monotonic() - start
    return result


# ------------------------------------------------------------ report

def column_name(transport, direction):
    return "%s %s" % (transport, direction)


def print_matrix(rows, transports, results, out):
    cols = [(t, d) for t in transports for d in DIRECTIONS]
    name_w = max(len(r.name) for r in rows) + 2
    col_w = max(len(column_name(t, d)) for t, d in cols) + 2
    header = "%-*s" % (name_w, "pair / feature") + "".join(
        "%-*s" % (col_w, column_name(t, d)) for t, d in cols)
    out.write(header.rstrip() + "\n")
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            out.write("[%s]\n" % group)
        line = "%-*s" % (name_w, r.name)
        for t, d in cols:
            res = results.get((r.name, t, d))
            line += "%-*s" % (col_w, res.status if res else "-")
        out.write(line.rstrip() + "\n")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_theirs = "%s %s" % (shlex.quote(os.path.join(REPO, ".venv-interop", "bin", "python")),
                                shlex.quote(os.path.join(HERE, "peer.py")))
    p.add_argument("--ours", default=os.environ.get("INTEROP_OURS"),
                   help="command of our peer program (default: $INTEROP_OURS, else --theirs)")
    p.add_argument("--theirs", default=os.environ.get("INTEROP_THEIRS", default_theirs),
                   help="command of the libzmq peer program (default: pyzmq peer.py)")
    p.add_argument("--jobs", type=int, default=2, help="cells run at once (default 2)")
    p.add_argument("--filter", action="append", default=[],
                   help="only rows whose group or name contains TEXT (repeatable)")
    p.add_argument("--transport", action="append", choices=TRANSPORTS,
                   help="only these transports (repeatable)")
    p.add_argument("--timeout-scale", type=float, default=1.0,
                   help="multiply every per-cell timeout (slow machines)")
    p.add_argument("--list", action="store_true", help="list the cells and exit")
    p.add_argument("--verbose", action="store_true", help="print each cell as it finishes")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    rows = cells.all_rows()
    if args.filter:
        rows = [r for r in rows if any(f in r.group or f in r.name for f in args.filter)]
    transports = [t for t in TRANSPORTS
                  if (t in args.transport if args.transport else t in DEFAULT_TRANSPORTS)]
    cell_list = []
    for r in rows:
        for t in transports:
            for d in DIRECTIONS:
                cell_list.append(Cell(len(cell_list), r, t, d))
    if args.list:
        for c in cell_list:
            print("%-10s %-55s %-5s %s" % (c.row.group, c.row.name, c.transport, c.direction))
        print("%d cells" % len(cell_list))
        return 0
    if not cell_list:
        sys.exit("no cells selected")

    theirs = load_program("theirs", args.theirs)
    ours = load_program("ours", args.ours) if args.ours else Program(
        "ours", theirs.argv, theirs.caps)
    print("ours:   %s  (%s)" % (" ".join(ours.argv), ours.caps.get("name", "?")))
    print("theirs: %s  (%s)" % (" ".join(theirs.argv), theirs.caps.get("name", "?")))
    if not args.ours:
        print("note: no --ours given: self-test, libzmq on both sides")
    have_ipv6 = ipv6_available()
    print("%d cells, %d at a time%s" % (len(cell_list), args.jobs,
                                         "" if have_ipv6 else "; IPv6 loopback not available"))
    sys.stdout.flush()

    ipc_dir = tempfile.mkdtemp(prefix="zi-")
    results = {}
    lock = threading.Lock()
    started = time.monotonic()

    def one(cell):
        res = run_cell(cell, ours, theirs, ipc_dir, args.timeout_scale, have_ipv6)
        with lock:
            results[(cell.row.name, cell.transport, cell.direction)] = res
            if args.verbose or res.status == FAIL:
                print("%-4s %5.2fs %s | %s %s%s" % (
                    res.status, res.seconds, cell.row.name, cell.transport, cell.direction,
                    (" | " + res.detail) if res.status == FAIL else ""), flush=True)
        return res

    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(one, cell_list))
    finally:
        shutil.rmtree(ipc_dir, ignore_errors=True)
    elapsed = time.monotonic() - started

    print()
    print_matrix(rows, transports, results, sys.stdout)
    print("legend: pass | FAIL | n/i = not implemented by a peer | n/a = not available here")
    print("columns: <transport> ours-bind = our peer binds, libzmq connects; "
          "theirs-bind = the reverse")
    counts = {s: 0 for s in (PASS, FAIL, NOT_IMPL, NOT_AVAIL)}
    for res in results.values():
        counts[res.status] += 1
    not_impl = sorted({"%s (%s)" % (k[0], res.detail) for k, res in results.items()
                       if res.status == NOT_IMPL})
    if not_impl:
        print("not implemented:")
        for line in not_impl:
            print("  " + line)
    failures = [(k, r) for k, r in results.items() if r.status == FAIL]
    if failures:
        print("failures:")
        for (name, t, d), r in sorted(failures):
            print("  %s | %s %s | %s" % (name, t, d, r.detail))
    print("runtime %.1fs" % elapsed)
    # The last line is the plain form CI reads; the line before breaks "skipped" down.
    print("skipped: %d not implemented, %d not available" % (counts[NOT_IMPL],
                                                             counts[NOT_AVAIL]))
    print("%d passed, %d failed, %d skipped" % (counts[PASS], counts[FAIL],
                                                counts[NOT_IMPL] + counts[NOT_AVAIL]))
    return 1 if counts[FAIL] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
