"""What a `transfer` section costs in heap, under the real micropython (unix port):
the App for tests/data/basic.json on two lines, without and with `transfer: {}`.
`.venv/bin/python scripts/transfer_heap.py` prints the bytes (gc.mem_alloc after
a collect): the App without, the App with (first: hookflash.py and transfer.py
imported then too), and with again (the detector, the flows and their tones alone)."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "support"), os.path.join(ROOT, "host_tools")]

import casetest                     # noqa: E402
from ringroute import paths         # noqa: E402

PROBE = """
import gc, sys
from rrfw.call import app as app_mod
from standin_hal import StandInHal, board_dir
def cost(p, work):
    cfg = board_dir(p, work)
    gc.collect()
    before = gc.mem_alloc()
    a = app_mod.App(StandInHal(), cfg)
    gc.collect()
    return gc.mem_alloc() - before
cost(sys.argv[1], sys.argv[3])
print(cost(sys.argv[1], sys.argv[3]), cost(sys.argv[2], sys.argv[3]), cost(sys.argv[2], sys.argv[3]))
"""


def main():
    tmp = tempfile.mkdtemp()
    with open(os.path.join(ROOT, "tests", "data", "basic.json")) as f:
        cfg = json.load(f)
    cfg["lines"] = cfg["lines"] * 2
    paths_ = []
    for i, extra in enumerate(({}, {"transfer": {}})):
        c = dict(cfg, **extra)
        p = os.path.join(tmp, "cfg%d.json" % i)
        with open(p, "w") as f:
            json.dump(c, f)
        paths_.append(p)
    probe = os.path.join(tmp, "probe.py")
    with open(probe, "w") as f:
        f.write(PROBE)
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    out = subprocess.run(paths.engine_command("micropython") + [probe, paths_[0], paths_[1], work],
                         capture_output=True, text=True, env=casetest.micropython_env(), check=True).stdout
    n0, n1, n2 = (int(x) for x in out.split())
    print("App without transfer: %d B; with (modules imported too): %d B (+%d); with, modules in: %d B (+%d)"
          % (n0, n1, n1 - n0, n2, n2 - n0))


if __name__ == "__main__":
    main()
