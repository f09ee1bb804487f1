"""`ringroute records`: take the call records away (CSV or JSON, masked by default)."""
import calendar
import csv
import io
import json
import re
import sys

from .errors import UsageError

HELP = "download the board's call records as CSV or JSON (numbers masked unless --full)"
DESCRIPTION = """\
Downloads every call record on the board (all its record segments), keeps
those of calls that started between --since and --until, and writes them as
CSV (one row per call, for a spreadsheet) or JSON lines (for `ringroute
report`). Callers' numbers are personal data: they are masked to the last
four digits (****0142) and names are left out unless --full is given.
Reading records from the board needs the admin PIN either way.
A download of everything (no --since/--until) that was written out tells
the board the records are taken away (it warns before it overwrites records
never taken away); --no-mark leaves that as it was.
--file reads records already taken away instead of a board: JSON lines, a
record segment (rec000001.bin) or a folder of them (an emulator --flash
folder). --queue-log writes the queue calls as an Asterisk queue_log
(ENTERQUEUE, CONNECT, COMPLETECALLER/COMPLETEAGENT, ABANDON,
EXITWITHTIMEOUT; see ringroute/queuelog.py), for queue reporting tools.

examples:
  ringroute records -o calls.csv --since 2026-11-01 --until 2026-12-01
  ringroute records --format json --since "2026-11-23 08:00" > day.jsonl
  ringroute records --full -o calls-full.csv        (for the office's own use only)
  ringroute records --queue-log --since 2026-11-23 --until 2026-11-24 -o queue_log
"""

FIRST = ("call", "line", "caller", "caller_name", "direction", "utc", "outcome", "release", "method",
         "target", "ext", "rings", "wait_ms", "talk_ms", "answer_ms", "connect_ms", "end_ms", "path", "digits")
NUMBERS = ("caller", "callee")
NAMES = ("caller_name",)


def configure(p):
    from .session import add_port_args
    add_port_args(p, pin=True)
    p.add_argument("--format", choices=("csv", "json"), help="default: from the -o file's extension, else csv")
    p.add_argument("--queue-log", action="store_true", help="write an Asterisk queue_log instead (callers masked "
                                                          "unless --full)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of to stdout")
    p.add_argument("--since", metavar="WHEN", help="calls from this time on (UTC: 2026-11-23, '2026-11-23 08:00' or "
                                                  "Unix seconds)")
    p.add_argument("--until", metavar="WHEN", help="calls before this time (same forms)")
    p.add_argument("--full", action="store_true", help="callers' full numbers and names (default: masked)")
    p.add_argument("--file", metavar="RECORDS", action="append",
                   help="read these records files or folders instead of the board (repeatable)")
    p.add_argument("--no-mark", action="store_true",
                   help="do not tell the board the records were taken away")


def parse(data):
    """Records from JSON lines, or from a record segment's bytes."""
    from . import recfiles
    if recfiles.is_segment("", data or b""):
        return recfiles.fw.decode(data)[0]
    return recfiles.parse_json_lines(data)


def when(text, what):
    """UTC seconds from 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS]' (UTC) or Unix seconds."""
    if text is None:
        return None
    t = text.strip()
    if re.fullmatch(r"[0-9]{9,11}", t):
        return int(t)
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?Z?", t)
    if not m:
        raise UsageError("%s %r: a date (2026-11-23), a date and time ('2026-11-23 08:00', UTC) "
                         "or Unix seconds" % (what, text))
    y, mo, d, hh, mm, ss = (int(x) if x else 0 for x in m.groups())
    if not (y >= 1970 and 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1] and hh < 24 and mm < 60 and ss < 60):
        return None
    return calendar.timegm((y, mo, d, hh, mm, ss, 0, 0, 0))


def select(records, since=None, until=None):
    from .slreport import arrival_utc
    out = []
    for r in records:
        t = arrival_utc(r)
        if t is None:
            if since is None and until is None:
                out.append(r)   # a record without a time is only kept when no window is asked
            continue
        if (since is None or t >= since) and (until is None or t < until):
            out.append(r)
    return out


def masked(rec):
    from .slreport import mask
    r = dict(rec)
    for k in NUMBERS:
        if r.get(k):
            r[k] = mask(r[k])
    for k in NAMES:
        if k in r:
            r[k] = None
    return r


def to_csv(records):
    keys = [k for k in FIRST if any(k in r for r in records)]
    keys += sorted({k for r in records for k in r} - set(keys))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(keys)
    for r in records:
        w.writerow([json.dumps(r[k]) if isinstance(r.get(k), (list, dict)) else ("" if r.get(k) is None else r[k])
                    for k in keys])
    return buf.getvalue()




def run(args):
    since, until = when(args.since, "--since"), when(args.until, "--until")
    if (args.since and since is None) or (args.until and until is None):
        raise UsageError("--since/--until: not a real date")
    from . import recfiles
    if args.file:
        records, bad = recfiles.read_files(args.file)
        n = _write_out(args, records, since, until)
    else:
        from .session import open_board, Progress
        with open_board(args, need_pin=True) as b:
            if getattr(b, "role", "admin") == "supervisor":
                if args.full:
                    raise UsageError("--full: the supervisor PIN reads masked records only (the admin PIN reads all)")
                records, bad = recfiles.download_masked(b), 0   # masked on the board; never marks
                n = _write_out(args, records, since, until)
            else:
                records, bad, point = recfiles.download(b, progress=Progress("records", quiet=not args.output))
                n = _write_out(args, records, since, until)
                if since is None and until is None and not args.no_mark:
                    recfiles.mark(b, point)   # only once the records are safely written out
    _report(args, n, bad)
    return 0


def _write_out(args, records, since, until):
    records = select(records, since, until)
    if args.queue_log:
        from . import queuelog
        text = queuelog.text(records, full=args.full)
    else:
        if not args.full:
            records = [masked(r) for r in records]
        fmt = args.format or ("json" if args.output and args.output.endswith((".json", ".jsonl")) else "csv")
        text = to_csv(records) if fmt == "csv" else "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
    if args.output:
        with open(args.output, "w", newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return len(records)


def _report(args, n, bad):
    if args.output:
        print("wrote %d call record(s) to %s%s" % (n, args.output,
                                                   "" if args.full else " (numbers masked; --full for them)"),
              file=sys.stderr)
    if bad:
        print("%d unreadable record(s) skipped (cut short by a power loss, or damaged)" % bad, file=sys.stderr)
