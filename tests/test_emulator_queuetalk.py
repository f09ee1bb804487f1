"""What a queued caller is told (call/queuetalk.py), on the emulated board under
micropython: the position and the estimated wait, spoken with number prompts,
at the group's announce interval; a position never said worse than the last
one heard; the head of the queue told it is next; the estimate against
Asterisk's formula on a busy run (scripts/wait_error.py, docs/notes/agents.md)."""
import copy
import importlib.util
import os

from emuhelp import ROOT, emulate, of

_spec = importlib.util.spec_from_file_location("wait_error", os.path.join(ROOT, "scripts", "wait_error.py"))
wait_error = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wait_error)


def run(cfg, sc, tmp_path):
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path)
    assert code == 0, err
    assert not of(ev, "error"), of(ev, "error")
    assert not of(ev, "prompt_missing"), of(ev, "prompt_missing")   # every number prompt is on flash
    return ev


def said_chain(a):
    """The prompts an announcement event stands for (what the caller must hear first)."""
    from_pos = ["queue_next"] if a["said"] == 1 else ["queue_position"] + _number(a["said"])
    if a["said_min"] < 0:
        return from_pos
    if a["said_min"] == 0:
        return from_pos + ["queue_under_minute"]
    return from_pos + ["queue_wait"] + _number(a["said_min"]) + [
        "queue_minute" if a["said_min"] == 1 else "queue_minutes"]


def _number(n):
    if n < 10:
        return ["digit-%d" % n]
    if n < 20 or n % 10 == 0:
        return ["n-%d" % n]
    return ["n-%d" % (n - n % 10), "digit-%d" % (n % 10)]


def config():
    cfg, _ = wait_error.busy()
    cfg = copy.deepcopy(cfg)
    cfg["lines"] = [{"country": "US", "answer_on_ring": 2, "answer_on_callerid": True}] * 2  # the number first
    cfg["callers"] = {"priority": [{"number": "5550000009", "action": {"do": "group", "to": "sales",
                                                                           "priority": 5}}]}
    return cfg


def test_position_and_wait_are_spoken_and_the_position_never_gets_worse(tmp_path):
    cfg = config()
    g = cfg["groups"]["sales"]
    g["announce_ms"] = 15000
    # A talks to the first caller (a measured call: 20 s), then is on a call of
    # their own until 90 s; X waits, then a priority caller P arrives behind X
    calls = [{"at": 1.0, "line": 1, "caller_id": "5550000001", "keys": [{"at": 1.0, "digits": "1"}],
              "hangup": {"after_connect": 20.0}},
             {"at": 40.0, "line": 1, "caller_id": "5550000002", "keys": [{"at": 1.0, "digits": "1"}],
              "hangup": {"after_connect": 10.0, "patience": 300.0}},
             {"at": 62.0, "line": 2, "caller_id": "5550000009", "keys": [],
              "hangup": {"after_connect": 10.0, "patience": 300.0}}]
    sc = {"calls": calls, "duration": 170,
          "extensions": {"101": {"answer_after": 0.5, "offhook_at": 36.0, "onhook_at": 90.0}}}
    ev = run(cfg, sc, tmp_path)
    ann = of(ev, "queue_announce")
    calls_of = {}
    for a in ann:
        calls_of.setdefault(a["call"], []).append(a)
    x = of(ev, "answer")[1]["call"]
    p = of(ev, "answer")[2]["call"]
    # X: the head at first ("you are next"), then P goes ahead: position 2, still said 1
    assert [(a["position"], a["said"]) for a in calls_of[x]][:1] == [(1, 1)]
    assert (2, 1) in [(a["position"], a["said"]) for a in calls_of[x]]
    assert [a["said"] for a in calls_of[p]][0] == 1
    # every announcement is heard as its event says, with the number prompts, each
    # announce_every apart, while the caller waits
    prompts = {(e["call"], e["t_ms"]): e["name"].split(",") for e in of(ev, "prompt")}
    for c, seq in calls_of.items():
        for a in seq:
            heard = prompts[(c, a["t_ms"])]
            assert heard[:len(said_chain(a))] == said_chain(a), (a, heard)
            assert heard[len(said_chain(a)):] == ["please_hold"]
        assert [b["t_ms"] - a["t_ms"] for a, b in zip(seq, seq[1:])] == [15000] * (len(seq) - 1)
    # a measured call came first, so there is an estimate: A is free at 90 s
    first = calls_of[x][0]
    assert first["wait_ms"] > 0 and first["said_min"] >= 0
    conn = {c["call"]: c["t_ms"] for c in of(ev, "connect")}
    assert conn[p] < conn[x]                      # the priority caller first
    assert conn[p] >= 90000


def test_the_estimate_beats_asterisks_formula_on_a_busy_run(tmp_path):
    cfg, sc = wait_error.busy(hours=0.5, seed=7, agents=1)
    ev = run(cfg, sc, tmp_path)
    rows = wait_error.compare(ev)
    s = wait_error.stats(rows)
    assert s["n"] >= 10, s
    assert s["ours_mae_s"] < s["asterisk_mae_s"], s
    assert s["ours_said_mae_s"] < s["asterisk_said_mae_s"], s
    # per caller the position said never grows
    by_call = {}
    for a in of(ev, "queue_announce"):
        assert a["said"] <= a["position"] or a["said"] <= by_call.get(a["call"], [99])[-1]
        by_call.setdefault(a["call"], []).append(a["said"])
    for seq in by_call.values():
        assert seq == sorted(seq, reverse=True), seq
