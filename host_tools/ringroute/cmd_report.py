"""`ringroute report`: service-level figures from call records, per period, against the target."""
import json

from . import slreport

HELP = "service-level report from call records: per period against the target, abandoned callers, charts"
DESCRIPTION = """\
Reads call records and prints the figures a service agreement asks for, each
with its definition (below): calls offered, missed, answered, routed to a
person, connected, abandoned (short abandons apart), the service level by
the formula chosen (its name is printed with it), speed of answer (mean,
median, 90th percentile, longest), then one row per --period judged MET or
MISSED against the target with the margin, and the list of the abandoned
callers (numbers masked unless --full) with whether they were reached since.
Call-backs are counted as their own kind, never as inbound calls. From an
emulator run, the callers who found every line busy (`blocked`) are shown
beside the board's figures: the board never sees them.

The target, T and the formula come from the config's `service_level`
section (--config), default 80 % within 20 s, formula `offered`; the options
override them.

RECORDS are JSON-lines files (`ringroute records --format json`, or
`ringroute emulate --json` output), the board's record segments
(rec000001.bin) or a folder of them (an emulator --flash folder).

""" + slreport.__doc__.split("\n", 4)[-1] + """
examples:
  ringroute report calls.jsonl --config office.yaml --period hour
  ringroute emulate office.yaml --script busy-day.yaml --json > day.jsonl
  ringroute report day.jsonl --formula sl2 --sla 30 --out day-report
"""


def configure(p):
    p.add_argument("records", nargs="+", help="call records (JSON lines) or emulator --json output")
    p.add_argument("--config", metavar="FILE", help="office config (YAML or compiled JSON): the service_level target")
    p.add_argument("--period", choices=slreport.PERIODS, default="day", help="rows per hour, day, week or month (default day)")
    p.add_argument("--formula", choices=sorted(slreport.FORMULAS), help="service-level formula (default: config, else offered)")
    p.add_argument("--sla", type=float, metavar="SECONDS", help="answer target T (default: config, else 20 s)")
    p.add_argument("--target", type=float, metavar="PERCENT", help="share to reach within T (default: config, else 80)")
    p.add_argument("--short-abandon", type=float, metavar="SECONDS",
                   help="abandons shorter than this are kept apart (default: config, else 5 s)")
    p.add_argument("--full", action="store_true", help="show callers' full numbers in the abandoned list")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--out", metavar="DIR", help="also write PNG charts and report.md to DIR (needs matplotlib)")


def run(args):
    stream = slreport.read(args.records)
    if not stream.records:
        raise slreport.ReportError("no call records in %s" % ", ".join(args.records))
    cfg = None
    if args.config:
        from .cmd_emulate import load_config
        cfg = load_config(args.config)
    st = slreport.settings(cfg, formula=args.formula,
                           within_ms=None if args.sla is None else int(round(args.sla * 1000)),
                           target_pct=args.target,
                           short_abandon_ms=None if args.short_abandon is None else int(round(args.short_abandon * 1000)))
    tz = (cfg or {}).get("tz") or ((cfg or {}).get("schedule") or {}).get("tz")
    rep = slreport.report(stream, st, args.period, tz, args.full)
    if args.json:
        out = dict(rep["total"], definitions=rep["definitions"], periods=rep["periods"],
                   abandoned_list=rep["abandoned"])
        print(json.dumps(out))
    else:
        print(slreport.format_text(rep["total"], rep))
    if args.out:
        from . import slcharts   # matplotlib only here: `ringroute --help` stays light
        files = slcharts.write(args.out, stream, st, rep, tz)
        print("wrote %s" % ", ".join(files), file=__import__("sys").stderr)
    return 0
