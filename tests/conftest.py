"""Shared test helpers (the lead's). Area-specific fixtures live in each test file.

The host package (ringroute) and the firmware's packages (rrfw, rremu) are
installed in the project virtualenv (`pip install -e .`), so tests import
them like any other package."""
