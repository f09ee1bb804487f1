"""`ringroute tones detect` as a technician uses it, and the tone generators it is tested with."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from line_helpers import silence
from ringroute import audio
from ringroute.signals import tones as st

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host_tools"))
    p = subprocess.run([sys.executable, "-m", "ringroute.cli", "tones"] + list(args),
                       capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def recordings(tmp_path):
    de = np.concatenate([silence(0.5), st.tone_seconds("DE", "busy", 5).astype(float), silence(1)])
    a = str(tmp_path / "busy.wav")
    audio.write_wav(a, de)
    # the same line recorded by a technician's 44.1 kHz stereo recorder
    b = str(tmp_path / "busy44.wav")
    from scipy.signal import resample_poly
    hi = resample_poly(de, 441, 80)
    import wave
    with wave.open(b, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        s = audio.to_int16(hi)
        w.writeframes(np.stack([s, s], axis=1).astype("<i2").tobytes())
    q = str(tmp_path / "quiet.wav")
    audio.write_wav(q, silence(2))
    return a, b, q


def test_detect_prints_each_tone_with_start_and_end_or_says_there_is_none(recordings):
    a, _, q = recordings
    rc, out, err = cli("detect", a, q, "--country", "DE")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(a + ": busy")
    assert "0.49 s" in lines[0] or "0.50 s" in lines[0]
    assert lines[1] == q + ": no tone"


def test_json_and_several_files_carry_the_file(recordings):
    a, b, q = recordings
    rc, out, err = cli("detect", a, b, q, "-c", "de", "--json")
    assert rc == 0, err
    objs = [json.loads(ln) for ln in out.splitlines()]
    assert [o["file"] for o in objs] == [a, b]       # the quiet file adds nothing
    for o in objs:
        assert o["tone"] == "busy" and abs(o["start_ms"] - 500) <= 30 and o["end_ms"] > 5000


def test_one_file_json_has_no_file_key_and_cpython_engine_agrees(recordings):
    a, _, _ = recordings
    rc, out, _ = cli("detect", a, "--country", "DE", "--json", "--engine", "cpython")
    obj = json.loads(out.splitlines()[0])
    assert "file" not in obj and obj["tone"] == "busy"


def test_user_errors_are_one_line(recordings, tmp_path):
    a, _, _ = recordings
    rc, out, err = cli("detect", a, "--country", "XX")
    assert rc == 2 and "unknown country" in err and "Traceback" not in err
    notwav = tmp_path / "notes.txt"
    notwav.write_text("hello")
    rc, out, err = cli("detect", str(notwav))
    assert rc == 1 and "not a WAV" in err and len(err.strip().splitlines()) == 1


def test_help_teaches_with_examples():
    rc, out, _ = cli("detect", "--help")
    assert rc == 0 and "examples:" in out and "--country" in out and "DE" in out


def test_generated_tones_have_the_profiles_levels_and_cadence():
    x = st.tone_seconds("US", "dial", 1)
    # two frequencies at -13 dBm0 each: -10 dBm0 together
    assert abs(audio.rms_dbm0(x) - (-10.0)) < 0.3
    busy = st.tone_seconds("DE", "busy", 0.96)
    assert abs(audio.rms_dbm0(busy[:3840]) - (-10.0)) < 0.3     # first 480 ms on
    assert np.all(busy[3840 + 8:] == 0)                           # then 480 ms off
    # AU congestion: every other burst 10 dB down
    r = st.tone_seconds("AU", "reorder", 1.5)
    a = audio.rms_dbm0(r[:3000])
    b = audio.rms_dbm0(r[6000:9000])
    assert abs((a - b) - 10.0) < 0.5
    # consecutive calls are one seamless tone
    whole = st.tone_samples("UK", "ringback", 1600, 0)
    parts = np.concatenate([st.tone_samples("UK", "ringback", 80, i) for i in range(0, 1600, 80)])
    assert np.array_equal(whole, parts)


def test_learn_measures_a_recorded_hangup_tone_and_proposes_settings(tmp_path):
    from test_line_hangup import talk
    p = str(tmp_path / "after.wav")
    # the caller talks, hangs up; the exchange sends busy, then times out to dial tone
    audio.write_wav(p, np.concatenate([talk(3), silence(0.5), st.tone_seconds("FR", "busy", 8).astype(float),
                                       silence(1), st.tone_seconds("FR", "dial", 3).astype(float)]))
    rc, out, err = cli("learn", p, "--country", "FR")
    assert rc == 0, err
    assert "tone 440 Hz, 0.50/0.50 s" in out and "the busy tone" in out
    assert "hangup: {methods: [busy_tone, silence, max_length]}" in out
    rc, out, err = cli("learn", p, "--country", "FR", "--json")
    r = json.loads(out)
    assert r["tone"]["matches"] == "busy" and r["proposed"]["hangup"]["methods"][0] == "busy_tone"
    assert "cpc" not in r                      # a recording has no loop current


def test_the_proposed_snippet_is_valid_office_configuration(tmp_path):
    from ringroute.cmd_tones import config_snippet
    snippet = config_snippet({"methods": ["cpc", "busy_tone", "silence", "max_length"], "cpc_min_ms": 150})
    with open(os.path.join(ROOT, "examples", "office.yaml")) as f:
        text = f.read()
    old = "  - {country: US, answer_on_ring: 2}"
    assert old in text
    p = tmp_path / "office.yaml"
    p.write_text(text.replace(old, "  - {country: DE, answer_on_ring: 2, %s}" % snippet))
    from ringroute.configlang import compile_config
    cfg = compile_config(str(p))
    assert cfg["lines"][0]["hangup"] == {"methods": ["cpc", "busy_tone", "silence", "max_length"],
                                         "cpc_min_ms": 150}


def test_detect_names_australias_older_dial_tone(tmp_path):
    p = str(tmp_path / "au.wav")
    audio.write_wav(p, np.concatenate([silence(0.5), st.tone_seconds("AU", "dial~2", 3).astype(float),
                                       silence(1)]))
    rc, out, err = cli("detect", p, "--country", "AU")
    assert rc == 0, err
    assert out.startswith(p + ": dial"), out
