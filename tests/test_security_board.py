"""The attacker's cases against the board's own defences (tests/security_cases.py):
the numbering plan before every dial, the board's check of weak pushed configs,
trivial PINs, the hash and its cost, the DISA lock-out across reboots and the
sealed DISA PIN, under CPython and the real micropython binary."""
import os

import pytest

import caserun
import casetest
import security_cases
from rrfw.store import cfgcheck

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = caserun.discover(vars(security_cases))


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(os.path.join(HERE, "security_cases.py"),
                                    [tmp_path_factory.mktemp("security_micropython")], timeout=120)


@casetest.each_case(CASES)
def test_security_board_case(engine, name, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, CASES, security_cases.call_in(str(tmp_path)))


# --- the host's validator agrees with the board (the same rules: rrfw/store/pins.py) ---
from test_config_validate import BASE, check, one  # noqa: E402

DISA_TEXT = BASE.replace("      0: operator\n", "      0: operator\n      8: disa\n").replace(
    "  - country: US\n", "  - {country: US, number: '+1 617 555 0142'}\n")


@pytest.mark.parametrize("pin,why", [("147258", "keypad"), ("121212", "fewer than 3"), ("123123", "repeats"),
                                     ("550142", "office's own"), ("098765", "run")])
def test_validate_refuses_trivial_disa_pins(tmp_path, pin, why):
    path, cfg, probs = check(tmp_path, DISA_TEXT + "disa: {enabled: true, pin: '%s', max_call: 20min}\n" % pin)
    assert cfg is None
    assert why in one(probs, "trivially guessable").message


def test_validate_allow_lists_and_the_line_number(tmp_path):
    text = DISA_TEXT + ("disa: {enabled: true, pin: '930571', max_call: 20min, allow: ['01144*', '1*']}\n"
                        "outbound: {callback: true, allow: ['*72']}\n")
    path, cfg, probs = check(tmp_path, text)
    one(probs, "disa allow: '1*' must be a number or a prefix of 3+ digits")
    one(probs, "outbound allow: '*72'")
    text = DISA_TEXT + "disa: {enabled: true, pin: '930571', max_call: 20min, allow: ['01144*']}\n"
    path, cfg, probs = check(tmp_path, text)
    assert cfg is not None, probs
    assert cfg["disa"]["allow"] == ["01144*"] and cfg["lines"][0]["number"] == "+16175550142"
    one(probs, "pass the numbering plan", "warning")
    assert cfgcheck.check(cfg) is None    # what the host compiles, the board takes
