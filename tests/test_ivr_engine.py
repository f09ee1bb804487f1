"""The IVR engine's cases (tests/ivr_cases.py) under CPython and under the real micropython binary."""
import os

import pytest

import caserun
import casetest
import ivr_cases

HERE = os.path.dirname(os.path.abspath(__file__))


CASES = caserun.discover(vars(ivr_cases))


@pytest.fixture(scope="module")
def micropython_results():
    return casetest.run_micropython(os.path.join(HERE, "ivr_cases.py"), timeout=60)


@casetest.each_case(CASES)
def test_ivr_case(engine, name, request):
    casetest.check(request, engine, name, CASES)


def test_random_callers_always_reach_a_person_or_a_goodbye():
    """Monkey test on the example configs: whatever a caller presses (or not), and whatever the
    router answers, the IVR never crashes and every call ends in a route or a hang-up."""
    import glob
    import random

    import yaml
    from ringroute.configlang import compile_config

    root = os.path.dirname(HERE)
    rnd = random.Random(5)
    for path in sorted(glob.glob(os.path.join(root, "examples", "*.yaml"))):
        with open(path) as f:
            if "menus" not in (yaml.safe_load(f) or {}):
                continue
        cfg = compile_config(path)
        for n in range(40):
            keys = {}
            t = 0
            for _ in range(rnd.randint(0, 12)):
                t += rnd.choice((10, 200, 700, 2500, 9000))
                keys[t - t % 10 + 10] = rnd.choice("0123456789*#")
            clock = 1767225600 + rnd.randrange(0, 365 * 86400)
            r = ivr_cases.Run(cfg, caller={"number": rnd.choice([None, "5551234", "19005550100"]),
                                           "reason": rnd.choice([None, "withheld"])}, clock=lambda: clock)
            a = r.run(10 * 60 * 1000, keys)
            routes = 0
            while a is not None and a[0] == "route" and routes < 10:
                routes += 1
                outcome = rnd.choice(("answered", "no_answer", "busy"))
                r.ivr.route_result(r.t, outcome)
                if outcome == "answered":
                    break
                a = r.run(r.t + 10 * 60 * 1000, keys)
            assert a is not None, (path, keys, r.ivr.state_name(), r.events[-5:])
            assert a[0] in ("route", "hangup"), a
