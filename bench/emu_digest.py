"""The emulator's CPU per side and its event stream's digest, for before/after
comparisons of the emulator's speed work (docs/notes/soak.md).

  PYTHONPATH=. .venv/bin/python -m bench.emu_digest demo|long|start|busy|office [--off] [--prof FILE]

demo: the demo call; long: the demo call with 10 minutes of talk (the steady
rate of one call: its CPU less the demo's, per simulated second more); start:
the demo's config for one block and no call (the start-up: the firmware's
process, its imports, the config's load and check, the boot, the link, the
flash laid out); busy: the busy day's first hour (bench_emulator.busy_part);
office: officeweek's Monday 09:00-10:30 (the span soak.md compares). Prints the
world's CPU (this process, getrusage) and the firmware's (its child), the
frames sent and the sha1 of the sorted event stream (each event as JSON with
sorted keys, the lines sorted): the same sha1 means the same events.
--off: quiet runs and batches during calls off (Emulation(batch=False), one frame
a block); --prof FILE: cProfile of the world. With batches, a second line gives
their count, the blocks they stood for and how many the board cut short.
"""
import hashlib
import json
import os
import resource
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _p in (os.path.join(ROOT, "tests", "support"), os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
    if _p not in sys.path:
        sys.path.insert(0, _p)


def digest(events):
    lines = sorted(json.dumps(e, sort_keys=True) for e in events)
    return hashlib.sha1("\n".join(lines).encode()).hexdigest()


LONG_TALK_S = int(os.environ.get("RR_LONG_TALK_S", "600"))   # the long call's talk after the agent answers (the demo's: 8 s)


def demo_scenario(which):
    """The demo call's scenario as `which` asks: demo, long (10 minutes of talk)
    or start (one block, no call)."""
    from ringroute.emu import scenario
    sc = scenario.load(os.path.join(ROOT, "examples", "demo-call.yaml"))
    if which == "long":
        sc["calls"][0]["hangup"]["after_connect"] = float(LONG_TALK_S)
        sc["expect"] = []
    elif which == "start":
        sc["calls"] = []
        sc["expect"] = []
        sc["duration"] = 0.01
        sc["duration_given"] = True
    return sc


def _make(which, batch):
    from ringroute import cmd_emulate
    from ringroute.emu import runner, scenario
    prompts = [os.path.join(ROOT, "examples", "prompts")]
    if which in ("demo", "long", "start"):
        cfg = cmd_emulate.load_config(os.path.join(ROOT, "examples", "office.yaml"))
        return runner.Emulation(cfg, demo_scenario(which), prompts, n_lines=1, n_exts=4, batch=batch,
                                heapsize=os.environ.get("RR_HEAP"))
    cfg = cmd_emulate.load_config(os.path.join(ROOT, "examples", "busy-office.yaml"))
    sc = scenario.load(os.path.join(ROOT, "examples", "busy-day.yaml"))
    sc["calls"] = [c for c in sc["calls"] if c["at"] < 3600 - 300]
    sc["duration"] = 3600
    sc["duration_given"] = True
    return runner.Emulation(cfg, sc, prompts, n_lines=2, n_exts=4, batch=batch)


def main():
    which = sys.argv[1]
    batch = "--off" not in sys.argv
    prof = sys.argv[sys.argv.index("--prof") + 1] if "--prof" in sys.argv else None
    if which == "office":
        import officeweek
        w = officeweek.Week(1, (), (), span=(9 * 3600, 10.5 * 3600))
        if not batch:
            raise SystemExit("--off: not for the office span")
        d = tempfile.mkdtemp(prefix="w6-")

        def go():
            w.run(os.path.join(d, "flash"))
            return w.emu
    else:
        emu = _make(which, batch)

        def go():
            emu.run()
            return emu
    # the run only (as bench_emulator measures it), not the imports and the config's compilation
    s0 = resource.getrusage(resource.RUSAGE_SELF)
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if prof:
        import cProfile
        import time
        pr = cProfile.Profile(time.process_time)   # CPU, not wall: the round trip waits for the firmware
        pr.enable()
        emu = go()
        pr.disable()
        pr.dump_stats(prof)
    else:
        emu = go()
    s1 = resource.getrusage(resource.RUSAGE_SELF)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    world = (s1.ru_utime - s0.ru_utime) + (s1.ru_stime - s0.ru_stime)
    fw = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    sim = emu.blocks / 100.0
    print("%s: sim %.0f s, frames %d, events %d, world CPU %.2f s (sys %.2f), firmware CPU %.2f s (sys %.2f),"
          " x CPU %.0f, sha1 %s" % (which, sim, emu.frames, len(emu.events), world, s1.ru_stime - s0.ru_stime,
                                    fw, c1.ru_stime - c0.ru_stime, sim / (world + fw), digest(emu.events)))
    if getattr(emu, "batch_frames", 0):
        print("  batches during calls: %d frames for %d blocks, %d cut short" % (
            emu.batch_frames, emu.batch_blocks, emu.batch_cut))


if __name__ == "__main__":
    main()
