"""A config that slips through the check and cannot start the App: the board falls back to the
previous config, then to its built-in answering mode, reports it and answers (tests/fallback_cases.py),
under CPython and the real micropython binary."""
import os
import shutil
import sys

import pytest

import casetest

HERE = os.path.dirname(os.path.abspath(__file__))
FIRMWARE = os.path.join(os.path.dirname(HERE), "firmware")
SCRIPT = os.path.join(HERE, "fallback_cases.py")
sys.path.insert(0, FIRMWARE)   # main.py, imported by the cases (MicroPython finds it on MICROPYPATH)
import fallback_cases  # noqa: E402


def _flash(d):
    shutil.copy(os.path.join(HERE, "data", "basic.json"), os.path.join(str(d), "good.json"))
    return d


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(SCRIPT, [_flash(tmp_path_factory.mktemp("fallback_mpy"))], source=True)


@casetest.each_case(fallback_cases.CASES)
def test_config_fallback(engine, name, request, tmp_path, monkeypatch):
    _flash(tmp_path)
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, fallback_cases.CASES, fallback_cases.call)
