# Ring detection: ring-detect optocoupler pulses -> validated ring bursts -> ring count.
#
# The optocoupler conducts on each half cycle of the ring voltage, so while
# the exchange rings the HAL counts about 2x the ring frequency pulses per
# second (40/s at 20 Hz: 0.4 per 10 ms block, 100/s at 50 Hz); a board with
# a half-wave optocoupler gives half that, and is accepted too. A line glitch,
# a dial-pulse transient or a lightning spike gives a few pulses; a real ring
# burst gives a steady pulse train lasting at least the profile's shortest
# ring-on time. The detector:
#   1. debounces pulses into bursts: a burst goes on at its first pulse and
#      ends when no pulse has come for _GAP_MS;
#   2. validates a burst once it has lasted min_on_ms with a pulse rate
#      that is a ring frequency (_MIN_HZ.._MAX_HZ): then emits one "ring"
#      (t_ms = the burst's first pulse), so the answer is not delayed until
#      the burst ends;
#   3. merges the bursts of one cadence cycle (UK/AU double ring
#      0.4 on 0.2 off 0.4 on 2.0 off is ONE ring): a burst that starts less
#      than merge_ms after the previous validated burst ended is the same ring;
#   4. declares `ended` (caller gave up) once no burst has come for
#      end_ms: the cadence's longest off time x 1.5 plus one second.
#
# Timeline, US cadence 2 s on / 4 s off, 20 Hz (min_on_ms = 200):
#   t=0      first pulse: burst on, ringing=True
#   t=200    burst still on, 8 pulses = 20 Hz: ring 1 validated, event n=1 t_ms=0
#   t=2000   last pulse; t=2080 no pulse for 80 ms: burst off, ringing=False
#   t=6000   next burst ... t=6300 ring 2
#   no burst by 2000 + 7000 = 9000 (after ring 1): ended=True

_GAP_MS = const(100)      # ms: longest pulse gap inside a burst: a half-wave optocoupler on a
                          # 16 2/3 Hz ring pulses every 60 ms, +10 ms block quantisation, + margin
                          # for a missed edge on a full-wave one (2 x 20 Hz: 25 ms)
_MIN_HZ = const(8)        # Hz, as pulses/2: 16 2/3 Hz rings (older exchanges) seen by a half-wave
                          # optocoupler give 8.3; a dial-pulse or hook flicker is 5 Hz or less
_MAX_HZ = const(70)       # Hz: highest (France rings at 50 Hz, NF C 98-010; +40 %)
_MIN_PULSES = const(4)    # a burst needs at least this many pulses to be a ring, whatever its length
_ANY_MIN_ON_MS = const(150)   # ms: minimum burst when no cadence is known (shortest real ring-on is
                              # 0.2-0.4 s, ITU-T E.180 Suppl. 2)
_ANY_MERGE_MS = const(1000)   # ms: off gaps shorter than this are inside one cadence cycle (the short
                              # off times of E.180 double rings are 0.2-0.6 s; long ones >= 2 s)
_ANY_END_MS = const(8000)     # ms: no ring for this long = caller gave up (longest off in E.180 ~5 s)
_MIN_ON_FLOOR_MS = const(100)  # ms: never validate on less than this
_CAD_MIN_ON_MS = const(200)    # ms: longest minimum burst asked for, whatever the cadence


class RingDetector:
    def __init__(self, cadence=None, min_on_ms=None):
        # cadence: [on, off, on, off, ...] ms from the profile, or None = any plausible ring;
        # min_on_ms: the profile's own shortest ring (Japan: longer than its CAR bursts)
        if cadence:
            ons = [cadence[i] for i in range(0, len(cadence), 2)]
            offs = [cadence[i] for i in range(1, len(cadence), 2)] or [4000]
            # 3/4 of the shortest on-time, but never more than _CAD_MIN_ON_MS: the same line
            # may ring with a distinctive cadence (Telcordia GR-506: bursts down to 0.3 s)
            self.min_on_ms = max(_MIN_ON_FLOOR_MS, min(_CAD_MIN_ON_MS, min(ons) * 3 // 4))
            if len(offs) > 1:
                # between the short intra-cycle gap and the long inter-cycle gap
                self.merge_ms = (max(offs[:-1]) + offs[-1]) // 2 if max(offs[:-1]) < offs[-1] else 0
            else:
                self.merge_ms = min(_ANY_MERGE_MS, offs[0] // 2)
            self.end_ms = max(offs) * 3 // 2 + 1000
        else:
            self.min_on_ms = _ANY_MIN_ON_MS
            self.merge_ms = _ANY_MERGE_MS
            self.end_ms = _ANY_END_MS
        if min_on_ms:
            self.min_on_ms = min_on_ms
        self._ev_n = 0          # pending event: ring number (0 = none)
        self._ev_t = 0
        self.reset()

    def reset(self):
        self.rings = 0
        self.ringing = False
        self.ended = False
        self._start = 0          # first pulse of the current burst
        self._last = 0           # block time of the last pulse seen
        self._pulses = 0         # pulses in the current burst
        self._valid = False      # current burst already counted/merged
        self._prev_end = -1      # end time of the last validated burst (-1: none yet)
        self._ev_n = 0
        self.dropped = 0         # events overwritten before pop() (bounded buffer of one)

    def process(self, pulses, t_ms):
        if pulses > 0:
            if not self.ringing:
                self.ringing = True
                self._start = t_ms
                self._pulses = 0
                self._valid = False
            self._pulses += pulses
            self._last = t_ms
        elif self.ringing and t_ms - self._last >= _GAP_MS:
            self.ringing = False
            if self._valid:
                self._prev_end = self._last + 10
        if self.ringing and not self._valid:
            dur = t_ms + 10 - self._start
            if dur >= self.min_on_ms and self._pulses >= _MIN_PULSES:
                # pulse rate = 2 x ring frequency: pulses*1000/dur/2 Hz, compared without division
                p2 = self._pulses * 500
                if p2 >= _MIN_HZ * dur and p2 <= _MAX_HZ * dur:
                    self._valid = True
                    if self._prev_end >= 0 and self._start - self._prev_end < self.merge_ms:
                        pass  # second burst of a double ring: same ring
                    else:
                        self.rings += 1
                        if self._ev_n:
                            self.dropped += 1
                        self._ev_n = self.rings
                        self._ev_t = self._start
                        self.ended = False
        if (not self.ringing and self.rings > 0 and self._prev_end >= 0
                and t_ms - self._prev_end >= self.end_ms):
            self.ended = True

    def pop(self):
        if not self._ev_n:
            return None
        ev = {"event": "ring", "n": self._ev_n, "t_ms": self._ev_t}
        self._ev_n = 0
        return ev
