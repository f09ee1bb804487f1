# cfgcheck.py - the board re-checks a compiled config before taking it.
#
# The host validates the YAML (ringroute validate) and compiles it; a config
# can still arrive damaged, hand-edited, or from an older tool.  check(cfg)
# returns None when the firmware can run cfg, else one line saying what is
# wrong; the caller keeps the running config when it gets an error.
# Checks what the engine relies on: types, every reference (menus,
# extensions, groups), action kinds, and that no path reaches an outside
# line (DISA) unless it is enabled with a PIN of 6 or more digits.
# The toll-fraud limits are the board's own (issue 16), whatever the host
# let through: a strong DISA PIN (pins.py), few attempts, a real lock-out, a
# capped call, and allow lists that are numbers or long prefixes.
#
# Every value the firmware reads has its type checked here (a string where
# a bool, a number or a list belongs would otherwise stop the App at boot,
# or fault every call), and a check that itself trips over a value refuses
# the config rather than raising (tests/test_config_boot_fuzz.py fuzzes the
# compiled JSON against this check and a boot).
from rrfw.line import profiles   # the country codes a line may name (store sits above line)

_VERSION = const(1)
_MIN_PIN = const(6)         # digits; issue 5: DISA only with a PIN of 6 or more digits
_MAX_DEPTH = const(8)       # nested else/then actions; bounds the recursion on the board
_MAX_MENUS = const(64)      # menus; keeps one config within a few KB of RAM
_KEY_CHARS = const("0123456789*#ABCD")
_PIN_MAX = const(12)        # DISA PIN digits (the host's limit too)
_DISA_TRIES = (1, 5)        # wrong PINs before the lock-out (Asterisk's security advice: few)
_DISA_LOCK_MS = (300000, 86400000)   # ms: 5 min to a day
_DISA_CALL_MS = (1000, 14400000)     # ms: up to 4 h, the longest outside call (the cap that matters)
_ALLOW_PREFIX = const(3)    # digits an allow-list "prefix*" needs: "1*" would open 1900
_KINDS = ("menu", "back", "top", "repeat", "ext", "group", "operator", "message", "hangup", "disa")
# rrfw/call/router.py _STRATEGIES and agents.py's codes (store may not import call: the names again)
_STRATEGIES = ("ringall", "linear", "rrmemory", "rrordered", "leastrecent", "fewestcalls", "random",
               "wrandom", "longest-idle", "ring_all", "sequential", "round_robin")
_AGENT_CODES = ("login", "logout", "pause", "unpause", "dnd", "dnd_off", "login_group", "logout_group")
_GROUP_MS = ("ring_timeout_ms", "retry_ms", "wrapup_ms", "announce_ms", "keep_place_ms")
_ANNOUNCE = ("position", "wait")   # call/queuetalk.py: what a queued caller is told
_METHODS = ("cpc", "reversal", "busy_tone", "reorder_tone", "silence", "max_length")  # line/hangup.py
_CALLER_ID = ("full", "last4", "none")                                             # store/records.py
_MAX_MS = const(86400000)   # ms; no timer of the firmware runs longer than a day
_MAX_COUNT = const(100000)  # the largest count a config may hold (records keep)

# Plain values, by section: key -> kind. "bool", "str", "names" (a list of
# names), "ms" (0.._MAX_MS), "pos" (1.._MAX_COUNT), "count" (0.._MAX_COUNT).
_TOP = (("name", "str"), ("start", "str"), ("ext_ring_timeout_ms", "ms"), ("member_ring_ms", "ms"),
        ("queue_ms", "ms"), ("hold_prompt", "names"), ("announce_ext", "names"), ("notice", "names"))
_LINE = (("country", "str"), ("answer_on_ring", "pos"), ("answer_on_callerid", "bool"), ("menu", "str"),
         ("name", "str"))
_HANGUP = (("cpc_min_ms", "ms"), ("silence_ms", "ms"), ("max_call_ms", "ms"), ("methods", "names"))
_EXT = (("port", "count"), ("name", "str"), ("dial", "bool"), ("number", "str"), ("ring_ms", "ms"),
        ("accept_key", "str"), ("logout_key", "str"))
_GROUP = (("members", "names"), ("strategy", "str"), ("member_ring_ms", "ms"), ("queue_ms", "ms"))
_MENU = (("dial_ext", "bool"), ("terminator", "str"), ("first_ms", "pos"), ("inter_ms", "pos"),
         ("max_invalid", "pos"), ("max_timeout", "pos"), ("greeting", "names"), ("short", "names"),
         ("invalid_prompt", "names"), ("timeout_prompt", "names"))
_ACTION = (("to", "str"), ("reason", "str"), ("reentry", "bool"), ("prompts", "names"), ("remote", "bool"))
_DISA = (("enabled", "bool"), ("pin", "str"), ("max_attempts", "pos"), ("lockout_ms", "ms"),
         ("max_call_ms", "ms"), ("prompt", "names"))
_RECORDS = (("enabled", "bool"), ("keep", "count"), ("caller_id", "str"), ("retention_days", "count"))
_TRANSFER = (("flash_min_ms", "ms"), ("flash_max_ms", "ms"), ("ring_ms", "ms"), ("recall_ms", "ms"),
             ("music", "names"), ("supervisor", "str"), ("join", "str"), ("takeover", "str"),
             ("outside", "str"))
_INTERCOM = (("ring_ms", "ms"),)
_OUTBOUND = (("callback", "bool"), ("callback_key", "str"), ("do_not_call", "names"),
             ("max_attempts", "pos"), ("retry_ms", "ms"), ("after_call_ms", "ms"),
             ("lines_for_inbound", "count"), ("opt_out_key", "str"), ("callback_later_ms", "ms"),
             ("wrap_ms", "ms"))
# outbound campaigns and their rules (call/dialer.py, call/campaign.py, callout.py)
_CAMPAIGN = (("group", "str"), ("mode", "str"), ("max_attempts", "pos"))
_MODES = ("progressive", "preview")
_REGION = (("register_days", "pos"),)
_RESULTS = ("busy", "reorder", "no_answer", "no_dial_tone", "interrupted", "sit")   # line/progress.py


def _kind_ok(v, kind):
    if kind == "bool":
        return type(v) is bool
    if kind == "str":
        return type(v) is str
    if kind == "names":
        return _str_list(v)
    if type(v) is not int:
        return False
    if kind == "ms":
        return 0 <= v <= _MAX_MS
    return (1 if kind == "pos" else 0) <= v <= _MAX_COUNT


def _fields(d, table, where):
    """None if every key of `table` present in mapping d has its kind, else the reason."""
    if type(d) is not dict:
        return where + ": not a mapping"
    for key, kind in table:
        if key in d and d[key] is not None and not _kind_ok(d[key], kind):
            return "%s: %s must be %s" % (where, key, _KIND_SAYS[kind])
    return None


_KIND_SAYS = {"bool": "true or false", "str": "a string", "names": "a list of names",
              "ms": "a number of ms (0-%d)" % _MAX_MS, "pos": "a positive integer",
              "count": "an integer (0-%d)" % _MAX_COUNT}


def _is_int(x):
    return type(x) is int       # bool is not int here on CPython, nor on MicroPython


def _is_str(x):
    return type(x) is str


def _in(x, lo, hi):
    return type(x) is int and lo <= x <= hi


def _str_list(x):
    if type(x) is not list:
        return False
    for s in x:
        if not _is_str(s) or not s:
            return False
    return True


def _digits(s, chars):
    if not _is_str(s) or not s:
        return False
    for c in s:
        if c not in chars:
            return False
    return True


def _action(cfg, act, where, depth):
    if depth > _MAX_DEPTH:
        return where + ": actions nested too deeply"
    if type(act) is not dict:
        return where + ": action is not a mapping"
    err = _fields(act, _ACTION, where)
    if err:
        return err
    kind = act.get("do")
    if kind not in _KINDS:
        return where + ": unknown action %r" % (kind,)
    to = act.get("to")
    if kind == "menu" and to not in cfg["menus"]:
        return where + ": unknown menu %r" % (to,)
    if kind == "ext" and to not in cfg["extensions"]:
        return where + ": unknown extension %r" % (to,)
    if kind == "group" and to not in (cfg.get("groups") or {}):
        return where + ": unknown group %r" % (to,)
    if kind == "operator" and not cfg.get("operator"):
        return where + ": operator used but none configured"
    if "priority" in act and not _ms(act["priority"]):
        return where + ": priority must be a whole number >= 0"
    if kind == "message" and (not _str_list(act.get("prompts")) or not act.get("prompts")):
        return where + ": message without prompts"
    if kind == "disa":
        d = cfg.get("disa") or {}
        if type(d) is not dict:
            return "disa: not a mapping"
        pin = d.get("pin")
        plain = _digits(pin, "0123456789") and len(pin) >= _MIN_PIN
        from rrfw.store import pins   # only configs with DISA load it
        if not d.get("enabled") or not (plain or pins.sealed_ok(d.get("pin_hash"))) \
                or not _is_int(d.get("max_call_ms")):
            return where + ": outside calls (disa) need disa enabled, a PIN of 6+ digits and max_call_ms"
    for k in ("else", "then"):
        if k in act:
            err = _action(cfg, act[k], where + " " + k, depth + 1)
            if err:
                return err
    return None


def _menu(cfg, name, m):
    w = "menu " + name
    err = _fields(m, _MENU, w)
    if err:
        return err
    if "terminator" in m and (len(m["terminator"]) != 1 or m["terminator"] not in _KEY_CHARS):
        return w + ": terminator must be one key"
    if not _str_list(m.get("greeting")):
        return w + ": greeting must be a list of prompt names"
    for k in ("short", "invalid_prompt", "timeout_prompt"):
        if k in m and not _str_list(m[k]):
            return w + ": %s must be a list of prompt names" % k
    for k in ("first_ms", "inter_ms", "max_invalid", "max_timeout"):
        if k in m and (not _is_int(m[k]) or m[k] <= 0):
            return w + ": %s must be a positive integer" % k
    keys = m.get("keys")
    if type(keys) is not dict:
        return w + ": keys must be a mapping"
    for key in keys:
        if not _digits(key, _KEY_CHARS):
            return w + ": bad key %r" % (key,)
        err = _action(cfg, keys[key], w + " key " + key, 0)
        if err:
            return err
    for k in ("on_invalid", "on_timeout", "on_no_answer"):
        if m.get(k) is not None:
            err = _action(cfg, m[k], w + " " + k, 0)
            if err:
                return err
    return None


def _schedule(cfg, sch):
    if type(sch) is not dict:
        return "schedule: not a mapping"
    modes = sch.get("modes")
    if type(modes) is not dict or not modes:
        return "schedule: no modes"
    for mode in modes:
        if not _is_str(modes[mode]) or modes[mode] not in cfg["menus"]:
            return "schedule: mode %s names unknown menu %r" % (mode, modes[mode])
    rules = sch.get("rules")
    if type(rules) is not list:
        return "schedule: rules must be a list"
    for r in rules:
        if type(r) is not dict or not _is_str(r.get("mode")) or r.get("mode") not in modes:
            return "schedule: a rule has a mode without a menu"
        for k in ("days", "from", "to"):
            if k in r and not _is_int(r[k]):
                return "schedule: rule %s must be an integer" % k
        d = r.get("dates")
        if d is not None and (type(d) is not list or len(d) != 2 or not _is_int(d[0]) or not _is_int(d[1])):
            return "schedule: rule dates must be [from, to]"
    if not _is_str(sch.get("default")) or sch.get("default") not in modes:
        return "schedule: the default mode has no menu"
    if sch.get("unset") is not None and (not _is_str(sch["unset"]) or sch["unset"] not in modes):
        return "schedule: the clock-unset mode has no menu"
    tz = sch.get("tz")
    if tz is not None:
        # minutes east of UTC; a rule is [month 1-12, week 1-5, weekday 0-6, minute] (schedule.py)
        if type(tz) is not dict or not _in(tz.get("std", 0), -1440, 1440):
            return "schedule: bad time zone"
        if tz.get("dst") is not None:
            if not _in(tz["dst"], -1440, 1440):
                return "schedule: bad time zone"
            for k in ("start", "end"):
                r = tz.get(k)
                if type(r) is not list or len(r) != 4 or not _in(r[0], 1, 12) or not _in(r[1], 1, 5) \
                        or not _in(r[2], 0, 6) or not _in(r[3], -10080, 10080):
                    return "schedule: bad daylight-saving rule"
    return None


def check(cfg):
    """None if the firmware can run cfg, else a one-line reason."""
    try:
        return _check(cfg)
    except Exception as e:  # noqa: BLE001 - a value this check trips over would trip the App too
        return "config check failed on a value: %r" % (e,)


def _line(ln):
    if type(ln) is not dict or not _is_str(ln.get("country")):
        return "a line has no country"
    if "answer_on_ring" in ln and (not _is_int(ln["answer_on_ring"]) or ln["answer_on_ring"] < 1):
        return "answer_on_ring must be a positive integer"
    err = _fields(ln, _LINE, "line")
    if err:
        return err
    code = ln["country"].upper()
    if code != "GB" and code not in profiles.codes():
        return "line: unknown country %r (known: %s)" % (ln["country"], " ".join(profiles.codes()))
    h = ln.get("hangup")
    if h is None:
        return None
    err = _fields(h, _HANGUP, "line hangup")
    if err:
        return err
    for m in h.get("methods") or ():
        if m not in _METHODS:
            return "line hangup: unknown method %r" % (m,)
    if h.get("methods") == []:
        return "line hangup: methods must name at least one"
    bt = h.get("busy_tone")
    if bt is not None:
        # {"freqs": [Hz, ...], "cadence_ms": [on, off, ...]} (line/hangup.py)
        if type(bt) is not dict or type(bt.get("freqs")) is not list or not bt["freqs"] \
                or type(bt.get("cadence_ms")) is not list or not bt["cadence_ms"] or len(bt["cadence_ms"]) % 2:
            return "line hangup: busy_tone needs freqs and on/off cadence_ms pairs"
        for f in bt["freqs"]:
            if type(f) not in (int, float) or not 200 <= f <= 3400:
                return "line hangup: busy_tone freqs must be Hz (200-3400)"
        for c in bt["cadence_ms"]:
            if not _in(c, 50, 5000):
                return "line hangup: busy_tone cadence_ms must be ms (50-5000)"
    return None


def _check(cfg):
    if type(cfg) is not dict:
        return "config is not a mapping"
    if cfg.get("version") != _VERSION:
        return "config version %r is not %d" % (cfg.get("version"), _VERSION)
    err = _fields(cfg, _TOP, "config")
    if err:
        return err
    lines = cfg.get("lines")
    if type(lines) is not list or not lines:
        return "no lines"
    for ln in lines:
        err = _line(ln)
        if err:
            return err
    menus = cfg.get("menus")
    if type(menus) is not dict or not menus:
        return "no menus"
    for ln in lines:
        if ln.get("menu") is not None and ln["menu"] not in menus:
            return "a line's menu %r does not exist" % (ln["menu"],)
    exts = cfg.get("extensions")
    if type(exts) is not dict:
        return "extensions must be a mapping"
    ports = {}
    for num in exts:
        e = exts[num]
        if not _digits(num, "0123456789") or type(e) is not dict:
            return "bad extension %r" % (num,)
        p = e.get("port")
        if type(e) is dict and p is not None and (not _is_int(p) or p < 0):
            return "extension %s: bad port" % num
        err = _fields(e, _EXT, "extension " + num)
        if err:
            return err
        if p is None and "number" in e:
            # a remote agent (call/remote.py): an outside number, dialled through the plan
            if not _digits(e["number"], "+0123456789") or len(e["number"]) > 20:
                return "extension %s: a remote agent's number must be digits" % num
            k = e.get("accept_key", "1")
            if len(k) != 1 or k not in _KEY_CHARS:
                return "extension %s: accept_key must be one key" % num
            out = e.get("logout_key")
            if out is not None and (len(out) != 1 or out not in _KEY_CHARS or out == k):
                return "extension %s: logout_key must be one key, not the accept key" % num
            continue
        if not _is_int(p) or p < 0:
            return "extension %s: bad port" % num
        if p in ports:
            return "extension %s: port %d already used by %s" % (num, p, ports[p])
        ports[p] = num
    groups = cfg.get("groups") or {}
    if type(groups) is not dict:
        return "groups must be a mapping"
    for g in groups:
        mem = groups[g].get("members") if type(groups[g]) is dict else None
        if not _str_list(mem):
            return "group %s: members must be a list" % g
        err = _fields(groups[g], _GROUP, "group %s" % g)
        if err:
            return err
        if groups[g].get("strategy", "ring_all") not in _STRATEGIES:
            return "group %s: unknown strategy %r" % (g, groups[g].get("strategy"))
        for x in mem:
            if x not in exts:
                return "group %s: unknown extension %s" % (g, x)
    if len(menus) > _MAX_MENUS:
        return "too many menus (%d > %d)" % (len(menus), _MAX_MENUS)
    op = cfg.get("operator")
    if op is not None:
        if type(op) is not dict or op.get("do") not in ("ext", "group"):
            return "operator must route to an extension or a group"
        err = _action(cfg, op, "operator", 0)
        if err:
            return err
    for name in menus:
        err = _menu(cfg, name, menus[name])
        if err:
            return err
    sch = cfg.get("schedule")
    if sch is not None:
        err = _schedule(cfg, sch)
        if err:
            return err
    elif (cfg.get("start") or "main") not in menus:
        return "start menu %r does not exist" % (cfg.get("start", "main"),)
    callers = cfg.get("callers")
    if callers is not None:
        if type(callers) is not dict:
            return "callers must be a mapping"
        if "block" in callers and not _str_list(callers["block"]):
            return "callers block must be a list of numbers"
        for k in ("block_action", "withheld", "unavailable"):
            if callers.get(k) is not None:
                err = _action(cfg, callers[k], "callers " + k, 0)
                if err:
                    return err
        pri = callers.get("priority")
        if pri is not None and type(pri) is not list:
            return "callers priority must be a list of rules"
        for rule in pri or ():
            if type(rule) is not dict or not _is_str(rule.get("number")):
                return "callers priority: bad rule"
            err = _action(cfg, rule.get("action"), "callers priority " + rule["number"], 0)
            if err:
                return err
    fc = cfg.get("feature_codes")
    if fc is not None:
        if type(fc) is not dict:
            return "feature_codes must be a mapping"
        modes = (sch or {}).get("modes") or {}
        for code in fc:
            v = fc[code]
            if not _digits(code, _KEY_CHARS) or type(v) is not list or not v:
                return "feature code %r: bad entry" % (code,)
            if v[0] == "override":
                if len(v) != 2 or (v[1] is not None and sch is not None and v[1] not in modes):
                    return "feature code %s: override to a mode without a menu" % code
            elif v[0] == "agent":
                if cfg.get("agents") is None or len(v) < 2 or v[1] not in _AGENT_CODES \
                        or len(v) > 2 and not _is_str(v[2]):
                    return "feature code %s: agent codes need an agents section and a known code" % code
                if v[1].endswith("_group") and (len(v) != 3 or v[2] not in groups):
                    return "feature code %s: %s needs a group" % (code, v[1])
            elif v[0] == "campaign":
                if len(v) != 2 or v[1] not in ("join", "leave"):
                    return "feature code %s: a campaign code is join or leave" % code
            elif v[0] != "block_last" and v[0] != "pickup":
                return "feature code %s: unknown feature %r" % (code, v[0])
    if cfg.get("on_no_answer") is not None:
        err = _action(cfg, cfg["on_no_answer"], "no_answer", 0)
        if err:
            return err
    # the toll-fraud reasons first: they are what the office must fix
    return (_toll_fraud(cfg) or _queue_and_outbound(cfg, groups) or _agents_and_queues(cfg, groups)
            or _transfer(cfg) or _intercom(cfg))


def _ms(x):
    return _is_int(x) and x >= 0


def _queue_and_outbound(cfg, groups):
    # what router.py, linecall.py, records.py and callbacks.py read
    d = cfg.get("disa")
    if d is not None:
        err = _fields(d, _DISA, "disa")
        if err:
            return err
    rs = cfg.get("records")
    if rs is not None:
        err = _fields(rs, _RECORDS, "records")
        if err:
            return err
        if rs.get("caller_id", "full") not in _CALLER_ID:
            return "records: caller_id must be one of %s" % " ".join(_CALLER_ID)
    if "queue_ms" in cfg and not _ms(cfg["queue_ms"]):
        return "queue_ms must be a number of ms"
    for g in groups:
        for k in ("queue_ms", "member_ring_ms"):
            if k in groups[g] and not _ms(groups[g][k]):
                return "group %s: %s must be a number of ms" % (g, k)
    if "hold_prompt" in cfg and not _str_list(cfg["hold_prompt"]):
        return "hold_prompt must be a list of prompt names"
    ob = cfg.get("outbound")
    if ob is None:
        return None
    err = _fields(ob, _OUTBOUND, "outbound")
    if err:
        return err
    if "do_not_call" in ob and not _str_list(ob["do_not_call"]):
        return "outbound do_not_call must be a list of numbers"
    key = ob.get("callback_key", "1")
    if not _is_str(key) or len(key) != 1 or key not in _KEY_CHARS:
        return "outbound callback_key must be one key"
    h = ob.get("hours")
    if h is not None and (type(h) is not list or len(h) != 2 or not _is_int(h[0]) or not _is_int(h[1])
                          or not 0 <= h[0] < h[1] <= 1440):
        return "outbound hours must be [start, end] minutes of the day"
    for k in ("max_attempts", "retry_ms"):
        if k in ob and (not _is_int(ob[k]) or ob[k] < 1):
            return "outbound %s must be a positive integer" % k
    return _campaign(cfg, ob, groups)


def _hours_ok(h):
    return type(h) is list and len(h) == 2 and _is_int(h[0]) and _is_int(h[1]) and 0 <= h[0] < h[1] <= 1440


def _campaign(cfg, ob, groups):
    # what dialer.py, campaign.py and callout.py read
    key = ob.get("opt_out_key", "9")
    if not _is_str(key) or len(key) != 1 or key not in _KEY_CHARS:
        return "outbound opt_out_key must be one key"
    c = ob.get("campaign")
    if c is not None:
        err = _fields(c, _CAMPAIGN, "outbound campaign")
        if err:
            return err
        if c.get("mode", "progressive") not in _MODES:
            return "outbound campaign mode must be one of %s" % " ".join(_MODES)
        g = c.get("group")
        if g is None or (g not in groups and g not in cfg["extensions"]):
            return "outbound campaign group must name a group or an extension"
    regions = ob.get("regions")
    if regions is not None:
        if type(regions) is not dict:
            return "outbound regions must be a mapping"
        for name in regions:
            r = regions[name]
            err = _fields(r, _REGION, "outbound region %s" % name)
            if err:
                return err
            if "hours" in r and not _hours_ok(r["hours"]):
                return "outbound region %s: hours must be [start, end] minutes of the day" % name
    hol = ob.get("holidays")
    if hol is not None:
        if type(hol) is not list:
            return "outbound holidays must be a list of [from, to] dates"
        for d in hol:
            if type(d) is not list or len(d) != 2 or not _is_int(d[0]) or not _is_int(d[1]):
                return "outbound holidays: a holiday is [from, to] (MMDD or YYYYMMDD)"
    retry = ob.get("retry")
    if retry is not None:
        if type(retry) is not dict:
            return "outbound retry must be a mapping of result to ms"
        for k in retry:
            if k not in _RESULTS or not _in(retry[k], 0, _MAX_MS):
                return "outbound retry: %r must be one of %s, a number of ms" % (k, " ".join(_RESULTS))
    disp = ob.get("dispositions")
    if disp is not None:
        if type(disp) is not dict or not disp:
            return "outbound dispositions must map keys to names"
        for k in disp:
            if not _is_str(k) or len(k) != 1 or k not in "0123456789" or not _is_str(disp[k]) or not disp[k]:
                return "outbound dispositions: one digit key to a name each"
    return None


def _agents_and_queues(cfg, groups):
    # what agents.py and router.py read: the call distributor and a group's queue
    ag = cfg.get("agents")
    if ag is not None:
        if type(ag) is not dict:
            return "agents must be a mapping"
        for k in ("wrapup_ms", "max_no_answer"):
            if k in ag and not _ms(ag[k]):
                return "agents %s must be a whole number >= 0" % k
    exts = cfg["extensions"]
    for num in exts:
        if "wrapup_ms" in exts[num] and not _ms(exts[num]["wrapup_ms"]):
            return "extension %s: wrapup_ms must be a number of ms" % num
    for name in groups:
        g = groups[name]
        w = "group " + name
        if g.get("strategy", "ring_all") not in _STRATEGIES:
            return w + ": unknown strategy %r" % (g.get("strategy"),)
        for k in _GROUP_MS:
            if k in g and not _ms(g[k]):
                return w + ": %s must be a number of ms" % k
        pen = g.get("penalty", {})
        if type(pen) is not dict:
            return w + ": penalty must be a mapping"
        for m in pen:
            if m not in g["members"] or not _ms(pen[m]):
                return w + ": bad penalty for %r" % (m,)
        tiers = g.get("tiers")
        if tiers is not None:
            if type(tiers) is not list:
                return w + ": tiers must be a list"
            for r in tiers:
                if type(r) is not list or len(r) != 2 or not _ms(r[0]) or not _ms(r[1]):
                    return w + ": a tier rule is [wait_ms, max_penalty]"
        if "max_queue" in g and not _ms(g["max_queue"]):
            return w + ": max_queue must be a whole number >= 0"
        if "join_empty" in g and type(g["join_empty"]) is not bool:
            return w + ": join_empty must be true or false"
        for k in ("hold_prompt", "music", "whisper"):
            if k in g and not _str_list(g[k]):
                return w + ": %s must be a list of prompt names" % k
        if "announce" in g:
            if not _str_list(g["announce"]):
                return w + ": announce must be a list"
            for a in g["announce"]:
                if a not in _ANNOUNCE:
                    return w + ": announce %r is not one of %s" % (a, " ".join(_ANNOUNCE))
        keys = g.get("exit_keys", {})
        if type(keys) is not dict:
            return w + ": exit_keys must be a mapping"
        for key in keys:
            if len(key) != 1 or key not in _KEY_CHARS:
                return w + ": bad exit key %r" % (key,)
            act = keys[key]
            if type(act) is dict and act.get("do") == "callback":
                if not (cfg.get("outbound") or {}).get("callback"):
                    return w + ": exit key %s offers a call-back but call-backs are off" % key
                continue
            err = _action(cfg, act, w + " exit key " + key, 0)
            if err:
                return err
        ov = g.get("overflow")
        if type(ov) is dict and ov.get("do") == "callback":
            if not (cfg.get("outbound") or {}).get("callback"):
                return w + ": overflow offers a call-back but call-backs are off"
        elif ov is not None:
            err = _action(cfg, g["overflow"], w + " overflow", 0)
            if err:
                return err
    return None


def _allow_list(x):
    # numbers, or "prefix*" with _ALLOW_PREFIX digits or more; never * or # to dial
    if not _str_list(x):
        return False
    for p in x:
        body = p[:-1] if p[-1] == "*" else p
        if not _digits(body, "0123456789") or (body != p and len(body) < _ALLOW_PREFIX):
            return False
    return True


def _toll_fraud(cfg):
    # what stands between a caller and the office's phone bill (issue 16)
    for ln in cfg["lines"]:
        if "number" in ln and not _digits(ln["number"], "+0123456789"):
            return "a line's number must be digits"
    ob = cfg.get("outbound")
    if type(ob) is dict and "allow" in ob and not _allow_list(ob["allow"]):
        return "outbound allow must be numbers or prefixes of %d+ digits ending in *" % _ALLOW_PREFIX
    d = cfg.get("disa")
    if d is None or (type(d) is dict and not d.get("enabled")):
        return None
    if type(d) is not dict:
        return "disa must be a mapping"
    from rrfw.store import pins
    pin = d.get("pin")
    if pin is not None:
        why = pins.problem(pin, _MIN_PIN, _PIN_MAX, True, pins.office_numbers(cfg))
        if why:
            return "disa pin: " + why
    elif not pins.sealed_ok(d.get("pin_hash")) or not _in(d.get("pin_len"), _MIN_PIN, _PIN_MAX):
        return "disa: enabled without a PIN"
    if "max_attempts" in d and not _in(d["max_attempts"], *_DISA_TRIES):
        return "disa max_attempts must be %d to %d" % _DISA_TRIES
    if "lockout_ms" in d and not _in(d["lockout_ms"], *_DISA_LOCK_MS):
        return "disa lockout_ms must be %d to %d ms" % _DISA_LOCK_MS
    if not _in(d.get("max_call_ms"), *_DISA_CALL_MS):
        return "disa max_call_ms must be %d to %d ms" % _DISA_CALL_MS
    if "allow" in d and not _allow_list(d["allow"]):
        return "disa allow must be numbers or prefixes of %d+ digits ending in *" % _ALLOW_PREFIX
    return None


def _intercom(cfg):
    # what call/intercom.py reads
    ic = cfg.get("intercom")
    if ic is None:
        return None
    err = _fields(ic, _INTERCOM, "intercom")
    if err:
        return err
    if "ring_ms" in ic and not ic["ring_ms"] > 0:
        return "intercom: ring_ms must be above 0"
    return None


def _transfer(cfg):
    # what call/transfer.py and line/hookflash.py read
    tc = cfg.get("transfer")
    if tc is None:
        return None
    err = _fields(tc, _TRANSFER, "transfer")
    if err:
        return err
    lo = tc.get("flash_min_ms", 100)
    hi = tc.get("flash_max_ms", 800)
    if not 0 < lo < hi:
        return "transfer: flash_min_ms must be above 0 and below flash_max_ms"
    sup = tc.get("supervisor")
    if sup is not None and sup not in cfg["extensions"]:
        return "transfer: supervisor %s is not an extension" % sup
    for k in ("join", "takeover"):
        if k in tc and not _digits(tc[k], _KEY_CHARS):
            return "transfer: %s must be a code of keys" % k
    out = tc.get("outside")
    if out is not None:
        # the prefix before an outside number (call/transfer.py): digits no extension starts with
        if not out or len(out) > 3 or not _digits(out, "0123456789"):
            return "transfer: outside must be 1 to 3 digits"
        for ext in cfg["extensions"]:
            if ext.startswith(out):
                return "transfer: extension %s starts with the outside prefix %s" % (ext, out)
    return None
