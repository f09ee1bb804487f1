# The call record, built in one place. Every flow (an inbound call, a
# missed call, a call-back) starts a record here, tells it what happened as
# it happens (menus, route, digits, connect) and closes it when the line is
# released; LineCall then appends it to flash (store/records.py) and emits it.
# A record is a plain dict so it goes to flash and the host as JSON as is.
#
# What an inbound call's record holds (docs/notes/report.md has the table):
#   arrival      utc, ring_ms, rings, answer_ms; caller, caller_name, caller_reason
#   the menus    path (MAX_PATH), digits (MAX_DIGITS), mode (the schedule's mode
#                when it is not "day", the opening hours), blocked (a caller rule)
#   the route    route_ms (first route), target
#   the queue    queue_ms and position when it joined (the first time), queue =
#                why it left (answered, abandoned, timeout, no_agents, exit_key,
#                callback, full), left_ms and left_pos (not kept when answered:
#                that is connect_ms), left_key (the key that took it out),
#                queued (the queue's name, kept when the call went on to another target);
#                visits (format 2): a call routed more than once (an overflow to
#                another group) keeps every route, [[target, route, join, position,
#                why it left, left, left position]] (times: ms after route_ms, None
#                when it never waited), MAX_VISITS at most; a call routed once has none
#   agents rung  agents: [[ext, ring ms, how, ms after route_ms it stopped]] for
#                every ring that did not end in this call's answer (how:
#                no_answer, hangup: the caller hung up while it rang, or
#                elsewhere (format 2): another phone took it, a ring-all's losers),
#                MAX_RUNG at most, rung_more counts the rest; rang_ms: when the
#                phone that answered began to ring, kept only when that was
#                not route_ms
#   the agent    ext, connect_ms, wait_ms, talk_ms, wrap_ms (the wrap-up the
#                agent was given after it); transfer: [{kind, from, to, ms
#                after connect, why}] (MAX_TRANSFERS), from the `transfer` and
#                `supervisor` events (_XFER_KINDS); ext is who has the caller last
#   the end      end_ms, release (why), method (how), outcome (OUTCOMES), short
#                (an abandon under the config's service_level short_abandon_ms)
# Every list is bounded, and a field costs nothing in a record that has no
# reason to hold it (store/records.py writes only the keys a record has).

MAX_PATH = const(16)     # menus kept in a record: a caller looping in menus cannot grow it
MAX_DIGITS = const(32)   # digits kept in a record
MAX_RUNG = const(8)      # rings that were not answered kept in a record (10 bytes each on flash)
MAX_TRANSFERS = const(4)  # transfers kept in a record: a call passed round cannot grow it
MAX_VISITS = const(4)    # routes kept in a record's visits: a call sent round groups cannot grow it
SHORT_ABANDON_MS = const(5000)   # ms: the usual short-abandon threshold (slreport.DEFAULTS)
_OPEN_MODE = const("day")  # the schedule's mode for the opening hours (configlang: `hours`)

# The outcomes of an inbound call, apart (close() picks one, first rule that holds):
#   connected           an agent took it (wherever it went before)
#   callback_requested  the caller asked to be called back from the queue
#   abandoned           hung up waiting for an agent, in the queue or while one rang (short: True apart)
#   timeout / no_agents / exit_key / queue_full   left the queue so (the menu's fallback took it)
#   blocked             a caller rule refused the number
#   after_hours         answered outside the opening hours, never routed (the message, then gone)
#   menu_abandoned      hung up in the menu, never routed
#   otherwise the release reason (menu_done, no_answer, disa_*, ...); and missed (rang out)
# Call-backs and campaign calls are records of their own kind (direction "out").
# (how the caller left the queue, the outcome): tables as constant tuples, in flash when
# frozen (a dict is made in RAM at import), scanned in a loop
_QUEUE_OUTCOME = (("abandoned", "abandoned"), ("timeout", "timeout"), ("no_agents", "no_agents"),
                  ("exit_key", "exit_key"), ("full", "queue_full"), ("callback", "callback_requested"))
_HUNG_UP = ("caller_hangup", "max_length")

# What a transfer event adds to the record's "transfer" list: (event, what, the
# entry's kind); the phone that has the caller afterwards becomes the record's ext.
_XFER_KINDS = (("transfer", "done", None), ("transfer", "back", "back"), ("supervisor", "join", "join"),
               ("supervisor", "takeover", "takeover"), ("supervisor", "kept", "kept"),
               ("supervisor", "left", "left"))
_XFER_NEW_EXT = ("takeover", "kept")


def _queue_outcome(how):
    for row in _QUEUE_OUTCOME:
        if row[0] == how:
            return row[1]
    return None


def inbound(call, line, utc, ring_ms, answer_ms, rings, caller):
    """An answered call (line 0-based, caller: the number/name/reason dict)."""
    return {
        "call": call, "line": line + 1, "utc": utc,
        "ring_ms": ring_ms, "answer_ms": answer_ms, "rings": rings,
        "caller": caller["number"], "caller_name": caller["name"],
        "caller_reason": caller["reason"], "path": [], "digits": "",
        "target": None, "ext": None, "wait_ms": None, "connect_ms": None, "route_ms": None,
    }


def missed(call, line, utc, ring_ms, rings, caller, end_ms):
    """A caller who hung up while it rang: complete at once."""
    return {"call": call, "line": line + 1, "utc": utc, "ring_ms": ring_ms, "rings": rings,
            "caller": caller["number"], "caller_reason": caller["reason"],
            "outcome": "missed", "end_ms": end_ms}


def callback(call, line, utc, item, t_ms):
    """A call-back: the board calls a caller who asked for it (agent first)."""
    return {
        "call": call, "line": line + 1, "utc": utc, "direction": "out",
        "callee": item["number"], "caller": item["number"], "answer_ms": None, "path": [],
        "digits": "", "target": item.get("target"), "ext": None, "wait_ms": None,
        "connect_ms": None, "route_ms": t_ms, "try": item["tries"] + 1,
    }


def attempt(call, line, utc, kind, number, target, tries, campaign):
    """One outbound attempt (dialer.py): a call-back's or a campaign's, its own
    kind of record, never counted as an inbound call. `result` is the line's
    verdict (answer, busy, no_answer, no_dial_tone, reorder, sit, interrupted,
    agent_*), `disposition` the agent's code after an answered campaign call."""
    rec = {
        "call": call, "line": line + 1 if line >= 0 else None, "utc": utc, "direction": "out", "kind": kind,
        "callee": number, "caller": number, "answer_ms": None, "path": [],
        "digits": "", "target": target, "ext": None, "wait_ms": None,
        "connect_ms": None, "route_ms": None, "try": tries, "result": None,
        "dial_ms": None, "ring_ms": None, "talk_ms": None,
    }
    if campaign is not None:
        rec["campaign"] = campaign
        rec["disposition"] = None
    return rec


def note(rec, event, fields, t_ms):
    """What an event of the call adds to its record (menus walked, the route,
    the queue, the agents rung, transfers)."""
    if event == "ring_noanswer":
        rung(rec, fields.get("ext"), fields.get("ring_ms"), "no_answer", t_ms)
    elif event == "ring_lost":
        rung(rec, fields.get("ext"), fields.get("ring_ms"), "elsewhere", t_ms)
    elif event == "ext_ring":
        if rec.get("direction") != "out":
            rec["rang_ms"] = t_ms   # the latest ring's start (kept only if it tells more: connected())
    elif event == "queue":
        if "queue_ms" not in rec:
            rec["queue_ms"] = t_ms
            rec["position"] = fields.get("position")
            rec["queued"] = fields.get("target")   # close() keeps it only if the call went on elsewhere
        _visit(rec, 2, t_ms, fields.get("position"))
    elif event == "queue_leave":
        _visit(rec, 4, fields.get("reason"), None)
        if fields.get("reason") != "answered":
            _visit(rec, 5, t_ms, fields.get("position"))
        rec["queue"] = fields.get("reason")
        if rec["queue"] != "answered":
            rec["left_ms"] = t_ms
            rec["left_pos"] = fields.get("position")
            if rec["queue"] == "exit_key" or rec["queue"] == "callback":
                rec["left_key"] = rec["digits"][-1:] or None   # inbound.py adds the key first
    elif event == "schedule":
        if fields.get("mode") != _OPEN_MODE:
            rec["mode"] = fields.get("mode")
    elif event == "ivr" and fields.get("what") == "blocked":
        rec["blocked"] = True
    elif event == "menu":
        path = rec["path"]
        if len(path) < MAX_PATH:
            path.append(fields.get("menu"))
    elif event == "route":
        rec["target"] = fields.get("target")
        if rec["route_ms"] is None:
            rec["route_ms"] = t_ms   # queue time runs from the first route
        v = rec.get("visits")
        if v is None:
            v = rec["visits"] = []   # kept only when there are two (close())
        if len(v) < MAX_VISITS:
            v.append([fields.get("target"), t_ms - rec["route_ms"], None, None, None, None, None])
        else:
            rec["visits_more"] = rec.get("visits_more", 0) + 1
    elif event == "transfer" or event == "supervisor":
        _transfer(rec, event, fields, t_ms)
    elif event == "dial_refused":
        rec["dial_refused"] = fields.get("why")    # a number the plan refused (numplan.py)
    elif event == "callback_request":
        why = fields.get("why")
        if type(why) is str and why.startswith("refused_"):
            rec["dial_refused"] = why[8:]


def _visit(rec, i, v, pos):
    # the current route's visit: field i (2 join, 4 why it left, 5 left) and the next (position)
    vs = rec.get("visits")
    if not vs or rec.get("visits_more"):
        return                   # not routed (a call-back's leg), or past MAX_VISITS
    e = vs[-1]
    if type(v) is int and i != 4:
        v -= rec["route_ms"]
    e[i] = v
    if i != 4:
        e[i + 1] = pos


def rung(rec, ext, ring_ms, how, t_ms):
    """A ring of one agent's phone that this call did not get answered by
    (it stopped at t_ms)."""
    ag = rec.get("agents")
    if type(ag) is not list:
        ag = rec["agents"] = []
    if len(ag) < MAX_RUNG:
        r = rec.get("route_ms")
        ag.append([ext, ring_ms, how, t_ms - r if type(r) is int else None])
    else:
        rec["rung_more"] = rec.get("rung_more", 0) + 1


def digit(rec, d):
    if len(rec["digits"]) < MAX_DIGITS:
        rec["digits"] += d


def agent(rec, ext):
    """The agent a call-back rang has lifted (before the callee is dialled)."""
    rec["ext"] = ext


def connected(rec, ext, t_ms, waited=True):
    """An agent took the call (waited: the time since answer is the caller's wait)."""
    rec["ext"] = ext
    if waited:
        rec["wait_ms"] = t_ms - rec["answer_ms"]
    else:
        rec["answer_ms"] = t_ms
    rec["connect_ms"] = t_ms
    r = rec.get("rang_ms")
    if r is not None and r == rec.get("route_ms"):
        del rec["rang_ms"]        # rung from the route on: route_ms says it


def talk_ended(rec, t_ms):
    rec["talk_ms"] = t_ms - rec["connect_ms"]


def wrapped(rec, wrap_ms):
    """The wrap-up the agent was given after this call (agents.py)."""
    if wrap_ms:
        rec["wrap_ms"] = wrap_ms


def outcome(rec, reason):
    """One outcome per call (the table above)."""
    if rec.get("connect_ms") is not None:
        return "connected"
    if rec.get("callback"):
        return "callback_requested"
    q = _queue_outcome(rec.get("queue"))
    vs = rec.get("visits")
    if q is not None and vs and vs[-1][4] is None and not rec.get("visits_more"):
        q = None    # that queue's exit sent the call on; it ended in the last route, not there
    if q is not None:
        return q
    if rec.get("blocked"):
        return "blocked"
    routed = rec.get("route_ms") is not None
    if not routed and rec.get("mode") is not None and rec.get("direction") != "out":
        return "after_hours"
    if reason in _HUNG_UP:
        return "abandoned" if routed else "menu_abandoned"
    return reason


def close(rec, t_ms, reason, method, dtmf_lost, short_ms=SHORT_ABANDON_MS):
    """The line was released: how and why the call ended."""
    rec["end_ms"] = t_ms
    rec["release"] = reason
    rec["method"] = method
    if "queued" in rec and rec["queued"] == rec.get("target"):
        del rec["queued"]
    v = rec.get("visits")
    if v is not None and len(v) < 2:
        del rec["visits"]           # one route: the flat fields say it all
    if rec.get("connect_ms") is None and "rang_ms" in rec:
        del rec["rang_ms"]          # nobody answered: `agents` holds how long each rang
    if "outcome" not in rec:
        rec["outcome"] = outcome(rec, reason)
        r = rec.get("route_ms")
        if rec["outcome"] == "abandoned" and type(r) is int and t_ms - r < short_ms:
            rec["short"] = True
    rec["dtmf_lost"] = dtmf_lost
    return rec


def _transfer(rec, event, fields, t_ms):
    what = fields.get("what")
    for row in _XFER_KINDS:
        if row[0] == event and row[1] == what:
            break
    else:
        return
    if event == "transfer":
        kind = fields.get("kind") if what == "done" else "back"
        frm, to = fields.get("ext"), fields.get("to")
        if what == "back" and to is None:
            return                      # A took the caller back before dialling anyone
        if what == "done" and kind != "outside":
            rec["ext"] = to             # (an outside number is nobody's extension: ext stays A)
    else:
        kind = row[2]
        frm, to = fields.get("agent"), fields.get("ext")
        if kind in _XFER_NEW_EXT:
            rec["ext"] = to
    lst = rec.get("transfer")
    if lst is None:
        lst = rec["transfer"] = []
    if len(lst) < MAX_TRANSFERS:
        e = {"kind": kind, "from": frm, "to": to}
        c = rec.get("connect_ms")
        if type(c) is int:
            e["ms"] = t_ms - c          # when, after the first connect (the queue_log's TRANSFER time)
        if what == "back":
            e["why"] = fields.get("why")
        lst.append(e)
