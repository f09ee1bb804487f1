"""`ringroute schedule CONFIG --at 'YYYY-MM-DD HH:MM'`: which menu answers at that moment."""
import datetime
import sys

from .configlang import compile_config
from .errors import UsageError

HELP = "show which schedule mode and menu answer at a given local time"
DESCRIPTION = """\
Evaluate the config's schedule exactly as the board does (the firmware's own
schedule.py, with the config's time zone and daylight-saving rule) and show
which mode (day, night, lunch, holiday...) and which menu answer a call.

--at is the office's local time (the config's 'timezone'); add --utc to give
a UTC time instead. --override MODE shows the effect of a manual day/night
override. --week lists every change over the 7 days from --at.

examples:
  ringroute schedule examples/day-night.yaml --at '2026-12-24 12:30'
  ringroute schedule office.yaml --at '2026-03-08 02:30'          # a DST change (US)
  ringroute schedule office.yaml --at '2026-07-01 08:00' --utc
  ringroute schedule office.yaml --at '2026-11-23 00:00' --week    # the week's timetable
  ringroute schedule office.yaml --override night"""

_DAYNAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def firmware_schedule():
    """The firmware's schedule module (the code the board runs)."""
    from rrfw.call import schedule
    return schedule


def configure(p):
    p.add_argument("config", metavar="CONFIG", help="the YAML config file")
    p.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="the moment to evaluate (default: now)")
    p.add_argument("--utc", action="store_true", help="--at is UTC, not the office's local time")
    p.add_argument("--override", metavar="MODE", help="evaluate with a manual override to MODE")
    p.add_argument("--week", action="store_true", help="list each change of mode over 7 days from --at")


def _parse_at(text):
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt)
        except ValueError:
            pass
    raise UsageError("--at %r: use 'YYYY-MM-DD HH:MM' (24-hour)" % text)


def local_to_utc(sched, tz, local_s):
    """UTC seconds for a local wall-clock time, and a note if that time is skipped or repeated by DST."""
    cands = []
    offs = set([tz.get("std", 0)] + ([tz["dst"]] if tz and tz.get("dst") is not None else [])) if tz else {0}
    for off in sorted(offs):
        u = local_s - off * 60
        if sched.utc_offset_min(tz, u) == off:
            cands.append(u)
    if not cands:
        # skipped by the spring-forward change: take the standard-time reading
        return local_s - tz.get("std", 0) * 60, "this local time does not exist (clocks go forward)"
    if len(cands) > 1:
        return min(cands), "this local time happens twice (clocks go back); showing the first"
    return cands[0], None


def _fmt_off(m):
    return "UTC%s%02d:%02d" % ("+" if m >= 0 else "-", abs(m) // 60, abs(m) % 60)


def _describe(sched, sch, u, override):
    tz = sch.get("tz")
    y, mo, d, wd, mod = sched.local_time(tz, u)
    mode, menu = sched.menu_at(sch, u, override)
    return "%04d-%02d-%02d %s %02d:%02d (%s)" % (y, mo, d, _DAYNAMES[wd], mod // 60, mod % 60,
                                                _fmt_off(sched.utc_offset_min(tz, u))), mode, menu


def _zone(sch):
    tz = sch.get("tz")
    return tz.get("name", "") if tz else "UTC (no timezone in the config)"


def run(args):
    cfg = compile_config(args.config)
    sched = firmware_schedule()
    sch = cfg.get("schedule")
    if sch is None:
        print("%s has no schedule: every call starts in menu '%s'" % (args.config, cfg.get("start")))
        return 0
    if args.override is not None and args.override not in sch["modes"]:
        raise UsageError("--override %s: the schedule's modes are %s" % (
            args.override, ", ".join(sorted(sch["modes"]))))
    tz = sch.get("tz")
    note = None
    if args.at:
        dt = _parse_at(args.at)
        secs = int((dt - datetime.datetime(1970, 1, 1)).total_seconds())
        if args.utc:
            u = secs
        else:
            u, note = local_to_utc(sched, tz, secs)
    else:
        import time
        u = int(time.time())
    if args.week:
        print("time zone: %s" % _zone(sch))
        print("%-36s %-10s %s" % ("from (local)", "mode", "menu"))
        # a mode can only change at a rule's edge (local minute) or when the UTC offset changes
        edges = set([0])
        for r in sch["rules"]:
            edges.add(r.get("from", 0) % 1440)
            edges.add(r.get("to", 1440) % 1440)
        last = None
        off = None
        t = u - u % 60
        while t < u + 7 * 86400:
            if off is None or t % 1800 == 0:
                o = sched.utc_offset_min(tz, t)
                changed = o != off
                off = o
            else:
                changed = False
            if last is None or changed or (t // 60 + off) % 1440 in edges:
                when, mode, menu = _describe(sched, sch, t, args.override)
                if (mode, menu) != last:
                    print("%-36s %-10s %s" % (when, mode, menu))
                    last = (mode, menu)
            t += 60
        return 0
    when, mode, menu = _describe(sched, sch, u, args.override)
    src = "override" if args.override else "schedule"
    print("%s: mode %s (%s) -> menu %s" % (when, mode, src, menu))
    if note:
        print("note: %s" % note, file=sys.stderr)
    return 0
