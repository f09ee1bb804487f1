# ringroute: the two set-up commands are `make demo` and `make test`; each
# builds the project virtualenv first, so a fresh machine needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSSTAMP := $(VENV)/.sysdeps
# Fast suite on both cores; long runs (soak, corpus) are `make soak`.
PYTEST_ARGS ?= -n 2 -q

.PHONY: venv sysdeps test demo bench check mpy mp32 soak clean

venv: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

sysdeps: $(SYSSTAMP)
$(SYSSTAMP): scripts/sysdeps.txt scripts/install-sysdeps.sh | $(STAMP)
	bash scripts/install-sysdeps.sh
	touch $@

# Static checks: every firmware file compiles for the ESP32, and the ESP32
# HAL type-checks against MicroPython's ESP32 stubs.
check: venv
	$(BIN)/python scripts/check_firmware.py

test: venv sysdeps mp32 check
	$(BIN)/python -m pytest $(PYTEST_ARGS) -m "not slow"

# The long runs: a week of an office on the emulated board (tests/test_soak_office.py,
# its figures in build/soak-week.json), an hour of speech and music, the mpremote flashes...
soak: venv sysdeps mp32
	$(BIN)/python -m pytest -q -m slow; rc=$$?; \
	  $(BIN)/python -c "import json; d = json.load(open('build/soak-week.json')); print('soak week:', json.dumps(d['figures'])); [print('  problem:', p) for p in d['problems']]" || true; \
	  exit $$rc

demo: venv
	$(BIN)/ringroute emulate examples/office.yaml --script examples/demo-call.yaml

bench: venv sysdeps mp32
	$(BIN)/python -m bench

# The board-like MicroPython: the unix port built for 32-bit x86 from Debian's
# source package, with the firmware frozen in (build/mp32/frozen) and without
# (build/mp32/plain); engines mp32-frozen and mp32. Cached: seconds after a
# firmware change.
mp32: sysdeps
	bash scripts/build_mp32.sh

# ESP32 build of the firmware (what `ringroute flash` copies), into build/esp32.
mpy: venv
	$(BIN)/ringroute flash --build-only

clean:
	rm -rf build .pytest_cache
