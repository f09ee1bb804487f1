# agents_cases.py - the agents' states (rrfw/call/agents.py) in plain asserts,
# under CPython (tests/test_agents_cases.py) and the real micropython binary:
# kept across a reboot, damaged files ignored, the automatic pause, wrap-up.
from rrfw.call import agents as ag_mod

CFG = {"version": 1, "lines": [{"country": "US"}],
       "extensions": {"101": {"port": 0}, "102": {"port": 1, "wrapup_ms": 2000}, "103": {"port": 2}},
       "agents": {"wrapup_ms": 5000, "max_no_answer": 2}}
PATH = "agents.test.json"


def fresh(cfg=CFG):
    from rrfw.store import atomic
    atomic.remove(PATH)
    return new(cfg)


def new(cfg=CFG):
    events = []

    def emit(name, **f):
        f["event"] = name
        events.append(f)
    return ag_mod.Agents(cfg, 4, emit, path=PATH), events


def case_states_survive_a_reboot_keyed_by_extension():
    a, ev = fresh()
    assert a.feature(0, "logout", None, 100) == ("logout", "logged_out")
    assert a.feature(1, "pause", "lunch", 200) == ("pause", "paused")
    assert a.feature(2, "dnd", None, 300) == ("dnd", "dnd")
    assert [(e["ext"], e["state"], e["reason"]) for e in ev] == [
        ("101", "logged_out", None), ("102", "paused", "lunch"), ("103", "dnd", None)]
    # the board restarts; the phones moved ports in the new config, the agents did not
    cfg = dict(CFG)
    cfg["extensions"] = {"101": {"port": 2}, "102": {"port": 0}, "103": {"port": 1}}
    b, _ = new(cfg)
    assert [b.state_name(p, 0) for p in range(3)] == ["paused", "dnd", "logged_out"]
    assert b.reason[0] == "lunch"
    assert not b.can_ring(0, 0, True) and not b.can_ring(1, 0, False) and b.can_ring(0, 0, False)


def case_a_damaged_file_gives_the_configs_start_state():
    from rrfw.store import atomic
    # not JSON, not a mapping, bad entries: each agent that has no good entry starts available
    for text, want in (("{not json", ["available"] * 3), ("[1, 2]", ["available"] * 3),
                       ('{"101": [9, null], "102": ["x", 1], "103": [2, 5]}', ["available", "available", "paused"])):
        atomic.write_atomic(PATH, text)
        a, _ = new()
        assert [a.state_name(p, 0) for p in range(3)] == want, (text, want)
        assert a.reason[2] is None      # a reason that is not a name is dropped
    cfg = dict(CFG)
    cfg["agents"] = {"start": "logged_out"}
    a, _ = fresh(cfg)
    assert not a.can_ring(0, 0, True) and not a.logged_in(0)


def case_n_ring_no_answers_in_a_row_pause_the_agent_and_an_answer_resets_the_count():
    a, ev = fresh()
    a.rang_no_answer(0, 1000, 12000)
    a.answered(0)
    a.rang_no_answer(0, 2000, 12000)
    assert a.status[0] == ag_mod.AVAILABLE      # not two in a row
    a.rang_no_answer(0, 3000, 12000)
    assert a.state_name(0, 3000) == "paused" and a.reason[0] == ag_mod.AUTO_REASON
    assert ev[-1]["why"] == "no_answer"
    assert a.feature(0, "unpause", None, 4000) == ("unpause", "available")
    assert a.streak[0] == 0
    assert a.feature(0, "unpause", None, 4000) is None     # nothing to undo: the error tone


def case_wrap_up_blocks_group_calls_until_it_ends_then_says_so():
    a, ev = fresh()
    a.call_ended(0, 10000, -1)           # the default 5 s
    a.call_ended(1, 10000, 9000)         # its own 2 s beat the group's 9 s
    assert not a.can_ring(0, 14990, True) and a.can_ring(0, 14990, False)
    assert a.state_name(0, 11000) == "wrapup"
    for t in range(10000, 16000, 10):
        a.step(t)
    ends = [e for e in ev if e.get("why") == "wrapup_done"]
    assert [e["ext"] for e in ends] == ["102", "101"]
    assert a.can_ring(0, 15000, True) and a.idle_since[0] == 15000 and a.calls[0] == 1


def case_the_random_orders_repeat_and_spread():
    a, _ = fresh()
    b, _ = fresh()
    xs = [a.rand() for _ in range(200)]
    assert xs == [b.rand() for _ in range(200)]
    assert len(set(x % 4 for x in xs)) == 4 and min(xs) >= 0 and max(xs) < 1 << 30


if __name__ == "__main__":
    import os
    import sys
    import caserun
    os.chdir(sys.argv[1])   # the board's flash folder: a temporary one
    caserun.main(caserun.discover(globals()))
