"""The same key twice with the minimum pause, from generators other than the project's own.

ITU-T Q.24 and Telcordia GR-506 have a receiver take two tones 40 ms apart as
two keys, and bridge an interruption of 10 ms inside one key. The project's
tape generator (ringroute.signals.dtmf) starts every key on a block edge and
at a fresh random phase; a telephone's keypad does neither. Here the keys
come from:
  - a gated pair of free-running oscillators (as keypad chips make them:
    the phase runs on through the pause), with each pause starting at every
    eighth sample of the 80-sample block; written here from Q.23's figures;
  - spandsp 0.0.6's dtmf_tx (Debian libspandsp2, through ctypes), when installed.
Both sides of the bound: a 40 ms pause gives two keys (also 45 and 50 ms),
a 10 ms drop-out gives one, whatever the alignment; CPython (plain twins)
and micropython (viper kernels).
"""
import ctypes
import math
import os

import numpy as np
import pytest

from ringroute import audio, fwexec

from dtmf_helpers import decode, digits

ROWS = (697.0, 770.0, 852.0, 941.0)       # Hz, ITU-T Q.23 table 1
COLS = (1209.0, 1336.0, 1477.0, 1633.0)
KEYS = "123A456B789C*0#D"
SAME = ("22", "33", "77")                 # the examples first, then every key
RATE = 8000


def _freqs(k):
    i = KEYS.index(k)
    return ROWS[i // 4], COLS[i % 4]


def gated(schedule, n, level_dbm0=-10.0, twist_db=0.0, offset=0.0, phase=(0.3, 1.1)):
    """Free-running oscillators gated on for each (key, start sample, length) of schedule."""
    x = np.zeros(n)
    t = np.arange(n) / float(RATE)
    ar = audio.dbm0_to_peak(level_dbm0)
    ac = audio.dbm0_to_peak(level_dbm0 + twist_db)
    for k, s, m in schedule:
        fr, fc = _freqs(k)
        fr *= 1.0 + offset
        fc *= 1.0 + offset
        seg = slice(s, s + m)
        x[seg] = (ar * np.sin(2 * math.pi * fr * t[seg] + phase[0])
                  + ac * np.sin(2 * math.pi * fc * t[seg] + phase[1]))
    return x


def pairs_tape(keys, on_ms, off_ms, **kw):
    """Each key pressed twice, `off_ms` apart; the n-th pair's pause starts
    8n samples (1 ms) later in its block than the 0th's. (samples, truth)."""
    on = int(on_ms * 8)
    off = int(off_ms * 8)
    sched = []
    pos = 800
    for i, k in enumerate(keys):
        # place the pause's start (end of the first key) at sample 8*i (mod 80) of a block
        end1 = pos + on
        pos += (8 * i - end1) % 80
        sched.append((k, pos, on))
        sched.append((k, pos + on + off, on))
        pos += 2 * on + off + 1600      # 200 ms of silence before the next pair
    n = pos + 800
    truth = [{"digit": k, "start_ms": s / 8.0, "end_ms": (s + m) / 8.0} for k, s, m in sched]
    return gated(sched, n, **kw), truth


def dropout_tape(keys, gap_ms=10.0, on_ms=100.0, **kw):
    """Each key 100 ms with a drop-out of gap_ms in it, starting 8n samples into a block."""
    on = int(on_ms * 8)
    g = int(gap_ms * 8)
    sched = []
    truth = []
    pos = 800
    for i, k in enumerate(keys):
        cut = pos + 320
        cut += (8 * i - cut) % 80
        sched.append((k, pos, cut - pos))
        sched.append((k, cut + g, pos + on - cut - g))
        truth.append({"digit": k, "start_ms": pos / 8.0, "end_ms": (pos + on) / 8.0})
        pos += on + 1600
    return gated(sched, pos + 800, **kw), truth


class SpandspTx:
    """spandsp 0.0.6's DTMF generator: keys at its own level, twist and timing."""

    def __init__(self):
        lib = ctypes.CDLL("libspandsp.so.2")
        lib.dtmf_tx_init.restype = ctypes.c_void_p
        lib.dtmf_tx_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        lib.dtmf_tx_set_level.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.dtmf_tx_set_timing.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.dtmf_tx_put.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.dtmf_tx.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int]
        lib.dtmf_tx.restype = ctypes.c_int
        lib.dtmf_tx_free.argtypes = [ctypes.c_void_p]
        self.lib = lib

    def keys(self, keys, on_ms, off_ms, level=-10, twist=0):
        lib = self.lib
        st = lib.dtmf_tx_init(None, None, None)
        lib.dtmf_tx_set_level(st, level, twist)
        lib.dtmf_tx_set_timing(st, on_ms, off_ms)
        lib.dtmf_tx_put(st, keys.encode(), -1)
        buf = (ctypes.c_int16 * 4000)()
        out = []
        while True:
            n = lib.dtmf_tx(st, buf, 4000)
            if n <= 0:
                break
            out.append(np.frombuffer(bytes(buf)[:2 * n], np.int16).astype(np.float64))
        lib.dtmf_tx_free(st)
        return np.concatenate(out)


def _spandsp():
    try:
        return SpandspTx()
    except OSError:
        return None


def spandsp_tape(tx, keys, on_ms, off_ms):
    """Each key twice from spandsp, its pause starting 8n samples into a block. (samples, truth)"""
    parts = []
    truth = []
    pos = 0
    on = on_ms * 8
    for i, k in enumerate(keys):
        lead = 800 + (8 * i - (pos + 800 + on)) % 80
        y = tx.keys(k + k, on_ms, off_ms)
        s = pos + lead
        for j in range(2):
            a = s + j * (on + off_ms * 8)
            truth.append({"digit": k, "start_ms": a / 8.0, "end_ms": (a + on) / 8.0})
        parts += [np.zeros(lead), y, np.zeros(1600)]
        pos += lead + len(y) + 1600
    return np.concatenate(parts), truth


def _cases():
    c = []
    every = "".join(SAME) + KEYS
    for on in (40.0, 50.0, 100.0):
        x, t = pairs_tape(every, on, 40.0)
        c.append(("pause 40 ms, tones %d ms" % on, x, t))
    x, t = pairs_tape(every, 60.0, 45.0, offset=0.015)
    c.append(("pause 45 ms, +1.5 %", x, t))
    x, t = pairs_tape(every, 60.0, 40.0, offset=-0.015, level_dbm0=-17.0, twist_db=-8.0)
    c.append(("pause 40 ms, -1.5 %, twist -8 dB", x, t))
    x, t = pairs_tape(every, 50.0, 40.0, level_dbm0=-25.0, twist_db=4.0)
    c.append(("pause 40 ms, -25 dBm0, twist +4 dB", x, t))
    x, t = pairs_tape(every, 60.0, 40.0, level_dbm0=0.0, phase=(2.0, 0.0))
    c.append(("pause 40 ms, 0 dBm0", x, t))
    tx = _spandsp()
    for on, off in ((40, 40), (50, 40), (100, 40), (60, 50)) if tx is not None else ():
        x, t = spandsp_tape(tx, every, on, off)
        c.append(("spandsp dtmf_tx %d on, %d off" % (on, off), x, t))
    x, t = dropout_tape(every)
    c.append(("drop-out 10 ms: one key", x, t))
    x, t = dropout_tape(every, level_dbm0=-17.0, twist_db=-8.0, offset=0.015)
    c.append(("drop-out 10 ms, twist -8 dB, +1.5 %: one key", x, t))
    return c


CASES = _cases()
IDS = [c[0] for c in CASES]


def check(events, truth):
    assert digits(events) == "".join(k["digit"] for k in truth)
    for e, k in zip(events, truth):
        assert abs(e["start_ms"] - k["start_ms"]) <= 5.0, (e, k)
        assert abs(e["end_ms"] - k["end_ms"]) <= 5.0, (e, k)


def test_the_tapes_hold_what_they_say():
    # the pause really is 40 ms of zeros, starting at every eighth sample of a block
    x, t = pairs_tape("22", 50.0, 40.0)
    s = int(t[0]["end_ms"] * 8)
    assert np.all(x[s:s + 320] == 0) and x[s - 1] != 0 and x[s + 320] != 0
    x, t = pairs_tape(SAME[0] * 10, 50.0, 40.0)
    starts = sorted({int(t[2 * i]["end_ms"] * 8) % 80 for i in range(10)})
    assert starts == list(range(0, 80, 8))


def test_spandsp_is_there():
    # the tapes from the independent generator are part of this file's claim
    assert _spandsp() is not None, "libspandsp2 missing: make sysdeps"


@pytest.mark.parametrize("name,x,truth", CASES, ids=IDS)
def test_pause_cpython(name, x, truth):
    check(decode(x), truth)


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory):
    d = tmp_path_factory.mktemp("dtmf_pause")
    files = []
    for i, (name, x, truth) in enumerate(CASES):
        p = os.path.join(str(d), "%02d.wav" % i)
        audio.write_wav(p, x)
        files.append(p)
    return fwexec.run_decoder("dtmf:DtmfReceiver", files, "micropython")


@pytest.mark.micropython
@pytest.mark.parametrize("idx", range(len(CASES)), ids=IDS)
def test_pause_micropython(idx, micropython_results):
    name, x, truth = CASES[idx]
    check(micropython_results[idx], truth)


