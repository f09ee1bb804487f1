"""Calling another extension from the handset (issue 11, call/intercom.py) end to
end on the emulated board under micropython: an agent lifts the phone and dials
an extension's number; that phone rings; both talk; either hangs up. Who heard
whom comes from the world's audio check (`heard`), never from the board's word.
Busy, DND and logged-out targets give the busy tone; each call is one record of
its own kind (direction "internal"), never an inbound call. The pair: the
highest-numbered idle line (the exchange hunts from line 1); a call ringing it
moves the call to another free pair, or waits while two phones talk. A flash is
never a hang-up: a phone put down is seen FLASH_MAX_MS later."""
import pytest

from emuhelp import emulate_ok, of
from test_emulator_agents import config as agents_config
from rrfw.line.hookflash import FLASH_MAX_MS

WIN = 100           # ms: the world judges who hears whom per 100 ms (emu/world.py)
BLOCK = 10          # ms


def seen_down(end_t, down_t):
    """A hang-up is taken once the hook has been down longer than a flash (line/hookflash.py)."""
    return FLASH_MAX_MS < end_t - down_t <= FLASH_MAX_MS + 2 * BLOCK


def config(ring_ms=None, acd=True):
    cfg = agents_config(acd=acd)
    cfg["intercom"] = {} if ring_ms is None else {"ring_ms": ring_ms}
    cfg["feature_codes"] = {"*41": ["agent", "login"], "*42": ["agent", "logout"],
                            "*45": ["agent", "dnd"], "*46": ["agent", "dnd_off"]}
    return cfg


def run(cfg, sc, tmp_path, engine="micropython"):
    return emulate_ok(cfg, sc, tmp_path, engine)


def heard_ms(ev, listener, talker, t0=0, t1=10 ** 9):
    return sum(max(0, min(h["end_ms"], t1) - max(h["start_ms"], t0))
               for h in of(ev, "heard", listener=listener, talker=talker))


def longest_heard(ev, listener, talker, t0=0, t1=10 ** 9):
    """The longest stretch `listener` heard `talker` within t0..t1 (ms). The world
    now and then finds a talker in one 100 ms window where a prompt starts (little
    of its power there): a real path is heard for seconds."""
    return max([min(h["end_ms"], t1) - max(h["start_ms"], t0)
                for h in of(ev, "heard", listener=listener, talker=talker)] + [0])


def records(ev):
    return [e["record"] for e in of(ev, "record")]


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_intercom_rings_the_other_phone_and_they_talk(tmp_path, engine):
    # 101 lifts at 2 s and dials 102, then stays 12 s on the phone; 102 answers after 3 s
    sc = {"duration": 30, "extensions": {"101": {"dial": {"at": 2, "digits": "102", "stay": 12}},
                                         "102": {"answer_after": 3.0}}}
    ev = run(config(), sc, tmp_path, engine)
    ring, answer, end = of(ev, "intercom")
    assert (ring["what"], answer["what"], end["what"]) == ("ring", "answer", "end")
    assert ring["ext"] == "101" and ring["to"] == "102" and end["why"] == "caller_hangup"
    assert of(ev, "ext_ring", ext="102")[0]["t_ms"] == ring["t_ms"]
    lifted = of(ev, "agent_answer", ext="102")[0]["t_ms"]
    assert 3000 <= lifted - ring["t_ms"] <= 6100 + 100      # the first ring burst at or after 3 s
    assert answer["t_ms"] - lifted <= 10                     # the ring tripped in the block it lifted
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    assert seen_down(end["t_ms"], down)
    # they really talked: each heard the other's own voice from the answer to the hang-up
    talk = end["t_ms"] - answer["t_ms"]
    spoke = down - answer["t_ms"]
    assert spoke > 5000
    assert heard_ms(ev, "101", "102", answer["t_ms"], down) >= 0.9 * spoke - 2 * WIN
    assert heard_ms(ev, "102", "101", answer["t_ms"], down) >= 0.9 * spoke - 2 * WIN
    assert heard_ms(ev, "101", "102", 0, answer["t_ms"] - WIN) == 0    # nothing before the answer (one window)
    # ringback on the pair: line 2's, both lines idle (the exchange rings line 1 first)
    assert heard_ms(ev, "101", "board2", ring["t_ms"], answer["t_ms"] - WIN) > 0
    assert heard_ms(ev, "101", "board1") == 0
    assert heard_ms(ev, "102", "101", end["t_ms"] + WIN) == 0    # and nothing after the end
    # one record of its own kind, never an inbound call
    recs = records(ev)
    assert len(recs) == 1
    rec = recs[0]
    assert rec["direction"] == "internal" and rec["kind"] == "intercom" and rec["outcome"] == "connected"
    assert rec["from_ext"] == "101" and rec["target"] == "102" and rec["ext"] == "102"
    assert rec["connect_ms"] == answer["t_ms"] and rec["end_ms"] == end["t_ms"]
    assert rec["talk_ms"] == talk and rec["release"] == "caller_hangup"
    assert of(ev, "record")[0]["call"] == rec["call"] == ring["call"] == end["call"]
    assert not of(ev, "answer") and not of(ev, "connect")   # no line answered: no inbound call
    # 102's agent state is untouched (no wrap-up, no call counted for the queue):
    # the only state event is the one every agent gets at boot
    assert [(a["state"], a["why"]) for a in of(ev, "agent", ext="102")] == [("available", "boot")]


def test_intercom_the_called_phone_hangs_up_first(tmp_path):
    sc = {"duration": 40, "extensions": {"101": {"dial": {"at": 2, "digits": "103", "stay": 25}},
                                         "103": {"answer_after": 1.0, "hangup_after": 6.0}}}
    ev = run(config(), sc, tmp_path)
    end = of(ev, "intercom", what="end")[0]
    assert end["why"] == "agent_hangup" and end["ext"] == "101" and end["to"] == "103"
    down = of(ev, "agent_hangup", ext="103")[0]["t_ms"]
    assert seen_down(end["t_ms"], down)
    rec = records(ev)[0]
    assert (rec["outcome"] == "connected" and rec["release"] == "agent_hangup"
            and 5000 + FLASH_MAX_MS <= rec["talk_ms"] <= 6000 + FLASH_MAX_MS + 2 * BLOCK)
    # 101, still off-hook, hears the busy tone (the board's output on the pair), not 103
    assert heard_ms(ev, "101", "board2", end["t_ms"] + WIN) > 0
    assert heard_ms(ev, "101", "103", end["t_ms"] + WIN) == 0


def test_intercom_busy_dnd_and_logged_out_targets_give_the_busy_tone(tmp_path):
    # 102 is on DND (its code at 1 s), 103 logs out (at 8 s), 104 talks to a caller
    # on line 1 (key 4); 101 calls each in turn: never a ring, the busy tone each time
    cfg = config()
    cfg["menus"]["main"]["keys"]["4"] = {"do": "ext", "to": "104"}
    sc = {"duration": 60,
          "calls": [{"at": 14.0, "line": 1, "caller_id": "6175550142", "keys": [{"at": 1.0, "digits": "4"}],
                     "hangup": {"after_connect": 40.0}}],
          "extensions": {"102": {"dial": {"at": 1, "digits": "*45"}},
                         "103": {"dial": {"at": 8, "digits": "*42"}},
                         "104": {"answer_after": 1.0},
                         "101": {"dial": [{"at": 24, "digits": "102"}, {"at": 32, "digits": "103"},
                                          {"at": 40, "digits": "104"}]}}}
    ev = run(cfg, sc, tmp_path)
    busy = of(ev, "intercom")
    assert [(b["what"], b["to"], b["why"]) for b in busy] == [("busy", "102", "dnd"), ("busy", "103", "logged_out"),
                                                              ("busy", "104", "busy")], busy
    assert [e["ext"] for e in of(ev, "ext_ring")] == ["104"]   # the caller's ring only: 101 rang nobody
    for b in busy:
        # 101 heard the board on the pair after dialling: the busy tone, on half the time
        # (500 ms on / 500 ms off); nobody else's voice
        assert 800 <= heard_ms(ev, "101", "board2", b["t_ms"], b["t_ms"] + 2000) <= 1400, b
        # (the world finds a talker's voice in the phone's own keys now and then: from the busy on)
        assert heard_ms(ev, "101", b["to"], b["t_ms"] + WIN, b["t_ms"] + 2500) == 0, b
    recs = [r for r in records(ev) if r.get("direction") == "internal"]
    assert [(r["target"], r["outcome"], r["release"]) for r in recs] == [
        ("102", "busy", "dnd"), ("103", "busy", "logged_out"), ("104", "busy", "busy")]
    assert all(r["kind"] == "intercom" and "talk_ms" not in r for r in recs)
    assert all(r["line"] == 2 for r in recs)               # line 1 has the caller: line 2's pair
    # the caller's own call went on untouched: one inbound record, 104 connected throughout
    inbound = [r for r in records(ev) if r.get("direction") != "internal"]
    assert len(inbound) == 1 and inbound[0]["ext"] == "104" and inbound[0]["outcome"] == "connected"


def test_intercom_nobody_answers_then_busy_tone(tmp_path):
    sc = {"duration": 40, "extensions": {"101": {"dial": {"at": 2, "digits": "102", "stay": 20}},
                                         "102": {"answer": False}}}
    ev = run(config(ring_ms=9000), sc, tmp_path)
    ring, end = of(ev, "intercom")
    assert end["why"] == "no_answer" and end["t_ms"] - ring["t_ms"] == 9000
    rec = records(ev)[0]
    assert rec["outcome"] == "no_answer" and rec["ext"] is None
    # the busy tone (on half the time) from the end, where there was ringback before
    assert 1000 <= heard_ms(ev, "101", "board2", end["t_ms"], end["t_ms"] + 3000) <= 2000


def test_intercom_a_caller_hanging_up_while_it_rings_cancels_it(tmp_path):
    # 102 would lift once it has rung 12 s: it never does, the ring stopped with the hang-up
    sc = {"duration": 40, "extensions": {"101": {"dial": {"at": 2, "digits": "102", "stay": 2}},
                                         "102": {"answer_after": 12.0}}}
    ev = run(config(ring_ms=30000), sc, tmp_path)
    ring, end = of(ev, "intercom")
    assert end["why"] == "caller_hangup" and end["t_ms"] - ring["t_ms"] < 5000
    rec = records(ev)[0]
    assert rec["outcome"] == "cancelled" and rec.get("talk_ms") is None
    assert not of(ev, "agent_answer", ext="102")


def test_intercom_without_the_section_dials_nothing(tmp_path):
    cfg = config()
    del cfg["intercom"]
    sc = {"duration": 20, "extensions": {"101": {"dial": {"at": 2, "digits": "102"}},
                                         "102": {"answer_after": 1.0}}}
    ev = run(cfg, sc, tmp_path)
    assert not of(ev, "intercom") and not of(ev, "ext_ring") and not records(ev)
    fc = of(ev, "feature_code", ext="101")
    assert fc and fc[0]["ok"] is False                       # an unknown code: the error tone


def test_intercom_records_are_no_inbound_calls_in_the_report():
    from ringroute import slreport
    inbound = {"call": 1, "line": 1, "utc": 1767607200, "ring_ms": 1000, "answer_ms": 1500, "route_ms": 4000,
               "connect_ms": 7000, "end_ms": 30000, "ext": "101", "outcome": "connected",
               "release": "caller_hangup"}
    ic = {"call": 2, "line": 2, "utc": 1767607300, "direction": "internal", "kind": "intercom",
          "from_ext": "101", "target": "102", "ext": None, "ring_ms": 40000, "connect_ms": None,
          "end_ms": 49000, "release": "no_answer", "outcome": "no_answer"}
    alone = slreport.summarise([inbound])
    both = slreport.summarise([inbound, ic, dict(ic, call=3, outcome="connected", connect_ms=43000)])
    assert both == alone


# --- the pair: moved when a call rings it, kept while two phones talk -----------------

def with_operator_key(cfg):
    cfg["menus"]["main"]["keys"]["4"] = {"do": "ext", "to": "104"}
    return cfg


def to_104(at, line, talk):
    """A caller who keys 4 (extension 104) and talks `talk` s."""
    return {"at": at, "line": line, "caller_id": "61755501%02d" % (at % 100),
            "keys": [{"at": 1.0, "digits": "4"}], "hangup": {"after_connect": talk}}


def answers(ev, line):
    return [e["t_ms"] for e in of(ev, "answer") if e["line"] == line]


def rung(ev, line):
    """When the world's caller started ringing `line`."""
    return [e["t_ms"] for e in of(ev, "call") if e.get("src") == "world" and e["line"] == line]


def test_a_call_ringing_the_pair_moves_the_talk_to_the_other_line(tmp_path):
    # both lines idle: the intercom takes line 2's pair; a call rings line 2 at 10 s;
    # the two phones go to line 1's pair in that block and go on talking; line 2 answers
    sc = {"duration": 40, "calls": [to_104(10, 2, 8.0)],
          "extensions": {"101": {"dial": {"at": 2, "digits": "102", "stay": 20}},
                         "102": {"answer_after": 1.0}, "104": {"answer_after": 1.0}}}
    ev = run(with_operator_key(config()), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "moved", "end"], ic
    answer, moved, end = ic[1], ic[2], ic[3]
    assert moved["line"] == 1 and end["why"] == "caller_hangup"
    pair = of(ev, "ext_pair")
    assert [(p["ext"], p["from_line"], p["to_line"]) for p in pair] == [("101", 2, 1)]
    assert pair[0]["t_ms"] == moved["t_ms"]
    ring2 = [e["t_ms"] for e in of(ev, "ring") if e.get("line") == 2 and e.get("src") != "world"][0]
    assert ring2 - BLOCK <= moved["t_ms"] <= ring2 + BLOCK        # moved as soon as the ring was seen
    a2 = answers(ev, 2)
    assert a2 and a2[0] - moved["t_ms"] <= 2 * BLOCK             # line 2 answers its call at once
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    assert seen_down(end["t_ms"], down)
    # the two heard each other before and after the move, on both pairs
    after = down - (moved["t_ms"] + WIN)
    assert heard_ms(ev, "101", "102", answer["t_ms"], moved["t_ms"]) >= 0.9 * (moved["t_ms"] - answer["t_ms"]) - 2 * WIN
    assert heard_ms(ev, "101", "102", moved["t_ms"] + WIN, down) >= 0.9 * after - 2 * WIN
    assert heard_ms(ev, "102", "101", moved["t_ms"] + WIN, down) >= 0.9 * after - 2 * WIN
    # the caller on line 2 never heard them, nor they the caller or line 2's prompts
    for ext in ("101", "102"):
        assert heard_ms(ev, "line2", ext) == 0
        assert heard_ms(ev, ext, "line2") == 0
        # (until the end: 102, left off-hook, then gets dial tone of its own)
        assert longest_heard(ev, ext, "board2", moved["t_ms"] + WIN, end["t_ms"]) <= WIN
    assert heard_ms(ev, "104", "line2") > 0 and heard_ms(ev, "line2", "104") > 0   # the caller's own call
    rec = [r for r in records(ev) if r.get("kind") == "intercom"][0]
    assert rec["outcome"] == "connected" and rec["line"] == 2 and rec["release"] == "caller_hangup"


def test_a_call_ringing_the_pair_while_the_phone_rings_moves_the_ringing(tmp_path):
    # 102 rings on line 2's pair; a call rings line 2 at 5 s: the ringback goes on from
    # line 1's pair, 102 lifts later and they talk there
    sc = {"duration": 40, "calls": [to_104(5, 2, 6.0)],
          "extensions": {"101": {"dial": {"at": 2, "digits": "102", "stay": 16}},
                         "102": {"answer_after": 7.0}, "104": {"answer_after": 1.0}}}
    ev = run(with_operator_key(config()), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "moved", "answer", "end"], ic
    ring, moved, answer, end = ic
    assert moved["line"] == 1
    assert heard_ms(ev, "101", "board2", ring["t_ms"], moved["t_ms"]) > 0          # ringback on line 2's pair
    assert heard_ms(ev, "101", "board1", moved["t_ms"] + WIN, answer["t_ms"] - WIN) > 0   # then on line 1's
    assert heard_ms(ev, "101", "board2", moved["t_ms"] + 2 * WIN) == 0    # (the 100 ms windows)
    assert answer["t_ms"] - ring["t_ms"] < 20000                 # rang on: no new ring time
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    spoke = down - answer["t_ms"]
    assert heard_ms(ev, "102", "101", answer["t_ms"], down) >= 0.9 * spoke - 2 * WIN
    assert heard_ms(ev, "101", "102", answer["t_ms"], down) >= 0.9 * spoke - 2 * WIN
    assert answers(ev, 2) and heard_ms(ev, "line2", "104") > 0


def waiting_day(phone_101, phone_102, line1_talk=60.0):
    """Line 1: a caller talks to 104 from 1 s; 101 calls 102 at 14 s (line 2's pair,
    the only free one); a second caller rings line 2 at 24 s."""
    return {"duration": 80, "calls": [to_104(1, 1, line1_talk),
                                      {"at": 24, "line": 2, "caller_id": "6175550199",
                                       "hangup": {"after_connect": 4.0}}],
            "extensions": {"101": phone_101, "102": phone_102, "104": {"answer_after": 1.0}}}


def test_no_other_pair_the_talk_goes_on_with_call_waiting_and_the_line_answers_after(tmp_path):
    sc = waiting_day({"dial": {"at": 14, "digits": "102", "stay": 18}}, {"answer_after": 1.0})
    ev = run(with_operator_key(config()), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "waiting", "end"], ic
    answer, waiting, end = ic[1], ic[2], ic[3]
    assert waiting["line"] == 2 and end["why"] == "caller_hangup"
    assert not of(ev, "ext_pair")
    ring2 = rung(ev, 2)[0]
    assert ring2 <= waiting["t_ms"] <= ring2 + 2000
    # line 2 is held off while they talk, and answered once the pair is back
    a2 = answers(ev, 2)
    assert a2 and end["t_ms"] < a2[0] <= end["t_ms"] + 2 * BLOCK
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    assert seen_down(end["t_ms"], down)
    # both heard the call-waiting tone (300 ms bursts every 10 s) and each other meanwhile
    for ext, other in (("101", "102"), ("102", "101")):
        tone = heard_ms(ev, ext, "board2", waiting["t_ms"], down)
        assert 200 <= tone <= 2 * (300 + 2 * WIN), (ext, tone)
        spoke = down - waiting["t_ms"]
        assert heard_ms(ev, ext, other, waiting["t_ms"], down) >= 0.8 * spoke - 2 * WIN
    assert heard_ms(ev, "101", "board2", answer["t_ms"] + WIN, waiting["t_ms"] - WIN) == 0   # silence before
    rec = [r for r in records(ev) if r.get("kind") == "intercom"][0]
    assert rec["outcome"] == "connected" and rec["release"] == "caller_hangup"
    # line 1's caller untouched
    assert heard_ms(ev, "line1", "104") > 50000 * 0.9 - 2 * WIN


def test_no_other_pair_then_line_1_frees_the_talk_moves_and_line_2_answers(tmp_path):
    # line 1's caller talks 30 s (to about 33 s): the waiting intercom moves to line 1's pair
    sc = waiting_day({"dial": {"at": 14, "digits": "102", "stay": 30}}, {"answer_after": 1.0}, line1_talk=30.0)
    ev = run(with_operator_key(config()), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "waiting", "moved", "end"], ic
    waiting, moved, end = ic[2], ic[3], ic[4]
    assert moved["line"] == 1
    gone1 = [e["t_ms"] for e in of(ev, "release") if e.get("line") == 1][0]
    assert gone1 < moved["t_ms"] <= gone1 + 1500 + 2 * BLOCK       # line 1 idle again after its guard
    a2 = answers(ev, 2)
    assert a2 and moved["t_ms"] < a2[0] <= moved["t_ms"] + 2 * BLOCK
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    after = down - (moved["t_ms"] + WIN)
    assert heard_ms(ev, "101", "102", moved["t_ms"] + WIN, down) >= 0.9 * after - 2 * WIN
    assert heard_ms(ev, "102", "101", moved["t_ms"] + WIN, down) >= 0.9 * after - 2 * WIN
    assert longest_heard(ev, "101", "board2", moved["t_ms"] + WIN, end["t_ms"]) <= WIN   # no more waiting tone
    assert longest_heard(ev, "102", "board2", moved["t_ms"] + WIN, end["t_ms"]) <= WIN   # nor line 2's prompts
    assert heard_ms(ev, "line2", "101") == 0 and heard_ms(ev, "line2", "102") == 0
    assert end["why"] == "caller_hangup"


def test_no_other_pair_the_called_phone_hangs_up_the_session_yields_to_the_call(tmp_path):
    sc = waiting_day({"dial": {"at": 14, "digits": "102", "stay": 30}}, {"answer_after": 1.0, "hangup_after": 14.0})
    ev = run(with_operator_key(config()), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "waiting", "end"], ic
    end = ic[3]
    assert end["why"] == "agent_hangup"
    assert seen_down(end["t_ms"], of(ev, "agent_hangup", ext="102")[0]["t_ms"])
    # 101 alone on the pair: no busy tone held against a ringing call, the line answers
    a2 = answers(ev, 2)
    assert a2 and end["t_ms"] < a2[0] <= end["t_ms"] + 3 * BLOCK
    assert heard_ms(ev, "line2", "101") == 0


def test_no_other_pair_while_the_phone_rings_the_call_wins(tmp_path):
    # nobody talks yet: the intercom call is cut, its ring stopped, line 2 answered
    sc = waiting_day({"dial": {"at": 20, "digits": "102", "stay": 20}}, {"answer_after": 15.0})
    ev = run(with_operator_key(config()), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "end"], ic
    assert ic[1]["why"] == "cut"
    rec = [r for r in records(ev) if r.get("kind") == "intercom"][0]
    assert rec["outcome"] == "cut"
    assert not of(ev, "agent_answer", ext="102")
    a2 = answers(ev, 2)
    assert a2 and ic[1]["t_ms"] < a2[0] <= ic[1]["t_ms"] + 2 * BLOCK


def test_a_feature_code_session_moves_too(tmp_path):
    # 101 lifts at 2 s (line 2's pair) and keys *45 from 3.5 s; a call rings line 2 at 2.2 s:
    # the dial tone goes on from line 1's pair and the code still works
    sc = {"duration": 20, "calls": [to_104(2.2, 2, 4.0)],
          "extensions": {"101": {"dial": {"at": 2, "digits": "*45"}}, "104": {"answer_after": 1.0}}}
    ev = run(with_operator_key(config()), sc, tmp_path)
    pair = of(ev, "ext_pair")
    assert [(p["from_line"], p["to_line"]) for p in pair] == [(2, 1)]
    fc = of(ev, "feature_code", ext="101")
    assert len(fc) == 1 and fc[0]["ok"] is True and fc[0]["code"] == "*45"
    assert answers(ev, 2)
    assert heard_ms(ev, "101", "board1", pair[0]["t_ms"] + WIN) > 0    # dial tone, then the confirmation


# --- a flash is no hang-up ------------------------------------------------------------

def test_a_flash_on_either_phone_leaves_the_call_as_it_was(tmp_path):
    # 101 flashes 6 s after its last key (talking), 102 flashes 6 s after it answered
    sc = {"duration": 40, "extensions": {
        "101": {"dial": {"at": 2, "digits": "102", "stay": 16, "actions": [{"after": 6, "do": "flash"}]}},
        "102": {"answer_after": 1.0, "actions": [{"after": 6, "do": "flash", "ms": 600}]}}}
    ev = run(config(), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "end"], ic
    answer, end = ic[1], ic[2]
    flashes = of(ev, "flash")
    assert sorted(f["ext"] for f in flashes) == ["101", "102"]
    assert all(answer["t_ms"] < f["t_ms"] < end["t_ms"] for f in flashes)
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    assert end["why"] == "caller_hangup" and seen_down(end["t_ms"], down)
    last = max(f["t_ms"] + f["ms"] for f in flashes)
    assert down - last > 3000
    # they still hear each other after both flashes
    for a, b in (("101", "102"), ("102", "101")):
        assert heard_ms(ev, a, b, last + WIN, down) >= 0.9 * (down - last - WIN) - 2 * WIN
    rec = records(ev)[0]
    assert rec["outcome"] == "connected" and rec["talk_ms"] == end["t_ms"] - answer["t_ms"]


def test_a_flash_while_the_phone_rings_leaves_it_ringing(tmp_path):
    sc = {"duration": 40, "extensions": {
        "101": {"dial": {"at": 2, "digits": "102", "stay": 16, "actions": [{"after": 1, "do": "flash"}]}},
        "102": {"answer_after": 5.0}}}
    ev = run(config(), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "end"], ic
    fl = of(ev, "flash", ext="101")[0]
    assert ic[0]["t_ms"] < fl["t_ms"] < ic[1]["t_ms"]
    assert heard_ms(ev, "101", "board2", fl["t_ms"] + fl["ms"] + WIN, ic[1]["t_ms"] - WIN) > 0   # ringback on
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    assert heard_ms(ev, "102", "101", ic[1]["t_ms"], down) >= 0.9 * (down - ic[1]["t_ms"]) - 2 * WIN


def test_a_flash_on_the_busy_tone_leaves_it_on(tmp_path):
    sc = {"duration": 30, "extensions": {
        "102": {"dial": {"at": 1, "digits": "*45"}},
        "101": {"dial": {"at": 8, "digits": "102", "stay": 8, "actions": [{"after": 2, "do": "flash"}]}}}}
    ev = run(config(), sc, tmp_path)
    busy = of(ev, "intercom")
    assert [(b["what"], b["why"]) for b in busy] == [("busy", "dnd")]
    fl = of(ev, "flash", ext="101")[0]
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    assert 1000 <= heard_ms(ev, "101", "board2", fl["t_ms"] + fl["ms"] + WIN, down) <= 0.6 * (down - fl["t_ms"])


def test_an_on_hook_longer_than_a_flash_is_a_hang_up(tmp_path):
    sc = {"duration": 40, "extensions": {
        "101": {"dial": {"at": 2, "digits": "102", "stay": 16,
                         "actions": [{"after": 6, "do": "flash", "ms": FLASH_MAX_MS + 400}]}},
        "102": {"answer_after": 1.0}}}
    ev = run(config(), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "end"], ic
    fl = of(ev, "flash", ext="101")[0]
    assert ic[2]["why"] == "caller_hangup" and seen_down(ic[2]["t_ms"], fl["t_ms"])
    assert heard_ms(ev, "102", "101", ic[2]["t_ms"] + WIN) == 0


def test_no_other_pair_the_ringing_stops_the_tone_stops_and_the_talk_goes_on(tmp_path):
    # the second caller gives up at 34 s, before anyone could answer: no more call-waiting tone
    sc = waiting_day({"dial": {"at": 14, "digits": "102", "stay": 36}}, {"answer_after": 1.0})
    sc["calls"][1]["hangup"] = {"at": 34.0}
    ev = run(with_operator_key(config()), sc, tmp_path)
    ic = of(ev, "intercom")
    assert [e["what"] for e in ic] == ["ring", "answer", "waiting", "end"], ic
    waiting, end = ic[2], ic[3]
    assert end["why"] == "caller_hangup" and not answers(ev, 2)
    missed = [r for r in records(ev) if r.get("line") == 2 and r.get("kind") != "intercom"]
    assert len(missed) == 1 and missed[0]["outcome"] == "missed", missed
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    assert down - 34000 > 15000
    assert heard_ms(ev, "101", "board2", waiting["t_ms"], 34000) > 0
    assert heard_ms(ev, "101", "board2", 34000 + 10000, down) == 0        # the tone stopped with the ringing
    for a, b in (("101", "102"), ("102", "101")):
        assert heard_ms(ev, a, b, 34000, down) >= 0.9 * (down - 34000) - 2 * WIN


@pytest.mark.parametrize("line1_busy", [False, True])
def test_a_call_ringing_the_pair_on_the_busy_tone(tmp_path, line1_busy):
    # 102 is on DND: 101 hears the busy tone on line 2's pair; a call rings line 2 at 12 s.
    # A free line 1: the busy tone goes on from its pair. None: the session ends, line 2 answers.
    calls = [{"at": 12, "line": 2, "caller_id": "6175550199", "hangup": {"after_connect": 4.0}}]
    if line1_busy:
        calls.append(to_104(1, 1, 40.0))
    sc = {"duration": 40, "calls": calls,
          "extensions": {"102": {"dial": {"at": 1, "digits": "*45"}}, "104": {"answer_after": 1.0},
                         "101": {"dial": {"at": 8, "digits": "102", "stay": 10}}}}
    ev = run(with_operator_key(config()), sc, tmp_path)
    assert [(b["what"], b["why"]) for b in of(ev, "intercom")] == [("busy", "dnd")]
    ring2 = [e["t_ms"] for e in of(ev, "ring") if e.get("line") == 2 and e.get("src") != "world"][0]
    down = of(ev, "agent_hangup", ext="101")[0]["t_ms"]
    a2 = answers(ev, 2)
    assert a2 and ring2 <= a2[0] <= ring2 + 2 * BLOCK
    if line1_busy:
        assert not of(ev, "ext_pair")
        assert heard_ms(ev, "101", "board2", ring2 + WIN, down) <= WIN      # nothing more for 101
        assert heard_ms(ev, "101", "board1", ring2 + WIN, down) == 0
    else:
        assert [(p["from_line"], p["to_line"]) for p in of(ev, "ext_pair")] == [(2, 1)]
        assert 0.3 * (down - ring2) <= heard_ms(ev, "101", "board1", ring2 + WIN, down) <= 0.6 * (down - ring2)
    assert heard_ms(ev, "line2", "101") == 0
