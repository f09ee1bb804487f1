"""Pytest side of caserun.py: one pytest test per case and engine.

CPython runs a case in-process (check_cpython); MicroPython runs the whole
case file once, as a script, behind a module-scoped fixture of the test file
(run_micropython), and each of its tests reads its case's line. A test file
does:

    @pytest.fixture(scope="module")
    def micropython_results(tmp_path_factory):
        return casetest.run_micropython(SCRIPT, [ARGS...])

    @casetest.each_case(CASES)
    def test_x(engine, name, request):
        casetest.check(request, engine, name, CASES, call)
"""
import os
import subprocess

import pytest

import caserun
from ringroute import paths

SUPPORT = os.path.dirname(os.path.abspath(__file__))
ENGINES = ("cpython", "micropython")


def micropython_env(source=False):
    """engine_env("micropython") plus tests/support (the runner, the stand-in board)."""
    env = paths.engine_env("micropython", source=source)
    env["MICROPYPATH"] += ":" + SUPPORT
    return env


class Results:
    """What one micropython run of a case file printed, by case name."""

    def __init__(self, proc):
        self.status = {}
        self.why = {}
        self.finished = False
        for line in proc.stdout.splitlines():
            if line.startswith("CASE "):
                status, _, rest = line[5:].partition(" ")
                name, _, why = rest.partition(": ")
                self.status[name] = status
                self.why[name] = why
            elif line.startswith("CASES RAN "):
                self.finished = True
        self.output = "exit %s\n%s\n%s" % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])

    def check(self, name):
        status = self.status.get(name)
        if status is None:
            pytest.fail("case %s did not run under micropython (run %s):\n%s"
                        % (name, "finished" if self.finished else "crashed", self.output))
        if status == caserun.SKIP:
            pytest.skip("%s has nothing to prove under micropython" % name)
        if status != "ok":
            pytest.fail("%s failed under micropython: %s\n%s" % (name, self.why[name], self.output))


def run_micropython(script, args=(), source=False, timeout=300):
    """Run a case file under the micropython binary once; its Results.

    source: load the firmware's sources rather than its .mpy build."""
    p = subprocess.run(paths.engine_command("micropython") + [script] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=timeout, env=micropython_env(source))
    return Results(p)


def check(request, engine, name, cases, call=None):
    """Run (cpython) or look up (micropython) one case; a skip shows as a skip."""
    if engine == "micropython":
        request.getfixturevalue("micropython_results").check(name)
    elif caserun.run_one(cases, name, call) == caserun.SKIP:
        pytest.skip("%s has nothing to prove under cpython" % name)


def each_case(cases):
    """Parametrize a test over (engine, name): every case under each engine."""
    params = []
    for engine in ENGINES:
        marks = [pytest.mark.micropython] if engine == "micropython" else []
        for name in caserun.names(cases):
            params.append(pytest.param(engine, name, marks=marks, id="%s-%s" % (engine, name)))
    return pytest.mark.parametrize("engine,name", params)
