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


def unload(fullname):
    """Forget a lazily loaded module so the heap its code holds can be
    collected: out of sys.modules, and off its parent package, which keeps
    every imported submodule as an attribute (MicroPython as CPython)."""
    import sys
    if fullname in sys.modules:
        del sys.modules[fullname]
    pkg, _, name = fullname.rpartition(".")
    parent = sys.modules.get(pkg)
    if parent is not None and name in getattr(parent, "__dict__", {}):
        delattr(parent, name)
