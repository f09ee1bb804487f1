"""'Learn my line': the board measures how the exchange signals hang-up and proposes settings."""
import numpy as np
import pytest

from line_helpers import ctrl, hangup, pcm, run_line, silence
from ringroute import audio, fwexec
from ringroute.signals import tones as st
from ringroute.signals.tones import gate, tone_float
from test_line_hangup import talk


def learn(x, cc, loop=None, rev=None, engine="micropython", **kw):
    n = len(x) // 80
    out = run_line("learn", {"profile": cc, "kw": kw, "raw": "a.raw", "ctrl": "c.bin"}, engine,
                   files={"a.raw": pcm(x[:n * 80]), "c.bin": ctrl(n, loop, rev)})
    return out[-1]


@pytest.mark.parametrize("engine", ["micropython", "cpython"])
def test_busy_tone_exchange(engine):
    x = np.concatenate([talk(3), silence(0.5), st.tone_seconds("DE", "busy", 10).astype(float)])
    r = learn(x, "DE", engine=engine)
    assert r["tone"]["freqs"] == [425]
    assert r["tone"]["cadence_ms"] == [480, 480]
    assert r["tone"]["matches"] == "busy"
    assert abs(r["tone"]["level_dbm0"] - (-10)) <= 1.5
    assert r["first_signal"] == "tone" and abs(r["first_signal_ms"] - 3500) <= 30
    assert r["proposed"]["hangup"]["methods"][0] == "busy_tone"
    assert r["cpc"] == [] and r["reversals"] == []


def test_cpc_then_reorder_exchange():
    # US: calling party control opens the loop 800 ms, later the switch sends reorder
    x = np.concatenate([talk(3), silence(12), st.tone_seconds("US", "reorder", 10).astype(float)])
    r = learn(x, "US", loop=lambda t: not (3000 <= t < 3800))
    assert r["cpc"] == [{"t_ms": 3000, "ms": 800, "returned": True}]
    assert r["first_signal"] == "cpc"
    assert r["tone"]["matches"] == "reorder" and r["tone"]["cadence_ms"] == [250, 250]
    assert all(abs(a - b) <= 3 for a, b in zip(r["tone"]["freqs"], [480, 620]))
    hang = r["proposed"]["hangup"]
    assert hang["methods"][:2] == ["cpc", "reorder_tone"] and hang["cpc_min_ms"] == 600


def test_reversal_exchange_and_the_double_cadence_of_uk_congestion():
    x = np.concatenate([talk(3), st.tone_seconds("UK", "reorder", 10).astype(float)])
    r = learn(x, "UK", rev=lambda t: t >= 3000)
    assert r["reversals"] == [3000] and r["first_signal"] == "reversal"
    assert r["tone"]["cadence_ms"] == [400, 350, 230, 520] or r["tone"]["matches"] == "reorder"
    assert r["proposed"]["hangup"]["methods"][:2] == ["reversal", "reorder_tone"]


def test_australian_am_dial_tone_is_recognised():
    x = np.concatenate([talk(3), st.tone_seconds("AU", "dial", 8).astype(float)])
    r = learn(x, "AU")
    assert r["tone"]["matches"] == "dial" and r["tone"]["cadence_ms"] == []


def test_an_unknown_tone_is_proposed_as_the_lines_busy_tone_and_then_releases():
    # a PBX behind the line plays 450 Hz 0.3/0.3 s, which is not Germany's busy tone
    y = tone_float((450,), 8 * 8000, 0, -15) * gate((300, 300), 8 * 8000)
    x = np.concatenate([talk(3), y])
    r = learn(x, "DE")
    assert r["tone"]["matches"] is None
    prop = r["proposed"]["hangup"]
    assert prop["busy_tone"] == {"freqs": [450], "cadence_ms": [300, 300]}
    m, _ = hangup(x, "DE")
    assert m != "busy_tone"                       # the stock profile does not know it ...
    m, t = hangup(x, "DE", **prop)
    assert m == "busy_tone" and t <= 3000 + 4000  # ... the learnt settings release the line


def test_a_line_that_only_goes_quiet_proposes_silence():
    r = learn(np.concatenate([talk(3), silence(10)]), "FR")
    assert r["tone"] is None and r["cpc"] == [] and r["first_signal"] is None
    assert r["proposed"]["hangup"]["methods"] == ["silence", "max_length"]
    assert 2500 <= r["speech_end_ms"] <= 3030


def test_runs_over_a_recording_as_a_decoder(tmp_path):
    p = str(tmp_path / "hangup.wav")
    audio.write_wav(p, np.concatenate([talk(2), st.tone_seconds("FR", "busy", 6).astype(float)]))
    res = fwexec.run_decoder("linelearn:LineLearner_FR", [p])[0]
    assert len(res) == 1 and res[0]["event"] == "learn"
    assert res[0]["tone"]["matches"] == "busy"
