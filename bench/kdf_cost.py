# The cost of the PIN hash (firmware/rrfw/store/pins.py) and of the console's
# login that runs it (console/auth.py: the KDF, the compare, the session's
# token), on the engine that runs this script:
#   MICROPYPATH=firmware micropython bench/kdf_cost.py      (or mp32's binaries)
#   python3 bench/kdf_cost.py
# `python -m bench kdf` (bench/bench_kdf.py) runs it on every engine, the
# 32-bit build among them, and scales that one to the ESP32.
import os
import sys
import time

try:
    from rrfw.store import pins   # frozen into the binary (mp32-frozen): as the board runs it
except ImportError:
    sys.path.insert(0, "firmware")
    from rrfw.store import pins   # noqa: E402
from rrfw.console import auth, authpin  # noqa: E402

try:
    _now, _diff = time.ticks_us, time.ticks_diff
except AttributeError:
    def _now():
        return int(time.perf_counter() * 1000000)

    def _diff(a, b):
        return a - b

PIN = "481923"
TRIES = 5


def measure(rounds, tries=TRIES):
    best = None
    for _ in range(tries):
        t = _now()
        pins.derive(b"0123456789abcdef", PIN, rounds)
        us = _diff(_now(), t)
        best = us if best is None or us < best else best
    return best


def login_cost(tries=TRIES):
    # a real auth.json in a scratch folder; the right PIN, as a technician logs in
    path = "/tmp/kdf_cost_auth_%d.json" % (_now() & 0xFFFFFF)
    a = auth.Auth(path)
    a.set_pin("Kdf-bench-9x", None, 0)
    best = None
    for i in range(tries):
        t = _now()
        err, _ = a.login("Kdf-bench-9x", 1000 * (i + 1))
        us = _diff(_now(), t)
        assert err is None, err
        best = us if best is None or us < best else best
    for p in (path, path + ".tmp"):
        try:
            os.remove(p)
        except OSError:
            pass
    return best


for rounds in (pins.DISA_ROUNDS, pins.ADMIN_ROUNDS):
    us = measure(rounds)
    print("KDF %d %d" % (rounds, us))
print("LOGIN %d %d" % (authpin.ROUNDS, login_cost()))
