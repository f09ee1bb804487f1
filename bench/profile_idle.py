"""cProfile of the firmware's idle steps: officeweek's Tuesday of a Monday-only
scenario (no call, the monitor attached) with the firmware under CPython, its
process started as `python -m cProfile -o OUT main.py ...` (docs/notes/soak.md).

  PYTHONPATH=. .venv/bin/python -m bench.profile_idle OUT.prof [HOURS]
  .venv/bin/python -c "import pstats; pstats.Stats('OUT.prof').sort_stats('tottime').print_stats(30)"

CPython's view: the viper kernels run as their plain twins here, so confirm a
finding in micropython CPU time (bench_emulator --idle-day)."""
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (os.path.join(ROOT, "tests", "support"), os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
    if p not in sys.path:
        sys.path.insert(0, p)


def main(out, hours=1.0):
    from ringroute import paths
    from ringroute.emu import runner
    import officeweek
    plain = paths.engine_command

    def command(engine, heapsize=None):
        if engine == "cpython":
            return [sys.executable, "-u", "-m", "cProfile", "-o", out]
        return plain(engine, heapsize)
    runner.paths.engine_command = command
    with tempfile.TemporaryDirectory() as d:
        w = officeweek.Week(1, (), (), engine="cpython", span=(86400, 86400 + int(hours * 3600)))
        w.run(os.path.join(d, "flash"))
    print("CPU s (world, firmware under cProfile): %.1f, %.1f; %d frames" % (w.cpu_s[0], w.cpu_s[1], w.emu.frames))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
