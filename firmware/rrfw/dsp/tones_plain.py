# Plain twins of tones.py's viper kernels (corr, power, sig_power, pick): CPython runs these,
# and the tests compare them with the viper ones (the convention:
# rrfw/compat.py). Not in manifest.py: never on the board.

# as tones.py
_N = const(80)
_W = const(4)
_BIAS = const(0x4000000)
_ROW = const(168)   # int16 a probe row (tones.make_table)
# pick's: the thresholds and the value array's offsets
_PURITY40 = const(18)   # = tones._PURITY40
_COMP40 = const(4)      # = tones._COMP40
_AM_RATIO = const(2)    # = tones._AM_RATIO
_A_EB = const(0)        # = tones._A_EB
_A_RSIG = const(21)     # = tones._A_RSIG
_A_RREF = const(25)     # = tones._A_RREF
_A_MOD = const(28)      # = tones._A_MOD
_A_NS = const(35)       # = tones._A_NS
_A_NK = const(36)       # = tones._A_NK


def corr(blk, tab, rows, nk, re, im, slot):
    # Plain twin of tones._corr_vp. Per sample |s*c| <= 2^29, >>10 -> 2^19, x80 -> 2^25.3;
    # s*s >> 9 <= 2^21, x80 -> 2^27.3: all inside 32-bit signed.
    e = 0
    for n in range(_N):
        x = blk[n]
        e += (x * x) >> 9
    for k in range(nk):
        base = rows[k] * _ROW
        ar = 0
        ai = 0
        for n in range(_N):
            x = blk[n]
            ar += (x * tab[base + n]) >> 10
            ai += (x * tab[base + _N + n]) >> 10
        re[k * _W + slot] = ar + _BIAS
        im[k * _W + slot] = ai + _BIAS
    return e


def power(re, im, tab, rows, nk, slot, out):
    # Plain twin of tones._power_vp. Rotate-and-sum the 4 block correlations (oldest first):
    # (a>>6) <= 2^19.3, x Q10 rotation -> 2^29.3, difference 2^30.3, >>10 summed x4
    # -> 2^22.3, >>8 -> 2^14.3, squared and summed -> 2^29.6: inside 32-bit signed.
    for k in range(nk):
        base = rows[k] * _ROW + 2 * _N
        xr = 0
        xi = 0
        for i in range(_W):
            j = k * _W + ((slot + 1 + i) & 3)
            a = (re[j] - _BIAS) >> 6
            b = (im[j] - _BIAS) >> 6
            c = tab[base + i]
            d = tab[base + _W + i]
            xr += (a * c - b * d) >> 10
            xi += (a * d + b * c) >> 10
        xr >>= 8
        xi >>= 8
        out[k] = xr * xr + xi * xi


def sig_power(sp, pw, o, lim):
    # Plain twin of tones._sig_power_vp: the summed power of the signal whose record is at
    # sp[o] (a group count, then each group's probe count and probes), or -1 when a group's
    # power is under lim.
    n = sp[o]
    s = 0
    for g in range(n):
        o += 1
        c = sp[o]
        t = 0
        for i in range(c):
            t += pw[sp[o + 1 + i]]
        o += c
        if t < lim:
            return -1
        s += t
    return s


def pick(sp, pw, a, e):
    # Plain twin of tones._pick_vp: the window's swing into a[_A_MOD], then the strongest
    # signal whose groups each hold _COMP40/40 of the energy and which holds _PURITY40/40,
    # as its alias (or -1); a[_A_RREF] raised when it is the running run's signal.
    e0 = a[_A_EB]
    e1 = a[_A_EB + 1]
    e2 = a[_A_EB + 2]
    e3 = a[_A_EB + 3]
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
    a[_A_MOD] = 1 if hi >= _AM_RATIO * lo else 0
    e9 = e >> 9
    lim = _COMP40 * e9
    pur = _PURITY40 * e9
    ns = a[_A_NS]
    nk = a[_A_NK]
    so = nk + 2 * ns
    best = -1
    best_s = 0
    for j in range(ns):
        s = sig_power(sp, pw, sp[so + j], lim)   # (-1: a group too weak; pur >= 0)
        if s >= pur and s > best_s:
            best = j
            best_s = s
    if best >= 0:
        best = sp[nk + best]   # its alias
        if best == a[_A_RSIG] and best_s > a[_A_RREF]:
            a[_A_RREF] = best_s
    return best
