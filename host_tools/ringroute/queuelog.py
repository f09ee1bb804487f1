"""Call records as an Asterisk queue_log, so queue reporting tools read a board's day.

The format (Asterisk's documentation, "Queue Logs",
docs.asterisk.org/Operation/Logging/Queue-Logs): one line per queue event,
    epoch|callid|queue|agent|EVENT|data1|data2|data3[|data4|data5]
(every line has at least the three data fields, empty where an event has
fewer, as a queue_log table's columns are; EXITWITHKEY has four, TRANSFER
five), with the events' data as Asterisk documents them:
    ENTERQUEUE      url|callerid
    RINGNOANSWER    ringtime (ms)                     (an agent let it ring out)
    RINGCANCELED    ringtime (ms)                     (the caller hung up while it rang; newer Asterisk)
    CONNECT         holdtime|bridgedchanneluniqueid|ringtime
    COMPLETECALLER  holdtime|calltime|origposition    (the caller hung up)
    COMPLETEAGENT   holdtime|calltime|origposition    (the agent hung up)
    TRANSFER        extension|context|holdtime|calltime|origposition
    ABANDON         position|origposition|waittime    (the caller gave up waiting)
    EXITWITHTIMEOUT position|origposition|waittime    (nobody took it; the menu's fallback did)
    EXITEMPTY       position|origposition|waittime    (every agent logged out while it waited)
    EXITWITHKEY     key|position|origposition|waittime (an exit key, or the call-back key)
    JOINEMPTY / FULL                                  (refused at once: no agent logged in / full)
Times are whole seconds (ringtime of RINGNOANSWER in ms, as Asterisk writes it).
What the board's records map to (call/record.py has the fields):
  queue     the route's target (a group or an extension), agent NONE until one answers,
            then Ext/<extension>; RINGNOANSWER names the agent rung
  callid    <utc of the ring>.<call id> (Asterisk's uniqueid is epoch.sequence too)
  position  the record's queue position when it joined (origposition), and when
            it left (left_pos); 1 when the call never waited
  holdtime  from the route to the answer; ringtime from the answering phone's
            first ring (rang_ms, else the route) to the answer
Only calls that reached the routing (route_ms) are queue calls; missed calls,
menu abandons and call-backs have no queue events.
"""
from .slreport import mask

EVENTS = ("ENTERQUEUE", "RINGNOANSWER", "RINGCANCELED", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT",
          "TRANSFER", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "JOINEMPTY", "FULL")
_EXITS = {"timeout": "EXITWITHTIMEOUT", "no_agents": "EXITEMPTY", "exit_key": "EXITWITHKEY",
          "callback": "EXITWITHKEY"}


def _s(ms):
    return max(0, int(round(ms / 1000.0)))


def _int(v, default):
    return v if isinstance(v, int) and not isinstance(v, bool) else default


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
    queue = str(rec.get("queued") or rec.get("target") or "NONE").replace("|", "_")
    caller = rec.get("caller")
    if caller and not full:
        caller = mask(caller)
    pos = _int(rec.get("position"), 1)
    left_pos = _int(rec.get("left_pos"), pos)
    route = rec["route_ms"]
    end = rec.get("end_ms", route)
    why = rec.get("queue")
    if why in ("full", "no_agents") and rec.get("queue_ms") is None:
        # refused at once: never entered
        return ["|".join(str(x) for x in (at(route), callid, queue, "NONE",
                                          "FULL" if why == "full" else "JOINEMPTY", "", "", ""))]
    out = [(at(route), callid, queue, "NONE", "ENTERQUEUE", "", caller or "", "")]   # every line 8 fields at least
    for a in rec.get("agents") or []:
        if not isinstance(a, list) or len(a) < 3:
            continue
        stop = route + _int(a[3] if len(a) > 3 else None, 0)
        ev = "RINGCANCELED" if a[2] == "hangup" else "RINGNOANSWER"
        out.append((at(stop), callid, queue, "Ext/%s" % a[0], ev, _int(a[1], 0), "", ""))
    if why in _EXITS:
        # out of the queue (a key, its time, no agents): where the call went next is no queue's
        left = _int(rec.get("left_ms"), end)
        wait = _s(left - route)
        if _EXITS[why] == "EXITWITHKEY":
            out.append((at(left), callid, queue, "NONE", "EXITWITHKEY", rec.get("left_key") or "",
                        left_pos, pos, wait))
        else:
            out.append((at(left), callid, queue, "NONE", _EXITS[why], left_pos, pos, wait))
    elif rec.get("connect_ms") is not None:
        # the first hand-over of the caller to another phone (record.py's transfer list:
        # blind / attended / a supervisor's takeover; a transfer that came back is not one).
        # The record's ext is who had the caller last: the one who answered is the first from.
        tr = [x for x in (rec.get("transfer") or ()) if isinstance(x, dict)
              and x.get("kind") in ("blind", "attended", "takeover")]
        first = tr[0].get("from") if tr else rec.get("ext")
        agent = "Ext/%s" % first
        con = rec["connect_ms"]
        hold = _s(con - route)
        ringtime = _s(con - _int(rec.get("rang_ms"), route))
        out.append((at(con), callid, queue, agent, "CONNECT", hold, "%s-%s" % (callid, first), ringtime))
        talk = _s(rec.get("talk_ms") if rec.get("talk_ms") is not None else end - con)
        if tr:
            t0 = tr[0]
            when = con + _int(t0.get("ms"), end - con)
            out.append((at(when), callid, queue, agent, "TRANSFER", t0.get("to"),
                        "ringroute", hold, _s(when - con), pos))
        else:
            kind = "COMPLETEAGENT" if rec.get("release") == "agent_hangup" else "COMPLETECALLER"
            out.append((at(end), callid, queue, agent, kind, hold, talk, pos))
    elif rec.get("outcome") == "abandoned":
        out.append((at(end), callid, queue, "NONE", "ABANDON", left_pos, pos, _s(end - route)))
    else:
        out.append((at(end), callid, queue, "NONE", "EXITWITHTIMEOUT", left_pos, pos, _s(end - route)))
    return ["|".join(str(x) for x in ev) for ev in out]


def text(records, full=False):
    """A queue_log file of the records' queue events, in time order."""
    lines = []
    for r in records:
        lines += call_events(r, full)
    lines.sort(key=lambda ln: int(ln.split("|", 1)[0]))   # stable: a call's own order stays
    return "".join(ln + "\n" for ln in lines)
