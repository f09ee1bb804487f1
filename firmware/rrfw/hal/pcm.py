# Sample shuffling between the codec's frames and the per-line blocks.
# Viper on MicroPython; the plain twins (pcm_plain.py) on CPython give the
# same results (the convention: rrfw/compat.py). Used in the per-block path,
# so nothing here allocates. 16-bit stores keep the low half, so these copies
# need no sign extension.
from rrfw.compat import VIPER

if VIPER:
    import micropython

    @micropython.viper
    def _deinterleave_vp(dst, src, channel: int, channels: int, n: int):
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
    def _interleave_vp(dst, src, channel: int, channels: int, n: int):
        d = ptr16(dst)
        s = ptr16(src)
        i = 0
        j = channel
        while i < n:
            d[j] = s[i]
            i += 1
            j += channels

    @micropython.viper
    def _copy16_vp(dst, dst_off: int, src, src_off: int, n: int):
        # copies n 16-bit samples; offsets in samples
        d = ptr16(dst)
        s = ptr16(src)
        i = 0
        while i < n:
            d[dst_off + i] = s[src_off + i]
            i += 1

    @micropython.viper
    def _fill16_vp(dst, value: int, n: int):
        d = ptr16(dst)
        i = 0
        while i < n:
            d[i] = value
            i += 1

    @micropython.viper
    def _expand_ulaw_vp(dst, src, table, n: int, size: int):
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

    deinterleave = _deinterleave_vp
    interleave = _interleave_vp
    copy16 = _copy16_vp
    fill16 = _fill16_vp
    expand_ulaw = _expand_ulaw_vp
else:
    from rrfw.hal.pcm_plain import deinterleave, interleave, copy16, fill16, expand_ulaw  # noqa: F401
