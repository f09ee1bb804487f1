# Runs one of the firmware's decoders over raw 8 kHz 16-bit recordings.
# Runs under MicroPython (the default engine) or CPython, with the firmware
# folder on the module path, and prints one JSON object per decoded event.
# Emulator-side code (rremu): never flashed.
#
# argv: MODULE:CLASS RAWFILE [RAWFILE ...]; MODULE is a DECODERS name or a
# dotted firmware module. CLASS is a class of it, or a preset (_decoder below).
# The decoder class follows the firmware decoder interface (ARCHITECTURE.md):
#   d = CLASS(); d.reset(); d.process(block, t_ms); d.pop() -> dict or None;
#   d.finish(t_ms) flushes anything still open at the end of a recording.
import sys
import json
from array import array

from rrfw.hal.base import BLOCK_SAMPLES as BLOCK, BLOCK_MS

# the decoders a technician runs over recordings (ringroute dtmf/callerid/tones)
DECODERS = {"dtmf": "rrfw.dsp.dtmf", "callerid": "rrfw.dsp.callerid", "tones": "rrfw.dsp.tones",
            "linelearn": "rrfw.line.learn"}


def _module(name):
    full = DECODERS.get(name, name)
    mod = __import__(full)
    for part in full.split(".")[1:]:   # __import__ returns the top package
        mod = getattr(mod, part)
    return mod


# Presets: decoders built with arguments, named like classes the firmware does not
# define (a class or closure per preset would cost the board's heap at every import):
# a caller ID standard fixed (ringroute callerid decode --standard), and NAME_CC for
# NAME(CC), a country's profile ("tones:ToneDetector_DE", "linelearn:LineLearner_FR").
PRESETS = {"CallerIdBell202": ("CallerIdDecoder", {"standard": "bell202"}),
           "CallerIdV23": ("CallerIdDecoder", {"standard": "v23"}),
           "CallerIdFsk": ("CallerIdDecoder", {"standard": "fsk"}),
           "CallerIdDtmf": ("CallerIdDecoder", {"standard": "dtmf"}),
           "CallerIdNtt": ("CallerIdDecoder", {"standard": "ntt"}),
           "CallerIdDiagnostic": ("CallerIdDecoder", {"diagnostics": True})}


def _decoder(mod, name):
    if hasattr(mod, name):
        return getattr(mod, name)()
    if name in PRESETS:
        cls, kwargs = PRESETS[name]
        return getattr(mod, cls)(**kwargs)
    cls, cc = name.rsplit("_", 1)
    return getattr(mod, cls)(cc)


def main(argv):
    mod_name, cls_name = argv[1].split(":")
    dec = _decoder(_module(mod_name), cls_name)
    block = array("h", bytes(BLOCK * 2))
    for idx, path in enumerate(argv[2:]):
        dec.reset()
        t = 0
        with open(path, "rb") as f:
            while True:
                n = f.readinto(block)
                if not n:
                    break
                if n < BLOCK * 2:  # zero-pad the last partial block
                    for i in range(n // 2, BLOCK):
                        block[i] = 0
                dec.process(block, t)
                t += BLOCK_MS
                ev = dec.pop()
                while ev is not None:
                    ev["file_index"] = idx
                    print(json.dumps(ev))
                    ev = dec.pop()
        dec.finish(t)
        ev = dec.pop()
        while ev is not None:
            ev["file_index"] = idx
            print(json.dumps(ev))
            ev = dec.pop()


main(sys.argv)
