"""Trunk-line signals for the emulated exchange: ring-detect pulses, CPC, reversal.

The board's ring-detect optocoupler conducts on each half cycle of the ring
voltage, so during a ring burst it gives 2 x ring_hz pulses per second; the
HAL counts them per 10 ms block. These helpers give the exact count the
emulated board should report, so the firmware's ringdet sees what a real line
gives (e.g. 20 Hz: pulses every 25 ms -> 0,1,0,1,0,0,1... per block, 0.4 on
average; 50 Hz: 1 per block).

All times are integers in ms, relative to the start of ringing (t=0 is the
start of the first burst of the cadence).
"""
import math


def _on_intervals(cadence_ms):
    """[(start, end)] of the ring-on parts of one cadence cycle, and the cycle length."""
    t = 0
    out = []
    for i, d in enumerate(cadence_ms):
        if i % 2 == 0:
            out.append((t, t + d))
        t += d
    return out, t


def ring_on(cadence_ms, t_ms):
    """True when ring voltage is on at t_ms (t=0 = start of the first burst)."""
    if t_ms < 0:
        return False
    ons, cycle = _on_intervals(cadence_ms)
    x = t_ms % cycle
    return any(a <= x < b for a, b in ons)


def _pulses_before(x_ms, start, ring_hz):
    # pulses at start + k / (2 f) s, k = 0, 1, ...; count those with time < x_ms
    if x_ms <= start:
        return 0
    return int(math.floor((x_ms - start) * 2 * ring_hz / 1000.0 - 1e-9)) + 1


def ring_pulses(cadence_ms, ring_hz, t_ms, block_ms=10, cycles=None):
    """Ring-detect pulses counted in the block [t_ms, t_ms + block_ms).

    cadence_ms: the profile's ring pattern [on, off, on, off, ...] (ms), repeated.
    ring_hz: ring frequency (20, 25, 50 ...); pulses come at 2 x ring_hz during bursts,
    the first exactly at the start of each burst.
    t_ms: block start relative to the start of ringing; negative = before ringing (0 pulses).
    cycles: stop after this many cadence cycles (None = ring forever).
    Returns an int (0, 1, occasionally 2 at 50 Hz and above).
    """
    if t_ms + block_ms <= 0:
        return 0
    ons, cycle = _on_intervals(cadence_ms)
    lo = max(0, t_ms)
    hi = t_ms + block_ms
    n = 0
    c0 = lo // cycle
    c1 = (hi - 1) // cycle
    for c in range(c0, c1 + 1):
        if cycles is not None and c >= cycles:
            break
        base = c * cycle
        for a, b in ons:
            s, e = base + a, base + b
            x0, x1 = max(lo, s), min(hi, e)
            if x0 < x1:
                n += _pulses_before(x1, s, ring_hz) - _pulses_before(x0, s, ring_hz)
    return n


def ring_pulse_train(cadence_ms, ring_hz, duration_ms, block_ms=10, cycles=None):
    """List of per-block pulse counts for duration_ms of ringing (see ring_pulses)."""
    return [ring_pulses(cadence_ms, ring_hz, t, block_ms, cycles)
            for t in range(0, duration_ms, block_ms)]


def profile_ring_pulses(profile, t_ms, cycles=None):
    """ring_pulses() with the cadence and frequency of a firmware profile (dict or code)."""
    prof = _profile(profile)
    return ring_pulses(prof["ring_cadence_ms"], prof["ring_hz"], t_ms, cycles=cycles)


def _profile(profile):
    if isinstance(profile, dict):
        return profile
    from .tones import load_profiles
    return load_profiles().get(profile)
