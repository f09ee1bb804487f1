"""The order in which agents were rung under each strategy, on the busy morning of
tests/test_emulator_agents.py (2 lines, 4 agents, calls faster than they are
answered), from the emulated clock: `.venv/bin/python scripts/ring_order.py`.
One table row per strategy: t_s:ext/call for every ext_ring, connects, queue joins."""
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "support"), os.path.join(ROOT, "tests")]

import test_emulator_agents as T   # noqa: E402
from emuhelp import emulate, of     # noqa: E402


def main():
    tmp = tempfile.mkdtemp()
    print("| strategy | rung (s:ext/call) | connected | queued |")
    print("|---|---|---|---|")
    for s in T.STRATEGIES:
        code, ev, err = emulate(T.config(strategy=s), T.busy_day(), "micropython", tmp)
        if code:
            sys.exit(err)
        rings = " ".join("%d:%s/c%d" % (e["t_ms"] // 1000, e["ext"], e["call"]) for e in of(ev, "ext_ring"))
        print("| `%s` | %s | %d | %d |" % (s, rings, len(of(ev, "connect")), len(of(ev, "queue"))))


if __name__ == "__main__":
    main()
