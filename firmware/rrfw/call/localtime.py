# The called person's local time: which time zone a number's phone is in,
# and whether an outbound call to it is allowed now (call/dialer.py asks;
# loaded only on boards that call out).
#
# A number's zones come, in order, from the list it was pushed with (the
# campaign's own zone for it), else from the prefix table of its country
# (US: the area code; Italy: one zone), else from the office's own zone.
# An area code that spans two zones gives both, and a call must be allowed
# in each (the narrower window wins: the rule protects whoever it reaches).
#
# Calling hours per region, defaults from the rules that set them (each a
# setting: outbound regions: {US: {hours: [480, 1260]}}):
#   US  08:00-21:00 local: 16 CFR 310.4(c) (Telemarketing Sales Rule) and
#       47 CFR 64.1200(c)(1) (TCPA rules).
#   IT  no statutory window was confirmed for this note: the office's own
#       outbound hours apply (set them; 08:00-21:00 by default).
# The register copy's age (a national do-not-call register scrubbed on the
# host) per region: US 31 days, 16 CFR 310.4(b)(3)(iv); IT 30 days, the
# Registro Pubblico delle Opposizioni is consulted before every campaign and
# at least monthly (Law 5/2018, DPR 178/2010 as amended by DPR 26/2022).
from rrfw.call import schedule

# Zone rules in schedule.py's compiled form (minutes east of UTC, POSIX rules).
# US daylight time since 2007: second Sunday of March 02:00 to the first
# Sunday of November 02:00 (15 U.S.C. 260a, Energy Policy Act of 2005).
_US_DST = ([3, 2, 0, 120], [11, 1, 0, 120])
ZONES = {
    "ET": {"std": -300, "dst": -240, "start": _US_DST[0], "end": _US_DST[1]},
    "CT": {"std": -360, "dst": -300, "start": _US_DST[0], "end": _US_DST[1]},
    "MT": {"std": -420, "dst": -360, "start": _US_DST[0], "end": _US_DST[1]},
    "AZ": {"std": -420},                      # Arizona keeps standard time (A.R.S. 1-242)
    "PT": {"std": -480, "dst": -420, "start": _US_DST[0], "end": _US_DST[1]},
    "AK": {"std": -540, "dst": -480, "start": _US_DST[0], "end": _US_DST[1]},
    "HT": {"std": -600},                      # Hawaii keeps standard time
    # Italy, Europe/Rome: CET-1CEST,M3.5.0,M10.5.0/3 (tzdata)
    "IT": {"std": 60, "dst": 120, "start": [3, 5, 0, 120], "end": [10, 5, 0, 180]},
}

# US area codes by zone (NANPA's area-code maps; codes split between two
# zones are listed under both). Three digits per code, no separators: the
# table is one string per zone, a few hundred bytes in flash.
_US_CODES = (
    ("ET", "203475860959302202239305321352386407561727754772786813863904941954689656324850448"
           "229404470478678706762770912943317463765260574812930502859606207240301410443667227"
           "339351413508617774781857978231248269313517586616679734810947989906603201551609640"
           "732848856862908973212315332347363516518585607631646680716718838845914917929934329"
           "624252336704743828910919980984472216220234283326330380419436440513567614740937215"
           "223267272412445484570582610717724814835878401803839843854864821423865931276434540"
           "571703757804826948686304681"),
    ("CT", "850448812930606270364219205251256334659938483479501870327217224309312331447464"
           "618630708730773779815847872861319515563641712316620785913225318337504985457218"
           "320507612651763952924228601662769314417557573636660816975235402531308701605405"
           "539572580918210214254281325346361409430432469512682713726737806817830832903936"
           "940945956972979262274414534608715920353615629731901931906"),
    ("MT", "303719720970983208986406505575385435801307915620785308701605541458928432"),
    ("AZ", "480520602623928"),
    ("PT", "209213279310323341350369408415424442510530559562619626628650657661669707714747"
           "760805818820831840858909916925949951702725775503971458541206253360425509564208986"),
    ("AK", "907"),
    ("HT", "808"),
)


def us_zones(area):
    """The zones of a US area code (three digits), or () when it is not in the table."""
    out = []
    for z, codes in _US_CODES:
        i = codes.find(area)
        while i >= 0:
            if i % 3 == 0:
                out.append(z)
                break
            i = codes.find(area, i + 1)
    return tuple(out)


def zones_of(number, country):
    """The zone names the prefix table gives a national number, or () (unknown)."""
    if country == "US":
        n = number[1:] if len(number) == 11 and number[0] == "1" else number
        return us_zones(n[:3]) if len(n) == 10 else ()
    if country == "IT":
        return ("IT",)
    return ()


def minute_of(tz, utc):
    """(local date YYYYMMDD, weekday Mon=0, minute of day) at utc under the compiled tz."""
    y, m, d, wd, mod = schedule.local_time(tz, utc)
    return y * 10000 + m * 100 + d, wd, mod


def in_window(tz, utc, hours):
    """Is the local time under tz inside hours [from, to) (minutes of the day)?"""
    mod = minute_of(tz, utc)[2]
    return hours[0] <= mod < hours[1]


def on_holiday(tz, utc, holidays):
    """Is the local date under tz one of the office's holidays ([from, to] as MMDD
    every year, or YYYYMMDD once; schedule.py's form)?"""
    if not holidays:
        return False
    ymd = minute_of(tz, utc)[0]
    y = ymd // 10000
    m = ymd // 100 % 100
    d = ymd % 100
    for r in holidays:
        if _in_dates(r, y, m, d):
            return True
    return False


def _in_dates(r, y, m, d):
    a, b = r[0], r[1]
    v = m * 100 + d if a < 10000 else y * 10000 + m * 100 + d
    if a <= b:
        return a <= v <= b
    return v >= a or v <= b    # a recurring range across the new year


def next_open(tzs, utc, hours, step=900):
    """The first utc (a quarter-hour step) at or after utc when every zone is
    inside hours, looking at most two days ahead; None when there is none."""
    t = utc
    for _ in range(2 * 96):
        ok = True
        for tz in tzs:
            if not in_window(tz, t, hours):
                ok = False
                break
        if ok:
            return t
        t += step
    return None
