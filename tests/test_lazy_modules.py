"""Code loaded only while it is used (tests/lazy_cases.py) under CPython and the real micropython binary."""
import os

import pytest

import caserun
import casetest
import lazy_cases

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = os.path.join(HERE, "data", "basic.json")
CASES = caserun.discover(vars(lazy_cases))


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(os.path.join(HERE, "lazy_cases.py"),
                                    [tmp_path_factory.mktemp("lazy_mpy"), CFG], timeout=120)


@casetest.each_case(CASES)
def test_lazy_case(engine, name, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(lazy_cases, "CFG", CFG)
    casetest.check(request, engine, name, CASES)
