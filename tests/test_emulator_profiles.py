"""Every country profile on the emulated board (issue 4): the exchange rings
with the country's cadence and sends its caller-ID standard; the board reads
the caller ID, answers on the configured ring, and each hang-up method the
country's exchanges use releases the line in time. Firmware under micropython."""
import pytest

from emuhelp import emulate, of

from rrfw.line import profiles

# scenario method -> the name the firmware reports, and the release deadline (ms
# after the caller hangs up): issue 4 asks 1 s after a CPC drop and 4 s after the
# start of a busy tone; a reversal is as sharp as a CPC; silence waits out its timeout.
METHODS = {"cpc": ("cpc", 1000), "busy": ("busy_tone", 4000), "reorder": ("reorder_tone", 4000),
           "reversal": ("reversal", 1000), "silence": ("silence", 31000)}
FW_TO_SCENARIO = {v[0]: k for k, v in METHODS.items()}
CALL_GAP_S = 70.0


def config(cc):
    return {"version": 1,
            "lines": [{"country": cc, "answer_on_ring": 2, "answer_on_callerid": False}],
            "extensions": {"101": {"port": 0, "name": "Desk"}},
            "start": "main",
            "menus": {"main": {"greeting": ["welcome"], "keys": {"1": {"do": "ext", "to": "101"}},
                               "first_ms": 5000, "inter_ms": 2000, "max_invalid": 3, "max_timeout": 3,
                               "on_invalid": {"do": "ext", "to": "101"},
                               "on_timeout": {"do": "ext", "to": "101"}}}}


def methods_of(cc):
    return [FW_TO_SCENARIO[m] for m in profiles.get(cc)["hangup"] if m in FW_TO_SCENARIO]


@pytest.mark.parametrize("cc", profiles.codes())
def test_profile_callerid_answer_and_every_hangup_method(cc, tmp_path):
    methods = methods_of(cc)
    calls = []
    for i, m in enumerate(methods):
        calls.append({"at": 1.0 + i * CALL_GAP_S, "line": 1,
                      "caller_id": "withheld" if i == 1 else "0301234567%d" % i,
                      "keys": [{"at": 1.0, "digits": "1"}],
                      "hangup": {"after_connect": 3.0, "method": m}})
    sc = {"calls": calls, "extensions": {"101": {"answer_after": 0.5}}}
    code, ev, err = emulate(config(cc), sc, "micropython", tmp_path)
    assert code == 0, err
    answers = of(ev, "answer")
    assert len(answers) == len(methods), (cc, [e["event"] for e in ev if e.get("src") == "board"])
    assert all(a["rings"] == 2 for a in answers)
    cids = of(ev, "callerid")
    assert [c.get("number") for c in cids][:1] == ["03012345670"], cids
    if len(methods) > 1:
        assert cids[1]["number"] is None and cids[1]["reason"] == "withheld", cids[1]
    gone = of(ev, "hangup", src="world")
    rels = of(ev, "release", src="board")
    assert len(rels) == len(methods)
    for m, g, r in zip(methods, gone, rels):
        fw_name, deadline = METHODS[m]
        assert r["reason"] == "caller_hangup" and r["method"] == fw_name, (cc, m, r)
        assert 0 <= r["t_ms"] - g["t_ms"] <= deadline, (cc, m, r["t_ms"] - g["t_ms"])
    assert not of(ev, "fault")
