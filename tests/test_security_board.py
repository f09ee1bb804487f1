"""The attacker's cases against the board's own defences (tests/security_cases.py):
the numbering plan before every dial, the board's check of weak pushed configs,
trivial PINs, the hash and its cost, the DISA lock-out across reboots and the
sealed DISA PIN, under CPython and the real micropython binary."""
import os

import pytest

import caserun
import casetest
import security_cases

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
