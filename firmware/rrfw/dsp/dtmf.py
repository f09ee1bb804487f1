# DTMF receiver: one per line, fed one 10 ms block (80 samples, 8 kHz) at a time.
#
# What it meets (tests/test_dtmf_conformance.py checks both sides of each):
#   frequency  accept +-1.5 %, reject +-3.5 % of nominal  (ITU-T Q.24 sec. 4.2.1,
#              Telcordia GR-506 / ANSI T1.401, MT8870 data sheet: "accept
#              +-1.5 % +-2 Hz, reject +-3.5 %")
#   level      accept -25..0 dBm0 per tone, reject -35 dBm0  (ITU-T Q.24,
#              GR-506 "-25 dBm0 per tone minimum"; MT8870 sensitivity -29 dBm)
#   twist      high group from 8 dB below to 4 dB above the low group: GR-506
#              "reverse twist 8 dB, normal twist 4 dB" (rejects 12 / 7 dB)
#   duration   accept >= 40 ms, reject <= 23 ms  (GR-506; MT8870 tGTP design)
#   pause      accept >= 40 ms between digits; drop-outs <= 10 ms bridged
#              (GR-506 "interruption of 10 ms shall not cause a double")
#   talk-off   each tone dominates its group, the pair carries most of the
#              energy, and each tone's frequency is measured by phase (below);
#              a pair with other sound under it must meet tighter limits;
#              a key that is two harmonics of a vowel is told by the vowel's
#              other harmonics (see _HARM_WEAK).
#
# How (per block, integers only, viper on the board):
#   1. Goertzel over the block's 80 samples at the 8 frequencies -> complex
#      Y[k] (the block's DFT at f_k). Columns use this 80-sample window (100 Hz
#      resolution is enough for tones 127 Hz apart and keeps their +-1.5 %
#      loss under 1 dB); rows combine two blocks coherently into a 160-sample
#      window W[k] = Y_prev + e^{-jw80} Y (50 Hz resolution, rows are 73 Hz apart).
#   2. Frequency by phase: for a tone at f_k + d, the block's DFT advances by
#      e^{j w_k 80} e^{j 2 pi d 80/8000} from one block to the next, so the
#      angle of W_b conj(W_{b-1}) e^{-j w_k 80} is 2 pi d / 100: accepted
#      when |d| <= 2.5 % of f_k, midway between the accept and reject limits.
#      That angle repeats every 100 Hz; the same test between the block's two
#      halves (40 samples apart, +-50 Hz) removes the ambiguity.
#   3. When a block fails those checks (speech or music over a key spoils
#      them), a second look through the 320-sample window of its last four
#      blocks, L = W_pp + e^{-j160w} W, at all eight tones: a bin half as wide
#      as the rows' and a quarter of the columns', so a key on frequency
#      stands 3 / 6 dB further above the speech sharing its bin. Its checks are
#      those of a noisy pair (below), and each tone's phase from one half of
#      L to the other within 0.5 / 0.4 % of nominal. With keys under speech at
#      0 dB tone-to-speech, it cut the misses from 5.0 % to 2.0 % and added no
#      false key in an hour of speech (bench/bench_dtmf.py).
#   4. Timing: a hit needs 3 blocks (30 ms); a digit's start and end are
#      placed inside the edge blocks from the tone's amplitude in each block
#      (a block half filled with tone has half the amplitude), so durations
#      are known to about a millisecond, not to a block.
#
# A digit is reported once its end is known (30 ms without the key after its
# last hit). `tone_present` turns True as soon as a key is confirmed (a
# steady 30 ms of clean pair, usually 10 ms before a 40 ms key ends) and
# stays True until it ends: the IVR stops a prompt on it (barge-in).
# The echo of what the board itself plays (`tx`) is not taken for a key:
# a tone must be at least as strong in rx as in tx at both of its
# frequencies, i.e. 6 dB above the worst echo a hybrid returns (G.168
# assumes an echo return loss of at least 6 dB).
from array import array

from rrfw.compat import VIPER, SX16, SX32, filled
from rrfw.dsp import tonetab

DIGITS = "123A456B789C*0#D"  # row-major: rows 697, 770, 852, 941 Hz; columns 1209..1633 Hz
FREQS = (697, 770, 852, 941, 1209, 1336, 1477, 1633)  # Hz, ITU-T Q.23 table 1

_N = const(80)            # samples per block: 10 ms at 8 kHz (the firmware's one clock)
_BLOCK_MS = const(10)
_IN_SHIFT = const(4)      # input >> 4 (2048 max): keeps Goertzel states < 2**31 / 7000 (see _TAB)

# Per frequency, 18 ints (Q12 unless noted), computed from f with w = 2 pi f / 8000:
#   0 coef = round(2 cos w * 4096)                       Goertzel recursion
#   1 cosw, 2 sinw = round(cos w * 4096), round(sin w * 4096)   Y = s1 - e^{-jw} s2
#   3 rc, 4 rs = round(cos 80w * 4096), round(-sin 80w * 4096)  e^{-j 80 w}: a block's phase advance
#   5 tc, 6 ts = round(cos t * 16384), round(sin t * 16384), t = 2 pi (0.025 f) / 100:
#            the phase advance per block of a tone 2.5 % off nominal (Q14)
#   7 hc, 8 hs = round(cos 40w * 4096), round(-sin 40w * 4096)  e^{-j 40 w}: half a block
#   9 tc1, 10 ts1 = as 5, 6 for 0.5 % (rows) / 0.4 % (columns): the tighter limit a tone must
#            meet when other sound shares the window (see _SHARE_HI_X10)
#   11 tc2, 12 ts2 = as 5, 6 for 1.0 %: a clean pair this close to nominal is
#            "precise" (one steady hit confirms it; a looser one needs two)
#   13 qc, 14 qs = round(cos 160w * 4096), round(-sin 160w * 4096)  e^{-j 160 w}: two blocks
#   15 tc3, 16 ts3 = cos, sin (Q14) of t = 2 pi (p f) 160 / 8000, p = 0.5 % (rows) / 0.4 %
#            (columns): a tone p off nominal advances t over two blocks (the long window's test)
#   17 spare
# Worst-case Goertzel state over 80 samples of +-2048: 2048 * sum|sin((m+1)w)| / sin w
# = 201360 at 697 Hz; coef * state = 1.41e9 < 2**31 (tests check it on adversarial input).
_TW = const(18)
_TAB = tonetab.DTMF_TAB    # int32 rows as above (bytes: in flash when frozen; scripts/gen_tonetab.py)

# ---- validation thresholds ------------------------------------------------
# Energies below are in one unit: a tone of peak A (16-bit) lasting the whole
# 160-sample window has energy 12.5 * (A/16)**2 (see _decide), and the total
# energy of the window T = sum (x/16)**2 satisfies T = 6.4 * (tone energies)
# for a pure tone pair.
# Level: tone peak A = 22760 * 10**(dBm0/20) (G.711: 0 dBm0 sine = 3.17 dB below full scale).
#   -32 dBm0: A = 571.8 -> 12.5 * (571.8/16)**2 = 15963. Midway (in dB) between
#   the -25 dBm0 accept and -35 dBm0 reject figures, with room for a window
#   only 3/4 filled (-2.5 dB) at -25 dBm0 (ITU-T Q.24's national figures, GR-506).
_LEVEL_MIN = const(15963)
# Twist, as ratios of energies in Q4 (16 = 1.0):
#   high may be up to 5.5 dB above low: 10**(0.55) = 3.548 -> 57/16
#   high may be down to 9.5 dB below low: 10**(0.95) = 8.91 -> low <= high * 143/16
#   (accept 4 / 8 dB per GR-506, +1.5 dB for the window's frequency loss at +-1.5 %)
_TWIST_HI_Q4 = const(57)
_TWIST_LO_Q4 = const(143)
# Relative peak: each tone 8 dB above every other tone of its group:
#   10**0.8 = 6.31 -> 101/16 (spandsp's figure; adjacent tones leak -13 dB at most
#   into each other's filter at +-1.5 % offset, so 8 dB leaves 5 dB of margin).
_REL_PEAK_Q4 = const(101)
_REL_PEAK_NOISY_Q4 = const(25)   # 2 dB for the rows of a noisy pair (below)
_REL_PEAK_NOISY_COL_Q4 = const(101)  # columns of a noisy pair: 8 dB as clean (less speech there)
# Share of energy (spandsp checks the same ratio): the two tones must carry
# at least 20 % of the window's energy, 6.4 * (row + col) >= 0.2 * T, i.e.
# (row + col) * 64 >= T * 2. A pair with 70 % or more is "clean" and meets the
# standard limits above. A "noisy" pair (20..70 %: speech, music or noise under
# it) must meet tighter ones instead, because the checks that keep speech out
# (share, relative peak) are the ones speech over a key spoils:
#   frequency within 0.5 % (rows) / 0.4 % (columns) of nominal, not 2.5 %
#     (keys are on frequency, speech harmonics landing on a pair rarely are;
#     the price: a key off by more, under speech at its own level, is heard
#     only in the blocks where it carries 70 % of the energy);
#   reverse twist within 6 dB (speech is strongest in the low group):
#     10**0.6 = 3.98 -> 64/16;
#   row relative peak only 2 dB (speech fills the row band): 10**0.2 -> 25/16.
# Tuned on the Debian speech and music corpora (bench/bench_dtmf.py).
_SHARE_X10 = const(2)
_SHARE_HI_X10 = const(7)
# Between 60 and 70 % (little under the key) the frequency limit is 1.0 %, not
# 0.5 / 0.4 %: keys from older generator chips (up to 0.75 % off) keep more blocks.
_SHARE_MID_X10 = const(6)
_NOISY_TWIST_Q4 = const(64)
# A noisy pair must also be at least -27 dBm0 per tone: A = 22760 * 10**(-27/20) = 1016.5
# -> 12.5 * (1016.5/16)**2 = 50455. Still 2 dB below the -25 dBm0 every key must reach
# (GR-506), and it keeps out the soft passages of music where two notes sit on a key's
# pair (F5 + F#6 are 697 + 1477 Hz within 0.2 %).
_NOISY_LEVEL_MIN = const(50455)
# The long window (a second look at a block whose windows failed, see _long_vp): 320
# samples, coherent, for all eight tones. Twice the rows' window and four times the
# columns' blocks, so the speech under a key shares a bin half / a quarter as wide
# (+3 / +6 dB tone-to-speech in the bin). Limits: level and twist as a noisy pair,
# each tone 6 dB above the rest of its group (speech rarely leaves a neighbour
# that far down; a key on frequency puts nothing there), 20 % of the 40 ms's energy,
# and each tone's phase over the two halves within 0.5 / 0.4 % of nominal.
_LONG_REL_PEAK_Q4 = const(64)    # 6 dB: 10**0.6 = 3.98 -> 64/16
# Evidence a key needs (see DtmfReceiver._confirmed): one steady hit of a clean
# pair within 1 % of nominal, or two clean ones, or one steady clean hit and a
# second clean hit, or _MIN_NOISY steady hits (50 ms of steady tone), or
# _MIN_HITS hits of any kind (a 3-block span at each: speech over a key's onset
# can spoil every steady span). The third form is a 40 ms key not aligned to
# the blocks at Q.24's corners (+-1.5 % with 8 dB reverse or 4 dB normal twist):
# it fills three whole blocks, so two clean windows and one steady span; its
# edge windows are judged as a noisy pair, whose 0.5 % limit it fails
# (tests/test_dtmf_corners.py; `python -m bench dtmf`: 82.8 -> 100 % at -8 dB, 98.8 -> 100 % at +4 dB).
_MIN_NOISY = const(3)
_MIN_HITS = const(3)
# Talk-off by a harmonic series (issue 17): a sustained vowel whose harmonics m and n land on a
# key's two tones. With f0 >= 150 Hz (female and children's voices) four keys can be made so
# within the noisy pair's 0.5 / 0.4 % (Q.23 frequencies; 1: 4/7 of 173.5 Hz, 5: 4/7 of 191.7,
# A: 3/7 of 232.8, D: 4/7 of 234.3; for lower f0 the harmonics m +- 1 fall in the row band,
# where the row relative peak sees them). A key puts nothing at the other harmonics of that
# f0; the vowel does, and puts little half-way between them. So while such a key is tracked,
# every hit block is probed (_harm) at the inner harmonics k f0, m < k < n, and at (k + 1/2) f0,
# m <= k < n, all >= f0 / 2 from the key's own tones; the key is talk-off when, summed over
# its hits, the inner harmonics hold at least the weaker tone's energy (_HARM_WEAK) and
# >= _HARM_ANTI times the half-way energy: a harmonic series of exactly that f0. Measured on
# the hit blocks (tests/test_dtmf_harmonic.py, `python -m bench dtmf`): the two false keys of the
# held-out speech (a 232.8 Hz 'A', a 191.7 Hz '5') give 1.6 / 7.8 times the weaker tone and
# 6.2 / 24 times the half-way energy; 384 true keys of the class under the bench's speech at
# 0 / +5 / +10 dB at most 0.65 times the weaker tone, and those over 0.3 at most 1.6 times the
# half-way energy (speech under a key is not a harmonic series of the key's own f0).
_HARM_WEAK = const(1)
_HARM_ANTI = const(4)      # 6 dB
_HARM_CAP = const(1 << 28) # the sums are halved together past this (ratios kept, small ints)
# Per key of that class, 24 ints: digit index, number of inner harmonics, number of half-way
# probes, then per probe (inner first) coef = round(2 cos w * 4096), round(cos w * 4096),
# round(sin w * 4096), w = 2 pi f / 8000, f = k f0 with f0 = (f_row / m + f_col / n) / 2.
# Every probe is above 697 Hz, so the Goertzel state stays within _TAB's bound.
_HSTRIDE = const(24)
_HTAB = tonetab.DTMF_HTAB  # int32 rows as above (bytes, generated like _TAB)
# digit index -> _HTAB offset, 255: not of the class
_HIDX = bytes((0, 255, 255, 48, 255, 24, 255, 255, 255, 255, 255, 255, 255, 255, 255, 72))
# Echo: rx tone energy >= tx tone energy * 1 (6 dB above an echo at the
# G.168 minimum echo return loss of 6 dB).

# ---- timing (ms, and blocks of 10 ms) ----------------------------------------
_MIN_TONE_MS = const(30)    # accept >= 40 ms, reject <= 23 ms (GR-506): decide at 30
_END_MISSES = const(3)      # blocks without a hit that end a digit: a 40 ms pause
                            # leaves at least 3 (two windows wholly silent), a 10 ms
                            # drop-out leaves no window empty (bridged)
_STEADY_Q8 = const(192)     # a hit is "steady" when each of the 3 blocks behind it holds
                            # at least 3/4 of the largest block amplitude of the stronger tone:
                            # the phase (frequency) check is unbiased only on full
                            # windows, and a tone of 23 ms cannot fill 3 blocks that far
_HOLD_Q8 = const(154)       # a block that fails a check while the key's stronger tone keeps
                            # >= 60 % of its amplitude does not count as a miss (speech over a key
                            # must not split it in two); a pause or drop-out takes the tone away
_GAP_BLOCKS = const(2)      # blocks in a row where the key's stronger tone keeps < 20 % of its
                            # steady amplitude: a pause, even if the windows that straddle it
                            # still pass. A 40 ms pause (the minimum to accept, GR-506, Q.24)
                            # empties at least 3 whole blocks, a 10 ms drop-out (to bridge)
                            # at most 1: 2 is between them
_HOLD_MAX = const(10)       # ... for at most 100 ms without a hit
_ONSET_HI_Q8 = const(179)  # a pair whose one tone already had >= 70 % of its amplitude in the
_ONSET_LO_Q8 = const(128)  # block before the pair began, while the other had < 50 %, did not
                           # start as a key does: a generator starts both tones at once (ITU-T
                           # Q.23: the two frequencies are sent simultaneously). Music does
                           # this when a note joins one already sounding. Applied to pairs
                           # clean in every hit: speech under a key can fill one of its
                           # bins early, and then the pair is not clean throughout.
_EDGE_Q8 = const(51)        # a block is part of the tone if its amplitude >= 20 % of full
_QUEUE = const(8)           # digits held for pop(); further ones are counted in `lost`
_REBASE = const(1 << 22)    # blocks (11.6 h) after which the time origin moves up (a multiple
                            # of 8, the amplitude ring's length)


# State array layout (array('i'); every value stays below 2**30, so reading one
# in Python never allocates a big integer on the ESP32, where small ints are 31-bit):
_YP = const(0)     # 16: previous block's Y (re, im) per frequency
_YC = const(16)    # 16: this block's Y;  |Y| <= sum|x >> 4| <= 80 * 2048 = 163840
_WP = const(32)    # 16: previous window's W
_WC = const(48)    # 16: this window's W;  |W| <= 327680
_YA = const(64)    # 16: this block's first-half Y (samples 0..39)
_EN = const(80)    # 8 : window energies: rows 2|W >> 5|**2, cols |Yp >> 4|**2 + |Y >> 4|**2 (<= 4.2e8)
_TP = const(88)    # total energy sum (x >> 4)**2 of the previous block (<= 3.4e8)
_TC = const(89)    # ... of this block
_BI = const(90)    # ring slot (0..7) this block's amplitudes go to
_SC = const(92)    # 8 : scratch for the angle test: a (re, im), b (re, im), rotation, limit
_RING = const(104) # 64: 8 blocks x 8 amplitudes |Y| >> 4 (<= 14080), for timing
_WPP = const(168)  # 16: the window before the previous one (blocks b-3, b-2)
_T3 = const(184)   # total energy of block b-2
_T4 = const(185)   # ... of block b-3
_EL = const(186)   # 8 : long-window energies (scratch of _long)
_HC = const(194)   # this block's harmonic-series probes (see _HTAB), |Y >> 4|**2 >> 2 each summed:
_HA = const(195)   #   at the inner harmonics, half-way between them,
_HR = const(196)   #   and at the key's own row and column tones (<= 2.7e8 each)
_HK = const(197)
_ST_LEN = const(198)
# The tracker's state and the digit queue follow in the same array (the kernels read
# only 0.._ST_LEN, and _txen_vp its own two slices): one object instead of 23
# attributes and three queue arrays. Times are in blocks since _t0 (< _REBASE), or
# 0.1 ms units from block 0 (< 2**30); the harmonic sums stay < 2 * _HARM_CAP.
_S_BLK = const(198)          # blocks processed since reset
_S_CAND = const(199)         # digit index being tracked, -1 none
_S_HITS = const(200)
_S_STEADY_HITS = const(201)
_S_CLEAN_HITS = const(202)   # steady hits of a clean pair (>= 70 % of the energy)
_S_PRECISE_HITS = const(203) # ... of which within 1 % of nominal
_S_CLEAN_ANY = const(204)    # hits of a clean pair, steady or not
_S_ALL_CLEAN = const(205)    # every hit of the candidate was of a clean pair
_S_ONSET_OK = const(206)     # both tones began together (see _ONSET_HI_Q8)
_S_CLEAN = const(207)        # this block's pair: 0 noisy, 1 clean, 2 clean within 1 %
_S_LAST = const(208)         # block of the last hit
_S_ON = const(209)           # last block the key was heard (hit or held)
_S_HELD = const(210)         # blocks held since the last hit
_S_REF_K = const(211)        # the stronger tone and its steady block amplitude
_S_REF_AMP = const(212)
_S_MISSES = const(213)
_S_GAP = const(214)          # blocks in a row without the key's tone (see _GAP_BLOCKS)
_S_START = const(215)        # candidate's start, 0.1 ms units from block 0
_S_HK = const(216)           # the candidate's _HTAB offset, -1: not of the harmonic class
_S_H_IN = const(217)         # its hits' sums of _HC, _HA, _HR, _HK (see _HARM_WEAK)
_S_H_HALF = const(218)
_S_H_ROW = const(219)
_S_H_COL = const(220)
_S_TX_LIVE = const(221)      # blocks of tx analysis still worth running
_S_Q_HEAD = const(222)       # the digit queue: head and length,
_S_Q_LEN = const(223)
_S_Q_DIG = const(224)        # _QUEUE digit indexes,
_S_Q_START = const(232)      # _QUEUE starts and
_S_Q_END = const(240)        # _QUEUE ends (0.1 ms units from block 0)
# The analysis of what the board plays (tx): only its window energies are asked for
# (_is_echo), and they need only this tx block's Y and the last one's; _txen_vp keeps
# those here (heap: 96 bytes a receiver, where a second state array was 744)
_S_TXY = const(248)          # 16: the last tx block's Y (re, im) per frequency
_S_TXE = const(264)          # 8: the last tx window's energies, as _EN's
_S_LEN = const(272)


# ---- viper kernels (the board); plain twins in dtmf_plain.py ------------------
# Loads of the signed state and table are sign-extended as compat.py says.
if VIPER:
    import micropython

    @micropython.viper
    def _goertzel_vp(inp: ptr16, work: ptr32, tab: ptr32, st: ptr32):
        sx = int(SX32)
        s16 = int(SX16)
        for i in range(16):
            st[_YP + i] = ((st[_YC + i] << sx) >> sx)
            st[_WPP + i] = ((st[_WP + i] << sx) >> sx)
            st[_WP + i] = ((st[_WC + i] << sx) >> sx)
        tot = 0
        for i in range(_N):
            x = ((inp[i] << s16) >> s16) >> _IN_SHIFT
            work[i] = x + 2048
            tot += x * x
        st[_T4] = ((st[_T3] << sx) >> sx)
        st[_T3] = ((st[_TP] << sx) >> sx)
        st[_TP] = ((st[_TC] << sx) >> sx)
        st[_TC] = tot
        for k in range(8):
            t = k * _TW
            c = ((tab[t] << sx) >> sx)
            s1 = 0
            s2 = 0
            for i in range(40):
                s0 = int(work[i]) - 2048 + ((c * s1) >> 12) - s2
                s2 = s1
                s1 = s0
            st[_YA + 2 * k] = s1 - ((((tab[t + 1] << sx) >> sx) * s2) >> 12)
            st[_YA + 2 * k + 1] = (((tab[t + 2] << sx) >> sx) * s2) >> 12
            for i in range(40, _N):
                s0 = int(work[i]) - 2048 + ((c * s1) >> 12) - s2
                s2 = s1
                s1 = s0
            st[_YC + 2 * k] = s1 - ((((tab[t + 1] << sx) >> sx) * s2) >> 12)
            st[_YC + 2 * k + 1] = (((tab[t + 2] << sx) >> sx) * s2) >> 12

    @micropython.viper
    def _window_vp(st: ptr32, tab: ptr32):
        sx = int(SX32)
        ring = _RING + ((st[_BI] << sx) >> sx) * 8
        for k in range(8):
            t = k * _TW
            yr = ((st[_YC + 2 * k] << sx) >> sx)
            yi = ((st[_YC + 2 * k + 1] << sx) >> sx)
            rc = ((tab[t + 3] << sx) >> sx)
            rs = ((tab[t + 4] << sx) >> sx)
            wr = ((st[_YP + 2 * k] << sx) >> sx) + ((yr * rc - yi * rs) >> 12)
            wi = ((st[_YP + 2 * k + 1] << sx) >> sx) + ((yr * rs + yi * rc) >> 12)
            st[_WC + 2 * k] = wr
            st[_WC + 2 * k + 1] = wi
            ar = yr
            if ar < 0:
                ar = 0 - ar
            ai = yi
            if ai < 0:
                ai = 0 - ai
            if ar > ai:
                st[ring + k] = (ar + ((ai * 3) >> 3)) >> 4
            else:
                st[ring + k] = (ai + ((ar * 3) >> 3)) >> 4
            if k < 4:
                wr = wr >> 5
                wi = wi >> 5
                st[_EN + k] = (wr * wr + wi * wi) * 2
            else:
                pr = ((st[_YP + 2 * k] << sx) >> sx) >> 4
                pi = ((st[_YP + 2 * k + 1] << sx) >> sx) >> 4
                cr = yr >> 4
                ci = yi >> 4
                st[_EN + k] = pr * pr + pi * pi + cr * cr + ci * ci

    @micropython.viper
    def _angle_vp(st: ptr32) -> int:
        sx = int(SX32)
        ar = ((st[_SC] << sx) >> sx)
        ai = ((st[_SC + 1] << sx) >> sx)
        br = ((st[_SC + 2] << sx) >> sx)
        bi = 0 - ((st[_SC + 3] << sx) >> sx)
        ma = ar
        if ma < 0:
            ma = 0 - ma
        if ai > ma:
            ma = ai
        if 0 - ai > ma:
            ma = 0 - ai
        mb = br
        if mb < 0:
            mb = 0 - mb
        if bi > mb:
            mb = bi
        if 0 - bi > mb:
            mb = 0 - bi
        if ma == 0 or mb == 0:
            return 0
        while ma >= 16384:
            ar = ar >> 1
            ai = ai >> 1
            ma = ma >> 1
        while ma < 8192:
            ar = ar << 1
            ai = ai << 1
            ma = ma << 1
        while mb >= 16384:
            br = br >> 1
            bi = bi >> 1
            mb = mb >> 1
        while mb < 8192:
            br = br << 1
            bi = bi << 1
            mb = mb << 1
        pr = (ar * br - ai * bi) >> 14
        pi = (ar * bi + ai * br) >> 14
        rc = ((st[_SC + 4] << sx) >> sx) * 4
        rs = ((st[_SC + 5] << sx) >> sx) * 4
        zr = (pr * rc - pi * rs) >> 14
        zi = (pr * rs + pi * rc) >> 14
        if zi < 0:
            zi = 0 - zi
        tc = ((st[_SC + 6] << sx) >> sx)
        ts = ((st[_SC + 7] << sx) >> sx)
        if tc >= 0:
            if zr <= 0 or zi * tc > zr * ts:
                return 0
        elif zr < 0:
            if zi * (0 - tc) < (0 - zr) * ts:
                return 0
        return 1

    @micropython.viper
    def _decide_vp(st: ptr32, tab: ptr32) -> int:
        sx = int(SX32)
        r = 0
        for k in range(1, 4):
            if ((st[_EN + k] << sx) >> sx) > ((st[_EN + r] << sx) >> sx):
                r = k
        c = 4
        for k in range(5, 8):
            if ((st[_EN + k] << sx) >> sx) > ((st[_EN + c] << sx) >> sx):
                c = k
        er = ((st[_EN + r] << sx) >> sx)
        ec = ((st[_EN + c] << sx) >> sx)
        if er < _LEVEL_MIN or ec < _LEVEL_MIN:
            return -1
        tot = ((st[_TP] << sx) >> sx) + ((st[_TC] << sx) >> sx)
        m = er
        if ec > m:
            m = ec
        if tot > m:
            m = tot
        sh = 0
        while (m >> sh) >= 8388608:
            sh += 1
        er = er >> sh
        ec = ec >> sh
        tot = tot >> sh
        if ec * 16 > er * _TWIST_HI_Q4 or er * 16 > ec * _TWIST_LO_Q4:
            return -1
        if (er + ec) * 64 < tot * _SHARE_X10:
            return -1
        lim = 9
        if (er + ec) * 64 >= tot * _SHARE_HI_X10:
            lim = 5
        elif (er + ec) * 64 >= tot * _SHARE_MID_X10:
            lim = 11
        rp = _REL_PEAK_Q4
        rpc = _REL_PEAK_Q4
        if lim != 5:
            if er * 16 > ec * _NOISY_TWIST_Q4:
                return -1
            if ((st[_EN + r] << sx) >> sx) < _NOISY_LEVEL_MIN or ((st[_EN + c] << sx) >> sx) < _NOISY_LEVEL_MIN:
                return -1
            rp = _REL_PEAK_NOISY_Q4
            rpc = _REL_PEAK_NOISY_COL_Q4
        for k in range(4):
            if k != r and (((st[_EN + k] << sx) >> sx) >> sh) * rp > er * 16:
                return -1
        wr = ((st[_WC + 2 * c] << sx) >> sx) >> 5
        wi = ((st[_WC + 2 * c + 1] << sx) >> sx) >> 5
        ew = (wr * wr + wi * wi) >> 4
        for k in range(4, 8):
            if k != c:
                wr = ((st[_WC + 2 * k] << sx) >> sx) >> 5
                wi = ((st[_WC + 2 * k + 1] << sx) >> sx) >> 5
                if ((wr * wr + wi * wi) >> 4) * rpc > ew * 16:
                    return -1
        precise = 32
        for j in range(6):
            if j >= 4 and lim != 5:
                break
            k = r
            if (j & 1) != 0:
                k = c
            t = k * _TW
            if j == 0 or j == 4 or (j == 1 and lim != 5):
                st[_SC] = ((st[_WC + 2 * k] << sx) >> sx)
                st[_SC + 1] = ((st[_WC + 2 * k + 1] << sx) >> sx)
                st[_SC + 2] = ((st[_WP + 2 * k] << sx) >> sx)
                st[_SC + 3] = ((st[_WP + 2 * k + 1] << sx) >> sx)
            elif j == 1 or j == 5:
                st[_SC] = ((st[_YC + 2 * k] << sx) >> sx)
                st[_SC + 1] = ((st[_YC + 2 * k + 1] << sx) >> sx)
                st[_SC + 2] = ((st[_YP + 2 * k] << sx) >> sx)
                st[_SC + 3] = ((st[_YP + 2 * k + 1] << sx) >> sx)
            else:
                ar = ((st[_YA + 2 * k] << sx) >> sx)
                ai = ((st[_YA + 2 * k + 1] << sx) >> sx)
                hc = ((tab[t + 7] << sx) >> sx)
                hs = 0 - ((tab[t + 8] << sx) >> sx)
                st[_SC] = ((st[_YC + 2 * k] << sx) >> sx) - ((hc * ar - hs * ai) >> 12)
                st[_SC + 1] = ((st[_YC + 2 * k + 1] << sx) >> sx) - ((hc * ai + hs * ar) >> 12)
                st[_SC + 2] = ar
                st[_SC + 3] = ai
            if j < 2:
                st[_SC + 4] = ((tab[t + 3] << sx) >> sx)
                st[_SC + 5] = ((tab[t + 4] << sx) >> sx)
                st[_SC + 6] = ((tab[t + lim] << sx) >> sx)
                st[_SC + 7] = ((tab[t + lim + 1] << sx) >> sx)
            elif j < 4:
                st[_SC + 4] = ((tab[t + 7] << sx) >> sx)
                st[_SC + 5] = ((tab[t + 8] << sx) >> sx)
                st[_SC + 6] = 0
                st[_SC + 7] = 16384
            else:
                st[_SC + 4] = ((tab[t + 3] << sx) >> sx)
                st[_SC + 5] = ((tab[t + 4] << sx) >> sx)
                st[_SC + 6] = ((tab[t + 11] << sx) >> sx)
                st[_SC + 7] = ((tab[t + 12] << sx) >> sx)
            if int(_angle_vp(st)) == 0:
                if j < 4:
                    return -1
                precise = 0
        if lim == 5:
            return r * 4 + (c - 4) + 16 + precise
        return r * 4 + (c - 4)

    @micropython.viper
    def _long_vp(st: ptr32, tab: ptr32) -> int:
        sx = int(SX32)
        for k in range(8):
            t = k * _TW
            qc = ((tab[t + 13] << sx) >> sx)
            qs = ((tab[t + 14] << sx) >> sx)
            wr = ((st[_WC + 2 * k] << sx) >> sx)
            wi = ((st[_WC + 2 * k + 1] << sx) >> sx)
            lr = (((st[_WPP + 2 * k] << sx) >> sx) + ((wr * qc - wi * qs) >> 12)) >> 6
            li = (((st[_WPP + 2 * k + 1] << sx) >> sx) + ((wr * qs + wi * qc) >> 12)) >> 6
            st[_EL + k] = (lr * lr + li * li) * 2
        r = 0
        for k in range(1, 4):
            if ((st[_EL + k] << sx) >> sx) > ((st[_EL + r] << sx) >> sx):
                r = k
        c = 4
        for k in range(5, 8):
            if ((st[_EL + k] << sx) >> sx) > ((st[_EL + c] << sx) >> sx):
                c = k
        er = ((st[_EL + r] << sx) >> sx)
        ec = ((st[_EL + c] << sx) >> sx)
        if er < _NOISY_LEVEL_MIN or ec < _NOISY_LEVEL_MIN:
            return -1
        tot = (((st[_TP] << sx) >> sx) >> 1) + (((st[_TC] << sx) >> sx) >> 1) \
            + (((st[_T3] << sx) >> sx) >> 1) + (((st[_T4] << sx) >> sx) >> 1)
        m = er
        if ec > m:
            m = ec
        if tot > m:
            m = tot
        sh = 0
        while (m >> sh) >= 8388608:
            sh += 1
        er = er >> sh
        ec = ec >> sh
        tot = tot >> sh
        if ec * 16 > er * _TWIST_HI_Q4 or er * 16 > ec * _NOISY_TWIST_Q4:
            return -1
        if (er + ec) * 64 < tot * _SHARE_X10:
            return -1
        for k in range(4):
            if k != r and (((st[_EL + k] << sx) >> sx) >> sh) * _LONG_REL_PEAK_Q4 > er * 16:
                return -1
        for k in range(4, 8):
            if k != c and (((st[_EL + k] << sx) >> sx) >> sh) * _REL_PEAK_Q4 > ec * 16:
                return -1
        for j in range(2):
            k = r
            if j != 0:
                k = c
            t = k * _TW
            st[_SC] = ((st[_WC + 2 * k] << sx) >> sx)
            st[_SC + 1] = ((st[_WC + 2 * k + 1] << sx) >> sx)
            st[_SC + 2] = ((st[_WPP + 2 * k] << sx) >> sx)
            st[_SC + 3] = ((st[_WPP + 2 * k + 1] << sx) >> sx)
            st[_SC + 4] = ((tab[t + 13] << sx) >> sx)
            st[_SC + 5] = ((tab[t + 14] << sx) >> sx)
            st[_SC + 6] = ((tab[t + 15] << sx) >> sx)
            st[_SC + 7] = ((tab[t + 16] << sx) >> sx)
            if int(_angle_vp(st)) == 0:
                return -1
        return r * 4 + (c - 4)

    @micropython.viper
    def _harm_vp(work: ptr32, tab: ptr32, st: ptr32, h: int):
        sx = int(SX32)
        d = ((tab[h] << sx) >> sx)
        nc = ((tab[h + 1] << sx) >> sx)
        n = nc + ((tab[h + 2] << sx) >> sx)
        ec = 0
        ea = 0
        for p in range(n):
            t = h + 3 + 3 * p
            c = ((tab[t] << sx) >> sx)
            s1 = 0
            s2 = 0
            for i in range(_N):
                s0 = int(work[i]) - 2048 + ((c * s1) >> 12) - s2
                s2 = s1
                s1 = s0
            yr = (s1 - ((((tab[t + 1] << sx) >> sx) * s2) >> 12)) >> 4
            yi = ((((tab[t + 2] << sx) >> sx) * s2) >> 12) >> 4
            e = (yr * yr + yi * yi) >> 2
            if p < nc:
                ec += e
            else:
                ea += e
        st[_HC] = ec
        st[_HA] = ea
        for j in range(2):
            k = d >> 2
            if j != 0:
                k = 4 + (d & 3)
            yr = ((st[_YC + 2 * k] << sx) >> sx) >> 4
            yi = ((st[_YC + 2 * k + 1] << sx) >> sx) >> 4
            st[_HR + j] = (yr * yr + yi * yi) >> 2

    @micropython.viper
    def _silent_vp(buf: ptr16) -> int:
        for i in range(_N):
            if buf[i] != 0:
                return 0
        return 1

    @micropython.viper
    def _txen_vp(inp: ptr16, work: ptr32, tab: ptr32, st: ptr32):
        # the tx block's window energies into _S_TXE, as _goertzel_vp and _window_vp
        # compute _EN (the same operations, so the same values), from its Y and the
        # last tx block's (_S_TXY, then replaced by this block's)
        sx = int(SX32)
        s16 = int(SX16)
        for i in range(_N):
            work[i] = (((inp[i] << s16) >> s16) >> _IN_SHIFT) + 2048
        for k in range(8):
            t = k * _TW
            c = ((tab[t] << sx) >> sx)
            s1 = 0
            s2 = 0
            for i in range(_N):
                s0 = int(work[i]) - 2048 + ((c * s1) >> 12) - s2
                s2 = s1
                s1 = s0
            yr = s1 - ((((tab[t + 1] << sx) >> sx) * s2) >> 12)
            yi = (((tab[t + 2] << sx) >> sx) * s2) >> 12
            pr = ((st[_S_TXY + 2 * k] << sx) >> sx)
            pi = ((st[_S_TXY + 2 * k + 1] << sx) >> sx)
            if k < 4:
                rc = ((tab[t + 3] << sx) >> sx)
                rs = ((tab[t + 4] << sx) >> sx)
                wr = (pr + ((yr * rc - yi * rs) >> 12)) >> 5
                wi = (pi + ((yr * rs + yi * rc) >> 12)) >> 5
                st[_S_TXE + k] = (wr * wr + wi * wi) * 2
            else:
                pr = pr >> 4
                pi = pi >> 4
                cr = yr >> 4
                ci = yi >> 4
                st[_S_TXE + k] = pr * pr + pi * pi + cr * cr + ci * ci
            st[_S_TXY + 2 * k] = yr
            st[_S_TXY + 2 * k + 1] = yi


# The Goertzel kernel's per-block scratch: filled and used within one
# process() call, so the board's receivers (every line's, the extensions')
# share one (they are stepped one after another, never at once).
_WORK = filled("i", _N)

# The kernels and their tables, one tuple shared by every receiver (index _K*): a
# receiver keeps one reference to it, not eight attributes (each a slot of its
# attribute table, 8 bytes on the ESP32).
_KG = const(0)    # goertzel
_KW = const(1)    # window
_KD = const(2)    # decide
_KL = const(3)    # long
_KH = const(4)    # harm
_KS = const(5)    # silent
_KT = const(6)    # the tone table (_TAB; the twins' copy as an array)
_KHT = const(7)   # the harmonic probes' table (_HTAB)
_KX = const(8)    # txen
if VIPER:
    _VP = (_goertzel_vp, _window_vp, _decide_vp, _long_vp, _harm_vp, _silent_vp, _TAB, _HTAB,
           _txen_vp)


class DtmfReceiver:
    """Goertzel DTMF receiver for one line (the file header gives the specification).

    plain=True runs the plain twins of the viper kernels (dtmf_plain.py: the
    tests compare the two); on CPython the twins are always used.
    """

    def __init__(self, plain=False):
        if VIPER and not plain:
            self._k = _VP
        else:
            from rrfw.dsp import dtmf_plain
            self._k = dtmf_plain.KERNELS   # the tables as arrays: the twins index int32 values
        # the kernels' state, then the tracker's and the digit queue's (_S_*): one array
        self._st = filled("i", _S_LEN)
        self._lent = False
        self.reset()

    def lend(self):
        """The state array, for the line's caller-ID decoder while the line is on-hook
        (no digits to hear then; heap: the decoder makes no arrays of its own). Its
        contents are the borrower's until the next reset(): until then the receiver
        hears nothing and holds no digit; process() after a loan starts afresh."""
        self._lent = True
        return self._st

    def reset(self):
        self._lent = False
        st = self._st
        for i in range(_S_LEN):
            st[i] = 0
        st[_S_CAND] = -1
        st[_S_ONSET_OK] = 1
        st[_S_HK] = -1
        self.lost = 0
        self.tone_present = False
        self._t0 = 0           # t_ms of block 0 (blocks are 10 ms apart): may pass 2**31 ms

    # -- per block (allocates nothing) ---------------------------------------------
    def process(self, block, t_ms, tx=None):
        if self._lent:
            self.reset()
        st = self._st
        k = self._k
        b = st[_S_BLK]
        if b == 0:
            self._t0 = t_ms
        elif b >= _REBASE and st[_S_CAND] < 0 and st[_S_Q_LEN] == 0:
            # Times are kept in blocks since _t0; move _t0 up now and then so
            # they stay small ints on the ESP32 (< 2**30) on a line never reset.
            self._t0 += b * _BLOCK_MS
            st[_S_LAST] -= b
            st[_S_ON] -= b
            b = 0
        st[_BI] = b & 7
        k[_KG](block, _WORK, k[_KT], st)
        k[_KW](st, k[_KT])
        d = k[_KD](st, k[_KT])
        if d < 0:
            d = k[_KL](st, k[_KT])
        clean = 0
        if d >= 16:        # +16 clean pair, +32 more: within 1 % of nominal
            clean = 2 if d >= 48 else 1
            d &= 15
        st[_S_CLEAN] = clean
        if d >= 0 and _HIDX[d] != 255:
            # before the tx analysis: it reuses the Goertzel scratch (_WORK)
            k[_KH](_WORK, k[_KHT], st, _HIDX[d])
        if tx is not None:
            self._analyse_tx(tx)
        if d >= 0 and st[_S_TX_LIVE] > 0 and self._is_echo(d):
            d = -1
        self._track(d, b)
        st[_S_BLK] = b + 1

    def _analyse_tx(self, tx):
        st = self._st
        k = self._k
        if k[_KS](tx):
            if st[_S_TX_LIVE] == 0:
                return
            st[_S_TX_LIVE] -= 1   # the echo's tail: the window still holds past tx
        else:
            st[_S_TX_LIVE] = 2
        k[_KX](tx, _WORK, k[_KT], st)

    def _is_echo(self, d):
        r = d >> 2
        c = 4 + (d & 3)
        st = self._st
        return st[_EN + r] < st[_S_TXE + r] or st[_EN + c] < st[_S_TXE + c]

    # -- timing ---------------------------------------------------------------------
    # Timeline of a 40 ms key starting 5 ms into block 0 (| = block edges, 10 ms):
    #   blocks   | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 |
    #   tone        ¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯           (5 ms + 3 full + 5 ms)
    #   hit at b uses blocks b-2..b:  b=2 (edge), b=3 (steady: 1,2,3 full), b=4 (edge)
    #   misses at 5, 6, 7 -> closed at 7; start = 0 + 5 ms (block 0 half full),
    #   end = block 4 + 5 ms; reported at block 7 (30 ms after the key ends).
    def _amp(self, j, d):
        a = _RING + (j & 7) * 8
        return self._st[a + (d >> 2)] + self._st[a + 4 + (d & 3)]

    def _steady(self, d, b):
        # 1 when blocks b-2..b each hold at least 3/4 of the largest block
        # amplitude of d's stronger tone (the weaker one's block amplitude
        # wobbles with the stronger one's leakage, up to +-26 % at 8 dB twist)
        if b < 2:
            return 0
        st = self._st
        r = d >> 2
        c = 4 + (d & 3)
        sr = 0
        sc = 0
        for j in range(b - 2, b + 1):
            a = _RING + (j & 7) * 8
            sr += st[a + r]
            sc += st[a + c]
        k = r if sr >= sc else c
        m = 0
        for j in range(b - 2, b + 1):
            v = st[_RING + (j & 7) * 8 + k]
            if v > m:
                m = v
        for j in range(b - 2, b + 1):
            if st[_RING + (j & 7) * 8 + k] * 256 < m * _STEADY_Q8:
                return 0
        st[_S_REF_K] = k       # the tone and block amplitude that say "still sounding"
        st[_S_REF_AMP] = m
        return 1

    def _quiet(self, b):
        # 1 when the candidate's stronger tone has < 20 % of its steady amplitude in block b
        st = self._st
        if st[_S_STEADY_HITS] == 0:
            return 0
        v = st[_RING + (b & 7) * 8 + st[_S_REF_K]]
        return 1 if v * 256 < st[_S_REF_AMP] * _EDGE_Q8 else 0

    def _sounding(self, b):
        # 1 when the candidate's stronger tone still has >= 60 % of its steady amplitude
        st = self._st
        if st[_S_STEADY_HITS] == 0:
            return 0
        v = st[_RING + (b & 7) * 8 + st[_S_REF_K]]
        return 1 if v * 256 >= st[_S_REF_AMP] * _HOLD_Q8 else 0

    def _track(self, d, b):
        st = self._st
        cand = st[_S_CAND]
        if cand >= 0:
            if self._quiet(b):
                # The key's tone is gone from this block: count it. The first quiet
                # block's hit still counts (its window holds the key's last block);
                # later ones do not (a window holding the last millisecond or two of
                # the key can pass every check, and would bridge the pause).
                if st[_S_GAP] < _GAP_BLOCKS:
                    st[_S_GAP] += 1
                if st[_S_GAP] > 1 and d == cand:
                    d = -1
            elif st[_S_GAP] < _GAP_BLOCKS:
                st[_S_GAP] = 0
            elif d == cand:
                # A real pause lay between this hit and the last: the same key again.
                self._close(b)
                self._open(d, b)
                return
            if d == cand:
                self._hit(d, b)
                return
            if st[_S_GAP] < _GAP_BLOCKS and st[_S_HELD] < _HOLD_MAX and self._sounding(b):
                # The key's tone is still there, but this block failed a check
                # (speech or noise over it): hold the digit instead of ending it.
                # (Not after a pause: the tone that is back is the next key's.)
                st[_S_HELD] += 1
                st[_S_ON] = b
                return
            st[_S_MISSES] += 1
            if d < 0 and st[_S_MISSES] < _END_MISSES:
                return
            self._close(b)
        if d >= 0:
            self._open(d, b)

    def _hit(self, d, b):
        st = self._st
        clean = st[_S_CLEAN]
        if not clean:
            st[_S_ALL_CLEAN] = 0
        st[_S_HITS] += 1
        if clean:
            st[_S_CLEAN_ANY] += 1
        st[_S_LAST] = b
        st[_S_ON] = b
        st[_S_MISSES] = 0
        st[_S_HELD] = 0
        if st[_S_HK] >= 0:
            st[_S_H_IN] += st[_HC]
            st[_S_H_HALF] += st[_HA]
            st[_S_H_ROW] += st[_HR]
            st[_S_H_COL] += st[_HK]
            if (st[_S_H_IN] > _HARM_CAP or st[_S_H_HALF] > _HARM_CAP or st[_S_H_ROW] > _HARM_CAP
                    or st[_S_H_COL] > _HARM_CAP):
                st[_S_H_IN] >>= 1
                st[_S_H_HALF] >>= 1
                st[_S_H_ROW] >>= 1
                st[_S_H_COL] >>= 1
        if self._steady(d, b):
            st[_S_STEADY_HITS] += 1
            if clean:
                st[_S_CLEAN_HITS] += 1
                if clean == 2:
                    st[_S_PRECISE_HITS] += 1
        if self._confirmed():
            self.tone_present = True

    def _confirmed(self):
        # enough evidence for a key: one steady hit of a clean pair within 1 %
        # of nominal; or two clean ones (within the standard 2.5 %), or one
        # steady clean hit and another clean one; or, under speech or noise,
        # _MIN_NOISY steady hits or _MIN_HITS hits of any kind
        st = self._st
        return (st[_S_PRECISE_HITS] > 0 or st[_S_CLEAN_HITS] >= 2
                or (st[_S_CLEAN_HITS] > 0 and st[_S_CLEAN_ANY] >= 2)
                or st[_S_STEADY_HITS] >= _MIN_NOISY or st[_S_HITS] >= _MIN_HITS)

    def _full(self, b, d):
        # the largest amplitude of blocks b-2..b: a block wholly inside the tone
        full = 0
        for j in range(b - 2, b + 1):
            if j >= 0:
                v = self._amp(j, d)
                if v > full:
                    full = v
        return full

    def _open(self, d, b):
        st = self._st
        st[_S_CAND] = d
        st[_S_GAP] = 0
        st[_S_STEADY_HITS] = 0
        st[_S_CLEAN_HITS] = 0
        st[_S_PRECISE_HITS] = 0
        st[_S_CLEAN_ANY] = 0
        st[_S_HITS] = 0
        st[_S_ALL_CLEAN] = 1
        st[_S_HK] = -1 if _HIDX[d] == 255 else _HIDX[d]
        st[_S_H_IN] = 0
        st[_S_H_HALF] = 0
        st[_S_H_ROW] = 0
        st[_S_H_COL] = 0
        self._hit(d, b)
        # The hit used blocks b-2..b: the tone begins in one of b-3..b. Take the
        # first block at least 20 % full, and place the start inside it.
        full = self._full(b, d)
        j = b - 3
        if j < 0:
            j = 0
        frac = 256
        while j <= b:
            v = self._amp(j, d)
            if full > 0 and v * 256 >= full * _EDGE_Q8:
                frac = (v * 256) // full
                if frac > 256:
                    frac = 256
                break
            j += 1
        st[_S_START] = j * 100 + ((256 - frac) * 100) // 256
        st[_S_ONSET_OK] = 1 if j < 1 else self._together(d, b, j - 1)

    def _together(self, d, b, p):
        # 0 when one of d's tones was already sounding in block p (just before the
        # start) and the other was not (see _ONSET_HI_Q8); p is within the ring
        st = self._st
        r = d >> 2
        c = 4 + (d & 3)
        fr = 0
        fc = 0
        for i in range(b - 2, b + 1):
            if i >= 0:
                a = _RING + (i & 7) * 8
                if st[a + r] > fr:
                    fr = st[a + r]
                if st[a + c] > fc:
                    fc = st[a + c]
        a = _RING + (p & 7) * 8
        pr = st[a + r] * 256
        pc = st[a + c] * 256
        if pr >= fr * _ONSET_HI_Q8 and pc < fc * _ONSET_LO_Q8:
            return 0
        if pc >= fc * _ONSET_HI_Q8 and pr < fr * _ONSET_LO_Q8:
            return 0
        return 1

    def _harmonic(self):
        # 1 when the candidate's hits held a harmonic series of the f0 its pair implies
        st = self._st
        weak = st[_S_H_ROW] if st[_S_H_ROW] < st[_S_H_COL] else st[_S_H_COL]
        hi = st[_S_H_IN]
        return hi >= weak * _HARM_WEAK and hi // _HARM_ANTI >= st[_S_H_HALF] and hi > 0

    def _close(self, b):
        st = self._st
        d = st[_S_CAND]
        st[_S_CAND] = -1
        self.tone_present = False
        last = st[_S_ON]
        # The tone ends in one of last-2..last+1 (block last+1 has been seen when b > last):
        # take the last block at least 20 % full and place the end inside it.
        full = self._full(last, d)
        end = (last + 1) * 100
        j = last + 1 if b > last else last
        while j >= last - 2 and j >= 0:
            v = self._amp(j, d)
            if full > 0 and v * 256 >= full * _EDGE_Q8:
                frac = (v * 256) // full
                if frac > 256:
                    frac = 256
                end = j * 100 + (frac * 100) // 256
                break
            j -= 1
        if not self._confirmed():
            return
        if st[_S_ALL_CLEAN] and not st[_S_ONSET_OK]:
            return      # a chord, not a key (see _ONSET_HI_Q8)
        if st[_S_HK] >= 0 and self._harmonic():
            return      # a vowel's harmonics, not a key (see _HARM_WEAK)
        if end - st[_S_START] < _MIN_TONE_MS * 10:
            return
        if st[_S_Q_LEN] >= _QUEUE:
            self.lost += 1
            return
        i = (st[_S_Q_HEAD] + st[_S_Q_LEN]) % _QUEUE
        st[_S_Q_DIG + i] = d
        st[_S_Q_START + i] = st[_S_START]
        st[_S_Q_END + i] = end
        st[_S_Q_LEN] += 1

    # -- output -----------------------------------------------------------------------
    def pop(self):
        """The next digit as {"event": "digit", "digit", "start_ms", "end_ms"}, or None."""
        st = self._st
        if self._lent or st[_S_Q_LEN] == 0:
            return None
        i = st[_S_Q_HEAD]
        st[_S_Q_HEAD] = (i + 1) % _QUEUE
        st[_S_Q_LEN] -= 1
        return {"event": "digit", "digit": DIGITS[st[_S_Q_DIG + i]],
                "start_ms": self._t0 + st[_S_Q_START + i] / 10.0,
                "end_ms": self._t0 + st[_S_Q_END + i] / 10.0}

    def finish(self, t_ms):
        """End of the recording: a digit still sounding ends here."""
        if self._lent:
            return
        st = self._st
        if st[_S_CAND] >= 0:
            self._close(st[_S_BLK])
