"""Scenario files for `ringroute emulate`: who calls, what they press, who answers,
and what must happen. The format is documented in docs/scenarios.md.

A scenario is YAML (or JSON). Times are seconds (float) unless the key ends in _ms.
Problems are reported as `FILE: where: message` and raise ScenarioError.
"""
import yaml

from ..errors import RingrouteError

HANGUP_METHODS = ("cpc", "reversal", "busy", "reorder", "silence", "none")
CALL_KEYS = {"at", "line", "lines", "caller_id", "name", "country", "keys", "hangup", "speech", "level_dbm0",
             "noise_dbm0", "cpc_ms", "talk", "clip_form"}
EXT_KEYS = {"answer_after", "hangup_after", "answer", "offhook_at", "onhook_at", "dial", "disposition",
            "preview", "shifts", "actions"}
ACTIONS = ("flash", "dial", "hangup", "leave")
TOP_KEYS = {"calls", "extensions", "expect", "duration", "start", "description", "seed", "echo_db",
            "traffic", "callees", "callee_mix"}
CALLEE_KEYS = {"answer", "answer_after", "talk", "busy", "opt_out_after", "opt_out_key", "disposition", "tz",
               "accept", "accept_after"}
MIX_KEYS = {"busy", "no_answer", "opt_out", "wrong_number", "wrong_number_key", "talk", "answered",
            "dispositions"}
TRAFFIC_KEYS = {"calls_per_hour", "hours", "lines", "keys", "talk", "patience", "start_at", "method"}
CID_REASONS = ("withheld", "unavailable", "none")
DEFAULT_CAP_S = 2.5 * 3600   # s: longer than the firmware's default maximum call length


class ScenarioError(RingrouteError):
    pass


def _num(v, where, path):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ScenarioError("%s: %s: expected a number of seconds, got %r" % (path, where, v))
    if v < 0:
        raise ScenarioError("%s: %s: must not be negative (%r)" % (path, where, v))
    return float(v)


def _check_keys(d, allowed, where, path):
    if not isinstance(d, dict):
        raise ScenarioError("%s: %s: expected a mapping" % (path, where))
    for k in d:
        if k not in allowed:
            raise ScenarioError("%s: %s: unknown key %r (known: %s)" % (path, where, k, ", ".join(sorted(allowed))))


def _keys(v, where, path):
    """keys: "12#" (pressed 2 s after answer, 0.2 s apart) or a list of
    {at: s after answer, digits: "12", gap: s, duration_ms: ms, level_dbm0: dB, twist_db: dB}."""
    if v is None:
        return []
    if isinstance(v, (str, int)):
        v = [{"at": 2.0, "digits": str(v)}]
    if not isinstance(v, list):
        raise ScenarioError("%s: %s: keys must be a string or a list" % (path, where))
    out = []
    for j, k in enumerate(v):
        w = "%s.keys[%d]" % (where, j)
        _check_keys(k, {"at", "digits", "gap", "duration_ms", "level_dbm0", "twist_db", "after"}, w, path)
        digits = str(k.get("digits", ""))
        for d in digits:
            if d not in "0123456789*#ABCD":
                raise ScenarioError("%s: %s: %r is not a DTMF key" % (path, w, d))
        after = k.get("after", "answer")
        if after not in ("answer", "connect"):
            raise ScenarioError("%s: %s: after must be answer or connect" % (path, w))
        out.append({"at": _num(k.get("at", 0.0), w + ".at", path), "digits": digits,
                    "gap": _num(k.get("gap", 0.2), w + ".gap", path),
                    "duration_ms": int(k.get("duration_ms", 100)),
                    "level_dbm0": float(k.get("level_dbm0", -10.0)),
                    "twist_db": float(k.get("twist_db", 2.0)), "after": after})
    return out


def _ext_dial(d, where, path):
    """dial: {at: s, digits: "*81"}, or a list of them: someone lifts the extension
    at `at` and dials (feature codes: night mode, an agent logging in or pausing)."""
    if d is None:
        return None
    if isinstance(d, list):
        out = [_ext_dial(x, where, path) for x in d]
        return sorted(out, key=lambda x: x["at"])
    _check_keys(d, {"at", "digits", "stay", "actions"}, where + ".dial", path)
    digits = str(d.get("digits", ""))
    for ch in digits:
        if ch not in "0123456789*#ABCD":
            raise ScenarioError("%s: %s.dial: %r is not a DTMF key" % (path, where, ch))
    out = {"at": _num(d.get("at", 0.0), where + ".dial.at", path), "digits": digits}
    if d.get("stay") is not None:   # off-hook this long after the last key (a pick-up: the talk)
        out["stay"] = _num(d["stay"], where + ".dial.stay", path)
    if d.get("actions") is not None:   # what the agent does after the last key (a flash mid-call)
        out["actions"] = _actions(d["actions"], where + ".dial", path)
    return out


def _shifts(v, where, path):
    """shifts: [{from: s, to: s, group: name}]: the agent is on duty from..to (logged in with
    the config's login code, or its login_group code for `group`, out again at `to`)."""
    if v is None:
        return None
    if not isinstance(v, list):
        raise ScenarioError("%s: %s.shifts: a list of {from, to} (seconds)" % (path, where))
    out = []
    for i, sh in enumerate(v):
        w = "%s.shifts[%d]" % (where, i)
        _check_keys(sh, {"from", "to", "group"}, w, path)
        a = _num(sh.get("from", 0.0), w + ".from", path)
        b = _num(sh["to"], w + ".to", path) if sh.get("to") is not None else None
        if b is not None and b <= a:
            raise ScenarioError("%s: %s: a shift ends after it starts" % (path, w))
        if out and (out[-1]["to"] is None or a < out[-1]["to"]):
            raise ScenarioError("%s: %s: shifts must follow one another" % (path, w))
        out.append({"from": a, "to": b, "group": str(sh["group"]) if sh.get("group") is not None else None})
    return out


def _keys_text(v, where, path):
    if v is None:
        return None
    v = str(v)
    for ch in v:
        if ch not in "0123456789*#ABCD":
            raise ScenarioError("%s: %s: %r is not a DTMF key" % (path, where, ch))
    return v


def _tz_name(v, where, path):
    if v is None:
        return None
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo(str(v))
    except Exception:
        raise ScenarioError("%s: %s: %r is not a time zone name (America/Chicago ...)" % (path, where, v))
    return str(v)


def _actions(v, where, path):
    """actions: what the agent does once the phone has answered its first call, each
    `after` s after the previous one ended: [{after: 5, do: flash, ms: 300},
    {after: 1.5, do: dial, digits: "102"}, {after: 6, do: hangup}]."""
    if v is None:
        return []
    if not isinstance(v, list):
        raise ScenarioError("%s: %s.actions: a list of {after, do} steps" % (path, where))
    out = []
    for j, a in enumerate(v):
        w = "%s.actions[%d]" % (where, j)
        _check_keys(a, {"after", "do", "digits", "ms"}, w, path)
        do = a.get("do")
        if do not in ACTIONS:
            raise ScenarioError("%s: %s.do: one of %s, not %r" % (path, w, ", ".join(ACTIONS), do))
        step = {"after": _num(a.get("after", 0.0), w + ".after", path), "do": do}
        if do == "dial":
            digits = str(a.get("digits", ""))
            if not digits or any(ch not in "0123456789*#ABCD" for ch in digits):
                raise ScenarioError("%s: %s.digits: DTMF keys to dial, not %r" % (path, w, digits))
            step["digits"] = digits
        if do == "flash" and a.get("ms") is not None:
            ms = a["ms"]
            if isinstance(ms, bool) or not isinstance(ms, int) or not 10 <= ms <= 5000:
                raise ScenarioError("%s: %s.ms: the on-hook time of the flash, 10-5000 ms" % (path, w))
            step["ms"] = ms
        out.append(step)
    return out


def _traffic(t, seed, path):
    """Random inbound traffic for capacity planning: Poisson arrivals at
    calls_per_hour for `hours`, exponential talk and patience times, each
    call offered to the first free line of `lines` (blocked when none is)."""
    import random
    _check_keys(t, TRAFFIC_KEYS, "traffic", path)
    rate = _num(t.get("calls_per_hour", 30), "traffic.calls_per_hour", path)
    hours = _num(t.get("hours", 1), "traffic.hours", path)
    talk = _num(t.get("talk", 120), "traffic.talk", path)
    patience = _num(t.get("patience", 90), "traffic.patience", path)
    start = _num(t.get("start_at", 1.0), "traffic.start_at", path)
    keys = _keys(t.get("keys", [{"at": 2.0, "digits": "0"}]), "traffic", path)
    method = t.get("method", "cpc")
    if method not in HANGUP_METHODS:
        raise ScenarioError("%s: traffic.method: %r is not one of %s" % (path, method, ", ".join(HANGUP_METHODS)))
    rnd = random.Random(seed)
    calls = []
    at = start
    while rate > 0:
        at += rnd.expovariate(rate / 3600.0)
        if at > start + hours * 3600:
            break
        calls.append({
            "at": at, "line": "any", "lines": list(t.get("lines", [1])),
            "caller_id": "555%07d" % rnd.randrange(10 ** 7), "name": None, "country": None,
            "keys": [dict(k) for k in keys],
            "hangup": {"method": method, "after_connect": max(5.0, rnd.expovariate(1.0 / talk)),
                       "patience": max(5.0, rnd.expovariate(1.0 / patience))},
            "speech": "noise", "talk": True, "level_dbm0": -20.0, "noise_dbm0": -60.0, "cpc_ms": None,
        })
    return calls


def load(path):
    try:
        with open(path) as f:
            data = yaml.safe_load(f)
    except OSError as e:
        raise ScenarioError("%s: cannot read: %s" % (path, e.strerror))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = "line %d col %d" % (mark.line + 1, mark.column + 1) if mark else "?"
        raise ScenarioError("%s: %s: not valid YAML: %s" % (path, where, getattr(e, "problem", e)))
    return parse(data or {}, path)


def parse(data, path="<scenario>"):
    _check_keys(data, TOP_KEYS, "top level", path)
    calls = []
    for i, c in enumerate(data.get("calls", []) or []):
        w = "calls[%d]" % i
        _check_keys(c, CALL_KEYS, w, path)
        cid = c.get("caller_id", "none")
        cid = "none" if cid is None else str(cid)
        hang = c.get("hangup", {"after": 60.0, "method": "cpc"})
        if isinstance(hang, str):
            hang = {"method": hang}
        _check_keys(hang, {"after", "after_connect", "method", "at", "patience"}, w + ".hangup", path)
        method = hang.get("method", "cpc")
        if method not in HANGUP_METHODS:
            raise ScenarioError("%s: %s.hangup.method: %r is not one of %s" % (path, w, method, ", ".join(HANGUP_METHODS)))
        h = {"method": method}
        if "after_connect" in hang:
            h["after_connect"] = _num(hang["after_connect"], w + ".hangup.after_connect", path)
        if "after" in hang:
            h["after"] = _num(hang["after"], w + ".hangup.after", path)
        if "at" in hang:  # hang up while it is still ringing (a missed call)
            h["at"] = _num(hang["at"], w + ".hangup.at", path)
        if "patience" in hang:  # give up if no agent within this long of the answer
            h["patience"] = _num(hang["patience"], w + ".hangup.patience", path)
        if not ("after" in h or "after_connect" in h or "at" in h):
            h["after"] = 60.0
        speech = c.get("speech", "noise")
        if speech not in ("noise", "speech", "music") and not str(speech).lower().endswith(".wav"):
            raise ScenarioError("%s: %s.speech: noise, speech, music or a WAV file, not %r" % (path, w, speech))
        form = c.get("clip_form")
        if form is not None:
            from ..signals.callerid import CLIP_FORMS
            if form not in CLIP_FORMS:
                raise ScenarioError("%s: %s.clip_form: %r is not one of %s" % (
                    path, w, form, ", ".join(sorted(CLIP_FORMS))))
        line = c.get("line", 1)
        if line != "any" and (not isinstance(line, int) or line < 1):
            raise ScenarioError("%s: %s.line: lines are numbered from 1 (or `any`: the first free one)" % (path, w))
        hunt = c.get("lines", [1] if line == "any" else None)   # as before: line 1 unless told
        if hunt is not None and (not isinstance(hunt, list) or not all(isinstance(n, int) and n >= 1 for n in hunt)):
            raise ScenarioError("%s: %s.lines: the lines the exchange hunts, numbered from 1" % (path, w))
        calls.append({
            "at": _num(c.get("at", 0.0), w + ".at", path), "line": line, "lines": hunt,
            "caller_id": cid, "name": c.get("name"), "country": c.get("country"),
            "keys": _keys(c.get("keys"), w, path), "hangup": h,
            "speech": c.get("speech", "noise"), "talk": bool(c.get("talk", True)),
            "level_dbm0": float(c.get("level_dbm0", -20.0)),
            "noise_dbm0": float(c.get("noise_dbm0", -60.0)),
            "cpc_ms": int(c["cpc_ms"]) if c.get("cpc_ms") is not None else None,  # default: the profile's
            "clip_form": form,   # DTMF caller ID's national form (signals.callerid.CLIP_FORMS)
        })
    if data.get("traffic"):
        calls += _traffic(data["traffic"], int(data.get("seed", 1)), path)
        calls.sort(key=lambda c: c["at"])
    exts = {}
    for ext, e in (data.get("extensions", {}) or {}).items():
        w = "extensions.%s" % ext
        e = e or {}
        _check_keys(e, EXT_KEYS, w, path)
        exts[str(ext)] = {
            "answer": bool(e.get("answer", True)),
            "answer_after": _num(e.get("answer_after", 3.0), w + ".answer_after", path),
            "hangup_after": _num(e["hangup_after"], w + ".hangup_after", path) if e.get("hangup_after") is not None else None,
            "offhook_at": _num(e["offhook_at"], w + ".offhook_at", path) if e.get("offhook_at") is not None else None,
            "onhook_at": _num(e["onhook_at"], w + ".onhook_at", path) if e.get("onhook_at") is not None else None,
            "dial": _ext_dial(e.get("dial"), w, path),
            "disposition": _keys_text(e.get("disposition"), w + ".disposition", path),
            "preview": _keys_text(e.get("preview"), w + ".preview", path),
            "shifts": _shifts(e.get("shifts"), w, path),
            "actions": _actions(e.get("actions"), w, path),
        }
    expects = []
    for i, x in enumerate(data.get("expect", []) or []):
        w = "expect[%d]" % i
        if not isinstance(x, dict) or "event" not in x:
            raise ScenarioError("%s: %s: each expectation needs an `event`" % (path, w))
        expects.append(dict(x))
    last = max([c["at"] for c in calls] or [0.0])
    duration = data.get("duration")
    # Without a duration the run ends 10 s after the last call is over; this cap
    # only stops a call nobody ends (the board's own guard is a 2 h maximum).
    duration = _num(duration, "duration", path) if duration is not None else last + DEFAULT_CAP_S
    callees = {}
    for num, c in (data.get("callees", {}) or {}).items():
        w = "callees.%s" % num
        c = c or {}
        _check_keys(c, CALLEE_KEYS, w, path)
        callees[str(num)] = {"answer": bool(c.get("answer", True)),
                             "answer_after": _num(c.get("answer_after", 6.0), w + ".answer_after", path),
                             "talk": _num(c.get("talk", 20.0), w + ".talk", path),
                             "busy": bool(c.get("busy", False)),
                             "opt_out_after": _num(c["opt_out_after"], w + ".opt_out_after", path)
                             if c.get("opt_out_after") is not None else None,
                             "opt_out_key": _keys_text(c.get("opt_out_key", "9"), w + ".opt_out_key", path),
                             "disposition": _keys_text(c.get("disposition"), w + ".disposition", path),
                             "tz": _tz_name(c.get("tz"), w + ".tz", path),
                             # a remote agent (an extension with a number): the key they press
                             # after the whisper, accept_after s after answering; none: never
                             "accept": _keys_text(c.get("accept"), w + ".accept", path),
                             "accept_after": _num(c.get("accept_after", 4.0), w + ".accept_after", path)}
    mix = data.get("callee_mix")
    if mix is not None:
        _check_keys(mix, MIX_KEYS, "callee_mix", path)
        mix = dict(mix)
        for k in ("busy", "no_answer", "opt_out", "wrong_number"):
            v = _num(mix.get(k, 0.0), "callee_mix." + k, path)
            if v > 1:
                raise ScenarioError("%s: callee_mix.%s: a share from 0 to 1, not %r" % (path, k, v))
            mix[k] = v
        if sum(mix[k] for k in ("busy", "no_answer", "opt_out", "wrong_number")) > 1:
            raise ScenarioError("%s: callee_mix: the shares add up to more than 1" % path)
    return {"calls": calls, "extensions": exts, "expect": expects, "duration": duration, "callees": callees,
            "callee_mix": mix,
            "start": data.get("start"), "description": data.get("description", ""),
            "seed": int(data.get("seed", 1)), "echo_db": float(data.get("echo_db", -20.0)),
            "duration_given": data.get("duration") is not None}
