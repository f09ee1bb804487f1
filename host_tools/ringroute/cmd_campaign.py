"""`ringroute campaign`: outbound call lists on the board, their control and their report."""
import datetime
import json
import os
import sys
import time

from .errors import UsageError

HELP = "outbound campaigns: push a call list (scrubbed against do-not-call registers), control it, report"
DESCRIPTION = """\
An outbound campaign calls a list of numbers, agent first: the board rings a
free agent of the campaign's group (the config's outbound: campaign: group:),
the agent lifts and hears a short beep, then the board seizes a line, dials
and the agent hears the call progress. No call is ever abandoned. After the
call the agent keys a disposition on the handset (outbound: dispositions:).

  push LIST.csv --name NAME   the list (CSV: number, name, tz or region,
                              notes) scrubbed against every register copy
                              of its region (`ringroute dnc import`), then
                              sent to the board and started (--paused: not
                              started). Refused when a register copy is
                              older than its region allows (US 31 days,
                              16 CFR 310.4(b)(3)(iv); IT 30 days, Law 5/2018),
                              or when the list does not fit the board's flash
                              (the refusal says how many numbers would).
                              --flash DIR writes it to an emulated board's
                              flash folder instead of a board.
  status                      the campaign's state and numbers by status
  pause | resume | stop       control (resume checks the register age again)
  report                      attempts, connects, contact rate, dispositions,
                              numbers skipped per do-not-call list, held back
                              by calling hours, abandonment (0 by design), per
                              agent and per hour; numbers masked unless --full;
                              --chart FILE.png draws it; --file reads records
                              or `emulate --json` output instead of a board.

The board checks its own do-not-call list (`ringroute dnc add`) and the
calling hours in the called person's local time again before every dial.

examples:
  ringroute dnc import us-dnc-2026-01-02.txt --register US-DNC --date 2026-01-02
  ringroute campaign push leads.csv --name winter-offer
  ringroute campaign report --name winter-offer --chart winter.png
"""


def configure(p):
    from .session import add_port_args
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    pu = sub.add_parser("push", help="scrub a call list and send it to the board")
    pu.add_argument("list", metavar="LIST.csv")
    pu.add_argument("--name", required=True, help="the campaign's name (letters, digits, _ . -)")
    pu.add_argument("--region", default="US", help="the list's country (US, IT); numbers of another are left out")
    pu.add_argument("--paused", action="store_true", help="send it, but do not start it")
    pu.add_argument("--no-register", action="store_true",
                    help="no register copy of the region is kept here: push anyway (the office confirms "
                         "the list is exempt, e.g. its own customers who consented)")
    pu.add_argument("--flash", metavar="DIR", help="write to an emulated board's flash folder (running)")
    pu.add_argument("--today", metavar="YYYY-MM-DD", help=argparse_hide())
    for name in ("status", "pause", "resume", "stop"):
        sp = sub.add_parser(name, help={"status": "the campaign on the board", "pause": "no new attempts",
                                        "resume": "attempts again (checks the register age)",
                                        "stop": "no more attempts; the list stays for the report"}[name])
        add_port_args(sp, pin=True)
        if name == "status":
            sp.add_argument("--json", action="store_true")
    add_port_args(pu, pin=True)
    rp = sub.add_parser("report", help="the campaign's figures, from the board's records (or --file)")
    add_port_args(rp, pin=True)
    rp.add_argument("--name", help="the campaign (default: every campaign in the records)")
    rp.add_argument("--file", metavar="FILE", action="append",
                    help="records (records.jsonl) or `emulate --json` output instead of a board (repeatable)")
    rp.add_argument("--chart", metavar="PNG", help="draw attempts per hour and results here")
    rp.add_argument("--json", action="store_true")
    rp.add_argument("--full", action="store_true", help="full numbers (default: masked to the last four digits)")


def argparse_hide():
    import argparse
    return argparse.SUPPRESS


def _today(args):
    t = getattr(args, "today", None)
    return datetime.date.fromisoformat(t) if t else datetime.date.today()


def push(args):
    from . import campaigns as cp
    from .session import open_board, Progress, say
    entries, probs = cp.read_list(args.list, args.region)
    for pr in probs:
        say(pr)
    regs = cp.registers(args.region)
    if not regs and not args.no_register:
        raise UsageError("no do-not-call register copy for %s is kept here: `ringroute dnc import FILE "
                         "--register NAME --region %s` first (or --no-register)" % (args.region, args.region))
    today = _today(args)
    for meta, _ in regs:
        why = cp.stale(meta, today)
        if why:
            raise cp.CampaignError("campaign not started: " + why)
    created = int(time.time()) if not args.today else int(datetime.datetime(
        today.year, today.month, today.day, tzinfo=datetime.timezone.utc).timestamp())
    data, head, info = cp.build(entries, args.name, args.region, regs, created)
    sc = ", ".join("%s %d" % kv for kv in sorted(info["scrubbed"].items())) or "no register"
    print("%s: %d numbers to call; scrubbed: %s; duplicates %d; other regions %d; %d bytes for the board" % (
        args.name, head["n"], sc, info["duplicates"], info["other_region"], len(data)))
    cp.save_local(args.name, head, info["kept"])
    if args.flash:
        _to_flash(args.flash, data, head, not args.paused)
        print("written to %s (%s)" % (args.flash, "paused" if args.paused else "running"))
        return 0
    with open_board(args, need_pin=True) as b:
        r = b.put_file("campaign", data, progress=Progress("campaign.lst", quiet=True), extra={"numbers": head["n"]})
        print("on the board: %s, %d numbers (%s)" % (r["name"], r["numbers"], r["state"]))
        if not args.paused:
            r = b.request("campaign.control", {"do": "start"})
            print("started: %s" % r["state"])
    return 0


def _to_flash(flash, data, head, running):
    """An emulated board's flash: the list and a progress file (control running)."""
    from rrfw.call import campaign
    from rrfw.store import jobstore
    os.makedirs(flash, exist_ok=True)
    with open(os.path.join(flash, jobstore.LIST), "wb") as f:
        f.write(data)
    st = jobstore.JobStore().fresh(head)   # the board's own layout: every number pending
    st[2] = campaign.RUNNING if running else campaign.READY
    with open(os.path.join(flash, jobstore.STATE), "wb") as f:
        f.write(bytes(st))


def _print_status(st):
    c = st.get("campaign") or {}
    print("campaign %s: %s, %s numbers (%s mode, region %s)" % (
        c.get("name"), c.get("state"), c.get("numbers"), c.get("mode"), c.get("region")))
    for k, v in sorted((c.get("numbers_by_status") or {}).items()):
        if v:
            print("  %-10s %d" % (k, v))
    print("  held back by calling hours: %s numbers" % c.get("held_by_hours"))
    if c.get("scrubbed"):
        print("  scrubbed before the push: %s" % ", ".join("%s %d" % kv for kv in sorted(c["scrubbed"].items())))
    print("  office do-not-call list: %s entries; skipped since boot: %s" % (st.get("dnc"), st.get("skipped")))
    if c.get("stale"):
        print("  stopped: %s" % c["stale"])


def report(args):
    from . import campaigns as cp
    items = []
    if args.file:
        for p in args.file:
            try:
                with open(p) as f:
                    for ln in f:
                        ln = ln.strip()
                        if ln.startswith("{"):
                            try:
                                items.append(json.loads(ln))
                            except ValueError:
                                pass
            except OSError as e:
                raise UsageError("%s: cannot read: %s" % (p, e.strerror))
    else:
        from .cmd_records import parse
        from .session import open_board, Progress
        with open_board(args, need_pin=True) as b:
            items = parse(b.get_file("records.old", progress=Progress("records.1.jsonl", quiet=True)))
            items += parse(b.get_file("records", progress=Progress("records.jsonl", quiet=True)))
            st = b.request("campaign.status", {})
        c = st.get("campaign") or {}
        held = set(("campaign", i) for i in range(c.get("held_by_hours") or 0))
    recs, skips, held0 = cp.from_stream(items)
    if args.file:
        held = held0
    local = cp.load_local(args.name) if args.name else None
    scrubbed = (local or {}).get("header", {}).get("scrubbed")
    rep = cp.report(recs, skips, held, name=args.name, scrubbed=scrubbed, full=args.full)
    if args.chart:
        from . import slcharts
        slcharts.campaign_chart(args.chart, rep)
    if args.json:
        json.dump(rep, sys.stdout, indent=1, sort_keys=True)
        print()
    else:
        sys.stdout.write(cp.format_text(rep))
        if args.chart:
            print("chart: %s" % args.chart)
    return 0


def run(args):
    if args.action == "push":
        return push(args)
    if args.action == "report":
        return report(args)
    from .session import open_board
    with open_board(args, need_pin=True) as b:
        if args.action == "status":
            st = b.request("campaign.status", {})
            if args.json:
                json.dump(st, sys.stdout, indent=1, sort_keys=True)
                print()
            elif not st.get("outbound") or not st.get("campaign"):
                print("no outbound campaign in the board's config")
            else:
                _print_status(st)
            return 0
        do = {"pause": "pause", "resume": "resume", "stop": "stop"}[args.action]
        r = b.request("campaign.control", {"do": do})
        print("campaign: %s" % r["state"])
    return 0
