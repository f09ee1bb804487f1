# Shims so one firmware source runs on MicroPython (board, unix port) and CPython.
# Only what differs between the two lives here.
#
# Viper kernels and their plain twins (dsp/dtmf, dsp/dtmfgen, dsp/callerid,
# dsp/tones, line/hangup, hal/pcm), one convention:
#   VIPER        the one selector: True on MicroPython, whose ports all build the
#                viper emitter. Kernel modules test it; none detects on its own.
#   _name_vp     a viper kernel, defined under `if VIPER:` in the shipped module.
#   name         its plain twin, in the sibling <module>_plain.py: same arguments,
#                same integer operations in the same order (the agreement tests
#                compare the two). *_plain.py is not in manifest.py, so never on
#                the board; the shipped module imports it only on CPython or when
#                a test asks for it (DtmfReceiver(plain=True)).
#   check        a twin module's hook: a check32_plain.Check32 while a test
#                watches that every intermediate fits the ESP32's 32-bit viper ints.
# Sign extension in viper: ptr16 / ptr32 loads are zero-extended to the native
# int (32 bits on the ESP32, 64 on the unix port), so a signed value is read as
#     (p[i] << sx) >> sx      with sx = int(SX16) or int(SX32)
# (a local set once per call; a viper load is an int, so >> is arithmetic). An array a kernel keeps biased non-negative
# (tones, callerid: the bias is part of their state) is read without it.
import sys
from array import array

try:
    import micropython  # noqa: F401
    VIPER = True
except ImportError:  # CPython: viper kernels give way to their plain twins (const: rrfw/__init__.py)
    VIPER = False

SX32 = 32 if sys.maxsize > 2147483647 else 0   # shift that sign-extends a ptr32 load
SX16 = SX32 + 16                                 # ... a ptr16 load

try:
    import time as _time
    ticks_ms = _time.ticks_ms  # type: ignore[attr-defined]
except AttributeError:  # CPython
    import time as _time

    def ticks_ms():
        return int(_time.monotonic() * 1000) & 0x3FFFFFFF


def unload(fullname):
    """Forget a lazily loaded module so the heap its code holds can be
    collected: out of sys.modules, and off its parent package, which keeps
    every imported submodule as an attribute (MicroPython as CPython)."""
    if fullname in sys.modules:
        del sys.modules[fullname]
    pkg, _, name = fullname.rpartition(".")
    parent = sys.modules.get(pkg)
    if parent is not None and name in getattr(parent, "__dict__", {}):
        delattr(parent, name)


def filled(typecode, n, value=0):
    """array(typecode) of n items, all `value`, in one allocation of its size.
    array(tc, bytes(k)) and array(tc, [v] * n) first build a temporary as large
    as the array (MicroPython copies a bytes initialiser, and a list is a list):
    at the busy run's peak a call-back's tone detector failed on its second
    allocation of the two (docs/notes/heap.md, 2026-12-04). From a range the
    port sizes the array by len() and fills it in place."""
    a = array(typecode, range(n))
    for i in range(n):
        a[i] = value
    return a
