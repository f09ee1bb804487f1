"""Schedules: time zones and DST on the board match tzdata, precedence, holidays, `ringroute schedule`."""
import calendar
import datetime
import json
import os
import subprocess
import sys
import zoneinfo

import pytest

from ringroute.configlang import compile_config
from ringroute.configlang.tz import compile_tz, parse_posix
from ringroute.paths import engine_command, engine_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from rrfw.call import schedule  # noqa: E402  (the firmware module)

EXAMPLE = os.path.join(ROOT, "examples", "day-night.yaml")
ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Paris", "Europe/Dublin",
         "Australia/Sydney", "Australia/Adelaide", "Pacific/Auckland", "Asia/Kolkata", "America/Phoenix",
         "America/Sao_Paulo"]


def utc(y, mo, d, h=0, mi=0):
    return calendar.timegm((y, mo, d, h, mi, 0))


def have_tz(name):
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except Exception:
        return False


@pytest.mark.parametrize("zone", ZONES)
def test_board_offsets_match_tzdata(zone):
    if not have_tz(zone):
        pytest.skip("tzdata has no %s (package tzdata)" % zone)
    tz = compile_tz(zone)
    zi = zoneinfo.ZoneInfo(zone)
    # every 20 minutes of 2026 and 2027 around each transition, hourly elsewhere
    bad = []
    t = utc(2026, 1, 1)
    end = utc(2028, 1, 1)
    while t < end:
        want = int(datetime.datetime.fromtimestamp(t, zi).utcoffset().total_seconds() // 60)
        got = schedule.utc_offset_min(tz, t)
        if got != want:
            bad.append((datetime.datetime.utcfromtimestamp(t).isoformat(), want, got))
        t += 1200
    assert bad == [], bad[:5]


def test_builtin_table_agrees_with_tzdata_footer():
    from ringroute.configlang.tz import BUILTIN, tzdata_posix
    checked = 0
    for name, posix in BUILTIN.items():
        footer = tzdata_posix(name)
        if footer is None:
            continue
        assert parse_posix(footer) == parse_posix(posix), name
        checked += 1
    if not checked:
        pytest.skip("no tzdata on this machine (package tzdata)")


def test_fixed_offsets_and_posix_strings():
    assert compile_tz("UTC+2") == {"std": 120}
    assert compile_tz("+05:30") == {"std": 330}
    assert compile_tz("UTC-3") == {"std": -180}
    assert compile_tz("EST5EDT,M3.2.0,M11.1.0") == {"std": -300, "dst": -240,
                                                     "start": [3, 2, 0, 120], "end": [11, 1, 0, 120]}
    with pytest.raises(ValueError):
        compile_tz("Mars/Olympus")


def test_civil_dates_round_trip():
    d0 = datetime.date(1970, 1, 1)
    for z in range(-800, 80000, 37):
        d = d0 + datetime.timedelta(days=z)
        assert schedule.civil_from_days(z) == (d.year, d.month, d.day)
        assert schedule.days_from_civil(d.year, d.month, d.day) == z
        assert schedule.weekday(z) == d.weekday()


@pytest.fixture(scope="module")
def sch():
    return compile_config(EXAMPLE)["schedule"]


def ny(y, mo, d, h, mi=0):
    """UTC seconds of a New York wall-clock time."""
    dt = datetime.datetime(y, mo, d, h, mi, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    return int(dt.timestamp())


@pytest.mark.parametrize("when,mode", [
    ((2026, 11, 23, 8, 29), "night"),     # Monday before opening
    ((2026, 11, 23, 8, 30), "day"),
    ((2026, 11, 23, 12, 30), "lunch"),    # lunch beats the hours
    ((2026, 11, 23, 13, 15), "day"),
    ((2026, 11, 23, 17, 30), "night"),
    ((2026, 11, 26, 10, 0), "holiday"),   # Thanksgiving 2026 (a dated holiday)
    ((2026, 11, 28, 9, 0), "day"),        # Saturday hours
    ((2026, 11, 29, 10, 0), "night"),     # Sunday closed
    ((2026, 12, 24, 12, 29), "day"),      # part-day holiday starts at 13:00
    ((2026, 12, 24, 13, 0), "holiday"),
    ((2026, 12, 25, 10, 0), "holiday"),   # 12-25..12-26 every year
    ((2027, 12, 27, 10, 0), "day"),       # 2027-12-27 is a Monday, after the range
    ((2027, 1, 1, 10, 0), "holiday"),     # 01-01 every year
    ((2026, 3, 9, 8, 30), "day"),         # the Monday after the DST change: local time still right
    ((2026, 7, 1, 17, 29), "day"),        # summer (EDT)
])
def test_precedence_and_holidays(sch, when, mode):
    if not have_tz("America/New_York"):
        pytest.skip("tzdata missing")
    assert schedule.menu_at(sch, ny(*when))[0] == mode


def test_override_beats_everything(sch):
    t = ny(2026, 11, 26, 10, 0) if have_tz("America/New_York") else utc(2026, 11, 26, 15)
    assert schedule.menu_at(sch, t, "day") == ("day", "main")
    assert schedule.menu_at(sch, t, None) == ("holiday", "holiday")
    assert schedule.menu_at(sch, t, "no-such-mode")[0] == "holiday"   # unknown override: ignored


def test_window_across_midnight_and_recurring_range_across_new_year():
    s = {"rules": [{"mode": "xmas", "dates": [1224, 102]},
                   {"mode": "night_shift", "days": 127, "from": 22 * 60, "to": 6 * 60}],
         "default": "day", "modes": {"xmas": "a", "night_shift": "b", "day": "c"}}
    assert schedule.mode_at(s, utc(2026, 12, 31, 12)) == "xmas"
    assert schedule.mode_at(s, utc(2027, 1, 2, 12)) == "xmas"
    assert schedule.mode_at(s, utc(2027, 1, 3, 12)) == "day"
    assert schedule.mode_at(s, utc(2027, 1, 3, 23)) == "night_shift"
    assert schedule.mode_at(s, utc(2027, 1, 4, 5, 59)) == "night_shift"
    assert schedule.mode_at(s, utc(2027, 1, 4, 6)) == "day"


@pytest.mark.micropython
def test_micropython_gives_the_same_answers(sch):
    """The firmware module under the real micropython binary agrees with CPython on a year of instants."""
    times = list(range(utc(2026, 1, 1), utc(2027, 1, 1), 3 * 3600 + 7 * 60))
    script = ("import json, sys\nfrom rrfw.call import schedule\n"
              "d = json.loads(sys.stdin.read())\n"
              "print(json.dumps([schedule.menu_at(d['s'], t)[0] + ':' + str(schedule.utc_offset_min(d['s'].get('tz'), t))"
              " for t in d['t']]))\n")
    out = subprocess.run(engine_command("micropython") + ["-c", script], input=json.dumps({"s": sch, "t": times}),
                         env=engine_env("micropython"), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    want = ["%s:%d" % (schedule.menu_at(sch, t)[0], schedule.utc_offset_min(sch.get("tz"), t)) for t in times]
    assert json.loads(out.stdout) == want


def run_cli(*args):
    import contextlib
    import io
    from ringroute.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def test_cli_schedule_at():
    if not have_tz("America/New_York"):
        pytest.skip("tzdata missing")
    rc, out, err = run_cli("schedule", EXAMPLE, "--at", "2026-12-24 11:30")
    assert rc == 0
    assert out.strip() == "2026-12-24 Thu 11:30 (UTC-05:00): mode day (schedule) -> menu main"
    rc, out, err = run_cli("schedule", EXAMPLE, "--at", "2026-12-24 13:30")
    assert "mode holiday" in out and "menu holiday" in out
    rc, out, err = run_cli("schedule", EXAMPLE, "--at", "2026-12-24 13:30", "--override", "day")
    assert "mode day (override) -> menu main" in out
    rc, out, err = run_cli("schedule", EXAMPLE, "--at", "2026-03-08 02:30")
    assert "does not exist" in err
    rc, out, err = run_cli("schedule", EXAMPLE, "--at", "2026-11-23 00:00", "--week")
    rows = out.strip().splitlines()
    assert rows[0] == "time zone: America/New_York"
    assert rows[2].split()[:4] == ["2026-11-23", "Mon", "00:00", "(UTC-05:00)"]
    assert any("Thu" in r and "holiday" in r for r in rows)   # Thanksgiving
    assert rc == 0


def test_cli_schedule_bad_time():
    rc, out, err = run_cli("schedule", EXAMPLE, "--at", "tomorrow")
    assert rc == 2 and "YYYY-MM-DD HH:MM" in err
