"""Remote agents on the emulated board (issue 11): an agent who is an outside
number is called on the board's second line, hears a whisper, and is bridged
to the caller through the codec only on the accept key. Every way out of the
outside line's states (remote.py: RA_CALL, RA_WHISPER, RA_TALK) is run here;
the audio check is the world's own (line_audio: each party heard the other's
voice, by correlation with that voice, through the board)."""
import copy

from emuhelp import emulate_ok, of

REMOTE = "6175550150"
BASE = {"version": 1,
        "lines": [{"country": "US", "answer_on_ring": 1, "answer_on_callerid": False}] * 2,
        "extensions": {"101": {"port": 0, "name": "Desk"}, "150": {"number": REMOTE, "name": "Ann at home"}},
        "ext_ring_timeout_ms": 20000, "start": "main",
        "groups": {"sales": {"members": ["150"], "strategy": "linear", "member_ring_ms": 12000,
                             "queue_ms": 120000}},
        "agents": {"wrapup_ms": 0, "max_no_answer": 3},
        "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "group", "to": "sales"},
                                                             "2": {"do": "menu", "to": "main"}}}}}


def config(**group):
    cfg = copy.deepcopy(BASE)
    cfg["groups"]["sales"].update(group)
    return cfg


def caller(at=1.0, line=1, cid="5550000001", talk=10.0, patience=150.0):
    return {"at": at, "line": line, "caller_id": cid, "keys": [{"at": 1.0, "digits": "1"}],
            "hangup": {"after_connect": talk, "patience": patience}}


def scenario(callee, calls=None, duration=90, exts=None):
    sc = {"calls": calls or [caller()], "callees": {REMOTE: callee}, "duration": duration}
    if exts:
        sc["extensions"] = exts
    return sc


def run(cfg, sc, tmp_path, engine="micropython"):
    return emulate_ok(cfg, sc, tmp_path, engine)


def board(ev, line):
    return [e for e in ev if e.get("src") == "board" and e.get("line") == line]


def test_remote_agent_accepts_and_talks_with_the_caller_through_the_codec(tmp_path):
    ev = run(config(), scenario({"answer_after": 3, "accept": "1", "accept_after": 3, "talk": 60}), tmp_path)
    call = of(ev, "answer", line=1)[0]["call"]
    dial = of(ev, "remote_dial")[0]
    # the second line, never the caller's; the exchange heard exactly the agent's number
    assert dial["line"] == 2 and dial["caller_line"] == 1 and dial["ext"] == "150"
    assert [d["number"] for d in of(ev, "dialled")] == [REMOTE]
    assert of(ev, "dialled")[0]["line"] == 2
    # the whisper played on line 2 and reached the agent before their key
    assert of(ev, "prompt", line=2)[0]["name"] == "remote_whisper"
    acc = of(ev, "remote_accepted")[0]
    assert acc["heard_ms"] >= 1000, acc
    key = of(ev, "remote_key")[0]
    con = of(ev, "connect", line=1)[0]
    assert key["accepted"] and key["t_ms"] <= con["t_ms"] <= key["t_ms"] + 20
    assert con["remote"] and con["outside_line"] == 2 and con["ext"] == "150"
    # the caller hears ringback, never the whisper; nothing joined in the crosspoint
    assert not [p for p in of(ev, "prompt", line=1) if p["name"] == "remote_whisper"]
    # the audio really through, both ways, from connect to the caller's hang-up
    rel = of(ev, "release", line=1)[0]
    talk = rel["t_ms"] - con["t_ms"]
    heard = {a["who"]: a for a in of(ev, "line_audio")}
    assert heard["caller"]["ok"] and heard["caller"]["from_line"] == 2
    assert heard["remote_agent"]["ok"] and heard["remote_agent"]["from_line"] == 1
    assert heard["caller"]["heard_ms"] >= talk - 300, (heard, talk)
    assert heard["remote_agent"]["heard_ms"] >= talk - 300, (heard, talk)
    assert not of(ev, "audio_path")          # no phone was ever joined to a line
    # every leg in one call's events; the record names the remote agent and the line
    assert all(e.get("call") == call for e in board(ev, 2)), board(ev, 2)
    assert of(ev, "remote_answer", call=call) and of(ev, "remote_dial", call=call)
    rec = of(ev, "record", line=1)[0]["record"]
    assert rec["ext"] == "150" and rec["remote_line"] == 2 and rec["outcome"] == "connected"
    assert len(of(ev, "record")) == 1         # the outside leg keeps no record of its own
    # the caller hung up: the outside line goes on-hook in the same block
    on2 = [h for h in of(ev, "hook", line=2) if h["state"] == "on"]
    assert on2 and on2[0]["t_ms"] == rel["t_ms"]
    assert rel["reason"] == "caller_hangup"


def test_remote_agent_hangs_up_first_and_the_caller_is_released(tmp_path):
    ev = run(config(), scenario({"answer_after": 2, "accept": "1", "accept_after": 2, "talk": 6},
                                calls=[caller(talk=40)]), tmp_path, "cpython")
    con = of(ev, "connect", line=1)[0]
    gone = of(ev, "remote_hangup", line=2)[0]
    rel = of(ev, "release", line=1)[0]
    assert rel["reason"] == "agent_hangup"
    assert 6000 <= gone["t_ms"] - con["t_ms"] <= 8000     # 6 s talk plus the hang-up's detection
    assert rel["t_ms"] - gone["t_ms"] <= 20                # at once
    assert of(ev, "line_audio", who="caller")[0]["ok"]


def _no_accept(ev, why):
    """The call to the remote agent ended without the key: a ring-no-answer with why, no connect."""
    rna = of(ev, "ring_noanswer", ext="150")
    assert rna and rna[0]["remote"] and rna[0]["why"] == why, rna
    end = of(ev, "remote_end", line=2)
    assert end and end[0]["why"] == why, end
    assert not of(ev, "connect", ext="150")
    return rna, end


def test_voicemail_never_keys_so_the_caller_waits_in_place_for_the_desk(tmp_path):
    # the voicemail answers and records; the desk phone is busy until 45 s
    cfg = config(members=["150", "101"])
    sc = scenario({"answer_after": 2, "talk": 80},
                  exts={"101": {"offhook_at": 0.5, "onhook_at": 45.0, "answer_after": 1.0}}, duration=120)
    ev = run(cfg, sc, tmp_path)
    rna, end = _no_accept(ev, "no_key")
    ans = of(ev, "remote_answer")[0]
    assert 14900 <= end[0]["t_ms"] - ans["t_ms"] <= 15100    # remote.KEY_MS after the answer
    # line 2 on-hook at once; the caller kept their place and the desk took them
    on2 = [h for h in of(ev, "hook", line=2) if h["state"] == "on"][0]
    assert on2["t_ms"] - end[0]["t_ms"] <= 10
    q = of(ev, "queue", line=1)
    assert len(q) == 1 and q[0]["position"] == 1
    con = of(ev, "connect", line=1)[0]
    assert con["ext"] == "101" and con["t_ms"] >= 45000
    assert of(ev, "queue_leave")[0]["reason"] == "answered"
    # not redialled sooner than remote.RETRY_MS after a failed call
    dials = of(ev, "remote_dial")
    for a, b in zip(dials, dials[1:]):
        assert b["t_ms"] - a["t_ms"] >= 15000


def test_busy_remote_number_is_a_ring_no_answer_at_once(tmp_path):
    ev = run(config(), scenario({"busy": True}, calls=[caller(patience=30)]), tmp_path, "cpython")
    rna, end = _no_accept(ev, "busy")
    assert end[0]["t_ms"] - of(ev, "remote_dial")[0]["t_ms"] < 15000   # the tone, not the ring time
    assert not of(ev, "remote_answer")


def test_someone_else_answers_and_hangs_up_without_the_key(tmp_path):
    ev = run(config(), scenario({"answer_after": 2, "talk": 2.5}, calls=[caller(patience=30)]), tmp_path,
             "cpython")
    _no_accept(ev, "hangup")


def test_remote_number_not_answered_within_its_ring_time(tmp_path):
    cfg = config()
    cfg["extensions"]["150"]["ring_ms"] = 12000
    ev = run(cfg, scenario({"answer": False}, calls=[caller(patience=25)]), tmp_path, "cpython")
    _no_accept(ev, "no_answer")
    d = of(ev, "remote_dial")[0]
    e = of(ev, "remote_end")[0]
    assert 11900 <= e["t_ms"] - d["t_ms"] <= 12100


def test_caller_hangs_up_while_the_remote_agent_is_being_called(tmp_path):
    ev = run(config(), scenario({"answer_after": 20, "accept": "1"}, calls=[caller(patience=8)]), tmp_path,
             "cpython")
    rel = of(ev, "release", line=1)[0]
    assert rel["reason"] == "caller_hangup"
    on2 = [h for h in of(ev, "hook", line=2) if h["state"] == "on"]
    assert on2 and on2[0]["t_ms"] == rel["t_ms"]      # the agent's call ends with the caller's
    assert not of(ev, "connect") and not of(ev, "callee_answer")
    assert of(ev, "record", line=1)[0]["record"]["outcome"] == "abandoned"


def test_caller_hangs_up_during_the_whisper(tmp_path):
    ev = run(config(), scenario({"answer_after": 2, "accept": "1", "accept_after": 8},
                                calls=[caller(patience=14)]), tmp_path, "cpython")
    ans = of(ev, "remote_answer")[0]
    rel = of(ev, "release", line=1)[0]
    assert ans["t_ms"] < rel["t_ms"] and not of(ev, "connect")
    on2 = [h for h in of(ev, "hook", line=2) if h["state"] == "on"]
    assert on2[0]["t_ms"] == rel["t_ms"]


def test_a_caller_rule_keeps_a_caller_from_remote_agents(tmp_path):
    cfg = config()
    cfg["callers"] = {"priority": [{"number": "5550000001",
                                    "action": {"do": "group", "to": "sales", "remote": False}}]}
    ev = run(cfg, scenario({"answer_after": 2, "accept": "1"}, calls=[caller(patience=20)]), tmp_path,
             "cpython")
    assert not of(ev, "remote_dial") and not of(ev, "seized")
    assert of(ev, "route", line=1)


def test_no_free_second_line_means_no_remote_call_until_one_is(tmp_path):
    # a caller on line 2 listens to the menu (key 2 repeats it) until 30 s
    other = {"at": 0.5, "line": 2, "caller_id": "5550000002", "keys": [{"at": 1.0, "digits": "2"}],
             "hangup": {"after": 30.0}}
    ev = run(config(), scenario({"answer_after": 2, "accept": "1", "accept_after": 2, "talk": 60},
                                calls=[other, caller(at=3.0, talk=5)]), tmp_path, "cpython")
    rel2 = of(ev, "release", line=2)[0]
    d = of(ev, "remote_dial")[0]
    assert d["t_ms"] >= rel2["t_ms"] + 1500      # once line 2 is out of its guard time
    assert d["line"] == 2 and of(ev, "connect", line=1)[0]["remote"]


def test_a_number_the_plan_refuses_is_never_dialled(tmp_path):
    cfg = config()
    cfg["extensions"]["150"]["number"] = "19005550100"    # premium rate (47 CFR 64.1501)
    ev = run(cfg, scenario({"answer_after": 2, "accept": "1"}, calls=[caller(patience=20)]), tmp_path,
             "cpython")
    ref = of(ev, "dial_refused")
    assert ref and ref[0]["why"] == "premium" and ref[0]["flow"] == "remote_agent"
    assert not of(ev, "seized") and not of(ev, "dialled")
    assert of(ev, "ring_noanswer", ext="150")[0]["why"] == "refused"


def test_a_one_line_board_never_calls_a_remote_agent(tmp_path):
    cfg = config(queue_ms=10000)
    cfg["lines"] = cfg["lines"][:1]
    ev = run(cfg, scenario({"answer_after": 2, "accept": "1"}, calls=[caller(patience=30)]), tmp_path,
             "cpython")
    assert not of(ev, "remote_dial") and not of(ev, "ext_ring")
    assert of(ev, "queue_leave")[0]["reason"] == "timeout"
