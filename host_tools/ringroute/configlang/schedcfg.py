"""Schedules: weekly hours, lunch breaks, holidays, modes -> menus, time zone.

Compiled to the rule list firmware/schedule.py evaluates; precedence is the
rule order: holidays, then lunch (breaks), then opening hours; outside all
of them the 'closed' mode (default "night").  The manual override (from the
host or a feature code) beats all of them.
"""
import datetime
import re

from .nodes import did_you_mean
from .tz import TzError, compile_tz

SCHED_KEYS = ("menus", "hours", "lunch", "holidays", "closed", "clock_unset")
HOLIDAY_KEYS = ("date", "time", "mode", "name")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS = {"daily": 127, "everyday": 127, "weekdays": 31, "weekends": 96, "weekend": 96}
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def parse_days(text):
    """'mon-fri', 'sat,sun', 'daily', 'fri-mon' -> bitmask (bit 0 = Monday), or an error string."""
    mask = 0
    for tok in text.lower().replace(" ", "").split(","):
        if tok in _DAY_WORDS:
            mask |= _DAY_WORDS[tok]
            continue
        parts = tok.split("-")
        bad = [p for p in parts if p[:3] not in DAYS or not _FULL[DAYS.index(p[:3])].startswith(p)]
        if len(parts) > 2 or bad or len(parts[0]) < 3:
            word = bad[0] if bad else tok
            return "unknown day '%s'%s; use mon..sun, ranges like mon-fri, or daily/weekdays/weekends" % (
                word, did_you_mean(word, DAYS))
        a = DAYS.index(parts[0][:3])
        b = DAYS.index(parts[-1][:3])
        i = a
        while True:
            mask |= 1 << i
            if i == b:
                break
            i = (i + 1) % 7
    return mask


def _minute(s):
    m = _TIME.fullmatch(s.strip())
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and mi):
        return None
    return h * 60 + mi


def parse_ranges(text):
    """'09:00-12:00, 13:00-17:00' | 'closed' | 'all day' -> [(from, to)] minutes, or an error string."""
    t = text.strip().lower()
    if t in ("closed", "off", "none"):
        return []
    if t in ("all day", "allday", "24h", "00:00-24:00"):
        return [(0, 1440)]
    out = []
    for part in t.split(","):
        ab = part.split("-")
        if len(ab) != 2:
            return "'%s' is not a time range such as 09:00-17:00" % part.strip()
        a, b = _minute(ab[0]), _minute(ab[1])
        if a is None or b is None:
            return "'%s' is not a time range such as 09:00-17:00 (24-hour HH:MM)" % part.strip()
        if a == b:
            return "'%s' is an empty time range" % part.strip()
        out.append((a, b))
    return out


def _date(s):
    """'2026-12-25' -> 20261225, '12-25' -> 1225 (every year), or None."""
    s = s.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            d = datetime.date(int(s[:4]), int(s[5:7]), int(s[8:]))
            return d.year * 10000 + d.month * 100 + d.day
        if re.fullmatch(r"\d{2}-\d{2}", s):
            datetime.date(2000, int(s[:2]), int(s[3:]))    # a leap year: 02-29 is allowed
            return int(s[:2]) * 100 + int(s[3:])
    except ValueError:
        return None
    return None


def parse_dates(text):
    """'2026-12-25' | '12-24..01-01' | '2026-12-28..2027-01-02' -> [a, b], or an error string."""
    parts = text.split("..")
    if len(parts) > 2:
        return "'%s' is not a date or a range a..b" % text
    ds = [_date(p) for p in parts]
    if None in ds:
        return "'%s' is not a date (YYYY-MM-DD, or MM-DD for every year, or a range a..b)" % text
    a, b = ds[0], ds[-1]
    if (a < 10000) != (b < 10000):
        return "'%s' mixes a yearly date with a dated one" % text
    if a >= 10000 and a > b:
        return "'%s' ends before it starts" % text
    return [a, b]


def parse_timezone(ctx, node):
    if node is None:
        return None
    v = ctx.r.text(node, "timezone")
    if v is None:
        return None
    try:
        tz = compile_tz(v)
        tz["name"] = v          # for people reading the compiled form; the board ignores it
        return tz
    except TzError as e:
        ctx.probs.at(node, "timezone: %s" % e)
        return None


def parse_schedule(ctx, node, tz):
    """Compiled schedule dict; also fills ctx.modes (mode -> menu)."""
    r = ctx.r
    probs = ctx.probs
    m = r.mapping(node, "schedule", allowed=SCHED_KEYS, required=("menus",))
    modes = {}
    mode_nodes = {}
    if "menus" in m:
        for mode, (kn, vn) in r.mapping(m["menus"][1], "schedule menus").items():
            menu = r.text(vn, "schedule menus %s" % mode)
            if menu is None:
                continue
            if menu not in ctx.menus:
                probs.at(vn, "schedule menus: unknown menu '%s'%s" % (menu, did_you_mean(menu, ctx.menus)))
                continue
            modes[mode] = menu
            mode_nodes[mode] = kn
    ctx.modes = modes
    closed = r.text(m["closed"][1], "schedule closed", "night") if "closed" in m else "night"
    uses = [(closed, m["closed"][1] if "closed" in m else node)]
    rules = []

    holidays = []
    if "holidays" in m:
        for hn in r.seq(m["holidays"][1], "schedule holidays"):
            mode, text, tnode = "holiday", None, hn
            times = None
            if hasattr(hn, "value") and isinstance(hn.value, list) and hn.tag.endswith(":map"):
                hm = r.mapping(hn, "holiday", allowed=HOLIDAY_KEYS, required=("date",))
                if "date" not in hm:
                    continue
                text = r.text(hm["date"][1], "holiday date")
                tnode = hm["date"][1]
                if "mode" in hm:
                    mode = r.text(hm["mode"][1], "holiday mode", "holiday")
                    uses.append((mode, hm["mode"][1]))
                else:
                    uses.append((mode, hn))
                if "time" in hm:
                    tt = r.text(hm["time"][1], "holiday time")
                    if tt is not None:
                        times = parse_ranges(tt)
                        if isinstance(times, str):
                            probs.at(hm["time"][1], "holiday time: " + times)
                            continue
            else:
                text = r.text(hn, "holiday")
                uses.append((mode, hn))
                if text is not None and " " in text.strip():
                    text, tt = text.strip().split(None, 1)
                    times = parse_ranges(tt)
                    if isinstance(times, str):
                        probs.at(hn, "holiday: " + times)
                        continue
            if text is None:
                continue
            ds = parse_dates(text)
            if isinstance(ds, str):
                probs.at(tnode, "holiday: " + ds)
                continue
            if times:
                for a, b in times:
                    holidays.append({"mode": mode, "dates": ds, "from": a, "to": b})
            else:
                holidays.append({"mode": mode, "dates": ds})
    rules += holidays

    for section, mode in (("lunch", "lunch"), ("hours", "day")):
        if section not in m:
            continue
        for dayspec, (kn, vn) in r.mapping(m[section][1], "schedule " + section).items():
            mask = parse_days(dayspec)
            if isinstance(mask, str):
                probs.at(kn, "schedule %s: %s" % (section, mask))
                continue
            texts = r.names(vn, "schedule %s %s" % (section, dayspec))
            for text, tn in texts:
                rng = parse_ranges(text)
                if isinstance(rng, str):
                    probs.at(tn, "schedule %s %s: %s" % (section, dayspec, rng))
                    continue
                for a, b in rng:
                    rules.append({"mode": mode, "days": mask, "from": a, "to": b})
                    uses.append((mode, kn))
    for mode, n in uses:
        if mode not in modes and "menus" in m:
            probs.at(n, "schedule: mode '%s' has no menu%s; add '%s: MENU' under schedule menus" % (
                mode, did_you_mean(mode, modes, 0.65), mode))
    used = set(u for u, _ in uses)
    for mode, kn in mode_nodes.items():
        if mode not in used and mode not in ctx.override_modes:
            probs.warn(kn, "schedule menus: mode '%s' is never in effect (no hours, lunch or holiday "
                           "gives it, and no feature code selects it)%s" % (mode, did_you_mean(mode, used, 0.65)))
    out = {"rules": rules, "default": closed, "modes": modes}
    # which mode answers while the board's clock has never been set: 'day'
    # when there is one (better a person than 'we are closed' in office hours)
    if "clock_unset" in m:
        out["unset"] = r.text(m["clock_unset"][1], "schedule clock_unset")
        if out["unset"] not in modes and "menus" in m:
            probs.at(m["clock_unset"][1], "schedule clock_unset: mode '%s' has no menu" % out["unset"])
    else:
        out["unset"] = "day" if "day" in modes else closed
    if tz:
        out["tz"] = tz
    return out
