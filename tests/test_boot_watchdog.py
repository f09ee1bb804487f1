"""firmware/boot.py keeps the ESP32's watchdog fed after a soft reset while the
REPL is in use (mpremote's soft reset stops MicroPython's timers), and lets
the board reset into its calls when the REPL is left alone: its logic under
CPython and the real micropython binary (tests/boot_cases.py), and on the
emulated board, whose REPL runs the flash's boot.py after a soft reset
(rremu/repl.py): a raw-REPL session outlasts the watchdog with boot.py on the
flash, and without it the watchdog resets the board under the technician."""
import os

import pytest

import boot_cases
import casetest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "boot_cases.py")
FIRMWARE = os.path.join(os.path.dirname(HERE), "firmware")


@pytest.fixture(scope="module")
def micropython_results():
    return casetest.run_micropython(SCRIPT, [FIRMWARE], source=True)


@casetest.each_case(boot_cases.CASES)
def test_boot_py(engine, name, request, monkeypatch):
    monkeypatch.setattr(boot_cases, "FIRMWARE", FIRMWARE)
    casetest.check(request, engine, name, boot_cases.CASES)


SOFT_RESET_BLOCK = 400   # t = 4 s
USE_BLOCKS = range(500, 2600, 100)   # then a command every second for 21 s: longer than the watchdog's 5 s


def _raw_repl_session(tmp_path, boot_py, engine="micropython"):
    """The emulated board (idle lines), a technician on its console in lockstep:
    Ctrl-C into the REPL, the raw REPL, mpremote's soft reset, then a command a
    second. Returns (answers to the commands, the board's events)."""
    import json
    from ringroute.emu import runner, scenario
    with open(os.path.join(HERE, "data", "basic.json")) as f:
        cfg = json.load(f)
    script = [(200, b"\x03"), (300, b"\x01"), (SOFT_RESET_BLOCK, b"\x04")]
    script += [(b, b"print(6 * 7)\x04") for b in USE_BLOCKS]
    emu = runner.Emulation(cfg, scenario.parse({"duration": 30}), engine=engine, n_lines=1,
                           console_script=script, boot_py=boot_py, flash=str(tmp_path / "flash"))
    events = emu.run()
    out = bytes(emu.monitor.output)
    assert b"soft reboot" in out, out[-500:]
    return out.count(b"OK42"), [e for e in events if e.get("src") == "board"]


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_emulated_board_with_boot_py_keeps_the_raw_repl_past_the_watchdog(tmp_path, engine):
    answers, events = _raw_repl_session(tmp_path, True, engine)
    assert answers == len(USE_BLOCKS), answers
    assert not [e for e in events if e["event"] == "watchdog"], events
    assert len([e for e in events if e["event"] == "boot"]) == 1   # the technician is never reset


def test_emulated_board_without_boot_py_resets_under_the_technician(tmp_path):
    # what the ESP32 did before boot.py shipped: the soft reset stopped the feeder
    answers, events = _raw_repl_session(tmp_path, False)
    dogs = [e for e in events if e["event"] == "watchdog"]
    assert len(dogs) == 1, events
    assert 5000 <= dogs[0]["starved_ms"] <= 5200 and dogs[0]["t_ms"] <= SOFT_RESET_BLOCK * 10 + 5300, dogs
    assert len([e for e in events if e["event"] == "boot"]) == 2   # the app answers again
    assert answers < len(USE_BLOCKS) // 2, answers
