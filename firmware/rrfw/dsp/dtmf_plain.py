# Plain twins of dtmf.py's viper kernels: CPython runs these, and the tests
# compare them with the viper ones (the convention: rrfw/compat.py). Same
# integer operations in the same order. Not in manifest.py: never on the board.
#
# The constants are dtmf.py's (its underscored consts are folded at compile
# time, so MicroPython cannot import them); tests/test_dtmf_kernels.py checks
# that every one here still equals dtmf.py's.

check = None   # a check32_plain.Check32 while a test watches the arithmetic

_N = const(80)
_IN_SHIFT = const(4)
_TW = const(18)
# thresholds (dtmf.py gives each one's reason and source)
_LEVEL_MIN = const(15963)
_TWIST_HI_Q4 = const(57)
_TWIST_LO_Q4 = const(143)
_REL_PEAK_Q4 = const(101)
_REL_PEAK_NOISY_Q4 = const(25)
_REL_PEAK_NOISY_COL_Q4 = const(101)
_SHARE_X10 = const(2)
_SHARE_HI_X10 = const(7)
_SHARE_MID_X10 = const(6)
_NOISY_TWIST_Q4 = const(64)
_NOISY_LEVEL_MIN = const(50455)
_LONG_REL_PEAK_Q4 = const(64)
# state array layout
_YP = const(0)
_YC = const(16)
_WP = const(32)
_WC = const(48)
_YA = const(64)
_EN = const(80)
_TP = const(88)
_TC = const(89)
_BI = const(90)
_SC = const(92)
_RING = const(104)
_WPP = const(168)
_T3 = const(184)
_T4 = const(185)
_EL = const(186)
_HC = const(194)
_HA = const(195)
_HR = const(196)
_HK = const(197)
_S_TXY = const(248)
_S_TXE = const(264)


def goertzel(inp, work, tab, st):
    """Shift this block's analysis to `previous`; Goertzel at 8 frequencies.

    Y[k] = s1 - e^{-jw} s2 = e^{j79w} DFT_k(block); the first half's Y (samples
    0..39) is kept too, for the coarse frequency test."""
    ck = check
    for i in range(16):
        st[_YP + i] = st[_YC + i]
        st[_WPP + i] = st[_WP + i]
        st[_WP + i] = st[_WC + i]
    tot = 0
    for i in range(_N):
        x = inp[i] >> _IN_SHIFT
        work[i] = x + 2048      # biased to 0..4095: the viper loop reads it without sign extension
        tot += x * x
    st[_T4] = st[_T3]
    st[_T3] = st[_TP]
    st[_TP] = st[_TC]
    st[_TC] = tot
    for k in range(8):
        t = k * _TW
        c = tab[t]
        s1 = 0
        s2 = 0
        for i in range(40):
            s0 = work[i] - 2048 + ((c * s1) >> 12) - s2
            s2 = s1
            s1 = s0
            if ck is not None:
                ck.int32(c * s2)
        st[_YA + 2 * k] = s1 - ((tab[t + 1] * s2) >> 12)
        st[_YA + 2 * k + 1] = (tab[t + 2] * s2) >> 12
        for i in range(40, _N):
            s0 = work[i] - 2048 + ((c * s1) >> 12) - s2
            s2 = s1
            s1 = s0
            if ck is not None:
                ck.int32(c * s2)
        st[_YC + 2 * k] = s1 - ((tab[t + 1] * s2) >> 12)
        st[_YC + 2 * k + 1] = (tab[t + 2] * s2) >> 12
        if ck is not None:
            ck.int32(c * s1, tab[t + 1] * s2, tot)


def window(st, tab):
    """W = Y_prev + e^{-j80w} Y per frequency; window energies; block amplitudes."""
    ck = check
    ring = _RING + st[_BI] * 8
    for k in range(8):
        t = k * _TW
        yr = st[_YC + 2 * k]
        yi = st[_YC + 2 * k + 1]
        rc = tab[t + 3]
        rs = tab[t + 4]
        wr = st[_YP + 2 * k] + ((yr * rc - yi * rs) >> 12)
        wi = st[_YP + 2 * k + 1] + ((yr * rs + yi * rc) >> 12)
        st[_WC + 2 * k] = wr
        st[_WC + 2 * k + 1] = wi
        # amplitude |Y| ~ max + 3/8 min (within 7 %), for placing a tone's edges
        ar = yr if yr >= 0 else -yr
        ai = yi if yi >= 0 else -yi
        if ar > ai:
            st[ring + k] = (ar + ((ai * 3) >> 3)) >> 4
        else:
            st[ring + k] = (ai + ((ar * 3) >> 3)) >> 4
        if k < 4:  # rows: coherent 160-sample window
            wr >>= 5
            wi >>= 5
            e = (wr * wr + wi * wi) * 2
        else:      # columns: two 80-sample blocks added in energy
            pr = st[_YP + 2 * k] >> 4
            pi = st[_YP + 2 * k + 1] >> 4
            cr = yr >> 4
            ci = yi >> 4
            e = pr * pr + pi * pi + cr * cr + ci * ci
        st[_EN + k] = e
        if ck is not None:
            ck.int32(yr * rc - yi * rs, yr * rs + yi * rc, wr, wi, e)


def angle(st):
    """1 when angle(a conj(b) rot) is within +-t (scratch: a, b, rot Q12, cos t, sin t Q14).

    a and b are first scaled to a largest component in [2**13, 2**14), which
    keeps the angle and every product below 2**31."""
    ck = check
    ar = st[_SC]
    ai = st[_SC + 1]
    br = st[_SC + 2]
    bi = 0 - st[_SC + 3]          # conjugate
    ma = ar if ar >= 0 else -ar
    if ai > ma:
        ma = ai
    if -ai > ma:
        ma = -ai
    mb = br if br >= 0 else -br
    if bi > mb:
        mb = bi
    if -bi > mb:
        mb = -bi
    if ma == 0 or mb == 0:
        return 0
    while ma >= 16384:
        ar >>= 1
        ai >>= 1
        ma >>= 1
    while ma < 8192:
        ar <<= 1
        ai <<= 1
        ma <<= 1
    while mb >= 16384:
        br >>= 1
        bi >>= 1
        mb >>= 1
    while mb < 8192:
        br <<= 1
        bi <<= 1
        mb <<= 1
    pr = (ar * br - ai * bi) >> 14
    pi = (ar * bi + ai * br) >> 14
    rc = st[_SC + 4] * 4           # Q12 -> Q14
    rs = st[_SC + 5] * 4
    zr = (pr * rc - pi * rs) >> 14
    zi = (pr * rs + pi * rc) >> 14
    if zi < 0:
        zi = -zi
    tc = st[_SC + 6]
    ts = st[_SC + 7]
    if ck is not None:
        ck.int32(ar * br - ai * bi, ar * bi + ai * br, pr * rc - pi * rs,
              pr * rs + pi * rc, zi * tc, zr * ts)
    if tc >= 0:      # t <= 90 degrees: zr > 0 and |zi| / zr <= tan t
        if zr <= 0 or zi * tc > zr * ts:
            return 0
    elif zr < 0:     # t > 90 degrees and |angle| > 90: need pi - |angle| >= pi - t
        if zi * (0 - tc) < (0 - zr) * ts:
            return 0
    return 1


def decide(st, tab):
    """This window's digit index (0..15; +16 when the pair is clean, i.e. carries
    >= 70 % of the energy) or -1, after every validation check.

    Checks, in order (the first failure ends it): level, twist, relative peak
    in each group, share of the total energy, then each tone's frequency:
    fine (phase advance over one block, +-2.5 %) and coarse (over half a
    block, +-50 Hz: resolves the fine test's 100 Hz ambiguity)."""
    r = 0
    for k in range(1, 4):
        if st[_EN + k] > st[_EN + r]:
            r = k
    c = 4
    for k in range(5, 8):
        if st[_EN + k] > st[_EN + c]:
            c = k
    er = st[_EN + r]
    ec = st[_EN + c]
    if er < _LEVEL_MIN or ec < _LEVEL_MIN:
        return -1
    # scale so the largest of er, ec, tot is below 2**23: every product below fits 32 bits
    tot = st[_TP] + st[_TC]
    m = er if er > ec else ec
    if tot > m:
        m = tot
    sh = 0
    while (m >> sh) >= 8388608:
        sh += 1
    er >>= sh
    ec >>= sh
    tot >>= sh
    if ec * 16 > er * _TWIST_HI_Q4 or er * 16 > ec * _TWIST_LO_Q4:
        return -1
    if (er + ec) * 64 < tot * _SHARE_X10:
        return -1
    # a clean pair (>= 70 % of the energy) gets the standard limits; a noisy one
    # tighter frequency and twist limits, and a lower relative peak for the
    # rows, where speech is strongest
    lim = 5 if (er + ec) * 64 >= tot * _SHARE_HI_X10 else 9   # table column of the fine limit
    if lim == 9 and (er + ec) * 64 >= tot * _SHARE_MID_X10:
        lim = 11
    rp = _REL_PEAK_Q4
    rpc = _REL_PEAK_Q4
    if lim != 5:
        if er * 16 > ec * _NOISY_TWIST_Q4:
            return -1
        if st[_EN + r] < _NOISY_LEVEL_MIN or st[_EN + c] < _NOISY_LEVEL_MIN:
            return -1
        rp = _REL_PEAK_NOISY_Q4
        rpc = _REL_PEAK_NOISY_COL_Q4
    for k in range(4):
        if k != r and (st[_EN + k] >> sh) * rp > er * 16:
            return -1
    # columns: the 160-sample window, where a strong row tone leaks 5 dB less
    # into the column filters than in one block (-25 instead of -20 dB at 941/1209 Hz)
    wr = st[_WC + 2 * c] >> 5
    wi = st[_WC + 2 * c + 1] >> 5
    ew = (wr * wr + wi * wi) >> 4
    for k in range(4, 8):
        if k != c:
            wr = st[_WC + 2 * k] >> 5
            wi = st[_WC + 2 * k + 1] >> 5
            if ((wr * wr + wi * wi) >> 4) * rpc > ew * 16:
                return -1
    precise = 32
    for j in range(6):
        if j >= 4 and lim != 5:
            break
        k = r if (j & 1) == 0 else c
        t = k * _TW
        # fine: 160-sample windows one block apart for rows, and for the
        # columns of a noisy pair (twice the energy against the noise, and
        # no loss within its 0.4 % limit)
        if j == 0 or j == 4 or (j == 1 and lim != 5):
            st[_SC] = st[_WC + 2 * k]
            st[_SC + 1] = st[_WC + 2 * k + 1]
            st[_SC + 2] = st[_WP + 2 * k]
            st[_SC + 3] = st[_WP + 2 * k + 1]
        elif j == 1 or j == 5:  # column, fine: 80-sample blocks one block apart
            st[_SC] = st[_YC + 2 * k]
            st[_SC + 1] = st[_YC + 2 * k + 1]
            st[_SC + 2] = st[_YP + 2 * k]
            st[_SC + 3] = st[_YP + 2 * k + 1]
        else:                   # coarse: second half Y - e^{j40w} Ya against first half Ya
            ar = st[_YA + 2 * k]
            ai = st[_YA + 2 * k + 1]
            hc = tab[t + 7]
            hs = 0 - tab[t + 8]
            st[_SC] = st[_YC + 2 * k] - ((hc * ar - hs * ai) >> 12)
            st[_SC + 1] = st[_YC + 2 * k + 1] - ((hc * ai + hs * ar) >> 12)
            st[_SC + 2] = ar
            st[_SC + 3] = ai
        if j < 2:
            st[_SC + 4] = tab[t + 3]
            st[_SC + 5] = tab[t + 4]
            st[_SC + 6] = tab[t + lim]
            st[_SC + 7] = tab[t + lim + 1]
        elif j < 4:
            st[_SC + 4] = tab[t + 7]
            st[_SC + 5] = tab[t + 8]
            st[_SC + 6] = 0        # +-90 degrees over 40 samples = +-50 Hz
            st[_SC + 7] = 16384
        else:
            st[_SC + 4] = tab[t + 3]
            st[_SC + 5] = tab[t + 4]
            st[_SC + 6] = tab[t + 11]
            st[_SC + 7] = tab[t + 12]
        if angle(st) == 0:
            if j < 4:
                return -1
            precise = 0
    if lim == 5:
        return r * 4 + (c - 4) + 16 + precise
    return r * 4 + (c - 4)


def long(st, tab):
    """The digit index (0..15, a noisy pair) that the 320-sample window of blocks
    b-3..b shows, or -1. Asked only when this block's own windows gave no digit.

    L = W_pp + e^{-j160w} W (the two 160-sample windows joined coherently);
    energies in the same unit as _EN (|L| is twice |W| for a steady tone, so
    2 |L >> 6|**2 = 2 |W >> 5|**2). Checks: level, twist, share of the four
    blocks' energy, relative peak in each group, then each tone's phase from
    the first half (W_pp) to the second (W) against e^{-j160w}, within
    0.5 / 0.4 %. The 50 Hz ambiguity of that test needs no second test: a
    tone 50 Hz off sits in a null of the 320-sample window."""
    ck = check
    for k in range(8):
        t = k * _TW
        qc = tab[t + 13]
        qs = tab[t + 14]
        wr = st[_WC + 2 * k]
        wi = st[_WC + 2 * k + 1]
        lr = (st[_WPP + 2 * k] + ((wr * qc - wi * qs) >> 12)) >> 6
        li = (st[_WPP + 2 * k + 1] + ((wr * qs + wi * qc) >> 12)) >> 6
        st[_EL + k] = (lr * lr + li * li) * 2
        if ck is not None:
            ck.int32(wr * qc - wi * qs, wr * qs + wi * qc, st[_EL + k])
    r = 0
    for k in range(1, 4):
        if st[_EL + k] > st[_EL + r]:
            r = k
    c = 4
    for k in range(5, 8):
        if st[_EL + k] > st[_EL + c]:
            c = k
    er = st[_EL + r]
    ec = st[_EL + c]
    if er < _NOISY_LEVEL_MIN or ec < _NOISY_LEVEL_MIN:
        return -1
    # four blocks' energy, halved: the unit of two blocks (_decide's tot)
    tot = (st[_TP] >> 1) + (st[_TC] >> 1) + (st[_T3] >> 1) + (st[_T4] >> 1)
    m = er if er > ec else ec
    if tot > m:
        m = tot
    sh = 0
    while (m >> sh) >= 8388608:
        sh += 1
    er >>= sh
    ec >>= sh
    tot >>= sh
    if ec * 16 > er * _TWIST_HI_Q4 or er * 16 > ec * _NOISY_TWIST_Q4:
        return -1
    if (er + ec) * 64 < tot * _SHARE_X10:
        return -1
    for k in range(4):
        if k != r and (st[_EL + k] >> sh) * _LONG_REL_PEAK_Q4 > er * 16:
            return -1
    for k in range(4, 8):
        if k != c and (st[_EL + k] >> sh) * _REL_PEAK_Q4 > ec * 16:
            return -1
    for j in range(2):
        k = r if j == 0 else c
        t = k * _TW
        st[_SC] = st[_WC + 2 * k]
        st[_SC + 1] = st[_WC + 2 * k + 1]
        st[_SC + 2] = st[_WPP + 2 * k]
        st[_SC + 3] = st[_WPP + 2 * k + 1]
        st[_SC + 4] = tab[t + 13]
        st[_SC + 5] = tab[t + 14]
        st[_SC + 6] = tab[t + 15]
        st[_SC + 7] = tab[t + 16]
        if angle(st) == 0:
            return -1
    return r * 4 + (c - 4)


def harm(work, tab, st, h):
    """The harmonic-series probes of the key at _HTAB offset h over this block
    (work: the Goertzel scratch, biased samples): sums of |Y >> 4|**2 >> 2 at the
    inner harmonics (_HC) and half-way between them (_HA); the same for the
    key's own row and column tones from this block's Y (_HR, _HK)."""
    ck = check
    d = tab[h]
    nc = tab[h + 1]
    n = nc + tab[h + 2]
    ec = 0
    ea = 0
    for p in range(n):
        t = h + 3 + 3 * p
        c = tab[t]
        s1 = 0
        s2 = 0
        for i in range(_N):
            s0 = work[i] - 2048 + ((c * s1) >> 12) - s2
            s2 = s1
            s1 = s0
            if ck is not None:
                ck.int32(c * s2)
        yr = (s1 - ((tab[t + 1] * s2) >> 12)) >> 4
        yi = ((tab[t + 2] * s2) >> 12) >> 4
        e = (yr * yr + yi * yi) >> 2
        if p < nc:
            ec += e
        else:
            ea += e
        if ck is not None:
            ck.int32(c * s1, tab[t + 1] * s2, e, ec, ea)
    st[_HC] = ec
    st[_HA] = ea
    for j in range(2):
        k = d >> 2 if j == 0 else 4 + (d & 3)
        yr = st[_YC + 2 * k] >> 4
        yi = st[_YC + 2 * k + 1] >> 4
        st[_HR + j] = (yr * yr + yi * yi) >> 2


def silent(buf):
    """1 when the 80 samples are all zero."""
    for i in range(_N):
        if buf[i] != 0:
            return 0
    return 1


def txen(inp, work, tab, st):
    """The tx block's window energies into _S_TXE, as goertzel() and window() compute
    _EN, from its Y and the last tx block's (_S_TXY, then replaced by this block's)."""
    for i in range(_N):
        work[i] = (inp[i] >> _IN_SHIFT) + 2048
    for k in range(8):
        t = k * _TW
        c = tab[t]
        s1 = 0
        s2 = 0
        for i in range(_N):
            s0 = work[i] - 2048 + ((c * s1) >> 12) - s2
            s2 = s1
            s1 = s0
        yr = s1 - ((tab[t + 1] * s2) >> 12)
        yi = (tab[t + 2] * s2) >> 12
        pr = st[_S_TXY + 2 * k]
        pi = st[_S_TXY + 2 * k + 1]
        if k < 4:
            wr = (pr + ((yr * tab[t + 3] - yi * tab[t + 4]) >> 12)) >> 5
            wi = (pi + ((yr * tab[t + 4] + yi * tab[t + 3]) >> 12)) >> 5
            st[_S_TXE + k] = (wr * wr + wi * wi) * 2
        else:
            st[_S_TXE + k] = (pr >> 4) ** 2 + (pi >> 4) ** 2 + (yr >> 4) ** 2 + (yi >> 4) ** 2
        st[_S_TXY + 2 * k] = yr
        st[_S_TXY + 2 * k + 1] = yi


# dtmf.py's tables as arrays: the twins index int32 values, where the viper
# kernels read the generated bytes (tonetab.py) in place.
from array import array  # noqa: E402
from rrfw.dsp import tonetab  # noqa: E402

TAB = array("i", tonetab.DTMF_TAB)
HTAB = array("i", tonetab.DTMF_HTAB)

# In dtmf.py's order (its _K* indexes): what a plain DtmfReceiver calls.
KERNELS = (goertzel, window, decide, long, harm, silent, TAB, HTAB, txen)
