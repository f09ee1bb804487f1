"""A factory reset erases every file that holds the office's or its callers'
data (config, prompts, records, call-back list, block list and last override,
PINs) and keeps only the firmware; under CPython and the real micropython."""
import os
import subprocess

import pytest

from ringroute import paths

# Each personal-data file is made by the firmware module that owns it, then
# the console's factory_wipe runs; prints what is left on the flash.
SCRIPT = r"""
import os, sys
os.chdir(sys.argv[-1])
from rrfw.store import cfgstore, records
from rrfw.call import callbacks, boardstate
from rrfw.console import auth, commands
from rrfw.store import atomic
assert cfgstore.install('{"version": 1, "lines": [], "extensions": {}}') is None
assert cfgstore.install('{"version": 1, "lines": [], "extensions": {}, "name": "b"}') is None
r = records.Records()
r.append({"call": r.new_call_id(), "caller": "5551234", "outcome": "missed"})
cb = callbacks.Callbacks({"outbound": {"callback": True}}, lambda *a, **k: None)
assert cb.request("5559876", "sales", 0, 1767607200) is None
cb.save()   # on flash in the request's next block (App.step)
b = boardstate.BoardState()
b.last_caller = "5550001"
b.block_last_caller()
b.set_override("night")
b.save()
assert auth.Auth().set_pin("48151623", None, 0)[0] is None
atomic.ensure_dir("prompts")
atomic.write_atomic("prompts/greeting.ulaw", b"\xff" * 80)
atomic.write_atomic("cfgup.0000abcd.part", "{")
atomic.write_atomic("main.py", "# the firmware's entry point\n")
atomic.write_atomic("board.json", '{"name": "emulated"}')
atomic.ensure_dir("rrfw")
atomic.write_atomic("rrfw/__init__.mpy", b"M")
before = sorted(os.listdir("."))
commands.factory_wipe()
print("BEFORE", " ".join(before))
print("AFTER", " ".join(sorted(os.listdir("."))))
print("PROMPTS", " ".join(os.listdir("prompts")))
print("RRFW", " ".join(os.listdir("rrfw")))
"""


@pytest.mark.parametrize("engine", ["cpython", "micropython"])
def test_factory_reset_erases_every_file_with_personal_data(tmp_path, engine):
    script = tmp_path / "wipe.py"
    script.write_text(SCRIPT)
    flash = tmp_path / "flash"
    flash.mkdir()
    p = subprocess.run(paths.engine_command(engine) + [str(script), str(flash)], env=paths.engine_env(engine),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    out = dict(ln.split(" ", 1) if " " in ln else (ln, "") for ln in p.stdout.splitlines())
    before = out["BEFORE"].split()
    # every owner really wrote its file before the reset
    for f in ("config.json", "config.prev.json", "rec000001.bin", "callbacks.json", "ivr_state.json",
              "auth.json", "cfgup.0000abcd.part"):
        assert f in before, (f, before)
    assert out["AFTER"].split() == ["board.json", "main.py", "prompts", "rrfw"]
    assert out["PROMPTS"] == ""
    assert out["RRFW"].split() == ["__init__.mpy"]
