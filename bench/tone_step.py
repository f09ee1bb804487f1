"""The connected block's tone work, per 10 ms block, under the 64-bit micropython
on the firmware's x64 .mpy build (the emulator's build/mpy-x64, rebuilt where stale).

    PYTHONPATH=. .venv/bin/python -m bench.tone_step [SECONDS] [--engine mp32]

For each profile (US, DE) and input (the emulated caller's speech-like noise at
-20 dBm0, the world's default level; digital silence; the profile's busy tone
at -20 dBm0, which the detector recognises partway): us a block of
  tones    the hang-up detector's ToneDetector (busy and reorder) .process
  hangup   HangupDetector.process (tones, silence, CPC, reversal), reset when it fires
each the least of 5 passes over SECONDS (default 20) of audio, so a shared
machine's load inflates it least. Figures are this machine's; the ESP32 runs
MicroPython some 50x slower (docs/notes/soak.md). --engine mp32: the 32-bit unix
port (`make mp32`) on the x86 .mpy build, 32-bit viper ints as on the board.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _p in (os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

PROFILES = ("US", "DE")
PASSES = 5

_SCRIPT = r'''
import sys, time
from array import array
from rrfw.line import hangup
from rrfw.dsp import tones
raw, cc = sys.argv[1], sys.argv[2]
with open(raw, "rb") as f:
    pcm = array("h", f.read())
nb = len(pcm) // 80
blocks = [pcm[i * 80:(i + 1) * 80] for i in range(nb)]
def best(fn):
    b = 0
    for _ in range(%d):
        t0 = time.ticks_us()
        fn()
        dt = time.ticks_diff(time.ticks_us(), t0)
        if b == 0 or dt < b:
            b = dt
    return b / nb
h = hangup.HangupDetector(cc)
d = h.tones
def run_tones():
    d.reset()
    t = 0
    for b in blocks:
        d.process(b, t)
        d.clear_events()
        t += 10
def run_hangup():
    h.reset(0)
    t = 0
    for b in blocks:
        if h.process(b, t, True, 1, False) is not None:
            h.reset(t)
        t += 10
print("tones", best(run_tones))
print("hangup", best(run_hangup))
''' % PASSES


def _inputs(cc, seconds):
    from ringroute.emu import sounds
    n = seconds * 8000
    voice = sounds.caller_table(-20.0, "noise")
    voice = np.resize(voice, n)
    from ringroute.signals import tones as st
    busy = np.asarray(st.tone_samples(cc, "busy", n, 0, level_dbm0=-20.0), dtype=np.float64)
    out = {}
    for name, x in (("voice", voice), ("silence", np.zeros(n)), ("busy", busy)):
        out[name] = np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes()
    return out


def main():
    from ringroute import paths
    args = sys.argv[1:]
    engine = "micropython"
    if "--engine" in args:
        i = args.index("--engine")
        engine = args[i + 1]
        del args[i:i + 2]
    seconds = int(args[0]) if args else 20
    cmd = paths.engine_command(engine, "16M")   # the audio's blocks are held in the heap
    env = paths.engine_env(engine)
    print("us per 10 ms block, %s on its .mpy build, least of %d passes over %d s"
          % (engine, PASSES, seconds))
    print("  %-3s %-8s %8s %8s" % ("cc", "input", "tones", "hangup"))
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "tone_step.py")
        with open(script, "w") as f:
            f.write(_SCRIPT)
        for cc in PROFILES:
            for name, data in _inputs(cc, seconds).items():
                raw = os.path.join(tmp, "%s_%s.raw" % (cc, name))
                with open(raw, "wb") as f:
                    f.write(data)
                p = subprocess.run(cmd + [script, raw, cc], env=env, capture_output=True, text=True,
                                   timeout=600)
                if p.returncode:
                    raise SystemExit(p.stdout + p.stderr)
                r = dict(ln.split() for ln in p.stdout.splitlines())
                print("  %-3s %-8s %8.2f %8.2f" % (cc, name, float(r["tones"]), float(r["hangup"])),
                      flush=True)


if __name__ == "__main__":
    main()
