"""Time zones for the board: a name or POSIX TZ string -> the compiled rule firmware/schedule.py evaluates.

The board has no zone database, so the host compiles the zone to one
standard offset, one daylight offset and the two POSIX 'Mm.w.d/time'
transition rules (IEEE Std 1003.1, 8.3 'TZ').  An IANA name (Europe/Paris)
is looked up in the host's tzdata: the footer line of a TZif v2+ file is the
zone's current POSIX TZ string (RFC 8536 section 3.3); without tzdata a
built-in table of common zones (strings copied from tzdata 2024) is used.
A zone's rules change rarely; re-validate and push the config when they do.
"""
import os
import re

from ..errors import RingrouteError

# current POSIX TZ strings of common zones (from the tzdata TZif footers)
BUILTIN = {
    "UTC": "UTC0", "Etc/UTC": "UTC0", "GMT": "GMT0",
    "America/New_York": "EST5EDT,M3.2.0,M11.1.0",
    "America/Toronto": "EST5EDT,M3.2.0,M11.1.0",
    "America/Chicago": "CST6CDT,M3.2.0,M11.1.0",
    "America/Denver": "MST7MDT,M3.2.0,M11.1.0",
    "America/Phoenix": "MST7",
    "America/Los_Angeles": "PST8PDT,M3.2.0,M11.1.0",
    "America/Vancouver": "PST8PDT,M3.2.0,M11.1.0",
    "America/Anchorage": "AKST9AKDT,M3.2.0,M11.1.0",
    "Pacific/Honolulu": "HST10",
    "America/Mexico_City": "CST6",
    "America/Sao_Paulo": "<-03>3",
    "Europe/London": "GMT0BST,M3.5.0/1,M10.5.0",
    "Europe/Dublin": "IST-1GMT0,M10.5.0,M3.5.0/1",
    "Europe/Lisbon": "WET0WEST,M3.5.0/1,M10.5.0",
    "Europe/Paris": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Berlin": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Madrid": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Rome": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Amsterdam": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Brussels": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Vienna": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Zurich": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Stockholm": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Warsaw": "CET-1CEST,M3.5.0,M10.5.0/3",
    "Europe/Helsinki": "EET-2EEST,M3.5.0/3,M10.5.0/4",
    "Europe/Athens": "EET-2EEST,M3.5.0/3,M10.5.0/4",
    "Europe/Kyiv": "EET-2EEST,M3.5.0/3,M10.5.0/4",
    "Europe/Moscow": "MSK-3",
    "Europe/Istanbul": "<+03>-3",
    "Asia/Dubai": "<+04>-4",
    "Asia/Kolkata": "IST-5:30",
    "Asia/Singapore": "<+08>-8",
    "Asia/Shanghai": "CST-8",
    "Asia/Hong_Kong": "HKT-8",
    "Asia/Tokyo": "JST-9",
    "Australia/Perth": "AWST-8",
    "Australia/Brisbane": "AEST-10",
    "Australia/Adelaide": "ACST-9:30ACDT,M10.1.0,M4.1.0/3",
    "Australia/Sydney": "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "Australia/Melbourne": "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "Pacific/Auckland": "NZST-12NZDT,M9.5.0,M4.1.0/3",
    "Africa/Johannesburg": "SAST-2",
}

ZONEINFO_DIRS = ("/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo")


class TzError(RingrouteError, ValueError):
    """A zone the board cannot be given. Part of the one hierarchy; still a
    ValueError, as compile_tz has always promised its callers."""


def tzdata_posix(name):
    """The POSIX TZ footer of the host's TZif file for an IANA name, or None."""
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", name):
        return None
    for d in ZONEINFO_DIRS:
        p = os.path.join(d, name)
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if not data.startswith(b"TZif") or data[4:5] < b"2":
            return None
        lines = data.rstrip(b"\n").rsplit(b"\n", 1)
        if len(lines) == 2:
            return lines[1].decode("ascii", "replace")
    return None


_NAME = r"(?:[A-Za-z]{3,}|<[A-Za-z0-9+\-]+>)"
_OFF = r"[+-]?\d{1,2}(?::\d{2}(?::\d{2})?)?"
_RULE = r"M(\d{1,2})\.(\d)\.(\d)(?:/([+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?))?"
_POSIX = re.compile(r"(%s)(%s)(?:(%s)(%s)?(?:,%s,%s)?)?$" % (_NAME, _OFF, _NAME, _OFF, _RULE, _RULE))


def _hms_min(s, default=None):
    if s is None:
        return default
    sign = -1 if s.startswith("-") else 1
    parts = s.lstrip("+-").split(":")
    h = int(parts[0])
    m = int(parts[1]) if len(parts) > 1 else 0
    return sign * (h * 60 + m)


def parse_posix(tz):
    """POSIX TZ string -> {"std", "dst", "start", "end"} (offsets in minutes EAST of UTC)."""
    m = _POSIX.match(tz.strip())
    if not m:
        raise TzError("not a POSIX TZ string such as 'EST5EDT,M3.2.0,M11.1.0'")
    std = -_hms_min(m.group(2))            # POSIX offsets count west of UTC
    out = {"std": std}
    if m.group(3):
        dst = -_hms_min(m.group(4)) if m.group(4) else std + 60
        if not m.group(5):
            raise TzError("a daylight-saving zone needs its rules: ',Mm.w.d[/time],Mm.w.d[/time]'")
        rules = []
        for i in (5, 9):
            mon, wk, wd = int(m.group(i)), int(m.group(i + 1)), int(m.group(i + 2))
            if not (1 <= mon <= 12 and 1 <= wk <= 5 and 0 <= wd <= 6):
                raise TzError("bad rule M%d.%d.%d (month 1-12, week 1-5, weekday 0-6)" % (mon, wk, wd))
            rules.append([mon, wk, wd, _hms_min(m.group(i + 3), 120)])
        out["dst"] = dst
        out["start"], out["end"] = rules
    return out


_FIXED = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")


def compile_tz(spec):
    """A zone name, 'UTC+2'/'+05:30' (fixed offset, east positive) or POSIX string -> compiled tz dict."""
    spec = spec.strip()
    m = _FIXED.match(spec)
    if m:
        off = int(m.group(2)) * 60 + int(m.group(3) or 0)
        if off > 14 * 60:
            raise TzError("offset beyond 14 hours")
        return {"std": off if m.group(1) == "+" else -off}
    if "/" in spec or spec in BUILTIN:
        posix = tzdata_posix(spec) or BUILTIN.get(spec)
        if posix is None:
            raise TzError("unknown time zone '%s'" % spec)
        # Irish-style negative DST ('IST-1GMT0,...') needs nothing special:
        # its 'daylight' half is the winter one, handled like a southern zone.
        return parse_posix(posix)
    return parse_posix(spec)
