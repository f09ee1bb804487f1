"""The call distributor: the `agents` section, the queue settings of a group and
the agents' feature codes (firmware/rrfw/call/agents.py and router.py read them)."""
from yaml.nodes import MappingNode, ScalarNode

from .actions import parse_action
from .nodes import did_you_mean

AGENT_KEYS = ("wrapup", "max_no_answer", "start")
AGENT_STARTS = ("available", "logged_out")
# firmware/rrfw/call/router.py _STRATEGIES (Asterisk app_queue names, FreeSWITCH's
# longest-idle, and the old names kept as aliases)
STRATEGIES = ("ringall", "linear", "rrmemory", "rrordered", "leastrecent", "fewestcalls", "random",
              "wrandom", "longest-idle", "ring_all", "sequential", "round_robin")
HUNTS = ("linear", "rrmemory", "rrordered", "leastrecent", "fewestcalls", "random", "wrandom",
         "longest-idle", "sequential", "round_robin")
QUEUE_KEYS = ("ring_timeout", "retry", "wrapup", "tiers", "max_queue", "join_empty", "exit_keys",
              "hold_prompt", "announce_every", "music", "overflow", "announce", "keep_place", "whisper")
ANNOUNCE = ("position", "wait")   # firmware/rrfw/call/queuetalk.py (store/cfgcheck.py _ANNOUNCE)
# A returning caller's place is kept at most this long: caller ID can be forged,
# and a short window bounds what a forger can take (docs/notes/agents.md).
MAX_KEEP_PLACE_MS = 600000
AGENT_CODES = ("login", "logout", "pause", "unpause", "dnd", "dnd_off")   # agents.py _CODES
GROUP_CODES = ("login_group", "logout_group")   # {group: code}: into / out of one group (agents.py)
# A remote agent (firmware/rrfw/call/remote.py): an extension with a number instead of a port
REMOTE_KEYS = ("number", "ring", "accept_key", "logout_key")
REMOTE_RING_MS = 30000     # remote.DEFAULT_RING_MS: dial and the far end's answer
REMOTE_KEY_MS = 15000      # remote.KEY_MS: the whisper and the accept key after the answer
REMOTE_WHISPER = "remote_whisper"   # remote._DEFAULT_WHISPER
MIN_ANNOUNCE_MS = 15000   # Asterisk min-announce-frequency default: no message more often
DEFAULT_MEMBER_MS = 12000  # firmware router._DEFAULT_MEMBER_MS
DEFAULT_TIMEOUT_MS = 20000  # firmware router._DEFAULT_TIMEOUT_MS


def parse_agents(ctx, node):
    r = ctx.r
    m = r.mapping(node, "agents", allowed=AGENT_KEYS)
    out = {}
    if "wrapup" in m:
        out["wrapup_ms"] = r.duration_ms(m["wrapup"][1], "agents wrapup", 0, lo=0, hi=600000)
    if "max_no_answer" in m:
        out["max_no_answer"] = r.integer(m["max_no_answer"][1], "agents max_no_answer", 3, lo=0, hi=20)
    if "start" in m:
        out["start"] = r.choice(m["start"][1], "agents start", AGENT_STARTS, "available")
    ctx.acd = True
    return out


def parse_members(ctx, node, where):
    """members: [101, 102] (penalty 0) or {101: 0, 102: 1} (ext: penalty) -> (list, penalties, nodes)."""
    r = ctx.r
    pairs = []
    if isinstance(node, MappingNode):
        for num, (kn, vn) in r.mapping(node, where).items():
            pen = r.integer(vn, where + " %s penalty" % num, 0, lo=0, hi=99)
            pairs.append((num, kn, pen))
    else:
        for num, nn in r.names(node, where):
            pairs.append((num, nn, 0))
    members, pens, nodes = [], {}, {}
    for num, nn, pen in pairs:
        if num not in ctx.exts:
            ctx.probs.at(nn, "%s: unknown extension '%s'%s" % (where, num, did_you_mean(num, ctx.exts)))
        elif num in members:
            ctx.probs.at(nn, "%s: extension %s is listed twice" % (where, num))
        else:
            members.append(num)
            nodes[num] = nn
            if pen:
                pens[num] = pen
    return members, pens, nodes


def parse_queue_keys(ctx, m, where, g, gnode):
    """The group's ringing rules and queue (QUEUE_KEYS) into g."""
    r = ctx.r
    if "ring_timeout" in m:
        g["ring_timeout_ms"] = r.duration_ms(m["ring_timeout"][1], where + " ring_timeout", 20000,
                                             lo=3000, hi=3600000)
    if "retry" in m:
        g["retry_ms"] = r.duration_ms(m["retry"][1], where + " retry", 5000, lo=0, hi=120000)
    if "wrapup" in m:
        g["wrapup_ms"] = r.duration_ms(m["wrapup"][1], where + " wrapup", 0, lo=0, hi=600000)
    if "tiers" in m:
        # {0s: 0, 45s: 1}: after each wait, members up to this penalty may ring
        rules = []
        for k, (kn, vn) in r.mapping(m["tiers"][1], where + " tiers").items():
            w = r.duration_ms(kn, where + " tiers wait", None, lo=0, hi=3600000)
            p = r.integer(vn, where + " tiers penalty", None, lo=0, hi=99)
            if w is not None and p is not None:
                if rules and (w <= rules[-1][0] or p < rules[-1][1]):
                    ctx.probs.at(kn, "%s tiers: waits must grow and penalties must not fall "
                                     "(a caller's choice only widens)" % where)
                    continue
                rules.append([w, p])
        if rules:
            g["tiers"] = rules
            top = max(list(g.get("penalty", {}).values()) or [0])
            if rules[-1][1] < top:
                ctx.probs.warn(m["tiers"][1], "%s tiers: members with penalty above %d are never rung" % (
                    where, rules[-1][1]))
    if "max_queue" in m:
        g["max_queue"] = r.integer(m["max_queue"][1], where + " max_queue", 0, lo=0, hi=50)
    if "join_empty" in m:
        g["join_empty"] = r.boolean(m["join_empty"][1], where + " join_empty", False)
        if not ctx.acd:
            ctx.probs.warn(m["join_empty"][0], "%s join_empty: without an 'agents' section every member "
                                               "is always there, so this changes nothing" % where)
    for k in ("hold_prompt", "music"):
        if k in m:
            ps = r.names(m[k][1], where + " " + k)
            for n, nn in ps:
                ctx.use_prompt(n, nn)
            g[k] = [n for n, _ in ps]
    if "announce_every" in m:
        g["announce_ms"] = r.duration_ms(m["announce_every"][1], where + " announce_every", 30000,
                                         lo=MIN_ANNOUNCE_MS, hi=600000)
    if "announce" in m:
        said = []
        for n, nn in r.names(m["announce"][1], where + " announce"):
            if n not in ANNOUNCE:
                ctx.probs.at(nn, "%s announce: '%s' is not one of: %s" % (where, n, ", ".join(ANNOUNCE)))
            elif n not in said:
                said.append(n)
        if said:
            g["announce"] = said
            ctx.announce_nodes.append((m["announce"][1], where, g))
    if "keep_place" in m:
        g["keep_place_ms"] = r.duration_ms(m["keep_place"][1], where + " keep_place", 0, lo=0,
                                           hi=MAX_KEEP_PLACE_MS)
    if "exit_keys" in m:
        keys = {}
        for k, (kn, vn) in r.mapping(m["exit_keys"][1], where + " exit_keys").items():
            if len(k) != 1 or k not in "0123456789*#":
                ctx.probs.at(kn, "%s exit_keys: '%s' is not one key (0-9, * or #; quote * and #)" % (where, k))
                continue
            if isinstance(vn, ScalarNode) and vn.value == "callback":
                keys[k] = {"do": "callback"}
                ctx.callback_keys.append((vn, where, k))
                continue
            a = parse_action(ctx, vn, where + " exit_keys " + k, in_menu=False)
            if a is not None:
                keys[k] = a
        g["exit_keys"] = keys
    if "overflow" in m and isinstance(m["overflow"][1], ScalarNode) and m["overflow"][1].value == "callback":
        g["overflow"] = {"do": "callback"}   # its wait over or the queue full: a call-back
        ctx.callback_keys.append((m["overflow"][1], where, None))
    elif "overflow" in m:
        a = parse_action(ctx, m["overflow"][1], where + " overflow", in_menu=False)
        if a is not None:
            g["overflow"] = a
    if "whisper" in m:   # what a remote agent hears before the accept key (remote.py)
        ps = r.names(m["whisper"][1], where + " whisper")
        for n, nn in ps:
            ctx.use_prompt(n, nn)
        g["whisper"] = [n for n, _ in ps]
    # a hunt is cut short by a group ring time below members x member ring
    if g["strategy"] in HUNTS and "ring_timeout_ms" in g:
        hunt = sum(ctx.remote_ms.get(x) or g.get("member_ring_ms", DEFAULT_MEMBER_MS) for x in g["members"])
        if hunt > g["ring_timeout_ms"]:
            node = m["ring_timeout"][1]
            ctx.probs.warn(node, "%s: a hunt over %d members at %ds each takes %ds, longer than the "
                                 "group's ring_timeout %ds: the last members are never rung" % (
                                     where, len(g["members"]), hunt // len(g["members"]) // 1000,
                                     hunt // 1000, g["ring_timeout_ms"] // 1000))


def parse_remote_ext(ctx, num, m, where):
    """A remote agent: {number: "617 555 0150", name: Ann, ring: 30s, accept_key: 1, wrapup: 30s}."""
    r = ctx.r
    if "number" not in m:
        ctx.probs.at(m[[k for k in REMOTE_KEYS if k in m][0]][0],
                     "%s: ring and accept_key are for a remote agent, which needs a number" % where)
        return None
    if "port" in m:
        ctx.probs.at(m["port"][0], "%s: a phone port or an outside number, not both (a remote agent "
                                   "has a number and no port)" % where)
        return None
    raw = r.text(m["number"][1], where + " number")
    if raw is None:
        return None
    number = raw.replace(" ", "").replace("-", "").replace("(", "").replace(")", "").replace(".", "")
    if not number or not all(c in "0123456789" for c in number.lstrip("+")) or len(number) > 20:
        ctx.probs.at(m["number"][1], "%s number: '%s' is not a phone number (digits, an optional "
                                     "leading +)" % (where, raw))
        return None
    e = {"number": number, "name": r.text(m["name"][1], where + " name", num) if "name" in m else num}
    if "ring" in m:
        e["ring_ms"] = r.duration_ms(m["ring"][1], where + " ring", REMOTE_RING_MS, lo=10000, hi=120000)
    if "accept_key" in m:
        k = r.text(m["accept_key"][1], where + " accept_key")
        if k is None or len(k) != 1 or k not in "0123456789*#":
            ctx.probs.at(m["accept_key"][1], "%s accept_key: one key (0-9, * or #; quote * and #)" % where)
        else:
            e["accept_key"] = k
    if "logout_key" in m:
        # keyed after the whisper instead of accept: the agent logs out (remote.py); the
        # board dialled their number, so the key needs no PIN
        k = r.text(m["logout_key"][1], where + " logout_key")
        if k is None or len(k) != 1 or k not in "0123456789*#":
            ctx.probs.at(m["logout_key"][1], "%s logout_key: one key (0-9, * or #; quote * and #)" % where)
        elif k == e.get("accept_key", "1"):
            ctx.probs.at(m["logout_key"][1], "%s logout_key: '%s' is the accept key too" % (where, k))
        else:
            e["logout_key"] = k
            if not ctx.acd:
                ctx.probs.warn(m["logout_key"][1], "%s logout_key: without an 'agents' section nobody is "
                                                   "ever logged out: the key only ends the call" % where)
    if "dial" in m and not r.boolean(m["dial"][1], where + " dial", True):
        e["dial"] = False
    if "wrapup" in m:
        e["wrapup_ms"] = r.duration_ms(m["wrapup"][1], where + " wrapup", 0, lo=0, hi=600000)
    ctx.remote_nodes[num] = m["number"][1]
    ctx.remote_ms[num] = remote_ms(e)
    return e


def remote_ms(e):
    """The longest a remote agent can take to answer and accept (router.py rings them that long)."""
    return e.get("ring_ms", REMOTE_RING_MS) + REMOTE_KEY_MS


def check_remote(ctx, cfg):
    """Remote agents against the whole config: lines, the numbering plan, groups, prompts."""
    if not ctx.remote_nodes:
        for name, g in (cfg.get("groups") or {}).items():
            if "whisper" in g:
                ctx.probs.warn(ctx.groups.get(name), "group '%s' whisper: no member is a remote agent "
                                                     "(an extension with a number), so nobody hears it" % name)
        return
    from rrfw.call import numplan   # the board's own plan: one list for host and board
    exts = cfg.get("extensions") or {}
    lines = cfg.get("lines") or []
    country = lines[0].get("country", "US") if lines else "US"
    allow = (cfg.get("outbound") or {}).get("allow")
    for num, node in sorted(ctx.remote_nodes.items()):
        e = exts.get(num)
        if e is None:
            continue
        if len(lines) < 2:
            ctx.probs.warn(node, "extension %s: a remote agent is called on a second line while the caller "
                                 "holds the first; with %d line this agent can never be reached" % (
                                     num, len(lines)))
        _, why = numplan.check(e["number"], country, allow)
        if why is not None:
            ctx.probs.at(node, "extension %s number: the numbering plan (%s) refuses it: %s; the board "
                               "never dials it (list it under outbound: allow if the office pays for it)"
                         % (num, country, why))
        if not any(num in g.get("members", []) for g in (cfg.get("groups") or {}).values()):
            ctx.probs.warn(node, "extension %s: a remote agent in no group is only rung when a menu "
                                 "routes to the extension itself" % num)
    for name, g in (cfg.get("groups") or {}).items():
        remote = [m for m in g.get("members", []) if m in ctx.remote_nodes]
        if not remote:
            if "whisper" in g:
                ctx.probs.warn(ctx.groups.get(name), "group '%s' whisper: no member is a remote agent, so "
                                                     "nobody hears it" % name)
            continue
        longest = max(remote_ms(exts[m]) for m in remote)
        if g["strategy"] not in HUNTS and "ring_timeout_ms" in g and g["ring_timeout_ms"] < longest:
            ctx.probs.warn(ctx.groups.get(name), "group '%s': ring_timeout %ds cuts a remote agent off: the "
                                                 "dial, their answer and the accept key take up to %ds" % (
                                                     name, g["ring_timeout_ms"] // 1000, longest // 1000))
        if "whisper" not in g and ctx.prompts is not None and REMOTE_WHISPER not in ctx.prompts:
            ctx.probs.warn(ctx.groups.get(name), "group '%s': remote agents hear the whisper prompt '%s', "
                                                 "which is not declared (they would hear silence before "
                                                 "the accept key)" % (name, REMOTE_WHISPER))
    ob = cfg.get("outbound") or {}
    camp = ob.get("campaign") or {}
    g = (cfg.get("groups") or {}).get(camp.get("group")) if camp else None
    if g is not None and any(m in ctx.remote_nodes for m in g.get("members", [])):
        ctx.probs.warn(ctx.groups.get(camp.get("group")), "outbound campaign group '%s': remote agents "
                                                          "take inbound calls only; the campaign never rings "
                                                          "them" % camp.get("group"))


def parse_agent_codes(ctx, m, pairs):
    """Agent feature codes (login, pause ...) and pause_reasons {reason: code} -> pairs."""
    r = ctx.r
    for k in AGENT_CODES:
        if k in m:
            pairs.append((m[k][1], ["agent", k]))
            if not ctx.acd:
                ctx.probs.at(m[k][0], "feature_codes %s: agent codes need an 'agents' section "
                                      "(the board keeps the agents' states only then)" % k)
    for k in GROUP_CODES:
        if k in m:
            # {group: code}: into or out of that group alone
            for grp, (kn, vn) in r.mapping(m[k][1], "feature_codes " + k).items():
                if grp not in ctx.groups:
                    ctx.probs.at(kn, "feature_codes %s: unknown group '%s'%s" % (k, grp, did_you_mean(grp, ctx.groups)))
                    continue
                pairs.append((vn, ["agent", k, grp]))
            if not ctx.acd:
                ctx.probs.at(m[k][0], "feature_codes %s: agent codes need an 'agents' section" % k)
    if "pause_reasons" in m:
        for reason, (kn, vn) in r.mapping(m["pause_reasons"][1], "feature_codes pause_reasons").items():
            pairs.append((vn, ["agent", "pause", reason]))
            if not ctx.acd:
                ctx.probs.at(kn, "feature_codes pause_reasons: agent codes need an 'agents' section")


def check_codes(ctx, out, nodes):
    """A code that starts another is dialled first: the longer one can never be reached."""
    for a in out:
        for b in out:
            if a != b and b.startswith(a):
                ctx.probs.at(nodes[b], "feature code '%s' starts with code '%s': dialling it always "
                                       "stops at '%s'" % (b, a, a))


def check_after(ctx, cfg):
    """What needs the whole config: an exit key for call-backs with call-backs off, remote agents."""
    check_remote(ctx, cfg)
    ob = cfg.get("outbound") or {}
    for node, where, k in ctx.callback_keys:
        if not ob.get("callback"):
            ctx.probs.at(node, "%s %s: 'callback' needs call-backs on (outbound: callback: true)"
                         % (where, "overflow" if k is None else "exit_keys " + k))
        elif k == ob.get("callback_key", "1"):
            pass   # the same key both ways: one meaning
    from rrfw.call import queuetalk   # the prompts an announcement says: one list for host and board
    for node, where, g in ctx.announce_nodes:
        if g.get("queue_ms", cfg.get("queue_ms", 1)) == 0:
            ctx.probs.warn(node, "%s announce: the group has no queue (queue: 0), so nobody waits to "
                                 "hear it" % where)
        if ctx.prompts is not None:
            missing = [n for n in queuetalk.prompt_names() if n not in ctx.prompts]
            if missing:
                ctx.probs.warn(node, "%s announce: prompts not declared (callers would hear gaps): %s"
                               % (where, " ".join(missing)))
    for name, g in (cfg.get("groups") or {}).items():
        keys = g.get("exit_keys") or {}
        ck = ob.get("callback_key", "1") if ob.get("callback") else None
        if ck is not None and ck in keys and keys[ck].get("do") != "callback":
            ctx.probs.warn(ctx.groups.get(name), "group '%s': exit key %s is also the call-back key; the "
                                                  "exit key wins" % (name, ck))
