# Far-end hang-up detection on an answered trunk line.
#
# An FXO line that is never released blocks the office's number, so every
# method the exchange might use is watched at once (each selectable):
#   "cpc"          loop current gone for >= cpc_min_ms (calling party control / open
#                  switch interval). Armed once loop current has flowed after answer
#                  (never otherwise: silence and max_length still guard a dead line).
#   "reversal"     loop-current polarity reversed (held _REV_MS) relative to the
#                  polarity after answer; reversals in the first _SETTLE_MS are
#                  the answer's own transients and are ignored.
#   "busy_tone"    / "reorder_tone": the profile's busy / congestion tone recognised
#                  by frequency and cadence (tones.ToneDetector), typically < 2 s.
#   "silence"      no signal above _SILENCE_SUM (about -50 dBm0) for silence_ms while
#                  the board is not playing a prompt.
#   "max_length"   the call has lasted max_call_ms: the last guard.
# process() returns the first method that fires, else None; it allocates nothing.
#
# Timeline, CPC of 500 ms on a US line (cpc_min_ms 200):
#   t=0 answer, reset(0); t=40 loop current flows (armed)
#   t=60000 caller hangs up, exchange opens the loop: loop_current False
#   t=60190 drop has lasted 200 ms -> "cpc" (release 200 ms after the drop)
# Timeline, German busy tone 480/480 ms starting at t=T:
#   tones sees on 480, off 480, on >= 380 -> "busy_tone" at about T+1.4 s
from rrfw.compat import VIPER, SX16
from rrfw.line import profiles

try:
    from rrfw.dsp import tones as _tones
except ImportError:  # a build without the tone detector still has CPC, reversal, silence
    _tones = None

_SETTLE_MS = const(500)        # ms after answer: polarity/loop transients of the answer itself
_LOOP_SEEN_MS = const(30)      # ms of loop current that prove the line is held
_REV_MS = const(30)            # ms a reversal must hold (contact bounce of the exchange relay < 10 ms)
_CPC_FLOOR_MS = const(60)      # ms: shorter drops are relay bounce / dial-pulse transients
_CPC_DEFAULT_MS = const(200)   # ms: default CPC threshold. CPC drops are 250-900 ms on North
                               # American COs, 0-1000 ms (800 typical) on BT System X; blips from
                               # lightning or relay bounce are 20-50 ms
_SILENCE_MS = const(30000)     # ms: default long-silence timeout (common FXO gateway default, 30 s)
_MAX_CALL_MS = const(7200000)  # ms: 2 h default maximum call length
# Silence threshold: sum of |sample| over one 80-sample block. A sine of peak A has
# mean |s| = 2A/pi; at -50 dBm0 A = 22760 * 10^(-50/20) = 72, so 80 * 45.8 = 3665.
_SILENCE_SUM = const(3665)     # sum |s| per block, = -50 dBm0 sine (ITU-T G.711 0 dBm0 = 22760 peak)
# A block whose energy (tones: sum of s*s >> 9) is at least this is over _SILENCE_SUM
# without summing: s*s <= 32768 * |s|, so sum |s| >= 512 * energy / 32768 = energy / 64.
_LOUD_E = const(234560)        # 64 * _SILENCE_SUM (a -20 dBm0 voice's block: ~400,000)

ALL_METHODS = ("cpc", "reversal", "busy_tone", "reorder_tone", "silence", "max_length")
_M_CPC = const(1)       # 1 << ALL_METHODS.index(...)
_M_REV = const(2)
_M_BUSY = const(4)
_M_REORDER = const(8)
_M_SIL = const(16)
_M_MAX = const(32)


# The viper kernel (the board); its plain twin is hangup_plain.abs_sum.
if VIPER:
    import micropython

    @micropython.viper
    def _abs_sum_vp(buf, n: int) -> int:
        # sum of |sample| (max 80 * 32768 = 2.6e6: fits 32 bits)
        s16 = int(SX16)
        p = ptr16(buf)
        s = 0
        for i in range(n):
            v = (p[i] << s16) >> s16
            if v < 0:
                v = 0 - v
            s += v
        return s

    _abs_sum = _abs_sum_vp
else:
    from rrfw.line.hangup_plain import abs_sum as _abs_sum


class HangupDetector:
    def __init__(self, profile="US", cpc_min_ms=None, silence_ms=None, max_call_ms=None,
                 methods=None, busy_tone=None):
        # busy_tone: {"freqs": [..], "cadence_ms": [..]} replaces the profile's busy tone
        # (what linelearn.py proposes for an exchange whose tone is not in its profile)
        prof = profiles.get(profile)
        if busy_tone:
            prof = dict(prof)
            tdefs = dict(prof["tones"])
            tdefs["busy"] = (tuple(busy_tone["freqs"]), tuple(busy_tone["cadence_ms"]), -20)
            prof["tones"] = tdefs
        if cpc_min_ms is None:
            # 200 ms catches the shortest common CPC (250 ms) and ignores blips; shorter
            # only where the profile's exchanges give shorter drops (3/4 of theirs)
            cpc_min_ms = max(_CPC_FLOOR_MS, min(_CPC_DEFAULT_MS, prof.get("cpc_ms", 500) * 3 // 4))
        self.cpc_min_ms = cpc_min_ms
        self.silence_ms = _SILENCE_MS if silence_ms is None else silence_ms
        self.max_call_ms = _MAX_CALL_MS if max_call_ms is None else max_call_ms
        if methods is None:
            methods = ALL_METHODS  # all enabled: each is harmless on lines that never use it
        for m in methods:
            if m not in ALL_METHODS:
                raise ValueError("unknown hang-up method %r (known: %s)" % (m, " ".join(ALL_METHODS)))
        # the methods on, one bit each (_M_*: one attribute, not six; heap: docs/notes/heap.md)
        m = 0
        for i in range(len(ALL_METHODS)):
            if ALL_METHODS[i] in methods:
                m |= 1 << i
        if self.silence_ms <= 0:
            m &= ~_M_SIL
        if self.max_call_ms <= 0:
            m &= ~_M_MAX
        self._m = m
        self.tones = None
        if m & (_M_BUSY | _M_REORDER) and _tones is not None:
            want = []
            if m & _M_BUSY:
                want.append("busy")
            if m & _M_REORDER:
                want.append("reorder")
            self.tones = _tones.ToneDetector(profile=prof, names=tuple(want))
        self.reset(0)

    def reset(self, t_ms):
        self._t0 = t_ms
        self._armed = False
        self._loop_since = -1      # when loop current (re)appeared, -1 = absent
        self._drop_since = -1      # when the current drop began
        self._ref_pol = 0          # polarity after the settle time
        self._rev_since = -1
        self._quiet_since = t_ms
        self.fired = None
        if self.tones is not None:
            self.tones.reset()

    def process(self, block, t_ms, loop_current, polarity, playing):
        if self.fired is not None:
            return self.fired
        m = self._m
        since = t_ms - self._t0
        # --- loop current: CPC ---------------------------------------------------
        if loop_current:
            self._drop_since = -1
            if self._loop_since < 0:
                self._loop_since = t_ms
            if not self._armed and t_ms - self._loop_since >= _LOOP_SEEN_MS:
                self._armed = True
        else:
            # never armed without having seen loop current: a board variant without loop
            # sensing (always False) must not release every call; a dead line goes silent
            self._loop_since = -1
            if self._drop_since < 0:
                self._drop_since = t_ms
        if (m & _M_CPC and self._armed and self._drop_since >= 0
                and t_ms + 10 - self._drop_since >= self.cpc_min_ms):
            return self._fire("cpc")
        # --- polarity reversal (meaningful only while current flows) -----------------
        if m & _M_REV and loop_current:
            if since < _SETTLE_MS or self._ref_pol == 0:
                self._ref_pol = polarity
                self._rev_since = -1
            elif polarity != self._ref_pol:
                if self._rev_since < 0:
                    self._rev_since = t_ms
                if t_ms + 10 - self._rev_since >= _REV_MS:
                    return self._fire("reversal")
            else:
                self._rev_since = -1
        # --- tones -----------------------------------------------------------------
        eb = 0   # the block's energy, when the tones have it
        if self.tones is not None:
            eb = self.tones.process(block, t_ms)
            self.tones.clear_events()   # the verdict is `current`; ended-tone events unused
            cur = self.tones.current
            if cur is not None:
                if cur == "busy" and m & _M_BUSY:
                    return self._fire("busy_tone")
                if cur == "reorder" and m & _M_REORDER:
                    return self._fire("reorder_tone")
        # --- silence ---------------------------------------------------------------
        if m & _M_SIL:
            if playing or eb >= _LOUD_E or _abs_sum(block, 80) >= _SILENCE_SUM:
                self._quiet_since = t_ms + 10
            elif t_ms + 10 - self._quiet_since >= self.silence_ms:
                return self._fire("silence")
        if m & _M_MAX and since + 10 >= self.max_call_ms:
            return self._fire("max_length")
        return None

    def _fire(self, method):
        self.fired = method
        return method
