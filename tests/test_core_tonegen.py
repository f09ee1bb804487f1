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
