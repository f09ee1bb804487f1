"""Caller ID on a board up for weeks (issue 15): the board's ms clock passes
2**31 after 24.8 days, and the decoder keeps its times in an int32 array
relative to a base it moves up (dsp/callerid.py `_rebase`). One decoder, as a
line keeps it, hears a message at boot, one across the 2**31 boundary and
more past 2**31 and 2**32 ms: every one is read exactly, under MicroPython."""
import json
import subprocess

import numpy as np
import pytest

from ringroute.signals import callerid as G

from ringroute import paths
from callerid_helpers import exact, pcm

pytestmark = pytest.mark.micropython

# board ms at which each recording starts (a message lasts about 1 s here):
# boot, the int32 edge inside the message, past it, past 2**32 and far past
STARTS = (0, 2 ** 31 - 600, 2 ** 31 + 86400000, 2 ** 32 + 7, 3 * 2 ** 31 + 123)

_SCRIPT = """
import sys, json
from array import array
from rrfw.dsp.callerid import CallerIdDecoder
from rrfw.hal.base import BLOCK_SAMPLES, BLOCK_MS
dec = CallerIdDecoder(standard=sys.argv[1])
block = array("h", bytes(BLOCK_SAMPLES * 2))
for i, start in enumerate(sys.argv[3:]):
    t = int(start)
    dec.reset()
    with open(sys.argv[2], "rb") as f:
        while f.readinto(block) == BLOCK_SAMPLES * 2:
            dec.process(block, t)
            t += BLOCK_MS
            ev = dec.pop()
            while ev is not None:
                ev["start"] = i
                print(json.dumps(ev))
                ev = dec.pop()
    dec.finish(t)
"""


# the 64-bit port and the 32-bit one (its small ints end at 2**30, as the ESP32's)
@pytest.mark.parametrize("engine", ["micropython", "mp32"])
@pytest.mark.parametrize("standard", ["bell202", "v23", "dtmf"])
def test_caller_id_is_read_past_2_31_ms_of_uptime(standard, engine, tmp_path):
    name = None if standard == "dtmf" else "ACME SUPPLIES"
    x, _ = G.on_hook_audio(standard, number="5551234567", name=name, rng=np.random.default_rng(7))
    raw = tmp_path / "cid.raw"
    raw.write_bytes(pcm(x).astype("<i2").tobytes())
    script = tmp_path / "uptime.py"
    script.write_text(_SCRIPT)
    proc = subprocess.run(paths.engine_command(engine) + [str(script), standard, str(raw)] + [str(s) for s in STARTS],
                          env=paths.engine_env(engine), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-1500:]
    evs = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")]
    want = {"number": "5551234567"}
    if name:
        want["name"] = name
    for i in range(len(STARTS)):
        got = [e for e in evs if e["start"] == i]
        assert exact(got, want), (STARTS[i], got)
