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

With --pty the emulated board gets a serial console on a pseudo-terminal
and runs in real time (or --speed x) until you stop it (Ctrl-C): connect
the technician's tools to the printed port as to a board on USB.

  ringroute emulate --pty                     # a blank board, as from the factory
  ringroute emulate office.yaml --pty --flash /tmp/board --script calls.yaml
  ringroute status --port /dev/pts/5 ; mpremote connect /dev/pts/5 fs ls

The scenario format is in docs/scenarios.md; the event vocabulary in
ARCHITECTURE.md ("Events").
"""


def configure(p):
    p.add_argument("config", nargs="?",
                   help="office configuration (YAML), or an already compiled config.json "
                        "(optional with --pty: a blank board)")
    p.add_argument("--script", metavar="SCENARIO", help="scenario file (YAML); required without --pty")
    p.add_argument("--pty", action="store_true",
                   help="give the board a serial console on a pty and run in real time until stopped")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="with --pty: run the block clock at X times real time (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object per event instead of a timeline")
    p.add_argument("--engine", choices=paths.ENGINES, default="micropython",
                   help="interpreter that runs the firmware (default: micropython, the unix port); "
                        "mp32-frozen / mp32: the 32-bit board-like build of `make mp32`, "
                        "firmware frozen in / loaded as .mpy")
    p.add_argument("--heapsize", metavar="SIZE", help="MicroPython heap, e.g. 64K (the board's budget)")
    p.add_argument("--repl-idle", type=float, metavar="S",
                   help="with --pty: seconds of a quiet console after which the REPL stops feeding the "
                        "watchdog and the board goes back to answering (default 120)")
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
    if args.pty:
        return run_pty(args)
    if not args.config or not args.script:
        raise UsageError("emulate needs a CONFIG and --script SCENARIO (or --pty for an interactive board)")
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


def run_pty(args):
    """`emulate --pty`: the board on a pty, in real time, until Ctrl-C."""
    from .emu import scenario, runner, timeline, ptylink
    if args.speed <= 0:
        raise UsageError("--speed must be more than 0")
    cfg = load_config(args.config) if args.config else None
    sc = scenario.load(args.script) if args.script else scenario.parse({})
    n_lines, n_exts = board_counts(args.board)
    prompt_dirs = list(args.prompts)
    if args.config:
        prompt_dirs.insert(0, os.path.join(os.path.dirname(os.path.abspath(args.config)), "prompts"))

    def show(ev):
        if args.json:
            print(json.dumps(ev), flush=True)
        else:
            print(timeline.format_event(ev), flush=True)

    def ready(path):
        ptylink.register(path, {"board": args.board, "flash": args.flash})
        print("ringroute emulate: the %s board's console is on %s  (%s, %gx real time; Ctrl-C stops)" % (
            args.board, path, args.engine, args.speed), flush=True)
        print("  try: ringroute status --port %s   or   mpremote connect %s fs ls" % (path, path), flush=True)

    import signal

    def _term(signum, frame):
        raise KeyboardInterrupt  # stop as on Ctrl-C: the firmware is killed, the pty closed

    signal.signal(signal.SIGTERM, _term)
    emu = runner.Emulation(cfg, sc, prompt_dirs, engine=args.engine, heapsize=args.heapsize,
                           n_lines=n_lines, n_exts=n_exts, flash=args.flash, on_event=show,
                           pty=True, speed=args.speed, on_ready=ready,
                           extra_argv=["--repl-idle-ms", str(int(args.repl_idle * 1000))] if args.repl_idle else ())
    try:
        emu.run()
    except KeyboardInterrupt:
        print("ringroute emulate: stopped", file=sys.stderr)
    finally:
        ptylink.unregister()
    return 0
