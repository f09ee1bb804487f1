"""The PIN hash and the console's login, timed on every engine, and the
ESP32 estimated from the 32-bit frozen build (issue 16: a login may take
about a second on the board). No ESP32 here: the figure for the board is
the 32-bit build's times the BOARD_SLOWDOWN bench_heap.py uses (30-50x,
docs/notes and micropython-notes.md), an estimate, never a measurement.

    .venv/bin/python -m bench kdf
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "host_tools"))

from ringroute import paths  # noqa: E402
from bench.bench_heap import BOARD_SLOWDOWN  # noqa: E402

SCRIPT = os.path.join(ROOT, "bench", "kdf_cost.py")
ENGINES = ("mp32-frozen", "mp32", "micropython", "cpython")


def run(engine):
    env = dict(os.environ)
    env["MICROPYPATH"] = os.path.join(ROOT, "firmware")
    if engine == "mp32-frozen":
        env.pop("MICROPYPATH")      # the firmware frozen in the binary, as on the board
    p = subprocess.run(paths.engine_command(engine) + [SCRIPT], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (engine, p.stderr.strip()[-300:]))
    out = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if f and f[0] in ("KDF", "LOGIN"):
            out[(f[0], int(f[1]))] = int(f[2])
    return out


def main():
    lo, hi = BOARD_SLOWDOWN
    print("best of 5, this machine (its load shifts them: run alone)")
    print("%-12s %-14s %9s %9s" % ("engine", "what", "ms", "us/round"))
    est = None
    for engine in ENGINES:
        got = run(engine)
        for (what, rounds), us in sorted(got.items()):
            label = "%s %d" % ("kdf" if what == "KDF" else "login", rounds)
            print("%-12s %-14s %9.1f %9.2f" % (engine, label, us / 1000.0, us / float(rounds)))
            if engine == "mp32-frozen" and what == "LOGIN":
                est = us
    if est is not None:
        print("ESP32 login, estimated from mp32-frozen x %d-%d: %.2f-%.2f s (not measured on a board)" % (
            lo, hi, est * lo / 1e6, est * hi / 1e6))


if __name__ == "__main__":
    main()
