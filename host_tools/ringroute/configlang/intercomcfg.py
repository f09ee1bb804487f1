"""The `intercom` section: an extension's number dialled on a handset rings that
phone (firmware/rrfw/call/intercom.py reads what it compiles to)."""

KEYS = ("ring",)
US_RING_CYCLE_MS = 6000    # 2 s on, 4 s off (ANSI T1.401)


def parse_intercom(ctx, node, cfg, key_node=None):
    """`intercom: {ring: 20s}`, or `intercom: on` (the extensions' ring time)."""
    r = ctx.r
    out = {}
    at = key_node if key_node is not None else node
    if node is not None and getattr(node, "tag", "").endswith(":bool"):
        if not r.boolean(node, "intercom", True):
            return None          # `intercom: off`: no section
    elif node is not None and not (getattr(node, "tag", "").endswith(":null")):
        m = r.mapping(node, "intercom", allowed=KEYS)
        if "ring" in m:
            out["ring_ms"] = r.duration_ms(m["ring"][1], "intercom ring", 20000, lo=3000, hi=300000)
            if out["ring_ms"] < US_RING_CYCLE_MS:
                ctx.probs.warn(m["ring"][1], "intercom ring: %d ms is shorter than one ring cycle (6 s): the "
                                             "phone called may not ring at all" % out["ring_ms"])
    # settings that cannot work on this board (said at the section's key)
    local = [x for x, e in (cfg.get("extensions") or {}).items() if e.get("port") is not None]
    if len(local) < 2:
        ctx.probs.warn(at, "intercom: with fewer than two phones there is nobody to call")
    for a in local:
        for b in local:
            if a != b and b.startswith(a):
                ctx.probs.warn(at, "intercom: extension %s starts like %s: dialling %s rings %s at once, "
                                   "so %s cannot be called from a handset" % (b, a, b, a, b))
    if len(ctx.line_nodes) < 2:
        ctx.probs.warn(at, "intercom: the two phones talk on an idle line's pair, so with one line "
                           "a call that rings in waits until they hang up (and ends an intercom "
                           "call still ringing)")
    return out
