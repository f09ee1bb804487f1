"""The queue's rules on the emulated board (issue 11), under micropython: what
the caller gets, on the emulated clock, when the queue is full, when the
maximum wait is over (each overflow: another group, a message, a call-back
offer), with the call-back exit key on and off, with hold music between the
periodic messages, and when a caller stays silent for minutes. Every
expectation comes from the run's own events and records."""
import copy
import math
import os
import shutil
import struct
import wave

from emuhelp import PROMPTS, emulate_ok, of

EXTS = {"101": {"port": 0, "name": "A"}, "102": {"port": 1, "name": "B"},
        "103": {"port": 2, "name": "C"}, "104": {"port": 3, "name": "D"}}
BASE = {"version": 1,
        "lines": [{"country": "US", "answer_on_ring": 1, "answer_on_callerid": False}] * 2,
        "extensions": EXTS, "ext_ring_timeout_ms": 20000, "start": "main",
        "agents": {"wrapup_ms": 0, "max_no_answer": 0},
        "groups": {"sales": {"members": ["101"], "strategy": "linear", "queue_ms": 120000},
                   "support": {"members": ["103"], "strategy": "linear"}},
        "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "group", "to": "sales"}}}}}
TICK = 10   # ms, one block: the firmware's clock


def config(**group):
    cfg = copy.deepcopy(BASE)
    cfg["groups"]["sales"].update(group)
    return cfg


def caller(at, line, n, keys=({"at": 1.0, "digits": "1"},), **hang):
    return {"at": at, "line": line, "caller_id": "55500000%02d" % n, "keys": list(keys),
            "hangup": hang or {"after_connect": 10.0, "patience": 300.0}}


def run(cfg, sc, tmp_path, extra=()):
    ev = emulate_ok(cfg, sc, tmp_path, extra=extra)
    assert not of(ev, "prompt_missing"), of(ev, "prompt_missing")
    return ev


def call_of(ev, line, nth=0):
    return [a["call"] for a in of(ev, "answer") if a["line"] == line][nth]


def record_of(ev, call):
    return [r["record"] for r in of(ev, "record") if r["record"].get("call") == call][0]


def release_of(ev, call):
    return [r for r in of(ev, "release") if r.get("call") == call][0]


# 101 is on a call of their own (off-hook) for the first minutes: sales is busy
BUSY_101 = {"101": {"answer_after": 0.5, "offhook_at": 0.5, "onhook_at": 150.0}}


# --- 1. queue full ---------------------------------------------------------------------
def test_a_full_queue_sends_the_next_caller_to_the_overflow_at_once(tmp_path):
    cfg = config(max_queue=1, overflow={"do": "ext", "to": "104"})
    sc = {"calls": [caller(1.0, 1, 1), caller(8.0, 2, 2, after_connect=5.0)], "duration": 40,
          "extensions": dict(BUSY_101, **{"104": {"answer_after": 0.5}})}
    ev = run(cfg, sc, tmp_path)
    first, second = call_of(ev, 1), call_of(ev, 2)
    assert [q["call"] for q in of(ev, "queue")] == [first]          # one waits, the queue is full
    full = of(ev, "queue_leave", call=second)
    assert [x["reason"] for x in full] == ["full"]
    route = of(ev, "route", call=second)[0]
    assert full[0]["t_ms"] == route["t_ms"]                          # refused on the spot
    ring = of(ev, "ext_ring", call=second)
    assert ring[0]["ext"] == "104" and ring[0]["t_ms"] - route["t_ms"] <= 2 * TICK   # the overflow at once
    assert of(ev, "connect", call=second)[0]["ext"] == "104"
    rec = record_of(ev, second)
    assert rec["queue"] == "full" and rec["outcome"] == "connected"
    # the first caller still waits in the queue, untouched
    assert not of(ev, "queue_leave", call=first)[:1] or of(ev, "queue_leave", call=first)[0]["t_ms"] > 30000


def test_a_full_queue_without_overflow_releases_the_caller_with_outcome_queue_full(tmp_path):
    cfg = config(max_queue=1)
    cfg["menus"]["main"]["on_no_answer"] = {"do": "hangup", "reason": "no_answer"}
    sc = {"calls": [caller(1.0, 1, 1), caller(8.0, 2, 2)], "duration": 40, "extensions": BUSY_101}
    ev = run(cfg, sc, tmp_path)
    second = call_of(ev, 2)
    leave = of(ev, "queue_leave", call=second)[0]
    assert leave["reason"] == "full"
    rel = release_of(ev, second)
    assert rel["t_ms"] - leave["t_ms"] <= 5 * TICK                   # released at once, not kept
    assert record_of(ev, second)["outcome"] == "queue_full"


# --- 2. overflow after the maximum wait ---------------------------------------------------
def _overflow_run(tmp_path, overflow, outbound=None, keys_later=()):
    # max_queue 1: C can join only if B, gone on, holds no place in sales any more
    cfg = config(queue_ms=20000, overflow=overflow, max_queue=1)
    if outbound:
        cfg["outbound"] = outbound
        # the number first: a call-back needs the caller's number
        cfg["lines"] = [{"country": "US", "answer_on_ring": 2, "answer_on_callerid": True}] * 2
    # B waits in sales until the maximum wait; C joins sales after B has gone on:
    # C must be first in line (B left nothing behind in the queue)
    b = caller(1.0, 1, 1, keys=[{"at": 1.0, "digits": "1"}] + list(keys_later), after=60.0)
    c = caller(30.0, 2, 3)
    sc = {"calls": [b, c], "duration": 70,
          "extensions": dict(BUSY_101, **{"103": {"answer_after": 0.5}})}
    ev = run(cfg, sc, tmp_path)
    b_call, c_call = call_of(ev, 1), call_of(ev, 2)
    leave = of(ev, "queue_leave", call=b_call)[0]
    assert leave["reason"] == "timeout"
    joined = of(ev, "queue", call=b_call)[0]
    route = of(ev, "route", call=b_call)[0]
    assert abs(leave["t_ms"] - route["t_ms"] - 20000) <= 2 * TICK     # the maximum wait, as written
    assert joined["position"] == 1
    assert not of(ev, "queue_leave", call=c_call, reason="full")
    assert of(ev, "queue", call=c_call)[0]["position"] == 1           # no stale B ahead of C
    return ev, b_call, leave


def test_overflow_after_the_maximum_wait_to_another_group(tmp_path):
    ev, b, leave = _overflow_run(tmp_path, {"do": "group", "to": "support"})
    routes = of(ev, "route", call=b)
    assert [r["target"] for r in routes] == ["sales", "support"]
    assert routes[1]["t_ms"] - leave["t_ms"] <= 2 * TICK
    conn = of(ev, "connect", call=b)[0]
    assert conn["ext"] == "103"
    rec = record_of(ev, b)
    assert rec["outcome"] == "connected" and rec["ext"] == "103"
    v = rec["visits"]
    assert [x[0] for x in v] == ["sales", "support"]
    assert v[0][4] == "timeout" and abs(v[0][5] - 20000) <= 2 * TICK  # left sales after its wait
    assert 0 <= v[1][1] - v[0][5] <= 2 * TICK                          # routed on at once


def test_overflow_after_the_maximum_wait_to_a_message(tmp_path):
    ev, b, leave = _overflow_run(tmp_path, {"do": "message", "prompts": ["closed"],
                                            "then": {"do": "hangup", "reason": "menu_done"}})
    assert [r["target"] for r in of(ev, "route", call=b)] == ["sales"]
    msg = [p for p in of(ev, "prompt", call=b) if p["t_ms"] >= leave["t_ms"]]
    assert msg[0]["name"] == "closed" and msg[0]["t_ms"] - leave["t_ms"] <= 2 * TICK
    rel = release_of(ev, b)
    assert rel["reason"] == "menu_done" and rel["t_ms"] < 60000 + 1000   # before the caller hangs up
    assert not of(ev, "ext_ring", call=b)
    rec = record_of(ev, b)
    assert rec["outcome"] == "timeout" and rec["queue"] == "timeout"


def test_overflow_after_the_maximum_wait_to_a_call_back_offer(tmp_path):
    ob = {"callback": True, "callback_key": "1"}
    ev, b, leave = _overflow_run(tmp_path, {"do": "callback"}, outbound=ob)
    req = of(ev, "callback_request", call=b)
    assert len(req) == 1 and req[0]["ok"] and req[0]["number"] == "5550000001"
    assert req[0]["t_ms"] - leave["t_ms"] <= 2 * TICK
    ok = [p for p in of(ev, "prompt", call=b) if p["t_ms"] >= leave["t_ms"]]
    assert ok[0]["name"] == "callback_ok"
    rel = release_of(ev, b)
    assert rel["reason"] == "callback_requested" and rel["t_ms"] < 60000
    rec = record_of(ev, b)
    assert rec["outcome"] == "callback_requested" and rec["queue"] == "timeout"


# --- 3. exit key 1 for a call-back ----------------------------------------------------------
def _key1_run(tmp_path, callbacks):
    cfg = config(queue_ms=90000)
    cfg["lines"] = [{"country": "US", "answer_on_ring": 2, "answer_on_callerid": True}] * 2
    if callbacks:
        cfg["outbound"] = {"callback": True, "callback_key": "1"}
        cfg["groups"]["sales"]["exit_keys"] = {"1": {"do": "callback"}}
    b = caller(1.0, 1, 1, keys=[{"at": 1.0, "digits": "1"}, {"at": 12.0, "digits": "1"}],
               after_connect=5.0, patience=120.0)
    sc = {"calls": [b], "duration": 70,
          "extensions": {"101": {"answer_after": 0.5, "offhook_at": 0.5, "onhook_at": 40.0}}}
    ev = run(cfg, sc, tmp_path)
    return ev, call_of(ev, 1)


def test_key_1_with_call_backs_off_does_nothing_and_is_not_offered(tmp_path):
    ev, b = _key1_run(tmp_path, callbacks=False)
    assert not of(ev, "callback_request")
    assert not [p for p in of(ev, "prompt", call=b) if "callback_offer" in p["name"]]
    # the caller stays in the queue, in place, and is answered when 101 is free
    assert [x["reason"] for x in of(ev, "queue_leave", call=b)] == ["answered"]
    assert of(ev, "connect", call=b)[0]["t_ms"] >= 40000
    assert record_of(ev, b)["outcome"] == "connected"


def test_key_1_with_call_backs_on_is_offered_registers_and_releases(tmp_path):
    ev, b = _key1_run(tmp_path, callbacks=True)
    holds = [p for p in of(ev, "prompt", call=b) if "please_hold" in p["name"]]
    assert holds and all(p["name"].endswith("callback_offer") for p in holds)   # offered each time
    req = of(ev, "callback_request", call=b)
    assert len(req) == 1 and req[0]["ok"]
    leave = of(ev, "queue_leave", call=b)
    assert [x["reason"] for x in leave] == ["callback"]
    key = [d for d in of(ev, "digit", call=b)][-1]
    assert key["digit"] == "1" and leave[0]["t_ms"] - key["t_ms"] <= 30 * TICK
    rel = release_of(ev, b)
    assert rel["reason"] == "callback_requested" and rel["t_ms"] < 40000   # released, not kept waiting
    assert not of(ev, "connect", call=b)
    rec = record_of(ev, b)
    assert rec["outcome"] == "callback_requested" and rec["left_key"] == "1"


# --- 4. hold music ---------------------------------------------------------------------------
MUSIC_MS = 3300   # ms, the length of the test's music file


def _prompts_with_music(tmp_path):
    d = os.path.join(str(tmp_path), "prompts")
    shutil.copytree(PROMPTS, d)
    n = MUSIC_MS * 8   # 8 kHz samples
    with wave.open(os.path.join(d, "hold_music.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        # two tones, -20 dBm0 each (G.711: 0 dBm0 = 22760 peak)
        a = 22760 * 10 ** (-20 / 20.0)
        w.writeframes(b"".join(struct.pack("<h", int(a * (math.sin(2 * math.pi * 440 * i / 8000) +
                                                            math.sin(2 * math.pi * 660 * i / 8000))))
                               for i in range(n)))
    return d


def test_hold_music_loops_from_flash_between_messages_at_the_interval(tmp_path):
    every = 20000
    cfg = config(queue_ms=120000, announce_ms=every, music=["hold_music"])
    sc = {"calls": [caller(1.0, 1, 1, after=85.0)], "duration": 90, "extensions": BUSY_101}
    ev = run(cfg, sc, tmp_path, extra=("--prompts", _prompts_with_music(tmp_path)))
    b = call_of(ev, 1)
    joined = of(ev, "queue", call=b)[0]["t_ms"]
    ps = [p for p in of(ev, "prompt", call=b) if p["t_ms"] >= joined]
    ann = [p["t_ms"] for p in ps if p["name"] == "please_hold"]
    music = [p["t_ms"] for p in ps if p["name"] == "hold_music"]
    # the periodic message at the configured interval, from joining until the caller hangs up
    assert len(ann) >= 3
    assert all(abs((t - joined) - i * every) <= TICK for i, t in enumerate(ann)), (joined, ann)
    # music in every gap, looped: back to back, one file's length apart
    for a, nxt in zip(ann, ann[1:]):
        gap = [t for t in music if a < t < nxt]
        assert len(gap) >= 3, (a, gap)
        assert all(abs((y - x) - MUSIC_MS) <= 2 * TICK for x, y in zip(gap, gap[1:])), gap


# --- 5. a silent caller ------------------------------------------------------------------------
def test_a_silent_caller_waits_minutes_in_the_queue_until_they_hang_up_or_the_wait_ends(tmp_path):
    # a message a minute: more than the 30 s of silence a dead line is given (line/hangup.py)
    cfg = config(queue_ms=150000, announce_ms=60000)
    # both callers say nothing at all while they wait (the line's noise only, -60 dBm0)
    a = caller(1.0, 1, 1, after=100.0)
    b = caller(1.0, 2, 2, after=200.0)
    sc = {"calls": [a, b], "duration": 170,
          "extensions": {"101": {"answer_after": 0.5, "offhook_at": 0.5, "onhook_at": 250.0}}}
    ev = run(cfg, sc, tmp_path)
    ca, cb = call_of(ev, 1), call_of(ev, 2)
    ans_a = of(ev, "answer", call=ca)[0]["t_ms"]
    rel_a = release_of(ev, ca)
    assert rel_a["reason"] == "caller_hangup" and rel_a["method"] == "cpc"   # their real hang-up
    assert 100000 <= rel_a["t_ms"] - ans_a <= 101000
    assert [x["reason"] for x in of(ev, "queue_leave", call=ca)] == ["abandoned"]
    # B stays until the queue's own maximum wait
    leave = of(ev, "queue_leave", call=cb)
    assert [x["reason"] for x in leave] == ["timeout"]
    route = of(ev, "route", call=cb)[0]["t_ms"]
    assert abs(leave[0]["t_ms"] - route - 150000) <= 2 * TICK
    assert not [r for r in of(ev, "release", call=cb) if r["t_ms"] < leave[0]["t_ms"]]


def test_a_silent_caller_in_a_slow_menu_is_not_taken_for_a_hang_up(tmp_path):
    cfg = config()
    cfg["menus"]["main"]["first_ms"] = 50000          # a slow menu: 50 s for the first key
    sc = {"calls": [caller(1.0, 1, 1, keys=[{"at": 45.0, "digits": "1"}], after_connect=5.0)],
          "duration": 70, "extensions": {"101": {"answer_after": 0.5}}}
    ev = run(cfg, sc, tmp_path)
    b = call_of(ev, 1)
    early = [r for r in of(ev, "release", call=b) if r["t_ms"] < 45000]
    assert not early, early
    assert of(ev, "connect", call=b)[0]["ext"] == "101"
    assert record_of(ev, b)["outcome"] == "connected"


# --- the config for an overflow to a call-back ------------------------------------------------
YAML = """\
version: 1
lines:
  - country: US
extensions:
  101: {port: 0, name: Ann}
agents: {}
groups:
  sales:
    members: [101]
    queue: 20s
    overflow: callback
menus:
  main:
    greeting: [welcome]
    keys: {1: group sales}
"""


def test_overflow_callback_compiles_and_needs_call_backs_on(tmp_path):
    from cfgtest import check, problems
    from rrfw.store import cfgcheck
    cfg, probs = check(tmp_path, YAML + "outbound: {callback: true}\n")
    assert problems(probs) == []
    assert cfg["groups"]["sales"]["overflow"] == {"do": "callback"}
    assert cfgcheck.check(cfg) is None
    off = copy.deepcopy(cfg)
    del off["outbound"]
    assert "call-backs are off" in cfgcheck.check(off)       # the board refuses it too
    cfg, probs = check(tmp_path, YAML)
    hits = [p for p in probs if "overflow: 'callback' needs call-backs on" in p.message and p.severity == "error"]
    assert hits and hits[0].line == YAML.splitlines().index("    overflow: callback") + 1, [str(p) for p in probs]
