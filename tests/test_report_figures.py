"""`ringroute report` on records the emulated board wrote: every figure and
every service-level formula against values computed by hand from the
scenario (which call an agent takes, how long each caller waits)."""
import json
import os
import subprocess
import sys

import pytest

from emuhelp import ROOT, emulate, load_json, of

from ringroute import slreport

# Agents: 101 lifts after 3 s of ringing, 103 after 25 s, 102 never.
# Waits (route -> pickup or hang-up), by design far from every threshold:
#   A 101 ~3-6 s (within 20)      B 103 ~25-31 s (not within 20, within 40)
#   C 102 gives up 5 s after the answer: waits under 5 s (a short abandon)
#   D 102 gives up after 60 s: waits ~55 s (beyond 40)
#   E 102 gives up after 15 s: waits ~12 s (within 20, not short)
#   F hangs up while it rings (missed)   G hangs up in the menu
#   H finds the one line busy (blocked: only the emulator sees it)
#   I is C calling again, and 101 takes it: C was reached since
NUM_C = "6175550103"
CALLS = [
    {"at": 1, "caller_id": "6175550101", "keys": [{"at": 2.0, "digits": "0"}], "hangup": {"after_connect": 5}},
    {"at": 1.5, "line": "any", "caller_id": "6175550199", "hangup": {"after": 5}},
    {"at": 120, "caller_id": "6175550102", "keys": [{"at": 2.0, "digits": "103"}], "hangup": {"after_connect": 5}},
    {"at": 240, "caller_id": NUM_C, "keys": [{"at": 2.0, "digits": "102"}], "hangup": {"patience": 5, "after_connect": 5}},
    {"at": 360, "caller_id": "6175550104", "keys": [{"at": 2.0, "digits": "102"}], "hangup": {"patience": 60, "after_connect": 5}},
    {"at": 480, "caller_id": "6175550105", "keys": [{"at": 2.0, "digits": "102"}], "hangup": {"patience": 15, "after_connect": 5}},
    {"at": 600, "caller_id": "6175550106", "hangup": {"at": 603.0}},
    {"at": 720, "caller_id": "6175550107", "hangup": {"after": 3}},
    {"at": 840, "caller_id": NUM_C, "keys": [{"at": 2.0, "digits": "0"}], "hangup": {"after_connect": 5}},
]


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """The scenario run once for the tests of this file: (events, events file)."""
    tmp_path = tmp_path_factory.mktemp("day")
    cfg = load_json("basic.json")
    cfg["ext_ring_timeout_ms"] = 90000        # 102 rings until the caller gives up
    sc = {"start": "2026-11-23 09:55", "seed": 3, "calls": CALLS,
          "extensions": {"101": {"answer_after": 3}, "102": {"answer": False}, "103": {"answer_after": 25}}}
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path)
    assert code == 0, err
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in ev) + "\n")
    return ev, path


def _cli(*args):
    p = subprocess.run([sys.executable, "-m", "ringroute.cli", "report"] + [str(a) for a in args],
                       capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_report_figures_match_the_hand_computed_ones(day):
    ev, path = day
    assert len(of(ev, "blocked")) == 1 and len(of(ev, "record")) == 8
    st = slreport.read([str(path)])
    f = slreport.figures(st.records, slreport.settings(), len(st.blocked))
    assert (f["offered"], f["missed"], f["answered"], f["menu_abandoned"], f["blocked"]) == (8, 1, 7, 1, 1)
    assert (f["routed"], f["connected"], f["connected_within"]) == (6, 3, 2)
    assert (f["abandoned"], f["abandoned_short"], f["abandoned_within"], f["unreached"]) == (3, 1, 2, 0)
    sl = f["service_levels"]
    assert abs(sl["sl"] - 2 / 3) < 1e-9               # A, I of A, B, I
    assert abs(sl["sl2"] - (2 + 2) / (3 + 3)) < 1e-9  # + C, E abandoned within 20 s
    assert abs(sl["offered"] - 2 / (6 - 1)) < 1e-9    # 6 routed less C's short abandon
    assert f["service_level"] == sl["offered"]        # the default formula
    # speed of answer: A and I fast, B slow; p90 of three waits is the longest (nearest rank)
    assert f["median_wait_s"] < 8 and 25 <= f["longest_wait_s"] <= 32
    assert f["p90_wait_s"] == f["longest_wait_s"]
    assert f["longest_wait_s"] / 3 < f["asa_s"] < (f["longest_wait_s"] + 16) / 3
    # T = 40 s: B is within too
    f40 = slreport.figures(st.records, slreport.settings(within_ms=40000))
    assert f40["service_levels"]["sl"] == 1.0
    assert abs(f40["service_levels"]["sl2"] - (3 + 2) / 6) < 1e-9
    assert abs(f40["service_levels"]["offered"] - 3 / 5) < 1e-9
    # a 15 s short-abandon threshold makes E short as well
    f15 = slreport.figures(st.records, slreport.settings(short_abandon_ms=15000))
    assert f15["abandoned_short"] == 2 and abs(f15["service_levels"]["offered"] - 2 / 4) < 1e-9


def test_report_periods_are_judged_and_the_abandoned_listed(day):
    ev, path = day
    rep = json.loads(_cli(path, "--period", "hour", "--target", "50", "--json"))
    assert rep["definitions"]["formula"] == "offered" and rep["definitions"]["target_pct"] == 50
    hours = {p["period"]: p for p in rep["periods"]}
    assert sorted(hours) == ["2026-11-23 09:00", "2026-11-23 10:00"]
    h9, h10 = hours["2026-11-23 09:00"], hours["2026-11-23 10:00"]
    # 09:55-09:59: A, B, C (+ the blocked caller); 10:01-10:09: D, E, F, G, I
    assert (h9["offered"], h9["routed"], h9["blocked"], h10["offered"], h10["routed"]) == (3, 3, 1, 5, 3)
    assert h9["service_level"] == 0.5 and h9["met"] is True and abs(h9["margin_pts"]) < 1e-9
    assert abs(h10["service_level"] - 1 / 3) < 1e-9 and h10["met"] is False
    assert abs(h10["margin_pts"] - (100 / 3 - 50)) < 1e-9
    ab = rep["abandoned_list"]
    assert [a["number"] for a in ab] == ["******0103", "******0104", "******0105"]   # masked
    assert [a["short"] for a in ab] == [True, False, False]
    assert ab[0]["since"].startswith("called again 10:09") and ab[1]["since"] is None
    assert ab[0]["time"] == "2026-11-23 09:59"
    # the text names the formula and the verdicts, and --full shows the numbers
    text = _cli(path, "--period", "hour", "--formula", "sl2", "--full")
    assert "[sl2: (connected within T + abandoned within T) / (connected + abandoned) (Asterisk's SL2)]" in text
    assert "MISSED" in text and NUM_C in text and "blocked callers    1" in text
    assert "MET by +0.0 pts" in _cli(path, "--period", "day", "--target", "40")


def test_call_backs_are_their_own_kind():
    recs = [
        {"call": 1, "utc": 1795424400, "ring_ms": 0, "answer_ms": 6000, "route_ms": 8000, "connect_ms": None,
         "end_ms": 20000, "release": "caller_hangup", "outcome": "abandoned", "caller": "5551230001"},
        {"call": 2, "utc": 1795424700, "direction": "out", "callee": "5551230001", "caller": "5551230001",
         "answer_ms": 310000, "route_ms": 300000, "connect_ms": 310000, "talk_ms": 60000, "ext": "101",
         "release": "agent_hangup", "outcome": "connected"},
    ]
    st = slreport.Stream()
    st.records = recs
    f = slreport.figures(recs, slreport.settings())
    assert (f["offered"], f["routed"], f["connected"], f["abandoned"]) == (1, 1, 0, 1)
    assert f["callbacks"] == {"made": 1, "reached": 1}
    ab = slreport.abandoned_list(st, slreport.settings())
    assert ab[0]["wait_s"] == 12.0 and ab[0]["since"] == "called back 09:05"


def test_periods_keys():
    utc = 1795424400   # 2026-11-23 09:00 UTC, a Monday
    assert slreport.period_key(utc, "hour") == "2026-11-23 09:00"
    assert slreport.period_key(utc, "week") == "2026-W48"
    assert slreport.period_key(utc - 86400, "week") == "2026-W47"     # the Sunday before
    assert slreport.period_key(utc, "month") == "2026-11"
    assert slreport.period_key(1767225600, "week") == "2026-W01"     # 2026-01-01, a Thursday
    ny = {"std": -300, "dst": -240, "start": [3, 2, 0, 120], "end": [11, 1, 0, 120]}
    assert slreport.period_key(utc, "hour", ny) == "2026-11-23 04:00"


def test_the_target_comes_from_the_config(tmp_path):
    from ringroute.configlang import check_config, compile_config
    cfg = compile_config(os.path.join(ROOT, "examples", "office.yaml"))
    assert cfg["service_level"] == {"target_pct": 80, "within_ms": 20000, "short_abandon_ms": 5000,
                                    "formula": "offered"}
    with open(os.path.join(ROOT, "examples", "office.yaml")) as f:
        text = f.read()
    p = tmp_path / "office.yaml"
    p.write_text(text.replace("target: 80%", "target: 90%").replace("formula: offered", "formula: sl2"))
    st = slreport.settings(compile_config(str(p)))
    assert (st["target_pct"], st["formula"]) == (90, "sl2")
    assert slreport.settings(compile_config(str(p)), formula="sl")["formula"] == "sl"   # the option wins
    p.write_text(text.replace("target: 80%", "target: 180%").replace("formula: offered", "formula: asa"))
    cfg, probs = check_config(str(p))
    msgs = "\n".join(str(x) for x in probs)
    assert cfg is None and "service_level target: a percentage 1-100" in msgs and "service_level formula" in msgs
    # without a service_level section: 80 % in 20 s (not Asterisk's 0 s)
    st = slreport.settings({})
    assert (st["target_pct"], st["within_ms"], st["formula"]) == (80, 20000, "offered")


def test_report_out_writes_the_charts_and_the_page(day, tmp_path):
    ev, path = day
    out = tmp_path / "rep"
    p = subprocess.run([sys.executable, "-m", "ringroute.cli", "report", str(path), "--out", str(out), "--period", "hour"],
                       capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    assert p.returncode == 0, p.stderr
    names = ["calls_per_hour.png", "wait_distribution.png", "agent_load.png"]
    for n in names:
        head = (out / n).read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert w >= 600 and h >= 250, (n, w, h)     # big enough to read
    page = (out / "report.md").read_text()
    assert all("](%s)" % n in page for n in names)
    assert "Service level = **offered**" in page and "| 2026-11-23 09:00 | 3 | 3 | 2 | 1 |" in page
    assert "******0103" in page and NUM_C not in page                   # masked on the page too
