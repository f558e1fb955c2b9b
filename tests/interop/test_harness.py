"""Self-tests of the harness: failures, timeouts and missing capabilities are
reported as such, never as passes. Needs the venv from setup.sh.

    .venv-interop/bin/python -m unittest tests/interop/test_harness.py
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VENV_PY = os.path.join(REPO, ".venv-interop", "bin", "python")
PEER = os.path.join(HERE, "peer.py")
RUN = os.path.join(HERE, "run.py")

# A peer wrapping peer.py; FAKE_MODE selects a misbehaviour.
FAKE_PEER = textwrap.dedent("""
    import json, os, subprocess, sys, time
    real = [sys.executable, %(peer)r]
    mode = os.environ["FAKE_MODE"]
    if sys.argv[1:] == ["--capabilities"]:
        caps = json.loads(subprocess.check_output(real + ["--capabilities"]))
        if mode == "limited":
            caps["sockets"] = ["PUSH", "PULL"]
            caps["ops"] = [o for o in caps["ops"] if o != "wait_disconnect"]
        print(json.dumps(caps))
        sys.exit(0)
    if mode == "fail":
        print("FAIL injected", flush=True)
        sys.exit(1)
    if mode == "hang":
        print("READY tcp://127.0.0.1:9", flush=True)
        time.sleep(600)
    if mode == "unsupported":
        print("UNSUPPORTED everything", flush=True)
        sys.exit(3)
    os.execv(real[0], real + sys.argv[1:])
""")


@unittest.skipUnless(os.path.exists(VENV_PY), "run tests/interop/setup.sh first")
class HarnessTest(unittest.TestCase):
    def run_harness(self, mode, *args):
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "fake_peer.py")
            with open(fake, "w", encoding="utf-8") as f:
                f.write(FAKE_PEER % {"peer": PEER})
            env = dict(os.environ, FAKE_MODE=mode)
            out = subprocess.run(
                [sys.executable, RUN, "--ours", "%s %s" % (VENV_PY, fake),
                 "--theirs", "%s %s" % (VENV_PY, PEER), "--transport", "tcp4"] + list(args),
                capture_output=True, text=True, env=env, timeout=120, check=False)
        last = out.stdout.strip().splitlines()[-1]
        return out.returncode, last, out.stdout

    def test_self_pass(self):
        code, last, _ = self.run_harness("passthrough", "--filter", "PUSH/PULL single")
        self.assertEqual((code, last), (0, "2 passed, 0 failed, 0 skipped"))

    def test_failing_peer_fails_cells(self):
        code, last, text = self.run_harness("fail", "--filter", "PUSH/PULL single")
        self.assertEqual((code, last), (1, "0 passed, 2 failed, 0 skipped"))
        self.assertIn("FAIL injected", text)

    def test_hanging_peer_times_out_and_is_killed(self):
        code, last, text = self.run_harness(
            "hang", "--filter", "PUSH/PULL single", "--timeout-scale", "0.1")
        self.assertEqual((code, last), (1, "0 passed, 2 failed, 0 skipped"))
        self.assertIn("timeout", text)

    def test_missing_capability_is_not_implemented(self):
        code, last, text = self.run_harness("limited", "--filter", "single",
                                            "--filter", "maxmsgsize")
        self.assertEqual(code, 0, text)
        # 21 basic "single" rows and 2 maxmsgsize rows, 2 tcp4 cells each.
        # Runnable: PUSH/PULL and PULL/PUSH single; the rest need DEALER etc.
        # or wait_disconnect.
        self.assertEqual(last, "4 passed, 0 failed, 42 skipped")
        self.assertIn("\nskipped: 42 not implemented, 0 not available\n", text)
        self.assertIn("ours: socket DEALER", text)
        self.assertIn("ours: op wait_disconnect", text)

    def test_unsupported_after_claiming_support_fails(self):
        code, last, text = self.run_harness("unsupported", "--filter", "PUSH/PULL single")
        self.assertEqual((code, last), (1, "0 passed, 2 failed, 0 skipped"))
        self.assertIn("claimed a capability", text)

    def test_list(self):
        out = subprocess.run([sys.executable, RUN, "--list"], capture_output=True, text=True,
                             timeout=60, check=True)
        cells = [l for l in out.stdout.splitlines() if l.strip() and not l.endswith(" cells")]
        self.assertEqual(out.stdout.strip().splitlines()[-1], "%d cells" % len(cells))
        self.assertEqual(len(cells) % 6, 0)


class PeerTest(unittest.TestCase):
    """peer.py itself."""

    @unittest.skipUnless(os.path.exists(VENV_PY), "run tests/interop/setup.sh first")
    def test_peer_rejects_bad_spec(self):
        out = subprocess.run([VENV_PY, PEER, "--spec", json.dumps({"socket": "PAIR",
                                                                   "steps": [{"op": "send"}]})],
                             capture_output=True, text=True, timeout=30, check=False)
        self.assertEqual(out.returncode, 2, out.stdout)
        self.assertTrue(out.stdout.strip().splitlines()[-1].startswith("FAIL bad spec"))


if __name__ == "__main__":
    unittest.main()
