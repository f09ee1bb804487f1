"""Shared by the DTMF tests: run the firmware receiver in this process (CPython,
plain twins) over float samples, and spawn the micropython engine."""
import os
import subprocess
import sys
from array import array

import numpy as np

from ringroute import audio, paths


from rrfw.dsp import dtmf  # noqa: E402  (firmware/dtmf.py)


def to_blocks(x):
    s = audio.to_int16(x)
    pad = (-len(s)) % 80
    if pad:
        s = np.concatenate([s, np.zeros(pad, np.int16)])
    return s


def decode(x, tx=None, rx=None):
    """Events of a fresh receiver over float samples `x` (optional tx, same length)."""
    s = to_blocks(x)
    t = to_blocks(tx) if tx is not None else None
    r = rx or dtmf.DtmfReceiver()
    r.reset()
    out = []
    blk = array("h", bytes(160))
    tblk = array("h", bytes(160))
    n = len(s) // 80
    for b in range(n):
        blk[:] = array("h", s[b * 80:(b + 1) * 80].tobytes())
        if t is not None:
            tblk[:] = array("h", t[b * 80:(b + 1) * 80].tobytes())
        r.process(blk, b * 10, tblk if t is not None else None)
        e = r.pop()
        while e is not None:
            out.append(e)
            e = r.pop()
    r.finish(n * 10)
    e = r.pop()
    while e is not None:
        out.append(e)
        e = r.pop()
    return out


def digits(events):
    return "".join(e["digit"] for e in events)


def run_micropython(code, timeout=300, heapsize=None, source=False):
    """Run `code` in the unix-port micropython with the firmware on its path; stdout.

    source: the firmware sources instead of the .mpy build, which holds only
    what ships (so no plain twins, dtmf_plain.py and the like)."""
    cmd = paths.engine_command("micropython", heapsize) + ["-c", code]
    p = subprocess.run(cmd, env=paths.engine_env("micropython", source=source), capture_output=True,
                       text=True, timeout=timeout)
    assert p.returncode == 0, p.stderr or p.stdout
    return p.stdout
