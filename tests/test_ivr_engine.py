"""The IVR engine's cases (tests/ivr_cases.py) under CPython and under the real micropython binary."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "firmware"))
sys.path.insert(0, HERE)

import ivr_cases  # noqa: E402
from ringroute.paths import engine_command, engine_env  # noqa: E402


@pytest.mark.parametrize("name", ivr_cases.all_cases())
def test_ivr_case_cpython(name):
    res = getattr(ivr_cases, name)()
    if res == "skip":
        pytest.skip("needs micropython.heap_lock (runs under the micropython engine)")


@pytest.mark.micropython
def test_ivr_cases_micropython():
    out = subprocess.run(engine_command("micropython") + [os.path.join(HERE, "ivr_cases.py")],
                         env=engine_env("micropython"), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == "failed 0", out.stdout
    assert sum(1 for ln in lines if ln.startswith("ok ")) == len(ivr_cases.all_cases()), out.stdout
