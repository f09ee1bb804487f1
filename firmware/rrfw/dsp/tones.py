# Call-progress tone detector: dial, busy, reorder (congestion), ringback, SIT, per country.
#
# Follows the firmware decoder interface: ToneDetector(profile="DE"), reset(),
# process(block, t_ms) per 10 ms block of 80 samples, pop() -> event or None,
# finish(t_ms). Event: {"event": "tone", "tone": "busy", "start_ms": .., "end_ms": ..},
# emitted when the tone ends. While a tone is recognised, `current` is its name and
# `current_start_ms` its start (hangup.py and progress.py read these; no allocation).
#
# Stage 1, spectrum (viper, integers): for each frequency the profile's tones use,
# a DFT over the last 4 blocks (40 ms, 320 samples: 25 Hz resolution, so 400 and
# 450 Hz (UK) fall on each other's nulls and 440 vs 480 Hz (US) leak only
# -14.5 dB). Each block is correlated once with cos/sin tables (its own phase 0);
# the 4 per-block results are phase-rotated by 2*pi*f*80/8000 per block and summed,
# which equals one 320-sample DFT at 1/4 of the cost of recomputing it every block.
# Stage 2, frame (every block): the frequency set ("signal") whose probes hold at
# least _PURITY40/40 of the window's energy, every frequency at least _COMP40/40
# of it, above _MIN_E (about -46 dBm0): speech and music spread their energy
# and rarely pass. An on-run already going holds on through frames where speech
# over the tone drops the share, as long as the tone's frequencies keep their
# level (an agent talking after the caller hung up). Frames are debounced
# (_DEB frames) into on/off runs; each run keeps its level (its quietest frame
# away from the ramps, so overlapping speech cannot inflate it) and whether its
# 10 ms block energies swing (an AM tone: Australia's 425 Hz x 25 Hz, probed at
# the carrier only).
# Stage 3, cadence: each tone's pattern [on, off, ...] is matched against the
# run lengths (tolerance _TOL_MS + _TOL_PCT %, E.180 cadences are +-10 %) by a
# chain count per pattern element (plus the AM and level-step checks where a
# profile needs them). A cadenced tone is recognised once `need` completed runs
# chain in order and the running one has reached its lower bound; need is
# max(2, len(pattern)), raised where a same-signal tone shares that many
# elements (Spain's busy vs congestion, UK busy vs congestion), and then the
# completed chain alone suffices. US busy 0.5/0.5: on, off, on >= 0.4 s: about
# 1.4 s after the start. A continuous tone needs one run of cont_ms (1 s, longer
# than any on-time of a cadenced tone with the same frequencies). A sequence
# tone (SIT: 950, 1400, 1800 Hz back to back) chains runs of different signals,
# each a 3-probe band (about +-30 Hz of the +-50 Hz ITU-T Q.35 allows); its probes are
# only computed when it is asked for (progress.py, tones detect; not hangup.py).
from array import array
import math

from rrfw.compat import VIPER, SX16, SX32, filled
from rrfw.line import profiles
from rrfw.dsp import tonetab

_N = const(80)            # samples per block (10 ms at 8 kHz, ARCHITECTURE.md)
_W = const(4)             # blocks per analysis window (40 ms, 25 Hz bins)
_BIAS = const(0x4000000)  # stored per-block correlations are biased positive (ptr32 reads
                          # are zero-extended on 64-bit viper): |corr| <= 2^25.3 < _BIAS
_PURITY40 = const(18)     # 1/40: signal probes hold >= 45 % of the window energy (a tone 10 Hz
                          # off its probe keeps sinc^2(10/25) = 57 % in a 40 ms window; AS/CA
                          # S002 allows 425 +-10 Hz)
_HOLD40 = const(6)        # 1/40: a tone already running holds on at >= 15 % (speech over it)
_COMP40 = const(4)        # 1/40: each frequency of a signal holds >= 10 % (twist up to ~7 dB)
# Window energy units: sum over 320 samples of s*s >> 9. A sine of peak A gives
# 320 * A^2/2 / 512; at -46 dBm0 A = 22760 * 10^(-46/20) = 114 -> 4061. (AU congestion's
# soft bursts are 10 dB under the loud ones: a -33 dBm0 tone still has them above.)
_MIN_E = const(4061)      # window energy at -46 dBm0 (G.711 0 dBm0 = 22760 peak)
_AM_RATIO = const(2)      # block-energy max/min above which a window is amplitude-modulated
_DEB = const(3)           # frames (30 ms) a change must persist to start a new run
_TOL_MS = const(40)       # ms: run length tolerance for window smear and block quantisation,
_TOL_PCT = const(12)      # plus this % of the element (E.180 Suppl. 2 cadences are +-10 %)
_CONT_MIN_MS = const(1000)  # ms of steady tone before a continuous tone is recognised
_LVL_MIN_MS = const(100)  # ms: on-runs shorter than this set no reference level (speech blips)
_LVL_GAP_MS = const(1000)  # ms: a level reference older than this is void (E.180 level-step
                           # tones repeat within 0.4 s)
_QLEN = const(4)          # pending events kept; more are counted in _a[_A_DROP]

# Priority when two tones of one signal both match (never happens with the
# tolerances above in the 8 profiles, but order the verdict anyway).
_ORDER = ("busy", "reorder", "sit", "ringback", "dial")
_SIT_STEP = const(25)     # Hz between the probes of a SIT band (one 40 ms DFT bin)
_BIN_HZ = const(25)       # Hz: one bin of the 40 ms window (8000 / 320)
_NEED_MAX = const(8)      # completed runs: cap on the chain a tone may need to be unique
# a _Tone's value array (v): first its scalars
_T_L = const(0)           # L: its pattern's elements (0: a continuous tone)
_T_M = const(1)           # m = max(1, L): values a row
_T_SIGS = const(2)        # its on-signals, a bit each (a profile has < 30 signals)
_T_NEED = const(3)        # completed runs that must chain before the partial one
_T_AMB = const(4)         # 1: need raised to tell it from a same-signal look-alike
_T_C = const(5)           # offset of this run's (count, chain start) rows
_T_CONT = const(6)        # ms a continuous tone must hold
_T_AM = const(7)          # 1: on-runs must be amplitude-modulated, -1: must not, 0: either
_T_STEPS = const(8)       # 1: the on-elements' level steps are checked
_T_TOP = const(9)         # this run's largest chain count (chain state, as the counts): below
                          # need, no chain can match, so a frame skips the matcher (_frame)
_H = const(10)            # then its rows, from here (each m values)
_LO = const(1)            # row 0: esig, each element's signal (-1: an off-element)
_HI = const(2)            # shortest and longest run (ms) element e accepts
_ST = const(3)            # level step of an on-element (dB, AU congestion)
_CA = const(4)            # two (count, chain start) row pairs: 4-5 and 6-7
_CB = const(6)
_NV = const(8)
# a ToneDetector's value array (_a): offsets
_A_EB = const(0)          # 4: the window's block energies, by slot
_A_EH = const(4)          # 3: the running run's last 3 frame energies
_A_QS = const(7)          # 4 (_QLEN): queued events' start and end (ms)
_A_QE = const(11)
_A_QT = const(15)         # 4: and their tones (an index into _tones: no list of names)
_A_BLK = const(19)        # blocks seen, up to _W (the window is full)
_A_SLOT = const(20)       # the window's slot of the next block
_A_RSIG = const(21)       # the running run: its signal (-1 off), start (ms), loudest and
_A_RT = const(22)         # quietest frame energy, best probe power (its reference level),
_A_RE = const(23)         # modulated frames and frames
_A_RMIN = const(24)
_A_RREF = const(25)
_A_RMOD = const(26)
_A_RNF = const(27)
_A_MOD = const(28)        # 1: the last window was amplitude-modulated
_A_CAND = const(29)       # the debounce's candidate: signal, frames, first frame (ms)
_A_CN = const(30)
_A_CT = const(31)
_A_CEND = const(32)       # the recognised tone's end so far (ms)
_A_QH = const(33)         # the event queue's head and length
_A_QN = const(34)
_A_NS = const(35)         # signals, probes (set once by __init__)
_A_NK = const(36)
_A_DROP = const(37)       # events lost to a full queue (no attribute: 12 keep the dict at 12 slots)
_A_SIG = const(38)        # per signal its last on-run's level, then (ns on) when it ended;
                          # after them each probe's power


def _is_seq(fs):
    # a sequence tone lists one frequency set per on-element: ((950,), (1400,), (1800,))
    return len(fs) > 0 and isinstance(fs[0], tuple)


def _is_am(fs):
    return len(fs) == 3 and fs[1] - fs[0] == fs[2] - fs[1]


def _fset(fs):
    # the frequencies a signal is probed at: an AM tone's carrier, else all
    return (fs[1],) if _is_am(fs) else tuple(fs)


def _groups(fs):
    # a plain tone's signal: one probe group per frequency (an AM tone: its carrier)
    return tuple((f,) for f in _fset(fs))


def _seq_groups(fs):
    # a sequence tone's signals, one per on-element: ITU-T Q.35 allows SIT +-50 Hz, so each
    # is a band of three probes 25 Hz apart (a 40 ms window's bins: orthogonal, their
    # sum holds a tone within about +-30 Hz, measured)
    return [((f[0] - _SIT_STEP, f[0], f[0] + _SIT_STEP),) for f in fs]


def _tol(c):
    return _TOL_MS + c * _TOL_PCT // 100


def _compatible(a, b):
    # two nominal durations that measured runs could not tell apart
    return abs(a - b) <= max(_tol(a), _tol(b))


def _unique_after(t, others):
    # smallest k (completed runs, chains start on an on-element) such that no
    # k-run window of t's pattern fits any k-run window of another pattern, or None
    L = len(t)
    for k in range(max(2, L), _NEED_MAX + 1):
        clash = False
        for a0 in range(0, L, 2):
            for u in others:
                M = len(u)
                for b0 in range(0, M, 2):
                    if all(_compatible(t[(a0 + i) % L], u[(b0 + i) % M]) for i in range(k)):
                        clash = True
                        break
                if clash:
                    break
            if clash:
                break
        if not clash:
            return k
    return None


# Stage 1's kernels, public: line/learn.py runs them over its own probes.
#   corr(blk, tab, rows, nk, re, im, slot) -> the block's energy; correlates the
#       block with nk probes into slot `slot` of re, im (biased by _BIAS);
#   power(re, im, tab, rows, nk, slot, out): each probe's 40 ms power into out,
#       the 4 slots rotated (Q10) and summed, oldest first.
# Probe k's tables are row rows[k] of tab (int16, _ROW a row, make_table):
# 80 cos and 80 -sin in Q14, then 4 cos and 4 -sin (Q10) of the block rotation.
# Stage 2's kernels, the detector's own:
#   _sig_power(sp, pw, o, lim) -> the summed power of the signal whose record is at
#       sp[o] (its groups, each its probes' powers in pw), or -1 when a group's is under lim.
#       A probe's power is under 2^26.6 (|X|^2 >> 20, |X| <= 320 * 32768), so 3 summed
#       fit 32 bits (a signal has at most 3 probes).
#   _pick(sp, pw, a, e) -> the frame's signal (its alias) or -1, from a window of energy
#       e >= _MIN_E: the strongest that is pure enough and has every group in it
#       (_classify's first part); sets a[_A_MOD] (the window's swing) and raises
#       a[_A_RREF] when the signal is the running run's.
# Viper on the board; the plain twins are tones_plain.corr / power / sig_power.
if VIPER:
    import micropython

    @micropython.viper
    def _corr_vp(blk, tab, rows, nk: int, re, im, slot: int) -> int:
        # Probes two at a time, the energy in the first pass: one load of a sample feeds
        # four products (a third less time than a pass a probe and one for the energy);
        # each sum's terms in the twin's order, so the same integers.
        s16 = int(SX16)
        p = ptr16(blk)
        pw = ptr8(rows)
        pr = ptr32(re)
        pi = ptr32(im)
        t0 = uint(ptr16(tab))
        e = 0
        n = 0
        if nk == 0:
            while n < 80:
                x = (p[n] << s16) >> s16
                e += (x * x) >> 9
                n += 1
            return e
        k = 0
        while k < nk:
            pa = ptr16(t0 + uint(pw[k]) * 336)     # probe k's row (_ROW int16)
            ar = 0
            ai = 0
            n = 0
            if k + 1 < nk:
                pb = ptr16(t0 + uint(pw[k + 1]) * 336)
                br = 0
                bi = 0
                while n < 80:
                    x = (p[n] << s16) >> s16
                    if k == 0:
                        e += (x * x) >> 9
                    ar += (x * ((pa[n] << s16) >> s16)) >> 10
                    ai += (x * ((pa[80 + n] << s16) >> s16)) >> 10
                    br += (x * ((pb[n] << s16) >> s16)) >> 10
                    bi += (x * ((pb[80 + n] << s16) >> s16)) >> 10
                    n += 1
                pr[k * 4 + 4 + slot] = br + 0x4000000
                pi[k * 4 + 4 + slot] = bi + 0x4000000
            else:
                while n < 80:
                    x = (p[n] << s16) >> s16
                    if k == 0:
                        e += (x * x) >> 9
                    ar += (x * ((pa[n] << s16) >> s16)) >> 10
                    ai += (x * ((pa[80 + n] << s16) >> s16)) >> 10
                    n += 1
            pr[k * 4 + slot] = ar + 0x4000000
            pi[k * 4 + slot] = ai + 0x4000000
            k += 2
        return e

    @micropython.viper
    def _power_vp(re, im, tab, rows, nk: int, slot: int, out):
        s16 = int(SX16)
        pr = ptr32(re)
        pi = ptr32(im)
        pt = ptr16(tab)
        pw = ptr8(rows)
        po = ptr32(out)
        k = 0
        while k < nk:
            base = pw[k] * 168 + 160
            xr = 0
            xi = 0
            i = 0
            while i < 4:
                j = k * 4 + ((slot + 1 + i) & 3)
                a = (pr[j] - 0x4000000) >> 6
                b = (pi[j] - 0x4000000) >> 6
                c = (pt[base + i] << s16) >> s16
                d = (pt[base + 4 + i] << s16) >> s16
                xr += (a * c - b * d) >> 10
                xi += (a * d + b * c) >> 10
                i += 1
            xr = xr >> 8
            xi = xi >> 8
            po[k] = xr * xr + xi * xi
            k += 1

    @micropython.viper
    def _sig_power_vp(sp, pw, o: int, lim: int) -> int:
        q = ptr8(sp)
        p = ptr32(pw)     # powers are >= 0: read without sign extension
        n = q[o]
        s = 0
        g = 0
        while g < n:
            o += 1
            c = q[o]
            t = 0
            i = 0
            while i < c:
                t += p[q[o + 1 + i]]
                i += 1
            o += c
            if t < lim:
                return -1
            s += t
            g += 1
        return s

    @micropython.viper
    def _pick_vp(sp, pw, a, e: int) -> int:
        s32 = int(SX32)
        q = ptr8(sp)
        p = ptr32(pw)     # powers and block energies are >= 0: read without sign extension
        pa = ptr32(a)
        e0 = int(pa[_A_EB])
        e1 = int(pa[_A_EB + 1])
        e2 = int(pa[_A_EB + 2])
        e3 = int(pa[_A_EB + 3])
        hi = e0
        lo = e1
        if e1 > e0:
            hi = e1
            lo = e0
        if e2 > hi:
            hi = e2
        elif e2 < lo:
            lo = e2
        if e3 > hi:
            hi = e3
        elif e3 < lo:
            lo = e3
        pa[_A_MOD] = 1 if hi >= _AM_RATIO * lo else 0
        e9 = e >> 9
        lim = _COMP40 * e9
        pur = _PURITY40 * e9
        ns = int(pa[_A_NS])
        nk = int(pa[_A_NK])
        so = nk + 2 * ns
        best = -1
        best_s = 0
        j = 0
        while j < ns:
            o = int(q[so + j])
            n = int(q[o])
            s = 0
            g = 0
            while g < n:
                o += 1
                c = int(q[o])
                t = 0
                i = 0
                while i < c:
                    t += int(p[q[o + 1 + i]])
                    i += 1
                o += c
                if t < lim:
                    s = -1
                    break
                s += t
                g += 1
            if s >= pur and s > best_s:
                best = j
                best_s = s
            j += 1
        if best >= 0:
            best = int(q[nk + best])   # its alias
            if best == (int(pa[_A_RSIG]) << s32) >> s32 and best_s > int(pa[_A_RREF]):
                pa[_A_RREF] = best_s
        return best

    corr = _corr_vp
    power = _power_vp
    _sig_power = _sig_power_vp
    _pick = _pick_vp
    _ROWS = tonetab.TONE_ROWS      # bytes: in flash when frozen
else:
    from rrfw.dsp.tones_plain import corr, power
    from rrfw.dsp.tones_plain import sig_power as _sig_power
    from rrfw.dsp.tones_plain import pick as _pick
    _ROWS = array("h", tonetab.TONE_ROWS)   # the plain twins index int16 values


class _Tone:
    # One tone's cadence matcher: chain counts per pattern element. Element e is an
    # on-time of signal esig[e] (>= 0) or an off-time (-1): a plain tone alternates
    # its signal and off; a sequence tone (SIT: 950, 1400, 1800 Hz, then silence)
    # has several on-elements of different signals in a row.
    # Heap: all its values are one array and it has two attributes (name, v): a
    # matcher with a dozen attributes had a 12-slot dict (96 B) and a tuple of its
    # signals. v: the _T_* scalars, then from _H _NV rows of m = max(1, L) values:
    # esig, lo, hi, level step, then two (count, chain start) row pairs, this run's
    # and the next's, swapped by offset after every run.
    def __init__(self, name, esig, cadence, cont_ms, levels):
        self.name = name
        n = len(cadence)
        m = max(1, n)
        v = filled("i", _H + _NV * m)
        sigs = 0
        for e in range(m):
            s = esig[e] if n else esig[0]
            v[_H + e] = s
            if s >= 0:
                sigs |= 1 << s
            if e < n:
                c = cadence[e]
                v[_H + _LO * m + e] = max(10, c - _tol(c))
                v[_H + _HI * m + e] = c + _tol(c)
        v[_T_L] = n
        v[_T_M] = m
        v[_T_SIGS] = sigs
        v[_T_NEED] = max(2, n)   # completed runs that must chain before the partial one
        v[_T_AMB] = 0            # 1: need raised to tell this tone from a same-signal look-alike
        v[_T_C] = _H + _CA * m   # offset of this run's counts (their chain starts m further);
                                 # the next run's are at 2 * _H + 10 * m minus it
        v[_T_CONT] = cont_ms
        v[_T_AM] = 0             # 1: on-runs must be amplitude-modulated, -1: must not
        # per on-element level step (dB) relative to the previous on-element: AU congestion
        # alternates full and -10 dB bursts; 0 = same level. _T_STEPS 0 = levels not checked.
        v[_T_STEPS] = 1 if levels else 0
        if levels:
            ons = list(range(0, n, 2))
            for i, e in enumerate(ons):
                v[_H + _ST * m + e] = levels[i % len(levels)] - levels[(i - 1) % len(levels)]
        self.v = v

    def is_on(self, sig):
        return sig >= 0 and (self.v[_T_SIGS] >> sig) & 1 == 1

    def same(self, o):
        # o matches exactly as this one does: the same tone, signals, bounds (v: the
        # cadence as its bounds) and rules; not the chain state (_T_C and the counts)
        if o.name != self.name:
            return False
        a = self.v
        b = o.v
        if a[_T_M] != b[_T_M]:
            return False
        for i in range(_H + _CA * a[_T_M]):
            if i != _T_C and i != _T_TOP and a[i] != b[i]:
                return False
        return True

    def clear(self):
        v = self.v
        c = v[_T_C]
        for e in range(v[_T_L]):
            v[c + e] = 0
        v[_T_TOP] = 0

    def run_done(self, sig, t0, d, ratio, am):
        # a run (sig, start t0, length d) completed: extend or break each chain.
        # ratio: for an on-run, its level step from the previous on-run (+1 = >= 6 dB
        # louder, -1 = >= 6 dB softer, 0 = within 6 dB, 2 = unknown)
        v = self.v
        L = v[_T_L]
        if L == 0:
            return
        m = v[_T_M]
        c = v[_T_C]
        nc = 2 * _H + (_CA + _CB) * m - c
        lo = _H + _LO * m
        hi = _H + _HI * m
        am_req = v[_T_AM]
        steps = v[_T_STEPS]
        # off-elements fit any run that is not this tone's signal
        off = not (sig >= 0 and (v[_T_SIGS] >> sig) & 1 == 1)
        top = 0
        for e in range(L):
            want = v[_H + e]
            on = want >= 0
            ok = (sig == want if on else off) and v[lo + e] <= d <= v[hi + e]
            if ok and on and am_req and am != am_req:
                ok = False
            if ok and on and steps and ratio != 2:
                st = v[_H + _ST * m + e]
                want = 1 if st >= 6 else (-1 if st <= -6 else 0)
                ok = want == ratio
            if ok:
                p = (e - 1) % L
                if v[c + p] > 0:
                    v[nc + e] = v[c + p] + 1
                    v[nc + m + e] = v[c + m + p]
                elif on:
                    v[nc + e] = 1
                    v[nc + m + e] = t0
                else:
                    v[nc + e] = 0
            else:
                v[nc + e] = 0
            if v[nc + e] > top:
                top = v[nc + e]
        v[_T_C] = nc
        v[_T_TOP] = top

    def check(self, sig, d, need, strict, am):
        # Does the running (partial) run continue a chain of >= need runs?
        # strict: the partial must also have reached its element's lower bound.
        # Returns the chain's start time, or -1.
        v = self.v
        L = v[_T_L]
        on = sig >= 0 and (v[_T_SIGS] >> sig) & 1 == 1
        am_req = v[_T_AM]
        if on and am_req and am != am_req and d >= 100:
            return -1   # (judged once the run has 10 frames)
        if L == 0:
            if on and (not strict or d >= v[_T_CONT]):
                return 0
            return -1
        if v[_T_TOP] < need:
            return -1   # every return below needs a count >= need
        m = v[_T_M]
        c = v[_T_C]
        lo = _H + _LO * m
        hi = _H + _HI * m
        amb = v[_T_AMB]
        for e in range(L):
            want = v[_H + e]
            if not (sig == want if want >= 0 else not on):
                continue
            p = (e - 1) % L
            n = v[c + p]
            if n >= need and d <= v[hi + e] and (not strict or d >= v[lo + e] or
                                                      (amb and n >= need)):
                return v[c + m + p]
        return -1


_ROW = const(168)          # int16 a probe row: 2 * _N + 2 * _W (scripts/gen_tonetab.py)


def make_table(freqs):
    """(tab, rows) for the kernels over probes at freqs (Hz): rows of the
    generated table (tonetab.TONE_ROWS: every country profile's probes, in
    flash when frozen), or, when a frequency is not there (the line learner's
    probes), a table of its own in RAM (320 + 16 bytes a probe)."""
    hz = tonetab.TONE_HZ
    if all(f in hz for f in freqs):
        return _ROWS, bytes(hz.index(f) for f in freqs)
    nk = len(freqs)
    tab = array("h", bytes(2 * _ROW * nk))
    for k in range(nk):
        w = 2 * math.pi * freqs[k] / 8000
        b = k * _ROW
        for n in range(_N):
            tab[b + n] = int(round(16384 * math.cos(w * n)))
            tab[b + _N + n] = -int(round(16384 * math.sin(w * n)))   # e^{-jwn}
        for i in range(_W):
            tab[b + 2 * _N + i] = int(round(1024 * math.cos(w * _N * i)))
            tab[b + 2 * _N + _W + i] = -int(round(1024 * math.sin(w * _N * i)))
    return tab, bytes(range(nk))


def _plan(profile, names):
    # (tone definitions with their forms, tones asked for in order, signals)
    prof = profiles.get(profile)
    tdefs = prof["tones"]
    order = [n for n in _ORDER if n in tdefs] + sorted(n for n in tdefs if n not in _ORDER)
    if names is not None:
        order = [n for n in order if n in names]
    # a tone sent in other forms too (profiles.py tone_forms: Australia's dial tone as
    # 425 x 25, 413 + 438 or 400 + 450 Hz) is one more tone per form, "name~i",
    # reported under its own name
    forms = prof.get("tone_forms")
    if forms:
        tdefs = dict(tdefs)
        full = []
        for n in order:
            full.append(n)
            for i, fs in enumerate(forms.get(n, ())):
                alt = "%s~%d" % (n, i + 1)
                tdefs[alt] = (tuple(fs),) + tuple(tdefs[n][1:])
                full.append(alt)
        order = full
    # distinct frequency sets = signals; the union of their frequencies = probes.
    # An AM tone (f-m, f, f+m: Australia's 425 Hz x 25 Hz) is probed at its carrier
    # only; its envelope (block energies swinging with the 25 Hz modulation) tells it
    # from a plain tone on the same carrier, per run (see _frame).
    # A sequence tone (its frequencies a tuple of per-on-element sets: SIT) adds its
    # signals only when it is asked for: three more probes cost 3/4 more time.
    sigs = []
    for n in tdefs:
        if _is_seq(tdefs[n][0]) and n not in order:
            continue
        for g in _seq_groups(tdefs[n][0]) if _is_seq(tdefs[n][0]) else (_groups(tdefs[n][0]),):
            if g not in sigs:
                sigs.append(g)
    return tdefs, order, sigs


def _probes(sigs):
    probes = []
    for g in sigs:
        for grp in g:
            for f in grp:
                if f not in probes:
                    probes.append(f)
    return probes


def probes_of(profile="US", names=None):
    """The probe frequencies (Hz) a ToneDetector(profile, names) correlates with."""
    return _probes(_plan(profile, names)[2])


class ToneDetector:
    def __init__(self, profile="US", names=None, share=None, room=False, take=None):
        # share: a detector of the same line that never runs in a block where this one
        # does (its hang-up detector while call progress dials): its cadence matchers
        # that equal one of this detector's are used, not copied (their state is a chain
        # count, cleared by either detector's reset; heap: about 256 bytes a matcher)
        # room: make the correlation rings and the value array large enough for the
        # profile's full detector (names None), which can then take them over
        # (take=this detector, unusable after): call progress's dial phase, so that its
        # answer phase makes no 200-250 byte array at dialled() in a heap that is
        # fragmented by then (the busy run's first MemoryError at 63-64 KB: cbheap)
        tdefs, order, sigs = _plan(profile, names)
        # A form of a tone (name~i) is either the same signal as the tone itself, when all
        # its frequencies lie within one 40 ms bin (25 Hz) of an AM tone's carrier: 413 +
        # 438 Hz is 425 Hz x 25 without its carrier, and its energy falls in the carrier's
        # main lobe (its frames count as the carrier's: alias); or a signal of its own (400 +
        # 450 Hz: the bins beside 425), which then needs _W frames to start a run: a window
        # only partly filled by a tone, at its start and end, spreads it into the
        # neighbouring bins for up to _W - 1 frames.
        alias = bytearray(range(len(sigs)))
        deb = bytearray([_DEB] * len(sigs))
        aliased = []   # forms that are their base tone's signal (no matcher of their own)
        for n in tdefs:
            if "~" not in n or n not in order:
                continue
            base = tdefs[n.split("~")[0]][0]
            j = sigs.index(_groups(tdefs[n][0]))
            if _is_am(base) and all(abs(f - base[1]) < _BIN_HZ for f in tdefs[n][0]):
                alias[j] = sigs.index(_groups(base))
                aliased.append(n)
            else:
                deb[j] = _W
        ns = len(sigs)
        probes = _probes(sigs)
        nk = len(probes)
        # One bytes object, _rows (heap: an object of 16-48 bytes and a dict slot each
        # were three, with the kernels' row indices): first the kernels' row index of
        # each probe (nk bytes, make_table), then per signal j its alias (byte nk + j)
        # and the frames that start a run of it (nk + ns + j), then (from nk + 2 * ns)
        # per signal its probe groups (probe indices; each group's summed power counts):
        # byte nk + 2 * ns + j is where signal j's record is, its group count, then each
        # group's probe count and probes (a tuple of tuples of tuples was 3-4 objects a
        # signal, the full US detector's about 320 B). Offsets fit a byte: the largest
        # profile's full detector is under 100 bytes (tests/test_tonetab.py makes all).
        tab, rows = make_table(probes)
        sp = bytearray(rows) + alias + deb + bytearray(ns)
        for j in range(ns):
            sp[nk + 2 * ns + j] = len(sp)
            sp.append(len(sigs[j]))
            for grp in sigs[j]:
                sp.append(len(grp))
                for f in grp:
                    sp.append(probes.index(f))
        self._tab = tab
        self._rows = bytes(sp)
        carriers = [tdefs[n][0][1] for n in tdefs
                    if not _is_seq(tdefs[n][0]) and _is_am(tdefs[n][0])]
        # the detector's small values in one array (heap: an array apiece cost 32 bytes
        # or more each, and every attribute a dict slot: 36 attributes were a 37-slot dict,
        # 296 B in one piece): block energies, the run's last frame energies, the event
        # queue's times, the _A_* scalars, per signal its last on-run's level and end,
        # then each probe's power (the power kernel's out: a view of its part)
        kr = _W * nk
        ka = _A_SIG + 2 * ns + nk
        if take is not None and len(take._re) >= kr and len(take._a) >= ka:
            re = take._re
            im = take._im
            a = take._a
            for i in range(len(re)):   # as new: the rings biased, the values 0
                re[i] = _BIAS
                im[i] = _BIAS
            for i in range(len(a)):
                a[i] = 0
            take._re = take._im = take._a = take._pow = take._tones = take._rows = None
        else:
            if room:
                sf = _plan(profile, None)[2]
                kr = max(kr, _W * len(_probes(sf)))
                ka = max(ka, _A_SIG + 2 * len(sf) + len(_probes(sf)))
                sf = None
            re = filled("i", kr, _BIAS)
            im = filled("i", kr, _BIAS)
            a = filled("i", ka)
        self._re = re
        self._im = im
        a[_A_NS] = ns
        a[_A_NK] = nk
        self._a = a
        self._pow = memoryview(a)[_A_SIG + 2 * ns:]
        # cadence matchers; a continuous tone waits longer than any same-signal on-time
        tones = []
        for n in order:
            fs, cad = tdefs[n][0], tdefs[n][1]
            if n in aliased:
                continue   # its frames are the base tone's signal: the base tone's matcher
            if _is_seq(fs):
                # SIT-like: on-elements of the listed sets in turn, then off-elements
                sg = _seq_groups(fs)
                esig = [sigs.index(sg[i]) if i < len(fs) else -1 for i in range(len(cad))]
                tn = _Tone(n, esig, tuple(cad), _CONT_MIN_MS, None)
                tn.v[_T_NEED] = 2   # two distinct frequencies in the right order and length
                tones.append(tn)
                continue
            sig = sigs.index(_groups(fs))
            cont = _CONT_MIN_MS
            plain = [m for m in tdefs if not _is_seq(tdefs[m][0])]
            for m in plain:
                if _fset(tdefs[m][0]) == _fset(fs):
                    c = tdefs[m][1]
                    for i in range(0, len(c), 2):
                        cont = max(cont, c[i] * 5 // 4 + 100)
            levels = None
            for m in plain:   # level steps matter when any same-signal tone has them
                if _fset(tdefs[m][0]) == _fset(fs) and len(tdefs[m]) > 3:
                    levels = tdefs[n][3] if len(tdefs[n]) > 3 else (0,)
            esig = [sig if (i & 1) == 0 else -1 for i in range(len(cad))] or [sig]
            tn = _Tone(n.split("~")[0], esig, tuple(cad), cont, levels)
            if _is_am(fs):
                tn.v[_T_AM] = 1
            elif len(fs) == 1 and fs[0] in carriers:
                tn.v[_T_AM] = -1
            if cad:
                others = [tuple(tdefs[m][1]) for m in plain
                          if m != n and tdefs[m][1] and _fset(tdefs[m][0]) == _fset(fs)
                          and _is_am(tdefs[m][0]) == _is_am(fs)]
                k = _unique_after(tuple(cad), others)
                # not unique in time (AU busy/congestion differ in level only): two
                # on-runs must complete so their levels are compared
                need = k if k is not None else max(3, len(cad) + 1)
                tn.v[_T_NEED] = need
                # a chain made longer to rule out a look-alike is proof enough once complete
                tn.v[_T_AMB] = 1 if need > max(2, len(cad)) else 0
            if share is not None:
                for o in share._tones:
                    if tn.same(o):
                        tn = o
                        break
            tones.append(tn)
        self._tones = tuple(tones)   # a tuple: no spare slots
        self.reset()

    def reset(self):
        a = self._a
        for i in range(_A_SIG + 2 * a[_A_NS]):
            if i != _A_NS and i != _A_NK:
                a[i] = 0
        a[_A_RSIG] = -1
        a[_A_CAND] = -1
        self.energy = 0
        self._cur = None           # the _Tone recognised now
        self.current = None
        self.current_start_ms = 0
        self.frame_sig = -1        # last frame's signal index (diagnostics, linelearn)
        for tn in self._tones:
            tn.clear()

    # --- per block ---------------------------------------------------------------
    def process(self, block, t_ms):
        # -> the block's energy (sum of s*s >> 9: hangup.py's silence test can skip its own sum)
        a = self._a
        slot = a[_A_SLOT]
        nk = a[_A_NK]
        eb = corr(block, self._tab, self._rows, nk, self._re, self._im, slot)
        a[_A_EB + slot] = eb
        a[_A_BLK] += 1
        if a[_A_BLK] >= _W:
            a[_A_BLK] = _W   # (a count that stops: never a long integer)
            e = a[_A_EB] + a[_A_EB + 1] + a[_A_EB + 2] + a[_A_EB + 3]
            self.energy = e      # window energy (units above): progress.py's voice detector
            if e < _MIN_E:
                sig = -1         # too quiet for any signal: no power needed (a listening line)
            else:
                power(self._re, self._im, self._tab, self._rows, nk, slot, self._pow)
                sig = self._classify(e)
        else:
            sig = -1
        a[_A_SLOT] = (slot + 1) & 3
        self.frame_sig = sig
        self._frame(sig, t_ms - 20)   # the frame's time: see the header (window centre)
        return eb

    def _classify(self, e):
        # e: the window's energy, at least _MIN_E. The strongest pure signal (_pick: 25 Hz AM
        # at 90-99 % depth swings the quarter-period block energies > 10:1, a plain tone's
        # stay within noise, 2:1 (3 dB) splits them: a[_A_MOD])
        a = self._a
        best = _pick(self._rows, self._pow, a, e)
        if best < 0:
            j = a[_A_RSIG]
            ref = a[_A_RREF]
            if j >= 0 and ref > 0:
                # a running on-run survives speech over the tone (an agent still talking when
                # the caller has hung up): its frequencies keep their level within 6 dB and
                # still hold _HOLD40/40 of the energy (a group fails where p * 8 < ref, that
                # is p < ceil(ref / 8))
                sp = self._rows
                o = sp[a[_A_NK] + 2 * a[_A_NS] + j]   # its record (see __init__)
                s = _sig_power(sp, self._pow, o, (ref + 7) >> 3)
                if s >= 0 and s * 4 >= ref and s >= _HOLD40 * (e >> 9):
                    return j
        return best

    def _frame(self, sig, t):
        # debounce frames into runs
        a = self._a
        if sig == a[_A_RSIG]:
            a[_A_CN] = 0
        else:
            if a[_A_CN] and sig == a[_A_CAND]:
                a[_A_CN] += 1
            else:
                a[_A_CAND] = sig
                a[_A_CN] = 1
                a[_A_CT] = t
            cand = a[_A_CAND]
            if a[_A_CN] >= (self._rows[a[_A_NK] + a[_A_NS] + cand] if cand >= 0 else _DEB):
                ct = a[_A_CT]
                rt = a[_A_RT]
                d = ct - rt
                ratio = 2
                rsig = a[_A_RSIG]
                if rsig >= 0:
                    ns = a[_A_NS]
                    ep = a[_A_SIG + rsig]
                    en = a[_A_RMIN] if a[_A_RMIN] else a[_A_RE]
                    # compare only with an on-run that could be this tone's previous burst:
                    # at least _LVL_MIN_MS long and ended at most _LVL_GAP_MS before (a
                    # stray speech frame run long ago says nothing about this tone's level)
                    if rt - a[_A_SIG + ns + rsig] > _LVL_GAP_MS:
                        ep = 0
                    if ep > 0:
                        # 6 dB = 4x energy; compare by division-free scaling (both < 2^30)
                        if (en >> 2) >= ep:
                            ratio = 1
                        elif (ep >> 2) >= en:
                            ratio = -1
                        else:
                            ratio = 0
                    if d >= _LVL_MIN_MS:
                        a[_A_SIG + rsig] = en
                        a[_A_SIG + ns + rsig] = ct
                    else:
                        a[_A_SIG + rsig] = 0
                am = 1 if 2 * a[_A_RMOD] > a[_A_RNF] else -1
                for tn in self._tones:
                    tn.run_done(rsig, rt, d, ratio, am)
                if self._cur is not None and self._cur.is_on(rsig):
                    a[_A_CEND] = ct
                a[_A_RSIG] = cand
                a[_A_RT] = ct
                a[_A_RE] = 0
                a[_A_RMIN] = 0
                a[_A_RREF] = 0
                a[_A_RMOD] = 0
                a[_A_RNF] = 0
                a[_A_CN] = 0
        rs = a[_A_RSIG]
        if sig >= 0 and sig == rs:
            # the run's level: its quietest frame away from both ramps (frames 3.. and not the
            # last 3), so speech or a voice tail overlapping the tone cannot inflate it
            n = a[_A_RNF]
            if n >= 6:
                old = a[_A_EH + n % 3]      # the energy of frame n-3
                if a[_A_RMIN] == 0 or old < a[_A_RMIN]:
                    a[_A_RMIN] = old
            e = self.energy
            a[_A_EH + n % 3] = e
            if e > a[_A_RE]:
                a[_A_RE] = e                # short runs: their loudest frame
            a[_A_RNF] = n + 1
            if a[_A_MOD]:
                a[_A_RMOD] += 1
        # the running (partial) run: its length d and envelope am, worked out only for
        # a matcher that looks at them (most frames: none)
        cur = self._cur
        if cur is not None:
            d = t + 10 - a[_A_RT]
            am = 1 if 2 * a[_A_RMOD] > a[_A_RNF] else -1
            if cur.check(rs, d, 1 if cur.v[_T_L] else 0, False, am) < 0:
                self._end(cur)
            elif cur.is_on(rs):
                a[_A_CEND] = t + 10
            return
        for tn in self._tones:
            v = tn.v
            if v[_T_L] and v[_T_TOP] < v[_T_NEED]:
                continue   # check() would say -1: no chain long enough (most frames)
            d = t + 10 - a[_A_RT]
            am = 1 if 2 * a[_A_RMOD] > a[_A_RNF] else -1
            st = tn.check(rs, d, v[_T_NEED], True, am)
            if st >= 0:
                self._cur = tn
                self.current = tn.name
                self.current_start_ms = st if tn.v[_T_L] else a[_A_RT]
                a[_A_CEND] = t + 10
                return

    def _end(self, tn):
        # the tone's event into the preallocated queue (no tuple per event: this runs
        # inside process()); its tone as an index in _tones
        a = self._a
        if a[_A_QN] >= _QLEN:
            a[_A_DROP] += 1
        else:
            i = (a[_A_QH] + a[_A_QN]) % _QLEN
            a[_A_QT + i] = self._tones.index(tn)
            a[_A_QS + i] = self.current_start_ms
            a[_A_QE + i] = a[_A_CEND]
            a[_A_QN] += 1
        self._cur = None
        self.current = None
        tn.clear()

    def pop(self):
        a = self._a
        if not a[_A_QN]:
            return None
        i = a[_A_QH]
        a[_A_QH] = (i + 1) % _QLEN
        a[_A_QN] -= 1
        return {"event": "tone", "tone": self._tones[a[_A_QT + i]].name, "start_ms": a[_A_QS + i],
                "end_ms": a[_A_QE + i]}

    def clear_events(self):
        """Drop pending events without building them (for callers that read `current`)."""
        self._a[_A_QN] = 0

    def finish(self, t_ms):
        if self._cur is not None:
            if self._cur.is_on(self._a[_A_RSIG]):
                self._a[_A_CEND] = t_ms
            self._end(self._cur)
