"""Service-level figures from call records (the board's records.jsonl, an
export, or `ringroute emulate --json` output).

Definitions (the usual contact-centre ones, as service agreements state them):
  offered        every call that rang the board
  missed         rang out: the caller hung up before the board answered
  answered       the board picked up (IVR)
  routed         the caller asked for a person (the menu routed the call)
  connected      an agent picked up
  abandoned      routed, but the caller hung up before an agent picked up
  service level  connected within T seconds of the first route / routed
                 (abandoned calls count against it; T is --sla, default 20 s,
                 the common "80/20" target)
  ASA            average speed of answer: mean time from route to agent
  AHT            average handle (talk) time of connected calls
"""
import json
import statistics

from .errors import RingrouteError


class ReportError(RingrouteError):
    pass


def load(paths):
    """Records from files of records (JSON lines) or of emulator events."""
    recs = []
    for path in paths:
        try:
            f = open(path)
        except OSError as e:
            raise ReportError("%s: cannot read: %s" % (path, e.strerror))
        with f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue   # a line cut short (power loss while appending)
                if obj.get("event") == "record" and isinstance(obj.get("record"), dict):
                    recs.append(obj["record"])
                elif "event" not in obj and "call" in obj:
                    recs.append(obj)
    return recs


def _mean(xs):
    return statistics.fmean(xs) if xs else None


def summarise(recs, sla_s=20.0):
    routed = [r for r in recs if r.get("route_ms") is not None]
    connected = [r for r in routed if r.get("connect_ms") is not None]
    abandoned = [r for r in routed if r.get("connect_ms") is None and r.get("release") == "caller_hangup"]
    speeds = [(r["connect_ms"] - r["route_ms"]) / 1000.0 for r in connected]
    within = [s for s in speeds if s <= sla_s]
    per_ext = {}
    for r in connected:
        e = per_ext.setdefault(str(r.get("ext")), {"calls": 0, "talk_s": 0.0})
        e["calls"] += 1
        e["talk_s"] += (r.get("talk_ms") or 0) / 1000.0
    outcomes = {}
    for r in recs:
        o = r.get("outcome", "?")
        outcomes[o] = outcomes.get(o, 0) + 1
    return {
        "offered": len(recs),
        "missed": sum(1 for r in recs if r.get("outcome") == "missed"),
        "answered": sum(1 for r in recs if r.get("answer_ms") is not None),
        "routed": len(routed),
        "connected": len(connected),
        "abandoned": len(abandoned),
        "sla_seconds": sla_s,
        "service_level": (len(within) / len(routed)) if routed else None,
        "abandon_rate": (len(abandoned) / len(routed)) if routed else None,
        "asa_s": _mean(speeds),
        "longest_wait_s": max(speeds) if speeds else None,
        "aht_s": _mean([(r.get("talk_ms") or 0) / 1000.0 for r in connected]),
        "outcomes": outcomes,
        "per_extension": per_ext,
    }


def _pct(x):
    return "-" if x is None else "%.1f %%" % (100.0 * x)


def _secs(x):
    return "-" if x is None else "%.1f s" % x


def format_text(s):
    lines = [
        "calls offered      %d" % s["offered"],
        "  missed (rang out)  %d" % s["missed"],
        "  answered by board  %d" % s["answered"],
        "  routed to a person %d" % s["routed"],
        "  connected          %d" % s["connected"],
        "  abandoned waiting  %d" % s["abandoned"],
        "service level      %s within %g s of routing" % (_pct(s["service_level"]), s["sla_seconds"]),
        "abandon rate       %s of routed calls" % _pct(s["abandon_rate"]),
        "speed of answer    %s average, %s longest" % (_secs(s["asa_s"]), _secs(s["longest_wait_s"])),
        "talk time          %s average" % _secs(s["aht_s"]),
        "outcomes           " + ", ".join("%s %d" % kv for kv in sorted(s["outcomes"].items())),
    ]
    if s["per_extension"]:
        lines.append("per extension")
        for ext in sorted(s["per_extension"]):
            e = s["per_extension"][ext]
            lines.append("  %-8s %4d calls  %8.0f s talk" % (ext, e["calls"], e["talk_s"]))
    return "\n".join(lines)
