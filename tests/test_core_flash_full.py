"""A full or failing flash: every call released normally, the lost records counted and reported
(tests/flash_full_cases.py), under CPython and the real micropython binary."""
import os
import shutil

import pytest

import casetest
import flash_full_cases

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "flash_full_cases.py")


def _flash(d):
    shutil.copy(os.path.join(HERE, "data", "basic.json"), os.path.join(str(d), "good.json"))
    return d


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(SCRIPT, [_flash(tmp_path_factory.mktemp("flash_full_mpy"))], source=True)


@casetest.each_case(flash_full_cases.CASES)
def test_core_flash_full(engine, name, request, tmp_path, monkeypatch):
    _flash(tmp_path)
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, flash_full_cases.CASES)
