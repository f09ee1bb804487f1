"""Outbound campaigns on the host: call lists, do-not-call register copies and the report.

A call list is a CSV file: number, name, optional tz (an IANA zone such as
America/Chicago, or a fixed offset) or region (US, IT), optional notes. Names
and notes stay on the host; the board gets, for each number, its national
form and its zone (firmware rrfw/store/jobstore.py: 16 bytes a number).

Do-not-call registers: `ringroute dnc import FILE --register NAME` keeps a
copy of a national register's export (one number per line, or a CSV whose
first column is the number) with the date it was taken, in the register
folder ($RINGROUTE_HOME/registers, default ~/.ringroute/registers). Every
list is scrubbed against every register copy of its region before it is
pushed, and a campaign is refused when a copy is older than its region's
limit:

  US  31 days: the National Do Not Call Registry copy used may be at most 31
      days old (16 CFR 310.4(b)(3)(iv), the Telemarketing Sales Rule)
  IT  30 days: the Registro Pubblico delle Opposizioni is consulted before
      every campaign and at least monthly (Law 5/2018; DPR 178/2010 as amended
      by DPR 26/2022, every national number since July 2022)

Both are settings (outbound regions: {US: {register_days: 31}}); the board
checks the same age again before every attempt.
"""
import binascii
import csv
import datetime
import io
import json
import os
import re

from .errors import RingrouteError

REGISTER_DAYS = {"US": 31, "IT": 30}         # rrfw/call/dialer.py REGISTER_DAYS (the sources above)
REGISTER_SOURCES = {"US": "16 CFR 310.4(b)(3)(iv)", "IT": "Law 5/2018 (Registro Pubblico delle Opposizioni)"}
ENTRY = 16                                    # rrfw/store/jobstore.py ENTRY
NUM_LEN = 14                                  # rrfw/store/jobstore.py NUM_LEN
MAX_NUMBERS = 2000                            # rrfw/store/jobstore.py MAX_NUMBERS
ZONE_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
COUNTRY_CODES = {"US": "1", "IT": "39"}


class CampaignError(RingrouteError):
    pass


def home():
    return os.environ.get("RINGROUTE_HOME") or os.path.join(os.path.expanduser("~"), ".ringroute")


def national(raw, region):
    """A number as the board dials and compares it (digits, national form), or None."""
    s = re.sub(r"[\s().\-/]", "", str(raw or ""))
    if not s:
        return None
    cc = COUNTRY_CODES.get(region, "")
    if s.startswith("+"):
        s = s[1:]
        if cc and s.startswith(cc):
            s = s[len(cc):]
        else:
            return None     # another country's number: not on this campaign
    elif s.startswith("00") and cc and s[2:].startswith(cc):
        s = s[2 + len(cc):]
    if not s.isdigit():
        return None
    if region == "US":
        if len(s) == 11 and s[0] == "1":
            s = s[1:]
        if len(s) != 10 or s[0] in "01":
            return None
    elif not 6 <= len(s) <= NUM_LEN:
        return None
    return s


# --- do-not-call register copies ----------------------------------------------------
def _reg_dir():
    return os.path.join(home(), "registers")


def _safe(name):
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,40}", name or ""):
        raise CampaignError("register name %r: letters, digits, _ . - (up to 40)" % name)
    return name


def read_numbers(path, region):
    """Numbers in a register export: one per line, or a CSV whose first column is the number."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as e:
        raise CampaignError("%s: cannot read: %s" % (path, e.strerror))
    out = set()
    bad = 0
    for row in csv.reader(io.StringIO(text)):
        if not row or not row[0].strip() or row[0].strip().startswith("#"):
            continue
        n = national(row[0], region)
        if n is None:
            bad += 1   # a header line, or something that is no number of the region
        else:
            out.add(n)
    return out, bad


def import_register(path, name, region, taken=None):
    """Keep a register copy with its date; returns its metadata."""
    name = _safe(name)
    numbers, bad = read_numbers(path, region)
    if not numbers:
        raise CampaignError("%s: no %s numbers in it (one per line, or CSV with the number first)" % (path, region))
    taken = taken or datetime.date.today().isoformat()
    try:
        datetime.date.fromisoformat(taken)
    except ValueError:
        raise CampaignError("--date %r: YYYY-MM-DD" % taken)
    d = _reg_dir()
    os.makedirs(d, exist_ok=True)
    meta = {"name": name, "region": region, "date": taken, "numbers": len(numbers), "skipped_lines": bad,
            "source": os.path.abspath(path)}
    tmp = os.path.join(d, name + ".txt.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(sorted(numbers)) + "\n")
    os.replace(tmp, os.path.join(d, name + ".txt"))
    with open(os.path.join(d, name + ".json.tmp"), "w") as f:
        json.dump(meta, f)
    os.replace(os.path.join(d, name + ".json.tmp"), os.path.join(d, name + ".json"))
    return meta


def registers(region=None):
    """Every register copy kept here: [(meta, set of numbers)] (of the region, if given)."""
    d = _reg_dir()
    out = []
    if not os.path.isdir(d):
        return out
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(d, fn)) as f:
            meta = json.load(f)
        if region is not None and meta.get("region") != region:
            continue
        with open(os.path.join(d, meta["name"] + ".txt")) as f:
            nums = set(ln.strip() for ln in f if ln.strip())
        out.append((meta, nums))
    return out


def stale(meta, today, limits=None):
    """Why a register copy is too old for its region on `today` (a date), or None."""
    region = meta.get("region", "US")
    limit = (limits or {}).get(region, REGISTER_DAYS.get(region, 31))
    age = (today - datetime.date.fromisoformat(meta["date"])).days
    if age > limit:
        return ("the %s copy of %s is %d days old; %s allows %d (%s): import a fresh copy with "
                "`ringroute dnc import FILE --register %s`" % (
                    meta["name"], meta["date"], age, region, limit,
                    REGISTER_SOURCES.get(region, "the office's setting"), meta["name"]))
    return None


# --- call lists ------------------------------------------------------------------------
def read_list(path, region):
    """[{number, name, tz, region, notes, line}] from a CSV call list, and the problems."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise CampaignError("%s: cannot read: %s" % (path, e.strerror))
    out, probs = [], []
    start = 0
    if rows and rows[0] and rows[0][0].strip().lower() in ("number", "phone", "numero", "telefono"):
        start = 1
    for i, row in enumerate(rows[start:], start + 1):
        if not row or not "".join(row).strip():
            continue
        row = [c.strip() for c in row] + [""] * 4
        reg = region
        tz = None
        z = row[2]
        if z:
            if re.fullmatch(r"[A-Z]{2}", z):
                reg = z
            else:
                tz = z
        n = national(row[0], reg)
        if n is None:
            probs.append("%s:%d: %r is not a %s number" % (path, i, row[0], reg))
            continue
        out.append({"number": n, "name": row[1], "tz": tz, "region": reg, "notes": row[3], "line": i})
    return out, probs


def build(entries, name, region, regs, created, mode=None):
    """The board's list file (bytes), its header, and what was scrubbed.

    entries: read_list()'s; regs: registers(region). Numbers on a register
    copy are left out (counted per register), duplicates are kept once."""
    from .configlang.tz import compile_tz, TzError
    scrubbed = {m["name"]: 0 for m, _ in regs}
    seen = set()
    zones, zone_idx = [], {}
    body = []
    kept = []
    dupes = 0
    other = 0
    for e in entries:
        if e["region"] != region:
            other += 1
            continue
        n = e["number"]
        if n in seen:
            dupes += 1
            continue
        seen.add(n)
        hit = [m["name"] for m, nums in regs if n in nums]
        if hit:
            scrubbed[hit[0]] += 1
            continue
        zc = "-"
        if e["tz"]:
            if e["tz"] not in zone_idx:
                try:
                    tz = compile_tz(e["tz"])
                except TzError as err:
                    raise CampaignError("line %d: time zone %r: %s" % (e["line"], e["tz"], err))
                if len(zones) >= len(ZONE_CHARS):
                    raise CampaignError("more than %d time zones in one list" % len(ZONE_CHARS))
                zone_idx[e["tz"]] = ZONE_CHARS[len(zones)]
                zones.append(tz)
            zc = zone_idx[e["tz"]]
        if len(n) > NUM_LEN:
            raise CampaignError("line %d: %s is longer than %d digits" % (e["line"], n, NUM_LEN))
        body.append((n + " " * NUM_LEN)[:NUM_LEN] + zc + "\n")
        kept.append(e)
    if not body:
        raise CampaignError("nothing left to call: every number is on a register or not of region %s" % region)
    if len(body) > MAX_NUMBERS:
        raise CampaignError("%d numbers: the board takes at most %d in one list" % (len(body), MAX_NUMBERS))
    text = "".join(body).encode()
    head = {"name": name, "id": binascii.crc32(text) & 0xFFFFFFFF, "n": len(body), "zones": zones,
            "region": region, "created": int(created), "scrubbed": scrubbed,
            "register": [{"name": m["name"], "date": int(m["date"].replace("-", ""))} for m, _ in regs]}
    if mode:
        head["mode"] = mode
    data = (json.dumps(head, separators=(",", ":")) + "\n").encode() + text
    return data, head, {"scrubbed": scrubbed, "duplicates": dupes, "other_region": other, "kept": kept}


def save_local(name, head, kept):
    """The list as pushed, names and notes included, kept on the host for the report."""
    d = os.path.join(home(), "campaigns")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, _safe(name) + ".json"), "w") as f:
        json.dump({"header": head, "numbers": kept}, f)


def load_local(name):
    p = os.path.join(home(), "campaigns", _safe(name) + ".json")
    try:
        with open(p) as f:
            return json.load(f)
    except OSError:
        return None


# --- the report -------------------------------------------------------------------------
def mask(number, full=False):
    if full or not number:
        return number
    return "*" * max(0, len(number) - 4) + number[-4:]


def from_stream(items):
    """Records, office-list skips and numbers held by hours from records and/or
    emulator events (`ringroute emulate --json`): (records, skips, held)."""
    recs, skips, held = [], [], set()
    for it in items:
        if "event" in it:
            ev = it["event"]
            if ev == "record" and isinstance(it.get("record"), dict):
                recs.append(it["record"])
            elif ev == "outbound_skip":
                skips.append(it)
            elif ev == "outbound_held":
                held.add((it.get("kind"), it.get("number")))
        elif isinstance(it, dict) and it.get("direction") == "out":
            recs.append(it)
    return recs, skips, held


def report(recs, skips, held, name=None, scrubbed=None, tz=None, full=False):
    """The campaign's figures (a dict): attempts, connects, contact rate,
    dispositions, skips per list, held back by hours, abandonment, per agent, per hour."""
    out_recs = [r for r in recs if r.get("direction") == "out" and r.get("kind", "callback") in ("campaign", "callback")
                and (name is None or r.get("campaign") == name or r.get("kind") == "callback")]
    camp = [r for r in out_recs if r.get("kind") == "campaign"]
    cbs = [r for r in out_recs if r.get("kind") != "campaign"]

    def dialled(r):
        return r.get("dial_ms") is not None or r.get("result") in ("answer", "busy", "no_answer", "reorder", "sit")

    def figures(rs):
        att = [r for r in rs if dialled(r) or r.get("result") == "interrupted"]
        conn = [r for r in rs if r.get("result") == "answer"]
        results = {}
        for r in rs:
            k = r.get("result") or r.get("outcome")
            results[k] = results.get(k, 0) + 1
        disp = {}
        for r in conn:
            k = r.get("disposition") or "none"
            disp[k] = disp.get(k, 0) + 1
        numbers = set(r.get("callee") for r in att)
        talk = [r["talk_ms"] for r in conn if isinstance(r.get("talk_ms"), int)]
        ring = [r["ring_ms"] for r in conn if isinstance(r.get("ring_ms"), int)]
        return {"attempts": len(att), "numbers_dialled": len(numbers), "connects": len(conn),
                "contact_rate": (len(conn) / len(att)) if att else None,
                "results": results, "dispositions": disp,
                # agent first: the agent is on the line before it is seized, so no
                # answered call waits for an agent (TSR / Ofcom limit: 3 %)
                "abandoned": 0, "abandon_rate": 0.0 if conn else None,
                "opt_outs": sum(1 for r in rs if r.get("opt_out")),
                "talk_s_avg": (sum(talk) / len(talk) / 1000.0) if talk else None,
                "ring_s_avg": (sum(ring) / len(ring) / 1000.0) if ring else None}

    per_agent = {}
    for r in camp:
        if dialled(r) and r.get("ext"):
            a = per_agent.setdefault(r["ext"], {"attempts": 0, "connects": 0, "talk_s": 0.0})
            a["attempts"] += 1
            if r.get("result") == "answer":
                a["connects"] += 1
                a["talk_s"] += (r.get("talk_ms") or 0) / 1000.0
    per_hour = {}
    for r in camp:
        if dialled(r) and isinstance(r.get("utc"), int):
            h = _hour(r["utc"], tz)
            p = per_hour.setdefault(h, {"attempts": 0, "connects": 0})
            p["attempts"] += 1
            if r.get("result") == "answer":
                p["connects"] += 1
    skip_lists = {}
    for s in skips:
        if s.get("kind") == "campaign":
            k = s.get("list") or "office"
            skip_lists[k] = skip_lists.get(k, 0) + 1
    for k, v in (scrubbed or {}).items():
        skip_lists[k] = skip_lists.get(k, 0) + v
    return {"campaign": name, "figures": figures(camp), "callbacks": figures(cbs),
            "skipped_by_list": skip_lists,
            "held_by_hours": len([1 for k, n in held if k == "campaign"]),
            "per_agent": per_agent, "per_hour": dict(sorted(per_hour.items())),
            "interrupted": sum(1 for r in out_recs if r.get("result") == "interrupted"),
            "numbers": sorted(mask(r.get("callee"), full) for r in camp if dialled(r))}


def _hour(utc, tz):
    from rrfw.call import schedule   # the board's own evaluation of a compiled zone
    mod = schedule.local_time(tz, int(utc))[4]
    return "%02d:00" % (mod // 60)


def format_text(rep):
    f = rep["figures"]
    lines = ["campaign %s" % (rep.get("campaign") or "(all)"),
             "  attempts        %d (numbers dialled: %d)" % (f["attempts"], f["numbers_dialled"]),
             "  connects        %d" % f["connects"],
             "  contact rate    %s" % ("%.1f %%" % (100 * f["contact_rate"]) if f["contact_rate"] is not None else "-"),
             "  abandoned       %d (0 by design: the agent is on the line before it is seized)" % f["abandoned"],
             "  opt-outs        %d" % f["opt_outs"],
             "  results         %s" % ", ".join("%s %d" % kv for kv in sorted(f["results"].items())),
             "  dispositions    %s" % (", ".join("%s %d" % kv for kv in sorted(f["dispositions"].items())) or "-"),
             "  skipped (do-not-call)  %s" % (", ".join("%s %d" % kv for kv in sorted(rep["skipped_by_list"].items()))
                                              or "0"),
             "  held by calling hours  %d numbers" % rep["held_by_hours"],
             "  interrupted (power)    %d" % rep["interrupted"]]
    if f["talk_s_avg"] is not None:
        lines.append("  average talk    %.0f s, ring %.0f s" % (f["talk_s_avg"], f["ring_s_avg"] or 0))
    if rep["per_agent"]:
        lines.append("  per agent:")
        for ext, a in sorted(rep["per_agent"].items()):
            lines.append("    %-6s attempts %3d  connects %3d  talk %5.0f s" % (ext, a["attempts"], a["connects"], a["talk_s"]))
    if rep["per_hour"]:
        lines.append("  per hour:")
        for h, p in rep["per_hour"].items():
            lines.append("    %s  attempts %3d  connects %3d" % (h, p["attempts"], p["connects"]))
    cb = rep["callbacks"]
    if cb["attempts"]:
        lines.append("  call-backs: attempts %d, connects %d" % (cb["attempts"], cb["connects"]))
    return "\n".join(lines) + "\n"
