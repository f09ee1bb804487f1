"""`ringroute board`: the admin PIN, reboot, factory reset."""
import getpass
import sys

from .errors import RingrouteError, UsageError

HELP = "change the board's admin PIN, reboot it, or reset it to factory state"
DESCRIPTION = """\
examples:
  ringroute board pin                 # change the admin PIN (asks for the old and the new one)
  ringroute board pin --new 58213907  # (or set it on a new board)
  ringroute board supervisor-pin --new 40719263   # a read-only PIN: status, monitor and
                                      # records with masked numbers, no changes (PRIVACY.md)
  ringroute board supervisor-pin --remove
  ringroute board reboot
  ringroute board override night      # answer with the night menu until told otherwise
  ringroute board override auto       # back to the schedule
  ringroute board learn --line 1      # then call the board's number, say a few words, hang up
  ringroute board learn --line 1 --result   # what the board measured, and the settings it proposes
  ringroute board factory-reset --yes # erases config, prompts, call records and the PIN

A new board has no PIN: the first command that needs one (push, pull, ...)
makes the PIN you give its PIN, or use `board pin --new`. Wrong PINs slow
down and then lock the console for 5 minutes.
"""


def configure(p):
    from .session import add_port_args
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    pin = sub.add_parser("pin", help="set or change the admin PIN")
    add_port_args(pin, pin=True)
    pin.add_argument("--new", metavar="PIN", help="the new PIN (6-32 characters; default: asked for)")
    sp = sub.add_parser("supervisor-pin", help="set or remove the read-only supervisor PIN (needs the admin PIN)")
    add_port_args(sp, pin=True)
    sp.add_argument("--new", metavar="PIN", help="the supervisor's PIN (default: asked for)")
    sp.add_argument("--remove", action="store_true", help="remove the supervisor PIN")
    add_port_args(sub.add_parser("reboot", help="restart the board's firmware"), pin=True)
    ov = sub.add_parser("override", help="force a schedule mode (day, night, ...) or 'auto' for the schedule")
    add_port_args(ov, pin=True)
    ov.add_argument("mode", help="a mode of the config's schedule, or auto")
    le = sub.add_parser("learn", help="'learn my line': measure how the exchange signals hang-up")
    add_port_args(le, pin=True)
    le.add_argument("--line", type=int, default=1, help="trunk line, from 1 (default 1)")
    le.add_argument("--result", action="store_true", help="show the last measurement instead of starting one")
    le.add_argument("--json", action="store_true", help="with --result: the report as JSON")
    fr = sub.add_parser("factory-reset", help="erase config, prompts, records and PIN, then restart")
    add_port_args(fr, pin=True)
    fr.add_argument("--yes", action="store_true", help="really erase")


def run(args):
    from .session import PIN_TIMEOUT, Board, get_pin, open_board
    from .transport import Transport, default_port
    if args.action == "pin":
        b = Board(Transport(default_port(args.port), args.baud).open())
        with b:
            info = b.hello()
            old = get_pin(args) if info.get("pin_set") else None
            new = args.new
            if not new:
                if not sys.stdin.isatty():
                    raise UsageError("give the new PIN with --new")
                new = getpass.getpass("new admin PIN: ")
                if getpass.getpass("the new PIN again: ") != new:
                    raise RingrouteError("the two PINs differ; nothing was changed")
            b.pin_set(new, old)
        print("the board's admin PIN is %s" % ("changed" if old else "set"))
        return 0
    if args.action == "supervisor-pin":
        new = None
        if not args.remove:
            new = args.new
            if not new:
                if not sys.stdin.isatty():
                    raise UsageError("give the supervisor's PIN with --new (or --remove)")
                new = getpass.getpass("the supervisor's PIN: ")
                if getpass.getpass("again: ") != new:
                    raise RingrouteError("the two PINs differ; nothing was changed")
        with open_board(args, need_pin=True) as b:
            b.request("pin.supervisor", {"new": new}, timeout=PIN_TIMEOUT)
        print("the board's supervisor PIN is %s" % ("removed" if new is None else "set"))
        return 0
    if args.action == "factory-reset" and not args.yes:
        raise UsageError("factory-reset erases the config, prompts, call records and PIN: add --yes")
    if args.action == "learn":
        import json
        with open_board(args, need_pin=True) as b:
            r = b.request("learn", {"line": args.line, "result": bool(args.result)})
        if not args.result:
            print("line %d: call the board's number now, say a few words, then hang up; "
                  "then run `ringroute board learn --line %d --result`" % (args.line, args.line))
            return 0
        rep = r.get("report")
        if rep is None:
            raise RingrouteError("line %d has no measurement yet%s" % (
                args.line, " (still waiting for the call)" if r.get("waiting") else ""))
        print(json.dumps(rep) if args.json else json.dumps(rep, indent=2, sort_keys=True))
        return 0
    if args.action == "override":
        mode = None if args.mode == "auto" else args.mode
        with open_board(args, need_pin=True) as b:
            b.request("override", {"mode": mode})
        print("the board now answers %s" % ("by its schedule" if mode is None else "in '%s' mode" % mode))
        return 0
    with open_board(args, need_pin=True) as b:
        if args.action == "reboot":
            b.request("reboot")
        else:
            b.request("factory_reset", {"confirm": "erase"})
        b.session = False  # the restart ends it
        b.token = None
    print("the board restarts%s" % (" with nothing on it but the firmware" if args.action != "reboot" else ""))
    return 0
