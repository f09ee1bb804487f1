"""Far-end hang-up: each method releases in time; speech, music and DTMF never release."""
import numpy as np
import pytest

from line_helpers import COUNTRIES, ENGINES, dtmf, hangup, real_audio, silence
from ringroute.signals import tones as st


def talk(seconds, seed=1):
    """Speech-like noise bursts (syllable envelope) at a conversational level."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 8000)
    x = np.convolve(rng.standard_normal(n), np.ones(4) / 4, mode="same") * 2000
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * np.arange(n) / 8000.0)
    return x * env


@pytest.mark.parametrize("engine", ENGINES)
def test_cpc_releases_within_a_second_and_short_drops_do_not(engine):
    x = talk(20)
    # a 40 ms drop at 5 s (exchange relay bounce), the real CPC at 12 s
    loop = lambda t: not (5000 <= t < 5040) and t < 12000
    m, t = hangup(x, "US", engine, loop=loop)
    assert m == "cpc"
    assert 12000 < t < 13000


@pytest.mark.parametrize("cc", COUNTRIES)
def test_cpc_default_suits_each_countrys_exchanges(cc):
    prof = st.get_profile(cc)
    x = talk(6)
    drop = prof["cpc_ms"]           # the exchange's drop, then the current comes back
    loop = lambda t: not (3000 <= t < 3000 + drop)
    m, t = hangup(x, cc, "cpython", loop=loop)
    assert m == "cpc" and 3000 < t < 4000


@pytest.mark.parametrize("drop", [250, 900])
def test_the_whole_north_american_cpc_range_releases(drop):
    # CPC open intervals are 250-900 ms on North American central offices
    x = talk(6)
    m, t = hangup(x, "US", "cpython", loop=lambda t: not (3000 <= t < 3000 + drop))
    assert m == "cpc" and 3000 < t <= 3200


def test_no_loop_current_right_after_answer_is_not_a_hangup():
    # loop current takes a moment to flow after the hook relay closes
    x = talk(5)
    m, _ = hangup(x, "US", "cpython", loop=lambda t: t >= 150)
    assert m is None


def test_a_board_without_loop_sensing_is_never_released_by_cpc_but_a_dead_line_goes_silent():
    m, _ = hangup(talk(6), "US", "cpython", loop=lambda t: False)
    assert m is None
    m, t = hangup(silence(8), "US", "cpython", loop=lambda t: False, silence_ms=5000)
    assert m == "silence" and 4990 <= t <= 5000


@pytest.mark.parametrize("engine", ENGINES)
def test_reversal_releases_and_answer_transients_are_ignored(engine):
    x = talk(8)
    rev = lambda t: (100 <= t < 300) or t >= 4000
    m, t = hangup(x, "NL", engine, reversed_=rev)
    assert m == "reversal" and 4000 < t <= 4100


@pytest.mark.parametrize("cc", COUNTRIES)
@pytest.mark.parametrize("tone", ["busy", "reorder"])
def test_busy_and_reorder_tone_release_within_4_s(cc, tone):
    start = 3.0
    body = st.tone_seconds(cc, tone, 8).astype(np.float64)
    x = np.concatenate([talk(start), body + silence(8, -60)])
    m, t = hangup(x, cc, "micropython")
    assert m == tone + "_tone"
    assert start * 1000 < t <= start * 1000 + 4000


@pytest.mark.parametrize("cc,speech_dbm0", [("DE", -10), ("US", -20), ("UK", -16), ("AU", -13)])
def test_busy_tone_with_the_agent_still_talking_over_it_releases(cc, speech_dbm0):
    # the caller hung up; the agent, still connected, keeps talking at about the tone's level
    from ringroute import audio
    body = st.tone_seconds(cc, "busy", 12).astype(np.float64)
    sp = real_audio("speech", 12)
    sp = sp / np.sqrt(np.mean(sp ** 2)) * audio.dbm0_to_peak(speech_dbm0) / np.sqrt(2)
    x = np.concatenate([talk(2), body + sp[:len(body)]])
    m, t = hangup(x, cc, "micropython")
    assert m == "busy_tone" and t <= 2000 + 4000


def test_busy_tone_while_a_prompt_plays_still_releases():
    body = st.tone_seconds("DE", "busy", 8).astype(np.float64)
    x = np.concatenate([talk(2), body])
    m, t = hangup(x, "DE", "micropython", playing=lambda t: True)
    assert m == "busy_tone" and t <= 6000


def test_silence_releases_after_the_timeout_but_not_while_playing():
    x = np.concatenate([talk(2), silence(12)])
    m, t = hangup(x, "US", "cpython", silence_ms=5000)
    assert m == "silence" and 6800 <= t <= 7100
    m, _ = hangup(x, "US", "cpython", silence_ms=5000, playing=lambda t: True)
    assert m is None


def test_max_length_is_the_last_guard():
    x = talk(6)
    m, t = hangup(x, "US", "cpython", max_call_ms=4000)
    assert m == "max_length" and 3990 <= t <= 4000


def test_methods_can_be_switched_off():
    body = st.tone_seconds("DE", "busy", 6).astype(np.float64)
    x = np.concatenate([talk(1), body])
    m, _ = hangup(x, "DE", "cpython", methods=["cpc", "reversal", "silence", "max_length"])
    assert m is None
    m, _ = hangup(x, "DE", "cpython", methods=["busy_tone"], loop=lambda t: t < 500)
    assert m == "busy_tone"


def test_unknown_method_is_refused():
    from rrfw.line import hangup as fw_hangup
    with pytest.raises(ValueError):
        fw_hangup.HangupDetector("US", methods=["telepathy"])


def test_dtmf_and_talk_never_release():
    keys = "0123456789*#ABCD" * 4
    x = np.concatenate([talk(3), dtmf(keys, 70, 70), dtmf(keys, 200, 50, -20), talk(5)])
    for cc in COUNTRIES:
        m, _ = hangup(x, cc, "micropython")
        assert m is None, cc


def test_real_speech_and_music_never_release():
    x = np.concatenate([real_audio("speech", 45), real_audio("music", 90)])
    for cc in COUNTRIES:
        m, t = hangup(x, cc, "micropython")
        assert m is None, (cc, m, t)


@pytest.mark.slow
def test_all_of_the_real_speech_and_music_never_release():
    x = np.concatenate([real_audio("speech"), real_audio("music")])
    for cc in COUNTRIES:
        m, t = hangup(x, cc, "micropython", silence_ms=60000)
        assert m is None, (cc, m, t)


def test_the_per_block_path_allocates_nothing():
    # micropython.heap_lock() around every process() call: any allocation raises
    body = st.tone_seconds("US", "busy", 4).astype(np.float64)
    x = np.concatenate([talk(2), silence(1), body])
    m, t = hangup(x, "US", "micropython", heap_lock=True)
    assert m == "busy_tone"
    m, t = hangup(talk(2), "US", "micropython", heap_lock=True, loop=lambda t: t < 1000)
    assert m == "cpc"


def test_viper_level_sum_matches_its_plain_twin(tmp_path):
    import subprocess
    from ringroute import paths
    p = tmp_path / "twin.py"
    p.write_text(
        "import random\nfrom rrfw.line import hangup, hangup_plain\nfrom array import array\nrandom.seed(3)\nbad = 0\n"
        "for trial in range(200):\n"
        "    b = array('h', [random.randint(-32768, 32767) >> random.randint(0, 14) for i in range(80)])\n"
        "    if trial == 0:\n        b = array('h', [-32768] * 80)\n"
        "    if hangup._abs_sum_vp(b, 80) != hangup_plain.abs_sum(b, 80):\n        bad += 1\n"
        "print('bad', bad)\n")
    # sources on the path: the .mpy build holds only what ships, not hangup_plain
    r = subprocess.run(paths.engine_command("micropython") + [str(p)],
                       env=paths.engine_env("micropython", source=True),
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["bad", "0"], r.stderr


def test_the_method_bits_follow_the_method_names():
    """hangup.py keeps the methods on as a bit mask: bit i is ALL_METHODS[i]."""
    from rrfw.line import hangup
    bits = (hangup._M_CPC, hangup._M_REV, hangup._M_BUSY, hangup._M_REORDER, hangup._M_SIL, hangup._M_MAX)
    names = ("cpc", "reversal", "busy_tone", "reorder_tone", "silence", "max_length")
    assert [1 << hangup.ALL_METHODS.index(n) for n in names] == list(bits)


def test_a_block_loud_by_its_energy_is_over_the_silence_sum():
    """hangup.py skips its sum of |s| on a block whose energy (the tone detector's
    sum of s*s >> 9) is at least _LOUD_E: that bound must hold for any block,
    the worst one being all -32768 but for a few samples (s*s = 32768 |s| there)."""
    import random
    from array import array
    from rrfw.dsp import tones_plain
    from rrfw.line import hangup as hu, hangup_plain
    assert hu._LOUD_E == 64 * hu._SILENCE_SUM
    rng = random.Random(5)
    blocks = []
    for k in range(81):   # k samples at -32768, the rest 0: the energy nearest its bound
        blocks.append(array("h", [-32768] * k + [0] * (80 - k)))
    for _ in range(2000):
        blocks.append(array("h", [rng.randint(-32768, 32767) >> rng.randint(0, 15) for _ in range(80)]))
    for b in blocks:
        e = tones_plain.corr(b, array("h"), b"", 0, array("i"), array("i"), 0)   # nk 0: the energy alone
        s = hangup_plain.abs_sum(b, 80)
        assert s * 64 >= e, (e, s)
        if e >= hu._LOUD_E:
            assert s >= hu._SILENCE_SUM, (e, s)
