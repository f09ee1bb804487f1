"""`make bench`: runs every bench/bench_*.py module's main(), in name order.

Benchmarks measure speed and memory; tests never time anything.
"""
import importlib
import os
import sys
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    names = sorted(f[:-3] for f in os.listdir(here) if f.startswith("bench_") and f.endswith(".py"))
    only = sys.argv[1:]
    failed = 0
    for name in names:
        if only and not any(o in name for o in only):
            continue
        print("== %s" % name, flush=True)
        t0 = time.time()
        mod = importlib.import_module("bench." + name)
        try:
            mod.main()
        except Exception as e:  # one benchmark's failure must not hide the others
            failed += 1
            print("!! %s failed: %s: %s" % (name, type(e).__name__, e), flush=True)
        print("   (%.1f s)" % (time.time() - t0), flush=True)
    return 1 if failed else 0


sys.exit(main())
