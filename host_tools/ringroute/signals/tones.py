"""Call-progress tones of each country profile, for the emulated exchange and tests (numpy).

The tone definitions are the firmware's own (firmware/profiles.py): frequencies,
cadence and level, so the exchange the emulator plays and the detector on the
board read one table.

    tone_samples("DE", "busy", 80, 0)           # first 10 ms of German busy tone
    tone_samples(prof, "dial", 8000, 8000 * 3)  # the 4th second of the dial tone

A tone listed with three frequencies f-m, f, f+m (Australia's 400/425/450 Hz)
is f amplitude-modulated at m Hz, AM_DEPTH deep (AS/CA S002: 90-99 %).
"""
import math

import numpy as np

from .. import audio

RATE = audio.RATE
AM_DEPTH = 0.95   # modulation depth of AM tones (AS/CA S002:2010 5.3.4.1: 90 % to 99 %)


def load_profiles():
    """The firmware's profiles module (firmware/profiles.py), loaded once."""
    from rrfw.line import profiles
    return profiles


def get_profile(profile):
    """A profile dict from a country code (or the dict itself)."""
    return load_profiles().get(profile)


def tone_names(profile, forms=False):
    """The profile's tone names; forms=True adds each other form a tone is sent in
    (profiles.py tone_forms) as "name~i", which tone_samples plays."""
    prof = get_profile(profile)
    names = sorted(prof["tones"])
    if forms:
        for n in sorted(prof.get("tone_forms") or {}):
            names += ["%s~%d" % (n, i + 1) for i in range(len(prof["tone_forms"][n]))]
    return names


def tone_def(prof, name):
    """The tone tuple for `name`; "dial~1" is dial's first other form (same cadence, level)."""
    base, _, i = name.partition("~")
    tdef = prof["tones"][base]
    if i:
        tdef = (tuple(prof["tone_forms"][base][int(i) - 1]),) + tuple(tdef[1:])
    return tdef


def gate(cadence_ms, n, start_sample=0, steps_db=None):
    """Float array: 1 where the cadence [on, off, ...] (ms) is on, 0 off; () = always on.

    steps_db: level (dB) of each on-time in turn, repeating (AU congestion: (0, -10)).
    """
    if not cadence_ms:
        return np.ones(n)
    cyc = int(sum(cadence_ms)) * RATE // 1000
    idx = (np.arange(n) + start_sample) % cyc
    g = np.zeros(n)
    t = 0
    for i, d in enumerate(cadence_ms):
        a, b = t * RATE // 1000, (t + d) * RATE // 1000
        if i % 2 == 0:
            lv = steps_db[(i // 2) % len(steps_db)] if steps_db else 0.0
            g[(idx >= a) & (idx < b)] = 10 ** (lv / 20.0)
        t += d
    return g


def tone_float(freqs, n, start_sample=0, level_dbm0=-13.0, freq_scale=1.0):
    """Continuous (ungated) tone as float samples; level is per frequency (carrier for AM)."""
    t = (np.arange(n) + start_sample) / float(RATE)
    a = audio.dbm0_to_peak(level_dbm0)
    freqs = tuple(freqs)
    if len(freqs) == 3 and abs((freqs[1] - freqs[0]) - (freqs[2] - freqs[1])) < 1e-6:
        f, m = freqs[1] * freq_scale, (freqs[1] - freqs[0]) * freq_scale
        return a * (1.0 + AM_DEPTH * np.cos(2 * math.pi * m * t)) * np.cos(2 * math.pi * f * t)
    x = np.zeros(n)
    for f in freqs:
        x += a * np.cos(2 * math.pi * f * freq_scale * t)
    return x


def tone_samples(profile, name, n, start_sample=0, level_dbm0=None, freq_scale=1.0,
                 cadence_scale=1.0):
    """n samples (numpy int16) of the profile's tone `name`, from sample `start_sample`.

    profile: country code ("US", "UK", ...) or profile dict; name: dial / busy / reorder /
    ringback. start_sample counts from the tone's start (cadence phase 0 = first on-time),
    so consecutive calls with start_sample += n give one seamless tone.
    level_dbm0: per-frequency level (default: the profile's); freq_scale: multiply every
    frequency (1.01 = +1 %); cadence_scale: stretch every on/off time (1.1 = 10 % slower).
    """
    prof = get_profile(profile)
    try:
        tdef = tone_def(prof, name)
        freqs, cadence, level = tdef[0], tdef[1], tdef[2]
        steps = tdef[3] if len(tdef) > 3 else None
    except (KeyError, IndexError, ValueError):
        raise KeyError("profile %s has no tone %r (it has: %s)"
                       % (prof.get("name"), name, " ".join(sorted(prof["tones"]))))
    if level_dbm0 is None:
        level_dbm0 = level
    cad = tuple(int(round(d * cadence_scale)) for d in cadence)
    if freqs and isinstance(freqs[0], tuple):
        # a sequence tone (SIT): on-element i plays freqs[i], the remaining elements are off
        x = np.zeros(n)
        for i, fs in enumerate(freqs):
            pat = _element_pattern(cad, i)   # element i alone, same cycle
            x += tone_float(fs, n, start_sample, level_dbm0, freq_scale) * gate(pat, n, start_sample)
        return audio.to_int16(x)
    x = tone_float(freqs, n, start_sample, level_dbm0, freq_scale) * gate(cad, n, start_sample, steps)
    return audio.to_int16(x)


def _element_pattern(cad, i):
    """An on/off cadence of the same cycle where only element i of cad is on."""
    before = sum(cad[:i])
    after = sum(cad[i + 1:])
    if before:
        # on/off patterns start with an on: rotate by starting with a 0 ms on
        return (0, before, cad[i], after)
    return (cad[i], after)


def tone_seconds(profile, name, seconds, **kw):
    """Convenience: `seconds` of the tone from its start, int16."""
    return tone_samples(profile, name, int(seconds * RATE), 0, **kw)


def noise(n, level_dbm0, rng):
    """White Gaussian noise with RMS at level_dbm0 (a sine's RMS at that level), float."""
    rms = audio.dbm0_to_peak(level_dbm0) / math.sqrt(2)
    return rng.standard_normal(n) * rms
