"""Call records as an Asterisk queue_log, so queue reporting tools read a board's day.

The format (Asterisk's documentation, "Queue Logs",
docs.asterisk.org/Operation/Logging/Queue-Logs): one line per queue event,
    epoch|callid|queue|agent|EVENT|data1|data2|data3
(every line has the three data fields, empty where an event has fewer,
as a queue_log table's columns are), with the events' data as Asterisk
documents them:
    ENTERQUEUE      url|callerid
    CONNECT         holdtime|bridgedchanneluniqueid|ringtime
    COMPLETECALLER  holdtime|calltime|origposition    (the caller hung up)
    COMPLETEAGENT   holdtime|calltime|origposition    (the agent hung up)
    ABANDON         position|origposition|waittime    (the caller gave up waiting)
    EXITWITHTIMEOUT position|origposition|waittime    (nobody took it; the menu's fallback did)
Times are whole seconds. What the board's records map to:
  queue     the route's target (a group or an extension), agent NONE until one answers,
            then Ext/<extension>
  callid    <utc of the ring>.<call id> (Asterisk's uniqueid is epoch.sequence too)
  position  the record's queue position when it has one, else 1
  ringtime  the board rings the agents from the route on, so it is the hold time
Only calls that reached the routing (route_ms) are queue calls; missed calls,
menu abandons and call-backs have no queue events. RINGNOANSWER needs each
agent rung, which the records do not hold yet.
"""
from .slreport import mask

EVENTS = ("ENTERQUEUE", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHTIMEOUT")


def _s(ms):
    return max(0, int(round(ms / 1000.0)))


def call_events(rec, full=False):
    """The queue_log lines (text, no newline) of one record, oldest first."""
    if rec.get("direction") == "out" or rec.get("route_ms") is None:
        return []
    ring = rec.get("ring_ms")
    utc = rec.get("utc")
    if not isinstance(utc, int) or not isinstance(ring, int):
        return []

    def at(ms):
        return utc + _s(ms - ring)
    callid = "%d.%d" % (utc, rec.get("call", 0))
    queue = str(rec.get("target") or "NONE").replace("|", "_")
    caller = rec.get("caller")
    if caller and not full:
        caller = mask(caller)
    pos = rec.get("position") if isinstance(rec.get("position"), int) else 1
    route = rec["route_ms"]
    end = rec.get("end_ms", route)
    out = [(at(route), callid, queue, "NONE", "ENTERQUEUE", "", caller or "", "")]   # every line 8 fields
    if rec.get("connect_ms") is not None:
        agent = "Ext/%s" % rec.get("ext")
        hold = _s(rec["connect_ms"] - route)
        out.append((at(rec["connect_ms"]), callid, queue, agent, "CONNECT", hold, "%s-%s" % (callid, rec.get("ext")),
                    hold))
        talk = _s(rec.get("talk_ms") if rec.get("talk_ms") is not None else end - rec["connect_ms"])
        kind = "COMPLETEAGENT" if rec.get("release") == "agent_hangup" else "COMPLETECALLER"
        out.append((at(end), callid, queue, agent, kind, hold, talk, pos))
    elif rec.get("outcome") == "abandoned":
        out.append((at(end), callid, queue, "NONE", "ABANDON", pos, pos, _s(end - route)))
    else:
        out.append((at(end), callid, queue, "NONE", "EXITWITHTIMEOUT", pos, pos, _s(end - route)))
    return ["|".join(str(x) for x in ev) for ev in out]


def text(records, full=False):
    """A queue_log file of the records' queue events, in time order."""
    lines = []
    for r in records:
        lines += call_events(r, full)
    lines.sort(key=lambda ln: int(ln.split("|", 1)[0]))   # stable: a call's own order stays
    return "".join(ln + "\n" for ln in lines)
