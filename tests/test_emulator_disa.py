"""DISA, the one way a caller reaches an outside line (issue 5): only after
the PIN, bridged through the codec to the board's second line, released when
either side hangs up or at max_call. The PIN never appears in events or records."""
from emuhelp import emulate, load_json, of


def disa_cfg(max_call_ms=600000):
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    cfg["disa"] = {"enabled": True, "pin": "481923", "max_attempts": 3, "lockout_ms": 1800000,
                   "max_call_ms": max_call_ms}
    cfg["menus"]["main"]["keys"]["8"] = {"do": "disa"}
    return cfg


def call(keys, hang_after=120.0):
    return {"calls": [{"at": 1.0, "line": 1, "caller_id": "5550000001",
                       "keys": keys, "hangup": {"after": hang_after, "method": "cpc"}}],
            "callees": {"5550199": {"answer_after": 4.0, "talk": 10.0}}, "duration": 90}


def test_disa_after_the_pin_dials_out_on_the_second_line(tmp_path):
    keys = [{"at": 1.0, "digits": "8"}, {"at": 3.0, "digits": "481923"}, {"at": 9.0, "digits": "5550199"}]
    code, ev, err = emulate(disa_cfg(), call(keys), "micropython", tmp_path)
    assert code == 0, err
    d = of(ev, "disa")
    assert d and d[0]["ok"] and d[0]["outside_line"] == 2
    assert of(ev, "seized", line=2)
    assert of(ev, "dialled", line=2)[0]["number"] == "5550199"   # the caller's own keys, bridged
    assert of(ev, "callee_answer")
    rel = of(ev, "release", line=1)[0]
    assert rel["reason"] == "disa_far_end"                      # the called party hung up first
    assert not of(ev, "hook", line=2, state="off")[1:]          # line 2 seized once
    assert of(ev, "hook", line=2, state="on")                   # and given back
    # the PIN is nowhere: not in digit events, not in the record
    assert all(e.get("digit") in (None, "8") for e in of(ev, "digit", line=1)[:7])
    rec = of(ev, "record", line=1)[0]["record"]
    assert "481923" not in str(rec) and rec["disa_line"] == 2


def test_disa_is_cut_at_max_call(tmp_path):
    keys = [{"at": 1.0, "digits": "8"}, {"at": 3.0, "digits": "481923"}]
    code, ev, err = emulate(disa_cfg(max_call_ms=15000), call(keys), "cpython", tmp_path)
    assert code == 0, err
    d = of(ev, "disa")[0]
    rel = of(ev, "release", line=1)[0]
    assert rel["reason"] == "disa_max_length"
    assert 14900 <= rel["t_ms"] - d["t_ms"] <= 15100


def test_wrong_pin_never_reaches_an_outside_line(tmp_path):
    keys = [{"at": 1.0, "digits": "8"}, {"at": 3.0, "digits": "123456"}]
    code, ev, err = emulate(disa_cfg(), call(keys, hang_after=30.0), "cpython", tmp_path)
    assert code == 0, err
    assert not of(ev, "disa") and not of(ev, "seized")
    assert not [e for e in of(ev, "hook", line=2) if e["state"] == "off"]
