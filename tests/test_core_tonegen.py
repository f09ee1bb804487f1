"""Ringback tone generation: the country's frequencies, level and cadence."""
from array import array

import numpy as np
import pytest

from rrfw.line import profiles
from rrfw.dsp import tonegen
from ringroute import audio


@pytest.mark.parametrize("cc", profiles.codes())
def test_ringback_matches_the_profile(cc):
    freqs, cadence, level = profiles.get(cc)["tones"]["ringback"]
    g = tonegen.ToneGen(freqs, cadence, level)
    g.start(0)
    out = []
    cycle = sum(cadence)
    for b in range(cycle // 10):
        tx = array("h", bytes(160))
        g.fill(tx, b * 10)
        out.extend(tx)
    x = np.array(out, float)
    on = np.abs(x).reshape(-1, 80).max(axis=1) > 0
    # on exactly in the cadence's on-times
    want = []
    for i, d in enumerate(cadence):
        want += [i % 2 == 0] * (d // 10)
    assert list(on) == want
    first = x[:cadence[0] * 8]
    spec = np.abs(np.fft.rfft(first * np.hanning(len(first))))
    hz = np.fft.rfftfreq(len(first), 1 / 8000.0)
    peak = hz[np.argmax(spec)]
    assert min(abs(peak - f) for f in freqs) <= 5
    per_tone = audio.rms_dbm0(first) - 10 * np.log10(len(freqs) if len(freqs) < 3 else 1.5)
    assert abs(per_tone - level) <= 1.0


def _play(g, t0, blocks):
    out = []
    for b in range(blocks):
        tx = array("h", bytes(160))
        g.fill(tx, t0 + b * 10)
        out.extend(tx)
    return out


@pytest.mark.parametrize("countries", [("US", "US"), ("US", "DE"), ("DE", "US")])
def test_each_line_plays_its_own_countrys_ringback(countries, tmp_path, monkeypatch):
    # Two lines ringing extensions at once: line 2 may share line 1's table
    # (same country), yet each caller hears his country's ringback from his own start.
    import json
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))
    from standin_hal import StandInHal
    from rrfw.call import app as app_mod
    monkeypatch.chdir(tmp_path)
    with open(os.path.join(os.path.dirname(__file__), "data", "basic.json")) as f:
        cfg = json.load(f)
    cfg["lines"] = [dict(cfg["lines"][0], country=c) for c in countries]
    a = app_mod.App(StandInHal(), cfg)
    starts = (0, 370)
    got = [[] for _ in a.lines]
    for lc, t0 in zip(a.lines, starts):
        lc.ringback.start(t0)
    for b in range(300):           # interleaved, as the board steps both lines each block
        for i, lc in enumerate(a.lines):
            tx = array("h", bytes(160))
            lc.ringback.fill(tx, starts[i] + b * 10)
            got[i].extend(tx)
    for i, cc in enumerate(countries):
        freqs, cadence, level = profiles.get(cc)["tones"]["ringback"]
        want = tonegen.ToneGen(freqs, cadence, level)
        want.start(starts[i])
        assert got[i] == _play(want, starts[i], 300)
    # the heap's side: these ringbacks (two frequencies) keep no table of samples in RAM,
    # only the kernel's six values; a three-frequency one (AU) is shared by a country's lines
    for lc in a.lines:
        assert lc.ringback.n == 0 and len(lc.ringback.table) == 6


def test_an_am_ringback_keeps_one_table_for_the_lines_of_its_country():
    freqs, cadence, level = profiles.get("AU")["tones"]["ringback"]
    assert len(freqs) == 3
    one = tonegen.ToneGen(freqs, cadence, level)
    two = tonegen.ToneGen(freqs, cadence, level, one)
    assert two.table is one.table and one.n > 0
    alone = tonegen.ToneGen(freqs, cadence, level)
    one.start(0)
    two.start(370)
    alone.start(370)
    _play(one, 0, 20)              # line 1 plays first: line 2's caller still hears his own start
    assert _play(two, 370, 50) == _play(alone, 370, 50)
