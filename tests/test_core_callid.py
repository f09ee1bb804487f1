"""Call ids unique and increasing across reboots, lost records, power cuts and a damaged
counter (tests/callid_cases.py, store/callid.py), under CPython and the real micropython binary."""
import os
import shutil

import pytest

import casetest
import callid_cases

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "callid_cases.py")


def _flash(d):
    shutil.copy(os.path.join(HERE, "data", "basic.json"), os.path.join(str(d), "good.json"))
    return d


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(SCRIPT, [_flash(tmp_path_factory.mktemp("callid_mpy"))], source=True)


@casetest.each_case(callid_cases.CASES)
def test_core_callid(engine, name, request, tmp_path, monkeypatch):
    _flash(tmp_path)
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, callid_cases.CASES)
