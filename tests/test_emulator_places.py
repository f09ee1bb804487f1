"""Keeping a caller's place (router.py keep_place_ms, call-back places), on the
emulated board under micropython: a caller who hangs up while waiting and
calls again within the window is served before those who came after them;
never for a withheld number, never after the window; a call-back request
is served in turn with the live callers, neither before those who came
earlier nor after those who came later."""
import copy

import pytest

from emuhelp import emulate, of
from test_emulator_agents import config as agents_config

A, B = "6175550101", "6175550102"


def config(keep_ms=60000, **kw):
    cfg = agents_config(strategy="linear", **kw)
    cfg["groups"]["sales"]["members"] = ["101"]
    cfg["groups"]["sales"]["queue_ms"] = 300000
    if keep_ms:
        cfg["groups"]["sales"]["keep_place_ms"] = keep_ms
    # caller ID is read before the answer (answer on the 2nd ring): the number is known
    cfg["lines"] = [{"country": "US", "answer_on_ring": 2, "answer_on_callerid": True}] * 2
    return cfg


def call(at, line, number, keys=((1.0, "1"),), **hangup):
    hangup.setdefault("after_connect", 5.0)   # (patience alone would mean 'after 60 s')
    return {"at": at, "line": line, "caller_id": number,
            "keys": [{"at": k[0], "digits": k[1]} for k in keys], "hangup": hangup}


def run(cfg, sc, tmp_path):
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path)
    assert code == 0, err
    assert not of(ev, "error"), of(ev, "error")
    return ev


def returning(cfg, tmp_path, x_number=A, again_at=30.0):
    # the agent is on a call of their own until 80 s: everyone waits.
    # X waits from ~3 s and gives up at ~20 s; Y waits from ~12 s; X calls again
    calls = [call(1.0, 1, x_number, patience=18.0),
             call(10.0, 2, B, after_connect=5.0, patience=200.0),
             call(again_at, 1, x_number, after_connect=5.0, patience=200.0)]
    sc = {"calls": calls, "duration": 140,
          "extensions": {"101": {"answer_after": 0.5, "offhook_at": 0.5, "onhook_at": 80.0}}}
    ev = run(cfg, sc, tmp_path)
    ans = of(ev, "answer")
    assert len(ans) == 3
    first = of(ev, "connect")[0]
    return ev, [a["call"] for a in ans], first


def test_a_caller_who_calls_again_within_the_window_gets_the_old_place(tmp_path):
    ev, (x1, y, x2), first = returning(config(), tmp_path)
    assert [x["reason"] for x in of(ev, "queue_leave", call=x1)] == ["abandoned"]
    kept = of(ev, "place_kept")
    assert len(kept) == 1 and kept[0]["call"] == x2 and kept[0]["target"] == "sales"
    # ago_ms: from the first call's place (it joined before Y) to the new call's route
    x1_queue = of(ev, "queue", call=x1)[0]["t_ms"]
    route2 = of(ev, "route", call=x2)[0]["t_ms"]
    assert abs(kept[0]["ago_ms"] - (route2 - x1_queue)) <= 20
    assert of(ev, "queue", call=x2)[0]["position"] == 1      # ahead of Y, who came after X's first call
    assert of(ev, "queue", call=y)[0]["position"] == 2       # Y joined behind X's first call
    assert first["call"] == x2 and first["t_ms"] >= 80000   # X served first when the agent frees
    conn = {c["call"]: c["t_ms"] for c in of(ev, "connect")}
    assert conn[y] > conn[x2]


@pytest.mark.parametrize("case", ["no_keep", "withheld", "after_window"])
def test_no_place_without_the_setting_for_withheld_numbers_or_after_the_window(case, tmp_path):
    cfg = config(keep_ms=0 if case == "no_keep" else 60000)
    if case == "after_window":
        cfg["groups"]["sales"]["keep_place_ms"] = 5000
    ev, (x1, y, x2), first = returning(cfg, tmp_path, x_number="withheld" if case == "withheld" else A)
    assert not of(ev, "place_kept")
    assert of(ev, "queue", call=x2)[0]["position"] == 2      # behind Y
    assert first["call"] == y


def test_a_kept_place_is_used_once(tmp_path):
    # X hangs up twice; the second return finds nothing kept from the first place
    # (the second abandonment keeps the place it had then: still ahead of Y)
    cfg = config()
    calls = [call(1.0, 1, A, patience=18.0), call(10.0, 2, B, after_connect=5.0, patience=300.0),
             call(30.0, 1, A, patience=10.0), call(50.0, 1, A, after_connect=5.0, patience=300.0)]
    sc = {"calls": calls, "duration": 160,
          "extensions": {"101": {"answer_after": 0.5, "offhook_at": 0.5, "onhook_at": 90.0}}}
    ev = run(cfg, sc, tmp_path)
    x1, y, x2, x3 = [a["call"] for a in of(ev, "answer")]
    assert [k["call"] for k in of(ev, "place_kept")] == [x2, x3]
    # the place carried over is the first one's, not a new one
    x1_queue = of(ev, "queue", call=x1)[0]["t_ms"]
    k3 = of(ev, "place_kept", call=x3)[0]
    assert abs(k3["ago_ms"] - (of(ev, "route", call=x3)[0]["t_ms"] - x1_queue)) <= 20
    assert of(ev, "connect")[0]["call"] == x3


@pytest.mark.parametrize("order", ["callback_first", "live_first"])
def test_a_call_back_is_served_in_turn_with_the_live_callers(order, tmp_path):
    cfg = config(keep_ms=0)
    cfg["outbound"] = {"callback": True, "callback_key": "1"}
    # the agent is busy on a call of their own until 70 s
    cb_at, live_at = (1.0, 8.0) if order == "callback_first" else (8.0, 1.0)
    calls = [call(cb_at, 1, A, keys=((1.0, "1"), (12.0, "1"))),                  # asks to be called back
             call(live_at, 2, B, after_connect=5.0, patience=300.0)]
    # 10:00 in Boston (area code 617): within the callee's calling hours (dialer.py;
    # the scenarios' default start, 10:00 UTC, is 05:00 there: the call-back is held)
    sc = {"calls": calls, "duration": 200, "callees": {A: {"answer_after": 3.0, "talk": 5.0}},
          "extensions": {"101": {"answer_after": 0.5, "offhook_at": 0.5, "onhook_at": 70.0}},
          "start": "2026-01-05 15:00"}
    ev = run(cfg, sc, tmp_path)
    req = of(ev, "callback_request")
    assert len(req) == 1 and req[0]["ok"] is True
    live = [a["call"] for a in of(ev, "answer") if a["line"] == 2][0]
    start = of(ev, "callback_start")
    assert start and start[0]["t_ms"] < 70000      # started, agent first, while the agent was busy
    cb_call = start[0]["call"]
    rings = [(e["t_ms"], e["call"]) for e in of(ev, "ext_ring") if e["t_ms"] >= 70000]
    conn = {c["call"]: c["t_ms"] for c in of(ev, "connect")}
    assert cb_call in conn and live in conn
    if order == "callback_first":
        assert rings[0][1] == cb_call                    # not left behind the later live caller
        assert conn[cb_call] < conn[live]
    else:
        assert rings[0][1] == live                       # nor ahead of the earlier one
        assert conn[live] < conn[cb_call]
    assert [d["outcome"] for d in of(ev, "callback_done")] == ["reached"]
