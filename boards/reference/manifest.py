# Freezes the firmware into a custom MicroPython build for the reference
# board, so its bytecode runs from flash and the whole heap is left for data
# (the stock build loads each .mpy into the heap; see docs/notes/core.md for
# the measured difference). Build from a MicroPython checkout:
#   make -C ports/esp32 BOARD=ESP32_GENERIC FROZEN_MANIFEST=/path/to/ringroute/boards/reference/manifest.py
# Paths below are relative to this file. Not built on CI (no ESP-IDF there);
# `ringroute flash` with stock MicroPython is the supported path today.
include("$(PORT_DIR)/boards/manifest.py")

# Everything in firmware/ except the emulated board's own modules and main.py
# (main.py stays a file on the flash so a technician can see and replace it).
EMULATOR_ONLY = ("hal_emu.py", "replemu.py", "main.py")
import os  # noqa: E402  (manifest files are Python run by the build)

_fw = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "firmware")
for _name in sorted(os.listdir(_fw)):
    if _name.endswith(".py") and _name not in EMULATOR_ONLY:
        module(_name, base_path=_fw)
