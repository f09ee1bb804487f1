# Caller ID receiver for a line that is on-hook (ringing or between rings).
#
# Decodes, from the codec's 10 ms blocks (80 samples at 8 kHz):
#  - Bell 202 FSK (mark 1200 Hz, space 2200 Hz, 1200 bit/s), SDMF (type 0x04)
#    and MDMF (type 0x80) messages, Telcordia GR-30-CORE;
#  - ETSI V.23 FSK (mark 1300 Hz, space 2100 Hz, 1200 bit/s), call set-up
#    messages (type 0x80, and the SDMF form some networks use), ETSI EN 300
#    659-1/-2 (timing, levels), EN 300 659-3 (parameters), BT SIN 227/242;
#  - NTT (Japan) frames on V.23 tones, read off-hook after the CAR handshake
#    (line/car.py): DLE framing, 7 bits + even parity, CRC-16 (see _DLE);
#  - DTMF-based CLIP (EN 300 659-1 DTMF annex and its national forms, listed
#    at _CLIP_ABSENT: A<number>C, A<number>#, D<number>C, <number># without a start
#    code, B00C/B10C and the other absence codes).
#
# How: a cheap energy gate per block (sum |x|) keeps the cost near zero while
# the line is quiet. While it is open:
#  FSK: 1000..2400 Hz band-pass, then two quadrature correlators over a bit (8 samples;
#  the stronger tone's 7 under twist, see _WIN) at 1250 and 2150 Hz (the midpoints of the Bell and V.23 pairs: 50 Hz of detune
#  costs <1 % over 0.875 ms), decision = mark energy - space energy per
#  sample, then an asynchronous (UART) receiver that resynchronises on every
#  start bit (its zero crossing interpolated to 1/3 sample; a byte straight
#  after another moves the clock carried from it only half-way, see _CLK_HOLD),
#  in 1/3-sample time units (one bit = 20/3 samples, corrected by the baud
#  measured on the seizure, see _BX_MAX), deciding each bit on three
#  consecutive decision samples weighted 1/4, 1/2, 1/4; the decision is
#  equalised for the twist measured on the channel seizure and the first
#  sample point moved by what twist remains (see _TWIST_MAX). Inside a message one
#  stop bit read as space is a bit error, not a lost frame (see _FLY_MAX).
#  Which standard it was is measured on the mark signal: 160-sample DFT bins
#  at exactly 1200 and 1300 Hz are orthogonal, so each 20 ms of mark votes.
#  DTMF: eight phase-continuous correlators per block; a 160-sample (20 ms)
#  window made of the last two blocks is judged every 10 ms.
# Messages are accepted only after >= 40 bits of mark (EN 300 659-1 allows
# 55..90 in BT's variant, GR-30 gives 180), with a good checksum, consistent
# parameter lengths, printable numbers and dates, and at least one caller-ID
# parameter. With diagnostics=True, failed messages that followed a channel
# seizure come out as {"event": "callerid_error", "error": "checksum" |
# "format" | "broken", ...} (for the host's line diagnostics only).
#
# Events (pop()): {"event": "callerid", "standard": "bell202"|"v23"|"ntt"|"dtmf",
#   "number": str or None, "name": str or None, "datetime": "MMDDHHMM" or None,
#   "reason": None | "withheld" | "unavailable" | "absent", "name_reason": ...,
#   "start_ms": int, "end_ms": int}
# reason: 'P' (private) -> "withheld", 'O' (out of area/unavailable) ->
# "unavailable", a message without a number and without a reason -> "absent".
#
# Sample loops are viper on MicroPython with plain twins (callerid_plain.py)
# on CPython (the convention: rrfw/compat.py); viper ints are 32-bit on the
# ESP32, so every intermediate stays below 2**31 (tests check the twins with
# check32_plain). ptr32 loads zero-extend on the 64-bit unix port, so signed
# state is stored with a +2**29 bias.
# The per-block path allocates nothing (tested with heap_lock on the unix port).
from array import array

from rrfw.compat import VIPER, SX16, filled
from rrfw.dsp import tonetab

_BLOCK = const(80)            # samples per 10 ms block (the firmware's one clock)
_BIAS = const(536870912)      # 2**29: bias for signed values kept in int32 arrays

# --- energy gate -----------------------------------------------------------
# sum |x| over one block of a -50 dBm0 sine: 80 * (2/pi) * 22760 * 10**(-50/20)
# (0 dBm0 peak 22760, ringroute.audio.DBM0_PEAK). 10 dB below the weakest
# level we promise (-40 dBm0), so the gate never clips the start of a burst.
_GATE_SUMABS = const(3666)    # sum of |sample| per block, -50 dBm0
_GATE_HANG = const(3)         # blocks below the gate before it closes (30 ms)

# --- FSK ---------------------------------------------------------------------
# Phase increments of 16-bit oscillators: f / 8000 * 65536.
_INC_MARK = const(10240)      # 1250 Hz: between Bell 1200 (GR-30) and V.23 1300 (V.23 / EN 300 659-1)
_INC_SPACE = const(17613)     # 2150 Hz: between V.23 2100 and Bell 2200
_WIN = const(8)               # correlator length, samples: one bit is 8000/1200 = 6.67 samples;
                              # 8 beat 7 on the bench (noise 10 dB SNR, twist +-6 dB)
# ...for both tones. Under twist the stronger tone's correlator is one bit (7 samples)
# long instead (_S_SHT, set with the equaliser from the seizure): its 8th sample holds
# the neighbouring bit, and a strong mark stop bit or data bit next to a weak space bit
# leaked enough into that bit's decision to flip it. Bench, V.23 at 10 dB SNR, seeds
# 1717, 99 (CPython twins): +6 dB 379 -> 393 / 400, -6 dB 398 -> 399; the weaker tone
# shortened instead: -6 dB 392 (worse); the stronger one 6 samples: +6 dB, seed 1717 196
# (7 samples 198).
_CORR_SHIFT = const(11)       # window sums (|.| <= 8*32767*127 < 2**25) >> 11 so squares fit 2**31
# Band-pass in front of the correlators: first-order Butterworth band-pass
# 1000..2400 Hz (one biquad, b = g (1, 0, -1), a = (1, a1, a2)), Q12 coefficients
# from scipy.signal.butter(1, [1000/4000, 2400/4000], 'bandpass'). It holds both
# tone pairs (1200/2200, 1300/2100 Hz) within 1.5 dB of each other, blocks DC
# and ring residue, and takes ~3 dB of white noise off the decision.
_BP_B0 = const(1556)          # 0.37996 * 4096
_BP_A1 = const(-1391)         # -0.33952 * 4096
_BP_A2 = const(983)           # 0.24008 * 4096
# UART timing in thirds of a sample: one bit = 20/3 samples = 20 units, one sample = 3.
_BIT_T3 = const(20)
# First sample point after the start edge, in thirds: 3 (crossing fraction) + 9
# puts the 3-sample decision on the start bit's centre as the 8-sample
# correlator sees it (bench: best with no twist), plus the twist correction.
_HALF_T3 = const(9)
# Bytes sent back to back: the clock of the byte before runs on through its stop
# bit and predicts the next start bit; a start edge found within _CLK_WIN of that
# moves the clock half-way, by at most _CLK_HOLD (half-way: bench seeds 1717, 99,
# +6 dB 375 -> 379, -6 dB 394 -> 398 / 400). A single edge of the weaker tone is noisy
# under twist (bench twist table, seed 1717: true edges instead of found ones turn
# +6 dB from 173 to 189 / 200), and the clock it replaces drifts at most 2 thirds
# per 10-bit byte (V.23 / GR-30-CORE: 1200 baud +-1 %).
_CLK_HOLD = const(3)          # thirds of a sample: the 2 of drift + 1 of rounding
_CLK_WIN = const(12)          # thirds: under a bit (20), so a byte after a gap of mark sets its own clock
_CLK_NONE = const(-30000)     # the counter's value when no byte came just before
# The bit clock's rate: the seizure's bytes come back to back, so the mean of
# (found - predicted) start edges over them is the drift per byte, 10 bits of
# the baud error (bench twist table, seed 1717, the true baud instead of
# 1200: +6 dB 180 -> 186 / 200). Bounded at 2.5 %: the standards allow 1 %.
_BX_MAX = const(128)          # 256ths of a third per bit: 0.5 third = 2.5 % of a bit
_BX_MIN_EDGES = const(8)      # seizure bytes needed to measure the rate
# Twist (ANSI/TIA/EIA-716: -6..+10 dB, ES 200 778-1: +-6 dB) stretches the
# stronger tone's bits in the decision: mark->space crossings come late by
# delta, space->mark early by delta, so the start edge (mark->space) sets the
# clock late. The seizure (0101...) shows 2 delta directly: the share of
# mark decisions is 1/2 + 2 delta / bit. Correction (thirds) = (share - 1/2) * 20.
# Before that, the twist equaliser: the seizure's mark and space energies give
# the twist, and the stronger tone's energy is scaled down by part of it (see _EQ_MAX) in
# every decision, so the weaker tone is not lost under the stronger one's noise and
# sidelobes (bench twist table, V.23 at 10 dB SNR: +6 dB twist 77.5 -> 86.5 %, -6 dB
# 91.5 -> 95 % exact, with the 1/4-1/2-1/4 decision below); the timing
# correction is then measured on the equalised decision.
_TWIST_MAX = const(6)         # thirds of a sample (2 samples): about +-10 dB of twist
_EQ_MAX = const(14)           # 16ths: the twist measured is taken as 14/16 (9 dB) at most
                              # (TIA-716 lets Bell 202 twist reach +10 dB); the equaliser scales a
                              # stronger mark by 3/4 of it, a stronger space by half (see _fsk)
_MIN_MARK = const(267)        # samples of mark before a message: 40 bits (BT SIN 227 sends 55..90,
                              # GR-30-CORE 180 +- 25, 80 for CIDCW)
_MAX_GAP = const(400)         # samples (60 bits) of mark allowed between two bytes of a message;
                              # GR-30-CORE and EN 300 659-1 send bytes back to back or with short mark
_FRAMING = const(256)         # flag in the byte output: stop bit was 0
# Inside a message (after its type byte) a stop bit read as space is taken as one bit
# error, not the end of the message: the byte is kept (the checksum judges it) and the
# next byte starts one bit on, on the carried clock (_S_FLY), as the bytes come back
# to back. Under +6 dB twist at 10 dB SNR half the lost messages were lost so (the
# stop bit is a lone mark between bit 7 and the next start bit: the bench twist
# table's failures, seeds 1717, 77, 99, 5, 11, 12, 21, 22, traced bit by bit, 11 of 22).
# One a message: a second one is a message out of step, "broken" as before.
_FLY_MAX = const(1)

# FSK state slots (int32 array)
_S_PM = const(0)
_S_PS = const(1)
_S_XP = const(2)
_S_YP = const(3)
_S_RI = const(4)
_S_MI = const(5)
_S_MQ = const(6)
_S_SI = const(7)
_S_SQ = const(8)
_S_UART = const(9)
_S_CNT = const(10)
_S_BIT = const(11)
_S_BYTE = const(12)
_S_RUN = const(13)
_S_PREV = const(14)
_S_LAST = const(15)
_S_DP = const(16)    # previous decision value (biased)
_S_DPP = const(17)
_S_X2 = const(18)     # band-pass input two samples back (biased)
_S_Y2 = const(19)     # band-pass output two samples back (biased)
_S_NPOS = const(20)  # mark decisions in the last block
_S_OFF = const(21)   # 8 - twist correction of the first sample point (thirds)
_S_AM = const(22)   # attenuation of the mark energy in the decision, 16ths (twist equaliser)
_S_AS = const(23)   # the same for the space energy
_S_EM = const(24)   # sum of mark energies >> 8 in the last block
_S_ES = const(25)   # sum of space energies >> 8 in the last block
_S_FR = const(26)   # fraction of a third the bit clock carries (256ths)
_S_BX = const(27)   # bit length - 20 thirds, in 256ths of a third (biased): the baud measured on the seizure
_S_DSUM = const(28) # sum of (found - predicted) start edges in the last block, thirds (biased)
_S_DN = const(29)   # how many start edges that sum holds
_S_SHT = const(30)  # which correlator is one bit (7 samples) long: 0 neither, 1 mark, 2 space
_S_FLY = const(31)  # stop bits read as space this message may still lose (see _FLY_MAX): the next
                    # byte then starts one bit on; 0 outside a message (every way back to _M_HUNT
                    # clears it, inline: a method more on the class cost ~150 instructions a block)
_S_LEN = const(32)
# The decoder's own scalars follow in the same array (the kernel reads only
# 0.._S_LEN; _fsk_reset clears only those): one object instead of 24 attributes.
# All stay small: states, flags (0/1), counts bounded by the code that keeps them
# (_C_NPOS* and _C_NSEIZ by the 40-block seizure, _C_DCOUNT by 1000, _C_JCRC 16 bits).
_C_OPEN = const(32)      # the energy gate is open
_C_QUIET = const(33)     # blocks below the gate since it was last above
_C_MSTATE = const(34)    # FSK message assembly state (_M_*)
_C_VOTES = const(35)     # 1300 Hz minus 1200 Hz mark votes (-100..100)
_C_DCAND = const(36)     # DTMF: the window's digit, its run of windows, the digit reported
_C_DCOUNT = const(37)
_C_DLATCH = const(38)
_C_CLIP_N = const(39)    # bytes of the DTMF CLIP string so far
_C_MLEN = const(40)      # FSK message: bytes so far, their sum, the length it must reach
_C_MSUM = const(41)
_C_MTOTAL = const(42)
_C_MSEIZED = const(43)   # the message followed a channel seizure
_C_JPOS = const(44)      # NTT frame: position (see _ntt_byte), CRC, a DLE pending
_C_JCRC = const(45)
_C_JDLE = const(46)
_C_DSUM = const(47)      # seizure: start-edge drift sum and count (see _BX_MAX),
_C_DN = const(48)
_C_NPOS = const(49)      # mark decisions and samples (see _TWIST_MAX),
_C_NSEIZ = const(50)     # samples of seizure bytes seen
_C_NPOSN = const(51)
_C_DIAG = const(52)      # the constructor's diagnostics, 0/1
_C_FSK_ON = const(53)    # FSK / DTMF decoding on (from the standard asked for)
_C_DTMF_ON = const(54)
_C_QMAX = const(55)      # events kept for pop()
# Times, in ms since the decoder's base _t0 (an attribute: t_ms may pass an int32's
# range on a line up for weeks; moved up at a burst's start, see _REBASE_MS), and the
# seizure's byte count (kept <= 1000) and the public counters (< 2**31: one a message).
_C_SEIZE = const(56)     # the seizure's start and its last byte's time
_C_SEIZE_END = const(57)
_C_CLIP = const(58)      # the CLIP string's start and its last digit's end
_C_CLIP_LAST = const(59)
_C_MSTART = const(60)    # the FSK message's start (its mark signal's)
_C_SEIZE_N = const(61)   # seizure bytes in a row
_C_DROPPED = const(62)   # .dropped, .rejected
_C_REJECTED = const(63)
_C_LEN = const(64)
_REBASE_MS = const(536870912)   # 2**29 ms (6.2 days): relative times stay far inside int32
_LONG_AGO = const(-536870912)   # a time moved below this by a rebase is only "long ago"

# Message types (GR-30-CORE, EN 300 659-3): caller ID ones produce events,
# the others are checked and skipped.
_T_SDMF = const(0x04)
_T_MDMF = const(0x80)
_TYPES_OTHER = (0x06, 0x82, 0x86, 0x89)   # MWI (GR-30, EN 300 659-3), AoC, SMS

# NTT (Japan, "Number Display") frames, after NTT's technical reference for the
# analogue interface ("電話サービスのインタフェース", as summarised by Dialogic's
# NaturalAccess CAS manual, NTT parameter table) and spandsp 0.0.6's JCLIP
# (adsi.h / adsi.c, read for the layout only): V.23 tones, 7 data bits with even
# parity in bit 8, sent off-hook after the CAR handshake; no channel seizure.
#   DLE SOH <header> DLE STX <type 0x40> <length> <parameters> DLE ETX <CRC lo> <CRC hi>
# The parameters are MDMF-like (0x02 number, 0x04 reason for absence: P, O,
# C = public phone, S = service conflict; 0x09 called number, 0x21 number
# type: skipped). CRC: ITU-T V.41 polynomial, reflected, initial value 0, over
# the bytes as sent (parity included) from <header> to ETX; a frame whose
# CRC bytes are included gives 0. A DLE inside the data may come doubled (the
# DLE transparency rule): the pair is one data byte; a single one is taken as data.
_DLE = const(0x10)
_SOH = const(0x01)
_STX = const(0x02)
_ETX = const(0x03)
_T_NTT = const(0x40)          # call information (calling number, reason for absence)
_CRC_POLY = const(0x8408)     # x^16 + x^12 + x^5 + 1, bit-reversed (ITU-T V.41)
# frame positions (_ntt_byte): 1 SOH, 2 header, 3 DLE, 4 STX, 5 type, 6 length,
# 7 data, 8 DLE, 9 ETX, 10 CRC lo, 11 CRC hi

# Standard identification: 80-sample DFT bins, f / 8000 * 65536.
_INC_1200 = const(9830)
_INC_1300 = const(10650)

# --- DTMF (ITU-T Q.23 frequencies) ---------------------------------------------
_DTMF_FREQS = (697, 770, 852, 941, 1209, 1336, 1477, 1633)
_DTMF_KEYS = b"123A456B789C*0#D"  # bytes: indexing gives an int, no allocation
_TONE_SLOTS = const(7)        # per tone: inc, phase, I, Q, (unused), (unused), energy
# A pure tone's window energy is 0.3075 x the window's total energy (scales of
# _tones_block); we require the two tones to hold >= 61 % of that.
_DTMF_MIN_E = const(1500)     # tone energy units: about a -42 dBm0 tone over 20 ms
_DTMF_ON = const(2)           # windows (10 ms apart, 20 ms long) that must agree: 30 ms of tone
_CLIP_TIMEOUT = const(400)    # ms without a digit that abandons a DTMF CLIP string
_CLIP_MAX = const(40)         # digits kept
_CLIP_BARE_MIN = const(6)     # digits of a number sent without a start code (Danish / Dutch
                              # national numbers are 8..10 digits); fewer are keys, not a CLIP
# The DTMF CLIP forms networks send (EN 300 659-1 Annex B and its national variants;
# sources: spandsp 0.0.6 adsi.h's survey of the variants, Telia's CLIP description
# (LTH EIT course notes), the TeleDanmark CLIP spec (as reproduced on tucops.com),
# the Teltone TLE-A line-simulator manual's national defaults):
#   A<number>[D<redirecting>][B<info>]C  ETSI: Belgium, Brazil, Denmark, Finland, Iceland,
#                                        India, Netherlands, Saudi Arabia, Sweden, Uruguay
#   B<info>C                             no number; info 10 = presentation restricted
#                                        (withheld), 00 = not available; any other
#                                        info code without a number: not available
#   A<number>#                           TeleDanmark
#   D1# / D2# / D3#                      TeleDanmark: restricted (withheld) / international /
#                                        technical reasons (both "unavailable")
#   D<number>C                           Taiwan, Kuwait
#   <number># or <number>C               no start code: Denmark, Netherlands
#   an all-zero number (D0000000000C)    Netherlands: caller unknown -> "unavailable"
# _CLIP_ABSENT: the absence codes, (lead, body, terminator or 0 for either) -> reason.
_CLIP_ABSENT = (("D", "1", 0x23, "withheld"), ("D", "2", 0x23, "unavailable"),
                ("D", "3", 0x23, "unavailable"), ("B", "10", 0, "withheld"),
                ("B", "00", 0, "unavailable"))
_CLIP_BARE = const(0x2D)      # lead byte kept for a string that came without a start code

# ---------------------------------------------------------------------------
# A 256-entry cosine table, 128 + round(127 cos), uint8: generated bytes (tonetab.py,
# in flash when frozen; indexing gives the int on every engine).
_COS = tonetab.COS256

# The viper kernels (the board); their plain twins are in callerid_plain.py.
if VIPER:
    import micropython

    @micropython.viper
    def _sumabs_vp(x) -> int:
        s16 = int(SX16)
        p = ptr16(x)
        s = 0
        i = 0
        while i < 80:
            v = (p[i] << s16) >> s16
            if v < 0:
                v = 0 - v
            s += v
            i += 1
        return s

    @micropython.viper
    def _fsk_block_vp(st, ring, x, out) -> int:
        s16 = int(SX16)
        S = ptr32(st)
        R = ptr32(ring)
        X = ptr16(x)
        O = ptr32(out)
        T = ptr8(_COS)
        pm = int(S[0])
        ps = int(S[1])
        xp = int(S[2]) - 536870912
        yp = int(S[3]) - 536870912
        ri = int(S[4])
        smi = int(S[5]) - 536870912
        smq = int(S[6]) - 536870912
        ssi = int(S[7]) - 536870912
        ssq = int(S[8]) - 536870912
        uart = int(S[9])
        cnt = int(S[10])
        bit = int(S[11])
        byte = int(S[12])
        run = int(S[13])
        prev = int(S[14])
        last = int(S[15])
        dp = int(S[16]) - 536870912
        dpp = int(S[17]) - 536870912
        xx2 = int(S[18]) - 536870912
        yy2 = int(S[19]) - 536870912
        off = int(S[21]) - 8
        am = int(S[22])
        ase = int(S[23])
        fr = int(S[26])
        bx = int(S[27]) - 536870912
        sht = int(S[30])
        dsum = 0
        dn = 0
        sem = 0
        ses = 0
        npos = 0
        nout = 0
        i = 0
        while i < 80:
            v = (X[i] << s16) >> s16
            # band-pass biquad (Q12): y = (b0 (x - x2) - a1 y1 - a2 y2) / 4096
            y = (1556 * (v - xx2) + 1391 * yp - 983 * yy2) >> 12
            xx2 = xp
            xp = v
            yy2 = yp
            if y > 32767:
                y = 32767
            elif y < -32767:
                y = -32767
            yp = y
            pm = (pm + 10240) & 0xFFFF
            ps = (ps + 17613) & 0xFFFF
            a = pm >> 8
            b = ps >> 8
            p0 = y * (int(T[a]) - 128)
            p1 = y * (int(T[(a + 192) & 255]) - 128)
            p2 = y * (int(T[b]) - 128)
            p3 = y * (int(T[(b + 192) & 255]) - 128)
            k = ri * 4
            smi += p0 - (int(R[k]) - 536870912)
            R[k] = p0 + 536870912
            smq += p1 - (int(R[k + 1]) - 536870912)
            R[k + 1] = p1 + 536870912
            ssi += p2 - (int(R[k + 2]) - 536870912)
            R[k + 2] = p2 + 536870912
            ssq += p3 - (int(R[k + 3]) - 536870912)
            R[k + 3] = p3 + 536870912
            ri += 1
            if ri == 8:
                ri = 0
            # the stronger tone over one bit (7 samples): the oldest product, in
            # the slot ri now points at, taken off (see _S_SHT)
            u = smi
            w = smq
            if sht == 1:
                k = ri * 4
                u -= int(R[k]) - 536870912
                w -= int(R[k + 1]) - 536870912
            u >>= 11
            w >>= 11
            em = u * u + w * w
            u = ssi
            w = ssq
            if sht == 2:
                k = ri * 4
                u -= int(R[k + 2]) - 536870912
                w -= int(R[k + 3]) - 536870912
            u >>= 11
            w >>= 11
            es = u * u + w * w
            d = em - es - (em >> 4) * am + (es >> 4) * ase
            sem += em >> 8
            ses += es >> 8
            if d > 0:
                npos += 1
            if uart == 0:
                if cnt > -30000:     # _CLK_NONE: the last byte's clock runs on
                    cnt -= 3
                if d > 0:
                    if run < 30000:
                        run += 1
                    prev = 1
                else:
                    if prev:
                        uart = 1
                        q = 0
                        den = (dp - d) >> 2
                        u = dp >> 2
                        if 6 * u >= den:
                            q = 1
                        if 2 * u >= den:
                            q = 2
                        if 6 * u >= 5 * den:
                            q = 3
                        u = 9 + q + off     # _HALF_T3 + crossing + twist correction
                        if u - 12 <= cnt and cnt <= u + 12:   # _CLK_WIN
                            h = u - cnt                       # half-way, rounded
                            if h >= 0:
                                u = cnt + ((h + 1) >> 1)
                            else:
                                u = cnt - ((1 - h) >> 1)
                            if u > cnt + 3:                   # _CLK_HOLD
                                u = cnt + 3
                            elif u < cnt - 3:
                                u = cnt - 3
                            dsum += u - cnt
                            dn += 1
                        cnt = u
                        bit = 0
                        byte = 0
                    prev = 0
            else:
                cnt -= 3
                if cnt <= 0:
                    fr += bx             # the rate correction, 256ths of a third per bit
                    cnt += 20 + (fr >> 8)
                    fr = fr & 255
                    d3 = (d >> 2) + (dp >> 1) + (dpp >> 2)
                    if bit == 0:
                        if d3 > 0:
                            uart = 0
                            prev = 1
                            cnt = -30000     # _CLK_NONE
                        else:
                            last = run
                            run = 0
                            bit = 1
                    elif bit < 9:
                        if d3 > 0:
                            byte |= 1 << (bit - 1)
                        bit += 1
                    else:
                        if nout < 3:
                            if d3 > 0:
                                O[nout * 3] = byte
                            else:
                                O[nout * 3] = byte | 256
                            O[nout * 3 + 1] = last
                            O[nout * 3 + 2] = i
                            nout += 1
                        if d3 <= 0 and int(S[31]):
                            bit = 0          # the next start bit one bit on (see _S_FLY)
                            byte = 0
                        else:
                            uart = 0
                            if d3 > 0:
                                prev = 1
                            else:
                                prev = 0
            dpp = dp
            dp = d
            i += 1
        S[0] = pm
        S[1] = ps
        S[2] = xp + 536870912
        S[3] = yp + 536870912
        S[4] = ri
        S[5] = smi + 536870912
        S[6] = smq + 536870912
        S[7] = ssi + 536870912
        S[8] = ssq + 536870912
        S[9] = uart
        S[10] = cnt
        S[11] = bit
        S[12] = byte
        S[13] = run
        S[14] = prev
        S[15] = last
        S[16] = dp + 536870912
        S[17] = dpp + 536870912
        S[18] = xx2 + 536870912
        S[19] = yy2 + 536870912
        S[20] = npos
        S[24] = sem
        S[25] = ses
        S[26] = fr
        S[28] = dsum + 536870912
        S[29] = dn
        return nout

    @micropython.viper
    def _tones_block_vp(x, tst, n: int) -> int:
        s16 = int(SX16)
        X = ptr16(x)
        P = ptr32(tst)
        T = ptr8(_COS)
        tot = 0
        i = 0
        while i < 80:
            v = (X[i] << s16) >> s16
            tot += (v * v) >> 8
            i += 1
        etot = tot + int(P[0])
        P[0] = tot
        j = 0
        while j < n:
            base = 1 + j * 7
            inc = int(P[base])
            ph = int(P[base + 1])
            si = 0
            sq = 0
            i = 0
            while i < 80:
                v = (X[i] << s16) >> s16
                a = ph >> 8
                si += v * (int(T[a]) - 128)
                sq += v * (int(T[(a + 192) & 255]) - 128)
                ph = (ph + inc) & 0xFFFF
                i += 1
            P[base + 1] = ph
            ti = (si + (int(P[base + 2]) - 536870912)) >> 15
            tq = (sq + (int(P[base + 3]) - 536870912)) >> 15
            P[base + 2] = si + 536870912
            P[base + 3] = sq + 536870912
            P[base + 6] = ti * ti + tq * tq
            j += 1
        return etot

    _sumabs = _sumabs_vp
    _fsk_block = _fsk_block_vp
    _tones_block = _tones_block_vp
else:
    from rrfw.dsp.callerid_plain import sumabs as _sumabs, fsk_block as _fsk_block, \
        tones_block as _tones_block


def _tone_state(t, incs):
    """Set a tone bank's state view (1 + _TONE_SLOTS a tone) afresh: its phase increments."""
    for i in range(len(t)):
        t[i] = 0
    for j in range(len(incs)):
        t[1 + j * _TONE_SLOTS] = incs[j]
    return t


# The decoder's int32 state, one array: the scalars (_C_*), the FSK correlator's ring,
# the 1200/1300 Hz bank, the DTMF bank; each a view of its part. A line lends it its
# DTMF receiver's state while on-hook (LineCall: no digits to hear then), so a ring
# makes no arrays of its own (heap: 672 B a ring and four pieces fewer to fragment it).
_RING_AT = const(_C_LEN)
_ID_AT = const(_RING_AT + 4 * _WIN)
_DT_AT = const(_ID_AT + 1 + _TONE_SLOTS * 2)
SCRATCH_LEN = const(_DT_AT + 1 + _TONE_SLOTS * 8)
# the DTMF bank's phase increments, (f * 65536 + 4000) // 8000 for _DTMF_FREQS (a constant
# tuple: in flash when frozen; tests/test_callerid_mpy.py checks it against the formula)
_DTMF_INCS = (5710, 6308, 6980, 7709, 9904, 10945, 12100, 13378)


_STANDARDS = (None, "auto", "bell202", "v23", "fsk", "dtmf", "ntt")
_ABSENCE = {"P": "withheld", "O": "unavailable"}   # 'C', 'S' (NTT): "unavailable" too

# FSK message assembly states
_M_HUNT = const(0)
_M_LEN = const(1)
_M_DATA = const(2)
_M_NTT = const(3)      # inside an NTT frame (see _ntt_byte)


# One bytearray per decoder for the FSK message (type, length, <= 255 bytes, checksum)
# and, after it, the DTMF CLIP string (_CLIP_MAX bytes).
_CLIP_AT = const(258)
_MSG_LEN = const(298)         # _CLIP_AT + _CLIP_MAX
# The FSK kernel's byte output (3 x byte, mark run, sample): read straight after the
# kernel's call, so every decoder shares one (the lines are stepped one after another).
_OUT = filled("i", 9)


class CallerIdDecoder:
    """Caller-ID receiver: process() every 10 ms block while on-hook, pop() events."""

    def __init__(self, standard=None, queue=4, diagnostics=False, scratch=None):
        # diagnostics: also emit {"event": "callerid_error", ...} for FSK messages
        # that started but failed (for `ringroute callerid decode --errors`; the
        # core leaves it off, so pop() gives only "callerid" events).
        # scratch: an int32 array of SCRATCH_LEN or more that nothing else uses while
        # this decoder lives (its contents are overwritten), else the decoder makes one.
        if standard not in _STANDARDS:
            raise ValueError("standard must be one of bell202, v23, fsk, dtmf, ntt")
        self.standard = standard
        if scratch is None:
            scratch = filled("i", SCRATCH_LEN)
        elif len(scratch) < SCRATCH_LEN:
            raise ValueError("caller-ID scratch needs %d int32 slots" % SCRATCH_LEN)
        mv = memoryview(scratch)
        # the kernels' state, then the decoder's scalars (_C_*): one array; 10
        # attributes, not 44 (each a slot of 8 bytes on the ESP32, the table grown in steps)
        st = mv[0:_C_LEN]
        for i in range(_C_LEN):
            st[i] = 0
        self._st = st
        self._t0 = 0          # ms: the base of the _C_ times
        self._sem = 0         # seizure mark / space energy sums (40 blocks of < 2**30: may
        self._ses = 0         # pass int32, so not in the array)
        st[_C_DIAG] = 1 if diagnostics else 0
        st[_C_FSK_ON] = 1 if standard != "dtmf" else 0
        st[_C_DTMF_ON] = 1 if standard in (None, "auto", "dtmf") else 0
        st[_C_QMAX] = queue
        ring = mv[_RING_AT:_ID_AT]
        for i in range(4 * _WIN):
            ring[i] = _BIAS
        self._ring = ring
        self._id = _tone_state(mv[_ID_AT:_DT_AT], (_INC_1200, _INC_1300))
        self._dt = _tone_state(mv[_DT_AT:SCRATCH_LEN], _DTMF_INCS)
        self._msg = bytearray(_MSG_LEN)   # the FSK message, then the DTMF CLIP string
        self._events = []
        self.reset()

    @property
    def dropped(self):
        # events lost because nobody popped them
        return self._st[_C_DROPPED]

    @property
    def rejected(self):
        # complete FSK messages with a bad checksum or bad contents
        return self._st[_C_REJECTED]

    # --- interface -----------------------------------------------------------
    def reset(self):
        self._st[_C_OPEN] = 0
        self._st[_C_QUIET] = 0
        self._fsk_reset()
        self._st[_C_MSTATE] = _M_HUNT
        self._st[_C_VOTES] = 0
        self._st[_C_SEIZE_N] = 0
        self._st[_C_SEIZE] = 0
        self._st[_C_SEIZE_END] = -100000
        self._st[_C_DCAND] = -1
        self._st[_C_DCOUNT] = 0
        self._st[_C_DLATCH] = -1
        self._st[_C_CLIP_N] = 0
        self._st[_C_CLIP] = 0
        self._st[_C_CLIP_LAST] = 0
        self._st[_C_MLEN] = 0
        self._st[_C_MSUM] = 0
        self._st[_C_MTOTAL] = 0
        self._st[_C_MSTART] = 0
        self._st[_C_MSEIZED] = 0
        self._st[_C_JPOS] = 0
        self._st[_C_JCRC] = 0
        self._st[_C_JDLE] = 0
        while self._events:
            self._events.pop()

    def pop(self):
        if self._events:
            return self._events.pop(0)
        return None

    def finish(self, t_ms):
        self._st[_C_MSTATE] = _M_HUNT
        self._st[_S_FLY] = 0
        self._st[_C_CLIP_N] = 0

    def process(self, block, t_ms):
        st = self._st
        if _sumabs(block) >= _GATE_SUMABS:
            st[_C_QUIET] = 0
            if not st[_C_OPEN]:
                st[_C_OPEN] = 1
                if t_ms - self._t0 >= _REBASE_MS:
                    self._rebase(t_ms)
                self._fsk_reset()
                st[_C_VOTES] = 0
                self._tones_reset(self._dt)
                self._tones_reset(self._id)
        elif st[_C_OPEN]:
            st[_C_QUIET] += 1
            if st[_C_QUIET] > _GATE_HANG:
                st[_C_OPEN] = 0
                if st[_C_MSTATE] != _M_HUNT:
                    self._reject("broken", t_ms)   # the signal stopped inside a message
                st[_C_MSTATE] = _M_HUNT
                st[_C_DCAND] = -1
                st[_C_DCOUNT] = 0
                st[_C_DLATCH] = -1
        if not st[_C_OPEN]:
            if st[_C_CLIP_N] and t_ms - (self._st[_C_CLIP_LAST] + self._t0) > _CLIP_TIMEOUT:
                st[_C_CLIP_N] = 0
            return
        if st[_C_FSK_ON]:
            self._fsk(block, t_ms)
        if st[_C_DTMF_ON]:
            self._dtmf(block, t_ms)

    def _rebase(self, t_ms):
        # once in days, at a burst's start: the relative times move with the base
        st = self._st
        d = t_ms - self._t0
        self._t0 = t_ms
        for i in range(_C_SEIZE, _C_MSTART + 1):
            v = st[i] - d
            st[i] = v if v > _LONG_AGO else _LONG_AGO

    # --- FSK -----------------------------------------------------------------
    def _fsk_reset(self):
        st = self._st
        for i in range(_S_LEN):
            st[i] = 0
        for i in (_S_XP, _S_YP, _S_MI, _S_MQ, _S_SI, _S_SQ, _S_DP, _S_DPP, _S_X2, _S_Y2,
                  _S_BX, _S_DSUM):
            st[i] = _BIAS
        st[_S_OFF] = 8
        self._st[_C_DSUM] = 0
        self._st[_C_DN] = 0
        self._st[_C_NPOS] = 0
        self._st[_C_NSEIZ] = 0
        self._st[_C_NPOSN] = 0
        self._sem = 0
        self._ses = 0
        r = self._ring
        for i in range(4 * _WIN):
            r[i] = _BIAS

    def _tones_reset(self, t):
        for j in range(1, len(t)):
            if (j - 1) % _TONE_SLOTS:
                t[j] = _BIAS if (j - 1) % _TONE_SLOTS in (2, 3) else 0
        t[0] = 0

    def _fsk(self, block, t_ms):
        st = self._st
        n = _fsk_block(st, self._ring, block, _OUT)
        _tones_block(block, self._id, 2)
        if st[_S_UART] == 0 and st[_S_RUN] >= 2 * _BLOCK:
            # 20 ms of mark: which mark frequency is it? DFT bins 24 and 26 of the
            # 160-sample window (1200 and 1300 Hz) are orthogonal.
            e12 = self._id[1 + 6]
            e13 = self._id[1 + _TONE_SLOTS + 6]
            if e12 > e13:
                if st[_C_VOTES] > -100:
                    st[_C_VOTES] -= 1
            elif e13 > e12:
                if st[_C_VOTES] < 100:
                    st[_C_VOTES] += 1
        out = _OUT
        k = 0
        seiz = 0
        while k < n:
            if out[k * 3] == 0x55:
                seiz += 1
            self._byte(out[k * 3], out[k * 3 + 1], t_ms + (out[k * 3 + 2] >> 3))
            k += 1
        if seiz and st[_C_MSTATE] == _M_HUNT and st[_S_RUN] < 10 and st[_C_NSEIZ] < 40 * _BLOCK:
            self._sem += st[_S_EM]
            self._ses += st[_S_ES]
            st[_C_NSEIZ] += _BLOCK
            if st[_C_NSEIZ] > 2 * _BLOCK:
                # this block was decided with the equaliser on: the timing correction
                # is measured on the equalised decision only
                st[_C_NPOS] += st[_S_NPOS]
                st[_C_NPOSN] += _BLOCK
                st[_C_DSUM] += st[_S_DSUM] - _BIAS
                st[_C_DN] += st[_S_DN]
            if st[_C_NSEIZ] >= 2 * _BLOCK:
                # the twist equaliser: the seizure sends as much mark as space, so the
                # ratio of their energies is the twist (the noise in both only lessens it)
                em = self._sem
                es = self._ses
                if em > es:
                    # a stronger mark scaled 3/4 of the way: the full scale took too much
                    # off a lone mark (a stop bit, a 1 between 0s) next to the weak space
                    # (V.23 +6 dB, 10 dB SNR, development seeds 31-34, none of the bench's:
                    # 782 full, 792 half, 794 3/4 of 800; Bell 202 +6 dB held with 3/4 only)
                    a = min(_EQ_MAX, 16 - (16 * es + em // 2) // em)
                    st[_S_AM] = (3 * a + 2) // 4
                    st[_S_AS] = 0
                    st[_S_SHT] = 1 if a else 0   # the mark correlator one bit long
                else:
                    # a stronger space only half-way: the full scale lost messages at
                    # -6 dB (bench seeds 77, 99: 94-96 % full, 96 % half)
                    a = min(_EQ_MAX, 16 - (16 * em + es // 2) // max(es, 1))
                    st[_S_AS] = a // 2
                    st[_S_AM] = 0
                    st[_S_SHT] = 2 if a else 0
            if st[_C_NPOSN] >= 2 * _BLOCK:
                # share of mark in the seizure: (npos / nposn - 1/2) * 20 thirds, rounded
                # (npos <= 40 blocks * 80, so npos * 40 stays a small int)
                o = (st[_C_NPOS] * 40 // st[_C_NPOSN] - 20 + 1) // 2
                if o > _TWIST_MAX:
                    o = _TWIST_MAX
                elif o < -_TWIST_MAX:
                    o = -_TWIST_MAX
                st[_S_OFF] = 8 - o
        if st[_C_DN] >= _BX_MIN_EDGES and st[_C_MSTATE] == _M_HUNT and st[_S_UART] == 0 \
                and st[_S_RUN] >= 4 * _WIN:
            # the seizure is over (4 bits of mark): set the bit clock's rate for the
            # message from its drift, (dsum / dn) thirds per 10 bits
            bx = (st[_C_DSUM] * 256 * 2 + 10 * st[_C_DN]) // (20 * st[_C_DN])
            if bx > _BX_MAX:
                bx = _BX_MAX
            elif bx < -_BX_MAX:
                bx = -_BX_MAX
            st[_S_BX] = bx + _BIAS
            st[_C_DN] = 0
            st[_C_DSUM] = 0
        if st[_C_MSTATE] != _M_HUNT and st[_S_UART] == 0 and st[_S_RUN] > _MAX_GAP:
            st[_C_MSTATE] = _M_HUNT              # the carrier went on without the rest of the message
            st[_S_FLY] = 0
            self._reject("broken", t_ms)

    def _reject(self, why, t, std=None):
        # A message that started (type byte after the mark signal) but failed:
        # "broken" (framing error or the carrier stopped), "checksum", "format".
        self._st[_C_REJECTED] += 1
        # reported only after a channel seizure: music and speech can fake the
        # mark signal and a type byte, never 0101... for 30+ ms before it
        if self._st[_C_DIAG] and self._st[_C_MSEIZED]:
            self._emit({"event": "callerid_error", "error": why,
                        "standard": std or ("v23" if self._st[_C_VOTES] > 0 else "bell202"),
                        "start_ms": (self._st[_C_MSTART] + self._t0), "end_ms": t})

    def _byte(self, val, run, t):
        if self._st[_C_MSTATE] == _M_HUNT:
            if val == 0x55 or val == 0xAA:
                # channel seizure: 300 bits of 0101... (GR-30-CORE, EN 300 659-1) read as 0x55 bytes
                if self._st[_C_SEIZE_N] == 0 or t - (self._st[_C_SEIZE_END] + self._t0) > 30:
                    self._st[_C_SEIZE_N] = 0
                    self._st[_C_VOTES] = 0
                    self._st[_C_NPOS] = 0
                    self._st[_C_NSEIZ] = 0
                    self._st[_C_NPOSN] = 0
                    self._sem = 0
                    self._ses = 0
                    self._st[_C_DSUM] = 0
                    self._st[_C_DN] = 0
                    st = self._st
                    st[_S_AM] = 0
                    st[_S_AS] = 0
                    st[_S_SHT] = 0
                    st[_S_OFF] = 8
                    st[_S_BX] = _BIAS
                    self._st[_C_SEIZE] = t - 9 - self._t0
                if self._st[_C_SEIZE_N] < 1000:   # only == 0 and >= 3 matter
                    self._st[_C_SEIZE_N] += 1
                self._st[_C_SEIZE_END] = t - self._t0
                return
            if val & _FRAMING or run < _MIN_MARK:
                return
            if val == 0x80 | _DLE and self.standard != "bell202":
                # an NTT frame's first DLE (even parity: 0x90)
                self._st[_C_MSTATE] = _M_NTT
                self._st[_S_FLY] = _FLY_MAX
                self._st[_C_JPOS] = 1
                self._st[_C_JDLE] = 0
                self._st[_C_MSEIZED] = 0
                self._st[_C_MSTART] = t - 9 - (run >> 3) - self._t0
                return
            if val == _T_SDMF or val == _T_MDMF or val in _TYPES_OTHER:
                self._msg[0] = val
                self._st[_C_MLEN] = 1
                self._st[_C_MSUM] = val
                self._st[_C_MSTATE] = _M_LEN
                self._st[_S_FLY] = _FLY_MAX
                mark_ms = t - 9 - (run >> 3)
                self._st[_C_MSEIZED] = self._st[_C_SEIZE_N] >= 3 and mark_ms - (self._st[_C_SEIZE_END] + self._t0) < 30
                if self._st[_C_MSEIZED]:
                    self._st[_C_MSTART] = self._st[_C_SEIZE]
                else:
                    self._st[_C_MSTART] = mark_ms - self._t0
            return
        if val & _FRAMING:
            # a stop bit lost: the byte kept while the message's allowance lasts (_FLY_MAX)
            fly = self._st[_S_FLY]
            if fly == 0:
                run = _MAX_GAP + 1
            else:
                self._st[_S_FLY] = fly - 1
                val &= 255
        if run > _MAX_GAP:
            self._st[_C_MSTATE] = _M_HUNT
            self._st[_S_FLY] = 0
            self._reject("broken", t)
            return
        if self._st[_C_MSTATE] == _M_NTT:
            self._ntt_byte(val, t)
            return
        self._msg[self._st[_C_MLEN]] = val
        self._st[_C_MLEN] += 1
        self._st[_C_MSUM] = (self._st[_C_MSUM] + val) & 255
        if self._st[_C_MSTATE] == _M_LEN:
            if val == 0:
                self._st[_C_MSTATE] = _M_HUNT
                self._st[_S_FLY] = 0
                return
            self._st[_C_MTOTAL] = val + 3
            self._st[_C_MSTATE] = _M_DATA
        elif self._st[_C_MLEN] >= self._st[_C_MTOTAL]:
            self._st[_C_MSTATE] = _M_HUNT
            self._st[_S_FLY] = 0
            self._st[_C_SEIZE_N] = 0
            if self._st[_C_MSUM] != 0:
                self._reject("checksum", t)
                return
            self._fsk_message(t)

    def _ntt_byte(self, val, t):
        # One byte of an NTT frame (the layout above _DLE). Runs per byte, not per
        # sample: a few int operations, nothing allocated.
        pos = self._st[_C_JPOS]
        if pos >= 2:
            self._st[_C_JCRC] = _crc16(self._st[_C_JCRC], val)
        if pos < 10:
            # even parity over the 8 bits
            v = val ^ (val >> 4)
            v ^= v >> 2
            if (v ^ (v >> 1)) & 1:
                self._st[_C_MSTATE] = _M_HUNT
                self._st[_S_FLY] = 0
                self._reject("checksum", t, "ntt")
                return
            val &= 0x7F
        want = _NTT_FIXED[pos]
        if want >= 0:
            if val != want:
                self._st[_C_MSTATE] = _M_HUNT
                self._st[_S_FLY] = 0
                if pos > 2:
                    self._reject("format", t, "ntt")
                return
            self._st[_C_JPOS] = pos + 1
            if pos == 1:
                self._st[_C_JCRC] = 0
            elif pos == 4:
                self._st[_C_MSEIZED] = 1   # DLE SOH . DLE STX: as sure a sign as a seizure
            return
        if pos == 2:           # header: any value
            self._st[_C_JPOS] = 3
        elif pos == 5:
            self._msg[0] = val
            self._st[_C_JPOS] = 6
        elif pos == 6:
            self._msg[1] = val
            self._st[_C_MLEN] = 2
            self._st[_C_MTOTAL] = val + 2
            self._st[_C_JDLE] = val == _DLE    # a length of 16 may come doubled too
            self._st[_C_JPOS] = 7 if val else 8
        elif pos == 7:
            if self._st[_C_JDLE]:
                self._st[_C_JDLE] = 0
                if val == _DLE:
                    return     # the second DLE of a doubled pair
            elif val == _DLE:
                self._st[_C_JDLE] = 1
            self._msg[self._st[_C_MLEN]] = val
            self._st[_C_MLEN] += 1
            if self._st[_C_MLEN] >= self._st[_C_MTOTAL]:
                self._st[_C_JPOS] = 8
        elif pos == 8:
            if val != _DLE:
                self._st[_C_MSTATE] = _M_HUNT
                self._st[_S_FLY] = 0
                self._reject("format", t, "ntt")
                return
            self._st[_C_JPOS] = 9
        elif pos == 9:
            if val == _DLE and self._st[_C_JDLE]:
                # the data ended in a DLE sent doubled: this is the frame's DLE
                self._st[_C_JDLE] = 0
                return
            if val != _ETX:
                self._st[_C_MSTATE] = _M_HUNT
                self._st[_S_FLY] = 0
                self._reject("format", t, "ntt")
                return
            self._st[_C_JPOS] = 10
        elif pos == 10:
            self._st[_C_JPOS] = 11
        else:
            self._st[_C_MSTATE] = _M_HUNT
            self._st[_S_FLY] = 0
            if self._st[_C_JCRC] != 0:
                self._reject("checksum", t, "ntt")
                return
            self._fsk_message(t)

    def _fsk_message(self, t):
        m = self._msg
        mtype = m[0]
        n = m[1]
        ntt = self._st[_C_MSTATE] == _M_HUNT and self._st[_C_JPOS] == 11
        self._st[_C_JPOS] = 0
        if ntt and mtype != _T_NTT:
            return     # another NTT message type: checked, not caller ID
        if mtype != _T_SDMF and mtype != _T_MDMF and not ntt:
            return
        number = name = dt = reason = name_reason = None
        if mtype == _T_SDMF:
            # GR-30-CORE SDMF: 8 ASCII digits MMDDHHMM, then the number or 'O' / 'P'
            if n < 9:
                self._reject("format", t)
                return
            dt = _ascii(m, 2, 8)
            num = _ascii(m, 10, n - 8)
            if num is None or dt is None:
                self._reject("format", t)
                return
            if num in _ABSENCE:
                reason = _ABSENCE[num]
            else:
                number = num
        else:
            i = 2
            end = 2 + n
            known = 0
            while i < end:
                if i + 2 > end:
                    self._reject("format", t)
                    return
                p = m[i]
                ln = m[i + 1]
                if i + 2 + ln > end:
                    self._reject("format", t)
                    return
                # Only the parameters we use are checked; others (EN 300 659-3 call
                # type 0x11, message id, ...) may be binary and are skipped.
                if p == 0x01 or p == 0x02 or p == 0x04 or p == 0x08:
                    known += 1
                    v = _ascii(m, i + 2, ln)
                    if v is None:
                        self._reject("format", t)
                        return
                    if p == 0x01:
                        dt = v
                    elif p == 0x02:
                        if v in _ABSENCE:      # some exchanges put 'O' / 'P' in the number itself
                            reason = _ABSENCE[v]
                        else:
                            number = v
                    elif p == 0x04:
                        reason = _ABSENCE.get(v, "unavailable")
                    else:
                        name_reason = _ABSENCE.get(v, "unavailable")
                elif p == 0x07:
                    # names may carry national 8-bit characters: shown as '?'
                    known += 1
                    name = _text(m, i + 2, ln)
                i += 2 + ln
            if known == 0:
                self._reject("format", t)   # nothing a caller-ID message carries
                return
        if number is not None and not _is_number(number):
            self._reject("format", t)
            return
        if dt is not None and (len(dt) != 8 or not _is_number(dt)):
            dt = None
        if number is not None:
            reason = None
        elif reason is None:
            reason = "absent"
        std = "v23" if self._st[_C_VOTES] > 0 else "bell202"
        if ntt:
            std = "ntt"
        elif self.standard == "ntt":
            return     # restricted to NTT frames
        elif self.standard == "bell202" or self.standard == "v23":
            if self._st[_C_VOTES] != 0 and std != self.standard:
                return   # restricted to the other FSK standard
            std = self.standard
        self._st[_C_VOTES] = 0
        self._emit({"event": "callerid", "standard": std, "number": number, "name": name,
                    "datetime": dt, "reason": reason, "name_reason": name_reason,
                    "start_ms": (self._st[_C_MSTART] + self._t0), "end_ms": t})

    # --- DTMF CLIP -------------------------------------------------------------
    # Digit timeline (one column per 10 ms block; each window = the last two
    # blocks, 20 ms; d = the window sees the digit, - = it does not):
    #   tone    ___|‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾|_______________|‾‾‾‾‾‾‾‾‾‾
    #   window       d   d   d   d   d   d   -   -   -   d   d
    #   count        1   2*  3   4   5   6   1   2   3   1   2*
    #   * = digit reported (2 agreeing windows: >= 30 ms of tone; its start_ms is
    #   the first window's start). The same digit counts again only after 2
    #   windows without it (a 20 ms gap seen whole; CLIP pauses are >= 50 ms).
    #   A CLIP string starts with A, B, D or a digit (no start code), ends with C or #, and is dropped
    #   after _CLIP_TIMEOUT ms without a digit. tests/test_callerid_decode.py
    #   has these rows as cases.
    def _dtmf(self, block, t_ms):
        st = self._st
        dt = self._dt
        etot = _tones_block(block, dt, 8)
        d = self._dtmf_digit(dt, etot)
        if d == st[_C_DCAND]:
            if st[_C_DCOUNT] < 1000:
                st[_C_DCOUNT] += 1
        else:
            st[_C_DCAND] = d
            st[_C_DCOUNT] = 1
        if d < 0:
            if st[_C_DCOUNT] >= 2:
                st[_C_DLATCH] = -1
        elif st[_C_DCOUNT] >= _DTMF_ON and st[_C_DLATCH] != d:
            st[_C_DLATCH] = d
            self._clip_digit(d, t_ms - 20, t_ms + 10)
        if st[_C_CLIP_N] and t_ms - (self._st[_C_CLIP_LAST] + self._t0) > _CLIP_TIMEOUT:
            st[_C_CLIP_N] = 0

    def _dtmf_digit(self, dt, etot):
        # best and second best of rows (tones 0..3) and columns (4..7)
        r = -1
        er = 0
        er2 = 0
        c = -1
        ec = 0
        ec2 = 0
        j = 0
        while j < 8:
            e = dt[1 + j * _TONE_SLOTS + 6]
            if j < 4:
                if e > er:
                    er2 = er
                    er = e
                    r = j
                elif e > er2:
                    er2 = e
            else:
                if e > ec:
                    ec2 = ec
                    ec = e
                    c = j - 4
                elif e > ec2:
                    ec2 = e
            j += 1
        if er < _DTMF_MIN_E or ec < _DTMF_MIN_E:
            return -1
        # each tone 6 dB above the other tones of its group (Q.24 style selectivity)
        if (er >> 2) < er2 or (ec >> 2) < ec2:
            return -1
        # twist within 9 dB either way (8x in energy); Q.24 allows 8 dB reverse / 4 dB standard
        if (er >> 3) > ec or (ec >> 3) > er:
            return -1
        # the pair holds >= 61 % of the window's energy: (er+ec) >= 0.1875 etot
        if (er >> 1) + (ec >> 1) < ((etot >> 3) + (etot >> 4)) >> 1:
            return -1
        return r * 4 + c

    def _clip_digit(self, d, start, end):
        ch = _DTMF_KEYS[d]
        n = self._st[_C_CLIP_N]
        if n == 0:
            if ch == 0x41 or ch == 0x42 or ch == 0x44:   # A, B, D start a CLIP string
                self._msg[_CLIP_AT] = ch
                self._st[_C_CLIP_N] = 1
            elif 0x30 <= ch <= 0x39:                      # a digit: a number without a start code
                self._msg[_CLIP_AT] = _CLIP_BARE
                self._msg[_CLIP_AT + 1] = ch
                self._st[_C_CLIP_N] = 2
            else:
                return
            self._st[_C_CLIP] = start - self._t0
            self._st[_C_CLIP_LAST] = end - self._t0
            return
        if end - (self._st[_C_CLIP_LAST] + self._t0) > _CLIP_TIMEOUT + 30:
            self._st[_C_CLIP_N] = 0
            self._clip_digit(d, start, end)
            return
        self._st[_C_CLIP_LAST] = end - self._t0
        if ch == 0x43 or ch == 0x23:   # C or # ends it
            self._st[_C_CLIP_N] = 0
            self._clip_message(n, ch, end)
            return
        if n < _CLIP_MAX:
            self._msg[_CLIP_AT + n] = ch
            self._st[_C_CLIP_N] = n + 1

    def _clip_message(self, n, term, end):
        # Runs once per message, not per block: the strings it makes are allowed. A
        # string without a start code may be stray keys: it is checked first, in place.
        clip = self._msg
        if clip[_CLIP_AT] == _CLIP_BARE:
            if n - 1 < _CLIP_BARE_MIN:
                return
            for i in range(_CLIP_AT + 1, _CLIP_AT + n):
                if clip[i] < 0x30 or clip[i] > 0x39:
                    return
        s = bytes(clip[_CLIP_AT:_CLIP_AT + n]).decode()
        lead = s[0]
        body = s[1:]
        number = None
        reason = None
        for a_lead, a_body, a_term, why in _CLIP_ABSENT:
            if lead == a_lead and body == a_body and (a_term == 0 or a_term == term):
                reason = why
                break
        if reason is not None:
            body = ""                # an absence code: no number
        elif lead == chr(_CLIP_BARE):
            number = body            # checked above: digits only, long enough
        elif lead == "D" and term == 0x43 and len(body) > 2 and body.isdigit():
            number = body   # Taiwan / Kuwait variant: D<number>C
        else:
            # A<number>[D<redirecting>][B<info>] with C or # at the end
            fields = {}
            key = lead
            cur = ""
            for ch in body:
                if ch in "ABD":
                    fields[key] = cur
                    key = ch
                    cur = ""
                else:
                    cur += ch
            fields[key] = cur
            number = fields.get("A") or None
            info = fields.get("B")
            if number is not None and not number.isdigit():
                return
            if number is None:
                if info is None or not info.isdigit():
                    return
                reason = "withheld" if info == "10" else "unavailable"
        if number is not None and number.strip("0") == "":
            number = None            # all zeros: the caller is unknown (Netherlands)
            reason = "unavailable"
        self._emit({"event": "callerid", "standard": "dtmf", "number": number, "name": None,
                    "datetime": None, "reason": reason, "name_reason": None,
                    "start_ms": (self._st[_C_CLIP] + self._t0), "end_ms": end})

    def _emit(self, ev):
        if len(self._events) >= self._st[_C_QMAX]:
            self._st[_C_DROPPED] += 1
            return
        self._events.append(ev)


# NTT frame positions 0..11 -> the byte that must come there (-1: checked in _ntt_byte).
_NTT_FIXED = (-1, _SOH, -1, _DLE, _STX, -1, -1, -1, -1, -1, -1, -1)


def _crc16(crc, byte):
    # ITU-T V.41 CRC, bit-reversed form, one byte (NTT frames)
    crc ^= byte
    for _ in range(8):
        if crc & 1:
            crc = (crc >> 1) ^ _CRC_POLY
        else:
            crc >>= 1
    return crc


def _ascii(buf, start, n):
    # printable ASCII only (GR-30-CORE / EN 300 659-3 send IA5 characters)
    if n < 0:
        return None
    for i in range(start, start + n):
        c = buf[i]
        if c < 0x20 or c > 0x7E:
            return None
    return bytes(buf[start:start + n]).decode()


def _text(buf, start, n):
    b = bytearray(buf[start:start + n])
    for i in range(n):
        if b[i] < 0x20 or b[i] > 0x7E:
            b[i] = 0x3F
    return bytes(b).decode()


def _is_number(s):
    for ch in s:
        if ch not in "0123456789*#+- ":
            return False
    return len(s) > 0
