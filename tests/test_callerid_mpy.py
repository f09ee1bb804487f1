"""Caller-ID decoder under the real `micropython` binary: decode rates over levels and
noise, no false messages, viper == plain twins, 32-bit headroom, no allocation."""
import json
import os

import numpy as np
import pytest

from ringroute import audio
from ringroute.signals import callerid as G

from rrfw.check32_plain import Check32
from rrfw.dsp import callerid as fw
from rrfw.dsp import callerid_plain
from callerid_helpers import (decode_batch, decode_cpython, exact, pcm, random_case,
                              real_audio_files, run_micropython)

pytestmark = pytest.mark.micropython


def _required_cases(standard):
    """The corners the standards require: level range, twist (-6..+10 dB Bell, +-6 dB ETSI),
    +-1 % frequency and rate,
    at the SNR they require (ANSI/TIA/EIA-716 for Bell 202, ES 200 778-1 / SIN 242 for ETSI)."""
    hi, lo = G.REQUIRED_LEVELS[standard]
    snr = G.REQUIRED_SNR_DB[standard]
    rng = np.random.default_rng({"bell202": 1, "v23": 2, "dtmf": 3}[standard])
    cases = []
    for level in (hi, G.NOMINAL_LEVEL[standard], lo):
        for twist in ((-6.0, 0.0, 6.0, 10.0) if standard == "bell202" else (-6.0, 0.0, 6.0)):
            for err in (-0.01, 0.01):
                number = "".join(str(d) for d in rng.integers(0, 10, 10))
                name = None if standard == "dtmf" else "ACME SUPPLIES"
                x, _ = G.on_hook_audio(standard, level_dbm0=level, snr_db=snr, rng=rng, number=number,
                                       name=name, twist_db=twist if standard != "dtmf" else twist / 3,
                                       freq_error=err, baud_error=-err)
                cases.append((x, {"standard": standard, "number": number, "name": name}))
    return cases


@pytest.mark.parametrize("standard", ["bell202", "v23", "dtmf"])
def test_every_message_exact_at_the_levels_the_standards_require(standard, tmp_path):
    cases = _required_cases(standard)
    res = decode_batch([c[0] for c in cases], tmp_path)
    bad = [(want, evs) for (x, want), evs in zip(cases, res) if not exact(evs, want)]
    assert bad == []


def test_at_least_97_percent_exact_from_minus5_to_minus40_dbm0_down_to_10_db_snr(tmp_path):
    rng = np.random.default_rng(20261122)
    cases = []
    for standard in ("bell202", "v23", "dtmf"):
        for level in (-5, -15, -25, -35, -40):
            for snr in (10, 15, 30):
                for _ in range(2):
                    x, want, _ = random_case(rng, standard, float(level), float(snr))
                    cases.append((x, want))
    res = decode_batch([c[0] for c in cases], tmp_path)
    good = sum(exact(evs, want) for (x, want), evs in zip(cases, res))
    assert good >= 0.97 * len(cases), "%d of %d exact" % (good, len(cases))
    # and never a wrong message: a miss is a miss, not a wrong number
    for (x, want), evs in zip(cases, res):
        for e in evs:
            assert e["number"] == want["number"]


def _dtmf_keys(keys, level=-10):
    return np.concatenate([np.concatenate([G.dtmf_tone(k, 80, level), np.zeros(640)]) for k in keys])


def test_no_message_out_of_noise_dtmf_and_tones(tmp_path):
    rng = np.random.default_rng(9)
    sigs = [G.noise_at(8000 * 20, lvl, rng) for lvl in (-45, -30, -15, -5)]
    sigs.append(_dtmf_keys("0123456789*#" * 4))
    sigs.append(_dtmf_keys("A123", -12))          # CLIP start without an end: nothing
    t = np.arange(8000 * 10) / 8000.0
    sigs.append(audio.dbm0_to_peak(-10) * np.sin(2 * np.pi * 1200 * t))   # a steady mark-like tone
    sigs.append(audio.dbm0_to_peak(-10) * np.sin(2 * np.pi * 1700 * t) * np.sign(np.sin(2 * np.pi * 600 * t)))
    sigs.append(G.dtas(-10) .repeat(1))
    res = decode_batch(sigs, tmp_path)
    assert [len(r) for r in res] == [0] * len(sigs)


@pytest.mark.parametrize("kind", ["speech", "music"])
def test_no_message_out_of_real_speech_and_music(kind):
    from ringroute import fwexec
    files = real_audio_files(kind)
    files = files[::max(1, len(files) // 150)] if kind == "speech" else files
    res = fwexec.run_decoder("callerid:CallerIdDecoder", files, "micropython")
    assert sum(len(r) for r in res) == 0


def test_engines_agree_on_whole_decodes(tmp_path):
    rng = np.random.default_rng(31)
    sigs = []
    for standard in ("bell202", "v23", "dtmf"):
        for level, snr in ((-8, None), (-38, 11)):
            sigs.append(random_case(rng, standard, float(level), snr)[0])
    mp = decode_batch(sigs, tmp_path, "micropython")
    cp = decode_batch(sigs, tmp_path, "cpython")
    assert mp == cp
    assert sum(len(r) for r in mp) >= 5


_BLOCKS_SCRIPT = r"""
import sys
from array import array
from rrfw.dsp import callerid as C
BIAS = 536870912   # callerid._BIAS (a private const: not visible from outside on MicroPython)
st = array('i', [0] * int(sys.argv[2]))
for i in (2, 3, 5, 6, 7, 8, 16, 17, 18, 19, 27, 28):
    st[i] = BIAS
st[27] = BIAS + 45   # a slow bit clock (callerid._S_BX), then a fast one from block 100
st[21] = 8
st[22] = 5     # the twist equaliser on (mark scaled), then the other way from block 100
st[30] = 1     # the mark correlator one bit long (callerid._S_SHT), then the space one
st[31] = 0     # a stop bit read as space ends the byte (callerid._S_FLY), from block 100 not
ring = array('i', [BIAS] * int(sys.argv[3]))
out = array('i', [0] * 9)
tst = C._tone_state(array("i", [0] * (1 + 7 * 8)), [(f * 65536 + 4000) // 8000 for f in C._DTMF_FREQS])   # 7: callerid._TONE_SLOTS
blk = array('h', bytes(160))
f = open(sys.argv[1], 'rb')
k = 0
while f.readinto(blk) == 160:
    if k == 100:
        st[22] = 0
        st[23] = 7
        st[27] = BIAS - 60
        st[30] = 2
        st[31] = 1
    n = C._fsk_block_vp(st, ring, blk, out)
    e = C._tones_block_vp(blk, tst, 8)
    print(k, n, list(out[:3 * n]), list(st), e, list(tst))
    k += 1
"""


def test_viper_and_plain_twins_agree_sample_for_sample(tmp_path):
    rng = np.random.default_rng(5)
    x, _, _ = random_case(rng, "v23", -20.0, 12.0)
    full = np.clip(np.tile([32767.0, -32768.0, 32767.0, 32767.0, -32768.0], 800), -32768, 32767)
    s = pcm(np.concatenate([x[:8000], G.dtmf_tone("5", 100, -3), full, x[8000:16000]]))
    raw = tmp_path / "a.raw"
    raw.write_bytes(s.astype("<i2").tobytes())
    script = tmp_path / "blocks.py"
    script.write_text(_BLOCKS_SCRIPT)
    proc = run_micropython(str(script), [str(raw), str(fw._S_LEN), str(4 * fw._WIN)])
    assert proc.returncode == 0, proc.stderr
    mp_lines = proc.stdout.splitlines()
    # the same in CPython with the plain twins
    from array import array
    st = array("i", [0] * fw._S_LEN)
    for i in (2, 3, 5, 6, 7, 8, 16, 17, 18, 19, fw._S_BX, fw._S_DSUM):
        st[i] = fw._BIAS
    st[fw._S_BX] = fw._BIAS + 45
    st[fw._S_OFF] = 8
    st[fw._S_AM] = 5
    st[fw._S_SHT] = 1
    ring = array("i", [fw._BIAS] * (4 * fw._WIN))
    out = array("i", [0] * 9)
    tst = fw._tone_state(array("i", [0] * (1 + fw._TONE_SLOTS * 8)), [(f * 65536 + 4000) // 8000 for f in fw._DTMF_FREQS])
    cp_lines = []
    for k in range(len(s) // 80):
        if k == 100:
            st[fw._S_AM] = 0
            st[fw._S_AS] = 7
            st[fw._S_BX] = fw._BIAS - 60
            st[fw._S_SHT] = 2
            st[fw._S_FLY] = 1
        blk = array("h", s[k * 80:(k + 1) * 80].tobytes())
        n = callerid_plain.fsk_block(st, ring, blk, out)
        e = callerid_plain.tones_block(blk, tst, 8)
        cp_lines.append("%d %d %s %s %d %s" % (k, n, list(out[:3 * n]), list(st), e, list(tst)))
    assert len(mp_lines) == len(cp_lines) > 150
    assert mp_lines == cp_lines


def test_the_dtmf_banks_increments_are_its_frequencies():
    """callerid.py keeps the DTMF bank's phase increments as a constant tuple (flash)."""
    assert fw._DTMF_INCS == tuple((f * 65536 + 4000) // 8000 for f in fw._DTMF_FREQS)


def test_arithmetic_fits_32_bit_viper_ints():
    # The ESP32's viper ints are 32-bit; the plain twins check every intermediate
    # against that width (and Python-level energies against 31-bit small ints).
    rng = np.random.default_rng(8)
    t = np.arange(8000) / 8000.0
    worst = [
        np.tile([32767.0, -32768.0], 4000),                      # full-scale Nyquist: DC blocker
        np.tile([32767.0] * 4 + [-32768.0] * 4, 1000),           # full-scale square near 1 kHz
        32767 * np.sign(np.sin(2 * np.pi * 1250 * t)),           # clipped mark tone
        32767 * np.sign(np.sin(2 * np.pi * 2150 * t)),           # clipped space tone
        32767 * np.sin(2 * np.pi * 697 * t) * 0.5 + 32767 * 0.5 * np.sin(2 * np.pi * 1633 * t),
        np.clip(rng.normal(0, 30000, 8000), -32768, 32767),
        G.fsk_burst(G.mdmf("5551234567", "SMITH"), "bell202", 3.0),   # +3 dBm0: clipping FSK
    ]
    callerid_plain.check = Check32()
    try:
        for x in worst:
            decode_cpython(np.clip(x, -32768, 32767))
    finally:
        callerid_plain.check = None


_HEAP_SCRIPT = r"""
import sys, micropython
from array import array
from rrfw.dsp import callerid as C
d = C.CallerIdDecoder()
blk = array('h', bytes(160))
t = 0
for path in sys.argv[1:]:
    d.reset()
    f = open(path, 'rb')
    while f.readinto(blk) == 160:
        micropython.heap_lock()
        try:
            d.process(blk, t)
            ev = d.pop()
        finally:
            micropython.heap_unlock()
        assert ev is None
        t += 10
    print(path, d.rejected)
print('done')
"""


def test_per_block_path_allocates_nothing(tmp_path):
    rng = np.random.default_rng(4)
    bad = G.corrupt(G.mdmf("5551234567", "SMITH JOHN", "11220930"), 6)
    sigs = [np.zeros(8000),
            G.noise_at(8000 * 3, -20, rng),
            G.on_hook_audio("bell202", message=bad, rng=rng)[0],                       # whole FSK path
            G.on_hook_audio("v23", message=G.corrupt(G.sdmf("123"), 4), rng=rng, snr_db=12)[0],
            _dtmf_keys("0123456789*#A12B4D"),                                         # DTMF path, no CLIP end
            _dtmf_keys("12#1234567*#"),                                               # no start code: not a number
            np.concatenate([G.dtmf_burst("A1234", -10), np.zeros(8000)])]             # CLIP abandoned
    bad_ntt = bytearray(G.ntt_frame("0312345678"))
    bad_ntt[-1] ^= 0x01
    sigs.append(G.on_hook_audio("ntt", message=bytes(bad_ntt), rng=rng)[0])           # NTT frame to its CRC
    paths_ = []
    for i, x in enumerate(sigs):
        p = tmp_path / ("h%d.raw" % i)
        p.write_bytes(pcm(x).astype("<i2").tobytes())
        paths_.append(str(p))
    script = tmp_path / "heap.py"
    script.write_text(_HEAP_SCRIPT)
    proc = run_micropython(str(script), paths_)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[-1] == "done"
    rejected = [int(l.split()[1]) for l in lines[:-1]]
    assert rejected[2] >= 1 and rejected[3] >= 1   # the FSK messages were read to the checksum
    assert rejected[-1] >= 1                        # and the NTT frame to its CRC


@pytest.mark.slow
def test_soak_no_message_in_all_speech_prompts():
    from ringroute import fwexec
    files = real_audio_files("speech")
    res = fwexec.run_decoder("callerid:CallerIdDecoder", files, "micropython")
    assert sum(len(r) for r in res) == 0


@pytest.mark.slow
def test_soak_no_message_in_game_music(tmp_path):
    import glob
    import shutil
    import subprocess
    from ringroute import fwexec
    oggs = sorted(glob.glob("/usr/share/games/singularity/music/*.ogg"))
    if not oggs or not shutil.which("oggdec"):
        pytest.skip("needs the Debian packages singularity-music and vorbis-tools")
    wavs = []
    for i, f in enumerate(oggs):
        w = str(tmp_path / ("m%d.wav" % i))
        subprocess.run(["oggdec", "-Q", "-o", w, f], check=True, timeout=300)
        wavs.append(w)
    res = fwexec.run_decoder("callerid:CallerIdDecoder", wavs, "micropython")
    assert sum(len(r) for r in res) == 0


def test_mu_law_recordings_and_clipped_hot_lines(tmp_path):
    # a technician's mu-law recording at the weakest level, and a line so hot the codec clips
    rng = np.random.default_rng(9)
    sigs, wants = [], []
    for std in ("bell202", "v23", "dtmf"):
        num = "".join(str(d) for d in rng.integers(0, 10, 10))
        x, _ = G.on_hook_audio(std, level_dbm0=-40.0, rng=rng, number=num)
        sigs.append(audio.ulaw_decode(audio.ulaw_encode(audio.to_int16(x))).astype(float))
        wants.append({"standard": std, "number": num})
        x, _ = G.on_hook_audio(std, level_dbm0=6.0, rng=rng, number=num)
        sigs.append(np.clip(x, -32768, 32767))
        wants.append({"standard": std, "number": num})
    res = decode_batch(sigs, tmp_path)
    assert [exact(r, w) for r, w in zip(res, wants)] == [True] * len(sigs)


def test_through_a_telephone_channel_with_group_delay(tmp_path):
    # a 6th-order 250..3000 Hz band-pass: the group-delay distortion of a long loop
    from scipy.signal import butter, lfilter
    b, a = butter(6, [250 / 4000, 3000 / 4000], "bandpass")
    rng = np.random.default_rng(12)
    cases = []
    for std in ("bell202", "v23", "dtmf"):
        for _ in range(6):
            x, want, _ = random_case(rng, std, -25.0, None, twist=0.0)
            y = lfilter(b, a, x)
            cases.append((G.add_noise(y, 20.0, rng, ref=y[np.abs(y) > 1]), want))
    res = decode_batch([c[0] for c in cases], tmp_path)
    assert [exact(r, c[1]) for r, c in zip(res, cases)] == [True] * len(cases)


def test_dtmf_clip_national_forms_micropython(tmp_path):
    from test_callerid_decode import NATIONAL_CLIP, NOT_CLIP, national_signal
    sigs = [national_signal(c[1], c[2], c[3]) for c in NATIONAL_CLIP + NOT_CLIP]
    res = decode_batch(sigs, tmp_path)
    for c, evs in zip(NATIONAL_CLIP, res):
        assert exact(evs, {"standard": "dtmf", "number": c[4], "reason": c[5]}), (c, evs)
    for c, evs in zip(NOT_CLIP, res[len(NATIONAL_CLIP):]):
        assert evs == [], (c, evs)
