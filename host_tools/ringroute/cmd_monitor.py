"""`ringroute monitor`: calls as they happen."""
import json
import sys
import time

HELP = "watch the board's calls live (ring, caller ID, menu, keys, agents, release)"
DESCRIPTION = """\
Prints the board's events as they happen, one line each (or JSON with
--json), the same vocabulary as `ringroute emulate` (ARCHITECTURE.md,
"Events"). Every event has a sequence number; after a disconnect (cable
pulled, board rebooted) monitor reconnects and asks for everything since the
last one it printed, from the board's ring of recent events. Needs the admin
PIN (events carry callers' numbers). Ctrl-C stops.

examples:
  ringroute monitor
  ringroute monitor --since 0            # what the board still remembers, then live
  ringroute monitor --json --seconds 60 > calls.jsonl
"""


def configure(p):
    from .session import add_port_args
    add_port_args(p, pin=True)
    p.add_argument("--since", type=int, metavar="SEQ", help="start after event SEQ (0: all the board still has)")
    p.add_argument("--json", action="store_true", help="one JSON object per event")
    p.add_argument("--seconds", type=float, help="stop after this many seconds")
    p.add_argument("--count", type=int, help="stop after this many events")


def run(args):
    from .emu import timeline
    from .session import NoBoard, open_board, say
    from .transport import LinkError
    end = time.monotonic() + args.seconds if args.seconds else None
    shown = [0]
    last = args.since

    def done():
        return (end is not None and time.monotonic() >= end) or (args.count and shown[0] >= args.count)

    def show(kind, ev):
        if kind == "gap":
            print("... events %d-%d were lost from the board's memory ..." % (ev["from"], ev["to"]), flush=True)
            return
        ev["src"] = "board"
        print(json.dumps(ev) if args.json else timeline.format_event(ev), flush=True)
        shown[0] += 1

    if not args.json:
        print("%9s    %-5s %-3s %-5s %-13s %s" % ("time", "src", "ln", "call", "event", "details"), flush=True)
    while not done():
        try:
            with open_board(args, need_pin=True) as b:
                if last is not None and b.info.get("seq", 0) < last:
                    say("the board restarted: showing its events from its boot")
                    last = 0
                last = b.monitor(since=last, on_event=show, until=done)
        except (LinkError, NoBoard) as e:
            if done():
                break
            say("%s; reconnecting..." % e)
            time.sleep(1.0)
    return 0
