"""The heap gate's scan from the command line (issue 14): the busy run
(tests/support/busytraffic.py) at each heap size of a band, or its live heap.

  python -m bench.heap_scan 60 72          # one run a size, two at a time: pass/fail, the first error
  python -m bench.heap_scan live           # live heap after gc: boot / peak / final (--heapstat)
  python -m bench.heap_scan oom 64         # --oomtrace at 64 KB: the first MemoryError, where and why
  python -m bench.heap_scan 60 72 -j 1     # one at a time (a loaded machine)

The scan is what tests/test_heap_gate.py's comment records; `python -m bench heap`
finds the band by itself.
"""
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "support"))

import busytraffic  # noqa: E402


def one(kb, engine="mp32-frozen"):
    t0 = time.time()
    res = busytraffic.run(engine, "%dK" % kb)
    return kb, res.ok, res.why, time.time() - t0


def live(engine="mp32-frozen"):
    res = busytraffic.run(engine, "1024K", extra_argv=("--heapstat",))
    return res.ok, res.why, busytraffic.heapstat(res)


def oom(kb, engine="mp32-frozen"):
    res = busytraffic.run(engine, "%dK" % kb, extra_argv=("--oomtrace",))
    lines = [ln for ln in res.emu.stderr.splitlines()] if res.emu else []
    return res.ok, res.why, lines


def main(argv):
    jobs = 2
    if "-j" in argv:
        k = argv.index("-j")
        jobs = int(argv[k + 1])
        argv = argv[:k] + argv[k + 2:]
    if argv and argv[0] == "live":
        ok, why, hs = live()
        print("live heap after gc, boot / peak / final: %s B (%s)" % (
            " / ".join(str(x) for x in hs[:3]) if hs else "none", why))
        return 0 if ok else 1
    if argv and argv[0] == "oom":
        ok, why, lines = oom(int(argv[1]))
        print("%s KB: %s" % (argv[1], why))
        for ln in lines[-40:]:
            print("  " + ln)
        return 0
    lo, hi = int(argv[0]), int(argv[1])
    with ThreadPoolExecutor(jobs) as ex:
        for kb, ok, why, dt in ex.map(one, range(lo, hi + 1)):
            print("%3d KB %s (%.0f s) %s" % (kb, "pass" if ok else "FAIL", dt, "" if ok else why[:240]),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
