"""`ringroute emulate`: run the appliance on the emulated board."""
import json
import os
import sys

from .errors import ExpectationFailed, UsageError
from . import paths

HELP = "run the real firmware on the emulated board against a scripted scenario"
DESCRIPTION = """\
Runs the firmware (under the real `micropython` binary by default) on the
emulated reference board: a virtual exchange rings its lines with the
country's cadence, callers press keys and hang up, agents answer their
extension phones. Prints the timeline from ring to release and the call
records. A scenario's expectations that are not met make it exit 3.

examples:
  ringroute emulate examples/office.yaml --script examples/demo-call.yaml
  ringroute emulate office.yaml --script busy-day.yaml --json > events.jsonl
  ringroute emulate office.yaml --script s.yaml --engine cpython --heapsize 64K

The scenario format is in docs/scenarios.md; the event vocabulary in
ARCHITECTURE.md ("Events").
"""


def configure(p):
    p.add_argument("config", help="office configuration (YAML), or an already compiled config.json")
    p.add_argument("--script", required=True, metavar="SCENARIO", help="scenario file (YAML)")
    p.add_argument("--json", action="store_true", help="print one JSON object per event instead of a timeline")
    p.add_argument("--engine", choices=("micropython", "cpython"), default="micropython",
                   help="interpreter that runs the firmware (default: micropython, the unix port)")
    p.add_argument("--heapsize", metavar="SIZE", help="MicroPython heap, e.g. 64K (the board's budget)")
    p.add_argument("--board", default="emulated", help="board definition in boards/ (default: emulated)")
    p.add_argument("--flash", metavar="DIR", help="keep the emulated board's flash in DIR (default: a temporary folder)")
    p.add_argument("--prompts", metavar="DIR", action="append", default=[],
                   help="more prompt folders (WAV or .ulaw); the config's own prompts/ folder is always used")


def load_config(path):
    """The compiled config for `path` (.json: as is; else compiled from YAML)."""
    if path.endswith(".json"):
        try:
            with open(path) as f:
                return json.load(f)
        except OSError as e:
            raise UsageError("%s: cannot read: %s" % (path, e.strerror))
        except ValueError as e:
            raise UsageError("%s: not valid JSON: %s" % (path, e))
    from .configlang import compile_config
    return compile_config(path)


def board_counts(name):
    p = os.path.join(paths.BOARDS, name, "board.json")
    try:
        with open(p) as f:
            b = json.load(f)
    except (OSError, ValueError):
        raise UsageError("no board definition %s (boards/ has: %s)" % (
            p, ", ".join(sorted(os.listdir(paths.BOARDS)))))
    return b["n_lines"], b["n_exts"]


def run(args):
    from .emu import scenario, runner, timeline
    cfg = load_config(args.config)
    sc = scenario.load(args.script)
    n_lines, n_exts = board_counts(args.board)
    prompt_dirs = [os.path.join(os.path.dirname(os.path.abspath(args.config)), "prompts")] + args.prompts

    def show(ev):
        if args.json:
            print(json.dumps(ev), flush=True)
        else:
            print(timeline.format_event(ev), flush=True)

    if not args.json:
        print("ringroute emulate: %s with %s on the %s board (%s)" % (
            args.config, args.script, args.board, args.engine))
        if sc["description"]:
            print("  " + sc["description"].strip().replace("\n", "\n  "))
        print("%9s    %-5s %-3s %-5s %-13s %s" % ("time", "src", "ln", "call", "event", "details"))
    emu = runner.Emulation(cfg, sc, prompt_dirs, engine=args.engine, heapsize=args.heapsize,
                           n_lines=n_lines, n_exts=n_exts, flash=args.flash, on_event=show)
    events = emu.run()
    fails = timeline.check(events, sc["expect"])
    if not args.json:
        recs = [ev["record"] for ev in events if ev["event"] == "record"]
        for rec in recs:
            print()
            print(timeline.format_record(rec))
        sim = emu.blocks / 100.0
        print()
        print("simulated %.1f s in %.2f s of wall time (%.0fx real time); %d expectation(s) checked" % (
            sim, emu.wall_s, sim / emu.wall_s if emu.wall_s else 0, len(sc["expect"])))
    if fails:
        raise ExpectationFailed("%s: %d expectation(s) not met:\n  %s" % (
            args.script, len(fails), "\n  ".join(fails)))
    return 0
