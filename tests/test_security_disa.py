"""The attacker's suite, part 2: DISA (issue 16), on the emulated board under
micropython. The fraudster who found the DISA key tries forbidden numbers
after a right PIN, smuggles digits past the board's dialler, and guesses the
PIN across calls, lines and reboots. The verdict is the emulated exchange's:
which lines the board seized ("seized") and which digits it heard dialled
("dialled"), decoded from the line's audio."""
import json

import pytest

from emuhelp import emulate, load_json, of
from test_security_callerid import forbidden

pytestmark = pytest.mark.micropython

PIN = "481923"


def disa_cfg(**disa):
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    cfg["disa"] = {"enabled": True, "pin": PIN, "max_attempts": 3, "lockout_ms": 1800000,
                   "max_call_ms": 600000}
    cfg["disa"].update(disa)
    cfg["menus"]["main"]["keys"]["8"] = {"do": "disa"}
    return cfg


def caller(at, keys, line=1, hang_after=30.0):
    return {"at": at, "line": line, "caller_id": "5550000001", "keys": keys,
            "hangup": {"after": hang_after, "method": "cpc"}}


def pin_then(number, at=6.5):
    return [{"at": 1.0, "digits": "8"}, {"at": 3.0, "digits": PIN}, {"at": at, "digits": number}]


def guesses(*pins):
    keys = [{"at": 1.0, "digits": "8"}]
    for i, p in enumerate(pins):
        keys.append({"at": 3.0 + 3.0 * i, "digits": p})
    return keys


FORBIDDEN = [("0114420712345#", "international"), ("19005551234#", "premium"),
             ("*7219005551234#", "feature_code"), ("911#", "special"), ("18095551234#", "international"),
             ("9765555#", "premium")]


def test_disa_never_dials_a_forbidden_number(tmp_path):
    calls = [caller(1.0 + 25.0 * i, pin_then(n), hang_after=20.0) for i, (n, _) in enumerate(FORBIDDEN)]
    code, ev, err = emulate(disa_cfg(), {"calls": calls, "duration": 25 * len(FORBIDDEN) + 10},
                            "micropython", tmp_path)
    assert code == 0, err
    assert len(of(ev, "ivr", what="disa_ok")) == len(FORBIDDEN)     # the right PIN each time
    assert not of(ev, "seized") and not of(ev, "dialled")             # no outside line, no digit
    assert [(r["why"], r["flow"]) for r in of(ev, "dial_refused")] == [(w, "disa") for _, w in FORBIDDEN]
    recs = [r["record"] for r in of(ev, "record")]
    assert [r["dial_refused"] for r in recs] == [w for _, w in FORBIDDEN]
    assert all(r["release"] == "disa_refused" for r in recs)
    assert not of(ev, "ivr", what="disa_bad_pin")    # a refused number is not a PIN failure


def test_digits_keyed_after_the_number_never_reach_the_outside_line(tmp_path):
    keys = pin_then("5550199#") + [{"at": 9.6, "digits": "0119005551234"},   # during the outside dial tone
                                   {"at": 13.0, "digits": "*72"}]
    sc = {"calls": [caller(1.0, keys, hang_after=60.0)],
          "callees": {"5550199": {"answer_after": 4.0, "talk": 10.0}}, "duration": 70}
    code, ev, err = emulate(disa_cfg(), sc, "micropython", tmp_path)
    assert code == 0, err
    assert [d["number"] for d in of(ev, "dialled")] == ["5550199"]   # the board's own dialling only
    assert not forbidden(ev)
    dial = of(ev, "disa_dial")[0]
    assert dial["number"] == "5550199" and dial["outside_line"] == 2
    assert of(ev, "disa_connect") and of(ev, "release", line=1)[0]["reason"] == "disa_far_end"
    rec = of(ev, "record", line=1)[0]["record"]
    assert rec["disa_number"] == "5550199" and PIN not in json.dumps(ev)


def test_brute_force_across_calls_and_lines_locks_disa_for_everyone(tmp_path):
    calls = [caller(1.0, guesses("111111", "222222"), line=1, hang_after=12.0),
             caller(2.0, guesses("333333"), line=2, hang_after=12.0),          # the third: lock-out
             caller(20.0, guesses(PIN), line=1, hang_after=10.0),              # the right PIN, too late
             caller(21.0, guesses(PIN), line=2, hang_after=10.0)]
    code, ev, err = emulate(disa_cfg(), {"calls": calls, "duration": 40}, "micropython", tmp_path)
    assert code == 0, err
    assert [e["n"] for e in of(ev, "ivr", what="disa_bad_pin")] == [1, 2, 3]
    assert len(of(ev, "ivr", what="disa_lockout")) == 1
    # the other line, still keying when the lock-out fell, gets no more guesses
    assert len(of(ev, "ivr", what="disa_locked")) == 3 and not of(ev, "ivr", what="disa_ok")
    assert not of(ev, "seized") and not of(ev, "dialled") and not of(ev, "disa")


def test_brute_force_across_reboots(tmp_path):
    # The power is cut between the attacker's calls (a new firmware process on
    # the same flash): the count goes on, and a lock-out stays.
    flash = tmp_path / "flash"
    flash.mkdir()
    runs = []
    for pins_tried in (("111111", "222222"), ("333333",), (PIN,)):
        sc = {"calls": [caller(1.0, guesses(*pins_tried), hang_after=12.0)], "duration": 20}
        code, ev, err = emulate(disa_cfg(), sc, "micropython", tmp_path, extra=["--flash", str(flash)])
        assert code == 0, err
        runs.append(ev)
    assert [e["n"] for e in of(runs[0], "ivr", what="disa_bad_pin")] == [1, 2]
    assert [e["n"] for e in of(runs[1], "ivr", what="disa_bad_pin")] == [3]     # counted on
    assert of(runs[1], "ivr", what="disa_lockout")
    assert of(runs[2], "ivr", what="disa_locked") and not of(runs[2], "ivr", what="disa_ok")
    for ev in runs:
        assert not of(ev, "seized") and not of(ev, "dialled")
    state = json.loads((flash / "ivr_state.json").read_text())
    assert state["disa"]["lock_ms"] == 1800000
    # and the DISA PIN is not on the flash in plain text
    text = (flash / "config.json").read_text()
    assert PIN not in text and "pin_hash" in text


def test_a_weak_pushed_config_is_refused_by_the_board(tmp_path):
    # The example: PIN 000000 and unlimited attempts, written as JSON
    # straight to the board (no host validator): the board refuses to run it,
    # so the lines stay on-hook and nobody reaches DISA.
    cfg = disa_cfg(pin="000000", max_attempts=1000000)
    sc = {"calls": [caller(1.0, guesses("000000"), hang_after=12.0)], "duration": 20}
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path)
    assert code == 0, err
    boot = of(ev, "boot")[0]
    assert "too easy" in boot["config"], boot
    assert not of(ev, "answer") and not of(ev, "hook", state="off")
