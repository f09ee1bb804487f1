# Sample shuffling between the codec's frames and the per-line blocks.
# Viper on MicroPython; a plain twin on CPython gives the same results.
# Used in the per-block path, so nothing here allocates.
from rrfw.compat import IS_MICROPYTHON

if IS_MICROPYTHON:
    import micropython

    @micropython.viper
    def deinterleave(dst, src, channel: int, channels: int, n: int):
        # src: bytes of little-endian int16 frames (I2S), dst: array('h')
        d = ptr16(dst)
        s = ptr16(src)
        i = 0
        j = channel
        while i < n:
            d[i] = s[j]
            i += 1
            j += channels

    @micropython.viper
    def interleave(dst, src, channel: int, channels: int, n: int):
        d = ptr16(dst)
        s = ptr16(src)
        i = 0
        j = channel
        while i < n:
            d[j] = s[i]
            i += 1
            j += channels

    @micropython.viper
    def copy16(dst, dst_off: int, src, src_off: int, n: int):
        # copies n 16-bit samples; offsets in samples
        d = ptr16(dst)
        s = ptr16(src)
        i = 0
        while i < n:
            d[dst_off + i] = s[src_off + i]
            i += 1

    @micropython.viper
    def fill16(dst, value: int, n: int):
        d = ptr16(dst)
        i = 0
        while i < n:
            d[i] = value
            i += 1

    @micropython.viper
    def expand_ulaw(dst, src, table, n: int, size: int):
        # G.711 mu-law bytes -> int16 through a 256-entry table; silence after n
        d = ptr16(dst)
        s = ptr8(src)
        t = ptr16(table)
        i = 0
        while i < n:
            d[i] = t[s[i]]
            i += 1
        while i < size:
            d[i] = 0
            i += 1
else:
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
