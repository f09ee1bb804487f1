"""Caller-ID decoder: exact-decode rate per level and SNR (under micropython), and
CPU time per second of audio on the unix port (quiet line, busy line, CID burst).

    .venv/bin/python -m bench callerid
"""
import os
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "firmware"))

from ringroute import paths  # noqa: E402
from ringroute.signals import callerid as G  # noqa: E402

from callerid_helpers import decode_batch, exact, pcm, random_case, run_micropython  # noqa: E402

LEVELS = (-5, -15, -25, -35, -40)
SNRS = (None, 20, 15, 10)
PER_CELL = 10

_CPU = r"""
import sys, time
from array import array
import callerid as C
d = C.CallerIdDecoder()
blk = array('h', bytes(160))
data = open(sys.argv[1], 'rb').read()
n = len(data) // 160
t0 = time.ticks_us()
for k in range(n):
    blk[:] = array('h', data[k * 160:(k + 1) * 160])
t1 = time.ticks_us()
for k in range(n):
    blk[:] = array('h', data[k * 160:(k + 1) * 160])
    d.process(blk, k * 10)
    d.pop()
t2 = time.ticks_us()
print((t2 - t1) - (t1 - t0), n)
"""


def rate_table():
    rng = np.random.default_rng(1122)
    print("exact messages of %d per cell (random numbers/names/reasons, twist +-6 dB, "
          "+-1 %% frequency and rate)" % PER_CELL)
    print("%-8s %6s " % ("standard", "dBm0") + " ".join("%8s" % ("snr %s" % s if s else "clean") for s in SNRS))
    total = good = 0
    with tempfile.TemporaryDirectory() as td:
        for std in ("bell202", "v23", "dtmf"):
            for lvl in LEVELS:
                row = []
                for snr in SNRS:
                    cases = [random_case(rng, std, float(lvl), snr) for _ in range(PER_CELL)]
                    res = decode_batch([c[0] for c in cases], td)
                    ok = sum(exact(e, c[1]) for e, c in zip(res, cases))
                    row.append("%5d/%-2d" % (ok, PER_CELL))
                    total += PER_CELL
                    good += ok
                print("%-8s %6d " % (std, lvl) + " ".join("%8s" % r for r in row))
    print("overall: %d / %d exact (%.1f %%)" % (good, total, 100.0 * good / total))


def cpu_table():
    rng = np.random.default_rng(5)
    sigs = {
        "quiet line (-70 dBm0 noise)": G.noise_at(8000 * 30, -70, rng),
        "busy line (-20 dBm0 noise)": G.noise_at(8000 * 30, -20, rng),
        "Bell 202 MDMF burst": G.on_hook_audio("bell202", number="5551234567", name="SMITH JOHN",
                                               lead_ms=0, tail_ms=0)[0],
    }
    print("micropython unix port (x86-64), CPU per second of audio; the ESP32 is slower, not measured here:")
    with tempfile.TemporaryDirectory() as td:
        script = os.path.join(td, "cpu.py")
        with open(script, "w") as f:
            f.write(_CPU)
        for name, x in sigs.items():
            raw = os.path.join(td, "a.raw")
            with open(raw, "wb") as f:
                f.write(pcm(x).astype("<i2").tobytes())
            p = run_micropython(script, [raw])
            us, n = (int(v) for v in p.stdout.split())
            print("  %-30s %8.2f ms/s  (%.1f us per 10 ms block)" % (name, us / 1000.0 / (n / 100.0), us / n))


def main():
    paths.micropython_binary()
    rate_table()
    cpu_table()


if __name__ == "__main__":
    main()
