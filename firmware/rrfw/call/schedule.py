# schedule.py - which mode (day, night, lunch, holiday...) and menu answer at a UTC instant.
#
# Evaluated on the board at each answer from a UTC clock (seconds since
# 1970-01-01); the time zone and its daylight-saving rule come from the
# compiled config, so no zone database is needed on the board.
#
# Compiled form (host_tools/ringroute/configlang/compile.py writes it):
#   {"tz": {"std": -300, "dst": -240, "start": [3, 2, 0, 120], "end": [11, 1, 0, 120]},
#    "rules": [{"mode": "holiday", "dates": [1225, 1225]},                 # MMDD: every year
#              {"mode": "closed", "dates": [20261224, 20261224], "from": 720, "to": 1440},
#              {"mode": "lunch", "days": 31, "from": 720, "to": 780},
#              {"mode": "day", "days": 31, "from": 540, "to": 1020}],
#    "default": "night",
#    "modes": {"day": "main", "night": "night", "lunch": "lunch", "holiday": "closed"}}
#
# Precedence: the manual override first, then the rules in order (the
# compiler emits holidays, then breaks such as lunch, then opening hours),
# the first that matches wins; else "default".
# tz offsets are minutes east of UTC; "start"/"end" are POSIX TZ 'Mm.w.d/time'
# rules (IEEE Std 1003.1, TZ variable): month 1-12, week 1-5 (5 = last),
# weekday 0 = Sunday, minute of local time (standard time for the start,
# daylight time for the end).  "days" is a bitmask, bit 0 = Monday.
#
# Integer sizes: a UTC second count (about 1.8e9) does not fit the ESP32's
# 31-bit small ints, so the first division by 60 makes a few big-int
# temporaries; this runs once per answered call, never per block.  After it
# every value (minutes, days, YYYYMMDD) is a small int.


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic, 400-year cycles)."""
    if m <= 2:
        y -= 1
    era = y // 400
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    """(year, month, day) of a day count since 1970-01-01."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400
    if m <= 2:
        y += 1
    return y, m, d


def weekday(days):
    """0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def _nth_weekday(y, m, w, dow):
    # day count of the w-th (5 = last) weekday dow (0 = Sunday) of month m
    first = days_from_civil(y, m, 1)
    sun0 = (first + 4) % 7              # weekday of the 1st, 0 = Sunday
    z = first + (dow - sun0) % 7 + 7 * (w - 1)
    if w >= 5:
        nm_y, nm_m = (y + 1, 1) if m == 12 else (y, m + 1)
        nxt = days_from_civil(nm_y, nm_m, 1)
        z = first + (dow - sun0) % 7 + 28
        while z >= nxt:
            z -= 7
    return z


def utc_offset_min(tz, utc_s):
    """Minutes to add to UTC for local time at utc_s under tz (None = UTC)."""
    if not tz:
        return 0
    std = tz.get("std", 0)
    dst = tz.get("dst")
    if dst is None or not tz.get("start"):
        return std
    utc_min = utc_s // 60
    y = civil_from_days((utc_min + std) // 1440)[0]
    s = tz["start"]
    e = tz["end"]
    # transition instants in UTC minutes
    t_on = _nth_weekday(y, s[0], s[1], s[2]) * 1440 + s[3] - std
    t_off = _nth_weekday(y, e[0], e[1], e[2]) * 1440 + e[3] - dst
    if t_on < t_off:        # northern hemisphere: DST inside the year
        in_dst = t_on <= utc_min < t_off
    else:                   # southern: DST across the new year
        in_dst = utc_min >= t_on or utc_min < t_off
    return dst if in_dst else std


def local_time(tz, utc_s):
    """(year, month, day, weekday Mon=0, minute of day) local at utc_s."""
    loc = utc_s // 60 + utc_offset_min(tz, utc_s)
    days = loc // 1440
    y, m, d = civil_from_days(days)
    return y, m, d, weekday(days), loc % 1440


def _in_dates(r, y, m, d):
    a, b = r[0], r[1]
    if a < 10000:             # MMDD: recurs every year
        v = m * 100 + d
    else:
        v = y * 10000 + m * 100 + d
    if a <= b:
        return a <= v <= b
    return v >= a or v <= b   # recurring range across the new year (12-24..01-01)


def mode_at(sch, utc_s):
    """The schedule's mode at utc_s, ignoring any override."""
    y, m, d, wd, mod = local_time(sch.get("tz"), utc_s)
    for r in sch.get("rules") or ():
        dates = r.get("dates")
        if dates is not None and not _in_dates(dates, y, m, d):
            continue
        days = r.get("days")
        if days is not None and not (days >> wd) & 1:
            continue
        a = r.get("from", 0)
        b = r.get("to", 1440)
        if a <= b:
            if not (a <= mod < b):
                continue
        elif not (mod >= a or mod < b):    # window across midnight
            continue
        return r["mode"]
    return sch.get("default")


def menu_at(sch, utc_s, override=None):
    """(mode, menu name) answering at utc_s; an override names a mode and wins."""
    modes = sch.get("modes") or {}
    if override is not None and override in modes:
        return override, modes[override]
    mode = mode_at(sch, utc_s)
    return mode, modes.get(mode)
