"""Transfers to outside numbers (issue 11, call/transfer.py X_OUT...) end to end on
the emulated board under micropython: the agent at 101 flashes, dials the outside
prefix 9 and a number; the board checks it (numbering plan), seizes the free line
(the pair 101 dials on), dials it (line/dialler.py) and, when 101 hangs up, bridges
the caller's line and that line through the codec. The world judges the bridge
from the audio (line_audio: each party's own voice in what the other got)."""
from emuhelp import emulate_ok, of
from test_emulator_transfer import RING_MS, WIN, caller, config, flash_dial, heard_ms

NUMBER = "6175550199"


def run(cfg, sc, tmp_path, engine="micropython"):
    return emulate_ok(cfg, sc, tmp_path, engine)


def scene(callee, then, talk=60.0, duration=100):
    return {"calls": [caller(talk=talk)], "duration": duration, "callees": {NUMBER: callee},
            "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("9" + NUMBER, then)}}}


def what(ev):
    return [e["what"] for e in of(ev, "transfer")]


def bridged(ev, who):
    return [a["heard_ms"] for a in of(ev, "line_audio", who=who)]


def test_attended_transfer_to_an_outside_number(tmp_path):
    # the callee keys 1 after answering so that the world checks both ways of the bridge
    sc = scene({"answer_after": 4.0, "talk": 40, "accept": "1", "accept_after": 2},
               [{"after": 22.0, "do": "hangup"}])
    ev = run(config(outside="9"), sc, tmp_path)
    assert what(ev) == ["hold", "dial", "consult", "done"]
    hold, dial, consult, done = of(ev, "transfer")
    assert dial["to"] == NUMBER and dial["kind"] == "outside"
    assert done["kind"] == "outside" and done["how"] == "attended" and done["outside_line"] == 2
    call = of(ev, "answer")[0]["call"]
    assert all(e["call"] == call for e in of(ev, "transfer") + of(ev, "release") + of(ev, "record"))
    # the board dialled the number on line 2, after the pause that ends it (3 s)
    keys = of(ev, "ext_keys", ext="101")[0]
    assert dial["t_ms"] - (keys["t_ms"] + 200 * 11) in range(2800, 3300)
    assert [d["number"] for d in of(ev, "dialled", line=2)] == [NUMBER]
    assert of(ev, "seized", line=2)[0]["t_ms"] - dial["t_ms"] <= 20
    # 101 heard dial tone on the pair before dialling; the caller was on hold, never heard 101
    assert heard_ms(ev, "101", "board2", hold["t_ms"], keys["t_ms"]) > 0
    assert heard_ms(ev, "line1", "101", hold["t_ms"] + WIN) == 0
    assert heard_ms(ev, "line1", "board1", hold["t_ms"], done["t_ms"]) >= 0.8 * (done["t_ms"] - hold["t_ms"])
    # handed over when 101 hung up (seen after the longest flash), then bridged both ways
    down = of(ev, "agent_hangup", ext="101")[0]
    assert done["t_ms"] - down["t_ms"] == 810
    rel = of(ev, "release", line=1)[0]
    both = rel["t_ms"] - done["t_ms"]
    caller_heard, = bridged(ev, "caller")
    callee_heard, = bridged(ev, "remote_agent")
    assert caller_heard >= 0.9 * both and callee_heard >= 0.9 * both, (caller_heard, callee_heard, both)
    assert rel["reason"] == "caller_hangup"
    hooks = of(ev, "hook", line=2)
    assert [h["state"] for h in hooks] == ["off", "on"] and hooks[1]["t_ms"] == rel["t_ms"]
    # 101's call ended at the hand-over: the wrap-up from then
    assert of(ev, "agent", ext="101", state="wrapup")[0]["t_ms"] == done["t_ms"]
    rec = of(ev, "record")[0]["record"]
    assert rec["transfer"][0]["kind"] == "outside" and rec["transfer"][0]["to"] == "outside"
    assert rec["ext"] == "101" and rec["outside_line"] == 2 and NUMBER not in str(rec)


def test_blind_transfer_to_an_outside_number(tmp_path):
    # 101 ends the number with '#' (no pause) and hangs up 1 s later: the caller hears
    # the outside line's progress, then talks
    sc = scene({"answer_after": 4.0, "talk": 30, "accept": "1", "accept_after": 2},
               [{"after": 1.0, "do": "hangup"}], talk=50.0)
    sc["extensions"]["101"]["actions"] = flash_dial("9" + NUMBER + "#", [{"after": 1.0, "do": "hangup"}])
    ev = run(config(outside="9"), sc, tmp_path)
    assert what(ev) == ["hold", "dial", "blind", "done"], what(ev)
    keys = of(ev, "ext_keys", ext="101")[0]
    assert of(ev, "transfer", what="dial")[0]["t_ms"] - (keys["t_ms"] + 200 * 12) <= 100   # '#': at once
    done = of(ev, "transfer", what="done")[0]
    assert done["how"] == "blind"
    ans = of(ev, "callee_answer", line=2)[0]
    assert 0 <= done["t_ms"] - ans["t_ms"] <= 600          # the answer (0.4 s of voice) is the hand-over
    rel = of(ev, "release", line=1)[0]
    caller_heard, = bridged(ev, "caller")
    assert caller_heard >= 0.9 * (rel["t_ms"] - done["t_ms"])


def test_an_outside_number_nobody_answers_comes_back(tmp_path):
    sc = scene({"answer": False}, [{"after": 30.0, "do": "hangup"}], talk=60.0)
    ev = run(config(outside="9"), sc, tmp_path)
    back = of(ev, "transfer", what="back")
    assert len(back) == 1 and back[0]["why"] == "no_answer"
    seized = of(ev, "hook", line=2, state="off")[0]["t_ms"]
    assert back[0]["t_ms"] - seized == 9000 + RING_MS          # dial time + the transfer's ring time
    on = [h for h in of(ev, "hook", line=2) if h["state"] == "on"][0]
    assert on["t_ms"] == back[0]["t_ms"]
    # 101 talks to the caller again
    assert heard_ms(ev, "line1", "101", back[0]["t_ms"] + 200, back[0]["t_ms"] + 5000) >= 4000


def test_a_busy_outside_number_comes_back(tmp_path):
    sc = scene({"busy": True}, [{"after": 20.0, "do": "hangup"}], talk=50.0)
    ev = run(config(outside="9"), sc, tmp_path)
    back = of(ev, "transfer", what="back")
    assert len(back) == 1 and back[0]["why"] == "busy"
    assert heard_ms(ev, "line1", "101", back[0]["t_ms"] + 200, back[0]["t_ms"] + 5000) >= 4000


def test_a_number_the_plan_refuses_is_never_dialled(tmp_path):
    sc = scene({"answer_after": 1.0}, [{"after": 14.0, "do": "hangup"}], talk=40.0)
    sc["extensions"]["101"]["actions"] = flash_dial("919005550199", [{"after": 14.0, "do": "hangup"}])
    ev = run(config(outside="9"), sc, tmp_path)
    ref = of(ev, "dial_refused")
    assert len(ref) == 1 and ref[0]["why"] == "premium" and ref[0]["flow"] == "transfer"
    assert not of(ev, "seized") and not of(ev, "dialled")
    failed = of(ev, "transfer", what="failed")[0]
    assert failed["why"] == "premium"
    assert heard_ms(ev, "101", "board2", failed["t_ms"], failed["t_ms"] + 3000) >= 1000   # reorder
    assert of(ev, "record")[0]["record"]["dial_refused"] == "premium"


def test_a_caller_rule_keeps_the_caller_on_the_boards_phones(tmp_path):
    cfg = config(outside="9")
    cfg["callers"] = {"priority": [{"number": "6175550142",
                                    "action": {"do": "group", "to": "sales", "remote": False}}]}
    sc = scene({"answer_after": 1.0}, [{"after": 14.0, "do": "hangup"}], talk=40.0)
    ev = run(cfg, sc, tmp_path)
    failed = of(ev, "transfer", what="failed")
    assert failed and failed[0]["why"] == "caller_rule", of(ev, "transfer")
    assert not of(ev, "seized") and not of(ev, "dialled")


def test_a_flash_with_both_lines_busy_is_refused_with_a_tone(tmp_path):
    cfg = config(outside="9")
    cfg["groups"]["sales"]["members"] = ["101", "102"]
    sc = {"calls": [caller(talk=30.0), caller(at=2.0, line=2, talk=30.0, number="6175550143")], "duration": 60,
          "extensions": {"101": {"answer_after": 0.5, "actions": [{"after": 5.0, "do": "flash"}]},
                         "102": {"answer_after": 0.5}}}
    ev = run(cfg, sc, tmp_path)
    ref = of(ev, "transfer")
    assert [(e["what"], e["why"]) for e in ref] == [("refused", "no_free_line")]
    t = ref[0]["t_ms"]
    # the reorder for a second on the pair 101 and the caller share, then nothing of the board
    assert heard_ms(ev, "101", "board1", t, t + 1000) >= 300
    assert heard_ms(ev, "101", "board1", t + 1000 + 2 * WIN, t + 10000) == 0
    assert heard_ms(ev, "line1", "101", t + 1000, t + 10000) >= 8500
