"""The time of one firmware step per 10 ms block, as the board would run it
(issue 14: no late block on the board).

The busy run of bench_heap.py (15 simulated minutes of two-line traffic, 8
extensions, queueing, call-backs, records, a console monitor that logs in at
every boot) under the 32-bit build with the firmware frozen in (engine
mp32-frozen, the closest stand-in for the ESP32 here), with rremu/probe.py
--steptime timing every App.step(), each block's least time over three
runs of the same deterministic scenario (the machine is shared). Blocks are told apart by what they did:
  record   a record closed, and the blocks after it where store/records.py
           writes it a slice a block (encode, append, index, trim)
  prompt   a prompt started (call/player.py play(): its event, silence)
  open     the block after it, where the player opens the prompt's first
           file (the next fragments are opened ahead, a block of their own)
  pin      a slice of the console's PIN hash (store/pins.py, 64 rounds)
  gc       none of those, but a garbage collection ran in it (the firmware's
           own in a quiet block, main.py GcPolicy, or MicroPython's when an
           allocation found no room)
  other    everything else (calls, idle lines)
Collections that fell in a block with other work (an event, a record, a
prompt or its open, a PIN slice) are counted per run: each run's own (where the heap
fills depends on the console's timing, so not the same block in every run).
The intervals that span a boot of a new App (a power cut, a config switched
in) are not steps: counted, their worst shown, kept out of the table.
No ESP32 here: the board's figure is this machine's times the 30-50x
BOARD_SLOWDOWN (bench_heap.py), an estimate, never a measurement. What the
worst block leaves of the I2S buffering: rrfw/hal/esp32.py.

    .venv/bin/python -m bench steptime

Then the same table for the .mpy builds (mp32, not frozen, and the 64-bit
micropython), each in a 1 MB heap.
"""
import os
import statistics
import struct
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (os.path.join(ROOT, "tests", "support"), os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
    if p not in sys.path:
        sys.path.insert(0, p)

from bench.bench_heap import BLOCK_US, BOARD_SLOWDOWN, SCENARIOS  # noqa: E402

SCENARIO = "busy 15 min, 2 lines, 8 ext"
ENGINE = "mp32-frozen"
HEAP = "160K"
OTHER_ENGINES = ("mp32", "micropython")   # the firmware as .mpy: 32-bit, then the 64-bit PyPI port
OTHER_HEAP = "1024K"
KINDS = (("other", "calls, idle lines"), ("prompt", "start a prompt"), ("open", "open its file"),
         ("record", "write a record"),
         ("pin", "hash a PIN slice"), ("gc", "collect, no other"), ("all", "all blocks"))
_F_RECORD, _F_PROMPT, _F_PIN, _F_BOOT, _F_GC, _F_EVENT, _F_OPEN = 1, 2, 4, 8, 16, 32, 64   # rremu/probe.py
_F_KIND = _F_RECORD | _F_PROMPT | _F_PIN | _F_BOOT | _F_OPEN   # what the scenario makes the same in every run
_F_BUSY = _F_RECORD | _F_PROMPT | _F_PIN | _F_EVENT | _F_OPEN  # a block with work of its own
_ENTRY, _ENTRY_SIZE = "<IBI", 9   # rremu/probe.py: us, flags, gc.mem_alloc() as the step began


LONGEST = 10   # the longest blocks listed with their events
RUNS = 3   # the same run again: every block does the same work (lockstep), so its least time is its own


_EVENTS = {}   # block -> the board's event names of the last run (for the longest blocks' line)


def _one_run(engine, name, heap):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "steps.bin")
        res = SCENARIOS[name](engine, heap, ("--steptime", path))
        if not res.ok:
            raise RuntimeError("the step-time run failed: %s" % res.why)
        with open(path, "rb") as f:
            data = f.read()
    _EVENTS.clear()
    for e in res.events:
        if e.get("src") == "board" and "t_ms" in e:
            _EVENTS.setdefault(e["t_ms"] // 10, []).append(e["event"])
    # one entry a block from block 0 (rremu/probe.py): the entry's index is the block
    return [struct.unpack_from(_ENTRY, data, i) for i in range(0, len(data) - _ENTRY_SIZE + 1, _ENTRY_SIZE)]


def step_times(engine=ENGINE, name=SCENARIO, heap=HEAP, runs=None):
    """{kind: [us per step]} (rremu/probe.py --steptime): each block's least
    time over `runs` runs of the same deterministic scenario, so that a
    moment the shared machine took the CPU away from the run is not counted
    as the firmware's; the block's flags are those of the run that gave it.
    out["gc_runs"]: per run (collections, of them in a busy block, their us)."""
    best = None
    gc_runs = []
    for _ in range(RUNS if runs is None else runs):
        got = _one_run(engine, name, heap)
        if best is None:
            most = _allocating(got)
        gcs = [e for e in got if e[1] & _F_GC and not e[1] & _F_BOOT]
        gc_runs.append((len(gcs), len([e for e in gcs if e[1] & _F_BUSY]), sorted(e[0] for e in gcs)))
        if best is None:
            best = got
            continue
        if len(got) != len(best) or [f & _F_KIND for _, f, _a in got] != [f & _F_KIND for _, f, _a in best]:
            raise RuntimeError("two runs of %s differ block by block: no per-block minimum" % name)
        best = [a if a[0] <= b[0] else b for a, b in zip(best, got)]
    out = {k: [] for k, _ in KINDS}
    out["boot"] = []
    out["gc_runs"] = gc_runs
    out["allocating"] = most
    out["longest"] = sorted(((e[0], b, e[1]) for b, e in enumerate(best) if not e[1] & _F_BOOT), reverse=True)[:LONGEST]
    for us, fl, _alloc in best:
        if fl & _F_BOOT:
            out["boot"].append(us)   # a new App's boot in between: not a block's step
            continue
        out["all"].append(us)
        kind = ("pin" if fl & _F_PIN else "record" if fl & _F_RECORD else "prompt" if fl & _F_PROMPT
                else "open" if fl & _F_OPEN else "gc" if fl & _F_GC else "other")
        out[kind].append(us)
    return out


def _allocating(got):
    """The LONGEST blocks of one run that allocated most: [(bytes, block)]. What a
    block allocates is the same in every run and on any load (its time is not):
    gc.mem_alloc() at the next step's start less at its own, for the blocks no
    collection ran in (a boot's span and the PIN slices, 12-14 KB each, left out)."""
    out = []
    for b in range(len(got) - 1):
        if not (got[b][1] | got[b + 1][1]) & _F_BOOT and not got[b][1] & (_F_GC | _F_PIN):
            out.append((got[b + 1][2] - got[b][2], b))
    return sorted(out, reverse=True)[:LONGEST]


def i2s_rx():
    """(receive DMA buffers, ms each) as rrfw/hal/esp32.py sets them (it imports
    `machine`: read, not imported)."""
    import re
    with open(os.path.join(ROOT, "firmware", "rrfw", "hal", "esp32.py")) as f:
        text = f.read()
    return (int(re.search(r"^_RX_DMA_BUFS = const\((\d+)\)", text, re.M).group(1)),
            int(re.search(r"^_DMA_BUF_MS = const\((\d+)\)", text, re.M).group(1)))


def _pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def table(st, engine=ENGINE, heap=HEAP):
    lo, hi = BOARD_SLOWDOWN
    rows = ["per 10 ms block: one App.step() under %s (heap %s), %s (us on this machine, each block's least of "
            "%d runs; the board estimated x%d / x%d)" % (engine, heap, SCENARIO, RUNS, lo, hi),
            "  %-18s %7s %7s %7s %7s %7s  %-24s %s" % ("blocks", "n", "median", "p99", "p99.9", "worst",
                                                  "worst x%d / x%d (ms)" % (lo, hi), "of the 10 ms block")]
    for k, label in KINDS:
        xs = st[k]
        if not xs:
            rows.append("  %-18s %7d" % (label, 0))
            continue
        w = max(xs)
        a, b = w * lo / 1000.0, w * hi / 1000.0
        rows.append("  %-18s %7d %7d %7d %7d %7d  %7.1f / %-14.1f %4.0f%% / %3.0f%%" % (
            label, len(xs), statistics.median(xs), _pct(xs, 0.99), _pct(xs, 0.999), w, a, b,
            a * 1000.0 / BLOCK_US * 100, b * 1000.0 / BLOCK_US * 100))
    return rows


def main(argv=()):
    t0 = time.time()
    st = step_times()
    for ln in table(st):
        print(ln)
    if st["boot"]:
        print("  (%d boots between blocks, kept out: worst %.0f ms here)" % (len(st["boot"]), max(st["boot"]) / 1000.0))
    print("the %d longest blocks (us here, block, what the board reported in it; +gc: a collection ran in it):"
          % len(st["longest"]))
    for us, b, fl in st["longest"]:
        print("  %6d  %6d  %s%s" % (us, b, " ".join(_EVENTS.get(b, ())) or "-", " +gc" if fl & _F_GC else ""))
    print("the %d blocks that allocated most in run 1, PIN slices aside (bytes, block, what the board reported in it):"
          % len(st["allocating"]))
    for n, b in st["allocating"]:
        print("  %6d  %6d  %s" % (n, b, " ".join(_EVENTS.get(b, ())) or "-"))
    for i, (n, busy, us) in enumerate(st["gc_runs"]):
        print("run %d: %d garbage collections, %d of them in a block with other work (event, record, prompt, PIN); "
              "a block with a collection %s us here" % (i + 1, n, busy, "median %d, worst %d" % (us[len(us) // 2], us[-1]) if us else "-"))
    # the I2S receive buffering (rrfw/hal/esp32.py): a late step is absorbed while
    # the DMA buffers have room; room needed = the step + one block + one buffer
    bufs, buf_ms = i2s_rx()
    room_ms = bufs * buf_ms
    for s in BOARD_SLOWDOWN:
        cover_us = (room_ms - BLOCK_US // 1000 - buf_ms) * 1000 // s
        over = [us for us in st["all"] if us > cover_us]
        need = (max(st["all"]) * s // 1000 + BLOCK_US // 1000 + 2 * buf_ms - 1) // buf_ms
        print("x%d: %d receive DMA buffers (%d ms) absorb a step up to %.2f ms here; %d blocks longer; "
              "the worst needs %d" % (s, bufs, room_ms, cover_us / 1000.0, len(over), need))
    late = [us for us in st["all"] if us * BOARD_SLOWDOWN[1] > BLOCK_US]
    print("blocks over 10 ms at x%d: %d of %d (%.0f s)" % (BOARD_SLOWDOWN[1], len(late), len(st["all"]),
                                                           time.time() - t0))
    # The same table for the builds that load the firmware as .mpy (its bytecode in the
    # heap, so a larger heap: 1 MB, where collections are rarer than in the board's):
    # the 32-bit one (stock ESP32_GENERIC's path) and the PyPI 64-bit one.
    for engine in OTHER_ENGINES:
        t0 = time.time()
        try:
            st = step_times(engine=engine, heap=OTHER_HEAP)
        except Exception as e:   # (a build that cannot run here: say so, go on)
            print("%s: no step-time table (%s: %s)" % (engine, type(e).__name__, e))
            continue
        for ln in table(st, engine, OTHER_HEAP):
            print(ln)
        late = [us for us in st["all"] if us * BOARD_SLOWDOWN[1] > BLOCK_US]
        print("  blocks over 10 ms at x%d: %d of %d (%.0f s)" % (BOARD_SLOWDOWN[1], len(late), len(st["all"]),
                                                                 time.time() - t0))


if __name__ == "__main__":
    main(sys.argv[1:])
