# The cost of the PIN hash (firmware/rrfw/store/pins.py), per round, on the
# engine that runs this: `micropython bench/kdf_cost.py` (MICROPYPATH=firmware)
# or `python3 bench/kdf_cost.py`. pins.py scales the unix-port figure by the
# ESP32's 30-50x to choose its rounds.
import sys
import time

sys.path.insert(0, "firmware")
from rrfw.store import pins   # noqa: E402

try:
    _now, _diff = time.ticks_us, time.ticks_diff
except AttributeError:
    def _now():
        return int(time.perf_counter() * 1000000)

    def _diff(a, b):
        return a - b


def measure(rounds, tries=3):
    best = None
    for _ in range(tries):
        t = _now()
        pins.derive(b"0123456789abcdef", "481923", rounds)
        us = _diff(_now(), t)
        best = us if best is None or us < best else best
    return best


for rounds in (pins.DISA_ROUNDS, pins.ADMIN_ROUNDS):
    us = measure(rounds)
    print("%6d rounds: %8.1f ms  %.2f us/round  ESP32 at 30-50x: %.2f-%.2f s" % (
        rounds, us / 1000.0, us / rounds, us * 30 / 1e6, us * 50 / 1e6))
