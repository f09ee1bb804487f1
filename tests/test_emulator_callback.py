"""Queueing with call-back, and the rules every outbound call obeys
(do-not-call list, calling hours, retry spacing, attempts), end to end on the
emulated board: the firmware dials with its own DTMF generator and the
emulated exchange hears the digits with the firmware's receiver."""
import copy

import pytest

from emuhelp import emulate, load_json, of


def two_line_cfg(**outbound):
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    ob = {"callback": True, "callback_key": "1"}
    ob.update(outbound)
    cfg["outbound"] = ob
    return cfg


def scenario(start=None, busy_callee=False, duration=150):
    sc = {"calls": [
        # the agent is busy with caller 1 when caller 2 queues and asks for a call-back
        {"at": 1.0, "line": 1, "caller_id": "5550000001", "keys": [{"at": 1.0, "digits": "1"}],
         "hangup": {"after_connect": 30.0}},
        {"at": 3.0, "line": 2, "caller_id": "5550000002",
         "keys": [{"at": 1.0, "digits": "1"}, {"at": 9.0, "digits": "1"}], "hangup": {"after": 120.0}}],
        "extensions": {"101": {"answer_after": 1.0}}, "duration": duration}
    if busy_callee:
        sc["callees"] = {"5550000002": {"busy": True}}
    if start:
        sc["start"] = start
    return sc


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_queued_caller_is_called_back_when_the_agent_is_free(engine, tmp_path):
    code, ev, err = emulate(two_line_cfg(), scenario(), engine, tmp_path)
    assert code == 0, err
    req = of(ev, "callback_request")
    assert len(req) == 1 and req[0]["ok"] and req[0]["number"] == "5550000002"
    assert of(ev, "release", line=2)[0]["reason"] == "callback_requested"
    # agent first: the agent is rung, picks up, then the board seizes and dials
    start = of(ev, "callback_start")[0]
    first_free = of(ev, "release", line=1)[0]["t_ms"]
    seize = of(ev, "seize")[0]
    assert seize["t_ms"] > first_free
    dialled = of(ev, "dialled")[0]
    assert dialled["number"] == "5550000002"     # the exchange heard the right digits
    conn = [c for c in of(ev, "connect") if c.get("direction") == "out"][0]
    answer = of(ev, "callee_answer")[0]
    assert 0 <= conn["t_ms"] - answer["t_ms"] <= 1500   # the board hears the answer (voice)
    assert of(ev, "callback_done")[0]["outcome"] == "reached"
    rec = [r["record"] for r in of(ev, "record") if r["record"].get("direction") == "out"][0]
    assert rec["callee"] == "5550000002" and rec["outcome"] == "connected" and rec["ext"] == "101"
    assert start["t_ms"] < seize["t_ms"]


def test_do_not_call_number_is_never_dialled(tmp_path):
    code, ev, err = emulate(two_line_cfg(do_not_call=["555000000*"]), scenario(), "cpython", tmp_path)
    assert code == 0, err
    req = of(ev, "callback_request")[0]
    assert not req["ok"] and req["why"] == "do_not_call"
    assert any(p["name"] == "callback_unavailable" for p in of(ev, "prompt", line=2))
    assert not of(ev, "seize") and not of(ev, "dialled")


def test_no_call_back_outside_calling_hours(tmp_path):
    # 20:59 UTC with no time zone: the request comes after 21:00, the end of the
    # default calling hours (47 CFR 64.1200(c)(1)): nothing is dialled tonight
    code, ev, err = emulate(two_line_cfg(), scenario(start="2026-11-23 20:59:30"), "cpython", tmp_path)
    assert code == 0, err
    assert of(ev, "callback_request")[0]["ok"]
    assert not of(ev, "callback_start") and not of(ev, "seize")


def test_busy_callee_is_retried_then_given_up(tmp_path):
    cfg = two_line_cfg(retry_ms=30000, max_attempts=2)
    code, ev, err = emulate(cfg, scenario(busy_callee=True, duration=200), "cpython", tmp_path)
    assert code == 0, err
    starts = of(ev, "callback_start")
    assert len(starts) == 2
    assert starts[1]["t_ms"] - starts[0]["t_ms"] >= 30000    # retry spacing
    retry = of(ev, "callback_retry")[0]
    assert retry["outcome"] == "busy"
    assert of(ev, "callback_done")[0]["outcome"] == "gave_up_busy"
    assert not [c for c in of(ev, "connect") if c.get("direction") == "out"]
