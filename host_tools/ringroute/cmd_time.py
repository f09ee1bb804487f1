"""`ringroute time`: the board's clock."""
import time

HELP = "show the board's clock, or set it from this computer's (time sync)"
DESCRIPTION = """\
The board keeps office hours (day/night menus) by its real-time clock, in
UTC; the config's timezone turns that into local time. `time sync` sets it
from this computer's clock (needs the admin PIN).

examples:
  ringroute time show
  ringroute time sync
"""


def configure(p):
    from .session import add_port_args
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    add_port_args(sub.add_parser("show", help="the board's time and how far it is off"))
    add_port_args(sub.add_parser("sync", help="set the board's clock from this computer's"), pin=True)


def _fmt(t):
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def run(args):
    from .session import open_board
    with open_board(args, need_pin=args.action == "sync") as b:
        if args.action == "show":
            utc = b.request("time.get")["utc"]
            print("board %s (%+d s from this computer)" % (_fmt(utc), utc - int(time.time())))
            return 0
        # the board keeps whole seconds: send the next second at its edge
        now = time.time()
        time.sleep(1 - (now % 1))
        r = b.request("time.set", {"utc": int(round(time.time()))})
    print("board clock set to %s (it was %+d s off)" % (_fmt(r["utc"]), r["was"] - r["utc"]))
    return 0
