"""Actions: what a key, a timeout, a caller rule or a failed route does.

Written as one line ('menu sales', 'ext 101', 'group support', 'operator',
'back', 'top', 'repeat', 'hangup', 'message closed goodbye') or as a mapping
when it needs more ({ext: 101, else: 'message callback'},
{message: [closed], then: 'menu main'}).  Compiled to the dicts
firmware/ivr.py runs: {"do": kind, "to": ..., "prompts": [...], "then": ..., "else": ...}.
"""
from yaml.nodes import MappingNode, ScalarNode

from .nodes import did_you_mean, is_null

VERBS = ("menu", "ext", "extension", "group", "operator", "back", "top", "repeat",
         "hangup", "message", "disa")
_ONLY_IN_MENU = ("back", "top", "repeat")
_MAP_KEYS = VERBS + ("then", "else", "reason", "priority", "remote_agents")
MAX_DEPTH = 8      # nested then/else actions; firmware/cfgcheck.py refuses deeper ones (_MAX_DEPTH)


def parse_action(ctx, node, where, in_menu=True, depth=0):
    """Compiled action dict, or None after reporting the problem."""
    if depth > MAX_DEPTH:
        ctx.probs.at(node, "%s: actions nested more than %d deep (a YAML alias that refers to "
                           "itself?)" % (where, MAX_DEPTH))
        return None
    if node is None or is_null(node):
        ctx.probs.at(node, "%s: an action is needed here (e.g. 'operator' or 'menu main')" % where)
        return None
    if isinstance(node, ScalarNode):
        words = node.value.split()
        if not words:
            ctx.probs.at(node, "%s: empty action" % where)
            return None
        verb, args = words[0], words[1:]
        if verb not in VERBS:
            hint = did_you_mean(verb, VERBS)
            if not hint and len(words) == 1:
                if node.value in ctx.exts:
                    hint = " (did you mean 'ext %s'?)" % node.value
                elif node.value in ctx.menus:
                    hint = " (did you mean 'menu %s'?)" % node.value
                elif node.value in ctx.groups:
                    hint = " (did you mean 'group %s'?)" % node.value
            ctx.probs.at(node, "%s: unknown action '%s'%s" % (where, verb, hint))
            return None
        return _build(ctx, node, where, verb, args, None, in_menu, None, depth)
    if isinstance(node, MappingNode):
        m = ctx.r.mapping(node, where, allowed=_MAP_KEYS)
        verbs = [k for k in m if k in VERBS]
        if not verbs:
            ctx.probs.at(node, "%s: an action mapping needs one of %s" % (where, ", ".join(VERBS)))
            return None
        if len(verbs) > 1:
            ctx.probs.at(node, "%s: more than one action (%s)" % (where, ", ".join(verbs)))
            return None
        verb = verbs[0]
        vnode = m[verb][1]
        argnodes = None
        if verb == "message":
            pairs = ctx.r.names(vnode, where + " message")
            args = [n for n, _ in pairs]
            argnodes = [nn for _, nn in pairs]
        elif is_null(vnode):
            args = []
        else:
            v = ctx.r.scalar(vnode, where + " " + verb)
            if v is None:
                return None
            args = v.split()
        return _build(ctx, vnode, where, verb, args, m, in_menu, argnodes, depth)
    ctx.probs.at(node, "%s: an action is a line such as 'menu sales' or a mapping" % where)
    return None


def _build(ctx, node, where, verb, args, m, in_menu, argnodes=None, depth=0):
    probs = ctx.probs
    if verb == "extension":
        verb = "ext"
    need_arg = verb in ("menu", "ext", "group")
    if need_arg and len(args) != 1:
        probs.at(node, "%s: '%s' needs one %s" % (where, verb, {"menu": "menu name", "ext": "extension number",
                                                              "group": "group name"}[verb]))
        return None
    if verb in _ONLY_IN_MENU and not in_menu:
        probs.at(node, "%s: '%s' only makes sense inside a menu" % (where, verb))
        return None
    if verb not in ("menu", "ext", "group", "message", "hangup") and args:
        probs.at(node, "%s: '%s' takes nothing after it" % (where, verb))
        return None
    act = {"do": verb}
    if verb == "menu":
        name = args[0]
        if name not in ctx.menus:
            probs.at(node, "%s: unknown menu '%s'%s" % (where, name, did_you_mean(name, ctx.menus)))
            return None
        act["to"] = name
    elif verb == "ext":
        num = args[0]
        if num not in ctx.exts:
            probs.at(node, "%s: unknown extension '%s'%s" % (where, num, did_you_mean(num, ctx.exts)))
            return None
        act["to"] = num
    elif verb == "group":
        name = args[0]
        if name not in ctx.groups:
            probs.at(node, "%s: unknown group '%s'%s" % (where, name, did_you_mean(name, ctx.groups)))
            return None
        act["to"] = name
    elif verb == "operator":
        if not ctx.has_operator:
            probs.at(node, "%s: 'operator' is used but no 'operator' is configured" % where)
            return None
    elif verb == "message":
        if not args:
            probs.at(node, "%s: 'message' needs at least one prompt name" % where)
            return None
        for i, a in enumerate(args):
            ctx.use_prompt(a, argnodes[i] if argnodes else node)
        act["prompts"] = list(args)
    elif verb == "hangup":
        act["reason"] = args[0] if args else "menu_done"
    elif verb == "disa":
        if not ctx.disa_enabled:
            probs.at(node, "%s: 'disa' (calling out through the trunk) is off; it needs a "
                           "'disa' section with enabled: true and a PIN" % where)
            return None
    if m is not None:
        if "else" in m:
            if verb not in ("ext", "group", "operator"):
                probs.at(m["else"][0], "%s: 'else' only follows ext, group or operator" % where)
            else:
                e = parse_action(ctx, m["else"][1], where + " else", in_menu, depth + 1)
                if e is not None:
                    act["else"] = e
        if "then" in m:
            if verb != "message":
                probs.at(m["then"][0], "%s: 'then' only follows a message" % where)
            else:
                t = parse_action(ctx, m["then"][1], where + " then", in_menu, depth + 1)
                if t is not None:
                    act["then"] = t
        if "priority" in m:   # a queue priority for the rest of the call (higher: served first)
            if verb not in ("ext", "group", "operator", "menu"):
                probs.at(m["priority"][0], "%s: 'priority' goes with group, ext, operator or menu" % where)
            else:
                p = ctx.r.integer(m["priority"][1], where + " priority", None, lo=0, hi=9)
                if p is not None:
                    act["priority"] = p
        if "remote_agents" in m:   # false: this caller never goes to a remote agent (remote.py)
            if verb not in ("ext", "group", "operator", "menu"):
                probs.at(m["remote_agents"][0], "%s: 'remote_agents' goes with group, ext, operator or menu"
                         % where)
            elif not ctx.r.boolean(m["remote_agents"][1], where + " remote_agents", True):
                act["remote"] = False
        if "reason" in m:
            if verb != "hangup":
                probs.at(m["reason"][0], "%s: 'reason' only goes with hangup" % where)
            else:
                act["reason"] = ctx.r.text(m["reason"][1], where + " reason", "menu_done")
    return act


def walk(act):
    """Yield act and every action nested in it (else / then)."""
    while act is not None:
        yield act
        if "else" in act:
            yield from walk(act["else"])
        act = act.get("then")
