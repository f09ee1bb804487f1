"""`ringroute privacy`: one caller's access (export) and erasure (erase) requests."""
import json
import sys
import time

from .errors import RingrouteError

HELP = "a caller's data: export everything the board holds about a number, or erase it (GDPR requests)"
DESCRIPTION = """\
For a caller's request under data-protection law (GDPR: answer within one
month). Both need the admin PIN. The number is matched on its digits, so
"+1 617-555-0142" also finds 6175550142 (see PRIVACY.md).

  export   everything the board holds about the number, from every file:
           its call records, a call-back waiting, the block list, the last
           caller, the live event log, the campaign's call list (with each
           entry's progress), the office's do-not-call list, and where the
           config names it. Writes one JSON document (-o FILE, or stdout) to
           hand to the caller.
  erase    removes the number from the records, the call-back list, the
           block list, the last caller, the event log and the campaign's
           call list (the entry is closed, never dialled, and its number
           blanked); then reads everything back (the board's own check, a
           fresh export, and the record files downloaded and searched here)
           and says what is left. Two things stay on purpose: the config
           (block lists, do-not-call: the office's own rules, never changed
           here; erase tells you where it names the number) and the office's
           do-not-call list: it is the person's own objection to being
           called, kept so they are never called again (GDPR Art. 21(3);
           the erasure right gives way where keeping data is needed to meet
           a legal obligation, Art. 17(3)(b); see PRIVACY.md).

examples:
  ringroute privacy export --number 6175550142 -o smith-2026-11-23.json
  ringroute privacy erase --number 6175550142
"""


def configure(p):
    from .session import add_port_args
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    ex = sub.add_parser("export", help="everything the board holds about one number, as JSON")
    er = sub.add_parser("erase", help="remove one number from every file, then prove nothing is left")
    for sp in (ex, er):
        add_port_args(sp, pin=True)
        sp.add_argument("--number", required=True, help="the caller's number, as they give it")
    ex.add_argument("-o", "--output", metavar="FILE", help="write the JSON here (default: stdout)")
    er.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def export(b, number):
    """(where, records): the board's answer, all pages."""
    where, recs, start = None, [], 0
    while True:
        r = b.request("privacy.export", {"number": number, "from": start})
        if where is None:
            where = r["where"]
        recs += r["records"]
        if r["more"] is None:
            return where, recs
        start = r["more"]


KEPT = ("config", "dnc")   # never changed by an erasure (the office's rules; the person's own objection)


def _left(where):
    """What of `where` still holds the number (the config and the do-not-call list apart)."""
    return {k: v for k, v in where.items() if k not in KEPT and v not in (0, [], False, None)}


def _describe(where, n_recs):
    parts = ["%d call record(s)" % n_recs]
    if where.get("callbacks"):
        parts.append("%d call-back request(s)" % len(where["callbacks"]))
    if where.get("blocked"):
        parts.append("the block list")
    if where.get("last_caller"):
        parts.append("the last caller (for *89)")
    if where.get("events"):
        parts.append("%d live event(s)" % where["events"])
    if where.get("campaign"):
        parts.append("%d campaign list entr%s" % (len(where["campaign"]), "y" if len(where["campaign"]) == 1 else "ies"))
    if where.get("dnc"):
        parts.append("the do-not-call list (%s)" % ", ".join(where["dnc"]))
    return ", ".join(parts)


def _files_search(b, number):
    """Download every record segment and look for the number in them here."""
    from rrfw.call.privacy import matcher
    from .recfiles import download
    same = matcher(number)
    hits = 0
    for rec in download(b)[0]:
        if same(rec.get("caller")) or same(rec.get("callee")):
            hits += 1
    return hits


def run(args):
    from .session import open_board, say
    from rrfw.call.privacy import matcher
    from rrfw.errors import CmdError
    try:
        matcher(args.number)
    except CmdError as e:
        raise RingrouteError("--number %r: %s" % (args.number, e.msg))
    with open_board(args, need_pin=True) as b:
        where, recs = export(b, args.number)
        if args.action == "export":
            doc = {"number": args.number, "exported_utc": int(time.time()), "board": b.info.get("board"),
                   "where": where, "records": recs,
                   "note": "everything this ringroute board holds about the number (PRIVACY.md)"}
            text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
            if args.output:
                with open(args.output, "w") as f:
                    f.write(text)
                say("wrote %s: %s" % (args.output, _describe(where, len(recs))))
            else:
                sys.stdout.write(text)
            if where.get("config"):
                say("the config names it too: %s" % "; ".join(where["config"]))
            return 0
        # erase
        say("the board holds %s" % _describe(where, len(recs)))
        if not args.yes:
            if not sys.stdin.isatty():
                raise RingrouteError("erase asks before it removes anything: give --yes to confirm")
            if input("erase all of it? type yes: ").strip() != "yes":
                raise RingrouteError("nothing was erased")
        r = b.request("privacy.erase", {"number": args.number}, timeout=30.0)
        e = r["erased"]
        print("erased: %d record(s), %d call-back(s), %d block-list entr%s, last caller %s, %d event(s), "
              "%d campaign list entr%s" % (
                  e["records"], e["callbacks"], e["blocked"], "y" if e["blocked"] == 1 else "ies",
                  "yes" if e["last_caller"] else "no", e["events"], e.get("campaign", 0),
                  "y" if e.get("campaign", 0) == 1 else "ies"))
        # the proof: the board's own read-back, a fresh export, the files searched here
        board_left = _left(r["left"])
        where2, recs2 = export(b, args.number)
        export_left = _left(where2)
        file_hits = _files_search(b, args.number)
        print("read back: board check %s; export %s, %d record(s); record files %d match(es)" % (
            "clean" if not board_left else json.dumps(board_left),
            "clean" if not export_left else json.dumps(export_left), len(recs2), file_hits))
        if where2.get("config"):
            print("kept on purpose (the office's own rules, edit the YAML and push to change): %s"
                  % "; ".join(where2["config"]))
        kept = r.get("kept") or {}
        if where2.get("dnc") or kept.get("dnc"):
            print("kept on purpose: %s %s" % (", ".join(where2.get("dnc") or kept["dnc"]), kept.get("why") or
                  "kept on the do-not-call list: the person's own objection to being called "
                  "(GDPR Art. 21(3); Art. 17(3)(b))"))
        if board_left or export_left or recs2 or file_hits:
            raise RingrouteError("the number is still on the board (see above)")
        print("nothing of %s is left on the board" % args.number)
    return 0
