# Call-progress tone generator (ringback while an extension rings, on the
# country's frequencies and cadence from profiles.py), one block at a time.
# One period common to all the tone's frequencies is computed once (at most
# 8000 / gcd(8000, f1, f2...) samples: US 440+480 Hz -> 200 samples); a block
# is a copy from that table, so the per-block path allocates nothing.
import math
from array import array

from rrfw.compat import const
from rrfw.hal import pcm

_RATE = const(8000)               # Hz
_DBM0_PEAK = const(22760)         # sine peak at 0 dBm0, 16-bit (G.711: full scale = +3.17 dBm0)
_MAX_TABLE = const(1600)          # samples (200 ms); a tone needing more is rounded to 5 Hz steps


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


class ToneGen:
    def __init__(self, freqs, cadence_ms, level_dbm0, like=None):
        self.cadence = cadence_ms or (1000, 0)
        self.cycle = 0
        for d in self.cadence:
            self.cycle += d
        self.t0 = 0
        self.pos = 0
        if like is not None:
            # the same tone for another listener: its own phase, the table shared (heap)
            self.table = like.table
            self.n = like.n
            return
        g = _RATE
        for f in freqs:
            g = _gcd(g, int(f))
        n = _RATE // g
        if n > _MAX_TABLE:
            freqs = [5 * int(f / 5 + 0.5) for f in freqs]
            n = _RATE // 5
        amp = _DBM0_PEAK * math.pow(10.0, level_dbm0 / 20.0)
        # three frequencies f-m, f, f+m are f amplitude-modulated by m
        # (profiles.py): the side frequencies at half the carrier's amplitude
        weights = [0.5, 1.0, 0.5] if len(freqs) == 3 else [1.0] * len(freqs)
        t = array("h", bytes(2 * n))
        for i in range(n):
            v = 0.0
            for k in range(len(freqs)):
                v += weights[k] * math.sin(2 * math.pi * freqs[k] * i / _RATE)
            t[i] = int(amp * v)
        self.table = t
        self.n = n

    def start(self, t_ms):
        self.t0 = t_ms
        self.pos = 0

    def _on(self, t_ms):
        if self.cycle <= 0:
            return True
        p = (t_ms - self.t0) % self.cycle
        i = 0
        for d in self.cadence:
            if p < d:
                return i % 2 == 0
            p -= d
            i += 1
        return False

    def fill(self, tx, t_ms):
        """The tone's block starting at t_ms into tx (80 samples)."""
        if not self._on(t_ms):
            pcm.fill16(tx, 0, 80)
            return
        pos = self.pos
        first = self.n - pos
        if first >= 80:
            pcm.copy16(tx, 0, self.table, pos, 80)
        else:
            pcm.copy16(tx, 0, self.table, pos, first)
            pcm.copy16(tx, first, self.table, 0, 80 - first)
        self.pos = (pos + 80) % self.n
