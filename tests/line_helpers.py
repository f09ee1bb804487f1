"""Helpers for the trunk-line tests: run the firmware's ringdet/hangup/tones in either engine."""
import glob
import json
import math
import os
import subprocess
import tempfile

import numpy as np
import pytest

from ringroute import audio, paths

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(ROOT, "tests", "line_fw", "run_line.py")
ENGINES = ("micropython", "cpython")
COUNTRIES = ("US", "UK", "DE", "FR", "IT", "ES", "NL", "AU")
MOH = "/usr/share/asterisk/moh"
SPEECH = "/usr/share/asterisk/sounds/en_US_f_Allison"


def run_line(kind, params, engine="micropython", files=None):
    """Run tests/line_fw/run_line.py KIND with PARAMS; returns the printed JSON objects.

    files: {name: bytes} written to a temporary folder; params values equal to a
    name are replaced by that file's path."""
    with tempfile.TemporaryDirectory(prefix="line-") as tmp:
        params = dict(params)
        for name, data in (files or {}).items():
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            for k, v in list(params.items()):
                if v == name:
                    params[k] = path
        pj = os.path.join(tmp, "params.json")
        with open(pj, "w") as f:
            json.dump(params, f)
        cmd = paths.engine_command(engine) + [RUNNER, kind, pj]
        p = subprocess.run(cmd, env=paths.engine_env(engine), capture_output=True, text=True,
                           timeout=600)
        assert p.returncode == 0, p.stderr[-2000:]
        return [json.loads(ln) for ln in p.stdout.splitlines() if ln.startswith("{")]


def pcm(x):
    return audio.to_int16(np.asarray(x, dtype=np.float64)).astype("<i2").tobytes()


def ctrl(n_blocks, loop=None, reversed_=None, playing=None):
    """3 bytes per block for the hangup runner. loop/reversed_/playing: functions t_ms -> bool
    (defaults: loop current on, normal polarity, not playing)."""
    out = bytearray()
    for i in range(n_blocks):
        t = i * 10
        out.append(1 if (loop is None or loop(t)) else 0)
        out.append(1 if (reversed_ is not None and reversed_(t)) else 0)
        out.append(1 if (playing is not None and playing(t)) else 0)
    return bytes(out)


def hangup(x, profile="US", engine="micropython", loop=None, reversed_=None, playing=None,
           heap_lock=False, **kw):
    """First hang-up the firmware's HangupDetector reports on audio x: (method, t_ms)."""
    n = len(x) // 80
    out = run_line("hangup", {"profile": profile, "kw": kw, "raw": "a.raw", "ctrl": "c.bin",
                              "heap_lock": heap_lock}, engine,
                   files={"a.raw": pcm(x[:n * 80]), "c.bin": ctrl(n, loop, reversed_, playing)})
    return out[-1]["method"], out[-1]["t_ms"]


def tones_run(x, profile="US", engine="micropython", heap_lock=False):
    """(events, current-changes) of the firmware's ToneDetector over audio x."""
    out = run_line("tones", {"profile": profile, "raw": "a.raw", "heap_lock": heap_lock}, engine,
                   files={"a.raw": pcm(x)})
    evs = [o for o in out if o.get("event") == "tone"]
    cur = [o for o in out if "current" in o]
    return evs, cur


def silence(seconds, noise_dbm0=-70, seed=0):
    rng = np.random.default_rng(seed)
    n = int(seconds * 8000)
    return rng.standard_normal(n) * audio.dbm0_to_peak(noise_dbm0) / math.sqrt(2)


DTMF_ROWS = (697, 770, 852, 941)
DTMF_COLS = (1209, 1336, 1477, 1633)
DTMF_KEYS = "123A456B789C*0#D"


def dtmf(keys, on_ms=100, off_ms=100, level_dbm0=-10):
    """DTMF digits (ITU-T Q.23 frequencies), float samples."""
    parts = []
    for k in keys:
        i = DTMF_KEYS.index(k)
        r, c = DTMF_ROWS[i // 4], DTMF_COLS[i % 4]
        t = np.arange(on_ms * 8) / 8000.0
        a = audio.dbm0_to_peak(level_dbm0)
        parts.append(a * (np.sin(2 * math.pi * r * t) + np.sin(2 * math.pi * c * t)))
        parts.append(np.zeros(off_ms * 8))
    return np.concatenate(parts)


def real_audio(kind, max_seconds=None):
    """Real speech ("speech") or music ("music") from the Debian packages, 8 kHz float;
    skips the test naming the package when it is not installed."""
    if kind == "music":
        files = sorted(glob.glob(os.path.join(MOH, "*.wav")))
        pkg = "asterisk-moh-opsound-wav"
    else:
        files = sorted(glob.glob(os.path.join(SPEECH, "*.wav")))
        pkg = "asterisk-core-sounds-en-wav"
    if not files:
        pytest.skip("needs Debian package %s (scripts/sysdeps.txt)" % pkg)
    out = []
    total = 0
    for f in files:
        x = audio.read_wav_8k(f).astype(np.float64)
        out.append(x)
        total += len(x)
        if max_seconds and total >= max_seconds * 8000:
            break
    x = np.concatenate(out)
    if max_seconds:
        x = x[:int(max_seconds * 8000)]
    return x
