"""A factory reset cut by a power loss at every removal, rename and write: no personal
data is ever left without the admin PIN, and the next boot finishes the reset
(tests/wipe_cases.py), under CPython and the real micropython binary."""
import os
import sys

import pytest

import casetest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "wipe_cases.py")
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "firmware"))   # main.py
import wipe_cases  # noqa: E402


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(SCRIPT, [tmp_path_factory.mktemp("wipe_mpy")], source=True)


@casetest.each_case(wipe_cases.CASES)
def test_factory_reset_power_cuts(engine, name, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, wipe_cases.CASES)
