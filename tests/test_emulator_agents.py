"""The call distributor on the emulated board (issue 11), under micropython:
which agent rings when and why, on the emulated clock. Agents keep a state
(logged out, available, paused, DND, ringing, in a call, wrap-up), groups
ring by a strategy from one table, and the queue follows its rules; every
expectation below is computed from the run's own events, not written in."""
import copy

import pytest

from emuhelp import emulate_ok, of

EXTS = {"101": {"port": 0, "name": "A"}, "102": {"port": 1, "name": "B"},
        "103": {"port": 2, "name": "C"}, "104": {"port": 3, "name": "D"}}
BASE = {"version": 1,
        "lines": [{"country": "US", "answer_on_ring": 1, "answer_on_callerid": False}] * 2,
        "extensions": EXTS, "ext_ring_timeout_ms": 20000, "start": "main",
        "operator": {"do": "ext", "to": "104"},
        "groups": {"sales": {"members": ["101", "102", "103", "104"], "strategy": "linear",
                             "member_ring_ms": 12000, "queue_ms": 120000}},
        "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "group", "to": "sales"}}}}}
STRATEGIES = ("ringall", "linear", "rrmemory", "rrordered", "leastrecent", "fewestcalls", "random",
              "wrandom", "longest-idle", "ring_all", "sequential", "round_robin")


def config(acd=True, **group):
    cfg = copy.deepcopy(BASE)
    if acd:
        cfg["agents"] = {"wrapup_ms": 10000, "max_no_answer": 2}
    cfg["groups"]["sales"].update(group)
    return cfg


def caller(at, line, n, talk=20.0, keys="1", patience=150.0):
    return {"at": at, "line": line, "caller_id": "55500000%02d" % n, "keys": [{"at": 1.0, "digits": keys}],
            "hangup": {"after_connect": talk, "patience": patience}}


def busy_day(n_calls=10, every=6.0):
    """2 lines, 4 agents, calls arriving faster than they are answered: A answers at
    once, B ignores every call, C and D take a second; 20 s talks, 10 s wrap-up."""
    return {"calls": [caller(1.0 + every * i, 1 + i % 2, i) for i in range(n_calls)],
            "duration": 200,
            "extensions": {"101": {"answer_after": 0.5}, "102": {"answer": False},
                           "103": {"answer_after": 1.0}, "104": {"answer_after": 1.5}}}


def run(cfg, sc, tmp_path, engine="micropython"):
    return emulate_ok(cfg, sc, tmp_path, engine)


def rings_by_call(ev):
    """call id -> [(t_ms, ext)] in the order the board rang them."""
    out = {}
    for e in of(ev, "ext_ring"):
        out.setdefault(e["call"], []).append((e["t_ms"], e["ext"]))
    return out


def ring_order(ev):
    return [(e["t_ms"], e["call"], e["ext"]) for e in of(ev, "ext_ring")]


# --- ring times as written -----------------------------------------------------------
@pytest.mark.parametrize("strategy,acd", [("sequential", False), ("linear", True)])
def test_a_hunt_over_three_members_at_10s_each_reaches_the_third(strategy, acd, tmp_path):
    cfg = config(acd=acd, strategy=strategy, member_ring_ms=10000)
    cfg["groups"]["sales"]["members"] = ["101", "102", "103"]
    sc = {"calls": [caller(1.0, 1, 0)], "duration": 60,
          "extensions": {"101": {"answer": False}, "102": {"answer": False}, "103": {"answer_after": 0.5}}}
    ev = run(cfg, sc, tmp_path)
    rings = ring_order(ev)
    assert [x[2] for x in rings] == ["101", "102", "103"]
    assert [rings[i + 1][0] - rings[i][0] for i in range(2)] == [10000, 10000]   # each its 10 s
    assert [(e["ext"], e["ring_ms"]) for e in of(ev, "ring_noanswer")] == [("101", 10000), ("102", 10000)]
    assert of(ev, "connect")[0]["ext"] == "103"


def test_each_group_keeps_its_own_member_ring_time(tmp_path):
    cfg = config(acd=False, strategy="sequential", member_ring_ms=6000)
    cfg["groups"]["sales"]["members"] = ["101", "102"]
    cfg["groups"]["support"] = {"members": ["103", "104"], "strategy": "sequential"}   # the default 12 s
    cfg["menus"]["main"]["keys"]["2"] = {"do": "group", "to": "support"}
    sc = {"calls": [caller(1.0, 1, 0), caller(1.0, 2, 1, keys="2")], "duration": 60,
          "extensions": {x: {"answer": False} for x in EXTS}}
    ev = run(cfg, sc, tmp_path)
    got = {}
    for e in of(ev, "ring_noanswer"):   # the groups' own rings (the operator's come later)
        got.setdefault(e["ext"], e["ring_ms"])
    assert got == {"101": 6000, "102": 6000, "103": 12000, "104": 12000}


def test_ring_timeout_longer_than_one_hunt_makes_rounds_with_a_pause(tmp_path):
    cfg = config(acd=False, strategy="linear", member_ring_ms=6000, ring_timeout_ms=40000, retry_ms=5000)
    cfg["groups"]["sales"]["members"] = ["101", "102"]
    sc = {"calls": [caller(1.0, 1, 0)], "duration": 80, "extensions": {"101": {"answer": False},
                                                                       "102": {"answer": False}}}
    ev = run(cfg, sc, tmp_path)
    rings = ring_order(ev)
    gaps = [rings[i + 1][0] - rings[i][0] for i in range(len(rings) - 1)]
    assert [x[2] for x in rings][:4] == ["101", "102", "101", "102"]
    assert gaps[:3] == [6000, 6000 + 5000, 6000]          # the retry pause between rounds
    fail = of(ev, "route_failed")[0]
    assert fail["t_ms"] - rings[0][0] >= 40000 and fail["outcome"] == "no_answer"


# --- strategies: who rings first, from the run's own history --------------------------
def _first_rings(ev):
    """(t, call, ext) of the first ring of each call."""
    out = []
    seen = set()
    for e in of(ev, "ext_ring"):
        if e["call"] not in seen:
            seen.add(e["call"])
            out.append((e["t_ms"], e["call"], e["ext"]))
    return out


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_strategy_on_a_busy_morning(strategy, tmp_path):
    ev = run(config(strategy=strategy), busy_day(), tmp_path)
    rings = ring_order(ev)
    assert rings, "nobody was rung"
    connects = of(ev, "connect")
    assert len(connects) >= 6
    # never rung: an agent in a call, in wrap-up, or paused
    busy = {}   # ext -> (from, to) busy windows
    for c in connects:
        rel = [r for r in of(ev, "release") if r.get("call") == c["call"]][0]
        busy.setdefault(c["ext"], []).append((c["t_ms"], rel["t_ms"] + 10000))
    paused_at = {a["ext"]: a["t_ms"] for a in of(ev, "agent") if a["state"] == "paused"}
    for t, call, ext in rings:
        for a, b in busy.get(ext, []):
            assert not (a <= t < b), (strategy, ext, t, "rung while in a call or wrap-up")
        assert t <= paused_at.get(ext, 10 ** 9), (strategy, ext, t, "rung while paused")
    # B ignores every call: two ring-no-answers in a row pause B, and B rings no more
    assert "102" in paused_at
    assert [a.get("reason") for a in of(ev, "agent", ext="102") if a["state"] == "paused"] == ["auto"]
    kind = strategy
    by_call = rings_by_call(ev)
    if kind in ("ringall", "ring_all"):
        # every free member at once
        assert any(len(v) >= 2 and v[0][0] == v[1][0] for v in by_call.values())
    else:
        for v in by_call.values():
            for i in range(len(v) - 1):
                assert v[i][0] != v[i + 1][0], (strategy, v, "a hunt rings one phone at a time")
    firsts = _first_rings(ev)
    if kind in ("linear", "sequential"):
        # file order: the first free member in the list
        for t, call, ext in firsts:
            for m in ("101", "102", "103", "104"):
                if m == ext:
                    break
                assert not _free(ev, m, t), (strategy, t, ext, m, "an earlier member was free")
    if kind in ("leastrecent", "longest-idle", "fewestcalls"):
        for t, call, ext in firsts:
            free = [m for m in ("101", "102", "103", "104") if _free(ev, m, t)]
            if ext not in free or len(free) < 2:
                continue
            score = {m: _score(ev, kind, m, t) for m in free}
            assert score[ext] == min(score.values()), (strategy, t, ext, score)


def _free(ev, ext, t):
    """Was this agent free to ring at t (not talking, not in wrap-up, not paused, not ringing)?"""
    for c in of(ev, "connect", ext=ext):
        rel = [r for r in of(ev, "release") if r.get("call") == c["call"]][0]
        if c["t_ms"] <= t < rel["t_ms"] + 10000:
            return False
    for a in of(ev, "agent", ext=ext):
        if a["state"] == "paused" and a["t_ms"] <= t:
            return False
    for e in of(ev, "ext_ring", ext=ext):
        # ringing for another call right then
        ends = [n["t_ms"] for n in of(ev, "ring_noanswer", ext=ext) if n["t_ms"] > e["t_ms"]] + \
               [c["t_ms"] for c in of(ev, "connect") if c["t_ms"] >= e["t_ms"]]
        if e["t_ms"] < t < min(ends or [10 ** 9]):
            return False
    return True


def _score(ev, kind, ext, t):
    ends = [r["t_ms"] for c in of(ev, "connect", ext=ext) for r in of(ev, "release")
            if r.get("call") == c["call"] and r["t_ms"] < t]
    if kind == "fewestcalls":
        return len(ends)
    if kind == "leastrecent":
        return max(ends or [0])
    return max([e + 10000 for e in ends] or [0])   # longest-idle: free since the wrap-up ended


def test_round_robin_really_rotates_over_every_member(tmp_path):
    # everyone answers: each new call starts after the member who answered last
    sc = {"calls": [caller(1.0 + 40.0 * i, 1, i, talk=5.0) for i in range(5)], "duration": 230,
          "extensions": {x: {"answer_after": 0.5} for x in EXTS}}
    for strategy in ("round_robin", "rrmemory", "rrordered"):
        ev = run(config(acd=False, strategy=strategy), sc, tmp_path)
        assert [c["ext"] for c in of(ev, "connect")] == ["101", "102", "103", "104", "101"], strategy


# --- penalties ---------------------------------------------------------------------
def test_tiers_ring_first_and_widen_as_the_caller_waits(tmp_path):
    cfg = config(strategy="ringall", penalty={"103": 1, "104": 1}, tiers=[[0, 0], [30000, 1]],
                 ring_timeout_ms=10000)
    sc = {"calls": [caller(1.0, 1, 0)], "duration": 90,
          "extensions": {"101": {"answer": False}, "102": {"answer": False}, "103": {"answer_after": 0.5},
                         "104": {"answer": False}}}
    cfg["agents"]["max_no_answer"] = 0
    ev = run(cfg, sc, tmp_path)
    first = of(ev, "ext_ring")[0]["t_ms"]
    early = set(e["ext"] for e in of(ev, "ext_ring") if e["t_ms"] < first + 30000)
    assert early == {"101", "102"}                         # tier 0 only, for 30 s
    assert of(ev, "connect")[0]["ext"] == "103"
    assert of(ev, "connect")[0]["t_ms"] >= first + 30000
    # the caller kept their place: joined once, left once, answered
    assert len(of(ev, "queue")) == 1
    assert [x["reason"] for x in of(ev, "queue_leave")] == ["answered"]


# --- agent states from the handset ---------------------------------------------------
def test_agent_codes_log_in_out_pause_with_confirmation_and_the_router_obeys(tmp_path):
    cfg = config(strategy="linear")
    cfg["agents"]["start"] = "available"
    cfg["feature_codes"] = {"*41": ["agent", "login"], "*42": ["agent", "logout"],
                            "*43": ["agent", "pause"], "*44": ["agent", "unpause"],
                            "*45": ["agent", "dnd"], "*46": ["agent", "dnd_off"],
                            "*47": ["agent", "pause", "lunch"]}
    sc = {"calls": [caller(30.0, 1, 0, talk=5.0), caller(75.0, 1, 1, talk=5.0)], "duration": 110,
          # one phone at a time dials (the board has one receiver for extension keys)
          "extensions": {"101": {"dial": [{"at": 1.0, "digits": "*42"}, {"at": 60.0, "digits": "*41"}]},
                         "102": {"dial": {"at": 7.0, "digits": "*47"}},
                         "103": {"dial": [{"at": 13.0, "digits": "*45"}, {"at": 19.0, "digits": "*44"}]},
                         "104": {"answer_after": 0.5}}}
    ev = run(cfg, sc, tmp_path)
    fc = [(f["ext"], f["code"], f["ok"]) for f in of(ev, "feature_code")]
    assert fc == [("101", "*42", True), ("102", "*47", True), ("103", "*45", True), ("103", "*44", False),
                  ("101", "*41", True)]   # unpause while on DND: nothing to undo, the error tone
    states = [(a["ext"], a["state"], a.get("reason")) for a in of(ev, "agent")]
    assert ("101", "logged_out", None) in states and ("102", "paused", "lunch") in states
    assert ("103", "dnd", None) in states
    first = [e["ext"] for e in of(ev, "ext_ring", call=of(ev, "answer")[0]["call"])]
    assert first == ["104"]            # 101 out, 102 on lunch, 103 on DND
    second = [e["ext"] for e in of(ev, "ext_ring", call=of(ev, "answer")[1]["call"])]
    assert second[0] == "101"          # logged in again at 60 s


def test_no_agent_logged_in_refuses_the_queue_and_overflows(tmp_path):
    cfg = config(strategy="linear", overflow={"do": "ext", "to": "104"})
    cfg["groups"]["sales"]["members"] = ["101", "102"]
    cfg["agents"]["start"] = "logged_out"
    sc = {"calls": [caller(1.0, 1, 0, talk=3.0)], "duration": 40, "extensions": {"104": {"answer_after": 0.5}}}
    ev = run(cfg, sc, tmp_path)
    assert [x["reason"] for x in of(ev, "queue_leave")] == ["no_agents"]
    assert not of(ev, "queue")
    assert of(ev, "connect")[0]["ext"] == "104"           # the group's overflow


# --- the queue -----------------------------------------------------------------------
def test_queue_full_exit_key_timeout_abandon_and_priority_are_told_apart(tmp_path):
    cfg = config(strategy="linear", max_queue=1, queue_ms=25000,
                 exit_keys={"0": {"do": "operator"}})
    cfg["groups"]["sales"]["members"] = ["101"]
    cfg["callers"] = {"priority": [{"number": "5550000099", "action": {"do": "group", "to": "sales",
                                                                           "priority": 5}}]}
    k0 = [{"at": 1.0, "digits": "1"}, {"at": 8.0, "digits": "0"}]
    calls = [caller(1.0, 1, 0, talk=60.0),                 # A talks to 101 for a minute
             caller(6.0, 2, 1, patience=20.0)]             # waits, gives up: abandoned
    calls[1]["keys"] = [{"at": 1.0, "digits": "1"}]
    sc = {"calls": calls, "duration": 120, "extensions": {"101": {"answer_after": 0.5},
                                                          "104": {"answer_after": 0.5}}}
    ev = run(cfg, sc, tmp_path)
    assert [x["reason"] for x in of(ev, "queue_leave")] == ["abandoned"]
    leave = of(ev, "queue_leave")[0]
    assert leave["waited_ms"] > 15000 and leave["call"] == of(ev, "queue")[0]["call"]
    # the release follows at once (the caller's hang-up is seen, not a timeout)
    rel = [r for r in of(ev, "release") if r.get("call") == leave["call"]][0]
    assert rel["reason"] == "caller_hangup" and rel["t_ms"] - leave["t_ms"] < 100
    # exit key and full queue
    calls = [caller(1.0, 1, 0, talk=60.0), caller(6.0, 2, 1)]
    calls[1]["keys"] = k0
    cfg2 = copy.deepcopy(cfg)
    cfg2["groups"]["sales"]["max_queue"] = 1
    ev = run(cfg2, {"calls": calls, "duration": 60, "extensions": {"101": {"answer_after": 0.5},
                                                                     "104": {"answer_after": 0.5}}}, tmp_path)
    assert [x["reason"] for x in of(ev, "queue_leave")] == ["exit_key"]
    assert [c["ext"] for c in of(ev, "connect")] == ["101", "104"]   # 0: the operator
    # timeout: nobody frees up within queue_ms
    calls = [caller(1.0, 1, 0, talk=60.0), caller(6.0, 2, 1, patience=100.0)]
    ev = run(cfg, {"calls": calls, "duration": 70, "extensions": {"101": {"answer_after": 0.5}}}, tmp_path)
    lv = of(ev, "queue_leave")
    assert [x["reason"] for x in lv] == ["timeout"]
    assert abs(lv[0]["waited_ms"] - 25000) <= 100
    assert of(ev, "route_failed", call=lv[0]["call"])[0]["t_ms"] == lv[0]["t_ms"]


def test_a_priority_caller_is_served_before_an_earlier_one(tmp_path):
    cfg = config(strategy="linear", queue_ms=120000)
    cfg["groups"]["sales"]["members"] = ["101"]
    cfg["callers"] = {"priority": [{"number": "5550000001", "action": {"do": "group", "to": "sales",
                                                                           "priority": 5}}]}
    cfg["lines"] = [{"country": "US", "answer_on_ring": 2, "answer_on_callerid": True}] * 2   # the number first
    calls = [caller(1.0, 1, 0, talk=5.0), caller(8.0, 2, 1, talk=5.0)]
    calls[1]["keys"] = []                 # the priority rule routes this caller at once
    # 101 is on the phone (off-hook) until 30 s: both callers wait
    sc = {"calls": calls, "duration": 90,
          "extensions": {"101": {"answer_after": 0.5, "offhook_at": 0.5, "onhook_at": 30.0}}}
    ev = run(cfg, sc, tmp_path)
    q = of(ev, "queue")
    assert [x["priority"] for x in q] == [0, 5] and [x["position"] for x in q] == [1, 1]
    conn = of(ev, "connect")
    line_of = {a["call"]: a["line"] for a in of(ev, "answer")}
    assert [line_of[c["call"]] for c in conn] == [2, 1]   # the priority caller (line 2) first
    assert conn[0]["t_ms"] >= 30000
