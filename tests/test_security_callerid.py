"""The attacker's suite, part 1: spoofed caller IDs and call-backs (issue 16).

A fraudster who can set their caller ID asks to be called back, hoping the
board dials what they sent: *72 + a premium number (call forwarding on US
lines), 1-900, 011 international, the 809 Caribbean trick, 911. Every run is
on the emulated board under micropython, and the verdict comes from the
emulated exchange: the digits it decoded from the board's own DTMF on the
line ("dialled" events), never from what the firmware says it did."""
import json
import os

import pytest

from emuhelp import emulate, load_json, of
from rrfw.call import numplan

pytestmark = pytest.mark.micropython

SPOOFED = [  # caller ID sent -> why the board must refuse to call it
    ("*7219005551234", "feature_code"),
    ("19005551234", "premium"),
    ("0114420712345", "international"),
    ("18095551234", "international"),
    ("*72", "feature_code"),
    ("911", "special"),
    ("9115551234", "special"),             # 9-1-1 and then anything: emergency on many switches
    ("+44 20 7123 4567", "international"),
    ("9005551234", "premium"),
]
NORMALISED = [("+1 617-555-0142", "16175550142"), ("617 555 0143", "6175550143")]
CALL_HOURS = "2026-01-05 15:00"   # a Monday, 10:00 EST: call-backs to 617 obey Boston's calling hours


# What a US line must never dial, written here from the NANP's own facts and
# not from rrfw/call/numplan.py, so a gap in the firmware's table is not also
# a gap in the verdict: feature codes, the operator and international
# prefixes, 900 and NXX 976 pay-per-call, N11 service codes (911 first of
# all), carrier access 101XXXX, and the Caribbean area codes billed at
# international rates (NANPA's list of NANP countries).
_CARIBBEAN = ("242", "246", "264", "268", "284", "345", "441", "473", "649", "658", "664", "721", "758",
              "767", "784", "809", "829", "849", "868", "869", "876")


def never_on_a_us_line(number):
    """Why the exchange must never hear `number` dialled on a US line, or None."""
    if not number or any(c not in "0123456789" for c in number):
        return "not digits: %r" % number
    n = number[1:] if number[0] == "1" and len(number) == 11 else number
    if number.startswith("0"):
        return "operator / international"
    if number.startswith("101"):
        return "carrier access"
    if n[1:3] == "11" or (number[0] == "1" and number[2:4] == "11"):
        return "N11 service code"
    if len(n) == 10 and (n.startswith("900") or n[3:6] == "976" or n[:3] in _CARIBBEAN):
        return "premium / Caribbean"
    if len(n) == 7 and n.startswith("976"):
        return "premium"
    if len(n) not in (7, 10):
        return "not a whole NANP number"
    return None


def forbidden(ev, country="US", allow=()):
    """Every number the exchange heard dialled that must not be (should be none):
    refused by the firmware's plan, or by the independent list above."""
    out = []
    for d in of(ev, "dialled"):
        number, why = numplan.check(d["number"], country, list(allow))
        if why is None and country == "US" and not numplan.allowed_by(number, allow):
            why = never_on_a_us_line(d["number"])
        if why is not None:
            out.append((d["number"], why))
    return out


def test_the_independent_verdict_agrees_with_the_plan_on_the_attackers_numbers():
    # the oracle itself must be able to fail: every number the suites try, both ways
    import security_cases
    for raw, country, _ in security_cases.FORBIDDEN:
        if country == "US":
            digits = numplan.normalise(raw, "US")[0]
            assert digits is None or never_on_a_us_line(digits), raw
    for raw, country, number in security_cases.ALLOWED:
        if country == "US":
            assert never_on_a_us_line(number) is None, raw


def two_line_cfg():
    cfg = load_json("basic.json")
    cfg["lines"].append(dict(cfg["lines"][0]))
    cfg["outbound"] = {"callback": True, "callback_key": "1", "retry_ms": 60000}
    return cfg


def spoof_scenario(ids, gap=16):
    # The agent is busy with caller 1 throughout; each spoofer on line 2 queues and asks for a call-back.
    calls = [{"at": 1.0, "line": 1, "caller_id": "5550000001", "keys": [{"at": 1.0, "digits": "1"}],
              "hangup": {"after_connect": 20.0 + gap * len(ids)}}]
    for i, cid in enumerate(ids):
        calls.append({"at": 3.0 + gap * i, "line": 2, "caller_id": cid,
                      "keys": [{"at": 1.0, "digits": "1"}, {"at": 8.0, "digits": "1"}],
                      "hangup": {"after": gap - 4.0}})
    # 15:00 UTC is 10:00 in Boston (617): inside the callee's calling hours (issue 13)
    return {"calls": calls, "extensions": {"101": {"answer_after": 1.0}}, "start": CALL_HOURS,
            "duration": 30 + gap * len(ids) + 130}


@pytest.fixture(scope="module")
def spoof_run(tmp_path_factory):
    ids = [cid for cid, _ in SPOOFED] + [cid for cid, _ in NORMALISED]
    code, ev, err = emulate(two_line_cfg(), spoof_scenario(ids), "micropython", tmp_path_factory.mktemp("spoof"))
    assert code == 0, err
    return ev


def test_spoofed_caller_ids_are_never_dialled(spoof_run):
    ev = spoof_run
    assert not forbidden(ev)
    heard = [d["number"] for d in of(ev, "dialled")]
    assert sorted(heard) == sorted(n for _, n in NORMALISED)      # only the plain numbers, once each
    for cid, why in SPOOFED:
        req = [r for r in of(ev, "callback_request") if r["number"] == cid]
        assert req and not req[0]["ok"] and req[0]["why"] == "refused_" + why, (cid, req)
        # the refusal is in the caller's call record too
        rec = [r["record"] for r in of(ev, "record") if r["record"].get("caller") == cid][0]
        assert rec["dial_refused"] == why, rec


def test_punctuated_caller_id_is_normalised_not_a_fault(spoof_run):
    ev = spoof_run
    assert not of(ev, "error")
    for cid, number in NORMALISED:
        req = [r for r in of(ev, "callback_request") if r["number"] == cid][0]
        assert req["ok"], req
        starts = of(ev, "callback_start", number=number)
        # one counted try (a start that finds the agent busy is not counted): reached, not retried
        assert starts and all(s["tries"] == 1 for s in starts), starts
        assert not of(ev, "callback_retry", number=number)
        assert of(ev, "callback_done", number=number)[0]["outcome"] == "reached"
    # the agent was rung only for the call-backs that were allowed
    assert set(s["number"] for s in of(ev, "callback_start")) == set(n for _, n in NORMALISED)


def test_a_tampered_call_back_list_is_checked_again_before_the_dial(tmp_path):
    # callbacks.json is a plain file: an older firmware, a REPL user or a bug may
    # have put anything there. The board checks each number again at the dial.
    flash = tmp_path / "flash"
    flash.mkdir()
    items = [{"number": n, "target": "101", "utc": 0, "tries": 0, "next_ms": 0}
             for n in ("*7219005551234", "0114420712345", "1 (900) 555-1234", "+1 617 555 0144")]
    (flash / "callbacks.json").write_text(json.dumps(items))
    cfg = two_line_cfg()
    sc = {"calls": [], "extensions": {"101": {"answer_after": 1.0}}, "duration": 150, "start": CALL_HOURS}
    code, ev, err = emulate(cfg, sc, "micropython", tmp_path, extra=["--flash", str(flash)])
    assert code == 0, err
    assert not forbidden(ev)
    assert [d["number"] for d in of(ev, "dialled")] == ["16175550144"]
    refused = of(ev, "dial_refused")
    assert sorted((r["why"], r["flow"]) for r in refused) == [
        ("feature_code", "callback"), ("international", "callback"), ("premium", "callback")]
    recs = [r["record"] for r in of(ev, "record") if r["record"].get("outcome") == "callback_refused"]
    assert sorted(r["dial_refused"] for r in recs) == ["feature_code", "international", "premium"]
    # a refused number rings no agent and is dropped, not retried
    assert len(of(ev, "callback_start")) == 1 and len(of(ev, "agent_answer")) == 1
    done = dict((d["number"], d["outcome"]) for d in of(ev, "callback_done"))
    assert done["*7219005551234"] == "refused_feature_code" and done["+1 617 555 0144"] == "reached"
    assert json.loads((flash / "callbacks.json").read_text()) == []
