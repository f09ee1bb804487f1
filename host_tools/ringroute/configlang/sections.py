"""The appliance sections: lines, extensions, groups, operator, prompts, callers, DISA, feature codes, records."""
import re

from yaml.nodes import MappingNode, ScalarNode

from rrfw.store import pins   # the board's own rules for a PIN: one list for host and board

from . import agentcfg
from .actions import parse_action
from .context import country_codes
from .nodes import did_you_mean, is_null

LINE_KEYS = ("country", "answer_on_ring", "answer_on_callerid", "name", "hangup", "menu", "number")
HANGUP_KEYS = ("cpc_min", "silence", "max_call", "methods", "busy_tone")
HANGUP_METHODS = ("cpc", "reversal", "busy_tone", "reorder_tone", "silence", "max_length")  # firmware/hangup.py
EXT_KEYS = ("port", "name", "dial", "wrapup") + agentcfg.REMOTE_KEYS
GROUP_KEYS = ("members", "strategy", "member_ring", "queue") + agentcfg.QUEUE_KEYS
OUTBOUND_KEYS = ("callback", "callback_key", "do_not_call", "hours", "max_attempts", "retry", "allow",
                 "campaign", "regions", "holidays", "after_call", "lines_for_inbound", "opt_out_key",
                 "dispositions", "callback_later", "wrap")
CAMPAIGN_KEYS = ("group", "mode", "max_attempts")
REGION_KEYS = ("hours", "register_days")
RETRY_RESULTS = ("busy", "reorder", "no_answer", "no_dial_tone", "interrupted", "sit")   # rrfw/store/cfgcheck.py
DISPOSITION_NAMES = ("sale", "callback_later", "not_interested", "wrong_number", "do_not_call")
STRATEGIES = agentcfg.STRATEGIES      # firmware/rrfw/call/router.py
CALLER_KEYS = ("block", "when_blocked", "priority", "withheld", "unavailable")
DISA_KEYS = ("enabled", "pin", "max_attempts", "lockout", "max_call", "prompt", "allow")
FEATURE_KEYS = ("day", "night", "auto", "block_last", "override", "pause_reasons", "pickup",
                "campaign_join", "campaign_leave") + agentcfg.AGENT_CODES + agentcfg.GROUP_CODES
RECORD_KEYS = ("enabled", "keep", "caller_id", "retention_days")
SL_KEYS = ("target", "within", "short_abandon", "formula")
SL_FORMULAS = ("sl", "sl2", "offered")   # ringroute/slreport.py FORMULAS
NUMBER = re.compile(r"\+?[0-9]{1,20}\*?|\*")
EXT_NUM = re.compile(r"[0-9]{1,8}")
FEATURE = re.compile(r"[*#][0-9*#]{1,8}")
MIN_PIN = 6          # digits; issue 5: DISA only with a PIN of 6 or more digits
# numbers the office lets through the numbering plan (firmware rrfw/call/numplan.py):
# whole numbers, or prefixes of 3+ digits ("1*" would open 1-900; cfgcheck: _ALLOW_PREFIX)
ALLOW = re.compile(r"[0-9]{3,}\*|[0-9]+")


def parse_lines(ctx, node):
    r = ctx.r
    out = []
    codes = country_codes()
    items = r.seq(node, "lines")
    if node is not None and not items:
        ctx.probs.at(node, "lines: at least one line is needed")
    for i, ln in enumerate(items):
        where = "line %d" % (i + 1)
        m = r.mapping(ln, where, allowed=LINE_KEYS, required=("country",))
        c = r.text(m["country"][1], where + " country") if "country" in m else None
        if c is not None and codes is not None and c not in codes:
            ctx.probs.at(m["country"][1], "%s: unknown country '%s'%s; known: %s" % (
                where, c, did_you_mean(c, codes), ", ".join(codes)))
        d = {"country": c or "US",
             "answer_on_ring": r.integer(m["answer_on_ring"][1], where + " answer_on_ring", 2, lo=1, hi=10)
             if "answer_on_ring" in m else 2,
             "answer_on_callerid": r.boolean(m["answer_on_callerid"][1], where + " answer_on_callerid", False)
             if "answer_on_callerid" in m else False}
        if "name" in m:
            d["name"] = r.text(m["name"][1], where + " name")
        if "number" in m:   # the line's own number: PINs may not be made of it
            num = r.text(m["number"][1], where + " number")
            if num is not None and not re.fullmatch(r"\+?[0-9 ()-]{4,20}", num):
                ctx.probs.at(m["number"][1], "%s number: '%s' is not a phone number" % (where, num))
            elif num is not None:
                d["number"] = re.sub(r"[ ()-]", "", num)
        if "menu" in m:
            mn = r.text(m["menu"][1], where + " menu")
            if mn is not None and mn not in ctx.menus:
                ctx.probs.at(m["menu"][1], "%s: unknown menu '%s'%s" % (where, mn, did_you_mean(mn, ctx.menus)))
            elif mn is not None:
                d["menu"] = mn
        if "hangup" in m:
            h = parse_hangup(ctx, m["hangup"][1], where + " hangup")
            if h:
                d["hangup"] = h
        out.append(d)
        ctx.line_nodes.append(m["answer_on_ring"][1] if "answer_on_ring" in m else ln)
    return out


CID_WHEN = {"before_ring": "before the 1st ring", "after_first_ring": "between the 1st and 2nd ring"}


def check_answer_before_callerid(ctx, cfg):
    """Warn for a line that would answer before caller ID can arrive while a caller
    rule needs the number (the board then waits for it: rrfw/call/inbound.py)."""
    from rrfw.call.ivr import needs_number
    from rrfw.line import profiles
    if not needs_number(cfg):
        return
    for i, (d, n) in enumerate(zip(cfg["lines"], ctx.line_nodes)):
        try:
            need = profiles.cid_rings(d["country"])
            when = CID_WHEN.get(profiles.get(d["country"]).get("cid_when"), "after the 1st ring")
        except KeyError:
            continue      # an unknown country: already an error
        if d["answer_on_ring"] < need:
            ctx.probs.warn(n, "line %d answers on ring %d, but %s exchanges send caller ID %s and the "
                              "'callers' rules need the number: the board waits for caller ID and answers "
                              "on ring %d at the latest (set answer_on_ring: %d, with answer_on_callerid: "
                              "true to answer as soon as it is read)" % (
                                  i + 1, d["answer_on_ring"], d["country"], when, need, need))


def parse_hangup(ctx, node, where):
    """How this line notices that the caller hung up (firmware/hangup.py settings)."""
    r = ctx.r
    m = r.mapping(node, where, allowed=HANGUP_KEYS)
    out = {}
    if "cpc_min" in m:
        out["cpc_min_ms"] = r.duration_ms(m["cpc_min"][1], where + " cpc_min", None, lo=60, hi=2000)
    if "silence" in m:
        out["silence_ms"] = r.duration_ms(m["silence"][1], where + " silence", None, lo=5000, hi=600000)
    if "max_call" in m:
        out["max_call_ms"] = r.duration_ms(m["max_call"][1], where + " max_call", None, lo=60000,
                                           hi=12 * 3600000)
    if "methods" in m:
        ms = []
        for v, vn in r.names(m["methods"][1], where + " methods"):
            if v not in HANGUP_METHODS:
                ctx.probs.at(vn, "%s methods: unknown method '%s'%s; known: %s" % (
                    where, v, did_you_mean(v, HANGUP_METHODS), ", ".join(HANGUP_METHODS)))
            elif v not in ms:
                ms.append(v)
        if not ms:
            ctx.probs.at(m["methods"][1], "%s methods: at least one method is needed" % where)
        elif "max_length" not in ms:
            ctx.probs.warn(m["methods"][1], "%s methods: without 'max_length' a missed hang-up keeps the "
                                            "line busy forever" % where)
        out["methods"] = ms
    if "busy_tone" in m:
        # this exchange's own busy tone, as `ringroute board learn` measured it
        bm = r.mapping(m["busy_tone"][1], where + " busy_tone", allowed=("freqs", "cadence"),
                       required=("freqs", "cadence"))
        freqs = []
        for v, vn in (r.names(bm["freqs"][1], where + " busy_tone freqs") if "freqs" in bm else []):
            try:
                f = float(v)
            except ValueError:
                f = 0.0
            if not 200.0 <= f <= 3400.0:
                ctx.probs.at(vn, "%s busy_tone freqs: '%s' is not a frequency in Hz (200-3400)" % (where, v))
            else:
                freqs.append(f)
        cad = []
        for v, vn in (r.names(bm["cadence"][1], where + " busy_tone cadence") if "cadence" in bm else []):
            ms = r.duration_ms(vn, where + " busy_tone cadence", None, lo=50, hi=5000)
            if ms is not None:
                cad.append(ms)
        if freqs and cad:
            if len(cad) % 2:
                ctx.probs.at(bm["cadence"][1], "%s busy_tone cadence: on/off pairs, e.g. [500ms, 500ms]" % where)
            else:
                out["busy_tone"] = {"freqs": freqs, "cadence_ms": cad}
    return dict((k, v) for k, v in out.items() if v is not None)


def collect_exts(ctx, node):
    """First pass: extension numbers (so actions can refer to them)."""
    for k, (kn, vn) in ctx.r.mapping(node, "extensions").items():
        if not EXT_NUM.fullmatch(k):
            ctx.probs.at(kn, "extensions: '%s' is not an extension number (1 to 8 digits)" % k)
            continue
        ctx.exts[k] = kn


def parse_exts(ctx, node):
    r = ctx.r
    out = {}
    ports = {}
    for k, (kn, vn) in r.mapping(node, "extensions").items():
        if k not in ctx.exts:
            continue
        where = "extension %s" % k
        m = r.mapping(vn, where, allowed=EXT_KEYS, required=() if "number" in m_keys(vn) else ("port",))
        if "number" in m or any(k in m for k in agentcfg.REMOTE_KEYS):
            # a remote agent: an outside number the board calls on a second line (agentcfg.py)
            e = agentcfg.parse_remote_ext(ctx, k, m, where)
            if e is not None:
                out[k] = e
            continue
        port = r.integer(m["port"][1], where + " port", None, lo=0, hi=63) if "port" in m else None
        if port is None:
            continue
        if ctx.n_ports is not None and port >= ctx.n_ports:
            ctx.probs.at(m["port"][1], "%s: port %d does not exist (the board has ports 0..%d)" % (
                where, port, ctx.n_ports - 1))
        if port in ports:
            ctx.probs.at(m["port"][1], "%s: port %d is already extension %s" % (where, port, ports[port]))
        ports[port] = k
        e = {"port": port, "name": r.text(m["name"][1], where + " name", k) if "name" in m else k}
        if "dial" in m and not r.boolean(m["dial"][1], where + " dial", True):
            e["dial"] = False
        if "wrapup" in m:   # this agent's own wrap-up after each call (over the group's)
            e["wrapup_ms"] = r.duration_ms(m["wrapup"][1], where + " wrapup", 0, lo=0, hi=600000)
        out[k] = e
    # an extension number that is a prefix of another can never be dialled directly
    nums = sorted(out)
    for a in nums:
        for b in nums:
            if a != b and b.startswith(a):
                ctx.probs.at(ctx.exts[b], "extensions: %s starts with extension %s: dialling %s "
                                          "would wait for a timeout to tell them apart" % (b, a, a))
    return out


def m_keys(node):
    """The keys of a mapping node as written (before it is read), for choosing how to read it."""
    if not isinstance(node, MappingNode):
        return ()
    return [kn.value for kn, _ in node.value if isinstance(kn, ScalarNode)]


def collect_groups(ctx, node):
    for k, (kn, vn) in ctx.r.mapping(node, "groups").items():
        if k in ctx.exts:
            ctx.probs.at(kn, "groups: '%s' is also an extension number" % k)
        ctx.groups[k] = kn


def parse_groups(ctx, node):
    r = ctx.r
    out = {}
    for k, (kn, vn) in r.mapping(node, "groups").items():
        where = "group '%s'" % k
        if isinstance(vn, MappingNode):
            m = r.mapping(vn, where, allowed=GROUP_KEYS, required=("members",))
        else:
            m = {"members": (kn, vn)}
        members, pens, _ = agentcfg.parse_members(ctx, m["members"][1], where + " members") \
            if "members" in m else ([], {}, {})
        if "members" in m and not members and not ctx.probs.errors:
            ctx.probs.at(vn, "%s: no members" % where)
        # the default: the old switchboard's ring_all, or longest-idle for a call distributor
        dflt = "longest-idle" if ctx.acd else "ring_all"
        g = {"members": members,
             "strategy": r.choice(m["strategy"][1], where + " strategy", STRATEGIES, dflt)
             if "strategy" in m else dflt}
        if pens:
            g["penalty"] = pens
        if "member_ring" in m:
            g["member_ring_ms"] = r.duration_ms(m["member_ring"][1], where + " member_ring", 15000,
                                                lo=3000, hi=120000)
        if "queue" in m:   # longest wait for a free member when all are busy (0: no queue)
            g["queue_ms"] = r.duration_ms(m["queue"][1], where + " queue", 60000, lo=0, hi=3600000)
        agentcfg.parse_queue_keys(ctx, m, where, g, vn)
        out[k] = g
    return out


def parse_operator(ctx, node):
    """The operator: 'ext 101', 'group reception' or a bare extension number."""
    if isinstance(node, ScalarNode) and node.value in ctx.exts:
        return {"do": "ext", "to": node.value}
    a = parse_action(ctx, node, "operator", in_menu=False)
    if a is not None and a["do"] not in ("ext", "group"):
        ctx.probs.at(node, "operator must be an extension or a group (e.g. 'ext 101' or 'group reception')")
        return None
    return a


def parse_prompts(ctx, node):
    """A list of prompt names, or a mapping name -> the words it says (documentation)."""
    out = {}
    if isinstance(node, MappingNode):
        for k, (kn, vn) in ctx.r.mapping(node, "prompts").items():
            out[k] = kn
    else:
        for name, nn in ctx.r.names(node, "prompts"):
            if name in out:
                ctx.probs.at(nn, "prompts: '%s' is listed twice" % name)
            out[name] = nn
    for name, nn in out.items():
        if not re.fullmatch(r"[A-Za-z0-9_\-]{1,40}", name):
            ctx.probs.at(nn, "prompts: '%s' is not a usable file name (letters, digits, _ and -)" % name)
    ctx.prompts = out


def _number(ctx, node, where):
    v = ctx.r.text(node, where)
    if v is None:
        return None
    v = v.replace(" ", "").replace("-", "")
    if not NUMBER.fullmatch(v):
        ctx.probs.at(node, "%s: '%s' is not a phone number (digits, optional leading +, trailing * "
                           "for a prefix)" % (where, v))
        return None
    return v


def parse_callers(ctx, node):
    r = ctx.r
    m = r.mapping(node, "callers", allowed=CALLER_KEYS)
    out = {}
    if "block" in m:
        out["block"] = [n for n in (_number(ctx, nn, "callers block") for _, nn in
                                    r.names(m["block"][1], "callers block")) if n]
    if "when_blocked" in m:
        a = parse_action(ctx, m["when_blocked"][1], "callers when_blocked", in_menu=False)
        if a is not None:
            if a["do"] not in ("hangup", "message"):
                ctx.probs.at(m["when_blocked"][1], "callers when_blocked: a blocked caller gets "
                                                   "'hangup' or 'message PROMPT', nothing else")
            else:
                out["block_action"] = a
    if "priority" in m:
        pri = []
        for num, (kn, vn) in r.mapping(m["priority"][1], "callers priority").items():
            n = _number(ctx, kn, "callers priority")
            a = parse_action(ctx, vn, "callers priority %s" % num, in_menu=False)
            if n and a is not None:
                pri.append({"number": n, "action": a})
        out["priority"] = pri
    for k in ("withheld", "unavailable"):
        if k in m:
            a = parse_action(ctx, m[k][1], "callers " + k, in_menu=False)
            if a is not None:
                out[k] = a
    return out


def parse_disa(ctx, node):
    r = ctx.r
    m = r.mapping(node, "disa", allowed=DISA_KEYS, required=("enabled",))
    en = r.boolean(m["enabled"][1], "disa enabled", False) if "enabled" in m else False
    if not en:
        return {"enabled": False}
    out = {"enabled": True}
    pin = r.text(m["pin"][1], "disa pin") if "pin" in m else None
    if pin is None:
        ctx.probs.at(node, "disa: enabled without a 'pin'; outside calls through the appliance need a PIN "
                           "of %d or more digits" % MIN_PIN)
    elif not re.fullmatch(r"[0-9]{%d,12}" % MIN_PIN, pin):
        ctx.probs.at(m["pin"][1], "disa pin: must be %d to 12 digits (quote it), toll fraud starts with "
                                  "short PINs" % MIN_PIN)
    elif pins.trivial(pin):
        ctx.probs.at(m["pin"][1], "disa pin: '%s' is trivially guessable: %s" % (pin, pins.trivial(pin)))
    else:
        out["pin"] = pin
        ctx.disa_pin_node = m["pin"][1]
    out["max_attempts"] = r.integer(m["max_attempts"][1], "disa max_attempts", 3, lo=1, hi=5) \
        if "max_attempts" in m else 3
    out["lockout_ms"] = r.duration_ms(m["lockout"][1], "disa lockout", 1800000, lo=300000, hi=86400000) \
        if "lockout" in m else 1800000
    if "max_call" not in m:
        ctx.probs.at(node, "disa: 'max_call' (the longest outside call, e.g. 20min) is required")
        out["max_call_ms"] = 1200000
    else:
        out["max_call_ms"] = r.duration_ms(m["max_call"][1], "disa max_call", 1200000, lo=60000,
                                           hi=14400000)
    if "allow" in m:
        out["allow"] = parse_allow(ctx, m["allow"][1], "disa allow")
    if "prompt" in m:
        ps = r.names(m["prompt"][1], "disa prompt")
        for n, nn in ps:
            ctx.use_prompt(n, nn)
        out["prompt"] = [n for n, _ in ps]
    ctx.disa_enabled = "pin" in out
    if ctx.disa_enabled:
        ctx.probs.warn(m["enabled"][1], "disa is enabled: anyone with the PIN can call out at your cost; "
                                        "keep the PIN secret and the 'disa' key out of public menus")
    return out


def parse_allow(ctx, node, where):
    """Numbers the numbering plan refuses but the office allows: '01144*', '18005550100'."""
    out = []
    for num, nn in ctx.r.names(node, where):
        if not ALLOW.fullmatch(num):
            ctx.probs.at(nn, "%s: '%s' must be a number or a prefix of 3+ digits ending in * "
                             "(feature codes with * or # are never dialled)" % (where, num))
        else:
            out.append(num)
    if out:
        ctx.probs.warn(node, "%s: these numbers pass the numbering plan (premium, international...) "
                             "at the office's cost" % where)
    return out


def check_disa_pin(ctx, cfg):
    """After the lines: a DISA PIN made of the office's own number is guessable."""
    pin = (cfg.get("disa") or {}).get("pin")
    if not pin:
        return
    why = pins.trivial(pin, [ln.get("number") for ln in cfg.get("lines", []) if ln.get("number")])
    if why:
        ctx.probs.at(getattr(ctx, "disa_pin_node", None), "disa pin: '%s' is trivially guessable: %s" % (pin, why))


def collect_feature_modes(ctx, node):
    m = ctx.r.mapping(node, "feature_codes", allowed=FEATURE_KEYS)
    for k in ("day", "night"):
        if k in m:
            ctx.override_modes.add(k)
    if "override" in m:
        for mode in ctx.r.mapping(m["override"][1], "feature_codes override"):
            ctx.override_modes.add(mode)


def parse_features(ctx, node):
    """Feature codes dialled on an extension: code -> ["override", mode|None] | ["block_last"]."""
    r = ctx.r
    m = r.mapping(node, "feature_codes", allowed=FEATURE_KEYS)
    out = {}
    pairs = []
    for k in ("day", "night"):
        if k in m:
            pairs.append((m[k][1], ["override", k]))
    if "auto" in m:
        pairs.append((m["auto"][1], ["override", None]))
    if "block_last" in m:
        pairs.append((m["block_last"][1], ["block_last"]))
    if "pickup" in m:   # take a call ringing another phone (firmware app.py _pickup)
        pairs.append((m["pickup"][1], ["pickup"]))
        if len(ctx.line_nodes) < 2:
            ctx.probs.warn(m["pickup"][0], "feature_codes pickup: the board hears a phone's code through "
                                           "an idle line, so with one line a ringing call cannot be picked up")
    for k in ("campaign_join", "campaign_leave"):   # an agent joins / leaves the outbound campaign
        if k in m:
            pairs.append((m[k][1], ["campaign", k[9:]]))
    if "override" in m:
        for mode, (kn, vn) in r.mapping(m["override"][1], "feature_codes override").items():
            pairs.append((vn, ["override", mode]))
    agentcfg.parse_agent_codes(ctx, m, pairs)
    nodes = {}
    for vn, what in pairs:
        code = r.text(vn, "feature code")
        if code is None:
            continue
        if not FEATURE.fullmatch(code):
            ctx.probs.at(vn, "feature code '%s' must start with * or # (e.g. '*81'; quote it)" % code)
            continue
        if code in out:
            ctx.probs.at(vn, "feature code '%s' is used twice" % code)
            continue
        if what[0] == "override" and what[1] is not None and ctx.modes and what[1] not in ctx.modes:
            ctx.probs.at(vn, "feature code '%s': schedule mode '%s' has no menu" % (code, what[1]))
        elif what[0] == "override" and not ctx.modes:
            ctx.probs.warn(vn, "feature code '%s': there is no schedule, so a day/night override "
                               "changes nothing" % code)
        out[code] = what
        nodes[code] = vn
    agentcfg.check_codes(ctx, out, nodes)
    return out


def parse_records(ctx, node):
    r = ctx.r
    m = r.mapping(node, "records", allowed=RECORD_KEYS)
    out = {"enabled": r.boolean(m["enabled"][1], "records enabled", True) if "enabled" in m else True,
           "keep": r.integer(m["keep"][1], "records keep", 0, lo=0, hi=100000) if "keep" in m else 0,
           "caller_id": r.choice(m["caller_id"][1], "records caller_id", ("full", "last4", "none"), "full")
           if "caller_id" in m else "full"}
    if "retention_days" in m:   # 0 or absent: records stay until rotation drops them (store/records.py)
        out["retention_days"] = r.integer(m["retention_days"][1], "records retention_days", 0, lo=0, hi=3650)
    return out


def parse_service_level(ctx, node):
    """The agreement's target: `target: 80%`, `within: 20s`, `short_abandon: 5s`, `formula`."""
    r = ctx.r
    m = r.mapping(node, "service_level", allowed=SL_KEYS)
    out = {"target_pct": 80, "within_ms": 20000, "short_abandon_ms": 5000, "formula": "offered"}
    if "target" in m:
        v = r.text(m["target"][1], "service_level target")
        mt = re.fullmatch(r"\s*([0-9]{1,3})\s*%?\s*", v or "")
        if not mt or not 1 <= int(mt.group(1)) <= 100:
            ctx.probs.at(m["target"][1], "service_level target: a percentage 1-100 such as 80%%, not %r" % v)
        else:
            out["target_pct"] = int(mt.group(1))
    if "within" in m:
        out["within_ms"] = r.duration_ms(m["within"][1], "service_level within", 20000, lo=1000, hi=3600000)
    if "short_abandon" in m:
        out["short_abandon_ms"] = r.duration_ms(m["short_abandon"][1], "service_level short_abandon", 5000,
                                                lo=0, hi=600000)
    if "formula" in m:
        out["formula"] = r.choice(m["formula"][1], "service_level formula", SL_FORMULAS, "offered")
    return out


_HOURS = re.compile(r"([01][0-9]|2[0-4]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])")


def _parse_hours(ctx, node, where, zone=""):
    """'HH:MM-HH:MM' -> [from, to] minutes of the day, or None (a problem reported)."""
    h = ctx.r.text(node, where)
    mt = _HOURS.fullmatch(h or "")
    if not mt:
        ctx.probs.at(node, "%s: 'HH:MM-HH:MM'%s, e.g. '08:00-21:00'" % (where, zone))
        return None
    a = int(mt.group(1)) * 60 + int(mt.group(2))
    b = int(mt.group(3)) * 60 + int(mt.group(4))
    if a >= b:
        ctx.probs.at(node, "%s: the start must come before the end" % where)
        return None
    return [a, b]


def parse_outbound(ctx, node):
    """Call-backs and the rules for every outbound call (firmware/callbacks.py)."""
    r = ctx.r
    m = r.mapping(node, "outbound", allowed=OUTBOUND_KEYS)
    out = {"callback": r.boolean(m["callback"][1], "outbound callback", False) if "callback" in m else False}
    if "callback_key" in m:
        key = r.text(m["callback_key"][1], "outbound callback_key")
        if key is not None and (len(key) != 1 or key not in "0123456789*#"):
            ctx.probs.at(m["callback_key"][1], "outbound callback_key: one key, 0-9, * or # (quote * and #)")
        else:
            out["callback_key"] = key
    if "do_not_call" in m:
        dnc = []
        for num, nn in r.names(m["do_not_call"][1], "outbound do_not_call"):
            if not re.fullmatch(r"\+?[0-9]+\*?", num):
                ctx.probs.at(nn, "outbound do_not_call: '%s' is not a number or a 'prefix*'" % num)
            else:
                dnc.append(num)
        out["do_not_call"] = dnc
    if "hours" in m:
        hrs = _parse_hours(ctx, m["hours"][1], "outbound hours", " in the office's time zone")
        if hrs is not None:
            out["hours"] = hrs
    if "max_attempts" in m:
        out["max_attempts"] = r.integer(m["max_attempts"][1], "outbound max_attempts", 3, lo=1, hi=10)
    if "retry" in m:
        rn = m["retry"][1]
        if isinstance(rn, MappingNode):
            # per result: {busy: 10m, no_answer: 1h, no_dial_tone: 2m, interrupted: 1h}
            retry = {}
            for k, (kn, vn) in r.mapping(rn, "outbound retry", allowed=RETRY_RESULTS).items():
                retry[k] = r.duration_ms(vn, "outbound retry " + k, 600000, lo=60000, hi=7 * 86400000)
            out["retry"] = retry
        else:
            out["retry_ms"] = r.duration_ms(rn, "outbound retry", 300000, lo=60000, hi=86400000)
    if "after_call" in m:
        out["after_call_ms"] = r.duration_ms(m["after_call"][1], "outbound after_call", 86400000,
                                             lo=0, hi=86400000)
    if "lines_for_inbound" in m:
        out["lines_for_inbound"] = r.integer(m["lines_for_inbound"][1], "outbound lines_for_inbound", 1,
                                             lo=0, hi=8)
    if "opt_out_key" in m:
        key = r.text(m["opt_out_key"][1], "outbound opt_out_key")
        if key is not None and (len(key) != 1 or key not in "0123456789*#"):
            ctx.probs.at(m["opt_out_key"][1], "outbound opt_out_key: one key, 0-9, * or # (quote * and #)")
        else:
            out["opt_out_key"] = key
    if "dispositions" in m:
        disp = {}
        for k, (kn, vn) in r.mapping(m["dispositions"][1], "outbound dispositions").items():
            name = r.text(vn, "outbound dispositions " + k)
            if len(k) != 1 or k not in "0123456789":
                ctx.probs.at(kn, "outbound dispositions: '%s' is not one key 0-9" % k)
            elif name is not None and not re.fullmatch(r"[a-z][a-z0-9_]{0,23}", name):
                ctx.probs.at(vn, "outbound dispositions %s: '%s' is not a name (a-z, 0-9, _)" % (k, name))
            elif name is not None:
                disp[k] = name
        if disp:
            out["dispositions"] = disp
    if "callback_later" in m:
        out["callback_later_ms"] = r.duration_ms(m["callback_later"][1], "outbound callback_later", 7200000,
                                                 lo=60000, hi=30 * 86400000)
    if "wrap" in m:
        out["wrap_ms"] = r.duration_ms(m["wrap"][1], "outbound wrap", 15000, lo=3000, hi=120000)
    if "holidays" in m:
        from .schedcfg import parse_dates
        hol = []
        for hn in r.seq(m["holidays"][1], "outbound holidays"):
            text = r.text(hn, "outbound holiday")
            ds = parse_dates(text) if text is not None else None
            if isinstance(ds, str):
                ctx.probs.at(hn, "outbound holiday: " + ds)
            elif ds is not None:
                hol.append(ds)
        out["holidays"] = hol
    if "regions" in m:
        regions = {}
        for name, (kn, vn) in r.mapping(m["regions"][1], "outbound regions").items():
            if not re.fullmatch(r"[A-Z]{2}", name):
                ctx.probs.at(kn, "outbound regions: '%s' is not a country code such as US or IT" % name)
                continue
            rm = r.mapping(vn, "outbound region " + name, allowed=REGION_KEYS)
            reg = {}
            if "hours" in rm:
                hrs = _parse_hours(ctx, rm["hours"][1], "outbound region %s hours" % name)
                if hrs is not None:
                    reg["hours"] = hrs
            if "register_days" in rm:
                reg["register_days"] = r.integer(rm["register_days"][1], "outbound region %s register_days" % name,
                                                 31, lo=1, hi=366)
            regions[name] = reg
        out["regions"] = regions
    if "campaign" in m:
        cm = r.mapping(m["campaign"][1], "outbound campaign", allowed=CAMPAIGN_KEYS, required=("group",))
        camp = {}
        if "group" in cm:
            g = r.text(cm["group"][1], "outbound campaign group")
            if g is not None and g not in ctx.groups and g not in ctx.exts:
                ctx.probs.at(cm["group"][1], "outbound campaign group: '%s' is not a group or an extension" % g)
            camp["group"] = g
        if "mode" in cm:
            camp["mode"] = r.choice(cm["mode"][1], "outbound campaign mode", ("progressive", "preview"),
                                    "progressive")
        if "max_attempts" in cm:
            camp["max_attempts"] = r.integer(cm["max_attempts"][1], "outbound campaign max_attempts", 3,
                                             lo=1, hi=10)
        out["campaign"] = camp
        if camp.get("mode") == "preview":
            for d in "0123456789":
                ctx.use_prompt("digit-" + d, m["campaign"][1])
    if "allow" in m:
        out["allow"] = parse_allow(ctx, m["allow"][1], "outbound allow")
    if out["callback"]:
        for name in ("callback_offer", "callback_ok", "callback_unavailable"):
            ctx.use_prompt(name, node)
    return out
