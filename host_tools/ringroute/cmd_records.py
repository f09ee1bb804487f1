"""`ringroute records`: take the call records away."""
import csv
import io
import json
import sys

HELP = "download the board's call records as CSV or JSON"
DESCRIPTION = """\
Downloads every call record on the board (the current file and the rotated
one) and writes them as CSV (one row per call, for a spreadsheet) or JSON
lines. Call records hold callers' numbers: the admin PIN is needed.

examples:
  ringroute records -o calls.csv
  ringroute records --format json > calls.jsonl
"""

FIRST = ("call", "line", "caller", "caller_name", "outcome", "release", "method", "target", "ext",
         "rings", "wait_ms", "talk_ms", "answer_ms", "connect_ms", "end_ms", "path", "digits")


def configure(p):
    from .session import add_port_args
    add_port_args(p, pin=True)
    p.add_argument("--format", choices=("csv", "json"), help="default: from the -o file's extension, else csv")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of to stdout")


def parse(data):
    out = []
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a line cut short by a power cut
    return out


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
    from .session import open_board, Progress
    with open_board(args, need_pin=True) as b:
        old = b.get_file("records.old", progress=Progress("records.1.jsonl", quiet=True))
        cur = b.get_file("records", progress=Progress("records.jsonl", quiet=not args.output))
    records = parse(old) + parse(cur)
    fmt = args.format or ("json" if args.output and args.output.endswith((".json", ".jsonl")) else "csv")
    text = to_csv(records) if fmt == "csv" else "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
    if args.output:
        with open(args.output, "w", newline="") as f:
            f.write(text)
        print("wrote %d call record(s) to %s" % (len(records), args.output), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
