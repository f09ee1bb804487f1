"""The `transfer` section: hook-flash transfers and supervisor escalation
(firmware/rrfw/call/transfer.py and line/hookflash.py read what it compiles to)."""
import re

from .nodes import did_you_mean

KEYS = ("flash", "ring", "recall", "music", "supervisor", "outside")
OUTSIDE = re.compile(r"[0-9]{1,3}")   # the prefix before an outside number: firmware cfgcheck
SUPERVISOR_KEYS = ("ext", "join", "takeover")
CODE = re.compile(r"[*#][0-9*#]{1,5}")
# line/hookflash.py FLASH_MIN_MS / FLASH_MAX_MS (the sources are there)
FLASH_MIN_MS = 100
FLASH_MAX_MS = 800
DIAL_PULSE_BREAK_MS = 80   # a 10 pps dial pulse's break is about 60 ms: a flash must be longer
PHONE_FLASH_MS = 300       # "most phones emit a 300 ms flash" (TalkSwitch user manual)
SLOW_HANGUP_MS = 1500      # a hang-up is seen only after the longest flash: longer is noticeably slow
US_RING_CYCLE_MS = 6000    # 2 s on, 4 s off (ANSI T1.401)


def parse_transfer(ctx, node, exts_cfg, key_node=None):
    r = ctx.r
    m = r.mapping(node, "transfer", allowed=KEYS)
    out = {}
    if "flash" in m:
        kn, vn = m["flash"]
        items = r.seq(vn, "transfer flash")
        if len(items) != 2:
            ctx.probs.at(vn, "transfer flash: [shortest, longest] on-hook time taken as a flash, "
                             "e.g. [100ms, 800ms]")
        else:
            lo = r.duration_ms(items[0], "transfer flash", None, lo=10, hi=5000)
            hi = r.duration_ms(items[1], "transfer flash", None, lo=10, hi=5000)
            if lo is not None and hi is not None:
                if lo >= hi:
                    ctx.probs.at(vn, "transfer flash: the shortest (%d ms) must be below the longest "
                                     "(%d ms)" % (lo, hi))
                else:
                    out["flash_min_ms"] = lo
                    out["flash_max_ms"] = hi
                    _flash_warnings(ctx, vn, lo, hi)
    if "ring" in m:
        out["ring_ms"] = r.duration_ms(m["ring"][1], "transfer ring", 15000, lo=3000, hi=300000)
        if out["ring_ms"] < US_RING_CYCLE_MS:
            ctx.probs.warn(m["ring"][1], "transfer ring: %d ms is shorter than one ring cycle (6 s): the "
                                         "target may not hear it ring before the call comes back"
                           % out["ring_ms"])
    if "recall" in m:
        out["recall_ms"] = r.duration_ms(m["recall"][1], "transfer recall", 15000, lo=3000, hi=300000)
        if out["recall_ms"] < US_RING_CYCLE_MS:
            ctx.probs.warn(m["recall"][1], "transfer recall: %d ms is shorter than one ring cycle (6 s): "
                                           "the agent may not hear the call ring back" % out["recall_ms"])
    if "music" in m:
        music = r.names(m["music"][1], "transfer music")
        for n, nn in music:
            ctx.use_prompt(n, nn)
        if music:
            out["music"] = [n for n, _ in music]
    if "supervisor" in m:
        _supervisor(ctx, m["supervisor"][1], out)
    if "outside" in m:
        _outside(ctx, m["outside"][1], exts_cfg, out)
    # settings that cannot work on this board (said at the section's key)
    at = key_node if key_node is not None else node
    if len(ctx.line_nodes) < 2:
        ctx.probs.warn(at, "transfer: the agent dials on an idle line's pair, so with one line a "
                             "flash cannot put the caller on hold (the agent stays with the caller)")
    if len(exts_cfg) < 2:
        ctx.probs.warn(at, "transfer: with one extension there is nobody to transfer to")
    return out


def _outside(ctx, node, exts_cfg, out):
    """`outside: "9"`: after a flash, 9 and a number transfer the caller to that number
    on the free line (checked against the numbering plan and outbound allow)."""
    code = ctx.r.text(node, "transfer outside")
    if code is None:
        return
    if not OUTSIDE.fullmatch(code):
        ctx.probs.at(node, "transfer outside: the prefix before an outside number is 1 to 3 digits "
                           "(e.g. '9'; quote it), not '%s'" % code)
        return
    clash = sorted(x for x in exts_cfg if x.startswith(code))
    if clash:
        ctx.probs.at(node, "transfer outside: extension %s starts with the prefix '%s': dialling it "
                           "after a flash would be taken as an outside number" % (clash[0], code))
        return
    out["outside"] = code


def _flash_warnings(ctx, node, lo, hi):
    if lo < DIAL_PULSE_BREAK_MS:
        ctx.probs.warn(node, "transfer flash: %d ms or more is taken as a flash, but a dial pulse's "
                             "break (about 60 ms) or a bouncing hook switch is that short" % lo)
    if hi < PHONE_FLASH_MS:
        ctx.probs.warn(node, "transfer flash: a flash longer than %d ms is a hang-up, and most phones' "
                             "flash button gives 300 ms: their flash would drop the caller" % hi)
    if hi > SLOW_HANGUP_MS:
        ctx.probs.warn(node, "transfer flash: an agent's hang-up is seen only %d ms after the handset "
                             "goes down (the longest flash)" % hi)


def _supervisor(ctx, node, out):
    r = ctx.r
    m = r.mapping(node, "transfer supervisor", allowed=SUPERVISOR_KEYS, required=("ext",))
    if "ext" in m:
        ext = r.text(m["ext"][1], "transfer supervisor ext")
        if ext is not None:
            if ext not in ctx.exts:
                ctx.probs.at(m["ext"][1], "transfer supervisor: unknown extension '%s'%s" % (
                    ext, did_you_mean(ext, ctx.exts)))
            else:
                out["supervisor"] = ext
    codes = {}
    for k in ("join", "takeover"):
        if k not in m:
            continue
        vn = m[k][1]
        code = r.text(vn, "transfer supervisor " + k)
        if code is None:
            continue
        if not CODE.fullmatch(code):
            ctx.probs.at(vn, "transfer supervisor %s: a code dialled after the flash starts with * or # "
                             "(e.g. '*55'; quote it), not '%s'" % (k, code))
            continue
        for other, on in codes.items():
            if other == code:
                ctx.probs.at(vn, "transfer supervisor: '%s' is both join and takeover" % code)
            elif code.startswith(other) or other.startswith(code):
                ctx.probs.at(vn, "transfer supervisor: '%s' and '%s' start alike: dialling stops at the "
                                 "shorter one" % (code, other))
        codes[code] = vn
        out[k] = code
    if "ext" in m and not codes:
        ctx.probs.warn(node, "transfer supervisor: no join or takeover code, so no agent can call the "
                             "supervisor in (they can still be transferred to by number)")
