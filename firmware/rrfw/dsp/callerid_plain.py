# Plain twins of callerid.py's viper kernels: CPython runs these, and the
# tests compare them with the viper ones (the convention: rrfw/compat.py).
# Not in manifest.py: never on the board.
#
# The constants and the cosine table are callerid.py's (its underscored
# consts are folded at compile time, so MicroPython cannot import them);
# tests/test_dtmf_kernels.py checks that every one here still equals callerid.py's.
import math


check = None   # a check32_plain.Check32 while a test watches the arithmetic

_BLOCK = const(80)
_BIAS = const(536870912)
_INC_MARK = const(10240)
_INC_SPACE = const(17613)
_WIN = const(8)
_CORR_SHIFT = const(11)
_BP_B0 = const(1556)
_BP_A1 = const(-1391)
_BP_A2 = const(983)
_BIT_T3 = const(20)
_HALF_T3 = const(9)
_CLK_HOLD = const(3)
_CLK_WIN = const(12)
_CLK_NONE = const(-30000)
_FRAMING = const(256)
_S_OFF = const(21)
_S_NPOS = const(20)
_S_AM = const(22)
_S_AS = const(23)
_S_EM = const(24)
_S_ES = const(25)
_S_FR = const(26)
_S_BX = const(27)
_S_DSUM = const(28)
_S_DN = const(29)
_S_SHT = const(30)
_S_FLY = const(31)
_TONE_SLOTS = const(7)

_COS = bytearray(256)
for _i in range(256):
    _COS[_i] = 128 + int(round(127 * math.cos(2 * math.pi * _i / 256)))


def sumabs(x):
    s = 0
    for v in x:
        s += v if v >= 0 else -v
    return s


def fsk_block(st, ring, x, out):
    ck = check
    T = _COS
    B = _BIAS
    pm, ps = st[0], st[1]
    xp, yp = st[2] - B, st[3] - B
    ri = st[4]
    smi, smq, ssi, ssq = st[5] - B, st[6] - B, st[7] - B, st[8] - B
    uart, cnt, bit, byte, run, prev, last = st[9], st[10], st[11], st[12], st[13], st[14], st[15]
    dp = st[16] - B
    dpp = st[17] - B
    xx2 = st[18] - B
    yy2 = st[19] - B
    off = st[_S_OFF] - 8
    am = st[_S_AM]
    ase = st[_S_AS]
    fr = st[_S_FR]
    bx = st[_S_BX] - B
    sht = st[_S_SHT]
    dsum = 0
    dn = 0
    sem = 0
    ses = 0
    npos = 0
    nout = 0
    for i in range(_BLOCK):
        v = x[i]
        y = (_BP_B0 * (v - xx2) - _BP_A1 * yp - _BP_A2 * yy2) >> 12
        if ck is not None:
            ck.int32(_BP_B0 * (v - xx2) - _BP_A1 * yp - _BP_A2 * yy2)
        xx2 = xp
        xp = v
        yy2 = yp
        if y > 32767:
            y = 32767
        elif y < -32767:
            y = -32767
        yp = y
        pm = (pm + _INC_MARK) & 0xFFFF
        ps = (ps + _INC_SPACE) & 0xFFFF
        a = pm >> 8
        b = ps >> 8
        p0 = y * (T[a] - 128)
        p1 = y * (T[(a + 192) & 255] - 128)
        p2 = y * (T[b] - 128)
        p3 = y * (T[(b + 192) & 255] - 128)
        k = ri * 4
        smi += p0 - (ring[k] - B)
        ring[k] = p0 + B
        smq += p1 - (ring[k + 1] - B)
        ring[k + 1] = p1 + B
        ssi += p2 - (ring[k + 2] - B)
        ring[k + 2] = p2 + B
        ssq += p3 - (ring[k + 3] - B)
        ring[k + 3] = p3 + B
        ri += 1
        if ri == _WIN:
            ri = 0
        # the stronger tone's correlator over the last 7 samples only (the oldest
        # product, in the slot ri now points at, taken off): less of the bit before
        u = smi
        w = smq
        u2 = ssi
        w2 = ssq
        if sht == 1:
            u -= ring[ri * 4] - B
            w -= ring[ri * 4 + 1] - B
        elif sht == 2:
            u2 -= ring[ri * 4 + 2] - B
            w2 -= ring[ri * 4 + 3] - B
        if ck is not None:
            ck.int32(u + B, w + B, u2 + B, w2 + B)
        u >>= _CORR_SHIFT
        w >>= _CORR_SHIFT
        em = u * u + w * w
        u2 >>= _CORR_SHIFT
        w2 >>= _CORR_SHIFT
        es = u2 * u2 + w2 * w2
        # the twist equaliser: the stronger tone's energy scaled down by (16 - a) / 16
        d = em - es - (em >> 4) * am + (es >> 4) * ase
        sem += em >> 8
        ses += es >> 8
        if d > 0:
            npos += 1
        if ck is not None:
            ck.int32(p0 + B, p1 + B, p2 + B, p3 + B, smi + B, smq + B, ssi + B, ssq + B,
                     smi - B, ssi - B, em, es, d, sem, ses)
        if uart == 0:
            # the clock of the byte before runs on: its next sample point, had a
            # start bit followed straight away
            if cnt > _CLK_NONE:
                cnt -= 3
            if d > 0:
                if run < 30000:
                    run += 1
                prev = 1
            else:
                if prev:
                    # Edge: the zero crossing lies at (i - 1) + dp / (dp - d) samples;
                    # in thirds, rounded. The start bit's middle is 10 thirds later.
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
                    u = _HALF_T3 + q + off
                    if u - _CLK_WIN <= cnt <= u + _CLK_WIN:
                        # a byte straight after the last one: the edge moves the
                        # clock half-way, by at most what the baud tolerance allows
                        h = u - cnt
                        if h >= 0:
                            u = cnt + ((h + 1) >> 1)
                        else:
                            u = cnt - ((1 - h) >> 1)
                        if u > cnt + _CLK_HOLD:
                            u = cnt + _CLK_HOLD
                        elif u < cnt - _CLK_HOLD:
                            u = cnt - _CLK_HOLD
                        dsum += u - cnt     # how far the clock moved: its rate error
                        dn += 1
                    cnt = u
                    bit = 0
                    byte = 0
                prev = 0
        else:
            cnt -= 3
            if cnt <= 0:
                # one bit: 20 thirds plus the rate correction, bx / 256 thirds
                fr += bx
                cnt += _BIT_T3 + (fr >> 8)
                fr &= 255
                d3 = (d >> 2) + (dp >> 1) + (dpp >> 2)
                if bit == 0:
                    if d3 > 0:
                        uart = 0
                        prev = 1
                        cnt = _CLK_NONE
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
                        out[nout * 3] = byte if d3 > 0 else byte | _FRAMING
                        out[nout * 3 + 1] = last
                        out[nout * 3 + 2] = i
                        nout += 1
                    if d3 <= 0 and st[_S_FLY]:
                        # a stop bit read as space inside a message: the next start
                        # bit's centre is one bit on (cnt is there now), as if it came
                        bit = 0
                        byte = 0
                    else:
                        uart = 0
                        prev = 1 if d3 > 0 else 0
        dpp = dp
        dp = d
    st[0], st[1], st[2], st[3], st[4] = pm, ps, xp + B, yp + B, ri
    st[5], st[6], st[7], st[8] = smi + B, smq + B, ssi + B, ssq + B
    st[9], st[10], st[11], st[12], st[13], st[14], st[15] = uart, cnt, bit, byte, run, prev, last
    st[16] = dp + B
    st[17] = dpp + B
    st[18] = xx2 + B
    st[19] = yy2 + B
    st[_S_NPOS] = npos
    st[_S_EM] = sem
    st[_S_ES] = ses
    st[_S_FR] = fr
    st[_S_DSUM] = dsum + B
    st[_S_DN] = dn
    return nout


def tones_block(x, tst, n):
    ck = check
    T = _COS
    B = _BIAS
    tot = 0
    for v in x:
        tot += (v * v) >> 8
    etot = tot + tst[0]
    tst[0] = tot
    for j in range(n):
        base = 1 + j * _TONE_SLOTS
        inc = tst[base]
        ph = tst[base + 1]
        si = 0
        sq = 0
        for v in x:
            a = ph >> 8
            si += v * (T[a] - 128)
            sq += v * (T[(a + 192) & 255] - 128)
            ph = (ph + inc) & 0xFFFF
        tst[base + 1] = ph
        ti = (si + (tst[base + 2] - B)) >> 15
        tq = (sq + (tst[base + 3] - B)) >> 15
        tst[base + 2] = si + B
        tst[base + 3] = sq + B
        tst[base + 6] = ti * ti + tq * tq
        if ck is not None:
            ck.int32(si + B, sq + B, si - B, ti * ti + tq * tq)
            ck.small(etot, ti * ti + tq * tq)   # read by Python code on the board
    return etot
