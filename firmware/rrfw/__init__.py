# The ringroute firmware: one package whose folders are its layers
# (ARCHITECTURE.md). Lower layers never import higher ones:
#   hal/      the HAL contract and the ESP32 HAL: the only hardware access
#   dsp/      signal processing: DTMF in and out, caller ID, tones
#   line/     the trunk line: ring detection, hang-up, call progress, learning, countries
#   store/    flash: atomic files, the config store and its check, call records
#   call/     call logic: the app, each line's call flows, IVR, routing, queueing
#   console/  the serial console: protocol, commands, PIN
VERSION = "0.1.0"

# const(): MicroPython's compiler folds `_X = const(3)` at module level by the call's
# name alone, with no import; an imported `const` would be one more slot in every
# module's dict (57 modules: 456 B on the board, issue 14). CPython has no such
# compiler, so there it is a builtin that returns its argument, set before any
# firmware module's body runs (each is imported through this package).
try:
    import micropython  # noqa: F401
except ImportError:
    import builtins
    if not hasattr(builtins, "const"):
        builtins.const = lambda x: x
