"""Call-progress tones: every profile's tones recognised by frequency and cadence, in time,
on a randomised corpus; none heard in speech or music; viper and plain twin agree."""
import os
import subprocess

import numpy as np
import pytest

from corpus import run_corpus
from line_helpers import COUNTRIES, real_audio, silence, tones_run
from ringroute import audio, fwexec, paths
from ringroute.signals import tones as st

ALL = [(cc, name) for cc in COUNTRIES for name in st.tone_names(cc)]


@pytest.mark.parametrize("cc,name", ALL)
def test_each_tone_of_each_profile_is_recognised_from_its_start(cc, name):
    lead = 1.0
    x = np.concatenate([silence(lead), st.tone_seconds(cc, name, 12).astype(float), silence(2)])
    evs, cur = tones_run(x, cc)
    assert [e["tone"] for e in evs] == [name]
    assert abs(evs[0]["start_ms"] - lead * 1000) <= 60
    assert abs(evs[0]["end_ms"] - (lead + 12) * 1000) <= 1000 + max(st.get_profile(cc)["tones"][name][1] or (0,))
    if name in ("busy", "reorder"):
        # recognised within two cadence cycles of its start (issue 4). Except Spain's busy
        # (0.2/0.2 s): congestion there starts with the same 5 elements (E.180 Suppl. 2,
        # Spain: 0.2/0.2/0.2/0.2/0.2/0.6 s), so 3 cycles are needed to tell them apart.
        cycle = sum(st.get_profile(cc)["tones"][name][1])
        cycles = 3 if (cc, name) == ("ES", "busy") else 2
        assert cur[0]["current"] == name
        assert cur[0]["t_ms"] - lead * 1000 <= cycles * cycle + (100 if cycles == 3 else 0)


def _corpus_rate(cc, n, seed, tmp):
    items, res, good = run_corpus(cc, n, np.random.default_rng(seed), tmp)
    return good / float(len(items))


@pytest.mark.parametrize("cc", COUNTRIES)
def test_randomised_corpus_at_least_97_percent_per_profile(cc, tmp_path):
    # levels -20..+3 dB around the profile's, +-1.5 % frequency, +-8 % cadence, 12-40 dB SNR,
    # half of them through G.711 mu-law
    assert _corpus_rate(cc, 6, 100 + COUNTRIES.index(cc), str(tmp_path)) >= 0.97


@pytest.mark.slow
@pytest.mark.parametrize("cc", COUNTRIES)
def test_large_randomised_corpus_at_least_97_percent_per_profile(cc, tmp_path):
    assert _corpus_rate(cc, 60, 900 + COUNTRIES.index(cc), str(tmp_path)) >= 0.97


def _no_tones_in(x, tmp):
    p = os.path.join(tmp, "real.wav")
    audio.write_wav(p, x)
    for cc in COUNTRIES:
        res = fwexec.run_decoder("tones:ToneDetector_%s" % cc, [p])
        assert res[0] == [], (cc, res[0][:3])


def test_no_tone_heard_in_real_speech_or_music(tmp_path):
    _no_tones_in(np.concatenate([real_audio("speech", 40), real_audio("music", 80)]), str(tmp_path))


@pytest.mark.slow
def test_no_tone_heard_in_all_the_real_speech_and_music(tmp_path):
    _no_tones_in(np.concatenate([real_audio("speech"), real_audio("music")]), str(tmp_path))


def test_tone_after_speech_and_a_tone_change_are_both_reported():
    # dialling out: dial tone, then ringback, then (agent's line busy) busy
    x = np.concatenate([st.tone_seconds("UK", "dial", 3).astype(float), silence(0.5),
                        st.tone_seconds("UK", "ringback", 6).astype(float), silence(0.3),
                        st.tone_seconds("UK", "busy", 4).astype(float), silence(1)])
    evs, _ = tones_run(x, "UK")
    assert [e["tone"] for e in evs] == ["dial", "ringback", "busy"]


def test_australian_congestion_is_told_from_busy_by_its_level_steps():
    for name in ("busy", "reorder"):
        evs, _ = tones_run(np.concatenate([silence(0.5), st.tone_seconds("AU", name, 6)]), "AU")
        assert [e["tone"] for e in evs] == [name]


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_engines_agree_on_a_recording(engine, tmp_path):
    x = np.concatenate([silence(0.7), st.tone_seconds("IT", "dial", 4).astype(float), silence(1),
                        st.tone_seconds("IT", "busy", 4).astype(float)])
    p = str(tmp_path / "it.wav")
    audio.write_wav(p, x)
    res = fwexec.run_decoder("tones:ToneDetector_IT", [p], engine)[0]
    assert [e["tone"] for e in res] == ["dial", "busy"]
    assert abs(res[0]["start_ms"] - 700) <= 20 and abs(res[1]["start_ms"] - 5700) <= 20


_TWIN = r'''
from rrfw.dsp import tones, tones_plain
from array import array
import random
random.seed(7)
det = tones.ToneDetector("US")
nk = det._nk
def fill(kind):
    if kind == 0:
        return array("h", [32767 if (i // 4) % 2 else -32768 for i in range(80)])
    if kind == 1:
        return array("h", [-32768] * 80)
    return array("h", [random.randint(-32768, 32767) >> random.randint(0, 12) for i in range(80)])
bad = 0
for trial in range(300):
    blk = fill(trial % 3 if trial < 30 else 2)
    slot = trial & 3
    re1 = array("i", det._re); im1 = array("i", det._im)
    re2 = array("i", det._re); im2 = array("i", det._im)
    e1 = tones._corr_vp(blk, det._tabc, det._tabs, nk, re1, im1, slot)
    e2 = tones_plain.corr(blk, det._tabc, det._tabs, nk, re2, im2, slot)
    p1 = array("i", [0] * nk); p2 = array("i", [0] * nk)
    tones._power_vp(re1, im1, det._rc, det._rs, nk, slot, p1)
    tones_plain.power(re2, im2, det._rc, det._rs, nk, slot, p2)
    if e1 != e2 or list(re1) != list(re2) or list(im1) != list(im2) or list(p1) != list(p2):
        bad += 1
    det._re[:] = re2
    det._im[:] = im2
    for v in list(p2) + [e2 * 4]:
        assert 0 <= v < 2 ** 31, v
print("bad", bad)
'''


def test_viper_and_plain_twin_agree_and_fit_32_bits(tmp_path):
    p = tmp_path / "twin.py"
    p.write_text(_TWIN)
    # sources on the path: the .mpy build holds only what ships, not tones_plain
    r = subprocess.run(paths.engine_command("micropython") + [str(p)],
                       env=paths.engine_env("micropython", source=True),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["bad", "0"]


def test_the_per_block_path_allocates_nothing():
    x = np.concatenate([silence(0.5), st.tone_seconds("AU", "reorder", 4).astype(float),
                        st.tone_seconds("AU", "dial", 2).astype(float)])
    # heap_lock() around each process(); events are only built in pop()
    evs, cur = tones_run(x, "AU", heap_lock=True)
    assert [c["current"] for c in cur][:2] == ["reorder", None]


# ---- a tone in the other forms exchanges send it (profiles.py tone_forms; issue 17) --------
FORMS = [(cc, name) for cc in COUNTRIES for name in st.tone_names(cc, forms=True) if "~" in name]


def test_australia_has_its_three_forms_of_dial_tone_and_ringback():
    # 425 Hz x 25 Hz (AS/CA S002), 413 + 438 Hz (its carrier-less form), 400 + 450 Hz (older)
    prof = st.get_profile("AU")
    assert prof["tones"]["dial"][0] == (400, 425, 450)
    assert prof["tone_forms"]["dial"] == ((413, 438), (400, 450))
    assert prof["tone_forms"]["ringback"] == ((413, 438), (400, 450))
    assert ("AU", "dial~1") in FORMS and ("AU", "ringback~2") in FORMS


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
@pytest.mark.parametrize("cc,form", FORMS)
def test_each_form_is_recognised_under_its_tone_name(cc, form, engine):
    name = form.split("~")[0]
    lead = 1.0
    x = np.concatenate([silence(lead), st.tone_seconds(cc, form, 10).astype(float), silence(2)])
    evs, cur = tones_run(x, cc, engine)
    assert [e["tone"] for e in evs] == [name]
    assert abs(evs[0]["start_ms"] - lead * 1000) <= 60


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_the_forms_do_not_make_tones_of_their_neighbours(engine):
    # on the other side: 425 Hz steady and unmodulated is no Australian tone; busy (plain
    # 425 Hz, whose edges spread into 413 / 438 / 400 / 450 Hz) and congestion stay themselves
    for x, want in ((st.tone_float((425,), 8000 * 6, level_dbm0=-13), []),
                    (st.tone_seconds("AU", "busy", 6).astype(float), ["busy"]),
                    (st.tone_seconds("AU", "reorder", 6).astype(float), ["reorder"]),
                    (st.tone_float((375, 475), 8000 * 6, level_dbm0=-13), [])):
        evs, _ = tones_run(np.concatenate([silence(0.5), x, silence(1.5)]), "AU", engine)
        assert [e["tone"] for e in evs] == want


def test_randomised_corpus_of_the_forms_at_least_97_percent(tmp_path):
    items, res, good = run_corpus("AU", 6, np.random.default_rng(417), str(tmp_path), forms=True)
    assert len(items) == 6 * len(st.tone_names("AU", forms=True))
    assert good >= 0.97 * len(items)
