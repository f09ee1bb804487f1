"""Whole-config checks over the menu graph: unreachable menus, loops with no way out, overlapping digit maps."""
from .actions import walk

TERMINAL = ("ext", "group", "operator", "hangup", "disa")


def _targets(act, menu, roots, parents):
    """Menus an action can lead to, and whether it can end the IVR (a route or a hang-up)."""
    menus = []
    ends = False
    for a in walk(act):
        d = a["do"]
        if d in TERMINAL:
            ends = True
        elif d == "message" and "then" not in a:
            ends = True
        elif d == "menu":
            menus.append(a["to"])
        elif d == "top":
            menus.extend(roots)
        elif d == "back":
            menus.extend(parents.get(menu, ()) or roots)
        elif d == "repeat":
            menus.append(menu)
    return menus, ends


def _menu_actions(m):
    acts = list(m["keys"].values())
    for k in ("on_invalid", "on_timeout", "on_no_answer"):
        if m.get(k):
            acts.append(m[k])
    return acts


def roots_of(cfg):
    sch = cfg.get("schedule")
    if sch:
        roots = set(sch["modes"].values())
    else:
        roots = set([cfg["start"]] if cfg.get("start") in cfg["menus"] else [])
    roots.update(ln["menu"] for ln in cfg.get("lines", []) if ln.get("menu") in cfg["menus"])
    return sorted(roots)


def check_graph(ctx, cfg, key_nodes, overlap_ok):
    probs = ctx.probs
    menus = cfg["menus"]
    roots = roots_of(cfg)
    extra_roots = []
    callers = cfg.get("callers") or {}
    for rule in callers.get("priority", []):
        extra_roots.append(rule["action"])
    for k in ("withheld", "unavailable", "block_action"):
        if callers.get(k):
            extra_roots.append(callers[k])

    # parents, by direct menu edges (for 'back')
    parents = {}
    for name, m in menus.items():
        for act in _menu_actions(m):
            for a in walk(act):
                if a["do"] == "menu" and a["to"] != name:
                    parents.setdefault(a["to"], set()).add(name)

    edges = {}
    ends = {}
    for name, m in menus.items():
        out = set()
        e = False
        for act in _menu_actions(m):
            t, en = _targets(act, name, roots, parents)
            out.update(t)
            e = e or en
        if m.get("dial_ext") and any(x.get("dial", True) for x in cfg["extensions"].values()):
            e = True
        edges[name] = out
        ends[name] = e

    # 1. reachability
    seen = set(roots)
    for act in extra_roots:
        seen.update(_targets(act, None, roots, parents)[0])
    todo = list(seen)
    while todo:
        n = todo.pop()
        for t in edges.get(n, ()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    for name in menus:
        if name not in seen:
            probs.warn(ctx.menus[name], "menu '%s' is never reached: no key, schedule or caller rule "
                                        "leads to it" % name)

    # 2. menus from which no route or hang-up can be reached
    can_end = set(n for n in menus if ends[n])
    changed = True
    while changed:
        changed = False
        for n in menus:
            if n not in can_end and edges[n] & can_end:
                can_end.add(n)
                changed = True
    stuck = [n for n in menus if n not in can_end]
    for n in stuck:
        loop = sorted(edges[n] | {n})
        probs.at(ctx.menus[n], "menu '%s' is a loop with no way out: from it a caller can only reach "
                               "menus %s; add a key that routes to a person, the operator or a message" % (
                                   n, ", ".join(loop)))

    # 3. what happens to a caller who presses nothing (or keeps pressing wrong keys)
    for field, who in (("on_timeout", "presses nothing"), ("on_invalid", "keeps pressing invalid keys")):
        for start in menus:
            path = [start]
            cur = start
            while True:
                act = menus[cur].get(field)
                if act is None:
                    break
                nxt = None
                stop = False
                for a in walk(act):
                    d = a["do"]
                    if d in TERMINAL or (d == "message" and "then" not in a):
                        stop = True
                        break
                    if d == "menu":
                        nxt = a["to"]
                    elif d == "repeat":
                        nxt = cur
                    elif d == "top" and len(roots) == 1:
                        nxt = roots[0]
                    else:
                        stop = True       # 'back' depends on the path taken
                    break
                if stop or nxt is None or nxt not in menus:
                    break
                if nxt in path:
                    if nxt == start:
                        probs.at(ctx.menus[start], "menu '%s': a caller who %s loops forever (%s); "
                                                   "end the chain with the operator or a message" % (
                                                       start, who, " -> ".join(path + [nxt])))
                    break
                path.append(nxt)
                cur = nxt

    # 4. overlapping digit maps
    exts = cfg["extensions"]
    for name, m in menus.items():
        keys = m["keys"]
        kn = key_nodes.get(name, {})
        sev = "warning" if overlap_ok.get(name) else "error"
        tail = (" (allowed by allow_overlap: the caller waits %d ms or presses %s)" % (
            m["inter_ms"], m["terminator"] or "nothing")) if sev == "warning" else \
            "; the caller would have to wait for the digit timeout (set allow_overlap: true to accept that)"
        for a in keys:
            for b in keys:
                if a != b and b.startswith(a):
                    probs.at(kn.get(b), "menu '%s': key %s starts with key %s%s" % (name, b, a, tail), sev)
        if m.get("dial_ext"):
            for k in keys:
                for e, x in sorted(exts.items()):
                    if not x.get("dial", True):
                        continue
                    if e == k:
                        probs.at(kn.get(k), "menu '%s': key %s hides extension %s, which cannot be "
                                            "dialled here" % (name, k, e))
                    elif e.startswith(k):
                        probs.at(kn.get(k), "menu '%s': key %s is the start of extension %s%s" % (
                            name, k, e, tail), sev)
                        break
                    elif k.startswith(e):
                        probs.at(kn.get(k), "menu '%s': key %s starts with extension %s%s" % (
                            name, k, e, tail), sev)
