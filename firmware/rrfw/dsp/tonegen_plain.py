# Plain twin of tonegen.py's viper kernel (which dtmfgen.py plays its keys with too):
# CPython runs it, and the tests compare it with the viper one (the convention:
# rrfw/compat.py). Not in manifest.py: never on the board.
from array import array

from rrfw.dsp import tonetab

_N = const(80)   # samples per block, as tonegen.py
SINE = array("h", tonetab.SINE256)   # the flash sine as int16 values


def sines(tx, sine, st):
    """80 samples of two sines into tx; st = [phase1, inc1, amp1, phase2, inc2, amp2] (amp Q15)."""
    p1 = st[0]
    i1 = st[1]
    a1 = st[2]
    p2 = st[3]
    i2 = st[4]
    a2 = st[5]
    for i in range(_N):
        tx[i] = (sine[p1 >> 16] * a1 + sine[p2 >> 16] * a2) >> 15
        p1 = (p1 + i1) & 0xFFFFFF
        p2 = (p2 + i2) & 0xFFFFFF
    st[0] = p1
    st[3] = p2
