# cfgcheck.py - the board re-checks a compiled config before taking it.
#
# The host validates the YAML (ringroute validate) and compiles it; a config
# can still arrive damaged, hand-edited, or from an older tool.  check(cfg)
# returns None when the firmware can run cfg, else one line saying what is
# wrong; the caller keeps the running config when it gets an error.
# Checks what the engine relies on: types, every reference (menus,
# extensions, groups), action kinds, and that no path reaches an outside
# line (DISA) unless it is enabled with a PIN of 6 or more digits.
# Every value the firmware reads has its type checked here (a string where
# a bool, a number or a list belongs would otherwise stop the App at boot,
# or fault every call), and a check that itself trips over a value refuses
# the config rather than raising (tests/test_config_boot_fuzz.py fuzzes the
# compiled JSON against this check and a boot).
from rrfw.compat import const
from rrfw.line import profiles   # the country codes a line may name (store sits above line)

_VERSION = const(1)
_MIN_PIN = const(6)         # digits; issue 5: DISA only with a PIN of 6 or more digits
_MAX_DEPTH = const(8)       # nested else/then actions; bounds the recursion on the board
_MAX_MENUS = const(64)      # menus; keeps one config within a few KB of RAM
_KEY_CHARS = "0123456789*#ABCD"
_KINDS = ("menu", "back", "top", "repeat", "ext", "group", "operator", "message", "hangup", "disa")
_METHODS = ("cpc", "reversal", "busy_tone", "reorder_tone", "silence", "max_length")  # line/hangup.py
_STRATEGIES = ("ring_all", "sequential", "round_robin")                            # call/router.py
_CALLER_ID = ("full", "last4", "none")                                             # store/records.py
_MAX_MS = const(86400000)   # ms; no timer of the firmware runs longer than a day
_MAX_COUNT = const(100000)  # the largest count a config may hold (records keep)

# Plain values, by section: key -> kind. "bool", "str", "names" (a list of
# names), "ms" (0.._MAX_MS), "pos" (1.._MAX_COUNT), "count" (0.._MAX_COUNT).
_TOP = (("name", "str"), ("start", "str"), ("ext_ring_timeout_ms", "ms"), ("member_ring_ms", "ms"),
        ("queue_ms", "ms"), ("hold_prompt", "names"), ("announce_ext", "names"))
_LINE = (("country", "str"), ("answer_on_ring", "pos"), ("answer_on_callerid", "bool"), ("menu", "str"),
         ("name", "str"))
_HANGUP = (("cpc_min_ms", "ms"), ("silence_ms", "ms"), ("max_call_ms", "ms"), ("methods", "names"))
_EXT = (("port", "count"), ("name", "str"), ("dial", "bool"))
_GROUP = (("members", "names"), ("strategy", "str"), ("member_ring_ms", "ms"), ("queue_ms", "ms"))
_MENU = (("dial_ext", "bool"), ("terminator", "str"), ("first_ms", "pos"), ("inter_ms", "pos"),
         ("max_invalid", "pos"), ("max_timeout", "pos"), ("greeting", "names"), ("short", "names"),
         ("invalid_prompt", "names"), ("timeout_prompt", "names"))
_ACTION = (("to", "str"), ("reason", "str"), ("reentry", "bool"), ("prompts", "names"))
_DISA = (("enabled", "bool"), ("pin", "str"), ("max_attempts", "pos"), ("lockout_ms", "ms"),
         ("max_call_ms", "ms"), ("prompt", "names"))
_RECORDS = (("enabled", "bool"), ("keep", "count"), ("caller_id", "str"))
_OUTBOUND = (("callback", "bool"), ("callback_key", "str"), ("do_not_call", "names"),
             ("max_attempts", "pos"), ("retry_ms", "ms"))


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
    if kind == "message" and (not _str_list(act.get("prompts")) or not act.get("prompts")):
        return where + ": message without prompts"
    if kind == "disa":
        d = cfg.get("disa") or {}
        if type(d) is not dict:
            return "disa: not a mapping"
        pin = d.get("pin")
        if not d.get("enabled") or not _digits(pin, "0123456789") or len(pin) < _MIN_PIN \
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
        if not _is_int(p) or p < 0:
            return "extension %s: bad port" % num
        err = _fields(e, _EXT, "extension " + num)
        if err:
            return err
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
            elif v[0] != "block_last":
                return "feature code %s: unknown feature %r" % (code, v[0])
    if cfg.get("on_no_answer") is not None:
        err = _action(cfg, cfg["on_no_answer"], "no_answer", 0)
        if err:
            return err
    return _queue_and_outbound(cfg, groups)


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
    return None
