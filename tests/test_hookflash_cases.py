"""The hook-flash detector and the record's transfers (tests/hookflash_cases.py)
under CPython and the real micropython binary."""
import os

import pytest

import caserun
import casetest
import hookflash_cases

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = caserun.discover(vars(hookflash_cases))


@pytest.fixture(scope="module")
def micropython_results():
    return casetest.run_micropython(os.path.join(HERE, "hookflash_cases.py"), timeout=60)


@casetest.each_case(CASES)
def test_hookflash_case(engine, name, request):
    casetest.check(request, engine, name, CASES)
