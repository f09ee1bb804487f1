"""IVR features end to end: the real firmware on the emulated board (micropython), driven by scenarios.

Key presses need the firmware's DTMF receiver and caller rules need its
caller-ID decoder (other parts of the project); tests that depend on them
probe once and skip, saying why, while those parts are not working yet.
"""
import os

import pytest

from ringroute.configlang import compile_config
from ringroute.emu import runner, scenario, timeline

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EX = os.path.join(ROOT, "examples")
PROMPTS = [os.path.join(EX, "prompts")]

pytestmark = pytest.mark.micropython


def emulate(config, sc):
    cfg = compile_config(os.path.join(EX, config)) if isinstance(config, str) else config
    s = scenario.parse(sc, "<test>")
    emu = runner.Emulation(cfg, s, PROMPTS, engine="micropython", n_lines=2, n_exts=4)
    events = emu.run()
    fails = timeline.check(events, s["expect"])
    assert not fails, "\n".join(fails) + "\n" + "\n".join(timeline.format_event(e) for e in events)
    return events


def board(events, _event, **fields):
    return [e for e in events if e["event"] == _event and e.get("src") != "world"
            and all(e.get(k) == v for k, v in fields.items())]


def call(keys=None, caller_id="5551234", hangup=None, at=1.0):
    c = {"at": at, "caller_id": caller_id, "hangup": hangup or {"after": 90}}
    if keys:
        c["keys"] = keys
    return c


@pytest.fixture(scope="module")
def dtmf_works():
    ev = emulate("one-level.yaml", {"calls": [call([{"at": 8.0, "digits": "0"}], hangup={"after": 12})],
                                    "duration": 25})
    if not board(ev, "digit"):
        pytest.skip("the firmware's DTMF receiver does not detect keys in the emulator yet (firmware/dtmf.py)")


@pytest.fixture(scope="module")
def callerid_works():
    ev = emulate("one-level.yaml", {"calls": [call(hangup={"after": 3})], "duration": 15})
    if not [e for e in board(ev, "callerid") if e.get("number")]:
        pytest.skip("the firmware's caller-ID decoder does not read numbers in the emulator yet (firmware/callerid.py)")


# ---- no keys needed ------------------------------------------------------------------
def test_no_input_retries_then_operator_not_a_bare_hangup():
    ev = emulate("one-level.yaml", {
        "calls": [call(hangup={"after_connect": 3})],
        "extensions": {"101": {"answer_after": 2}},
        "duration": 60,
        "expect": [{"event": "connect", "ext": "101"}]})
    assert [e["menu"] for e in board(ev, "menu")] == ["main"]
    assert [e["name"] for e in board(ev, "prompt")] == ["welcome,shop_opts", "no_input,shop_opts"]
    to = board(ev, "ivr", what="timeout")
    assert [e["n"] for e in to] == [1, 2]
    # the first-digit timeout (5 s) counts from the end of the prompt, not its start
    answer = board(ev, "answer")[0]["t_ms"]
    assert 5000 + 6000 < to[0]["t_ms"] - answer < 5000 + 7500
    assert board(ev, "route", kind="ext", target="101")


def test_nobody_answers_then_call_back_later_message():
    cfg = compile_config(os.path.join(EX, "nested.yaml"))
    cfg["ext_ring_timeout_ms"] = 10000      # shorter than the caller's patience in silence
    ev = emulate(cfg, {
        "calls": [call()],
        "extensions": {"401": {"answer": False}},
        "duration": 90,
        "expect": [{"event": "route", "target": "401"},
                   {"event": "prompt", "name": "callback"},
                   {"event": "release", "reason": "menu_done"}]})
    fail = board(ev, "ivr", what="no_answer")
    assert fail and fail[0]["t_ms"] - board(ev, "route")[0]["t_ms"] >= 10000   # the ring timeout
    assert not board(ev, "connect")


@pytest.mark.parametrize("start,mode,prompt", [
    ("2026-11-23 10:00:00-05:00", "day", "welcome,main_opts"),       # Monday morning
    ("2026-11-23 12:45:00-05:00", "lunch", "lunch"),
    pytest.param("2026-11-23 19:00:00-05:00", "night", "night_opts", marks=pytest.mark.slow),
    ("2026-11-26 10:00:00-05:00", "holiday", "holiday"),             # Thanksgiving
    ("2026-07-06 08:45:00-04:00", "day", "welcome,main_opts"),       # summer time (EDT)
    pytest.param("2026-07-06 08:15:00-04:00", "night", "night_opts", marks=pytest.mark.slow),
])
def test_schedule_picks_the_menu(start, mode, prompt):
    ev = emulate("day-night.yaml", {"start": start, "calls": [call(hangup={"after": 4})], "duration": 20})
    sch = board(ev, "schedule")
    assert sch and sch[0]["mode"] == mode, sch
    assert board(ev, "prompt")[0]["name"] == prompt


def test_night_no_input_plays_closed_then_hangs_up():
    ev = emulate("day-night.yaml", {"start": "2026-11-23 22:00:00-05:00", "calls": [call()], "duration": 60,
                                    "expect": [{"event": "prompt", "name": "closed"},
                                               {"event": "release", "reason": "menu_done"}]})
    assert not board(ev, "route")


# ---- keys ------------------------------------------------------------------------------
def test_key_routes_to_group_with_barge_in(dtmf_works):
    ev = emulate("nested.yaml", {
        "calls": [call([{"at": 1.5, "digits": "2"}, {"at": 4.0, "digits": "1"}], hangup={"after_connect": 2})],
        "extensions": {"501": {"answer_after": 1}},
        "duration": 40,
        "expect": [{"event": "menu", "menu": "support"}, {"event": "route", "kind": "group", "target": "support"},
                   {"event": "connect"}]})
    # barge-in: the menu changed right after the key, while the greeting (welcome+main_opts) still played
    d = board(ev, "digit", digit="2")[0]
    m = board(ev, "menu", menu="support")[0]
    assert m["t_ms"] - d["t_ms"] <= 100


def test_submenu_back_and_short_greeting(dtmf_works):
    ev = emulate("nested.yaml", {
        "calls": [call([{"at": 1.0, "digits": "1"}, {"at": 3.0, "digits": "*"}, {"at": 5.0, "digits": "2"},
                        {"at": 7.0, "digits": "*"}], hangup={"after": 14})],
        "duration": 30})
    assert [e["menu"] for e in board(ev, "menu")] == ["main", "sales", "main", "support", "main"]
    names = [e["name"] for e in board(ev, "prompt")]
    assert names[0] == "welcome,main_opts" and names[2] == "main_opts"     # long first, short after


def test_dial_extension_directly_with_announcement(dtmf_works):
    ev = emulate("nested.yaml", {
        "calls": [call([{"at": 1.0, "digits": "402", "gap": 0.3}], hangup={"after_connect": 2})],
        "extensions": {"402": {"answer_after": 1}},
        "duration": 40,
        "expect": [{"event": "prompt", "name": "connecting,digit-4,digit-0,digit-2"},
                   {"event": "route", "kind": "ext", "target": "402"}, {"event": "connect", "ext": "402"}]})
    entry = board(ev, "ivr", what="entry")
    assert entry[0]["digits"] == "402"
    # complete and unambiguous: no waiting for the digit timeout
    assert entry[0]["t_ms"] - board(ev, "digit")[-1]["t_ms"] <= 50


def test_not_dialable_extension_is_invalid(dtmf_works):
    ev = emulate("nested.yaml", {"calls": [call([{"at": 1.0, "digits": "502", "gap": 0.3}], hangup={"after": 9})],
                                 "duration": 20})
    assert board(ev, "ivr", what="invalid")
    assert not board(ev, "route")


def test_invalid_keys_three_times_then_operator(dtmf_works):
    ev = emulate("one-level.yaml", {
        "calls": [call([{"at": 1.0, "digits": "7"}, {"at": 4.0, "digits": "8"}, {"at": 7.0, "digits": "5"}],
                       hangup={"after_connect": 2})],
        "extensions": {"101": {"answer_after": 1}}, "duration": 40,
        "expect": [{"event": "route", "target": "101"}, {"event": "connect", "ext": "101"}]})
    assert [e["n"] for e in board(ev, "ivr", what="invalid")] == [1, 2, 3]
    assert board(ev, "prompt", name="invalid,shop_opts")


@pytest.mark.slow
def test_message_then_menu_again(dtmf_works):
    ev = emulate("one-level.yaml", {"calls": [call([{"at": 1.0, "digits": "1"}], hangup={"after": 16})],
                                    "duration": 30})
    names = [e["name"] for e in board(ev, "prompt")]
    assert names[:3] == ["welcome,shop_opts", "hours", "shop_opts"]


def test_message_then_hangup(dtmf_works):
    ev = emulate("nested.yaml", {"calls": [call([{"at": 1.0, "digits": "9"}])], "duration": 30,
                                 "expect": [{"event": "prompt", "name": "goodbye"},
                                            {"event": "release", "reason": "menu_done"}]})
    assert not board(ev, "route")


def overlap_cfg():
    cfg = compile_config(os.path.join(EX, "nested.yaml"))
    cfg["menus"]["main"]["keys"]["11"] = {"do": "ext", "to": "501"}    # '1' and '11' overlap
    return cfg


def test_terminator_ends_an_ambiguous_entry(dtmf_works):
    ev = emulate(overlap_cfg(), {"calls": [call([{"at": 1.0, "digits": "1#", "gap": 0.3}], hangup={"after": 8})],
                                 "duration": 20})
    assert [e["menu"] for e in board(ev, "menu")] == ["main", "sales"]
    assert board(ev, "menu", menu="sales")[0]["t_ms"] - board(ev, "digit", digit="#")[0]["t_ms"] <= 50


def test_ambiguous_entry_completes_on_the_next_digit(dtmf_works):
    ev = emulate(overlap_cfg(), {"calls": [call([{"at": 1.0, "digits": "11", "gap": 0.3}],
                                                hangup={"after_connect": 2})],
                                 "extensions": {"501": {"answer_after": 1}}, "duration": 30,
                                 "expect": [{"event": "route", "target": "501"}]})
    assert board(ev, "ivr", what="entry")[0]["digits"] == "11"


# ---- caller rules ----------------------------------------------------------------------
def test_blocked_caller_hears_message(callerid_works):
    ev = emulate("day-night.yaml", {"start": "2026-11-23 10:00:00-05:00",
                                    "calls": [call(caller_id="19005550100")], "duration": 40,
                                    "expect": [{"event": "prompt", "name": "blocked"},
                                               {"event": "release", "reason": "menu_done"}]})
    assert board(ev, "ivr", what="blocked")
    assert not board(ev, "menu")


def test_priority_caller_goes_straight_to_on_call(callerid_works):
    ev = emulate("day-night.yaml", {"start": "2026-11-23 22:00:00-05:00",
                                    "calls": [call(caller_id="+15551230001", hangup={"after_connect": 2})],
                                    "extensions": {"103": {"answer_after": 1}}, "duration": 40,
                                    "expect": [{"event": "route", "target": "103"}, {"event": "connect"}]})
    assert not board(ev, "menu")


def test_withheld_number_follows_its_rule(callerid_works):
    cfg = compile_config(os.path.join(EX, "day-night.yaml"))
    cfg["callers"]["withheld"] = {"do": "menu", "to": "lunch"}
    ev = emulate(cfg, {"start": "2026-11-23 10:00:00-05:00", "calls": [call(caller_id="withheld", hangup={"after": 4})],
                       "duration": 20})
    assert board(ev, "ivr", what="withheld")
    assert [e["menu"] for e in board(ev, "menu")] == ["lunch"]


def test_top_and_repeat(dtmf_works):
    ev = emulate("nested.yaml", {
        "calls": [call([{"at": 1.0, "digits": "2"}, {"at": 3.0, "digits": "*"}, {"at": 5.0, "digits": "*"}],
                       hangup={"after": 9})],
        "duration": 25})
    assert [e["menu"] for e in board(ev, "menu")] == ["main", "support", "main", "main"]
    names = [e["name"] for e in board(ev, "prompt")]
    # 'top' re-enters main (short greeting); 'repeat' plays the long one again
    assert names[:4] == ["welcome,main_opts", "support_opts", "main_opts", "welcome,main_opts"]


@pytest.mark.slow
def test_no_key_reaches_an_outside_line(dtmf_works):
    """DISA is off: whatever a caller presses, every route is to an extension or a group."""
    ev = emulate("nested.yaml", {
        "calls": [call([{"at": 1.0, "digits": "9011441234567", "gap": 0.25}], hangup={"after": 20})],
        "duration": 35})
    assert all(e["kind"] in ("ext", "group") for e in board(ev, "route"))
    assert not board(ev, "ivr", what="disa_ok")


@pytest.mark.slow
@pytest.mark.parametrize("config,script", [("nested.yaml", "nested-call.yaml"),
                                           ("day-night.yaml", "day-night-call.yaml")])
def test_example_scenarios_run(config, script, dtmf_works, callerid_works):
    cfg = compile_config(os.path.join(EX, config))
    s = scenario.load(os.path.join(EX, script))
    events = runner.Emulation(cfg, s, PROMPTS, engine="micropython", n_lines=2, n_exts=4).run()
    fails = timeline.check(events, s["expect"])
    assert not fails, "\n".join(fails)


def test_second_line_has_its_own_menu():
    cfg = compile_config(os.path.join(EX, "nested.yaml"))
    cfg["lines"].append({"country": "US", "answer_on_ring": 2, "answer_on_callerid": False, "menu": "support"})
    c1 = call(hangup={"after": 4})
    c2 = dict(call(hangup={"after": 4}), line=2)
    ev = emulate(cfg, {"calls": [c1, c2], "duration": 20})
    assert sorted((e["line"], e["menu"]) for e in board(ev, "menu")) == [(1, "main"), (2, "support")]


def test_night_override_by_feature_code_on_an_extension(dtmf_works):
    """Reception dials *81 at 10:00 on a Monday: the next call gets the night menu; *80 undoes it."""
    ev = emulate("day-night.yaml", {
        "start": "2026-11-23 10:00:00-05:00",
        "extensions": {"101": {"dial": {"at": 1.0, "digits": "*81"}}},
        "calls": [call(at=20.0, hangup={"after": 4})], "duration": 40,
        "expect": [{"event": "feature_code", "code": "*81", "ok": True}]})
    sch = board(ev, "schedule")
    assert sch and sch[0]["mode"] == "night", sch
    assert board(ev, "prompt")[-1]["name"] == "night_opts"


def test_block_the_last_caller_by_feature_code(dtmf_works, callerid_works):
    ev = emulate("day-night.yaml", {
        "start": "2026-11-23 10:00:00-05:00",
        "extensions": {"101": {"dial": {"at": 25.0, "digits": "*89"}}},
        "calls": [call(caller_id="6175550199", hangup={"after": 3}),
                  call(at=45.0, caller_id="6175550199", hangup={"after": 15})],
        "duration": 80,
        "expect": [{"event": "feature_code", "code": "*89", "ok": True}]})
    blocked = board(ev, "ivr", what="blocked")
    assert len(blocked) == 1 and blocked[0]["t_ms"] > 45000
    assert board(ev, "prompt", name="blocked")


# ---- caller rules and when to answer (issue 17) -----------------------------------------
def _answer_on_ring_1(country="US"):
    cfg = compile_config(os.path.join(EX, "day-night.yaml"))
    cfg["lines"][0].update({"country": country, "answer_on_ring": 1, "answer_on_callerid": False})
    return cfg


def test_a_line_answering_on_ring_1_waits_for_caller_id_when_a_rule_needs_it(callerid_works):
    """US caller ID comes between the 1st and 2nd ring: a blocked caller must not reach the menu."""
    ev = emulate(_answer_on_ring_1(), {"start": "2026-11-23 10:00:00-05:00",
                                       "calls": [call(caller_id="19005550100")], "duration": 40,
                                       "expect": [{"event": "prompt", "name": "blocked"}]})
    assert board(ev, "ivr", what="blocked") and not board(ev, "menu")
    cid = board(ev, "callerid")[0]
    ans = board(ev, "answer")[0]
    assert cid["number"] == "19005550100" and cid["t_ms"] <= ans["t_ms"]
    assert ans["rings"] == 1        # answered as soon as the number is in, before ring 2


def test_no_caller_id_is_certain_at_ring_2(callerid_works):
    # nothing sent: the board answers on ring 2 (the number can no longer come), not never
    ev = emulate(_answer_on_ring_1(), {"start": "2026-11-23 10:00:00-05:00",
                                       "calls": [call(caller_id="none", hangup={"after": 4})], "duration": 30})
    ans = board(ev, "answer")
    assert len(ans) == 1 and ans[0]["rings"] == 2
    assert board(ev, "callerid", reason="none_sent")
    assert [e["menu"] for e in board(ev, "menu")] == ["main"]


def test_without_caller_rules_ring_1_still_means_ring_1(callerid_works):
    cfg = _answer_on_ring_1()
    del cfg["callers"]
    ev = emulate(cfg, {"start": "2026-11-23 10:00:00-05:00",
                       "calls": [call(caller_id="19005550100", hangup={"after": 4})], "duration": 30})
    ans = board(ev, "answer")
    assert len(ans) == 1 and ans[0]["rings"] == 1
    assert not board(ev, "callerid", number="19005550100")   # answered before it came: the owner's choice


def test_caller_id_before_the_first_ring_needs_no_wait(callerid_works):
    ev = emulate(_answer_on_ring_1("UK"), {"start": "2026-11-23 15:00:00+00:00",
                                           "calls": [call(caller_id="19005550100")], "duration": 40,
                                           "expect": [{"event": "prompt", "name": "blocked"}]})
    assert board(ev, "answer")[0]["rings"] == 1


def test_block_last_after_a_withheld_call_blocks_nobody(callerid_works):
    """*89 after a withheld call: reorder tone and 'nothing to block'; the earlier caller still gets through."""
    ev = emulate("day-night.yaml", {
        "start": "2026-11-23 10:00:00-05:00",
        "extensions": {"101": {"dial": {"at": 40.0, "digits": "*89"}}},
        "calls": [call(caller_id="6175550199", hangup={"after": 3}),
                  call(at=20.0, caller_id="withheld", hangup={"after": 3}),
                  call(at=55.0, caller_id="6175550199", hangup={"after": 6})],
        "duration": 75,
        "expect": [{"event": "feature_code", "code": "*89", "ok": False, "why": "nothing_to_block"}]})
    assert not board(ev, "ivr", what="blocked")
    assert not board(ev, "feature_code", ok=True)
    assert len(board(ev, "menu")) >= 3   # all three calls reached the menu
