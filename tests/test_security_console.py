"""The attacker's suite, part 3: the console (issue 16). The board-side checks
(tests/console_fw/check_security.py) run under CPython and the real micropython
binary; the host side: a session ends with its client, however it ends."""
import importlib.util
import os
import sys

import pytest

import casetest
from ringroute import paths, session

CHECK = os.path.join(paths.ROOT, "tests", "console_fw", "check_security.py")
sys.path.insert(0, os.path.dirname(CHECK))


def _load_checks():
    spec = importlib.util.spec_from_file_location("check_security", CHECK)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


check_security = _load_checks()


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    return casetest.run_micropython(CHECK, [tmp_path_factory.mktemp("security_console")], source=True,
                                    timeout=120)


@casetest.each_case(check_security.CHECKS)
def test_security_console_check(engine, name, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    casetest.check(request, engine, name, check_security.CHECKS, check_security.call_in(str(tmp_path)))


class _Wire:
    """A transport that answers every request with ok, and keeps what was sent."""

    port = "test"

    def __init__(self):
        self.sent = []
        self.pending = []
        self.closed = False

    def write(self, data):
        from ringroute import framing
        self.sent.append(data)
        rid = framing.decode(data.rstrip(b"\n"))[0]
        self.pending.append(_frame(rid, "ok", {}))

    def readline(self, deadline):
        return self.pending.pop(0) if self.pending else None

    def close(self):
        self.closed = True


def _frame(rid, verb, payload):
    import json
    from rrfw.console import protocol
    return protocol.frame(rid, verb, json.dumps(payload)).rstrip(b"\n")


@pytest.mark.parametrize("how", [None, KeyboardInterrupt, RuntimeError])
def test_the_host_logs_out_however_the_command_ends(how):
    # `ringroute monitor` is stopped with Ctrl-C (its help says so): the
    # session must end then too, not stay open for the next program on the port
    w = _Wire()
    b = session.Board(w)
    b.session = True
    try:
        with b:
            if how:
                raise how()
    except (KeyboardInterrupt, RuntimeError):
        pass
    assert any(b" logout " in s for s in w.sent), w.sent
    assert w.closed and b.session is False
