"""The build's static checks can fail: a wrong ESP32 API call or a file the
device cannot compile is caught (make check runs these same functions)."""
import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import check_firmware  # noqa: E402


def test_firmware_compiles_and_hal_typechecks():
    assert check_firmware.unlisted() == []
    assert check_firmware.mpy_cross_all() == []
    assert check_firmware.typecheck(check_firmware.HARDWARE_FILES) == []


@pytest.mark.parametrize("bad,needle", [
    ("format=machine.I2S.STEREO, rate=_RATE, ibuf=_RX_DMA_BUFS * _DMA_BUF_BYTES)",
     "format=machine.I2S.STEREO, rate=_RATE, ibufsize=_RX_DMA_BUFS * _DMA_BUF_BYTES)"),
    ("self._wdt = machine.WDT(timeout=_WDT_MS)", "self._wdt = machine.WDT(timeout_ms=_WDT_MS)"),
])
def test_wrong_esp32_call_fails_the_typecheck(tmp_path, bad, needle):
    shutil.copytree(os.path.join(ROOT, "firmware", "rrfw"), tmp_path / "rrfw")
    hal = tmp_path / "rrfw" / "hal" / "esp32.py"
    src = hal.read_text()
    assert bad in src
    hal.write_text(src.replace(bad, needle, 1))
    errs = check_firmware.typecheck(["rrfw/hal/esp32.py"], cwd=str(tmp_path))
    assert errs and all("esp32.py" in e for e in errs), errs


def test_syntax_the_device_rejects_is_caught(tmp_path, monkeypatch):
    fw = tmp_path / "firmware"
    fw.mkdir()
    (fw / "ok.py").write_text("x = 1\n")
    (fw / "bad.py").write_text("def f(a, /, b):\n    return a\n")   # positional-only: not MicroPython
    monkeypatch.setattr(check_firmware, "FIRMWARE", str(fw))
    monkeypatch.setattr(check_firmware, "ROOT", str(tmp_path))
    fails = check_firmware.mpy_cross_all(["ok.py", "bad.py"])
    assert len(fails) == 1 and fails[0].startswith("firmware/bad.py")


def test_a_module_left_out_of_the_manifest_is_caught(tmp_path, monkeypatch):
    fw = tmp_path / "firmware"
    shutil.copytree(os.path.join(ROOT, "firmware", "rrfw"), fw / "rrfw")
    (fw / "rrfw" / "call" / "queue.py").write_text("x = 1\n")        # forgotten in the manifest
    (fw / "rrfw" / "dsp" / "dtmf_plain.py").write_text("x = 1\n")    # a plain twin: never ships
    monkeypatch.setattr(check_firmware, "FIRMWARE", str(fw))
    monkeypatch.setattr(check_firmware, "board_files", lambda: [
        os.path.relpath(os.path.join(dp, f), str(fw)) for dp, _, fs in os.walk(str(fw / "rrfw"))
        for f in fs if f.endswith(".py") and f not in ("queue.py", "dtmf_plain.py", "manifest.py")])
    assert check_firmware.unlisted() == [
        "firmware/rrfw/call/queue.py: not in firmware/rrfw/manifest.py (ship it, or name it *_plain.py)"]


def test_firmware_has_no_import_cycle_and_reads_no_private_names():
    assert check_firmware.structure() == []


def test_an_import_cycle_and_a_private_read_are_caught(tmp_path, monkeypatch):
    fw = tmp_path / "firmware"
    (fw / "rrfw" / "call").mkdir(parents=True)
    (fw / "rremu").mkdir()
    (fw / "main.py").write_text("import rrfw.call.a\n")
    (fw / "rrfw" / "__init__.py").write_text("")
    (fw / "rrfw" / "call" / "__init__.py").write_text("")
    (fw / "rrfw" / "call" / "a.py").write_text(
        "from rrfw.call import b\n\nclass A:\n    def __init__(self):\n        self._mine = 1\n\n"
        "    def peek(self, other):\n        return other._mine + b.thing._secret\n")
    (fw / "rrfw" / "call" / "b.py").write_text(
        "def f():\n    from rrfw.call import a   # a lazy import still closes the circle\n    return a\n")
    monkeypatch.setattr(check_firmware, "FIRMWARE", str(fw))
    fails = check_firmware.structure()
    assert "import cycle: rrfw.call.a -> rrfw.call.b -> rrfw.call.a" in fails, fails
    assert [f for f in fails if "private" in f] == [
        "firmware/rrfw/call/a.py:8: reads another module's private name b.thing._secret"], fails
