"""Readable timelines and scenario expectations over emulator events."""
import json

# Keys of an expectation that are not event fields to match.
CONTROL = ("event", "after", "before", "count", "absent", "at_least", "at_most", "src")


def _fmt_fields(ev):
    skip = ("t_ms", "event", "src", "seq", "line", "call", "record")
    parts = []
    for k in sorted(ev):
        if k in skip or ev[k] is None:
            continue
        v = ev[k]
        parts.append("%s=%s" % (k, json.dumps(v) if isinstance(v, (dict, list)) else v))
    return " ".join(parts)


def format_event(ev):
    where = "L%s" % ev["line"] if ev.get("line") is not None else "  "
    call = "#%s" % ev["call"] if ev.get("call") is not None else ""
    return "%9.3f s  %-5s %-3s %-5s %-13s %s" % (
        ev["t_ms"] / 1000.0, ev.get("src", ""), where, call, ev["event"], _fmt_fields(ev))


def format_record(rec):
    lines = ["call record #%s" % rec.get("call")]
    for k in ("line", "caller", "caller_name", "caller_reason", "rings", "path", "digits",
              "target", "ext", "wait_ms", "talk_ms", "outcome", "release", "method",
              "answer_ms", "connect_ms", "end_ms"):
        if k in rec:
            lines.append("    %-14s %s" % (k, json.dumps(rec[k]) if isinstance(rec[k], (list, dict)) else rec[k]))
    return "\n".join(lines)


def _matches(ev, exp):
    if ev["event"] != exp["event"]:
        return False
    if "src" in exp and ev.get("src") != exp["src"]:
        return False
    t = ev["t_ms"] / 1000.0
    if "after" in exp and t < float(exp["after"]):
        return False
    if "before" in exp and t > float(exp["before"]):
        return False
    for k, v in exp.items():
        if k in CONTROL:
            continue
        have = ev.get(k)
        if have is None and isinstance(ev.get("record"), dict):
            have = ev["record"].get(k)
        if v is None:
            if have is not None:
                return False
        elif str(have) != str(v):
            return False
    return True


def _describe(exp):
    fields = " ".join("%s=%s" % (k, v) for k, v in exp.items() if k not in CONTROL)
    when = []
    if "after" in exp:
        when.append("after %.1f s" % float(exp["after"]))
    if "before" in exp:
        when.append("before %.1f s" % float(exp["before"]))
    return "`%s`%s%s" % (exp["event"], (" with " + fields) if fields else "",
                         (" " + " and ".join(when)) if when else "")


def check(events, expects):
    """List of failure messages (empty when every expectation holds).

    An expectation is {event: NAME, field: value..., after: s, before: s} and
    means at least one such event; `count: N` exactly N, `at_least`/`at_most`
    bounds, `absent: true` none at all. Faults of the emulated hardware
    (ring voltage onto the trunk, ...) always fail a scenario."""
    fails = []
    for ev in events:
        if ev["event"] == "fault":
            fails.append("hardware fault at %.3f s: %s" % (ev["t_ms"] / 1000.0, ev.get("what")))
    for i, exp in enumerate(expects):
        hits = [ev for ev in events if _matches(ev, exp)]
        n = len(hits)
        desc = _describe(exp)
        problem = None
        if exp.get("absent"):
            if n:
                problem = "expected no %s, but it happened at %.3f s" % (desc, hits[0]["t_ms"] / 1000.0)
        elif "count" in exp:
            if n != int(exp["count"]):
                problem = "expected %s exactly %d times, saw %d" % (desc, int(exp["count"]), n)
        elif "at_least" in exp or "at_most" in exp:
            lo = int(exp.get("at_least", 0))
            hi = int(exp.get("at_most", 10 ** 9))
            if not lo <= n <= hi:
                problem = "expected %s between %d and %d times, saw %d" % (desc, lo, hi, n)
        elif not n:
            same = [ev for ev in events if ev["event"] == exp["event"]]
            seen = "; saw no `%s` at all" % exp["event"] if not same else "; saw instead: " + ", ".join(
                "%s at %.3f s" % (_fmt_fields(ev) or ev["event"], ev["t_ms"] / 1000.0) for ev in same[:3])
            problem = "expected %s%s" % (desc, seen)
        if problem:
            fails.append("expectation %d failed: %s" % (i + 1, problem))
    return fails
