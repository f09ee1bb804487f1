"""`ringroute dnc`: do-not-call lists: national register copies here, the office's own list on the board."""
import sys

HELP = "do-not-call: import a national register's copy (scrubs every campaign list), the board's own list"
DESCRIPTION = """\
Two kinds of do-not-call list, both checked:

  import FILE --register NAME   a national register's export (one number per
                                line, or CSV with the number first), kept here
                                with the date it was taken (--date, default
                                today). Every campaign list of its region is
                                scrubbed against it before the push, and a
                                campaign is refused once the copy is older
                                than the region allows (US 31 days, 16 CFR
                                310.4(b)(3)(iv); IT 30 days, Law 5/2018).
  add | remove | check NUMBER   the office's own list on the board: checked
  list                          before every single dial (call-backs too);
                                a called person's opt-out key adds to it.
  registers                     the register copies kept here, with their age

examples:
  ringroute dnc import dnc-us.txt --register US-DNC --date 2026-01-02
  ringroute dnc import rpo.csv --register IT-RPO --region IT
  ringroute dnc add 6175550142
"""


def configure(p):
    from .session import add_port_args
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    im = sub.add_parser("import", help="keep a national register's copy (with its date) for scrubbing")
    im.add_argument("file", metavar="FILE")
    im.add_argument("--register", required=True, help="the register's name, e.g. US-DNC or IT-RPO")
    im.add_argument("--region", default="US", help="its country: US or IT")
    im.add_argument("--date", help="the day the copy was taken (YYYY-MM-DD; default today)")
    sub.add_parser("registers", help="the register copies kept here")
    for name in ("add", "remove", "check"):
        sp = sub.add_parser(name, help="%s a number on the board's own list" % name)
        sp.add_argument("number")
        sp.add_argument("--region", default="US", help="the number's country (its national form is kept)")
        add_port_args(sp, pin=True)
    ls = sub.add_parser("list", help="the board's own list")
    ls.add_argument("--full", action="store_true", help="full numbers (default: masked)")
    add_port_args(ls, pin=True)


def run(args):
    from . import campaigns as cp
    if args.action == "import":
        meta = cp.import_register(args.file, args.register, args.region, args.date)
        print("register %s (%s): %d numbers, copy of %s%s" % (
            meta["name"], meta["region"], meta["numbers"], meta["date"],
            "; %d lines were not numbers" % meta["skipped_lines"] if meta["skipped_lines"] else ""))
        return 0
    if args.action == "registers":
        import datetime
        today = datetime.date.today()
        for meta, nums in cp.registers():
            why = cp.stale(meta, today)
            print("%-12s %s  %6d numbers  copy of %s%s" % (meta["name"], meta["region"], len(nums), meta["date"],
                                                          ("  STALE: " + why) if why else ""))
        return 0
    from .errors import UsageError
    from .session import open_board
    if args.action != "list":
        n = cp.national(args.number, args.region)
        if n is None:
            raise UsageError("%r is not a %s number" % (args.number, args.region))
    with open_board(args, need_pin=True) as b:
        if args.action == "add":
            r = b.request("dnc.add", {"number": n})
            print("%s is on the board's do-not-call list (%d entries)" % (n, r["count"]))
        elif args.action == "remove":
            r = b.request("dnc.remove", {"number": n})
            print("%s %s (%d entries)" % (n, "removed" if r["removed"] else "was not on the list", r["count"]))
        elif args.action == "check":
            r = b.request("dnc.check", {"number": n})
            print("%s: %s" % (n, ("listed (%s)" % r["entry"]) if r["listed"] else "not listed"))
            return 0 if r["listed"] else 1
        else:
            start = 0
            while start is not None:
                r = b.request("dnc.list", {"from": start})
                for e in r["entries"]:
                    sys.stdout.write((e if args.full else cp.mask(e)) + "\n")
                start = r["more"]
    return 0
