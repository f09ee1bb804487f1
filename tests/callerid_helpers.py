"""Helpers for the caller-ID tests: decode numpy signals with the firmware decoder
in-process (CPython, plain twins) or in batches under the real `micropython`."""
import os
import subprocess
from array import array

import numpy as np

from ringroute import audio, fwexec, paths
from ringroute.signals import callerid as G

from rrfw.dsp import callerid as fw


def pcm(x):
    s = audio.to_int16(np.asarray(x, dtype=np.float64))
    return np.concatenate([s, np.zeros((-len(s)) % 80, np.int16)])


def decode_cpython(x, **kw):
    """(events, decoder) for float or int16 samples, run block by block in-process."""
    d = fw.CallerIdDecoder(**kw)
    s = pcm(x)
    blk = array("h", bytes(160))
    evs = []
    for i in range(0, len(s), 80):
        blk[:] = array("h", s[i:i + 80].tobytes())
        d.process(blk, i // 8)
        e = d.pop()
        while e is not None:
            evs.append(e)
            e = d.pop()
    d.finish(len(s) // 8)
    return evs, d


def decode_batch(signals, tmp_path, engine="micropython", spec="callerid:CallerIdDecoder"):
    """Events per signal, all decoded in one engine process."""
    files = []
    for i, x in enumerate(signals):
        p = os.path.join(str(tmp_path), "cid%04d.wav" % i)
        audio.write_wav(p, pcm(x))
        files.append(p)
    return fwexec.run_decoder(spec, files, engine)


def exact(evs, want):
    """True when exactly one message came out and it says what was sent."""
    if len(evs) != 1:
        return False
    e = evs[0]
    return all(e.get(k) == v for k, v in want.items())


def random_case(rng, standard, level, snr, twist=None):
    """(signal, expected fields) of one random caller-ID message of `standard`."""
    digits = "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(7, 12))))
    kind = rng.random()
    name = None
    reason = None
    number = digits
    if kind < 0.1:
        number, reason = None, "withheld"
    elif kind < 0.2:
        number, reason = None, "unavailable"
    fmt = "mdmf"
    if standard == "bell202" and rng.random() < 0.5:
        fmt = "sdmf"
    if standard not in ("dtmf", "ntt") and fmt == "mdmf" and rng.random() < 0.7:
        name = ["SMITH JOHN", "ACME LTD", "O'BRIEN A", "WIRELESS CALLER", "Zoe Muller"][int(rng.integers(0, 5))]
    tw = float(rng.uniform(-6, 6)) if twist is None else twist
    x, span = G.on_hook_audio(standard, level_dbm0=level, snr_db=snr, rng=rng, number=number,
                              name=name, reason=reason, format=fmt, twist_db=tw,
                              freq_error=float(rng.uniform(-0.01, 0.01)),
                              baud_error=float(rng.uniform(-0.01, 0.01)),
                              datetime="%02d%02d%02d%02d" % (rng.integers(1, 13), rng.integers(1, 29),
                                                              rng.integers(0, 24), rng.integers(0, 60)))
    want = {"standard": standard, "number": number, "name": name, "reason": reason}
    return x, want, span


def real_audio_files(kind):
    """WAV files of real speech or music from Debian packages (skip when absent)."""
    import glob
    import pytest
    if kind == "speech":
        files = sorted(glob.glob("/usr/share/asterisk/sounds/*/*.wav"))
        pkg = "asterisk-core-sounds-en-wav"
    else:
        files = sorted(glob.glob("/usr/share/asterisk/moh/*.wav"))
        pkg = "asterisk-moh-opsound-wav"
    if not files:
        pytest.skip("needs the Debian package %s" % pkg)
    return files


def run_micropython(script, args, timeout=300):
    cmd = paths.engine_command("micropython") + [script] + list(args)
    return subprocess.run(cmd, env=paths.engine_env("micropython"), capture_output=True,
                          text=True, timeout=timeout)
