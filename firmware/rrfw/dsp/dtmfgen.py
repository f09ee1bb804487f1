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
# It also plays one plain tone (tone(): call/callout.py's beep to the agent) from
# the same flash sine, so no tone table is built in RAM for it.
# Heap: its whole state is one array of ints (the kernel's six first, the digits
# four bits each at the end); the sine is a constant in flash when frozen. The
# two-sine kernel is tonegen.py's (always loaded: its ringback plays with it).
from array import array

from rrfw.compat import VIPER, filled
from rrfw.dsp import tonegen

_N = const(80)                  # samples per block (10 ms at 8 kHz)
_MAX_DIGITS = const(32)         # longest string start() takes
_DBM0_PEAK = 22760              # 16-bit peak of a 0 dBm0 sine (G.711: 3.17 dB below full scale)
_ROWS = (697, 770, 852, 941)    # Hz, ITU-T Q.23
_COLS = (1209, 1336, 1477, 1633)
_KEYS = "123A456B789C*0#D"
# the state array (_st): the kernel's six values (phase, step, amplitude of each
# sine), then the keys' amplitudes and on/off blocks, the sound now playing (its
# on and off blocks, how many sounds, which one, blocks into it), the digits
_AMP_LO = const(6)
_AMP_HI = const(7)
_KEY_ON = const(8)
_KEY_OFF = const(9)
_ON = const(10)
_OFF = const(11)
_NUM = const(12)
_IDX = const(13)
_BLK = const(14)
_DIG = const(15)                # 5 ints: 32 digits of 4 bits (a _KEYS index), 7 an int:
                                # 28 bits stay a small int on MicroPython (no heap object)
_NST = const(20)


def _amp(dbm0):
    # Q15 amplitude of a sine at dbm0 (its peak _DBM0_PEAK * 10^(dbm0/20) of 32768)
    return int(32768 * 10 ** (dbm0 / 20.0) * _DBM0_PEAK / 32768)


class DtmfGenerator:
    """Plays a string of DTMF keys into tx blocks (see the file header)."""

    def __init__(self, level_dbm0=-9, twist_db=2, on_ms=100, off_ms=100, plain=False):
        # plain=True: the kernel's plain twin (tonegen_plain.py; always so on CPython)
        if VIPER and not plain:
            self._fill = tonegen.sines
            self._sine = tonegen.SINE
        else:
            from rrfw.dsp import tonegen_plain
            self._fill = tonegen_plain.sines
            self._sine = tonegen_plain.SINE   # as an array: the twin indexes int16 values
        self._st = filled("i", _NST)
        self.configure(level_dbm0, twist_db, on_ms, off_ms)
        self.stop()

    def configure(self, level_dbm0=-9, twist_db=2, on_ms=100, off_ms=100):
        """Levels in dBm0 (low group, and high minus low), times in ms (10 ms steps)."""
        if level_dbm0 > 0 or level_dbm0 + twist_db > 0:
            raise ValueError("DTMF levels above 0 dBm0 clip")
        if on_ms < 40 or off_ms < 40:
            raise ValueError("tones and pauses must be >= 40 ms (ITU-T Q.24)")
        st = self._st
        st[_AMP_LO] = _amp(level_dbm0)
        st[_AMP_HI] = _amp(level_dbm0 + twist_db)
        st[_KEY_ON] = (on_ms + 5) // 10
        st[_KEY_OFF] = (off_ms + 5) // 10

    def stop(self):
        self.busy = False
        st = self._st
        st[_NUM] = 0
        st[_IDX] = 0
        st[_BLK] = 0

    def start(self, digits):
        """Queue `digits` (0-9, *, #, A-D; at most 32) to be played from the next fill()."""
        if len(digits) > _MAX_DIGITS:
            raise ValueError("at most %d digits" % _MAX_DIGITS)
        st = self._st
        for i in range(5):
            st[_DIG + i] = 0
        for i, ch in enumerate(digits):
            k = _KEYS.find(ch.upper())
            if k < 0:
                raise ValueError("not a DTMF key: %r" % ch)
            st[_DIG + i // 7] |= k << (i % 7 * 4)
        st[_ON] = st[_KEY_ON]
        st[_OFF] = st[_KEY_OFF]
        st[_NUM] = len(digits)
        st[_IDX] = 0
        st[_BLK] = 0
        self.busy = st[_NUM] > 0
        if self.busy:
            self._tone(st[_DIG] & 15)

    def tone(self, hz, level_dbm0, on_ms, off_ms):
        """Play one sine of `hz` at `level_dbm0` for on_ms, then off_ms of silence
        (10 ms steps), from the next fill(); busy until then."""
        st = self._st
        st[0] = 0
        st[1] = tonegen.inc(hz)
        st[2] = _amp(level_dbm0)
        st[3] = 0
        st[4] = 0
        st[5] = 0       # no second sine
        st[_ON] = (on_ms + 5) // 10
        st[_OFF] = (off_ms + 5) // 10
        st[_NUM] = 1
        st[_IDX] = 0
        st[_BLK] = 0
        self.busy = True

    def _tone(self, k):
        st = self._st
        st[0] = 0
        st[1] = tonegen.inc(_ROWS[k >> 2])
        st[2] = st[_AMP_LO]
        st[3] = 0
        st[4] = tonegen.inc(_COLS[k & 3])
        st[5] = st[_AMP_HI]

    def fill(self, tx):
        """Write this block's 80 samples into tx (array('h')). Returns True while dialling.

        Blocks of a pause are written as silence; nothing is written once done."""
        if not self.busy:
            return False
        st = self._st
        blk = st[_BLK]
        if blk < st[_ON]:
            self._fill(tx, self._sine, st)
        else:
            for i in range(_N):
                tx[i] = 0
        blk += 1
        if blk >= st[_ON] + st[_OFF]:
            blk = 0
            st[_IDX] += 1
            i = st[_IDX]
            if i >= st[_NUM]:
                self.busy = False
            else:
                self._tone((st[_DIG + i // 7] >> (i % 7 * 4)) & 15)
        st[_BLK] = blk
        return True
