"""Menus: greetings, the digit map, timeouts and the no-input / invalid-input handling."""
import re

from .actions import parse_action

MENU_KEYS = ("greeting", "short_greeting", "keys", "dial_extensions", "timeout", "digit_timeout",
             "terminator", "invalid", "no_input", "no_answer", "allow_overlap", "description")
DEFAULT_KEYS = ("dial_extensions", "timeout", "digit_timeout", "terminator", "invalid", "no_input",
                "no_answer")
RETRY_KEYS = ("prompt", "max", "then")

DIGITS = re.compile(r"[0-9*#A-D]+")

# Defaults (firmware/ivr.py has the same): Asterisk's TIMEOUT() defaults are
# response 10 s and digit 5 s; FreeSWITCH's demo_ivr uses timeout 10 s,
# inter-digit-timeout 2 s, max-failures 3, max-timeouts 3.  Our first-digit
# timeout starts when the prompt ENDS, so 5 s is as patient as their 10 s.
FIRST_MS = 5000
INTER_MS = 3000
MAX_TRIES = 3


def parse_defaults(ctx, node):
    return ctx.r.mapping(node, "menu_defaults", allowed=DEFAULT_KEYS)


def parse_menu(ctx, name, node, defaults):
    r = ctx.r
    where = "menu '%s'" % name
    m = r.mapping(node, where, allowed=MENU_KEYS, required=("greeting", "keys"))

    def pick(key):
        if key in m:
            return m[key]
        return defaults.get(key, (None, None))

    out = {}
    g = [(n, nn) for n, nn in r.names(m["greeting"][1], where + " greeting")] if "greeting" in m else []
    for n, nn in g:
        ctx.use_prompt(n, nn)
    out["greeting"] = [n for n, _ in g]
    if "short_greeting" in m:
        s = r.names(m["short_greeting"][1], where + " short_greeting")
        for n, nn in s:
            ctx.use_prompt(n, nn)
        out["short"] = [n for n, _ in s]

    term = r.text(pick("terminator")[1], where + " terminator", "#")
    if term not in ("#", "*", "none"):
        ctx.probs.at(pick("terminator")[1], "%s: terminator must be '#', '*' or none" % where)
        term = "#"
    out["terminator"] = "" if term == "none" else term
    out["dial_ext"] = r.boolean(pick("dial_extensions")[1], where + " dial_extensions", False)
    out["first_ms"] = r.duration_ms(pick("timeout")[1], where + " timeout", FIRST_MS, lo=1000, hi=60000)
    out["inter_ms"] = r.duration_ms(pick("digit_timeout")[1], where + " digit_timeout", INTER_MS,
                                    lo=500, hi=20000)

    keys = {}
    key_nodes = {}
    if "keys" in m:
        km = r.mapping(m["keys"][1], where + " keys")
        for k, (kn, vn) in km.items():
            if not DIGITS.fullmatch(k):
                ctx.probs.at(kn, "%s: key '%s' is not a digit sequence (0-9, *, #, A-D; quote * and #)" % (where, k))
                continue
            if k == out["terminator"] and len(k) == 1 and any(len(o) > 1 for o in km):
                ctx.probs.at(kn, "%s: key '%s' is also the terminator that ends longer entries" % (where, k),
                             "warning")
            a = parse_action(ctx, vn, "%s key %s" % (where, k))
            if a is not None:
                keys[k] = a
                key_nodes[k] = kn
    out["keys"] = keys

    bare = []
    for which, field, prompt_key, max_key, then_key in (
            ("invalid", "invalid", "invalid_prompt", "max_invalid", "on_invalid"),
            ("no_input", "no_input", "timeout_prompt", "max_timeout", "on_timeout")):
        kn, vn = pick(field)
        rm = r.mapping(vn, "%s %s" % (where, field), allowed=RETRY_KEYS) if vn is not None else {}
        if "prompt" in rm:
            ps = r.names(rm["prompt"][1], "%s %s prompt" % (where, field))
            for n, nn in ps:
                ctx.use_prompt(n, nn)
            out[prompt_key] = [n for n, _ in ps]
        out[max_key] = r.integer(rm["max"][1], "%s %s max" % (where, field), MAX_TRIES, lo=1, hi=10) \
            if "max" in rm else MAX_TRIES
        if "then" in rm:
            a = parse_action(ctx, rm["then"][1], "%s %s then" % (where, field))
            if a is not None:
                if a["do"] == "hangup" and ctx.has_operator:
                    ctx.probs.warn(rm["then"][1], "%s: after %s the caller is hung up on although an "
                                   "operator exists; 'then: operator' is the safe fallback" % (where, field.replace("_", " ")))
                out[then_key] = a
        else:
            # never a bare hang-up where a safe fallback exists
            out[then_key] = {"do": "operator"} if ctx.has_operator else {"do": "hangup", "reason": field}
            if not ctx.has_operator:
                bare.append("%d %s" % (out[max_key], "invalid entries" if field == "invalid" else "timeouts"))
    if bare:
        ctx.probs.warn(node, "%s: no 'operator' and no 'then:' action: after %s the caller is hung up on "
                             "without a word; add 'then: message PROMPT' or an operator" % (where, " or ".join(bare)))
    na = pick("no_answer")[1]
    if na is not None:
        a = parse_action(ctx, na, where + " no_answer")
        if a is not None:
            out["on_no_answer"] = a
            for act in out["keys"].values():
                if act["do"] in ("ext", "group") and "else" not in act:
                    act["else"] = a
    allow = r.boolean(m["allow_overlap"][1], where + " allow_overlap", False) if "allow_overlap" in m else False
    return out, key_nodes, allow
