"""What the emulated world's people and exchange sound like, per 10 ms block.

Glue between the world and the signal generators in ringroute.signals (ring
pulses and tones from the country profiles, caller ID), plus the two voices.
"""
import math

import numpy as np

from .. import audio
from ..errors import RingrouteError

BLOCK = 80


def profile(profiles_mod, country):
    """The firmware's country profile (firmware/profiles.py) as a dict with its code."""
    p = dict(profiles_mod.get(country)) if profiles_mod else {
        "ring_hz": 20, "ring_cadence_ms": (2000, 4000), "tones": {}}
    p["country"] = country
    return p


def cadence_on(cadence_ms, t_ms):
    from ..signals import line
    return line.ring_on(cadence_ms, t_ms)


def ring_pulses(prof, t_ms):
    from ..signals import line
    return line.ring_pulses(prof["ring_cadence_ms"], prof["ring_hz"], t_ms)


def tone(prof, name, n0, el_ms):
    """The block of the profile's call-progress tone `name` that starts el_ms
    after the tone began (its cadence and phase run from there)."""
    try:
        from ..signals import tones
    except ImportError:
        return np.zeros(BLOCK)
    start = int(el_ms) * 8
    return np.asarray(tones.tone_samples(prof, name, BLOCK, start), dtype=np.float64)


# Voices: speech-like noise (band-limited, syllable-rate envelope) from fixed
# tables, so runs are deterministic. Agents and callers use different tables.
_RNG = np.random.default_rng(20261122)


def _voice_table(seed):
    rng = np.random.default_rng(seed)
    n = 8000 * 4
    x = rng.normal(0, 1, n)
    # crude telephone-band shaping: difference (high-pass) then 4-tap average (low-pass)
    x = np.convolve(np.diff(x, prepend=0.0), np.ones(4) / 4, mode="same")
    env = 0.6 + 0.4 * np.sin(2 * np.pi * 4.0 * np.arange(n) / 8000.0)  # 4 Hz syllables
    x = x * env
    return x / np.sqrt(np.mean(x * x))


_CALLER = _voice_table(1)
_AGENTS = [_voice_table(100 + p) for p in range(16)]


# Real recordings for long runs: Debian's Asterisk prompts (speech) and hold
# music (scripts/sysdeps.txt installs them).
SPEECH_DIR = "/usr/share/asterisk/sounds/en_US_f_Allison"
MUSIC_DIR = "/usr/share/asterisk/moh"
RECORDED_SECONDS = 600   # at most this much of a corpus is loaded (looped after)
_SOURCES = {}


class SourceMissing(RingrouteError):
    pass


def _recorded(folder, seconds, gap_s):
    import os
    if not os.path.isdir(folder):
        raise SourceMissing("no recordings in %s (install the Debian packages in scripts/sysdeps.txt)" % folder)
    parts = []
    total = 0
    gap = np.zeros(int(gap_s * 8000))
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".wav"):
            continue
        x = audio.read_wav_8k(os.path.join(folder, name)).astype(np.float64)
        parts += [x, gap]
        total += len(x) + len(gap)
        if total >= seconds * 8000:
            break
    x = np.concatenate(parts)
    active = x[np.abs(x) > 100]
    return x / np.sqrt(np.mean(active * active))   # active level 1.0


def voice_table(kind):
    """A looped voice for a caller or agent, unit active RMS: "noise" (speech-like
    noise), "speech" (real recorded speech), "music" (real recorded music), or a
    WAV path."""
    if kind in (None, "noise"):
        return _CALLER
    if kind not in _SOURCES:
        if kind == "speech":
            _SOURCES[kind] = _recorded(SPEECH_DIR, RECORDED_SECONDS, 0.4)
        elif kind == "music":
            _SOURCES[kind] = _recorded(MUSIC_DIR, RECORDED_SECONDS, 0.0)
        else:
            x = audio.read_wav_8k(kind).astype(np.float64)
            active = x[np.abs(x) > 100]
            _SOURCES[kind] = x / np.sqrt(np.mean(active * active))
    return _SOURCES[kind]


def _cyclic(table, n0):
    i = n0 % len(table)
    if i + BLOCK <= len(table):
        return table[i:i + BLOCK]
    return np.concatenate([table[i:], table[:BLOCK - (len(table) - i)]])


# Each voice at each level is scaled once, not every block: the same products,
# sample for sample, as scaling the block (a week's run asks for millions of blocks).
_SCALED = {}


def _scaled(key, table, level_dbm0):
    t = _SCALED.get((key, level_dbm0))
    if t is None:
        rms = audio.dbm0_to_peak(level_dbm0) / np.sqrt(2)
        t = _SCALED[(key, level_dbm0)] = rms * table
        t.flags.writeable = False   # blocks are views of it: nobody may write into one
    return t


def caller_table(level_dbm0, kind="noise"):
    """A caller's voice at its level, looped: caller_voice's blocks are
    cyclic(this, n0) (a world that keeps it skips two look-ups a block)."""
    return _scaled(kind, voice_table(kind), level_dbm0)


def agent_table(port, level_dbm0=-22.0):
    p = port % len(_AGENTS)
    return _scaled(p, _AGENTS[p], level_dbm0)


cyclic = _cyclic


def cyclic_run(table, n0, k):
    """The k blocks cyclic(table, n0), cyclic(table, n0 + 80), ... as one k x 80 array."""
    n = k * BLOCK
    i = n0 % len(table)
    if i + n <= len(table):
        return table[i:i + n].reshape(k, BLOCK)
    return np.resize(np.roll(table, -i), n).reshape(k, BLOCK)


def caller_voice(n0, level_dbm0, rng=None, kind="noise"):
    return _cyclic(caller_table(level_dbm0, kind), n0)


def agent_voice(n0, port, level_dbm0=-22.0):
    return _cyclic(agent_table(port, level_dbm0), n0)


# NTT Number Display timing as the emulated exchange plays it (rrfw/line/car.py has
# the sources): CAR for at most 6 s; the delays around the data are this emulator's
# choice, not NTT's figures (unverified).
NTT_CAR_MAX_MS = 6000      # no primary response by then: ring without caller ID
NTT_DATA_DELAY_MS = 100    # from the primary response to the first mark bit
NTT_RING_DELAY_MS = 500    # from the on-hook ("reception complete") to the first ring
NTT_OFFHOOK_MAX_MS = 7000  # a terminal still off-hook this long after the data has answered


def car_pulses(prof, t_ms):
    from ..signals import line
    return line.ring_pulses(prof["car_cadence_ms"], prof["ring_hz"], t_ms)


def ntt_plan(caller, t, rng):
    """The NTT handshake's state for one call: None when the caller sends no caller ID."""
    from ..signals import callerid
    cid = caller.spec["caller_id"]
    if cid == "none":
        return None
    number, reason = (None, cid) if cid in ("withheld", "unavailable") else (cid, None)
    sig = callerid.fsk_burst(callerid.ntt_frame(number, reason), "ntt",
                             phase=float(rng.uniform(0, 2 * math.pi)))
    return {"phase": "car", "t0": t, "t_data": None, "signal": sig}


def callerid_plan(caller, utc, rng):
    """What the exchange sends for this call's caller ID (ringroute.signals.callerid),
    placed against the profile's ring cadence; None when the line sends none."""
    import time as _time
    from ..signals import callerid
    spec = caller.spec
    prof = caller.profile
    cid = spec["caller_id"]
    if cid == "none":
        return None
    standard = prof.get("callerid", "bell202")
    when = prof.get("cid_when", "after_first_ring")
    if when == "before_ring" and standard != "dtmf":
        when = "before_ring_dtas"   # V.23 before ringing: reversal + DT-AS alert (SIN 227)
    number, reason = (None, cid) if cid in ("withheld", "unavailable") else (cid, None)
    tm = _time.gmtime(utc)
    stamp = "%02d%02d%02d%02d" % (tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min)
    return callerid.plan(standard, number=number, name=spec.get("name"), reason=reason,
                         datetime=stamp, when=when, cadence_ms=prof["ring_cadence_ms"], rng=rng,
                         clip_form=spec.get("clip_form") or "etsi")
