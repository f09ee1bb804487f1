"""DTMF receiver conformance: every bound, on both sides, for all 16 keys.

Each case is a tape of the 16 keys (random start phases, fixed seed) with one
parameter moved to a limit; everything else is nominal (-10 dBm0 per tone, no
twist, 60 ms tones, 100 ms pauses). Accept cases must give exactly the 16 keys
with start and end within 5 ms; reject cases must give no key at all.
The same tapes run in-process (CPython, the plain twins) and inside the
`micropython` binary (the viper kernels), through `ringroute.fwexec`.

Limits (firmware/dtmf.py names the sources):
  frequency  accept +-1.5 %, reject +-3.5 %          ITU-T Q.24, GR-506, MT8870
  level      accept -25 .. 0 dBm0, reject -35 dBm0    Q.24, GR-506
  twist      accept -8 .. +4 dB (high - low), reject -12 / +7 dB   GR-506
  duration   accept 40 ms, reject 23 ms               GR-506
  pause      40 ms between keys (also the same key twice) gives two keys
  drop-out   10 ms inside a key does not split it
  noise      white noise 15 dB below each tone: all keys; noise alone: none
"""
import os

import numpy as np
import pytest

from ringroute import audio, fwexec
from ringroute.signals import dtmf as gen

from dtmf_helpers import decode, digits

KEYS = gen.KEYS
SEED = 20261122


def _tape(rng, keys=KEYS, noise_dbm0=None, **kw):
    x, truth = gen.tape(keys, rng=rng, **kw)
    if noise_dbm0 is not None:
        x = x + gen.noise(len(x), noise_dbm0, rng)
    return x, truth


ACCEPT = {
    "nominal": {},
    "freq +1.5%": {"offset": 0.015},
    "freq -1.5%": {"offset": -0.015},
    "row +1.5%": {"row_offset": 0.015, "col_offset": 0.0},
    "row -1.5%": {"row_offset": -0.015, "col_offset": 0.0},
    "col +1.5%": {"row_offset": 0.0, "col_offset": 0.015},
    "col -1.5%": {"row_offset": 0.0, "col_offset": -0.015},
    "twist -8 dB": {"twist_db": -8.0},
    "twist +4 dB": {"twist_db": 4.0},
    "level -25 dBm0": {"level_dbm0": -25.0},
    "level -25 dBm0, twist +4": {"level_dbm0": -25.0, "twist_db": 4.0},
    "level 0 dBm0, twist -8": {"level_dbm0": 0.0, "twist_db": -8.0},
    "level -4 dBm0 per tone": {"level_dbm0": -4.0},
    "tone 40 ms": {"on_ms": 40.0},
    "pause 40 ms": {"off_ms": 40.0},
    "noise 15 dB below each tone": {"noise_dbm0": -25.0},
}

REJECT = {
    "freq +3.5%": {"offset": 0.035},
    "freq -3.5%": {"offset": -0.035},
    "row +3.5%": {"row_offset": 0.035, "col_offset": 0.0},
    "row -3.5%": {"row_offset": -0.035, "col_offset": 0.0},
    "col +3.5%": {"row_offset": 0.0, "col_offset": 0.035},
    "col -3.5%": {"row_offset": 0.0, "col_offset": -0.035},
    "freq +6%": {"offset": 0.06},
    "twist -12 dB": {"twist_db": -12.0},
    "twist +7 dB": {"twist_db": 7.0},
    "level -35 dBm0": {"level_dbm0": -35.0},
    "tone 23 ms": {"on_ms": 23.0},
    "tone 15 ms": {"on_ms": 15.0},
}


def _cases():
    rng = np.random.default_rng(SEED)
    cases = []
    for name, kw in ACCEPT.items():
        x, truth = _tape(rng, **kw)
        cases.append((name, "accept", x, truth))
    for name, kw in REJECT.items():
        x, truth = _tape(rng, **kw)
        cases.append((name, "reject", x, truth))
    # the same key twice, 40 ms apart: two keys (GR-506 minimum inter-digit pause)
    x, truth = _tape(rng, keys="".join(k + k for k in KEYS), off_ms=40.0)
    cases.append(("same key twice, pause 40 ms", "accept", x, truth))
    # a 10 ms drop-out in the middle of each 100 ms key: one key each
    x, truth = _tape(rng, on_ms=100.0, gaps=[(i, 45.0, 10.0) for i in range(16)])
    cases.append(("drop-out 10 ms", "accept", x, truth))
    # white noise alone, louder than any tone above: nothing
    x = gen.noise(8000 * 20, -10.0, rng)
    cases.append(("noise alone, -10 dBm0, 20 s", "reject", x, []))
    return cases


CASES = _cases()
IDS = [c[0] for c in CASES]


def check(kind, events, truth):
    if kind == "reject":
        assert digits(events) == "", "keys heard where none must be: %s" % digits(events)
        return
    assert digits(events) == "".join(k["digit"] for k in truth)
    for e, k in zip(events, truth):
        assert abs(e["start_ms"] - k["start_ms"]) <= 5.0, (e, k)
        assert abs(e["end_ms"] - k["end_ms"]) <= 5.0, (e, k)


@pytest.mark.parametrize("name,kind,x,truth", CASES, ids=IDS)
def test_bound_cpython(name, kind, x, truth):
    check(kind, decode(x), truth)


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    d = tmp_path_factory.mktemp("dtmf_tapes")
    files = []
    for i, (name, kind, x, truth) in enumerate(CASES):
        p = os.path.join(str(d), "%02d.wav" % i)
        audio.write_wav(p, x)
        files.append(p)
    return fwexec.run_decoder("dtmf:DtmfReceiver", files, "micropython")


@pytest.mark.micropython
@pytest.mark.parametrize("idx", range(len(CASES)), ids=IDS)
def test_bound_micropython(idx, micropython_results):
    name, kind, x, truth = CASES[idx]
    check(kind, micropython_results[idx], truth)


def test_both_twists_accepted_at_the_level_extremes():
    # the weaker tone at -25 dBm0 with the other 8 dB (reverse) or 4 dB (normal) above it
    rng = np.random.default_rng(SEED + 1)
    x1, t1 = _tape(rng, level_dbm0=-17.0, twist_db=-8.0)
    x2, t2 = _tape(rng, level_dbm0=-25.0, twist_db=4.0)
    check("accept", decode(x1), t1)
    check("accept", decode(x2), t2)
