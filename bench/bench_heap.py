"""The firmware's heap as the board runs it (issue 14).

Three MicroPython builds run the whole firmware on the emulated board:
  micropython   the PyPI unix port, 64-bit, firmware loaded as x64 .mpy
  mp32          `make mp32`'s 32-bit unix port, firmware loaded as x86 .mpy
                (the stock ESP32_GENERIC path: bytecode in the heap)
  mp32-frozen   `make mp32`'s 32-bit unix port with the firmware frozen in
                (the frozen-image path: bytecode in flash)
and three scenarios: the demo call (examples/office.yaml + demo-call.yaml, one
line), two calls at once, and 15 simulated minutes of busy two-line traffic
with 8 extensions, queueing, call-backs, records and a console monitor
attached (tests/support/busytraffic.py).

For each: the smallest heap that passes (every size of a band is run: pass
and fail are not monotone in the heap size, so the figure is the smallest
size from which every larger size of the band passes, and any size that
passes below it is listed), and the live heap after gc (rremu/probe.py
--heapstat: a collection after every block) after boot and at its peak.
The per-block step time is bench/bench_steptime.py's (`python -m bench steptime`).

Then where the heap goes at boot (bench/heap_parts.py under mp32-frozen:
gc.mem_alloc() around every import and construction, the busy run's config).

  python -m bench heap                  # everything (about 15 min on 2 cores)
  python -m bench.bench_heap --quick    # 2 KB steps, the busy run only for mp32-frozen
  python -m bench.bench_heap --parts    # the boot's table only (seconds)
  python -m bench.bench_heap --modules  # each module's import: bytes kept, time (bench/heap_modules.py)
"""
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (os.path.join(ROOT, "tests", "support"), os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
    if p not in sys.path:
        sys.path.insert(0, p)

import busytraffic  # noqa: E402
from ringroute.emu import runner, scenario as scenario_mod  # noqa: E402
from ringroute import cmd_emulate, paths  # noqa: E402

ENGINES = ("micropython", "mp32", "mp32-frozen")
BOARD_SLOWDOWN = (30, 50)   # the ESP32 runs the firmware some 30-50 times slower than this machine
BLOCK_US = 10000
WORKERS = 2


def _demo(engine, heapsize, two=False, extra_argv=()):
    cfg = cmd_emulate.load_config(os.path.join(ROOT, "examples", "office.yaml"))
    sc = scenario_mod.load(os.path.join(ROOT, "examples", "demo-call.yaml"))
    n_lines = 1
    if two:   # the same call on both lines at once
        cfg = json.loads(json.dumps(cfg))
        cfg["lines"] = [cfg["lines"][0], dict(cfg["lines"][0])]
        second = json.loads(json.dumps(sc["calls"][0]))
        second["line"] = 2
        second["at"] = second["at"] + 0.5
        sc["calls"].append(second)
        sc["expect"] = []
        n_lines = 2
    prompts = [os.path.join(ROOT, "examples", "prompts")]
    emu = runner.Emulation(cfg, sc, prompts, engine=engine, heapsize=heapsize, n_lines=n_lines, n_exts=4,
                           extra_argv=extra_argv)
    try:
        events = emu.run()
    except runner.EmulatorError as e:
        return busytraffic.Result(False, str(e)[-200:], emu.events, emu)
    board = [e for e in events if e.get("src") == "board"]
    if "MemoryError" in emu.stderr or any(e["event"] == "error" for e in board):
        return busytraffic.Result(False, "error", events, emu)
    if len([e for e in board if e["event"] == "record"]) != n_lines:
        return busytraffic.Result(False, "no record for every call", events, emu)
    return busytraffic.Result(True, "ok", events, emu)


SCENARIOS = {
    "demo call": lambda engine, heap, extra=(): _demo(engine, heap, extra_argv=extra),
    "two calls at once": lambda engine, heap, extra=(): _demo(engine, heap, two=True, extra_argv=extra),
    "busy 15 min, 2 lines, 8 ext": lambda engine, heap, extra=(): busytraffic.run(engine, heap, 15, extra_argv=extra),
}


def scan(engine, name, lo_kb, hi_kb, step=1):
    """{kb: passed} over the band, run WORKERS at a time."""
    fn = SCENARIOS[name]
    sizes = list(range(lo_kb, hi_kb + 1, step))
    with ThreadPoolExecutor(WORKERS) as ex:
        res = list(ex.map(lambda kb: fn(engine, "%dK" % kb).ok, sizes))
    return dict(zip(sizes, res))


def smallest(band):
    """The smallest size from which every larger size of the band passes (None if
    the top fails), and the sizes below it that passed anyway."""
    sizes = sorted(band)
    if not band[sizes[-1]]:
        return None, []
    k = len(sizes) - 1
    while k > 0 and band[sizes[k - 1]]:
        k -= 1
    return sizes[k], [s for s in sizes[:k] if band[s]]


def find_band(engine, name, step):
    """Bracket the threshold coarsely, then scan a band around it at `step`."""
    fn = SCENARIOS[name]
    hi = 48
    while not fn(engine, "%dK" % hi).ok:
        hi *= 2
        if hi > 1024:
            return None
    lo = max(16, hi // 2)
    while hi - lo > 8:   # bisect to about 8 KB, then scan (bisection alone is fooled by fragmentation)
        mid = (lo + hi) // 2
        if fn(engine, "%dK" % mid).ok:
            hi = mid
        else:
            lo = mid
    return scan(engine, name, max(16, lo - 6), hi + 8, step)


def live(engine, name):
    res = SCENARIOS[name](engine, "1024K", ("--heapstat",))
    return busytraffic.heapstat(res) if res.ok else None


def parts():
    """bench/heap_parts.py's table: the heap each import and object of the boot keeps."""
    import subprocess
    from ringroute.emu import runner as runner_mod
    with tempfile.TemporaryDirectory() as d:
        runner_mod.prepare_flash(d, busytraffic.config(), [busytraffic.PROMPTS])
        p = subprocess.run(paths.engine_command("mp32-frozen", "400K") +
                           [os.path.join(ROOT, "bench", "heap_parts.py"), d],
                           cwd=ROOT, capture_output=True, text=True)
    print("where the heap goes at boot (mp32-frozen, bytes kept; busy run's config, 2 lines, 8 ext)")
    for ln in (p.stdout + p.stderr).splitlines():
        print("  " + ln)


def modules():
    """bench/heap_modules.py's table: each shipped module's import (bytes kept, median us), mp32-frozen."""
    import subprocess
    from ringroute import fwbuild
    cmd = paths.engine_command("mp32-frozen", "400K") + [os.path.join(ROOT, "bench", "heap_modules.py")]
    env = paths.engine_env("mp32-frozen")
    print("each module's import (mp32-frozen, its dependencies loaded first): bytes kept, median us")
    total = 0
    for f in fwbuild.shipped():
        name = f[:-3].replace("/", ".")
        name = name[:-9] if name.endswith(".__init__") else name
        deps = subprocess.run(cmd + ["deps", name], capture_output=True, text=True, env=env).stdout.split()
        p = subprocess.run(cmd + ["cost", name], input=",".join(deps), capture_output=True, text=True,
                           env=env)
        out = p.stdout.split()
        if len(out) >= 2:
            total += int(out[1])
            print("  %-26s %6s %6s" % (out[0], out[1], out[2] if len(out) > 2 else "-"))
        else:
            print("  %-26s   (failed: %s)" % (name, (p.stdout + p.stderr).strip()[-80:]))
    print("  %-26s %6d" % ("all of them", total))


def main(argv=()):
    quick = "--quick" in argv
    if "--modules" in argv:
        modules()
        return
    parts()
    if "--parts" in argv:
        return
    step = 2 if quick else 1
    t0 = time.time()
    print("smallest passing heap (KB) and live heap after gc (KB: after boot / peak); "
          "a scan of every size in a band, %d KB apart" % step)
    print("  %-30s %-12s %10s %14s %16s  %s" % ("scenario", "engine", "smallest", "boot / peak",
                                                 "passed below", "band scanned"))
    for name in SCENARIOS:
        for engine in ENGINES:
            if quick and name.startswith("busy") and engine != "mp32-frozen":
                continue
            band = find_band(engine, name, step)
            lv = live(engine, name)
            lvs = "%5.1f / %5.1f" % (lv[0] / 1024.0, lv[1] / 1024.0) if lv else "?"
            if band is None:
                print("  %-30s %-12s %10s %14s" % (name, engine, "> 1 MB", lvs))
                continue
            kb, below = smallest(band)
            print("  %-30s %-12s %10s %14s %16s  %d-%d" % (name, engine, kb, lvs,
                                                          ",".join(str(b) for b in below) or "-",
                                                          min(band), max(band)), flush=True)
    print("(%.0f s; the per-block step time: bench/bench_steptime.py)" % (time.time() - t0))


if __name__ == "__main__":
    main(sys.argv[1:])
