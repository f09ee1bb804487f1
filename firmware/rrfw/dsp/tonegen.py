# Call-progress tone generator (ringback while an extension rings, on the
# country's frequencies and cadence from profiles.py), one block at a time.
# A tone of one or two frequencies is two phase accumulators over the flash
# sine (tonetab.SINE256, dtmfgen.py's): no table in RAM (heap: US ringback 200
# samples, 416 B; a 350 + 440 Hz dial tone 800 samples, 1.6 KB). A tone of three
# (an AM tone, f-m, f, f+m: AU 425 x 25 Hz) keeps one period common to its
# frequencies in a table (at most 8000 / gcd(8000, f1, f2, f3) samples); a block
# is a copy from it. The per-block path allocates nothing either way.
import math

from rrfw.compat import VIPER, SX16, filled
from rrfw.dsp import tonetab
from rrfw.hal import pcm

_N = const(80)                    # samples per block (10 ms at 8 kHz)
_RATE = const(8000)               # Hz
_DBM0_PEAK = const(22760)         # sine peak at 0 dBm0, 16-bit (G.711: full scale = +3.17 dBm0)
_MAX_TABLE = const(1600)          # samples (200 ms); a tone needing more is rounded to 5 Hz steps

# The kernel (dtmfgen.py plays its keys with it too): 80 samples of two sines
# from a 256-point Q15 sine, 24-bit phase accumulators (frequency to +-0.01 %;
# spurious tones below -45 dB). Its plain twin is tonegen_plain.sines.
if VIPER:
    import micropython

    @micropython.viper
    def _sines_vp(tx: ptr16, sine: ptr16, st: ptr32):
        # st = [phase1, inc1, amp1, phase2, inc2, amp2] (amp Q15); all non-negative,
        # so the ptr32 loads need no sign extension
        s16 = int(SX16)
        p1 = st[0]
        i1 = st[1]
        a1 = st[2]
        p2 = st[3]
        i2 = st[4]
        a2 = st[5]
        for i in range(_N):
            s1 = (sine[p1 >> 16] << s16) >> s16
            s2 = (sine[p2 >> 16] << s16) >> s16
            tx[i] = (s1 * a1 + s2 * a2) >> 15
            p1 = (p1 + i1) & 0xFFFFFF
            p2 = (p2 + i2) & 0xFFFFFF
        st[0] = p1
        st[3] = p2

    sines = _sines_vp
    SINE = tonetab.SINE256        # bytes: in flash when frozen
    del _sines_vp, micropython    # (heap: each global is a slot of the module's dict)
else:
    from rrfw.dsp.tonegen_plain import sines, SINE


def inc(f):
    """The phase step per sample of a 24-bit accumulator at f Hz."""
    return (f * 16777216 + 4000) // 8000


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
        amp = _DBM0_PEAK * math.pow(10.0, level_dbm0 / 20.0)
        if len(freqs) <= 2:
            # the kernel's six values (phases, steps, amplitudes); table None says so
            st = filled("i", 6)
            for k in range(len(freqs)):
                st[3 * k + 1] = inc(int(freqs[k]))
                st[3 * k + 2] = int(amp)   # Q15 of a Q15 sine: this peak, in samples
            self.table = st
            self.n = 0
            return
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
        # three frequencies f-m, f, f+m are f amplitude-modulated by m
        # (profiles.py): the side frequencies at half the carrier's amplitude
        weights = (0.5, 1.0, 0.5)
        t = filled("h", n)
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
        if self.n == 0:
            self.table[0] = 0      # both sines from phase 0, as a table's first sample
            self.table[3] = 0

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
        if self.n == 0:
            sines(tx, SINE, self.table)
            return
        pos = self.pos
        first = self.n - pos
        if first >= 80:
            pcm.copy16(tx, 0, self.table, pos, 80)
        else:
            pcm.copy16(tx, 0, self.table, pos, first)
            pcm.copy16(tx, first, self.table, 0, 80 - first)
        self.pos = (pos + 80) % self.n
