"""End to end on the emulated board, per country profile: the exchange rings with the
country's cadence, the board answers on the configured ring, and each way the far end
can hang up releases the line in time (issue 4's scenario tests)."""
import pytest

from emuhelp import emulate, load_json, of
from line_helpers import COUNTRIES

# release deadline per method, ms after the world's hangup (issue 4: CPC 1 s, busy 4 s)
DEADLINE = {"cpc": 1000, "reversal": 1000, "busy": 4000, "reorder": 4000, "silence": 9000}
METHOD = {"cpc": "cpc", "reversal": "reversal", "busy": "busy_tone", "reorder": "reorder_tone",
          "silence": "silence"}


def scenario(cc, methods):
    calls = []
    t = 1.0
    for i, m in enumerate(methods):
        calls.append({"at": t, "line": 1, "country": cc, "caller_id": "5551234567",
                      "keys": [{"at": 2.0, "digits": "1"}],
                      "hangup": {"after_connect": 3.0, "method": m}})
        t += 45.0
    return {"description": "%s: one call per hang-up method" % cc, "seed": 3,
            "calls": calls, "extensions": {"101": {"answer_after": 1.0}},
            "duration": t + 5}


def run(cc, methods, tmp_path):
    cfg = load_json("basic.json")
    cfg["lines"][0]["country"] = cc
    cfg["lines"][0]["hangup"] = {"silence_ms": 8000}
    rc, events, err = emulate(cfg, scenario(cc, methods), "micropython", tmp_path)
    assert rc in (0, 3), err[-2000:]
    return events


def check(cc, methods, events):
    hangs = of(events, "hangup")
    rels = of(events, "release")
    answers = of(events, "answer")
    assert len(answers) == len(methods), answers
    for a in answers:
        assert int(a.get("rings", 2)) == 2              # answered on the configured ring
    assert len(hangs) == len(methods) and len(rels) == len(methods), (hangs, rels)
    for m, h, r in zip(methods, hangs, rels):
        assert r["method"] == METHOD[m], (cc, m, r)
        assert 0 <= r["t_ms"] - h["t_ms"] <= DEADLINE[m], (cc, m, h, r)


def test_every_hangup_method_on_a_german_line(tmp_path):
    methods = ["cpc", "reversal", "busy", "reorder", "silence"]
    check("DE", methods, run("DE", methods, tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("cc", COUNTRIES)
def test_every_hangup_method_in_every_profile(cc, tmp_path):
    methods = ["cpc", "reversal", "busy", "reorder", "silence"]
    check(cc, methods, run(cc, methods, tmp_path))
