"""Every way into hal.reboot() is a real reset on the emulated board (issue 15):
the firmware process ends (its RAM is gone), the runner starts it again at
once on the same flash (a world `reset` event) and the board answers calls
again. The hole it closes: an App that failed for want of memory was booted
again in the same, broken-up heap, and every boot failed the same way without
stepping a block (docs/notes/heap.md "Branch frag"); such a boot now resets
the board. rremu/board.py's `--oom-at BLOCK` makes that failure: the App's
MemoryError at BLOCK, and every boot after it in that process."""
import json
import os

import pytest

from ringroute.emu import runner, scenario

HERE = os.path.dirname(os.path.abspath(__file__))
PIN = "731902"
CALL_AT = 20.0   # s: the call the board must answer after its reset
CALLER = "5551234567"


def _cfg():
    with open(os.path.join(HERE, "data", "basic.json")) as f:
        return json.load(f)


def _scenario(duration=50):
    return scenario.parse({"duration": duration, "extensions": {"101": {"answer_after": 3.0}},
                           "calls": [{"at": CALL_AT, "line": 1, "caller_id": CALLER,
                                      "keys": [{"at": 2.0, "digits": "1"}],
                                      "hangup": {"after_connect": 5.0, "method": "cpc"}}]})


def _of(events, name, src="board"):
    return [e for e in events if e["event"] == name and e.get("src") == src]


def _answered_after_reset(events, n_resets=1):
    """One reset (world), a boot before and after it, and the later call answered,
    connected and recorded by the board that came back."""
    resets = _of(events, "reset", "world")
    assert len(resets) == n_resets, [(e["t_ms"], e["event"], e.get("src")) for e in events]
    assert len(_of(events, "boot")) == n_resets + 1
    assert resets[-1]["t_ms"] < CALL_AT * 1000
    assert [e["line"] for e in _of(events, "answer")] == [1]
    assert [e["ext"] for e in _of(events, "connect")] == ["101"]
    recs = [e["record"] for e in _of(events, "record")]
    assert [(r["caller"], r["outcome"]) for r in recs] == [(CALLER, "connected")], recs
    return resets


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_a_boot_out_of_memory_after_the_app_failed_resets_the_board(engine):
    at = 1000   # block (10 s): the App fails, and its reboot in the same heap does too
    emu = runner.Emulation(_cfg(), _scenario(), engine=engine, n_lines=1, extra_argv=["--oom-at", str(at)])
    events = emu.run()
    resets = _answered_after_reset(events)
    assert resets[0]["t_ms"] == at * 10   # at once: no watchdog's 5 s, no link timeout
    # one failed run, one boot that found no memory and reset: no loop of retries
    assert emu.stderr.count("stopped: MemoryError") == 1, emu.stderr[-2000:]
    assert emu.stderr.count("no memory to boot again") == 1, emu.stderr[-2000:]
    assert not _of(events, "config_fallback")   # the config was never at fault


class _Requests(runner.ConsoleMonitor):
    """The lockstep monitor, with requests sent once it is logged in (the first session)."""
    requests = ()

    def __init__(self, pin, script=()):
        super().__init__(pin, script)
        self._script.extend(self.requests)


def _with_requests(monkeypatch, requests, tmp_path):
    monkeypatch.setattr(_Requests, "requests", requests)
    monkeypatch.setattr(runner, "ConsoleMonitor", _Requests)
    emu = runner.Emulation(_cfg(), _scenario(), n_lines=1, monitor_pin=PIN, flash=str(tmp_path / "flash"))
    return emu, emu.run()


def test_a_console_reboot_resets_the_board(monkeypatch, tmp_path):
    emu, events = _with_requests(monkeypatch, [("reboot", {})], tmp_path)
    _answered_after_reset(events)
    assert emu.monitor.counts["err"] == 0, emu.monitor.errors
    assert b'"rebooting": true' in bytes(emu.monitor.output)


def test_a_factory_reset_resets_the_board_onto_an_empty_flash(monkeypatch, tmp_path):
    emu, events = _with_requests(monkeypatch, [("factory_reset", {"confirm": "erase"})], tmp_path)
    resets = _of(events, "reset", "world")
    assert len(resets) == 1 and len(_of(events, "boot")) == 2
    assert _of(events, "boot")[1]["config"] != _of(events, "boot")[0]["config"]
    assert not _of(events, "answer")   # no config after the reset: the lines stay idle
    assert os.listdir(tmp_path / "flash") in ([], ["prompts"])


def test_the_watchdog_under_an_idle_repl_resets_the_board(tmp_path):
    # Ctrl-C at 2 s: the REPL has the board; left idle for --repl-idle-ms, the watchdog
    # (5 s after the feeding stops) resets it, and the board answers the call after
    emu = runner.Emulation(_cfg(), _scenario(), n_lines=1, console_script=[(200, b"\x03")],
                           extra_argv=["--repl-idle-ms", "3000"], flash=str(tmp_path / "flash"))
    events = emu.run()
    resets = _answered_after_reset(events)
    dogs = _of(events, "watchdog")
    assert len(dogs) == 1 and dogs[0]["t_ms"] == resets[0]["t_ms"], (dogs, resets)


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_machine_reset_typed_at_the_repl_resets_the_board(engine, tmp_path):
    # Ctrl-C at 2 s, then machine.reset() at the REPL: a hard reset (a new process,
    # a fresh heap), not the soft reboot Ctrl-D gives; the board answers the call after
    emu = runner.Emulation(_cfg(), _scenario(), engine=engine, n_lines=1, flash=str(tmp_path / "flash"),
                           console_script=[(200, b"\x03"), (300, b"import machine\r"),
                                           (350, b"machine.reset()\r")])
    events = emu.run()
    resets = _answered_after_reset(events)
    assert 3500 <= resets[0]["t_ms"] < 4000, resets
    assert b"soft reboot" not in bytes(emu.monitor.output)
