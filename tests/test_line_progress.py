"""Dialling out: dial tone awaited, then ringback, busy, reorder and answer told apart."""
import numpy as np
import pytest

from line_helpers import COUNTRIES, ctrl, dtmf, pcm, real_audio, run_line, silence
from ringroute.signals import tones as st


def progress(x, cc, dialled_ms, engine="micropython", reversed_=None, heap_lock=False,
             shared=None, **kw):
    # shared: audio a HangupDetector hears first; then call progress uses its matchers
    n = len(x) // 80
    files = {"a.raw": pcm(x[:n * 80]), "c.bin": ctrl(n, reversed_=reversed_)}
    params = {"profile": cc, "kw": kw, "raw": "a.raw", "ctrl": "c.bin",
              "dialled_ms": dialled_ms, "heap_lock": heap_lock}
    if shared is not None:
        files["h.raw"] = pcm(shared[:len(shared) // 80 * 80])
        params["share_raw"] = "h.raw"
    out = run_line("progress", params, engine, files=files)
    evs = [(o["state"], o["t_ms"]) for o in out if o.get("event") == "progress"]
    if shared is not None:
        return evs, out[-1]["result"], [o["shared"] for o in out if "shared" in o][0]
    return evs, out[-1]["result"]


def voice(seconds, seed=3):
    rng = np.random.default_rng(seed)
    n = int(seconds * 8000)
    x = np.convolve(rng.standard_normal(n), np.ones(3) / 3, mode="same") * 3000
    return x * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * np.arange(n) / 8000))


def outgoing(cc, far_end, ring_cycles=2):
    """seize: 0.3 s quiet, 2.5 s dial tone, 1 s of our own DTMF, 1.5 s of switching
    silence, ringback, then `far_end` audio. Returns (audio, dialled_ms)."""
    cad = st.get_profile(cc)["tones"]["ringback"][1]
    ring_s = sum(cad) * ring_cycles / 1000.0
    parts = [silence(0.3), st.tone_seconds(cc, "dial", 2.5).astype(float), dtmf("5551234", 70, 70),
             silence(1.5), st.tone_seconds(cc, "ringback", ring_s).astype(float), far_end]
    dialled = int(round((0.3 + 2.5 + 7 * 0.14) * 100)) * 10
    return np.concatenate(parts), dialled


@pytest.mark.parametrize("cc", COUNTRIES)
def test_dial_tone_then_ringback_then_a_voice_answers(cc):
    x, dialled = outgoing(cc, voice(3))
    evs, result = progress(x, cc, dialled)
    assert [e[0] for e in evs] == ["dial_tone", "ringback", "answer"]
    assert result == "answer"
    assert 300 < evs[0][1] <= 2800            # dial tone recognised while it plays
    answer_at = len(x) / 8.0 - 3000
    assert answer_at < evs[2][1] <= answer_at + 1500


@pytest.mark.parametrize("cc", COUNTRIES)
@pytest.mark.parametrize("tone", ["busy", "reorder"])
def test_busy_and_reorder_end_the_attempt(cc, tone):
    x, dialled = outgoing(cc, silence(0), ring_cycles=0)
    x = np.concatenate([x, st.tone_seconds(cc, tone, 5).astype(float)])
    evs, result = progress(x, cc, dialled)
    assert result == tone
    assert [e[0] for e in evs] == ["dial_tone", tone]


@pytest.mark.parametrize("cc", ["US", "DE"])
def test_an_intercept_announcement_after_sit_is_not_an_answer(cc):
    # number not in service: SIT, then a recorded voice; a call-back must not count it reached
    x, dialled = outgoing(cc, np.concatenate([st.tone_seconds(cc, "sit", 0.99).astype(float),
                                              voice(4)]), ring_cycles=0)
    evs, result = progress(x, cc, dialled)
    assert result == "sit"
    assert [e[0] for e in evs] == ["dial_tone", "sit"]


def test_answer_by_polarity_reversal():
    x, dialled = outgoing("NL", silence(4))
    rev_at = len(x) / 8.0 - 4000
    evs, result = progress(x, "NL", dialled, reversed_=lambda t: t >= rev_at)
    assert result == "answer" and rev_at <= evs[-1][1] <= rev_at + 100


def test_no_dial_tone_and_blind_dial():
    x = silence(7)
    evs, result = progress(x, "DE", None)
    assert result == "no_dial_tone" and evs == [("no_dial_tone", 5000)]
    evs, result = progress(x, "DE", None, blind_dial=True)
    assert result is None and evs == [("blind_dial", 5000)]


def test_no_answer_times_out():
    x, dialled = outgoing("US", silence(1), ring_cycles=3)
    evs, result = progress(x, "US", dialled, no_answer_ms=15000)
    assert [e[0] for e in evs] == ["dial_tone", "ringback", "no_answer"]
    assert evs[-1][1] == dialled + 15000


def test_music_on_hold_answer_is_an_answer():
    # an IVR that answers with music: real music is no tone, so it counts as answer
    x, dialled = outgoing("UK", real_audio("music", 4) * 0.5)
    evs, result = progress(x, "UK", dialled)
    assert result == "answer"


def test_the_per_block_path_allocates_nothing():
    # progress events are queued in preallocated slots; tone verdicts read, never built
    x, dialled = outgoing("US", np.concatenate([voice(2), st.tone_seconds("US", "busy", 1).astype(float)]))
    evs, result = progress(x, "US", dialled, heap_lock=True)
    assert result == "answer"


@pytest.mark.parametrize("form", ["~1", "~2"])
def test_australian_dial_tone_and_ringback_in_their_other_forms(form):
    # 413 + 438 Hz and 400 + 450 Hz (profiles.py tone_forms) are dial tone and ringback too
    ring_s = sum(st.get_profile("AU")["tones"]["ringback"][1]) * 2 / 1000.0
    x = np.concatenate([silence(0.3), st.tone_seconds("AU", "dial" + form, 2.5).astype(float),
                        dtmf("5551234", 70, 70), silence(1.5),
                        st.tone_seconds("AU", "ringback" + form, ring_s).astype(float), voice(3)])
    dialled = int(round((0.3 + 2.5 + 7 * 0.14) * 100)) * 10
    evs, result = progress(x, "AU", dialled)
    assert [e[0] for e in evs] == ["dial_tone", "ringback", "answer"]
    assert result == "answer"


@pytest.mark.parametrize("cc,engine", [(cc, "micropython") for cc in COUNTRIES] + [("US", "cpython")])
@pytest.mark.parametrize("tone", ["busy", "reorder", "answer"])
def test_progress_with_the_hangup_detectors_matchers_hears_the_same(cc, engine, tone):
    # a call-back's progress detector uses the line's hang-up detector's busy and
    # reorder matchers (callout.py); that detector last heard a busy tone half-way
    # (its chains left part-built): the events and their times are as with its own
    x, dialled = outgoing(cc, voice(3) if tone == "answer" else silence(0),
                          ring_cycles=2 if tone == "answer" else 0)
    if tone != "answer":
        x = np.concatenate([x, st.tone_seconds(cc, tone, 5).astype(float)])
    before = st.tone_seconds(cc, "busy", 1.3).astype(float)
    own = progress(x, cc, dialled, engine=engine)
    evs, result, shared = progress(x, cc, dialled, engine=engine, shared=before)
    assert (evs, result) == own
    assert result == tone
    assert shared >= 1     # the matchers are the hang-up detector's, not copies
