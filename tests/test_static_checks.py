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
    assert check_firmware.mpy_cross_all() == []
    assert check_firmware.typecheck(check_firmware.HARDWARE_FILES) == []


@pytest.mark.parametrize("bad,needle", [
    ("format=machine.I2S.STEREO, rate=_RATE, ibuf=8 * 4 * _BLOCK)",
     "format=machine.I2S.STEREO, rate=_RATE, ibufsize=8 * 4 * _BLOCK)"),
    ("self._wdt = machine.WDT(timeout=_WDT_MS)", "self._wdt = machine.WDT(timeout_ms=_WDT_MS)"),
])
def test_wrong_esp32_call_fails_the_typecheck(tmp_path, bad, needle):
    src = open(os.path.join(ROOT, "firmware", "hal_esp32.py")).read()
    assert bad in src
    (tmp_path / "hal_esp32.py").write_text(src.replace(bad, needle, 1))
    shutil.copy(os.path.join(ROOT, "firmware", "pcm.py"), tmp_path / "pcm.py")
    shutil.copy(os.path.join(ROOT, "firmware", "compat.py"), tmp_path / "compat.py")
    errs = check_firmware.typecheck(["hal_esp32.py"], cwd=str(tmp_path))
    assert errs and all("hal_esp32.py" in e for e in errs), errs


def test_syntax_the_device_rejects_is_caught(tmp_path, monkeypatch):
    fw = tmp_path / "firmware"
    fw.mkdir()
    (fw / "ok.py").write_text("x = 1\n")
    (fw / "bad.py").write_text("def f(a, /, b):\n    return a\n")   # positional-only: not MicroPython
    monkeypatch.setattr(check_firmware, "FIRMWARE", str(fw))
    monkeypatch.setattr(check_firmware, "ROOT", str(tmp_path))
    fails = check_firmware.mpy_cross_all()
    assert len(fails) == 1 and fails[0].startswith("firmware/bad.py")
