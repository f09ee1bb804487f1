# The call record, built in one place. Every flow (an inbound call, a
# missed call, a call-back) starts a record here, tells it what happened as
# it happens (menus, route, digits, connect) and closes it when the line is
# released; LineCall then appends it to flash (store/records.py) and emits it.
# A record is a plain dict so it goes to flash and the host as JSON as is.
from rrfw.compat import const

MAX_PATH = const(16)     # menus kept in a record: a caller looping in menus cannot grow it
MAX_DIGITS = const(32)   # digits kept in a record
MAX_TRANSFERS = const(4)  # transfers kept in a record: a call passed round cannot grow it

# What a transfer event adds to the record's "transfer" list: (event, what) ->
# the entry's kind; the phone that has the caller afterwards becomes the record's ext.
_XFER_KINDS = {("transfer", "done"): None, ("transfer", "back"): "back", ("supervisor", "join"): "join",
               ("supervisor", "takeover"): "takeover", ("supervisor", "kept"): "kept",
               ("supervisor", "left"): "left"}
_XFER_NEW_EXT = ("takeover", "kept")


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


def note(rec, event, fields, t_ms):
    """What an event of the call adds to its record (menus walked, the route)."""
    if event == "menu":
        path = rec["path"]
        if len(path) < MAX_PATH:
            path.append(fields.get("menu"))
    elif event == "route":
        rec["target"] = fields.get("target")
        if rec["route_ms"] is None:
            rec["route_ms"] = t_ms   # queue time runs from the first route
    elif event == "transfer" or event == "supervisor":
        _transfer(rec, event, fields)
    elif event == "dial_refused":
        rec["dial_refused"] = fields.get("why")    # a number the plan refused (numplan.py)
    elif event == "callback_request":
        why = fields.get("why")
        if type(why) is str and why.startswith("refused_"):
            rec["dial_refused"] = why[8:]


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


def talk_ended(rec, t_ms):
    rec["talk_ms"] = t_ms - rec["connect_ms"]


def close(rec, t_ms, reason, method, dtmf_lost):
    """The line was released: how and why the call ended."""
    rec["end_ms"] = t_ms
    rec["release"] = reason
    rec["method"] = method
    if "outcome" not in rec:
        rec["outcome"] = "connected" if rec.get("connect_ms") is not None else (
            "abandoned" if reason in ("caller_hangup", "max_length") else reason)
    rec["dtmf_lost"] = dtmf_lost
    return rec


def _transfer(rec, event, fields):
    what = fields.get("what")
    key = (event, what)
    if key not in _XFER_KINDS:
        return
    if event == "transfer":
        kind = fields.get("kind") if what == "done" else "back"
        frm, to = fields.get("ext"), fields.get("to")
        if what == "back" and to is None:
            return                      # A took the caller back before dialling anyone
        if what == "done":
            rec["ext"] = to
    else:
        kind = _XFER_KINDS[key]
        frm, to = fields.get("agent"), fields.get("ext")
        if kind in _XFER_NEW_EXT:
            rec["ext"] = to
    lst = rec.get("transfer")
    if lst is None:
        lst = rec["transfer"] = []
    if len(lst) < MAX_TRANSFERS:
        e = {"kind": kind, "from": frm, "to": to}
        if what == "back":
            e["why"] = fields.get("why")
        lst.append(e)
