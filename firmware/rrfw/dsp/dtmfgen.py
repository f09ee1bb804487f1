# DTMF generator: dials a digit string into a line's tx blocks (one 10 ms
# block of 80 samples per call), allocating nothing per block.
#
# Send figures (defaults; each settable):
#   low group -9 dBm0, high group -7 dBm0 (2 dB "normal twist": the line loses
#     more at the high frequencies); ETSI ES 201 235-2 sec. 4.2 asks for
#     -11..-5 dBm0 per tone with the high group 1..4 dB above the low one.
#   tone 100 ms, pause 100 ms (ES 201 235-2: >= 65 ms each; ITU-T Q.23 /
#     Q.24 receivers need >= 40 ms).
#   frequencies to +-0.01 % (24-bit phase accumulators), well inside the
#     +-1.5 % of ITU-T Q.23; a 256-entry sine table keeps spurious tones
#     below -45 dB (Q.23 asks for 20 dB or more below the tones).
#
#   g = DtmfGenerator(level_dbm0=-9, twist_db=2)
#   g.start("0123#")
#   each block: if g.busy: g.fill(hal.tx[line])
from array import array
import math

from rrfw.compat import const, VIPER, SX16

_N = const(80)                  # samples per block (10 ms at 8 kHz)
_MAX_DIGITS = const(32)         # longest string start() takes
_DBM0_PEAK = 22760              # 16-bit peak of a 0 dBm0 sine (G.711: 3.17 dB below full scale)
_ROWS = (697, 770, 852, 941)    # Hz, ITU-T Q.23
_COLS = (1209, 1336, 1477, 1633)
_KEYS = "123A456B789C*0#D"

# One period of a sine, Q15, 256 points (built once at import).
_SINE = array("h", [int(round(32767 * math.sin(2 * math.pi * i / 256))) for i in range(256)])


def _inc(f):
    # phase step per sample of a 24-bit accumulator: f * 2**24 / 8000
    return (f * 16777216 + 4000) // 8000


# The viper kernel (the board); its plain twin is dtmfgen_plain.fill.
if VIPER:
    import micropython

    @micropython.viper
    def _fill_vp(tx: ptr16, sine: ptr16, st: ptr32):
        # 80 samples of two sines into tx; st = [phase1, inc1, amp1, phase2, inc2, amp2] (amp Q15).
        # st values are all non-negative, so ptr32 loads need no sign extension
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


class DtmfGenerator:
    """Plays a string of DTMF keys into tx blocks (see the file header)."""

    def __init__(self, level_dbm0=-9, twist_db=2, on_ms=100, off_ms=100, plain=False):
        # plain=True: the plain twin (dtmfgen_plain.py; always so on CPython)
        if VIPER and not plain:
            self._fill = _fill_vp
        else:
            from rrfw.dsp import dtmfgen_plain
            self._fill = dtmfgen_plain.fill
        self._st = array("i", bytes(4 * 6))
        self._digits = bytearray(_MAX_DIGITS)
        self.configure(level_dbm0, twist_db, on_ms, off_ms)
        self.stop()

    def configure(self, level_dbm0=-9, twist_db=2, on_ms=100, off_ms=100):
        """Levels in dBm0 (low group, and high minus low), times in ms (10 ms steps)."""
        if level_dbm0 > 0 or level_dbm0 + twist_db > 0:
            raise ValueError("DTMF levels above 0 dBm0 clip")
        if on_ms < 40 or off_ms < 40:
            raise ValueError("tones and pauses must be >= 40 ms (ITU-T Q.24)")
        self._amp_lo = int(32768 * 10 ** (level_dbm0 / 20.0) * _DBM0_PEAK / 32768)
        self._amp_hi = int(32768 * 10 ** ((level_dbm0 + twist_db) / 20.0) * _DBM0_PEAK / 32768)
        self._on = (on_ms + 5) // 10
        self._off = (off_ms + 5) // 10

    def stop(self):
        self.busy = False
        self._n = 0
        self._i = 0
        self._blk = 0

    def start(self, digits):
        """Queue `digits` (0-9, *, #, A-D; at most 32) to be played from the next fill()."""
        if len(digits) > _MAX_DIGITS:
            raise ValueError("at most %d digits" % _MAX_DIGITS)
        for i, ch in enumerate(digits):
            k = _KEYS.find(ch.upper())
            if k < 0:
                raise ValueError("not a DTMF key: %r" % ch)
            self._digits[i] = k
        self._n = len(digits)
        self._i = 0
        self._blk = 0
        self.busy = self._n > 0
        if self.busy:
            self._tone(self._digits[0])

    def _tone(self, k):
        st = self._st
        st[0] = 0
        st[1] = _inc(_ROWS[k >> 2])
        st[2] = self._amp_lo
        st[3] = 0
        st[4] = _inc(_COLS[k & 3])
        st[5] = self._amp_hi

    def fill(self, tx):
        """Write this block's 80 samples into tx (array('h')). Returns True while dialling.

        Blocks of a pause are written as silence; nothing is written once done."""
        if not self.busy:
            return False
        if self._blk < self._on:
            self._fill(tx, _SINE, self._st)
        else:
            for i in range(_N):
                tx[i] = 0
        self._blk += 1
        if self._blk >= self._on + self._off:
            self._blk = 0
            self._i += 1
            if self._i >= self._n:
                self.busy = False
            else:
                self._tone(self._digits[self._i])
        return True
