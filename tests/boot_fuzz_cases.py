# boot_fuzz_cases.py - a compiled config can never stop the board: damaged
# compiled JSON is put to the board's own check (store/cfgcheck.py) and,
# when the check takes it, booted (call/app.py App) on the stand-in board and
# given a call (ring, answer, a key, an agent, the caller hangs up). A config
# the check takes must boot without an exception and give a call without a
# fault. Run by pytest under CPython and by the real `micropython` binary
# (tests/test_config_boot_fuzz.py), through tests/support/caserun.py:
#   micropython boot_fuzz_cases.py WORKDIR [CASE...]   (WORKDIR holds bases.json)
# The mutations come from a fixed LCG, so both engines try the same configs.
import json
import math
import os
from array import array

from rrfw.call import app as app_mod
from rrfw.call import states
from rrfw.store import cfgcheck
from rrfw.store import cfgstore
from standin_hal import StandInHal, us_ring_pulses

JUNK = (None, 0, -1, 1 << 40, 1.5, "x", "", [], {}, [1, "a"], {"a": 1}, True, False, "US", "ZZ", ["x"],
        {"do": "hangup"}, "1", [[]], 99999999)
N_MUTANTS = 300      # configs per run: most are refused at once, the rest boot (0.2 s each, CPython)


class Lcg:
    # the same numbers on both engines (Numerical Recipes' 32-bit LCG constants)
    def __init__(self, seed):
        self.x = seed

    def below(self, n):
        self.x = (self.x * 1664525 + 1013904223) & 0xFFFFFFFF
        return (self.x >> 8) % n


def _paths(d, pre, out):
    if type(d) is dict:
        for k in sorted(d):
            out.append(pre + (k,))
            _paths(d[k], pre + (k,), out)
    elif type(d) is list:
        for i in range(len(d)):
            out.append(pre + (i,))
            _paths(d[i], pre + (i,), out)
    return out


def _junk(rnd):
    return json.loads(json.dumps(JUNK[rnd.below(len(JUNK))]))   # a fresh copy: no shared lists


def mutate(rnd, cfg):
    """One damage at a random place: a junk value, a key gone, or a junk key."""
    paths = _paths(cfg, (), [])
    p = paths[rnd.below(len(paths))]
    parent = cfg
    for k in p[:-1]:
        parent = parent[k]
    op = rnd.below(10)
    if op < 7:
        parent[p[-1]] = _junk(rnd)
    elif op < 9 and type(parent) is dict:
        del parent[p[-1]]
    elif type(parent) is dict:
        parent[("keys", "hangup", "then", "country", "1")[rnd.below(5)]] = _junk(rnd)
    else:
        parent[p[-1]] = _junk(rnd)


def _dtmf(lo, hi):
    # 10 blocks of a DTMF pair at about -10 dBm0 per tone
    out = []
    for k in range(10):
        b = array("h", bytes(160))
        for i in range(80):
            n = k * 80 + i
            b[i] = int(7000 * math.sin(2 * math.pi * lo * n / 8000) + 7000 * math.sin(2 * math.pi * hi * n / 8000))
        out.append(b)
    return out


KEY2 = _dtmf(697, 1336)
SILENCE = array("h", bytes(160))


def give_a_call(cfg, seconds=18):
    """Boot an App on cfg and ring line 1: answered, key 2, the agents lift,
    the caller hangs up at 16 s. Returns (the App, its events)."""
    hal = StandInHal(n_lines=2, n_exts=4)
    a = app_mod.App(hal, cfg)
    seen = []
    a.events.sinks.append(lambda text: seen.append(json.loads(bytes(text))))
    t_answer = None
    for b in range(seconds * 100):
        t = b * 10
        lc = a.lines[0] if a.lines else None
        hal.pulses = us_ring_pulses(t) if t < 8000 and not hal.hook[0] else 0
        hal.loop = hal.hook[0] and t < 16000
        if t_answer is None and hal.hook[0]:
            t_answer = t
        if t_answer is not None and 0 <= t - t_answer - 1500 < 100:
            hal.rx[0][:] = KEY2[(t - t_answer - 1500) // 10]
        else:
            hal.rx[0][:] = SILENCE
        if hal.ring:
            hal.offhook_ports |= hal.ring    # the agents pick up at once
        if t >= 16000:
            hal.offhook_ports = 0
        hal.next_block()
        a.step()
        if lc is None:
            break
    return a, seen


def _faults(seen):
    return [e for e in seen if e["event"] == "error"]


def _copy(cfg):
    return json.loads(json.dumps(cfg))


def case_every_base_config_boots_and_answers(bases):
    for cfg in bases:
        assert cfgcheck.check(cfg) is None, cfgcheck.check(cfg)
        a, seen = give_a_call(_copy(cfg))
        kinds = [e["event"] for e in seen]
        assert not _faults(seen), _faults(seen)
        assert "answer" in kinds and "release" in kinds and "record" in kinds, (cfg.get("name"), kinds)
        assert a.lines[0].state in (states.IDLE, states.GUARD)


def case_damaged_configs_are_refused_or_boot_and_answer(bases):
    rnd = Lcg(20261122)
    taken = 0
    refused = 0
    for i in range(N_MUTANTS):
        cfg = _copy(bases[rnd.below(len(bases))])
        for _ in range(1 + rnd.below(4) // 3):   # one damage, sometimes two
            mutate(rnd, cfg)
        text = json.dumps(cfg)
        err = cfgcheck.check(cfg)
        assert err is None or type(err) is str, err
        if err is not None:
            refused += 1
            continue
        taken += 1
        try:
            a, seen = give_a_call(cfg)
        except Exception as e:
            raise AssertionError("the check took a config the App cannot boot (%r): %s" % (e, text))
        assert not _faults(seen), (_faults(seen)[0], text)
        for lc in a.lines:
            assert lc.state in (states.IDLE, states.GUARD), (lc.state_name(), text)
    # both sides of the property were exercised
    assert taken >= N_MUTANTS // 6 and refused >= N_MUTANTS // 6, (taken, refused)


# Configs that pass the check of the last release and stop the App at boot
# or fault every call; each is refused now, and each really would stop it.
def _bad(bases):
    b = bases[0]
    out = []
    for path, value in ((("lines", 0, "country"), "XX"),
                        (("lines", 0, "hangup"), {"methods": "cpc"}),
                        (("lines", 0, "hangup"), {"cpc_min_ms": "300"}),
                        (("lines", 0, "hangup"), {"busy_tone": {"freqs": "425", "cadence_ms": [500, 500]}}),
                        (("lines", 0, "hangup"), "cpc"),
                        (("records",), "full"),
                        (("records",), {"keep": "all"}),
                        (("outbound",), {"hours": "08:00-21:00"}),
                        (("ext_ring_timeout_ms",), "20s"),
                        (("operator", "to"), ["401"])):
        cfg = _copy(b)
        d = cfg
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
        out.append((path, value, cfg))
    return out


def case_configs_that_stopped_the_board_are_refused(bases):
    for path, value, cfg in _bad(bases):
        err = cfgcheck.check(cfg)
        assert type(err) is str and err, (path, value)


def case_configs_refused_would_have_stopped_the_board(bases):
    stopped = 0
    for path, value, cfg in _bad(bases):
        try:
            a, seen = give_a_call(cfg, seconds=9)
            if _faults(seen):
                stopped += 1
        except Exception:
            stopped += 1
    assert stopped >= 6, stopped   # the test's bad configs are real board stoppers


def case_safe_mode_passes_the_check_and_answers(bases):
    for countries in ((), ("DE", "US"), ("US",)):
        cfg = cfgstore.safe(2, 4, countries)
        assert cfgcheck.check(cfg) is None, cfgcheck.check(cfg)
    a, seen = give_a_call(cfgstore.safe(2, 4))
    kinds = [e["event"] for e in seen]
    assert not _faults(seen), _faults(seen)
    assert "answer" in kinds and "connect" in kinds and "record" in kinds, kinds


CASES = [case_every_base_config_boots_and_answers,
         case_damaged_configs_are_refused_or_boot_and_answer,
         case_configs_that_stopped_the_board_are_refused,
         case_configs_refused_would_have_stopped_the_board,
         case_safe_mode_passes_the_check_and_answers]


def call(name, case):
    # the runner's cwd is the board's flash; bases.json (compiled examples) is there
    with open("bases.json") as f:
        return case(json.load(f))


if __name__ == "__main__":
    import sys
    import caserun
    os.chdir(sys.argv[1])
    caserun.main(CASES, call, sys.argv[2:])
