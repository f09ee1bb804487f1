"""Shared test helpers (the lead's). Area-specific fixtures live in each test file.

The host package (ringroute) and the firmware's packages (rrfw, rremu) are
installed in the project virtualenv (`pip install -e .`), so tests import
them like any other package. The tests' own helper modules live in
tests/support/ (the case runner, the stand-in board, the emulator helpers);
it goes on sys.path here, before any test module is imported, so a test
imports them by name (`from emuhelp import emulate`)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
