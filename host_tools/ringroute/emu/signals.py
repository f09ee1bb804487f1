"""What the emulated world's people and exchange sound like, per 10 ms block.

Glue between the world and the signal generators in ringroute.signals (ring
pulses and tones from the country profiles, caller ID), plus the two voices.
"""
import numpy as np

from .. import audio

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


def tone(prof, name, n0, el_ms=0):
    """A block of the profile's call-progress tone `name`, cadence timed from el_ms=0."""
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


def _cyclic(table, n0):
    i = n0 % len(table)
    if i + BLOCK <= len(table):
        return table[i:i + BLOCK]
    return np.concatenate([table[i:], table[:BLOCK - (len(table) - i)]])


def caller_voice(n0, level_dbm0, rng=None):
    rms = audio.dbm0_to_peak(level_dbm0) / np.sqrt(2)
    return rms * _cyclic(_CALLER, n0)


def agent_voice(n0, port, level_dbm0=-22.0):
    rms = audio.dbm0_to_peak(level_dbm0) / np.sqrt(2)
    return rms * _cyclic(_AGENTS[port % len(_AGENTS)], n0)


def callerid_audio(caller, el_ms, n0):
    """The caller-ID burst on the line while it rings (from ringroute.signals.callerid)."""
    return caller.cid_audio_block(el_ms) if hasattr(caller, "cid_audio_block") else np.zeros(BLOCK)
