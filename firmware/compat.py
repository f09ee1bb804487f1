# Shims so one firmware source runs on MicroPython (board, unix port) and CPython.
# Only what differs between the two lives here.
try:
    from micropython import const  # noqa: F401
    import micropython  # noqa: F401
    IS_MICROPYTHON = True
except ImportError:  # CPython: const is identity, viper functions get plain twins
    IS_MICROPYTHON = False

    def const(x):
        return x

try:
    import time as _time
    ticks_ms = _time.ticks_ms  # type: ignore[attr-defined]
except AttributeError:  # CPython
    import time as _time

    def ticks_ms():
        return int(_time.monotonic() * 1000) & 0x3FFFFFFF
