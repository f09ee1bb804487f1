"""The firmware's instructions over one of emu_digest's runs, by callgrind (a count
the machine's load does not move, unlike its CPU seconds: docs/notes/soak.md).

  PYTHONPATH=. .venv/bin/python -m bench.emu_callgrind demo|long|start OUT [--wrapper]

Runs the firmware's process under `valgrind --tool=callgrind` (its output in OUT,
for callgrind_annotate) and prints the total. --wrapper: the engine started as
its PyPI console script (as main did before runner._launch), not directly.
The link's timeout is raised: under valgrind a block takes ~50 times longer.
"""
import re
import subprocess
import sys

from bench import emu_digest
from ringroute import paths
from ringroute.emu import runner


def main():
    which, out = sys.argv[1], sys.argv[2]
    grind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
    if "--wrapper" in sys.argv:
        plain = paths.engine_command
        runner.paths.engine_command = lambda engine, heapsize=None: grind + plain(engine, heapsize)
    else:
        launch = runner._launch
        runner._launch = lambda cmd: grind + launch(cmd)
    runner.LINK_TIMEOUT_S = 600
    emu = emu_digest._make(which, True)
    emu.run()
    p = subprocess.run(["callgrind_annotate", out], capture_output=True, text=True)
    m = re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", p.stdout)
    print("%s: frames %d, firmware instructions %s, sha1 %s" % (
        which, emu.frames, m.group(1) if m else "?", emu_digest.digest(emu.events)))


if __name__ == "__main__":
    main()
