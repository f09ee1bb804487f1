"""Keys under real speech, and talk-off: real speech and music alone.

Recordings come from Debian packages (scripts/sysdeps.txt): Asterisk's
prompts in five languages, Asterisk's hold music and the Endgame:
Singularity soundtrack. The default suite uses a few minutes; the hours are
@pytest.mark.slow (make soak) and in `make bench` (bench/bench_dtmf.py).

Keys under speech: random keys 50..120 ms long, 60..200 ms apart, -20..-5
dBm0 per tone, twist -4..+2 dB, each mixed with a different stretch of
speech at a tone-to-speech ratio (keys' power against speech's active
level, ITU-T P.56 style). Errors = missed + doubled/extra + wrong keys.
"""
import os

import numpy as np
import pytest

from ringroute import audio, fwexec
from ringroute.signals import dtmf as gen

import dtmf_helpers as h
from corpus import MUSIC_PACKAGES, SPEECH_PACKAGES, real_audio, score


def _need(kind):
    x = real_audio(kind, seconds=1)
    if len(x) == 0:
        pytest.skip("needs real %s: Debian %s" % (kind, SPEECH_PACKAGES if kind == "speech"
                                                  else MUSIC_PACKAGES))


def keys_under_speech(tmp, n_files, keys_per_file, tsr_db, seed, speech, on=(50.0, 120.0)):
    rng = np.random.default_rng(seed)
    files, truths = [], []
    for i in range(n_files):
        keys = "".join(rng.choice(list(gen.KEYS), keys_per_file))
        x, truth = gen.tape(keys, on_ms=[float(rng.uniform(*on)) for _ in keys],
                            off_ms=[float(rng.uniform(60, 200)) for _ in keys], rng=rng,
                            level_dbm0=float(rng.uniform(-20, -5)), twist_db=float(rng.uniform(-4, 2)))
        start = int(rng.integers(0, len(speech) - len(x)))
        y = gen.mix_under(x, speech[start:start + len(x)], tsr_db, truth)
        p = os.path.join(tmp, "k%d_%d.wav" % (seed, i))
        audio.write_wav(p, y)
        files.append(p)
        truths.append(truth)
    res = fwexec.run_decoder("dtmf:DtmfReceiver", files, "micropython")
    tot = {"keys": 0, "errors": 0, "ok": 0, "missed": 0, "extra": 0, "wrong": 0}
    for t, ev in zip(truths, res):
        for k, v in score(t, ev).items():
            tot[k] += v
    return tot


def talk_off(tmp, kind, seconds, levels=(-15.0, -3.0), skip_s=0):
    x = real_audio(kind, seconds=seconds + skip_s)[int(skip_s * 8000):]
    files = []
    for lv in levels:
        y = gen.scale_to(x, lv)
        for i in range(0, len(y), 8000 * 120):
            p = os.path.join(tmp, "%s_%d_%d.wav" % (kind, lv, i))
            audio.write_wav(p, y[i:i + 8000 * 120])
            files.append(p)
    res = fwexec.run_decoder("dtmf:DtmfReceiver", files, "micropython")
    return [e for r in res for e in r]


@pytest.mark.micropython
@pytest.mark.parametrize("tsr_db,max_pct", [(10.0, 1.0), (5.0, 1.0), (0.0, 3.0)])
def test_keys_under_speech(tmp_path, tsr_db, max_pct):
    _need("speech")
    speech = real_audio("speech", seconds=600, level_dbm0=-15)
    tot = keys_under_speech(str(tmp_path), 2, 60, tsr_db, seed=int(100 + tsr_db), speech=speech)
    pct = 100.0 * tot["errors"] / tot["keys"]
    assert pct <= max_pct, tot


@pytest.mark.micropython
def test_no_talk_off_in_speech(tmp_path):
    _need("speech")
    ev = talk_off(str(tmp_path), "speech", 240)
    assert ev == []


@pytest.mark.micropython
def test_no_talk_off_in_music(tmp_path):
    _need("music")
    ev = talk_off(str(tmp_path), "music", 240)
    assert ev == []


def _note(hz, ms, dbm0):
    t = np.arange(int(ms * 8)) / 8000.0
    return audio.dbm0_to_peak(dbm0) * np.sin(2 * np.pi * hz * t)


def test_a_note_joining_a_held_note_is_not_a_key():
    # F5 held, then F#6 joins it for 80 ms (697 + 1477 Hz within 0.2 %: key 3,
    # as clean as a key): a chord, because the two tones did not start together.
    # (The mirror case, F#6 held and F5 joining, is still heard as a key: the
    # joining note's end leaves a noisy hit, and noisy pairs are exempt from
    # this rule. See docs/notes/dtmf.md.)
    x = np.concatenate([gen.silence(100), _note(698.5, 300, -12), gen.silence(100)])
    x[int(0.2 * 8000):int(0.28 * 8000)] += _note(1480.0, 80, -14)
    assert h.decode(x) == []
    # the same pair started together is key 3
    y = np.concatenate([gen.silence(100), _note(698.5, 80, -12) + _note(1480.0, 80, -14),
                        gen.silence(100)])
    assert h.digits(h.decode(y)) == "3"


def test_a_key_over_a_held_tone_off_the_key_is_heard():
    # a key pressed while another steady tone plays (hold music's note off the
    # DTMF frequencies) still starts with both of its tones together
    x = np.concatenate([gen.silence(100), _note(587.3, 400, -20), gen.silence(100)])
    k, _ = gen.tape("5", on_ms=80, lead_ms=200, tail_ms=220 - 80)
    x[:len(k)] += k
    assert h.digits(h.decode(x)) == "5"


# ---- hours (make soak) -----------------------------------------------------------
@pytest.mark.slow
@pytest.mark.micropython
def test_hour_of_speech_and_music(tmp_path):
    _need("speech")
    _need("music")
    sp = talk_off(str(tmp_path), "speech", 3600, levels=(-12.0,))
    mu = talk_off(str(tmp_path), "music", 3600, levels=(-12.0,))
    # Target: none. Measured at the time of writing: none in the speech hour,
    # 1 in the 82 minutes of music, in the one piece that holds F5 + F#6
    # (697 + 1477 Hz within 0.2 %: key 3) as clean as a key. Guard that.
    assert sp == [], sp
    assert len(mu) <= 1, mu


@pytest.mark.slow
@pytest.mark.micropython
def test_thousand_keys_under_speech(tmp_path):
    _need("speech")
    speech = real_audio("speech", level_dbm0=-15)
    # target < 3 % at 0 dB (the issue); measured 1-2 % (bench/bench_dtmf.py)
    for tsr, max_pct in ((0.0, 3.0), (5.0, 1.0)):
        tot = keys_under_speech(str(tmp_path), 10, 100, tsr, seed=int(7 + tsr), speech=speech)
        assert 100.0 * tot["errors"] / tot["keys"] <= max_pct, (tsr, tot)
