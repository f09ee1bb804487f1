"""DTMF signals for test tapes and the emulator's callers (numpy, host side).

Every function returns float samples at 8 kHz in 16-bit units (use
`ringroute.audio.to_int16` before writing or feeding the firmware), plus,
for tapes, the truth: one dict per key with the digit and its start and end
in milliseconds.

Conventions (the same as the receiver's and the standards'):
  level_dbm0  level of the low-group (row) tone, dBm0 (0 dBm0 sine = 3.17 dB
              below 16-bit full scale, G.711)
  twist_db    high-group level minus low-group level, dB: +4 = "normal twist"
              4 dB (high tone louder), -8 = "reverse twist" 8 dB (GR-506 terms)
  offset      relative frequency error of both tones (0.015 = +1.5 %);
              row_offset / col_offset set one tone's error alone

Example: a caller keying 1234# at -12 dBm0 over speech at the same level::

    x, truth = tape("1234#", on_ms=80, off_ms=120, level_dbm0=-12)
    y = mix_under(x, speech, ratio_db=0.0)

(Real recordings to mix under, and scoring decoded keys against the truth,
are test material: tests/corpus.py.)
"""
import math

import numpy as np

from .. import audio

RATE = audio.RATE
ROWS = (697.0, 770.0, 852.0, 941.0)        # Hz, ITU-T Q.23 table 1 (low group)
COLS = (1209.0, 1336.0, 1477.0, 1633.0)    # Hz (high group)
KEYS = "123A456B789C*0#D"                  # row-major over ROWS x COLS


def key_freqs(digit):
    """(row Hz, column Hz) of a key; raises ValueError for anything else."""
    i = KEYS.find(str(digit).upper())
    if len(str(digit)) != 1 or i < 0:
        raise ValueError("not a DTMF key: %r (keys are 0-9, *, #, A-D)" % (digit,))
    return ROWS[i // 4], COLS[i % 4]


def _n(ms, rate=RATE):
    return int(round(ms * rate / 1000.0))


def silence(ms, rate=RATE):
    return np.zeros(_n(ms, rate))


def tone(digit, ms, level_dbm0=-10.0, twist_db=0.0, offset=0.0, row_offset=None,
         col_offset=None, phases=None, rate=RATE, rng=None):
    """One key: the two sines, `ms` long. Random start phases when rng is given."""
    fr, fc = key_freqs(digit)
    fr *= 1.0 + (offset if row_offset is None else row_offset)
    fc *= 1.0 + (offset if col_offset is None else col_offset)
    if phases is None:
        phases = (rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)) if rng is not None else (0.0, 0.0)
    t = np.arange(_n(ms, rate)) / float(rate)
    ar = audio.dbm0_to_peak(level_dbm0)
    ac = audio.dbm0_to_peak(level_dbm0 + twist_db)
    return ar * np.sin(2 * math.pi * fr * t + phases[0]) + ac * np.sin(2 * math.pi * fc * t + phases[1])


def tape(keys, on_ms=60.0, off_ms=100.0, lead_ms=100.0, tail_ms=100.0, rate=RATE, rng=None,
         gaps=None, **tone_kw):
    """Keys one after another: (samples, truth).

    on_ms / off_ms may be numbers or one value per key. `gaps`, if given, is a
    list of (key index, at_ms, length_ms): a drop-out of the tone inside that key
    (the key still counts once). Other keyword arguments go to `tone`.
    """
    parts = [silence(lead_ms, rate)]
    truth = []
    t = _n(lead_ms, rate)
    for i, k in enumerate(keys):
        on = on_ms[i] if isinstance(on_ms, (list, tuple)) else on_ms
        off = off_ms[i] if isinstance(off_ms, (list, tuple)) else off_ms
        x = tone(k, on, rate=rate, rng=rng, **tone_kw)
        for gi, at, length in (gaps or ()):
            if gi == i:
                x[_n(at, rate):_n(at + length, rate)] = 0.0
        truth.append({"digit": k, "start_ms": 1000.0 * t / rate, "end_ms": 1000.0 * (t + len(x)) / rate})
        parts.append(x)
        t += len(x)
        p = silence(off if i + 1 < len(keys) else tail_ms, rate)
        parts.append(p)
        t += len(p)
    return np.concatenate(parts), truth


def noise(n, level_dbm0, rng):
    """White Gaussian noise over the 0-4 kHz band at `level_dbm0` (its RMS level)."""
    rms = audio.dbm0_to_peak(level_dbm0) / math.sqrt(2.0)
    return rng.normal(0.0, rms, n)


def active_level_dbm0(x, rate=RATE):
    """Level of speech or music over its active part (10 ms frames within 40 dB
    of the loudest; a simplified ITU-T P.56 active level)."""
    x = np.asarray(x, dtype=np.float64)
    f = rate // 100
    n = len(x) // f
    if n == 0:
        return -math.inf
    e = (x[:n * f].reshape(n, f) ** 2).mean(axis=1)
    top = e.max()
    if top <= 0:
        return -math.inf
    act = e[e >= top * 1e-4]
    return 10 * math.log10(act.mean() / (audio.DBM0_PEAK ** 2 / 2.0))


def mix_under(keys_signal, other, ratio_db, truth=None):
    """`keys_signal` plus `other` (cut or repeated to length) scaled so that the
    keys' power (both tones, while sounding) is `ratio_db` above other's active level."""
    x = np.asarray(keys_signal, dtype=np.float64)
    o = np.resize(np.asarray(other, dtype=np.float64), len(x))
    if truth:
        on = np.concatenate([x[int(k["start_ms"] * RATE / 1000):int(k["end_ms"] * RATE / 1000)] for k in truth])
    else:
        on = x[np.abs(x) > 0]
    p_keys = float(np.mean(on ** 2)) if len(on) else 0.0
    lvl_o = active_level_dbm0(o)
    if p_keys <= 0 or not math.isfinite(lvl_o):
        return x + o
    p_o = (audio.DBM0_PEAK ** 2 / 2.0) * 10 ** (lvl_o / 10)
    gain = math.sqrt(p_keys / p_o / 10 ** (ratio_db / 10.0))
    return x + gain * o


def scale_to(x, level_dbm0):
    """`x` scaled to an active level of `level_dbm0`."""
    lvl = active_level_dbm0(x)
    if not math.isfinite(lvl):
        return np.asarray(x, dtype=np.float64)
    return np.asarray(x, dtype=np.float64) * 10 ** ((level_dbm0 - lvl) / 20.0)
