# Plain twins of pcm.py's viper kernels: CPython runs these (the convention:
# rrfw/compat.py). Not in manifest.py: never on the board.


def _h(buf):
    # a signed 16-bit view of any buffer
    return memoryview(buf).cast("B").cast("h")


def deinterleave(dst, src, channel, channels, n):
    s = _h(src)
    for i in range(n):
        dst[i] = s[channel + i * channels]


def interleave(dst, src, channel, channels, n):
    d = _h(dst)
    for i in range(n):
        d[channel + i * channels] = src[i]


def copy16(dst, dst_off, src, src_off, n):
    d = _h(dst)
    s = _h(src)
    d[dst_off:dst_off + n] = s[src_off:src_off + n]


def fill16(dst, value, n):
    d = _h(dst)
    for i in range(n):
        d[i] = value


def expand_ulaw(dst, src, table, n, size):
    for i in range(n):
        dst[i] = table[src[i]]
    for i in range(n, size):
        dst[i] = 0
