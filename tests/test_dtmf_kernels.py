"""The receiver's machinery: viper kernels against their plain twins, 32-bit
headroom, no allocation per block, and the interface the core relies on
(tone_present for barge-in, the bounded digit queue, echo of our own tx,
reset and finish)."""
import json
import os
from array import array

import numpy as np
import pytest

from ringroute import audio
from ringroute.signals import dtmf as gen
from rrfw.check32_plain import Check32
from rrfw.dsp import dtmf_plain

import dtmf_helpers as h
from corpus import SPEECH_PACKAGES, real_audio
from dtmf_helpers import decode, digits, dtmf

INT32 = 2 ** 31
SMALL_INT_ESP32 = 2 ** 30   # larger ints are heap objects on the ESP32


def corpus(seconds, seed=5):
    """Keys (all levels, twists, offsets), then keys under speech and music,
    noise, full-scale clipping bursts and silence: a mix meant to reach every
    branch of the kernels."""
    rng = np.random.default_rng(seed)
    parts = []
    n = 0
    while n < seconds * 8000:
        kind = n // 8000 % 5
        keys = "".join(rng.choice(list(gen.KEYS), 8))
        x, _ = gen.tape(keys, on_ms=float(rng.uniform(30, 120)), off_ms=float(rng.uniform(30, 150)),
                        rng=rng, level_dbm0=float(rng.uniform(-40, 0)), twist_db=float(rng.uniform(-12, 8)),
                        offset=float(rng.uniform(-0.05, 0.05)))
        if kind == 1:
            x = x + gen.noise(len(x), float(rng.uniform(-40, -5)), rng)
        elif kind == 2:
            x = x * 4.0                                       # clipped at full scale
        elif kind == 3:
            x = x + 30000 * np.sign(np.sin(np.arange(len(x)) * float(rng.uniform(0.1, 3))))
        parts.append(x)
        n += len(x)
    sp = real_audio("speech", seconds=seconds / 4.0, level_dbm0=-10)
    mu = real_audio("music", seconds=seconds / 4.0, level_dbm0=-5)
    x = np.concatenate(parts)
    if len(sp):
        x[:len(sp)] += sp
    if len(mu):
        x[-len(mu):] += mu
    return audio.to_int16(x)


def run_traced(samples, tx=None):
    """Drive the plain kernels block by block with tracing; returns
    (largest intermediate, largest value kept in the state arrays)."""
    trace = Check32()
    dtmf_plain.check = trace
    try:
        return _run_traced(samples, trace)
    finally:
        dtmf_plain.check = None


def _run_traced(samples, trace):
    st = array("i", bytes(4 * dtmf._ST_LEN))
    work = array("i", bytes(4 * 80))
    kept = 0
    s = h.to_blocks(samples)
    blk = array("h", bytes(160))
    for b in range(len(s) // 80):
        blk[:] = array("h", s[b * 80:(b + 1) * 80].tobytes())
        st[dtmf._BI] = b & 7
        dtmf_plain.goertzel(blk, work, dtmf_plain.TAB, st)
        dtmf_plain.window(st, dtmf_plain.TAB)
        dtmf_plain.decide(st, dtmf_plain.TAB)
        dtmf_plain.long(st, dtmf_plain.TAB)     # run on every block here, not only on misses
        for hk in range(0, len(dtmf_plain.HTAB), dtmf._HSTRIDE):   # every harmonic probe set, every block
            dtmf_plain.harm(work, dtmf_plain.HTAB, st, hk)
            m = max(max(st), -min(st))
            if m > kept:
                kept = m
        m = max(max(st), -min(st))
        if m > kept:
            kept = m
    return trace.peak, kept


def test_arithmetic_fits_32_bits_on_the_corpus():
    peak, kept = run_traced(corpus(40))
    assert 0 < peak < INT32, "an intermediate reached %d" % peak
    assert kept < SMALL_INT_ESP32, "a stored value reached %d" % kept


def test_arithmetic_fits_32_bits_on_worst_case_input():
    # For each Goertzel frequency, the input that drives its state highest:
    # full scale with the sign of the filter's impulse response, time-reversed.
    peaks = []
    for f in dtmf.FREQS:
        w = 2 * np.pi * f / 8000.0
        resp = np.sin((np.arange(80) + 1) * w)
        x = np.where(resp[::-1] >= 0, 32767, -32768).astype(np.float64)
        peaks.append(run_traced(np.tile(x, 12)))
    peaks.append(run_traced(np.tile([32767.0, -32768.0], 480)))
    peaks.append(run_traced(np.full(960, -32768.0)))
    for peak, kept in peaks:
        assert peak < INT32
        assert kept < SMALL_INT_ESP32


KERNEL_MODULES = ("rrfw.dsp.dtmf", "rrfw.dsp.tonegen", "rrfw.dsp.callerid", "rrfw.dsp.tones",
                  "rrfw.line.hangup", "rrfw.hal.pcm")


@pytest.mark.parametrize("name", KERNEL_MODULES)
def test_every_viper_kernel_has_its_plain_twin_and_the_same_constants(name):
    # The convention (rrfw/compat.py): _k_vp in the shipped module, k in its
    # *_plain.py twin, which repeats the constants it needs (MicroPython folds
    # underscored consts, so it cannot import them): they must not drift apart.
    import importlib
    import re
    from ringroute import fwbuild
    mod = importlib.import_module(name)
    plain = importlib.import_module(name + "_plain")
    with open(mod.__file__) as f:
        kernels = re.findall(r"^    def _(\w+)_vp\(", f.read(), re.M)
    assert kernels
    for k in kernels:
        assert callable(getattr(plain, k, None)), "%s_plain has no twin %s of _%s_vp" % (name, k, k)
    shared = [n for n in vars(plain) if n.startswith("_") and not n.startswith("__") and n in vars(mod)
              and not callable(vars(plain)[n]) and not hasattr(vars(plain)[n], "__file__")]
    for n in shared:
        assert vars(plain)[n] == vars(mod)[n], "%s: %s differs from its twin's" % (name, n)
    rel = name.replace(".", "/") + "_plain.py"
    assert rel not in fwbuild.shipped()    # plain twins never reach the board


def test_tx_energies_are_those_of_the_receivers_own_analysis():
    # the echo test's tx energies (txen, two slices of the state) equal the window
    # energies the rx path's goertzel and window give the same blocks, block by block
    x = corpus(20)
    st = array("i", bytes(4 * 272))
    ref = array("i", bytes(4 * 198))
    work = array("i", bytes(4 * 80))
    n = 0
    for b in range(len(x) // 80):
        blk = array("h", x[b * 80:(b + 1) * 80].tolist())
        dtmf_plain.txen(blk, work, dtmf_plain.TAB, st)
        ref[90] = b & 7
        dtmf_plain.goertzel(blk, work, dtmf_plain.TAB, ref)
        dtmf_plain.window(ref, dtmf_plain.TAB)
        assert list(st[264:272]) == list(ref[80:88])
        n += any(ref[80:88])
    assert n > 1000


@pytest.mark.micropython
def test_viper_and_plain_agree_block_by_block(tmp_path):
    # The same corpus through both kernels inside micropython: every state
    # value, every decision and every event must be identical.
    raw = tmp_path / "corpus.raw"
    raw.write_bytes(corpus(90).astype("<i2").tobytes())
    code = """
import json
from rrfw.dsp import dtmf
from array import array
a = dtmf.DtmfReceiver()
b = dtmf.DtmfReceiver(plain=True)
blk = array('h', bytes(160))
tx = array('h', bytes(160))   # the block before at -12 dB, as what the board plays (the echo path)
ev = []
mism = 0
t = 0
n = 0
with open(%r, 'rb') as f:
    while f.readinto(blk) == 160:
        a.process(blk, t, tx)
        b.process(blk, t, tx)
        for i in range(80):
            tx[i] = blk[i] >> 2
        if a._st != b._st or a.tone_present != b.tone_present:
            mism += 1
        for r in (a, b):
            e = r.pop()
            while e is not None:
                ev.append((r is a, e['digit'], e['start_ms'], e['end_ms']))
                e = r.pop()
        t += 10
        n += 1
print(json.dumps({'blocks': n, 'mismatches': mism,
                  'a': [e[1:] for e in ev if e[0]], 'b': [e[1:] for e in ev if not e[0]]}))
""" % str(raw)
    # sources on the path: the .mpy build holds only what ships, not dtmf_plain
    out = json.loads(h.run_micropython(code, timeout=600, source=True).strip().splitlines()[-1])
    assert out["blocks"] >= 9000       # 90 s
    assert out["mismatches"] == 0
    assert out["a"] == out["b"]
    assert len(out["a"]) >= 50       # the corpus does exercise digits


@pytest.mark.micropython
def test_per_block_path_allocates_nothing():
    # process() (rx and tx), and a digit completing into the queue, all under
    # heap_lock; MemoryError would be raised by any allocation.
    code = """
import micropython
from rrfw.dsp import dtmf, dtmfgen
from array import array
r = dtmf.DtmfReceiver()
g = dtmfgen.DtmfGenerator()
rx = array('h', bytes(160))
tx = array('h', bytes(160))
noise = array('h', [(i * 7919) % 6000 - 3000 for i in range(80)])
g.start('159#')
t = 0
for i in range(3):                      # warm up (first calls may intern things)
    r.process(rx, t, tx); t += 10
n = 0
micropython.heap_lock()
try:
    while g.fill(rx):                   # the keys arrive on rx
        r.process(rx, t, tx); t += 10; n += 1
    for i in range(20):
        r.process(noise, t, noise); t += 10; n += 1
    for i in range(10):
        r.process(tx, t); t += 10; n += 1
finally:
    micropython.heap_unlock()
out = []
e = r.pop()
while e is not None:
    out.append(e['digit']); e = r.pop()
print(n, ''.join(out))
"""
    out = h.run_micropython(code).split()
    assert int(out[0]) > 100
    assert out[1] == "159#"


def _key_blocks(key="5", on_ms=200.0, level=-10.0):
    x, truth = gen.tape(key, on_ms=on_ms, lead_ms=100.0, tail_ms=200.0, level_dbm0=level)
    return h.to_blocks(x), truth


def test_tone_present_rises_during_the_key_before_the_digit_is_reported():
    s, truth = _key_blocks(on_ms=200.0)
    r = dtmf.DtmfReceiver()
    rise = None
    reported = None
    blk = array("h", bytes(160))
    for b in range(len(s) // 80):
        blk[:] = array("h", s[b * 80:(b + 1) * 80].tobytes())
        r.process(blk, b * 10)
        if r.tone_present and rise is None:
            rise = b * 10 + 10
        e = r.pop()
        if e is not None:
            reported = b * 10 + 10
            assert not r.tone_present
    assert rise is not None and reported is not None
    assert truth[0]["start_ms"] < rise <= truth[0]["start_ms"] + 40   # barge-in within 40 ms
    assert rise < truth[0]["end_ms"] < reported <= truth[0]["end_ms"] + 40


def test_lost_counts_digits_beyond_the_queue():
    x, truth = gen.tape("0123456789AB", on_ms=60, off_ms=60)
    s = h.to_blocks(x)
    r = dtmf.DtmfReceiver()
    blk = array("h", bytes(160))
    for b in range(len(s) // 80):
        blk[:] = array("h", s[b * 80:(b + 1) * 80].tobytes())
        r.process(blk, b * 10)         # nobody pops
    got = ""
    e = r.pop()
    while e is not None:
        got += e["digit"]
        e = r.pop()
    assert got == "01234567"          # the 8 oldest are kept
    assert r.lost == 4
    r.reset()
    assert r.lost == 0 and r.pop() is None


def test_finish_reports_a_key_still_sounding_at_the_end():
    x, truth = gen.tape("7", on_ms=300, tail_ms=0)
    x = x[:len(x) - 800]                 # the recording stops while the key still sounds
    ev = decode(x)
    assert digits(ev) == "7"


def test_times_are_relative_to_the_first_block():
    x, truth = gen.tape("9", on_ms=80)
    s = h.to_blocks(x)
    r = dtmf.DtmfReceiver()
    blk = array("h", bytes(160))
    out = []
    for b in range(len(s) // 80):
        blk[:] = array("h", s[b * 80:(b + 1) * 80].tobytes())
        r.process(blk, 5000 + b * 10)
        e = r.pop()
        if e:
            out.append(e)
    assert len(out) == 1
    assert abs(out[0]["start_ms"] - (5000 + truth[0]["start_ms"])) <= 5


def test_own_dtmf_echo_is_not_a_key():
    # The board plays DTMF (e.g. a prompt with tones) and hears its echo at
    # 6 dB echo return loss, the worst G.168 allows: no key.
    x, truth = gen.tape("123456789*0#", on_ms=80, level_dbm0=-6)
    echo = 10 ** (-6 / 20.0) * x
    assert digits(decode(echo, tx=x)) == ""
    assert digits(decode(echo)) == "123456789*0#"     # without tx they would be keys


def test_key_during_a_prompt_is_heard_despite_its_echo():
    rng = np.random.default_rng(3)
    prompt = real_audio("speech", seconds=6, level_dbm0=-12)
    if len(prompt) == 0:
        pytest.skip("needs real speech: " + SPEECH_PACKAGES)
    keys, truth = gen.tape("2580", on_ms=90, off_ms=400, level_dbm0=-12, rng=rng)
    n = len(keys)
    tx = np.resize(prompt, n)
    rx = keys + 10 ** (-10 / 20.0) * tx        # hybrid echo at 10 dB ERL
    assert digits(decode(rx, tx=tx)) == "2580"


def test_reset_forgets_a_half_heard_key():
    x, truth = gen.tape("3", on_ms=200, tail_ms=0)
    s = h.to_blocks(x)
    r = dtmf.DtmfReceiver()
    blk = array("h", bytes(160))
    for b in range(len(s) // 80 - 8):
        blk[:] = array("h", s[b * 80:(b + 1) * 80].tobytes())
        r.process(blk, b * 10)
    assert r.tone_present
    r.reset()
    assert not r.tone_present
    r.finish(0)
    assert r.pop() is None


def test_times_stay_right_on_a_line_never_reset():
    # After 11.6 hours of blocks the receiver moves its time origin (to keep
    # small ints on the ESP32); keys before and after still carry true times.
    x, truth = gen.tape("48", on_ms=80, off_ms=300)
    s = h.to_blocks(x)
    r = dtmf.DtmfReceiver()
    blk = array("h", bytes(160))
    t0 = 1000
    r.process(blk, t0)
    r._st[dtmf._S_BLK] = (1 << 22) - 3     # as if 11.6 h of silence had gone by
    base = t0 + r._st[dtmf._S_BLK] * 10
    out = []
    for b in range(len(s) // 80):
        blk[:] = array("h", s[b * 80:(b + 1) * 80].tobytes())
        r.process(blk, base + b * 10)
        e = r.pop()
        if e:
            out.append(e)
    assert [e["digit"] for e in out] == ["4", "8"]
    for e, k in zip(out, truth):
        assert abs(e["start_ms"] - (base + k["start_ms"])) <= 5
    assert r._st[dtmf._S_BLK] < 1000
