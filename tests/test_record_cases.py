"""One record per call, complete (tests/record_cases.py), under CPython and the real micropython binary."""
import os

import pytest

import caserun
import casetest
import record_cases

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = caserun.discover(vars(record_cases))


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(os.path.join(HERE, "record_cases.py"),
                                    [tmp_path_factory.mktemp("record_mpy")], timeout=60)


@casetest.each_case(CASES)
def test_record_case(engine, name, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, CASES)
