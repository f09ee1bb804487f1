"""`ringroute report`: service-level figures from call records."""
import json

from . import slreport

HELP = "service-level report from call records (service level, abandon rate, speed of answer)"
DESCRIPTION = """\
Reads call records and prints the figures a service agreement asks for:
calls offered, missed, answered, routed to a person, connected, abandoned;
the service level (share of routed calls an agent took within --sla
seconds), the abandon rate, average and longest speed of answer, average
talk time, and per-extension counts. Definitions: host_tools/ringroute/slreport.py.

RECORDS are JSON-lines files: the board's records.jsonl (from `ringroute
records` or an emulator --flash folder) or `ringroute emulate --json` output.

examples:
  ringroute report records.jsonl
  ringroute emulate office.yaml --script busy-day.yaml --json > day.jsonl
  ringroute report day.jsonl --sla 30 --json
"""


def configure(p):
    p.add_argument("records", nargs="+", help="call records (JSON lines) or emulator --json output")
    p.add_argument("--sla", type=float, default=20.0, metavar="SECONDS",
                   help="answer target for the service level (default 20 s)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")


def run(args):
    recs = slreport.load(args.records)
    if not recs:
        raise slreport.ReportError("no call records in %s" % ", ".join(args.records))
    s = slreport.summarise(recs, args.sla)
    print(json.dumps(s) if args.json else slreport.format_text(s))
    return 0
