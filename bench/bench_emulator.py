"""The emulator and the firmware core: speed against real time, and the
smallest MicroPython heap that runs the demo call (the board has ~100 KB;
the budget is 64 KB, boards/reference/board.json heap_budget_kb).

Speed, three runs: the demo call (one call, 38 s), the busy day
(examples/busy-office.yaml + busy-day.yaml: 200 callers in 8 hours on two
lines, both nearly always busy) and an office's whole day (24 h of
tests/support/officeweek.py: ~70 calls in office hours, night callers, a
monitor attached). Each as "x real time" on the wall clock and on the CPU
(simulated seconds per CPU second of the emulator and the firmware together:
the figure a loaded machine does not change), and the demo also with quiet
runs off (rremu/blockframe.py: one frame per block, as before them).

  python -m bench emulator                  # everything (the busy day and the office day take minutes)
  python -m bench.bench_emulator --speed    # the speed figures only
  python -m bench.bench_emulator --speed --hours 1   # the busy day's and the office day's first hour only
  (each --speed table also has the start-up alone, a one-block run, and one call of
  10 minutes of talk: its CPU per simulated second without the start-up, the steady rate)
  python -m bench.bench_emulator --idle-day [H]   # H hours (24) with no call: officeweek's Tuesday of a
                                                  # Monday-only scenario (the monitor attached)

Heap: bisects `micropython -X heapsize=N` over the demo call; a run passes
when the firmware finishes the scenario (the emulator's exit is 0, or 3 for
an unmet expectation, not a crash). On the unix port pointer-heavy data takes
twice the bytes it takes on the ESP32 (8-byte vs 4-byte slots), so the
figure here is an upper bound for the board.
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "examples", "office.yaml")
SCRIPT = os.path.join(ROOT, "examples", "demo-call.yaml")


def _children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def emulate(engine, heapsize=None, config=CONFIG, script=SCRIPT, cpu=False):
    cmd = [sys.executable, "-m", "ringroute.cli", "emulate", config, "--script", script,
           "--engine", engine]
    if heapsize:
        cmd += ["--heapsize", heapsize]
    t0 = time.time()
    c0 = _children_cpu()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=7200, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    wall = time.time() - t0
    used = _children_cpu() - c0   # the CLI and the firmware it ran (its waited-for child)
    sim = emu_wall = None
    for line in p.stdout.splitlines():
        if line.startswith("simulated "):
            w = line.split()
            sim, emu_wall = float(w[1]), float(w[4])   # "simulated S s in W s of wall time"
    if cpu:
        return p.returncode, sim, emu_wall, used, p.stdout + p.stderr
    return p.returncode, sim, wall, p.stdout + p.stderr


def _inprocess(make):
    """(simulated s, wall s, CPU s of this process and the firmware) of one Emulation."""
    def cpu():
        a = resource.getrusage(resource.RUSAGE_SELF)
        return a.ru_utime + a.ru_stime + _children_cpu()
    emu = make()
    c0 = cpu()
    emu.run()
    return emu.blocks / 100.0, emu.wall_s, cpu() - c0


def _demo_run(sc, **kw):
    """_inprocess of the demo's config (1 line, 4 extensions) with scenario sc(): the
    scenario is made once the project's folders are on sys.path."""
    for p in (os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
        if p not in sys.path:
            sys.path.insert(0, p)
    from ringroute import cmd_emulate
    from ringroute.emu import runner
    cfg = cmd_emulate.load_config(CONFIG)
    scen = sc()
    return _inprocess(lambda: runner.Emulation(cfg, scen, [os.path.join(ROOT, "examples", "prompts")],
                                               n_lines=1, n_exts=4, **kw))


def demo_batch(batch):
    def sc():
        from ringroute.emu import scenario
        return scenario.load(SCRIPT)
    return _demo_run(sc, batch=batch)


def one_call(which):
    """(simulated s, wall s, CPU s) of the demo call's config and caller, in process:
    which "start" (one block, no call: the start-up), "demo" or "long" (10 minutes
    of talk: bench/emu_digest.py demo_scenario)."""
    def sc():
        from bench import emu_digest
        return emu_digest.demo_scenario(which)
    return _demo_run(sc)


def busy_part(hours):
    """The busy day's first `hours` (its callers who start 5 minutes before the end), in process."""
    for p in (os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
        if p not in sys.path:
            sys.path.insert(0, p)
    from ringroute import cmd_emulate
    from ringroute.emu import runner, scenario
    cfg = cmd_emulate.load_config(os.path.join(ROOT, "examples", "busy-office.yaml"))
    sc = scenario.load(os.path.join(ROOT, "examples", "busy-day.yaml"))
    sc["calls"] = [c for c in sc["calls"] if c["at"] < hours * 3600 - 300]
    sc["duration"] = hours * 3600
    sc["duration_given"] = True
    return _inprocess(lambda: runner.Emulation(cfg, sc, [os.path.join(ROOT, "examples", "prompts")],
                                               n_lines=2, n_exts=4))


def office_day(hours=None):
    sup = os.path.join(ROOT, "tests", "support")
    for p in (sup, os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
        if p not in sys.path:
            sys.path.insert(0, p)
    import officeweek
    with tempfile.TemporaryDirectory() as d:
        w = officeweek.Week(1, (), (), span=(0, hours * 3600) if hours else None)
        c0 = resource.getrusage(resource.RUSAGE_SELF)
        c0 = c0.ru_utime + c0.ru_stime + _children_cpu()
        w.run(os.path.join(d, "flash"))
        c1 = resource.getrusage(resource.RUSAGE_SELF)
        c1 = c1.ru_utime + c1.ru_stime + _children_cpu()
        return w.sim_s, w.emu.wall_s, c1 - c0, len(w.of("answer"))


def idle_day(hours=24):
    """(simulated s, CPU s of the world, CPU s of the firmware, frames) of `hours` with no call."""
    sup = os.path.join(ROOT, "tests", "support")
    for p in (sup, os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
        if p not in sys.path:
            sys.path.insert(0, p)
    import officeweek
    with tempfile.TemporaryDirectory() as d:
        # a one-day scenario has no call after Monday: its Tuesday is a day of idle blocks
        w = officeweek.Week(1, (), (), span=(86400, 86400 + int(hours * 3600)))
        w.run(os.path.join(d, "flash"))
        return w.sim_s, w.cpu_s[0], w.cpu_s[1], getattr(w.emu, "frames", None)


def speed():
    print("speed (x real time: on the wall clock, and per CPU second of the emulator and the firmware)")
    print("%-44s %9s %9s %8s %8s %8s" % ("run", "sim s", "wall s", "x wall", "CPU s", "x CPU"))

    def row(name, sim, wall, cpu):
        print("%-44s %9.0f %9.1f %8.0f %8.1f %8.0f" % (name, sim, wall, sim / wall, cpu, sim / cpu), flush=True)
    for batch in (True, False):
        sim, wall, cpu = demo_batch(batch)
        row("demo call, micropython%s" % ("" if batch else ", quiet runs off"), sim, wall, cpu)
    # one call's start-up apart from its rate: a run of one block (the firmware's
    # process, imports, config check and boot; the flash laid out, the link) and the
    # demo's caller talking 10 minutes (the rate a call keeps once it runs)
    _, _, start_cpu = one_call("start")
    print("%-44s %9s %9s %8s %8.2f" % ("start-up (one block, no call)", "", "", "", start_cpu))
    sim, wall, cpu = one_call("long")
    row("one call, 10 min of talk", sim, wall, cpu)
    print("%-44s %9s %9s %8s %8.3f %8.0f" % ("  its rate without the start-up (per sim s)", "", "", "",
                                             (cpu - start_cpu) / sim, sim / (cpu - start_cpu)))
    code, sim, wall, cpu, out = emulate("cpython", cpu=True)
    if sim:
        row("demo call, cpython", sim, wall, cpu)
    hours = float(sys.argv[sys.argv.index("--hours") + 1]) if "--hours" in sys.argv else None
    if hours:
        sim, wall, cpu = busy_part(hours)
        row("busy day's first %g h (2 lines busy)" % hours, sim, wall, cpu)
    else:
        code, sim, wall, cpu, out = emulate("micropython", config=os.path.join(ROOT, "examples", "busy-office.yaml"),
                                            script=os.path.join(ROOT, "examples", "busy-day.yaml"), cpu=True)
        if sim:
            row("busy day (8 h, 200 callers, 2 lines busy)", sim, wall, cpu)
        else:
            print("busy day failed: %s" % out.strip().splitlines()[-1:])
    sim, wall, cpu, calls = office_day(hours)
    row("office day (%g h, %d calls answered, monitor)" % (hours or 24, calls), sim, wall, cpu)


def smallest_heap():
    lo, hi = 8, 256   # KB
    code, _, _, out = emulate("micropython", "%dK" % hi)
    if code not in (0, 3):
        return None, out
    while hi - lo > 1:
        mid = (lo + hi) // 2
        code, _, _, out = emulate("micropython", "%dK" % mid)
        if code in (0, 3) and "MemoryError" not in out:
            hi = mid
        else:
            lo = mid
    return hi, None


def code_and_data():
    """(code bytes, data bytes at boot, peak data bytes) of the firmware in the unix port."""
    import tempfile
    from ringroute import paths
    with tempfile.TemporaryDirectory() as work:
        p = subprocess.run(paths.engine_command("micropython", "1M") + [
            os.path.join(ROOT, "bench", "fw_heap.py"), os.path.join(ROOT, "tests", "data", "basic.json"),
            work, os.path.join(ROOT, "tests", "support")], capture_output=True, text=True, timeout=300,
            env=paths.engine_env("micropython"))
    w = p.stdout.split()
    if p.returncode != 0 or len(w) < 6:
        raise RuntimeError("fw_heap failed: %s" % (p.stderr or p.stdout).strip()[-300:])
    return int(w[1]), int(w[3]), int(w[5])


def main():
    if "--idle-day" in sys.argv:
        i = sys.argv.index("--idle-day")
        hours = float(sys.argv[i + 1]) if len(sys.argv) > i + 1 else 24
        sim, world, fw, frames = idle_day(hours)
        print("idle %g h (no call, monitor): world %.1f s + firmware %.1f s CPU, %.0fx on the CPU, %s frames"
              % (hours, world, fw, sim / (world + fw), frames))
        return
    speed()
    if "--speed" in sys.argv:
        return
    code, boot, peak = code_and_data()
    print("heap, unix port (8-byte object slots; the ESP32 has 4-byte ones):")
    print("  firmware code loaded as .mpy:  %6.1f KB (in flash on a frozen build: boards/reference/manifest.py)" % (code / 1024.0))
    print("  live data after boot:          %6.1f KB" % (boot / 1024.0))
    print("  live data peak over a call:    %6.1f KB (gc after every block)" % (peak / 1024.0))
    kb, err = smallest_heap()
    if kb is None:
        print("heap: the demo does not run even with 256 KB: %s" % err.strip().splitlines()[-1:])
    else:
        code, _, _, _ = emulate("micropython", "64K")
        print("smallest MicroPython heap that runs the demo call: %d KB (unix port, 8-byte slots);"
              " at the 64 KB budget: %s" % (kb, "runs" if code in (0, 3) else "FAILS"))


if __name__ == "__main__":
    main()
