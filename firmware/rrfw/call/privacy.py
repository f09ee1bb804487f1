# Everything the board holds about one caller's number: what an access
# request hands over (find), an erasure request (erase), and the proof that
# follows it (find again, reading the files back from flash: nothing left).
#
# Where a number can be on the board:
#   rec000001.bin ...                call records (caller, callee)      store/records.py
#   callbacks.json                   call-backs waiting                 call/callbacks.py
#   ivr_state.json + RAM             the feature-code block list         call/boardstate.py
#   RAM                              the last caller (for *89), the event ring (call/events.py)
#   campaign.lst, campaign.st        a campaign's call list and each number's progress
#                                    (store/jobstore.py): erased = closed (never dialled)
#                                    and the number blanked in the list
#   dnc.txt                          the office's do-not-call list (store/dnc.py): shown,
#                                    KEPT on erasure (see KEEP_DNC)
#   config.json, config.prev.json    the office's own rules (block lists, do-not-call):
#                                    listed, never changed here (a do-not-call entry
#                                    is how the board keeps the caller's own wish)
# A number is matched on its digits, so "+1 617-555-0142" finds "6175550142";
# a masked number (records caller_id: last4) cannot be matched, by design.
import json

from rrfw.errors import CmdError
from rrfw.store import atomic
from rrfw.store import records

MIN_DIGITS = records.MIN_DIGITS   # the shorter of two numbers must have this many digits to match
                                  # the end of the longer (a national number in its international form)
_CONFIGS = ("config.json", "config.prev.json")   # store/cfgstore.py CURRENT, PREVIOUS
digits = records.digits
# Why an erasure keeps the number on the do-not-call list: it is the person's own
# objection to being called (GDPR Art. 21(3): after an objection to direct
# marketing the data may no longer be processed for it). Honouring it means
# remembering the number; erasure does not apply where keeping data is
# necessary to comply with a legal obligation (Art. 17(3)(b)). PRIVACY.md says more.
KEEP_DNC = ("kept on the do-not-call list: it is this person's own objection to being called, "
            "remembered so they are never called again (GDPR Art. 21(3); Art. 17(3)(b))")


def _campaign_store(app):
    # the running campaign's store, else the list on flash (a config that does not call out)
    d = getattr(app, "dialer", None)   # the App has one; a stand-in may not
    if d is not None and d.campaign is not None:
        return d.campaign.store
    from rrfw.store import jobstore
    js = jobstore.JobStore()
    return js if js.load() else None


def _dnc(app):
    d = getattr(app, "dialer", None)   # the App has one; a stand-in may not
    if d is not None:
        return d.dnc
    from rrfw.store import dnc
    return dnc.Dnc()


def _campaign_hits(app, same):
    st = _campaign_store(app)
    if st is None:
        return st, []
    return st, st.where(same)


def matcher(number):
    """A test for 'is this stored value the asked number' (raises CmdError for a
    non-number); a records.SameNumber, so an erasure's job on flash can name it."""
    if type(number) is not str:
        raise CmdError("args", "number must be a string of digits")
    if len(digits(number)) < MIN_DIGITS:
        raise CmdError("args", "a number needs at least %d digits" % MIN_DIGITS)
    return records.SameNumber(number)


def _rec_matches(rec, same):
    return same(rec.get("caller")) or same(rec.get("callee"))


def _config_hits(same, obj, where, out):
    # paths of the config's values that hold the number (block lists, do-not-call, ...)
    if type(obj) is dict:
        for k in obj:
            _config_hits(same, obj[k], where + "." + str(k) if where else str(k), out)
    elif type(obj) is list:
        for i, v in enumerate(obj):
            _config_hits(same, v, "%s[%d]" % (where, i), out)
    elif same(obj):
        out.append(where)


def _saved_blocked(app):
    # the block list as the flash has it (not as RAM has it)
    text = atomic.read_text(app.board.path)
    try:
        d = json.loads(text) if text else {}
    except ValueError:
        return []
    bl = d.get("blocked") if type(d) is dict else None
    return bl if type(bl) is list else []


def _saved_callbacks():
    text = atomic.read_text("callbacks.json")   # call/callbacks.py PATH
    try:
        items = json.loads(text) if text else []
    except ValueError:
        return []
    return items if type(items) is list else []


def find(app, number):
    """Where the number is, apart from the call records (counted, not listed)."""
    same = matcher(number)
    n_recs = 0
    for rec in app.records.each():
        if _rec_matches(rec, same):
            n_recs += 1
    cbs = [x for x in app.callbacks.pending if same(x.get("number"))]
    cbs_flash = [x for x in _saved_callbacks() if type(x) is dict and same(x.get("number"))]
    cfg_hits = []
    for path in _CONFIGS:
        text = atomic.read_text(path)
        hits = []
        if text:
            try:
                _config_hits(same, json.loads(text), "", hits)
            except ValueError:
                pass
        cfg_hits += [path + ": " + h for h in hits]
    return {
        "records": n_recs,
        "callbacks": cbs if cbs else cbs_flash,
        "callbacks_on_flash": len(cbs_flash),
        "blocked": len([b for b in app.board.blocked if same(b)]),
        "blocked_on_flash": len([b for b in _saved_blocked(app) if same(b)]),
        "last_caller": same(app.board.last_caller),
        "events": app.events.count_where(same),
        "in_call": [lc.line + 1 for lc in app.lines if _in_call(lc, same)],
        "queue_places": len([e for e in app.ports.places if same(e[0])]),
        "campaign": _campaign_entries(app, same),
        "dnc": _dnc_entries(app, same),
        "config": cfg_hits,
    }


def _campaign_entries(app, same):
    st, hits = _campaign_hits(app, same)
    out = []
    for i, num in hits:
        out.append({"campaign": st.head.get("name"), "entry": i + 1, "number": num,
                    "status": jobstore_status(st, i), "tries": st.tries(i)})
    return out


def jobstore_status(st, i):
    from rrfw.store import jobstore
    return jobstore.STATUS_NAMES[st.status(i)]


def _dnc_entries(app, same):
    return _dnc(app).where(same)


def _in_call(lc, same):
    c = lc.caller
    return (c is not None and same(c.get("number"))) or (lc.rec is not None and _rec_matches(lc.rec, same))


def records_page(app, number, start, budget):
    """The number's records from the start-th on, as JSON texts within budget
    bytes (at least one); returns (texts, the index to ask for next or None)."""
    same = matcher(number)
    out = []
    size = 0
    i = 0
    for rec in app.records.each():
        if not _rec_matches(rec, same):
            continue
        if i >= start:
            text = json.dumps(rec)
            if out and size + len(text) > budget:
                return out, i
            out.append(text)
            size += len(text) + 1
        i += 1
    return out, None


def erase(app, number):
    """Remove the number from every place the board may change; returns what went.
    Refused while a call with that number is up: its record is not written yet."""
    same = matcher(number)
    busy = [lc.line + 1 for lc in app.lines if _in_call(lc, same)]
    if busy:
        raise CmdError("busy", "a call with this number is up on line %s; erase it when the call has ended"
                       % ",".join(str(n) for n in busy))
    gone = {"callbacks": app.callbacks.forget(same), "queue_places": app.ports.forget(same)}
    bs = app.board
    n = len(bs.blocked)
    bs.blocked = [b for b in bs.blocked if not same(b)]
    gone["blocked"] = n - len(bs.blocked)
    gone["last_caller"] = same(bs.last_caller)
    if gone["last_caller"]:
        bs.last_caller = None
    if gone["blocked"] or [b for b in _saved_blocked(app) if same(b)]:
        bs.save()   # rewrites ivr_state.json from RAM, which no longer has the number
    gone["records"] = app.records.erase(number, same)
    gone["events"] = app.events.forget_where(same)
    st, hits = _campaign_hits(app, same)
    gone["campaign"] = st.erase([i for i, _ in hits]) if hits else 0
    return gone


def kept(app, number):
    """What an erasure leaves on purpose, and why (the do-not-call list)."""
    entries = _dnc_entries(app, matcher(number))
    return {"dnc": entries, "why": KEEP_DNC} if entries else {}
