"""DTMF generation: the host's test-tape generator and the firmware's dialler."""
from array import array

import numpy as np
import pytest

from ringroute import audio
from ringroute.signals import dtmf as gen

import dtmf_helpers as h
from rrfw.dsp import dtmfgen
from dtmf_helpers import decode, digits


def peak_freqs(x, n=2):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), 1 << 16))
    f = np.fft.rfftfreq(1 << 16, 1 / 8000.0)
    out = []
    for _ in range(n):
        i = int(np.argmax(spec))
        out.append(f[i])
        spec[max(0, i - 80):i + 80] = 0
    return sorted(out)


def test_host_tone_levels_twist_and_frequencies():
    x = gen.tone("6", 1000, level_dbm0=-12.0, twist_db=3.0, offset=0.01)
    lo, hi = peak_freqs(x)
    assert abs(lo - 770 * 1.01) < 1 and abs(hi - 1477 * 1.01) < 1
    # the row tone alone at -12 dBm0, the column 3 dB above it
    t = np.arange(len(x)) / 8000.0
    row = np.dot(x, np.sin(2 * np.pi * 770 * 1.01 * t)) * 2 / len(x)
    col = x - row * np.sin(2 * np.pi * 770 * 1.01 * t)
    assert abs(audio.rms_dbm0(row * np.sin(2 * np.pi * 770 * 1.01 * t)) + 12.0) < 0.1
    assert abs(audio.rms_dbm0(col) - (-9.0)) < 0.1


def test_host_tape_truth_and_gaps():
    x, truth = gen.tape("12", on_ms=50, off_ms=70, lead_ms=30, tail_ms=20, gaps=[(1, 20, 10)])
    assert [k["digit"] for k in truth] == ["1", "2"]
    assert truth[0]["start_ms"] == 30 and truth[0]["end_ms"] == 80
    assert truth[1]["start_ms"] == 150 and truth[1]["end_ms"] == 200
    assert len(x) == 8 * (30 + 50 + 70 + 50 + 20)
    assert np.all(x[8 * 170:8 * 180] == 0)           # the drop-out inside key 2
    with pytest.raises(ValueError):
        gen.key_freqs("E")


def test_host_mix_under_sets_the_tone_to_speech_ratio():
    rng = np.random.default_rng(1)
    x, truth = gen.tape("5555", on_ms=200, off_ms=200, level_dbm0=-10)
    other = rng.normal(0, 1000, len(x))
    y = gen.mix_under(x, other, 6.0, truth)
    added = y - x
    on = np.concatenate([x[int(k["start_ms"] * 8):int(k["end_ms"] * 8)] for k in truth])
    ratio = 10 * np.log10(np.mean(on ** 2) / np.mean(added ** 2))
    assert abs(ratio - 6.0) < 0.5


def fw_dial(keys, plain=False, **kw):
    g = dtmfgen.DtmfGenerator(plain=plain, **kw)
    g.start(keys)
    tx = array("h", bytes(160))
    out = []
    while g.fill(tx):
        out.append(np.frombuffer(tx, np.int16).astype(np.float64).copy())
    return np.concatenate(out)


def test_firmware_generator_levels_frequencies_timing():
    x = fw_dial("9", level_dbm0=-9, twist_db=2, on_ms=200, off_ms=100)
    assert len(x) == 8 * 300
    tone = x[:1600]
    assert np.all(x[1600:] == 0)
    lo, hi = peak_freqs(tone)
    assert abs(lo - 852) < 0.5 and abs(hi - 1477) < 0.5
    # total level of -9 and -7 dBm0 tones: 10 log10(10**-0.9 + 10**-0.7) = -4.88 dBm0
    assert abs(audio.rms_dbm0(tone) - (-4.88)) < 0.15


def test_firmware_generator_spurious_tones_are_low():
    tone = fw_dial("1", on_ms=1000)[:8000]
    spec = np.abs(np.fft.rfft(tone * np.hanning(len(tone))))
    f = np.fft.rfftfreq(len(tone), 1 / 8000.0)
    keep = (np.abs(f - 697) > 15) & (np.abs(f - 1209) > 15)
    spur_db = 20 * np.log10(spec[keep].max() / spec.max())
    assert spur_db < -40, spur_db      # ITU-T Q.23 asks for >= 20 dB


def test_firmware_generator_viper_and_plain_identical_and_decodable():
    a = fw_dial("0123456789*#ABCD")
    b = fw_dial("0123456789*#ABCD", plain=True)
    assert np.array_equal(a, b)
    assert digits(decode(a)) == "0123456789*#ABCD"


def test_firmware_generator_refuses_bad_input():
    g = dtmfgen.DtmfGenerator()
    with pytest.raises(ValueError):
        g.start("12E")
    with pytest.raises(ValueError):
        g.start("1" * 33)
    with pytest.raises(ValueError):
        g.configure(level_dbm0=-9, twist_db=2, on_ms=30)
    with pytest.raises(ValueError):
        g.configure(level_dbm0=-1, twist_db=3)
    assert not g.busy and g.fill(array("h", bytes(160))) is False


@pytest.mark.micropython
def test_firmware_generator_under_micropython_matches_cpython():
    code = """
from rrfw.dsp import dtmfgen
from array import array
g = dtmfgen.DtmfGenerator()
g.start('47#')
tx = array('h', bytes(160))
s = 0
n = 0
while g.fill(tx):
    for v in tx:
        s = (s * 31 + v) & 0xFFFFFFF
    n += 1
print(n, s)
"""
    n, s = h.run_micropython(code).split()
    x = fw_dial("47#")
    ref = 0
    for v in x.astype(int):
        ref = (ref * 31 + int(v)) & 0xFFFFFFF
    assert int(n) == len(x) // 80 and int(s) == ref


@pytest.mark.parametrize("plain", [False, True])
def test_firmware_generator_plays_one_tone_then_keys_as_before(plain):
    # call/callout.py's beep to the agent: one 440 Hz sine at -16 dBm0 for 300 ms, then
    # 100 ms of silence, from the keys' flash sine; the keys after it keep their timing
    g, x = _played_tone(plain)
    tx = array("h", bytes(160))
    assert len(x) == 8 * 400
    assert np.all(x[8 * 300:] == 0)
    (f,) = peak_freqs(x[:8 * 300], 1)
    assert abs(f - 440) < 0.5
    assert abs(audio.rms_dbm0(x[:8 * 300]) - (-16.0)) < 0.15
    g.start("5")
    n = 0
    while g.fill(tx):
        n += 1
    assert n == 20          # 100 ms key, 100 ms pause (the defaults), not the tone's 30 + 10
    if not plain:
        assert np.array_equal(x, fw_tone(True))


def _played_tone(plain):
    """(the generator, the samples of its one 440 Hz tone) as callout.py's beep plays it."""
    g = dtmfgen.DtmfGenerator(plain=plain)
    g.tone(440, -16, 300, 100)
    tx = array("h", bytes(160))
    out = []
    while g.fill(tx):
        out.append(np.frombuffer(tx, np.int16).astype(np.float64).copy())
    return g, np.concatenate(out)


def fw_tone(plain):
    return _played_tone(plain)[1]


@pytest.mark.micropython
def test_firmware_generator_tone_under_micropython_matches_cpython():
    code = """
from rrfw.dsp import dtmfgen
from array import array
import micropython
g = dtmfgen.DtmfGenerator()
g.tone(440, -16, 300, 100)
tx = array('h', bytes(160))
s = 0
n = 0
while True:
    micropython.heap_lock()
    busy = g.fill(tx)
    micropython.heap_unlock()
    if not busy:
        break
    for v in tx:
        s = (s * 31 + v) & 0xFFFFFFF
    n += 1
print(n, s)
"""
    n, s = h.run_micropython(code).split()
    x = fw_tone(True)
    ref = 0
    for v in x.astype(int):
        ref = (ref * 31 + int(v)) & 0xFFFFFFF
    assert int(n) == len(x) // 80 and int(s) == ref
