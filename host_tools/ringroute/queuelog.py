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
  callid    <utc of the answer>.<call id> (Asterisk's uniqueid is epoch.sequence too)
  epoch     the record's utc (the board's clock at the answer) plus the board-ms distance
  position  the record's queue position when it joined (origposition), and when
            it left (left_pos); 1 when the call never waited
  holdtime  from the route to the answer; ringtime from the answering phone's
            first ring (rang_ms, else the route) to the answer
Only calls that reached the routing (route_ms) are queue calls; missed calls
and menu abandons have no queue events. The phones a ring-all's winner (or a
pick-up) took the call from have no line either (Asterisk writes none).
A call routed on to another queue (record.py's visits: an overflow, a
fallback) has its lines in each: ENTERQUEUE, its RINGNOANSWERs and how it left
(EXITWITHTIMEOUT, EXITEMPTY, FULL, JOINEMPTY) in every queue but the last,
the same callid throughout, and its end in the last. After an EXITWITHKEY
(the caller's own key) the rest of the call is no queue's, as before.
Outbound calls (call-backs, campaign attempts) are their own kind: never an
ENTERQUEUE or CONNECT, so a tool that counts those never takes them for
inbound calls. Their queue is the campaign's name, or `callback`; the events
are ringroute's own (Asterisk's QueueLog() application writes custom events
in the same form):
    OUTBOUND        number|try|kind                   (the attempt started; number masked)
    OUTBOUNDCONNECT waittime|ringtime|                (the callee answered, with the agent)
    OUTBOUNDEND     result|calltime|disposition       (the line's verdict, talk, the agent's code)
"""
from .slreport import mask

EVENTS = ("ENTERQUEUE", "RINGNOANSWER", "RINGCANCELED", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT",
          "TRANSFER", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "JOINEMPTY", "FULL")
OUT_EVENTS = ("OUTBOUND", "OUTBOUNDCONNECT", "OUTBOUNDEND")
_EXITS = {"timeout": "EXITWITHTIMEOUT", "no_agents": "EXITEMPTY", "exit_key": "EXITWITHKEY",
          "callback": "EXITWITHKEY"}


def _s(ms):
    return max(0, int(round(ms / 1000.0)))


def _int(v, default):
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def call_events(rec, full=False):
    """The queue_log lines (text, no newline) of one record, oldest first."""
    if rec.get("direction") == "out":
        return outbound_events(rec, full)
    if rec.get("route_ms") is None:
        return []
    vs = rec.get("visits")
    if not isinstance(vs, list) or len(vs) < 2:
        return _queue_events(rec, full)
    out = []
    route = rec["route_ms"]
    vs = [v for v in vs if isinstance(v, list) and len(v) >= 7]
    for i, v in enumerate(vs):
        r = dict(rec, queued=None, target=v[0], route_ms=route + _int(v[1], 0), position=v[3], left_pos=v[6])
        r["queue_ms"] = None if v[2] is None else route + v[2]
        start = r["route_ms"]
        stop = route + _int(vs[i + 1][1], 0) if i + 1 < len(vs) else None
        # the rings that stopped during this visit, their stop after this visit's route
        r["agents"] = [[a[0], a[1], a[2], _int(a[3], 0) - _int(v[1], 0)] for a in rec.get("agents") or ()
                       if isinstance(a, list) and len(a) > 3 and start <= route + _int(a[3], 0)
                       and (stop is None or route + _int(a[3], 0) < stop)]
        if stop is not None:
            # routed on: this queue saw the caller leave without an agent
            r.update(connect_ms=None, transfer=None, outcome=None, left_key=rec.get("left_key"),
                     queue=v[4] if v[4] in _EXITS or v[4] in ("full", "no_agents") else "timeout",
                     left_ms=route + v[5] if isinstance(v[5], int) else stop, end_ms=stop)
        else:
            r["queue"] = v[4]
            if isinstance(v[5], int):
                r["left_ms"] = route + v[5]
        out += _queue_events(r, full)
        if stop is not None and v[4] in ("exit_key", "callback"):
            break          # the caller keyed their way out: where the call went next is no queue's
    return out


def outbound_events(rec, full=False):
    """A call-back's or a campaign attempt's lines (OUT_EVENTS), oldest first."""
    utc = rec.get("utc")
    start = rec.get("route_ms")
    if not isinstance(utc, int) or not isinstance(start, int):
        return []

    def at(ms):
        return utc + _s(ms - start)
    callid = "%d.%d" % (utc, rec.get("call", 0))
    queue = str(rec.get("campaign") or rec.get("kind") or "callback").replace("|", "_")
    agent = "Ext/%s" % rec["ext"] if rec.get("ext") is not None else "NONE"
    number = rec.get("callee") or ""
    if number and not full:
        number = mask(number)
    out = [(utc, callid, queue, agent, "OUTBOUND", number, _int(rec.get("try"), 1), rec.get("kind") or "callback")]
    con = rec.get("connect_ms")
    end = _int(rec.get("end_ms"), con if isinstance(con, int) else start)
    if isinstance(con, int):
        out.append((at(con), callid, queue, agent, "OUTBOUNDCONNECT", _s(con - start),
                    _s(_int(rec.get("ring_ms"), 0)) if rec.get("kind") else "", ""))
    talk = rec.get("talk_ms")
    if talk is None and isinstance(con, int):
        talk = end - con
    result = rec.get("result") or rec.get("outcome") or ""
    out.append((at(end), callid, queue, agent, "OUTBOUNDEND", result, _s(_int(talk, 0)),
                rec.get("disposition") or ""))
    return ["|".join("" if x is None else str(x) for x in ev) for ev in out]


def _queue_events(rec, full):
    # one queue's lines of a record (a visit's, when the call was routed on)
    ring = rec.get("ring_ms")
    utc = rec.get("utc")
    if not isinstance(utc, int) or not isinstance(ring, int):
        return []

    # the record's utc is the board's clock when it answered (record.py inbound)
    ref = rec.get("answer_ms") if isinstance(rec.get("answer_ms"), int) else ring

    def at(ms):
        return utc + _s(ms - ref)
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
        if a[2] == "elsewhere":
            continue                    # a ring-all's loser: Asterisk writes no line for it
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
