"""One call end to end on the emulated board, under MicroPython and CPython.

These run `ringroute emulate` as a user does and read its JSON events: the
firmware in its own process (the real `micropython` binary, or CPython)
drives the emulated exchange, phones and crosspoint in lockstep.
"""
import copy
import json
import os
import subprocess
import sys

import pytest

from emuhelp import ENGINES, ROOT, emulate, load_json, of
from rrfw.store import records

CALL = {
    "calls": [{"at": 1.0, "line": 1, "caller_id": "5551234567",
               "keys": [{"at": 1.5, "digits": "2"}],
               "hangup": {"after_connect": 4.0, "method": "cpc"}}],
    "extensions": {"101": {"answer_after": 3.0}, "102": {"answer": False}},
}


@pytest.fixture(scope="module")
def cfg():
    return load_json("basic.json")


@pytest.mark.parametrize("engine", ENGINES)
def test_one_call_ring_to_release(engine, cfg, tmp_path):
    flash = tmp_path / "flash"
    code, ev, err = emulate(cfg, CALL, engine, tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    board = [e for e in ev if e.get("src") == "board"]
    names = [e["event"] for e in board]
    # the call's timeline, in order
    order = ["ring", "answer", "prompt", "digit", "route", "ext_ring", "connect", "release", "record"]
    pos = [names.index(n) for n in order]
    assert pos == sorted(pos), names
    rings = of(ev, "ring")
    answer = of(ev, "answer")[0]
    assert answer["rings"] == 2  # basic.json answers on the 2nd ring
    assert [r["n"] for r in rings] == [1, 2]
    # US cadence 2 s on / 4 s off: the 2nd burst starts 6 s after the 1st
    assert 5500 <= rings[1]["t_ms"] - rings[0]["t_ms"] <= 6500
    assert of(ev, "digit")[0]["digit"] == "2"
    assert of(ev, "route")[0]["target"] == "front"
    # ring_all: both free members rung, the one who answers gets the call
    assert {e["ext"] for e in of(ev, "ext_ring")} == {"101", "102"}
    conn = of(ev, "connect")[0]
    assert conn["ext"] == "101"
    agent = of(ev, "agent_answer", ext="101")[0]
    assert conn["t_ms"] - agent["t_ms"] <= 20  # ring trip and connect within two blocks
    rel = of(ev, "release")[0]
    assert rel["reason"] == "caller_hangup" and rel["method"] == "cpc"
    hang = of(ev, "hangup", line=1)[0]
    assert 0 <= rel["t_ms"] - hang["t_ms"] <= 1000  # issue 4: within 1 s of a CPC drop
    # the caller's audio reached the agent's phone through the crosspoint
    path = of(ev, "audio_path", ext="101")[0]
    assert path["ok"] and path["heard_ms"] >= 3000
    rec = of(ev, "record")[0]["record"]
    assert rec["outcome"] == "connected" and rec["ext"] == "101" and rec["method"] == "cpc"
    assert rec["caller"] is None or rec["caller"] == "5551234567"
    assert rec["talk_ms"] >= 3500 and rec["wait_ms"] > 0
    assert not of(ev, "fault")
    # the record is on the board's flash, as the event said
    on_flash, unreadable = records.decode((flash / "rec000001.bin").read_bytes())   # store/records.py frames
    assert unreadable == 0
    assert on_flash == [rec]


def test_agent_never_answers_falls_back(cfg, tmp_path):
    sc = copy.deepcopy(CALL)
    sc["calls"][0]["keys"] = [{"at": 1.5, "digits": "1"}]
    sc["calls"][0]["hangup"] = {"after": 60.0, "method": "cpc"}
    sc["extensions"] = {"101": {"answer": False}}
    code, ev, err = emulate(cfg, sc, "cpython", tmp_path)
    assert code == 0, err
    route = of(ev, "route")[0]
    failed = of(ev, "route_failed")[0]
    # ext_ring_timeout_ms 20000 in basic.json
    assert 19900 <= failed["t_ms"] - route["t_ms"] <= 20100
    assert failed["outcome"] == "no_answer"
    assert any("callback" in e["name"] for e in of(ev, "prompt"))
    rel = of(ev, "release")[0]
    assert rel["reason"] == "menu_done"
    assert not of(ev, "connect")
    # the extension stopped ringing when the route gave up
    assert of(ev, "record")[0]["record"]["outcome"] == "menu_done"


def test_missed_call_is_recorded(cfg, tmp_path):
    sc = {"calls": [{"at": 0.5, "line": 1, "hangup": {"at": 3.0}}]}
    code, ev, err = emulate(cfg, sc, "cpython", tmp_path)
    assert code == 0, err
    assert not of(ev, "answer")
    rec = of(ev, "record")[0]["record"]
    assert rec["outcome"] == "missed" and rec["rings"] == 1


def test_agent_hangs_up_first_releases_line(cfg, tmp_path):
    sc = copy.deepcopy(CALL)
    sc["calls"][0]["hangup"] = {"after": 120.0, "method": "cpc"}
    sc["extensions"]["101"] = {"answer_after": 2.0, "hangup_after": 5.0}
    code, ev, err = emulate(cfg, sc, "cpython", tmp_path)
    assert code == 0, err
    rel = of(ev, "release")[0]
    assert rel["reason"] == "agent_hangup"
    gone = of(ev, "agent_hangup", ext="101")[0]
    assert rel["t_ms"] - gone["t_ms"] <= 20
    assert of(ev, "hook", state="on")


def test_unmet_expectation_exits_nonzero_and_says_which(cfg, tmp_path):
    sc = copy.deepcopy(CALL)
    sc["expect"] = [{"event": "connect", "ext": "101"},
                    {"event": "connect", "ext": "103", "before": 30}]
    code, ev, err = emulate(cfg, sc, "cpython", tmp_path)
    assert code == 3
    assert "expectation 2 failed" in err and "ext=103" in err
    assert "expectation 1" not in err


def test_bad_scenario_is_refused_with_reason(cfg, tmp_path):
    sc = {"calls": [{"at": 1.0, "line": 1, "keys": "1x"}]}
    code, ev, err = emulate(cfg, sc, "cpython", tmp_path)
    assert code == 1
    assert "scenario.yaml" in err and "'x' is not a DTMF key" in err
    assert "Traceback" not in err


def test_timeline_output_is_readable(cfg, tmp_path):
    p = tmp_path / "c.json"
    p.write_text(json.dumps(cfg))
    out = subprocess.run([sys.executable, "-m", "ringroute.cli", "emulate", str(p), "--script",
                          os.path.join(ROOT, "tests", "data", "one-call.yaml"), "--engine", "cpython",
                          "--prompts", os.path.join(ROOT, "examples", "prompts")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools")))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for word in ("ring", "answer", "connect", "release", "call record #1", "outcome", "real time"):
        assert word in text


def test_busy_agent_queues_the_next_caller_first_come_first_served(cfg, tmp_path):
    two = copy.deepcopy(cfg)
    two["lines"].append(dict(two["lines"][0]))
    sc = {"calls": [
        {"at": 1.0, "line": 1, "caller_id": "5550000001", "keys": [{"at": 1.0, "digits": "1"}],
         "hangup": {"after_connect": 15.0, "method": "cpc"}},
        {"at": 4.0, "line": 2, "caller_id": "5550000002", "keys": [{"at": 1.0, "digits": "1"}],
         "hangup": {"after_connect": 5.0, "method": "cpc"}}],
        "extensions": {"101": {"answer_after": 1.0}}}
    code, ev, err = emulate(two, sc, "cpython", tmp_path)
    assert code == 0, err
    q = of(ev, "queue")
    assert len(q) == 1 and q[0]["line"] == 2 and q[0]["position"] == 1
    conns = of(ev, "connect", ext="101")
    assert [c["line"] for c in conns] == [1, 2]
    first_release = of(ev, "release", line=1)[0]
    # the waiting caller is put through once the agent is free again (and has hung up)
    assert conns[1]["t_ms"] > first_release["t_ms"]
    assert conns[1]["t_ms"] - first_release["t_ms"] <= 6000
    assert any(p["name"] == "please_hold" for p in of(ev, "prompt", line=2))
    recs = {r["record"]["line"]: r["record"] for r in of(ev, "record")}
    assert recs[2]["outcome"] == "connected" and recs[2]["connect_ms"] - recs[2]["route_ms"] > 5000
