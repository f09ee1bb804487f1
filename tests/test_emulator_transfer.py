"""Hook-flash transfers and supervisor escalation (call/transfer.py, line/hookflash.py)
end to end on the emulated board under micropython: the agent at 101 flashes the
hook, dials, talks or hangs up, as a scenario's `actions` say. Who really heard
whom comes from the world's audio check (`heard`: a talker's own voice found in
what a listener got, per 100 ms), never from the board's word; every leg's board
event carries the one call id."""
import copy

from emuhelp import emulate_ok, of
from test_emulator_agents import config as agents_config

RING_MS = 8000      # the transfer ring time in these configs (the default is 15 s)
WIN = 100           # ms: the world judges who hears whom per 100 ms (emu/world.py HEAR_WINDOW_BLOCKS)


def config(**transfer):
    cfg = agents_config(acd=True, strategy="linear")
    cfg["groups"]["sales"]["members"] = ["101"]
    t = {"supervisor": "104", "join": "*55", "takeover": "*56", "ring_ms": RING_MS, "recall_ms": RING_MS}
    t.update(transfer)
    cfg["transfer"] = t
    return cfg


def caller(at=1.0, line=1, talk=40.0, number="6175550142"):
    return {"at": at, "line": line, "caller_id": number, "keys": [{"at": 1.0, "digits": "1"}],
            "hangup": {"after_connect": talk}}


def flash_dial(digits, then=None):
    """101 talks 4 s, flashes, dials 1.5 s later, then does `then` (a list of actions)."""
    return [{"after": 4.0, "do": "flash"}, {"after": 1.5, "do": "dial", "digits": digits}] + (then or [])


def run(cfg, sc, tmp_path, engine="micropython"):
    return emulate_ok(cfg, sc, tmp_path, engine)


def heard(ev, listener, talker):
    """[(start_ms, end_ms)] the world found `talker`'s voice in what `listener` got."""
    return [(h["start_ms"], h["end_ms"]) for h in of(ev, "heard", listener=listener, talker=talker)]


def heard_ms(ev, listener, talker, t0=0, t1=10 ** 9):
    """How long `listener` heard `talker` between t0 and t1."""
    return sum(max(0, min(e, t1) - max(s, t0)) for s, e in heard(ev, listener, talker))


def one_call(ev):
    """The call id, after checking that every board event of the call (rings of
    every leg, transfers, the release and the record) carries it."""
    ans = of(ev, "answer")
    assert len(ans) == 1
    call = ans[0]["call"]
    for name in ("ext_ring", "transfer", "supervisor", "connect", "release", "record", "ring_noanswer"):
        for e in of(ev, name):
            assert e["call"] == call, e
    return call


def xfers(rec):
    """The record's transfers without their times (each must have one: ms after the connect)."""
    out = []
    for e in rec.get("transfer", []):
        assert type(e.get("ms")) is int and e["ms"] > 0, e
        out.append({k: v for k, v in e.items() if k != "ms"})
    return out


def what(ev):
    return [e["what"] for e in of(ev, "transfer")]


def test_blind_transfer(tmp_path):
    sc = {"calls": [caller()], "duration": 60,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("102", [{"after": 1.0, "do": "hangup"}])},
                         "102": {"answer_after": 2.0}}}
    ev = run(config(), sc, tmp_path)
    call = one_call(ev)
    assert what(ev) == ["hold", "dial", "blind", "done"]
    hold, dial, blind, done = of(ev, "transfer")
    assert dial["to"] == "102" and done["kind"] == "blind" and done["ext"] == "101" and done["to"] == "102"
    # the flash (300 ms on-hook) did not drop the call: the board saw it as the flash it was
    flash = of(ev, "flash", ext="101")[0]
    assert hold["t_ms"] == flash["t_ms"] + flash["ms"]
    # 101's hang-up is seen once the on-hook is longer than the longest flash (800 ms)
    down = [h for h in of(ev, "agent_hangup", ext="101") if h["t_ms"] < blind["t_ms"]][-1]
    assert blind["t_ms"] - down["t_ms"] == 810
    # before the flash caller and 101 heard each other; on hold the caller heard the board
    # (hold music), never 101 again; after the transfer caller and 102 heard each other
    assert heard_ms(ev, "line1", "101", 0, hold["t_ms"]) >= 3500
    assert heard_ms(ev, "101", "line1", 0, hold["t_ms"]) >= 3500
    assert heard_ms(ev, "line1", "101", hold["t_ms"] + WIN) == 0
    assert heard_ms(ev, "line1", "board1", hold["t_ms"], blind["t_ms"]) >= 0.8 * (blind["t_ms"] - hold["t_ms"])
    assert heard_ms(ev, "101", "board2", hold["t_ms"], dial["t_ms"]) > 0       # dial tone, on the other pair
    rel = of(ev, "release")[0]
    assert heard_ms(ev, "line1", "102", done["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - done["t_ms"] - 200)
    assert heard_ms(ev, "102", "line1", done["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - done["t_ms"] - 200)
    assert heard_ms(ev, "102", "101") == 0 and heard_ms(ev, "line1", "102", 0, done["t_ms"] - WIN) == 0
    assert rel["reason"] == "caller_hangup"
    rec = of(ev, "record")[0]["record"]
    assert rec["ext"] == "102" and xfers(rec) == [{"kind": "blind", "from": "101", "to": "102"}], rec
    # 101's call ended when 101 hung up: its wrap-up started then, not at the caller's end
    wrap = of(ev, "agent", ext="101", state="wrapup")
    assert wrap and wrap[0]["t_ms"] == blind["t_ms"]
    assert [c["ext"] for c in of(ev, "connect")] == ["101"]


def test_attended_transfer(tmp_path):
    sc = {"calls": [caller()], "duration": 60,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("102", [{"after": 9.0, "do": "hangup"}])},
                         "102": {"answer_after": 2.0}}}
    ev = run(config(), sc, tmp_path)
    one_call(ev)
    assert what(ev) == ["hold", "dial", "consult", "done"]
    hold, dial, consult, done = of(ev, "transfer")
    assert done["kind"] == "attended" and done["to"] == "102"
    # the consultation: 101 and 102 heard each other, the caller heard neither (hold music)
    assert heard_ms(ev, "101", "102", consult["t_ms"], done["t_ms"]) >= 0.8 * (done["t_ms"] - consult["t_ms"] - 810)
    assert heard_ms(ev, "102", "101", consult["t_ms"], done["t_ms"]) >= 0.8 * (done["t_ms"] - consult["t_ms"] - 810)
    assert heard_ms(ev, "line1", "101", hold["t_ms"] + WIN, done["t_ms"]) == 0
    assert heard_ms(ev, "line1", "102", 0, done["t_ms"] - WIN) == 0
    assert heard_ms(ev, "102", "line1", 0, done["t_ms"] - WIN) == 0
    assert heard_ms(ev, "line1", "board1", consult["t_ms"], done["t_ms"]) > 0
    # then 102 has the caller
    rel = of(ev, "release")[0]
    assert heard_ms(ev, "line1", "102", done["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - done["t_ms"] - 200)
    assert heard_ms(ev, "102", "line1", done["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - done["t_ms"] - 200)
    rec = of(ev, "record")[0]["record"]
    assert rec["ext"] == "102" and xfers(rec) == [{"kind": "attended", "from": "101", "to": "102"}]


def test_flash_again_takes_the_caller_back(tmp_path):
    # 101 consults 102, then flashes: 102 is dropped and 101 talks to the caller again
    sc = {"calls": [caller(talk=30.0)], "duration": 60,
          "extensions": {"101": {"answer_after": 0.5,
                                 "actions": flash_dial("102", [{"after": 7.0, "do": "flash"}])},
                         "102": {"answer_after": 2.0}}}
    ev = run(config(), sc, tmp_path)
    one_call(ev)
    assert what(ev) == ["hold", "dial", "consult", "back"]
    back = of(ev, "transfer", what="back")[0]
    assert back["why"] == "cancel"
    rel = of(ev, "release")[0]
    assert heard_ms(ev, "line1", "101", back["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - back["t_ms"] - 200)
    assert heard_ms(ev, "line1", "102") == 0 and heard_ms(ev, "102", "101", back["t_ms"] + WIN) == 0
    assert rel["reason"] == "caller_hangup"
    rec = of(ev, "record")[0]["record"]
    assert rec["ext"] == "101" and "transfer" not in rec or xfers(rec)[0]["kind"] == "back"


def test_a_transfer_nobody_answers_comes_back_to_the_agent(tmp_path):
    # 101 stays on the phone while 102 rings out: after the ring time 101 has the caller again
    sc = {"calls": [caller(talk=40.0)], "duration": 70,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("102", [{"after": 16.0, "do": "hangup"}])},
                         "102": {"answer": False}}}
    ev = run(config(), sc, tmp_path)
    one_call(ev)
    assert what(ev) == ["hold", "dial", "back"]
    dial, back = of(ev, "transfer", what="dial")[0], of(ev, "transfer", what="back")[0]
    assert back["why"] == "no_answer" and back["to"] == "102"
    assert back["t_ms"] - dial["t_ms"] == RING_MS
    nr = of(ev, "ring_noanswer", ext="102")
    assert len(nr) == 1 and nr[0]["ring_ms"] == RING_MS
    assert heard_ms(ev, "line1", "101", back["t_ms"], back["t_ms"] + 6000) >= 5000
    # then 101 hangs up: an ordinary end, seen after the longest flash
    rel = of(ev, "release")[0]
    assert rel["reason"] == "agent_hangup"
    rec = of(ev, "record")[0]["record"]
    assert rec["ext"] == "101" and xfers(rec) == [{"kind": "back", "from": "101", "to": "102",
                                                        "why": "no_answer"}]


def test_a_blind_transfer_nobody_answers_rings_the_agent_back(tmp_path):
    sc = {"calls": [caller(talk=50.0)], "duration": 80,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("102", [{"after": 1.0, "do": "hangup"}])},
                         "102": {"answer": False}}}
    ev = run(config(), sc, tmp_path)
    one_call(ev)
    assert what(ev) == ["hold", "dial", "blind", "recall", "back"]
    blind, recall, back = [of(ev, "transfer", what=w)[0] for w in ("blind", "recall", "back")]
    assert recall["why"] == "no_answer" and back["why"] == "recall"
    rings = [r for r in of(ev, "ext_ring", ext="101") if r["t_ms"] > blind["t_ms"]]
    assert rings and rings[0]["t_ms"] == recall["t_ms"]
    # while 102 rang the caller heard ringback (the board), not silence
    assert heard_ms(ev, "line1", "board1", blind["t_ms"], recall["t_ms"]) > 0.3 * (recall["t_ms"] - blind["t_ms"])
    rel = of(ev, "release")[0]
    assert heard_ms(ev, "line1", "101", back["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - back["t_ms"] - 200)
    rec = of(ev, "record")[0]["record"]
    assert rec["ext"] == "101"


def test_the_agent_gone_too_the_call_takes_the_routes_fallback(tmp_path):
    # 101 hangs up after dialling and walks away; 102 does not answer, nor does 101's
    # phone when it rings back: the call goes where a call nobody answered goes (103)
    cfg = config()
    cfg["on_no_answer"] = {"do": "ext", "to": "103"}
    sc = {"calls": [caller(talk=60.0)], "duration": 90,
          "extensions": {"101": {"answer_after": 0.5,
                                 "actions": flash_dial("102", [{"after": 1.0, "do": "hangup"},
                                                               {"after": 0.0, "do": "leave"}])},
                         "102": {"answer": False}, "103": {"answer_after": 1.0}}}
    ev = run(cfg, sc, tmp_path)
    one_call(ev)
    assert what(ev) == ["hold", "dial", "blind", "recall", "failed"]
    failed = of(ev, "transfer", what="failed")[0]
    assert failed["why"] == "recall_no_answer"
    assert of(ev, "route_failed")[0]["t_ms"] == failed["t_ms"]
    conn = of(ev, "connect")
    assert [c["ext"] for c in conn] == ["101", "103"]
    rel = of(ev, "release")[0]
    assert heard_ms(ev, "line1", "103", conn[1]["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - conn[1]["t_ms"] - 200)
    assert of(ev, "record")[0]["record"]["ext"] == "103"


def test_supervisor_joins_and_keeps_the_caller(tmp_path):
    sc = {"calls": [caller(talk=40.0)], "duration": 70,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("*55", [{"after": 12.0, "do": "hangup"}])},
                         "104": {"answer_after": 1.0}}}
    ev = run(config(), sc, tmp_path)
    one_call(ev)
    join = of(ev, "supervisor", what="join")[0]
    kept = of(ev, "supervisor", what="kept")[0]
    assert join["ext"] == "104" and join["agent"] == "101" and kept["ext"] == "104"
    # the three-way: each of caller, agent and supervisor heard both others
    span = kept["t_ms"] - join["t_ms"] - 810 - 200
    for a, b in (("line1", "101"), ("line1", "104"), ("101", "104")):
        assert heard_ms(ev, a, b, join["t_ms"], kept["t_ms"]) >= 0.9 * span, (a, b, heard(ev, a, b))
        assert heard_ms(ev, b, a, join["t_ms"], kept["t_ms"]) >= 0.9 * span, (b, a, heard(ev, b, a))
    # 101 hung up: the supervisor goes on with the caller alone
    rel = of(ev, "release")[0]
    assert heard_ms(ev, "line1", "104", kept["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - kept["t_ms"] - 200)
    assert heard_ms(ev, "line1", "101", kept["t_ms"] + WIN) == 0
    rec = of(ev, "record")[0]["record"]
    assert rec["ext"] == "104"
    assert xfers(rec) == [{"kind": "join", "from": "101", "to": "104"},
                               {"kind": "kept", "from": "101", "to": "104"}]


def test_supervisor_takes_over(tmp_path):
    sc = {"calls": [caller(talk=40.0)], "duration": 70,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("*56")},
                         "104": {"answer_after": 1.0}}}
    ev = run(config(), sc, tmp_path)
    one_call(ev)
    take = of(ev, "supervisor", what="takeover")[0]
    assert take["ext"] == "104" and take["agent"] == "101"
    rel = of(ev, "release")[0]
    assert heard_ms(ev, "line1", "104", take["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - take["t_ms"] - 200)
    assert heard_ms(ev, "104", "line1", take["t_ms"], rel["t_ms"]) >= 0.9 * (rel["t_ms"] - take["t_ms"] - 200)
    hold = of(ev, "transfer", what="hold")[0]
    assert heard_ms(ev, "101", "line1", hold["t_ms"] + WIN) == 0 and heard_ms(ev, "104", "101") == 0
    # the agent was dropped: its call ended (wrap-up) when the supervisor took it
    assert of(ev, "agent", ext="101", state="wrapup")[0]["t_ms"] == take["t_ms"]
    rec = of(ev, "record")[0]["record"]
    assert rec["ext"] == "104" and xfers(rec) == [{"kind": "takeover", "from": "101", "to": "104"}]


def test_a_flash_with_both_lines_busy_leaves_the_agent_with_the_caller(tmp_path):
    cfg = config()
    cfg["groups"]["sales"]["members"] = ["101", "102"]
    sc = {"calls": [caller(talk=30.0), caller(at=2.0, line=2, talk=30.0, number="6175550143")], "duration": 60,
          "extensions": {"101": {"answer_after": 0.5, "actions": [{"after": 5.0, "do": "flash"}]},
                         "102": {"answer_after": 0.5}}}
    ev = run(cfg, sc, tmp_path)
    ref = of(ev, "transfer")
    assert [(e["what"], e["why"]) for e in ref] == [("refused", "no_free_line")]
    flash = of(ev, "flash", ext="101")[0]
    assert ref[0]["t_ms"] == flash["t_ms"] + flash["ms"]
    # the flash did not drop the call: the caller and 101 went on talking until the caller hung up
    rel = of(ev, "release", line=1)[0]
    assert rel["reason"] == "caller_hangup"
    assert heard_ms(ev, "line1", "101", flash["t_ms"] + 1000, rel["t_ms"]) >= 0.9 * (rel["t_ms"] - flash["t_ms"] - 1200)


def test_a_call_on_the_lent_line_waits_for_the_transfer(tmp_path):
    # 101 consults 102 on line 2's pair; a caller rings line 2 meanwhile: the board
    # answers only once the transfer has given the pair back, and that caller is served
    cfg = config()
    sc = {"calls": [caller(talk=30.0), caller(at=12.0, line=2, talk=10.0, number="6175550143")], "duration": 70,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("102", [{"after": 10.0, "do": "hangup"}])},
                         "102": {"answer_after": 2.0}}}
    ev = run(cfg, sc, tmp_path)
    done = of(ev, "transfer", what="done")[0]
    ring2 = of(ev, "ring", line=2)
    ans2 = of(ev, "answer", line=2)
    assert ring2 and ring2[0]["t_ms"] < done["t_ms"]            # it rang during the consultation
    assert ans2 and ans2[0]["t_ms"] >= done["t_ms"]              # answered once the pair was back
    assert ans2[0]["call"] != done["call"]
    hook2 = of(ev, "hook", line=2, state="off")
    assert hook2 and hook2[0]["t_ms"] >= done["t_ms"]            # the trunk never met the consultation
    # then that caller is served like any other (101 again, after its wrap-up)
    conn2 = of(ev, "connect", line=2)
    assert conn2 and conn2[0]["call"] == ans2[0]["call"]
    assert heard_ms(ev, "line2", conn2[0]["ext"], conn2[0]["t_ms"]) >= 5000


def test_caller_hangs_up_on_hold(tmp_path):
    # the caller gives up while 102 rings for the transfer: everything stops, the pair is free again
    sc = {"calls": [caller(talk=9.0), caller(at=30.0, line=2, talk=5.0, number="6175550143")], "duration": 60,
          "extensions": {"101": {"answer_after": 0.5, "actions": flash_dial("102")},
                         "102": {"answer": False}}}
    ev = run(config(), sc, tmp_path)
    rel = of(ev, "release", line=1)[0]
    assert rel["reason"] == "caller_hangup"
    assert not [r for r in of(ev, "ext_ring", ext="102") if r["t_ms"] > rel["t_ms"]]
    # the next call on line 2 is answered as usual
    assert of(ev, "answer", line=2)
    rec = of(ev, "record")[0]["record"]
    assert rec["outcome"] == "connected" and rec["ext"] == "101"
