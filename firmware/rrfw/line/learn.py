# 'Learn my line': measure how this exchange signals that the far end hung up,
# and propose hang-up settings, as the best FXO gateways do at installation.
#
# The technician calls the board's number; the board answers (reset(t)), the
# technician says a few words and hangs up; the board stays off-hook and
# watches for listen_ms more. Measured, per 10 ms block:
#   loop current   every drop: start and length (CPC / open switch interval), and
#                  whether the current came back
#   polarity       every reversal after the answer's settle time
#   tones          a spectrum scan 300-700 Hz in 12.5 Hz steps (the 40 ms DFT of
#                  tones.py, 33 probes): frames where one probe holds >= 25 % of the
#                  energy are "tonal"; their spectra are summed, the peaks give the
#                  frequencies; tonal/quiet runs give the cadence and the level
#   speech         the last non-tonal frame above -45 dBm0: when the caller went quiet
# report() turns this into measurements, the profile tone it matches (if any) and
# proposed `hangup` settings for the line's configuration. It also follows the
# decoder interface (process(block, t_ms), pop(), finish(t_ms)) so the host can
# run it over a recording: the report comes out of pop() as {"event": "learn", ...}.
# Learning is rare and its object is built for it: ~11 KB of tables while it runs.
from rrfw.compat import filled

import math

from rrfw.line import profiles
from rrfw.dsp import tones

_F0 = const(300)          # Hz, scan start: lowest call-progress tone in E.180 Suppl. 2 is 350-400
_STEP_X10 = const(125)    # 0.1 Hz: scan step 12.5 Hz (half the 25 Hz bin of a 40 ms window)
_NP = const(33)           # probes: 300 .. 700 Hz (highest common tone 620 Hz + margin)
_TONAL40 = const(10)      # 1/40: a frame is tonal when its strongest probe holds >= 25 %
_MIN_E = const(4061)      # window energy at -46 dBm0 (tones.py units)
_SPEECH_E = const(4061)   # non-tonal frames above -46 dBm0 count as speech / signal
_DEB = const(3)           # blocks an on/off change must last
_ON_RATIO = const(32)     # block on when its energy x 32 >= the tone's loudest block (-15 dB:
                          # below the troughs of 90-99 % AM, AS/CA S002, above 15 dB SNR noise)
_MAX_RUNS = const(40)     # tonal/quiet runs kept (bounded)
_MAX_DROPS = const(8)     # loop-current drops kept
_MAX_REVS = const(8)      # reversals kept
_SETTLE_MS = const(500)   # ms after answer: the answer's own transients
_LISTEN_MS = const(20000)  # ms of watching after the first hang-up sign
_CPC_FLOOR_MS = const(60)  # ms: as hangup.py
_CPC_CAP_MS = const(600)   # ms: never propose waiting longer (issue 4: release < 1 s after CPC)


class LineLearner:
    def __init__(self, profile="US", listen_ms=_LISTEN_MS):
        self.profile = profiles.get(profile)
        self.listen_ms = listen_ms
        self.probes = [(_F0 * 10 + k * _STEP_X10) / 10.0 for k in range(_NP)]
        self._tab, self._rows = tones.make_table(self.probes)   # 300-700 Hz: its own table
        self._re = filled("i", 4 * _NP, 0x4000000)
        self._im = filled("i", 4 * _NP, 0x4000000)
        self._pow = filled("i", _NP)
        self._eb = filled("i", 4)
        self._acc = filled("i", _NP)      # summed per-frame shares (1/40) of tonal frames
        self._runs = filled("i", _MAX_RUNS)   # run lengths, ms; tonal at even index
        self._drops_t = filled("i", _MAX_DROPS)
        self._drops_len = filled("i", _MAX_DROPS)
        self._revs = filled("i", _MAX_REVS)
        self._out = None
        self.reset(0)

    def reset(self, t_ms=0):
        self._t0 = t_ms
        self._blocks = 0
        self._slot = 0
        for i in range(_NP):
            self._acc[i] = 0
        self._n_tonal = 0
        self._max_e = 0
        self._on = False
        self._started = False
        self._ref = 0
        self._cand_n = 0
        self._cand_t = t_ms
        self._last_open = False
        self._run_t = t_ms
        self._nruns = 0
        self._first_tone_ms = -1
        self._ndrops = 0
        self._drop_since = -1
        self._nrevs = 0
        self._pol = 0
        self._speech_end = -1
        self._first_sign = -1
        self.done = False
        self._out = None
        self._t = t_ms

    # --- per block ---------------------------------------------------------------
    def process(self, block, t_ms, loop_current=True, polarity=1):
        self._t = t_ms
        since = t_ms - self._t0
        # loop current drops
        if not loop_current:
            if self._drop_since < 0:
                self._drop_since = t_ms
                self._sign(t_ms)
        elif self._drop_since >= 0:
            self._add_drop(self._drop_since, t_ms - self._drop_since)
            self._drop_since = -1
        # reversals
        if loop_current:
            if since < _SETTLE_MS or self._pol == 0:
                self._pol = polarity
            elif polarity != self._pol:
                self._pol = polarity
                if self._nrevs < _MAX_REVS:
                    self._revs[self._nrevs] = t_ms
                    self._nrevs += 1
                self._sign(t_ms)
        # spectrum
        slot = self._slot
        self._eb[slot] = tones.corr(block, self._tab, self._rows, _NP, self._re, self._im, slot)
        self._slot = (slot + 1) & 3
        self._blocks += 1
        if self._blocks >= 4:
            tones.power(self._re, self._im, self._tab, self._rows, _NP, slot, self._pow)
            e = self._eb[0] + self._eb[1] + self._eb[2] + self._eb[3]
            if e >= _MIN_E:
                e9 = e >> 9
                best = 0
                for k in range(_NP):
                    if self._pow[k] > best:
                        best = self._pow[k]
                if best >= _TONAL40 * e9:
                    self._n_tonal += 1
                    if e > self._max_e:
                        self._max_e = e
                    for k in range(_NP):
                        # share in 1/40, capped so a sum over a long tone fits easily
                        self._acc[k] += min(80, self._pow[k] // (e9 + 1))
                    if self._first_tone_ms < 0:
                        self._first_tone_ms = t_ms - 20
                        self._sign(t_ms - 20)
                    for i in range(4):
                        if self._eb[i] > self._ref:
                            self._ref = self._eb[i]
                elif e >= _SPEECH_E and self._first_sign < 0:
                    self._speech_end = t_ms - 20   # window centre, as tones.py
        # cadence: once a tone has been heard, each 10 ms block is on when its own energy
        # is within _ON_DB of the tone's loudest block (no 40 ms window smear; deep enough
        # for the AM troughs of a 25 Hz-modulated tone)
        if self._ref > 0:
            self._frame(self._eb[slot] * _ON_RATIO >= self._ref, t_ms)

    def listened_enough(self, t_ms):
        """True once listen_ms have passed since the first hang-up sign."""
        return self._first_sign >= 0 and t_ms - self._first_sign >= self.listen_ms

    def _sign(self, t_ms):
        if self._first_sign < 0:
            self._first_sign = t_ms

    def _add_drop(self, t, length):
        if self._ndrops < _MAX_DROPS:
            self._drops_t[self._ndrops] = t
            self._drops_len[self._ndrops] = length
            self._ndrops += 1

    def _frame(self, on, t):
        if on == self._on:
            self._cand_n = 0
            return
        self._cand_n += 1
        if self._cand_n == 1:
            self._cand_t = t
        if self._cand_n < _DEB:
            return
        if self._started:
            if self._nruns < _MAX_RUNS:
                self._runs[self._nruns] = self._cand_t - self._run_t
                self._nruns += 1
        elif on:
            self._started = True      # runs are counted from the first on-run
        self._on = on
        self._run_t = self._cand_t
        self._cand_n = 0

    # --- results -----------------------------------------------------------------------
    def finish(self, t_ms):
        if self.done:
            return
        self.done = True
        if self._drop_since >= 0:
            self._add_drop(self._drop_since, -(t_ms - self._drop_since))   # negative: still open
            self._drop_since = -1
        if self._started and self._nruns < _MAX_RUNS:
            self._runs[self._nruns] = t_ms - self._run_t
            self._nruns += 1
            self._last_open = True
        else:
            self._last_open = False
        self._out = self.report()

    def pop(self):
        out = self._out
        self._out = None
        if out is None:
            return None
        out["event"] = "learn"
        return out

    def _freqs(self):
        acc = self._acc
        if self._n_tonal < 20:     # < 0.2 s of tone: nothing to measure
            return []
        top = max(acc)
        peaks = []
        for k in range(_NP):
            v = acc[k]
            left = acc[k - 1] if k > 0 else -1
            right = acc[k + 1] if k < _NP - 1 else -1
            if v >= top // 4 and v >= left and v > right:
                # parabolic interpolation between the neighbours (in probe steps)
                # on amplitudes (sqrt of the power sums): the sinc main lobe is closer to
                # a parabola than its square is
                d = 0.0
                if 0 < k < _NP - 1:
                    la, va, ra = math.sqrt(max(0, left)), math.sqrt(v), math.sqrt(max(0, right))
                    den = la - 2 * va + ra
                    if den != 0:
                        d = 0.5 * (la - ra) / den
                peaks.append(round(self.probes[k] + d * _STEP_X10 / 10.0))
        return peaks

    def _cadence(self):
        # runs: on at even index (the list starts with the first on-run, which may be
        # cut: the tone was recognised from within it). The last may be cut too.
        # Find the shortest repeating period.
        runs = [self._runs[i] for i in range(self._nruns)]
        if not runs:
            return None
        if len(runs) == 1 or (len(runs) <= 2 and self._last_open and runs[0] >= 2000):
            return ()          # one long tone: continuous
        body = runs[:-1] if self._last_open else runs
        if len(body) < 2:
            return ()
        # the shortest period that the runs keep for at least two cycles from the start
        # (what follows may be another tone: dial tone after a busy tone times out)
        for period in (2, 4, 6):
            if len(body) < 2 * period:
                break
            k = period
            while k < len(body):
                a, b = body[k], body[k - period]
                if abs(a - b) > 40 + max(a, b) // 8:
                    break
                k += 1
            if k >= 2 * period:
                cad = []
                for j in range(period):
                    vals = [body[i] for i in range(j, k, period)]
                    cad.append(int(round(sum(vals) / len(vals) / 10.0)) * 10)
                return tuple(cad)
        if runs[0] >= 2000:
            return ()          # a long first tone: continuous (then something else)
        return tuple(body[:6])

    def _match(self, freqs, cad):
        if not freqs or cad is None:
            return None
        best = None
        for name in self.profile["tones"]:
            tdef = self.profile["tones"][name]
            fs, tc = tdef[0], tdef[1]
            if fs and isinstance(fs[0], tuple):
                continue   # a sequence tone (SIT) is no hang-up signal
            if len(fs) != len(freqs) and not (len(fs) == 3 and len(freqs) >= 1):
                continue
            want = (fs[1],) if len(fs) == 3 and len(freqs) < 3 else fs
            if len(want) != len(freqs):
                continue
            if any(abs(a - b) > max(15, b * 3 // 100) for a, b in zip(sorted(freqs), sorted(want))):
                continue
            if len(tc) != len(cad):
                continue
            if len(tc) and not _cad_match(cad, tc):
                continue
            best = name
        return best

    def report(self):
        freqs = self._freqs()
        cad = self._cadence() if freqs else None
        match = self._match(freqs, cad)
        level = None
        if self._max_e > 0:
            # window energy = 320 * A^2/2 / 512 per frequency-sum; dBm0 of the whole tone
            a = math.sqrt(self._max_e * 512.0 / 160.0)
            level = round(20 * math.log10(a / 22760.0), 1)
        drops = [{"t_ms": self._drops_t[i], "ms": abs(self._drops_len[i]),
                  "returned": self._drops_len[i] >= 0} for i in range(self._ndrops)]
        revs = [self._revs[i] for i in range(self._nrevs)]
        methods = []
        hang = {}
        if drops:
            methods.append("cpc")
            shortest = min(d["ms"] for d in drops)
            hang["cpc_min_ms"] = max(_CPC_FLOOR_MS, min(_CPC_CAP_MS, shortest * 3 // 4))
        if revs:
            methods.append("reversal")
        tone = None
        if freqs:
            tone = {"freqs": freqs, "cadence_ms": list(cad) if cad is not None else None,
                    "level_dbm0": level, "matches": match, "start_ms": self._first_tone_ms}
            if match in ("busy", "reorder"):
                methods.append(match + "_tone")
            elif match is None and cad:
                # an unknown cadenced tone after hang-up: propose it as this line's busy tone
                methods.append("busy_tone")
                hang["busy_tone"] = {"freqs": freqs, "cadence_ms": list(cad)}
        methods.append("silence")
        methods.append("max_length")
        hang["methods"] = methods
        first = None
        if self._first_sign >= 0:
            if drops and drops[0]["t_ms"] == self._first_sign:
                first = "cpc"
            elif revs and revs[0] == self._first_sign:
                first = "reversal"
            elif tone is not None:
                first = "tone"
        return {"cpc": drops, "reversals": revs, "tone": tone, "first_signal": first,
                "first_signal_ms": self._first_sign if self._first_sign >= 0 else None,
                "speech_end_ms": self._speech_end if self._speech_end >= 0 else None,
                "proposed": {"hangup": hang}}


def _cad_match(cad, want):
    n = len(want)
    for r in range(0, n, 2):
        if all(abs(cad[i] - want[(i + r) % n]) <= 40 + want[(i + r) % n] // 8 for i in range(n)):
            return True
    return False
