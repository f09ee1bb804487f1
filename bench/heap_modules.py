# What each firmware module's import keeps on the heap, and how long it takes
# (issue 14: module objects). Frozen bytecode is in flash, but the module's
# globals dict, its function objects and class dicts are made in RAM.
#   python -m bench.bench_heap --modules
# For every module of rrfw/manifest.py, under mp32-frozen, two fresh runs of
# this file: `deps NAME` prints the modules NAME's import brings with it;
# `cost NAME` reads the dependencies (DEP,DEP...) on stdin, imports those first,
# then NAME alone between two collections (bytes, gc.mem_alloc()), then times 20
# imports of NAME with its dependencies loaded (compat.unload between them; the
# median, microseconds). The list goes on stdin, not argv: the unix port makes
# each argument a qstr before any handler is set, and one of 256 bytes or more
# (rrfw.call.app's 21 dependencies) is "FATAL: uncaught NLR".
import gc
import sys


def live():
    gc.collect()
    gc.collect()
    return gc.mem_alloc()


def main(argv):
    name = argv[2]
    if argv[1] == "deps":
        before = set(sys.modules)
        __import__(name)
        print(" ".join(m for m in sys.modules if m not in before and m != name))
        return
    deps = sys.stdin.read().strip()
    for d in sorted(deps.split(",")) if deps else ():
        __import__(d)
    a = live()
    __import__(name)
    b = live()
    import time
    from rrfw.compat import unload
    ts = []
    for _ in range(20):
        unload(name)
        gc.collect()
        t0 = time.ticks_us()
        __import__(name)
        ts.append(time.ticks_diff(time.ticks_us(), t0))
    ts.sort()
    print("%s %d %d" % (name, b - a, ts[len(ts) // 2]))


main(sys.argv)
