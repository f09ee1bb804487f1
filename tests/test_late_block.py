"""No block late for the flash or the PIN (tests/late_block_cases.py): a power cut
while a record waits, an export, erasure, reboot or download right after a call,
a login spread over blocks; under CPython and the real micropython binary."""
import os
import shutil

import pytest

import casetest
import late_block_cases

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "late_block_cases.py")


def _flash(d):
    shutil.copy(os.path.join(HERE, "data", "basic.json"), os.path.join(str(d), "good.json"))
    return d


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(SCRIPT, [_flash(tmp_path_factory.mktemp("late_block_mpy"))], source=True)


@casetest.each_case(late_block_cases.CASES)
def test_late_block(engine, name, request, tmp_path, monkeypatch):
    _flash(tmp_path)
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, late_block_cases.CASES)
