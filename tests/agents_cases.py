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



# --- queue announcements (rrfw/call/queuetalk.py) and kept places (router.Ports) ---------
class _Hal:
    def __init__(self):
        self.off = 0

    def ext_offhook(self, p):
        return bool(self.off & (1 << p))

    def set_ext_ring(self, p, on):
        pass


def _queued_legs(n, cfg):
    from rrfw.call import router
    a, ev = fresh(cfg)
    ports = router.Ports(4, a)
    hal = _Hal()
    legs = []
    for i in range(n):
        leg = router.Leg(hal, ports, lambda name, **f: ev.append(dict(f, event=name)), cfg)
        legs.append(leg)
    return a, ports, hal, legs, ev


ACFG = {"version": 1, "lines": [{"country": "US"}],
        "extensions": {"101": {"port": 0}, "102": {"port": 1}},
        "agents": {"wrapup_ms": 10000, "max_no_answer": 0},
        "groups": {"sales": {"members": ["101", "102"], "strategy": "linear", "queue_ms": 600000,
                             "announce": ["position", "wait"], "keep_place_ms": 60000}}}


def case_number_prompts_say_one_to_ninety_nine():
    from rrfw.call import queuetalk
    assert queuetalk.number_names(7) == ["digit-7"]
    assert queuetalk.number_names(13) == ["n-13"]
    assert queuetalk.number_names(40) == ["n-40"]
    assert queuetalk.number_names(42) == ["n-40", "digit-2"]
    assert queuetalk.number_names(150) == ["n-90", "digit-9"]   # capped: the prompts go to 99
    names = queuetalk.prompt_names()
    for n in range(1, 100):
        for p in queuetalk.number_names(n):
            assert p in names, (n, p)


def case_the_estimate_follows_the_agents_and_the_place():
    from rrfw.call import queuetalk
    a, ports, hal, legs, ev = _queued_legs(3, ACFG)
    talk = queuetalk.QueueTalk(ACFG, a, 4)
    ports.talk = talk
    # both agents on the phone (off-hook) so every leg queues
    hal.off = 3
    for i, leg in enumerate(legs):
        assert leg.start(1000 * i, "group", "sales", number="55500%d" % i) is None
    assert [leg.position() for leg in legs] == [1, 2, 3]
    assert talk.estimate(legs[0], 3000) == -1            # nothing measured yet: no estimate
    # one measured call: 60 s talk, 2 s ring, on port 0
    talk.answered(legs[0], 0, 0, 2000)
    talk.ended(legs[0], 0, 60000)
    hal.off = 0
    talk.answered(legs[0], 0, 50000, 2000)     # agent A: in a call since 50 s
    talk.answered(legs[0], 1, 70000, 2000)     # agent B: since 70 s
    ports.engaged = 3
    t = 80000
    # head: A is free at 50 + 60 + 10 s wrap-up = 120 s, then a 2 s ring
    assert talk.estimate(legs[0], t) == 120000 - t + 2000
    # second: B at 70 + 60 + 10 = 140 s
    assert talk.estimate(legs[1], t) == 140000 - t + 2000
    # third: A again, after serving the head (2 s ring + 60 s talk + 10 s wrap-up)
    assert talk.estimate(legs[2], t) == 120000 + 72000 - t + 2000
    # a paused agent is not counted: B out, the second caller waits for A's second turn
    a.set_status(1, 2, t, "lunch")
    assert talk.estimate(legs[1], t) == 120000 + 72000 - t + 2000


def case_the_position_said_never_gets_worse_and_the_head_hears_next():
    from rrfw.call import queuetalk
    a, ports, hal, legs, ev = _queued_legs(2, ACFG)
    talk = queuetalk.QueueTalk(ACFG, a, 4)
    ports.talk = talk
    hal.off = 3
    legs[0].start(0, "group", "sales")
    first = talk.names(legs[0], 100)
    assert first[0] == "queue_next"
    legs[1].start(500, "group", "sales", priority=5)   # a priority caller goes ahead
    assert legs[0].position() == 2
    again = talk.names(legs[0], 30100)
    assert again[0] == "queue_next"                     # said 1 before: never worse
    ann = [e for e in ev if e["event"] == "queue_announce"]
    assert [(e["position"], e["said"]) for e in ann] == [(1, 1), (2, 1)]
    assert talk.names(legs[1], 30200)[0] == "queue_next"


def case_a_kept_place_is_used_once_within_the_window_and_bounded():
    from rrfw.call import router
    a, ports, hal, legs, ev = _queued_legs(1, ACFG)
    ports.remember("5551", "sales", 1000, 5000)
    assert ports.reclaim("5551", "support", 6000, 60000) == router.NO_PLACE   # another group
    assert ports.reclaim("5551", "sales", 6000, 60000) == 1000
    assert ports.reclaim("5551", "sales", 6000, 60000) == router.NO_PLACE     # used once
    ports.remember("5552", "sales", 2000, 5000)
    assert ports.reclaim("5552", "sales", 5000 + 60001, 60000) == router.NO_PLACE   # too late
    for i in range(20):
        ports.remember("9%03d" % i, "sales", i, i)
    assert len(ports.places) == router.MAX_PLACES        # a flood keeps at most MAX_PLACES
    assert ports.reclaim("9000", "sales", 30, 60000) == router.NO_PLACE  # the oldest went
    assert ports.forget(lambda n: n == "9019") == 1 and ports.reclaim("9019", "sales", 30, 60000) == -1


GCFG = {"version": 1, "lines": [{"country": "US"}] * 2,
        "extensions": {"101": {"port": 0}, "102": {"port": 1}, "150": {"number": "6175550150"}},
        "groups": {"sales": {"members": ["101", "150"]}, "support": {"members": ["101", "102"]},
                   "night": {"members": ["102"]}},
        "agents": {}}


def case_log_out_of_one_group_and_back_kept_across_a_reboot():
    a, ev = fresh(GCFG)
    assert a.feature(0, "logout_group", "sales", 100) == ("logout_group", "available")
    assert not a.can_ring(0, 200, True, "sales") and a.can_ring(0, 200, True, "support")
    assert a.logged_in(0, "support") and not a.logged_in(0, "sales") and a.logged_in(0)
    assert ev[-1]["state"] == "logout" and ev[-1]["group"] == "sales" and ev[-1]["status"] == "available"
    assert a.groups_out(0) == ["sales"]
    b, _ = new(GCFG)                           # the board restarts
    assert b.groups_out(0) == ["sales"] and not b.can_ring(0, 0, True, "sales")
    assert b.feature(0, "login_group", "sales", 300) == ("login_group", "available")
    assert b.can_ring(0, 300, True, "sales") and b.groups_out(0) == []
    c, _ = new(GCFG)
    assert c.groups_out(0) == []


def case_out_of_the_last_group_is_logged_out_and_a_group_login_joins_that_group_only():
    a, ev = fresh(GCFG)
    assert a.feature(1, "logout_group", "support", 100)[1] == "available"
    assert a.feature(1, "logout_group", "night", 200) == ("logout_group", "logged_out")
    assert a.status[1] == ag_mod.LOGGED_OUT and a.groups_out(1) == []
    assert [e["state"] for e in ev[-2:]] == ["logged_out", "logout"]
    assert a.feature(1, "logout_group", "night", 250) == ("logout_group", "logged_out")   # confirmed, no change
    assert a.feature(1, "login_group", "night", 300) == ("login_group", "available")
    assert a.can_ring(1, 300, True, "night") and not a.can_ring(1, 300, True, "support")
    assert a.groups_out(1) == ["support"]
    # the all-groups login puts them back everywhere; the all-groups logout clears the list too
    assert a.feature(1, "login", None, 400) == ("login", "available")
    assert a.groups_out(1) == [] and a.can_ring(1, 400, True, "support")
    a.feature(1, "logout_group", "support", 500)
    assert a.feature(1, "logout", None, 600) == ("logout", "logged_out") and a.groups_out(1) == []


def case_group_codes_refuse_a_group_the_agent_is_not_in():
    a, ev = fresh(GCFG)
    n = len(ev)
    assert a.feature(1, "logout_group", "sales", 100) is None       # 102 is not in sales
    assert a.feature(1, "login_group", "nosuch", 100) is None
    assert a.feature(5, "login_group", "sales", 100) is None         # no agent at that port
    assert len(ev) == n


def case_a_paused_agent_logged_into_a_group_stays_paused():
    a, _ = fresh(GCFG)
    a.feature(0, "logout_group", "sales", 100)
    a.feature(0, "pause", "lunch", 200)
    assert a.feature(0, "login_group", "sales", 300) == ("login_group", "paused")
    assert not a.can_ring(0, 300, True, "sales") and a.groups_out(0) == []


def case_a_saved_group_list_that_no_longer_fits_is_dropped():
    from rrfw.store import atomic
    atomic.write_atomic(PATH, '{"101": [1, null, ["sales", "gone", 5]], "102": [0, null, ["night"]]}')
    a, _ = new(GCFG)
    assert a.groups_out(0) == ["sales"]          # the group removed from the config is forgotten
    assert a.groups_out(1) == []                 # logged out of everything: no list
    assert a.status[1] == ag_mod.LOGGED_OUT


def case_remote_agents_get_the_ports_after_the_phones():
    a, _ = fresh(GCFG)
    assert a.n == 5 and a.n_local == 4 and a.port_of("150") == 4 and a.is_remote(4)
    assert a.ext[4] == "150" and a.member_of[4] == 1 << a.groups.index("sales")
    shown = [s for s in a.shown(0, 0, {}) if s["ext"] == "150"][0]
    assert shown["remote"] and shown["port"] is None and shown["state"] == "available"
    assert a.feature(4, "logout_group", "sales", 10) == ("logout_group", "logged_out")


if __name__ == "__main__":
    import os
    import sys
    import caserun
    os.chdir(sys.argv[1])   # the board's flash folder: a temporary one
    caserun.main(caserun.discover(globals()))
