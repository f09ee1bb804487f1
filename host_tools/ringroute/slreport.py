"""Service-level figures from call records (the board's record segments, an
export, or `ringroute emulate --json` output), per period and judged
against the office's target.

Definitions (every report names the ones it uses):
  offered        every inbound call that rang the board (call-backs and other
                 outbound calls are their own kind and never counted here)
  missed         rang out: the caller hung up before the board answered
  answered       the board picked up (IVR); `routed` of them asked for a person
  routed         offered to agents: the menu routed the call to an extension
                 or group (this is the population a service level is about)
  connected      an agent picked up ("answered" in a queue's terms)
  abandoned      routed, but the caller hung up before an agent picked up;
                 `short` abandons waited less than the short-abandon
                 threshold (default 5 s) and are kept apart
  unreached      routed, no agent picked up and the caller did not hang up
                 (the ring timed out and the menu's fallback took the call)
  menu abandons  answered, never routed, the caller hung up in the menu
  wait           from the first route to the agent's pickup (connected) or
                 to the caller's hang-up (abandoned)
  service level  one of three formulas, T = the answer target (default 20 s):
                   sl       connected within T / connected         (Asterisk's SL)
                   sl2      (connected within T + abandoned within T)
                            / (connected + abandoned)              (Asterisk's SL2)
                   offered  connected within T / (routed - short abandons)
                            (the usual contact-centre form; the default)
  target         the share the agreement promises (default 80 % within 20 s);
                 a period is met when its service level >= target
  speed of answer  waits of connected calls: mean, median, 90th percentile
                 (nearest rank), longest
  blocked        callers who found every line busy: the board never sees them,
                 the emulator does (`blocked` world events)
Per agent (extension):
  answered       connected calls this agent picked up (the first to talk to
                 the caller; a transfer's target is not counted again)
  rung, missed   rings the agent let ring out (RINGNOANSWER); `lost` rings
                 another phone took (a ring-all's losers, a pick-up) apart
  talk           the time the agent had the caller: a call's talk is split at
                 each hand-over in its transfer list (blind, attended, a
                 supervisor's takeover or keeping it): the one who answered
                 until the first, the target from then on
  wrap-up        the record's wrap_ms, the wrap-up of the agent who had the
                 caller last
  out talk       talk on call-backs and campaign calls (their own kind)
  logged in      from each agent-state record that is not logged_out to the
                 next logged_out one (or the end of the records); before an
                 agent's first state record they were logged in unless it is
                 `available` (a login); paused time is inside it, shown apart
  occupancy      (talk + out talk + wrap-up) / logged in
  transfers      out: blind and attended hand-overs this agent made; in:
                 hand-overs (and takeovers) to this agent
Per group (the route's target): every visit of a call counts there; a call
routed on (an overflow) counts in each group it visited, its outcome in the
last one.
"""
import json
import os
import math
import statistics
import time

from .errors import RingrouteError

FORMULAS = {
    "sl": "connected within T / connected (Asterisk's SL)",
    "sl2": "(connected within T + abandoned within T) / (connected + abandoned) (Asterisk's SL2)",
    "offered": "connected within T / (routed - short abandons)",
}
DEFAULTS = {"target_pct": 80, "within_ms": 20000, "short_abandon_ms": 5000, "formula": "offered"}
PERIODS = ("hour", "day", "week", "month")


class ReportError(RingrouteError):
    pass


class Stream:
    """What a set of files holds: records, and from an emulator run the callers
    it saw blocked and the queue positions the board announced."""

    def __init__(self):
        self.records = []
        self.blocked = []      # [{"t_ms", "caller_id"}] (emulator world events)
        self.positions = {}    # call id -> first queue position
        self.agent_log = []    # agent-state records (kind "agent"), oldest first
        self.emulated = False


AGENT_STATES = ("logged_out", "available", "paused", "dnd")   # agents.py STATUS_NAMES


def is_agent_state(r):
    return r.get("kind") == "agent"


def _add(st, recs):
    for r in recs:
        (st.agent_log if is_agent_state(r) else st.records).append(r)


def read(paths):
    st = Stream()
    from . import recfiles
    agent_ev = []
    for path in paths:
        if os.path.isdir(path) or path.endswith(recfiles.fw.SUFFIX):
            _add(st, recfiles.read_files([path])[0])   # the board's own record segments
            continue
        try:
            f = open(path)
        except OSError as e:
            raise ReportError("%s: cannot read: %s" % (path, e.strerror))
        with f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue   # a line cut short (power loss while appending)
                if not isinstance(obj, dict):
                    continue
                ev = obj.get("event")
                if ev == "record" and isinstance(obj.get("record"), dict):
                    _add(st, [obj["record"]])
                elif ev is None and ("call" in obj or is_agent_state(obj)):
                    _add(st, [obj])
                elif ev == "agent" and obj.get("src") == "board" and obj.get("state") in AGENT_STATES \
                        and obj.get("why") != "wrapup_done":
                    agent_ev.append(obj)   # an emulator run: the same status change as the record on flash
                elif ev == "blocked":
                    st.emulated = True
                    st.blocked.append({"t_ms": obj.get("t_ms", 0), "caller_id": obj.get("caller_id")})
                elif ev == "queue" and obj.get("call") is not None:
                    st.positions.setdefault(obj["call"], obj.get("position"))
                elif obj.get("src") == "world":
                    st.emulated = True
    if agent_ev and not st.agent_log:
        off = clock_offset(st.records)
        for e in agent_ev:
            st.agent_log.append({"kind": "agent", "utc": off + e.get("t_ms", 0) / 1000.0, "ext": e.get("ext"),
                                 "state": e["state"], "reason": e.get("reason")})
    st.agent_log.sort(key=lambda r: r.get("utc") or 0)
    return st


def load(paths):
    """Records from files of records (JSON lines) or of emulator events."""
    return read(paths).records


def settings(cfg=None, **over):
    """The service-level settings: the config's `service_level` section, then
    the command line's overrides (None = keep)."""
    s = dict(DEFAULTS)
    s.update((cfg or {}).get("service_level") or {})
    s.update({k: v for k, v in over.items() if v is not None})
    if s["formula"] not in FORMULAS:
        raise ReportError("formula %r: one of %s" % (s["formula"], ", ".join(FORMULAS)))
    return s


# --- one record's facts -------------------------------------------------------
def outbound(r):
    return r.get("direction") == "out"


def internal(r):
    """A call between two extensions (the board's intercom): no caller, never in the figures."""
    return r.get("direction") == "internal"


def routed(r):
    return r.get("route_ms") is not None


def connected(r):
    return r.get("connect_ms") is not None


def abandoned(r):
    return routed(r) and not connected(r) and r.get("release") == "caller_hangup"


def wait_s(r):
    """From the first route to pickup (connected) or hang-up (abandoned); None otherwise."""
    if not routed(r):
        return None
    end = r.get("connect_ms") if connected(r) else r.get("end_ms")
    return None if end is None else (end - r["route_ms"]) / 1000.0


def arrival_utc(r):
    """When the call started ringing, in UTC seconds. The record's `utc` is
    the board's clock at answer (inbound), at the end (missed) or at the
    route (call-back); the board's ms clock gives the distance to the ring."""
    utc = r.get("utc")
    if not isinstance(utc, (int, float)):
        return None
    if outbound(r):
        return utc      # taken when the attempt started (its ring_ms is how long the callee rang)
    if r.get("outcome") == "missed":
        ref = r.get("end_ms")
    else:
        ref = r.get("answer_ms")
    start = r.get("ring_ms", ref)
    if ref is None or start is None:
        return utc
    return utc - (ref - start) / 1000.0


def clock_offset(recs):
    """UTC seconds at board ms 0 (for the emulator's events, which carry only
    t_ms). The median over records, so one odd record cannot move it."""
    offs = []
    for r in recs:
        utc, ref = r.get("utc"), (r.get("answer_ms") if r.get("outcome") != "missed" else r.get("end_ms"))
        if outbound(r):
            ref = r.get("route_ms")
        if isinstance(utc, (int, float)) and ref is not None:
            offs.append(utc - ref / 1000.0)
    return statistics.median(offs) if offs else 0.0


def percentile(xs, p):
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def _ratio(a, b):
    return a / b if b else None


# --- the figures ----------------------------------------------------------------
def figures(recs, st, blocked=0):
    """The named figures of one set of records (inbound and call-backs apart)."""
    T = st["within_ms"] / 1000.0
    short = st["short_abandon_ms"] / 1000.0
    recs = [r for r in recs if not internal(r)]
    inb = [r for r in recs if not outbound(r)]
    cbs = [r for r in recs if outbound(r)]
    rt = [r for r in inb if routed(r)]
    con = [r for r in rt if connected(r)]
    ab = [r for r in rt if abandoned(r)]
    speeds = [w for w in (wait_s(r) for r in con) if w is not None]
    ab_waits = [wait_s(r) for r in ab]
    n_short = sum(1 for w in ab_waits if w is not None and w < short)
    con_within = sum(1 for w in speeds if w <= T)
    ab_within = sum(1 for w in ab_waits if w is not None and w <= T)
    sl = {
        "sl": _ratio(con_within, len(con)),
        "sl2": _ratio(con_within + ab_within, len(con) + len(ab)),
        "offered": _ratio(con_within, len(rt) - n_short),
    }
    per_ext = {}

    def ext_row(x):
        return per_ext.setdefault(str(x), {"calls": 0, "talk_s": 0.0, "missed": 0, "ring_missed_s": 0.0,
                                           "lost": 0, "wrap_s": 0.0, "out_calls": 0, "out_talk_s": 0.0,
                                           "xfer_out": 0, "xfer_in": 0})
    for r in con:
        shares, first = talk_shares(r)
        ext_row(first)["calls"] += 1
        for x, secs in shares:
            ext_row(x)["talk_s"] += secs
        if r.get("wrap_ms"):
            ext_row(r.get("ext"))["wrap_s"] += r["wrap_ms"] / 1000.0
        for t in handovers(r):
            if t.get("kind") in AGENT_TRANSFERS:
                ext_row(t.get("from"))["xfer_out"] += 1
            ext_row(t.get("to"))["xfer_in"] += 1
    for r in cbs:
        if connected(r) and r.get("ext") is not None:
            e = ext_row(r["ext"])
            e["out_calls"] += 1
            e["out_talk_s"] += (r.get("talk_ms") or 0) / 1000.0
            if r.get("wrap_ms"):
                e["wrap_s"] += r["wrap_ms"] / 1000.0
    for r in inb:
        for a in r.get("agents") or []:     # rung but missed: the agent let it ring out
            if isinstance(a, list) and len(a) >= 3 and a[2] == "no_answer":
                e = ext_row(a[0])
                e["missed"] += 1
                e["ring_missed_s"] += (a[1] or 0) / 1000.0
            elif isinstance(a, list) and len(a) >= 3 and a[2] == "elsewhere":
                ext_row(a[0])["lost"] += 1
    per_group = {}
    for r in rt:
        vs = visits(r)
        for i, v in enumerate(vs):
            g = per_group.setdefault(str(v["target"]), {"offered": 0, "connected": 0, "abandoned": 0,
                                                        "routed_on": 0, "transfers": 0, "talk_s": 0.0})
            g["offered"] += 1
            if i < len(vs) - 1:
                g["routed_on"] += 1       # left for the next target (an overflow, a fallback)
                continue
            if connected(r):
                g["connected"] += 1
                g["talk_s"] += (r.get("talk_ms") or 0) / 1000.0
                g["transfers"] += sum(1 for t in handovers(r) if t.get("kind") in AGENT_TRANSFERS)
            elif abandoned(r):
                g["abandoned"] += 1
    queue_exits = {}
    for r in rt:
        q = r.get("queue")
        if q is not None and q != "answered":
            queue_exits[q] = queue_exits.get(q, 0) + 1
    outcomes = {}
    for r in inb:
        o = r.get("outcome", "?")
        outcomes[o] = outcomes.get(o, 0) + 1
    return {
        "offered": len(inb),
        "missed": sum(1 for r in inb if r.get("outcome") == "missed"),
        "answered": sum(1 for r in inb if r.get("answer_ms") is not None),
        "routed": len(rt),
        "connected": len(con),
        "connected_within": con_within,
        "abandoned": len(ab),
        "abandoned_short": n_short,
        "abandoned_within": ab_within,
        "unreached": len(rt) - len(con) - len(ab),
        "menu_abandoned": sum(1 for r in inb if not routed(r) and r.get("answer_ms") is not None
                              and r.get("release") == "caller_hangup"),
        "callbacks": {"made": len(cbs), "reached": sum(1 for r in cbs if connected(r))},
        "blocked": blocked,
        "sla_seconds": T,
        "short_abandon_seconds": short,
        "formula": st["formula"],
        "formula_text": FORMULAS[st["formula"]],
        "target": st["target_pct"] / 100.0,
        "service_level": sl[st["formula"]],
        "service_levels": sl,
        "abandon_rate": _ratio(len(ab), len(rt)),
        "asa_s": statistics.fmean(speeds) if speeds else None,
        "median_wait_s": statistics.median(speeds) if speeds else None,
        "p90_wait_s": percentile(speeds, 90),
        "longest_wait_s": max(speeds) if speeds else None,
        "aht_s": statistics.fmean([(r.get("talk_ms") or 0) / 1000.0 for r in con]) if con else None,
        "outcomes": outcomes,
        "queue_exits": queue_exits,
        "queued": sum(1 for r in rt if r.get("queue_ms") is not None),
        "per_extension": per_ext,
        "per_group": per_group,
    }


HANDOVER_KINDS = ("blind", "attended", "takeover", "kept")   # record.py: the caller goes to `to`
AGENT_TRANSFERS = ("blind", "attended")                        # an agent's own hand-overs


def handovers(r):
    """The transfer entries after which someone else had the caller, in order."""
    return [t for t in r.get("transfer") or () if isinstance(t, dict) and t.get("kind") in HANDOVER_KINDS]


def talk_shares(r):
    """([(ext, seconds)], the ext who answered) of a connected call: its talk
    split at each hand-over (the transfer's ms after the connect)."""
    hs = handovers(r)
    talk = (r.get("talk_ms") or 0) / 1000.0
    owner = hs[0].get("from") if hs else r.get("ext")
    first = owner
    out = []
    t0 = 0.0
    for h in hs:
        ms = h.get("ms")
        if not isinstance(ms, (int, float)):
            continue
        at = min(max(ms / 1000.0, t0), talk)
        out.append((owner, at - t0))
        owner, t0 = h.get("to"), at
    out.append((owner, talk - t0))
    return out, first


def visits(r):
    """[{target, route_s, reason}] of a routed call: record.py's visits when it
    was routed more than once, else its one route."""
    vs = r.get("visits")
    if isinstance(vs, list) and len(vs) >= 2:
        return [{"target": v[0], "route_s": (v[1] or 0) / 1000.0, "reason": v[4]} for v in vs
                if isinstance(v, list) and len(v) >= 7]
    return [{"target": r.get("target"), "route_s": 0.0, "reason": r.get("queue")}]


def span(recs, agent_log):
    """(first, last) UTC seconds the records cover: calls from their ring to
    their end, and the agent-state records."""
    ts = []
    for r in recs:
        a = arrival_utc(r)
        if a is None:
            continue
        ts.append(a)
        end = r.get("end_ms")
        ring = r.get("route_ms") if outbound(r) else r.get("ring_ms")
        if isinstance(end, int) and isinstance(ring, int):
            ts.append(a + (end - ring) / 1000.0)
    ts += [r["utc"] for r in agent_log if isinstance(r.get("utc"), (int, float))]
    return (min(ts), max(ts)) if ts else (None, None)


def sessions(agent_log, first, last):
    """{ext: {"logged_in_s", "paused_s", "logins"}} from the agent-state records
    between first and last (UTC s); see "logged in" above."""
    by = {}
    for r in agent_log:
        if isinstance(r.get("utc"), (int, float)) and r.get("state") in AGENT_STATES and r.get("ext") is not None:
            by.setdefault(str(r["ext"]), []).append(r)
    out = {}
    for ext, rs in by.items():
        rs.sort(key=lambda r: r["utc"])
        state = "logged_out" if rs[0]["state"] == "available" else "available"
        t = first
        res = {"logged_in_s": 0.0, "paused_s": 0.0, "logins": 0}
        for r in rs + [{"utc": last, "state": None}]:
            u = min(max(r["utc"], first), last)
            if state != "logged_out":
                res["logged_in_s"] += u - t
                if state == "paused":
                    res["paused_s"] += u - t
            if r["state"] is None:
                break
            if state == "logged_out" and r["state"] != "logged_out":
                res["logins"] += 1
            state, t = r["state"], u
        out[ext] = res
    return out


def agent_time(f, agent_log, first, last):
    """Add logged-in time and occupancy to figures()' per_extension rows."""
    ses = sessions(agent_log, first, last) if first is not None else {}
    for ext, e in f["per_extension"].items():
        e["logged_in_s"] = e["paused_s"] = e["occupancy"] = None
    for ext, res in ses.items():
        e = f["per_extension"].setdefault(ext, {"calls": 0, "talk_s": 0.0, "missed": 0, "ring_missed_s": 0.0,
                                                "lost": 0, "wrap_s": 0.0, "out_calls": 0, "out_talk_s": 0.0,
                                                "xfer_out": 0, "xfer_in": 0})
        e["logged_in_s"], e["paused_s"] = res["logged_in_s"], res["paused_s"]
        busy = e["talk_s"] + e["out_talk_s"] + e["wrap_s"]
        e["occupancy"] = _ratio(busy, res["logged_in_s"])
    return f


def summarise(recs, sla_s=20.0, st=None, blocked=0):
    """The figures of all records (sla_s: the answer target T in seconds)."""
    st = dict(st or settings())
    if sla_s is not None:
        st["within_ms"] = int(round(sla_s * 1000))
    return figures(recs, st, blocked)


# --- periods ---------------------------------------------------------------------
def _local(utc, tz):
    """(year, month, day, weekday, minute of day) at utc in the config's zone."""
    if tz:
        from rrfw.call import schedule   # the board's own evaluation of the compiled zone
        return schedule.local_time(tz, int(utc))
    t = time.gmtime(int(utc))
    return t.tm_year, t.tm_mon, t.tm_mday, t.tm_wday, t.tm_hour * 60 + t.tm_min


def _days_from_civil(y, m, d):
    # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def period_key(utc, period, tz=None):
    """The label of the period holding utc (local time): '2026-11-23 09:00',
    '2026-11-23', '2026-W48' (ISO week), '2026-11'."""
    y, m, d, wd, minute = _local(utc, tz)
    if period == "hour":
        return "%04d-%02d-%02d %02d:00" % (y, m, d, minute // 60)
    if period == "day":
        return "%04d-%02d-%02d" % (y, m, d)
    if period == "week":
        days = _days_from_civil(y, m, d)
        thursday = days - wd + 3          # ISO 8601: a week belongs to the year of its Thursday
        ty = time.gmtime(thursday * 86400).tm_year
        week = (thursday - _days_from_civil(ty, 1, 1)) // 7 + 1
        return "%04d-W%02d" % (ty, week)
    if period == "month":
        return "%04d-%02d" % (y, m)
    raise ReportError("period %r: one of %s" % (period, ", ".join(PERIODS)))


def by_period(stream, st, period, tz=None):
    """[(label, figures)] oldest first, each judged against the target."""
    groups = {}
    for r in stream.records:
        utc = arrival_utc(r)
        if utc is not None:
            groups.setdefault(period_key(utc, period, tz), ([], []))[0].append(r)
    off = clock_offset(stream.records)
    for b in stream.blocked:
        groups.setdefault(period_key(off + b["t_ms"] / 1000.0, period, tz), ([], []))[1].append(b)
    out = []
    for key in sorted(groups):
        f = figures(groups[key][0], st, len(groups[key][1]))
        f["period"] = key
        judge(f)
        out.append(f)
    return out


def judge(f):
    """met / missed against the target, with the margin in percentage points;
    None when no call asked for a person (nothing to judge)."""
    sl = f["service_level"]
    if sl is None:
        f["met"], f["margin_pts"] = None, None
    else:
        f["margin_pts"] = 100.0 * (sl - f["target"])
        f["met"] = f["margin_pts"] >= -1e-9
    return f


# --- the abandoned callers --------------------------------------------------------
def mask(number, full=False):
    """A caller's number as reports show it: the last four digits unless full."""
    if not number or full:
        return number
    return "*" * max(0, len(number) - 4) + number[-4:]


def abandoned_list(stream, st, tz=None, full=False):
    """Every abandoned caller, oldest first, with whether the office reached
    them since (a call-back that connected, or a later call an agent took)."""
    short = st["short_abandon_ms"] / 1000.0
    recs = sorted(stream.records, key=lambda r: arrival_utc(r) or 0)
    out = []
    for i, r in enumerate(recs):
        if outbound(r) or not abandoned(r):
            continue
        num = r.get("caller")
        since = None
        if num:
            for later in recs[i + 1:]:
                if later.get("caller") == num and connected(later):
                    since = ("called back" if outbound(later) else "called again") + " " + _hm(arrival_utc(later), tz)
                    break
        w = wait_s(r)
        out.append({"call": r.get("call"), "number": mask(num, full) if num else (r.get("caller_reason") or "none"),
                    "time": _ymdhm(arrival_utc(r), tz), "wait_s": w,
                    "short": w is not None and w < short, "target": r.get("target"),
                    "position": r.get("position") if r.get("position") is not None
                    else stream.positions.get(r.get("call")), "since": since})
    return out


def _ymdhm(utc, tz):
    if utc is None:
        return "?"
    y, m, d, _, minute = _local(utc, tz)
    return "%04d-%02d-%02d %02d:%02d" % (y, m, d, minute // 60, minute % 60)


def _hm(utc, tz):
    return _ymdhm(utc, tz)[11:]


# --- the whole report -------------------------------------------------------------
def report(stream, st, period="day", tz=None, full=False):
    total = judge(figures(stream.records, st, len(stream.blocked)))
    first, last = span(stream.records, stream.agent_log)
    agent_time(total, stream.agent_log, first, last)
    return {"definitions": {"formula": st["formula"], "formula_text": FORMULAS[st["formula"]],
                            "target_pct": st["target_pct"], "within_s": st["within_ms"] / 1000.0,
                            "short_abandon_s": st["short_abandon_ms"] / 1000.0,
                            "wait": "from the first route to pickup or hang-up",
                            "p90": "nearest rank", "period": period, "time": "local" if tz else "UTC"},
            "emulated": stream.emulated,
            "total": total, "periods": by_period(stream, st, period, tz),
            "abandoned": abandoned_list(stream, st, tz, full)}


def _pct(x):
    return "-" if x is None else "%.1f %%" % (100.0 * x)


def _secs(x):
    return "-" if x is None else "%.1f s" % x


def sl_name(f):
    return "%s: %s" % (f["formula"], f["formula_text"])


def _verdict(f):
    if f["met"] is None:
        return "no calls for agents"
    return "%s by %+.1f pts" % ("MET" if f["met"] else "MISSED", f["margin_pts"])


def _hms(x):
    if x is None:
        return "-"
    x = int(round(x))
    return "%d:%02d:%02d" % (x // 3600, x // 60 % 60, x % 60)


AGENT_COLUMNS = ("agent", "answered", "missed", "lost", "talk", "wrap-up", "out talk", "xfer out/in",
                 "logged in", "paused", "occupancy")


def agent_cells(ext, e):
    """One agent's row as strings, in AGENT_COLUMNS' order (text and the page)."""
    return [ext, "%d" % e["calls"], "%d" % e.get("missed", 0), "%d" % e.get("lost", 0), _hms(e["talk_s"]),
            _hms(e.get("wrap_s", 0)), _hms(e.get("out_talk_s", 0)),
            "%d/%d" % (e.get("xfer_out", 0), e.get("xfer_in", 0)), _hms(e.get("logged_in_s")),
            _hms(e.get("paused_s")), _pct(e.get("occupancy"))]


def agent_rows(per_ext, indent):
    fmt = indent + "%-6s %8s %6s %5s %8s %8s %8s %11s %9s %8s %9s"
    out = [fmt % AGENT_COLUMNS]
    for ext in sorted(per_ext):
        out.append(fmt % tuple(agent_cells(ext, per_ext[ext])))
    return out


def format_text(s, rep=None):
    """The figures as text (s: figures(); rep: report() for periods and the list)."""
    lines = [
        "calls offered      %d   (inbound calls that rang the board; call-backs apart)" % s["offered"],
        "  missed (rang out)  %d" % s["missed"],
        "  answered by board  %d" % s["answered"],
        "  abandoned in menu  %d" % s.get("menu_abandoned", 0),
        "  routed to a person %d   (offered to agents)" % s["routed"],
        "  connected          %d   (%d within %g s)" % (s["connected"], s.get("connected_within", 0),
                                                        s["sla_seconds"]),
        "  abandoned waiting  %d   (%d short, under %g s; %d within %g s)" % (
            s["abandoned"], s.get("abandoned_short", 0), s.get("short_abandon_seconds", 5),
            s.get("abandoned_within", 0), s["sla_seconds"]),
        "  unreached          %d   (no agent took it; the menu's fallback did)" % s.get("unreached", 0),
        "service level      %s within %g s   [%s]" % (_pct(s["service_level"]), s["sla_seconds"], sl_name(s)),
        "  target           %s within %g s: %s" % (_pct(s["target"]), s["sla_seconds"], _verdict(judge(dict(s)))),
        "  other formulas   " + ", ".join("%s %s" % (k, _pct(v)) for k, v in sorted(s["service_levels"].items())
                                          if k != s["formula"]),
        "abandon rate       %s of routed calls" % _pct(s["abandon_rate"]),
        "speed of answer    %s mean, %s median, %s p90, %s longest" % (
            _secs(s["asa_s"]), _secs(s.get("median_wait_s")), _secs(s.get("p90_wait_s")), _secs(s["longest_wait_s"])),
        "talk time          %s average" % _secs(s["aht_s"]),
        "call-backs         %d made, %d reached (not counted as inbound)" % (
            s["callbacks"]["made"], s["callbacks"]["reached"]),
    ]
    if rep is not None and rep["emulated"]:
        lines.append("blocked callers    %d   (every line busy: seen by the emulator, never by the board; "
                     "%s of all who called)" % (s["blocked"], _pct(_ratio(s["blocked"], s["blocked"] + s["offered"]))))
    lines.append("outcomes           " + ", ".join("%s %d" % kv for kv in sorted(s["outcomes"].items())))
    if s.get("queued") or s.get("queue_exits"):
        lines.append("queue              %d waited; left it without an agent: %s" % (
            s.get("queued", 0), ", ".join("%s %d" % kv for kv in sorted(s["queue_exits"].items())) or "none"))
    if s["per_extension"]:
        lines.append("per agent          (definitions: `ringroute report --help`, \"Per agent\")")
        lines += agent_rows(s["per_extension"], "  ")
    if s.get("per_group"):
        lines.append("per group          (a call routed on counts in each group it visited, its outcome in the last)")
        lines.append("  %-10s %7s %9s %9s %9s %9s %8s" % ("group", "offered", "connected", "abandoned", "routed on",
                                                        "transfers", "talk"))
        for g in sorted(s["per_group"]):
            e = s["per_group"][g]
            lines.append("  %-10s %7d %9d %9d %9d %9d %7.0fs" % (g, e["offered"], e["connected"], e["abandoned"],
                                                              e["routed_on"], e["transfers"], e["talk_s"]))
    if rep is None:
        return "\n".join(lines)
    d = rep["definitions"]
    lines.append("")
    lines.append("per %s (%s time), target %d %% within %g s, service level = %s" % (
        d["period"], d["time"], d["target_pct"], d["within_s"], d["formula"]))
    hdr = "  %-16s %7s %6s %9s %9s %6s  %-8s %s" % ("period", "offered", "routed", "connected", "abandoned",
                                                    "SL", "ASA", "verdict")
    if rep["emulated"]:
        hdr += "  blocked"
    lines.append(hdr)
    for f in rep["periods"]:
        row = "  %-16s %7d %6d %9d %9d %6s  %-8s %s" % (
            f["period"], f["offered"], f["routed"], f["connected"], f["abandoned"],
            _pct(f["service_level"]).replace(" %", "%"), _secs(f["asa_s"]), _verdict(f))
        if rep["emulated"]:
            row += "  %d" % f["blocked"]
        lines.append(row)
    lines.append("")
    lines.append("abandoned callers (%d; numbers masked unless --full)" % len(rep["abandoned"]))
    if rep["abandoned"]:
        lines.append("  %-16s %-14s %7s %-5s %-8s %s" % ("time", "number", "wait", "short", "position", "since"))
    for a in rep["abandoned"]:
        lines.append("  %-16s %-14s %7s %-5s %-8s %s" % (
            a["time"], a["number"], _secs(a["wait_s"]), "yes" if a["short"] else "no",
            "-" if a["position"] is None else a["position"], a["since"] or "not since"))
    return "\n".join(lines)
