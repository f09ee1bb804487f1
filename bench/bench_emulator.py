"""The emulator and the firmware core: speed against real time, and the
smallest MicroPython heap that runs the demo call (the board has ~100 KB;
the budget is 64 KB, boards/reference/board.json heap_budget_kb).

Heap: bisects `micropython -X heapsize=N` over the demo call; a run passes
when the firmware finishes the scenario (the emulator's exit is 0, or 3 for
an unmet expectation, not a crash). On the unix port pointer-heavy data takes
twice the bytes it takes on the ESP32 (8-byte vs 4-byte slots), so the
figure here is an upper bound for the board.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "examples", "office.yaml")
SCRIPT = os.path.join(ROOT, "examples", "demo-call.yaml")


def emulate(engine, heapsize=None):
    cmd = [sys.executable, "-m", "ringroute.cli", "emulate", CONFIG, "--script", SCRIPT,
           "--engine", engine]
    if heapsize:
        cmd += ["--heapsize", heapsize]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    wall = time.time() - t0
    sim = None
    for line in p.stdout.splitlines():
        if line.startswith("simulated "):
            sim = float(line.split()[1])
    return p.returncode, sim, wall, p.stdout + p.stderr


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
    print("demo call (examples/office.yaml + examples/demo-call.yaml)")
    print("%-12s %10s %10s %12s" % ("engine", "sim s", "wall s", "x real time"))
    for engine in ("micropython", "cpython"):
        code, sim, wall, out = emulate(engine)
        if sim is None:
            print("%-12s failed: %s" % (engine, out.strip().splitlines()[-1:]))
            continue
        print("%-12s %10.1f %10.2f %12.0f" % (engine, sim, wall, sim / wall))
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
