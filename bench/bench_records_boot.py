"""What boot pays for the call records (issue 12): a full flash budget
(store/records.py: SEGMENTS segments of MAX_BYTES, connected calls of the
size core_cases._call has), then `Records()` as the App makes it at boot,
timed and its heap counted, under the 32-bit unix port (the board's object
sizes; engine mp32, the firmware as source) and CPython.

Two firmware trees are measured, the same records on the same flash:
  before   store/records.py as the m4 commit had it (every segment read at boot)
  after    this tree's (segments.idx: only the newest segment is read)

    python -m bench records_boot

Figures: ms per boot (the best of 5), segments read, and under micropython
the heap boot allocates (gc off: every byte any object took while it ran)
and keeps (after a collect, with the Records object alive); the probe runs
with a 256 MB heap so that the gc-off count fits.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEFORE = "0327b40"    # m4: main plus the outbound work, before this change

PROBE = r'''
import gc, sys, time
sys.path.insert(0, sys.argv[1])
from rrfw.store import records
import os
os.chdir(sys.argv[2])
best = None
for i in range(5):
    gc.collect()
    t0 = time.ticks_us() if hasattr(time, "ticks_us") else int(time.perf_counter() * 1e6)
    r = records.Records()
    t1 = time.ticks_us() if hasattr(time, "ticks_us") else int(time.perf_counter() * 1e6)
    d = (t1 - t0) / 1000.0
    best = d if best is None or d < best else best
alloc = kept = -1
if hasattr(gc, "mem_alloc"):
    r = None
    gc.collect()
    a0 = gc.mem_alloc()
    gc.disable()
    r = records.Records()
    alloc = gc.mem_alloc() - a0
    gc.enable()
    gc.collect()
    kept = gc.mem_alloc() - a0
print("%d %.1f %d %d %d" % (r.count, best, getattr(r, "scanned", len(r.segment_list())), alloc, kept))
'''


def _call(n):
    t = 25 * 86400000 + n * 60000
    return {"call": n, "line": 1, "utc": 1795392000 + n * 60, "ring_ms": t, "answer_ms": t + 6000, "rings": 2,
            "caller": "617555%04d" % (n % 10000), "caller_name": None, "caller_reason": None, "path": ["main"],
            "digits": "2", "target": "front", "ext": "101", "wait_ms": 7650, "connect_ms": t + 13650,
            "route_ms": t + 7640, "talk_ms": 184190, "end_ms": t + 197840, "release": "caller_hangup",
            "method": "cpc", "outcome": "connected", "dtmf_lost": 0}


def _tree(tmp, name, records_src):
    d = os.path.join(tmp, name)
    shutil.copytree(os.path.join(ROOT, "firmware", "rrfw"), os.path.join(d, "rrfw"))
    with open(os.path.join(d, "rrfw", "store", "records.py"), "w") as f:
        f.write(records_src)
    return d


def main():
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    sys.path.insert(0, os.path.join(ROOT, "host_tools"))
    from rrfw.store import records
    from ringroute import paths
    tmp = tempfile.mkdtemp(prefix="rr-recboot-")
    flash = os.path.join(tmp, "flash")
    os.makedirs(flash)
    cwd = os.getcwd()
    os.chdir(flash)
    try:
        r = records.Records()
        n = 1
        while len(r.segment_list()) < records.SEGMENTS or r.segment_list()[-1][1] < records.MAX_BYTES - 200:
            r.append(_call(n))
            n += 1
        print("flash: %d records in %d segments, %d bytes" % (r.count, len(r.segment_list()), r.bytes_on_flash()))
    finally:
        os.chdir(cwd)
    old = subprocess.run(["git", "show", "%s:firmware/rrfw/store/records.py" % BEFORE], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    with open(os.path.join(ROOT, "firmware", "rrfw", "store", "records.py")) as f:
        new = f.read()
    probe = os.path.join(tmp, "probe.py")
    with open(probe, "w") as f:
        f.write(PROBE)
    for label, src in (("before", old), ("after", new)):
        tree = _tree(tmp, label, src)
        if label == "after":
            records.Records(prefix=os.path.join(flash, "rec"))   # writes segments.idx (the board's first boot does)
        for engine in ("mp32", "cpython"):
            cmd = paths.engine_command(engine, heapsize="256M" if engine != "cpython" else None)
            env = dict(os.environ, MICROPYPATH=tree + ":.frozen") if engine != "cpython" else dict(os.environ)
            p = subprocess.run(cmd + [probe, tree, flash], capture_output=True, text=True, env=env, timeout=600)
            if p.returncode:
                raise RuntimeError("%s %s: %s" % (label, engine, p.stderr.strip()[-400:]))
            count, ms, scanned, alloc, kept = p.stdout.split()
            heap = "" if int(alloc) < 0 else ", heap allocated %.1f KB, kept %.1f KB" % (
                int(alloc) / 1024.0, int(kept) / 1024.0)
            print("%-6s %-7s %s records: boot %s ms, %s segment(s) read%s" % (
                label, engine, count, ms, scanned, heap))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
