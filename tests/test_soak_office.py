"""A small office on the emulated board (tests/support/officeweek.py): 2 lines,
8 extensions, office hours and nights, queueing, call-backs, a technician's
monitor attached all along, records rotating, a config pushed through the
console, power cuts. Every call is released with its record (but those a cut
takes), no line sticks, nothing faults, the idle heap stays flat, the records
on flash are the newest ones, readable, with unique increasing ids.

`make test` runs a Monday morning (07:30-10:00: the night menu, the opening,
a push, a cut); `make soak` the whole week and prints its figures (also in
build/soak-week.json)."""
import json
import os

import pytest

import officeweek as ow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(tmp_path, week):
    week.run(str(tmp_path / "flash"))
    problems = week.check()
    return week, problems, week.figures()


@pytest.mark.timeout(900)   # 20 s of CPU; minutes of wall time on a loaded machine
def test_office_morning_every_call_released_nothing_stuck(tmp_path):
    w, problems, fig = _run(tmp_path, ow.Week(1, ow.MORNING_CUTS, ow.MORNING_PUSHES, span=ow.MORNING))
    assert problems == [], (problems, fig)
    # the morning did what it was meant to: night callers, then the office's traffic
    menus = [e["menu"] for e in w.of("menu")]
    assert "night" in menus and "main" in menus, menus
    assert fig["calls_offered"] >= 5 and fig["answered"] == fig["calls_offered"]   # every caller got the board
    assert fig["records_written"] == fig["answered"] - fig["calls_lost_to_cuts"]
    assert fig["calls_lost_to_cuts"] == 1   # the cut at 08:26 took a call that was up
    assert fig["power_cuts"] == 1 and fig["config_pushes"] == 1 and fig["boots"] == 3
    assert w.of("power", "world") and w.emu.monitor.counts["ev"] > 20
    # after the cut and after the switch the monitor logged in again and kept streaming
    last_boot = max(e["t_ms"] for e in w.of("boot"))
    assert [e for e in w.of("answer") if e["t_ms"] > last_boot], "no call answered after the last boot"


@pytest.mark.slow
@pytest.mark.timeout(3 * 3600)   # about 20 minutes of CPU; the wall time is the machine's
def test_office_week(tmp_path):
    w, problems, fig = _run(tmp_path, ow.Week(7, ow.WEEK_CUTS, ow.WEEK_PUSHES))
    out = os.path.join(ROOT, "build", "soak-week.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"problems": problems, "figures": fig}, f, indent=1)
    print("\nsoak week: %s" % json.dumps(fig))
    assert problems == [], (problems, fig)
    assert fig["callbacks_done"] > 0 and fig["queued"] > 0 and fig["purges"] > 0
    assert fig["records_written"] > ow.KEEP   # the records rotated
