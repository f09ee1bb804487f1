# Freezes the firmware into a custom MicroPython build for the reference
# board, so its bytecode runs from flash and the whole heap is left for data
# (the stock build loads each .mpy into the heap; see docs/notes/core.md for
# the measured difference). Build from a MicroPython checkout:
#   make -C ports/esp32 BOARD=ESP32_GENERIC FROZEN_MANIFEST=/path/to/ringroute/boards/reference/manifest.py
# Paths below are relative to this file. Not built on CI (no ESP-IDF there);
# `ringroute flash` with stock MicroPython is the supported path today.
# What is frozen is the firmware's one list, firmware/rrfw/manifest.py;
# main.py stays a file on the flash so a technician can see and replace it.
include("$(PORT_DIR)/boards/manifest.py")
include("../../firmware/rrfw/manifest.py")
