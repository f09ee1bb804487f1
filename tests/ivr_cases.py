# ivr_cases.py - IVR engine cases in plain asserts: run by pytest under CPython
# (tests/test_ivr_engine.py) and by the real `micropython` binary
# (`micropython tests/ivr_cases.py`, MICROPYPATH=firmware:tests/support), so the firmware
# logic is proven on both.
from rrfw.call import ivr
from rrfw.call import schedule
from rrfw.call.boardstate import BoardState

# One board for every Run, as on the board: the override, the block list and
# the DISA failures are shared by every call and line.
BOARD = BoardState(path=None)   # RAM only: the cases run in the repo's folder


class FakePlayer:
    """Plays a prompt list for 100 ms per name (so tests can see barge-in)."""
    def __init__(self):
        self.played = []      # every play() call, as a list of names
        self.stops = 0
        self.busy = False
        self.last = None
        self.left = 0

    def play(self, names):
        self.played.append(list(names))
        self.left = 10 * len(names)     # blocks
        self.busy = self.left > 0
        self.last = names[0] if names else None

    def stop(self):
        self.stops += 1
        self.busy = False
        self.left = 0

    def tick(self):
        if self.left > 0:
            self.left -= 1
            self.busy = self.left > 0


def base_cfg():
    return {
        "version": 1,
        "lines": [{"country": "US", "answer_on_ring": 2, "answer_on_callerid": False}],
        "extensions": {"101": {"port": 0, "name": "Reception"},
                       "102": {"port": 1, "name": "Sales"},
                       "103": {"port": 2, "name": "Boss", "dial": False}},
        "groups": {"sales": {"members": ["101", "102"], "strategy": "ring_all"}},
        "ext_ring_timeout_ms": 20000,
        "start": "main",
        "operator": {"do": "ext", "to": "101"},
        "menus": {
            "main": {"greeting": ["welcome", "main_opts"], "short": ["main_opts"],
                     "keys": {"1": {"do": "group", "to": "sales"},
                              "2": {"do": "menu", "to": "support"},
                              "0": {"do": "operator"},
                              "9": {"do": "message", "prompts": ["hours"], "then": {"do": "hangup", "reason": "menu_done"}},
                              "*": {"do": "repeat"}},
                     "dial_ext": True, "first_ms": 3000, "inter_ms": 2000,
                     "invalid_prompt": ["invalid"], "timeout_prompt": ["no_input"],
                     "max_invalid": 3, "max_timeout": 2,
                     "on_invalid": {"do": "operator"},
                     "on_timeout": {"do": "message", "prompts": ["goodbye"]}},
            "support": {"greeting": ["support_opts"],
                        "keys": {"1": {"do": "ext", "to": "102", "else": {"do": "message", "prompts": ["callback"]}},
                                 "11": {"do": "ext", "to": "101"},
                                 "#": {"do": "back"}, "*": {"do": "top"}},
                        "first_ms": 3000, "inter_ms": 2000},
        },
    }


class Run:
    """Drives an Ivr block by block; keys are scheduled as {t_ms: digit}."""
    def __init__(self, cfg=None, caller=None, clock=None):
        self.cfg = cfg or base_cfg()
        self.player = FakePlayer()
        self.events = []
        self.ivr = ivr.Ivr(self.cfg, self.player, self.emit, clock=clock or (lambda: 1700000000), board=BOARD)
        self.t = 0
        self.actions = []
        self.ivr.start(0, caller or {"number": "5551234", "reason": None})

    def emit(self, event, **fields):
        fields["event"] = event
        fields["t_ms"] = self.t
        self.events.append(fields)

    def run(self, until_ms, keys=None, stop_on_action=True):
        keys = keys or {}
        while self.t < until_ms:
            self.t += 10
            self.player.tick()
            d = keys.get(self.t)
            a = self.ivr.step(self.t, d, d is not None)
            if a is not None:
                self.actions.append((self.t, a))
                if stop_on_action:
                    return a
        return None

    def menus(self):
        return [e["menu"] for e in self.events if e["event"] == "menu"]

    def whats(self, what):
        return [e for e in self.events if e["event"] == "ivr" and e.get("what") == what]


def case_key_routes_group():
    cfg = base_cfg()
    cfg["menus"]["main"]["dial_ext"] = False
    r = Run(cfg)
    a = r.run(5000, {100: "1"})
    assert a == ("route", "group", "sales"), a
    assert r.actions[0][0] == 100           # at once: "1" is complete and unambiguous
    assert r.player.stops == 1              # barge-in stopped the greeting
    assert r.player.played[0] == ["welcome", "main_opts"]


def case_dial_extension_directly():
    r = Run()
    a = r.run(5000, {300: "1", 500: "0", 700: "2"})
    # "1" alone is a key but also starts 101/102: ambiguous, waits for more
    assert a == ("route", "ext", "102"), a
    assert r.actions[0][0] == 700


def case_ambiguous_key_waits_inter_digit():
    r = Run()
    a = r.run(10000, {300: "1", 400: "0"})
    # "10" starts 101, 102 only: waits; then times out -> invalid entry
    assert a is None or a[0] != "route", a
    assert len(r.whats("invalid")) >= 1
    assert r.whats("invalid")[0]["t_ms"] == 2400, r.whats("invalid")


def case_ambiguous_single_key_resolves_after_timeout():
    r = Run()
    a = r.run(10000, {300: "1"})
    assert a == ("route", "group", "sales")
    assert r.actions[0][0] == 2300, r.actions     # 300 + inter_ms 2000


def case_terminator_ends_entry_early():
    r = Run()
    a = r.run(10000, {300: "1", 400: "#"})
    assert a == ("route", "group", "sales")
    assert r.actions[0][0] == 400


def case_not_dialable_extension_is_invalid():
    r = Run()
    r.run(10000, {300: "1", 400: "0", 500: "3"})
    assert r.whats("invalid") and r.whats("invalid")[0]["t_ms"] == 500


def case_submenu_back_top_and_short_greeting():
    r = Run()
    r.run(3000, {300: "2", 500: "#", 800: "2", 1000: "*"})
    assert r.menus() == ["main", "support", "main", "support", "main"], r.menus()
    # first entry long greeting, re-entry short
    assert r.player.played[0] == ["welcome", "main_opts"]
    assert r.player.played[2] == ["main_opts"]


def case_overlapping_submenu_keys():
    r = Run()
    r.run(300, {200: "2"})
    a = r.run(5000, {1000: "1", 1200: "1"})
    assert a == ("route", "ext", "101"), a


def case_timeouts_then_final_message():
    r = Run()
    a = r.run(20000)
    # greeting 200 ms; timeout 3000 -> no_input + short; again -> final message
    t = [e["t_ms"] for e in r.whats("timeout")]
    assert t == [3200, 6400], t      # 2nd prompt: ["no_input","main_opts"] = 200 ms
    assert r.player.played[-1] == ["goodbye"]
    assert a == ("hangup", "menu_done"), a


def case_invalid_counter_then_operator():
    r = Run()
    a = r.run(20000, {300: "7", 1000: "8", 2000: "5"})
    assert [e["n"] for e in r.whats("invalid")] == [1, 2, 3]
    assert r.player.played[1] == ["invalid", "main_opts"]
    assert a == ("route", "ext", "101"), a   # operator, not a bare hang-up


def case_message_then_hangup_not_interrupted():
    r = Run()
    a = r.run(20000, {300: "9", 350: "5"})
    assert r.player.played[1] == ["hours"]
    assert a == ("hangup", "menu_done")
    assert r.actions[0][0] >= 400


def case_route_fallback_on_no_answer():
    r = Run()
    r.run(1000, {200: "2"})
    a = r.run(2000, {1100: "1"})
    assert a is None                       # ambiguous with "11": waits
    a = r.run(5000)
    assert a == ("route", "ext", "102"), a
    r.ivr.route_result(r.t, "no_answer")
    a = r.run(8000)
    assert r.player.played[-1] == ["callback"]
    assert a == ("hangup", "menu_done")


def case_route_default_fallback_returns_to_menu():
    r = Run()
    a = r.run(1000, {200: "1", 250: "#"})
    assert a == ("route", "group", "sales")
    r.ivr.route_result(r.t, "busy")
    r.run(r.t + 20)
    assert r.menus() == ["main", "main"]
    assert r.player.played[-1] == ["main_opts"]


def case_answered_finishes():
    r = Run()
    r.run(1000, {200: "1", 250: "#"})
    r.ivr.route_result(r.t, "answered")
    assert r.run(30000) is None


def case_repeat_plays_long_greeting():
    r = Run()
    r.run(1000, {100: "*"})
    assert r.player.played[1] == ["welcome", "main_opts"]


def case_idle_step_allocates_nothing():
    try:
        import micropython
        micropython.heap_lock
    except (ImportError, AttributeError):
        return "skip"
    r = Run()
    r.run(500)          # prompt over, in WAIT
    iv = r.ivr
    micropython.heap_lock()
    try:
        for i in range(100):
            iv.step(600 + i * 10, None, False)
    finally:
        micropython.heap_unlock()


def rules_cfg():
    cfg = base_cfg()
    cfg["callers"] = {"block": ["5550666", "1900*"],
                      "block_action": {"do": "message", "prompts": ["blocked"]},
                      "priority": [{"number": "5559999", "action": {"do": "ext", "to": "102"}}],
                      "withheld": {"do": "menu", "to": "support"}}
    return cfg


def case_blocked_number_and_prefix_hear_message():
    for num in ("5550666", "19005550100"):
        r = Run(rules_cfg(), caller={"number": num, "reason": None})
        a = r.run(5000)
        assert r.player.played == [["blocked"]], r.player.played
        assert a == ("hangup", "menu_done")
        assert r.menus() == []


def case_priority_caller_routed_first():
    r = Run(rules_cfg(), caller={"number": "5559999", "reason": None})
    a = r.run(100)
    assert a == ("route", "ext", "102")
    assert r.actions[0][0] == 10


def case_withheld_rule_only_for_withheld():
    r = Run(rules_cfg(), caller={"number": None, "reason": "withheld"})
    r.run(50)
    assert r.menus() == ["support"]
    for reason in ("unavailable", "none_sent", "absent", None):
        r = Run(rules_cfg(), caller={"number": None, "reason": reason})
        r.run(50)
        assert r.menus() == ["main"], reason
    cfg = rules_cfg()
    cfg["callers"]["unavailable"] = {"do": "ext", "to": "102"}
    r = Run(cfg, caller={"number": None, "reason": "unavailable"})
    assert r.run(50) == ("route", "ext", "102")
    assert r.whats("unavailable")


def case_feature_code_blocks_last_caller():
    BOARD.blocked = []
    cfg = rules_cfg()
    cfg["feature_codes"] = {"*89": ["block_last"]}
    Run(cfg, caller={"number": "5551212", "reason": None})
    assert BOARD.feature_code(cfg, "*89") == ("block_last", "5551212")
    assert BOARD.feature_code(cfg, "*00") is None
    r = Run(cfg, caller={"number": "5551212", "reason": None})
    r.run(3000)
    assert r.player.played == [["blocked"]]
    BOARD.blocked = []


def case_block_last_after_a_withheld_call_blocks_nobody():
    # the caller before the withheld one is someone else: nothing is blocked
    BOARD.blocked = []
    cfg = rules_cfg()
    cfg["feature_codes"] = {"*89": ["block_last"]}
    Run(cfg, caller={"number": "5551212", "reason": None})
    for reason in ("withheld", "unavailable", "none_sent"):
        Run(cfg, caller={"number": None, "reason": reason})
        assert BOARD.feature_code(cfg, "*89") == ("block_last", None), reason
        assert BOARD.blocked == []
    r = Run(cfg, caller={"number": "5551212", "reason": None})
    r.run(3000)
    assert r.player.played != [["blocked"]]
    # a call with a number again: that one is blocked
    assert BOARD.feature_code(cfg, "*89") == ("block_last", "5551212")
    BOARD.blocked = []


def case_block_list_is_bounded():
    BOARD.blocked = []
    BOARD.dropped = 0
    for i in range(40):
        BOARD.last_caller = "555%04d" % i
        BOARD.block_last_caller()
    assert len(BOARD.blocked) == 32
    assert BOARD.dropped == 8
    assert BOARD.blocked[0] == "5550008"
    BOARD.blocked = []
    BOARD.dropped = 0


def sched_cfg():
    cfg = base_cfg()
    cfg["menus"]["night"] = {"greeting": ["closed"], "keys": {"1": {"do": "ext", "to": "103"}}}
    cfg["schedule"] = {"rules": [{"mode": "day", "days": 31, "from": 540, "to": 1020}],
                       "default": "night", "modes": {"day": "main", "night": "night"}}
    cfg["feature_codes"] = {"*81": ["override", "night"], "*82": ["override", "day"], "*80": ["override", None]}
    return cfg


def case_schedule_and_override_pick_the_menu():
    monday_10 = 1795687200      # 2026-11-23 10:00 UTC, a Monday
    monday_20 = monday_10 + 10 * 3600
    cfg = sched_cfg()
    r = Run(cfg, clock=lambda: monday_10)
    assert r.menus() == ["main"]
    r = Run(cfg, clock=lambda: monday_20)
    assert r.menus() == ["night"]
    assert BOARD.feature_code(cfg, "*82") == ("override", "day")
    r = Run(cfg, clock=lambda: monday_20)
    assert r.menus() == ["main"]
    assert [e for e in r.events if e["event"] == "schedule"][0]["mode"] == "day"
    BOARD.feature_code(cfg, "*80")
    assert BOARD.override is None
    r = Run(cfg, clock=lambda: monday_20)
    assert r.menus() == ["night"]


def case_top_returns_to_the_scheduled_menu():
    cfg = sched_cfg()
    cfg["menus"]["night"]["keys"]["2"] = {"do": "menu", "to": "support"}
    r = Run(cfg, clock=lambda: 1795687200 + 36000)
    r.run(1000, {100: "2", 500: "*"})
    assert r.menus() == ["night", "support", "night"], r.menus()


def case_dialled_extension_is_announced():
    cfg = base_cfg()
    cfg["announce_ext"] = ["connecting"]
    r = Run(cfg)
    a = r.run(10000, {100: "1", 200: "0", 300: "2"})
    assert r.player.played[1] == ["connecting", "digit-1", "digit-0", "digit-2"]
    assert a == ("route", "ext", "102")
    assert r.actions[0][0] >= 300 + 400     # after the announcement (4 fragments)


def case_missing_prompt_does_not_hang_the_menu():
    class Mute(FakePlayer):
        def play(self, names):
            self.played.append(list(names))    # the file is missing: never busy
    r = Run()
    r.player = Mute()
    r.ivr.player = r.player
    r.ivr.start(0, {"number": None, "reason": None})
    r.run(20000)
    assert r.whats("timeout"), "the first-digit timer must start even if the prompt is silent"


def case_menu_no_answer_fallback_for_dialled_extension():
    cfg = base_cfg()
    cfg["menus"]["main"]["on_no_answer"] = {"do": "message", "prompts": ["callback"]}
    r = Run(cfg)
    a = r.run(5000, {100: "1", 200: "0", 300: "2"})
    assert a == ("route", "ext", "102")
    r.ivr.route_result(r.t, "busy")
    a = r.run(10000)
    assert r.player.played[-1] == ["callback"] and a == ("hangup", "menu_done")


def case_collecting_steps_allocate_nothing():
    try:
        import micropython
        micropython.heap_lock
    except (ImportError, AttributeError):
        return "skip"
    r = Run()
    iv = r.ivr
    p = r.player
    # PROMPT state with the player busy, then DIGITS state waiting for more
    micropython.heap_lock()
    try:
        for i in range(10):
            p.tick()
            iv.step(10 + i * 10, None, False)
    finally:
        micropython.heap_unlock()
    r.t = 100
    r.run(120, {110: "1"})            # "1": ambiguous with 101/102, waits
    assert iv.state_name() == "digits", iv.state_name()
    micropython.heap_lock()
    try:
        for i in range(50):
            iv.step(130 + i * 10, None, False)
    finally:
        micropython.heap_unlock()
    # a closing message playing, and a routed call waiting for the router
    r = Run()
    r.run(150, {100: "9"})
    assert r.ivr.state_name() == "message"
    iv = r.ivr
    micropython.heap_lock()
    try:
        for i in range(5):
            iv.step(160 + i * 10, None, False)
    finally:
        micropython.heap_unlock()
    r = Run()
    r.run(300, {100: "2", 200: "1"})
    assert r.ivr.state_name() == "digits"
    r.run(3000)
    assert r.ivr.state_name() == "routed", r.ivr.state_name()
    iv = r.ivr
    micropython.heap_lock()
    try:
        for i in range(50):
            iv.step(3010 + i * 10, None, False)
    finally:
        micropython.heap_unlock()


def disa_cfg():
    cfg = base_cfg()
    cfg["disa"] = {"enabled": True, "pin": "481923", "max_attempts": 3, "lockout_ms": 600000,
                   "max_call_ms": 1200000, "prompt": ["enter_pin"]}
    cfg["menus"]["main"]["keys"]["8"] = {"do": "disa"}
    cfg["menus"]["main"]["dial_ext"] = False
    return cfg


def _keys(t0, digits, gap=100):
    return dict((t0 + i * gap, c) for i, c in enumerate(digits))


def case_disa_right_pin():
    BOARD.disa_fails = 0
    BOARD.disa_lock_until = -1
    r = Run(disa_cfg())
    keys = {100: "8"}
    keys.update(_keys(500, "481923"))
    a = r.run(5000, keys)
    assert a == ("disa", 1200000), a
    # the PIN never appears in the events
    assert not [e for e in r.events if "481923" in str(e)]


def case_disa_wrong_pins_lock_out_across_calls():
    BOARD.disa_fails = 0
    BOARD.disa_lock_until = -1
    cfg = disa_cfg()
    r = Run(cfg)
    keys = {100: "8"}
    keys.update(_keys(500, "111111"))
    keys.update(_keys(2000, "222222"))
    r.run(4000, keys)
    assert [e["n"] for e in r.whats("disa_bad_pin")] == [1, 2]
    r2 = Run(cfg)                           # another call: the count goes on
    r2.t = r.t
    keys = {r.t + 100: "8"}
    keys.update(_keys(r.t + 500, "333333"))
    a = r2.run(r.t + 3000, keys)
    assert a == ("hangup", "disa_locked"), a
    r3 = Run(cfg)                           # locked: even the right PIN is refused
    r3.t = r2.t
    keys = {r2.t + 100: "8"}
    a = r3.run(r2.t + 3000, keys)
    assert a == ("hangup", "disa_locked")
    BOARD.disa_lock_until = -1


def case_disa_off_means_no_outside_line():
    cfg = disa_cfg()
    cfg["disa"] = {"enabled": False}
    r = Run(cfg)
    a = r.run(5000, {100: "8"})
    assert a == ("route", "ext", "101"), a  # the safe fallback (operator), never an outside line


def case_numbers_as_fragments():
    assert ivr.say_number(0) == ["num-0"]
    assert ivr.say_number(7) == ["num-7"]
    assert ivr.say_number(13) == ["num-13"]
    assert ivr.say_number(40) == ["num-40"]
    assert ivr.say_number(342) == ["num-3", "num-hundred", "num-40", "num-2"]
    assert ivr.say_number(1005) == ["num-1", "num-thousand", "num-5"]
    assert ivr.say_number(20000) == ["num-20", "num-thousand"]
    assert ivr.say_number(-1) == []


def case_shared_state_survives_a_reboot():
    BOARD.set_override("night")
    BOARD.blocked = ["5550001"]
    saved = BOARD.saved()
    BOARD.set_override(None)
    BOARD.blocked = []
    BOARD.restore(saved)
    assert BOARD.override == "night"
    assert BOARD.blocked == ["5550001"]
    BOARD.restore({"override": 5, "blocked": "junk"})   # damaged: ignored
    assert BOARD.override == "night"
    BOARD.restore(None)
    BOARD.set_override(None)
    BOARD.blocked = []


def case_header_timeline():
    # the timeline in firmware/ivr.py's header, row by row
    cfg = base_cfg()
    cfg["menus"]["main"] = {"greeting": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n",
                                         "o", "p"],     # 1.6 s: still playing at 1200
                            "keys": {"1": {"do": "group", "to": "sales"}, "12": {"do": "ext", "to": "102"}},
                            "first_ms": 5000, "inter_ms": 2000}
    r = Run(cfg)
    a = r.run(1200, {1200: "1"})
    assert a is None and r.player.stops == 1 and r.ivr.state_name() == "digits"
    a = r.run(1700, {1700: "2"})
    assert a == ("route", "ext", "102") and r.actions[0][0] == 1700


def case_unset_clock_uses_the_unset_mode():
    cfg = sched_cfg()
    cfg["schedule"]["unset"] = "day"
    r = Run(cfg, clock=lambda: 1000)       # 1970: the RTC was never set
    assert r.menus() == ["main"]
    assert r.whats("clock_unset")
    BOARD.set_override("night")              # an explicit override still wins
    r = Run(cfg, clock=lambda: 1000)
    assert r.menus() == ["night"]
    BOARD.set_override(None)


def case_key_during_message_back_to_menu_counts_there():
    cfg = base_cfg()
    cfg["menus"]["main"]["keys"]["8"] = {"do": "message", "prompts": ["hours", "more", "more"],
                                         "then": {"do": "menu", "to": "support"}}
    r = Run(cfg)
    a = r.run(5000, {100: "8", 250: "1", 400: "1"})
    # "1" skipped the message, entered support ("1" vs "11": waits), "11" routes
    assert r.menus() == ["main", "support"], r.menus()
    assert a == ("route", "ext", "101"), a
    assert r.actions[0][0] == 400


def case_key_during_closing_message_is_ignored():
    r = Run()
    a = r.run(5000, {100: "9", 150: "1"})
    assert a == ("hangup", "menu_done")
    assert r.menus() == ["main"]


def case_busy_everywhere_ends_instead_of_looping():
    cfg = base_cfg()
    cfg["callers"] = {"priority": [{"number": "5559999", "action": {"do": "operator"}}]}
    cfg["on_no_answer"] = {"do": "operator"}      # a fallback that routes to the same busy phone
    r = Run(cfg, caller={"number": "5559999", "reason": None})
    routes = 0
    for i in range(40):
        a = r.run(r.t + 100)
        if a is None:
            continue
        if a[0] == "route":
            routes += 1
            r.ivr.route_result(r.t, "busy")      # the router says busy at once, every time
        else:
            break
    assert a == ("hangup", "no_answer"), a
    assert routes == 7, routes


def case_a_new_call_starts_clean():
    r = Run()
    r.run(1000, {200: "2"})
    assert r.menus() == ["main", "support"]
    r.ivr.start(r.t, {"number": None, "reason": None})
    assert r.menus() == ["main", "support", "main"]
    assert r.ivr.stack == []
    assert r.player.played[-1] == ["welcome", "main_opts"]     # the long greeting again: a new caller


def case_a_line_with_its_own_menu():
    cfg = sched_cfg()
    cfg["lines"].append({"country": "US", "menu": "support"})
    r = Run(cfg, clock=lambda: 1795687200)
    assert r.menus() == ["main"]            # line 0 (the fake player's default) follows the schedule
    p = FakePlayer()
    p.line = 1
    events = []
    iv = ivr.Ivr(cfg, p, lambda ev, **f: events.append((ev, f)), clock=lambda: 1795687200, board=BOARD)
    iv.start(0, {"number": None, "reason": None})
    assert [f["menu"] for ev, f in events if ev == "menu"] == ["support"]


def case_disa_from_a_caller_rule():
    BOARD.disa_fails = 0
    BOARD.disa_lock_until = -1
    cfg = disa_cfg()
    cfg["callers"] = {"priority": [{"number": "5550100", "action": {"do": "disa"}}]}
    r = Run(cfg, caller={"number": "5550100", "reason": None})
    a = r.run(10000, _keys(500, "481923"))
    assert a == ("disa", 1200000), a
    r = Run(cfg, caller={"number": "5550100", "reason": None})
    a = r.run(30000)                       # silence: a timeout counts as a failed attempt
    assert [e["n"] for e in r.whats("disa_bad_pin")] == [1, 2, 3]
    assert a == ("hangup", "disa_locked")
    BOARD.disa_lock_until = -1


def case_notice_plays_before_the_menu_and_a_key_skips_it():
    # issue 12: the office's own words before the menu (the call is logged, how to ask for the data)
    cfg = base_cfg()
    cfg["notice"] = ["privacy_notice", "privacy_how"]
    r = Run(cfg)
    r.run(150)
    assert r.player.played == [["privacy_notice", "privacy_how"]], r.player.played
    assert r.menus() == []                        # the menu waits for the notice
    r.run(400)                                    # the notice ends (200 ms here): the full greeting
    assert r.player.played[1] == ["welcome", "main_opts"], r.player.played
    assert r.menus() == ["main"]
    a = r.run(1000, {500: "1", 600: "0", 700: "1"})
    assert a == ("route", "ext", "101"), a
    # a key during the notice skips the rest of it and counts in the menu
    r = Run(cfg)
    a = r.run(5000, {50: "1", 200: "0", 300: "2"})
    assert r.player.played[0] == ["privacy_notice", "privacy_how"] and r.player.stops >= 1
    assert r.menus() == ["main"] and a == ("route", "ext", "102"), (r.menus(), a)
    # without a notice the menu starts at once (as before)
    r = Run()
    assert r.player.played == [["welcome", "main_opts"]] and r.menus() == ["main"]


def all_cases():
    g = globals()
    return [k for k in sorted(g) if k.startswith("case_")]


def main():
    import caserun
    caserun.main(caserun.discover(globals()))


if __name__ == "__main__":
    main()
