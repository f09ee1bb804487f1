"""Talk-off by a harmonic series: a sustained vowel whose harmonics m and n land on a key.

The class (issue 17): with f0 >= 150 Hz, harmonics 4/7 of 173.5 Hz make key 1,
4/7 of 191.7 Hz key 5, 3/7 of 232.8 Hz key A and 4/7 of 234.3 Hz key D, within
the noisy pair's limits. The held-out speech had one of each of A and 5. A key
puts nothing at the vowel's other harmonics; the receiver rejects a key of that
class whose hits hold, at the inner harmonics k f0 (m < k < n), at least the
weaker tone's energy and 4 times the energy half-way between them
(dtmf._HARM_WEAK, _HARM_ANTI).

Tapes: the two harmonics at -13 dBm0 each (as the pair) and the inner
harmonics of the same f0 at a level relative to them, 120 ms, or the same
sounds half-way between the harmonics. Both sides of each bound:
  - inner harmonics -3 dB each (together at least the weaker tone): no key, and
    the same tape does give the key with the rule taken out (so the test can fail);
  - inner harmonics -6 dB each (together below the weaker tone): the key;
  - the same energy half-way between the harmonics (not a harmonic series of
    that f0), at -3 dB: the key;
  - a key on its nominal frequencies with the inner harmonics at -3 dB (a real
    key under a vowel of exactly that f0: the price, rare), no key; at -6 dB the key.
CPython (plain twins) and micropython (viper kernels).
"""
import os

import numpy as np
import pytest

from ringroute import audio, fwexec

from dtmf_helpers import decode, digits
from rrfw.dsp import dtmf

# key: (row Hz, column Hz, m, n) as in dtmf._HTAB
CLASS = {"1": (697, 1209, 4, 7), "5": (770, 1336, 4, 7), "A": (697, 1633, 3, 7), "D": (941, 1633, 4, 7)}


def vowel(key, inner_db, half=False, nominal=False, ms=120, level_dbm0=-13.0):
    """The pair (harmonics m, n of the class f0, or the key's nominal tones) plus the
    inner harmonics (or the sounds half-way between them) at inner_db each."""
    fr, fc, m, n = CLASS[key]
    f0 = (fr / m + fc / n) / 2
    t = np.arange(int(ms * 8)) / 8000.0
    a = audio.dbm0_to_peak(level_dbm0)
    lo, hi = (fr, fc) if nominal else (m * f0, n * f0)
    x = a * (np.sin(2 * np.pi * lo * t) + np.sin(2 * np.pi * hi * t))
    g = a * 10 ** (inner_db / 20.0)
    rng = np.random.default_rng(7)
    for k in range(m + 1, n):
        f = (k + 0.5) * f0 if half else k * f0
        x = x + g * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return np.concatenate([np.zeros(800), x, np.zeros(800)])


# (name, tape, expected digits)
CASES = []
for _k in CLASS:
    CASES += [
        ("%s-harmonics-3dB" % _k, vowel(_k, -3.0), ""),
        ("%s-harmonics-6dB" % _k, vowel(_k, -6.0), _k),
        ("%s-halfway-3dB" % _k, vowel(_k, -3.0, half=True), _k),
        ("%s-nominal-harmonics-3dB" % _k, vowel(_k, -3.0, nominal=True), ""),
        ("%s-nominal-harmonics-6dB" % _k, vowel(_k, -6.0, nominal=True), _k),
    ]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,x,want", CASES, ids=IDS)
def test_harmonic_series_cpython(name, x, want):
    assert digits(decode(x)) == want


@pytest.mark.parametrize("key", sorted(CLASS))
def test_the_rejected_vowels_pass_every_other_check(key, monkeypatch):
    # With the harmonic rule taken out, the rejected tapes are keys: the rule,
    # not some other check, is what keeps them out.
    monkeypatch.setattr(dtmf.DtmfReceiver, "_harmonic", lambda self: 0)
    assert digits(decode(vowel(key, -3.0))) == key
    assert digits(decode(vowel(key, -3.0, nominal=True))) == key


def test_a_key_outside_the_class_is_not_probed():
    # key 2 (697 + 1336 Hz) is no pair of harmonics of an f0 >= 150 Hz: nothing is probed
    r = dtmf.DtmfReceiver()
    assert dtmf._HIDX[dtmf.DIGITS.index("2")] == 255
    assert [dtmf._HTAB[dtmf._HIDX[dtmf.DIGITS.index(k)]] for k in CLASS] == \
        [dtmf.DIGITS.index(k) for k in CLASS]
    assert r._hk == -1


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    d = tmp_path_factory.mktemp("dtmf_harmonic")
    files = []
    for i, c in enumerate(CASES):
        p = os.path.join(str(d), "%02d.wav" % i)
        audio.write_wav(p, c[1])
        files.append(p)
    return fwexec.run_decoder("dtmf:DtmfReceiver", files, "micropython")


@pytest.mark.micropython
@pytest.mark.parametrize("idx", range(len(CASES)), ids=IDS)
def test_harmonic_series_micropython(idx, micropython_results):
    name, x, want = CASES[idx]
    assert digits(micropython_results[idx]) == want
